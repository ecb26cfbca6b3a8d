"""Certificate requests signed by the card (key_bridge.csr) and checked by the server
(bot.csr_check)."""

from __future__ import annotations

import base64

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.csr_check import CsrProblem, CsrRejected, verify_csr
from key_bridge.csr import build_csr, card_csr, certification_request_info
from key_bridge.emulator.applet import PivApplet
from key_bridge.emulator.local import LocalTransport
from key_bridge.iso7816 import encode_tlv
from key_bridge.piv import PivCard
from key_bridge.piv_data import KeyAlgorithm
from tests.conftest_card import SUBJECT, ScratchCa, provision, server_answer


def renewal_csr(card: PivCard, scratch_ca: ScratchCa) -> tuple[x509.Certificate, bytes]:
    """The bridge's renewal steps: read the old certificate, new key on the card, CSR."""
    provision(card, scratch_ca)
    old = card.read_certificate()
    assert old is not None
    card.authenticate_admin(server_answer())
    algorithm, public_key = card.generate_key()
    card.verify_pin("123456")
    csr = card_csr(card, old.subject, public_key, algorithm)
    return old, csr.public_bytes(Encoding.PEM)


def test_our_request_info_encodes_like_cryptography() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    reference = (
        x509.CertificateSigningRequestBuilder().subject_name(SUBJECT).sign(key, hashes.SHA256())
    )
    assert certification_request_info(SUBJECT, key.public_key()) == reference.tbs_certrequest_bytes


def test_card_signed_csr_passes_the_server_check(card: PivCard, scratch_ca: ScratchCa) -> None:
    old, pem = renewal_csr(card, scratch_ca)
    csr = verify_csr(pem, old.subject, previous_key=old.public_key())
    assert csr.subject == SUBJECT
    assert csr.public_key() != old.public_key()  # a new key pair, generated on the card


def test_renewal_with_the_old_key_is_refused(card: PivCard, scratch_ca: ScratchCa) -> None:
    old = provision(card, scratch_ca)
    card.verify_pin("123456")
    csr = card_csr(card, old.subject, old.public_key(), KeyAlgorithm.ECCP256)
    pem = csr.public_bytes(Encoding.PEM)
    assert verify_csr(pem, old.subject)  # a valid request in itself...
    with pytest.raises(CsrRejected) as rejected:  # ...but not a renewal
        verify_csr(pem, old.subject, previous_key=old.public_key())
    assert rejected.value.problem is CsrProblem.KEY_REUSED


def test_rsa_card_csr_passes_the_server_check(scratch_ca: ScratchCa) -> None:
    card = PivCard(LocalTransport(PivApplet(algorithms=(KeyAlgorithm.RSA2048,))))
    card.select()
    old, pem = renewal_csr(card, scratch_ca)
    csr = verify_csr(pem.decode(), old.subject)
    assert isinstance(csr.public_key(), rsa.RSAPublicKey)


def test_tampered_subject_fails_the_signature(card: PivCard, scratch_ca: ScratchCa) -> None:
    _old, pem = renewal_csr(card, scratch_ca)
    der = x509.load_pem_x509_csr(pem).public_bytes(Encoding.DER)
    tampered = der.replace("张三".encode(), "李四".encode())
    assert tampered != der
    forged = x509.load_der_x509_csr(tampered).public_bytes(Encoding.PEM)
    with pytest.raises(CsrRejected) as rejected:
        verify_csr(forged, x509.load_der_x509_csr(tampered).subject)
    assert rejected.value.problem is CsrProblem.BAD_SIGNATURE


def test_signature_of_another_key_fails(card: PivCard, scratch_ca: ScratchCa) -> None:
    provision(card, scratch_ca)
    card.verify_pin("123456")
    other = ec.generate_private_key(ec.SECP256R1()).public_key()
    # the card signs, but the request claims a key the card does not hold
    csr = card_csr(card, SUBJECT, other, KeyAlgorithm.ECCP256)
    with pytest.raises(CsrRejected) as rejected:
        verify_csr(csr.public_bytes(Encoding.PEM), SUBJECT)
    assert rejected.value.problem is CsrProblem.BAD_SIGNATURE


def test_subject_must_match_the_renewed_certificate(card: PivCard, scratch_ca: ScratchCa) -> None:
    _old, pem = renewal_csr(card, scratch_ca)
    other = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "李四")])
    with pytest.raises(CsrRejected) as rejected:
        verify_csr(pem, other)
    assert rejected.value.problem is CsrProblem.SUBJECT_MISMATCH


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"not a csr",
        b"-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n",
        "零".encode() * 20000,
    ],
)
def test_garbage_is_malformed(garbage: bytes) -> None:
    with pytest.raises(CsrRejected) as rejected:
        verify_csr(garbage, SUBJECT)
    assert rejected.value.problem is CsrProblem.MALFORMED


def test_weak_keys_and_hashes_are_refused() -> None:
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    weak = (
        x509.CertificateSigningRequestBuilder().subject_name(SUBJECT).sign(small, hashes.SHA256())
    )
    with pytest.raises(CsrRejected) as rejected:
        verify_csr(weak.public_bytes(Encoding.PEM), SUBJECT)
    assert rejected.value.problem is CsrProblem.WEAK_KEY
    p192 = ec.generate_private_key(ec.SECP192R1())
    curve = (
        x509.CertificateSigningRequestBuilder().subject_name(SUBJECT).sign(p192, hashes.SHA256())
    )
    with pytest.raises(CsrRejected) as rejected:
        verify_csr(curve.public_bytes(Encoding.PEM), SUBJECT)
    assert rejected.value.problem is CsrProblem.WEAK_KEY
    key = ec.generate_private_key(ec.SECP256R1())
    info = certification_request_info(SUBJECT, key.public_key())
    ecdsa_with_sha1 = encode_tlv(0x30, encode_tlv(0x06, bytes.fromhex("2a8648ce3d0401")))
    signature = key.sign(info, ec.ECDSA(hashes.SHA1()))
    sha1 = encode_tlv(0x30, info + ecdsa_with_sha1 + encode_tlv(0x03, b"\x00" + signature))
    with pytest.raises(CsrRejected) as rejected:
        verify_csr(x509.load_der_x509_csr(sha1).public_bytes(Encoding.PEM), SUBJECT)
    assert rejected.value.problem is CsrProblem.WEAK_HASH


def test_software_signer_builds_a_valid_csr() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    csr = build_csr(SUBJECT, key.public_key(), lambda tbs: key.sign(tbs, ec.ECDSA(hashes.SHA256())))
    assert csr.is_signature_valid
    spki = key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    assert csr.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo) == spki


_KEY = ec.generate_private_key(ec.SECP256R1())
_VALID_DER = build_csr(
    SUBJECT, _KEY.public_key(), lambda tbs: _KEY.sign(tbs, ec.ECDSA(hashes.SHA256()))
).public_bytes(Encoding.DER)


@given(st.binary(max_size=2000))
def test_any_bytes_are_rejected_cleanly(data: bytes) -> None:
    with pytest.raises(CsrRejected):
        verify_csr(data, SUBJECT)


@settings(max_examples=300)
@given(st.integers(0, len(_VALID_DER) - 1), st.integers(1, 255))
def test_any_changed_byte_is_rejected(position: int, delta: int) -> None:
    mutated = bytearray(_VALID_DER)
    mutated[position] = (mutated[position] + delta) % 256
    body = base64.encodebytes(bytes(mutated)).decode()
    pem = f"-----BEGIN CERTIFICATE REQUEST-----\n{body}-----END CERTIFICATE REQUEST-----\n"
    with pytest.raises(CsrRejected):
        verify_csr(pem, SUBJECT)
