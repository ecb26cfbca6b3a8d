"""The bridge's small window (tkinter, part of Python): the pairing QR code, the step in
progress and the PIN dialog. A thin skin over :func:`key_bridge.controller.run_bridge`, which
runs in a background thread with its own event loop; every widget change is posted to the Tk
thread."""

from __future__ import annotations

import asyncio
import base64
import io
import queue
import threading
import tkinter as tk
from collections.abc import Callable
from pathlib import Path

import qrcode

from key_bridge.controller import run_bridge

TITLE = "证书助手"
SCAN_HINT = "请用微信扫描二维码，连接证书助手"
POLL_MS = 50


class PinDialog:
    """A modal PIN entry (masked); ``result`` is the PIN, or None when cancelled."""

    def __init__(self, root: tk.Tk, prompt: str, done: Callable[[str | None], None]) -> None:
        self.window = tk.Toplevel(root)
        self.window.title(TITLE)
        self.window.transient(root)
        self._done = done
        tk.Label(self.window, text=prompt, padx=16, pady=8).pack()
        self.entry = tk.Entry(self.window, show="•", width=16)
        self.entry.pack(padx=16)
        self.entry.bind("<Return>", lambda _e: self.ok())
        buttons = tk.Frame(self.window, pady=8)
        buttons.pack()
        self.ok_button = tk.Button(buttons, text="确定", width=8, command=self.ok)
        self.ok_button.pack(side=tk.LEFT, padx=4)
        tk.Button(buttons, text="取消", width=8, command=self.cancel).pack(side=tk.LEFT, padx=4)
        self.window.protocol("WM_DELETE_WINDOW", self.cancel)
        self.entry.focus_set()

    def ok(self) -> None:
        """Hand over what was typed (an empty entry counts as cancel)."""
        pin = self.entry.get()
        self.entry.delete(0, tk.END)
        self.window.destroy()
        self._done(pin or None)

    def cancel(self) -> None:
        """Close without a PIN."""
        self.window.destroy()
        self._done(None)


class TkUi:
    """A :class:`~key_bridge.controller.BridgeUi` for the window; thread-safe."""

    def __init__(self, root: tk.Tk) -> None:
        self.root = root
        root.title(TITLE)
        self.qr_label = tk.Label(root, padx=12, pady=12)
        self.qr_label.pack()
        self.hint = tk.StringVar(value="")
        tk.Label(root, textvariable=self.hint).pack()
        self.status_text = tk.StringVar(value="")
        tk.Label(root, textvariable=self.status_text, wraplength=360, pady=12).pack()
        self.dialog: PinDialog | None = None
        self._image: tk.PhotoImage | None = None
        self._posted: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        root.after(POLL_MS, self._drain)

    def _drain(self) -> None:
        while True:
            try:
                action = self._posted.get_nowait()
            except queue.Empty:
                break
            action()
        self.root.after(POLL_MS, self._drain)

    def post(self, action: Callable[[], None]) -> None:
        """Run ``action`` on the Tk thread."""
        self._posted.put(action)

    def status(self, text: str) -> None:
        """Show the step in progress."""
        self.post(lambda: self.status_text.set(text))

    def show_qr(self, url: str | None) -> None:
        """Show the QR code of ``url``, or hide it."""
        self.post(lambda: self._set_qr(url))

    def _set_qr(self, url: str | None) -> None:
        if url is None:
            self._image = None
            self.qr_label.configure(image="")
            self.hint.set("")
            return
        buffer = io.BytesIO()
        qrcode.make(url, box_size=6, border=2).save(buffer)
        self._image = tk.PhotoImage(data=base64.b64encode(buffer.getvalue()).decode())
        self.qr_label.configure(image=self._image)
        self.hint.set(SCAN_HINT)

    def ask_pin(self, prompt: str) -> str | None:
        """Open the PIN dialog and wait for it (called from the bridge's worker thread)."""
        answered = threading.Event()
        result: list[str | None] = [None]

        def done(pin: str | None) -> None:
            result[0] = pin
            self.dialog = None
            answered.set()

        def open_dialog() -> None:
            self.dialog = PinDialog(self.root, prompt, done)

        self.post(open_dialog)
        answered.wait()
        return result[0]


def main(server: str, session_file: Path | None) -> int:
    """Open the window and run the bridge until it is closed."""
    root = tk.Tk()
    ui = TkUi(root)
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()

    def background() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(run_bridge(server, ui, stop, session_file))
        loop.close()

    thread = threading.Thread(target=background, name="bridge", daemon=True)
    thread.start()

    def close() -> None:
        loop.call_soon_threadsafe(stop.set)
        if ui.dialog is not None:
            ui.dialog.cancel()
        root.destroy()

    root.protocol("WM_DELETE_WINDOW", close)
    root.mainloop()
    thread.join(timeout=5)
    return 0
