"""The rules of the new PIN typed on the PC at an unlock: 6–8 digits, not all the same, not a
simple sequence."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from key_bridge.pin_rules import PIN_ALL_SAME, PIN_NOT_DIGITS, PIN_SEQUENCE, pin_problem

LENGTHS = st.integers(min_value=6, max_value=8)


def test_examples() -> None:
    assert pin_problem("246813") is None
    assert pin_problem("12345") == PIN_NOT_DIGITS
    assert pin_problem("123456789") == PIN_NOT_DIGITS
    assert pin_problem("12345a") == PIN_NOT_DIGITS
    assert pin_problem("１２３４５７") == PIN_NOT_DIGITS  # full-width digits never reach a card
    assert pin_problem("000000") == PIN_ALL_SAME
    for sequence in ("123456", "654321", "890123", "21098765", "3456789"):
        assert pin_problem(sequence) == PIN_SEQUENCE, sequence


@given(st.integers(0, 9), LENGTHS)
def test_one_digit_repeated_is_refused(digit: int, length: int) -> None:
    assert pin_problem(str(digit) * length) == PIN_ALL_SAME


@given(st.integers(0, 9), LENGTHS, st.sampled_from([1, -1]))
def test_a_run_up_or_down_is_refused(start: int, length: int, step: int) -> None:
    pin = "".join(str((start + step * i) % 10) for i in range(length))
    assert pin_problem(pin) == PIN_SEQUENCE


@given(st.text(st.sampled_from("0123456789"), min_size=4, max_size=6), st.integers(0, 9))
def test_a_pin_with_a_doubled_digit_and_another_is_accepted(rest: str, digit: int) -> None:
    pin = str(digit) * 2 + rest  # a step of 0 cannot be part of a run up or down
    if set(pin) != {str(digit)}:
        assert pin_problem(pin) is None


@given(st.text(max_size=12))
def test_anything_else_gets_a_reason_or_passes_as_digits(text: str) -> None:
    problem = pin_problem(text)
    if problem is None:
        assert text.isascii() and text.isdigit() and 6 <= len(text) <= 8
