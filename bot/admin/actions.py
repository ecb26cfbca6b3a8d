"""What staff do to an order, each in one transaction with its audit entry and its notice.

Views call these; so do tests. A refused action (wrong state, bad input) raises
``ActionRefused`` with a message for the page, and changes nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from tortoise.transactions import in_transaction

from bot import notices
from bot.admin.deadline import SHANGHAI
from bot.admin.delivery import start_password_delivery
from bot.ca.profiles import subject_from_answers
from bot.ca.records import record_produced
from bot.engine import decrypt_answers
from bot.flows import Flow, Step, StepKind
from bot.masking import mask_id_number
from bot.outbox import utcnow
from bot.services import Services
from models.orders import Order, OrderStatus
from models.staff import AuditLog, Fulfilment, Staff

# Typed fields and photos; choices (authentication method, validity years, ID type) change
# which other fields apply or the price, so they are not sent back one by one.
REJECTABLE = {StepKind.TEXT, StepKind.UPLOAD}
MATERIAL_REASONS = (
    "照片模糊，无法辨认",
    "照片不完整或有遮挡",
    "材料已过期",
    "未加盖公章",
    "与填写信息不一致",
    "材料类型不正确",
)
FIELD_REASONS = (
    "与证件或执照不一致",
    "填写有误，请核对",
    "信息不完整",
)
COURIERS = ("顺丰速运", "EMS", "京东快递", "中通快递", "圆通速递")


class ActionRefused(Exception):
    """The action cannot be taken now; the message says why (shown to staff)."""


@dataclass(frozen=True)
class RejectItem:
    """One thing to fix: a material (photo) or a field, and why."""

    key: str
    reason: str


async def audit(
    staff: Staff,
    action: str,
    order_no: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Write one audit entry (call inside the action's transaction)."""
    await AuditLog.create(
        staff=staff,
        username=staff.username,
        action=action,
        order_no=order_no,
        before=before or {},
        after=after or {},
    )


def rejectable_steps(flow: Flow, answers: dict[str, str]) -> list[Step]:
    """The fields and materials of an order a reviewer can send back to be fixed.

    A phone number proven by an SMS code is not among them: a new one would be unproven.
    """
    verified = {s.phone_field for s in flow.steps if s.kind is StepKind.SMS}
    return [
        s
        for s in flow.applicable(answers)
        if s.kind in REJECTABLE and s.editable and s.key not in verified
    ]


async def fulfilment_of(order: Order) -> Fulfilment:
    """The order's fulfilment record (created on first use)."""
    record, _ = await Fulfilment.get_or_create(order=order)
    return record


async def _locked(order_no: str, *statuses: OrderStatus) -> Order:
    if len(order_no) > 32:
        raise ActionRefused("订单不存在。")
    order = await Order.select_for_update().get_or_none(order_no=order_no)
    if order is None:
        raise ActionRefused("订单不存在。")
    if order.status not in statuses:
        raise ActionRefused(f"订单当前状态为 {order.status.value}，不能进行此操作。")
    return order


async def approve(staff: Staff, order_no: str) -> None:
    """Review passed: the order goes to production and the applicant is told."""
    async with in_transaction():
        order = await _locked(order_no, OrderStatus.PAID)
        record = await fulfilment_of(order)
        record.review_round += 1
        record.reviewed_at = utcnow()
        order.status = OrderStatus.APPROVED
        await order.save()
        await record.save()
        await audit(staff, "approve", order_no, {"status": "paid"}, {"status": "approved"})
        await notices.notify_review_passed(order, record.review_round)


async def reject(staff: Staff, order_no: str, flow: Flow, items: list[RejectItem]) -> None:
    """Review failed: the order goes back to the applicant with exactly these items to fix."""
    if not items:
        raise ActionRefused("请至少为一项材料或字段选择退回原因。")
    async with in_transaction():
        order = await _locked(order_no, OrderStatus.PAID)
        steps = {s.key: s for s in rejectable_steps(flow, order.answers)}
        rejection: list[dict[str, str]] = []
        for item in items:
            step = steps.get(item.key)
            reason = item.reason.strip()[:200]
            if step is None or not reason:
                raise ActionRefused("退回项无效，请重新选择。")
            kind = "material" if step.kind is StepKind.UPLOAD else "field"
            rejection.append({"key": step.key, "label": step.label, "kind": kind, "reason": reason})
        record = await fulfilment_of(order)
        record.review_round += 1
        record.reviewed_at = utcnow()
        record.rejection = rejection
        order.status = OrderStatus.REJECTED
        order.resubmission = False
        await order.save()
        await record.save()
        await audit(staff, "reject", order_no, {"status": "paid"}, {"items": rejection})
        lines = [f"{r['label']}：{r['reason']}" for r in rejection]
        await notices.notify_review_failed(order, record.review_round, lines)


async def produce(
    services: Services,
    staff: Staff,
    order_no: str,
    *,
    flows: Mapping[str, Flow],
    cert_serial: str,
    not_before: date,
    not_after: date,
    key_serial: str,
) -> None:
    """Record the issued certificate; certdesk makes its password and starts delivering it.

    The certificate is also recorded for renewal (eligibility, reminders), with a subject DN
    made from the order like the CA's own; a person's ID number appears there masked.
    """
    cert_serial, key_serial = cert_serial.strip(), key_serial.strip()
    if not (cert_serial and key_serial) or len(cert_serial) > 64 or len(key_serial) > 64:
        raise ActionRefused("请填写证书序列号和 Key 序列号（各不超过 64 个字符）。")
    serial_hex = "".join(cert_serial.replace(":", "").split()).lower()
    if not serial_hex or any(c not in "0123456789abcdef" for c in serial_hex):
        raise ActionRefused("证书序列号应为十六进制数字（如 1A2B3C…，可带冒号）。")
    if not_after <= not_before:
        raise ActionRefused("证书有效期的结束日期必须晚于开始日期。")
    async with in_transaction():
        order = await _locked(order_no, OrderStatus.APPROVED)
        record = await fulfilment_of(order)
        if record.produced_at is not None:
            raise ActionRefused("该订单的证书已登记。")
        record.cert_serial, record.key_serial = cert_serial, key_serial
        record.cert_not_before, record.cert_not_after = not_before, not_after
        record.produced_at = utcnow()
        channel = await start_password_delivery(services, order, record)
        await record.save()
        after = {
            "cert_serial": cert_serial,
            "key_serial": key_serial,
            "valid": f"{not_before}..{not_after}",
            "password_channel": record.password_channel,
        }
        await audit(staff, "produce", order_no, {}, after)
        await notices.notify_certificate_produced(order, channel)
        await record_produced(
            services.cipher,
            order,
            serial_hex=serial_hex,
            subject_dn=_subject_dn(services, flows[order.kind], order),
            not_before=datetime.combine(not_before, time.min, SHANGHAI),
            not_after=datetime.combine(not_after, time.max, SHANGHAI),
            key_serial=key_serial,
        )


def _subject_dn(services: Services, flow: Flow, order: Order) -> str:
    subject = subject_from_answers(order.kind, decrypt_answers(services, flow, order))
    if order.kind == "personal":
        subject = dataclasses.replace(subject, identifier=mask_id_number(subject.identifier))
    return subject.to_name(services.settings.ca.identifier_oid).rfc4514_string()


async def ship(staff: Staff, order_no: str, courier: str, tracking_no: str) -> None:
    """The Key left: courier and tracking number go to the applicant."""
    courier, tracking_no = courier.strip()[:32], tracking_no.strip()
    if not courier or not tracking_no or len(tracking_no) > 64 or not tracking_no.isalnum():
        raise ActionRefused("请选择快递公司并填写运单号（字母和数字）。")
    async with in_transaction():
        order = await _locked(order_no, OrderStatus.APPROVED)
        record = await fulfilment_of(order)
        if record.produced_at is None:
            raise ActionRefused("请先登记证书制作信息，再登记寄送。")
        record.courier, record.tracking_no, record.shipped_at = courier, tracking_no, utcnow()
        order.status = OrderStatus.SHIPPED
        await order.save()
        await record.save()
        after = {"status": "shipped", "courier": courier, "tracking_no": tracking_no}
        await audit(staff, "ship", order_no, {"status": "approved"}, after)
        await notices.notify_shipped(order, courier, tracking_no)


async def mark_delivered(staff: Staff, order_no: str) -> None:
    """The applicant received the Key: the order is completed."""
    async with in_transaction():
        order = await _locked(order_no, OrderStatus.SHIPPED)
        record = await fulfilment_of(order)
        record.delivered_at = utcnow()
        order.status = OrderStatus.COMPLETED
        await order.save()
        await record.save()
        await audit(staff, "delivered", order_no, {"status": "shipped"}, {"status": "completed"})
