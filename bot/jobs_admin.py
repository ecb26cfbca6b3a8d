"""``certdesk jobs``: queue counts, dead jobs with their last error, retry, and a ping job."""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Callable

from tortoise.transactions import in_transaction

from bot.outbox import enqueue, utcnow
from models.jobs import Job, JobStatus


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Sub-actions of ``certdesk jobs``."""
    parser.add_argument("action", choices=["list", "retry", "ping"], nargs="?", default="list")
    parser.add_argument("job_ids", nargs="*", type=int, help="job ids for retry")


async def run(args: argparse.Namespace, out: Callable[[str], None]) -> None:
    """Carry out one ``certdesk jobs`` action, writing lines to ``out``."""
    if args.action == "ping":
        async with in_transaction():
            job = await enqueue("diag.ping", {"note": "certdesk jobs ping"})
        out(f"enqueued diag.ping as job {job.id}; a running worker logs 'diagnostic ping ran'")
    elif args.action == "retry":
        for job_id in args.job_ids:
            out(f"job {job_id}: " + await _retry(job_id))
    else:
        counts = Counter(
            (row["kind"], row["status"]) for row in await Job.all().values("kind", "status")
        )
        if not counts:
            out("no jobs")
        for (kind, status), count in sorted(counts.items()):
            out(f"{kind:32} {status:8} {count}")
        for job in await Job.filter(status=JobStatus.DEAD).order_by("-finished_at").limit(20):
            first_line = (job.last_error or "").splitlines()[0:1]
            out(
                f"dead job {job.id} {job.kind} after {job.attempts} attempts: "
                f"{first_line[0] if first_line else ''}"
            )


async def _retry(job_id: int) -> str:
    """Queue a dead job again with one more attempt than it has had."""
    job = await Job.get_or_none(id=job_id, status=JobStatus.DEAD)
    if job is None:
        return "not dead (only dead jobs can be retried)"
    await Job.filter(id=job_id, status=JobStatus.DEAD).update(
        status=JobStatus.PENDING,
        run_at=utcnow(),
        finished_at=None,
        max_attempts=job.attempts + 1,
    )
    return "queued again"
