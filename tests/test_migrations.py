"""The committed migrations build exactly the schema the models describe, on both databases.

A model change without its migration (``aerich migrate`` for each dialect) fails here.
"""

from __future__ import annotations

from tortoise import Tortoise

from bot.config import Settings
from bot.db import _aerich, close_db, connection, init_db
from bot.engine import new_order_no
from models.invoices import Invoice, InvoiceState
from models.orders import Order, OrderStatus

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


async def test_orders_paid_before_the_invoice_table_get_their_invoice_request(
    settings: Settings,
) -> None:
    """Migrate back to 4, record orders as then, migrate to the latest: the paid ones (and
    later states) have a pending manual invoice request, the unpaid ones none."""
    command = await _aerich(settings.database.url)  # the migrations' own aerich command
    try:
        reverted = await command.downgrade(5, delete=False)
        assert min(reverted).startswith("5_")  # 5 and what came after it
        assert not await connection().execute_query_dict(
            "SELECT 1 FROM aerich WHERE version LIKE '5_%'"
        )
        statuses = [OrderStatus.SUBMITTED, OrderStatus.PAID, OrderStatus.SHIPPED]
        orders = {
            status: await Order.create(
                order_no=new_order_no(), kind="org", status=status, owner_openid="o-old"
            )
            for status in statuses
        }
        applied = await command.upgrade(run_in_transaction=True)
        assert sorted(applied) == sorted(reverted)
        invoices = {i.order_id: i for i in await Invoice.all()}  # type: ignore[attr-defined]
        assert set(invoices) == {orders[OrderStatus.PAID].id, orders[OrderStatus.SHIPPED].id}
        for invoice in invoices.values():
            assert invoice.state is InvoiceState.PENDING and invoice.provider == "manual"
            assert invoice.emails_sent == 0 and invoice.created_at.tzinfo is not None
    finally:
        await close_db()
