"""Invoices of paid orders: one invoice request per order, made with the payment, and what the
invoicing provider (for now: staff uploading the PDF) issued for it."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.orders import Order


class InvoiceState(StrEnum):
    """An invoice as the applicant and staff see it."""

    PENDING = "pending"  # paid, waiting to be issued
    ISSUED = "issued"  # the PDF exists and was emailed
    CANCELLED = "cancelled"  # the order was refunded in full before the invoice was issued

    @property
    def label(self) -> str:
        """The Chinese name shown to applicants and staff."""
        return {
            InvoiceState.PENDING: "开具中",
            InvoiceState.ISSUED: "已开具",
            InvoiceState.CANCELLED: "已取消（订单已退款）",
        }[self]


class Invoice(Model):
    """The invoice of one paid order: requested at payment, issued by the provider."""

    id = fields.BigIntField(primary_key=True)
    order: fields.OneToOneRelation[Order] = fields.OneToOneField(
        "models.Order", related_name="invoice", on_delete=fields.RESTRICT
    )
    state = fields.CharEnumField(InvoiceState, max_length=16, default=InvoiceState.PENDING)
    provider = fields.CharField(max_length=16, default="manual")
    file_key = fields.CharField(max_length=255, null=True)  # in services.files
    sha256 = fields.CharField(max_length=64, null=True)
    size = fields.IntField(null=True)
    issued_by = fields.CharField(max_length=64, null=True)  # staff username
    issued_at = fields.DatetimeField(null=True)
    emails_sent = fields.IntField(default=0)  # the first email and every resend
    last_emailed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "invoice"

    def __str__(self) -> str:
        return f"Invoice({self.order_id}, {self.state})"  # type: ignore[attr-defined]
