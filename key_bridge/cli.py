"""The ``key-bridge`` command: list the PC/SC readers, or show the Key inserted (its certificate
and PIN state) — the checks a user or the help desk runs first."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from key_bridge.errors import BridgeError

SHANGHAI = ZoneInfo("Asia/Shanghai")


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
    args = parser.parse_args(argv)
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


if __name__ == "__main__":
    sys.exit(main())
