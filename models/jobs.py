"""The transactional outbox: jobs to run after the change that caused them, and their runs.

A job row is written in the same database transaction as the state change that needs follow-up
work (send a notice, query a payment, close an unpaid order). The worker (``bot.worker``) claims
due jobs, runs their handler, and records each attempt as a ``JobRun``.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class JobStatus(StrEnum):
    """Where a job is in its life."""

    PENDING = "pending"  # waiting for run_at
    RUNNING = "running"  # claimed by a worker until locked_until
    DONE = "done"
    DEAD = "dead"  # gave up after max_attempts (or a permanent error); visible to operators


class Job(Model):
    """One unit of deferred work."""

    id = fields.BigIntField(primary_key=True)
    kind = fields.CharField(max_length=64)
    payload: fields.Field[dict[str, object]] = fields.JSONField(default=dict)
    status = fields.CharEnumField(JobStatus, max_length=16, default=JobStatus.PENDING)
    attempts = fields.IntField(default=0)
    max_attempts = fields.IntField(default=8)
    run_at = fields.DatetimeField()
    dedupe_key = fields.CharField(max_length=128, null=True, unique=True)
    locked_by = fields.CharField(max_length=64, null=True)
    locked_until = fields.DatetimeField(null=True)
    last_error = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "job"
        indexes = (("status", "run_at"),)

    def __str__(self) -> str:
        return f"Job({self.id}, {self.kind}, {self.status})"


class JobRunOutcome(StrEnum):
    """How one attempt ended."""

    DONE = "done"
    RETRY = "retry"
    DEAD = "dead"
    LOST = "lost"  # the worker vanished (crash) and the lease expired


class JobRun(Model):
    """One attempt at a job, for operators and for proving a job ran once."""

    id = fields.BigIntField(primary_key=True)
    job: fields.ForeignKeyRelation[Job] = fields.ForeignKeyField(
        "models.Job", related_name="runs", on_delete=fields.CASCADE
    )
    attempt = fields.IntField()
    worker = fields.CharField(max_length=64)
    started_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)
    outcome = fields.CharEnumField(JobRunOutcome, max_length=16, null=True)
    error = fields.TextField(null=True)

    class Meta:
        table = "job_run"
