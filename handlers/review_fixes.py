"""The corrections of a rejected order, shared by the chat (``handlers.review``) and the
mini-program (``bot.mp_fixes``): which items the reviewer sent back, applying one correction
with the flow's own step (prompt, validator, photo pipeline), and the resubmission to the review
queue, marked as such, without a second payment, once the last item is fixed.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine import Engine, Turn, decrypt_answers
from bot.file_links import material_url
from bot.flows import Step, StepKind
from bot.messages import Inbound
from bot.outbox import utcnow
from bot.services import Services
from handlers.applications import index_order
from models.materials import Material, MaterialStatus
from models.orders import Conversation, Order, OrderStatus
from models.staff import Fulfilment

FIXED = "yes"  # the item's "fixed" mark


@dataclass(frozen=True)
class Fixed:
    """What one correction did."""

    echo: str | None  # the step's echo of the new answer
    remaining: list[dict[str, str]]  # items still to fix, in the reviewer's order
    resubmitted: bool  # the last one: the order is back in the review queue


async def rejected_order(openid: str, order_no: str | None = None) -> Order | None:
    """The user's (newest, or numbered) order waiting for their corrections."""
    query = Order.filter(owner_openid=openid, status=OrderStatus.REJECTED)
    if order_no is not None:
        query = query.filter(order_no=order_no)
    return await query.order_by("-updated_at").first()


async def locked_for_fixing(order: Order) -> tuple[Order, Fulfilment] | None:
    """The order locked for update with its review record (call inside a transaction); None
    when it is no longer waiting for corrections."""
    locked = await Order.select_for_update().get(id=order.id)
    record = await Fulfilment.get_or_none(order=locked)
    if record is None or locked.status != OrderStatus.REJECTED:
        return None
    return locked, record


def pending(record: Fulfilment) -> list[dict[str, str]]:
    """The items not yet fixed."""
    return [dict(item) for item in record.rejection if not item.get("fixed")]


def fix_turn(engine: Engine, inbound: Inbound, order: Order) -> Turn:
    """A turn over the order's answers; the user's chat state (drafts) is not touched."""
    flow = engine.flows[order.kind]
    conversation = Conversation(channel=inbound.channel, openid=inbound.openid, history=[])
    return Turn(
        engine.services, flow, conversation, order, decrypt_answers(engine.services, flow, order)
    )


async def rejected_photo_url(services: Services, order: Order, step: Step) -> str | None:
    """A signed link to the photo the reviewer sent back for ``step`` (None: there is none)."""
    rejected = (
        await Material.filter(order=order, slot=step.key, status=MaterialStatus.REJECTED)
        .order_by("-id")
        .first()
    )
    return material_url(services, rejected, order.order_no) if rejected is not None else None


def wants_photo(step: Step) -> bool:
    """Whether the item is fixed with a new photo (else a new value)."""
    return step.kind is StepKind.UPLOAD


async def fix_item(
    engine: Engine, turn: Turn, record: Fulfilment, key: str, inbound: Inbound
) -> Fixed:
    """Take ``inbound`` as the correction of the pending item ``key``.

    Raises ``LookupError`` when ``key`` is not an item to fix, and what the step raises
    (``bot.validators.Invalid``, ``bot.engine.Reprompt``) when the value is refused: then
    nothing is recorded.
    """
    items = [dict(item) for item in record.rejection]
    item = next((i for i in items if i["key"] == key and not i.get("fixed")), None)
    if item is None:
        raise LookupError(key)
    echo = await engine.answer_step(turn, turn.flow.step(key), inbound)
    item["fixed"] = FIXED
    record.rejection = items
    remaining = [i for i in items if not i.get("fixed")]
    if remaining:
        await turn.order.save()
        await record.save()
    else:
        await resubmit(turn, record)
    return Fixed(echo, remaining, not remaining)


async def resubmit(turn: Turn, record: Fulfilment) -> None:
    """Back to the review queue, marked as a resubmission; no second payment."""
    order, now = turn.order, utcnow()
    index_order(order, turn.answers, turn.services.lookup_key)
    order.status = OrderStatus.PAID
    order.queued_at = now
    order.resubmission = True
    record.resubmitted_at = now
    await order.save()
    await record.save()
