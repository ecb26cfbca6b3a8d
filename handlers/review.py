"""Fixing what the review sent back, in chat: the applicant corrects only the rejected items.

When a user whose order was rejected writes, sends a photo or says 继续 (and has no draft in
progress), the items the reviewer named are walked one at a time (``handlers.review_fixes``):
a new photo for a material, a new value for a field. When the last one is fixed the order
returns to the review queue, marked as a resubmission, without a second payment.

继续办理 of a rejected order in order query (``start``) asks its first item; that order then
takes the user's messages before any draft (``handle_chosen``) until it is resubmitted or the
user picks a service from the menu.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from bot import engine_texts as ET
from bot import texts as T
from bot.engine import VERB_CONTINUE, VERB_HUMAN, Engine, Reprompt, Turn, normalise
from bot.file_links import LINK_MINUTES
from bot.messages import Answer, Inbound, TextReply
from bot.validators import Invalid
from handlers.review_fixes import (
    fix_item,
    fix_turn,
    locked_for_fixing,
    pending,
    rejected_order,
    rejected_photo_url,
    resubmit,
    wants_photo,
)
from models.orders import Order
from models.staff import Fulfilment

__all__ = ["fixing_key", "handle", "handle_chosen", "rejected_order", "start", "stop"]

FIXING_TTL = 24 * 3600  # how long the order chosen in order query keeps the user's messages


def fixing_key(inbound: Inbound) -> str:
    """The store key naming the order whose corrections the user's messages are (order query's
    继续办理); deleted when the user picks a service."""
    return f"review:fixing:{inbound.channel}:{inbound.openid}"


async def start(engine: Engine, inbound: Inbound, order: Order) -> Answer | None:
    """继续办理 of the user's rejected ``order`` (from order query): its first item to fix; the
    user's next messages fix this order, before any draft (``handle_chosen``) until it is
    resubmitted or the user picks a service. None when it is not waiting for their corrections."""
    if order.owner_openid != inbound.openid:
        return None
    async with in_transaction():
        locked = await locked_for_fixing(order)
        if locked is None:
            return None
        answer = await _fix(engine, inbound, "", *locked, ask_only=True)
    await engine.services.store.set(fixing_key(inbound), order.order_no, ttl=FIXING_TTL)
    return answer


async def stop(engine: Engine, inbound: Inbound) -> None:
    """The user picked a service: a fix started from order query no longer comes first."""
    await engine.services.store.delete(fixing_key(inbound))


async def handle_chosen(engine: Engine, inbound: Inbound) -> Answer | None:
    """The message as a correction of the order chosen in order query (before the user's draft);
    None when no such order waits for corrections."""
    key = fixing_key(inbound)
    if key in inbound.read_ahead:
        chosen = inbound.read_ahead[key]
    else:
        chosen = await engine.services.store.get(key)
    if chosen is None:
        return None
    if await rejected_order(inbound.openid, chosen.decode()) is None:
        await stop(engine, inbound)  # resubmitted (or fixed in the mini-program)
        return None
    return await _handle(engine, inbound, chosen.decode())


async def handle(engine: Engine, inbound: Inbound) -> Answer | None:
    """Take the message as a correction of the user's newest rejected order; None if none."""
    return await _handle(engine, inbound, None)


async def _handle(engine: Engine, inbound: Inbound, order_no: str | None) -> Answer | None:
    text = normalise(inbound.text) if inbound.kind == "text" else ""
    if inbound.kind not in {"text", "image"} or text in VERB_HUMAN:
        return None
    if await rejected_order(inbound.openid, order_no) is None:
        return None
    async with in_transaction():
        found = await rejected_order(inbound.openid, order_no)
        locked = await locked_for_fixing(found) if found is not None else None
        if locked is None:
            return None
        return await _fix(engine, inbound, text, *locked)


async def _fix(
    engine: Engine,
    inbound: Inbound,
    text: str,
    order: Order,
    record: Fulfilment,
    *,
    ask_only: bool = False,
) -> Answer:
    turn = fix_turn(engine, inbound, order)
    items = [dict(item) for item in record.rejection]
    left = pending(record)
    if not left:
        await resubmit(turn, record)
        return Answer([TextReply(T.FIX_DONE.format(order_no=order.order_no))])
    item = left[0]
    asked = await _ask(turn, order, items, item)
    if (
        ask_only
        or text in VERB_CONTINUE
        or wants_photo(turn.flow.step(item["key"])) != (inbound.kind == "image")
    ):
        return Answer([TextReply(asked)])
    try:
        fixed = await fix_item(engine, turn, record, item["key"], inbound)
    except Reprompt as signal:
        return Answer([TextReply(signal.text + "\n\n" + asked)])
    except Invalid as exc:
        return Answer([TextReply(ET.INVALID.format(reason=exc.reason) + "\n\n" + asked)])
    answer = Answer([TextReply(fixed.echo)] if fixed.echo else [])
    if fixed.resubmitted:
        answer.add(TextReply(T.FIX_DONE.format(order_no=order.order_no)))
    else:
        answer.add(TextReply(await _ask(turn, order, items, fixed.remaining[0])))
    return answer


async def _ask(turn: Turn, order: Order, items: list[dict[str, str]], item: dict[str, str]) -> str:
    """The item to fix, why, and how; for a photo, a signed link to the one sent back."""
    step = turn.flow.step(item["key"])
    how = T.FIX_WANT_PHOTO if wants_photo(step) else T.FIX_WANT_TEXT
    prompt = step.prompt + "\n" + how.format(label=step.label)
    url = await rejected_photo_url(turn.services, order, step) if wants_photo(step) else None
    if url:
        prompt += "\n" + T.FIX_SEE_PHOTO.format(url=url, minutes=LINK_MINUTES)
    position = next(n for n, i in enumerate(items) if i["key"] == item["key"])
    return T.FIX_ITEM.format(
        order_no=order.order_no,
        n=position + 1,
        total=len(items),
        label=item["label"],
        reason=item["reason"],
        prompt=prompt,
    )
