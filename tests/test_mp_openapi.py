"""The mini-program API against its OpenAPI description (``bot.mp_openapi``), with schemathesis.

For every operation, schemathesis generates requests from the description — valid ones and ones
that break it (wrong types, missing fields, out-of-range strings, random bytes as a photo) — and
sends them to a real server (on 127.0.0.1, with the WeChat fake for logins), on both backends.
Every answer must be described: a documented status (never a 5xx), JSON of the documented shape,
and an operation behind a session must refuse a request without it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import pytest
import requests
import schemathesis
from aiohttp import web
from hypothesis import HealthCheck, settings

from bot.app import create_app
from bot.config import Settings
from bot.mp_openapi import DESCRIPTION
from bot.sandbox.wechat_api import WeChatApiFake
from tests.conftest import with_wechat

T = TypeVar("T")
API = "/api/mp/v1"
OPENID = "o-schemathesis"

schema = schemathesis.openapi.from_dict(DESCRIPTION)
schema.config.generation.update(
    modes=[schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
)


class LiveServer:
    """certdesk and the WeChat API fake served from an event loop of their own (in a thread),
    so that schemathesis' synchronous client can call them."""

    def __init__(self, configured: Settings) -> None:
        self.settings = configured
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.url = ""
        self.wechat = WeChatApiFake()
        self.runner: web.AppRunner | None = None
        self.headers: dict[str, str] = {}  # the session of the user the fuzzing acts as

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        """Run ``work`` on the server's loop and return its result (bounded)."""
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout=60)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        self.run(self._start())
        return self

    def __exit__(self, *exc: object) -> None:
        self.run(self._stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()

    async def _start(self) -> None:
        await self.wechat.__aenter__()
        configured = dataclasses.replace(
            with_wechat(self.settings, self.wechat, token="t"),
            miniprogram=dataclasses.replace(
                self.settings.miniprogram,
                app_id=self.wechat.mp_app_id,
                app_secret=self.wechat.mp_app_secret,
            ),
            # Every generated request reaches the handlers (429 is still described).
            server=dataclasses.replace(self.settings.server, rate_limit_per_minute=0),
        )
        self.runner = web.AppRunner(create_app(configured, run_worker=False))
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = self.runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"

    async def _stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
        await self.wechat.__aexit__(None, None, None)

    async def _login_code(self, openid: str) -> str:
        return self.wechat.issue_login_code(openid)

    def login(self, openid: str) -> dict[str, str]:
        """A session of ``openid``, as the Authorization header."""
        code = self.run(self._login_code(openid))
        answer = requests.post(f"{self.url}{API}/login", json={"code": code}, timeout=10)
        assert answer.status_code == 200, answer.text
        return {"Authorization": "Bearer " + answer.json()["token"]}


@pytest.fixture
def live(settings: Settings) -> Iterator[LiveServer]:
    """A running server whose user has an organisation draft open (so draft operations reach
    the engine)."""
    with LiveServer(settings) as server:
        server.headers = server.login(OPENID)
        opened = requests.post(
            f"{server.url}{API}/flows/org/draft", headers=server.headers, timeout=10
        )
        assert opened.status_code == 200
        yield server


def test_every_route_is_described(live: LiveServer) -> None:
    """The description lists exactly the routes the server has, and is served."""
    served = requests.get(f"{live.url}{API}/openapi.json", timeout=10)
    assert served.status_code == 200
    assert served.json() == DESCRIPTION
    assert live.runner is not None
    routes = {
        (route.method.lower(), route.resource.canonical)
        for route in live.runner.app.router.routes()
        if route.resource is not None
        and route.resource.canonical.startswith(API)
        and route.method != "HEAD"
    }
    described = {
        (method, path)
        for path, item in DESCRIPTION["paths"].items()
        for method in item
        if method != "parameters"
    }
    assert routes == described


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_answers_are_as_described(case: schemathesis.Case, live: LiveServer) -> None:
    """Any request, valid or not: a described status and body, never a 5xx."""
    case.call_and_validate(
        base_url=live.url,
        headers=live.headers,
        timeout=30,
        # A well-formed request may still be refused for a business reason, with the reason
        # to show (422: no such upload step, a photo too small to read, a wrong code).
        # GET /orders/{order_no} also matches /orders/lookup, so a 405 there lists GET.
        excluded_checks=[
            schemathesis.checks.positive_data_acceptance,
            schemathesis.checks.allow_header_conformance,
        ],
    )
