"""Instructions per webhook step, counted by callgrind: the figure a busy machine cannot blur.

Each server runs under ``valgrind --tool=callgrind`` with counting switched off; after a
warm-up applicant, counting is switched on in every process of the server (gunicorn's worker
included), ``BENCH_APPLICANTS`` applicants walk the organisation flow one message at a time,
and counting is switched off again. Instruction counts are the same from run to run whatever
else the machine does, so the ratio against the WeRoBot peer is stable where requests per
second are not. Kernel time (system calls) is not counted: the throughput benchmark covers it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import aiohttp
import asyncpg

from bench.peers import AES_KEY, APP_ID, TOKEN
from bench.webhook import (
    PG_ADMIN,
    REDIS_URL,
    applicant_script,
    certdesk_env,
    free_port,
    start,
    stop,
    wait_port,
)
from bot.db import migrate
from bot.wechat.simulator import WeChatSimulator

APPLICANTS = int(os.environ.get("BENCH_APPLICANTS", "4"))
STARTUP_SECONDS = 300  # Python under valgrind starts about fifty times slower


async def walk(port: int, applicants: int, tag: str) -> int:
    """``applicants`` applicants, one after another, each waiting for every reply."""
    sim = WeChatSimulator(token=TOKEN, app_id=APP_ID, encoding_aes_key=AES_KEY)
    steps = 0
    async with aiohttp.ClientSession() as session:
        for index in range(applicants):
            openid = f"o-cg-{tag}-{index}-{uuid.uuid4().hex[:6]}"
            for delivery in applicant_script(sim, openid):
                async with session.post(
                    f"http://127.0.0.1:{port}/wechat",
                    params=delivery.params,
                    data=delivery.body.encode(),
                ) as response:
                    body = await response.text()
                if response.status != 200 or "Encrypt" not in body:
                    raise RuntimeError(f"unexpected answer {response.status}: {body[:200]}")
                steps += 1
    return steps


def _group_pids(group: int) -> list[int]:
    """The live processes of a process group (Linux /proc)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[2]) == group:
                pids.append(int(entry))
    return pids


def _callgrind(pids: list[int], *action: str) -> None:
    for pid in pids:
        subprocess.run(["callgrind_control", *action, str(pid)], capture_output=True, check=False)


def _total(folder: Path) -> int:
    """Instructions counted in every dump of the server's processes."""
    total = 0
    for dump in folder.glob("cg.*"):
        for line in dump.read_text(errors="replace").splitlines():
            if line.startswith(("summary:", "totals:")):
                total += int(line.split()[1])
    return total


async def count(name: str, command: list[str], env: dict[str, str] | None = None) -> float:
    """Instructions per step of the server started by ``command``."""
    folder = Path(tempfile.mkdtemp(prefix="callgrind-"))
    port = free_port()
    valgrind = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        "--trace-children=yes",
        f"--callgrind-out-file={folder}/cg.%p",
    ]
    process = start([*valgrind, *(arg.replace("PORT", str(port)) for arg in command)], env)
    try:
        await wait_port(port, within=STARTUP_SECONDS)
        await walk(port, 1, "warm")
        pids = _group_pids(process.pid)
        _callgrind(pids, "-i", "on")
        steps = await walk(port, APPLICANTS, "run")
        _callgrind(pids, "-i", "off")
        _callgrind(pids, "-d")
        await asyncio.sleep(1)
        instructions = _total(folder) / steps
        print(f"{name:34} {instructions / 1e6:6.2f} M instructions per step ({steps} steps)")
        return instructions
    finally:
        stop(process)
        shutil.rmtree(folder, ignore_errors=True)


async def main() -> None:
    """Count certdesk, the protocol floor and the WeRoBot peer; print the ratios."""
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is required (apt-get install valgrind)")
    py = sys.executable
    db = f"certdesk_cg_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG_ADMIN)
    await admin.execute(f'CREATE DATABASE "{db}"')
    url = f"{PG_ADMIN.rsplit('/', 1)[0]}/{db}"
    try:
        await migrate(url)
        serve = [py, "-m", "bot.cli", "serve", "--no-worker", "--port", "PORT"]
        env = certdesk_env(url, f"bench-cg:{uuid.uuid4().hex[:8]}:")
        certdesk = await count("certdesk (PostgreSQL + Redis)", serve, env)
        floor = await count(
            "floor: wechatpy parse+reply", [py, "-m", "bench.peers", "wechatpy", "PORT"]
        )
        gunicorn = os.path.join(os.path.dirname(py), "gunicorn")
        peer = await count(
            "peer: WeRoBot + Redis (gunicorn)",
            [gunicorn, "-w", "1", "-b", "127.0.0.1:PORT", "bench.peers:werobot_app()"],
            {"BENCH_REDIS_URL": REDIS_URL},
        )
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        await admin.close()
    print(f"certdesk / WeRoBot: {certdesk / peer:5.2f}x the instructions per step")
    print(f"certdesk / protocol floor: {certdesk / floor:5.2f}x the instructions per step")
