"""Encryption of personal data at rest (AES-256-GCM, key rotation) and keyed look-up hashes.

Token format (ASCII, fits a text column): ``v1.<key id>.<base64url(nonce ‖ ciphertext+tag)>``.
The key id is the first 8 hex characters of SHA-256("certdesk key id" ‖ key): it names the
key without revealing it. The first configured key encrypts; every configured key decrypts,
so a rotation puts a new key first and keeps the old ones until ``reencrypt`` moved the data.
``context`` is bound as associated data: a ciphertext copied to another record or column
does not decrypt there.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import unicodedata

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = "v1"
NONCE_BYTES = 12


class DecryptError(ValueError):
    """A token that cannot be decrypted (unknown key, tampered, wrong context)."""


def key_id(key: bytes) -> str:
    """A short public name of a key."""
    return hashlib.sha256(b"certdesk key id" + key).hexdigest()[:8]


def generate_key() -> str:
    """A new random 32-byte key, base64, for ``security.data_keys`` or ``lookup_key``."""
    return base64.b64encode(os.urandom(32)).decode("ascii")


def decode_key(text: str, where: str) -> bytes:
    """Base64 (standard or urlsafe) of exactly 32 bytes; errors name ``where``, never the value."""
    compact = text.strip()
    try:
        key = base64.b64decode(
            compact.replace("-", "+").replace("_", "/") + "=" * (-len(compact) % 4), validate=True
        )
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise ValueError(f"{where}: not base64 of 32 bytes")
    return key


class DataCipher:
    """Encrypts with the first key, decrypts with any."""

    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise ValueError("at least one data key is required")
        for key in keys:
            if len(key) != 32:
                raise ValueError("data keys must be 32 bytes")
        self._keys = {key_id(key): key for key in keys}
        self._current = key_id(keys[0])

    @classmethod
    def from_config(cls, data_keys: list[str]) -> DataCipher:
        """From ``security.data_keys`` (base64 strings)."""
        if not data_keys:
            raise ValueError("security.data_keys: at least one key is required")
        return cls(
            [decode_key(text, f"security.data_keys[{i}]") for i, text in enumerate(data_keys)]
        )

    def encrypt(self, plaintext: str, *, context: str = "") -> str:
        """The token for ``plaintext``, bound to ``context``."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self._keys[self._current]).encrypt(
            nonce, plaintext.encode("utf-8"), context.encode("utf-8")
        )
        body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii").rstrip("=")
        return f"{VERSION}.{self._current}.{body}"

    def decrypt(self, token: str, *, context: str = "") -> str:
        """The plaintext of a token made by ``encrypt`` with the same ``context``."""
        _version, kid, body = self._split(token)
        key = self._keys.get(kid)
        if key is None:
            raise DecryptError("encrypted with a key that is not configured")
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            plain = AESGCM(key).decrypt(
                raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode("utf-8")
            )
            return plain.decode("utf-8")
        except (InvalidTag, ValueError, binascii.Error) as exc:
            raise DecryptError("token does not decrypt (tampered or wrong context)") from exc

    def needs_rotation(self, token: str) -> bool:
        """True when the token was not encrypted with the current key."""
        return self._split(token)[1] != self._current

    def reencrypt(self, token: str, *, context: str = "") -> str:
        """The same plaintext under the current key."""
        return self.encrypt(self.decrypt(token, context=context), context=context)

    @staticmethod
    def _split(token: str) -> tuple[str, str, str]:
        parts = token.split(".")
        if len(parts) != 3 or parts[0] != VERSION:
            raise DecryptError("not an encrypted value")
        return parts[0], parts[1], parts[2]


def lookup_hash(value: str, key: bytes, *, kind: str) -> str:
    """HMAC-SHA256 of a normalised value, separated by ``kind`` (id_number, phone, uscc...)."""
    normal = "".join(unicodedata.normalize("NFKC", value).split()).upper()
    message = kind.encode("utf-8") + b"\x00" + normal.encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()
