"""Apply what WeChat Pay reports (a notification or our own query) to payments and orders, once.

Each function checks the report against our records first (merchant, appid, order, amount) and
refuses a mismatch without changing anything. The change itself runs in one transaction with a
compare-and-set on the payment's state, together with the jobs it causes (the "paid" notice,
the invoice request; the "refunded" notice, a full refund's cancelled invoice request), so a
duplicate, a redelivery or a query racing the notification applies nothing a second time.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from bot.config import PaySettings
from bot.invoices import create_request, order_refunded
from bot.logs import get_logger
from bot.notices import notify_order_paid, notify_refunded
from bot.outbox import enqueue, utcnow
from models.orders import Order, OrderStatus
from models.payments import (
    Payment,
    PaymentState,
    Refund,
    RefundState,
    refund_transition,
    transition,
)

log = get_logger(__name__)

CLOSE_JOB = "pay.close"
REFUND_JOB = "pay.refund"
PAYABLE_ORDER_STATES = (OrderStatus.SUBMITTED, OrderStatus.CLOSED)

PaidHook = Callable[[Order], Awaitable[bool]]
_PAID_HOOKS: list[PaidHook] = []


def on_order_paid(hook: PaidHook) -> PaidHook:
    """Register ``hook`` for just-paid orders (called in the settling transaction). A hook that
    returns True has taken the order (e.g. a renewal goes to the Key, not to review): the
    review's "paid" notice is not sent."""
    if hook not in _PAID_HOOKS:
        _PAID_HOOKS.append(hook)
    return hook


class Mismatch(Exception):
    """The report does not match our records (never applied); ``code`` goes back to WeChat."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Outcome:
    """What a report did: ``applied`` (changed state), ``duplicate`` or ``pending``."""

    result: str
    payment_id: int | None = None


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    return value if isinstance(value, str) else ""


def _amount(data: Mapping[str, Any], name: str) -> int | None:
    amount = data.get("amount")
    value = amount.get(name) if isinstance(amount, Mapping) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _time(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return utcnow()
    return parsed if parsed.tzinfo is not None else utcnow()


def check_transaction(config: PaySettings, payment: Payment, data: Mapping[str, Any]) -> None:
    """Raise :class:`Mismatch` unless ``data`` (a transaction) is about ``payment``."""
    if _text(data, "mchid") != config.mch_id:
        raise Mismatch("MCHID_MISMATCH", "mchid is not ours")
    if _text(data, "appid") != payment.appid:
        raise Mismatch("APPID_MISMATCH", "appid differs from the payment's")
    if _text(data, "out_trade_no") != payment.out_trade_no:
        raise Mismatch("ORDER_MISMATCH", "out_trade_no differs")
    if _amount(data, "total") != payment.amount_fen:
        raise Mismatch("AMOUNT_MISMATCH", "amount differs from the order's")


async def settle_transaction(
    config: PaySettings, data: Mapping[str, Any], *, source: str, event_id: str = ""
) -> Outcome:
    """Apply a transaction (notification resource or query answer); SUCCESS marks the payment
    and its order paid and enqueues the paid notice and invoice request, all at most once."""
    out_trade_no = _text(data, "out_trade_no")
    async with in_transaction():
        payment = await Payment.filter(out_trade_no=out_trade_no).select_for_update().first()
        if payment is None:
            raise Mismatch("ORDER_NOT_EXIST", "unknown out_trade_no")
        await payment.fetch_related("order")
        check_transaction(config, payment, data)
        if payment.order.amount_fen != payment.amount_fen:
            raise Mismatch("AMOUNT_MISMATCH", "payment amount differs from the order's")
        if source == "notify":
            await Payment.filter(id=payment.id).update(notify_count=F("notify_count") + 1)
        if _text(data, "trade_state") != "SUCCESS":
            return Outcome("pending", payment.id)
        if payment.state not in (PaymentState.UNPAID, PaymentState.CLOSED):
            if payment.transaction_id != _text(data, "transaction_id"):
                log.error(
                    "paid payment reported with another transaction_id",
                    extra={"out_trade_no": out_trade_no},
                )
            return Outcome("duplicate", payment.id)
        applied = await transition(
            payment,
            PaymentState.PAID,
            transaction_id=_text(data, "transaction_id") or None,
            paid_at=_time(_text(data, "success_time")),
            settled_by=source,
            notify_event_id=event_id or None,
            notify_raw=dict(data),
        )
        if not applied:
            return Outcome("duplicate", payment.id)
        await _order_paid(payment)
    log.info("payment settled", extra={"out_trade_no": out_trade_no, "source": source})
    return Outcome("applied", payment.id)


async def _order_paid(payment: Payment) -> None:
    """The order of a just-paid payment goes to review (unless a paid hook takes it); a second
    payment is refunded."""
    order = payment.order
    moved = await Order.filter(id=order.id, status__in=PAYABLE_ORDER_STATES).update(
        status=OrderStatus.PAID,
        queued_at=utcnow(),  # the review queue counts from payment
    )
    if not moved:
        log.error(
            "order was already paid or is no longer payable: refunding this payment",
            extra={"order_no": order.order_no, "out_trade_no": payment.out_trade_no},
        )
        await enqueue(
            REFUND_JOB,
            {"payment_id": payment.id, "amount_fen": payment.amount_fen, "reason": "重复支付退款"},
            dedupe_key=f"{REFUND_JOB}:duplicate:{payment.id}",
        )
        return
    for hook in _PAID_HOOKS:
        if await hook(order):
            break
    else:
        await notify_order_paid(order)
    await create_request(order)  # the invoice, renewals included
    others = await Payment.filter(order_id=order.id, state=PaymentState.UNPAID).exclude(
        id=payment.id
    )
    for other in others:  # the other QR code / page can no longer take money
        await enqueue(CLOSE_JOB, {"payment_id": other.id}, dedupe_key=f"{CLOSE_JOB}:{other.id}")


async def mark_closed(payment: Payment) -> bool:
    """Record that WeChat closed ``payment``; the order closes when nothing else can pay it."""
    async with in_transaction():
        if not await transition(payment, PaymentState.CLOSED, closed_at=utcnow()):
            return False
        open_payments = await Payment.filter(
            order_id=payment.order_id,  # type: ignore[attr-defined]
            state__in=(PaymentState.UNPAID, PaymentState.PAID, PaymentState.REFUNDED),
        ).count()
        if not open_payments:
            await Order.filter(id=payment.order_id, status=OrderStatus.SUBMITTED).update(  # type: ignore[attr-defined]
                status=OrderStatus.CLOSED
            )
    return True


async def settle_refund(config: PaySettings, data: Mapping[str, Any], *, source: str) -> Outcome:
    """Apply a refund report (REFUND.* notification or query answer) at most once."""
    if _text(data, "mchid") and _text(data, "mchid") != config.mch_id:
        raise Mismatch("MCHID_MISMATCH", "mchid is not ours")
    status = _text(data, "refund_status") or _text(data, "status")
    try:
        target = RefundState(status)
    except ValueError as exc:
        raise Mismatch("PARAM_ERROR", "unknown refund status") from exc
    async with in_transaction():
        refund = (
            await Refund.filter(out_refund_no=_text(data, "out_refund_no"))
            .select_for_update()
            .first()
        )
        if refund is None:
            raise Mismatch("REFUND_NOT_EXIST", "unknown out_refund_no")
        await refund.fetch_related("payment")
        payment = refund.payment
        if _text(data, "out_trade_no") != payment.out_trade_no:
            raise Mismatch("ORDER_MISMATCH", "out_trade_no differs")
        if _amount(data, "refund") != refund.amount_fen:
            raise Mismatch("AMOUNT_MISMATCH", "refund amount differs")
        if target is RefundState.PROCESSING or not await refund_transition(
            refund,
            target,
            refund_id=_text(data, "refund_id") or refund.refund_id,
            success_at=_time(_text(data, "success_time"))
            if target is RefundState.SUCCESS
            else None,
            notify_raw=dict(data) if source == "notify" else refund.notify_raw,
        ):
            return Outcome("duplicate", payment.id)
        if target is RefundState.SUCCESS:
            await _refunded(payment, refund.amount_fen)
            await payment.fetch_related("order")
            await notify_refunded(payment.order, refund.out_refund_no, refund.amount_fen)
            await order_refunded(payment.order)
    log.info("refund settled", extra={"out_refund_no": refund.out_refund_no, "status": status})
    return Outcome("applied", payment.id)


async def _refunded(payment: Payment, amount_fen: int) -> None:
    """Add a successful refund to its payment; a full refund makes the payment 已退款."""
    await Payment.filter(id=payment.id).update(refunded_fen=F("refunded_fen") + amount_fen)
    await payment.refresh_from_db(fields=["refunded_fen", "state"])
    if payment.refunded_fen >= payment.amount_fen and payment.state is PaymentState.PAID:
        await transition(payment, PaymentState.REFUNDED)
