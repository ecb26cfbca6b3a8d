"""Fixed contents of the emulated card: its ATR and the identification objects (CHUID, CCC,
Discovery) that third-party middleware such as OpenSC reads to recognise a PIV card."""

from __future__ import annotations

import secrets
from functools import reduce

from key_bridge.iso7816 import encode_tlv
from key_bridge.piv_data import PIV_AID


def make_atr(historical: bytes) -> bytes:
    """An ATR offering T=0 and T=1 with ``historical`` bytes and the check byte TCK."""
    if len(historical) > 15:
        raise ValueError("at most 15 historical bytes")
    body = bytes([0x80 | len(historical), 0x80, 0x01]) + historical  # T0, TD1 (T=0), TD2 (T=1)
    tck = reduce(lambda a, b: a ^ b, body, 0)
    return b"\x3b" + body + bytes([tck])


# Category indicator 0x80 followed by a compact-TLV "card service data" and an issuer tag.
ATR = make_atr(b"\x80\x31\xc0\x45certdesk")

# A FASC-N of the all-nines test agency (25 bytes BCD-with-parity per TIG SCEPACS).
_FASC_N = bytes.fromhex("d4e739da739ced39ce739d836858210842108421c84210c3eb")


def chuid(guid: bytes | None = None) -> bytes:
    """Card Holder Unique Identifier object value (tags 0x30 FASC-N, 0x34 GUID, 0x35 expiry)."""
    guid = guid or secrets.token_bytes(16)
    return (
        encode_tlv(0x30, _FASC_N)
        + encode_tlv(0x34, guid)
        + encode_tlv(0x35, b"20351231")
        + encode_tlv(0x3E, b"")
        + encode_tlv(0xFE, b"")
    )


def ccc(card_id: bytes | None = None) -> bytes:
    """Card Capability Container object value."""
    card_id = card_id or (b"\xa0\x00\x00\x01\x16\xff\x02" + secrets.token_bytes(14))
    fields = [
        (0xF0, card_id),
        (0xF1, b"\x21"),
        (0xF2, b"\x21"),
        (0xF3, b""),
        (0xF4, b"\x00"),
        (0xF5, b"\x10"),
        (0xF6, b""),
        (0xF7, b""),
        (0xFA, b""),
        (0xFB, b""),
        (0xFC, b""),
        (0xFD, b""),
        (0xFE, b""),
    ]
    return b"".join(encode_tlv(tag, value) for tag, value in fields)


def discovery() -> bytes:
    """The Discovery Object (tag 0x7E, not wrapped in 0x53): PIV AID and PIN usage policy."""
    return encode_tlv(0x7E, encode_tlv(0x4F, PIV_AID) + encode_tlv(0x5F2F, b"\x40\x00"))


def application_template(algorithms: tuple[int, ...]) -> bytes:
    """The Application Property Template returned by SELECT."""
    algos = b"".join(encode_tlv(0x80, bytes([alg])) for alg in algorithms)
    body = (
        encode_tlv(0x4F, PIV_AID[5:])
        + encode_tlv(0x79, encode_tlv(0x4F, PIV_AID[:5]))
        + encode_tlv(0x50, b"certdesk PIV")
        + encode_tlv(0xAC, algos + encode_tlv(0x06, b""))
    )
    return encode_tlv(0x61, body)
