"""Production from the issued certificate file: the operator uploads the CA's .cer/.crt (PEM or
DER) instead of typing serial and validity; the file must be the order's certificate, garbage is
refused with a clear message, and a person's ID number is never stored in clear."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import FormData
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from hypothesis import given
from hypothesis import strategies as st

from bot.ca.profiles import SubjectInfo
from bot.ca.records import pem_of, subject_dn_of
from bot.ca.uploaded import (
    MAX_FILE_BYTES,
    CertificateFileError,
    check_subject,
    read_certificate_file,
)
from bot.config import Settings
from bot.outbox import utcnow
from bot.reminders import reminder_text
from bot.secrets_box import lookup_hash
from bot.services import Services
from handlers import personal_certificate
from models.certificates import Certificate
from models.orders import Order, OrderStatus, answer_context
from models.staff import AuditLog, Fulfilment, StaffRole
from tests.cert_files import CA_CERTIFICATE, der, issued, pem
from tests.test_admin_helpers import ORG_ANSWERS, Console, paid_order
from tests.test_admin_production import signed_in

ORG_NAME, USCC = ORG_ANSWERS["org_name"], ORG_ANSWERS["uscc"]
PERSON, ID_NUMBER = "王小明", "11010519491231002X"
ORG_SUBJECT = SubjectInfo(common_name=ORG_NAME, identifier=USCC)


def test_pem_der_chain_and_headerless_files_are_read() -> None:
    certificate = issued(ORG_NAME, USCC, serial=0x5A3F0011)
    for data in (
        pem(certificate),
        der(certificate),
        pem(certificate, chain=True),
        b"".join(pem(certificate).splitlines()[1:-1]),  # base64 without the header lines
    ):
        read = read_certificate_file(data)
        assert read.serial_hex == "5a3f0011"
        assert read.not_after == certificate.not_valid_after_utc
        assert read.pem.startswith("-----BEGIN CERTIFICATE-----")
        check_subject(read.subject, ORG_SUBJECT)


def test_a_der_file_ending_in_a_whitespace_byte_is_read_whole() -> None:
    """DER is binary: its last byte may be 0x0c or 0x20 (one file in about forty)."""
    for serial in range(1, 4000):
        data = der(issued(ORG_NAME, USCC, serial=serial))
        if data[-1:].isspace():
            break
    else:
        raise AssertionError("no DER certificate ending in a whitespace byte was made")
    assert read_certificate_file(data).serial_hex == format(serial, "x")


def test_files_that_are_not_one_certificate_are_refused_clearly() -> None:
    key_pem = b"-----BEGIN PRIVATE KEY-----\nMIGHAgEA\n-----END PRIVATE KEY-----\n"
    ca_only = CA_CERTIFICATE.public_bytes(Encoding.PEM)
    cases = {
        b"": "请选择",
        b"hello, this is a photo" * 3: "无法识别",
        b"\x30\x82\x01\x00garbage": "无法识别",
        key_pem: "私钥或证书请求",
        ca_only: "只有一张",
        pem(issued("A", "1")) + pem(issued("B", "2", serial=7)): "只有一张",
        b"0" * (MAX_FILE_BYTES + 1): "文件过大",
    }
    for data, message in cases.items():
        with pytest.raises(CertificateFileError, match=message):
            read_certificate_file(data)


@given(st.binary(max_size=2048))
def test_any_bytes_are_read_or_refused_with_a_message(data: bytes) -> None:
    try:
        read = read_certificate_file(data)
    except CertificateFileError as exc:
        outcome = str(exc)  # a message for the page, never another exception
    else:
        outcome = read.serial_hex
    assert outcome


def test_subject_must_name_the_order() -> None:
    wrong_name = read_certificate_file(pem(issued("别的单位", USCC))).subject
    wrong_code = read_certificate_file(pem(issued(ORG_NAME, "91110000MA0000000X"))).subject
    for subject, message in ((wrong_name, "名称"), (wrong_code, "统一社会信用代码")):
        with pytest.raises(CertificateFileError, match=message):
            check_subject(subject, ORG_SUBJECT)
    # the CA's own identifier OID and spacing / case differences still match
    own_oid = issued(ORG_NAME, USCC.lower(), identifier_oid=NameOID.USER_ID)
    check_subject(read_certificate_file(der(own_oid)).subject, ORG_SUBJECT)


async def _approved(order: Order) -> Order:
    order.status = OrderStatus.APPROVED
    await order.save()
    return order


async def _upload(console: Console, order_no: str, data: bytes, name: str = "user.cer") -> object:
    form = FormData()
    form.add_field("csrf", console.csrf)
    form.add_field("key_serial", "HB2026000123")
    form.add_field("certificate", data, filename=name, content_type="application/pkix-cert")
    return await console.client.post(
        f"/admin/orders/{order_no}/produce-file", data=form, allow_redirects=False
    )


async def test_operator_uploads_the_der_file_of_an_organisation(
    settings: Settings, aiohttp_client, services: Services
) -> None:  # type: ignore[no-untyped-def]
    order = await _approved(await paid_order(services, "o-file"))
    console = await signed_in(settings, aiohttp_client, "otto", StaffRole.OPERATOR)
    page = await (await console.get(f"/admin/orders/{order.order_no}")).text()
    assert 'enctype="multipart/form-data"' in page and "手动填写" in page

    garbage = await _upload(console, order.order_no, b"not a certificate at all")
    assert garbage.status == 409 and "无法识别" in await garbage.text()  # type: ignore[attr-defined]
    other = await _upload(console, order.order_no, der(issued("别的单位", USCC)))
    assert other.status == 409 and "不一致" in await other.text()  # type: ignore[attr-defined]
    start = datetime(2026, 1, 1, 16, 30, tzinfo=UTC)  # 2026-01-02 00:30 in Shanghai
    expired = issued(ORG_NAME, USCC, not_before=start - timedelta(days=800), days=365)
    old = await _upload(console, order.order_no, der(expired))
    assert old.status == 409 and "已过期" in await old.text()  # type: ignore[attr-defined]
    assert (await Fulfilment.get_or_none(order=order)) is None  # nothing kept from refusals

    certificate = issued(ORG_NAME, USCC, serial=0x5A3F0011, not_before=start, days=730)
    made = await _upload(console, order.order_no, der(certificate))
    assert made.status == 303  # type: ignore[attr-defined]
    record = await Fulfilment.get(order=order)
    assert (record.cert_serial, record.key_serial) == ("5A3F0011", "HB2026000123")
    assert str(record.cert_not_before) == "2026-01-02"  # the Shanghai date
    assert record.password_secret and record.password_channel == "sms"
    stored = await Certificate.get(serial_hex="5a3f0011")
    assert pem_of(services.cipher, stored).startswith("-----BEGIN CERTIFICATE-----")
    assert USCC not in stored.certificate_pem  # sealed at rest
    assert stored.not_after == certificate.not_valid_after_utc and "测试 CA" in stored.issuer_dn
    audit = await AuditLog.get(action="produce")
    assert audit.after["source"] == "file"
    shown = await (await console.get(f"/admin/orders/{order.order_no}")).text()
    assert "5A3F0011" in shown and "2026-01-02" in shown


async def _paid_personal(services: Services, openid: str) -> Order:
    flow = personal_certificate.build_flow(services.settings)
    answers = {
        "user_name": PERSON,
        "id_type": "身份证",
        "id_number": ID_NUMBER,
        "phone": "13911112222",
        "email": "wxm@example.com",
        "years": "1",
    }
    order_no = f"CD{utcnow():%Y%m%d}{abs(hash(openid)) % 10**6:06d}"
    stored = {
        key: services.cipher.encrypt(value, context=answer_context(order_no, key))
        if flow.step(key).sensitive
        else value
        for key, value in answers.items()
    }
    return await Order.create(
        order_no=order_no,
        kind="personal",
        owner_openid=openid,
        status=OrderStatus.APPROVED,
        answers=stored,
        amount_fen=15000,
        submitted_at=utcnow(),
        queued_at=utcnow(),
        subject_name=PERSON,
        subject_hash=lookup_hash(ID_NUMBER, services.lookup_key, kind="id_number"),
        phone_hash=lookup_hash("13911112222", services.lookup_key, kind="phone"),
    )


async def test_a_personal_certificate_is_stored_without_the_id_number_in_clear(
    settings: Settings, aiohttp_client, services: Services
) -> None:  # type: ignore[no-untyped-def]
    order = await _paid_personal(services, "o-person")
    console = await signed_in(settings, aiohttp_client, "otto", StaffRole.OPERATOR)
    certificate = issued(PERSON, ID_NUMBER, serial=0xBEEF01)
    made = await _upload(console, order.order_no, pem(certificate, chain=True), "user.pem")
    assert made.status == 303  # type: ignore[attr-defined]
    stored = await Certificate.get(serial_hex="beef01")
    assert ID_NUMBER not in stored.certificate_pem and ID_NUMBER not in stored.subject_dn
    assert ID_NUMBER in subject_dn_of(
        services.cipher, stored
    )  # sealed, not lost: renewal compares it
    clear = pem_of(services.cipher, stored)
    assert read_certificate_file(clear.encode()).serial_hex == "beef01"
    text = reminder_text(
        stored,
        subject_dn_of(services.cipher, stored),
        certificate.not_valid_after_utc - timedelta(days=30),
    )
    assert PERSON in text and ID_NUMBER not in text
    # another order cannot claim the same certificate
    second = await _paid_personal(services, "o-person-2")
    again = await _upload(console, second.order_no, pem(certificate), "user.pem")
    assert again.status == 409 and "其他订单" in await again.text()  # type: ignore[attr-defined]
