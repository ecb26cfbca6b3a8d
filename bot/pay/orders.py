"""Payments of application orders: prepay (reusing a still valid one), query, close, refund.

A payment's prepay request is derived only from its stored row, so asking again (a retry, or the
applicant asking for the link again) sends WeChat the same body for the same ``out_trade_no``
and gets the same QR code / prepay_id back. A payment that expired or was closed is replaced by
a new one with a new ``out_trade_no``; the order's amount never changes.
"""

from __future__ import annotations

from datetime import timedelta

from tortoise.transactions import in_transaction

from bot.logs import get_logger
from bot.outbox import enqueue, utcnow
from bot.pay.client import PayClient, PayError, build_pay_client
from bot.pay.settle import (
    CLOSE_JOB,
    REFUND_JOB,
    Outcome,
    mark_closed,
    settle_refund,
    settle_transaction,
)
from bot.services import Services
from models.orders import Order, OrderStatus
from models.payments import (
    Payment,
    PaymentState,
    Refund,
    RefundState,
    TradeType,
    refund_transition,
)

log = get_logger(__name__)

QUERY_JOB = "pay.query"
REUSE_MARGIN = timedelta(minutes=5)
"""A payment expiring sooner than this is replaced rather than shown again."""


class NotPayable(Exception):
    """The order cannot be paid now (already paid, cancelled, no amount...)."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


async def payable_payment(
    services: Services,
    client: PayClient,
    order: Order,
    trade_type: TradeType,
    *,
    openid: str | None = None,
    appid: str | None = None,
) -> Payment:
    """A payment of ``order`` ready to pay (prepay done): a still valid one, else a new one.

    A closed order (unpaid for too long) is reopened with the same amount.
    """
    if order.status not in (OrderStatus.SUBMITTED, OrderStatus.CLOSED) or not order.amount_fen:
        raise NotPayable(str(order.status))
    appid = appid or client.appid
    payment = await _reusable(order, trade_type, openid, appid)
    if payment is None:
        payment = await _new_payment(services, order, trade_type, openid, appid)
    if payment.prepay is None:
        body = client.prepay_body(
            out_trade_no=payment.out_trade_no,
            description=payment.description,
            amount_fen=payment.amount_fen,
            time_expire=payment.time_expire,
            openid=payment.payer_openid,
            appid=payment.appid,
        )
        if trade_type is TradeType.NATIVE:
            prepay = await client.prepay_native(body)
        else:
            prepay = await client.prepay_jsapi(body)
        await Payment.filter(id=payment.id).update(prepay=prepay)
        payment.prepay = prepay
    return payment


async def _reusable(
    order: Order, trade_type: TradeType, openid: str | None, appid: str
) -> Payment | None:
    return (
        await Payment.filter(
            order_id=order.id,
            trade_type=trade_type,
            state=PaymentState.UNPAID,
            payer_openid=openid,
            appid=appid,
            time_expire__gt=utcnow() + REUSE_MARGIN,
        )
        .order_by("-id")
        .first()
    )


async def _new_payment(
    services: Services, order: Order, trade_type: TradeType, openid: str | None, appid: str
) -> Payment:
    config = services.settings.pay
    now = utcnow()
    async with in_transaction():
        if order.status is OrderStatus.CLOSED:
            await Order.filter(id=order.id, status=OrderStatus.CLOSED).update(
                status=OrderStatus.SUBMITTED
            )
            order.status = OrderStatus.SUBMITTED
        count = await Payment.filter(order_id=order.id).count()
        payment = await Payment.create(
            order=order,
            out_trade_no=f"{order.order_no}P{count + 1:02d}",
            trade_type=trade_type,
            appid=appid,
            payer_openid=openid,
            amount_fen=order.amount_fen,
            description=f"{services.settings.service.name}-订单{order.order_no}"[:127],
            time_expire=now + timedelta(minutes=config.close_after_minutes),
        )
        await enqueue(
            QUERY_JOB,
            {"payment_id": payment.id, "round": 1},
            delay=config.query_after_seconds,
            dedupe_key=f"{QUERY_JOB}:{payment.id}:1",
        )
        await enqueue(
            CLOSE_JOB,
            {"payment_id": payment.id},
            run_at=payment.time_expire + timedelta(seconds=30),
            dedupe_key=f"{CLOSE_JOB}:{payment.id}",
        )
    return payment


async def query_and_settle(services: Services, client: PayClient, payment: Payment) -> Outcome:
    """主动查单: ask WeChat Pay about ``payment`` and apply the answer."""
    data = await client.query(payment.out_trade_no)
    outcome = await settle_transaction(services.settings.pay, data, source="query")
    if data.get("trade_state") == "CLOSED" and payment.state is PaymentState.UNPAID:
        await mark_closed(payment)
    return outcome


async def close_unpaid(services: Services, client: PayClient, payment: Payment) -> bool:
    """Close an unpaid payment at WeChat and here (the order closes with its last payment).

    If the payer paid in the meantime, the payment is settled instead; returns whether it
    closed.
    """
    if payment.state is not PaymentState.UNPAID:
        return False
    try:
        await client.close(payment.out_trade_no)
    except PayError as exc:
        if exc.code == "ORDER_PAID":
            await query_and_settle(services, client, payment)
            return False
        if exc.code != "ORDER_NOT_EXIST":  # never prepaid: nothing to close at WeChat
            raise
    return await mark_closed(payment)


class RefundRefused(Exception):
    """A refund that cannot be asked for (nothing paid, amount beyond what is left)."""


async def request_refund(
    services: Services,
    client: PayClient,
    order: Order,
    amount_fen: int | None = None,
    *,
    reason: str = "",
    requested_by: str = "",
    payment: Payment | None = None,
) -> Refund:
    """Refund ``amount_fen`` (default: all that is left) of ``order``'s paid payment.

    The refund row (and its ``out_refund_no``) is written before calling WeChat, so a retry
    after a failure asks for the same refund, never a second one.
    """
    async with in_transaction():
        if payment is None:
            payment = (
                await Payment.filter(order_id=order.id, state=PaymentState.PAID)
                .select_for_update()
                .order_by("id")
                .first()
            )
        if payment is None or payment.state is not PaymentState.PAID:
            raise RefundRefused("no paid payment to refund")
        pending = sum(
            r.amount_fen
            for r in await Refund.filter(payment_id=payment.id, state__in=("PROCESSING",))
        )
        left = payment.amount_fen - payment.refunded_fen - pending
        amount = left if amount_fen is None else amount_fen
        if not 0 < amount <= left:
            raise RefundRefused(f"refund of {amount} fen, {left} fen left")
        count = await Refund.filter(payment_id=payment.id).count()
        refund = await Refund.create(
            payment=payment,
            out_refund_no=f"{payment.out_trade_no}R{count + 1:02d}",
            amount_fen=amount,
            reason=reason[:80],
            requested_by=requested_by[:64],
        )
    try:
        await submit_refund(services, client, refund, payment)
    except PayError as exc:
        if not exc.transient:  # e.g. NOT_ENOUGH: nothing was refunded; staff see why
            await refund_transition(refund, RefundState.CLOSED)
            raise
        log.warning("refund not sent yet, retrying later", extra={"error": str(exc)})
        await enqueue(REFUND_JOB, {"refund_id": refund.id}, delay=60)
    return refund


async def refund_order(
    services: Services,
    order_no: str,
    amount_fen: int | None = None,
    *,
    reason: str,
    requested_by: str,
) -> Refund:
    """For staff: refund ``amount_fen`` (default: everything left) of a paid order.

    Raises :class:`RefundRefused` (nothing paid, too much) or :class:`PayError` (WeChat
    refused, with its code/message); a refund WeChat could not be reached for is retried.
    """
    order = await Order.get_or_none(order_no=order_no)
    if order is None:
        raise RefundRefused(f"no order {order_no}")
    return await request_refund(
        services,
        build_pay_client(services),
        order,
        amount_fen,
        reason=reason,
        requested_by=requested_by,
    )


async def submit_refund(
    services: Services, client: PayClient, refund: Refund, payment: Payment
) -> None:
    """Send (or resend: same ``out_refund_no``) a recorded refund to WeChat Pay."""
    answer = await client.refund(
        out_trade_no=payment.out_trade_no,
        out_refund_no=refund.out_refund_no,
        refund_fen=refund.amount_fen,
        total_fen=payment.amount_fen,
        reason=refund.reason,
    )
    refund_id = answer.get("refund_id")
    if isinstance(refund_id, str):
        await Refund.filter(id=refund.id).update(refund_id=refund_id)
        refund.refund_id = refund_id
    await _apply_refund_answer(services, answer)
    await refund.refresh_from_db(fields=["state"])
    if refund.state is RefundState.PROCESSING:  # no notification yet: look again later
        await enqueue(
            REFUND_JOB,
            {"refund_id": refund.id, "check": True},
            delay=services.settings.pay.query_after_seconds,
            dedupe_key=f"{REFUND_JOB}:check:{refund.id}",
        )


async def check_refund(services: Services, client: PayClient, refund: Refund) -> None:
    """Ask WeChat Pay how a refund ended and apply it (for a missed refund notification)."""
    if refund.state is RefundState.PROCESSING:
        await _apply_refund_answer(services, await client.query_refund(refund.out_refund_no))


async def _apply_refund_answer(services: Services, answer: dict[str, object]) -> None:
    if answer.get("status") in ("SUCCESS", "CLOSED", "ABNORMAL"):
        await settle_refund(
            services.settings.pay, {**answer, "refund_status": answer["status"]}, source="query"
        )
