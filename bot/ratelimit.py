"""Fixed-window rate limits in the store, shared by all processes (queries, lookups, codes)."""

from __future__ import annotations

import math

from bot.store import Store


async def hit(store: Store, key: str, limit: int, window: float) -> int:
    """Count one attempt under ``key``; 0 when allowed, else the seconds until the window ends.

    At most ``limit`` attempts pass in each ``window`` seconds, counted from the first one.
    """
    count = await store.incr(f"ratelimit:{key}", 1, ttl=window)
    if count <= limit:
        return 0
    remaining = await store.ttl(f"ratelimit:{key}")
    return max(1, math.ceil(remaining if remaining is not None else window))
