"""Renewal reminders: which reminder is due for a certificate, the periodic scan, the notice.

Schedule (Shanghai calendar days, as in ``bot.renewal_rules``):

- before expiry: ``before_90`` the day the renewal window opens (fewer than 90 days left, so the
  user can act on it the day it arrives), then ``before_30``, ``before_7`` and ``before_1`` when
  30, 7 and 1 day(s) are left;
- after expiry: ``after_30``, ``after_60`` … ``after_360`` — every 30 days while the
  certificate may still be renewed (up to 365 days after expiry); nothing after that.

Only the latest due reminder is considered: a certificate recorded with 5 days left gets
``before_7``, not three reminders at once, and a worker that was down for a week does not catch
up on reminders that are no longer true. Each (certificate, reminder) is sent at most once: the
``renewal_reminder`` row (unique per pair) is written in the same transaction as the notice job.
A renewed or revoked certificate gets none (only ``issued`` ones are scanned, and the notice
handler checks again before sending).

The periodic job ``certificates.remind`` first schedules its own next run (hourly, one job per
hour slot by dedupe key, so a failing scan never breaks the chain), then scans. The chain is
started by ``ensure_schedule``, which ``record_issued`` calls in the transaction that records a
certificate: there is something to remind about exactly when a certificate exists.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.x509.oid import NameOID
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from bot.china_time import SHANGHAI
from bot.logs import get_logger
from bot.outbox import PermanentJobError, enqueue, job_handler, utcnow
from bot.renewal_links import renewal_url
from bot.renewal_rules import GRACE_DAYS, RENEW_WINDOW_DAYS, days_left
from bot.services import Services
from bot.texts import (
    CERTIFICATE_KIND_NAMES,
    RENEWAL_REMINDER_AFTER,
    RENEWAL_REMINDER_BEFORE,
    RENEWAL_REMINDER_LINK,
    RENEWAL_REMINDER_NOTICE,
    RENEWAL_REMINDER_STATUS,
    RENEWAL_REMINDER_TITLES,
)
from bot.wechat.client import WeChatAPIError
from models.certificates import Certificate, CertificateStatus, RenewalReminder
from models.orders import Order

log = get_logger(__name__)

SCAN_JOB = "certificates.remind"
NOTICE_JOB = "notice.renewal_reminder"
SCAN_INTERVAL = timedelta(hours=1)
# Reminder code → the most days that may be left for it to be due (before expiry).
BEFORE_EXPIRY = (
    ("before_90", RENEW_WINDOW_DAYS - 1),
    ("before_30", 30),
    ("before_7", 7),
    ("before_1", 1),
)
AFTER_EXPIRY = tuple((f"after_{days}", days) for days in range(30, GRACE_DAYS + 1, 30))
# Unfollowed, blocked, not a user of this account, outside the 48-hour customer-service window.
WECHAT_GONE = {43004, 43019, 40003, 45015}


def due_reminder(not_after: datetime, now: datetime) -> str | None:
    """The latest reminder due for a certificate expiring at ``not_after`` (None: none)."""
    left = days_left(not_after, now)
    if now < not_after:
        due = [code for code, most in BEFORE_EXPIRY if left <= most]
    else:
        due = [code for code, days in AFTER_EXPIRY if -left >= days] if -left <= GRACE_DAYS else []
    return due[-1] if due else None


async def scan(now: datetime | None = None) -> int:
    """Queue every due, unsent reminder; return how many were queued."""
    now = now or utcnow()
    candidates = await Certificate.filter(
        status=CertificateStatus.ISSUED,
        owner_openid__isnull=False,
        not_after__gte=now - timedelta(days=GRACE_DAYS + 1),
        not_after__lte=now + timedelta(days=RENEW_WINDOW_DAYS + 1),
    ).order_by("id")
    queued = 0
    for certificate in candidates:
        code = due_reminder(certificate.not_after, now)
        if code is None:
            continue
        if await RenewalReminder.exists(certificate_id=certificate.id, reminder=code):
            continue
        try:
            async with in_transaction():
                await RenewalReminder.create(
                    certificate_id=certificate.id, reminder=code, sent_at=now
                )
                await enqueue(
                    NOTICE_JOB,
                    {"certificate_id": certificate.id, "reminder": code},
                    dedupe_key=f"renewal_reminder:{certificate.id}:{code}",
                )
        except IntegrityError:
            continue  # another worker queued this one first
        queued += 1
    return queued


def _slot(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


async def ensure_schedule(now: datetime | None = None) -> None:
    """Make sure a scan is queued for the hour of ``now`` (default: this hour)."""
    slot = _slot(now or utcnow())
    await enqueue(SCAN_JOB, run_at=slot, dedupe_key=f"{SCAN_JOB}:{slot:%Y%m%d%H}")


@job_handler(SCAN_JOB)
async def run_scan(payload: dict[str, Any], services: Services) -> None:
    """The periodic job: schedule the next hour's scan, then queue due reminders."""
    await ensure_schedule(utcnow() + SCAN_INTERVAL)
    queued = await scan()
    if queued:
        log.info("renewal reminders queued", extra={"count": queued})


def reminder_text(certificate: Certificate, subject_dn: str, now: datetime) -> str:
    """The Chinese reminder for a certificate (its common name only: no ID number).

    ``subject_dn`` is the recorded subject decrypted (``bot.ca.records.subject_dn_of``): a
    certificate typed in by staff has no PEM, but every record has its subject.
    """
    try:
        names = x509.Name.from_rfc4514_string(subject_dn)
    except ValueError:
        names = x509.Name([])
    common_names = names.get_attributes_for_oid(NameOID.COMMON_NAME)
    subject = str(common_names[0].value) if common_names else ""
    kind = CERTIFICATE_KIND_NAMES.get(certificate.kind, "数字证书")
    expiry = certificate.not_after.astimezone(SHANGHAI).strftime("%Y年%m月%d日")
    left = days_left(certificate.not_after, now)
    if now < certificate.not_after:
        return RENEWAL_REMINDER_BEFORE.format(kind=kind, subject=subject, expiry=expiry, days=left)
    return RENEWAL_REMINDER_AFTER.format(kind=kind, subject=subject, expiry=expiry, days=-left)


def _template_data(
    services: Services, certificate: Certificate, subject_dn: str, order_no: str, now: datetime
) -> dict[str, str]:
    """The reminder as ``[notices] fields`` maps a template's fields."""
    when = "before" if now < certificate.not_after else "after"
    values = {
        "title": RENEWAL_REMINDER_TITLES[when],
        "order_no": order_no,
        "status": RENEWAL_REMINDER_STATUS[when].format(
            days=abs(days_left(certificate.not_after, now))
        ),
        "time": certificate.not_after.astimezone(SHANGHAI).strftime("%Y-%m-%d"),
        "detail": reminder_text(certificate, subject_dn, now),
    }
    return {name: values[value] for name, value in services.settings.notices.fields.items()}


@job_handler(NOTICE_JOB)
async def send_renewal_reminder(payload: dict[str, Any], services: Services) -> None:
    """Send one reminder: the ``renewal_reminder`` template notice when configured, else a
    customer-service text; either links to 证书更新 (``bot.renewal_links``)."""
    certificate = await Certificate.get_or_none(id=int(payload["certificate_id"]))
    if certificate is None or certificate.status is not CertificateStatus.ISSUED:
        return  # renewed or revoked since the reminder was queued: say nothing
    if not certificate.owner_openid:
        return
    from bot.ca.records import subject_dn_of  # records schedules this module's scan

    now = utcnow()
    subject_dn = subject_dn_of(services.cipher, certificate)
    url = renewal_url(services, certificate.owner_openid)
    template = services.settings.notices.templates.get(RENEWAL_REMINDER_NOTICE)
    try:
        if template:
            order = await Order.get_or_none(id=certificate.order_id)  # type: ignore[attr-defined]
            data = _template_data(
                services, certificate, subject_dn, order.order_no if order else "", now
            )
            key = f"renewal_reminder:{certificate.id}:{payload.get('reminder', '')}"
            await services.wechat.send_template(
                certificate.owner_openid, template, data, url=url or None, client_msg_id=key
            )
        else:
            link = RENEWAL_REMINDER_LINK.format(url=url) if url else ""
            await services.wechat.send_text(
                certificate.owner_openid, reminder_text(certificate, subject_dn, now) + link
            )
    except WeChatAPIError as exc:
        if exc.errcode in WECHAT_GONE:
            raise PermanentJobError(f"user cannot be reached on WeChat ({exc.errcode})") from exc
        raise
