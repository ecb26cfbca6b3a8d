"""The link in a renewal reminder: ``GET /renew/{token}`` opens 证书更新 in the user's chat.

The token is signed (``bot.signed_links``, purpose ``renewal-start``), expires, and names one
official-account user. Opening it runs the same thing as the menu click 证书更新 for that user
(the dispatcher with a CLICK event) and pushes the answer into their chat; the page says to go
back to the chat. Nothing but the start of a renewal can be done with it.
"""

from __future__ import annotations

import html
import time

from aiohttp import web

from bot import signed_links, texts
from bot.logs import get_logger
from bot.messages import Dispatcher, Inbound, TextReply
from bot.services import Services
from bot.wechat.client import WeChatAPIError, WeChatUnavailable

log = get_logger(__name__)

PATH = "/renew"
PURPOSE = "renewal-start"
LINK_DAYS = 14  # a reminder's link works this long
RENEW_KEY = "renew"  # the menu key of 证书更新 (handlers.router.SERVICES)


def renewal_url(services: Services, openid: str, now: float | None = None) -> str:
    """The signed link that opens 证书更新 for ``openid`` ("" without a public URL)."""
    base = services.settings.server.public_url
    if not base or not openid:
        return ""
    payload = {"openid": openid}
    return signed_links.link_url(
        base, PATH, services.lookup_key, PURPOSE, payload, LINK_DAYS * 24 * 60, now
    )


def _openid(services: Services, token: str) -> str | None:
    grant = signed_links.read_token(services.lookup_key, PURPOSE, token)
    openid = grant.payload.get("openid") if grant is not None else None
    return openid if isinstance(openid, str) and openid else None


class RenewalLinkPage:
    """Serves the reminder's link."""

    def __init__(self, services: Services, dispatcher: Dispatcher) -> None:
        self.services = services
        self.dispatcher = dispatcher

    def routes(self) -> list[web.RouteDef]:
        """The route to add to the application."""
        return [web.get(PATH + "/{token}", self.page)]

    async def page(self, request: web.Request) -> web.Response:
        """Start 证书更新 in the chat of the link's user; say where to continue."""
        openid = _openid(self.services, request.match_info["token"])
        if openid is None:
            return _page(texts.RENEWAL_LINK_EXPIRED, status=403)
        click = Inbound(
            openid=openid,
            kind="event",
            create_time=int(time.time()),
            event="CLICK",
            event_key=RENEW_KEY,
        )
        answer = await self.dispatcher(click)
        try:
            for reply in answer.replies:
                if isinstance(reply, TextReply):
                    await self.services.wechat.send_text(openid, reply.text)
        except (WeChatAPIError, WeChatUnavailable) as exc:
            log.info("renewal link: chat not reachable", extra={"error": type(exc).__name__})
            return _page(texts.RENEWAL_LINK_RETURN)
        return _page(texts.RENEWAL_LINK_OPENED)


def _page(message: str, *, status: int = 200) -> web.Response:
    title = html.escape(texts.RENEWAL_LINK_TITLE)
    body = f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{title}</title></head>
<body><h3>{title}</h3><p>{html.escape(message)}</p></body></html>"""
    return web.Response(
        text=body,
        status=status,
        content_type="text/html",
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )
