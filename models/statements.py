"""The hand-written statements of hot paths (a chat turn's load and save), sent straight to
asyncpg on PostgreSQL; other databases go through Tortoise.

On PostgreSQL, outside a transaction, a statement runs on a connection *lent* by this module:
a few connections borrowed from Tortoise's asyncpg pool once and handed from a list. The pool's
own acquire and release (a timeout scope, a session reset, a task shielding the release) took
more CPU than the statements they wrapped: 8% of a webhook step. A single statement outside a
transaction leaves no session state, so a lent connection is not reset between statements. One
that fails in any way (an error, a broken connection, a cancellation part-way), or was closed
while idle, goes back to the pool, which resets or replaces it. When every lent connection is
busy, the statement goes through the pool as before: at most half of the pool is lent (none of
a pool smaller than four), and a lent connection idle for a minute goes back.

Inside a transaction the statement runs on the transaction's connection under its lock, as
Tortoise does. Tortoise's wrapper around each query (connection lookup, pool wrapper, exception
translation) is skipped: its translation only renames syntax, data and integrity errors, which
these statements, built from the models with every value a parameter, do not meet.

``give_back`` (called by ``bot.db.close_db``) stops the lending and returns the lent connections
before the pools close: a pool waits for every connection it lent out.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import time
from collections.abc import Mapping
from typing import Any, cast

import asyncpg
from tortoise.backends.asyncpg.client import AsyncpgDBClient, TransactionWrapper
from tortoise.backends.base.client import BaseDBAsyncClient

log = logging.getLogger(__name__)

LENT_SHARE = 2
"""At most 1 / LENT_SHARE of the pool is lent for hot statements: the chat turns of one process
at 32 at once kept a quarter of a pool of 20 busy and overflowed."""
LENT_FROM = 4
"""A smaller pool lends nothing: the rest of the ORM (transactions, jobs) needs its few."""
LENT_IDLE_SECONDS = 60.0
"""A lent connection unused for this long goes back to the pool, which retires idle connections
(and a socket a firewall dropped silently is not kept for hours)."""


class _Lender:
    """The connections lent from one pool: idle ones (oldest first, with when each was last
    used), and how many are out in all."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        size = pool.get_max_size()
        self.limit = size // LENT_SHARE if size >= LENT_FROM else 0
        self.idle: collections.deque[tuple[Any, float]] = collections.deque()  # proxies
        self.lent = 0
        self.closing = False

    async def take(self) -> Any | None:
        """The most recently used idle lent connection, a newly borrowed one, or None (use the
        pool). One closed while idle (the database restarted, or ended the session), or idle
        for too long, goes back to the pool."""
        if self.closing or self.pool.is_closing():
            return None
        now = time.monotonic()
        while self.idle and now - self.idle[0][1] > LENT_IDLE_SECONDS:
            await self.drop(self.idle.popleft()[0])
        while self.idle:
            connection, _used = self.idle.pop()
            with contextlib.suppress(asyncpg.InterfaceError):  # closed: the pool took it back
                if not connection.is_closed():
                    return connection
            await self.drop(connection)
        if self.lent >= self.limit:
            return None
        self.lent += 1
        try:
            return await self.pool.acquire()
        except BaseException:
            self.lent -= 1
            raise

    def keep(self, connection: Any) -> None:
        """``connection`` ran its statement: lend it again."""
        self.idle.append((connection, time.monotonic()))

    async def drop(self, connection: Any) -> None:
        """Give ``connection`` back to the pool, which resets it (or replaces it if broken)."""
        self.lent -= 1
        await self.pool.release(connection)

    async def give_back(self) -> None:
        """Stop lending; give every idle connection back (one still running a statement goes
        back when it ends)."""
        self.closing = True
        while self.idle:
            connection, _used = self.idle.pop()
            try:
                await self.drop(connection)
            except Exception:  # its event loop is gone: the pool cannot take it back
                log.warning("a lent connection could not be given back", exc_info=True)


_lenders: dict[asyncpg.Pool, _Lender] = {}


def _lender(pool: asyncpg.Pool) -> _Lender:
    lender = _lenders.get(pool)
    if lender is None:
        for stale in [known for known in _lenders if known.is_closing()]:
            del _lenders[stale]  # its pool was closed (a test's, or after a reconnection)
        lender = _lenders[pool] = _Lender(pool)
    return lender


async def _run_lent(pool: asyncpg.Pool, method: str, sql: str, values: list[Any]) -> Any:
    lender = _lender(pool)
    connection = await lender.take()
    if connection is None:
        return await getattr(pool, method)(sql, *values)
    try:
        result = await getattr(connection, method)(sql, *values)
    except BaseException:
        await lender.drop(connection)
        raise
    if lender.closing:
        await lender.drop(connection)
    else:
        lender.keep(connection)
    return result


async def fetch_row(db: BaseDBAsyncClient, sql: str, values: list[Any]) -> Mapping[str, Any] | None:
    """The first row of a query, or None."""
    if isinstance(db, TransactionWrapper):
        async with db._lock:
            return cast(Mapping[str, Any] | None, await db._connection.fetchrow(sql, *values))
    if isinstance(db, AsyncpgDBClient) and db._pool is not None:
        return cast(Mapping[str, Any] | None, await _run_lent(db._pool, "fetchrow", sql, values))
    rows = await db.execute_query_dict(sql, values)
    return rows[0] if rows else None


async def execute(db: BaseDBAsyncClient, sql: str, values: list[Any]) -> None:
    """Run a statement that returns no rows."""
    if isinstance(db, TransactionWrapper):
        async with db._lock:
            await db._connection.execute(sql, *values)
    elif isinstance(db, AsyncpgDBClient) and db._pool is not None:
        await _run_lent(db._pool, "execute", sql, values)
    else:
        await db.execute_query(sql, values)


async def give_back() -> None:
    """Stop lending and give every idle lent connection back, before the pools close (a pool
    waits for every connection it lent out); statements after this go through the pools."""
    for lender in list(_lenders.values()):
        await lender.give_back()
