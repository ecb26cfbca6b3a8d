"""The hand-written statements of hot paths (a chat turn's load and save), sent straight to
asyncpg on PostgreSQL; other databases go through Tortoise.

On PostgreSQL, outside a transaction, a statement runs on a connection *lent* by this module:
a few connections borrowed from Tortoise's asyncpg pool once and handed from a list. The pool's
own acquire and release (a timeout scope, a session reset, a task shielding the release) took
more CPU than the statements they wrapped: 8% of a webhook step. A single statement outside a
transaction leaves no session state, so a lent connection is not reset between statements. One
that fails in any way (an error, a broken connection, a cancellation part-way), or was closed
while idle, goes back to the pool, which resets or replaces it. When every lent connection is
busy, the statement goes through the pool as before: at most half of the pool is lent.

Inside a transaction the statement runs on the transaction's connection under its lock, as
Tortoise does. Tortoise's wrapper around each query (connection lookup, pool wrapper, exception
translation) is skipped: its translation only renames syntax, data and integrity errors, which
these statements, built from the models with every value a parameter, do not meet.

``give_back`` (called by ``bot.db.close_db``) returns the lent connections before the pool
closes: a pool waits for every connection it lent out.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any, cast

import asyncpg
from tortoise.backends.asyncpg.client import AsyncpgDBClient, TransactionWrapper
from tortoise.backends.base.client import BaseDBAsyncClient

LENT_SHARE = 2
"""At most 1 / LENT_SHARE of the pool (at least one connection) is lent for hot statements: the
chat turns of one process at 32 at once kept a quarter of a pool of 20 busy and overflowed."""


class _Lender:
    """The connections lent from one pool: idle ones, and how many are out in all."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.limit = max(1, pool.get_max_size() // LENT_SHARE)
        self.idle: list[Any] = []  # asyncpg's pool connection proxies
        self.lent = 0
        self.closing = False

    async def take(self) -> Any | None:
        """An idle lent connection, a newly borrowed one, or None (use the pool). One closed
        while idle (the database restarted, or ended the session) goes back to be replaced."""
        while self.idle:
            connection = self.idle.pop()
            with contextlib.suppress(asyncpg.InterfaceError):  # closed: the pool took it back
                if not connection.is_closed():
                    return connection
            await self.drop(connection)
        if self.lent >= self.limit or self.closing:
            return None
        self.lent += 1
        try:
            return await self.pool.acquire()
        except BaseException:
            self.lent -= 1
            raise

    async def drop(self, connection: Any) -> None:
        """Give ``connection`` back to the pool, which resets it (or replaces it if broken)."""
        self.lent -= 1
        await self.pool.release(connection)


_lenders: dict[asyncpg.Pool, _Lender] = {}


def _lender(pool: asyncpg.Pool) -> _Lender:
    lender = _lenders.get(pool)
    if lender is None:
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
        lender.idle.append(connection)
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
    """Return every idle lent connection to its pool (before the pools close); connections
    still running a statement go back when it ends."""
    lenders = list(_lenders.values())
    _lenders.clear()
    for lender in lenders:
        lender.closing = True
        while lender.idle:
            lender.lent -= 1
            await lender.pool.release(lender.idle.pop())
