"""Masking of personal data for chat echoes and logs, and redaction of free text.

Every masker is total: any string in, a masked string out, never more revealed than its
docstring says. ``redact`` finds ID numbers, mobile numbers and bank-account-like digit runs
inside free text (full-width digits too) and masks them in place.
"""

from __future__ import annotations

import re
import unicodedata

STARS = "******"


def _keep(value: str, head: int, tail: int, *, minimum_hidden: int) -> str:
    """Keep ``head`` and ``tail`` characters when enough remain hidden; else hide everything."""
    if len(value) - head - tail < minimum_hidden:
        return "*" * max(len(value), 1) if len(value) <= 4 else STARS
    return value[:head] + "*" * (len(value) - head - tail) + value[len(value) - tail :]


def mask_id_number(value: str) -> str:
    """110***********002X: first 3 and last 4 of an ID number kept (at least 8 hidden)."""
    return _keep(value.strip(), 3, 4, minimum_hidden=8)


def mask_phone(value: str) -> str:
    """138****8000: first 3 and last 4 of a mobile number kept (at least 4 hidden)."""
    digits = value.strip()
    return _keep(digits, 3, 4, minimum_hidden=4)


def mask_bank_account(value: str) -> str:
    """************1234: only the last 4 digits kept (at least 6 hidden)."""
    compact = "".join(value.split())
    return _keep(compact, 0, 4, minimum_hidden=6)


def mask_email(value: str) -> str:
    """z***n@example.com: first and last letter of the local part, the domain kept."""
    local, at, domain = value.strip().partition("@")
    if not at:
        return STARS
    if len(local) <= 2:
        return "*" * len(local) + "@" + domain
    return local[0] + "***" + local[-1] + "@" + domain


def mask_name(value: str) -> str:
    """张**: the first character kept."""
    name = value.strip()
    if len(name) <= 1:
        return "*"
    return name[0] + "*" * (len(name) - 1)


def mask_text_generic(value: str) -> str:
    """A fixed mask that hides even the length (passwords, codes, keys)."""
    return STARS


# Patterns are matched on an NFKC copy of the text: full-width digits become ASCII while every
# other character keeps its position (NFKC of a digit is one character), so spans line up.
_ID = re.compile(r"(?<![0-9])(?:\d{17}[\dXx]|\d{15})(?![0-9])")
_PHONE = re.compile(r"(?<![0-9])(?:(?:\+|00)?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?![0-9])")
# Order numbers (CD + 14 digits) are the one long digit run that is not personal data.
_ACCOUNT = re.compile(r"(?<![0-9])(?<!CD)\d(?:[ -]?\d){11,29}(?![0-9])")


def _fold(text: str) -> str:
    """NFKC per character, keeping the length (characters whose NFKC is longer are kept)."""
    folded = []
    for char in text:
        normal = unicodedata.normalize("NFKC", char)
        folded.append(normal if len(normal) == 1 else char)
    return "".join(folded)


def redact(text: str) -> str:
    """Mask ID numbers, mobile numbers and long digit runs (bank accounts) inside ``text``.

    Trade-off: any run of 12–30 digits is treated as an account number, so long numeric
    identifiers are masked too (only order numbers, ``CD`` + digits, stay readable); dates,
    amounts and short numbers are left alone.
    """
    if not text:
        return text
    folded = _fold(text)
    spans: list[tuple[int, int, str]] = []
    for pattern, masker in (
        (_ID, mask_id_number),
        (_PHONE, _mask_phone_span),
        (_ACCOUNT, mask_bank_account),
    ):
        for match in pattern.finditer(folded):
            start, end = match.span()
            if any(start < e and s < end for s, e, _ in spans):
                continue
            spans.append((start, end, masker(match.group())))
    if not spans:
        return text
    out, last = [], 0
    for start, end, masked in sorted(spans):
        out.append(text[last:start])
        out.append(masked)
        last = end
    out.append(text[last:])
    return "".join(out)


def _mask_phone_span(found: str) -> str:
    digits = re.sub(r"\D", "", found)
    return mask_phone(digits[-11:])
