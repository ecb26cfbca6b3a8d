"""The bridge's faces: the terminal UI (QR code in text, PIN without echo), the command line,
and a smoke test of the tkinter window under a virtual X server (Xvfb)."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import textwrap

import pytest

from key_bridge.cli import main
from key_bridge.ui_cli import SCAN_HINT, TerminalUi


def test_terminal_shows_the_qr_code_in_text_and_the_steps() -> None:
    out = io.StringIO()
    ui = TerminalUi(out=out, ask=lambda prompt: "123456")
    ui.show_qr("http://weixin.qq.com/q/02abcdefghijklmnopqrstuv")
    ui.show_qr(None)  # hiding prints nothing
    ui.status("已连接服务器")
    text = out.getvalue()
    rows = [line for line in text.splitlines() if "█" in line or "▀" in line or "▄" in line]
    assert len(rows) >= 12  # a QR code of at least version 1 (21 modules, two per line)
    assert SCAN_HINT in text and "已连接服务器" in text


def test_terminal_pin_prompt_without_echo_and_cancel() -> None:
    out = io.StringIO()
    asked: list[str] = []

    def ask(prompt: str) -> str:
        asked.append(prompt)
        return "654321"

    ui = TerminalUi(out=out, ask=ask)
    assert ui.ask_pin("请输入 Key 的 PIN 码") == "654321"
    assert asked == ["请输入 Key 的 PIN 码："]
    assert "654321" not in out.getvalue()

    def eof(prompt: str) -> str:
        raise EOFError

    assert TerminalUi(out=out, ask=eof).ask_pin("PIN") is None
    assert TerminalUi(out=out, ask=lambda p: "").ask_pin("PIN") is None


def test_command_line_refuses_a_server_without_tls(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--cli", "--server", "http://ca.example.cn"]) == 2
    assert "TLS" in capsys.readouterr().err


TK_SMOKE = textwrap.dedent(
    """
    import threading, tkinter as tk
    from key_bridge.ui_tk import TkUi

    root = tk.Tk()
    ui = TkUi(root)
    ui.status("正在读取证书…")
    ui.show_qr("http://weixin.qq.com/q/02abcdefghijklmnopqrstuv")
    answers = []
    worker = threading.Thread(target=lambda: answers.append(ui.ask_pin("请输入 Key 的 PIN 码")))

    def type_pin():
        if ui.dialog is None:
            root.after(50, type_pin)
            return
        assert ui._image is not None and ui._image.width() > 100
        ui.dialog.entry.insert(0, "123456")
        ui.dialog.ok_button.invoke()
        root.after(50, finish)

    def finish():
        if worker.is_alive():
            root.after(50, finish)
            return
        print("status=" + ui.status_text.get())
        print("pin=" + str(answers))
        root.destroy()

    worker.start()
    root.after(100, type_pin)
    root.after(20000, root.destroy)
    root.mainloop()
    """
)


def test_tk_window_shows_qr_status_and_pin_dialog_under_xvfb() -> None:
    xvfb = shutil.which("xvfb-run")
    assert xvfb, "xvfb-run missing: run scripts/install-card-stack.sh"
    result = subprocess.run(
        [xvfb, "-a", sys.executable, "-c", TK_SMOKE],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "status=正在读取证书…" in result.stdout
    assert "pin=['123456']" in result.stdout
