"""The deployment a load run drives: a PostgreSQL database and a Redis prefix of its own, two
``certdesk serve --no-worker`` processes and one ``certdesk worker``, configured by one TOML file
against the fakes of the run; and the consistency checks made at its end."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import asyncpg
import redis.asyncio as aioredis

from bot.sandbox.crypto import cached_rsa_private_key_pem, load_private_key, public_key_pem
from bot.sandbox.wechat_api import WeChatApiFake
from bot.sandbox.wechat_pay import (
    DEFAULT_APIV3_KEY,
    DEFAULT_APPID,
    DEFAULT_MCHID,
    DEFAULT_MERCHANT_SERIAL_NO,
    WeChatPayFake,
)
from bot.secrets_box import generate_key
from tests.fakes.tencent_sms import DEFAULT_SIGN_NAME, TencentSmsFake

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://root@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PG_SERVER = PG_ADMIN_URL.rsplit("/", 1)[0]
VERIFY_TEMPLATE = "1000002"
ORG_2_PRICE = 55000  # the scripted application chooses two years
START_WITHIN = 60.0


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def merchant_pay_fake() -> WeChatPayFake:
    """The WeChat Pay fake for the merchant whose key ``cached_rsa_private_key_pem`` gives."""
    private = cached_rsa_private_key_pem("wechatpay-merchant")
    return WeChatPayFake(
        merchant_public_key_pem=public_key_pem(load_private_key(private)),
        appids=[DEFAULT_APPID],
        platform_private_key_pem=cached_rsa_private_key_pem("wechatpay-platform"),
    )


def sms_fake() -> TencentSmsFake:
    """The Tencent SMS fake with an approved verification-code template."""
    return TencentSmsFake(templates={VERIFY_TEMPLATE: 1}, verification_templates=(VERIFY_TEMPLATE,))


class Cluster:
    """The processes of one load run, and what the run checks about their work."""

    token = "load-token"
    aes_key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"

    def __init__(
        self,
        workdir: Path,
        wechat: WeChatApiFake,
        pay: WeChatPayFake,
        sms: TencentSmsFake,
        run_id: str,
    ) -> None:
        self.workdir, self.wechat, self.pay, self.sms = workdir, wechat, pay, sms
        self.database = f"certdesk_load_{run_id}"
        self.prefix = f"certdesk-load:{run_id}:"
        self.ports = [free_port(), free_port()]
        self.servers: list[subprocess.Popen[bytes] | None] = [None, None]
        self.ready: set[int] = set()  # servers that answered /healthz since they started
        self.worker: subprocess.Popen[bytes] | None = None
        self.photos: list[bytes] = []
        self.config = workdir / "certdesk.toml"
        self._db: asyncpg.Pool | None = None

    @property
    def database_url(self) -> str:
        return f"{PG_SERVER}/{self.database}"

    # -- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Create and migrate the database, write the configuration, start every process."""
        admin = await asyncpg.connect(PG_ADMIN_URL)
        try:
            await admin.execute(f'CREATE DATABASE "{self.database}"')
        finally:
            await admin.close()
        self.write_config()
        migrate = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "migrate", "--config", str(self.config)
        )
        if await migrate.wait() != 0:
            raise RuntimeError("certdesk migrate failed")
        self._db = await asyncpg.create_pool(self.database_url, min_size=1, max_size=4)
        for index in range(len(self.servers)):
            await self.restart_server(index)
        self.worker = self._spawn("worker")

    async def stop(self) -> None:
        """Stop every process, drop the database and the Redis keys of the run."""
        for process in [*self.servers, self.worker]:
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        if self._db is not None:
            await self._db.close()
        admin = await asyncpg.connect(PG_ADMIN_URL)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        finally:
            await admin.close()
        client = aioredis.from_url(REDIS_URL)
        try:
            keys = [k async for k in client.scan_iter(match=self.prefix + "*", count=1000)]
            for start in range(0, len(keys), 500):
                await client.delete(*keys[start : start + 500])
        finally:
            await client.aclose()

    def write_config(self) -> None:
        """One TOML file for every process of the run."""
        keys = self.workdir / "pay"
        keys.mkdir()
        (keys / "apiclient_key.pem").write_text(cached_rsa_private_key_pem("wechatpay-merchant"))
        (keys / "pub_key.pem").write_text(self.pay.platform_public_key_pem)
        main = f"http://127.0.0.1:{self.ports[0]}"
        config = {
            "server": {"public_url": main, "rate_limit_per_minute": 0},
            "service": {"phone": "010-58515511"},
            "database": {"url": self.database_url, "pool_max_size": 8},
            "redis": {"url": REDIS_URL, "prefix": self.prefix},
            "storage": {"path": str(self.workdir / "files")},
            "security": {"data_keys": [generate_key()], "lookup_key": generate_key()},
            "logging": {"level": os.environ.get("LOAD_LOG_LEVEL", "WARNING"), "format": "json"},
            "worker": {"poll_interval": 0.2, "concurrency": 8, "lease_seconds": 30.0},
            "wechat": {
                "app_id": self.wechat.app_id,
                "app_secret": self.wechat.app_secret,
                "token": self.token,
                "encoding_aes_key": self.aes_key,
                "api_base_url": self.wechat.base_url,
            },
            "pay": {
                "mch_id": DEFAULT_MCHID,
                "app_id": DEFAULT_APPID,
                "api_v3_key": DEFAULT_APIV3_KEY,
                "merchant_serial_no": DEFAULT_MERCHANT_SERIAL_NO,
                "merchant_private_key": str(keys / "apiclient_key.pem"),
                "platform_public_key": str(keys / "pub_key.pem"),
                "platform_public_key_id": self.pay.platform_public_key_id,
                "notify_url": main + "/pay/notify",
                "api_base_url": self.pay.base_url,
            },
            "sms": {
                "provider": "tencent",
                "secret_id": self.sms.secret_id,
                "secret_key": self.sms.secret_key,
                "sdk_app_id": self.sms.sdk_app_id,
                "sign_name": DEFAULT_SIGN_NAME,
                "endpoint": self.sms.base_url,
                "templates": {"verify_code": VERIFY_TEMPLATE},
            },
            "notices": {"sms_fallback": False},
            "prices": {"org_1": 30000, "org_2": ORG_2_PRICE, "personal_1": 15000},
        }
        self.config.write_text(_toml(config))

    def _spawn(self, *args: str) -> subprocess.Popen[bytes]:
        log = open(self.workdir / f"{args[0]}-{time.monotonic_ns()}.log", "wb")  # noqa: SIM115
        env = {k: v for k, v in os.environ.items() if not k.startswith("CERTDESK_")}
        return subprocess.Popen(
            [sys.executable, "-m", "bot.cli", *args, "--config", str(self.config)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    async def restart_server(self, index: int) -> None:
        """Start server ``index`` (again) and wait until it is healthy."""
        port = self.ports[index]
        process = self._spawn("serve", "--no-worker", "--port", str(port))
        self.servers[index] = process
        deadline = time.monotonic() + START_WITHIN
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                if process.poll() is not None:
                    raise RuntimeError(f"server {index} exited with {process.returncode}")
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                        if response.status == 200:
                            self.ready.add(index)
                            return
                await asyncio.sleep(0.2)
        raise RuntimeError(f"server {index} did not become healthy")

    def kill_server(self, index: int) -> None:
        """SIGKILL server ``index``: no shutdown, no cleanup."""
        process = self.servers[index]
        self.servers[index] = None
        self.ready.discard(index)
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()

    def webhook_url(self) -> str:
        """``/wechat`` of a random server (WeChat's load balancer), a live one when possible."""
        live = [i for i in self.ready if (p := self.servers[i]) is not None and p.poll() is None]
        index = random.choice(live or list(range(len(self.servers))))
        return f"http://127.0.0.1:{self.ports[index]}/wechat"

    # -- what the applicants need to know -------------------------------------------------------

    def sms_code(self, phone: str) -> str:
        """The newest code sent to ``phone`` ("" if none was)."""
        sent = [m for m in self.sms.sent if m.phone.endswith(phone)]
        return sent[-1].params[0] if sent else ""

    async def out_trade_no(self, openid: str, within: float = 30.0) -> str:
        """The WeChat Pay order made for the applicant's order."""
        assert self._db is not None
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            found = await self._db.fetchval(
                "SELECT p.out_trade_no FROM payment p JOIN orders o ON o.id = p.order_id "
                "WHERE o.owner_openid = $1 ORDER BY p.id LIMIT 1",
                openid,
            )
            if found:
                return str(found)
            await asyncio.sleep(0.2)
        raise RuntimeError(f"{openid}: no payment was created")

    async def order_status(self, openid: str) -> str | None:
        assert self._db is not None
        found = await self._db.fetchval(
            "SELECT status FROM orders WHERE owner_openid = $1 AND status <> 'cancelled' "
            "ORDER BY id DESC LIMIT 1",
            openid,
        )
        return None if found is None else str(found)

    # -- the end: was everything done once? ------------------------------------------------------

    async def check(self, applicants: int, within: float = 60.0) -> list[str]:
        """Consistency of the finished run; a list of problems (empty: all well)."""
        assert self._db is not None
        db = self._db
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:  # the worker finishes the notices
            busy = await db.fetchval(
                "SELECT count(*) FROM job WHERE status IN ('pending', 'running') "
                "AND kind = 'notice.send'"
            )
            if busy == 0:
                break
            await asyncio.sleep(0.5)
        problems: list[str] = []
        orders = await db.fetch(
            "SELECT o.id, o.owner_openid, o.status, o.amount_fen, "
            "(SELECT count(*) FROM material m WHERE m.order_id = o.id) AS photos, "
            "(SELECT count(*) FROM payment p WHERE p.order_id = o.id AND p.state = 'paid') "
            "AS paid FROM orders o"
        )
        by_owner: dict[str, list[asyncpg.Record]] = {}
        for row in orders:
            by_owner.setdefault(row["owner_openid"], []).append(row)
        if len(by_owner) != applicants:
            problems.append(f"{len(by_owner)} applicants have orders, expected {applicants}")
        for owner, rows in by_owner.items():
            live = [r for r in rows if r["status"] != "cancelled"]
            if len(live) != 1:
                problems.append(f"{owner}: {len(live)} orders")
                continue
            row = live[0]
            if row["status"] != "paid" or row["paid"] != 1 or row["amount_fen"] != ORG_2_PRICE:
                problems.append(f"{owner}: {row['status']}, {row['paid']} paid payments")
            if row["photos"] != 4:
                problems.append(f"{owner}: {row['photos']} photos")
        twice = await db.fetchval(
            "SELECT count(*) FROM (SELECT job_id FROM job_run WHERE outcome = 'done' "
            "GROUP BY job_id HAVING count(*) > 1) AS t"
        )
        if twice:
            problems.append(f"{twice} jobs completed more than once")
        notices = await db.fetchval(
            "SELECT count(*) FROM job WHERE kind = 'notice.send' AND dedupe_key LIKE '%:order_paid'"
        )
        if notices != applicants:
            problems.append(f"{notices} payment notices queued, expected {applicants}")
        dead = await db.fetchval("SELECT count(*) FROM job WHERE status = 'dead'")
        if dead:
            problems.append(f"{dead} dead jobs")
        return problems


def _toml(data: dict[str, dict[str, object]]) -> str:
    """Enough TOML for the configuration above (JSON's strings and arrays are TOML's)."""
    lines = []
    for section, values in data.items():
        lines.append(f"[{section}]")
        for key, value in values.items():
            if isinstance(value, dict):
                inner = ", ".join(f"{k} = {json.dumps(v)}" for k, v in value.items())
                lines.append(f"{key} = {{ {inner} }}")
            elif isinstance(value, bool):
                lines.append(f"{key} = {'true' if value else 'false'}")
            else:
                lines.append(f"{key} = {json.dumps(value)}")
    return "\n".join(lines) + "\n"
