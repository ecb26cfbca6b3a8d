"""Fixing what the review sent back: the applicant corrects only the rejected items.

When a user whose order was rejected writes, sends a photo or says 继续 (and has no draft in
progress), the items the reviewer named are walked one at a time with the flow's own step
(its prompt, validator and photo pipeline): a new photo for a material, a new value for a
field. When the last one is fixed the order returns to the review queue, marked as a
resubmission, without a second payment.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from bot import engine_texts as ET
from bot import texts as T
from bot.engine import VERB_CONTINUE, VERB_HUMAN, Engine, Reprompt, Turn, decrypt_answers, normalise
from bot.file_links import LINK_MINUTES, material_url
from bot.flows import StepKind
from bot.messages import Answer, Inbound, TextReply
from bot.outbox import utcnow
from bot.validators import Invalid
from handlers.applications import index_order
from models.materials import Material, MaterialStatus
from models.orders import Conversation, Order, OrderStatus
from models.staff import Fulfilment


async def rejected_order(openid: str) -> Order | None:
    """The user's newest order waiting for their corrections."""
    query = Order.filter(owner_openid=openid, status=OrderStatus.REJECTED)
    return await query.order_by("-updated_at").first()


async def handle(engine: Engine, inbound: Inbound) -> Answer | None:
    """Take the message as a correction of the user's rejected order; None if there is none."""
    text = normalise(inbound.text) if inbound.kind == "text" else ""
    if inbound.kind not in {"text", "image"} or text in VERB_HUMAN:
        return None
    if await rejected_order(inbound.openid) is None:
        return None
    async with in_transaction():
        found = await rejected_order(inbound.openid)
        if found is None:
            return None
        order = await Order.select_for_update().get(id=found.id)
        record = await Fulfilment.get_or_none(order=order)
        if record is None or order.status != OrderStatus.REJECTED:
            return None
        return await _fix(engine, inbound, text, order, record)


async def _fix(
    engine: Engine, inbound: Inbound, text: str, order: Order, record: Fulfilment
) -> Answer:
    flow = engine.flows[order.kind]
    # A conversation of the moment: the user's chat state (drafts) is not touched.
    conversation = Conversation(channel=inbound.channel, openid=inbound.openid, history=[])
    turn = Turn(
        engine.services, flow, conversation, order, decrypt_answers(engine.services, flow, order)
    )
    items = [dict(item) for item in record.rejection]
    pending = [item for item in items if not item.get("fixed")]
    if not pending:
        return Answer([TextReply(await _resubmit(order, record, turn))])
    item = pending[0]
    step = flow.step(item["key"])
    wants_photo = step.kind is StepKind.UPLOAD
    asked = await _ask(turn, order, items, item)
    if text in VERB_CONTINUE or wants_photo != (inbound.kind == "image"):
        return Answer([TextReply(asked)])
    try:
        echo = await engine.answer_step(turn, step, inbound)
    except Reprompt as signal:
        return Answer([TextReply(signal.text + "\n\n" + asked)])
    except Invalid as exc:
        return Answer([TextReply(ET.INVALID.format(reason=exc.reason) + "\n\n" + asked)])
    item["fixed"] = "yes"
    record.rejection = items
    answer = Answer([TextReply(echo)] if echo else [])
    remaining = [i for i in items if not i.get("fixed")]
    if remaining:
        await order.save()
        await record.save()
        answer.add(TextReply(await _ask(turn, order, items, remaining[0])))
    else:
        answer.add(TextReply(await _resubmit(order, record, turn)))
    return answer


async def _ask(turn: Turn, order: Order, items: list[dict[str, str]], item: dict[str, str]) -> str:
    """The item to fix, why, and how; for a photo, a signed link to the one sent back."""
    step = turn.flow.step(item["key"])
    how = T.FIX_WANT_PHOTO if step.kind is StepKind.UPLOAD else T.FIX_WANT_TEXT
    prompt = step.prompt + "\n" + how.format(label=step.label)
    if step.kind is StepKind.UPLOAD:
        rejected = (
            await Material.filter(order=order, slot=step.key, status=MaterialStatus.REJECTED)
            .order_by("-id")
            .first()
        )
        if rejected is not None:
            url = material_url(turn.services, rejected, order.order_no)
            prompt += "\n" + T.FIX_SEE_PHOTO.format(url=url, minutes=LINK_MINUTES)
    return T.FIX_ITEM.format(
        order_no=order.order_no,
        n=items.index(item) + 1,
        total=len(items),
        label=item["label"],
        reason=item["reason"],
        prompt=prompt,
    )


async def _resubmit(order: Order, record: Fulfilment, turn: Turn) -> str:
    """Back to the review queue, marked as a resubmission; no second payment."""
    now = utcnow()
    index_order(order, turn.answers, turn.services.lookup_key)
    order.status = OrderStatus.PAID
    order.queued_at = now
    order.resubmission = True
    record.resubmitted_at = now
    await order.save()
    await record.save()
    return T.FIX_DONE.format(order_no=order.order_no)
