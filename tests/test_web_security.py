"""Security headers on every response and per-client rate limits on what strangers can call."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from bot.app import create_app
from bot.config import Settings


def limited(settings: Settings, per_minute: int, proxies: list[str] | None = None) -> Settings:
    server = dataclasses.replace(
        settings.server, rate_limit_per_minute=per_minute, trusted_proxies=proxies or []
    )
    return dataclasses.replace(settings, server=server)


async def test_pages_and_api_answers_carry_security_headers(
    settings: Settings, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    documents = Path(settings.storage.path) / "documents"
    documents.mkdir(parents=True)
    (documents / "privacy-policy.html").write_text("<h1>隐私保护政策</h1>", encoding="utf-8")
    client = await aiohttp_client(create_app(settings, run_worker=False))
    page = await client.get("/documents/privacy-policy")
    assert page.content_type == "text/html"
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    for response in (
        page,
        await client.get("/api/mp/v1/services"),
        await client.get("/no/such/page"),
        await client.get("/api/mp/v1/draft"),  # 401 raised as an HTTP exception
    ):
        assert response.headers["X-Content-Type-Options"] == "nosniff", response.url
        assert response.headers["Referrer-Policy"] == "no-referrer", response.url
    assert "Strict-Transport-Security" not in page.headers  # http public URL: no HSTS


async def test_https_deployments_send_hsts(settings: Settings, aiohttp_client) -> None:  # type: ignore[no-untyped-def]
    server = dataclasses.replace(settings.server, public_url="https://cert.example.cn")
    client = await aiohttp_client(
        create_app(dataclasses.replace(settings, server=server), run_worker=False)
    )
    response = await client.get("/api/mp/v1/services")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


async def test_strangers_are_rate_limited_per_address(settings: Settings, aiohttp_client) -> None:  # type: ignore[no-untyped-def]
    client = await aiohttp_client(create_app(limited(settings, 5), run_worker=False))
    statuses = [(await client.get("/api/mp/v1/services")).status for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    refused = await client.get("/api/mp/v1/services", headers={"X-Forwarded-For": "10.1.2.3"})
    assert refused.status == 429  # an untrusted peer cannot pick its own address
    assert int(refused.headers["Retry-After"]) >= 1
    assert "频繁" in (await refused.json())["message"]
    assert (await client.get("/documents/privacy-policy")).status == 404  # another group
    for _ in range(8):  # WeChat's signed callbacks are not counted here
        assert (await client.get("/wechat", params={"signature": "x"})).status != 429


async def test_a_trusted_proxy_forwards_each_clients_address(
    settings: Settings, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    client = await aiohttp_client(
        create_app(limited(settings, 2, proxies=["127.0.0.1"]), run_worker=False)
    )
    for address in ("10.0.0.1", "10.0.0.2"):
        headers = {"X-Forwarded-For": f"{address}, 127.0.0.1"}
        statuses = [
            (await client.get("/api/mp/v1/services", headers=headers)).status for _ in range(3)
        ]
        assert statuses == [200, 200, 429], address
