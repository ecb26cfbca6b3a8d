"""Certificates issued by certdesk, and the renewal reminders sent about them.

A ``Certificate`` is written when the CA issues one (``bot.ca.records.record_issued``), for a new
application or a renewal. It drives renewal eligibility (``bot.renewal_rules``) and the renewal
reminders (``bot.reminders``). A renewal marks the old record ``renewed`` and points it at its
successor (``replaced_by``). The subject's credit code / ID number is never stored in clear:
``subject_hash`` is its keyed look-up hash, as on the order.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.orders import Order


class CertificateStatus(StrEnum):
    """Where a certificate is in its life."""

    ISSUED = "issued"  # valid (or expired but not yet renewed)
    RENEWED = "renewed"  # replaced by a renewal (see replaced_by)
    REVOKED = "revoked"


class Certificate(Model):
    """One certificate issued by the CA through certdesk."""

    id = fields.BigIntField(primary_key=True)
    order: fields.ForeignKeyNullableRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="certificates", null=True, on_delete=fields.SET_NULL
    )
    kind = fields.CharField(max_length=16)  # org or personal (the profile it was issued with)
    key_serial = fields.CharField(max_length=64, default="", db_index=True)  # the USB Key
    serial_hex = fields.CharField(max_length=64, unique=True)  # lower-case hex, no colons
    issuer_dn = fields.CharField(max_length=512, default="")
    # RFC 4514 text, encrypted (records.subject_dn_of): text, as sealing makes it longer
    subject_dn = fields.TextField()
    subject_hash = fields.CharField(max_length=64, null=True, db_index=True)
    owner_openid = fields.CharField(max_length=64, null=True, db_index=True)
    project = fields.CharField(max_length=32, default="")  # 数字证书来源 (a project code)
    not_before = fields.DatetimeField()
    not_after = fields.DatetimeField(db_index=True)
    status = fields.CharEnumField(
        CertificateStatus, max_length=16, default=CertificateStatus.ISSUED
    )
    # The id of the renewal's certificate. A plain column, not a foreign key: the migration
    # tool cannot create a table that references itself.
    replaced_by_id = fields.BigIntField(null=True, db_index=True)
    revoked_at = fields.DatetimeField(null=True)
    revocation_reason = fields.CharField(max_length=32, null=True)
    certificate_pem = fields.TextField()  # encrypted; "" when produced outside certdesk
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "certificate"

    def __str__(self) -> str:
        return f"Certificate({self.serial_hex}, {self.kind}, {self.status})"


class RenewalReminder(Model):
    """A renewal reminder that was sent (or queued): at most one per certificate and reminder."""

    id = fields.BigIntField(primary_key=True)
    certificate: fields.ForeignKeyRelation[Certificate] = fields.ForeignKeyField(
        "models.Certificate", related_name="reminders", on_delete=fields.CASCADE
    )
    reminder = fields.CharField(max_length=16)  # e.g. before_30, after_60 (bot.reminders)
    sent_at = fields.DatetimeField()

    class Meta:
        table = "renewal_reminder"
        unique_together = (("certificate", "reminder"),)
