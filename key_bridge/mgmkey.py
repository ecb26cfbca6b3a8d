"""The PIV card management key (key reference 9B): the block cipher behind its
challenge-response, used by the server (which holds the key) and by the card emulator.

The bridge never holds the key: it relays the card's challenge to the server and the server's
answer back to the card (see :meth:`key_bridge.piv.PivCard.begin_admin_auth`).
"""

from __future__ import annotations

import enum
import hmac
import secrets

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import BlockCipherAlgorithm, Cipher, algorithms, modes

MANAGEMENT_KEY_REF = 0x9B

# The well-known factory default management key of PIV cards (01..08 three times).
DEFAULT_MANAGEMENT_KEY = bytes(range(1, 9)) * 3


class ManagementKeyAlgorithm(enum.IntEnum):
    """Algorithm identifiers of SP 800-78-4 usable for the management key."""

    TDES = 0x03
    AES128 = 0x08
    AES192 = 0x0A
    AES256 = 0x0C

    @property
    def key_length(self) -> int:
        """Key length in bytes."""
        return {0x03: 24, 0x08: 16, 0x0A: 24, 0x0C: 32}[self.value]

    @property
    def block_size(self) -> int:
        """Cipher block size in bytes, also the challenge length."""
        return 8 if self is ManagementKeyAlgorithm.TDES else 16


def _cipher(algorithm: ManagementKeyAlgorithm, key: bytes) -> Cipher[modes.ECB]:
    if len(key) != algorithm.key_length:
        raise ValueError(f"{algorithm.name} needs a {algorithm.key_length}-byte key")
    block: BlockCipherAlgorithm = (
        TripleDES(key) if algorithm is ManagementKeyAlgorithm.TDES else algorithms.AES(key)
    )
    return Cipher(block, modes.ECB())  # noqa: S305  single-block challenge-response, as specified


def encrypt_block(algorithm: ManagementKeyAlgorithm, key: bytes, block: bytes) -> bytes:
    """Encrypt one block (a challenge) with the management key."""
    if len(block) != algorithm.block_size:
        raise ValueError(f"{algorithm.name} challenges are {algorithm.block_size} bytes")
    encryptor = _cipher(algorithm, key).encryptor()
    return encryptor.update(block) + encryptor.finalize()


def decrypt_block(algorithm: ManagementKeyAlgorithm, key: bytes, block: bytes) -> bytes:
    """Decrypt one block (a witness) with the management key."""
    if len(block) != algorithm.block_size:
        raise ValueError(f"{algorithm.name} witnesses are {algorithm.block_size} bytes")
    decryptor = _cipher(algorithm, key).decryptor()
    return decryptor.update(block) + decryptor.finalize()


def answer_challenge(algorithm: ManagementKeyAlgorithm, key: bytes, challenge: bytes) -> bytes:
    """The server's answer to a card challenge relayed by the bridge (runs on the server)."""
    return encrypt_block(algorithm, key, challenge)


def answer_witness(
    algorithm: ManagementKeyAlgorithm, key: bytes, encrypted_witness: bytes
) -> tuple[bytes, bytes]:
    """Mutual authentication on the server: (decrypted witness, a fresh challenge for the card)."""
    witness = decrypt_block(algorithm, key, encrypted_witness)
    return witness, secrets.token_bytes(algorithm.block_size)


def card_proved(
    algorithm: ManagementKeyAlgorithm, key: bytes, challenge: bytes, card_response: bytes
) -> bool:
    """True when the card encrypted the server's ``challenge`` with the same management key."""
    return hmac.compare_digest(encrypt_block(algorithm, key, challenge), card_response)
