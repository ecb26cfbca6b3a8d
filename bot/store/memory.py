"""The in-process store, for a single instance (no Redis url configured).

State lives in dicts of this object and is shared only by the tasks of one event loop; every
operation runs without awaiting in between, so each is atomic for asyncio tasks (it is not
thread-safe). Expired keys are dropped when accessed and by a full sweep that runs at most
every ``sweep_interval`` seconds and whenever the number of keys doubles, so memory stays
bounded by the live keys. Locks are granted in FIFO order; a held lock whose lease runs out
(its holder stopped renewing) passes to the next waiter. A subscriber that falls more than
``SUBSCRIBER_QUEUE_SIZE`` messages behind misses the newer ones (publish does not count it).

The object itself is the namespace: ``prefix`` is kept for the interface only. ``close()`` only
stops lock renewals; the data stays usable.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field

from bot.store.base import (
    AlreadyClaimed,
    Claim,
    Store,
    StoreError,
    Writes,
    check_ttl,
    encode,
)

INT64 = range(-(2**63), 2**63)
SUBSCRIBER_QUEUE_SIZE = 1000  # messages a slow subscriber may lag behind before losing some


@dataclass(slots=True)
class _Entry:
    value: bytes
    expires: float | None  # time.monotonic() deadline


@dataclass(slots=True)
class _Waiter:
    future: asyncio.Future[None]
    token: str
    lease: float


@dataclass
class _LockState:
    token: str | None = None  # the holder
    expires: float = 0.0  # time.monotonic() end of the holder's lease
    waiters: deque[_Waiter] = field(default_factory=deque)
    timer: asyncio.TimerHandle | None = None  # fires at the end of the lease


class MemoryStore(Store):
    """Store kept in this process; see the module docstring for its guarantees."""

    def __init__(
        self, prefix: str = "certdesk:", *, sweep_interval: float = 60.0, sweep_size: int = 1024
    ) -> None:
        super().__init__(prefix)
        self.sweep_interval = sweep_interval
        self._min_sweep_size = sweep_size
        self._sweep_size = sweep_size
        self._next_sweep = time.monotonic() + sweep_interval
        self._data: dict[str, _Entry] = {}
        self._locks: dict[str, _LockState] = {}
        self._channels: dict[str, set[asyncio.Queue[bytes]]] = {}

    # -- keys

    def _live(self, key: str, now: float) -> _Entry | None:
        entry = self._data.get(key)
        if entry is not None and entry.expires is not None and entry.expires <= now:
            del self._data[key]
            return None
        return entry

    def _put(self, key: str, value: bytes, ttl: float | None, now: float) -> None:
        self._data[key] = _Entry(value, None if ttl is None else now + ttl)
        if now >= self._next_sweep or len(self._data) >= self._sweep_size:
            self._sweep(now)

    def _sweep(self, now: float) -> None:
        """Drop every expired key."""
        self._data = {
            key: entry
            for key, entry in self._data.items()
            if entry.expires is None or entry.expires > now
        }
        self._next_sweep = now + self.sweep_interval
        self._sweep_size = max(self._min_sweep_size, 2 * len(self._data))

    async def get(self, key: str) -> bytes | None:
        """The value of ``key``, or None if it is missing or expired."""
        entry = self._live(key, time.monotonic())
        return None if entry is None else entry.value

    async def set(self, key: str, value: bytes | str, ttl: float | None = None) -> None:
        """Set ``key`` to ``value``, expiring after ``ttl`` seconds (None: never)."""
        check_ttl(ttl)
        self._put(key, encode(value), ttl, time.monotonic())

    async def set_many(self, items: Mapping[str, tuple[bytes | str, float | None]]) -> None:
        """Set several keys at once: ``{key: (value, ttl)}``."""
        for _value, ttl in items.values():
            check_ttl(ttl)
        now = time.monotonic()
        for key, (value, ttl) in items.items():
            self._put(key, encode(value), ttl, now)

    async def set_if_absent(self, key: str, value: bytes | str, ttl: float | None = None) -> bool:
        """Set ``key`` only if it does not exist; True if it was set."""
        check_ttl(ttl)
        now = time.monotonic()
        if self._live(key, now) is not None:
            return False
        self._put(key, encode(value), ttl, now)
        return True

    async def extend(self, key: str, value: bytes | str, ttl: float) -> bool:
        """Make ``key`` expire ``ttl`` seconds from now if it holds ``value``."""
        check_ttl(ttl)
        now = time.monotonic()
        entry = self._live(key, now)
        if entry is None or entry.value != encode(value):
            return False
        self._put(key, entry.value, ttl, now)
        return True

    async def delete(self, key: str) -> bool:
        """Remove ``key``; True if a key was removed."""
        if self._live(key, time.monotonic()) is None:
            return False
        del self._data[key]
        return True

    async def delete_many(self, keys: Sequence[str]) -> int:
        """Remove every key of ``keys``; how many were there."""
        return sum([await self.delete(key) for key in dict.fromkeys(keys)])

    async def incr(self, key: str, amount: int = 1, ttl: float | None = None) -> int:
        """Add ``amount`` to the counter ``key``; ``ttl`` only applies when it is created."""
        check_ttl(ttl)
        now = time.monotonic()
        entry = self._live(key, now)
        value = amount + (0 if entry is None else _counter(key, entry.value))
        if value not in INT64:  # as Redis: counters are signed 64-bit integers
            raise StoreError(f"key {key!r}: increment would overflow")
        if entry is None:
            self._put(key, str(value).encode(), ttl, now)
        else:
            entry.value = str(value).encode()
        return value

    async def ttl(self, key: str) -> float | None:
        """Seconds until ``key`` expires; None if it is missing or has no expiry."""
        now = time.monotonic()
        entry = self._live(key, now)
        if entry is None or entry.expires is None:
            return None
        return entry.expires - now

    # -- locks

    async def _acquire_lock(
        self,
        name: str,
        token: str,
        lease: float,
        wait: float | None,
        claim: Claim | None = None,
        read: Sequence[str] = (),
    ) -> dict[str, bytes | None] | None:
        if claim is not None:
            ours = await self.set_if_absent(claim.key, claim.value, claim.ttl)
            if not ours and await self.get(claim.key) != encode(claim.value):
                raise AlreadyClaimed(claim.key)
            claim.claimed()
        state = self._locks.get(name)
        if state is not None and state.token is not None and state.expires <= time.monotonic():
            self._pass_on(name, state)  # the holder's lease ran out; the timer has not fired yet
            state = self._locks.get(name)
        if state is None:
            state = self._locks[name] = _LockState()
        if state.token is None and not state.waiters:
            self._grant(name, state, token, lease)
            return self._read(read)
        if wait == 0:
            return None
        waiter = _Waiter(asyncio.get_running_loop().create_future(), token, lease)
        state.waiters.append(waiter)
        try:
            async with asyncio.timeout(wait):
                await waiter.future
        except TimeoutError:
            pass
        except BaseException:
            self._leave(name, state, waiter)
            raise
        if waiter.future.done() and not waiter.future.cancelled():
            return self._read(read)  # granted, possibly just as the wait ran out
        self._leave(name, state, waiter)
        return None

    def _read(self, keys: Sequence[str]) -> dict[str, bytes | None]:
        """The values of ``keys`` now, as the lock is taken or its grant is seen (the keys read
        with a lock are written only by its holders)."""
        now = time.monotonic()
        return {key: entry.value if (entry := self._live(key, now)) else None for key in keys}

    def _leave(self, name: str, state: _LockState, waiter: _Waiter) -> None:
        """Take a waiter that gives up out of the queue (or release the lock it was granted)."""
        if waiter.future.done() and not waiter.future.cancelled():
            self._release(name, waiter.token)
            return
        waiter.future.cancel()
        with contextlib.suppress(ValueError):
            state.waiters.remove(waiter)
        self._forget_if_idle(name, state)

    def _grant(self, name: str, state: _LockState, token: str, lease: float) -> None:
        state.token = token
        state.expires = time.monotonic() + lease
        if state.timer is not None:
            state.timer.cancel()
        state.timer = asyncio.get_running_loop().call_later(lease, self._on_lease_end, name)

    def _pass_on(self, name: str, state: _LockState) -> None:
        """Free the lock and grant it to the first waiter still waiting, if any."""
        state.token = None
        while state.waiters:
            waiter = state.waiters.popleft()
            if not waiter.future.done():
                self._grant(name, state, waiter.token, waiter.lease)
                waiter.future.set_result(None)
                return
        self._forget_if_idle(name, state)

    def _forget_if_idle(self, name: str, state: _LockState) -> None:
        if state.token is None and not state.waiters:
            if state.timer is not None:
                state.timer.cancel()
            if self._locks.get(name) is state:
                del self._locks[name]

    def _on_lease_end(self, name: str) -> None:
        state = self._locks.get(name)
        if state is None or state.token is None:
            return
        remaining = state.expires - time.monotonic()
        if remaining > 0:  # renewed meanwhile
            state.timer = asyncio.get_running_loop().call_later(remaining, self._on_lease_end, name)
        else:
            state.timer = None
            self._pass_on(name, state)

    def _release(self, name: str, token: str) -> bool:
        state = self._locks.get(name)
        if state is None or state.token != token:
            return False
        still_valid = state.expires > time.monotonic()
        self._pass_on(name, state)
        return still_valid

    async def _renew_lock(self, name: str, token: str, lease: float) -> bool:
        state = self._locks.get(name)
        now = time.monotonic()
        if state is None or state.token != token or state.expires <= now:
            return False
        state.expires = now + lease
        return True

    def _release_sent_at_once(self) -> bool:
        return True  # ``_release_lock`` never waits

    async def _release_lock(self, name: str, token: str, writes: Writes | None = None) -> bool:
        if writes:
            await self.set_many(writes)
        return self._release(name, token)

    # -- pub/sub

    async def publish(self, channel: str, message: bytes | str) -> int:
        """Queue ``message`` for every subscriber of ``channel``; a full queue misses it."""
        data = encode(message)
        reached = 0
        for queue in self._channels.get(channel, ()):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(data)
                reached += 1
        return reached

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[bytes]]:
        """Subscribe to ``channel`` for the duration of the block; yields the messages."""
        queue: asyncio.Queue[bytes] = asyncio.Queue(SUBSCRIBER_QUEUE_SIZE)
        self._channels.setdefault(channel, set()).add(queue)
        try:
            yield _messages(queue)
        finally:
            subscribers = self._channels[channel]
            subscribers.discard(queue)
            if not subscribers:
                del self._channels[channel]

    async def ping(self) -> None:
        """Always reachable."""


def _counter(key: str, value: bytes) -> int:
    """The integer a counter holds, in Redis' strict decimal form ("05", " 5", "+5" are not)."""
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or str(number).encode() != value or number not in INT64:
        raise StoreError(f"key {key!r} does not hold an integer")
    return number


async def _messages(queue: asyncio.Queue[bytes]) -> AsyncIterator[bytes]:
    while True:
        yield await queue.get()
