"""Shared fixtures: every database test runs twice, on SQLite + the in-process store and on
PostgreSQL + Redis (the real servers on 127.0.0.1), each test in its own database and key prefix.

The schema comes from the project's migrations: a template database is migrated once per
session (with ``certdesk migrate``) and copied for every test.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.config import Settings, load_settings
from bot.db import close_db, init_db
from bot.sandbox.wechat_api import WeChatApiFake
from bot.secrets_box import generate_key
from bot.services import Services, build_services
from bot.store import MemoryStore, RedisStore, Store
from tests.conftest_card import *  # noqa: F403  (emulated PIV cards, pcscd + vpcd)
from tests.fakes.fixtures import *  # noqa: F403  (fake WeChat, Pay, SMS and SMTP servers)

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://root@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PG_SERVER = PG_ADMIN_URL.rsplit("/", 1)[0]
BACKENDS = ["sqlite", "postgres"]


def run_certdesk(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run the certdesk CLI in a subprocess (as an operator would) and return its result."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _migrate(url: str) -> None:
    result = run_certdesk("migrate", env={"CERTDESK_DATABASE_URL": url})
    if result.returncode != 0:
        raise RuntimeError(f"certdesk migrate failed for {url}:\n{result.stderr}")


async def _pg_admin(*statements: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database file to copy for each test."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    _migrate(f"sqlite://{path}")
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A migrated PostgreSQL database to use as TEMPLATE for each test's database."""
    name = f"certdesk_tpl_{os.getpid()}"
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'))
    _migrate(f"{PG_SERVER}/{name}")
    yield name
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_keys() -> dict[str, object]:
    """Fresh keys for one test."""
    return {"data_keys": [generate_key()], "lookup_key": generate_key()}


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """``sqlite`` (embedded defaults) or ``postgres`` (PostgreSQL + Redis)."""
    return str(request.param)


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of this test's own, already migrated."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "certdesk.sqlite3"
        shutil.copy(template, path)
        yield f"sqlite://{path}"
        return
    template_name: str = request.getfixturevalue("pg_template")
    name = f"certdesk_t_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"'))
    yield f"{PG_SERVER}/{name}"
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards."""
    prefix = f"certdesk-test:{uuid.uuid4().hex[:12]}:"
    yield prefix

    async def cleanup() -> None:
        client = aioredis.from_url(REDIS_URL)
        try:
            keys = [key async for key in client.scan_iter(match=prefix + "*", count=500)]
            if keys:
                await client.delete(*keys)
        finally:
            await client.aclose()

    asyncio.run(cleanup())


def with_wechat(
    settings: Settings, fake: WeChatApiFake, *, token: str, aes_key: str = "", budget: float = 4.0
) -> Settings:
    """``settings`` pointed at the WeChat fake, with our server token (and safe-mode key)."""
    return dataclasses.replace(
        settings,
        wechat=dataclasses.replace(
            settings.wechat,
            app_id=fake.app_id,
            app_secret=fake.app_secret,
            token=token,
            encoding_aes_key=aes_key,
            api_base_url=fake.base_url,
            reply_budget=budget,
        ),
    )


@pytest.fixture(params=["memory", "redis"])
def store_kind(request: pytest.FixtureRequest) -> str:
    """Which store implementation a store test runs on."""
    return str(request.param)


@pytest.fixture
async def store(store_kind: str, redis_prefix: str) -> AsyncIterator[Store]:
    """A store of this test's own; a Redis one must answer a ping (never skipped)."""
    made = (
        MemoryStore(redis_prefix) if store_kind == "memory" else RedisStore(REDIS_URL, redis_prefix)
    )
    await made.ping()
    try:
        yield made
    finally:
        await made.close()


@pytest.fixture
async def peer(store_kind: str, store: Store, redis_prefix: str) -> AsyncIterator[Store]:
    """Another process of the same deployment: a second Redis client on the same prefix
    (for the in-process store, the only object that shares its state: itself)."""
    if store_kind == "memory":
        yield store
        return
    other = RedisStore(REDIS_URL, redis_prefix)
    try:
        yield other
    finally:
        await other.close()


@pytest.fixture
def settings(backend: str, database_url: str, redis_prefix: str, tmp_path: Path) -> Settings:
    """Settings of one test: its database, its store prefix, fresh keys, files in tmp_path."""
    base = load_settings(None, env={})
    return dataclasses.replace(
        base,
        database=dataclasses.replace(base.database, url=database_url, pool_max_size=5),
        redis=dataclasses.replace(
            base.redis, url=REDIS_URL if backend == "postgres" else "", prefix=redis_prefix
        ),
        storage=dataclasses.replace(base.storage, path=str(tmp_path / "files")),
        security=dataclasses.replace(base.security, **test_keys()),  # type: ignore[arg-type]
        logging=dataclasses.replace(base.logging, format="text"),
    )


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[Services]:
    """Services with the database connected (for tests below the HTTP layer)."""
    built = build_services(settings)
    await init_db(settings.database.url, settings.database.pool_max_size)
    try:
        yield built
    finally:
        await built.close()
        await close_db()


@pytest.fixture
async def client(settings: Settings, aiohttp_client: object) -> TestClient:  # type: ignore[type-arg]
    """An HTTP test client of the full application (without the in-process worker)."""
    app = create_app(settings, run_worker=False)
    return await aiohttp_client(app)  # type: ignore[operator,no-any-return]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """In CI a skipped test is a failure: a missing component must never pass silently."""
    report = yield
    if os.environ.get("CI") and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, which is not allowed: {report.longrepr}"
    return report
