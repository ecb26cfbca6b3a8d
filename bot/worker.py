"""The outbox worker: claims due jobs, runs their handlers, retries with backoff.

Several workers (in several processes) share one queue. On PostgreSQL a worker selects due
jobs ``FOR UPDATE SKIP LOCKED`` so two workers never pick the same rows; on both databases the
claim is a compare-and-set (``status = pending``) so a job is claimed by exactly one worker.
A claim is a lease: a worker that dies leaves its job ``running`` until ``locked_until``
passes, then any worker puts it back in the queue (recording the lost attempt).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import socket
import traceback
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from bot import metrics
from bot.config import WorkerSettings
from bot.db import current_dialect
from bot.logs import get_logger
from bot.outbox import JobHandler, PermanentJobError, registered_handlers, utcnow
from bot.services import Services
from models.jobs import Job, JobRun, JobRunOutcome, JobStatus

log = get_logger(__name__)


def default_worker_name() -> str:
    """host:pid:random — unique per worker object, readable in the job history."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{random.randrange(16**4):04x}"  # noqa: S311


def backoff_seconds(attempt: int, base: float, cap: float) -> float:
    """Exponential backoff with full jitter for the ``attempt``-th failure (1-based)."""
    ceiling = min(cap, base * (2 ** (attempt - 1)))
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311


class Worker:
    """Runs outbox jobs until stopped."""

    def __init__(
        self,
        services: Services,
        settings: WorkerSettings | None = None,
        handlers: Mapping[str, JobHandler] | None = None,
        name: str | None = None,
    ) -> None:
        self.services = services
        self.settings = settings or services.settings.worker
        self.handlers = dict(handlers) if handlers is not None else registered_handlers()
        self.name = name or default_worker_name()
        self._postgres = current_dialect() == "postgres"
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Look for due jobs now instead of at the next poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Poll, claim and run jobs until ``stop`` is set; running jobs are finished first."""
        running: set[asyncio.Task[None]] = set()
        log.info("worker started", extra={"worker": self.name})
        try:
            while not stop.is_set():
                try:
                    await self.reclaim_expired()
                    free = self.settings.concurrency - len(running)
                    jobs = await self.claim(free) if free > 0 else []
                except Exception:
                    metrics.labelled(metrics.ERRORS, "worker.claim").inc()
                    log.exception("worker could not claim jobs", extra={"worker": self.name})
                    jobs = []
                for job in jobs:
                    task = asyncio.create_task(self.execute(job))
                    running.add(task)
                    task.add_done_callback(running.discard)
                if len(jobs) == free and free > 0:
                    continue  # there may be more due jobs
                self._wake.clear()
                waiters = [
                    asyncio.ensure_future(stop.wait()),
                    asyncio.ensure_future(self._wake.wait()),
                ]
                await asyncio.wait(
                    waiters,
                    timeout=self.settings.poll_interval,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                for waiter in waiters:
                    waiter.cancel()
        finally:
            if running:
                await asyncio.gather(*running, return_exceptions=True)
            log.info("worker stopped", extra={"worker": self.name})

    async def run_until_idle(self, max_rounds: int = 100) -> int:
        """Run due jobs until none is left (tests and one-shot commands); return how many ran."""
        total = 0
        for _ in range(max_rounds):
            await self.reclaim_expired()
            jobs = await self.claim(self.settings.concurrency)
            if not jobs:
                break
            await asyncio.gather(*(self.execute(job) for job in jobs))
            total += len(jobs)
        return total

    async def claim(self, limit: int) -> list[Job]:
        """Take up to ``limit`` due jobs for this worker (a lease of ``lease_seconds``)."""
        if limit <= 0:
            return []
        now = utcnow()
        lease_until = now + timedelta(seconds=self.settings.lease_seconds)
        claimed: list[Job] = []
        async with in_transaction():
            query = (
                Job.filter(status=JobStatus.PENDING, run_at__lte=now)
                .order_by("run_at", "id")
                .limit(limit)
            )
            if self._postgres:
                query = query.select_for_update(skip_locked=True)
            for job in await query:
                won = await Job.filter(id=job.id, status=JobStatus.PENDING).update(
                    status=JobStatus.RUNNING,
                    locked_by=self.name,
                    locked_until=lease_until,
                    attempts=F("attempts") + 1,
                )
                if won:
                    job.attempts += 1
                    job.status = JobStatus.RUNNING
                    job.locked_by = self.name
                    await JobRun.create(
                        job_id=job.id, attempt=job.attempts, worker=self.name, started_at=now
                    )
                    claimed.append(job)
        return claimed

    async def reclaim_expired(self) -> int:
        """Put jobs whose worker vanished back in the queue (or dead if out of attempts)."""
        now = utcnow()
        expired = await Job.filter(status=JobStatus.RUNNING, locked_until__lt=now)
        count = 0
        for job in expired:
            dead = job.attempts >= job.max_attempts
            async with in_transaction():
                updated = await Job.filter(
                    id=job.id, status=JobStatus.RUNNING, locked_by=job.locked_by
                ).update(
                    status=JobStatus.DEAD if dead else JobStatus.PENDING,
                    locked_by=None,
                    locked_until=None,
                    finished_at=now if dead else None,
                    last_error="worker lost (lease expired)",
                )
                if updated:
                    await JobRun.filter(job_id=job.id, finished_at__isnull=True).update(
                        finished_at=now, outcome=JobRunOutcome.LOST
                    )
                    count += 1
                    metrics.labelled(metrics.JOBS, job.kind, JobRunOutcome.LOST.value).inc()
                    log.warning("job lease expired", extra={"job_id": job.id, "kind": job.kind})
        return count

    async def execute(self, job: Job) -> None:
        """Run one claimed job and record its outcome."""
        handler = self.handlers.get(job.kind)
        renewer = asyncio.create_task(self._renew_lease(job))
        error: str | None = None
        permanent = False
        try:
            if handler is None:
                raise PermanentJobError(f"no handler for job kind {job.kind!r}")
            await handler(dict(job.payload), self.services)
        except PermanentJobError as exc:
            error, permanent = f"{type(exc).__name__}: {exc}", True
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}"
        finally:
            renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewer
        await self._finish(job, error, permanent)

    async def _finish(self, job: Job, error: str | None, permanent: bool) -> None:
        now = utcnow()
        fields: dict[str, Any] = {"locked_by": None, "locked_until": None}
        if error is None:
            outcome = JobRunOutcome.DONE
            fields.update(status=JobStatus.DONE, finished_at=now, last_error=None)
        elif permanent or job.attempts >= job.max_attempts:
            outcome = JobRunOutcome.DEAD
            fields.update(status=JobStatus.DEAD, finished_at=now, last_error=error)
        else:
            outcome = JobRunOutcome.RETRY
            delay = backoff_seconds(
                job.attempts, self.settings.backoff_base, self.settings.backoff_max
            )
            fields.update(
                status=JobStatus.PENDING, last_error=error, run_at=now + timedelta(seconds=delay)
            )
        async with in_transaction():
            updated = await Job.filter(
                id=job.id, status=JobStatus.RUNNING, locked_by=self.name
            ).update(**fields)
            if updated:
                await JobRun.filter(job_id=job.id, attempt=job.attempts, worker=self.name).update(
                    finished_at=now, outcome=outcome, error=error
                )
        metrics.labelled(metrics.JOBS, job.kind, outcome.value).inc()
        if not updated:
            log.warning("job lease lost before it finished", extra={"job_id": job.id})
        elif outcome is JobRunOutcome.DEAD:
            log.error("job dead", extra={"job_id": job.id, "kind": job.kind, "error": error})
        elif outcome is JobRunOutcome.RETRY:
            log.warning(
                "job failed, will retry",
                extra={"job_id": job.id, "kind": job.kind, "attempt": job.attempts},
            )

    async def _renew_lease(self, job: Job) -> None:
        """Keep the lease of a long-running job alive."""
        interval = max(self.settings.lease_seconds / 3, 0.05)
        while True:
            await asyncio.sleep(interval)
            until = utcnow() + timedelta(seconds=self.settings.lease_seconds)
            try:
                await Job.filter(id=job.id, locked_by=self.name, status=JobStatus.RUNNING).update(
                    locked_until=until
                )
            except Exception:  # a database hiccup must not kill the job; try again next round
                metrics.labelled(metrics.ERRORS, "worker.lease").inc()
                log.warning("could not renew a job lease", extra={"job_id": job.id})
