"""Certificate records and renewal reminders, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.ca import ORG, BuiltinCA, IssuedCertificate
from bot.ca.records import pem_of, record_issued, record_produced, subject_dn_of
from bot.china_time import SHANGHAI
from bot.config import Settings
from bot.db import close_db, init_db
from bot.outbox import utcnow
from bot.reminders import (
    NOTICE_JOB,
    SCAN_JOB,
    due_reminder,
    ensure_schedule,
    reminder_text,
    scan,
)
from bot.renewal_rules import new_validity
from bot.sandbox.wechat_api import WeChatApiFake
from bot.secrets_box import lookup_hash
from bot.services import Services, build_services
from bot.worker import Worker
from models.certificates import Certificate, CertificateStatus, RenewalReminder
from models.jobs import Job, JobStatus
from models.orders import Order, OrderStatus
from tests.conftest import with_wechat
from tests.test_ca_helpers import ORG_SUBJECT, make_csr

OPENID = "o-cert-owner"


@pytest.fixture
async def svc(settings: Settings, wechat_api: WeChatApiFake) -> AsyncIterator[Services]:
    """Services talking to the WeChat fake, database connected."""
    built = build_services(with_wechat(settings, wechat_api, token="certtoken"))
    await init_db(settings.database.url, settings.database.pool_max_size)
    try:
        yield built
    finally:
        await built.close()
        await close_db()


@pytest.fixture
def ca(tmp_path: Path, svc: Services) -> BuiltinCA:
    made = BuiltinCA(tmp_path / "ca", svc.cipher)
    made.init("测试CA", "ecdsa-p256")
    return made


async def _order(svc: Services, no: str = "R1") -> Order:
    return await Order.create(
        order_no=no,
        kind="org",
        project="gaoren",
        status=OrderStatus.PAID,
        owner_openid=OPENID,
        subject_hash=lookup_hash(ORG_SUBJECT.identifier, svc.lookup_key, kind="uscc"),
    )


async def _issue(ca: BuiltinCA, not_before: datetime, not_after: datetime) -> IssuedCertificate:
    return await ca.issue(make_csr()[0], ORG, not_before, not_after, subject=ORG_SUBJECT)


async def _certificate(
    svc: Services, ca: BuiltinCA, expires_in: timedelta, no: str = "R1"
) -> Certificate:
    end = utcnow().replace(microsecond=0) + expires_in
    issued = await _issue(ca, end - timedelta(days=365), end)
    return await record_issued(svc.cipher, await _order(svc, no), issued, key_serial="KEY-0001")


def _worker(svc: Services, name: str) -> Worker:
    settings = dataclasses.replace(svc.settings.worker, poll_interval=0.05)
    return Worker(svc, settings=settings, name=name)


async def test_record_issued_keeps_what_renewal_needs(svc: Services, ca: BuiltinCA) -> None:
    order = await _order(svc)
    issued = await _issue(ca, *new_validity(utcnow(), 1, utcnow()))
    record = await record_issued(svc.cipher, order, issued, key_serial="KEY-0001")
    again = await record_issued(svc.cipher, order, issued, key_serial="KEY-0001")
    assert again.id == record.id and await Certificate.all().count() == 1
    stored = await Certificate.get(id=record.id).prefetch_related("order")
    assert stored.order is not None and stored.order.order_no == "R1"
    assert stored.kind == "org" and stored.project == "gaoren" and stored.key_serial == "KEY-0001"
    assert stored.serial_hex == format(issued.certificate.serial_number, "x")
    assert stored.subject_hash == order.subject_hash
    assert ORG_SUBJECT.identifier not in (stored.subject_hash or "")
    assert stored.not_after == issued.not_after and stored.status is CertificateStatus.ISSUED
    assert "CN=高任市建设工程有限公司" in subject_dn_of(svc.cipher, stored)
    assert pem_of(svc.cipher, stored) == issued.pem
    for column in (stored.subject_dn, stored.certificate_pem):  # encrypted at rest
        assert "高任市" not in column and ORG_SUBJECT.identifier not in column


async def test_a_certificate_recorded_before_sealing_still_reads(
    svc: Services, ca: BuiltinCA
) -> None:
    issued = await _issue(ca, *new_validity(utcnow(), 1, utcnow()))
    legacy = Certificate(
        serial_hex="0abc", subject_dn=issued.subject_dn, certificate_pem=issued.pem
    )  # as an earlier release stored it, in clear
    assert subject_dn_of(svc.cipher, legacy) == issued.subject_dn
    assert pem_of(svc.cipher, legacy) == issued.pem


async def test_a_long_subject_is_stored_whole_once_sealed(svc: Services) -> None:
    """A unit with a long name, department and address: the sealed DN is far longer than the
    DN itself and is stored whole on both databases (it was a 512-character column)."""
    name = "某某省某某市某某区某某街道建设工程项目管理与造价咨询服务有限责任公司第一分公司" * 2
    subject_dn = (
        f"CN={name},OU=工程造价咨询部招标投标代理与项目管理中心,O={name},"
        "L=某某市某某区某某街道某某路某某号某某大厦十八层,ST=某某省,C=CN,"
        "2.5.4.5=91410000MA40XXXXXX"
    )
    now = utcnow().replace(microsecond=0)
    record = await record_produced(
        svc.cipher,
        await _order(svc),
        serial_hex="5eal",
        subject_dn=subject_dn,
        not_before=now,
        not_after=now + timedelta(days=365),
        key_serial="KEY-LONG",
    )
    stored = await Certificate.get(id=record.id)
    assert len(stored.subject_dn) > 512
    assert subject_dn_of(svc.cipher, stored) == subject_dn


async def test_renewal_marks_the_old_certificate(svc: Services, ca: BuiltinCA) -> None:
    old = await _certificate(svc, ca, timedelta(days=20))
    start, end = new_validity(old.not_after, 1, utcnow())
    renewal = await Order.create(order_no="R2", kind="renewal", owner_openid=OPENID)
    new = await record_issued(
        svc.cipher, renewal, await _issue(ca, start, end), kind="org", replaces=old
    )
    refreshed = await Certificate.get(id=old.id)
    assert refreshed.status is CertificateStatus.RENEWED and refreshed.replaced_by_id == new.id
    assert new.key_serial == "KEY-0001" and new.project == "gaoren"  # carried over
    assert new.subject_hash == old.subject_hash and new.not_before == old.not_after


async def test_reminder_sent_exactly_once_across_two_workers(
    svc: Services, ca: BuiltinCA, wechat_api: WeChatApiFake
) -> None:
    wechat_api.note_user_message(OPENID)
    # Noon (Shanghai) 20 calendar days ahead: "剩余 20 天" at any hour the test runs.
    today = utcnow().astimezone(SHANGHAI).date()
    noon = datetime.combine(today + timedelta(days=20), time(12), SHANGHAI)
    cert = await _certificate(svc, ca, noon - utcnow())
    await ensure_schedule()
    await ensure_schedule()  # a second worker starting: still one scan for this hour
    assert await Job.filter(kind=SCAN_JOB).count() == 1
    assert await _worker(svc, "w1").run_until_idle() == 2  # the scan and one notice
    sent = wechat_api.messages_to(OPENID)
    assert len(sent) == 1
    text = sent[0].body["text"]["content"]
    expiry = cert.not_after.astimezone(SHANGHAI).strftime("%Y年%m月%d日")
    assert "高任市建设工程有限公司" in text and expiry in text and "剩余 20 天" in text
    assert ORG_SUBJECT.identifier not in text
    assert [r.reminder for r in await RenewalReminder.all()] == ["before_30"]
    # The next scan is queued for the next hour; a second worker scanning now sends nothing.
    assert await Job.filter(kind=SCAN_JOB, status=JobStatus.PENDING).count() == 1
    assert await scan() == 0
    assert await _worker(svc, "w2").run_until_idle() == 0
    assert len(wechat_api.messages_to(OPENID)) == 1


async def test_concurrent_scans_queue_one_notice(svc: Services, ca: BuiltinCA) -> None:
    await _certificate(svc, ca, timedelta(days=6))
    results = await asyncio.gather(scan(), scan(), return_exceptions=True)
    assert not [r for r in results if isinstance(r, BaseException)]
    assert await Job.filter(kind=NOTICE_JOB).count() == 1
    assert await RenewalReminder.filter(reminder="before_7").count() == 1


async def test_reminders_follow_the_calendar(svc: Services, ca: BuiltinCA) -> None:
    cert = await _certificate(svc, ca, timedelta(days=100))
    now = utcnow()
    assert await scan(now) == 0  # too early
    codes = []
    for day in range(0, 100 + 400):
        if await scan(now + timedelta(days=day)):
            codes.append((await RenewalReminder.all().order_by("-id").first()).reminder)  # type: ignore[union-attr]
    assert codes == [
        "before_90",
        "before_30",
        "before_7",
        "before_1",
        *[f"after_{d}" for d in range(30, 361, 30)],
    ]
    assert await Job.filter(kind=NOTICE_JOB).count() == len(codes)
    assert cert.id is not None


async def test_no_reminder_after_renewal(
    svc: Services, ca: BuiltinCA, wechat_api: WeChatApiFake
) -> None:
    wechat_api.note_user_message(OPENID)
    old = await _certificate(svc, ca, timedelta(days=5))
    assert await scan() == 1  # before_7 queued ...
    start, end = new_validity(old.not_after, 1, utcnow())
    await record_issued(svc.cipher, None, await _issue(ca, start, end), kind="org", replaces=old)
    await _worker(svc, "w1").run_until_idle()
    assert wechat_api.messages_to(OPENID) == []  # ... but renewed before it went out
    for day in (4, 6, 40):
        assert await scan(utcnow() + timedelta(days=day)) == 0


async def test_unreachable_user_is_not_retried_forever(svc: Services, ca: BuiltinCA) -> None:
    await _certificate(svc, ca, timedelta(days=6))  # the owner never wrote to the account
    await scan()
    await _worker(svc, "w1").run_until_idle()
    job = await Job.get(kind=NOTICE_JOB)
    assert job.status is JobStatus.DEAD and job.attempts == 1


def test_reminder_text_after_expiry(ca: BuiltinCA) -> None:
    end = datetime(2027, 3, 10, 15, 59, 59, tzinfo=SHANGHAI)
    issued = asyncio.run(_issue(ca, end - timedelta(days=365), end))
    record = Certificate(kind="org", not_after=end)
    text = reminder_text(record, issued.subject_dn, end + timedelta(days=45))
    assert "已于 2027年03月10日 过期 45 天" in text and "365 天内" in text


moments = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(SHANGHAI)
)


@given(not_after=moments, offset=st.integers(min_value=-500, max_value=500))
def test_due_reminder_only_when_renewable(not_after: datetime, offset: int) -> None:
    from bot.renewal_rules import check_renewal

    now = not_after + timedelta(days=offset, minutes=7)
    code = due_reminder(not_after, now)
    if code is not None:
        assert check_renewal(not_after, now).ok  # never tell a user to do what is refused


async def test_revoked_certificate_is_on_the_crl_and_gets_no_reminder(
    svc: Services, ca: BuiltinCA
) -> None:
    from bot.ca import RevocationReason
    from bot.ca.records import revoke_recorded

    cert = await _certificate(svc, ca, timedelta(days=6))
    await revoke_recorded(ca, cert, RevocationReason.KEY_COMPROMISE)
    await revoke_recorded(ca, cert, RevocationReason.KEY_COMPROMISE)
    stored = await Certificate.get(id=cert.id)
    assert (
        stored.status is CertificateStatus.REVOKED and stored.revocation_reason == "key_compromise"
    )
    assert ca.crl().get_revoked_certificate_by_serial_number(int(cert.serial_hex, 16)) is not None
    assert await scan() == 0
