"""Payments (one WeChat Pay order per ``out_trade_no``) and refunds of an application order.

States and their transitions live here, in one place: :func:`transition` moves a payment only
along :data:`PAYMENT_TRANSITIONS` and only from the state the caller saw (compare-and-set in the
database), so a duplicate or reordered notification, or a query racing a notification, changes
nothing the second time.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from models.orders import Order


class PaymentState(StrEnum):
    """A payment as the applicant and staff see it."""

    UNPAID = "unpaid"
    PAID = "paid"
    CLOSED = "closed"
    REFUNDED = "refunded"

    @property
    def label(self) -> str:
        """The Chinese name shown to applicants and staff."""
        return PAYMENT_LABELS[self]


PAYMENT_LABELS = {
    PaymentState.UNPAID: "待支付",
    PaymentState.PAID: "已支付",
    PaymentState.CLOSED: "已关闭",
    PaymentState.REFUNDED: "已退款",
}

PAYMENT_TRANSITIONS: dict[PaymentState, frozenset[PaymentState]] = {
    PaymentState.UNPAID: frozenset({PaymentState.PAID, PaymentState.CLOSED}),
    # Money WeChat says arrived wins over our own close (a close racing the payer).
    PaymentState.CLOSED: frozenset({PaymentState.PAID}),
    PaymentState.PAID: frozenset({PaymentState.REFUNDED}),
    PaymentState.REFUNDED: frozenset(),
}


class TradeType(StrEnum):
    """How the payer pays: scanning a QR code, or inside WeChat (OA page or mini-program)."""

    NATIVE = "NATIVE"
    JSAPI = "JSAPI"


class RefundState(StrEnum):
    """A refund as WeChat Pay reports it."""

    PROCESSING = "PROCESSING"
    SUCCESS = "SUCCESS"
    ABNORMAL = "ABNORMAL"
    CLOSED = "CLOSED"


REFUND_LABELS = {
    RefundState.PROCESSING: "退款处理中",
    RefundState.SUCCESS: "已退款",
    RefundState.ABNORMAL: "退款异常",
    RefundState.CLOSED: "退款已关闭",
}

REFUND_TRANSITIONS: dict[RefundState, frozenset[RefundState]] = {
    RefundState.PROCESSING: frozenset(
        {RefundState.SUCCESS, RefundState.ABNORMAL, RefundState.CLOSED}
    ),
    RefundState.ABNORMAL: frozenset({RefundState.SUCCESS, RefundState.CLOSED}),
    RefundState.SUCCESS: frozenset(),
    RefundState.CLOSED: frozenset(),
}


class Payment(Model):
    """One WeChat Pay order for an application order (a QR code, or an in-WeChat payment)."""

    id = fields.BigIntField(primary_key=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="payments", on_delete=fields.RESTRICT
    )
    out_trade_no = fields.CharField(max_length=32, unique=True)
    trade_type = fields.CharEnumField(TradeType, max_length=8)
    appid = fields.CharField(max_length=32)
    payer_openid = fields.CharField(max_length=64, null=True)  # JSAPI: who may pay
    amount_fen = fields.IntField()
    description = fields.CharField(max_length=127)
    time_expire = fields.DatetimeField()
    prepay = fields.CharField(max_length=256, null=True)  # code_url or prepay_id
    state = fields.CharEnumField(PaymentState, max_length=16, default=PaymentState.UNPAID)
    transaction_id = fields.CharField(max_length=32, null=True, unique=True)
    paid_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    refunded_fen = fields.IntField(default=0)
    settled_by = fields.CharField(max_length=16, null=True)  # notify or query
    notify_event_id = fields.CharField(max_length=64, null=True)  # audit: the applied event
    notify_raw: fields.Field[dict[str, Any] | None] = fields.JSONField(null=True)  # decrypted
    notify_count = fields.IntField(default=0)  # verified notifications received
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "payment"

    def __str__(self) -> str:
        return f"Payment({self.out_trade_no}, {self.trade_type}, {self.state})"


class Refund(Model):
    """A refund of (part of) a paid payment; ``out_refund_no`` makes a retry the same refund."""

    id = fields.BigIntField(primary_key=True)
    payment: fields.ForeignKeyRelation[Payment] = fields.ForeignKeyField(
        "models.Payment", related_name="refunds", on_delete=fields.RESTRICT
    )
    out_refund_no = fields.CharField(max_length=64, unique=True)
    amount_fen = fields.IntField()
    reason = fields.CharField(max_length=80, default="")
    requested_by = fields.CharField(max_length=64, default="")
    state = fields.CharEnumField(RefundState, max_length=16, default=RefundState.PROCESSING)
    refund_id = fields.CharField(max_length=64, null=True)
    success_at = fields.DatetimeField(null=True)
    notify_raw: fields.Field[dict[str, Any] | None] = fields.JSONField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "refund"


class IllegalTransition(Exception):
    """A state change the state machine does not allow."""


async def transition(payment: Payment, target: PaymentState, **changes: Any) -> bool:
    """Move ``payment`` to ``target`` (with ``changes``) if it is still in the state it was
    loaded in; False when another delivery got there first (nothing changed)."""
    source = payment.state
    if target not in PAYMENT_TRANSITIONS[source]:
        raise IllegalTransition(f"{payment}: {source} -> {target}")
    return await _compare_and_set(payment, source, target, changes)


async def refund_transition(refund: Refund, target: RefundState, **changes: Any) -> bool:
    """Like :func:`transition`, for a refund; also False when ``target`` is not allowed from
    the current state (a late PROCESSING echo after SUCCESS changes nothing)."""
    source = refund.state
    if target not in REFUND_TRANSITIONS[source]:
        return False
    return await _compare_and_set(refund, source, target, changes)


async def _compare_and_set(
    row: Payment | Refund, source: Any, target: Any, changes: dict[str, Any]
) -> bool:
    """Move ``row`` from ``source`` to ``target`` (with ``changes``) only if it is still in
    ``source`` in the database; the row object follows when it did."""
    model = type(row)
    updated = await model.filter(id=row.id, state=source).update(state=target, **changes)
    if not updated:
        return False
    row.state = target
    for name, value in changes.items():
        setattr(row, name, value)
    return True
