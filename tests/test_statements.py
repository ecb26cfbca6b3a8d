"""Hot statements on connections lent from the PostgreSQL pool: few connections serve them,
the rest of the pool stays free, a failed or abandoned statement leaves nothing stuck, and every
lent connection is back in the pool before it closes."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from tortoise.backends.asyncpg.client import AsyncpgDBClient

from bot.db import connection
from bot.services import Services
from models import statements
from models.statements import execute, fetch_row

POSTGRES_ONLY = pytest.mark.parametrize("backend", ["postgres"])


async def _pool() -> asyncpg.Pool:
    db = connection()
    await db.execute_query("SELECT 1")  # Tortoise opens its pool on the first query
    assert isinstance(db, AsyncpgDBClient) and db._pool is not None
    return db._pool


def _out(pool: asyncpg.Pool) -> int:
    """Connections of the pool not idle in it."""
    return pool.get_size() - pool.get_idle_size()


@POSTGRES_ONLY
async def test_hot_statements_share_half_of_the_pool(services: Services) -> None:
    pool = await _pool()  # 5 connections at most in the tests: two may be lent
    for n in range(20):
        row = await fetch_row(connection(), "SELECT $1::int AS n", [n])
        assert row is not None and row["n"] == n
    assert _out(pool) == 1
    at_once = await asyncio.gather(
        *(fetch_row(connection(), "SELECT pg_sleep(0.02), $1::int AS n", [n]) for n in range(8))
    )
    assert [row["n"] for row in at_once if row is not None] == list(range(8))
    assert _out(pool) == 2  # two lent; the others went through the pool and back


@POSTGRES_ONLY
async def test_a_failed_or_abandoned_statement_leaves_nothing_stuck(services: Services) -> None:
    pool = await _pool()
    with pytest.raises(asyncpg.DataError):
        await fetch_row(connection(), "SELECT 1 / $1::int AS x", [0])
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(execute(connection(), "SELECT pg_sleep(5)", []), 0.1)
    row = await fetch_row(connection(), "SELECT 2 AS two", [])  # not blocked by the sleeper
    assert row is not None and row["two"] == 2
    lent = await fetch_row(connection(), "SELECT pg_backend_pid() AS pid", [])
    assert lent is not None
    await connection().execute_query("SELECT pg_terminate_backend($1)", [lent["pid"]])
    await asyncio.sleep(0.3)  # the server closes that session's socket
    row = await fetch_row(connection(), "SELECT pg_backend_pid() AS pid", [])
    assert row is not None and row["pid"] != lent["pid"]  # not the closed one: a fresh one
    assert _out(pool) == 1
    await statements.give_back()
    assert _out(pool) == 0  # the pool can close without waiting for anything


@POSTGRES_ONLY
async def test_after_give_back_statements_use_the_pool_and_it_closes_at_once(
    services: Services,
) -> None:
    pool = await _pool()
    await fetch_row(connection(), "SELECT 1", [])
    assert _out(pool) == 1
    await statements.give_back()
    row = await fetch_row(connection(), "SELECT 5 AS five", [])  # a turn ending at shutdown
    assert row is not None and row["five"] == 5
    assert _out(pool) == 0  # nothing lent again: closing the pool waits for nothing
    assert statements._lenders[pool].lent == 0


@POSTGRES_ONLY
async def test_a_small_pool_lends_nothing_and_idle_lent_connections_go_back(
    services: Services, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = await asyncpg.create_pool(database_url, min_size=1, max_size=3)
    try:
        row = await statements._run_lent(small, "fetchrow", "SELECT 1 AS one", [])
        assert row is not None and row["one"] == 1
        assert statements._lenders[small].limit == 0 and _out(small) == 0
    finally:
        await statements._lenders[small].give_back()
        await small.close()

    pool = await _pool()
    await fetch_row(connection(), "SELECT 1", [])
    lender = statements._lenders[pool]
    first = lender.idle[-1][0]
    monkeypatch.setattr(statements, "LENT_IDLE_SECONDS", 0.0)
    await fetch_row(connection(), "SELECT 1", [])  # the idle one had waited too long
    assert lender.idle[-1][0] is not first and lender.lent == 1
