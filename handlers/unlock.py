"""Key unlock (seed section 3, 证书解锁) in chat: 1 申请解锁 → 2 获取授权码 → 3 校验授权码,
设置新密码 → 4 完成解锁.

1. The certificate: read from the Key by the user's paired bridge, else chosen from the
   certificates of the user's orders.
2. Identity: an SMS code to the handler's phone on record for that certificate's order, or
   其他验证方式 (one of three sets of information, ``handlers.identity_check``), limited per Key
   and per WeChat user. Then the authorization code (``Services.unlock_codes``: 30 minutes, single
   use, bound to the Key's serial, 5 wrong entries void it) goes to the handler's email.
3. On the PC (``handlers.unlock_pc``): the user types the code and the new PIN there.

The chat's state lives in the store and expires; while it lasts, the user's messages come here
(``Engine.hand_to``), a draft application being kept.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from bot.bridge.hub import BridgeHub
from bot.chat_state import ChatStates
from bot.engine import VERB_CANCEL, Engine, decrypt_answers, normalise
from bot.flows import StepKind
from bot.invoices import EMAIL_ON_RECORD
from bot.logs import get_logger
from bot.mailer import MailError
from bot.messages import Answer, Inbound, TextReply
from bot.ratelimit import hit
from bot.services import Services
from bot.sms_codes import CodeInvalid, CodeRateLimited
from handlers import unlock_texts as T
from handlers.identity_check import Alternative, alternatives_for, matches
from handlers.order_lookup import PHONE_ON_RECORD, send_certificate_code
from handlers.unlock_certificates import (
    card_certificate,
    holder_name,
    own_certificates,
    project_name,
)
from handlers.unlock_pc import PcUnlock, Target, audit
from models.certificates import Certificate
from models.keys import KeySecret
from models.orders import Order

log = get_logger(__name__)

UNLOCK_TTL = 40 * 60  # the chat's state; the authorization code lives 30 minutes
CODE_PURPOSE = "unlock"
IDENTITY_LIMIT = (3, 24 * 3600.0)  # 其他验证方式 checks per Key, and per WeChat user, a day
VERB_EXIT = frozenset({"退出", "退出解锁", "结束"}) | VERB_CANCEL
VERB_RESEND = frozenset({"重新发送", "重发", "重新获取"})
VERB_OTHER = frozenset({"其他验证方式", "其它验证方式", "其他", "其它"})
VERB_GO_ON = frozenset({"继续", "继续解锁", "已连接"})


@dataclass
class UnlockSession:
    """Where a chat user is in the unlock (kept in the store for ``UNLOCK_TTL``)."""

    stage: str = "pick"  # pick, sms, alt_menu, alt_field, pc
    choices: list[int] = field(default_factory=list)  # certificate ids as listed
    certificate: int = 0
    alternative: str = ""  # the chosen set of 其他验证方式
    given: dict[str, str] = field(default_factory=dict)
    method: str = ""  # how identity was proven: sms, legal, handler, address
    launch: Target | None = field(default=None, repr=False)  # the PC part to start (not kept)


class Unlock:
    """The unlock conversation; one per process."""

    def __init__(self, services: Services, engine: Engine) -> None:
        self.services = services
        self.engine = engine
        self.hub = BridgeHub(services)  # only calls: the sockets are held by the app's hub
        self.sessions = ChatStates(
            services, "unlock", UnlockSession, UNLOCK_TTL, transient=frozenset({"launch"})
        )
        self.pc = PcUnlock(services, self.hub, self._finished)
        self._running: set[asyncio.Task[None]] = set()

    # -- session --------------------------------------------------------------------------------

    async def _save(self, inbound: Inbound, session: UnlockSession) -> None:
        # Sealed: it may hold the identity information being typed (其他验证方式).
        await self.sessions.save(inbound.channel, inbound.openid, session)

    async def end(self, inbound: Inbound) -> None:
        """Leave the unlock; the user's draft, if any, takes their messages again."""
        await self._end(inbound.channel, inbound.openid)

    def state_key(self, inbound: Inbound) -> str:
        """The store key of the user's unlock under way (deleted when they pick a service)."""
        return self.sessions.key(inbound.channel, inbound.openid)

    async def _end(self, channel: str, openid: str) -> None:
        await self.sessions.delete(channel, openid)
        await self.engine.hand_to(channel, openid, None)

    async def _finished(self, target: Target) -> None:
        """The PC part ended the unlock (success, or a Key that cannot be unlocked)."""
        await self._end(target.channel, target.openid)

    # -- 1 申请解锁 -------------------------------------------------------------------------------

    async def start(self, inbound: Inbound) -> Answer:
        """Menu 证书解锁: read the Key's certificate through the bridge, else list the user's."""
        await self.engine.hand_to(inbound.channel, inbound.openid, "unlock")
        session = UnlockSession()
        certificate, note = await card_certificate(self.services, self.hub, inbound.openid)
        if certificate is not None:
            return await self._reply(
                inbound, session, await self._identified(inbound, session, certificate)
            )
        own = await own_certificates(inbound.openid)
        if not own:
            await self.end(inbound)
            return Answer([TextReply("\n".join(filter(None, [note, T.NO_CERTIFICATE])))])
        session.choices = [c.id for c in own]
        lines = [note, T.PICK] if note else [T.PICK]
        for n, c in enumerate(own, start=1):
            until = f"{c.not_after:%Y-%m-%d}"
            name, project = await holder_name(self.services, c), project_name(self.services, c)
            lines.append(T.CERTIFICATE_LINE.format(n=n, name=name, project=project, until=until))
        lines.append(T.PICK_HINT)
        return await self._reply(inbound, session, "\n".join(lines))

    async def _at_pick(self, inbound: Inbound, session: UnlockSession, text: str) -> str:
        count = len(session.choices)
        if not text.isdigit() or not 1 <= int(text) <= count:
            return T.PICK_AGAIN.format(count=count)
        certificate = await Certificate.get_or_none(id=session.choices[int(text) - 1])
        if certificate is None:
            return T.PICK_AGAIN.format(count=count)
        return await self._identified(inbound, session, certificate)

    async def _identified(
        self, inbound: Inbound, session: UnlockSession, certificate: Certificate
    ) -> str:
        """The certificate is known: check the Key can be unlocked, send the SMS code."""
        phone = self.services.settings.service.phone
        head = "\n".join(
            [
                T.HEAD.format(project=project_name(self.services, certificate)),
                T.IDENTIFIED.format(
                    name=await holder_name(self.services, certificate),
                    serial=certificate.key_serial,
                ),
            ]
        )
        secret = await KeySecret.get_or_none(key_serial=certificate.key_serial)
        order = await Order.get_or_none(id=certificate.order_id)  # type: ignore[attr-defined]
        if secret is None or order is None or not certificate.key_serial:
            session.stage = "done"
            return f"{head}\n{T.NOT_UNLOCKABLE.format(phone=phone)}"
        if secret.puk_blocked:
            session.stage = "done"
            return f"{head}\n{T.PUK_BLOCKED.format(phone=phone)}"
        session.certificate, session.stage = certificate.id, "sms"
        return f"{head}\n{await self._send_sms(inbound, certificate)}"

    # -- verify identity ------------------------------------------------------------------------

    async def _record(self, certificate: Certificate) -> tuple[Order, dict[str, str]]:
        order = await Order.get(id=certificate.order_id)  # type: ignore[attr-defined]
        return order, decrypt_answers(self.services, self.engine.flows[order.kind], order)

    async def _certificate(self, session: UnlockSession) -> Certificate:
        return await Certificate.get(id=session.certificate)

    async def _send_sms(self, inbound: Inbound, certificate: Certificate) -> str:
        order, answers = await self._record(certificate)
        phone = answers.get(PHONE_ON_RECORD[order.kind], "")
        return await send_certificate_code(
            self.services, phone, CODE_PURPOSE, certificate, inbound.openid, T.CODE_MESSAGES
        )

    async def _at_sms(self, inbound: Inbound, session: UnlockSession, text: str) -> str:
        certificate = await self._certificate(session)
        if text in VERB_OTHER:
            session.stage = "alt_menu"
            return self._alternatives_menu(certificate)
        if text in VERB_RESEND:
            return await self._send_sms(inbound, certificate)
        order, answers = await self._record(certificate)
        phone = answers.get(PHONE_ON_RECORD[order.kind], "")
        try:
            await self.services.sms_codes.verify(
                phone, CODE_PURPOSE, certificate.key_serial, inbound.text
            )
        except CodeInvalid as exc:
            return exc.user_message
        return await self._proven(inbound, session, certificate, "sms")

    def _alternatives(self, certificate: Certificate) -> list[Alternative]:
        return alternatives_for(certificate.kind)

    def _alternatives_menu(self, certificate: Certificate) -> str:
        lines = [
            T.ALTERNATIVE_LINE.format(n=n, title=a.title)
            for n, a in enumerate(self._alternatives(certificate), start=1)
        ]
        return T.ALTERNATIVES_MENU.format(lines="\n".join(lines))

    async def _at_alt_menu(self, inbound: Inbound, session: UnlockSession, text: str) -> str:
        offered = self._alternatives(await self._certificate(session))
        if not text.isdigit() or not 1 <= int(text) <= len(offered):
            return T.ALTERNATIVE_AGAIN.format(count=len(offered))
        session.stage, session.given = "alt_field", {}
        session.alternative = offered[int(text) - 1].code
        return await self._ask_field(session)

    async def _ask_field(self, session: UnlockSession) -> str:
        certificate = await self._certificate(session)
        alternative = self._alternative(certificate, session.alternative)
        keys = alternative.keys(certificate.kind)
        key = keys[len(session.given)]
        step = self.engine.flows[certificate.kind].step(key)
        where = {"title": alternative.title, "n": len(session.given) + 1, "total": len(keys)}
        if step.kind is StepKind.CHOICE:
            choices = "　".join(f"{n} {c.label}" for n, c in enumerate(step.choices, start=1))
            return T.ASK_CHOICE.format(label=step.label, choices=choices, **where)
        return T.ASK_FIELD.format(label=step.label, **where)

    def _alternative(self, certificate: Certificate, code: str) -> Alternative:
        return next(a for a in self._alternatives(certificate) if a.code == code)

    async def _at_alt_field(self, inbound: Inbound, session: UnlockSession, text: str) -> str:
        certificate = await self._certificate(session)
        alternative = self._alternative(certificate, session.alternative)
        keys = alternative.keys(certificate.kind)
        session.given[keys[len(session.given)]] = inbound.text.strip()
        if len(session.given) < len(keys):
            return await self._ask_field(session)
        waits = [
            await hit(
                self.services.store,
                f"unlock:identity:key:{certificate.key_serial}",
                *IDENTITY_LIMIT,
            ),
            await hit(
                self.services.store, f"unlock:identity:user:{inbound.openid}", *IDENTITY_LIMIT
            ),
        ]
        if max(waits):
            session.stage = "done"
            hours = max(1, round(max(waits) / 3600))
            phone = self.services.settings.service.phone
            return T.TOO_MANY_CHECKS.format(hours=hours, phone=phone)
        order, answers = await self._record(certificate)
        if not matches(self.engine.flows[order.kind], answers, alternative, session.given):
            await audit(
                inbound.openid,
                certificate.key_serial,
                order.order_no,
                alternative.code,
                "identity_mismatch",
            )
            session.stage, session.given = "alt_menu", {}
            return T.MISMATCH.format(menu=self._alternatives_menu(certificate))
        return await self._proven(inbound, session, certificate, alternative.code)

    # -- 2 获取授权码 ----------------------------------------------------------------------------

    async def _proven(
        self, inbound: Inbound, session: UnlockSession, certificate: Certificate, method: str
    ) -> str:
        """Identity proven: email the authorization code, start the PC part."""
        session.method, session.stage, session.given = method, "pc", {}
        sent, text = await self._send_code(inbound, certificate)
        if not sent:
            return text
        return f"{text}\n{await self._start_pc(inbound, session, certificate)}"

    async def _send_code(
        self, inbound: Inbound, certificate: Certificate, *, again: bool = False
    ) -> tuple[bool, str]:
        """Email a new authorization code: whether it was sent, and what to tell the user."""
        phone = self.services.settings.service.phone
        order, answers = await self._record(certificate)
        email = answers.get(EMAIL_ON_RECORD[order.kind], "")
        if not email:
            return False, T.NO_EMAIL.format(phone=phone)
        try:
            sent = await self.services.unlock_codes.send(
                email, CODE_PURPOSE, certificate.key_serial, inbound.openid
            )
        except CodeRateLimited as exc:
            return False, exc.user_message
        except MailError:
            log.warning("unlock code not emailed")
            return False, T.CODE_NOT_SENT.format(phone=phone)
        minutes = sent.expires_in // 60
        text = T.RESENT if again else T.CODE_SENT
        return True, text.format(email=sent.masked_phone, minutes=minutes)

    async def _start_pc(
        self, inbound: Inbound, session: UnlockSession, certificate: Certificate
    ) -> str:
        """Run step 3 on the user's PC in the background; what to tell the user meanwhile."""
        order, answers = await self._record(certificate)
        target = Target(
            channel=inbound.channel,
            openid=inbound.openid,
            certificate=certificate,
            project=project_name(self.services, certificate),
            email=answers.get(EMAIL_ON_RECORD[order.kind], ""),
            method=session.method,
            order_no=order.order_no,
        )
        if not await self.pc.ready(inbound.openid):
            return T.CONNECT_BRIDGE
        session.launch = target  # started once the session is saved
        return ""

    async def _at_pc(self, inbound: Inbound, session: UnlockSession, text: str) -> str:
        certificate = await self._certificate(session)
        if text in VERB_RESEND:
            _sent, text = await self._send_code(inbound, certificate, again=True)
            return text
        if text in VERB_GO_ON:
            if await self.pc.busy(certificate.key_serial):
                return T.ON_PC
            return await self._start_pc(inbound, session, certificate) or T.ON_PC
        return T.ON_PC

    # -- the chat -------------------------------------------------------------------------------

    async def _reply(self, inbound: Inbound, session: UnlockSession, text: str) -> Answer:
        if session.stage == "done":
            await self.end(inbound)
        else:
            await self._save(inbound, session)
        if session.launch is not None:
            task = asyncio.create_task(self.pc.run(session.launch))
            self._running.add(task)
            task.add_done_callback(self._running.discard)
        return Answer([TextReply(text.strip())])

    async def handle(self, inbound: Inbound) -> Answer | None:
        """A message during the unlock; None when the user is not unlocking."""
        session = await self.sessions.load(inbound.channel, inbound.openid)
        if session is None:
            return None
        if inbound.kind != "text":
            return Answer([TextReply(T.TEXT_ONLY)])
        text = normalise(inbound.text)
        if text in VERB_EXIT:
            await self.end(inbound)
            return Answer([TextReply(T.ENDED)])
        step = getattr(self, f"_at_{session.stage}")
        reply: str = await step(inbound, session, text)
        return await self._reply(inbound, session, reply)
