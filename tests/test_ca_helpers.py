"""Helpers of the CA tests: CSRs made like a Key makes them, and openssl verification."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from bot.ca import SubjectInfo

ORG_SUBJECT = SubjectInfo(
    common_name="高任市建设工程有限公司",
    identifier="91110000600037341L",
    organisation="高任市建设工程有限公司",
    unit="招投标部",
    province="河南省",
    city="高任市",
)
PERSON_SUBJECT = SubjectInfo(
    common_name="张三", identifier="11010519491231002X", province="北京市", city="北京市"
)


def make_csr(
    algorithm: str = "ec", common_name: str = "attacker chosen", bits: int = 2048
) -> tuple[bytes, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey]:
    """A DER CSR whose subject is NOT the record's (the server must ignore it)."""
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey = (
        ec.generate_private_key(ec.SECP256R1())
        if algorithm == "ec"
        else rsa.generate_private_key(public_exponent=65537, key_size=bits)
    )
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, "999999999999999999"),
        ]
    )
    csr = x509.CertificateSigningRequestBuilder().subject_name(name).sign(key, hashes.SHA256())
    return csr.public_bytes(serialization.Encoding.DER), key


def validity(days: int = 365) -> tuple[datetime, datetime]:
    """A validity starting now (whole seconds)."""
    start = datetime.now(UTC).replace(microsecond=0)
    return start, start + timedelta(days=days)


def write_pem(path: Path, certificates: Sequence[x509.Certificate]) -> Path:
    """Write certificates as one PEM file."""
    path.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates))
    return path


def openssl_verify(
    tmp: Path,
    root: x509.Certificate,
    intermediates: Sequence[x509.Certificate],
    leaf: x509.Certificate,
    crl: x509.CertificateRevocationList | None = None,
) -> subprocess.CompletedProcess[str]:
    """``openssl verify`` of ``leaf`` against ``root`` (and a CRL when given)."""
    args = ["openssl", "verify", "-CAfile", str(write_pem(tmp / "root.pem", [root]))]
    if intermediates:
        args += ["-untrusted", str(write_pem(tmp / "chain.pem", intermediates))]
    if crl is not None:
        (tmp / "crl.pem").write_bytes(crl.public_bytes(serialization.Encoding.PEM))
        args += ["-crl_check", "-CRLfile", str(tmp / "crl.pem")]
    args += ["-purpose", "sslclient", str(write_pem(tmp / "leaf.pem", [leaf]))]
    return subprocess.run(args, capture_output=True, text=True, timeout=30, check=False)
