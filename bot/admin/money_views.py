"""Console pages of money: pending invoice requests and the PDF upload (manual invoicing
provider), and refunds of paid orders; every action audited."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web
from tortoise.transactions import in_transaction

from bot import invoices
from bot.admin import actions
from bot.admin.web import allow, order_no_of, render, services_of, staff_of, text_input
from bot.config import ConfigError
from bot.pay.client import PayError
from bot.pay.orders import RefundRefused, refund_order
from bot.storage import StorageError
from models.invoices import Invoice, InvoiceState
from models.orders import Order
from models.payments import REFUND_LABELS, Payment, PaymentState, Refund, RefundState
from models.staff import Staff, StaffRole

INVOICING = (StaffRole.OPERATOR,)
YUAN = re.compile(r"(\d{1,7})(?:\.(\d{1,2}))?")


def fen_of(text: str) -> int | None:
    """An amount typed in yuan (``300``, ``300.5``, ``300.50``) in fen; None if it is not one."""
    found = YUAN.fullmatch(text.strip().removeprefix("¥"))
    if found is None:
        return None
    return int(found.group(1)) * 100 + int((found.group(2) or "0").ljust(2, "0"))


async def money_context(order: Order, staff: Staff) -> dict[str, Any]:
    """What the order page shows of payments, refunds and the invoice, and what staff may do."""
    payments = await Payment.filter(order_id=order.id).order_by("id")
    refunds = await Refund.filter(payment_id__in=[p.id for p in payments]).order_by("id")
    paid = [p for p in payments if p.state in (PaymentState.PAID, PaymentState.REFUNDED)]
    pending = sum(r.amount_fen for r in refunds if r.state is RefundState.PROCESSING)
    invoice = await Invoice.get_or_none(order_id=order.id)
    refundable = sum(p.amount_fen - p.refunded_fen for p in paid if p.state is PaymentState.PAID)
    return {
        "payments": payments,
        "refunds": [(r, REFUND_LABELS[r.state]) for r in refunds],
        "refundable_fen": max(0, refundable - pending),
        "invoice": invoice,
        "invoice_reversal": invoices.needs_reversal(invoice, payments),
        "can_refund": staff.role is StaffRole.ADMIN,
        "can_invoice": staff.role in {StaffRole.OPERATOR, StaffRole.ADMIN},
    }


async def _pending_page(request: web.Request, error: str = "", status: int = 200) -> web.Response:
    pending = (
        await Invoice.filter(state=InvoiceState.PENDING)
        .order_by("created_at")
        .prefetch_related("order")
    )
    return render(request, "invoices.html", {"pending": pending, "error": error}, status)


@allow(*INVOICING)
async def pending_invoices(request: web.Request) -> web.StreamResponse:
    """Paid orders whose invoice waits for its PDF, oldest first."""
    return await _pending_page(request)


@allow(*INVOICING)
async def upload_invoice(request: web.Request) -> web.StreamResponse:
    """The invoice PDF of one order: checked, stored, emailed to the handler, applicant told."""
    order_no = order_no_of(request)
    form = await request.post()
    upload = form.get("pdf")
    data = (
        upload.file.read(invoices.MAX_PDF_BYTES + 1) if isinstance(upload, web.FileField) else b""
    )
    staff = staff_of(request)
    try:
        if not await Invoice.exists(order__order_no=order_no, state=InvoiceState.PENDING):
            raise invoices.InvoiceRefused("该订单没有待开具的发票（未支付或已开具）。")
        invoices.check_pdf(data)
        stored = await services_of(request).files.put("invoices", order_no, data, invoices.PDF)
        async with in_transaction():
            after = await invoices.issue(order_no, stored, staff.username)
            await actions.audit(staff, "invoice_issue", order_no, {"invoice": "pending"}, after)
    except (invoices.InvoiceRefused, StorageError) as exc:
        message = str(exc) if isinstance(exc, invoices.InvoiceRefused) else "文件无法保存，请重试。"
        return await _pending_page(request, error=f"订单 {order_no}：{message}", status=400)
    raise web.HTTPSeeOther("/admin/invoices")


@allow()
async def refund(request: web.Request) -> web.StreamResponse:
    """Refund (part of) what an order paid, with a reason; WeChat Pay's answer is shown."""
    order_no = order_no_of(request)
    form = await request.post()
    amount = fen_of(text_input(form.get("amount"), 16))
    reason = text_input(form.get("reason"), 80)
    if amount is None or amount <= 0:
        return _refused("退款金额应为正数，单位元，最多两位小数（如 300.00）。")
    if not reason:
        return _refused("请填写退款原因。")
    staff = staff_of(request)
    try:
        made = await refund_order(
            services_of(request), order_no, amount, reason=reason, requested_by=staff.username
        )
    except ConfigError:
        return _refused("微信支付未配置，无法退款。")
    except RefundRefused:
        return _refused("退款金额超过可退金额，或该订单没有已支付的款项。")
    except PayError as exc:
        async with in_transaction():
            after = {"amount_fen": amount, "reason": reason, "refused": exc.code}
            await actions.audit(staff, "refund_refused", order_no, {}, after)
        return _refused(f"微信支付拒绝退款：{exc.message}（{exc.code}）")
    async with in_transaction():
        after = {
            "out_refund_no": made.out_refund_no,
            "amount_fen": amount,
            "reason": reason,
            "state": made.state.value,
        }
        await actions.audit(staff, "refund", order_no, {}, after)
    raise web.HTTPSeeOther(f"/admin/orders/{order_no}")


def _refused(message: str) -> web.Response:
    return web.Response(text=message, status=409, content_type="text/plain", charset="utf-8")


def routes() -> list[web.RouteDef]:
    """The money pages' routes (relative to ``/admin``)."""
    return [
        web.get("/invoices", pending_invoices),
        web.post("/orders/{order_no}/invoice", upload_invoice),
        web.post("/orders/{order_no}/refund", refund),
    ]
