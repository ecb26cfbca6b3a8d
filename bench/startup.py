"""Cold start and idle memory of ``certdesk serve``, beside a bare aiohttp process.

Each server is started ``BENCH_STARTS`` times from nothing (a new interpreter, imports, migrations
checked, store and database connected, the in-process worker started); cold start is the time
from ``exec`` until ``/healthz`` answers 200 (the bare floor: until its port answers). Idle memory
is the resident set (RSS, and PSS where the kernel gives it) of the server's whole process group,
read after it has been idle for ``BENCH_IDLE_SECONDS``. Both embedded defaults (SQLite + the
in-process store) and PostgreSQL + Redis are measured.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import asyncpg

from bench.webhook import PG_ADMIN, certdesk_env, free_port, start, stop
from bot.db import migrate

STARTS = int(os.environ.get("BENCH_STARTS", "5"))
IDLE_SECONDS = float(os.environ.get("BENCH_IDLE_SECONDS", "3"))
READY_WITHIN = 60.0


@dataclass
class Startup:
    """What the starts of one server measured."""

    name: str
    seconds: list[float]
    rss_kib: int
    pss_kib: int

    def line(self) -> str:
        return (
            f"{self.name:34} cold start median {statistics.median(self.seconds) * 1000:6.0f} ms "
            f"(min {min(self.seconds) * 1000:.0f}, max {max(self.seconds) * 1000:.0f})  "
            f"idle RSS {self.rss_kib / 1024:6.1f} MiB  PSS {self.pss_kib / 1024:6.1f} MiB"
        )


def group_memory_kib(group: int) -> tuple[int, int]:
    """RSS and PSS (KiB) summed over the live processes of a process group (Linux /proc)."""
    rss = pss = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            if int(stat[2]) != group:
                continue
            rss += int(stat[21]) * os.sysconf("SC_PAGE_SIZE") // 1024
            rollup = Path(f"/proc/{entry}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in rollup.splitlines():
            if line.startswith("Pss:"):
                pss += int(line.split()[1])
    return rss, pss


async def ready(port: int, path: str | None, within: float = READY_WITHIN) -> None:
    """Wait until ``path`` answers 200 (or, with no path, until the port accepts)."""
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                if path is None:
                    _reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    writer.close()
                    return
                async with session.get(f"http://127.0.0.1:{port}{path}") as response:
                    if response.status == 200:
                        return
            except (OSError, aiohttp.ClientError):
                pass
            await asyncio.sleep(0.01)
    raise RuntimeError(f"nothing ready on {port}{path or ''} within {within:.0f} s")


async def measure(name: str, args: list[str], env: dict[str, str], path: str | None) -> Startup:
    """Start the server ``STARTS`` times; memory is read after the last start, once idle."""
    seconds: list[float] = []
    rss = pss = 0
    for attempt in range(STARTS):
        port = free_port()
        started = time.monotonic()
        process = start([arg.replace("{port}", str(port)) for arg in args], env)
        try:
            await ready(port, path)
            seconds.append(time.monotonic() - started)
            if attempt == STARTS - 1:
                await asyncio.sleep(IDLE_SECONDS)
                rss, pss = group_memory_kib(process.pid)
        finally:
            stop(process)
    return Startup(name, seconds, rss, pss)


async def main() -> None:
    """Measure the bare floor and certdesk on both configurations; print figures and ratios."""
    py = sys.executable
    serve = [py, "-m", "bot.cli", "serve", "--port", "{port}"]
    results: list[Startup] = []
    results.append(
        await measure("floor: bare aiohttp", [py, "-m", "bench.peers", "bare", "{port}"], {}, None)
    )
    with tempfile.TemporaryDirectory() as scratch:
        embedded = {
            **certdesk_env("", ""),
            "CERTDESK_DATABASE_URL": f"sqlite://{scratch}/certdesk.sqlite3",
            "CERTDESK_REDIS_URL": "",
            "CERTDESK_STORAGE_PATH": f"{scratch}/files",
        }
        await migrate(embedded["CERTDESK_DATABASE_URL"])
        results.append(await measure("certdesk (SQLite, in-process)", serve, embedded, "/healthz"))
    db = f"certdesk_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG_ADMIN)
    await admin.execute(f'CREATE DATABASE "{db}"')
    try:
        url = f"{PG_ADMIN.rsplit('/', 1)[0]}/{db}"
        await migrate(url)
        env = certdesk_env(url, f"bench:{uuid.uuid4().hex[:8]}:")
        results.append(await measure("certdesk (PostgreSQL + Redis)", serve, env, "/healthz"))
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        await admin.close()
    print(f"{STARTS} cold starts each; memory after {IDLE_SECONDS:.0f} s idle (process group)")
    for result in results:
        print(result.line())
    floor = results[0]
    for result in results[1:]:
        print(
            f"{result.name} / floor: "
            f"{statistics.median(result.seconds) / statistics.median(floor.seconds):5.2f}x start, "
            f"{result.rss_kib / floor.rss_kib:5.2f}x RSS"
        )
