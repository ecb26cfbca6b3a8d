"""One pipelined connection to Redis, shared by every caller of a process.

Commands from concurrent callers are written to one socket back to back (those issued in one
turn of the event loop leave in one write) and their replies, which Redis sends in the same
order, are handed back by position. Against a connection pool (redis-py's) this saves a pool
checkout, a health check and a timeout context per command, and most of the system calls: on
the webhook's hot path a command costs about half the CPU.

- A caller that is cancelled or times out simply stops waiting; its reply is read and dropped
  when it comes, so the stream never falls out of step and no cancellation is lost.
- A reply that takes longer than ``timeout`` seconds means the connection is broken: it is
  closed and every command waiting on it fails with ``LinkError``; the next command opens a
  new connection. A command that fails because the connection broke is retried once on a new
  one (a Redis restart breaks every connection), unless its caller says it must not run twice
  (``retry=False``: INCRBY, SET NX, PUBLISH): it may have reached Redis before the break, so it
  fails with ``LinkError`` (even when it was still waiting to be written). A reply timeout is
  never retried.
- Error replies (``-ERR ...``) are raised as ``ReplyError``.

Replies are parsed by hiredis (C). Commands that take over a connection (SUBSCRIBE, blocking
pops, MONITOR) must not be sent here.
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import hiredis

Arg = bytes | str | int | float


class LinkError(Exception):
    """The connection failed (could not connect, broke, or a reply did not come in time)."""


class ReplyTimeout(LinkError):
    """A reply did not come in time (the command may have run: it is not retried)."""


class ReplyError(Exception):
    """Redis answered the command with an error reply."""


class _ProtocolError(LinkError):
    """Redis sent something that is not RESP (the stream cannot be trusted any more)."""


@dataclass(frozen=True)
class Address:
    """Where and how to connect: host and port, or a Unix socket path; database, credentials."""

    host: str = "127.0.0.1"
    port: int = 6379
    path: str = ""
    db: int = 0
    username: str = ""
    password: str = ""
    tls: bool = False


class Script:
    """A Lua script, run by its SHA-1 (sent in full once to a Redis that does not have it)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.sha = hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest()


class _Protocol(asyncio.Protocol):
    """The socket of one connection: writes batched per loop turn, replies matched in order."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.reader = hiredis.Reader(protocolError=_ProtocolError, replyError=ReplyError)
        self.waiting: collections.deque[tuple[asyncio.Future[Any], float]] = collections.deque()
        self.transport: asyncio.Transport | None = None
        self.broken: Exception | None = None
        self._outgoing: list[bytes] = []
        self._watchdog: asyncio.TimerHandle | None = None
        self.loop = asyncio.get_running_loop()

    # -- asyncio.Protocol --------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's are not subclasses

    def data_received(self, data: bytes) -> None:
        self.reader.feed(data)
        while True:
            try:
                reply = self.reader.gets()
            except _ProtocolError as exc:
                self.fail(LinkError(f"not a Redis reply: {exc}"))
                return
            if reply is False:
                return
            if not self.waiting:
                self.fail(LinkError("a reply nobody asked for"))
                return
            future, _deadline = self.waiting.popleft()
            if future.done():  # its caller stopped waiting
                continue
            if isinstance(reply, ReplyError):
                future.set_exception(reply)
            else:
                future.set_result(reply)

    def connection_lost(self, exc: Exception | None) -> None:
        self.fail(LinkError(f"connection lost: {exc}" if exc else "connection closed by Redis"))

    # -- commands ----------------------------------------------------------------------------

    def send(self, packed: bytes) -> asyncio.Future[Any]:
        """Queue one packed command; the future gets its reply."""
        if self.broken is not None:
            raise self._error()
        future: asyncio.Future[Any] = self.loop.create_future()
        deadline = self.loop.time() + self.timeout
        self.waiting.append((future, deadline))
        if not self._outgoing:
            self.loop.call_soon(self._flush)
        self._outgoing.append(packed)
        if self._watchdog is None:
            self._watchdog = self.loop.call_at(deadline, self._check_deadline)
        return future

    def _flush(self) -> None:
        if self._outgoing and self.transport is not None and self.broken is None:
            self.transport.write(b"".join(self._outgoing))
        self._outgoing.clear()

    def _check_deadline(self) -> None:
        """A reply overdue means a dead server or network: give up on the connection."""
        self._watchdog = None
        live = [deadline for future, deadline in self.waiting if not future.done()]
        if not live:
            return  # the next command starts watching again
        oldest = min(live)
        if oldest <= self.loop.time():
            self.fail(ReplyTimeout(f"no reply from Redis within {self.timeout} s"))
        else:
            self._watchdog = self.loop.call_at(oldest, self._check_deadline)

    def _error(self) -> Exception:
        """A fresh copy of the error that broke the connection, for one caller."""
        assert self.broken is not None
        return type(self.broken)(*self.broken.args)

    def fail(self, error: Exception) -> None:
        """Mark the connection broken: fail every waiting command and close the socket."""
        if self.broken is None:
            self.broken = error
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        while self.waiting:
            future, _deadline = self.waiting.popleft()
            if not future.done():
                future.set_exception(self._error())
        self._outgoing.clear()
        if self.transport is not None:
            self.transport.close()


class RedisLink:
    """A lazily opened, pipelined connection; see the module docstring."""

    def __init__(
        self, address: Address, *, timeout: float = 5.0, connect_timeout: float = 5.0
    ) -> None:
        self.address = address
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self._protocol: _Protocol | None = None
        self._connecting: asyncio.Future[_Protocol] | None = None

    def connected(self) -> bool:
        """Whether a command sent now is written without waiting for a connection first."""
        protocol = self._protocol
        return (
            protocol is not None
            and protocol.broken is None
            and protocol.loop is asyncio.get_running_loop()
        )

    async def call(self, *args: Arg, retry: bool = True) -> Any:
        """Send one command and return its reply; ``retry``: see ``pipeline``."""
        (reply,) = await self.pipeline([args], retry=retry)
        return reply

    async def run(self, script: Script, keys: Sequence[Arg], args: Sequence[Arg]) -> Any:
        """Run ``script`` with ``keys`` and ``args`` and return its reply."""
        try:
            return await self.call("EVALSHA", script.sha, len(keys), *keys, *args)
        except ReplyError as exc:
            if not str(exc).startswith("NOSCRIPT"):
                raise
            return await self.call("EVAL", script.source, len(keys), *keys, *args)

    async def pipeline(self, commands: Sequence[Sequence[Arg]], *, retry: bool = True) -> list[Any]:
        """Send commands back to back (nothing from other callers between them) and return
        their replies in order; a command's error reply is raised after all have answered.

        ``retry=False`` for commands that must not run twice: when the connection breaks after
        they were written they fail with ``LinkError`` instead of being sent again.
        """
        packed = [_pack(command) for command in commands]
        for attempt in (1, 2):
            protocol = await self._connected()
            try:
                futures = [protocol.send(command) for command in packed]
            except LinkError:
                continue  # broke between connecting and sending: a fresh one
            results = await _replies(futures)
            lost = [r for r in results if isinstance(r, LinkError)]
            if lost:
                if attempt == 1 and retry and not isinstance(lost[0], ReplyTimeout):
                    continue
                raise lost[0]
            for result in results:
                if isinstance(result, BaseException):
                    raise result
            return results
        raise LinkError("the connection broke twice")

    async def _connected(self) -> _Protocol:
        protocol = self._protocol
        if self.connected():
            assert protocol is not None
            return protocol
        if protocol is not None and protocol.broken is None:
            protocol.fail(LinkError("opened in another event loop"))
        if self._connecting is None or self._connecting.done():
            self._connecting = asyncio.ensure_future(self._connect())
            self._connecting.add_done_callback(_retrieve)
        return await asyncio.shield(self._connecting)

    async def _connect(self) -> _Protocol:
        loop = asyncio.get_running_loop()
        address = self.address
        protocol: _Protocol | None = None
        try:
            async with asyncio.timeout(self.connect_timeout):
                if address.path:
                    _transport, protocol = await loop.create_unix_connection(
                        lambda: _Protocol(self.timeout), address.path
                    )
                else:
                    _transport, protocol = await loop.create_connection(
                        lambda: _Protocol(self.timeout),
                        address.host,
                        address.port,
                        ssl=ssl.create_default_context() if address.tls else None,
                    )
                if address.password:
                    user = (address.username,) if address.username else ()
                    await protocol.send(_pack(("AUTH", *user, address.password)))
                if address.db:
                    await protocol.send(_pack(("SELECT", address.db)))
        except (OSError, TimeoutError, LinkError, ReplyError) as exc:
            if protocol is not None:
                protocol.fail(LinkError("could not be set up"))
            raise LinkError(f"cannot connect to Redis: {exc!r}") from exc
        self._protocol = protocol
        return protocol

    async def close(self) -> None:
        """Close the connection (commands waiting on it fail)."""
        if self._protocol is not None:
            self._protocol.fail(LinkError("closed"))
            self._protocol = None


def _pack(command: Sequence[Arg]) -> bytes:
    """One command in RESP (hiredis, C)."""
    packed: bytes = hiredis.pack_command(tuple(command))  # type: ignore[arg-type]  # stub: 1-tuple
    return packed


async def _replies(futures: list[asyncio.Future[Any]]) -> list[Any]:
    """The replies, or the errors, of sent commands, awaited in order (their replies come in
    order: once the first is in, the others mostly are too; gather would cost more than the
    round trip it saves). A cancelled caller stops waiting for every one of them."""
    results: list[Any] = []
    try:
        for future in futures:
            try:
                results.append(await future)
            except (LinkError, ReplyError) as exc:
                results.append(exc)
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    return results


def _retrieve(future: asyncio.Future[Any]) -> None:
    """Mark a connection attempt's failure as seen (its waiters may all have given up)."""
    if not future.cancelled():
        future.exception()
