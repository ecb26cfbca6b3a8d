"""Server-side check of a certificate request built by the Key bridge: it must be a well-formed
PKCS#10 request, signed by the key it carries (proof that the card holds the private key), with
a key and hash strong enough, for exactly the subject of the certificate being renewed."""

from __future__ import annotations

import enum

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ACCEPTED_CURVES = (ec.SECP256R1, ec.SECP384R1)
MIN_RSA_BITS = 2048
ACCEPTED_HASHES = (hashes.SHA256, hashes.SHA384, hashes.SHA512)
MAX_CSR_BYTES = 16 * 1024


class CsrProblem(enum.StrEnum):
    """Why a request was refused (stable codes for logs and the order record)."""

    MALFORMED = "malformed"
    BAD_SIGNATURE = "bad_signature"
    WEAK_KEY = "weak_key"
    WEAK_HASH = "weak_hash"
    SUBJECT_MISMATCH = "subject_mismatch"
    KEY_REUSED = "key_reused"


class CsrRejected(ValueError):
    """The request is refused; ``problem`` says why."""

    def __init__(self, problem: CsrProblem, detail: str = "") -> None:
        super().__init__(f"{problem.value}: {detail}" if detail else problem.value)
        self.problem = problem


def _load(csr_pem: str | bytes) -> x509.CertificateSigningRequest:
    data = csr_pem.encode("ascii", "replace") if isinstance(csr_pem, str) else csr_pem
    if len(data) > MAX_CSR_BYTES:
        raise CsrRejected(CsrProblem.MALFORMED, "too large")
    try:
        return x509.load_pem_x509_csr(data)
    except (ValueError, x509.InvalidVersion) as exc:
        raise CsrRejected(CsrProblem.MALFORMED, str(exc)) from exc


def _spki(key: CertificatePublicKeyTypes) -> bytes:
    return key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


def verify_csr(
    csr_pem: str | bytes,
    expected_subject: x509.Name,
    previous_key: CertificatePublicKeyTypes | None = None,
) -> x509.CertificateSigningRequest:
    """Return the request when it passes every check, else raise :class:`CsrRejected`.

    With ``previous_key`` (the key of the certificate being renewed) the request must carry a
    new key: a renewal generates a fresh key pair on the card.
    """
    csr = _load(csr_pem)
    try:
        public_key = csr.public_key()
        hash_algorithm = csr.signature_hash_algorithm
        signature_ok = csr.is_signature_valid
        subject = csr.subject
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise CsrRejected(CsrProblem.MALFORMED, str(exc)) from exc
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        if not isinstance(public_key.curve, ACCEPTED_CURVES):
            raise CsrRejected(CsrProblem.WEAK_KEY, public_key.curve.name)
    elif isinstance(public_key, rsa.RSAPublicKey):
        if public_key.key_size < MIN_RSA_BITS:
            raise CsrRejected(CsrProblem.WEAK_KEY, f"RSA {public_key.key_size}")
    else:
        raise CsrRejected(CsrProblem.WEAK_KEY, type(public_key).__name__)
    if not isinstance(hash_algorithm, ACCEPTED_HASHES):
        raise CsrRejected(CsrProblem.WEAK_HASH, getattr(hash_algorithm, "name", "none"))
    if not signature_ok:
        raise CsrRejected(CsrProblem.BAD_SIGNATURE)
    if subject != expected_subject:
        raise CsrRejected(CsrProblem.SUBJECT_MISMATCH)  # subjects hold personal data: not logged
    if previous_key is not None and _spki(public_key) == _spki(previous_key):
        raise CsrRejected(CsrProblem.KEY_REUSED)
    return csr
