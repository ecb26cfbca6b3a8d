"""PKCS#10 certificate requests signed by the card: the private key never leaves the Key.

``cryptography`` cannot sign a CSR with an outside signer, so the CertificationRequestInfo is
DER-encoded here (RFC 2986: version 0, the subject of the certificate being renewed, the card's
SubjectPublicKeyInfo, no attributes) and the card signs exactly those bytes.
"""

from __future__ import annotations

from collections.abc import Callable

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from key_bridge.iso7816 import encode_tlv
from key_bridge.piv import PivCard
from key_bridge.piv_data import KeyAlgorithm, PublicKey, Slot

# AlgorithmIdentifier DER of the two signature algorithms (RFC 5758 / RFC 4055).
ECDSA_WITH_SHA256 = encode_tlv(0x30, encode_tlv(0x06, bytes.fromhex("2a8648ce3d040302")))
SHA256_WITH_RSA = encode_tlv(
    0x30, encode_tlv(0x06, bytes.fromhex("2a864886f70d01010b")) + encode_tlv(0x05, b"")
)

Signer = Callable[[bytes], bytes]


def certification_request_info(subject: x509.Name, public_key: PublicKey) -> bytes:
    """DER of the CertificationRequestInfo to be signed."""
    spki = public_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    body = (
        encode_tlv(0x02, b"\x00")  # version v1(0)
        + subject.public_bytes()
        + spki
        + encode_tlv(0xA0, b"")  # attributes [0]: none
    )
    return encode_tlv(0x30, body)


def build_csr(
    subject: x509.Name, public_key: PublicKey, sign: Signer
) -> x509.CertificateSigningRequest:
    """A CSR for ``public_key`` and ``subject``, its signature made by ``sign(tbs_bytes)``
    (SHA-256: a DER ECDSA signature for EC keys, PKCS#1 v1.5 for RSA keys)."""
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        algorithm = ECDSA_WITH_SHA256
    elif isinstance(public_key, rsa.RSAPublicKey):
        algorithm = SHA256_WITH_RSA
    else:
        raise TypeError("only EC and RSA keys can be certified")
    info = certification_request_info(subject, public_key)
    signature = sign(info)
    der = encode_tlv(0x30, info + algorithm + encode_tlv(0x03, b"\x00" + signature))
    return x509.load_der_x509_csr(der)


def card_csr(
    card: PivCard,
    subject: x509.Name,
    public_key: PublicKey,
    algorithm: KeyAlgorithm,
    slot: Slot = Slot.AUTHENTICATION,
) -> x509.CertificateSigningRequest:
    """A CSR signed by the key in ``slot`` of ``card`` (the PIN must be verified first)."""
    return build_csr(subject, public_key, lambda tbs: card.sign(slot, algorithm, tbs))
