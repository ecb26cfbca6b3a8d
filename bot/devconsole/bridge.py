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

from key_bridge.client import BridgeClient
from key_bridge.controller import CardOperations
from key_bridge.emulator.applet import DEFAULT_PIN, PivApplet
from key_bridge.emulator.local import LocalTransport

KEEP_STATUSES = 12


@dataclass
class ConsoleUi:
    """The bridge window as the console shows it: its status lines, the QR code it displays and
    the PIN prompts (answered with the emulated Key's PIN, as the user would type it)."""

    pin: str = DEFAULT_PIN
    statuses: list[str] = field(default_factory=list)
    qr_url: str | None = None
    prompts: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def status(self, text: str) -> None:
        """A status line of the bridge window."""
        with self._lock:
            self.statuses = [*self.statuses, text][-KEEP_STATUSES:]

    def show_qr(self, url: str | None) -> None:
        """The pairing QR code shown (None: hidden)."""
        self.qr_url = url

    def ask_pin(self, prompt: str) -> str | None:
        """The user types the Key's PIN."""
        with self._lock:
            self.prompts += 1
            self.statuses = [*self.statuses, f"{prompt} → 已输入 PIN"][-KEEP_STATUSES:]
        return self.pin


class SimulatedBridge:
    """At most one running bridge program with its emulated Key."""

    def __init__(self) -> None:
        self.ui = ConsoleUi()
        self.transport: LocalTransport | None = None
        self.client: BridgeClient | None = None
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        """Whether the bridge program runs."""
        return self._task is not None and not self._task.done()

    async def start(self, server: str) -> None:
        """Start the bridge program against ``server`` with a fresh emulated Key."""
        await self.stop()
        self.ui = ConsoleUi()
        transport = self.transport = LocalTransport(PivApplet())
        self.client = BridgeClient(
            server, lambda ui, emit: CardOperations(lambda: transport, ui, emit), self.ui
        )
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(self.client.run(self._stop))
        await asyncio.wait_for(self.client.connected.wait(), 10)

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
        return {
            "running": self.running,
            "connected": bool(client and client.connected.is_set()),
            "paired": bool(client and client.paired.is_set()),
            "paired_user": client.paired_user if client else None,
            "key_inserted": bool(self.transport and self.transport.present),
            "qr_url": self.ui.qr_url,
            "statuses": list(self.ui.statuses),
        }

    async def stop(self) -> None:
        """Stop the bridge program (idempotent)."""
        task, self._task = self._task, None
        if task is not None:
            self._stop.set()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(task, 10)
