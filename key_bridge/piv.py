"""PIV card commands (NIST SP 800-73-4) over any :class:`Transport`.

Everything the bridge asks of a USB Key lives here: select the application, read and write the
certificate of a slot, verify the PIN, generate a key pair on the card, sign on the card with
GENERAL AUTHENTICATE, authenticate with the management key by relaying the card's challenge to
the server, and reset the PIN with the PUK. Long commands are chained (CLA bit 0x10) and long
answers collected with GET RESPONSE (SW 61xx). Error status words become typed errors from
:mod:`key_bridge.errors`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from key_bridge.errors import (
    AdminAuthFailed,
    AdminAuthRequired,
    BadCardData,
    CardStatusError,
    NotPiv,
    PinBlocked,
    PukBlocked,
    SecurityStatusNotSatisfied,
    UnsupportedAlgorithm,
    WrongPin,
    WrongPuk,
)
from key_bridge.iso7816 import (
    CommandApdu,
    TlvError,
    encode_tlv,
    iter_tlv,
    parse_tlv,
    tag_bytes,
    unwrap_tlv,
)
from key_bridge.mgmkey import MANAGEMENT_KEY_REF, ManagementKeyAlgorithm
from key_bridge.piv_data import (
    PIN_REF,
    PIV_AID,
    PUK_REF,
    KeyAlgorithm,
    PublicKey,
    Slot,
    decode_certificate_object,
    decode_public_key,
    encode_certificate_object,
    encode_pin,
    encode_puk,
    pkcs1v15_sha256_block,
)

INS_SELECT = 0xA4
INS_GET_DATA = 0xCB
INS_PUT_DATA = 0xDB
INS_VERIFY = 0x20
INS_CHANGE_REFERENCE = 0x24
INS_RESET_RETRY = 0x2C
INS_GENERATE = 0x47
INS_GENERAL_AUTHENTICATE = 0x87
INS_GET_RESPONSE = 0xC0

SW_OK = 0x9000
SW_SECURITY = 0x6982
SW_BLOCKED = 0x6983
SW_NOT_FOUND = 0x6A82

MAX_SHORT_DATA = 255
MAX_RESPONSE = 0x10000  # no PIV answer is longer than a 64 KB data object


class Transport(Protocol):
    """Sends one command APDU and returns (response data, status word)."""

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        """Exchange one APDU with the card."""
        ...


@dataclass(frozen=True, slots=True)
class PivInfo:
    """What SELECT tells about the application; ``algorithms`` empty when the card is silent."""

    algorithms: frozenset[int]

    def supports(self, algorithm: KeyAlgorithm) -> bool:
        """True unless the card listed its algorithms and this one is not among them."""
        return not self.algorithms or algorithm in self.algorithms


@dataclass(frozen=True, slots=True)
class PinStatus:
    """PIN state; ``retries`` is None when the PIN is already verified in this session."""

    verified: bool
    retries: int | None


@dataclass(frozen=True, slots=True)
class AdminChallenge:
    """A management-key challenge to relay to the server, which answers it with the key."""

    algorithm: ManagementKeyAlgorithm
    challenge: bytes


def _status_error(sw: int) -> Exception:
    if sw in (SW_SECURITY, 0x6300):
        return SecurityStatusNotSatisfied(sw)
    return CardStatusError(sw)


class PivCard:
    """A PIV application on one card, reached through ``transport``."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self.info = PivInfo(frozenset())  # what the last SELECT said
        self._pending_admin: ManagementKeyAlgorithm | None = None

    # -- APDU exchange -------------------------------------------------------------------------

    def send(
        self, ins: int, p1: int, p2: int, data: bytes = b"", le: int | None = None
    ) -> tuple[bytes, int]:
        """Send a command (chained when longer than one short APDU); collect 61xx answers."""
        chunks = [data[i : i + MAX_SHORT_DATA] for i in range(0, len(data), MAX_SHORT_DATA)]
        chunks = chunks or [b""]
        for chunk in chunks[:-1]:
            _, sw = self.transport.transmit(CommandApdu(0x10, ins, p1, p2, chunk).encode())
            if sw != SW_OK:
                return b"", sw
        apdu = CommandApdu(0x00, ins, p1, p2, chunks[-1], le)
        answer, sw = self.transport.transmit(apdu.encode())
        if sw >> 8 == 0x6C:  # wrong Le: the card says how many bytes it has
            apdu = CommandApdu(0x00, ins, p1, p2, chunks[-1], (sw & 0xFF) or 256)
            answer, sw = self.transport.transmit(apdu.encode())
        collected = bytearray(answer)
        while sw >> 8 == 0x61:
            if len(collected) > MAX_RESPONSE:
                raise BadCardData("the card's answer does not end")
            more = CommandApdu(0x00, INS_GET_RESPONSE, 0, 0, le=(sw & 0xFF) or 256)
            answer, sw = self.transport.transmit(more.encode())
            collected += answer
        return bytes(collected), sw

    # -- application -----------------------------------------------------------------------------

    def select(self) -> PivInfo:
        """Select the PIV application; NotPiv when the card has none.

        Cards may drop the PIN and management-key status on SELECT: select once, first.
        """
        answer, sw = self.send(INS_SELECT, 0x04, 0x00, PIV_AID, le=256)
        if sw != SW_OK:
            raise NotPiv(sw)
        algorithms: set[int] = set()
        try:
            template = parse_tlv(unwrap_tlv(answer, 0x61)) if answer else {}
            for item in iter_tlv(template.get(0xAC, b"")):
                if item.tag == 0x80 and len(item.value) == 1:
                    algorithms.add(item.value[0])
        except TlvError:
            algorithms.clear()  # a card with an odd template is still a PIV card
        self.info = PivInfo(frozenset(algorithms))
        return self.info

    def read_object(self, tag: int) -> bytes | None:
        """Value of a data object (inside its 0x53 wrapper), None when the card has none."""
        answer, sw = self.send(INS_GET_DATA, 0x3F, 0xFF, encode_tlv(0x5C, tag_bytes(tag)), le=256)
        if sw == SW_NOT_FOUND:
            return None
        if sw != SW_OK:
            raise _status_error(sw)
        try:
            return unwrap_tlv(answer, 0x53)
        except TlvError as exc:
            raise BadCardData(f"data object {tag:X}: {exc}") from exc

    def write_object(self, tag: int, content: bytes) -> None:
        """Replace a data object (needs the management key authentication)."""
        data = encode_tlv(0x5C, tag_bytes(tag)) + encode_tlv(0x53, content)
        _, sw = self.send(INS_PUT_DATA, 0x3F, 0xFF, data)
        if sw == SW_SECURITY:
            raise AdminAuthRequired(sw)
        if sw != SW_OK:
            raise _status_error(sw)

    def read_certificate(self, slot: Slot = Slot.AUTHENTICATION) -> x509.Certificate | None:
        """The certificate of ``slot``, None when the slot holds none."""
        content = self.read_object(slot.object_tag)
        if content is None:
            return None
        return decode_certificate_object(content)

    def write_certificate(self, cert: x509.Certificate, slot: Slot = Slot.AUTHENTICATION) -> None:
        """Write ``cert`` into ``slot`` (needs the management key authentication)."""
        self.write_object(slot.object_tag, encode_certificate_object(cert))

    # -- PIN and PUK ------------------------------------------------------------------------------

    def pin_status(self) -> PinStatus:
        """Ask the card whether the PIN is verified and how many tries are left (no try used)."""
        _, sw = self.send(INS_VERIFY, 0x00, PIN_REF)
        if sw == SW_OK:
            return PinStatus(verified=True, retries=None)
        if sw == SW_BLOCKED:
            return PinStatus(verified=False, retries=0)
        if sw & 0xFFF0 == 0x63C0:
            return PinStatus(verified=False, retries=sw & 0x0F)
        raise _status_error(sw)

    def verify_pin(self, pin: str) -> None:
        """Verify the PIN: WrongPin(retries) or PinBlocked when refused."""
        _, sw = self.send(INS_VERIFY, 0x00, PIN_REF, encode_pin(pin))
        _raise_for_reference(sw, WrongPin, PinBlocked)

    def change_pin(self, old_pin: str, new_pin: str) -> None:
        """Change the PIN (the old PIN counts as a try)."""
        data = encode_pin(old_pin) + encode_pin(new_pin)
        _, sw = self.send(INS_CHANGE_REFERENCE, 0x00, PIN_REF, data)
        _raise_for_reference(sw, WrongPin, PinBlocked)

    def reset_pin(self, puk: bytes, new_pin: str) -> None:
        """Unblock: RESET RETRY COUNTER with the PUK sets a new PIN and restores its tries."""
        data = encode_puk(puk) + encode_pin(new_pin)
        _, sw = self.send(INS_RESET_RETRY, 0x00, PIN_REF, data)
        _raise_for_reference(sw, WrongPuk, PukBlocked)

    def change_puk(self, old_puk: bytes, new_puk: bytes) -> None:
        """Replace the PUK (CHANGE REFERENCE DATA; the old PUK counts as a try)."""
        data = encode_puk(old_puk) + encode_puk(new_puk)
        _, sw = self.send(INS_CHANGE_REFERENCE, 0x00, PUK_REF, data)
        _raise_for_reference(sw, WrongPuk, PukBlocked)

    # -- management key ----------------------------------------------------------------------

    def _admin_exchange(self, algorithm: ManagementKeyAlgorithm, fields: bytes) -> dict[int, bytes]:
        """One GENERAL AUTHENTICATE step with the management key; the answer's 0x7C fields."""
        request = encode_tlv(0x7C, fields)
        answer, sw = self.send(
            INS_GENERAL_AUTHENTICATE, algorithm, MANAGEMENT_KEY_REF, request, 256
        )
        if sw in (0x6A80, 0x6A86):
            raise UnsupportedAlgorithm(sw)
        if sw != SW_OK:
            raise AdminAuthFailed(sw)
        try:
            return parse_tlv(unwrap_tlv(answer, 0x7C)) if answer else {}
        except TlvError as exc:
            raise BadCardData(f"management key answer: {exc}") from exc

    def _admin_block(self, algorithm: ManagementKeyAlgorithm, tag: int) -> AdminChallenge:
        block = self._admin_exchange(algorithm, encode_tlv(tag, b"")).get(tag, b"")
        if len(block) != algorithm.block_size:
            raise BadCardData("management key block of the wrong length")
        self._pending_admin = algorithm
        return AdminChallenge(algorithm, block)

    def _take_pending(self) -> ManagementKeyAlgorithm:
        algorithm, self._pending_admin = self._pending_admin, None
        if algorithm is None:
            raise RuntimeError("management key authentication was not begun")
        return algorithm

    def begin_admin_auth(
        self, algorithm: ManagementKeyAlgorithm = ManagementKeyAlgorithm.TDES
    ) -> AdminChallenge:
        """Ask the card for a management-key challenge (to relay to the server)."""
        return self._admin_block(algorithm, 0x81)

    def finish_admin_auth(self, response: bytes) -> None:
        """Give the card the server's answer to the pending challenge; AdminAuthFailed if wrong."""
        self._admin_exchange(self._take_pending(), encode_tlv(0x82, response))

    def begin_mutual_admin_auth(
        self, algorithm: ManagementKeyAlgorithm = ManagementKeyAlgorithm.TDES
    ) -> AdminChallenge:
        """Mutual authentication, step 1: the card's encrypted witness (to relay to the server)."""
        return self._admin_block(algorithm, 0x80)

    def finish_mutual_admin_auth(self, witness: bytes, challenge: bytes) -> bytes:
        """Step 2: relay the server's decrypted witness and its own challenge; returns the card's
        encrypted challenge, which the server checks to know it talks to its own Key."""
        fields = encode_tlv(0x80, witness) + encode_tlv(0x81, challenge)
        response = self._admin_exchange(self._take_pending(), fields).get(0x82, b"")
        if not response:
            raise BadCardData("mutual authentication without the card's answer")
        return response

    def authenticate_admin(
        self,
        answer: Callable[[AdminChallenge], bytes],
        algorithm: ManagementKeyAlgorithm = ManagementKeyAlgorithm.TDES,
    ) -> None:
        """Run the whole challenge-response, ``answer`` being the relay to the key holder."""
        challenge = self.begin_admin_auth(algorithm)
        self.finish_admin_auth(answer(challenge))

    # -- keys and signatures -----------------------------------------------------------------------

    def generate_key(
        self, slot: Slot = Slot.AUTHENTICATION, algorithm: KeyAlgorithm | None = None
    ) -> tuple[KeyAlgorithm, PublicKey]:
        """Generate a key pair in ``slot`` (needs the management key); returns its public key.

        Without ``algorithm``: ECC P-256, or RSA 2048 when the card lists no P-256 or refuses it.
        """
        if algorithm is None:
            choices = [KeyAlgorithm.ECCP256, KeyAlgorithm.RSA2048]
            choices = [alg for alg in choices if self.info.supports(alg)] or choices
        else:
            choices = [algorithm]
        error: Exception = UnsupportedAlgorithm(0x6A80)
        for choice in choices:
            control = encode_tlv(0xAC, encode_tlv(0x80, bytes([choice])))
            answer, sw = self.send(INS_GENERATE, 0x00, slot, control, le=256)
            if sw == SW_OK:
                return choice, decode_public_key(answer, choice)
            if sw == SW_SECURITY:
                raise AdminAuthRequired(sw)
            if sw not in (0x6A80, 0x6A86):
                raise _status_error(sw)
            error = UnsupportedAlgorithm(sw)
        raise error

    def sign(self, slot: Slot, algorithm: KeyAlgorithm, message: bytes) -> bytes:
        """Sign ``message`` with SHA-256 on the card: a DER ECDSA signature or PKCS#1 v1.5."""
        digest_ctx = hashes.Hash(hashes.SHA256())
        digest_ctx.update(message)
        digest = digest_ctx.finalize()
        block = digest if algorithm is KeyAlgorithm.ECCP256 else pkcs1v15_sha256_block(digest)
        request = encode_tlv(0x7C, encode_tlv(0x82, b"") + encode_tlv(0x81, block))
        answer, sw = self.send(INS_GENERAL_AUTHENTICATE, algorithm, slot, request, le=256)
        if sw != SW_OK:
            raise _status_error(sw)
        try:
            return parse_tlv(unwrap_tlv(answer, 0x7C))[0x82]
        except (TlvError, KeyError) as exc:
            raise BadCardData(f"signature: {exc}") from exc


def _raise_for_reference(
    sw: int, wrong: type[WrongPin] | type[WrongPuk], blocked: type[PinBlocked] | type[PukBlocked]
) -> None:
    if sw == SW_OK:
        return
    if sw == SW_BLOCKED or sw == 0x63C0:
        raise blocked()
    if sw & 0xFFF0 == 0x63C0:
        raise wrong(sw & 0x0F)
    raise _status_error(sw)
