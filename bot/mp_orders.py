"""``/api/mp/v1/orders``: order query in the mini-program (seed section 4), over the same
lookups and rules as the chat (``handlers.order_query``).

- ``GET orders``: the user's own orders (their openid, or their UnionID from the official
  account), newest first;
- ``POST orders/lookup`` ``{"kind": "org"|"personal", "id_number"}`` → an SMS code to the phone
  on record, ``{"masked_phone"}``;
- ``POST orders/lookup/verify`` ``{"kind", "id_number", "code"}`` → the orders of that unit or
  person; the session may then open them for a while;
- ``GET orders/{order_no}``: one order the user may see (404 for any other, so order numbers
  cannot be probed), with its invoice's state and signed download link; its applicant also
  gets the material photos' review status and signed links to see them; ``fix`` says how a
  rejected order is continued (its applicant: the fixes route; anyone else: who fixes it);
- ``POST orders/{order_no}/invoice/resend``: 电子发票重新获取 (email the invoice again).
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from bot import invoices
from bot.engine import decrypt_answers
from bot.material_review import material_slots
from bot.mp_api import BAD_REQUEST, PREFIX, MiniProgramApi, error, read_json
from bot.uploads import describe_material
from bot.validators import Invalid
from handlers import query_texts as QT
from handlers.order_lookup import QUERY_TTL, LookupRefused
from handlers.order_query import OrderQuery
from models.orders import Order, OrderStatus

NO_SUCH_ORDER = "没有找到该订单。"
KINDS = {"org", "personal"}


class MiniProgramOrders:
    """The order query routes of the mini-program API."""

    def __init__(self, api: MiniProgramApi, query: OrderQuery) -> None:
        self.api = api
        self.query = query
        self.store = api.services.store

    def routes(self) -> list[web.RouteDef]:
        """The routes to add to the application."""
        return [
            web.get(f"{PREFIX}/orders", self.own),
            web.post(f"{PREFIX}/orders/lookup", self.lookup),
            web.post(f"{PREFIX}/orders/lookup/verify", self.verify),
            web.get(f"{PREFIX}/orders/{{order_no}}", self.detail),
            web.post(f"{PREFIX}/orders/{{order_no}}/invoice/resend", self.resend_invoice),
        ]

    async def own(self, request: web.Request) -> web.Response:
        """我的订单: what this WeChat user applied for."""
        openid, unionid = await self.api.session(request)
        orders = await self.query.own_orders(openid, unionid)
        return web.json_response({"orders": [self.query.summary(o) for o in orders]})

    async def lookup(self, request: web.Request) -> web.Response:
        """Send the SMS code for a lookup by credit code / ID number."""
        openid, _ = await self.api.session(request)
        parsed = await self._subject(request)
        if isinstance(parsed, web.Response):
            return parsed
        kind, subject, _ = parsed
        try:
            sent = await self.query.send_code(kind, subject, openid)
        except LookupRefused as exc:
            status = 429 if exc.rate_limited else 422
            return error(
                status, "rate_limited" if exc.rate_limited else "refused", exc.user_message
            )
        return web.json_response({"masked_phone": sent.masked_phone, "expires_in": sent.expires_in})

    async def verify(self, request: web.Request) -> web.Response:
        """Check the code; the orders of that subject, which the session may then open."""
        openid, _ = await self.api.session(request)
        parsed = await self._subject(request)
        if isinstance(parsed, web.Response):
            return parsed
        kind, subject, body = parsed
        code = body.get("code")
        if not isinstance(code, str) or len(code) > 20:
            return error(400, "bad_request", BAD_REQUEST)
        try:
            await self.query.verify_code(kind, subject, code)
        except LookupRefused as exc:
            return error(422, "invalid_code", exc.user_message)
        granted = await self._granted(openid)
        if subject not in granted:
            granted.append(subject)
        await self.store.set(_grant_key(openid), json.dumps(granted), ttl=QUERY_TTL)
        orders = await self.query.subject_orders(kind, subject)
        return web.json_response({"orders": [self.query.summary(o) for o in orders]})

    async def detail(self, request: web.Request) -> web.Response:
        """One order, masked, with its next step, password method and invoice."""
        openid, unionid = await self.api.session(request)
        order = await self._visible(request, openid, unionid)
        if order is None:
            return error(404, "no_such_order", NO_SUCH_ORDER)
        invoice = await invoices.view(self.api.services, order)
        return web.json_response(
            {
                **self.query.summary(order),
                "payment": await self.query.payment(order),
                "details": self.query.details(order).splitlines(),
                "password_method": self.query.password_method(order),
                "invoice": await self.query.invoice(order),
                "invoice_status": invoice.label,
                "invoice_url": invoice.url,
                "materials": await self._materials(order, openid, unionid),
                "fix": self._fix(order, openid),
            }
        )

    async def resend_invoice(self, request: web.Request) -> web.Response:
        """电子发票重新获取: the invoice is emailed again (rate limited)."""
        openid, unionid = await self.api.session(request)
        order = await self._visible(request, openid, unionid)
        if order is None:
            return error(404, "no_such_order", NO_SUCH_ORDER)
        try:
            email = await invoices.resend(self.api.services, order, openid)
        except invoices.InvoiceRefused as exc:
            return error(409, "refused", str(exc))
        return web.json_response({"sent_to": email})

    async def _visible(
        self, request: web.Request, openid: str, unionid: str | None
    ) -> Order | None:
        order = await Order.get_or_none(order_no=request.match_info["order_no"][:32])
        if order is None or not self.query.may_see(
            order, openid, unionid, await self._granted(openid)
        ):
            return None
        return order

    async def _materials(self, order: Order, openid: str, unionid: str | None) -> list[Any]:
        """The photos in use with their review status and a signed link to each — for the
        applicant only (not for others who looked the order up by SMS)."""
        if not self.query.may_see(order, openid, unionid, []):
            return []
        services = self.api.services
        flow = self.query.engine.flows[order.kind]
        slots = await material_slots(order, flow, decrypt_answers(services, flow, order))
        return [
            {"label": slot.step.label, **describe_material(services, slot.current, order.order_no)}
            for slot in slots
            if slot.current is not None
        ]

    @staticmethod
    def _fix(order: Order, openid: str) -> dict[str, str] | None:
        """继续办理 of a rejected order: the applicant's fixes route, or who fixes it."""
        if order.status is not OrderStatus.REJECTED:
            return None
        if order.owner_openid == openid:
            return {"url": f"{PREFIX}/orders/{order.order_no}/fixes"}
        return {"message": QT.FIX_BY_APPLICANT}

    async def _subject(
        self, request: web.Request
    ) -> tuple[str, str, dict[str, Any]] | web.Response:
        body = await read_json(request)
        if not isinstance(body, dict):
            return error(400, "bad_request", BAD_REQUEST)
        kind, raw = body.get("kind"), body.get("id_number")
        if (
            not isinstance(kind, str)
            or kind not in KINDS
            or not isinstance(raw, str)
            or len(raw) > 64
        ):
            return error(400, "bad_request", BAD_REQUEST)
        try:
            subject = self.query.subject_of(str(kind), raw)
        except Invalid as exc:
            return error(422, "invalid_id_number", exc.reason)
        return str(kind), subject, body

    async def _granted(self, openid: str) -> list[str]:
        raw = await self.store.get(_grant_key(openid))
        return list(json.loads(raw)) if raw is not None else []


def _grant_key(openid: str) -> str:
    return f"mp:query-grant:{openid}"
