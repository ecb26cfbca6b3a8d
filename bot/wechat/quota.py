"""WeChat's customer-service message quota, tracked in the store for all processes.

A user's message opens a window of 48 hours in which 5 customer-service messages may be sent;
a menu click, follow or QR scan opens one of 1 minute for 3 messages. Sending beyond that fails
with errcode 45015/45047, so certdesk counts before it sends; later notices go out as template
messages instead.
"""

from __future__ import annotations

import time

from bot.messages import Inbound
from bot.store import Store

MESSAGE_WINDOW = (48 * 3600.0, 5)
EVENT_WINDOW = (60.0, 3)
EVENTS_GRANTING = {"SUBSCRIBE", "SCAN", "CLICK", "SCANCODE_PUSH", "SCANCODE_WAITMSG"}


class CustomerServiceQuota:
    """Counts what may still be sent to each user."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @staticmethod
    def window(inbound: Inbound, now: float | None = None) -> tuple[str, str, float] | None:
        """``(key, count, ttl)`` of the window this message or event opens or renews, counted
        from when WeChat received it; None when it opens none (or has already closed)."""
        if inbound.kind == "event":
            if inbound.event not in EVENTS_GRANTING:
                return None
            length, count = EVENT_WINDOW
            key = f"wechat:cs-event:{inbound.openid}"
        else:
            length, count = MESSAGE_WINDOW
            key = f"wechat:cs-message:{inbound.openid}"
        elapsed = (time.time() if now is None else now) - inbound.create_time
        ttl = length - max(0.0, min(elapsed, length))
        return (key, str(count), ttl) if ttl > 0 else None

    async def take(self, openid: str) -> bool:
        """Use one message of the quota; False when none is left."""
        for kind in ("event", "message"):
            key = f"wechat:cs-{kind}:{openid}"
            if await self.store.get(key) is None:
                continue
            left = await self.store.incr(key, -1, ttl=1.0)
            if left >= 0:
                return True
        return False
