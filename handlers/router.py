"""Routes what a user sends to the right handler: events, menu clicks, conversation input."""

from __future__ import annotations

import dataclasses

from bot.bridge import pairing as bridge_pairing
from bot.engine import VERB_HUMAN, Engine, normalise
from bot.engine_texts import HAND_OVER
from bot.logs import get_logger
from bot.messages import Answer, Dispatcher, HandOver, Inbound, TextReply
from bot.outbox import utcnow
from bot.services import Services
from bot.texts import NOT_ONLINE_YET, PAY_WORDS, SERVICES_MENU, UNSUPPORTED_MESSAGE, WELCOME
from bot.wechat.client import WeChatAPIError
from handlers import review
from handlers.applications import build_engine, prefetch_photo
from handlers.order_query import OrderQuery
from handlers.payments import pay_again
from handlers.renewal import RenewalChat
from handlers.unlock import Unlock
from models.users import WeChatUser, remember_follower

log = get_logger(__name__)

# Menu keys (and what a user may type instead) of the five services.
SERVICES = {
    "org": ("1", "单位证书新办", "单位证书"),
    "personal": ("2", "个人证书新办", "个人证书"),
    "renew": ("3", "证书更新"),
    "unlock": ("4", "证书解锁"),
    "query": ("5", "订单查询"),
}
FLOWS = {"org", "personal"}
PAY_KEY = "pay"  # a menu click asking for the payment of the unpaid order


def service_for(text: str) -> str | None:
    """The service a menu key or a typed choice names."""
    for key, words in SERVICES.items():
        if text == key or text in words:
            return key
    return None


def read_ahead(inbound: Inbound) -> list[str]:
    """What a message's handlers read from the store that only the user's messages write (the
    order chosen for corrections in order query): read with the user's lock (``ReadAhead``)."""
    return [review.fixing_key(inbound)] if inbound.kind in {"text", "image"} else []


def build_dispatcher(services: Services, engine: Engine | None = None) -> Dispatcher:
    """The dispatcher of one process: a coroutine from ``Inbound`` to ``Answer``."""
    engine = engine or build_engine(services)
    query = OrderQuery(services, engine)
    unlock = Unlock(services, engine)
    renewal = RenewalChat(services, engine)

    async def start(inbound: Inbound, service: str, scene: str | None = None) -> Answer:
        """The chosen service takes the user's messages from whatever had them: each start
        below hands them over itself (a draft flow: the new draft or the offer to resume).
        ``scene``: the user's last QR scene, when the caller has just read it."""
        # What the other services had under way: one round trip.
        under_way = [review.fixing_key(inbound), unlock.state_key(inbound)]
        under_way.append(renewal.state_key(inbound))
        if service != "query":
            under_way.append(query.state_key(inbound))
        await services.store.delete_many(under_way)
        if service == "query":
            return await query.start(inbound)
        if service == "unlock":
            return await unlock.start(inbound)
        if service == "renew":
            return await renewal.start(inbound)
        if service in FLOWS:
            return await engine.start(
                inbound.channel,
                inbound.openid,
                service,
                preset=await _project_of(inbound) if scene is None else _project(scene),
                choice=inbound,
            )
        await engine.hand_to(inbound.channel, inbound.openid, None)
        phone = services.settings.service.phone
        return Answer([TextReply(NOT_ONLINE_YET.format(phone=phone))])

    async def dispatch(inbound: Inbound) -> Answer:
        if inbound.kind == "event":
            if inbound.event in {"SCAN", "SUBSCRIBE"} and inbound.event_key.startswith(
                bridge_pairing.SCENE_PREFIX
            ):
                # The one-time pairing scene is not a project scene: not kept as last_scene.
                await _remember(dataclasses.replace(inbound, event_key=""), subscribed=True)
                reply = await bridge_pairing.scan(services.store, inbound.openid, inbound.event_key)
                return Answer([TextReply(reply)])
            if inbound.event == "SUBSCRIBE":
                welcome = await _event(services, inbound)
                await _learn_unionid(services, engine, inbound)
                return welcome
            if inbound.event == "CLICK" and inbound.event_key == PAY_KEY:
                return await pay_again(services, inbound)
            if inbound.event == "CLICK" and (service := service_for(inbound.event_key)):
                scene = await _remember(inbound, subscribed=True)
                return await start(inbound, service, scene or "")
            return await _event(services, inbound)
        if inbound.kind in {"text", "image"}:
            inbound = await prefetch_photo(services, inbound)
            answer = await review.handle_chosen(engine, inbound)  # 继续办理 in order query
            if answer is None:
                answer = await engine.handle(inbound.channel, inbound.openid, inbound)
            if answer is None:
                answer = await unlock.handle(inbound)
            if answer is None:
                answer = await renewal.handle(inbound)
            if answer is None:
                answer = await query.handle(inbound)
            if answer is None:
                answer = await review.handle(engine, inbound)  # fixing a rejected order
            if answer is not None:
                return answer
            text = normalise(inbound.text) if inbound.kind == "text" else ""
            if text in VERB_HUMAN:
                phone = services.settings.service.phone
                return Answer([HandOver(), TextReply(HAND_OVER.format(phone=phone))])
            if text in PAY_WORDS:
                return await pay_again(services, inbound)
            service = service_for(text)
            if service is not None:
                return await start(inbound, service)
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


async def _learn_unionid(services: Services, engine: Engine, inbound: Inbound) -> None:
    """Ask WeChat for a new follower's UnionID, so a draft follows them to the mini-program."""
    try:
        info = await services.wechat.user_info(inbound.openid)
    except WeChatAPIError as exc:
        log.warning("user info unavailable", extra={"errcode": exc.errcode})
        return
    unionid = info.get("unionid")
    if isinstance(unionid, str) and unionid:
        await WeChatUser.filter(openid=inbound.openid, channel="oa").update(unionid=unionid[:64])
        await engine.link(inbound.channel, inbound.openid, unionid)


async def _project_of(inbound: Inbound) -> dict[str, str]:
    """The project whose QR code brought the user, as a preset."""
    user = await WeChatUser.get_or_none(openid=inbound.openid, channel="oa")
    return _project((user.last_scene or "") if user is not None else "")


def _project(scene: str) -> dict[str, str]:
    """The project a QR scene names (``project:<code>``), as a preset."""
    return {"project": scene.split(":", 1)[1]} if scene.startswith("project:") else {}


async def _remember(inbound: Inbound, *, subscribed: bool) -> str | None:
    """Record who follows the account (and from which QR scene they came); their last scene."""
    return await remember_follower(
        inbound.openid,
        subscribed=subscribed,
        now=utcnow(),
        followed=subscribed and inbound.event == "SUBSCRIBE",
        scene=inbound.event_key if inbound.event != "CLICK" else None,
    )
