"""Order query (seed section 4, 订单查询): history, continue unfinished business, password
method, invoice — in chat (menu 订单查询) and, through the same functions, in the mini-program.

Who may see an order: the WeChat user who applied (same openid, or the same UnionID from the
mini-program) sees it through 我的订单 at once; anyone else enters the unit's credit code or
the applicant's ID number and proves access with an SMS code sent to the handler's/applicant's
phone on record for those orders. Lookups are rate limited per WeChat user and per ID number,
codes by ``bot.sms_codes``. The chat's query state lives in the store and expires.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tortoise.expressions import Q

from bot import engine_texts as ENGINE_TEXTS
from bot import invoices
from bot.engine import VERB_CANCEL, VERB_CONTINUE, Engine, decrypt_answers, normalise
from bot.flows import StepKind
from bot.masking import mask_email
from bot.messages import Answer, Inbound, TextReply
from bot.pay.orders import NotPayable
from bot.ratelimit import hit
from bot.secrets_box import lookup_hash
from bot.services import Services
from bot.sms import SmsError
from bot.sms_codes import CodeInvalid, CodeRateLimited, SendResult
from bot.validators import Invalid, other_id_number, resident_id, uscc
from handlers import query_texts as T
from handlers.applications import SUBJECT_FIELDS
from handlers.certificate_password import password_delivery
from handlers.common import yuan
from handlers.payments import payment_replies
from models.orders import Conversation, Order, OrderStatus
from models.payments import Payment, PaymentState, Refund, RefundState

QUERY_TTL = 15 * 60  # a chat query session, and a mini-program's grant after the SMS code
LOOKUP_LIMIT = (10, 3600.0)  # lookups per WeChat user, and per ID number, per hour
CODE_PURPOSE = "query"
KIND_CHOICES = {"2": "org", "3": "personal"}
PHONE_ON_RECORD = {"org": "handler_phone", "personal": "phone"}
VERB_EXIT = frozenset({"退出", "退出查询", "结束"}) | VERB_CANCEL
VERB_RESEND = frozenset({"重新发送", "重发", "重新获取"})
VERB_INVOICE_AGAIN = frozenset({"5", "电子发票重新获取", "发票重新获取", "重新获取发票"})
SHOWN_ORDERS = 20
DELIVERED = {OrderStatus.SHIPPED, OrderStatus.COMPLETED}


class LookupRefused(Exception):
    """A lookup or code that cannot go on; ``user_message`` says why, in Chinese."""

    def __init__(self, user_message: str, *, rate_limited: bool = False) -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.rate_limited = rate_limited


@dataclass
class QuerySession:
    """Where a chat user is in order query (kept in the store for ``QUERY_TTL``)."""

    stage: str = "menu"  # menu, id, code, list, detail
    kind: str = ""
    subject: str = ""  # lookup hash of the ID number being verified
    granted: list[str] = field(default_factory=list)  # subjects proven by SMS code
    orders: list[str] = field(default_factory=list)  # order numbers as listed
    order: str = ""  # the order shown in detail

    def dumps(self) -> str:
        return json.dumps(self.__dict__)

    @classmethod
    def loads(cls, raw: bytes) -> QuerySession:
        data: dict[str, Any] = json.loads(raw)
        return cls(**{key: data[key] for key in cls.__dataclass_fields__ if key in data})


class OrderQuery:
    """Order query over the engine's flows; one per process."""

    def __init__(self, services: Services, engine: Engine) -> None:
        self.services = services
        self.engine = engine

    # -- lookups shared by chat and mini-program ------------------------------------------------

    async def own_orders(self, openid: str, unionid: str | None) -> list[Order]:
        """Orders this WeChat user applied for (newest first), drafts included."""
        mine = Q(owner_openid=openid)
        if unionid:
            mine |= Q(owner_unionid=unionid)
        return await self._listed(Order.filter(mine))

    async def subject_orders(self, kind: str, subject: str) -> list[Order]:
        """Orders of one unit (credit code) or person (ID number), by its lookup hash."""
        return await self._listed(Order.filter(kind=kind, subject_hash=subject))

    @staticmethod
    async def _listed(query: Any) -> list[Order]:
        orders: list[Order] = (
            await query.exclude(status=OrderStatus.CANCELLED)
            .order_by("-created_at", "-id")
            .limit(SHOWN_ORDERS)
        )
        return orders

    def subject_of(self, kind: str, raw: str) -> str:
        """The lookup hash of a credit code / ID number; ``Invalid`` (with why) if malformed."""
        if kind == "org":
            value = uscc(raw)
        else:
            try:
                value = resident_id(raw)
            except Invalid:
                value = other_id_number(raw)
        return lookup_hash(value, self.services.lookup_key, kind=SUBJECT_FIELDS[kind][1])

    async def send_code(self, kind: str, subject: str, requester: str) -> SendResult:
        """Send a code to the phone on record of the newest order of ``subject``."""
        waits = [
            await hit(self.services.store, f"query:user:{requester}", *LOOKUP_LIMIT),
            await hit(self.services.store, f"query:subject:{subject}", *LOOKUP_LIMIT),
        ]
        if max(waits):
            minutes = max(1, max(waits) // 60)
            raise LookupRefused(T.TOO_MANY_LOOKUPS.format(minutes=minutes), rate_limited=True)
        orders = await self.subject_orders(kind, subject)
        if not orders:
            raise LookupRefused(T.NO_ORDERS_FOUND)
        phone = self._answers(orders[0]).get(PHONE_ON_RECORD[kind], "")
        if not phone:
            raise LookupRefused(T.NO_PHONE_ON_RECORD.format(phone=self._service_phone))
        try:
            return await self.services.sms_codes.send(phone, CODE_PURPOSE, subject, requester)
        except CodeRateLimited as exc:
            raise LookupRefused(exc.user_message, rate_limited=True) from exc
        except SmsError as exc:
            raise LookupRefused(exc.user_message) from exc

    async def verify_code(self, kind: str, subject: str, code: str) -> None:
        """Check the code sent for ``subject``; ``LookupRefused`` with the reason if wrong."""
        orders = await self.subject_orders(kind, subject)
        phone = self._answers(orders[0]).get(PHONE_ON_RECORD[kind], "") if orders else ""
        try:
            await self.services.sms_codes.verify(phone, CODE_PURPOSE, subject, code)
        except CodeInvalid as exc:
            raise LookupRefused(exc.user_message) from exc

    @staticmethod
    def may_see(order: Order, openid: str, unionid: str | None, granted: list[str]) -> bool:
        """Whether this user may see ``order``: their own, or of a subject proven by SMS."""
        own = order.owner_openid == openid or bool(unionid and order.owner_unionid == unionid)
        return own or (order.subject_hash is not None and order.subject_hash in granted)

    # -- what is shown --------------------------------------------------------------------------

    def _answers(self, order: Order) -> dict[str, str]:
        return decrypt_answers(self.services, self.engine.flows[order.kind], order)

    @property
    def _service_phone(self) -> str:
        return self.services.settings.service.phone

    def _title(self, order: Order) -> str:
        flow = self.engine.flows.get(order.kind)
        return flow.title if flow is not None else order.kind

    @staticmethod
    def _amount(order: Order) -> str:
        return f"¥{yuan(order.amount_fen)}" if order.amount_fen else "—"

    @staticmethod
    def _date(order: Order) -> str:
        return f"{order.submitted_at or order.created_at:%Y-%m-%d}"

    def summary(self, order: Order) -> dict[str, str]:
        """One order as a list shows it."""
        return {
            "order_no": order.order_no,
            "title": self._title(order),
            "date": self._date(order),
            "amount": self._amount(order),
            "status": T.STATUS[order.status.value],
            "next": T.NEXT_STEP[order.status.value],
        }

    def listing(self, orders: list[Order]) -> str:
        """The chat's numbered list of orders."""
        lines = [T.LIST_HEAD.format(count=len(orders))]
        for n, order in enumerate(orders, start=1):
            lines.append(T.LIST_LINE.format(n=n, **self.summary(order)))
        lines.append(T.LIST_HOW)
        return "\n".join(lines)

    def head(self, order: Order) -> str:
        """An order's header and what the applicant should do next."""
        shown = self.summary(order)
        return "\n".join([T.DETAIL_HEAD.format(**shown), T.DETAIL_NEXT.format(next=shown["next"])])

    def details(self, order: Order) -> str:
        """All answers, sensitive ones masked, as the summary of the flow shows them."""
        flow = self.engine.flows[order.kind]
        answers = self._answers(order)
        lines = [
            f"{step.label}：{self.engine.display(step, answers)}"
            for step in flow.steps
            if step.kind in {StepKind.TEXT, StepKind.CHOICE}
            and step.key in answers
            and step.applies(answers)
        ]
        return "\n".join(lines)

    @staticmethod
    async def payment(order: Order) -> str:
        """The order's payment as the applicant sees it (待支付 / 已支付 / 已关闭 / 已退款)."""
        payments = await Payment.filter(order_id=order.id).order_by("-id")
        if not payments:
            return ""
        settled = {PaymentState.PAID, PaymentState.REFUNDED}
        shown = next((p for p in payments if p.state in settled), payments[0])
        line = T.PAYMENT_LINE.format(state=shown.state.label, amount=yuan(shown.amount_fen))
        if shown.state is PaymentState.PAID and shown.refunded_fen:
            line += T.PARTIAL_REFUND.format(amount=yuan(shown.refunded_fen))
        if await Refund.filter(payment_id=shown.id, state=RefundState.PROCESSING).exists():
            line += T.REFUND_PROCESSING
        return line

    def password_method(self, order: Order) -> str:
        """How the certificate password was or will be delivered."""
        delivery = password_delivery(order.kind, self._answers(order))
        return delivery.describe(delivered=order.status in DELIVERED)

    async def invoice(self, order: Order) -> str:
        """The invoice: where it goes, whether it is issued, its download link."""
        address = invoices.email_on_record(order)
        email = mask_email(address)
        shown = await invoices.view(self.services, order)
        if shown.state == "issued":
            return T.INVOICE_ISSUED.format(email=email, url=shown.url)
        if shown.state == "pending":
            return T.INVOICE_PENDING.format(email=email)
        return T.INVOICE_NOT_YET.format(email=email) if address else T.INVOICE_NO_EMAIL

    async def resend_invoice(self, order: Order, requester: str) -> str:
        """电子发票重新获取: the reply (sent, or why not)."""
        try:
            email = await invoices.resend(self.services, order, requester)
        except invoices.InvoiceRefused as exc:
            return str(exc)
        return T.INVOICE_RESENT.format(email=email)

    # -- the chat -------------------------------------------------------------------------------

    def _key(self, inbound: Inbound) -> str:
        return f"query:session:{inbound.channel}:{inbound.openid}"

    async def _save(self, inbound: Inbound, session: QuerySession) -> None:
        await self.services.store.set(self._key(inbound), session.dumps(), ttl=QUERY_TTL)

    async def start(self, inbound: Inbound) -> Answer:
        """Menu 订单查询: offer 我的订单 or a lookup by ID number."""
        await self._save(inbound, QuerySession())
        await self.engine.hand_to(inbound.channel, inbound.openid, "query")
        return Answer([TextReply(T.QUERY_MENU)])

    async def end(self, inbound: Inbound) -> None:
        """Leave order query; the user's draft, if any, takes their messages again."""
        await self.services.store.delete(self._key(inbound))
        await self.engine.hand_to(inbound.channel, inbound.openid, None)

    async def handle(self, inbound: Inbound) -> Answer | None:
        """A message during order query; None when the user is not querying (an expired query
        gives the user's messages back to their draft)."""
        raw = await self.services.store.get(self._key(inbound))
        if raw is None:
            if await self.engine.hand_to(inbound.channel, inbound.openid, None):
                return await self.engine.handle(inbound.channel, inbound.openid, inbound)
            return None
        if inbound.kind != "text":
            return Answer([TextReply(T.QUERY_TEXT_ONLY)])
        session = QuerySession.loads(raw)
        text = normalise(inbound.text)
        if text in VERB_EXIT:
            await self.end(inbound)
            return Answer([TextReply(T.QUERY_ENDED)])
        step = getattr(self, f"_at_{session.stage}")
        reply: str | Answer = await step(inbound, session, text)
        if isinstance(reply, Answer):
            return reply
        await self._save(inbound, session)
        return Answer([TextReply(reply)])

    async def _at_menu(self, inbound: Inbound, session: QuerySession, text: str) -> str:
        if text == "1":
            unionid = await self._unionid(inbound)
            orders = await self.own_orders(inbound.openid, unionid)
            return self._show_list(session, orders) if orders else T.NO_OWN_ORDERS
        if text in KIND_CHOICES:
            session.stage, session.kind = "id", KIND_CHOICES[text]
            return T.ASK_USCC if session.kind == "org" else T.ASK_ID_NUMBER
        return T.QUERY_MENU_AGAIN

    async def _at_id(self, inbound: Inbound, session: QuerySession, text: str) -> str:
        try:
            subject = self.subject_of(session.kind, inbound.text)
        except Invalid as exc:
            ask = T.ASK_USCC if session.kind == "org" else T.ASK_ID_NUMBER
            return ENGINE_TEXTS.INVALID.format(reason=exc.reason) + "\n" + ask
        if subject in session.granted:
            return self._show_list(session, await self.subject_orders(session.kind, subject))
        try:
            sent = await self.send_code(session.kind, subject, inbound.openid)
        except LookupRefused as exc:
            return exc.user_message
        session.stage, session.subject = "code", subject
        return T.CODE_SENT.format(phone=sent.masked_phone)

    async def _at_code(self, inbound: Inbound, session: QuerySession, text: str) -> str:
        if text in VERB_RESEND:
            try:
                sent = await self.send_code(session.kind, session.subject, inbound.openid)
            except LookupRefused as exc:
                return exc.user_message
            return T.CODE_SENT.format(phone=sent.masked_phone)
        try:
            await self.verify_code(session.kind, session.subject, text)
        except LookupRefused as exc:
            return exc.user_message
        session.granted.append(session.subject)
        return self._show_list(session, await self.subject_orders(session.kind, session.subject))

    def _show_list(self, session: QuerySession, orders: list[Order]) -> str:
        session.stage, session.orders = "list", [order.order_no for order in orders]
        return self.listing(orders) if orders else T.NO_ORDERS_FOUND

    async def _at_list(self, inbound: Inbound, session: QuerySession, text: str) -> str:
        count = len(session.orders)
        if not text.isdigit() or not 1 <= int(text) <= count:
            return T.PICK_AGAIN.format(count=count)
        order = await self._visible(inbound, session, session.orders[int(text) - 1])
        if order is None:
            return T.QUERY_EXPIRED
        session.stage, session.order = "detail", order.order_no
        payment = await self.payment(order)
        return self.head(order) + (f"\n{payment}" if payment else "") + "\n\n" + T.DETAIL_HOW

    async def _at_detail(self, inbound: Inbound, session: QuerySession, text: str) -> str | Answer:
        order = await self._visible(inbound, session, session.order)
        if order is None:
            return T.QUERY_EXPIRED
        if text == "0":
            found = {o.order_no: o for o in await Order.filter(order_no__in=session.orders)}
            return self._show_list(session, [found[no] for no in session.orders if no in found])
        if text == "1" or text in VERB_CONTINUE:
            return await self._continue(inbound, order)
        if text == "3":
            return await self.invoice(order) + "\n\n" + T.DETAIL_HOW
        if text in VERB_INVOICE_AGAIN:
            return await self.resend_invoice(order, inbound.openid) + "\n\n" + T.DETAIL_HOW
        shown = {"2": self.password_method, "4": self.details}.get(text)
        if shown is None:
            return T.DETAIL_PICK_AGAIN
        return shown(order) + "\n\n" + T.DETAIL_HOW

    async def _continue(self, inbound: Inbound, order: Order) -> str | Answer:
        """继续办理: resume a draft; other states say what happens next."""
        if order.status is OrderStatus.DRAFT:
            if order.owner_openid != inbound.openid:
                return T.NOT_YOUR_DRAFT + "\n\n" + T.DETAIL_HOW
            await self.end(inbound)
            return await self.engine.resume_order(inbound.channel, inbound.openid, order)
        if order.status in {OrderStatus.SUBMITTED, OrderStatus.CLOSED}:
            try:  # whoever proved access may pay: e.g. the unit's finance person
                replies = await payment_replies(self.services, order, inbound.openid)
            except NotPayable:
                return T.NOTHING_TO_CONTINUE.format(next=T.NEXT_STEP[order.status.value])
            return Answer(replies)  # still in the query: 0 goes back to the list
        return T.NOTHING_TO_CONTINUE.format(next=T.NEXT_STEP[order.status.value])

    async def _visible(
        self, inbound: Inbound, session: QuerySession, order_no: str
    ) -> Order | None:
        """The order if this user may still see it (it may have been reassigned since)."""
        order = await Order.get_or_none(order_no=order_no)
        if order is None:
            return None
        unionid = await self._unionid(inbound)
        return order if self.may_see(order, inbound.openid, unionid, session.granted) else None

    async def _unionid(self, inbound: Inbound) -> str | None:
        conversation = await Conversation.get_or_none(
            channel=inbound.channel, openid=inbound.openid
        )
        return conversation.unionid if conversation is not None else None
