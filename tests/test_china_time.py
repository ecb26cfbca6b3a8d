"""The one Asia/Shanghai zone: a fixed UTC+8 agrees with the time-zone database for every
date certdesk handles, and times read the way people in China read them."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.china_time import SHANGHAI, shanghai_minute
from bot.engine import new_order_no


@given(
    st.datetimes(
        min_value=datetime(1992, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    )
)
def test_fixed_offset_matches_the_zone_database(moment: datetime) -> None:
    database = moment.astimezone(ZoneInfo("Asia/Shanghai"))
    assert moment.astimezone(SHANGHAI).replace(tzinfo=None) == database.replace(tzinfo=None)


def test_a_utc_evening_is_the_next_morning_in_china() -> None:
    assert shanghai_minute(datetime(2026, 1, 31, 16, 5, tzinfo=UTC)) == "2026-02-01 00:05"


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        (datetime(2026, 12, 3, 15, 59, 59, tzinfo=UTC), "20261203"),  # 23:59:59 in Beijing
        (datetime(2026, 12, 3, 16, 0, tzinfo=UTC), "20261204"),  # midnight in Beijing
        (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), "20270101"),
    ],
)
def test_an_order_number_carries_the_day_in_china(moment: datetime, day: str) -> None:
    number = new_order_no(moment)
    assert number.startswith("CD" + day) and len(number) == 16 and number[2:].isdigit()
