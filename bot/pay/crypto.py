"""AES-256-GCM decryption of the ``resource`` of WeChat Pay v3 notifications (APIv3 key)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

ALGORITHM = "AEAD_AES_256_GCM"


class DecryptError(Exception):
    """The resource is malformed or was not encrypted with our APIv3 key."""


def decrypt(key: str, nonce: str, ciphertext_b64: str, associated_data: str = "") -> bytes:
    """Decrypt base64 ``ciphertext`` (tag appended) with the APIv3 key."""
    try:
        raw = base64.b64decode(ciphertext_b64.encode("ascii"), validate=True)
        return AESGCM(key.encode()).decrypt(nonce.encode(), raw, associated_data.encode() or None)
    except (InvalidTag, binascii.Error, ValueError, UnicodeEncodeError) as exc:
        raise DecryptError(f"cannot decrypt resource: {type(exc).__name__}") from exc


def decrypt_resource(key: str, resource: Mapping[str, Any]) -> bytes:
    """Decrypt a notification's ``resource`` object."""
    if resource.get("algorithm") != ALGORITHM:
        raise DecryptError("unsupported resource algorithm")
    fields = [resource.get(name, "") for name in ("nonce", "ciphertext", "associated_data")]
    if not all(isinstance(value, str) for value in fields) or not fields[0] or not fields[1]:
        raise DecryptError("malformed resource")
    nonce, ciphertext, associated = (str(value) for value in fields)
    return decrypt(key, nonce, ciphertext, associated)
