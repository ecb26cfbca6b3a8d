"""Signatures and safe-mode encryption of the official account's server messages.

Signature checks are constant-time (wechatpy compares with ``!=``); AES decryption and
encryption reuse wechatpy's ``PrpCrypto`` (AES-256-CBC, IV = key[:16], 32-byte PKCS#7 blocks).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from wechatpy.crypto import PrpCrypto

from bot.unique import random_bytes

TIMESTAMP_WINDOW = 300  # seconds either side of now


class SignatureError(Exception):
    """The request was not signed with our token (or is outside the time window)."""


class DecryptError(Exception):
    """A safe-mode payload that does not decrypt to a message for our app."""


def sign(*parts: str) -> str:
    """WeChat's signature: SHA-1 of the sorted parts concatenated."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()  # noqa: S324


def check_signature(token: str, signature: str, timestamp: str, nonce: str, *extra: str) -> None:
    """Raise ``SignatureError`` unless ``signature`` signs token, timestamp, nonce (+ extra)."""
    expected = sign(token, timestamp, nonce, *extra)
    if not hmac.compare_digest(expected, signature.lower().encode("ascii", "replace").decode()):
        raise SignatureError("signature mismatch")


def check_timestamp(
    timestamp: str, now: float | None = None, window: int = TIMESTAMP_WINDOW
) -> None:
    """Raise ``SignatureError`` when ``timestamp`` is not an integer within ``window`` of now."""
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise SignatureError("bad timestamp")
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > window:
        raise SignatureError("timestamp outside the allowed window")


class _PrpCrypto(PrpCrypto):  # type: ignore[misc]
    """wechatpy's cipher with a random prefix from the OS's CSPRNG (``random_bytes``) instead
    of ``random.sample``."""

    def get_random_string(self) -> bytes:
        return random_bytes(16)


class MessageCrypto:
    """Safe mode (安全模式) for one official account: decrypt requests, encrypt replies."""

    def __init__(self, token: str, encoding_aes_key: str, app_id: str) -> None:
        try:
            key = base64.b64decode(encoding_aes_key + "=")
        except ValueError as exc:
            raise ValueError("wechat.encoding_aes_key: not valid base64") from exc
        if len(key) != 32:
            raise ValueError("wechat.encoding_aes_key: must decode to 32 bytes")
        self.token = token
        self.key = key
        self.app_id = app_id
        # Built once: its cipher object is a stateless factory of per-message contexts.
        self._prp = _PrpCrypto(key)

    def decrypt(self, encrypted: str, msg_signature: str, timestamp: str, nonce: str) -> str:
        """Check ``msg_signature`` over the ciphertext, then decrypt it to the inner XML text."""
        check_signature(self.token, msg_signature, timestamp, nonce, encrypted)
        try:
            text = self._prp.decrypt(encrypted, self.app_id)
        except Exception as exc:  # wechatpy raises several kinds for bad padding/app id
            raise DecryptError(type(exc).__name__) from exc
        return text if isinstance(text, str) else text.decode("utf-8")

    def encrypt(self, xml: str, timestamp: str | None = None, nonce: str | None = None) -> str:
        """Wrap a reply in the encrypted envelope WeChat expects in safe mode."""
        timestamp = timestamp or str(int(time.time()))
        nonce = nonce or random_bytes(5).hex()
        encrypted = self._prp.encrypt(xml, self.app_id)
        if isinstance(encrypted, bytes):
            encrypted = encrypted.decode("ascii")
        signature = sign(self.token, timestamp, nonce, encrypted)
        return (
            f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt>"
            f"<MsgSignature><![CDATA[{signature}]]></MsgSignature>"
            f"<TimeStamp>{timestamp}</TimeStamp><Nonce><![CDATA[{nonce}]]></Nonce></xml>"
        )
