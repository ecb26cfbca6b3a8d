"""The transactional outbox and its worker, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta
from typing import Any

import pytest
from tortoise.transactions import in_transaction

from bot.outbox import PermanentJobError, enqueue, utcnow
from bot.services import Services
from bot.worker import Worker, backoff_seconds
from models.jobs import Job, JobRun, JobRunOutcome, JobStatus


class Boom(Exception):
    pass


def fast(services: Services, name: str | None = None, **changes: Any) -> Worker:
    """A worker with tiny delays running the handlers of this module."""
    settings = dataclasses.replace(
        services.settings.worker,
        poll_interval=0.05,
        backoff_base=0.01,
        backoff_max=0.02,
        **changes,
    )
    return Worker(services, settings=settings, handlers=HANDLERS, name=name)


RAN: list[tuple[str, dict[str, Any]]] = []
FAILURES: dict[str, int] = {}


async def record(payload: dict[str, Any], services: Services) -> None:
    RAN.append(("record", payload))


async def flaky(payload: dict[str, Any], services: Services) -> None:
    key = str(payload["key"])
    FAILURES[key] = FAILURES.get(key, 0) + 1
    if FAILURES[key] <= int(payload["fail_times"]):
        raise Boom(f"attempt {FAILURES[key]} failed")
    RAN.append(("flaky", payload))


async def hopeless(payload: dict[str, Any], services: Services) -> None:
    raise PermanentJobError("the order no longer exists")


HANDLERS = {"record": record, "flaky": flaky, "hopeless": hopeless}


@pytest.fixture(autouse=True)
def _reset() -> None:
    RAN.clear()
    FAILURES.clear()


async def test_job_exists_only_if_the_transaction_committed(services: Services) -> None:
    async with in_transaction():
        await enqueue("record", {"n": 1})

    async def failing_change() -> None:
        async with in_transaction():
            await enqueue("record", {"n": 2})
            raise Boom("the state change failed")

    with pytest.raises(Boom):
        await failing_change()
    assert await fast(services).run_until_idle() == 1
    assert RAN == [("record", {"n": 1})]


async def test_job_runs_when_due_not_before(services: Services) -> None:
    await enqueue("record", {"n": "later"}, delay=3600)
    await enqueue("record", {"n": "now"})
    await fast(services).run_until_idle()
    assert RAN == [("record", {"n": "now"})]
    assert await Job.filter(status=JobStatus.PENDING).count() == 1


async def test_dedupe_key_enqueues_once(services: Services) -> None:
    first = await enqueue("record", {"n": 1}, dedupe_key="order:42:paid")
    second = await enqueue("record", {"n": 2}, dedupe_key="order:42:paid")
    assert first.id == second.id
    await fast(services).run_until_idle()
    assert RAN == [("record", {"n": 1})]


async def test_failures_retry_with_backoff_then_succeed(services: Services) -> None:
    job = await enqueue("flaky", {"key": "a", "fail_times": 2})
    worker = fast(services)
    for _ in range(50):
        await worker.run_until_idle()
        await job.refresh_from_db()
        if job.status == JobStatus.DONE:
            break
        await asyncio.sleep(0.02)
    assert job.status == JobStatus.DONE
    assert job.attempts == 3
    runs = await JobRun.filter(job_id=job.id).order_by("attempt")
    assert [r.outcome for r in runs] == [
        JobRunOutcome.RETRY,
        JobRunOutcome.RETRY,
        JobRunOutcome.DONE,
    ]
    assert "attempt 1 failed" in (runs[0].error or "")


async def test_job_dies_after_max_attempts_and_stays_visible(services: Services) -> None:
    job = await enqueue("flaky", {"key": "b", "fail_times": 99}, max_attempts=3)
    worker = fast(services)
    for _ in range(50):
        await worker.run_until_idle()
        await job.refresh_from_db()
        if job.status == JobStatus.DEAD:
            break
        await asyncio.sleep(0.02)
    assert job.status == JobStatus.DEAD
    assert job.attempts == 3
    assert "attempt 3 failed" in (job.last_error or "")


async def test_permanent_error_and_unknown_kind_die_at_once(services: Services) -> None:
    hopeless_job = await enqueue("hopeless")
    unknown = await enqueue("no.such.kind")
    await fast(services).run_until_idle()
    for job in (hopeless_job, unknown):
        await job.refresh_from_db()
        assert job.status == JobStatus.DEAD
        assert job.attempts == 1
    assert "no handler for job kind 'no.such.kind'" in (unknown.last_error or "")


async def test_job_of_a_crashed_worker_is_retried_after_its_lease(services: Services) -> None:
    job = await enqueue("record", {"n": "orphan"})
    crashed = fast(services, lease_seconds=0.2, name="crashed")
    claimed = await crashed.claim(10)
    assert [j.id for j in claimed] == [job.id]  # claimed, then the process "dies"
    survivor = fast(services, name="survivor")
    assert await survivor.run_until_idle() == 0  # still leased
    await asyncio.sleep(0.3)
    assert await survivor.run_until_idle() == 1
    await job.refresh_from_db()
    assert job.status == JobStatus.DONE
    runs = await JobRun.filter(job_id=job.id).order_by("attempt")
    assert [(r.worker, r.outcome) for r in runs] == [
        ("crashed", JobRunOutcome.LOST),
        ("survivor", JobRunOutcome.DONE),
    ]


async def test_long_job_keeps_its_lease(services: Services) -> None:
    started = asyncio.Event()
    release = asyncio.Event()

    async def slow(payload: dict[str, Any], services: Services) -> None:
        started.set()
        await release.wait()
        RAN.append(("slow", payload))

    job = await enqueue("slow")
    settings = dataclasses.replace(services.settings.worker, lease_seconds=0.2)
    holder = Worker(services, settings=settings, handlers={"slow": slow}, name="holder")
    other = Worker(services, settings=settings, handlers={"slow": slow}, name="other")
    (claimed,) = await holder.claim(1)
    task = asyncio.create_task(holder.execute(claimed))
    await asyncio.wait_for(started.wait(), 5)
    await asyncio.sleep(0.5)  # more than two leases
    assert await other.reclaim_expired() == 0
    release.set()
    await asyncio.wait_for(task, 5)
    await job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert RAN == [("slow", {})]


async def test_two_workers_never_run_one_job_twice(services: Services) -> None:
    jobs = [await enqueue("record", {"n": i}) for i in range(60)]
    workers = [fast(services, concurrency=5, name=f"w{i}") for i in range(2)]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(w.run(stop)) for w in workers]
    for _ in range(200):
        if await Job.filter(status=JobStatus.DONE).count() == len(jobs):
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(asyncio.gather(*tasks), 10)
    assert sorted(p["n"] for _, p in RAN) == list(range(60))
    assert await JobRun.all().count() == 60


def test_backoff_grows_and_is_capped() -> None:
    assert 2.5 <= backoff_seconds(1, 5, 3600) <= 5
    assert 10 <= backoff_seconds(3, 5, 3600) <= 20
    assert backoff_seconds(30, 5, 60) <= 60


async def test_run_at_in_the_past_is_due(services: Services) -> None:
    await enqueue("record", {"n": "overdue"}, run_at=utcnow() - timedelta(days=1))
    assert await fast(services).run_until_idle() == 1
