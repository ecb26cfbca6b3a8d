"""Writing issued certificates to the database (``models.certificates``).

Called by whoever had the CA issue: the staff console for a new application, the renewal flow
for a renewal (which passes the certificate it replaces). A renewal marks the old record
``renewed`` in the same transaction, so no reminder is sent about it afterwards; recording also
makes sure the hourly reminder scan is scheduled. ``revoke_recorded`` revokes at the CA and marks
the record.

The subject DN and the PEM hold the subject's credit code or ID number: they are stored encrypted
with the data keys, bound to the certificate's serial, and read with ``subject_dn_of`` and
``pem_of``.
"""

from __future__ import annotations

from datetime import datetime

from tortoise.transactions import in_transaction

from bot.ca.base import CertificateAuthority, IssuedCertificate, RevocationReason
from bot.outbox import utcnow
from bot.reminders import ensure_schedule as ensure_reminder_schedule
from bot.secrets_box import DataCipher
from models.certificates import Certificate, CertificateStatus
from models.orders import Order


async def record_issued(
    cipher: DataCipher,
    order: Order | None,
    issued: IssuedCertificate,
    *,
    kind: str | None = None,
    key_serial: str = "",
    replaces: Certificate | None = None,
) -> Certificate:
    """Record ``issued`` for ``order`` (and mark ``replaces`` as renewed by it).

    Kind, project, owner and subject hash come from the order, else from the certificate
    being renewed. Recording the same certificate twice returns the existing record.
    """
    chosen_kind = kind or (order.kind if order else None) or (replaces.kind if replaces else None)
    if chosen_kind is None:
        raise ValueError("record_issued needs an order, a kind or the certificate it replaces")
    return await _record(
        cipher,
        order,
        chosen_kind,
        key_serial=key_serial or (replaces.key_serial if replaces else ""),
        serial_hex=issued.serial_hex,
        issuer_dn=issued.issuer_dn,
        subject_dn=issued.subject_dn,
        not_before=issued.not_before,
        not_after=issued.not_after,
        pem=issued.pem,
        replaces=replaces,
    )


async def record_produced(
    cipher: DataCipher,
    order: Order,
    *,
    serial_hex: str,
    subject_dn: str,
    not_before: datetime,
    not_after: datetime,
    key_serial: str,
    issuer_dn: str = "",
    pem: str = "",
) -> Certificate:
    """Record a certificate the CA produced outside certdesk, as its staff uploaded it (``pem``,
    in clear: it is sealed here) or typed it (serial, validity, Key) in the console: renewal
    eligibility and reminders then know it."""
    return await _record(
        cipher,
        order,
        order.kind,
        key_serial=key_serial,
        serial_hex=serial_hex,
        issuer_dn=issuer_dn,
        subject_dn=subject_dn,
        not_before=not_before,
        not_after=not_after,
        pem=pem,
        replaces=None,
    )


def _context(serial_hex: str, column: str) -> str:
    return f"certificate:{serial_hex}:{column}"


def seal(cipher: DataCipher, serial_hex: str, column: str, value: str) -> str:
    """``value`` as stored in ``column`` (``subject_dn`` or ``pem``) of certificate
    ``serial_hex``: encrypted, bound to both ("" stays "")."""
    return cipher.encrypt(value, context=_context(serial_hex, column)) if value else ""


def subject_dn_of(cipher: DataCipher, certificate: Certificate) -> str:
    """The certificate's subject DN (RFC 4514 text), decrypted."""
    return _unsealed(cipher, certificate.serial_hex, "subject_dn", certificate.subject_dn)


def pem_of(cipher: DataCipher, certificate: Certificate) -> str:
    """The certificate's PEM, decrypted ("" for one produced outside certdesk)."""
    return _unsealed(cipher, certificate.serial_hex, "pem", certificate.certificate_pem)


def _unsealed(cipher: DataCipher, serial_hex: str, column: str, stored: str) -> str:
    """``stored`` decrypted; a row recorded before certificates were sealed holds its DN or PEM
    in clear ("=" or "-" never occur in a token) and reads as it is."""
    if not stored or "=" in stored or stored.startswith("-----BEGIN"):
        return stored
    return cipher.decrypt(stored, context=_context(serial_hex, column))


async def _record(
    cipher: DataCipher,
    order: Order | None,
    kind: str,
    *,
    key_serial: str,
    serial_hex: str,
    issuer_dn: str,
    subject_dn: str,
    not_before: datetime,
    not_after: datetime,
    pem: str,
    replaces: Certificate | None,
) -> Certificate:
    existing = await Certificate.get_or_none(serial_hex=serial_hex)
    if existing is not None:
        return existing
    previous_project = replaces.project if replaces else ""
    async with in_transaction():
        record = await Certificate.create(
            order=order,
            kind=kind,
            key_serial=key_serial,
            serial_hex=serial_hex,
            issuer_dn=issuer_dn,
            subject_dn=seal(cipher, serial_hex, "subject_dn", subject_dn),
            subject_hash=(order.subject_hash if order else None)
            or (replaces.subject_hash if replaces else None),
            owner_openid=(order.owner_openid if order else None)
            or (replaces.owner_openid if replaces else None),
            project=(order.project if order else "") or previous_project,
            not_before=not_before,
            not_after=not_after,
            certificate_pem=seal(cipher, serial_hex, "pem", pem),
        )
        if replaces is not None:
            await Certificate.filter(id=replaces.id).update(
                status=CertificateStatus.RENEWED, replaced_by_id=record.id
            )
            replaces.status = CertificateStatus.RENEWED
            replaces.replaced_by_id = record.id
        await ensure_reminder_schedule()
    return record


async def revoke_recorded(
    ca: CertificateAuthority, certificate: Certificate, reason: RevocationReason
) -> None:
    """Revoke a recorded certificate at the CA, then mark the record (no more reminders).

    The CA is asked first: if it fails, the record stays as it was and the call can be
    repeated (revoking twice is harmless at the CA).
    """
    if certificate.status is CertificateStatus.REVOKED:
        return
    await ca.revoke(int(certificate.serial_hex, 16), reason)
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_at = utcnow()
    certificate.revocation_reason = reason.value
    await certificate.save(update_fields=["status", "revoked_at", "revocation_reason"])
