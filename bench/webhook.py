"""Webhook step throughput: encrypted text messages that each advance a conversation step.

One ``certdesk serve`` process (PostgreSQL + Redis, no in-process worker) receives simulated
applicants walking the organisation flow; each applicant sends one message at a time and
waits for the passive reply, ``BENCH_CONNECTIONS`` applicants at once. Measured in the same
run, on the same machine, with the same signed and encrypted deliveries:

- bare aiohttp handler (HTTP floor), wechatpy parse + encrypted reply (protocol floor);
- a stateful WeRoBot bot with Redis sessions under gunicorn (one sync worker: one process,
  like the certdesk process measured), the peer.

Each server gets ``BENCH_WARMUP_SECONDS`` of unmeasured load first (its connection pools fill,
its first statements are prepared), then ``BENCH_SECONDS`` measured. The load generator is a
lean keep-alive HTTP/1.1 client (``LeanClient``) on uvloop: it shares the cores with the server
measured, so the less CPU it takes, the less it distorts the figures (aiohttp's client took about
twice as much per request, and slowed the peers that wait on every reply the most; on asyncio's
loop the client added a tail of its own, 27 ms at p99 against the bare aiohttp floor, and its
reconnections slowed gunicorn's peer, which closes every connection).

Prints requests/s, p50/p99 latency, the server's CPU time per request (user + system time of
its process group in the measured window, steadier than throughput on a shared machine) and
certdesk's ratios.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode

import asyncpg

from bench.peers import AES_KEY, APP_ID, TOKEN
from bot.db import migrate
from bot.secrets_box import generate_key
from bot.wechat.simulator import Delivery, WeChatSimulator
from handlers.demo_script import ORG_APPLICATION

CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
DURATION = float(os.environ.get("BENCH_SECONDS", "10"))
WARMUP = float(os.environ.get("BENCH_WARMUP_SECONDS", "2"))
PG_ADMIN = os.environ.get("TEST_POSTGRES_URL", "postgres://root@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@dataclass
class Result:
    """What one load run measured."""

    name: str
    requests: int
    errors: int
    seconds: float
    latencies: list[float]
    click_latencies: list[float] = field(default_factory=list)  # the menu clicks among them
    cpu_seconds: float = 0.0  # of the server's processes during the run

    @property
    def cpu_per_request(self) -> float:
        """Milliseconds of server CPU per request."""
        return self.cpu_seconds / self.requests * 1000 if self.requests else 0.0

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        return percentile(self.latencies, p)

    def line(self) -> str:
        return (
            f"{self.name:34} {self.rate:8.0f} req/s  p50 {self.percentile(0.5):6.1f} ms  "
            f"p99 {self.percentile(0.99):6.1f} ms  cpu {self.cpu_per_request:5.2f} ms/req  "
            f"errors {self.errors}"
        )

    def clicks_line(self) -> str:
        """The menu clicks (each applicant's first step: more round trips than an answer)."""
        clicks = self.click_latencies
        return (
            f"{'  of which menu clicks':34} {len(clicks):8d} steps  "
            f"p50 {percentile(clicks, 0.5):6.1f} ms  p99 {percentile(clicks, 0.99):6.1f} ms"
        )


def percentile(latencies: list[float], p: float) -> float:
    """The ``p`` quantile of ``latencies`` (seconds), in milliseconds."""
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else 0.0


def group_cpu_seconds(group: int) -> float:
    """User + system CPU seconds of the live processes of a process group (Linux /proc)."""
    ticks = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group:  # pgrp
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def applicant_script(sim: WeChatSimulator, openid: str) -> list[Delivery]:
    """One applicant: the menu click, then every text answer up to the summary."""
    click = sim.event(openid, "CLICK", "org")
    return [click, *(sim.text(openid, value) for _label, value in ORG_APPLICATION)]


async def wait_port(port: int, within: float = 30) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        await asyncio.sleep(0.2)
    raise RuntimeError(f"nothing listening on {port}")


class LeanClient:
    """One keep-alive HTTP/1.1 connection posting deliveries; reconnects when the server closes
    it (gunicorn's sync worker answers ``Connection: close``).

    The load generator shares the machine's cores with the server it measures, so it does as
    little as it can per request: one write of the request, a read of the status line,
    headers and ``Content-Length`` bytes.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, delivery: Delivery) -> tuple[int, bytes]:
        """Post one delivery: (status, body)."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        body = delivery.body.encode()
        query = urlencode(delivery.params)
        self.writer.write(
            f"POST /wechat?{query} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
            f"Content-Type: text/xml\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in lines[1:] if line)
        }
        if "content-length" in headers:
            payload = await self.reader.readexactly(int(headers["content-length"]))
        else:
            payload = await self.reader.read()  # no length: the body runs to the close
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, payload

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def load(name: str, port: int, check_reply: bool, group: int | None = None) -> Result:
    """``CONNECTIONS`` applicants, each sending its script one message at a time: ``WARMUP``
    seconds unmeasured (connection pools filling, first statements prepared, alike for every
    server), then ``DURATION`` seconds measured; with ``group``, the CPU time of that process
    group in the measured window."""
    sim = WeChatSimulator(token=TOKEN, app_id=APP_ID, encoding_aes_key=AES_KEY)
    latencies: list[float] = []
    click_latencies: list[float] = []
    errors = 0
    measure_from = time.monotonic() + WARMUP
    stop_at = measure_from + DURATION

    async def applicant(index: int) -> None:
        nonlocal errors
        client = LeanClient(port)
        round_no = 0
        try:
            while time.monotonic() < stop_at:
                openid = f"o-bench-{name[:4]}-{index}-{round_no}-{uuid.uuid4().hex[:6]}"
                round_no += 1
                for step, delivery in enumerate(applicant_script(sim, openid)):
                    if time.monotonic() >= stop_at:
                        return
                    started = time.perf_counter()
                    measured = time.monotonic() >= measure_from
                    try:
                        status, body = await client.post(delivery)
                        ok = status == 200 and (not check_reply or b"Encrypt" in body)
                    except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                        client.close()
                        ok = False
                    if measured:
                        latencies.append(time.perf_counter() - started)
                        if step == 0:
                            click_latencies.append(latencies[-1])
                        errors += not ok
        finally:
            client.close()

    async def cpu_at_measure_start() -> float:
        await asyncio.sleep(max(0.0, measure_from - time.monotonic()))
        return group_cpu_seconds(group) if group is not None else 0.0

    cpu_before = asyncio.ensure_future(cpu_at_measure_start())
    await asyncio.gather(*(applicant(i) for i in range(CONNECTIONS)))
    # The window ends with the last reply (after stop_at): every request counted is in it.
    measured_seconds = time.monotonic() - measure_from
    result = Result(name, len(latencies), errors, measured_seconds, latencies, click_latencies)
    if group is not None:
        result.cpu_seconds = group_cpu_seconds(group) - await cpu_before
    return result


def start(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        args,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


async def measure(
    name: str,
    args: list[str],
    port: int,
    env: dict[str, str] | None = None,
    check_reply: bool = True,
) -> Result:
    process = start(args, env)
    try:
        await wait_port(port)
        return await load(name, port, check_reply, group=process.pid)
    finally:
        stop(process)


def certdesk_env(database_url: str, redis_prefix: str) -> dict[str, str]:
    """The environment of a measured ``certdesk serve``: PostgreSQL + Redis, safe mode."""
    return {
        "CERTDESK_DATABASE_URL": database_url,
        "CERTDESK_REDIS_URL": REDIS_URL,
        "CERTDESK_REDIS_PREFIX": redis_prefix,
        "CERTDESK_SECURITY_DATA_KEYS": generate_key(),
        "CERTDESK_SECURITY_LOOKUP_KEY": generate_key(),
        "CERTDESK_WECHAT_TOKEN": TOKEN,
        "CERTDESK_WECHAT_APP_ID": APP_ID,
        "CERTDESK_WECHAT_ENCODING_AES_KEY": AES_KEY,
        "CERTDESK_LOGGING_LEVEL": "WARNING",
        "CERTDESK_PRICES_ORG_1": "30000",
        "CERTDESK_PRICES_ORG_2": "55000",
        "CERTDESK_DATABASE_POOL_MAX_SIZE": "20",
    }


async def main() -> None:
    """Run certdesk and the three comparisons; print the figures and ratios."""
    py = sys.executable
    db = f"certdesk_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG_ADMIN)
    await admin.execute(f'CREATE DATABASE "{db}"')
    url = f"{PG_ADMIN.rsplit('/', 1)[0]}/{db}"
    prefix = f"bench:{uuid.uuid4().hex[:8]}:"
    env = certdesk_env(url, prefix)
    results: list[Result] = []
    try:
        await migrate(url)
        print(
            f"{CONNECTIONS} connections, {DURATION:.0f} s each after {WARMUP:.0f} s of warm-up, "
            "one server process, "
            f"{os.cpu_count()} cores shared with the load generator"
        )
        port = free_port()
        results.append(
            await measure(
                "certdesk (PostgreSQL + Redis)",
                [py, "-m", "bot.cli", "serve", "--no-worker", "--port", str(port)],
                port,
                env,
            )
        )
        port = free_port()
        results.append(
            await measure(
                "floor: bare aiohttp",
                [py, "-m", "bench.peers", "bare", str(port)],
                port,
                check_reply=False,
            )
        )
        port = free_port()
        results.append(
            await measure(
                "floor: wechatpy parse+reply",
                [py, "-m", "bench.peers", "wechatpy", str(port)],
                port,
            )
        )
        port = free_port()
        gunicorn = os.path.join(os.path.dirname(py), "gunicorn")
        results.append(
            await measure(
                "peer: WeRoBot + Redis (gunicorn)",
                [gunicorn, "-w", "1", "-b", f"127.0.0.1:{port}", "bench.peers:werobot_app()"],
                port,
                {"BENCH_REDIS_URL": REDIS_URL},
            )
        )
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        await admin.close()
    for result in results:
        print(result.line())
        if result.click_latencies and result is results[0]:
            print(result.clicks_line())
    certdesk = results[0]
    for other in results[1:]:
        print(
            f"certdesk / {other.name}: {certdesk.rate / other.rate:5.2f}x throughput, "
            f"{other.cpu_per_request / certdesk.cpu_per_request:5.2f}x CPU efficiency"
        )
