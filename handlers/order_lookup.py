"""Who may see which orders in order query (seed section 4): a WeChat user's own orders, and
the orders of a unit (credit code) or person (ID number) once an SMS code sent to the phone on
record for those orders is entered. Lookups are rate limited per WeChat user and per ID number,
codes by ``bot.sms_codes``. Shared by the chat (``handlers.order_query``) and the mini-program.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Q

from bot.engine import Engine, decrypt_answers
from bot.ratelimit import hit
from bot.secrets_box import lookup_hash
from bot.services import Services
from bot.sms import SmsError
from bot.sms_codes import CodeInvalid, CodeRateLimited, SendResult
from bot.validators import Invalid, other_id_number, resident_id, uscc
from handlers import query_texts as T
from handlers.applications import SUBJECT_FIELDS
from models.certificates import Certificate
from models.orders import Order, OrderStatus

QUERY_TTL = 15 * 60  # a chat query session, and a mini-program's grant after the SMS code
LOOKUP_LIMIT = (10, 3600.0)  # lookups per WeChat user, and per ID number, per hour
CODE_PURPOSE = "query"
PHONE_ON_RECORD = {"org": "handler_phone", "personal": "phone"}
SHOWN_ORDERS = 20


@dataclass(frozen=True)
class CodeMessages:
    """What the chat says when a code goes to the phone on record: ``sent`` ({phone}: masked),
    ``failed`` ({reason}), ``no_phone`` ({phone}: the service phone, if it names it)."""

    sent: str
    failed: str
    no_phone: str


async def send_certificate_code(
    services: Services,
    phone: str,
    purpose: str,
    certificate: Certificate,
    openid: str,
    messages: CodeMessages,
) -> str:
    """Send a ``purpose`` code for ``certificate``'s Key to ``phone`` (the phone on record of
    its order; "" when none); the chat's answer."""
    if not phone:
        return messages.no_phone.format(phone=services.settings.service.phone)
    try:
        sent = await services.sms_codes.send(phone, purpose, certificate.key_serial, openid)
    except (CodeRateLimited, SmsError) as exc:
        return messages.failed.format(reason=exc.user_message)
    return messages.sent.format(phone=sent.masked_phone)


class LookupRefused(Exception):
    """A lookup or code that cannot go on; ``user_message`` says why, in Chinese."""

    def __init__(self, user_message: str, *, rate_limited: bool = False) -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.rate_limited = rate_limited


class OrderLookup:
    """Finding orders and proving access to them; one per process."""

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

    def _answers(self, order: Order) -> dict[str, str]:
        return decrypt_answers(self.services, self.engine.flows[order.kind], order)

    @property
    def _service_phone(self) -> str:
        return self.services.settings.service.phone
