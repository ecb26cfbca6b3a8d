"""The review deadline: N working days after an order entered the queue (Asia/Shanghai dates;
Saturdays, Sundays and the configured public holidays are not working days)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timedelta

from bot.china_time import SHANGHAI, shanghai_minute


def local_time(value: datetime | None) -> str:
    """A stored UTC time as staff read it (Asia/Shanghai, to the minute)."""
    return shanghai_minute(value) if value else ""


def is_working_day(day: date, holidays: Collection[str]) -> bool:
    """Monday to Friday and not a holiday (``YYYY-MM-DD`` strings)."""
    return day.weekday() < 5 and day.isoformat() not in holidays


def review_deadline(queued_at: datetime, working_days: int, holidays: Collection[str]) -> date:
    """The last day of review: the ``working_days``-th working day after the queue day."""
    day = queued_at.astimezone(SHANGHAI).date()
    left = working_days
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            left -= 1
    return day
