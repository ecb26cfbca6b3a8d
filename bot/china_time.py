"""The one Asia/Shanghai time zone of certdesk: times are stored in UTC and shown, counted in
calendar days and written into messages in China's time.

China has kept UTC+8 without daylight saving since 1991, so a fixed offset is exact for every
date certdesk handles and needs no time-zone database on the host.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")


def shanghai_minute(moment: datetime) -> str:
    """An aware instant as people in China read it, to the minute (``2026-01-31 09:05``)."""
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
