"""Materials: the photos of licences, ID cards and signed forms attached to an order."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.orders import Order


class MaterialStatus(StrEnum):
    """What review made of one material."""

    PENDING = "pending"  # not reviewed yet (new, or a re-upload after a rejection)
    ACCEPTED = "accepted"
    REJECTED = "rejected"  # ``reason`` says why; a re-upload replaces it, this one stays


class Material(Model):
    """One uploaded file for one material slot (step) of an order.

    The slot's answer names the material in use; the others of the slot are its history
    (retakes, rejected versions), kept for the reviewer. The file is the normalised JPEG
    (upright, no metadata, ≤ 2000 px, ≤ 1 MB); ``original_*`` describe what the applicant
    sent (``original_path``: the file itself, when ``[storage] keep_originals``),
    ``warnings`` the quality problems found (``bot.images`` codes), which the reviewer sees
    when the applicant chose to keep the photo anyway.
    """

    id = fields.BigIntField(primary_key=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="materials", on_delete=fields.CASCADE
    )
    slot = fields.CharField(max_length=64)  # the upload step's key, e.g. license_photo
    path = fields.CharField(max_length=255)  # relative to [storage] path
    content_type = fields.CharField(max_length=64)
    size = fields.IntField()
    sha256 = fields.CharField(max_length=64)
    width = fields.IntField(null=True)
    height = fields.IntField(null=True)
    source = fields.CharField(max_length=16, default="wechat")  # wechat | mp | console
    warnings: fields.Field[list[str]] = fields.JSONField(default=list)  # e.g. ["dark"]
    original_format = fields.CharField(max_length=16, default="")  # JPEG, PNG, WEBP, HEIF, MPO
    original_size = fields.IntField(default=0)  # bytes
    original_width = fields.IntField(null=True)
    original_height = fields.IntField(null=True)
    original_path = fields.CharField(max_length=255, null=True)  # kept original, if configured
    original_content_type = fields.CharField(max_length=64, default="")
    status = fields.CharEnumField(MaterialStatus, max_length=16, default=MaterialStatus.PENDING)
    reason = fields.CharField(max_length=200, default="")  # the reviewer's, when rejected
    reviewed_by = fields.CharField(max_length=64, null=True)  # staff username
    reviewed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "material"
        indexes = (("order_id", "slot"),)
