"""Paying for a confirmed order in chat, and the payment jobs.

After confirmation the applicant gets a Native QR code (for the company's finance person) and a
signed link to the in-WeChat pay page; "支付" asks again. Jobs: ``pay.query`` (主动查单 when no
notification came), ``pay.close`` (close unpaid orders), ``pay.refund`` (send a recorded refund),
and ``notice.order_paid`` (tell the applicant; replaceable by the staff notices).
"""

from __future__ import annotations

import io
from typing import Any

import qrcode

from bot import texts
from bot.config import ConfigError
from bot.logs import get_logger
from bot.messages import Answer, ImageReply, Inbound, Reply, TextReply
from bot.outbox import PermanentJobError, enqueue, job_handler, utcnow
from bot.pay.client import PayError, build_pay_client, is_configured
from bot.pay.h5 import pay_url
from bot.pay.orders import (
    QUERY_JOB,
    NotPayable,
    check_refund,
    close_unpaid,
    payable_payment,
    query_and_settle,
    submit_refund,
)
from bot.pay.settle import CLOSE_JOB, REFUND_JOB
from bot.services import Services
from handlers.common import yuan
from models.orders import Order, OrderStatus
from models.payments import Payment, PaymentState, Refund, RefundState, TradeType

log = get_logger(__name__)

QUERY_ROUNDS = 4
"""How many times a payment without notification is queried (the delay doubles each time)."""


def qr_png(data: str) -> bytes:
    """``data`` as a PNG QR code big enough to scan from another phone's screen."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=3)
    code.add_data(data)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    return buffer.getvalue()


async def payment_replies(services: Services, order: Order, openid: str) -> list[Reply]:
    """The QR code and pay link of a confirmed order, or why they cannot be given now."""
    phone = services.settings.service.phone
    if not is_configured(services.settings.pay):
        return [TextReply(texts.PAY_NOT_OPEN.format(phone=phone))]
    try:
        client = build_pay_client(services)
        payment = await payable_payment(services, client, order, TradeType.NATIVE)
    except (PayError, ConfigError) as exc:
        log.warning("native prepay failed", extra={"order_no": order.order_no, "error": str(exc)})
        return [TextReply(texts.PAY_UNAVAILABLE.format(phone=phone))]
    assert payment.prepay is not None
    text = texts.PAY_QR.format(
        amount=yuan(payment.amount_fen),
        order_no=order.order_no,
        url=pay_url(services, order, openid),
        minutes=services.settings.pay.h5_link_minutes,
    )
    image = ImageReply(data=qr_png(payment.prepay), filename="pay.png", content_type="image/png")
    return [image, TextReply(text)]


async def pay_again(services: Services, inbound: Inbound) -> Answer:
    """ "支付": the payment of the applicant's latest unpaid order (reused, or a new one)."""
    order = (
        await Order.filter(
            owner_openid=inbound.openid,
            status__in=(OrderStatus.SUBMITTED, OrderStatus.CLOSED, OrderStatus.PAID),
        )
        .order_by("-submitted_at", "-id")
        .first()
    )
    if order is None:
        return Answer([TextReply(texts.PAY_NOTHING_DUE)])
    if order.status is OrderStatus.PAID:
        return Answer([TextReply(texts.PAY_ALREADY_PAID.format(order_no=order.order_no))])
    try:
        return Answer(await payment_replies(services, order, inbound.openid))
    except NotPayable:
        return Answer([TextReply(texts.PAY_NOTHING_DUE)])


# -- jobs -------------------------------------------------------------------------------------


async def _payment(payload: dict[str, Any]) -> Payment:
    payment = await Payment.get_or_none(id=payload.get("payment_id"))
    if payment is None:
        raise PermanentJobError("payment not found")
    return payment


@job_handler(QUERY_JOB)
async def query_payment(payload: dict[str, Any], services: Services) -> None:
    """主动查单: settle a payment whose notification has not come; ask again later if unpaid."""
    payment = await _payment(payload)
    if payment.state is not PaymentState.UNPAID:
        return
    try:
        await query_and_settle(services, build_pay_client(services), payment)
    except PayError as exc:
        if exc.code != "ORDER_NOT_EXIST":  # never prepaid: nothing WeChat could have taken
            raise
    await payment.refresh_from_db(fields=["state"])
    round_no = int(payload.get("round", 1))
    if payment.state is PaymentState.UNPAID and round_no < QUERY_ROUNDS:
        delay = services.settings.pay.query_after_seconds * 2**round_no
        if utcnow().timestamp() + delay < payment.time_expire.timestamp():
            await enqueue(
                QUERY_JOB,
                {"payment_id": payment.id, "round": round_no + 1},
                delay=delay,
                dedupe_key=f"{QUERY_JOB}:{payment.id}:{round_no + 1}",
            )


@job_handler(CLOSE_JOB)
async def close_payment(payload: dict[str, Any], services: Services) -> None:
    """Close an unpaid payment (after its time, or once another payment of the order paid)."""
    payment = await _payment(payload)
    await close_unpaid(services, build_pay_client(services), payment)


@job_handler(REFUND_JOB)
async def refund_payment(payload: dict[str, Any], services: Services) -> None:
    """Send a refund: a recorded one (``refund_id``), or a new one for a duplicate payment."""
    from bot.pay.orders import RefundRefused, request_refund

    client = build_pay_client(services)
    if "refund_id" in payload:
        refund = await Refund.get_or_none(id=payload["refund_id"]).select_related("payment")
        if refund is None:
            raise PermanentJobError("refund not found")
        if payload.get("check"):
            await check_refund(services, client, refund)
        elif refund.state is RefundState.PROCESSING:
            await submit_refund(services, client, refund, refund.payment)
        return
    payment = await _payment(payload)
    if await Refund.filter(payment_id=payment.id).exists():
        return  # already asked for (this job ran before and crashed afterwards)
    order = await Order.get(id=payment.order_id)  # type: ignore[attr-defined]
    try:
        await request_refund(
            services,
            client,
            order,
            payload.get("amount_fen"),
            reason=str(payload.get("reason", "")),
            requested_by="system",
            payment=payment,
        )
    except RefundRefused as exc:
        raise PermanentJobError(str(exc)) from exc
