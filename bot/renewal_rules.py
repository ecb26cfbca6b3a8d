"""The seed's renewal rules (section 2, 证书更新) as pure functions: no I/O, no clock.

How the days count (the one definition every caller uses):

- Times are stored in UTC; the rules count **calendar days in Asia/Shanghai**. ``days_left`` is
  the number of Shanghai calendar days from today to the day the certificate expires (0: it
  expires later today; 1: tomorrow). Once the expiry instant has passed, ``days_expired`` is
  the number of Shanghai calendar days since the expiry day (0: expired earlier today).
- "Fewer than 90 days remain" (有效期小于 90 天): not expired and ``days_left < 90``, i.e. from
  89 days before the expiry day on. "Expired no more than 365 days ago" (已过期且不超过 365 天):
  expired and ``days_expired <= 365``.
- A year added to a date keeps the Shanghai wall-clock time and the day of month; 29 February
  plus a year that is not a leap year is 28 February.

New validity (未过期: 在旧证书截止日期基础上顺延; 已过期: 从下载新证书之日起计算): when the new
certificate is written before the old one expired, it starts at the old expiry instant;
otherwise at the instant it is written. It ends ``years`` years after its start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

from bot.china_time import SHANGHAI
from bot.texts import RENEWAL_TOO_EARLY, RENEWAL_TOO_LATE

RENEW_WINDOW_DAYS = 90  # renewable when fewer than this many days remain
GRACE_DAYS = 365  # renewable up to this many days after expiry


class Eligibility(StrEnum):
    """Why a certificate may or may not be renewed now."""

    OK = "ok"
    TOO_EARLY = "too_early"
    TOO_LATE = "too_late"


@dataclass(frozen=True)
class RenewalCheck:
    """The answer for one certificate at one moment."""

    eligibility: Eligibility
    days_left: int  # Shanghai calendar days to the expiry day; negative once expired
    expired: bool
    message: str  # Chinese explanation when not eligible, "" otherwise

    @property
    def ok(self) -> bool:
        """Whether the certificate may be renewed now."""
        return self.eligibility is Eligibility.OK


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: the renewal rules need timezone-aware times")
    return moment


def local_date(moment: datetime) -> date:
    """The Asia/Shanghai calendar date of an aware instant."""
    return _aware(moment).astimezone(SHANGHAI).date()


def days_left(not_after: datetime, now: datetime) -> int:
    """Shanghai calendar days from ``now``'s day to the expiry day (negative after it)."""
    return (local_date(not_after) - local_date(now)).days


def check_renewal(not_after: datetime, now: datetime) -> RenewalCheck:
    """Whether a certificate expiring at ``not_after`` may be renewed at ``now``."""
    left = days_left(not_after, now)
    expired = _aware(now) >= _aware(not_after)
    if not expired and left >= RENEW_WINDOW_DAYS:
        message = RENEWAL_TOO_EARLY.format(days=left, window=RENEW_WINDOW_DAYS)
        return RenewalCheck(Eligibility.TOO_EARLY, left, False, message)
    if expired and -left > GRACE_DAYS:
        message = RENEWAL_TOO_LATE.format(grace=GRACE_DAYS)
        return RenewalCheck(Eligibility.TOO_LATE, left, True, message)
    return RenewalCheck(Eligibility.OK, left, expired, "")


def add_years(moment: datetime, years: int) -> datetime:
    """``moment`` plus whole years in Shanghai wall-clock time (29 Feb → 28 Feb), as UTC."""
    if years < 0:
        raise ValueError("years must not be negative")
    local = _aware(moment).astimezone(SHANGHAI)
    target_year = local.year + years
    day = local.day
    if local.month == 2 and day == 29 and not _is_leap(target_year):
        day = 28
    return local.replace(year=target_year, day=day).astimezone(UTC)


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def new_validity(
    old_not_after: datetime, years: int, written_at: datetime
) -> tuple[datetime, datetime]:
    """(not_before, not_after) of the renewed certificate, in UTC.

    ``written_at`` is when the new certificate is written to the Key. Before the old expiry the
    new one starts at the old expiry (no day lost); after it, at ``written_at``.
    """
    if years < 1:
        raise ValueError("a renewal buys at least one year")
    start = max(_aware(old_not_after), _aware(written_at)).astimezone(UTC)
    return start, add_years(start, years)
