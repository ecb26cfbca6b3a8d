"""The HTTP shell: health, metrics, and no traceback ever reaching a client."""

from __future__ import annotations

import dataclasses

from aiohttp import web

from bot.app import create_app
from bot.config import Settings


async def test_healthz_reports_database_and_store(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"status": "ok", "database": "ok", "store": "ok"}


async def test_healthz_names_what_is_down(settings: Settings, aiohttp_client) -> None:  # type: ignore[no-untyped-def]
    broken = dataclasses.replace(
        settings, redis=dataclasses.replace(settings.redis, url="redis://127.0.0.1:1/0")
    )
    client = await aiohttp_client(create_app(broken, run_worker=False))
    response = await client.get("/healthz")
    assert response.status == 503
    body = await response.json()
    assert body["status"] == "unavailable"
    assert body["database"] == "ok"
    assert body["store"].startswith("unavailable")


async def test_metrics_count_requests_by_route(client) -> None:  # type: ignore[no-untyped-def]
    await client.get("/healthz")
    await client.get("/no/such/page")
    response = await client.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    text = await response.text()
    assert 'certdesk_http_requests_total{method="GET",route="/healthz",status="200"}' in text
    assert 'route="unmatched",status="404"' in text
    assert "certdesk_http_request_seconds_bucket" in text
    for family in (
        "certdesk_flow_steps",
        "certdesk_payments",
        "certdesk_notices",
        "certdesk_jobs",
        "certdesk_errors",
    ):
        assert f"# TYPE {family}_total counter" in text or f"# TYPE {family} counter" in text


async def test_unexpected_error_is_a_plain_500_without_traceback(
    settings: Settings, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings, run_worker=False)

    async def explode(request: web.Request) -> web.Response:
        raise RuntimeError("secret internals 11010519491231002X")

    app.router.add_get("/explode", explode)
    client = await aiohttp_client(app)
    response = await client.get("/explode")
    assert response.status == 500
    text = await response.text()
    assert "Traceback" not in text
    assert "secret internals" not in text
    assert "request_id" in (await response.json())


async def test_documents_are_served_or_explained(settings: Settings, aiohttp_client) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    folder = Path(settings.storage.path) / "documents"
    folder.mkdir(parents=True)
    (folder / "authorization-letter.pdf").write_bytes(b"%PDF-1.4 template")
    client = await aiohttp_client(create_app(settings, run_worker=False))
    found = await client.get("/documents/authorization-letter")
    assert found.status == 200
    assert found.headers["Content-Type"] == "application/pdf"
    assert await found.read() == b"%PDF-1.4 template"
    missing = await client.get("/documents/privacy-policy")
    assert missing.status == 404 and "《隐私保护政策》暂未提供在线版本" in await missing.text()
    assert (await client.get("/documents/..%2Fcertdesk.sqlite3")).status == 404
