"""Property-based tests of the parsers that read bytes from outside: BER-TLV, command APDUs,
card answers (PIV host side) and host commands (emulator side)."""

from __future__ import annotations

import contextlib
import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from key_bridge.emulator.applet import PivApplet
from key_bridge.errors import BadCardData, BridgeError
from key_bridge.iso7816 import (
    ApduError,
    CommandApdu,
    TlvError,
    encode_tlv,
    iter_tlv,
    parse_command_apdu,
    split_response,
)
from key_bridge.piv import PivCard
from key_bridge.piv_data import (
    KeyAlgorithm,
    Slot,
    decode_certificate_object,
    decode_public_key,
    encode_certificate_object,
)

# Tags as PIV uses them: one byte (low five bits not all set) or 0x5F/0x7F + one byte.
single_tags = st.integers(0, 0xFF).filter(lambda t: t & 0x1F != 0x1F)
two_byte_tags = st.builds(
    lambda first, second: (first << 8) | second, st.sampled_from([0x5F, 0x7F]), st.integers(0, 0x7F)
)
tags = st.one_of(single_tags, two_byte_tags)


@given(st.lists(st.tuples(tags, st.binary(max_size=400)), max_size=6))
def test_tlv_round_trip(items: list[tuple[int, bytes]]) -> None:
    encoded = b"".join(encode_tlv(tag, value) for tag, value in items)
    assert [(item.tag, item.value) for item in iter_tlv(encoded)] == items


@given(st.binary(max_size=300))
def test_tlv_parser_only_raises_tlv_error(data: bytes) -> None:
    try:
        items = list(iter_tlv(data))
    except TlvError:
        return
    assert sum(len(item.value) for item in items) <= len(data)


@given(
    st.integers(0, 0xFF),
    st.integers(0, 0xFF),
    st.integers(0, 0xFF),
    st.integers(0, 0xFF),
    st.binary(max_size=600),
    st.one_of(st.none(), st.integers(1, 65536)),
)
def test_command_apdu_round_trip(
    cla: int, ins: int, p1: int, p2: int, data: bytes, le: int | None
) -> None:
    apdu = CommandApdu(cla, ins, p1, p2, data, le)
    parsed = parse_command_apdu(apdu.encode())
    assert (parsed.cla, parsed.ins, parsed.p1, parsed.p2, parsed.data) == (cla, ins, p1, p2, data)
    assert parsed.le == le


@given(st.binary(max_size=300))
def test_apdu_parser_only_raises_apdu_error(raw: bytes) -> None:
    with contextlib.suppress(ApduError):
        parse_command_apdu(raw)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.binary(max_size=300), max_size=8))
def test_emulator_answers_every_apdu_with_a_status_word(
    applet: PivApplet, commands: list[bytes]
) -> None:
    applet.process(bytes.fromhex("00A4040005A000000308"))
    for raw in commands:
        answer = applet.process(raw)
        _data, sw = split_response(answer)
        assert sw >> 8 in {0x90, 0x61, 0x63, 0x67, 0x69, 0x6A, 0x6D, 0x6E}
    assert applet.pin.tries >= 0 and applet.puk.tries >= 0


@pytest.mark.parametrize("algorithm", list(KeyAlgorithm))
@given(st.binary(max_size=400))
def test_public_key_template_decoder(algorithm: KeyAlgorithm, data: bytes) -> None:
    with contextlib.suppress(BridgeError):
        decode_public_key(data, algorithm)


@given(st.binary(max_size=400))
def test_certificate_object_decoder(data: bytes) -> None:
    with contextlib.suppress(BridgeError):
        decode_certificate_object(data)


class ScriptedCard:
    """A 'card' that answers with whatever the test draws."""

    def __init__(self, answers: list[tuple[bytes, int]]) -> None:
        self.answers = answers

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        if not self.answers:
            return b"", 0x6F00
        return self.answers.pop(0)


answers = st.lists(
    st.tuples(
        st.binary(max_size=120),
        st.one_of(
            st.sampled_from([0x9000, 0x6A82, 0x6982, 0x6983, 0x63C1, 0x6100, 0x6110, 0x6C08]),
            st.integers(0, 0xFFFF),
        ),
    ),
    max_size=6,
)


@settings(max_examples=200)
@given(
    answers, st.sampled_from(["select", "read", "status", "verify", "generate", "sign", "admin"])
)
def test_host_survives_any_card_answer(script: list[tuple[bytes, int]], command: str) -> None:
    card = PivCard(ScriptedCard(script))
    calls = {
        "select": card.select,
        "read": card.read_certificate,
        "status": card.pin_status,
        "verify": lambda: card.verify_pin("123456"),
        "generate": lambda: card.generate_key(algorithm=KeyAlgorithm.ECCP256),
        "sign": lambda: card.sign(Slot.AUTHENTICATION, KeyAlgorithm.ECCP256, b"x"),
        "admin": card.begin_admin_auth,
    }
    with contextlib.suppress(BridgeError):
        calls[command]()


_CA_KEY = ec.generate_private_key(ec.SECP256R1())
_NAME = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "张三")])
_CERT = (
    x509.CertificateBuilder()
    .subject_name(_NAME)
    .issuer_name(_NAME)
    .public_key(_CA_KEY.public_key())
    .serial_number(1)
    .not_valid_before(datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    .not_valid_after(datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC))
    .sign(_CA_KEY, hashes.SHA256())
)
_OBJECT = encode_certificate_object(_CERT)


@pytest.mark.filterwarnings(
    "ignore:Parsed a serial number:cryptography.utils.CryptographyDeprecationWarning"
)
@settings(max_examples=300)
@given(st.integers(0, len(_OBJECT) - 1), st.integers(1, 255))
def test_damaged_certificate_object_is_bad_card_data(position: int, delta: int) -> None:
    damaged = bytearray(_OBJECT)
    damaged[position] = (damaged[position] + delta) % 256
    with contextlib.suppress(BridgeError):  # anything else escaping is a bug
        decode_certificate_object(bytes(damaged))


class EndlessCard:
    """Always says 'more data available'."""

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        return bytes(256), 0x6100


def test_an_answer_that_never_ends_is_bad_card_data() -> None:
    with pytest.raises(BadCardData):
        PivCard(EndlessCard()).read_certificate()
