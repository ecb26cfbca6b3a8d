"""The rules of a new PIN set on the PC when a Key is unlocked: 6 to 8 digits, not all the same
digit, not a simple sequence (123456, 876543, 890123). Checked on the PC, where the PIN is typed;
the PIN itself never leaves the PC."""

from __future__ import annotations

import itertools

PIN_NOT_DIGITS = "新 PIN 码应为 6 到 8 位数字"
PIN_ALL_SAME = "新 PIN 码不能全部是同一个数字"
PIN_SEQUENCE = "新 PIN 码不能是连续的数字（如 123456、654321）"


def pin_problem(pin: str) -> str | None:
    """Why ``pin`` may not be the new PIN (Chinese), or None when it follows the rules."""
    if not (6 <= len(pin) <= 8 and pin.isascii() and pin.isdigit()):
        return PIN_NOT_DIGITS
    if len(set(pin)) == 1:
        return PIN_ALL_SAME
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(pin)}
    if steps in ({1}, {9}):  # each digit one more (or one less) than the one before, 9 → 0 too
        return PIN_SEQUENCE
    return None
