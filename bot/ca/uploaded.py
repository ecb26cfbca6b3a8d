"""Reading the certificate file the CA issued outside certdesk (PEM or DER, .cer/.crt), so staff
upload it instead of typing its serial and validity.

``read_certificate_file`` refuses anything that is not one end-entity X.509 certificate with a
Chinese message for the page; ``check_subject`` makes sure it is the order's certificate: the
order's unit or person name is one of the subject's values (CN or O) and the credit code or ID
number is in one of them (CAs place it in serialNumber, their own OID, or inside the CN).
Values are compared NFKC-normalised, without whitespace, upper case (as the look-up hashes do).
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from bot import texts as T
from bot.ca.profiles import SubjectInfo
from bot.secrets_box import normalize_for_lookup

MAX_FILE_BYTES = 64 * 1024
PEM_CERTIFICATE = re.compile(rb"-----BEGIN CERTIFICATE-----")
NAME_OIDS = (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME)


class CertificateFileError(ValueError):
    """The file is not usable; the message (Chinese) says why and what to upload."""


@dataclass(frozen=True)
class UploadedCertificate:
    """What certdesk records of an issued certificate file."""

    serial_hex: str  # lower-case hex, no colons
    not_before: datetime  # aware, UTC
    not_after: datetime
    subject: x509.Name
    issuer_dn: str
    pem: str


def _certificates(data: bytes) -> list[x509.Certificate]:
    if data[:1] == b"\x30":  # DER starts with a SEQUENCE: read byte for byte (never stripped)
        return [x509.load_der_x509_certificate(data)]
    text = data.strip()
    if PEM_CERTIFICATE.search(text):
        return x509.load_pem_x509_certificates(text)
    if text.startswith(b"-----BEGIN"):
        raise CertificateFileError(T.CERT_FILE_NOT_CERTIFICATE)  # a key or a request
    try:  # base64 without the header lines
        der = base64.b64decode(b"".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise CertificateFileError(T.CERT_FILE_UNREADABLE) from None
    return [x509.load_der_x509_certificate(der)]


def _is_ca(certificate: x509.Certificate) -> bool:
    try:
        return certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


def read_certificate_file(data: bytes) -> UploadedCertificate:
    """The end-entity certificate in ``data`` (PEM, possibly with its chain, or DER)."""
    if not data.strip():
        raise CertificateFileError(T.CERT_FILE_EMPTY)
    if len(data) > MAX_FILE_BYTES:
        raise CertificateFileError(T.CERT_FILE_TOO_LARGE)
    try:
        found = [c for c in _certificates(data) if not _is_ca(c)]
        if len(found) != 1:
            raise CertificateFileError(T.CERT_FILE_NOT_ONE)
        certificate = found[0]
        serial_hex = format(certificate.serial_number, "x")
        subject, issuer_dn = certificate.subject, certificate.issuer.rfc4514_string()
        not_before, not_after = certificate.not_valid_before_utc, certificate.not_valid_after_utc
        pem = certificate.public_bytes(Encoding.PEM).decode("ascii")
    except CertificateFileError:
        raise
    except ValueError:  # not DER/PEM, or a field cryptography cannot decode
        raise CertificateFileError(T.CERT_FILE_UNREADABLE) from None
    return UploadedCertificate(serial_hex, not_before, not_after, subject, issuer_dn, pem)


def _values(name: x509.Name) -> list[tuple[x509.ObjectIdentifier, str]]:
    return [(a.oid, normalize_for_lookup(str(a.value))) for a in name]


def check_subject(subject: x509.Name, expected: SubjectInfo) -> None:
    """Raise ``CertificateFileError`` unless ``subject`` names the order's unit or person."""
    values = _values(subject)
    name = normalize_for_lookup(expected.common_name)
    identifier = normalize_for_lookup(expected.identifier)
    if not name or not any(oid in NAME_OIDS and value == name for oid, value in values):
        raise CertificateFileError(T.CERT_FILE_WRONG_NAME)
    if not identifier or not any(identifier in value for _oid, value in values):
        raise CertificateFileError(T.CERT_FILE_WRONG_IDENTIFIER)
