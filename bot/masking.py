"""Masking of personal data for chat echoes and logs, and redaction of free text.

Every masker is total (any string in, a string out, never an exception) and keeps at most the
characters its docstring names. Whitespace is dropped from numbers before masking, and a value
too short to keep anything safely becomes the fixed mask ``STARS`` (which hides the length).

``redact`` finds ID numbers, mobile numbers and bank-account-like digit runs inside free text
(full-width digits too) and masks them in place; see its docstring for what it leaves alone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

STARS = "******"


def _keep(value: str, head: int, tail: int) -> str:
    """``value`` with all but its first ``head`` and last ``tail`` characters starred."""
    hidden = len(value) - head - tail
    return value[:head] + "*" * hidden + value[head + hidden :]


def _compact(value: str) -> str:
    """``value`` without any whitespace (grouped numbers, stray spaces)."""
    return "".join(value.split())


def mask_id_number(value: str) -> str:
    """Mask an ID / certificate number.

    15 characters or more (resident ID cards): first 3 and last 4 kept,
    ``11010519491231002X`` → ``110***********002X``. 8–14 characters (passports, permits):
    first 1 and last 2 kept, ``E12345678`` → ``E******78``. Shorter: ``STARS``.
    """
    compact = _compact(value)
    if len(compact) >= 15:
        return _keep(compact, 3, 4)
    if len(compact) >= 8:
        return _keep(compact, 1, 2)
    return STARS


def mask_phone(value: str) -> str:
    """Mask a phone number: 11 characters or more keep the first 3 and last 4.

    ``13800138000`` → ``138****8000``; spaces and dashes are dropped first, so
    ``138-0013-8000`` masks the same. Shorter values: ``STARS``.
    """
    compact = _compact(value).replace("-", "")
    if len(compact) >= 11:
        return _keep(compact, 3, 4)
    return STARS


def mask_bank_account(value: str) -> str:
    """Mask a bank account: only the last 4 kept, one star per hidden character.

    ``6222 0212 3456 7890`` → ``************7890`` (grouping spaces and dashes dropped).
    Fewer than 10 characters: ``STARS``.
    """
    compact = _compact(value).replace("-", "")
    if len(compact) >= 10:
        return _keep(compact, 0, 4)
    return STARS


def mask_email(value: str) -> str:
    """Mask an e-mail address: the domain kept, of the local part only its first and last.

    ``zhangsan@example.com`` → ``z***n@example.com``; a local part under 4 characters becomes
    ``***``. Without ``@`` and a domain: ``STARS``.
    """
    local, at, domain = value.strip().rpartition("@")
    if not at or not domain:
        return STARS
    shown = local[0] + "***" + local[-1] if len(local) >= 4 else "***"
    return f"{shown}@{domain}"


def mask_name(value: str) -> str:
    """Mask a person's name: the first character kept, ``张三丰`` → ``张**``; 0–1 chars: ``*``."""
    name = value.strip()
    if len(name) <= 1:
        return "*"
    return _keep(name, 1, 0)


def mask_text_generic(value: str) -> str:
    """Mask any other secret (password, PUK, SMS code, token): always ``STARS``, length hidden."""
    return STARS


# -- redaction of free text -------------------------------------------------------------------
#
# The patterns run on a folded copy of the text with exactly one character per original
# character (full-width digits and letters become ASCII), so match spans index the original.
# Boundaries: "(?<!\d)" / "(?!\d)" keep a pattern from matching inside a longer digit run;
# "(?<![\dA-Za-z])" additionally treats digits glued to ASCII letters as part of a code.
_ID_NUMBER = (
    r"(?<!\d)(?:\d{17}[\dXx]|\d{6}[ -]\d{8}[ -]\d{3}[\dXx])(?!\d)"  # 18 characters
    r"|(?<![\dA-Za-z])\d{15}(?![\dA-Za-z])"  # the old 15-digit cards
)
_MOBILE = r"(?<!\d)(?:(?:\+|00)?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)"
_ACCOUNT = (
    # 16+ digits, or 3+ groups of 4 (a last short group only if no digits follow it)
    r"(?<!\d)(?:\d{16,}|\d{4}(?:[ -]\d{4}){2,}(?:[ -]\d{1,4}(?![ -]?\d))?)(?!\d)"
    r"|(?<![\dA-Za-z])\d{12,15}(?![\dA-Za-z])"  # shorter runs only when not part of a code
)
_SENSITIVE = re.compile(
    rf"(?P<id_number>{_ID_NUMBER})|(?P<phone>{_MOBILE})|(?P<bank_account>{_ACCOUNT})", re.ASCII
)
_SPAN_MASKERS: dict[str, Callable[[str], str]] = {
    "id_number": mask_id_number,
    "phone": lambda digits: mask_phone(digits[-11:]),  # drops a +86 / 0086 prefix
    "bank_account": mask_bank_account,
}


def _fold_char(char: str) -> str:
    """One character: any decimal digit as ASCII, else its NFKC form if that is one character."""
    digit = unicodedata.decimal(char, None)
    if digit is not None:
        return str(digit)
    folded = unicodedata.normalize("NFKC", char)
    return folded if len(folded) == 1 else char


def _fold(text: str) -> str:
    """``text`` with full-width (and other) digits, letters and spaces as ASCII, same length."""
    return text if text.isascii() else "".join(_fold_char(char) for char in text)


def redact(text: str) -> str:
    """Mask ID numbers, mainland mobile numbers and bank-account-like numbers inside ``text``.

    Found (also in full-width digits; the rest of the text is returned unchanged):

    - ID numbers: 18 characters (17 digits + digit/X/x, also grouped 6-8-4 by a space or
      dash) and 15-digit runs → ``mask_id_number``;
    - mobile numbers ``1[3-9]`` + 9 digits, optionally after +86 / 0086 / 86 and grouped 3-4-4
      by spaces or dashes → ``mask_phone`` (the prefix is dropped);
    - digit runs of 16 or more, runs of 3+ groups of 4 digits (``6222 0212 3456 7890``) and
      standalone runs of 12–15 digits → ``mask_bank_account``.

    Trade-offs: any long digit run is masked, so long numeric ids (64-bit message ids,
    millisecond timestamps, 18-digit numbers that are not IDs) lose their middle digits (the
    last 4 stay for correlation). To keep codes readable, a 12–15 digit run glued to an ASCII
    letter counts as part of a code and is kept (order numbers like ``CD20261125000123``, hex
    ids); a bank account written that way would therefore stay visible. Numbers glued to other
    digits are a different, longer number. Dates, times, amounts (``¥300.00``) and numbers
    under 12 digits other than mobile numbers are left alone.
    """
    if not text:
        return text
    folded = _fold(text)
    pieces: list[str] = []
    last = 0
    for match in _SENSITIVE.finditer(folded):
        kind = match.lastgroup or "bank_account"
        significant = re.sub(r"[^0-9Xx]", "", match.group())
        pieces += [text[last : match.start()], _SPAN_MASKERS[kind](significant)]
        last = match.end()
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)
