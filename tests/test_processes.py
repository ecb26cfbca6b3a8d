"""certdesk as operators run it: real processes of `certdesk serve`, `worker` and `migrate`."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import aiohttp
import pytest

from bot.config import Settings
from bot.outbox import enqueue
from bot.sandbox.wechat_api import WeChatApiFake
from bot.services import Services
from bot.wechat.simulator import WeChatSimulator
from models.jobs import Job, JobRun, JobStatus
from models.orders import Order
from tests.conftest import REDIS_URL, run_certdesk


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def env_for(settings: Settings, **extra: str) -> dict[str, str]:
    """The CERTDESK_* variables that make a process use this test's database and store."""
    env = {
        "CERTDESK_DATABASE_URL": settings.database.url,
        "CERTDESK_REDIS_URL": settings.redis.url,
        "CERTDESK_REDIS_PREFIX": settings.redis.prefix,
        "CERTDESK_SECURITY_DATA_KEYS": ",".join(settings.security.data_keys),
        "CERTDESK_SECURITY_LOOKUP_KEY": settings.security.lookup_key,
        "CERTDESK_LOGGING_FORMAT": "json",
    }
    env.update(extra)
    return env


def start(args: list[str], env: dict[str, str], cwd: Path | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", *args],
        env={**os.environ, **env},
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def stop(process: subprocess.Popen[str], timeout: float = 20) -> tuple[int, str, str]:
    process.send_signal(signal.SIGTERM)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
    return process.returncode, out, err


async def wait_healthy(url: str, process: subprocess.Popen[str], within: float = 30) -> dict:
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"server exited: {process.communicate()[1]}")
            try:
                async with session.get(url + "/healthz") as response:
                    if response.status == 200:
                        return dict(await response.json())
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError("server did not become healthy in time")


async def test_serve_dev_needs_nothing_configured(tmp_path: Path) -> None:
    """`certdesk serve --dev` in an empty directory: SQLite under ./var, generated keys."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTDESK_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--dev", "--port", str(port)],
        env={**env, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        health = await wait_healthy(f"http://127.0.0.1:{port}", process)
        assert health == {"status": "ok", "database": "ok", "store": "ok"}
    finally:
        code, out, _err = stop(process)
    assert code == 0
    assert f"development mode at http://127.0.0.1:{port} (health: " in out
    assert (tmp_path / "var" / "certdesk.sqlite3").exists()
    assert "data_keys" in (tmp_path / "var" / "dev-secrets.toml").read_text()


@pytest.mark.parametrize("backend", ["postgres"])  # several workers: a PostgreSQL deployment
async def test_two_worker_processes_never_run_one_job_twice(services: Services) -> None:
    jobs = [await enqueue("diag.ping", {"note": str(i)}) for i in range(150)]
    env = env_for(
        services.settings, CERTDESK_WORKER_POLL_INTERVAL="0.05", CERTDESK_WORKER_CONCURRENCY="8"
    )
    workers = [start(["worker"], env) for _ in range(2)]
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if await Job.filter(status=JobStatus.DONE).count() == len(jobs):
                break
            await asyncio.sleep(0.2)
    finally:
        results = [stop(w) for w in workers]
    assert all(code == 0 for code, _, _ in results), results
    assert await Job.filter(status=JobStatus.DONE).count() == len(jobs)
    runs = await JobRun.all().values_list("job_id", flat=True)
    assert sorted(runs) == sorted(job.id for job in jobs)  # each job ran exactly once
    names = set(await JobRun.all().values_list("worker", flat=True))
    assert len(names) == 2, "both workers should have taken jobs"


LOCKED_COUNTER = textwrap.dedent("""
    import asyncio, sys
    from bot.store import create_store

    async def main(url, prefix, rounds):
        store = create_store(url, prefix=prefix)
        for _ in range(rounds):
            async with store.lock("counter", lease=5, wait=30):
                value = int((await store.get("counter")) or b"0")
                await asyncio.sleep(0.001)
                await store.set("counter", str(value + 1))
        await store.close()

    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
""")


@pytest.mark.parametrize("processes", [3])
async def test_processes_share_locks_and_state_through_redis(
    redis_prefix: str, processes: int
) -> None:
    rounds = 40
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", LOCKED_COUNTER, REDIS_URL, redis_prefix, str(rounds)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    for proc in procs:
        _out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
    from bot.store import create_store

    store = create_store(REDIS_URL, prefix=redis_prefix)
    try:
        assert await store.get("counter") == str(rounds * processes).encode()
    finally:
        await store.close()


def test_migrate_is_idempotent(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path}/m.sqlite3"
    first = run_certdesk("migrate", env={"CERTDESK_DATABASE_URL": url})
    assert first.returncode == 0, first.stderr
    assert "applied: 0_" in first.stdout
    again = run_certdesk("migrate", env={"CERTDESK_DATABASE_URL": url})
    assert again.returncode == 0, again.stderr
    assert "database is up to date" in again.stdout


def test_check_config_reports_problems_by_name(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[server]\nprot = 8080\n")
    result = run_certdesk("check-config", "--config", str(bad))
    assert result.returncode == 2
    assert "server.prot: unknown config key" in result.stderr
    no_keys = tmp_path / "empty.toml"
    no_keys.write_text("")
    result = run_certdesk("check-config", "--config", str(no_keys))
    assert result.returncode == 2
    assert "security.data_keys" in result.stderr
    key = run_certdesk("gen-key").stdout.strip()
    good = tmp_path / "good.toml"
    good.write_text(f'[security]\ndata_keys = ["{key}"]\nlookup_key = "{key}"\n')
    result = run_certdesk("check-config", "--config", str(good))
    assert result.returncode == 0, result.stderr
    assert "configuration OK" in result.stdout
    bad_key = tmp_path / "badkey.toml"
    bad_key.write_text(f'[security]\ndata_keys = ["{key}", "short"]\nlookup_key = "{key}"\n')
    result = run_certdesk("check-config", "--config", str(bad_key))
    assert result.returncode == 2
    assert "security.data_keys[1]" in result.stderr


@pytest.mark.parametrize("backend", ["postgres"])  # several servers: PostgreSQL + Redis
async def test_two_servers_share_sessions_dedupe_and_drafts(
    services: Services, wechat_api: WeChatApiFake
) -> None:
    """A session made on one server works on the other; a WeChat retry that reaches the other
    server is not handled twice; a draft started on one continues on the other."""
    token, aes = "two-servers", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
    env = env_for(
        services.settings,
        CERTDESK_WECHAT_TOKEN=token,
        CERTDESK_WECHAT_ENCODING_AES_KEY=aes,
        CERTDESK_WECHAT_APP_ID=wechat_api.app_id,
        CERTDESK_WECHAT_APP_SECRET=wechat_api.app_secret,
        CERTDESK_WECHAT_API_BASE_URL=wechat_api.base_url,
        CERTDESK_MINIPROGRAM_APP_ID=wechat_api.mp_app_id,
        CERTDESK_MINIPROGRAM_APP_SECRET=wechat_api.mp_app_secret,
    )
    ports = [free_port(), free_port()]
    servers = [start(["serve", "--no-worker", "--port", str(port)], env) for port in ports]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for url, server in zip(urls, servers, strict=True):
            await wait_healthy(url, server)
        async with aiohttp.ClientSession() as http:
            code = wechat_api.issue_login_code("o-two-1")
            async with http.post(urls[0] + "/api/mp/v1/login", json={"code": code}) as r:
                bearer = {"Authorization": "Bearer " + (await r.json())["token"]}
            async with http.post(urls[1] + "/api/mp/v1/flows/org/draft", headers=bearer) as r:
                assert r.status == 200  # the session made on server 0 is known to server 1
            sim = WeChatSimulator(token=token, app_id=wechat_api.app_id, encoding_aes_key=aes)
            click = sim.event("o-two-2", "CLICK", "org")
            answers = []
            for url in urls:  # WeChat's retry lands on the other server
                async with http.post(
                    url + "/wechat", params=click.params, data=click.body.encode()
                ) as r:
                    answers.append(sim.open_reply(await r.text()).get("Content", ""))
            assert answers[0] == answers[1] and "第 1/" in answers[0]
            reply = sim.text("o-two-2", "1")
            async with http.post(
                urls[1] + "/wechat", params=reply.params, data=reply.body.encode()
            ) as r:
                assert "单位名称" in sim.open_reply(await r.text())["Content"]
    finally:
        for server in servers:
            stop(server)
    assert await Order.filter(owner_openid="o-two-2").count() == 1  # handled once
