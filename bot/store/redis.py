"""The Redis store, shared by every process of a deployment.

Commands go over one pipelined connection per store (``bot.store.redis_link``): connect and
reply timeouts; a command that meets a broken connection is retried once on a fresh one (a
Redis restart breaks them all), a command whose reply did not come in time is not retried (it
may have run). Connection errors and timeouts raise StoreUnavailable, error replies
StoreError. Subscriptions use redis-py's pub/sub, each on a connection of its own while it is
open. Requires Redis >= 5 (scripts that read the server clock).

Locks: ``lock:{name}`` holds the holder's token with the lease as expiry. Waiters queue
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
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import Any

import redis.asyncio
from redis.asyncio.client import PubSub
from redis.asyncio.connection import SSLConnection, parse_url
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.store.base import (
    AlreadyClaimed,
    Claim,
    Store,
    StoreError,
    StoreUnavailable,
    Writes,
    check_ttl,
    encode,
)
from bot.store.redis_link import Address, Arg, LinkError, RedisLink, ReplyError, Script

POLL_STEP = 0.005  # the first waiter tries every 5 ms, the second every 10 ms, ...
MAX_POLL = 0.05  # ... and none waits longer between attempts (heartbeats)
WAITER_TTL = 2.0  # a waiter that has not polled for this long loses its place
PUBSUB_POLL = 1.0  # seconds a subscription waits for a message before checking again

# KEYS: lock, queue, deadlines, seq[, claim]. ARGV: token, lease ms, enqueue ("1"/"0"), waiter
# ttl ms[, claim value, claim ttl ms]. Returns CLAIM_TAKEN if the claim key holds another value
# (nothing else done), -1 if the lock is now held by the token, else the number of waiters ahead
# of it. An attempt retried after its connection broke finds its own lock, or its own claim.
CLAIM_TAKEN = -2
ACQUIRE = Script("""
local lock, queue, deadlines, seq = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local token, lease, enqueue, waiter_ttl = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
if redis.call('GET', lock) == token then
  return -1
end
if #KEYS == 5 and not redis.call('SET', KEYS[5], ARGV[5], 'NX', 'PX', ARGV[6])
    and redis.call('GET', KEYS[5]) ~= ARGV[5] then
  return -2
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
""")

# KEYS: key. ARGV: value, ttl ms. Returns 1 if the key held the value (its expiry renewed): a
# lock's lease renewed by its holder's token, a claim by its claimant.
RENEW = Script("""
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
""")

# KEYS: lock, queue, deadlines, then keys to write. ARGV: token, then a value and an expiry in ms
# (0: none) per key to write. Makes the writes, removes the token from the queue, and the lock if
# the token holds it (compare-and-delete). Returns 1 if the lock was deleted.
RELEASE = Script("""
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
""")


def address_of(url: str) -> Address:
    """The connection parameters of a ``redis://``, ``rediss://`` or ``unix://`` URL."""
    options = parse_url(url)
    return Address(
        host=str(options.get("host") or "127.0.0.1"),
        port=int(options.get("port") or 6379),
        path=str(options.get("path") or ""),
        db=int(options.get("db") or 0),
        username=str(options.get("username") or ""),
        password=str(options.get("password") or ""),
        tls=options.get("connection_class") is SSLConnection,
    )


def _ms(seconds: float) -> int:
    """Seconds as whole milliseconds, at least 1 (Redis expiries)."""
    return max(1, round(seconds * 1000))


def _set_command(key: str, value: bytes | str, ttl: float | None) -> tuple[Arg, ...]:
    """SET ``key`` to ``value`` with ``ttl`` seconds as PX (None: no expiry)."""
    if ttl is None:
        return ("SET", key, encode(value))
    return ("SET", key, encode(value), "PX", _ms(ttl))


@contextlib.contextmanager
def _translated() -> Iterator[None]:
    """Raise the link's errors as store errors."""
    try:
        yield
    except LinkError as exc:
        raise StoreUnavailable(f"redis unavailable: {exc}") from exc
    except ReplyError as exc:
        raise StoreError(f"redis: {exc}") from exc


@contextlib.contextmanager
def _pubsub_translated() -> Iterator[None]:
    """Raise redis-py's errors (pub/sub) as store errors, and a cancellation it swallowed as one.

    redis-py can lose a cancel that lands mid-command (its connection check runs under
    ``asyncio.timeout(0)``): the command returns, or fails as a connection error, and the task
    goes on as if never cancelled, so a loop told to stop never stops. A cancel requested
    during the call (the task's ``cancelling()`` count went up) is raised here instead. (The
    link loses no cancel: a cancelled caller only stops waiting for its reply.)
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
        self._link = RedisLink(
            address_of(url), timeout=socket_timeout, connect_timeout=connect_timeout
        )
        self._pubsub_client = redis.asyncio.Redis.from_url(  # subscriptions only
            url, socket_timeout=socket_timeout, socket_connect_timeout=connect_timeout
        )

    async def _call(self, *args: Arg, retry: bool = True) -> Any:
        with _translated():
            return await self._link.call(*args, retry=retry)

    async def _run(self, script: Script, keys: Sequence[str], args: Sequence[Arg]) -> Any:
        with _translated():
            return await self._link.run(script, keys, args)

    def _key(self, key: str) -> str:
        return self.prefix + key

    def _lock_keys(self, name: str) -> list[str]:
        # The hash tag {name} keeps the keys of one lock in one Redis Cluster slot.
        lock = f"{self.prefix}lock:{{{name}}}"
        return [lock, lock + ":queue", lock + ":deadlines", lock + ":seq"]

    async def get(self, key: str) -> bytes | None:
        """The value of ``key``, or None if it is missing or expired."""
        value: bytes | None = await self._call("GET", self._key(key))
        return value

    async def set(self, key: str, value: bytes | str, ttl: float | None = None) -> None:
        """Set ``key`` to ``value``, expiring after ``ttl`` seconds (None: never)."""
        check_ttl(ttl)
        await self._call(*_set_command(self._key(key), value, ttl))

    async def set_many(self, items: Mapping[str, tuple[bytes | str, float | None]]) -> None:
        """Set several keys at once (one round trip): ``{key: (value, ttl)}``; not atomic."""
        for _value, ttl in items.values():
            check_ttl(ttl)
        commands = [_set_command(self._key(k), value, ttl) for k, (value, ttl) in items.items()]
        with _translated():
            await self._link.pipeline(commands)

    async def set_if_absent(self, key: str, value: bytes | str, ttl: float | None = None) -> bool:
        """Set ``key`` only if it does not exist; True if it was set."""
        check_ttl(ttl)
        # Not sent again after a break: a retry would find its own value and answer False.
        command = (*_set_command(self._key(key), value, ttl), "NX")
        return await self._call(*command, retry=False) is not None

    async def delete(self, key: str) -> bool:
        """Remove ``key``; True if a key was removed."""
        return bool(await self._call("DEL", self._key(key)))

    async def delete_many(self, keys: Sequence[str]) -> int:
        """Remove every key of ``keys`` (one DEL); how many were there."""
        if not keys:
            return 0
        return int(await self._call("DEL", *(self._key(key) for key in keys)))

    async def incr(self, key: str, amount: int = 1, ttl: float | None = None) -> int:
        """Add ``amount`` to the counter ``key``; ``ttl`` only applies when it is created."""
        check_ttl(ttl)
        full_key = self._key(key)
        if ttl is None:
            return int(await self._call("INCRBY", full_key, amount, retry=False))
        # MULTI: create the counter at 0 with its expiry unless it exists, then add.
        with _translated():
            *_queued, results = await self._link.pipeline(
                [
                    ("MULTI",),
                    ("SET", full_key, 0, "PX", _ms(ttl), "NX"),
                    ("INCRBY", full_key, amount),
                    ("EXEC",),
                ],
                retry=False,  # counted once, or the caller hears that it may have been
            )
            _created, value = results
            if isinstance(value, ReplyError):
                raise value
        return int(value)

    async def ttl(self, key: str) -> float | None:
        """Seconds until ``key`` expires; None if it is missing or has no expiry."""
        millis = int(await self._call("PTTL", self._key(key)))
        return None if millis < 0 else millis / 1000

    async def _acquire_lock(
        self,
        name: str,
        token: str,
        lease: float,
        wait: float | None,
        claim: Claim | None = None,
        read: Sequence[str] = (),
    ) -> dict[str, bytes | None] | None:
        loop = asyncio.get_running_loop()
        deadline = None if wait is None else loop.time() + wait
        keys = self._lock_keys(name)
        args: list[Arg] = [token, _ms(lease), "0" if wait == 0 else "1", _ms(WAITER_TTL)]
        acquired = refused = False
        try:
            if claim is None:
                ahead, values = await self._attempt(keys, args, read)
            else:
                claim_args: list[Arg] = [encode(claim.value), _ms(claim.ttl)]
                claim_keys = [*keys, self._key(claim.key)]
                ahead, values = await self._attempt(claim_keys, [*args, *claim_args], read)
                refused = ahead == CLAIM_TAKEN
                if refused:
                    raise AlreadyClaimed(claim.key)
                claim.claimed()
            while True:
                if ahead < 0:
                    acquired = True
                    return dict(zip(read, values, strict=True))
                delay = min(MAX_POLL, POLL_STEP * (ahead + 1))
                if deadline is not None:
                    remaining = deadline - loop.time()
                    if remaining <= 0:
                        return None
                    delay = min(delay, remaining)
                await asyncio.sleep(delay)
                ahead, values = await self._attempt(keys, args, read)
        finally:
            if not acquired and not refused:
                # Leave the queue, and drop the lock if an interrupted attempt took it.
                with contextlib.suppress(StoreError):
                    await asyncio.shield(self._release_lock(name, token))

    async def _attempt(
        self, keys: list[str], args: list[Arg], read: Sequence[str]
    ) -> tuple[int, list[bytes | None]]:
        """One attempt at a lock (``ACQUIRE``), and the values of ``read`` read right after it
        in the same round trip (what they are once the attempt took the lock)."""
        if not read:
            return int(await self._run(ACQUIRE, keys, args)), []
        gets = [("GET", self._key(key)) for key in read]
        with _translated():
            try:
                ahead, *values = await self._link.pipeline(
                    [("EVALSHA", ACQUIRE.sha, len(keys), *keys, *args), *gets]
                )
            except ReplyError as exc:
                if not str(exc).startswith("NOSCRIPT"):
                    raise
                ahead = await self._link.run(ACQUIRE, keys, args)  # loads the script
                values = await self._link.pipeline(gets)
        return int(ahead), values

    async def extend(self, key: str, value: bytes | str, ttl: float) -> bool:
        """Make ``key`` expire ``ttl`` seconds from now if it holds ``value``."""
        check_ttl(ttl)
        return bool(await self._run(RENEW, [self._key(key)], [encode(value), _ms(ttl)]))

    async def _renew_lock(self, name: str, token: str, lease: float) -> bool:
        return bool(await self._run(RENEW, self._lock_keys(name)[:1], [token, _ms(lease)]))

    def _release_sent_at_once(self) -> bool:
        """On a live connection the release is written before its answer is awaited (after a
        Redis restart, a holder cancelled while its first release meets NOSCRIPT leaves the
        lock to its lease)."""
        return self._link.connected()

    async def _release_lock(self, name: str, token: str, writes: Writes | None = None) -> bool:
        keys: list[str] = self._lock_keys(name)[:3]
        args: list[Arg] = [token]
        for key, (value, ttl) in (writes or {}).items():
            check_ttl(ttl)
            keys.append(self._key(key))
            args += [encode(value), 0 if ttl is None else _ms(ttl)]
        return bool(await self._run(RELEASE, keys, args))

    async def publish(self, channel: str, message: bytes | str) -> int:
        """Publish ``message`` on ``channel``; the number of subscribers that received it."""
        return int(await self._call("PUBLISH", self._key(channel), encode(message), retry=False))

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[bytes]]:
        """Subscribe to ``channel`` for the duration of the block; yields the messages."""
        pubsub = self._pubsub_client.pubsub()
        try:
            with _pubsub_translated():
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
        await self._call("PING")

    async def close(self) -> None:
        """Stop renewing held locks and close the connections."""
        await super().close()
        await self._link.close()
        with _pubsub_translated():
            await self._pubsub_client.aclose()


async def _messages(pubsub: PubSub) -> AsyncIterator[bytes]:
    while True:
        with _pubsub_translated():
            message: dict[str, Any] | None = await pubsub.get_message(
                ignore_subscribe_messages=True, timeout=PUBSUB_POLL
            )
        if message is not None and message["type"] == "message":
            data: bytes = message["data"]
            yield data
