"""其他验证方式 of the unlock flow (seed section 3): when the handler's phone on record can no
longer receive the SMS code, the user proves who they are with one of three sets of
information, compared with what the certificate's order recorded.

Each given value is read by the same step declaration (validator, choices) that read the
original answer, so "河南" matches "河南省", a full-width ID number matches, and an ID type may
be given as 1 or 身份证. Free text (the street address) is compared ignoring spaces, width and
case. Every field of the chosen set must match; callers limit the attempts.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from bot.engine import normalise, parse_answer
from bot.flows import Flow
from bot.validators import Invalid


@dataclass(frozen=True)
class Alternative:
    """One set of information: its code, title, and the flow field of each item per kind."""

    code: str
    title: str
    fields: Mapping[str, tuple[str, ...]]  # order kind → step keys of the flow

    def keys(self, kind: str) -> tuple[str, ...]:
        """The fields asked for an order of ``kind`` (empty: not offered for it)."""
        return self.fields.get(kind, ())


ALTERNATIVES = (
    Alternative(
        "legal",
        "法定代表人信息",
        {"org": ("legal_name", "legal_phone", "legal_id_type", "legal_id_number")},
    ),
    Alternative(
        "handler",
        "经办人信息",
        {
            "org": (
                "handler_name",
                "handler_phone",
                "handler_id_type",
                "handler_id_number",
                "handler_email",
            ),
            "personal": ("user_name", "phone", "id_type", "id_number", "email"),
        },
    ),
    Alternative(
        "address",
        "地址信息",
        {
            "org": ("mail_province", "mail_city", "mail_address"),
            "personal": ("province", "city", "address"),
        },
    ),
)


def alternatives_for(kind: str) -> list[Alternative]:
    """The sets of information offered for a certificate ordered as ``kind``."""
    return [alternative for alternative in ALTERNATIVES if alternative.keys(kind)]


def _loose(text: str) -> str:
    """Free text as compared: width folded, spaces removed, case ignored."""
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def matches(
    flow: Flow, record: Mapping[str, str], alternative: Alternative, given: Mapping[str, str]
) -> bool:
    """Whether every item of ``alternative`` in ``given`` (by step key) matches ``record``
    (the order's answers in clear)."""
    keys = alternative.keys(flow.code)
    if not keys:
        return False
    checked: dict[str, str] = {}
    for key in keys:
        step = flow.step(key)
        stored = record.get(key, "")
        raw = given.get(key, "")
        if not stored or not raw.strip():
            return False
        try:
            value = parse_answer(step, normalise(raw), {**record, **checked})
        except Invalid:
            return False
        if value != stored and _loose(value) != _loose(stored):
            return False
        checked[key] = value
    return True
