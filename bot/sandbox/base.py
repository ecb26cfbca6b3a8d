"""Plumbing shared by the HTTP fakes: lifecycle on an ephemeral port, request log, faults, clock."""

from __future__ import annotations

import asyncio
import functools
import json
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

ANY_ENDPOINT = "*"

json_dumps = functools.partial(json.dumps, ensure_ascii=False, separators=(",", ":"))
"""Compact JSON with raw UTF-8, the way the real services answer."""


def json_response(
    data: Any, *, status: int = 200, content_type: str = "application/json"
) -> web.Response:
    """A JSON response with a raw UTF-8 body (not ``\\uXXXX`` escapes)."""
    return web.Response(
        body=json_dumps(data).encode(), status=status, headers={"Content-Type": content_type}
    )


@dataclass(frozen=True)
class RecordedRequest:
    """One request as a fake received it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    endpoint: str
    time: float
    faulted: bool

    def json(self) -> Any:
        """The body parsed as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None


@dataclass
class Fault:
    """A queued fault: wait ``delay`` seconds, then answer ``status``/``body`` (or, when ``status``
    is None, handle the request normally). ``body`` None means the fake's own error body."""

    remaining: int
    delay: float = 0.0
    status: int | None = None
    body: Any = None


@dataclass
class FaultInjector:
    """Faults queued per endpoint (a route such as ``/cgi-bin/token``, or ``*`` for any)."""

    _queues: dict[str, list[Fault]] = field(default_factory=dict)

    def fail_next(
        self,
        endpoint: str = ANY_ENDPOINT,
        *,
        times: int = 1,
        status: int = 500,
        body: Any = None,
        delay: float = 0.0,
    ) -> None:
        """The next ``times`` calls of ``endpoint`` answer HTTP ``status`` with ``body``."""
        self._queues.setdefault(endpoint, []).append(Fault(times, delay, status, body))

    def delay_next(self, endpoint: str = ANY_ENDPOINT, *, seconds: float, times: int = 1) -> None:
        """The next ``times`` calls of ``endpoint`` are answered normally after ``seconds``."""
        self._queues.setdefault(endpoint, []).append(Fault(times, seconds))

    def clear(self) -> None:
        """Drop every queued fault."""
        self._queues.clear()

    def take(self, endpoint: str) -> Fault | None:
        """Consume one use of the first fault queued for ``endpoint``, else for ``*``."""
        for key in (endpoint, ANY_ENDPOINT):
            queue = self._queues.get(key)
            if queue:
                fault = queue[0]
                fault.remaining -= 1
                if fault.remaining <= 0:
                    queue.pop(0)
                return fault
        return None


class FakeServer:
    """An aiohttp server on 127.0.0.1 with an ephemeral port.

    Subclasses give their routes, their error body for injected faults and optional middlewares.
    Every request is recorded in :attr:`requests` before anything else happens to it.
    """

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self.requests: list[RecordedRequest] = []
        self.faults = FaultInjector()
        self.clock = clock
        self.time_offset = 0.0
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None

    # -- time ---------------------------------------------------------------------------------

    def now(self) -> float:
        """The fake's current time: ``clock()`` plus what :meth:`advance` added."""
        return self.clock() + self.time_offset

    def advance(self, seconds: float) -> None:
        """Move the fake's clock forward (expiry of tokens, media, quotas...)."""
        self.time_offset += seconds

    # -- lifecycle ----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` once started."""
        if self._base_url is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        return self._base_url

    async def start(self) -> str:
        """Start listening and return the base URL."""
        if self._runner is not None:
            raise RuntimeError(f"{type(self).__name__} is already started")
        app = web.Application(
            middlewares=[*self._outer_middlewares(), self._front, *self._inner_middlewares()],
            client_max_size=32 * 1024 * 1024,
        )
        app.add_routes(self._routes())
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        await web.SockSite(runner, sock).start()
        self._runner = runner
        self._base_url = f"http://127.0.0.1:{port}"
        return self._base_url

    async def stop(self) -> None:
        """Stop listening (idempotent)."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- request log --------------------------------------------------------------------------

    def calls(self, endpoint: str) -> list[RecordedRequest]:
        """Recorded requests of one endpoint (route pattern)."""
        return [r for r in self.requests if r.endpoint == endpoint]

    # -- hooks for subclasses -----------------------------------------------------------------

    def _routes(self) -> Iterable[web.AbstractRouteDef]:
        raise NotImplementedError

    def _fault_response(self, status: int) -> web.Response:
        """The answer to an injected fault given without a body."""
        return json_response({"error": "injected fault"}, status=status)

    def _outer_middlewares(self) -> list[Middleware]:
        """Middlewares that wrap everything, injected faults included."""
        return []

    def _inner_middlewares(self) -> list[Middleware]:
        """Middlewares that run after recording and fault injection."""
        return []

    def _endpoint(self, request: web.Request) -> str:
        """The endpoint key of a request: its route pattern, or its path when no route matched."""
        resource = request.match_info.route.resource
        return resource.canonical if resource is not None else request.path

    # -- the front middleware -----------------------------------------------------------------

    @web.middleware
    async def _front(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        body = await request.read()
        endpoint = self._endpoint(request)
        fault = self.faults.take(endpoint)
        self.requests.append(
            RecordedRequest(
                method=request.method,
                path=request.path,
                query=dict(request.query),
                headers=dict(request.headers),
                body=body,
                endpoint=endpoint,
                time=self.now(),
                faulted=fault is not None and fault.status is not None,
            )
        )
        if fault is not None:
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.status is not None:
                if fault.body is None:
                    return self._fault_response(fault.status)
                return json_response(fault.body, status=fault.status)
        return await handler(request)
