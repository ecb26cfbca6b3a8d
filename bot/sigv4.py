"""AWS Signature Version 4 (header form), as S3-compatible object stores expect it.

Only what certdesk's object store client needs: sign a request's method, path, query and
headers with an access key for one region and service. The steps follow AWS's specification
(canonical request, string to sign, derived signing key); tests check them against AWS's
published examples.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

ALGORITHM = "AWS4-HMAC-SHA256"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"


@dataclass(frozen=True)
class Credentials:
    """An access key pair and the scope it signs for."""

    access_key: str
    secret_key: str
    region: str
    service: str = "s3"


def uri_encode(text: str, *, keep_slash: bool = False) -> str:
    """RFC 3986 encoding of everything but unreserved characters (and ``/`` in paths)."""
    return quote(text, safe="-_.~/" if keep_slash else "-_.~")


def canonical_query(query: Iterable[tuple[str, str]]) -> str:
    """The query string encoded and sorted by name, then value."""
    pairs = sorted((uri_encode(name), uri_encode(value)) for name, value in query)
    return "&".join(f"{name}={value}" for name, value in pairs)


def canonical_headers(headers: Mapping[str, str]) -> tuple[str, str]:
    """The canonical header block and the signed header list (names lower-cased, sorted)."""
    cleaned = {name.lower(): " ".join(value.split()) for name, value in headers.items()}
    names = sorted(cleaned)
    block = "".join(f"{name}:{cleaned[name]}\n" for name in names)
    return block, ";".join(names)


def canonical_request(
    method: str,
    path: str,
    query: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    payload_hash: str,
) -> tuple[str, str]:
    """The canonical request (S3 style: the path encoded once) and its signed header list."""
    block, signed = canonical_headers(headers)
    lines = [method.upper(), uri_encode(path, keep_slash=True), canonical_query(query)]
    return "\n".join([*lines, block, signed, payload_hash]), signed


def scope(credentials: Credentials, day: str) -> str:
    """The credential scope ``YYYYMMDD/region/service/aws4_request``."""
    return f"{day}/{credentials.region}/{credentials.service}/aws4_request"


def signing_key(secret_key: str, day: str, region: str, service: str) -> bytes:
    """The key derived for one day, region and service."""
    key = ("AWS4" + secret_key).encode()
    for part in (day, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def string_to_sign(amz_date: str, credential_scope: str, request: str) -> str:
    """What is signed: algorithm, time, scope and the canonical request's hash."""
    digest = hashlib.sha256(request.encode()).hexdigest()
    return f"{ALGORITHM}\n{amz_date}\n{credential_scope}\n{digest}"


def signature(
    credentials: Credentials,
    amz_date: str,
    method: str,
    path: str,
    query: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    payload_hash: str,
) -> tuple[str, str]:
    """The hex signature of a request and its signed header list."""
    day = amz_date[:8]
    request, signed = canonical_request(method, path, query, headers, payload_hash)
    key = signing_key(credentials.secret_key, day, credentials.region, credentials.service)
    text = string_to_sign(amz_date, scope(credentials, day), request)
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest(), signed


def sign_headers(
    credentials: Credentials,
    method: str,
    host: str,
    path: str,
    query: Iterable[tuple[str, str]] = (),
    headers: Mapping[str, str] | None = None,
    payload: bytes = b"",
    now: datetime | None = None,
) -> dict[str, str]:
    """The headers to send: ``headers`` plus host, date, payload hash and Authorization."""
    amz_date = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    payload_hash = hashlib.sha256(payload).hexdigest()
    signed_headers = {
        **(headers or {}),
        "host": host,
        "x-amz-content-sha256": payload_hash,
        "x-amz-date": amz_date,
    }
    sig, names = signature(credentials, amz_date, method, path, query, signed_headers, payload_hash)
    credential = f"{credentials.access_key}/{scope(credentials, amz_date[:8])}"
    authorization = f"{ALGORITHM} Credential={credential},SignedHeaders={names},Signature={sig}"
    result = {k: v for k, v in signed_headers.items() if k != "host"}
    result["Authorization"] = authorization
    return result
