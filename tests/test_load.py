"""The load run in CI: a few applicants at once through two server processes and a worker
(PostgreSQL + Redis); the long run with server crashes is ``make soak``."""

from __future__ import annotations

import os

from tests.load import run

APPLICANTS = int(os.environ.get("LOAD_CI_N", "20"))


async def test_concurrent_applicants_all_finish_paid_once_without_errors() -> None:
    figures = await run(APPLICANTS, concurrency=APPLICANTS, crash=False)
    assert figures.errors == []
    steps_per_applicant = 32  # click, 25 answers, confirmation, 4 photos, SMS code
    assert len(figures.latencies) == APPLICANTS * steps_per_applicant
