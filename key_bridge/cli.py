"""The ``key-bridge`` command: ``--server URL`` runs the certificate assistant (a window, or the
terminal with ``--cli``); ``readers`` / ``card`` list the PC/SC readers or show the Key inserted
(its certificate and PIN state) — the checks a user or the help desk runs first."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.china_time import SHANGHAI
from key_bridge.errors import BridgeError

DEFAULT_SESSION_FILE = Path.home() / ".certdesk-key-bridge" / "session"


def list_readers() -> list[str]:
    """Names of the PC/SC readers (needs pyscard: ``pip install certdesk[bridge]``)."""
    from key_bridge.transport import PcscContext

    with PcscContext() as context:
        return context.readers()


def describe_key() -> list[str]:
    """Lines describing the single Key present: reader, certificate, PIN tries left."""
    from key_bridge.piv import PivCard
    from key_bridge.transport import PcscContext

    with PcscContext() as context:
        transport = context.connect()
        try:
            card = PivCard(transport)
            card.select()
            cert = card.read_certificate()
            status = card.pin_status()
        finally:
            transport.close()
    lines = [f"读卡器：{transport.reader}"]
    if cert is None:
        lines.append("证书：Key 中没有证书")
    else:
        expiry = cert.not_valid_after_utc.astimezone(SHANGHAI)
        lines += [
            f"证书主题：{cert.subject.rfc4514_string()}",
            f"证书序列号：{cert.serial_number:X}",
            f"有效期至：{expiry:%Y-%m-%d %H:%M}",
        ]
    if status.retries == 0:
        lines.append("PIN：已锁定")
    elif status.retries is not None:
        lines.append(f"PIN：还可尝试 {status.retries} 次")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``key-bridge`` console script."""
    parser = argparse.ArgumentParser(prog="key-bridge", description=__doc__)
    parser.add_argument("action", choices=["readers", "card"], nargs="?", default="readers")
    parser.add_argument("--server", help="the certdesk server (https://...) to connect to")
    parser.add_argument("--cli", action="store_true", help="run in this terminal, no window")
    parser.add_argument(
        "--session-file",
        type=Path,
        default=DEFAULT_SESSION_FILE,
        help="where the pairing is remembered (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    if args.server:
        return _run_assistant(args.server, args.cli, args.session_file)
    try:
        lines = list_readers() if args.action == "readers" else describe_key()
    except ImportError:
        print(
            "key-bridge: pyscard is not installed (pip install 'certdesk[bridge]')", file=sys.stderr
        )
        return 2
    except BridgeError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    if not lines:
        print("未找到读卡器，请插入 Key", file=sys.stderr)
        return 1
    for line in lines:
        print(line)
    return 0


def _run_assistant(server: str, cli: bool, session_file: Path) -> int:
    """Run the certificate assistant (window or terminal) against ``server``."""
    from key_bridge.client import bridge_url

    try:
        bridge_url(server)
    except ValueError as exc:
        print(f"key-bridge: {exc}", file=sys.stderr)
        return 2
    if cli:
        from key_bridge import ui_cli

        return ui_cli.main(server, session_file)
    from key_bridge import ui_tk

    return ui_tk.main(server, session_file)


if __name__ == "__main__":
    sys.exit(main())
