"""A simulated Key bridge session for the development console: the real ``key_bridge`` program
(its WebSocket client and card operations) driving an in-process PIV emulator, connected to this
server's ``/bridge`` hub. Pairing goes through a WeChat scan of the QR code it shows, as on a PC.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from dataclasses import dataclass, field
from typing import Any

from bot.china_time import SHANGHAI
from bot.devconsole import texts as T
from bot.devconsole.factory import certificate_on
from key_bridge.client import BridgeClient
from key_bridge.controller import PIN_PROMPT, CardOperations
from key_bridge.emulator.applet import DEFAULT_PIN, PivApplet
from key_bridge.emulator.local import LocalTransport

KEEP_STATUSES = 12
PROMPT_TIMEOUT = 300.0  # seconds a prompt waits for the developer


@dataclass
class ConsoleUi:
    """The bridge window as the console shows it: its status lines, the QR code it displays and
    the prompt it waits on. Prompts (PIN, unlock authorization code, new PIN) block the bridge's
    worker thread until the developer answers in the console (``answer``) or ``PROMPT_TIMEOUT``
    passes (then: cancelled). With ``auto_pin`` the plain PIN prompt is answered with ``pin``."""

    pin: str = DEFAULT_PIN
    auto_pin: bool = True
    statuses: list[str] = field(default_factory=list)
    qr_url: str | None = None
    prompts: int = 0
    pending: tuple[int, str] | None = None
    _answer: tuple[int, str | None] | None = None
    _closed: bool = False
    _lock: threading.Condition = field(default_factory=threading.Condition)

    def status(self, text: str) -> None:
        """A status line of the bridge window."""
        with self._lock:
            self.statuses = [*self.statuses, text][-KEEP_STATUSES:]

    def show_qr(self, url: str | None) -> None:
        """The pairing QR code shown (None: hidden)."""
        self.qr_url = url

    def ask_pin(self, prompt: str) -> str | None:
        """The user types a PIN or code; None when cancelled, timed out or the bridge stops."""
        with self._lock:
            self.prompts += 1
            number = self.prompts
            if self.auto_pin and prompt == PIN_PROMPT:
                self.statuses = [*self.statuses, T.PIN_TYPED_AUTOMATICALLY.format(prompt=prompt)][
                    -KEEP_STATUSES:
                ]
                return self.pin
            if self._closed:
                return None
            self.pending, self._answer = (number, prompt), None
            answered = self._lock.wait_for(
                lambda: self._closed or (self._answer is not None and self._answer[0] == number),
                timeout=PROMPT_TIMEOUT,
            )
            self.pending = None
            if not answered or self._answer is None or self._answer[0] != number:
                return None
            return self._answer[1]

    def answer(self, number: int, text: str | None) -> bool:
        """Answer prompt ``number`` (None: cancel); False when that prompt is not waiting."""
        with self._lock:
            if self.pending is None or self.pending[0] != number:
                return False
            self._answer = (number, text)
            self._lock.notify_all()
            return True

    def close(self) -> None:
        """The bridge stops: a waiting prompt is cancelled, later ones too."""
        with self._lock:
            self._closed = True
            self._lock.notify_all()


class SimulatedBridge:
    """At most one running bridge program with its emulated Key."""

    def __init__(self) -> None:
        self.ui = ConsoleUi()
        self.transport: LocalTransport | None = None
        self.key_label = ""
        self.client: BridgeClient | None = None
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        """Whether the bridge program runs."""
        return self._task is not None and not self._task.done()

    async def start(self, server: str, applet: PivApplet | None = None, label: str = "") -> None:
        """Start the bridge program against ``server`` with ``applet`` (default: a fresh
        emulated Key) inserted; ``label`` names the Key in the console."""
        await self.stop()
        self.ui = ConsoleUi(auto_pin=self.ui.auto_pin)
        self.transport = LocalTransport(applet or PivApplet())
        self.key_label = label
        self.client = BridgeClient(
            server, lambda ui, emit: CardOperations(self._card, ui, emit), self.ui
        )
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(self.client.run(self._stop))
        await asyncio.wait_for(self.client.connected.wait(), 10)

    def _card(self) -> LocalTransport:
        if self.transport is None:
            raise RuntimeError("the bridge has no card reader")
        return self.transport

    def swap_key(self, applet: PivApplet, label: str) -> None:
        """Pull out the Key in the reader (if any) and insert ``applet`` instead."""
        self.set_key(False)
        self.transport = LocalTransport(applet)
        self.key_label = label
        self.set_key(True)

    def set_key(self, inserted: bool) -> None:
        """Insert or pull out the emulated Key (the bridge reports it to the server)."""
        if self.transport is None or self.client is None:
            return
        if inserted:
            self.transport.insert()
        else:
            self.transport.remove()
        self.client.operations.emit(
            "card_inserted" if inserted else "card_removed", {"keys": int(inserted)}
        )

    def state(self) -> dict[str, Any]:
        """What the console shows of the bridge."""
        client = self.client
        pending = self.ui.pending
        return {
            "running": self.running,
            "connected": bool(client and client.connected.is_set()),
            "paired": bool(client and client.paired.is_set()),
            "paired_user": client.paired_user if client else None,
            "key_inserted": bool(self.transport and self.transport.present),
            "key_label": self.key_label,
            "pin_tries": self.transport.applet.pin.tries if self.transport else None,
            "key_certificate": self._certificate(),
            "qr_url": self.ui.qr_url,
            "statuses": list(self.ui.statuses),
            "prompt": {"id": pending[0], "text": pending[1]} if pending else None,
            "auto_pin": self.ui.auto_pin,
        }

    def _certificate(self) -> dict[str, str] | None:
        """The serial and validity (UTC, and the expiry day in Shanghai) of the certificate on
        the Key in the reader."""
        cert = certificate_on(self.transport.applet) if self.transport else None
        if cert is None:
            return None
        return {
            "serial": format(cert.serial_number, "x"),
            "not_before": cert.not_valid_before_utc.isoformat(),
            "not_after": cert.not_valid_after_utc.isoformat(),
            "expiry": T.KEY_CERTIFICATE.format(
                expiry=f"{cert.not_valid_after_utc.astimezone(SHANGHAI):%Y-%m-%d}"
            ),
        }

    async def stop(self) -> None:
        """Stop the bridge program (idempotent)."""
        task, self._task = self._task, None
        self.ui.close()
        if task is not None:
            self._stop.set()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(task, 10)
