"""The ``key-bridge`` command: list the PC/SC readers and cards the bridge can use."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def list_readers() -> list[str]:
    """Names of the PC/SC readers (needs pyscard: ``pip install certdesk[bridge]``)."""
    from smartcard.System import readers

    return [str(reader) for reader in readers()]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``key-bridge`` console script."""
    parser = argparse.ArgumentParser(prog="key-bridge", description=__doc__)
    parser.add_argument("action", choices=["readers"], nargs="?", default="readers")
    parser.parse_args(argv)
    try:
        names = list_readers()
    except ImportError:
        print(
            "key-bridge: pyscard is not installed (pip install 'certdesk[bridge]')", file=sys.stderr
        )
        return 2
    except Exception as exc:  # PC/SC service missing or stopped
        print(f"key-bridge: PC/SC is not available ({type(exc).__name__}: {exc})", file=sys.stderr)
        return 1
    if not names:
        print("no card reader found: plug in the USB Key")
        return 1
    for name in names:
        print(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
