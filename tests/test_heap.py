"""A long-lived process hides its start-up objects from the cyclic garbage collector."""

from __future__ import annotations

import gc

from bot.cli import GC_YOUNG_THRESHOLD, settle_heap


def test_a_full_collection_after_start_up_skips_what_start_up_built() -> None:
    threshold = gc.get_threshold()
    start_up = [{"n": [n]} for n in range(100_000)]  # what modules and the app leave behind
    try:
        settle_heap()
        assert gc.get_freeze_count() >= 2 * len(start_up)
        assert gc.get_threshold()[0] == GC_YOUNG_THRESHOLD
        # What a full collection walks now is only what was made after start-up.
        assert all(o is not start_up for o in gc.get_objects())
        assert len(gc.get_objects()) < gc.get_freeze_count()
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
    assert start_up[-1]["n"] == [99_999]
