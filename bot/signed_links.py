"""Signed, expiring link tokens: what a URL grants, checked without a database lookup.

A token carries a small JSON payload (which order, file, user...) and its expiry, signed with
HMAC-SHA256 under the lookup key and a purpose string, so a token made for one page (the pay page,
a material's photo, an invoice) is worthless on another. Anything malformed, forged or expired
reads as None: callers answer 404 without saying why.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any

MAX_TOKEN_LENGTH = 600


@dataclass(frozen=True)
class Grant:
    """What a valid token says: its payload, and until when (Unix time) it holds."""

    payload: dict[str, Any]
    expires: int


def make_token(key: bytes, purpose: str, payload: dict[str, Any], expires: int) -> str:
    """A URL-safe token granting ``payload`` for ``purpose`` until the Unix time ``expires``.

    ValueError if the token would be longer than ``read_token`` accepts (keep payloads small:
    ids and hashes, never user text)."""
    data = json.dumps({"p": payload, "e": int(expires)}, separators=(",", ":"), sort_keys=True)
    body = base64.urlsafe_b64encode(data.encode()).rstrip(b"=").decode()
    token = f"{body}.{_mac(key, purpose, body)}"
    if len(token) > MAX_TOKEN_LENGTH:
        raise ValueError(f"payload too large for a link token ({len(token)} characters)")
    return token


def read_token(key: bytes, purpose: str, token: str, now: float | None = None) -> Grant | None:
    """The grant of a valid, unexpired token made for ``purpose``; None for anything else."""
    if len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        return None
    body, _, mac = token.partition(".")
    if not body or not hmac.compare_digest(mac, _mac(key, purpose, body)):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        payload, expires = data["p"], data["e"]
    except (ValueError, TypeError, KeyError):
        return None
    if not isinstance(payload, dict) or not isinstance(expires, int):
        return None
    if expires <= (time.time() if now is None else now):
        return None
    return Grant(payload, expires)


def expiry(minutes: float, now: float | None = None) -> int:
    """The Unix time ``minutes`` from now, for :func:`make_token`."""
    return int((time.time() if now is None else now) + minutes * 60)


def link_url(
    base_url: str,
    path: str,
    key: bytes,
    purpose: str,
    payload: dict[str, Any],
    minutes: float,
    now: float | None = None,
) -> str:
    """The absolute link ``{base_url}{path}/{token}`` granting ``payload`` for ``minutes``."""
    token = make_token(key, purpose, payload, expiry(minutes, now))
    return f"{base_url.rstrip('/')}{path}/{token}"


def _mac(key: bytes, purpose: str, body: str) -> str:
    message = b"certdesk-link:" + purpose.encode() + b":" + body.encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]
