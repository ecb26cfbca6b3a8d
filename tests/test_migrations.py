"""The committed migrations build exactly the schema the models describe, on both databases.

A model change without its migration (``aerich migrate`` for each dialect) fails here.
"""

from __future__ import annotations

from tortoise import Tortoise

from bot.config import Settings
from bot.db import close_db, connection, init_db

COLUMNS_SQL = {
    "sqlite": (
        'SELECT m.name AS tbl, p.name AS col, p.type AS type, p."notnull" AS required '
        "FROM sqlite_master m JOIN pragma_table_info(m.name) p "
        "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name != 'aerich'"
    ),
    "postgres": (
        "SELECT table_name AS tbl, column_name AS col, data_type AS type, "
        "is_nullable AS required FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name != 'aerich'"
    ),
}


async def _columns(dialect: str) -> set[tuple[str, str, str, str]]:
    rows = await connection().execute_query_dict(COLUMNS_SQL[dialect])
    return {(r["tbl"], r["col"], str(r["type"]).upper(), str(r["required"])) for r in rows}


async def test_migrations_match_models(settings: Settings, backend: str) -> None:
    dialect = "sqlite" if backend == "sqlite" else "postgres"
    await init_db(settings.database.url)  # the test's database was built by `certdesk migrate`
    try:
        migrated = await _columns(dialect)
        # Rebuild the same database from the models alone and compare.
        conn = connection()
        tables = sorted({table for table, *_ in migrated})
        if dialect == "sqlite":  # dropped in name order: a table may go before its referrers
            await conn.execute_script("PRAGMA foreign_keys = OFF")
        for table in tables:
            await conn.execute_script(
                f'DROP TABLE IF EXISTS "{table}" CASCADE'
                if dialect == "postgres"
                else f'DROP TABLE "{table}"'
            )
        await Tortoise.generate_schemas(safe=True)
        from_models = await _columns(dialect)
    finally:
        await close_db()
    assert migrated == from_models
    assert {"job", "job_run"} <= {table for table, *_ in migrated}
