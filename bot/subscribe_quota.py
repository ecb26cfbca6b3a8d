"""Mini-program subscribe messages (订阅消息): the quota users gave, and sending notices with it.

The mini-program records what users accepted through ``bot.mp_subscriptions``. Each ``accept``
allows one message of that template; each message sent uses one. ``send_by_subscription`` is
the notices' first channel for orders made in the mini-program: it sends only while a quota is
left, and gives the quota back when WeChat could not be reached (the job is retried). WeChat
answering 43101 (the user refused, or has no quota left there) empties our count; other
refusals (unknown template or page, data not fitting) leave it as it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from bot.config import NOTICE_VALUES
from bot.logs import get_logger
from bot.services import Services
from bot.wechat.client import WeChatAPIError, WeChatUnavailable
from models.orders import Conversation, Order
from models.users import SubscribeQuota

log = get_logger(__name__)

MP_CHANNEL = "mp"
ACCEPT = "accept"
NO_QUOTA = 43101  # user refused the message / no subscription left
# Answers after which this message cannot go out as a subscribe message: try the next channel.
REFUSED = {
    NO_QUOTA,
    40003,  # invalid openid
    40037,  # unknown template id (misconfiguration)
    41030,  # invalid page
    47003,  # the data does not fit the template's keywords (misconfiguration)
}
# Longest value per keyword type (the rest are at most 32 characters).
KEYWORD_LIMITS = {"thing": 20, "name": 10, "phrase": 5, "short_thing": 5, "symbol": 5}
DEFAULT_LIMIT = 32


async def record_results(openid: str, results: Mapping[str, object], known: set[str]) -> None:
    """Add one message per ``accept`` of a configured template to the user's quota."""
    accepted = [tid for tid, answer in results.items() if answer == ACCEPT and tid in known]
    async with in_transaction():
        for template_id in accepted:
            quota, _ = await SubscribeQuota.get_or_create(openid=openid, template_id=template_id)
            await SubscribeQuota.filter(id=quota.id).update(remaining=F("remaining") + 1)


async def quotas(openid: str) -> dict[str, int]:
    """Messages the user still allows, by template id."""
    rows = await SubscribeQuota.filter(openid=openid)
    return {row.template_id: row.remaining for row in rows}


async def _take_one(openid: str, template_id: str) -> bool:
    query = SubscribeQuota.filter(openid=openid, template_id=template_id, remaining__gt=0)
    return bool(await query.update(remaining=F("remaining") - 1))


async def _give_back(openid: str, template_id: str) -> None:
    query = SubscribeQuota.filter(openid=openid, template_id=template_id)
    await query.update(remaining=F("remaining") + 1)


def keyword_value(keyword: str, value: str) -> str:
    """``value`` cut to what the keyword's type accepts (``thing3`` → at most 20 characters)."""
    limit = KEYWORD_LIMITS.get(keyword.rstrip("0123456789"), DEFAULT_LIMIT)
    text = " ".join(value.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def mp_openid(order: Order) -> str | None:
    """The applicant's mini-program openid when the order was made in the mini-program."""
    from_mp = await Conversation.filter(channel=MP_CHANNEL, openid=order.owner_openid).exists()
    return order.owner_openid if from_mp else None


async def send_by_subscription(
    services: Services, order: Order, payload: Mapping[str, Any]
) -> bool:
    """Send the notice as a subscribe message; False when that channel cannot carry it."""
    config = services.settings.notices
    template_id = config.subscribe_templates.get(str(payload.get("kind", "")))
    openid = await mp_openid(order)
    if not template_id or openid is None or not await _take_one(openid, template_id):
        return False
    values = {name: str(payload.get(name, "")) for name in NOTICE_VALUES}
    values["order_no"] = order.order_no
    data = {kw: keyword_value(kw, values[name]) for kw, name in config.subscribe_fields.items()}
    page = config.subscribe_page.replace("{order_no}", order.order_no) or None
    try:
        await services.mp_wechat.send_subscribe_message(openid, template_id, data, page=page)
    except WeChatUnavailable:
        await _give_back(openid, template_id)
        raise
    except WeChatAPIError as exc:
        if exc.errcode not in REFUSED:
            await _give_back(openid, template_id)
            raise
        if exc.errcode == NO_QUOTA:  # WeChat has none left: neither have we
            await SubscribeQuota.filter(openid=openid, template_id=template_id).update(remaining=0)
        else:  # refused before WeChat used the user's acceptance
            await _give_back(openid, template_id)
        log.info("subscribe message refused", extra={"errcode": exc.errcode})
        return False
    return True
