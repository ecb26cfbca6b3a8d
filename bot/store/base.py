"""The store interface: expiring keys, counters, locks and pub/sub shared by one deployment.

Two implementations follow the same contract (``tests/test_store_contract.py``):
``RedisStore`` for several processes and ``MemoryStore`` for a single process. The lock
protocol (a token unique to the holder, background lease renewal, release of one's own lock
only) lives here; the implementations provide the three primitives ``_acquire_lock``,
``_renew_lock`` and ``_release_lock``.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import logging
import math
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bot.heartbeat import Heartbeat
from bot.unique import unique_id

log = logging.getLogger(__name__)

REDIS_SCHEMES = frozenset({"redis", "rediss", "unix"})


class StoreError(Exception):
    """Base class of store errors (also raised for a misused key, e.g. ``incr`` on text)."""


class StoreUnavailable(StoreError):
    """The store's backend could not be reached or did not answer in time."""


class LockTimeout(StoreError):
    """The lock could not be acquired within ``wait`` seconds."""


class AlreadyClaimed(StoreError):
    """The key of a lock's ``Claim`` held another value: someone else has that work; the lock
    was not asked for."""


def encode(value: bytes | str) -> bytes:
    """A value as stored: bytes as they are, str UTF-8 encoded."""
    return value if isinstance(value, bytes) else value.encode()


def check_ttl(ttl: float | None) -> None:
    """Reject a ttl that is not a positive, finite number of seconds (None = no expiry)."""
    if ttl is not None and not (0 < ttl < math.inf):
        raise ValueError(f"ttl must be a positive number of seconds or None, got {ttl!r}")


Writes = Mapping[str, tuple[bytes | str, float | None]]


@dataclass(frozen=True)
class Claim:
    """A key ``Store.lock`` sets, if it is absent, in the round trip that first asks for the
    lock: who does a piece of work (a message being handled) is decided with no round trip of
    its own. ``on_claimed`` is called once the key is set, before any wait for the lock.

    ``value`` should be the claimant's own (``bot.unique``): a key that already holds it counts
    as claimed by this claimant (an attempt retried after its connection broke). The key lives
    until its ``ttl`` (renew it with ``Store.extend``), whatever becomes of the lock: what
    ``on_claimed`` started is the claimant's to stop."""

    key: str
    value: bytes | str
    ttl: float
    on_claimed: Callable[[], None] | None = None

    def claimed(self) -> None:
        """Tell the claimant that the key is now set."""
        if self.on_claimed is not None:
            self.on_claimed()


@dataclass
class HeldLock:
    """A lock being held. Writes registered with ``set_on_release`` are made in the same round
    trip that releases the lock, just before it is released."""

    on_release: dict[str, tuple[bytes | str, float | None]] = field(default_factory=dict)
    read: dict[str, bytes | None] = field(default_factory=dict)
    """The values of the keys ``Store.lock`` was asked to ``read``, as they were once the lock
    was taken (None: missing)."""

    def set_on_release(self, key: str, value: bytes | str, ttl: float | None = None) -> None:
        """Set ``key`` to ``value`` (expiring after ``ttl`` seconds) when the lock is released."""
        check_ttl(ttl)
        self.on_release[key] = (value, ttl)


class Store(abc.ABC):
    """Expiring key-value state shared by the processes of one deployment.

    Keys and channels are namespaced with ``prefix``. Lock names live in a namespace of their
    own in ``MemoryStore``; ``RedisStore`` keeps them under ``prefix + "lock:"``, so plain keys
    starting with ``lock:`` are reserved.
    """

    prefix: str

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self._renewals: set[Heartbeat] = set()

    @abc.abstractmethod
    async def get(self, key: str) -> bytes | None:
        """The value of ``key``, or None if it is missing or expired."""

    @abc.abstractmethod
    async def set(self, key: str, value: bytes | str, ttl: float | None = None) -> None:
        """Set ``key`` to ``value``, expiring after ``ttl`` seconds (None: never)."""

    @abc.abstractmethod
    async def set_many(self, items: Mapping[str, tuple[bytes | str, float | None]]) -> None:
        """Set several keys at once (one round trip): ``{key: (value, ttl)}``; not atomic."""

    @abc.abstractmethod
    async def set_if_absent(self, key: str, value: bytes | str, ttl: float | None = None) -> bool:
        """Set ``key`` only if it does not exist; True if it was set."""

    @abc.abstractmethod
    async def extend(self, key: str, value: bytes | str, ttl: float) -> bool:
        """Make ``key`` expire ``ttl`` seconds from now if it holds ``value`` (a claim still
        one's own); True if it did, False if it is missing or holds something else."""

    @abc.abstractmethod
    async def delete(self, key: str) -> bool:
        """Remove ``key``; True if a key was removed."""

    @abc.abstractmethod
    async def delete_many(self, keys: Sequence[str]) -> int:
        """Remove every key of ``keys`` (one round trip); how many were there."""

    @abc.abstractmethod
    async def incr(self, key: str, amount: int = 1, ttl: float | None = None) -> int:
        """Add ``amount`` to the counter ``key`` (missing = 0) and return the new value.

        ``ttl`` is applied only when the counter is created (a fixed window); later calls never
        extend it. Raises StoreError if the key holds something that is not an integer.
        """

    @abc.abstractmethod
    async def ttl(self, key: str) -> float | None:
        """Seconds until ``key`` expires; None if it is missing or has no expiry."""

    def lock(
        self,
        name: str,
        *,
        lease: float = 30.0,
        wait: float | None = 10.0,
        claim: Claim | None = None,
        read: Sequence[str] = (),
    ) -> contextlib.AbstractAsyncContextManager[HeldLock]:
        """Mutual exclusion on ``name`` across every process sharing the store (each holder has a
        token of its own: ``bot.unique``).

        ``lease``: how long the lock outlives a crashed holder; while held it is renewed in the
        background every ``lease / 3`` seconds. ``wait``: seconds to wait for it (None: forever,
        0: try once); LockTimeout when it elapses. Leaving the block releases the lock only if
        this holder still owns it; writes registered on the ``HeldLock`` are made in the same round
        trip, whether or not the lock was still owned. Waiters are served in FIFO order (see the
        implementations). ``claim``: its key is set, if absent, in the first round trip that asks
        for the lock; if it holds another value, AlreadyClaimed is raised and the lock is neither
        taken nor waited for. ``read``: keys whose values are read in the round trip that takes
        the lock (``HeldLock.read``): what only the holder writes needs no round trip of its own.
        """
        check_ttl(lease)
        if claim is not None:
            check_ttl(claim.ttl)
        if wait is not None and not wait >= 0:
            raise ValueError(f"wait must be >= 0 seconds or None, got {wait!r}")
        return self._locked(name, lease, wait, claim, read)

    @contextlib.asynccontextmanager
    async def _locked(
        self, name: str, lease: float, wait: float | None, claim: Claim | None, read: Sequence[str]
    ) -> AsyncIterator[HeldLock]:
        token = unique_id()
        values = await self._acquire_lock(name, token, lease, wait, claim, read)
        if values is None:
            raise LockTimeout(f"lock {name!r} not acquired within {wait} s")
        renewal = Heartbeat(lambda: self._renew_held(name, token, lease), lease / 3)
        self._renewals.add(renewal)
        held = HeldLock(read=values)
        try:
            yield held
        finally:
            renewal.cancel()
            self._renewals.discard(renewal)
            release = self._release_lock(name, token, held.on_release)
            try:
                # A cancelled holder still releases instead of leaving the lock to its lease: the
                # release is shielded (a task) unless it is sent before it first waits.
                released = await (
                    release if self._release_sent_at_once() else asyncio.shield(release)
                )
            except StoreError as exc:
                log.warning("lock %r not released (it expires after its lease): %s", name, exc)
            else:
                if not released:
                    log.warning("lock %r had expired before its holder released it", name)

    def _release_sent_at_once(self) -> bool:
        """Whether ``_release_lock`` would make the release before it first waits (so that a
        holder cancelled while it waits for the answer has released all the same)."""
        return False

    async def _renew_held(self, name: str, token: str, lease: float) -> bool:
        """Renew the lease of a held lock; False once the lock is lost (renewal stops)."""
        try:
            if not await self._renew_lock(name, token, lease):
                log.warning("lock %r was lost: its lease expired while held", name)
                return False
        except StoreError as exc:
            log.warning("lock %r: lease renewal failed, retrying: %s", name, exc)
        return True

    @abc.abstractmethod
    async def _acquire_lock(
        self,
        name: str,
        token: str,
        lease: float,
        wait: float | None,
        claim: Claim | None = None,
        read: Sequence[str] = (),
    ) -> dict[str, bytes | None] | None:
        """Take lock ``name`` for ``token`` within ``wait`` seconds: the values of the keys of
        ``read`` once it is taken (read in the round trip that takes it); None on timeout.

        ``claim`` is set (if absent) with the first attempt, and ``claim.claimed()`` called
        before any wait; AlreadyClaimed if its key holds another value. If cancelled or failing, the
        implementation must not leave the lock held or a place in its queue behind.
        """

    @abc.abstractmethod
    async def _renew_lock(self, name: str, token: str, lease: float) -> bool:
        """Extend the lease of ``token``'s lock to ``lease`` seconds; False if not held."""

    @abc.abstractmethod
    async def _release_lock(self, name: str, token: str, writes: Writes | None = None) -> bool:
        """Make ``writes`` (``{key: (value, ttl)}``), then release ``token``'s lock (or its place
        in the queue), in one round trip; False if it did not hold the lock."""

    @abc.abstractmethod
    async def publish(self, channel: str, message: bytes | str) -> int:
        """Send ``message`` to the subscribers of ``channel``; how many got it (best effort)."""

    @abc.abstractmethod
    def subscribe(
        self, channel: str
    ) -> contextlib.AbstractAsyncContextManager[AsyncIterator[bytes]]:
        """Subscribe to ``channel``: ``async with store.subscribe(ch) as messages``.

        The subscription is active when the block is entered (a publish right after it is
        received) and ends when the block is left.
        """

    @abc.abstractmethod
    async def ping(self) -> None:
        """Check the backend; raises StoreUnavailable if it cannot be reached."""

    async def close(self) -> None:
        """Stop renewing held locks (they expire after their lease) and release connections."""
        for renewal in self._renewals:
            renewal.cancel()
        self._renewals.clear()


def create_store(url: str, prefix: str = "certdesk:") -> Store:
    """The store for ``url``: "" = in-process store, redis://, rediss:// or unix:// = Redis."""
    # Imported here: both implementations import this module.
    if not url:
        from bot.store.memory import MemoryStore

        return MemoryStore(prefix)
    scheme = urlsplit(url).scheme
    if scheme in REDIS_SCHEMES:
        from bot.store.redis import RedisStore

        return RedisStore(url, prefix)
    raise ValueError(
        f"unsupported store url scheme {scheme!r}: use redis://, rediss:// or unix://, "
        "or an empty url for the in-process store"
    )
