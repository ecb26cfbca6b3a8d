"""PIV data formats (NIST SP 800-73-4 / 800-78-4): slots, algorithms, PIN and PUK encoding, the
public key template, certificate objects and the PKCS#1 v1.5 block signed by RSA cards."""

from __future__ import annotations

import enum
import gzip
import zlib

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from key_bridge.errors import BadCardData, InvalidPin, InvalidPuk
from key_bridge.iso7816 import TlvError, encode_tlv, parse_tlv, unwrap_tlv

PIV_AID = bytes.fromhex("A000000308000010000100")

PIN_REF = 0x80
PUK_REF = 0x81

TAG_CHUID = 0x5FC102
TAG_CCC = 0x5FC107

PublicKey = ec.EllipticCurvePublicKey | rsa.RSAPublicKey


class Slot(enum.IntEnum):
    """Key references of the PIV key slots the bridge uses."""

    AUTHENTICATION = 0x9A
    SIGNATURE = 0x9C
    KEY_MANAGEMENT = 0x9D
    CARD_AUTHENTICATION = 0x9E

    @property
    def object_tag(self) -> int:
        """Tag of the data object holding this slot's certificate."""
        return {0x9A: 0x5FC105, 0x9C: 0x5FC10A, 0x9D: 0x5FC10B, 0x9E: 0x5FC101}[self.value]


class KeyAlgorithm(enum.IntEnum):
    """Asymmetric algorithm identifiers of SP 800-78-4 the bridge generates and signs with."""

    RSA2048 = 0x07
    ECCP256 = 0x11


# DER prefix of the PKCS#1 DigestInfo for SHA-256 (RFC 8017, section 9.2, note 1).
_SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


def pkcs1v15_sha256_block(digest: bytes, size: int = 256) -> bytes:
    """EMSA-PKCS1-v1_5 encoding of a SHA-256 digest for a ``size``-byte RSA modulus."""
    if len(digest) != 32:
        raise ValueError("SHA-256 digest must be 32 bytes")
    info = _SHA256_DIGEST_INFO + digest
    padding = size - len(info) - 3
    if padding < 8:
        raise ValueError("RSA modulus too short")
    return b"\x00\x01" + b"\xff" * padding + b"\x00" + info


def encode_pin(pin: str) -> bytes:
    """The 8-byte PIN reference data: 6-8 printable ASCII characters padded with 0xFF."""
    if not 6 <= len(pin) <= 8 or not all(0x21 <= ord(ch) <= 0x7E for ch in pin):
        raise InvalidPin()
    return pin.encode("ascii").ljust(8, b"\xff")


def encode_puk(puk: bytes) -> bytes:
    """The 8-byte PUK reference data (6-8 bytes, padded with 0xFF)."""
    if not 6 <= len(puk) <= 8:
        raise InvalidPuk()
    return puk.ljust(8, b"\xff")


def decode_public_key(template: bytes, algorithm: KeyAlgorithm) -> PublicKey:
    """Public key from a GENERATE ASYMMETRIC KEY PAIR answer (the 0x7F49 template)."""
    try:
        fields = parse_tlv(unwrap_tlv(template, 0x7F49))
        if algorithm is KeyAlgorithm.ECCP256:
            return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), fields[0x86])
        modulus = int.from_bytes(fields[0x81], "big")
        exponent = int.from_bytes(fields[0x82], "big")
        if modulus.bit_length() != 2048:
            raise ValueError("RSA modulus is not 2048 bits")
        return rsa.RSAPublicNumbers(exponent, modulus).public_key()
    except (TlvError, KeyError, ValueError) as exc:
        raise BadCardData(f"public key template: {exc}") from exc


def decode_certificate_object(content: bytes) -> x509.Certificate:
    """Certificate from the value of a certificate data object (inside the 0x53 wrapper)."""
    try:
        fields = parse_tlv(content)
        der = fields[0x70]
        info = fields.get(0x71, b"\x00")
        if info and info[0] & 0x01:  # CertInfo bit: the certificate is gzip-compressed
            der = gzip.decompress(der)
        return x509.load_der_x509_certificate(der)
    except (
        TlvError,
        KeyError,
        ValueError,
        x509.InvalidVersion,
        OSError,
        EOFError,
        zlib.error,
    ) as exc:
        raise BadCardData(f"certificate object: {exc}") from exc


def encode_certificate_object(cert: x509.Certificate) -> bytes:
    """The value of a certificate data object: 0x70 certificate, 0x71 CertInfo, 0xFE LRC."""
    der = cert.public_bytes(Encoding.DER)
    return encode_tlv(0x70, der) + encode_tlv(0x71, b"\x00") + encode_tlv(0xFE, b"")
