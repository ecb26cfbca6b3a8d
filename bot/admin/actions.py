"""What staff do to an order, each in one transaction with its audit entry and its notice.

Views call these; so do tests. A refused action (wrong state, bad input) raises
``ActionRefused`` with a message for the page, and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from tortoise.transactions import in_transaction

from bot import notices
from bot import texts as T
from bot.admin.delivery import start_password_delivery
from bot.ca.profiles import SubjectInfo, subject_from_answers
from bot.ca.records import record_produced
from bot.ca.uploaded import (
    CertificateFileError,
    check_subject,
    read_certificate_file,
)
from bot.china_time import SHANGHAI
from bot.engine import decrypt_answers
from bot.flows import Flow, Step, StepKind
from bot.material_review import record_decision
from bot.outbox import utcnow
from bot.services import Services
from models.certificates import Certificate
from models.orders import Order, OrderStatus
from models.renewals import Renewal
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


async def _not_renewal(order: Order) -> None:
    """A renewal's certificate is made on the user's PC (``handlers.renewal_run``), not here."""
    if await Renewal.exists(order_id=order.id):
        raise ActionRefused("证书更新订单由证书助手在用户电脑上完成，无需登记制作或寄送。")


async def approve(staff: Staff, order_no: str) -> None:
    """Review passed: the photos in use are accepted, the order goes to production and the
    applicant is told."""
    async with in_transaction():
        order = await _locked(order_no, OrderStatus.PAID)
        await record_decision(order, staff.username)
        record = await fulfilment_of(order)
        record.review_round += 1
        record.reviewed_at = utcnow()
        order.status = OrderStatus.APPROVED
        await order.save()
        await record.save()
        await audit(staff, "approve", order_no, {"status": "paid"}, {"status": "approved"})
        await notices.notify_review_passed(order, record.review_round)


async def reject(staff: Staff, order_no: str, flow: Flow, items: list[RejectItem]) -> None:
    """Review failed: the order goes back to the applicant with exactly these items to fix;
    the photos sent back are marked rejected with their reason, the others accepted."""
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
        materials = {r["key"]: r["reason"] for r in rejection if r["kind"] == "material"}
        await record_decision(order, staff.username, materials)
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


@dataclass(frozen=True)
class Produced:
    """The certificate being recorded, uploaded or typed in."""

    serial: str  # as staff see it (typed, or hex from the file)
    serial_hex: str  # lower-case hex, no colons
    not_before: datetime  # aware
    not_after: datetime
    subject_dn: str  # RFC 4514 (sealed at rest by ``record_produced``)
    issuer_dn: str = ""
    pem: str = ""  # in clear (sealed at rest by ``record_produced``)
    source: str = "typed"  # or "file"


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
    """Record the certificate as typed in (serial and validity); certdesk makes its password
    and starts delivering it.

    The certificate is also recorded for renewal (eligibility, reminders), with a subject DN
    made from the order like the CA's own (stored encrypted, as every certificate's).
    """
    cert_serial = cert_serial.strip()
    if not cert_serial or len(cert_serial) > 64:
        raise ActionRefused("请填写证书序列号和 Key 序列号（各不超过 64 个字符）。")
    serial_hex = "".join(cert_serial.replace(":", "").split()).lower()
    if not serial_hex or any(c not in "0123456789abcdef" for c in serial_hex):
        raise ActionRefused("证书序列号应为十六进制数字（如 1A2B3C…，可带冒号）。")
    if not_after <= not_before:
        raise ActionRefused("证书有效期的结束日期必须晚于开始日期。")

    def typed(order: Order) -> Produced:
        return Produced(
            serial=cert_serial,
            serial_hex=serial_hex,
            not_before=datetime.combine(not_before, time.min, SHANGHAI),
            not_after=datetime.combine(not_after, time.max, SHANGHAI),
            subject_dn=_subject_dn(services, _subject(services, flows[order.kind], order)),
        )

    await _produce(services, staff, order_no, key_serial, typed)


async def produce_from_file(
    services: Services,
    staff: Staff,
    order_no: str,
    *,
    flows: Mapping[str, Flow],
    certificate_file: bytes,
    key_serial: str,
) -> None:
    """Record the certificate from the file the CA issued (PEM or DER): serial, validity and
    subject are read from it, and it must name the order's unit or person."""
    try:
        uploaded = read_certificate_file(certificate_file)
    except CertificateFileError as exc:
        raise ActionRefused(str(exc)) from exc
    if uploaded.not_after <= utcnow():
        raise ActionRefused(T.CERT_FILE_EXPIRED)

    def from_file(order: Order) -> Produced:
        subject = _subject(services, flows[order.kind], order)
        check_subject(uploaded.subject, subject)
        return Produced(
            serial=uploaded.serial_hex.upper(),
            serial_hex=uploaded.serial_hex,
            not_before=uploaded.not_before,
            not_after=uploaded.not_after,
            subject_dn=uploaded.subject.rfc4514_string(),
            issuer_dn=uploaded.issuer_dn,
            pem=uploaded.pem,
            source="file",
        )

    await _produce(services, staff, order_no, key_serial, from_file)


async def _produce(
    services: Services,
    staff: Staff,
    order_no: str,
    key_serial: str,
    certificate_of: Callable[[Order], Produced],
) -> None:
    key_serial = key_serial.strip()
    if not key_serial or len(key_serial) > 64:
        raise ActionRefused("请填写证书序列号和 Key 序列号（各不超过 64 个字符）。")
    async with in_transaction():
        order = await _locked(order_no, OrderStatus.APPROVED)
        await _not_renewal(order)
        record = await fulfilment_of(order)
        if record.produced_at is not None:
            raise ActionRefused("该订单的证书已登记。")
        try:
            cert = certificate_of(order)
        except CertificateFileError as exc:
            raise ActionRefused(str(exc)) from exc
        taken = await Certificate.get_or_none(serial_hex=cert.serial_hex)
        if taken is not None and taken.order_id != order.id:  # type: ignore[attr-defined]
            raise ActionRefused(T.CERT_SERIAL_TAKEN)
        record.cert_serial, record.key_serial = cert.serial, key_serial
        record.cert_not_before = cert.not_before.astimezone(SHANGHAI).date()
        record.cert_not_after = cert.not_after.astimezone(SHANGHAI).date()
        record.produced_at = utcnow()
        channel = await start_password_delivery(services, order, record)
        await record.save()
        after = {
            "cert_serial": cert.serial,
            "key_serial": key_serial,
            "valid": f"{record.cert_not_before}..{record.cert_not_after}",
            "source": cert.source,
            "password_channel": record.password_channel,
        }
        await audit(staff, "produce", order_no, {}, after)
        await notices.notify_certificate_produced(order, channel)
        await record_produced(
            services.cipher,
            order,
            serial_hex=cert.serial_hex,
            subject_dn=cert.subject_dn,
            not_before=cert.not_before,
            not_after=cert.not_after,
            key_serial=key_serial,
            issuer_dn=cert.issuer_dn[:512],
            pem=cert.pem,
        )


def _subject(services: Services, flow: Flow, order: Order) -> SubjectInfo:
    return subject_from_answers(order.kind, decrypt_answers(services, flow, order))


def _subject_dn(services: Services, subject: SubjectInfo) -> str:
    return subject.to_name(services.settings.ca.identifier_oid).rfc4514_string()


async def ship(staff: Staff, order_no: str, courier: str, tracking_no: str) -> None:
    """The Key left: courier and tracking number go to the applicant."""
    courier, tracking_no = courier.strip()[:32], tracking_no.strip()
    if not courier or not tracking_no or len(tracking_no) > 64 or not tracking_no.isalnum():
        raise ActionRefused("请选择快递公司并填写运单号（字母和数字）。")
    async with in_transaction():
        order = await _locked(order_no, OrderStatus.APPROVED)
        await _not_renewal(order)
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
