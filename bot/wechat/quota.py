"""WeChat's customer-service message quota, tracked in the store for all processes.

A user's message opens a window of 48 hours in which 5 customer-service messages may be sent;
a menu click, follow or QR scan opens one of 1 minute for 3 messages. Sending beyond that fails
with errcode 45015/45047, so certdesk counts before it sends; later notices go out as template
messages instead.
"""

from __future__ import annotations

from bot.messages import Inbound
from bot.store import Store

MESSAGE_WINDOW = (48 * 3600.0, 5)
EVENT_WINDOW = (60.0, 3)
EVENTS_GRANTING = {"SUBSCRIBE", "SCAN", "CLICK", "SCANCODE_PUSH", "SCANCODE_WAITMSG"}


class CustomerServiceQuota:
    """Counts what may still be sent to each user."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def grant(self, inbound: Inbound) -> None:
        """Open (or renew) the window that this inbound message or event gives."""
        if inbound.kind == "event":
            if inbound.event not in EVENTS_GRANTING:
                return
            ttl, count = EVENT_WINDOW
            key = f"wechat:cs-event:{inbound.openid}"
        else:
            ttl, count = MESSAGE_WINDOW
            key = f"wechat:cs-message:{inbound.openid}"
        await self.store.set(key, str(count), ttl=ttl)

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
