"""Enqueue deferred work in the caller's transaction, and the registry of job handlers.

Write the job inside the same ``in_transaction()`` block as the state change that causes it:
the job exists if and only if the change committed. Handlers run later in ``bot.worker`` and
must be idempotent (a crash after the side effect but before the job is marked done runs the
job again once its lease expires).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from models.jobs import Job, JobStatus

if TYPE_CHECKING:
    from bot.services import Services

JobHandler = Callable[[dict[str, Any], "Services"], Awaitable[None]]

_HANDLERS: dict[str, JobHandler] = {}


class PermanentJobError(Exception):
    """Raised by a handler when retrying cannot help; the job goes dead at once."""


def job_handler(kind: str) -> Callable[[JobHandler], JobHandler]:
    """Register ``func`` as the handler of jobs of ``kind`` (one handler per kind)."""

    def register(func: JobHandler) -> JobHandler:
        if kind in _HANDLERS and _HANDLERS[kind] is not func:
            raise ValueError(f"job kind {kind!r} already has a handler")
        _HANDLERS[kind] = func
        return func

    return register


def registered_handlers() -> dict[str, JobHandler]:
    """A copy of the kind → handler map the worker uses by default (all of ``handlers``)."""
    import handlers  # noqa: F401  (importing the package registers every handler module)

    return dict(_HANDLERS)


def utcnow() -> datetime:
    """The current time, timezone-aware UTC (how every time is stored)."""
    return datetime.now(UTC)


async def enqueue(
    kind: str,
    payload: dict[str, Any] | None = None,
    *,
    delay: float = 0.0,
    run_at: datetime | None = None,
    dedupe_key: str | None = None,
    max_attempts: int | None = None,
) -> Job:
    """Add a job; with ``dedupe_key``, an existing job with that key is returned instead.

    Call it inside the ``in_transaction()`` of the change that causes the job.
    """
    if dedupe_key is not None:
        existing = await Job.get_or_none(dedupe_key=dedupe_key)
        if existing is not None:
            return existing
    when = run_at if run_at is not None else utcnow() + timedelta(seconds=delay)
    fields: dict[str, Any] = {
        "kind": kind,
        "payload": payload or {},
        "run_at": when,
        "dedupe_key": dedupe_key,
        "status": JobStatus.PENDING,
    }
    if max_attempts is not None:
        fields["max_attempts"] = max_attempts
    return await Job.create(**fields)
