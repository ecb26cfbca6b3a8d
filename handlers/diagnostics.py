"""Operator diagnostics: a job that proves the outbox queue and its workers are alive."""

from __future__ import annotations

from typing import Any

from bot.logs import get_logger
from bot.outbox import job_handler
from bot.services import Services

log = get_logger(__name__)

PING = "diag.ping"


@job_handler(PING)
async def ping(payload: dict[str, Any], services: Services) -> None:
    """Log that a worker picked the ping up (enqueued by ``certdesk jobs ping``)."""
    log.info("diagnostic ping ran", extra={"note": str(payload.get("note", ""))[:200]})
