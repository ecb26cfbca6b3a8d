"""Order query (seed section 4, 订单查询) in chat: history, continue unfinished business,
password method, invoice (menu 订单查询).

Who may see an order and how it is shown are shared with the mini-program
(``handlers.order_lookup``, ``handlers.order_views``). The chat's query state lives in the store
and expires.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from bot import engine_texts as ENGINE_TEXTS
from bot.engine import VERB_CANCEL, VERB_CONTINUE, normalise
from bot.messages import Answer, Inbound, TextReply
from bot.pay.orders import NotPayable
from bot.validators import Invalid
from handlers import query_texts as T
from handlers import review
from handlers.order_lookup import LOOKUP_LIMIT, PHONE_ON_RECORD, QUERY_TTL, LookupRefused
from handlers.order_views import OrderViews
from handlers.payments import payment_replies
from models.orders import Conversation, Order, OrderStatus

# re-exported for modules written before the split
__all__ = [
    "LOOKUP_LIMIT",
    "PHONE_ON_RECORD",
    "QUERY_TTL",
    "LookupRefused",
    "OrderQuery",
    "QuerySession",
]

KIND_CHOICES = {"2": "org", "3": "personal"}
VERB_EXIT = frozenset({"退出", "退出查询", "结束"}) | VERB_CANCEL
VERB_RESEND = frozenset({"重新发送", "重发", "重新获取"})
VERB_INVOICE_AGAIN = frozenset({"5", "电子发票重新获取", "发票重新获取", "重新获取发票"})


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


class OrderQuery(OrderViews):
    """Order query in chat, over the engine's flows; one per process."""

    def state_key(self, inbound: Inbound) -> str:
        """The store key of the user's query under way."""
        return f"query:session:{inbound.channel}:{inbound.openid}"

    async def _save(self, inbound: Inbound, session: QuerySession) -> None:
        await self.services.store.set(self.state_key(inbound), session.dumps(), ttl=QUERY_TTL)

    async def start(self, inbound: Inbound) -> Answer:
        """Menu 订单查询: offer 我的订单 or a lookup by ID number."""
        await self._save(inbound, QuerySession())
        await self.engine.hand_to(inbound.channel, inbound.openid, "query")
        return Answer([TextReply(T.QUERY_MENU)])

    async def end(self, inbound: Inbound) -> None:
        """Leave order query; the user's draft, if any, takes their messages again."""
        await self.forget(inbound)
        await self.engine.hand_to(inbound.channel, inbound.openid, None)

    async def forget(self, inbound: Inbound) -> None:
        """Drop the query under way (the caller hands the user's messages on)."""
        await self.services.store.delete(self.state_key(inbound))

    async def handle(self, inbound: Inbound) -> Answer | None:
        """A message during order query; None when the user is not querying (an expired query
        gives the user's messages back to their draft)."""
        raw = await self.services.store.get(self.state_key(inbound))
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
        """继续办理: resume a draft, pay an unpaid order, fix a rejected one (its applicant
        only); other states say what happens next."""
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
        if order.status is OrderStatus.REJECTED:
            return await self._fix(inbound, order)
        return T.NOTHING_TO_CONTINUE.format(next=T.NEXT_STEP[order.status.value])

    async def _fix(self, inbound: Inbound, order: Order) -> str | Answer:
        """A rejected order: its applicant is handed to the review fix loop (first item)."""
        if order.owner_openid != inbound.openid:
            return T.FIX_BY_APPLICANT + "\n\n" + T.DETAIL_HOW
        answer = await review.start(self.engine, inbound, order)
        if answer is None:  # fixed meanwhile, e.g. in the mini-program
            await order.refresh_from_db()
            return T.NOTHING_TO_CONTINUE.format(next=T.NEXT_STEP[order.status.value])
        await self.end(inbound)
        return answer

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
