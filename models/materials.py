"""Materials: the photos of licences, ID cards and signed forms attached to an order."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.orders import Order


class Material(Model):
    """One uploaded file for one material slot (step) of an order; the newest one counts.

    The file is the normalised JPEG (upright, no metadata, ≤ 2000 px, ≤ 1 MB); ``original_*``
    describe what the applicant sent, ``warnings`` the quality problems found (``bot.images``
    codes), which the reviewer sees when the applicant chose to keep the photo anyway.
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
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "material"
        indexes = (("order_id", "slot"),)
