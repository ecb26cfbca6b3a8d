"""Encryption of personal data at rest (AES-256-GCM with key rotation) and keyed look-up hashes.

Token format (ASCII, fits a text column)::

    v1.<key id>.<base64url(nonce ‖ ciphertext ‖ tag), unpadded>

``<key id>`` is 8 hex characters of HMAC-SHA256(key, "certdesk data key id"): it names the key
without revealing anything about it. The nonce is 12 random bytes, the tag 16 bytes.

The first configured key encrypts; every configured key decrypts. A rotation puts a new key
first and keeps the old ones until every value was moved with ``reencrypt`` (``needs_rotation``
tells which). ``context`` (e.g. ``"order:42:legal_id_number"``) is bound as associated data, so
a ciphertext copied to another record or column does not decrypt there.

Look-up hashes (``lookup_hash``) use their own key, so they stay stable across rotations of
the data keys.

Asked to (``remember=True``), a cipher keeps the plaintexts of the last ``RECENT_PLAINTEXTS``
tokens it made or opened so: a draft's answers are read on every message of its conversation,
and each would be decrypted again. A token is unique (its nonce is random) and authenticated,
so what is kept for (token, context) is what decrypting it again would give; a token it did
not make or open successfully is never answered from memory. Secrets meant to be in clear
only for a moment (PUKs, Key management keys, certificate passwords, the CA's key) are not
asked to be remembered.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import unicodedata

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = "v1"
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
RECENT_PLAINTEXTS = 4096  # (token, context) → plaintext, the oldest forgotten first
MIN_LOOKUP_KEY_BYTES = 16

_B64URL = re.compile(r"[A-Za-z0-9_-]+")
_KIND = re.compile(r"[a-z][a-z0-9_.:-]*")


class DecryptError(ValueError):
    """A token that cannot be decrypted (malformed, unknown key, tampered, wrong context)."""


def key_id(key: bytes) -> str:
    """The short public name of a data key (8 hex characters, reveals nothing of the key)."""
    return hmac.new(key, b"certdesk data key id", hashlib.sha256).hexdigest()[:8]


def generate_key() -> str:
    """A new random 32-byte key, base64, for ``security.data_keys`` or ``security.lookup_key``."""
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def decode_key(text: str, where: str) -> bytes:
    """Decode base64 (standard or urlsafe, padding optional) of exactly 32 bytes.

    A wrong value raises ``ValueError`` naming ``where`` (e.g. ``security.data_keys[1]``),
    never the value itself.
    """
    error = ValueError(f"{where}: not base64 of {KEY_BYTES} bytes")
    if not isinstance(text, str):
        raise error
    compact = text.strip().rstrip("=").replace("-", "+").replace("_", "/")
    try:
        key = base64.b64decode(compact + "=" * (-len(compact) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise error from None
    if len(key) != KEY_BYTES:
        raise error
    return key


def _b64url_encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _b64url_decode_strict(text: str) -> bytes:
    """Decode unpadded base64url, refusing any non-canonical spelling (ignored bits, junk)."""
    if not _B64URL.fullmatch(text):
        raise DecryptError("token body is not base64url")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise DecryptError("token body is not base64url") from None
    if _b64url_encode(raw) != text:
        raise DecryptError("token body is not canonical base64url")
    return raw


class DataCipher:
    """AES-256-GCM with rotation: encrypts with the first key, decrypts with any of them."""

    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise ValueError("at least one data key is required")
        self._keys: dict[str, AESGCM] = {}
        for position, key in enumerate(keys):
            if not isinstance(key, bytes) or len(key) != KEY_BYTES:
                raise ValueError(f"data key [{position}]: must be {KEY_BYTES} bytes")
            kid = key_id(key)
            if kid in self._keys:
                raise ValueError(f"data key [{position}]: duplicate key (id {kid})")
            self._keys[kid] = AESGCM(key)
        self._current = key_id(keys[0])
        self._recent: dict[tuple[str, str], str] = {}

    @classmethod
    def from_config(cls, data_keys: list[str]) -> DataCipher:
        """Build from ``security.data_keys`` (base64 strings, the current key first)."""
        if not data_keys:
            raise ValueError("security.data_keys: at least one key is required")
        keys = [decode_key(text, f"security.data_keys[{i}]") for i, text in enumerate(data_keys)]
        return cls(keys)

    @property
    def current_key_id(self) -> str:
        """The id of the key that encrypts."""
        return self._current

    def __repr__(self) -> str:
        return f"DataCipher(current={self._current!r}, keys={len(self._keys)})"

    def encrypt(self, plaintext: str, *, context: str = "", remember: bool = False) -> str:
        """Encrypt ``plaintext`` under the current key, bound to ``context``; return a token.
        ``remember``: keep the plaintext for a later ``decrypt`` of the token (module doc)."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._keys[self._current].encrypt(
            nonce, plaintext.encode("utf-8"), context.encode("utf-8")
        )
        token = f"{VERSION}.{self._current}.{_b64url_encode(nonce + sealed)}"
        if remember:
            self._remember(token, context, plaintext)
        return token

    def decrypt(self, token: str, *, context: str = "", remember: bool = False) -> str:
        """Decrypt a token made by ``encrypt`` with the same ``context``; else ``DecryptError``.
        ``remember``: keep the plaintext for the next ``decrypt`` of the token (module doc)."""
        remembered = self._recent.get((token, context))
        if remembered is not None:
            return remembered
        kid, raw = self._parse(token)
        aead = self._keys.get(kid)
        if aead is None:
            raise DecryptError(f"encrypted with key id {kid}, which is not configured")
        if len(raw) < NONCE_BYTES + TAG_BYTES:
            raise DecryptError("token is too short")
        try:
            plain = aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode("utf-8"))
        except InvalidTag:
            raise DecryptError("token does not authenticate (tampered or wrong context)") from None
        text = plain.decode("utf-8")
        if remember:
            self._remember(token, context, text)
        return text

    def _remember(self, token: str, context: str, plaintext: str) -> None:
        recent = self._recent
        recent[(token, context)] = plaintext
        if len(recent) > RECENT_PLAINTEXTS:
            recent.pop(next(iter(recent)), None)

    def needs_rotation(self, token: str) -> bool:
        """Whether ``token`` was encrypted with another key than the current one.

        Raises ``DecryptError`` when ``token`` is not a token at all.
        """
        kid, _ = self._parse(token)
        return kid != self._current

    def reencrypt(self, token: str, *, context: str = "") -> str:
        """Decrypt ``token`` and encrypt the plaintext again under the current key."""
        return self.encrypt(self.decrypt(token, context=context), context=context)

    @staticmethod
    def _parse(token: str) -> tuple[str, bytes]:
        """Split a token into its key id and raw bytes (nonce ‖ ciphertext ‖ tag)."""
        parts = token.split(".") if isinstance(token, str) else []
        if len(parts) != 3 or parts[0] != VERSION:
            raise DecryptError(f"not a {VERSION} encrypted value")
        return parts[1], _b64url_decode_strict(parts[2])


def normalize_for_lookup(value: str) -> str:
    """The form hashed by ``lookup_hash``: NFKC, all whitespace removed, upper case.

    Full-width digits, a lower-case ``x`` check digit and spaces inside grouped numbers
    therefore hash like their plain form.
    """
    return "".join(unicodedata.normalize("NFKC", value).split()).upper()


def lookup_hash(value: str, key: bytes, *, kind: str) -> str:
    """HMAC-SHA256 (hex) of the normalised ``value``, domain-separated by ``kind``.

    ``kind`` names what is hashed ("id_number", "phone", "uscc", ...): the same digits hash
    differently per kind. ``key`` is the look-up key, independent of the data keys.
    """
    if len(key) < MIN_LOOKUP_KEY_BYTES:
        raise ValueError(f"lookup key must be at least {MIN_LOOKUP_KEY_BYTES} bytes")
    if not _KIND.fullmatch(kind):
        raise ValueError("lookup_hash kind must be a lower-case name like 'id_number'")
    message = b"certdesk lookup\x00" + kind.encode("ascii") + b"\x00"
    message += normalize_for_lookup(value).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()
