"""``key-bridge --cli --server URL``: the bridge in a terminal — the pairing QR code drawn in
text, the step in progress, the PIN asked without echo."""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TextIO

import qrcode

from key_bridge.controller import run_bridge

SCAN_HINT = "请用微信扫描上方二维码（5 分钟内有效），连接电脑上的证书助手"


class TerminalUi:
    """A :class:`~key_bridge.controller.BridgeUi` writing to ``out`` and reading PINs with
    ``ask`` (``getpass`` by default: nothing typed is shown)."""

    def __init__(
        self, out: TextIO | None = None, ask: Callable[[str], str] = getpass.getpass
    ) -> None:
        self.out = out or sys.stdout
        self._ask = ask
        self._lock = threading.Lock()

    def _print(self, text: str) -> None:
        with self._lock:
            print(text, file=self.out, flush=True)

    def status(self, text: str) -> None:
        """One line per step, with the time."""
        self._print(f"[{datetime.now():%H:%M:%S}] {text}")

    def show_qr(self, url: str | None) -> None:
        """Draw the QR code of ``url`` in text (nothing to hide in a terminal)."""
        if url is None:
            return
        code = qrcode.QRCode(border=2)
        code.add_data(url)
        code.make(fit=True)
        with self._lock:
            code.print_ascii(out=self.out, invert=True)
            print(SCAN_HINT, file=self.out, flush=True)

    def ask_pin(self, prompt: str) -> str | None:
        """Ask without echo; None when the user presses Ctrl-D / Ctrl-C or enters nothing."""
        with self._lock:
            try:
                pin = self._ask(prompt + "：")
            except (EOFError, KeyboardInterrupt):
                return None
        return pin or None


def main(server: str, session_file: Path | None) -> int:
    """Run the bridge in this terminal until Ctrl-C."""
    ui = TerminalUi()

    async def run() -> None:
        stop = asyncio.Event()
        await run_bridge(server, ui, stop, session_file)

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())
    ui.status("证书助手已退出")
    return 0
