"""ISO/IEC 7816-4 building blocks shared by the PIV commands, the CSR encoder and the card
emulator: BER-TLV encoding/decoding (also DER, its strict subset) and command APDU parsing.

Parsers here read bytes that come from outside (a card, a reader, a host): every malformed
input raises :class:`TlvError` or :class:`ApduError`, never anything else.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


class TlvError(ValueError):
    """Malformed BER-TLV data."""


class ApduError(ValueError):
    """Malformed command APDU."""


def encode_length(length: int) -> bytes:
    """Definite-length encoding of ``length`` (short form below 128, long form above)."""
    if length < 0:
        raise ValueError("negative length")
    if length < 0x80:
        return bytes([length])
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def tag_bytes(tag: int) -> bytes:
    """The encoded bytes of a tag given as an integer (0x53, 0x7F49, 0x5FC105)."""
    if tag < 0:
        raise ValueError("negative tag")
    return tag.to_bytes(max(1, (tag.bit_length() + 7) // 8), "big")


def encode_tlv(tag: int, value: bytes) -> bytes:
    """One TLV: tag, definite length, value."""
    return tag_bytes(tag) + encode_length(len(value)) + value


def _read_tag(data: bytes, pos: int) -> tuple[int, bool, int]:
    """Tag at ``pos``: (tag as int, constructed?, position after the tag)."""
    if pos >= len(data):
        raise TlvError("truncated tag")
    first = data[pos]
    tag = first
    pos += 1
    if first & 0x1F == 0x1F:  # multi-byte tag: continuation bytes have bit 8 set
        while True:
            if pos >= len(data):
                raise TlvError("truncated multi-byte tag")
            byte = data[pos]
            tag = (tag << 8) | byte
            pos += 1
            if not byte & 0x80:
                break
            if tag > 0xFFFFFFFF:
                raise TlvError("tag longer than 4 bytes")
    return tag, bool(first & 0x20), pos


def _read_length(data: bytes, pos: int) -> tuple[int, int]:
    if pos >= len(data):
        raise TlvError("truncated length")
    first = data[pos]
    pos += 1
    if first < 0x80:
        return first, pos
    count = first & 0x7F
    if count == 0 or count > 3:
        raise TlvError("unsupported length encoding")
    if pos + count > len(data):
        raise TlvError("truncated length")
    return int.from_bytes(data[pos : pos + count], "big"), pos + count


@dataclass(frozen=True, slots=True)
class Tlv:
    """One decoded TLV element."""

    tag: int
    value: bytes
    constructed: bool


def iter_tlv(data: bytes) -> Iterator[Tlv]:
    """Decode a sequence of TLVs that fills ``data`` exactly (padding 0x00/0xFF is refused)."""
    pos = 0
    while pos < len(data):
        tag, constructed, pos = _read_tag(data, pos)
        length, pos = _read_length(data, pos)
        end = pos + length
        if end > len(data):
            raise TlvError(f"value of tag {tag:X} runs past the end ({length} bytes announced)")
        yield Tlv(tag, data[pos:end], constructed)
        pos = end


def parse_tlv(data: bytes) -> dict[int, bytes]:
    """Decode a TLV sequence into {tag: value}; a repeated tag is an error."""
    result: dict[int, bytes] = {}
    for item in iter_tlv(data):
        if item.tag in result:
            raise TlvError(f"tag {item.tag:X} repeated")
        result[item.tag] = item.value
    return result


def unwrap_tlv(data: bytes, tag: int) -> bytes:
    """The value of a single TLV ``tag`` that makes up all of ``data``."""
    items = list(iter_tlv(data))
    if len(items) != 1 or items[0].tag != tag:
        raise TlvError(f"expected one TLV with tag {tag:X}")
    return items[0].value


@dataclass(frozen=True, slots=True)
class CommandApdu:
    """A decoded command APDU; ``le`` is None when absent (65536/256 stand for 'all')."""

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None
    extended: bool = False

    @property
    def chained(self) -> bool:
        """True when the command-chaining bit of CLA says more parts follow."""
        return bool(self.cla & 0x10)

    def encode(self) -> bytes:
        """Encode as a short APDU, or extended when data or Le need it."""
        header = bytes([self.cla, self.ins, self.p1, self.p2])
        extended = self.extended or len(self.data) > 255 or (self.le or 0) > 256
        if len(self.data) > 65535 or (self.le or 0) > 65536:
            raise ApduError("APDU too long")
        body = b""
        if extended:
            if self.data:
                body = b"\x00" + len(self.data).to_bytes(2, "big") + self.data
            if self.le is not None:
                le = (self.le % 65536).to_bytes(2, "big")
                body += le if self.data else b"\x00" + le
        else:
            if self.data:
                body = bytes([len(self.data)]) + self.data
            if self.le is not None:
                body += bytes([self.le % 256])
        return header + body


def parse_command_apdu(raw: bytes) -> CommandApdu:
    """Decode a command APDU of any ISO 7816-4 case, short or extended."""
    if len(raw) < 4:
        raise ApduError("APDU shorter than its header")
    cla, ins, p1, p2 = raw[:4]
    body = raw[4:]
    if not body:  # case 1
        return CommandApdu(cla, ins, p1, p2)
    if len(body) == 1:  # case 2 short
        return CommandApdu(cla, ins, p1, p2, le=body[0] or 256)
    if body[0] != 0:  # case 3/4 short
        lc = body[0]
        if len(body) == 1 + lc:
            return CommandApdu(cla, ins, p1, p2, body[1:])
        if len(body) == 2 + lc:
            return CommandApdu(cla, ins, p1, p2, body[1 : 1 + lc], le=body[-1] or 256)
        raise ApduError("Lc does not match the APDU length")
    # extended forms start with 0x00
    if len(body) == 3:  # case 2 extended
        return CommandApdu(
            cla, ins, p1, p2, le=int.from_bytes(body[1:3], "big") or 65536, extended=True
        )
    if len(body) < 3:
        raise ApduError("truncated extended length")
    lc = int.from_bytes(body[1:3], "big")
    if lc == 0:
        raise ApduError("extended Lc of zero")
    if len(body) == 3 + lc:
        return CommandApdu(cla, ins, p1, p2, body[3:], extended=True)
    if len(body) == 5 + lc:
        le = int.from_bytes(body[-2:], "big") or 65536
        return CommandApdu(cla, ins, p1, p2, body[3 : 3 + lc], le=le, extended=True)
    raise ApduError("extended Lc does not match the APDU length")


def split_response(raw: bytes) -> tuple[bytes, int]:
    """Split a response APDU into (data, status word)."""
    if len(raw) < 2:
        raise ApduError("response shorter than a status word")
    return raw[:-2], int.from_bytes(raw[-2:], "big")
