"""The CA's staff: accounts, console sessions, the audit log, and what staff record on an order
(review round, certificate, password delivery, shipping).
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.orders import Order


class StaffRole(StrEnum):
    """What a staff member may do in the console."""

    REVIEWER = "reviewer"  # reviews paid orders: approve or reject
    OPERATOR = "operator"  # produces certificates, delivers passwords, ships Keys
    ADMIN = "admin"  # everything, plus the audit log


class Staff(Model):
    """One console account; the password is stored as an argon2id hash only."""

    id = fields.BigIntField(primary_key=True)
    username = fields.CharField(max_length=64, unique=True)
    password_hash = fields.CharField(max_length=255)
    role = fields.CharEnumField(StaffRole, max_length=16)
    active = fields.BooleanField(default=True)
    failed_attempts = fields.IntField(default=0)
    first_failed_at = fields.DatetimeField(null=True)
    locked_until = fields.DatetimeField(null=True)
    last_login_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "staff"

    def __str__(self) -> str:
        return f"Staff({self.username}, {self.role})"


class StaffSession(Model):
    """A signed-in browser: the cookie's token is stored only as its SHA-256."""

    id = fields.BigIntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    staff: fields.ForeignKeyRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name="sessions", on_delete=fields.CASCADE
    )
    csrf_secret = fields.CharField(max_length=64)
    expires_at = fields.DatetimeField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "staff_session"


class AuditLog(Model):
    """One staff action: who did what to which order, the values before and after."""

    id = fields.BigIntField(primary_key=True)
    staff: fields.ForeignKeyNullableRelation[Staff] = fields.ForeignKeyField(
        "models.Staff", related_name="actions", null=True, on_delete=fields.SET_NULL
    )
    username = fields.CharField(max_length=64)  # kept when the account is removed
    action = fields.CharField(max_length=32)
    order_no = fields.CharField(max_length=32, null=True, db_index=True)
    before: fields.Field[dict[str, object]] = fields.JSONField(default=dict)
    after: fields.Field[dict[str, object]] = fields.JSONField(default=dict)
    at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "audit_log"


class Fulfilment(Model):
    """What the CA did with a paid order: review round, certificate, password, shipping.

    The certificate password exists (encrypted) only until it is delivered, then it is wiped.
    """

    id = fields.BigIntField(primary_key=True)
    order: fields.OneToOneRelation[Order] = fields.OneToOneField(
        "models.Order", related_name="fulfilment", on_delete=fields.CASCADE
    )
    review_round = fields.IntField(default=0)  # decisions taken so far
    rejection: fields.Field[list[dict[str, str]]] = fields.JSONField(default=list)
    resubmitted_at = fields.DatetimeField(null=True)
    reviewed_at = fields.DatetimeField(null=True)
    cert_serial = fields.CharField(max_length=64, null=True)
    cert_not_before = fields.DateField(null=True)
    cert_not_after = fields.DateField(null=True)
    key_serial = fields.CharField(max_length=64, null=True)
    produced_at = fields.DatetimeField(null=True)
    password_channel = fields.CharField(max_length=16, null=True)  # sms | transfer
    password_secret = fields.TextField(null=True)  # encrypted; None once delivered
    password_delivered_at = fields.DatetimeField(null=True)
    courier = fields.CharField(max_length=32, null=True)
    tracking_no = fields.CharField(max_length=64, null=True)
    shipped_at = fields.DatetimeField(null=True)
    delivered_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "fulfilment"
