"""PIV card commands (key_bridge.piv) against the in-process card emulator."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from key_bridge.emulator.applet import PivApplet
from key_bridge.emulator.local import LocalTransport
from key_bridge.errors import (
    AdminAuthFailed,
    AdminAuthRequired,
    CardRemoved,
    InvalidPin,
    NotPiv,
    PinBlocked,
    PukBlocked,
    SecurityStatusNotSatisfied,
    UnsupportedAlgorithm,
    WrongPin,
    WrongPuk,
)
from key_bridge.mgmkey import (
    DEFAULT_MANAGEMENT_KEY,
    ManagementKeyAlgorithm,
    answer_challenge,
    answer_witness,
    card_proved,
)
from key_bridge.piv import PinStatus, PivCard
from key_bridge.piv_data import KeyAlgorithm, Slot
from tests.conftest_card import SUBJECT, ScratchCa, provision, server_answer


class SilentCard:
    """A card without a PIV application: every SELECT is refused."""

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        return b"", 0x6A82


def test_select_reports_the_algorithms(card: PivCard) -> None:
    info = card.select()
    assert info.algorithms == {KeyAlgorithm.ECCP256, KeyAlgorithm.RSA2048}
    assert info.supports(KeyAlgorithm.ECCP256)


def test_a_card_without_piv_is_named_as_such() -> None:
    with pytest.raises(NotPiv) as caught:
        PivCard(SilentCard()).select()
    assert "不是" in str(caught.value) and caught.value.sw == 0x6A82


def test_empty_slot_reads_as_no_certificate(card: PivCard) -> None:
    assert card.read_certificate(Slot.AUTHENTICATION) is None


def test_writing_needs_the_management_key(card: PivCard, scratch_ca: ScratchCa) -> None:
    cert = scratch_ca.issue(ec.generate_private_key(ec.SECP256R1()).public_key())
    with pytest.raises(AdminAuthRequired):
        card.write_certificate(cert)
    card.authenticate_admin(server_answer())
    card.write_certificate(cert)
    assert card.read_certificate() == cert


def test_long_certificate_is_chained_in_and_collected_out(
    card: PivCard, local: LocalTransport, scratch_ca: ScratchCa
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    names = [x509.DNSName(f"host{i}.example.com") for i in range(40)]
    cert = (
        x509.CertificateBuilder(extensions=[])
        .subject_name(SUBJECT)
        .issuer_name(scratch_ca.name)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(scratch_ca.issue(key.public_key()).not_valid_before_utc)
        .not_valid_after(scratch_ca.issue(key.public_key()).not_valid_after_utc)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .sign(scratch_ca.key, hashes.SHA256())
    )
    card.authenticate_admin(server_answer())
    card.write_certificate(cert)
    assert card.read_certificate() == cert
    assert any(apdu[0] == 0x10 for apdu in local.headers), "PUT DATA was not chained"
    assert any(apdu[1] == 0xC0 for apdu in local.headers), "GET DATA answer not collected"


def test_wrong_pins_count_down_to_a_block(card: PivCard) -> None:
    assert card.pin_status() == PinStatus(verified=False, retries=3)
    with pytest.raises(WrongPin) as first:
        card.verify_pin("000000")
    assert first.value.retries == 2 and "2" in str(first.value)
    with pytest.raises(WrongPin) as second:
        card.verify_pin("000000")
    assert second.value.retries == 1
    with pytest.raises(PinBlocked):
        card.verify_pin("000000")
    with pytest.raises(PinBlocked):  # the right PIN does not help any more
        card.verify_pin("123456")
    assert card.pin_status() == PinStatus(verified=False, retries=0)


def test_a_right_pin_restores_the_tries(card: PivCard) -> None:
    with pytest.raises(WrongPin):
        card.verify_pin("000000")
    card.verify_pin("123456")
    assert card.pin_status() == PinStatus(verified=True, retries=None)
    assert card.pin_status().verified  # asking costs nothing and keeps the state
    card.select()  # a new session: the bridge selects once, before the PIN
    assert card.pin_status() == PinStatus(verified=False, retries=3)


def test_malformed_pin_is_refused_before_reaching_the_card(
    card: PivCard, local: LocalTransport
) -> None:
    sent = len(local.headers)
    for pin in ("12345", "123456789", "12 345", "一二三四五六"):
        with pytest.raises(InvalidPin):
            card.verify_pin(pin)
    assert len(local.headers) == sent
    assert card.pin_status().retries == 3


def test_puk_unblocks_with_a_new_pin(card: PivCard) -> None:
    for _ in range(3):
        with pytest.raises((WrongPin, PinBlocked)):
            card.verify_pin("999999")
    with pytest.raises(WrongPuk) as wrong:
        card.reset_pin(b"00000000", "654321")
    assert wrong.value.retries == 2
    card.reset_pin(b"12345678", "654321")
    assert card.pin_status().retries == 3
    with pytest.raises(WrongPin):
        card.verify_pin("123456")
    card.verify_pin("654321")


def test_puk_blocks_after_three_wrong_tries(card: PivCard) -> None:
    for retries in (2, 1):
        with pytest.raises(WrongPuk) as wrong:
            card.reset_pin(b"00000000", "654321")
        assert wrong.value.retries == retries
    with pytest.raises(PukBlocked):
        card.reset_pin(b"00000000", "654321")
    with pytest.raises(PukBlocked):
        card.reset_pin(b"12345678", "654321")


def test_change_pin(card: PivCard) -> None:
    card.change_pin("123456", "24681357")
    with pytest.raises(WrongPin):
        card.verify_pin("123456")
    card.verify_pin("24681357")


@pytest.mark.parametrize("algorithm", [ManagementKeyAlgorithm.TDES, ManagementKeyAlgorithm.AES192])
def test_admin_challenge_is_answered_by_the_server(algorithm: ManagementKeyAlgorithm) -> None:
    secret = bytes(range(40, 64))
    piv = PivCard(LocalTransport(PivApplet(management_key=secret, management_algorithm=algorithm)))
    piv.select()
    challenge = piv.begin_admin_auth(algorithm)  # what the bridge relays to the server
    assert len(challenge.challenge) == algorithm.block_size
    with pytest.raises(AdminAuthFailed):  # an answer made with another key
        piv.finish_admin_auth(answer_challenge(algorithm, bytes(24), challenge.challenge))
    with pytest.raises(AdminAuthRequired):
        piv.generate_key()
    challenge = piv.begin_admin_auth(algorithm)
    piv.finish_admin_auth(answer_challenge(algorithm, secret, challenge.challenge))
    assert piv.generate_key()[0] is KeyAlgorithm.ECCP256


def test_a_replayed_answer_is_refused(card: PivCard) -> None:
    challenge = card.begin_admin_auth()
    answer = server_answer()(challenge)
    card.finish_admin_auth(answer)
    card.begin_admin_auth()
    with pytest.raises(AdminAuthFailed):
        card.finish_admin_auth(answer)


def test_wrong_management_algorithm_is_unsupported(card: PivCard) -> None:
    with pytest.raises(UnsupportedAlgorithm):
        card.begin_admin_auth(ManagementKeyAlgorithm.AES256)


def test_generated_ecc_key_signs_after_the_pin(card: PivCard) -> None:
    card.authenticate_admin(server_answer())
    algorithm, public_key = card.generate_key()
    assert algorithm is KeyAlgorithm.ECCP256 and isinstance(public_key, ec.EllipticCurvePublicKey)
    with pytest.raises(SecurityStatusNotSatisfied):
        card.sign(Slot.AUTHENTICATION, algorithm, b"renewal")
    card.verify_pin("123456")
    signature = card.sign(Slot.AUTHENTICATION, algorithm, b"renewal")
    public_key.verify(signature, b"renewal", ec.ECDSA(hashes.SHA256()))


def test_rsa_2048_when_the_card_has_no_ecc() -> None:
    piv = PivCard(LocalTransport(PivApplet(algorithms=(KeyAlgorithm.RSA2048,))))
    piv.select()
    piv.authenticate_admin(server_answer())
    algorithm, public_key = piv.generate_key()
    assert algorithm is KeyAlgorithm.RSA2048 and isinstance(public_key, rsa.RSAPublicKey)
    assert public_key.key_size == 2048
    piv.verify_pin("123456")
    signature = piv.sign(Slot.AUTHENTICATION, algorithm, b"renewal")
    public_key.verify(signature, b"renewal", padding.PKCS1v15(), hashes.SHA256())


def test_explicit_unsupported_algorithm() -> None:
    piv = PivCard(LocalTransport(PivApplet(algorithms=(KeyAlgorithm.RSA2048,))))
    piv.select()
    piv.authenticate_admin(server_answer())
    with pytest.raises(UnsupportedAlgorithm):
        piv.generate_key(algorithm=KeyAlgorithm.ECCP256)


def test_removal_loses_the_security_state(
    card: PivCard, local: LocalTransport, scratch_ca: ScratchCa
) -> None:
    cert = provision(card, scratch_ca)
    card.verify_pin("123456")
    local.remove()
    with pytest.raises(CardRemoved) as removed:
        card.read_certificate()
    assert "拔出" in str(removed.value)
    local.insert()
    card.select()
    assert card.read_certificate() == cert  # the old certificate stays usable
    assert not card.pin_status().verified
    with pytest.raises(AdminAuthRequired):
        card.write_certificate(cert)


def test_certificate_subject_survives_the_round_trip(card: PivCard, scratch_ca: ScratchCa) -> None:
    cert = provision(card, scratch_ca)
    read = card.read_certificate()
    assert read is not None
    assert read.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "张三"
    assert read.serial_number == cert.serial_number


class PullOutAfter:
    """Pulls the card out right after the APDU for which ``when(apdu)`` is true."""

    def __init__(self, local: LocalTransport, when: Callable[[bytes], bool]) -> None:
        self.local = local
        self.when = when

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        answer = self.local.transmit(apdu)
        if self.when(apdu):
            self.local.remove()
        return answer


def test_key_pulled_during_write_back_keeps_the_old_certificate(
    card: PivCard, local: LocalTransport, scratch_ca: ScratchCa
) -> None:
    old = provision(card, scratch_ca)
    new = scratch_ca.issue(old.public_key(), SUBJECT, days=730)
    assert len(new.public_bytes(Encoding.DER)) > 255  # PUT DATA needs two chained APDUs
    card.authenticate_admin(server_answer())
    interrupted = PivCard(PullOutAfter(local, lambda apdu: apdu[:2] == b"\x10\xdb"))
    with pytest.raises(CardRemoved):
        interrupted.write_certificate(new)
    local.insert()
    card.select()
    assert card.read_certificate() == old  # a half-sent certificate is never stored
    card.authenticate_admin(server_answer())  # the next attempt writes it
    card.write_certificate(new)
    assert card.read_certificate() == new


def test_mutual_admin_auth_proves_both_sides(card: PivCard) -> None:
    tdes, key = ManagementKeyAlgorithm.TDES, DEFAULT_MANAGEMENT_KEY
    witness = card.begin_mutual_admin_auth(tdes)  # relayed to the server
    plain, challenge = answer_witness(tdes, key, witness.challenge)  # the server's part
    card_response = card.finish_mutual_admin_auth(plain, challenge)  # relayed back
    assert card_proved(tdes, key, challenge, card_response)
    assert not card_proved(tdes, key, challenge, bytes(8))
    card.generate_key()  # the card accepted the server


def test_mutual_admin_auth_with_the_wrong_key_fails(card: PivCard) -> None:
    tdes = ManagementKeyAlgorithm.TDES
    witness = card.begin_mutual_admin_auth(tdes)
    plain, challenge = answer_witness(tdes, bytes(range(24)), witness.challenge)
    with pytest.raises(AdminAuthFailed):
        card.finish_mutual_admin_auth(plain, challenge)
    with pytest.raises(AdminAuthRequired):
        card.generate_key()
    with pytest.raises(RuntimeError):  # nothing pending any more
        card.finish_admin_auth(b"\x00" * 8)
