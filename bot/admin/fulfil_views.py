"""Console pages of production and shipping: record the certificate, the password transfers
for the bank (CSV), ship and complete."""

from __future__ import annotations

from datetime import date

from aiohttp import web
from aiohttp.web_request import FileField
from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from bot.admin import actions, delivery
from bot.admin.web import (
    ADMIN_ENGINE,
    allow,
    order_no_of,
    render,
    services_of,
    staff_of,
    text_input,
)
from bot.ca.uploaded import MAX_FILE_BYTES
from models.orders import Order, OrderStatus
from models.renewals import Renewal
from models.staff import Fulfilment, StaffRole

OPERATORS = (StaffRole.OPERATOR,)


def _back(order_no: str) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(f"/admin/orders/{order_no}")


def _refused(message: str) -> web.Response:
    return web.Response(text=message, status=409, content_type="text/plain", charset="utf-8")


@allow(*OPERATORS)
async def production(request: web.Request) -> web.StreamResponse:
    """Approved orders to produce and ship, and shipped ones awaiting delivery."""
    renewals = Renewal.all().values_list("order_id", flat=True)  # done on the users' PCs
    orders = (
        await Order.filter(status__in=[OrderStatus.APPROVED, OrderStatus.SHIPPED])
        .exclude(id__in=Subquery(renewals))
        .order_by("updated_at")
    )
    records = {r.order_id: r for r in await Fulfilment.filter(order_id__in=[o.id for o in orders])}  # type: ignore[attr-defined]
    rows = [(order, records.get(order.id)) for order in orders]
    return render(request, "production.html", {"rows": rows})


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise actions.ActionRefused("日期格式应为 2026-01-31。") from exc


@allow(*OPERATORS)
async def produce(request: web.Request) -> web.StreamResponse:
    """Record the certificate serial, validity and Key serial; the password goes out."""
    order_no = order_no_of(request)
    form = await request.post()
    try:
        await actions.produce(
            services_of(request),
            staff_of(request),
            order_no,
            flows=request.app[ADMIN_ENGINE].flows,
            cert_serial=text_input(form.get("cert_serial")),
            not_before=_date(text_input(form.get("not_before"))),
            not_after=_date(text_input(form.get("not_after"))),
            key_serial=text_input(form.get("key_serial")),
        )
    except actions.ActionRefused as exc:
        return _refused(str(exc))
    raise _back(order_no)


@allow(*OPERATORS)
async def produce_from_file(request: web.Request) -> web.StreamResponse:
    """Record the certificate from the issued file (PEM or DER) and the Key serial."""
    order_no = order_no_of(request)
    form = await request.post()
    upload = form.get("certificate")
    data = upload.file.read(MAX_FILE_BYTES + 1) if isinstance(upload, FileField) else b""
    try:
        await actions.produce_from_file(
            services_of(request),
            staff_of(request),
            order_no,
            flows=request.app[ADMIN_ENGINE].flows,
            certificate_file=data,
            key_serial=text_input(form.get("key_serial")),
        )
    except actions.ActionRefused as exc:
        return _refused(str(exc))
    raise _back(order_no)


@allow(*OPERATORS)
async def ship(request: web.Request) -> web.StreamResponse:
    """Record courier and tracking number; the applicant is told."""
    order_no = order_no_of(request)
    form = await request.post()
    try:
        await actions.ship(
            staff_of(request),
            order_no,
            text_input(form.get("courier")),
            text_input(form.get("tracking_no")),
        )
    except actions.ActionRefused as exc:
        return _refused(str(exc))
    raise _back(order_no)


@allow(*OPERATORS)
async def delivered(request: web.Request) -> web.StreamResponse:
    """The Key arrived: the order is completed."""
    order_no = order_no_of(request)
    try:
        await actions.mark_delivered(staff_of(request), order_no)
    except actions.ActionRefused as exc:
        return _refused(str(exc))
    raise _back(order_no)


@allow(*OPERATORS)
async def transfers(request: web.Request) -> web.StreamResponse:
    """Password transfers (0.01 CNY, memo = password) not yet made by the bank."""
    records = await delivery.pending_transfers()
    return render(request, "transfers.html", {"records": records})


@allow(*OPERATORS)
async def transfers_csv(request: web.Request) -> web.StreamResponse:
    """The pending transfers as CSV for the bank (the export is audited)."""
    services = services_of(request)
    records = await delivery.pending_transfers()
    async with in_transaction():
        orders = [r.order.order_no for r in records]
        await actions.audit(staff_of(request), "export_transfers", None, {}, {"orders": orders})
    body = "\ufeff" + delivery.transfers_csv(services, records)  # BOM: Excel reads UTF-8
    return web.Response(
        body=body.encode("utf-8"),
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": 'attachment; filename="transfers.csv"',
        },
    )


@allow(*OPERATORS)
async def transfer_done(request: web.Request) -> web.StreamResponse:
    """The bank made the transfer: the password is wiped and the applicant told."""
    order_no = order_no_of(request)
    async with in_transaction():
        try:
            await delivery.transfer_done(order_no)
        except LookupError:
            return _refused("该订单没有待办的打款任务。")
        await actions.audit(staff_of(request), "transfer_done", order_no, {}, {"delivered": True})
    raise web.HTTPSeeOther("/admin/transfers")


def routes() -> list[web.RouteDef]:
    """The production pages' routes (relative to ``/admin``)."""
    return [
        web.get("/production", production),
        web.post("/orders/{order_no}/produce", produce),
        web.post("/orders/{order_no}/produce-file", produce_from_file),
        web.post("/orders/{order_no}/ship", ship),
        web.post("/orders/{order_no}/delivered", delivered),
        web.get("/transfers", transfers),
        web.get("/transfers.csv", transfers_csv),
        web.post("/transfers/{order_no}/done", transfer_done),
    ]
