"""Step 3 and 4 of the unlock (seed section 3), on the user's PC through the paired bridge.

The bridge asks the user for the authorization code and the new PIN (twice, checked against the
PIN rules on the PC) and sends only the code. The server checks the code
(``Services.unlock_codes``); only then does it release the Key's PUK, for this one operation:
the bridge runs RESET RETRY COUNTER with it and the new PIN. Right after, the server rotates the
PUK (CHANGE REFERENCE DATA through the bridge), so a released PUK is never valid twice. The
outcome is shown on the PC and pushed to the chat, and audited (who, which Key, which
verification method, result).
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.bridge.errors import BridgeCallError, BridgeOffline, BridgeTimeout, CardError
from bot.bridge.hub import BridgeHub
from bot.key_secrets import (
    adopt_pending,
    begin_rotation,
    current_puk,
    finish_rotation,
    mark_blocked,
    pending_puk,
)
from bot.logs import get_logger
from bot.services import Services
from bot.sms_codes import CodeInvalid, InvalidReason
from handlers import unlock_texts as T
from handlers.bridge_calls import bridge_ready, tell_chat_and_pc
from handlers.unlock_certificates import same_serial, serial_of
from models.certificates import Certificate
from models.keys import KeySecret
from models.staff import AuditLog

log = get_logger(__name__)

CODE_PURPOSE = "unlock"
PROMPT_TIMEOUT = 15 * 60.0  # seconds the user has to type the code and the new PIN
OP_TIMEOUT = 30.0  # seconds of a card operation
MAX_PROMPTS = 12  # code prompts in one run (wrong codes are limited by the code itself)
AUDIT_ACTION = "key_unlock"


@dataclass(frozen=True)
class Target:
    """What one unlock works on: who, which certificate (and so which Key), how proven."""

    channel: str
    openid: str
    certificate: Certificate
    project: str  # 数字证书来源, as the user knows it
    email: str  # where the authorization code was sent
    method: str  # sms, legal, handler or address
    order_no: str

    @property
    def key_serial(self) -> str:
        return self.certificate.key_serial


@dataclass(frozen=True)
class Outcome:
    """How a run ended: the audited result, the chat's text, the PC's text; ``final`` when the
    unlock conversation is over (unlocked, or the Key cannot be unlocked)."""

    result: str
    chat: str
    pc: str = ""
    final: bool = False


async def audit(
    openid: str, key_serial: str, order_no: str, method: str, result: str, **extra: Any
) -> None:
    """Record one unlock attempt in the audit log (the applicant, not a staff member)."""
    await AuditLog.create(
        staff=None,
        username=f"wechat:{openid}"[:64],
        action=AUDIT_ACTION,
        order_no=order_no or None,
        after={"key_serial": key_serial, "method": method, "result": result, **extra},
    )


def _b64(secret: str) -> str:
    return base64.b64encode(secret.encode()).decode()


class PcUnlock:
    """Runs the PC part of unlocks; ``on_end`` is told when an unlock conversation is over."""

    def __init__(
        self,
        services: Services,
        hub: BridgeHub,
        on_end: Callable[[Target], Awaitable[None]],
    ) -> None:
        self.services = services
        self.hub = hub
        self.on_end = on_end

    @staticmethod
    def _running_key(key_serial: str) -> str:
        return f"unlock:pc:{key_serial}"

    async def ready(self, openid: str) -> bool:
        """Whether the user's bridge is paired and connected now."""
        return await bridge_ready(self.hub, openid)

    async def busy(self, key_serial: str) -> bool:
        """Whether an unlock of this Key is waiting on the PC already."""
        return await self.services.store.get(self._running_key(key_serial)) is not None

    async def run(self, target: Target) -> None:
        """The PC part of one unlock, start to end (run as a background task)."""
        store = self.services.store
        running = self._running_key(target.key_serial)
        if await store.get(running) is not None:
            return
        await store.set(running, target.openid, ttl=PROMPT_TIMEOUT + 4 * OP_TIMEOUT)
        try:
            outcome = await self._run(target)
        except (BridgeOffline, BridgeTimeout):
            outcome = Outcome("bridge_gone", T.PC_OFFLINE)
        except CardError as exc:
            if exc.code == "pin_cancelled":
                outcome = Outcome("cancelled", T.PC_CANCELLED)
            else:
                phone = self.services.settings.service.phone
                reason = exc.message or exc.code
                outcome = Outcome("card_error", T.PC_FAILED.format(reason=reason, phone=phone))
        except Exception:
            log.exception("unlock failed")
            phone = self.services.settings.service.phone
            outcome = Outcome("error", T.PC_FAILED.format(reason="系统繁忙", phone=phone))
        finally:
            await store.delete(running)
        await audit(
            target.openid, target.key_serial, target.order_no, target.method, outcome.result
        )
        if outcome.final:  # over before the user hears of it
            await self.on_end(target)
        await self._tell(target, outcome)

    async def _tell(self, target: Target, outcome: Outcome) -> None:
        """Tell the outcome in the chat, and on the PC when the bridge is still there."""
        await tell_chat_and_pc(self.services, self.hub, target.openid, outcome.chat, outcome.pc)

    async def _call(self, openid: str, op: str, args: dict[str, Any]) -> dict[str, Any]:
        return await self.hub.call(openid, op, args, timeout=OP_TIMEOUT)

    async def _run(self, target: Target) -> Outcome:
        openid, phone = target.openid, self.services.settings.service.phone
        card = await self._call(openid, "read_certificate", {})
        if not same_serial(serial_of(card.get("certificate")), target.certificate.serial_hex):
            return Outcome("wrong_key", T.WRONG_KEY.format(serial=target.key_serial))
        void = await self._code_accepted(target)
        if void is not None:
            return void
        secret = await KeySecret.get(key_serial=target.key_serial)
        puk = current_puk(self.services, secret)
        try:
            await self._call(openid, "unlock_pin", {"puk": _b64(puk)})
        except CardError as exc:
            if exc.code == "puk_blocked":
                await mark_blocked(secret)
                text = T.PUK_BLOCKED.format(phone=phone)
                return Outcome("puk_blocked", text, T.PUK_BLOCKED_PC, final=True)
            pending = pending_puk(self.services, secret)
            if exc.code != "wrong_puk" or pending is None:
                if exc.code == "wrong_puk":
                    return Outcome("puk_refused", T.PUK_REFUSED.format(phone=phone))
                raise
            # An earlier rotation did reach the card but its answer was lost.
            await self._call(openid, "unlock_pin", {"puk": _b64(pending)})
            await adopt_pending(secret)
            puk = pending
        rotated = await self._rotate(openid, secret, puk)
        chat = T.SUCCESS.format(project=target.project)
        return Outcome("unlocked" if rotated else "unlocked_not_rotated", chat, T.SUCCESS_PC, True)

    async def _code_accepted(self, target: Target) -> Outcome | None:
        """Ask the PC for the authorization code until it is right (None) or void."""
        notice = ""
        for _ in range(MAX_PROMPTS):
            data = await self.hub.call(
                target.openid, "ask_unlock_code", {"message": notice}, timeout=PROMPT_TIMEOUT
            )
            try:
                await self.services.unlock_codes.verify(
                    target.email, CODE_PURPOSE, target.key_serial, str(data.get("code", ""))
                )
            except CodeInvalid as exc:
                if exc.reason is InvalidReason.WRONG:
                    notice = T.PC_WRONG_CODE.format(tries_left=exc.tries_left)
                    continue
                if exc.reason is InvalidReason.BAD_FORMAT:
                    notice = T.PC_BAD_FORMAT
                    continue
                return Outcome("code_refused", T.CODE_VOID.format(reason=exc.user_message))
            return None
        return Outcome("code_refused", T.CODE_VOID.format(reason="输入次数过多"))

    async def _rotate(self, openid: str, secret: KeySecret, puk: str) -> bool:
        """Give the Key a new PUK (the released one dies); False if the card did not confirm."""
        new = await begin_rotation(self.services, secret)
        try:
            await self._call(openid, "change_puk", {"puk": _b64(puk), "new_puk": _b64(new)})
        except BridgeCallError as exc:
            log.warning("PUK not rotated", extra={"code": exc.code})
            return False
        await finish_rotation(secret)
        return True
