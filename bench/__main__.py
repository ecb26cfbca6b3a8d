"""``make bench``: run every benchmark module and print its figures."""

from __future__ import annotations

import sys

from bench import images, instructions, outbox, startup, webhook
from bot.cli import run_on_fast_loop

BENCHMARKS = {
    "webhook": webhook.main,
    "instructions": instructions.main,
    "outbox": outbox.main,
    "images": images.main,
    "startup": startup.main,
}


def main(argv: list[str]) -> int:
    """Run the named benchmarks (all by default)."""
    names = argv or list(BENCHMARKS)
    for name in names:
        if name not in BENCHMARKS:
            print(f"unknown benchmark {name}; choose from {', '.join(BENCHMARKS)}")
            return 2
        print(f"== {name}")
        # The load generator shares the cores with the servers it measures: on asyncio's
        # loop it added a tail of its own (the floors' p99 was 27 ms at a 1.3 ms p50).
        run_on_fast_loop(BENCHMARKS[name]())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
