"""Certificate renewals (seed section 2, 证书更新) and how far each has got on the user's Key.

A ``Renewal`` is created with its order when the user confirms it; its ``state`` only moves
forward (``RENEWAL_STATES``), each step saved before the next begins, so a renewal interrupted
anywhere (Key pulled, PC asleep, network down, bridge closed) resumes where it stopped: one
payment, one new certificate. The issued certificate is kept (encrypted, context
``renewal:<order_no>:certificate``) until it is on the Key, so an issued certificate that was not
written yet is written on the next attempt instead of being issued again.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.certificates import Certificate
from models.orders import Order


class RenewalState(StrEnum):
    """How far a renewal has got."""

    ORDERED = "ordered"  # confirmed, waiting for payment
    PAID = "paid"  # paid: the Key is next
    KEYGEN = "keygen"  # a new key pair was generated on the Key (no certificate yet)
    ISSUED = "issued"  # the CA issued the new certificate; not on the Key yet
    WRITTEN = "written"  # on the Key, read back and recorded: done


RENEWAL_STATES = tuple(RenewalState)


def certificate_context(order_no: str) -> str:
    """The encryption context of a renewal's issued certificate."""
    return f"renewal:{order_no}:certificate"


class Renewal(Model):
    """One renewal: the order that pays for it, the certificate it replaces, its progress."""

    id = fields.BigIntField(primary_key=True)
    order: fields.OneToOneRelation[Order] = fields.OneToOneField(
        "models.Order", related_name="renewal", on_delete=fields.CASCADE
    )
    old_certificate: fields.ForeignKeyRelation[Certificate] = fields.ForeignKeyField(
        "models.Certificate", related_name="renewals", on_delete=fields.CASCADE
    )
    owner_openid = fields.CharField(max_length=64, db_index=True)
    key_serial = fields.CharField(max_length=64, db_index=True)
    years = fields.IntField()
    state = fields.CharEnumField(RenewalState, max_length=16, default=RenewalState.ORDERED)
    public_key = fields.TextField(default="")  # PEM of the key generated on the Key (public)
    new_serial = fields.CharField(max_length=64, default="")  # lower-case hex, once issued
    certificate_pem = fields.TextField(default="")  # encrypted (certificate_context)
    attempts = fields.IntField(default=0)  # runs on the PC started
    last_error = fields.CharField(max_length=64, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "renewal"

    def __str__(self) -> str:
        return f"Renewal({self.key_serial}, {self.state})"


async def advance(
    renewal: Renewal, before: RenewalState, after: RenewalState, **values: object
) -> bool:
    """Move ``renewal`` from ``before`` to ``after`` (with ``values``) unless another run did
    first; True when this call moved it."""
    moved = await Renewal.filter(id=renewal.id, state=before).update(state=after, **values)
    if moved:
        renewal.state = after
        for name, value in values.items():
            setattr(renewal, name, value)
    return bool(moved)
