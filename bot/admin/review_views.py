"""Console pages of review: the queue, search, an order's answers and materials, reveal,
approve and reject."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web
from tortoise.transactions import in_transaction

from bot.admin import actions
from bot.admin.deadline import local_time, review_deadline
from bot.admin.money_views import money_context
from bot.admin.web import (
    ADMIN_ENGINE,
    allow,
    order_no_of,
    render,
    services_of,
    staff_of,
    text_input,
)
from bot.china_time import SHANGHAI
from bot.engine import Engine, decrypt_answers
from bot.file_links import file_response, stored_key
from bot.flows import Flow, StepKind
from bot.material_review import material_slots
from bot.outbox import utcnow
from bot.secrets_box import lookup_hash
from bot.texts import MATERIAL_STATUS, PHOTO_WARNINGS_FOR_REVIEWER
from bot.validators import Invalid, mobile
from models.materials import Material
from models.orders import Order, OrderStatus
from models.renewals import Renewal
from models.staff import AuditLog, Fulfilment, StaffRole

REVIEWERS = (StaffRole.REVIEWER,)
EVERYONE = (StaffRole.REVIEWER, StaffRole.OPERATOR)
MIN_SIDE = 800  # pixels; smaller photos are flagged to the reviewer
SEARCH_LIMIT = 50
OTHER = "__other__"


@dataclass(frozen=True)
class QueueRow:
    """One paid order waiting for review."""

    order: Order
    queued: str
    deadline: str
    overdue: bool


def _flow(request: web.Request, order: Order) -> Flow:
    engine: Engine = request.app[ADMIN_ENGINE]
    return engine.flows[order.kind]


@allow(*REVIEWERS)
async def queue(request: web.Request) -> web.StreamResponse:
    """Paid orders waiting for review, oldest first, with their review deadline."""
    config = services_of(request).settings.admin
    orders = await Order.filter(status=OrderStatus.PAID)
    orders.sort(key=lambda o: o.queued_at or o.submitted_at or o.created_at)
    now_local = utcnow().astimezone(SHANGHAI).date()
    rows = []
    for order in orders:
        entered = order.queued_at or order.submitted_at or order.created_at
        due = review_deadline(entered, config.review_working_days, config.holidays)
        rows.append(QueueRow(order, local_time(entered), due.isoformat(), due < now_local))
    return render(request, "queue.html", {"rows": rows})


@allow(*EVERYONE)
async def search(request: web.Request) -> web.StreamResponse:
    """Find orders by order number, unit (or applicant) name, or the contact's phone."""
    text = text_input(request.query.get("q"), 64)
    orders: list[Order] = []
    if text:
        lookup_key = services_of(request).lookup_key
        try:
            phone = mobile(text)
        except Invalid:
            phone = ""
        query = Order.exclude(status__in=[OrderStatus.DRAFT, OrderStatus.CANCELLED])
        if phone:
            query = query.filter(phone_hash=lookup_hash(phone, lookup_key, kind="phone"))
        elif text.upper().startswith("CD") and text[2:].isdigit():
            query = query.filter(order_no=text.upper())
        else:
            query = query.filter(subject_name__icontains=text)
        orders = await query.order_by("-created_at").limit(SEARCH_LIMIT)
    return render(request, "search.html", {"q": text, "orders": orders})


async def _order(request: web.Request) -> Order:
    order_no = order_no_of(request)
    order = await Order.get_or_none(order_no=order_no) if order_no else None
    if order is None or order.status in {OrderStatus.DRAFT, OrderStatus.CANCELLED}:
        raise web.HTTPNotFound(text="订单不存在。")
    return order


async def _detail(
    request: web.Request,
    order: Order,
    revealed: dict[str, str] | None = None,
    error: str = "",
    status: int = 200,
) -> web.Response:
    services = services_of(request)
    flow = _flow(request, order)
    answers = decrypt_answers(services, flow, order)
    fields = []
    for step in flow.applicable(answers):
        if step.kind in {StepKind.UPLOAD, StepKind.SMS, StepKind.CONFIRM, StepKind.CONSENT}:
            continue
        shown = (revealed or {}).get(step.key) or Engine.display(step, answers)
        fields.append({"step": step, "value": shown, "sensitive": step.sensitive})
    materials = []
    for slot in await material_slots(order, flow, answers):
        material, warnings = slot.current, []
        if material is not None:
            kept = PHOTO_WARNINGS_FOR_REVIEWER
            warnings = [kept[code] for code in material.warnings if code in kept]
            if min(material.width or 0, material.height or 0) < MIN_SIDE:
                warnings.append(f"分辨率较低（{material.width}×{material.height}）")
        history = [(m, local_time(m.created_at)) for m in slot.history]
        materials.append(
            {"step": slot.step, "material": material, "warnings": warnings, "history": history}
        )
    record = await Fulfilment.get_or_none(order=order)
    renewal = await Renewal.get_or_none(order_id=order.id)  # done on the user's PC, not here
    context = {
        "order": order,
        "flow": flow,
        "fields": fields,
        "materials": materials,
        "record": record,
        "submitted": local_time(order.submitted_at),
        "material_reasons": actions.MATERIAL_REASONS,
        "field_reasons": actions.FIELD_REASONS,
        "rejectable": {s.key for s in actions.rejectable_steps(flow, answers)},
        "couriers": actions.COURIERS,
        "can_review": staff_of(request).role in {StaffRole.REVIEWER, StaffRole.ADMIN},
        "can_fulfil": renewal is None
        and staff_of(request).role in {StaffRole.OPERATOR, StaffRole.ADMIN},
        "renewal": renewal,
        "error": error,
        "other": OTHER,
        **await money_context(order, staff_of(request)),
        "material_status": MATERIAL_STATUS,
    }
    return render(request, "order.html", context, status)


@allow(*EVERYONE)
async def detail(request: web.Request) -> web.StreamResponse:
    """One order: every answer (sensitive ones masked), the materials, what was done."""
    return await _detail(request, await _order(request))


@allow(*REVIEWERS)
async def reveal(request: web.Request) -> web.StreamResponse:
    """Show one sensitive answer in clear to a reviewer; every reveal is audited."""
    order = await _order(request)
    key = text_input((await request.post()).get("field"), 64)
    flow = _flow(request, order)
    step = flow.steps_by_key.get(key)
    if step is None or not step.sensitive or key not in order.answers:
        return await _detail(request, order, error="没有可显示的字段。", status=400)
    answers = decrypt_answers(services_of(request), flow, order)
    async with in_transaction():
        await actions.audit(staff_of(request), "reveal", order.order_no, {}, {"field": key})
    return await _detail(request, order, revealed={key: answers[key]})


async def _material_response(request: web.Request, variant: str) -> web.StreamResponse:
    material_id = request.match_info["material_id"]
    valid = material_id.isdigit() and len(material_id) < 19
    material = await Material.get_or_none(id=int(material_id)) if valid else None
    found = stored_key(material, variant) if material is not None else None
    if found is None:
        raise web.HTTPNotFound()
    return await file_response(services_of(request).files, *found)


@allow(*REVIEWERS)
async def material_file(request: web.Request) -> web.StreamResponse:
    """A material's normalised photo (reviewers only; never cached)."""
    return await _material_response(request, "photo")


@allow(*REVIEWERS)
async def material_original(request: web.Request) -> web.StreamResponse:
    """A material's original as the applicant sent it, when kept (reviewers only)."""
    return await _material_response(request, "original")


@allow(*REVIEWERS)
async def approve(request: web.Request) -> web.StreamResponse:
    """Review passed."""
    order_no = order_no_of(request)
    try:
        await actions.approve(staff_of(request), order_no)
    except actions.ActionRefused as exc:
        return await _detail(request, await _order(request), error=str(exc), status=409)
    raise web.HTTPSeeOther("/admin/")


@allow(*REVIEWERS)
async def reject(request: web.Request) -> web.StreamResponse:
    """Review failed: the chosen (or typed) reason for each material and field to fix."""
    order = await _order(request)
    form = await request.post()
    items = []
    for step in actions.rejectable_steps(_flow(request, order), order.answers):
        choice = text_input(form.get(f"reason:{step.key}"))
        if choice == OTHER:
            choice = text_input(form.get(f"other:{step.key}"))
        if choice:
            items.append(actions.RejectItem(step.key, choice))
    try:
        await actions.reject(staff_of(request), order.order_no, _flow(request, order), items)
    except actions.ActionRefused as exc:
        return await _detail(request, order, error=str(exc), status=400)
    raise web.HTTPSeeOther("/admin/")


@allow()
async def audit_log(request: web.Request) -> web.StreamResponse:
    """The last staff actions (admins only), optionally of one order."""
    order_no = text_input(request.query.get("order"), 32)
    query = AuditLog.all()
    if order_no:
        query = query.filter(order_no=order_no)
    entries = await query.order_by("-at", "-id").limit(200)
    rows = [(entry, local_time(entry.at)) for entry in entries]
    return render(request, "audit.html", {"rows": rows, "order_no": order_no})


def routes() -> list[web.RouteDef]:
    """The review pages' routes (relative to ``/admin``)."""
    return [
        web.get("/", queue),
        web.get("/search", search),
        web.get("/orders/{order_no}", detail),
        web.post("/orders/{order_no}/reveal", reveal),
        web.post("/orders/{order_no}/approve", approve),
        web.post("/orders/{order_no}/reject", reject),
        web.get("/materials/{material_id}", material_file),
        web.get("/materials/{material_id}/original", material_original),
        web.get("/audit", audit_log),
    ]
