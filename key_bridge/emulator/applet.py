"""A PIV card application (NIST SP 800-73-4) in software, for tests and the development console.

It answers command APDUs with the status words of the specification: key pairs generated with
``cryptography``, PIN and PUK retry counters (3 by default), the management key (3DES or AES)
with challenge-response and mutual authentication, data objects (certificates, CHUID, CCC,
Discovery), command chaining and GET RESPONSE. ``power_on``/``reset`` drop the security state
exactly like a card that was pulled out and put back.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa, utils
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from key_bridge.emulator import card_data
from key_bridge.iso7816 import (
    ApduError,
    CommandApdu,
    TlvError,
    encode_tlv,
    iter_tlv,
    parse_command_apdu,
    parse_tlv,
    unwrap_tlv,
)
from key_bridge.mgmkey import (
    DEFAULT_MANAGEMENT_KEY,
    MANAGEMENT_KEY_REF,
    ManagementKeyAlgorithm,
    decrypt_block,
    encrypt_block,
)
from key_bridge.piv_data import PIN_REF, PIV_AID, PUK_REF, TAG_CCC, TAG_CHUID, KeyAlgorithm, Slot

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

SW_OK = b"\x90\x00"
SW_WRONG_LENGTH = b"\x67\x00"
SW_SECURITY = b"\x69\x82"
SW_BLOCKED = b"\x69\x83"
SW_CONDITIONS = b"\x69\x85"
SW_WRONG_DATA = b"\x6a\x80"
SW_NOT_FOUND = b"\x6a\x82"
SW_WRONG_P1P2 = b"\x6a\x86"
SW_REF_NOT_FOUND = b"\x6a\x88"
SW_INS_UNKNOWN = b"\x6d\x00"
SW_CLA_UNKNOWN = b"\x6e\x00"

DISCOVERY_TAG = 0x7E
MAX_CHAINED = 0xFFFF  # longest command accepted through chaining
DEFAULT_PIN = "123456"
DEFAULT_PUK = b"12345678"


class _Reply(Exception):
    """Ends a command early with a status word."""

    def __init__(self, sw: bytes) -> None:
        super().__init__(sw.hex())
        self.sw = sw


@dataclass
class _Reference:
    """A PIN or PUK with its retry counter."""

    value: bytes
    max_tries: int
    tries: int = field(init=False)

    def __post_init__(self) -> None:
        self.tries = self.max_tries

    def check(self, candidate: bytes) -> None:
        """Count a try; _Reply 63Cx on a mismatch, 6983 when blocked."""
        if self.tries == 0:
            raise _Reply(SW_BLOCKED)
        if not hmac.compare_digest(candidate, self.value):
            self.tries -= 1
            raise _Reply(bytes([0x63, 0xC0 | self.tries]))
        self.tries = self.max_tries


def _check_reference_format(data: bytes) -> None:
    """8 bytes: 6-8 printable ASCII then 0xFF padding (SP 800-73-4 PIN format, relaxed to ASCII)."""
    if len(data) != 8:
        raise _Reply(SW_WRONG_DATA)
    body = data.rstrip(b"\xff")
    if len(body) < 6 or any(not 0x20 < byte < 0x7F for byte in body):
        raise _Reply(SW_WRONG_DATA)


class PivApplet:
    """One emulated PIV card."""

    def __init__(
        self,
        *,
        pin: str = DEFAULT_PIN,
        puk: bytes = DEFAULT_PUK,
        management_key: bytes = DEFAULT_MANAGEMENT_KEY,
        management_algorithm: ManagementKeyAlgorithm = ManagementKeyAlgorithm.TDES,
        algorithms: tuple[KeyAlgorithm, ...] = (KeyAlgorithm.RSA2048, KeyAlgorithm.ECCP256),
        tries: int = 3,
    ) -> None:
        self.atr = card_data.ATR
        self.pin = _Reference(pin.encode("ascii").ljust(8, b"\xff"), tries)
        self.puk = _Reference(puk.ljust(8, b"\xff"), tries)
        self.management_key = management_key
        self.management_algorithm = management_algorithm
        self.algorithms = algorithms
        self.keys: dict[int, PrivateKey] = {}
        self.objects: dict[int, bytes] = {
            TAG_CHUID: card_data.chuid(),
            TAG_CCC: card_data.ccc(),
            DISCOVERY_TAG: card_data.discovery(),
        }
        self.reset()

    # -- session state ------------------------------------------------------------------------

    def reset(self) -> None:
        """Power-on / warm reset: nothing selected, nothing verified, nothing pending."""
        self.selected = False
        self.pin_verified = False
        self.admin = False
        self._challenge: bytes | None = None  # expected answer to our challenge
        self._witness: bytes | None = None
        self._chain: tuple[tuple[int, int, int], bytearray] | None = None
        self._pending = b""

    power_on = reset

    # -- APDU processing -------------------------------------------------------------------------

    def process(self, raw: bytes) -> bytes:
        """Answer one command APDU (data + SW1 SW2)."""
        try:
            apdu = parse_command_apdu(raw)
        except ApduError:
            return SW_WRONG_LENGTH
        if apdu.cla & ~0x10 != 0x00:
            return SW_CLA_UNKNOWN
        if apdu.ins == 0xC0:
            return self._get_response(apdu)
        self._pending = b""
        key = (apdu.ins, apdu.p1, apdu.p2)
        if apdu.chained:
            if self._chain is None or self._chain[0] != key:
                self._chain = (key, bytearray())
            self._chain[1].extend(apdu.data)
            if len(self._chain[1]) > MAX_CHAINED:
                self._chain = None
                return SW_WRONG_LENGTH
            return SW_OK
        if self._chain is not None and self._chain[0] == key:
            data = bytes(self._chain[1]) + apdu.data
            apdu = CommandApdu(apdu.cla, apdu.ins, apdu.p1, apdu.p2, data, apdu.le, apdu.extended)
        self._chain = None
        try:
            answer = self._dispatch(apdu)
        except _Reply as reply:
            return reply.sw
        except (TlvError, KeyError, ValueError):
            return SW_WRONG_DATA
        return self._respond(answer, apdu)

    def _respond(self, answer: bytes, apdu: CommandApdu) -> bytes:
        limit = apdu.le if apdu.le is not None else 256
        if apdu.extended or len(answer) <= limit:
            return answer + SW_OK
        self._pending = answer[limit:]
        return answer[:limit] + bytes([0x61, min(len(self._pending), 256) % 256])

    def _get_response(self, apdu: CommandApdu) -> bytes:
        if not self._pending:
            return SW_CONDITIONS
        limit = apdu.le or 256
        chunk, self._pending = self._pending[:limit], self._pending[limit:]
        if self._pending:
            return chunk + bytes([0x61, min(len(self._pending), 256) % 256])
        return chunk + SW_OK

    def _dispatch(self, apdu: CommandApdu) -> bytes:
        if apdu.ins == 0xA4:
            return self._select(apdu)
        if not self.selected:
            raise _Reply(SW_INS_UNKNOWN)
        handlers = {
            0xCB: self._get_data,
            0xDB: self._put_data,
            0x20: self._verify,
            0x24: self._change_reference,
            0x2C: self._reset_retry_counter,
            0x47: self._generate,
            0x87: self._general_authenticate,
        }
        handler = handlers.get(apdu.ins)
        if handler is None:
            raise _Reply(SW_INS_UNKNOWN)
        return handler(apdu)

    # -- commands -----------------------------------------------------------------------------

    def _select(self, apdu: CommandApdu) -> bytes:
        if apdu.p1 != 0x04:
            raise _Reply(SW_NOT_FOUND)
        if len(apdu.data) < 5 or not PIV_AID.startswith(apdu.data):
            raise _Reply(SW_NOT_FOUND)
        self.reset()  # (re)selecting starts a new session: nothing verified
        self.selected = True
        return card_data.application_template(tuple(self.algorithms))

    def _object_tag(self, apdu: CommandApdu, tag_id: bytes) -> int:
        if (apdu.p1, apdu.p2) != (0x3F, 0xFF):
            raise _Reply(SW_WRONG_P1P2)
        if len(tag_id) not in (1, 3):
            raise _Reply(SW_WRONG_DATA)
        return int.from_bytes(tag_id, "big")

    def _get_data(self, apdu: CommandApdu) -> bytes:
        tag = self._object_tag(apdu, unwrap_tlv(apdu.data, 0x5C))
        if tag not in self.objects:
            raise _Reply(SW_NOT_FOUND)
        if tag == DISCOVERY_TAG:
            return self.objects[tag]
        return encode_tlv(0x53, self.objects[tag])

    def _put_data(self, apdu: CommandApdu) -> bytes:
        items = list(iter_tlv(apdu.data))
        if len(items) != 2 or items[0].tag != 0x5C:
            raise _Reply(SW_WRONG_DATA)
        tag = self._object_tag(apdu, items[0].value)
        if not self.admin:
            raise _Reply(SW_SECURITY)
        wrapper = DISCOVERY_TAG if tag == DISCOVERY_TAG else 0x53
        if items[1].tag != wrapper:
            raise _Reply(SW_WRONG_DATA)
        if tag == DISCOVERY_TAG:
            self.objects[tag] = encode_tlv(DISCOVERY_TAG, items[1].value)
        elif items[1].value:
            self.objects[tag] = items[1].value
        else:
            self.objects.pop(tag, None)
        return b""

    def _reference(self, p2: int) -> _Reference:
        if p2 == PIN_REF:
            return self.pin
        if p2 == PUK_REF:
            return self.puk
        raise _Reply(SW_REF_NOT_FOUND)

    def _verify(self, apdu: CommandApdu) -> bytes:
        if apdu.p2 != PIN_REF:
            raise _Reply(SW_REF_NOT_FOUND)
        if apdu.p1 == 0xFF and not apdu.data:  # reset the security status of the PIN
            self.pin_verified = False
            return b""
        if apdu.p1 != 0x00:
            raise _Reply(SW_WRONG_P1P2)
        if not apdu.data:
            if self.pin_verified:
                return b""
            if self.pin.tries == 0:
                raise _Reply(SW_BLOCKED)
            raise _Reply(bytes([0x63, 0xC0 | self.pin.tries]))
        _check_reference_format(apdu.data)
        self.pin_verified = False
        self.pin.check(apdu.data)
        self.pin_verified = True
        return b""

    def _change_reference(self, apdu: CommandApdu) -> bytes:
        reference = self._reference(apdu.p2)
        if apdu.p1 != 0x00 or len(apdu.data) != 16:
            raise _Reply(SW_WRONG_DATA)
        old, new = apdu.data[:8], apdu.data[8:]
        _check_reference_format(new)
        reference.check(old)
        reference.value = new
        return b""

    def _reset_retry_counter(self, apdu: CommandApdu) -> bytes:
        if apdu.p2 != PIN_REF:
            raise _Reply(SW_REF_NOT_FOUND)
        if apdu.p1 != 0x00 or len(apdu.data) != 16:
            raise _Reply(SW_WRONG_DATA)
        puk, new_pin = apdu.data[:8], apdu.data[8:]
        _check_reference_format(new_pin)
        self.puk.check(puk)
        self.pin.value = new_pin
        self.pin.tries = self.pin.max_tries
        self.pin_verified = False
        return b""

    def _generate(self, apdu: CommandApdu) -> bytes:
        if apdu.p1 != 0x00 or apdu.p2 not in set(Slot):
            raise _Reply(SW_WRONG_P1P2)
        if not self.admin:
            raise _Reply(SW_SECURITY)
        control = parse_tlv(unwrap_tlv(apdu.data, 0xAC))
        algorithm = control[0x80]
        if len(algorithm) != 1 or algorithm[0] not in self.algorithms:
            raise _Reply(SW_WRONG_DATA)
        if algorithm[0] == KeyAlgorithm.ECCP256:
            ec_key = ec.generate_private_key(ec.SECP256R1())
            self.keys[apdu.p2] = ec_key
            point = ec_key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
            return encode_tlv(0x7F49, encode_tlv(0x86, point))
        rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.keys[apdu.p2] = rsa_key
        numbers = rsa_key.public_key().public_numbers()
        body = encode_tlv(0x81, numbers.n.to_bytes(256, "big")) + encode_tlv(
            0x82, numbers.e.to_bytes(3, "big")
        )
        return encode_tlv(0x7F49, body)

    def _general_authenticate(self, apdu: CommandApdu) -> bytes:
        fields = parse_tlv(unwrap_tlv(apdu.data, 0x7C))
        if apdu.p2 == MANAGEMENT_KEY_REF:
            return self._management_auth(apdu.p1, fields)
        if apdu.p2 not in set(Slot):
            raise _Reply(SW_REF_NOT_FOUND)
        key = self.keys.get(apdu.p2)
        if key is None:
            raise _Reply(SW_REF_NOT_FOUND)
        if apdu.p2 != Slot.CARD_AUTHENTICATION and not self.pin_verified:
            raise _Reply(SW_SECURITY)
        if fields.get(0x82) != b"" or 0x81 not in fields:
            raise _Reply(SW_WRONG_DATA)
        return encode_tlv(0x7C, encode_tlv(0x82, _private_operation(key, apdu.p1, fields[0x81])))

    def _management_auth(self, algorithm: int, fields: dict[int, bytes]) -> bytes:
        if algorithm != self.management_algorithm:
            raise _Reply(SW_WRONG_P1P2)
        alg, key = self.management_algorithm, self.management_key
        if fields.get(0x81) == b"" and len(fields) == 1:  # host asks for a challenge
            challenge = secrets.token_bytes(alg.block_size)
            self._challenge = encrypt_block(alg, key, challenge)
            self.admin = False
            return encode_tlv(0x7C, encode_tlv(0x81, challenge))
        if 0x82 in fields and len(fields) == 1:  # host's answer to our challenge
            expected, self._challenge = self._challenge, None
            if expected is None or not hmac.compare_digest(expected, fields[0x82]):
                raise _Reply(SW_SECURITY)
            self.admin = True
            return b""
        if fields.get(0x80) == b"" and len(fields) == 1:  # mutual: host asks for a witness
            self._witness = secrets.token_bytes(alg.block_size)
            self.admin = False
            return encode_tlv(0x7C, encode_tlv(0x80, encrypt_block(alg, key, self._witness)))
        if 0x80 in fields and 0x81 in fields:  # mutual: decrypted witness + host challenge
            witness, self._witness = self._witness, None
            if witness is None or not hmac.compare_digest(witness, fields[0x80]):
                raise _Reply(SW_SECURITY)
            if len(fields[0x81]) != alg.block_size:
                raise _Reply(SW_WRONG_DATA)
            self.admin = True
            return encode_tlv(0x7C, encode_tlv(0x82, encrypt_block(alg, key, fields[0x81])))
        raise _Reply(SW_WRONG_DATA)

    # -- helpers for tests and the development console ---------------------------------------

    def management_block(self, block: bytes) -> bytes:
        """Decrypt one block with the management key (what the key holder does for a witness)."""
        return decrypt_block(self.management_algorithm, self.management_key, block)


def _private_operation(key: PrivateKey, algorithm: int, block: bytes) -> bytes:
    """The card's raw private-key operation on a prepared block (digest or padded block)."""
    if isinstance(key, ec.EllipticCurvePrivateKey):
        if algorithm != KeyAlgorithm.ECCP256 or len(block) != 32:
            raise _Reply(SW_WRONG_DATA)
        return key.sign(block, ec.ECDSA(utils.Prehashed(hashes.SHA256())))
    if algorithm != KeyAlgorithm.RSA2048 or len(block) != 256:
        raise _Reply(SW_WRONG_DATA)
    numbers = key.private_numbers()
    modulus = numbers.public_numbers.n
    value = int.from_bytes(block, "big")
    if value >= modulus:
        raise _Reply(SW_WRONG_DATA)
    return pow(value, numbers.d, modulus).to_bytes(256, "big")
