"""Routes what a user sends to the right handler: events, menu clicks, conversation input."""

from __future__ import annotations

from bot.logs import get_logger
from bot.messages import Answer, Dispatcher, Inbound, TextReply
from bot.outbox import utcnow
from bot.services import Services
from bot.texts import SERVICES_MENU, UNSUPPORTED_MESSAGE, WELCOME
from models.users import WeChatUser

log = get_logger(__name__)


def build_dispatcher(services: Services) -> Dispatcher:
    """The dispatcher of one process: a coroutine from ``Inbound`` to ``Answer``."""

    async def dispatch(inbound: Inbound) -> Answer:
        if inbound.kind == "event":
            return await _event(services, inbound)
        if inbound.kind in {"text", "image"}:
            return Answer([TextReply(SERVICES_MENU)])
        return Answer([TextReply(UNSUPPORTED_MESSAGE)])

    return dispatch


async def _event(services: Services, inbound: Inbound) -> Answer:
    if inbound.event == "SUBSCRIBE":
        await _remember(inbound, subscribed=True)
        return Answer([TextReply(WELCOME.format(name=services.settings.service.name))])
    if inbound.event == "UNSUBSCRIBE":
        await _remember(inbound, subscribed=False)
        return Answer()  # nothing can be sent to someone who left; pushes stop
    if inbound.event in {"SCAN", "CLICK"}:
        await _remember(inbound, subscribed=True)
        return Answer([TextReply(SERVICES_MENU)])
    return Answer()


async def _remember(inbound: Inbound, *, subscribed: bool) -> None:
    """Record who follows the account (and from which QR scene they came)."""
    now = utcnow()
    user, _created = await WeChatUser.get_or_create(openid=inbound.openid, channel="oa")
    user.subscribed = subscribed
    if subscribed and inbound.event == "SUBSCRIBE":
        user.subscribed_at = now
    if not subscribed:
        user.unsubscribed_at = now
    if inbound.event_key:
        user.last_scene = inbound.event_key[:64]
    await user.save()
