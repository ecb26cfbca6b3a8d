"""Certificate renewal (seed section 2, 证书更新) in chat.

证书更新 → "请在电脑上运行证书助手并插入 Key（只插一个）" (with the download link) → pairing by
scanning the bridge's QR code → the bridge reads the Key's certificate → the bot shows its
subject, 数字证书来源, expiry, days left, whether it may be renewed (``bot.renewal_rules``) and the
new validity for each number of years offered → the user picks the years → an SMS code to the
phone on record → the order (``handlers.renewal_order``; 修改 corrects the invoice details and
email with the application flow's own steps and validators) → 确认订单 → payment → the PC part
(``handlers.renewal_run``), which tells the outcome in chat and on the PC.

A renewal that was paid but did not finish is resumed by choosing 证书更新 again or replying 继续.
The chat's state lives in the store and expires; while it lasts the user's messages come here
(``Engine.hand_to``), a draft application being kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.bridge.hub import BridgeHub
from bot.chat_state import ChatStates
from bot.engine import VERB_CANCEL, Engine, normalise, parse_answer
from bot.flows import Step
from bot.messages import Answer, Inbound, Reply, TextReply
from bot.outbox import utcnow
from bot.renewal_rules import check_renewal
from bot.services import Services
from bot.sms_codes import CodeInvalid
from bot.texts import PAY_WORDS
from bot.validators import Invalid
from handlers import renewal_texts as T
from handlers.common import yuan
from handlers.order_lookup import PHONE_ON_RECORD, send_certificate_code
from handlers.payments import payment_replies
from handlers.renewal_order import (
    local_day,
    offered_years,
    original_answers,
    place_order,
    renewal_price,
    summary,
    validity_text,
)
from handlers.renewal_run import start_run
from handlers.unlock_certificates import card_certificate, holder_name, project_name
from models.certificates import Certificate, CertificateStatus
from models.keys import KeySecret
from models.renewals import Renewal, RenewalState

RENEWAL_TTL = 60 * 60  # the chat's state
CODE_PURPOSE = "renew"
VERB_EXIT = frozenset({"退出", "退出更新", "结束"}) | VERB_CANCEL
VERB_GO_ON = frozenset({"继续", "继续更新", "已连接"})
VERB_RESEND = frozenset({"重新发送", "重发", "重新获取"})
VERB_CONFIRM = frozenset({"确认订单", "确认"})
VERB_EDIT = frozenset({"修改", "返回修改", "修改信息"})
# What 修改 may correct: the invoice details, and the email the electronic invoice goes to.
EDITABLE = (
    "invoice_title",
    "taxpayer_id",
    "invoice_address_phone",
    "invoice_bank",
    "handler_email",
    "email",
)
UNFINISHED = (RenewalState.PAID, RenewalState.KEYGEN, RenewalState.ISSUED)


@dataclass
class RenewalSession:
    """Where a chat user is in the renewal (kept in the store for ``RENEWAL_TTL``)."""

    stage: str = "connect"  # connect, years, sms, confirm, edit_pick, edit_value, pay, pc, done
    certificate: int = 0
    options: list[int] = field(default_factory=list)  # years offered, as listed
    years: int = 0
    renewal: int = 0
    changes: dict[str, str] = field(default_factory=dict)  # invoice / email corrections
    editing: str = ""  # the answer being corrected


class RenewalChat:
    """The renewal conversation; one per process."""

    def __init__(self, services: Services, engine: Engine) -> None:
        self.services = services
        self.engine = engine
        self.hub = BridgeHub(services)  # only calls: the sockets are held by the app's hub
        self.sessions = ChatStates(services, "renewal", RenewalSession, RENEWAL_TTL)

    async def end(self, inbound: Inbound) -> None:
        """Leave the renewal; the user's draft, if any, takes their messages again."""
        await self.sessions.delete(inbound.channel, inbound.openid)
        await self.engine.hand_to(inbound.channel, inbound.openid, None)

    def state_key(self, inbound: Inbound) -> str:
        """The store key of the user's renewal under way (deleted when they pick a service)."""
        return self.sessions.key(inbound.channel, inbound.openid)

    # -- 证书更新 ---------------------------------------------------------------------------------

    async def start(self, inbound: Inbound) -> Answer:
        """Menu 证书更新: resume a paid renewal, else read the certificate in the user's Key."""
        await self.engine.hand_to(inbound.channel, inbound.openid, "renewal")
        session = RenewalSession()
        unfinished = (
            await Renewal.filter(owner_openid=inbound.openid, state__in=UNFINISHED)
            .order_by("-id")
            .first()
            .prefetch_related("order")
        )
        if unfinished is not None:
            session.stage, session.renewal = "pc", unfinished.id
            return await self._reply(inbound, session, await self._resume(unfinished))
        return await self._reply(inbound, session, await self._read_key(inbound, session))

    def _connect_text(self) -> str:
        url = self.services.settings.service.bridge_download_url
        return f"{T.CONNECT}\n{T.DOWNLOAD.format(url=url)}" if url else T.CONNECT

    async def _read_key(self, inbound: Inbound, session: RenewalSession) -> str:
        certificate, note = await card_certificate(
            self.services, self.hub, inbound.openid, T.UNKNOWN_CARD_CERTIFICATE
        )
        if certificate is None:
            session.stage = "connect"
            return note or self._connect_text()
        return await self._identified(session, certificate)

    async def _at_connect(self, inbound: Inbound, session: RenewalSession, text: str) -> str:
        if text in VERB_GO_ON:
            return await self._read_key(inbound, session)
        return self._connect_text()

    async def _identified(self, session: RenewalSession, certificate: Certificate) -> str:
        """The Key's certificate is known: show it, whether and for how long it can be renewed."""
        phone = self.services.settings.service.phone
        session.stage = "done"
        if certificate.status is CertificateStatus.RENEWED:
            return T.ALREADY_RENEWED.format(phone=phone)
        if certificate.status is CertificateStatus.REVOKED:
            return T.REVOKED
        check = check_renewal(certificate.not_after, utcnow())
        remaining = (
            T.EXPIRED_DAYS.format(days=-check.days_left)
            if check.expired
            else T.DAYS_LEFT.format(days=check.days_left)
        )
        head = T.CERTIFICATE.format(
            subject=await holder_name(self.services, certificate),
            project=project_name(self.services, certificate),
            expiry=local_day(certificate.not_after),
            remaining=remaining,
        )
        if not check.ok:
            head = head.removesuffix("可以更新。")
            return f"{head}{T.NOT_ELIGIBLE.format(reason=check.message)}\n{T.NEW_APPLICATION}"
        secret = await KeySecret.get_or_none(key_serial=certificate.key_serial)
        if secret is None or not secret.management_key or certificate.order_id is None:  # type: ignore[attr-defined]
            return f"{head}\n{T.NOT_RENEWABLE_ONLINE.format(phone=phone)}"
        options = offered_years(self.services, certificate)
        if not options:
            return f"{head}\n{T.NO_PRICE.format(phone=phone)}"
        lines = [head, T.PICK_YEARS]
        for n, years in enumerate(options, start=1):
            start, end = validity_text(certificate, years)
            amount = yuan(renewal_price(self.services, certificate, years) or 0)
            lines.append(T.YEARS_LINE.format(n=n, years=years, amount=amount, start=start, end=end))
        if check.expired:
            lines.append(T.YEARS_AFTER_EXPIRY)
        session.stage, session.certificate, session.options = "years", certificate.id, options
        return "\n".join(lines)

    # -- years, SMS code, order -----------------------------------------------------------------

    async def _certificate(self, session: RenewalSession) -> Certificate:
        return await Certificate.get(id=session.certificate)

    async def _at_years(self, inbound: Inbound, session: RenewalSession, text: str) -> str:
        count = len(session.options)
        if not text.isdigit() or not 1 <= int(text) <= count:
            return T.PICK_YEARS_AGAIN.format(count=count)
        session.years = session.options[int(text) - 1]
        session.stage = "sms"
        return await self._send_sms(inbound, await self._certificate(session))

    async def _phone(self, certificate: Certificate) -> str:
        _order, answers = await original_answers(self.services, self.engine.flows, certificate)
        return answers.get(PHONE_ON_RECORD[certificate.kind], "")

    async def _send_sms(self, inbound: Inbound, certificate: Certificate) -> str:
        phone = await self._phone(certificate)
        return await send_certificate_code(
            self.services, phone, CODE_PURPOSE, certificate, inbound.openid, T.CODE_MESSAGES
        )

    async def _at_sms(self, inbound: Inbound, session: RenewalSession, text: str) -> str:
        certificate = await self._certificate(session)
        if text in VERB_RESEND:
            return await self._send_sms(inbound, certificate)
        try:
            await self.services.sms_codes.verify(
                await self._phone(certificate), CODE_PURPOSE, certificate.key_serial, inbound.text
            )
        except CodeInvalid as exc:
            return exc.user_message
        session.stage = "confirm"
        return await self._summary(session, certificate)

    async def _answers(self, session: RenewalSession, certificate: Certificate) -> dict[str, str]:
        """The answers on record with the user's corrections."""
        _order, answers = await original_answers(self.services, self.engine.flows, certificate)
        return {**answers, **session.changes}

    async def _summary(self, session: RenewalSession, certificate: Certificate) -> str:
        answers = await self._answers(session, certificate)
        project = project_name(self.services, certificate)
        return summary(self.services, certificate, answers, project, session.years)

    # -- corrections (修改): the flow's own steps and validators -------------------------------

    def _editable(self, certificate: Certificate) -> list[Step]:
        flow = self.engine.flows[certificate.kind]
        return [
            flow.steps_by_key[key]
            for key in EDITABLE
            if key in flow.steps_by_key and flow.steps_by_key[key].editable
        ]

    async def _edit_menu(self, session: RenewalSession, certificate: Certificate) -> str:
        answers = await self._answers(session, certificate)
        lines = [
            T.EDIT_LINE.format(n=n, label=step.label, value=answers.get(step.key) or "-")
            for n, step in enumerate(self._editable(certificate), start=1)
        ]
        session.stage = "edit_pick"
        return T.EDIT_MENU.format(lines="\n".join(lines))

    async def _at_edit_pick(self, inbound: Inbound, session: RenewalSession, text: str) -> str:
        certificate = await self._certificate(session)
        steps = self._editable(certificate)
        if not text.isdigit() or not 1 <= int(text) <= len(steps):
            return T.EDIT_PICK_AGAIN.format(count=len(steps))
        step = steps[int(text) - 1]
        session.stage, session.editing = "edit_value", step.key
        return T.EDIT_ASK.format(label=step.label, hint=step.hint or "")

    async def _at_edit_value(self, inbound: Inbound, session: RenewalSession, text: str) -> str:
        certificate = await self._certificate(session)
        step = self.engine.flows[certificate.kind].steps_by_key[session.editing]
        try:
            value = parse_answer(step, text, await self._answers(session, certificate))
        except Invalid as exc:
            return T.EDIT_INVALID.format(reason=exc.reason, label=step.label)
        session.changes[step.key] = value
        session.stage, session.editing = "confirm", ""
        return await self._summary(session, certificate)

    async def _at_confirm(
        self, inbound: Inbound, session: RenewalSession, text: str
    ) -> str | list[Reply]:
        certificate = await self._certificate(session)
        if text in VERB_EDIT:
            return await self._edit_menu(session, certificate)
        if text not in VERB_CONFIRM:
            return T.CONFIRM_AGAIN
        original, answers = await original_answers(self.services, self.engine.flows, certificate)
        answers.update(session.changes)
        flow = self.engine.flows[certificate.kind]
        renewal = await place_order(
            self.services, flow, certificate, original, answers, session.years, inbound.openid
        )
        await renewal.fetch_related("order")
        session.stage, session.renewal = "pay", renewal.id
        submitted = T.ORDER_SUBMITTED.format(order_no=renewal.order.order_no)
        replies = await payment_replies(self.services, renewal.order, inbound.openid)
        return [TextReply(submitted), *replies]

    # -- payment and the PC ---------------------------------------------------------------------

    async def _renewal(self, session: RenewalSession) -> Renewal:
        return await Renewal.get(id=session.renewal).prefetch_related("order")

    async def _at_pay(
        self, inbound: Inbound, session: RenewalSession, text: str
    ) -> str | list[Reply]:
        renewal = await self._renewal(session)
        if renewal.state is not RenewalState.ORDERED:
            session.stage = "pc"
            return await self._at_pc(inbound, session, text)
        if text in PAY_WORDS:
            return await payment_replies(self.services, renewal.order, inbound.openid)
        return T.WAIT_PAYMENT

    async def _resume(self, renewal: Renewal) -> str:
        """Run an unfinished paid renewal again (its PC part tells the outcome)."""
        if renewal.state is RenewalState.WRITTEN:
            renewed = await Certificate.get(serial_hex=renewal.new_serial)
            return T.SUCCESS.format(expiry=local_day(renewed.not_after))
        await start_run(renewal, f"go:{renewal.attempts}")
        return T.RESUMING.format(order_no=renewal.order.order_no)

    async def _at_pc(self, inbound: Inbound, session: RenewalSession, text: str) -> str:
        renewal = await self._renewal(session)
        if text in VERB_GO_ON:
            return await self._resume(renewal)
        return T.ON_PC

    async def _late_go_on(self, inbound: Inbound) -> Answer | None:
        """继续 after the chat's state expired, with a paid renewal unfinished: resume it."""
        if inbound.kind != "text" or normalise(inbound.text) not in VERB_GO_ON:
            return None
        if not await Renewal.exists(owner_openid=inbound.openid, state__in=UNFINISHED):
            return None
        return await self.start(inbound)

    # -- the chat -------------------------------------------------------------------------------

    async def _reply(
        self, inbound: Inbound, session: RenewalSession, reply: str | list[Reply]
    ) -> Answer:
        if session.stage == "done":
            await self.end(inbound)
        else:
            await self.sessions.save(inbound.channel, inbound.openid, session)
        if isinstance(reply, str):
            return Answer([TextReply(reply.strip())])
        return Answer(list(reply))

    async def handle(self, inbound: Inbound) -> Answer | None:
        """A message during the renewal; None when the user is not renewing."""
        session = await self.sessions.load(inbound.channel, inbound.openid)
        if session is None:
            return await self._late_go_on(inbound)
        if inbound.kind != "text":
            return Answer([TextReply(T.TEXT_ONLY)])
        text = normalise(inbound.text)
        if text in VERB_EXIT:
            await self.end(inbound)
            return Answer([TextReply(T.ENDED)])
        step = getattr(self, f"_at_{session.stage}")
        reply: str | list[Reply] = await step(inbound, session, text)
        return await self._reply(inbound, session, reply)
