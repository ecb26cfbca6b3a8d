"""Database connection (Tortoise ORM) and schema migrations (aerich), SQLite or PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import asyncpg
from tortoise import BaseDBAsyncClient, Tortoise
from tortoise.backends.base.config_generator import expand_db_url

from models import MODEL_MODULES, statements

MIGRATIONS_ROOT = Path(__file__).resolve().parent.parent / "models" / "migrations"
APP = "models"


def dialect_of(url: str) -> str:
    """``sqlite`` or ``postgres``: which migration set applies to a database url."""
    return "sqlite" if url.startswith("sqlite://") else "postgres"


def _normalise_url(url: str, pool_max_size: int) -> str:
    if url.startswith("postgresql://"):
        url = "postgres://" + url[len("postgresql://") :]
    if dialect_of(url) == "postgres" and "maxsize=" not in url:
        url += ("&" if "?" in url else "?") + f"minsize=1&maxsize={pool_max_size}"
    return url


class PooledConnection(asyncpg.Connection):  # type: ignore[misc]
    """A PostgreSQL connection that goes back to the pool without a reset query.

    asyncpg resets a released connection with a query (``RESET ALL``, ``UNLISTEN *``, advisory
    unlock...), one more round trip after every transaction. certdesk keeps no session state
    on pooled connections (no LISTEN, SET or advisory lock), and asyncpg still rolls back a
    transaction left open, so the reset is skipped.
    """

    def get_reset_query(self) -> str:
        return ""


def _connection(url: str, pool_max_size: int) -> str | dict[str, Any]:
    url = _normalise_url(url, pool_max_size)
    if dialect_of(url) != "postgres":
        return url
    config = expand_db_url(url)
    config["credentials"]["connection_class"] = PooledConnection
    return config


def tortoise_config(url: str, pool_max_size: int = 10) -> dict[str, Any]:
    """The Tortoise/aerich configuration for a database url."""
    return {
        # The connection is named after its dialect: Tortoise caches SQL per connection name,
        # and one process (the test suite) may use SQLite and PostgreSQL one after the other.
        "connections": {dialect_of(url): _connection(url, pool_max_size)},
        "apps": {
            APP: {
                "models": [*MODEL_MODULES, "aerich.models"],
                "default_connection": dialect_of(url),
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def _ensure_sqlite_dir(url: str) -> None:
    if dialect_of(url) == "sqlite":
        path = url[len("sqlite://") :].split("?", 1)[0]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)


async def init_db(url: str, pool_max_size: int = 10) -> None:
    """Connect Tortoise for this process (all tasks share the connections)."""
    _ensure_sqlite_dir(url)
    await Tortoise.init(config=tortoise_config(url, pool_max_size), _enable_global_fallback=True)


async def close_db() -> None:
    """Close every connection opened by :func:`init_db`."""
    await statements.give_back()
    await Tortoise.close_connections()


def connection() -> BaseDBAsyncClient:
    """The database connection of this process."""
    return Tortoise.get_connection(_app_connection_name())


def _app_connection_name() -> str:
    return str(Tortoise.apps[APP]["Job"]._meta.default_connection)


def current_dialect() -> str:
    """``sqlite`` or ``postgres``: the database this process is connected to."""
    return _app_connection_name()


async def ping_db() -> None:
    """Raise if the database cannot answer a trivial query."""
    await connection().execute_query("SELECT 1")


async def _aerich(url: str) -> Any:
    """An initialised aerich command for the migration set of ``url``'s dialect."""
    from aerich import Command

    _ensure_sqlite_dir(url)
    config = tortoise_config(url)
    command = Command(
        tortoise_config=config, app=APP, location=str(MIGRATIONS_ROOT / dialect_of(url))
    )
    await Tortoise.init(config=config)  # aerich reuses an initialised Tortoise as it is
    await command.init()
    return command


async def migrate(url: str) -> list[str]:
    """Apply pending migrations (creating the schema on an empty database); return their names."""
    try:
        command = await _aerich(url)
        applied: list[str] = await command.upgrade(run_in_transaction=True)
    finally:
        await Tortoise.close_connections()
    return applied


def database_url_from_env() -> str:
    """The url aerich's own CLI should use when developers generate a migration."""
    return os.environ.get("CERTDESK_DATABASE_URL", "sqlite://var/certdesk.sqlite3")


# For developers running aerich's CLI: `aerich --app models migrate --name ...`
TORTOISE_ORM = tortoise_config(database_url_from_env())


async def make_migration(url: str, name: str) -> str | None:
    """Write the migration from the current models for ``url``'s dialect (developers).

    ``url`` must be a scratch database: pending migrations are applied to it first, then the
    difference between the last migration and the models becomes a new migration file.
    """
    try:
        command = await _aerich(url)
        await command.upgrade(run_in_transaction=True)
        await command.init()  # reload the last applied state before diffing the models
        written: str = await command.migrate(name)
    finally:
        await Tortoise.close_connections()
    return written or None
