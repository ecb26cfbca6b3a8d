"""Load and crash run: N simulated applicants complete organisation applications at once.

Against real processes: two ``certdesk serve --no-worker`` servers and one ``certdesk worker``
on PostgreSQL + Redis, with the WeChat API, WeChat Pay and Tencent SMS fakes in this process
(all on 127.0.0.1). Each applicant walks the whole application through the signed, encrypted
webhook (menu click, every answer, confirmation, four photos, the SMS code), then pays; WeChat is
played faithfully: a delivery that gets no answer (connection refused, 5xx, no reply within 5 s)
is delivered again with the same MsgId, to any live server, at most 4 times.

With ``--crash`` a server is killed (SIGKILL) at random moments and started again. At the end
every order must be paid once, with its answers and four photos, each payment notice queued
once and every job run once. Prints p50/p99 step latency.

    python -m tests.load --applicants 200 [--crash] [--concurrency 50]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from bench.webhook import percentile
from bot.sandbox.photos import document_photo
from bot.sandbox.wechat_api import WeChatApiFake
from bot.wechat.simulator import Delivery, WeChatSimulator
from handlers.demo_script import ORG_APPLICATION
from tests.load_cluster import Cluster, merchant_pay_fake, sms_fake

STEP_TIMEOUT = 45.0  # an answer (passive or customer-service) must come within this
WECHAT_WAIT = 5.0  # WeChat gives up on a delivery after 5 s ...
WECHAT_ATTEMPTS = 4  # ... and delivers it at most 4 times
PAY_WAIT = 60.0  # a paid order must be seen as paid within this


class LoadError(Exception):
    """An applicant could not finish: what it sent and what came back."""


@dataclass
class Figures:
    """What the run measured."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    redeliveries: int = 0
    late_answers: int = 0  # answered by customer-service message, not passively
    crashes: int = 0
    expired_codes: int = 0  # a code answered "expired" after a crash (asked again)

    def percentile(self, p: float) -> float:
        return percentile(self.latencies, p)


class Applicant:
    """One simulated applicant (a WeChat user) walking the organisation application."""

    def __init__(self, cluster: Cluster, http: aiohttp.ClientSession, number: int) -> None:
        self.cluster, self.http = cluster, http
        self.openid = f"o-load-{number:05d}"
        self.phone = f"139{number:08d}"
        self.sim = WeChatSimulator(
            token=cluster.token, app_id=cluster.wechat.app_id, encoding_aes_key=cluster.aes_key
        )
        self.seen = 0  # customer-service messages already read
        cluster.wechat.add_user(self.openid)

    async def run(self, figures: Figures) -> None:
        """The whole application, then the payment."""
        click = self.sim.event(self.openid, "CLICK", "org", create_time=self.sim.now())
        # Handled twice (its server died after starting the draft), it still asks question 1.
        await self.step(click, "第 1/", figures)
        last = len(ORG_APPLICATION) - 1
        for index, (label, value) in enumerate(ORG_APPLICATION):
            if label == "经办人手机号":
                value = self.phone
            expect = "请核对" if index == last else f"第 {index + 2}/"
            await self.step(self.sim.text(self.openid, value), expect, figures)
        await self.step(self.sim.text(self.openid, "确认订单"), "营业执照", figures)
        # After the last photo the code is sent; if that photo's answer was lost, the retry
        # says where the applicant is (the code step), or that a code was sent a moment ago.
        expects = ["经办人身份证正面", "授权书", "法人身份证正面", ("验证码已发送", "短信验证码")]
        for number, expect in enumerate(expects):
            media_id = self.cluster.wechat.add_media(self.cluster.photos[number], "image/jpeg")
            await self.step(self.sim.image(self.openid, media_id), expect, figures)
        # "申请已提交": the code was applied by a server that died before it answered.
        # "已过期": the code was replaced by a server that died while sending the new one;
        # the applicant asks for another, as the answer says.
        done = ("订单已提交", "申请已提交", "验证码已过期")
        for _ in range(3):
            code = await self.sms_code(figures)
            answer = await self.step(self.sim.text(self.openid, code), done, figures)
            if "验证码已过期" not in answer:
                break
            figures.expired_codes += 1
            self.cluster.sms.sent = [m for m in self.cluster.sms.sent if m.params[0] != code]
        else:
            raise LoadError(f"{self.openid}: every code had expired")
        await self.pay()

    async def sms_code(self, figures: Figures) -> str:
        """The code sent for this application. If none came (a server died while sending it,
        after it counted the send), the applicant asks for another once the limit allows."""
        for _ in range(4):
            code = self.cluster.sms_code(self.phone)
            if code:
                return code
            await asyncio.sleep(20.0)
            resend = self.sim.text(self.openid, "重发")
            await self.step(resend, ("验证码已发送", "太频繁"), figures)
        raise LoadError(f"{self.openid}: no SMS code came")

    async def step(
        self, delivery: Delivery, expect: str | tuple[str, ...], figures: Figures
    ) -> str:
        """Deliver one message as WeChat does and wait for an answer containing ``expect``
        (one of them)."""
        wanted = (expect,) if isinstance(expect, str) else expect
        if delivery.msg_id is not None:  # what opens WeChat's customer-service window
            self.cluster.wechat.note_user_message(self.openid)
        else:
            self.cluster.wechat.note_user_event(self.openid)
        started = time.monotonic()
        passive = await self.deliver(delivery, figures)
        answer = passive
        deadline = started + STEP_TIMEOUT
        while not _has(answer, wanted) and time.monotonic() < deadline:
            answer += "\n".join(self.new_messages())
            if not _has(answer, wanted):
                await asyncio.sleep(0.05)
        if not _has(answer, wanted):
            raise LoadError(f"{self.openid}: expected {wanted!r}, got {answer[-300:]!r}")
        if not _has(passive, wanted):
            figures.late_answers += 1
        if "❌" in answer and "验证码已过期" not in wanted:
            raise LoadError(f"{self.openid}: refused: {answer[-300:]!r}")
        figures.latencies.append(time.monotonic() - started)
        return answer

    def new_messages(self) -> list[str]:
        """Texts certdesk sent to this applicant through the API since the last look."""
        sent = self.cluster.wechat.messages_to(self.openid)
        fresh, self.seen = sent[self.seen :], len(sent)
        texts = []
        for message in fresh:
            body = message.body
            texts.append(str(body.get("text", {}).get("content", "")) or str(body))
        return texts

    async def deliver(self, delivery: Delivery, figures: Figures) -> str:
        """POST the delivery until a server answers 200 (WeChat's retries); the passive text."""
        for attempt in range(WECHAT_ATTEMPTS):
            url = self.cluster.webhook_url()
            try:
                async with self.http.post(
                    url,
                    params=delivery.params,
                    data=delivery.body.encode(),
                    timeout=aiohttp.ClientTimeout(total=WECHAT_WAIT),
                ) as response:
                    body = await response.text()
                    if response.status == 200:
                        return self.sim.open_reply(body).get("Content", "")
            except (aiohttp.ClientError, TimeoutError):
                pass
            figures.redeliveries += 1
            await asyncio.sleep(0.5 * (attempt + 1))
        raise LoadError(f"{self.openid}: WeChat gave up on a delivery after {WECHAT_ATTEMPTS}")

    async def pay(self) -> None:
        """Pay the order's WeChat Pay order; WeChat Pay notifies until acknowledged."""
        out_trade_no = await self.cluster.out_trade_no(self.openid)
        delivery = await self.cluster.pay.pay(out_trade_no)
        assert delivery is not None
        deadline = time.monotonic() + PAY_WAIT
        while not delivery.acknowledged and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            delivery = await self.cluster.pay.redeliver(delivery.notification.event_id)
        while time.monotonic() < deadline:
            if await self.cluster.order_status(self.openid) == "paid":
                return
            await asyncio.sleep(0.2)
        raise LoadError(f"{self.openid}: the order was not paid within {PAY_WAIT} s")


def _has(text: str, wanted: tuple[str, ...]) -> bool:
    return any(w in text for w in wanted)


async def crasher(cluster: Cluster, figures: Figures, stop: asyncio.Event, seed: int) -> None:
    """Kill a random server at random moments (SIGKILL), then start it again."""
    rng = random.Random(seed)
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), timeout=rng.uniform(2.0, 6.0))
            return
        except TimeoutError:
            pass
        which = rng.randrange(len(cluster.servers))
        cluster.kill_server(which)
        figures.crashes += 1
        await asyncio.sleep(rng.uniform(0.2, 1.5))
        await cluster.restart_server(which)


async def run(applicants: int, concurrency: int, crash: bool, seed: int = 1) -> Figures:
    """The whole run; returns the figures (errors listed in them)."""
    figures = Figures()
    async with (
        WeChatApiFake() as wechat,
        merchant_pay_fake() as pay,
        sms_fake() as sms,
    ):
        keep = os.environ.get("LOAD_KEEP_DIR")  # keep the processes' logs there
        with (
            contextlib.nullcontext(tempfile.mkdtemp(prefix="certdesk-load-", dir=keep))
            if keep
            else tempfile.TemporaryDirectory(prefix="certdesk-load-")
        ) as workdir:
            cluster = Cluster(Path(workdir), wechat, pay, sms, uuid.uuid4().hex[:10])
            cluster.photos = [document_photo(seed=n) for n in range(4)]
            await cluster.start()
            stop = asyncio.Event()
            chaos = asyncio.create_task(crasher(cluster, figures, stop, seed)) if crash else None
            limit = asyncio.Semaphore(concurrency)
            started = time.monotonic()
            try:
                async with aiohttp.ClientSession() as http:

                    async def one(number: int) -> None:
                        async with limit:
                            try:
                                await Applicant(cluster, http, number).run(figures)
                            except Exception as exc:  # one applicant's failure, not the run's
                                figures.errors.append(f"{type(exc).__name__}: {exc}")

                    await asyncio.gather(*(one(n) for n in range(applicants)))
                stop.set()
                if chaos is not None:
                    await chaos
                elapsed = time.monotonic() - started
                figures.errors += await cluster.check(applicants)
            finally:
                stop.set()
                await cluster.stop()
    report(figures, applicants, elapsed)
    return figures


def report(figures: Figures, applicants: int, elapsed: float) -> None:
    """Print the figures of a run."""
    print(
        f"load: {applicants} applicants in {elapsed:.1f} s, {len(figures.latencies)} steps, "
        f"step latency p50 {figures.percentile(0.5):.0f} ms p99 {figures.percentile(0.99):.0f} ms, "
        f"late answers {figures.late_answers}, redeliveries {figures.redeliveries}, "
        f"server kills {figures.crashes}, expired codes asked again {figures.expired_codes}, "
        f"errors {len(figures.errors)}"
    )
    for error in figures.errors[:60]:
        print("  error:", error)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applicants", type=int, default=int(os.environ.get("LOAD_N", "200")))
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--crash", action="store_true", help="kill -9 servers during the run")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    figures = asyncio.run(run(args.applicants, args.concurrency, args.crash, args.seed))
    sys.exit(1 if figures.errors else 0)


if __name__ == "__main__":
    main()
