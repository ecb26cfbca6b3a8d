"""The Redis store (redis-py's ``redis.asyncio``), shared by every process of a deployment.

Connections come from one pool per store with connect and read timeouts; a command that meets
a broken connection is retried once on a fresh one (a Redis restart leaves stale connections in
the pool), a timed-out command is not retried (it may have run). Connection errors and timeouts
raise StoreUnavailable, other Redis errors StoreError. Requires Redis >= 5 (scripts that read
the server clock). Each subscription holds a connection of its own while it is open.

Locks: ``lock:{name}`` holds the holder's random token with the lease as expiry. Waiters queue
in a sorted set (``lock:{name}:queue``, scored by a ticket from ``lock:{name}:seq``) and only
the first live waiter may take a free lock, so a lock is granted in the order in which the
waiters first asked Redis for it (FIFO, across processes). A waiter stays in the queue by
polling (``POLL_STEP`` s times its place in the queue, at most ``MAX_POLL`` s), which refreshes
its deadline in ``lock:{name}:deadlines``; a waiter that stops polling for ``WAITER_TTL`` s (a
crashed process, a blocked event loop) is dropped and, if it comes back, queues again at the
end. A waiter that gives up or is cancelled leaves the queue at once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

import redis.asyncio
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.store.base import Store, StoreError, StoreUnavailable, Writes, check_ttl, encode

POLL_STEP = 0.005  # the first waiter tries every 5 ms, the second every 10 ms, ...
MAX_POLL = 0.05  # ... and none waits longer between attempts (heartbeats)
WAITER_TTL = 2.0  # a waiter that has not polled for this long loses its place
PUBSUB_POLL = 1.0  # seconds a subscription waits for a message before checking again

# KEYS: lock, queue, deadlines, seq. ARGV: token, lease ms, enqueue ("1"/"0"), waiter ttl ms.
# Returns -1 if the lock is now held by the token, else the number of waiters ahead of it.
ACQUIRE = """
local lock, queue, deadlines, seq = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local token, lease, enqueue, waiter_ttl = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
if redis.call('GET', lock) == token then
  return -1
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
for _, stale in ipairs(redis.call('ZRANGEBYSCORE', deadlines, '-inf', now)) do
  redis.call('ZREM', queue, stale)
  redis.call('ZREM', deadlines, stale)
end
if redis.call('EXISTS', lock) == 0 then
  local head = redis.call('ZRANGE', queue, 0, 0)
  if #head == 0 or head[1] == token then
    redis.call('SET', lock, token, 'PX', lease)
    redis.call('ZREM', queue, token)
    redis.call('ZREM', deadlines, token)
    if redis.call('ZCARD', queue) == 0 then
      redis.call('DEL', queue, deadlines, seq)
    end
    return -1
  end
end
if enqueue ~= '1' then
  return 0
end
if not redis.call('ZSCORE', queue, token) then
  redis.call('ZADD', queue, redis.call('INCR', seq), token)
end
redis.call('ZADD', deadlines, now + waiter_ttl, token)
for _, key in ipairs({queue, deadlines, seq}) do
  redis.call('PEXPIRE', key, waiter_ttl)
end
return redis.call('ZRANK', queue, token)
"""

# KEYS: lock. ARGV: token, lease ms. Returns 1 if the token holds the lock (lease renewed).
RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""

# KEYS: lock, queue, deadlines, then keys to write. ARGV: token, then a value and an expiry in ms
# (0: none) per key to write. Makes the writes, removes the token from the queue, and the lock if
# the token holds it (compare-and-delete). Returns 1 if the lock was deleted.
RELEASE = """
for i = 4, #KEYS do
  local value, px = ARGV[2 * i - 6], tonumber(ARGV[2 * i - 5])
  if px > 0 then
    redis.call('SET', KEYS[i], value, 'PX', px)
  else
    redis.call('SET', KEYS[i], value)
  end
end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


def _ms(seconds: float) -> int:
    """Seconds as whole milliseconds, at least 1 (Redis expiries)."""
    return max(1, round(seconds * 1000))


def _px(ttl: float | None) -> int | None:
    """A ttl as the PX argument of SET (None: no expiry)."""
    return None if ttl is None else _ms(ttl)


@contextlib.contextmanager
def _translated() -> Iterator[None]:
    """Raise redis-py's errors as store errors, and a cancellation it swallowed as one.

    redis-py can lose a cancel that lands mid-command (its connection check runs under
    ``asyncio.timeout(0)``): the command returns, or fails as a connection error, and the task
    goes on as if never cancelled, so a heartbeat told to stop never stops. A cancel requested
    during the call (the task's ``cancelling()`` count went up) is raised here instead.
    """
    task = asyncio.current_task()
    cancels_before = task.cancelling() if task is not None else 0
    try:
        yield
    except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
        _raise_lost_cancel(task, cancels_before)
        raise StoreUnavailable(f"redis unavailable: {exc}") from exc
    except RedisError as exc:
        _raise_lost_cancel(task, cancels_before)
        raise StoreError(f"redis: {exc}") from exc
    _raise_lost_cancel(task, cancels_before)


def _raise_lost_cancel(task: asyncio.Task[Any] | None, cancels_before: int) -> None:
    if task is not None and task.cancelling() > cancels_before:
        raise asyncio.CancelledError


class RedisStore(Store):
    """Store on a Redis server; see the module docstring for its guarantees."""

    def __init__(
        self,
        url: str,
        prefix: str = "certdesk:",
        *,
        socket_timeout: float = 5.0,
        connect_timeout: float = 5.0,
    ) -> None:
        super().__init__(prefix)
        self.socket_timeout = socket_timeout
        self._client = redis.asyncio.Redis.from_url(
            url,
            socket_timeout=socket_timeout,
            socket_connect_timeout=connect_timeout,
            health_check_interval=30,
            retry=Retry(
                ExponentialWithJitterBackoff(cap=0.5, base=0.05),
                retries=1,
                supported_errors=(RedisConnectionError,),
            ),
        )
        self._acquire = self._client.register_script(ACQUIRE)
        self._renew = self._client.register_script(RENEW)
        self._release = self._client.register_script(RELEASE)

    def _key(self, key: str) -> str:
        return self.prefix + key

    def _lock_keys(self, name: str) -> list[str]:
        # The hash tag {name} keeps the keys of one lock in one Redis Cluster slot.
        lock = f"{self.prefix}lock:{{{name}}}"
        return [lock, lock + ":queue", lock + ":deadlines", lock + ":seq"]

    async def get(self, key: str) -> bytes | None:
        """The value of ``key``, or None if it is missing or expired."""
        with _translated():
            value: bytes | str | None = await self._client.get(self._key(key))
        return None if value is None else encode(value)

    async def set(self, key: str, value: bytes | str, ttl: float | None = None) -> None:
        """Set ``key`` to ``value``, expiring after ``ttl`` seconds (None: never)."""
        check_ttl(ttl)
        with _translated():
            await self._client.set(self._key(key), encode(value), px=_px(ttl))

    async def set_many(self, items: Mapping[str, tuple[bytes | str, float | None]]) -> None:
        """Set several keys at once (one round trip): ``{key: (value, ttl)}``; not atomic."""
        for _value, ttl in items.values():
            check_ttl(ttl)
        with _translated():
            async with self._client.pipeline(transaction=False) as pipe:
                for key, (value, ttl) in items.items():
                    pipe.set(self._key(key), encode(value), px=_px(ttl))
                await pipe.execute()

    async def set_if_absent(self, key: str, value: bytes | str, ttl: float | None = None) -> bool:
        """Set ``key`` only if it does not exist; True if it was set."""
        check_ttl(ttl)
        with _translated():
            return bool(await self._client.set(self._key(key), encode(value), px=_px(ttl), nx=True))

    async def delete(self, key: str) -> bool:
        """Remove ``key``; True if a key was removed."""
        with _translated():
            return bool(await self._client.delete(self._key(key)))

    async def incr(self, key: str, amount: int = 1, ttl: float | None = None) -> int:
        """Add ``amount`` to the counter ``key``; ``ttl`` only applies when it is created."""
        check_ttl(ttl)
        full_key = self._key(key)
        with _translated():
            if ttl is None:
                return int(await self._client.incrby(full_key, amount))
            # MULTI: create the counter at 0 with its expiry unless it exists, then add.
            async with self._client.pipeline(transaction=True) as pipe:
                pipe.set(full_key, 0, px=_ms(ttl), nx=True)
                pipe.incrby(full_key, amount)
                _created, value = await pipe.execute()
            return int(value)

    async def ttl(self, key: str) -> float | None:
        """Seconds until ``key`` expires; None if it is missing or has no expiry."""
        with _translated():
            millis = int(await self._client.pttl(self._key(key)))
        return None if millis < 0 else millis / 1000

    async def _acquire_lock(self, name: str, token: str, lease: float, wait: float | None) -> bool:
        loop = asyncio.get_running_loop()
        deadline = None if wait is None else loop.time() + wait
        args: list[str | int] = [token, _ms(lease), "0" if wait == 0 else "1", _ms(WAITER_TTL)]
        acquired = False
        try:
            while True:
                with _translated():
                    ahead = int(await self._acquire(keys=self._lock_keys(name), args=args))
                if ahead < 0:
                    acquired = True
                    return True
                delay = min(MAX_POLL, POLL_STEP * (ahead + 1))
                if deadline is not None:
                    remaining = deadline - loop.time()
                    if remaining <= 0:
                        return False
                    delay = min(delay, remaining)
                await asyncio.sleep(delay)
        finally:
            if not acquired:
                # Leave the queue, and drop the lock if an interrupted attempt took it.
                with contextlib.suppress(StoreError):
                    await asyncio.shield(self._release_lock(name, token))

    async def _renew_lock(self, name: str, token: str, lease: float) -> bool:
        with _translated():
            return bool(await self._renew(keys=self._lock_keys(name)[:1], args=[token, _ms(lease)]))

    async def _release_lock(self, name: str, token: str, writes: Writes | None = None) -> bool:
        keys: list[str] = self._lock_keys(name)[:3]
        args: list[bytes | str | int] = [token]
        for key, (value, ttl) in (writes or {}).items():
            check_ttl(ttl)
            keys.append(self._key(key))
            args += [encode(value), _px(ttl) or 0]
        with _translated():
            return bool(await self._release(keys=keys, args=args))

    async def publish(self, channel: str, message: bytes | str) -> int:
        """Publish ``message`` on ``channel``; the number of subscribers that received it."""
        with _translated():
            return int(await self._client.publish(self._key(channel), encode(message)))

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[bytes]]:
        """Subscribe to ``channel`` for the duration of the block; yields the messages."""
        pubsub = self._client.pubsub()
        try:
            with _translated():
                await pubsub.subscribe(self._key(channel))
                await self._confirmed(pubsub)
            yield _messages(pubsub)
        finally:
            with contextlib.suppress(RedisError, OSError):
                await pubsub.aclose()  # type: ignore[no-untyped-call,unused-ignore]

    async def _confirmed(self, pubsub: PubSub) -> None:
        """Wait for Redis to confirm the subscription (from then on it delivers messages)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.socket_timeout
        while (remaining := deadline - loop.time()) > 0:
            message: dict[str, Any] | None = await pubsub.get_message(timeout=remaining)
            if message is not None and message["type"] == "subscribe":
                return
        raise StoreUnavailable("redis did not confirm the subscription in time")

    async def ping(self) -> None:
        """Raise StoreUnavailable unless Redis answers a PING."""
        with _translated():
            await self._client.ping()

    async def close(self) -> None:
        """Stop renewing held locks and close the connections."""
        await super().close()
        with _translated():
            await self._client.aclose()


async def _messages(pubsub: PubSub) -> AsyncIterator[bytes]:
    while True:
        with _translated():
            message: dict[str, Any] | None = await pubsub.get_message(
                ignore_subscribe_messages=True, timeout=PUBSUB_POLL
            )
        if message is not None and message["type"] == "message":
            data: bytes = message["data"]
            yield data
