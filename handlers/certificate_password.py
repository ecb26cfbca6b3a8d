"""How a certificate's password reaches the applicant, by the seed's rules (one place for the
staff console that delivers it and for order query that explains it).

Organisation certificates: by the authentication method chosen — 对公账户打款 puts the password
in the memo of a 0.01 CNY transfer to the unit's account; the phone methods send it by SMS to
the legal representative. Personal certificates: by SMS to the applicant's phone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from bot.masking import mask_bank_account, mask_phone
from handlers import query_texts as T
from handlers.org_certificate import BANK_TRANSFER


@dataclass(frozen=True)
class PasswordDelivery:
    """Where the password goes: by ``sms`` to a phone or by ``bank_transfer`` to an account."""

    method: Literal["sms", "bank_transfer"]
    destination: str  # in clear: the phone number or the bank account
    who: str = ""  # whose phone: 法定代表人 / 申请人

    def describe(self, delivered: bool) -> str:
        """The applicant-facing explanation, with the destination masked."""
        if self.method == "bank_transfer":
            text = T.DELIVERY_SENT_BY_TRANSFER if delivered else T.DELIVERY_BY_TRANSFER
            return text.format(account=mask_bank_account(self.destination))
        text = T.DELIVERY_SENT_BY_SMS if delivered else T.DELIVERY_BY_SMS
        return text.format(who=self.who, phone=mask_phone(self.destination))


def password_delivery(kind: str, answers: Mapping[str, str]) -> PasswordDelivery:
    """The delivery of the password of an order of ``kind`` with these (clear) answers."""
    if kind == "org":
        if answers.get("auth_method") == BANK_TRANSFER:
            return PasswordDelivery("bank_transfer", answers.get("bank_account", ""))
        return PasswordDelivery("sms", answers.get("legal_phone", ""), T.LEGAL_REPRESENTATIVE)
    return PasswordDelivery("sms", answers.get("phone", ""), T.APPLICANT)
