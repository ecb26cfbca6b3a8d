"""The seed's renewal rules: the 90-day window, the 365-day grace, the new validity."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.china_time import SHANGHAI
from bot.renewal_rules import (
    Eligibility,
    add_years,
    check_renewal,
    days_left,
    local_date,
    new_validity,
)

EXPIRY = datetime(2027, 3, 10, 15, 59, 59, tzinfo=UTC)  # 2027-03-10 23:59:59 in Shanghai

moments = st.datetimes(
    min_value=datetime(2001, 1, 1), max_value=datetime(2090, 12, 31), timezones=st.just(UTC)
)


def shanghai(y: int, m: int, d: int, hh: int = 12, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("days_before", "eligible"), [(91, False), (90, False), (89, True), (1, True), (0, True)]
)
def test_window_before_expiry(days_before: int, eligible: bool) -> None:
    now = datetime.combine(
        local_date(EXPIRY) - timedelta(days=days_before), time(8, 0), tzinfo=SHANGHAI
    )
    check = check_renewal(EXPIRY, now)
    assert check.days_left == days_before
    assert check.ok is eligible
    if not eligible:
        assert check.eligibility is Eligibility.TOO_EARLY
        assert check.message == f"证书有效期剩余 {days_before} 天，到期前 90 天内方可更新。"


@pytest.mark.parametrize(("days_after", "eligible"), [(0, True), (365, True), (366, False)])
def test_grace_after_expiry(days_after: int, eligible: bool) -> None:
    now = datetime.combine(
        local_date(EXPIRY) + timedelta(days=days_after), time(23, 59, 59, 999999), tzinfo=SHANGHAI
    )
    check = check_renewal(EXPIRY, now)
    assert check.expired
    assert check.ok is eligible
    if not eligible:
        assert check.eligibility is Eligibility.TOO_LATE
        assert "证书已过期超过 365 天" in check.message and "重新申请" in check.message


def test_days_count_in_shanghai_not_utc() -> None:
    # 2027-03-09 16:30 UTC is already 2027-03-10 00:30 in Shanghai: the expiry day itself.
    assert days_left(EXPIRY, datetime(2027, 3, 9, 16, 30, tzinfo=UTC)) == 0
    assert days_left(EXPIRY, datetime(2027, 3, 9, 15, 30, tzinfo=UTC)) == 1


def test_naive_times_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        check_renewal(datetime(2027, 1, 1), datetime.now(UTC))


def test_before_expiry_starts_at_old_expiry() -> None:
    written = shanghai(2027, 1, 5)
    start, end = new_validity(EXPIRY, 1, written)
    assert start == EXPIRY
    assert end.astimezone(SHANGHAI) == shanghai(2028, 3, 10, 23, 59).replace(second=59)


def test_after_expiry_starts_when_written() -> None:
    written = shanghai(2027, 6, 1, 10, 30)
    start, end = new_validity(EXPIRY, 2, written)
    assert start == written
    assert end == shanghai(2029, 6, 1, 10, 30)


def test_leap_day_plus_a_year_is_feb_28() -> None:
    assert add_years(shanghai(2028, 2, 29, 9), 1) == shanghai(2029, 2, 28, 9)
    assert add_years(shanghai(2028, 2, 29, 9), 4) == shanghai(2032, 2, 29, 9)
    # 29 Feb in Shanghai is still 28 Feb in UTC at 07:00: the rule uses the Shanghai date.
    assert add_years(datetime(2028, 2, 28, 23, 0, tzinfo=UTC), 1) == shanghai(2029, 2, 28, 7)


@given(not_after=moments, offset=st.integers(min_value=-800, max_value=800))
def test_window_property(not_after: datetime, offset: int) -> None:
    now = not_after + timedelta(days=offset, seconds=17)
    check = check_renewal(not_after, now)
    left = days_left(not_after, now)
    if now < not_after:
        assert check.ok is (left < 90)
    else:
        assert check.ok is (-left <= 365)
    assert (check.message == "") is check.ok


@given(old=moments, written=moments, years=st.integers(min_value=1, max_value=5))
def test_new_validity_never_shortens(old: datetime, written: datetime, years: int) -> None:
    start, end = new_validity(old, years, written)
    assert start >= old  # nothing the user had is taken away
    assert start >= written or start == old
    assert start == (old if written < old else written)
    assert end > start
    length = end - start
    assert timedelta(days=365 * years - 1) <= length <= timedelta(days=366 * years)
    assert local_date(end).month == local_date(start).month


@given(moment=moments, years=st.integers(min_value=0, max_value=10))
def test_add_years_keeps_wall_clock(moment: datetime, years: int) -> None:
    before = moment.astimezone(SHANGHAI)
    after = add_years(moment, years).astimezone(SHANGHAI)
    assert after.year == before.year + years
    assert (after.hour, after.minute, after.second) == (before.hour, before.minute, before.second)
    assert after.day == before.day or (before.month, before.day, after.day) == (2, 29, 28)
