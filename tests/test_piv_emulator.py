"""The card emulator answers raw APDUs with the status words of SP 800-73-4."""

from __future__ import annotations

import pytest

from key_bridge.emulator.applet import PivApplet
from key_bridge.emulator.card_data import ATR, make_atr
from key_bridge.iso7816 import encode_tlv, parse_tlv, split_response, unwrap_tlv
from key_bridge.mgmkey import DEFAULT_MANAGEMENT_KEY, ManagementKeyAlgorithm, encrypt_block
from key_bridge.piv_data import PIV_AID

SELECT = bytes.fromhex("00A4040009A00000030800001000") + b"\x00"


def run(applet: PivApplet, hex_or_bytes: str | bytes) -> tuple[bytes, int]:
    raw = bytes.fromhex(hex_or_bytes) if isinstance(hex_or_bytes, str) else hex_or_bytes
    return split_response(applet.process(raw))


@pytest.fixture
def selected(applet: PivApplet) -> PivApplet:
    assert run(applet, SELECT)[1] == 0x9000
    return applet


def test_atr_check_byte() -> None:
    body = ATR[1:]
    acc = 0
    for byte in body:
        acc ^= byte
    assert acc == 0 and ATR[0] == 0x3B
    with pytest.raises(ValueError, match="historical"):
        make_atr(bytes(16))


def test_truncated_aid_selects_and_other_aids_do_not(applet: PivApplet) -> None:
    assert run(applet, "00A4040005A000000308")[1] == 0x9000
    assert run(applet, "00A4040007D2760001240102")[1] == 0x6A82  # OpenPGP
    assert run(applet, "00A40000023F00")[1] == 0x6A82  # by file id
    data, sw = run(applet, b"\x00\xa4\x04\x00\x0b" + PIV_AID)
    template = parse_tlv(unwrap_tlv(data, 0x61))
    assert sw == 0x9000 and template[0x4F] == PIV_AID[5:]


@pytest.mark.parametrize(
    ("apdu", "sw"),
    [
        ("00CB3FFF055C035FC105", 0x6D00),  # nothing selected yet
        ("80A4040005A000000308", 0x6E00),  # proprietary class
        ("00A404", 0x6700),  # shorter than a header
        ("00A4040009A000", 0x6700),  # Lc larger than the data
    ],
)
def test_status_words_before_selection(applet: PivApplet, apdu: str, sw: int) -> None:
    assert run(applet, apdu)[1] == sw


@pytest.mark.parametrize(
    ("apdu", "sw"),
    [
        ("00FD000000", 0x6D00),  # vendor command the card does not have
        ("00C0000000", 0x6985),  # GET RESPONSE with nothing pending
        ("00CB3FFF055C035FC10500", 0x6A82),  # empty certificate slot
        ("00CB0000055C035FC10500", 0x6A86),  # wrong P1-P2
        ("00CB3FFF035C01AA00", 0x6A82),
        ("00CB3FFF02AABB00", 0x6A80),  # no tag list
        ("002000810831323334353637FF", 0x6A88),  # unknown reference
        ("0020008003313233", 0x6A80),  # PIN not padded to 8 bytes
        ("00200080083132333435FFFFFF", 0x6A80),  # 5 digits
        ("0047009A05AC03800111", 0x6982),  # generation without the management key
        ("0047009B05AC03800111", 0x6A86),  # not a key slot
        ("0087119A0A7C088200810400000000", 0x6A88),  # no key in the slot
        ("00DB3FFF085C035FC105530100", 0x6982),  # PUT DATA without the management key
        ("0087039B047C028200", 0x6982),  # answer without a challenge
    ],
)
def test_status_words(selected: PivApplet, apdu: str, sw: int) -> None:
    assert run(selected, apdu)[1] == sw
    assert selected.pin.tries == 3  # none of these costs a PIN try


def test_chuid_ccc_and_discovery_objects(selected: PivApplet) -> None:
    chuid, sw = run(selected, "00CB3FFF055C035FC10200")
    assert sw == 0x9000 and len(parse_tlv(unwrap_tlv(chuid, 0x53))[0x34]) == 16
    ccc, sw = run(selected, "00CB3FFF055C035FC10700")
    assert sw == 0x9000 and parse_tlv(unwrap_tlv(ccc, 0x53))[0xF1] == b"\x21"
    discovery, sw = run(selected, "00CB3FFF035C017E00")
    assert sw == 0x9000 and parse_tlv(unwrap_tlv(discovery, 0x7E))[0x4F] == PIV_AID


def test_mutual_authentication_with_a_witness(selected: PivApplet) -> None:
    data, sw = run(selected, "0087039B047C028000")
    assert sw == 0x9000
    witness = parse_tlv(unwrap_tlv(data, 0x7C))[0x80]
    plain = selected.management_block(witness)
    host_challenge = bytes(range(8))
    body = encode_tlv(0x7C, encode_tlv(0x80, plain) + encode_tlv(0x81, host_challenge))
    data, sw = run(selected, bytes([0, 0x87, 3, 0x9B, len(body)]) + body)
    assert sw == 0x9000 and selected.admin
    card_answer = parse_tlv(unwrap_tlv(data, 0x7C))[0x82]
    tdes = ManagementKeyAlgorithm.TDES
    assert card_answer == encrypt_block(tdes, DEFAULT_MANAGEMENT_KEY, host_challenge)


def test_mutual_authentication_with_a_wrong_witness(selected: PivApplet) -> None:
    assert run(selected, "0087039B047C028000")[1] == 0x9000
    body = encode_tlv(0x7C, encode_tlv(0x80, bytes(8)) + encode_tlv(0x81, bytes(8)))
    assert run(selected, bytes([0, 0x87, 3, 0x9B, len(body)]) + body)[1] == 0x6982
    assert not selected.admin


def test_reset_drops_verification_and_admin(selected: PivApplet) -> None:
    assert run(selected, "0020008008313233343536FFFF")[1] == 0x9000
    selected.admin = True
    selected.reset()
    assert not selected.pin_verified and not selected.admin
    assert run(selected, "0020008000")[1] == 0x6D00  # must select again
    run(selected, SELECT)
    assert run(selected, "00200080")[1] == 0x63C3


def test_verify_with_p1_ff_forgets_the_pin(selected: PivApplet) -> None:
    assert run(selected, "0020008008313233343536FFFF")[1] == 0x9000
    assert run(selected, "00200080")[1] == 0x9000
    assert run(selected, "0020FF80")[1] == 0x9000
    assert run(selected, "00200080")[1] == 0x63C3


def test_extended_apdu_answers_at_once(selected: PivApplet) -> None:
    selected.objects[0x5FC108] = bytes(1000)
    data, sw = run(selected, "00CB3FFF0000055C035FC1080000")
    assert sw == 0x9000 and len(unwrap_tlv(data, 0x53)) == 1000
    data, sw = run(selected, "00CB3FFF055C035FC10800")
    assert sw == 0x6100 and len(data) == 256


def test_change_puk_then_unblock_with_it(selected: PivApplet) -> None:
    old_new = b"12345678" + b"87654321"
    assert run(selected, bytes([0, 0x24, 0, 0x81, 16]) + old_new)[1] == 0x9000
    unblock = b"12345678" + b"654321\xff\xff"
    assert run(selected, bytes([0, 0x2C, 0, 0x80, 16]) + unblock)[1] == 0x63C2
    unblock = b"87654321" + b"654321\xff\xff"
    assert run(selected, bytes([0, 0x2C, 0, 0x80, 16]) + unblock)[1] == 0x9000


def test_endless_chaining_is_cut_off(selected: PivApplet) -> None:
    part = bytes([0x10, 0xDB, 0x3F, 0xFF, 255]) + bytes(255)
    answers = {run(selected, part)[1] for _ in range(0xFFFF // 255 + 2)}
    assert answers == {0x9000, 0x6700}
