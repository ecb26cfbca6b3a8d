"""Fake of an S3-compatible object store: path-style PUT/GET/HEAD of objects in buckets.

It checks AWS Signature V4 the way S3 does, computed here on its own from the raw request (not
with certdesk's signer), and answers S3's XML errors: ``SignatureDoesNotMatch``,
``InvalidAccessKeyId``, ``AccessDenied`` (no signature, or a read-only key writing),
``RequestTimeTooSkewed``, ``XAmzContentSHA256Mismatch``, ``NoSuchBucket``, ``NoSuchKey``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, unquote

from aiohttp import web

from bot.sandbox.base import FakeServer

ACCESS_KEY = "AKIACERTDESKFAKE0001"
SECRET_KEY = "certdeskFakeS3SecretKey/0123456789abcdefg"
READ_ONLY_ACCESS_KEY = "AKIACERTDESKREADONLY"
READ_ONLY_SECRET_KEY = "certdeskFakeS3ReadOnly/0123456789abcdefgh"
BUCKET = "certdesk-files"
REGION = "ap-guangzhou"
SKEW = 15 * 60  # seconds S3 tolerates between its clock and x-amz-date

_AUTH = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=([^/,]+)/(\d{8})/([^/,]+)/s3/aws4_request,\s*"
    r"SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$"
)
_MESSAGES = {
    "AccessDenied": "Access Denied",
    "InvalidAccessKeyId": "The AWS Access Key Id you provided does not exist in our records.",
    "SignatureDoesNotMatch": (
        "The request signature we calculated does not match the signature you provided. "
        "Check your key and signing method."
    ),
    "RequestTimeTooSkewed": (
        "The difference between the request time and the current time is too large."
    ),
    "XAmzContentSHA256Mismatch": (
        "The provided 'x-amz-content-sha256' header does not match what was computed."
    ),
    "NoSuchBucket": "The specified bucket does not exist",
    "NoSuchKey": "The specified key does not exist.",
}
_STATUS = {"NoSuchBucket": 404, "NoSuchKey": 404, "XAmzContentSHA256Mismatch": 400}


@dataclass(frozen=True)
class AccessKey:
    """A key pair the fake knows, and whether it may write."""

    secret: str
    can_write: bool = True


@dataclass(frozen=True)
class StoredObject:
    """One object: its bytes and content type."""

    data: bytes
    content_type: str


class S3Fake(FakeServer):
    """Buckets of objects behind SigV4, on 127.0.0.1."""

    def __init__(
        self,
        buckets: Iterable[str] = (BUCKET,),
        region: str = REGION,
        keys: Mapping[str, AccessKey] | None = None,
    ) -> None:
        super().__init__()
        self.region = region
        self.keys = dict(
            keys
            or {
                ACCESS_KEY: AccessKey(SECRET_KEY),
                READ_ONLY_ACCESS_KEY: AccessKey(READ_ONLY_SECRET_KEY, can_write=False),
            }
        )
        self.objects: dict[str, dict[str, StoredObject]] = {name: {} for name in buckets}

    def _routes(self) -> list[web.RouteDef]:
        return [web.route("*", "/{bucket}/{key:.+}", self._object)]

    def _fault_response(self, status: int) -> web.Response:
        return s3_error("InternalError", "/", status, "We encountered an internal error.")

    async def _object(self, request: web.Request) -> web.StreamResponse:
        bucket, key = request.match_info["bucket"], request.match_info["key"]
        resource = f"/{bucket}/{key}"
        body = await request.read()
        refused = self._authenticate(request, body)
        if refused is not None:
            return s3_error(refused, resource)
        access_key = _AUTH.match(request.headers["Authorization"]).group(1)  # type: ignore[union-attr]
        if bucket not in self.objects:
            return s3_error("NoSuchBucket", resource)
        objects = self.objects[bucket]
        if request.method == "PUT":
            if not self.keys[access_key].can_write:
                return s3_error("AccessDenied", resource)
            content_type = request.headers.get("Content-Type", "binary/octet-stream")
            objects[key] = StoredObject(body, content_type)
            etag = f'"{hashlib.md5(body, usedforsecurity=False).hexdigest()}"'
            return web.Response(status=200, headers={"ETag": etag})
        if request.method in {"GET", "HEAD"}:
            found = objects.get(key)
            if found is None:
                return s3_error("NoSuchKey", resource)
            return web.Response(
                body=found.data if request.method == "GET" else None,
                headers={
                    "Content-Type": found.content_type,
                    "Content-Length": str(len(found.data)),
                },
            )
        return s3_error("AccessDenied", resource)

    def _authenticate(self, request: web.Request, body: bytes) -> str | None:
        """None when the request is signed right by a known key; else S3's error code."""
        match = _AUTH.match(request.headers.get("Authorization", ""))
        if match is None:
            return "AccessDenied"
        access_key, day, region, signed_names, given = match.groups()
        key = self.keys.get(access_key)
        if key is None:
            return "InvalidAccessKeyId"
        amz_date = request.headers.get("x-amz-date", "")
        try:
            moment = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            return "AccessDenied"
        if abs(moment.timestamp() - self.now()) > SKEW:
            return "RequestTimeTooSkewed"
        names = signed_names.split(";")
        if "host" not in names or "x-amz-date" not in names or region != self.region:
            return "SignatureDoesNotMatch"
        if day != amz_date[:8]:
            return "SignatureDoesNotMatch"
        payload_hash = request.headers.get("x-amz-content-sha256", "")
        if payload_hash != "UNSIGNED-PAYLOAD" and payload_hash != hashlib.sha256(body).hexdigest():
            return "XAmzContentSHA256Mismatch"
        expected = expected_signature(
            key.secret,
            region,
            request.method,
            request.raw_path,
            list(request.query.items()),
            request.headers,
            names,
        )
        return None if hmac.compare_digest(expected, given) else "SignatureDoesNotMatch"


def expected_signature(
    secret: str,
    region: str,
    method: str,
    raw_path: str,
    query: list[tuple[str, str]],
    headers: Mapping[str, str],
    signed_names: list[str],
) -> str:
    """The SigV4 signature S3 computes for a request as it arrived (path decoded and encoded
    again, as S3 does; ``headers`` looked up case-insensitively)."""
    amz_date = headers["x-amz-date"]
    day = amz_date[:8]
    canonical = "\n".join(
        [
            method,
            _encode(unquote(raw_path.split("?")[0]), "/"),
            "&".join(f"{q}={v}" for q, v in sorted((_encode(k), _encode(v)) for k, v in query)),
            "".join(f"{n}:{' '.join(headers.get(n, '').split())}\n" for n in signed_names),
            ";".join(signed_names),
            headers.get("x-amz-content-sha256", ""),
        ]
    )
    scope = f"{day}/{region}/s3/aws4_request"
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    text = f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{digest}"
    signing = ("AWS4" + secret).encode()
    for part in (day, region, "s3", "aws4_request"):
        signing = hmac.new(signing, part.encode(), hashlib.sha256).digest()
    return hmac.new(signing, text.encode(), hashlib.sha256).hexdigest()


def _encode(text: str, safe: str = "") -> str:
    return quote(text, safe="-_.~" + safe)


def s3_error(
    code: str, resource: str, status: int | None = None, message: str = ""
) -> web.Response:
    """S3's error document for ``code``."""
    request_id = uuid.uuid4().hex[:16].upper()
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message or _MESSAGES[code]}</Message>"
        f"<Resource>{quote(resource, safe='/')}</Resource><RequestId>{request_id}</RequestId>"
        f"<HostId>{uuid.uuid4().hex}</HostId></Error>"
    )
    return web.Response(
        status=status or _STATUS.get(code, 403),
        body=body.encode(),
        headers={"Content-Type": "application/xml", "x-amz-request-id": request_id},
    )
