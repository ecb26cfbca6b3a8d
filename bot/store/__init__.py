"""Everything that may expire: dedupe keys, locks, codes and counters, tokens, pub/sub.

``create_store(url)`` returns a ``RedisStore`` for a Redis url (several processes) or a
``MemoryStore`` for an empty url (a single process); both follow the ``Store`` contract.
"""

from bot.store.base import (
    AlreadyClaimed,
    Claim,
    LockTimeout,
    Store,
    StoreError,
    StoreUnavailable,
    create_store,
)
from bot.store.memory import MemoryStore
from bot.store.redis import RedisStore

__all__ = [
    "AlreadyClaimed",
    "Claim",
    "LockTimeout",
    "MemoryStore",
    "RedisStore",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "create_store",
]
