"""WeChat's customer-service quota: a message opens 5 sends for 48 h, a click 3 for a minute,
both counted from when WeChat received it."""

from __future__ import annotations

import time

from hypothesis import given
from hypothesis import strategies as st

from bot.messages import Inbound
from bot.store import Store
from bot.wechat.quota import EVENT_WINDOW, MESSAGE_WINDOW, CustomerServiceQuota


def text(at: float) -> Inbound:
    return Inbound(openid="o-q", kind="text", create_time=int(at), text="你好")


def click(at: float, event: str = "CLICK") -> Inbound:
    return Inbound(openid="o-q", kind="event", create_time=int(at), event=event, event_key="org")


@given(elapsed=st.floats(min_value=-600, max_value=3 * 24 * 3600, allow_nan=False))
def test_the_window_counts_from_when_wechat_received_the_message(elapsed: float) -> None:
    now = 1_800_000_000.0
    inbound = text(now - elapsed)
    window = CustomerServiceQuota.window(inbound, now)
    length, count = MESSAGE_WINDOW
    received_ago = max(0.0, now - inbound.create_time)  # a clock ahead of ours counts as now
    if received_ago >= length:
        assert window is None
        return
    assert window is not None
    key, granted, ttl = window
    assert (key, granted) == ("wechat:cs-message:o-q", str(count))
    assert ttl == length - received_ago


def test_closed_and_non_granting_windows_open_nothing() -> None:
    now = time.time()
    assert CustomerServiceQuota.window(text(now - 49 * 3600), now) is None
    assert CustomerServiceQuota.window(click(now - 61), now) is None
    assert CustomerServiceQuota.window(click(now, "UNSUBSCRIBE"), now) is None
    assert CustomerServiceQuota.window(click(now, "VIEW"), now) is None
    event = CustomerServiceQuota.window(click(now), now)
    assert event is not None and event[:2] == ("wechat:cs-event:o-q", str(EVENT_WINDOW[1]))


async def test_sends_are_counted_event_window_first(store: Store) -> None:
    quota = CustomerServiceQuota(store)
    assert not await quota.take("o-q")  # nothing opened yet
    now = time.time()
    for inbound in (text(now), click(now)):
        window = quota.window(inbound, now)
        assert window is not None
        await store.set(window[0], window[1], ttl=window[2])
    taken = [await quota.take("o-q") for _ in range(9)]
    assert taken == [True] * 8 + [False]  # 3 of the click's minute, then 5 of the message's
