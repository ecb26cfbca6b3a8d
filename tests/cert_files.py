"""Certificate files as a CA hands them out, made on the spot for the console's upload tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

CA_KEY = ec.generate_private_key(ec.SECP256R1())
CA_NAME = x509.Name(
    [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "测试 CA"),
        x509.NameAttribute(NameOID.COMMON_NAME, "测试 CA 根证书"),
    ]
)


def _ca_certificate() -> x509.Certificate:
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(CA_NAME)
        .issuer_name(CA_NAME)
        .public_key(CA_KEY.public_key())
        .serial_number(1)
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(CA_KEY, hashes.SHA256())
    )


CA_CERTIFICATE = _ca_certificate()


def issued(
    name: str,
    identifier: str,
    *,
    serial: int = 0x5A3F0011,
    not_before: datetime | None = None,
    days: int = 365,
    identifier_oid: x509.ObjectIdentifier = NameOID.SERIAL_NUMBER,
) -> x509.Certificate:
    """An end-entity certificate for ``name`` / ``identifier`` signed by the test CA."""
    start = not_before or datetime.now(UTC).replace(microsecond=0)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
            x509.NameAttribute(identifier_oid, identifier),
        ]
    )
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(CA_NAME)
        .public_key(ec.generate_private_key(ec.SECP256R1()).public_key())
        .serial_number(serial)
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(CA_KEY, hashes.SHA256())
    )


def pem(certificate: x509.Certificate, *, chain: bool = False) -> bytes:
    """The PEM file (with the CA certificate after it when ``chain``)."""
    body = certificate.public_bytes(Encoding.PEM)
    return body + CA_CERTIFICATE.public_bytes(Encoding.PEM) if chain else body


def der(certificate: x509.Certificate) -> bytes:
    """The binary .cer file."""
    return certificate.public_bytes(Encoding.DER)
