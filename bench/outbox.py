"""Outbox throughput: jobs enqueued and run per second by one worker, against the floor of the
same database statements issued without the worker (claim UPDATE + finish UPDATE per job).

Runs on SQLite (embedded default) and on PostgreSQL (127.0.0.1, a scratch database).
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
import time
import uuid
from typing import Any

import asyncpg
from tortoise.transactions import in_transaction

from bot.config import load_settings
from bot.db import close_db, init_db, migrate
from bot.outbox import enqueue
from bot.secrets_box import generate_key
from bot.services import Services, build_services
from bot.worker import Worker
from models.jobs import Job, JobStatus

JOBS = int(os.environ.get("BENCH_OUTBOX_JOBS", "2000"))
PG_ADMIN = os.environ.get("TEST_POSTGRES_URL", "postgres://root@127.0.0.1:5432/test")


async def _noop(payload: dict[str, Any], services: Services) -> None:
    return None


async def _enqueue_all(count: int) -> float:
    started = time.perf_counter()
    async with in_transaction():
        for i in range(count):
            await enqueue("bench.noop", {"i": i})
    return time.perf_counter() - started


async def _worker_drain(services: Services) -> float:
    settings = dataclasses.replace(services.settings.worker, concurrency=32)
    worker = Worker(services, settings=settings, handlers={"bench.noop": _noop}, name="bench")
    started = time.perf_counter()
    ran = await worker.run_until_idle(max_rounds=JOBS)
    elapsed = time.perf_counter() - started
    assert ran == JOBS, ran
    return elapsed


async def _floor(count: int) -> float:
    """The same number of row updates a worker needs, without its bookkeeping."""
    ids = await Job.filter(status=JobStatus.DONE).limit(count).values_list("id", flat=True)
    started = time.perf_counter()
    for job_id in ids:
        async with in_transaction():
            await Job.filter(id=job_id).update(status=JobStatus.RUNNING, locked_by="floor")
        await Job.filter(id=job_id).update(status=JobStatus.DONE, locked_by=None)
    return time.perf_counter() - started


async def _run(url: str, label: str) -> None:
    await migrate(url)
    base = load_settings(None, env={})
    settings = dataclasses.replace(
        base,
        database=dataclasses.replace(base.database, url=url),
        security=dataclasses.replace(
            base.security, data_keys=[generate_key()], lookup_key=generate_key()
        ),
    )
    services = build_services(settings)
    await init_db(url)
    try:
        enqueue_s = await _enqueue_all(JOBS)
        drain_s = await _worker_drain(services)
        floor_s = await _floor(JOBS)
    finally:
        await services.close()
        await close_db()
    print(
        f"{label:10} enqueue {JOBS / enqueue_s:8.0f} jobs/s | worker {JOBS / drain_s:8.0f} jobs/s"
        f" | floor (2 bare updates/job) {JOBS / floor_s:8.0f} jobs/s"
        f" | worker/floor {floor_s / drain_s:5.2f}x"
    )


async def main() -> None:
    """Measure on SQLite and PostgreSQL."""
    with tempfile.TemporaryDirectory() as tmp:
        await _run(f"sqlite://{tmp}/bench.sqlite3", "sqlite")
    name = f"certdesk_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG_ADMIN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        await _run(f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}", "postgres")
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
