"""What the bridge does with the Key when the server asks, and what the user sees meanwhile.

:class:`CardOperations` runs one command of the protocol (``key_bridge.protocol.OPS``) against
the single Key present and returns the result's data; :class:`BridgeUi` is what a window or the
terminal supplies (status line, QR code, PIN prompt). The PIN is typed here, on the PC, given to
the card and dropped: it is never returned, sent or logged.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, cast

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_public_key

from key_bridge import texts
from key_bridge.csr import card_csr
from key_bridge.errors import (
    BridgeError,
    CardRemoved,
    InvalidPin,
    KeyBusy,
    MultipleKeys,
    NoKey,
    PcscUnavailable,
    PukBlocked,
    WrongPin,
)
from key_bridge.iso7816 import TlvError, unwrap_tlv
from key_bridge.mgmkey import ManagementKeyAlgorithm
from key_bridge.pin_rules import pin_problem
from key_bridge.piv import PivCard, Transport
from key_bridge.piv_data import KeyAlgorithm, PublicKey

PIN_ATTEMPTS = 3  # prompts per command before giving up (the card counts its own tries)

STATUS = {
    "connecting": "正在连接服务器…",
    "connected": "已连接服务器",
    "reconnecting": "网络中断，正在重新连接…",
    "scan": "请用微信扫描二维码，连接证书助手",
    "paired": "已连接微信：{user}。请保持 Key 插入，在微信中继续办理",
    "card_status": "正在读取 Key 状态…",
    "read_certificate": "正在读取证书…",
    "admin_challenge": "正在进行 Key 管理认证…",
    "admin_response": "正在进行 Key 管理认证…",
    "generate_key": "正在 Key 中生成新密钥…",
    "sign_csr": "正在生成证书请求…",
    "write_certificate": "正在写入新证书，请勿拔出 Key…",
    "unblock_pin": "正在解锁 Key…",
    "ask_unlock_code": "请输入解锁授权码并设置新的 PIN 码",
    "unlock_pin": "正在解锁 Key…",
    "change_puk": "正在更新 Key 的解锁码，请勿拔出 Key…",
    "show_message": "",
    "done": "完成",
    "failed": "操作失败：{message}",
}
PIN_PROMPT = "请输入 Key 的 PIN 码"
NEW_PIN_PROMPT = "请设置新的 PIN 码（6 到 8 位）"
PIN_CANCELLED = "已取消输入 PIN 码"
BAD_ARGS = "服务器的指令无法识别，请升级证书助手"
UNLOCK_CODE_PROMPT = "请输入邮件中的解锁授权码（6 位数字）"
NEW_PIN_AGAIN_PROMPT = "请再次输入新的 PIN 码"
PIN_MISMATCH = "两次输入的 PIN 码不一致"

# Bridge errors → protocol error codes (the server's CardError.code).
ERROR_CODES: dict[type[BridgeError], str] = {
    CardRemoved: "card_removed",
    NoKey: "no_key",
    MultipleKeys: "multiple_keys",
    KeyBusy: "key_busy",
    PcscUnavailable: "pcsc_unavailable",
}


class BridgeUi(Protocol):
    """What a user interface supplies; called from worker threads, so it must be thread-safe."""

    def status(self, text: str) -> None:
        """Show the step in progress (Chinese)."""

    def show_qr(self, url: str | None) -> None:
        """Show the pairing QR code for ``url`` (None: hide it)."""

    def ask_pin(self, prompt: str) -> str | None:
        """Ask the user for a PIN on the PC; None when they cancel."""


class OperationError(Exception):
    """A command that cannot run: ``code`` for the server, ``message`` in Chinese."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def error_code(error: BridgeError) -> str:
    """The protocol code of a bridge error (``card_error`` for any other card refusal)."""
    for cls in type(error).__mro__:
        if cls in ERROR_CODES:
            return ERROR_CODES[cls]
    name = type(error).__name__
    snake = "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")
    return snake[:40]


class _DerName:
    """An X.501 Name as DER from the server, signed exactly as given (no re-encoding)."""

    def __init__(self, der: bytes) -> None:
        try:
            unwrap_tlv(der, 0x30)
        except TlvError as exc:
            raise OperationError("bad_args", BAD_ARGS) from exc
        self.der = der

    def public_bytes(self, backend: object = None) -> bytes:
        return self.der


def _b64(args: dict[str, Any], name: str) -> bytes:
    value = args.get(name)
    try:
        if not isinstance(value, str):
            raise ValueError(name)
        return base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error) as exc:
        raise OperationError("bad_args", BAD_ARGS) from exc


def _pem(key: PublicKey) -> str:
    return key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()


class CardOperations:
    """Runs commands on the Key; keeps one card connection across commands (the management-key
    authentication of one command is used by the next) and drops it when the Key goes."""

    def __init__(
        self,
        open_card: Callable[[], Transport],
        ui: BridgeUi,
        emit: Callable[[str, dict[str, Any]], None],
    ) -> None:
        self._open_card = open_card
        self.ui = ui
        self.emit = emit
        self._transport: Transport | None = None
        self._card: PivCard | None = None
        self._new_pin: str | None = None  # set by ask_unlock_code, used once by unlock_pin

    def close(self) -> None:
        """Release the card connection (the next command opens a new one)."""
        transport, self._transport, self._card = self._transport, None, None
        close = getattr(transport, "close", None)
        if callable(close):
            with contextlib.suppress(BridgeError):
                close()

    def _piv(self) -> PivCard:
        if self._card is None:
            self._transport = self._open_card()
            self._card = PivCard(self._transport)
            try:
                self._card.select()
            except BridgeError:
                self.close()
                raise
        return self._card

    def run(self, op: str, args: dict[str, Any]) -> dict[str, Any]:
        """Run ``op``; its data, or OperationError / BridgeError."""
        handler = getattr(self, f"_op_{op}", None)
        if handler is None:
            raise OperationError("unknown_op", BAD_ARGS)
        self.ui.status(STATUS.get(op, op))
        try:
            result: dict[str, Any] = handler(args)
        except (CardRemoved, NoKey, MultipleKeys, PcscUnavailable, KeyBusy):
            self.close()
            raise
        return result

    def _op_card_status(self, args: dict[str, Any]) -> dict[str, Any]:
        card = self._piv()
        status = card.pin_status()
        cert = card.read_certificate()
        return {
            "reader": str(getattr(self._transport, "reader", "")),
            "pin_verified": status.verified,
            "pin_tries": status.retries,
            "has_certificate": cert is not None,
        }

    def _op_read_certificate(self, args: dict[str, Any]) -> dict[str, Any]:
        cert = self._piv().read_certificate()
        return {"certificate": cert.public_bytes(Encoding.PEM).decode() if cert else None}

    def _op_admin_challenge(self, args: dict[str, Any]) -> dict[str, Any]:
        try:
            algorithm = ManagementKeyAlgorithm(int(args.get("algorithm", 3)))
        except (TypeError, ValueError) as exc:
            raise OperationError("bad_args", BAD_ARGS) from exc
        challenge = self._piv().begin_admin_auth(algorithm)
        return {
            "algorithm": int(challenge.algorithm),
            "challenge": base64.b64encode(challenge.challenge).decode(),
        }

    def _op_admin_response(self, args: dict[str, Any]) -> dict[str, Any]:
        response = _b64(args, "response")
        try:
            self._piv().finish_admin_auth(response)
        except RuntimeError as exc:  # no challenge pending (e.g. the Key was re-inserted)
            raise OperationError("no_challenge", texts.ADMIN_REQUIRED) from exc
        return {}

    def _op_generate_key(self, args: dict[str, Any]) -> dict[str, Any]:
        name = args.get("algorithm")
        if name is not None and name not in KeyAlgorithm.__members__:
            raise OperationError("bad_args", BAD_ARGS)
        algorithm, public_key = self._piv().generate_key(
            algorithm=KeyAlgorithm[name] if name else None
        )
        return {"algorithm": algorithm.name, "public_key": _pem(public_key)}

    def _op_sign_csr(self, args: dict[str, Any]) -> dict[str, Any]:
        subject = _DerName(_b64(args, "subject"))
        name = args.get("algorithm")
        try:
            algorithm = KeyAlgorithm[str(name)]
            key = load_pem_public_key(str(args.get("public_key", "")).encode())
        except (KeyError, ValueError) as exc:
            raise OperationError("bad_args", BAD_ARGS) from exc
        card = self._piv()
        self._verify_pin(card)
        csr = card_csr(card, cast(x509.Name, subject), cast(PublicKey, key), algorithm)
        return {"csr": csr.public_bytes(Encoding.PEM).decode()}

    def _op_write_certificate(self, args: dict[str, Any]) -> dict[str, Any]:
        try:
            cert = x509.load_pem_x509_certificate(str(args.get("certificate", "")).encode())
        except ValueError as exc:
            raise OperationError("bad_args", BAD_ARGS) from exc
        card = self._piv()
        card.write_certificate(cert)
        self.ui.status("正在核对写入的证书…")
        if card.read_certificate() != cert:
            raise OperationError("write_mismatch", texts.BAD_CARD_DATA)
        return {"serial": f"{cert.serial_number:X}"}

    def _op_unblock_pin(self, args: dict[str, Any]) -> dict[str, Any]:
        puk = _b64(args, "puk")
        card = self._piv()
        for _ in range(PIN_ATTEMPTS):
            new_pin = self._ask(NEW_PIN_PROMPT)
            try:
                card.reset_pin(puk, new_pin)
            except InvalidPin as exc:
                self.ui.status(exc.message)
                continue
            return {}
        raise OperationError("pin_cancelled", PIN_CANCELLED)

    # -- unlock: the code goes to the server, the new PIN only to the card -------------------

    def _op_ask_unlock_code(self, args: dict[str, Any]) -> dict[str, Any]:
        notice = args.get("message")
        prompt = UNLOCK_CODE_PROMPT
        if isinstance(notice, str) and notice:
            prompt = f"{notice}。{UNLOCK_CODE_PROMPT}"
        code = self.ui.ask_pin(prompt)
        if code is None:
            raise OperationError("pin_cancelled", PIN_CANCELLED)
        if self._new_pin is None:
            self._new_pin = self._ask_new_pin()
        return {"code": code.strip()}

    def _ask_new_pin(self) -> str:
        """The new PIN, typed twice and following the rules (``key_bridge.pin_rules``)."""
        prompt = NEW_PIN_PROMPT
        for _ in range(PIN_ATTEMPTS):
            pin = self._ask(prompt)
            problem = pin_problem(pin)
            if problem is not None:
                prompt = f"{problem}。{NEW_PIN_PROMPT}"
                continue
            if self._ask(NEW_PIN_AGAIN_PROMPT) != pin:
                prompt = f"{PIN_MISMATCH}。{NEW_PIN_PROMPT}"
                continue
            self.emit("pin_entered", {})
            return pin
        raise OperationError("pin_cancelled", PIN_CANCELLED)

    def _op_unlock_pin(self, args: dict[str, Any]) -> dict[str, Any]:
        puk = _b64(args, "puk")
        if self._new_pin is None:
            raise OperationError("no_new_pin", BAD_ARGS)
        try:
            self._piv().reset_pin(puk, self._new_pin)
        except PukBlocked:
            self._new_pin = None
            raise
        self._new_pin = None
        return {}

    def _op_change_puk(self, args: dict[str, Any]) -> dict[str, Any]:
        self._piv().change_puk(_b64(args, "puk"), _b64(args, "new_puk"))
        return {}

    def _op_show_message(self, args: dict[str, Any]) -> dict[str, Any]:
        message = args.get("message")
        if not isinstance(message, str) or not message:
            raise OperationError("bad_args", BAD_ARGS)
        self._new_pin = None  # the unlock is over, whatever its outcome
        self.ui.status(message)
        return {}

    def _ask(self, prompt: str) -> str:
        self.emit("pin_requested", {})
        pin = self.ui.ask_pin(prompt)
        if pin is None:
            self.emit("pin_cancelled", {})
            raise OperationError("pin_cancelled", PIN_CANCELLED)
        return pin

    def _verify_pin(self, card: PivCard) -> None:
        """Ask for the PIN until the card accepts it; PinBlocked / pin_cancelled otherwise."""
        prompt = PIN_PROMPT
        for _ in range(PIN_ATTEMPTS):
            pin = self._ask(prompt)
            try:
                card.verify_pin(pin)
            except InvalidPin as exc:
                prompt = f"{exc.message}。{PIN_PROMPT}"
                continue
            except WrongPin as exc:
                self.emit("pin_wrong", {"tries_left": exc.retries})
                prompt = f"{exc.message}。{PIN_PROMPT}"
                continue
            self.emit("pin_entered", {})
            return
        raise OperationError("pin_cancelled", PIN_CANCELLED)


class PcscKey:
    """The single Key present, over PC/SC, with a PC/SC context of its own (a
    :class:`~key_bridge.piv.Transport` with ``close``)."""

    def __init__(self) -> None:
        from key_bridge.transport import PcscContext

        self._context = PcscContext()
        try:
            self._transport = self._context.connect()
        except BridgeError:
            self._context.close()
            raise
        self.reader = self._transport.reader

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        """Exchange one APDU with the Key."""
        return self._transport.transmit(apdu)

    def close(self) -> None:
        """Disconnect and release the context."""
        try:
            self._transport.close()
        finally:
            self._context.close()


async def run_bridge(
    server: str, ui: BridgeUi, stop: asyncio.Event, session_file: Path | None = None
) -> None:
    """The bridge program: connect to ``server``, serve the Key over PC/SC, report the Key being
    inserted or pulled out, until ``stop`` is set."""
    from key_bridge.client import BridgeClient
    from key_bridge.transport import KeyMonitor

    client = BridgeClient(
        server, lambda ui_, emit: CardOperations(PcscKey, ui_, emit), ui, session_file=session_file
    )

    def on_change(present: list[str]) -> None:
        name = "card_inserted" if present else "card_removed"
        client.operations.emit(name, {"keys": len(present)})
        if not present:
            ui.status(texts.NO_KEY)
        elif len(present) > 1:
            ui.status(texts.MULTIPLE_KEYS)

    monitor = KeyMonitor(on_change).start()
    try:
        await client.run(stop)
    finally:
        await asyncio.to_thread(monitor.stop)
