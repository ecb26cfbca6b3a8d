"""The CA interface every engine implements, and the checks shared by all of them.

An engine signs a CSR under a profile (organisation or personal certificate) for a validity
chosen by certdesk (``bot.renewal_rules``). The CSR only contributes its public key, after its
signature was verified: the subject comes from certdesk's own record (the order, or the
certificate being renewed), never from the CSR, which the user's PC built.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from bot.ca.profiles import Profile, SubjectInfo


class CaError(Exception):
    """The CA could not issue or revoke (engine down, misconfigured, refused)."""


class CsrError(CaError):
    """The CSR is unusable: not DER, bad signature, or a key type/size the CA does not sign."""


class RevocationReason(StrEnum):
    """RFC 5280 CRL reason codes certdesk uses (values: member names of ``x509.ReasonFlags``)."""

    UNSPECIFIED = "unspecified"
    KEY_COMPROMISE = "key_compromise"
    AFFILIATION_CHANGED = "affiliation_changed"
    SUPERSEDED = "superseded"
    CESSATION_OF_OPERATION = "cessation_of_operation"


@dataclass(frozen=True)
class IssuedCertificate:
    """A certificate the CA issued, with the chain up to (and including) the root."""

    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]  # issuing CA first, root last

    @property
    def serial_hex(self) -> str:
        """The serial number as lower-case hex (how it is stored and looked up)."""
        return format(self.certificate.serial_number, "x")

    @property
    def not_before(self) -> datetime:
        """Start of validity (UTC)."""
        return self.certificate.not_valid_before_utc

    @property
    def not_after(self) -> datetime:
        """End of validity (UTC)."""
        return self.certificate.not_valid_after_utc

    @property
    def subject_dn(self) -> str:
        """The subject as RFC 4514 text."""
        return self.certificate.subject.rfc4514_string()

    @property
    def issuer_dn(self) -> str:
        """The issuer as RFC 4514 text."""
        return self.certificate.issuer.rfc4514_string()

    @property
    def pem(self) -> str:
        """The certificate in PEM."""
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")

    @property
    def der(self) -> bytes:
        """The certificate in DER (what is written to the Key)."""
        return self.certificate.public_bytes(serialization.Encoding.DER)


class CertificateAuthority(Protocol):
    """What certdesk needs from a CA engine."""

    async def issue(
        self,
        csr_der: bytes,
        profile: Profile,
        not_before: datetime,
        not_after: datetime,
        *,
        subject: SubjectInfo,
    ) -> IssuedCertificate:
        """Sign the CSR's public key for ``subject`` under ``profile`` for the validity given."""
        ...

    async def revoke(self, serial: int, reason: RevocationReason) -> None:
        """Revoke the certificate with this serial number."""
        ...


PublicKey = ec.EllipticCurvePublicKey | rsa.RSAPublicKey


def checked_csr(csr_der: bytes) -> x509.CertificateSigningRequest:
    """Parse a DER CSR, verify its signature and its key (ECDSA P-256/P-384, RSA ≥ 2048)."""
    try:
        csr = x509.load_der_x509_csr(csr_der)
    except (ValueError, TypeError) as exc:
        raise CsrError("the CSR is not a DER-encoded PKCS#10 request") from exc
    try:
        valid = csr.is_signature_valid
        key = csr.public_key()
    except Exception as exc:  # unsupported algorithms surface as various exceptions
        raise CsrError("the CSR's key or signature algorithm is not supported") from exc
    if not valid:
        raise CsrError("the CSR's signature does not verify (not signed by its own key)")
    if isinstance(key, ec.EllipticCurvePublicKey):
        if not isinstance(key.curve, ec.SECP256R1 | ec.SECP384R1):
            raise CsrError(f"elliptic curve {key.curve.name} is not accepted (P-256 or P-384)")
    elif isinstance(key, rsa.RSAPublicKey):
        if key.key_size < 2048:
            raise CsrError(f"RSA key of {key.key_size} bits is too short (at least 2048)")
    else:
        raise CsrError("only ECDSA and RSA keys are accepted")
    return csr


def check_validity(not_before: datetime, not_after: datetime) -> None:
    """Refuse naive or inverted validity periods."""
    if not_before.tzinfo is None or not_after.tzinfo is None:
        raise ValueError("validity times must be timezone-aware")
    if not_after <= not_before:
        raise ValueError("not_after must be later than not_before")


def utc(moment: datetime) -> datetime:
    """The same instant in UTC."""
    return moment.astimezone(UTC)
