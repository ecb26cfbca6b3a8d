"""HTTP hardening for every response: security headers and per-client rate limits.

Headers: every response gets ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy:
no-referrer``; HTML pages also a strict Content-Security-Policy (own origin only, no framing),
``X-Frame-Options: DENY``; with an https public URL, HSTS. Pages that need more (the pay page
calls WeixinJSBridge, which is injected by WeChat, not loaded) set their own CSP, which is kept.

Rate limits: requests a stranger can make are counted per client address and route group in
the store (so all processes share the counts) and answered 429 with ``Retry-After`` beyond the
limit. WeChat's own callbacks (``/wechat``, ``/pay/notify``) are authenticated by signature and
come from WeChat's few servers, so they are not limited here. The client address is the peer,
or the first ``X-Forwarded-For`` entry when the peer is one of ``[server] trusted_proxies``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.config import ServerSettings
from bot.logs import get_logger
from bot.ratelimit import hit
from bot.store import Store, StoreError

log = get_logger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

HTML_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
UNLIMITED_PREFIXES = ("/wechat", "/pay/notify", "/healthz", "/metrics")
WINDOW = 60.0
TOO_MANY = "请求过于频繁，请稍后再试。"


def security_headers(server: ServerSettings) -> Callable[..., Awaitable[web.StreamResponse]]:
    """Middleware adding the security headers of the module docstring."""
    hsts = server.public_url.startswith("https://")

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            _harden(exc, hsts)
            raise
        _harden(response, hsts)
        return response

    return middleware


def _harden(response: web.StreamResponse, hsts: bool) -> None:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    if (response.content_type or "").startswith("text/html"):
        headers.setdefault("Content-Security-Policy", HTML_CSP)
        headers.setdefault("X-Frame-Options", "DENY")
    if hsts:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")


def client_address(request: web.Request, trusted_proxies: frozenset[str]) -> str:
    """The client's IP: the peer, or what a trusted reverse proxy says it forwarded."""
    peer = request.remote or ""
    forwarded = request.headers.get("X-Forwarded-For", "")
    if peer in trusted_proxies and forwarded:
        return forwarded.split(",", 1)[0].strip()[:64]
    return peer


def rate_limits(
    server: ServerSettings, store: Store
) -> Callable[..., Awaitable[web.StreamResponse]]:
    """Middleware limiting each client address to ``rate_limit_per_minute`` requests per route
    group (the first path segment) and minute; 0 disables it."""
    trusted = frozenset(server.trusted_proxies)
    limit = server.rate_limit_per_minute

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        path = request.path
        if limit <= 0 or path.startswith(UNLIMITED_PREFIXES):
            return await handler(request)
        group = path.strip("/").split("/", 1)[0][:32] or "root"
        address = client_address(request, trusted)
        try:
            wait = await hit(store, f"http:{group}:{address}", limit, WINDOW)
        except StoreError:
            log.warning("rate limit store unavailable; request let through")
            wait = 0
        if wait:
            return web.json_response(
                {"error": "rate_limited", "message": TOO_MANY},
                status=429,
                headers={"Retry-After": str(wait)},
            )
        return await handler(request)

    return middleware
