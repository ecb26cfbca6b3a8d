"""The file store in an S3-compatible bucket (AWS S3, Tencent COS, MinIO...).

Same keys and contract as the local store (``bot.storage``): certdesk makes every key, the
content's sha256 is part of it, so a PUT of the same key always carries the same bytes.
Requests use path-style URLs (``endpoint/bucket/key``) signed with AWS Signature V4
(``bot.sigv4``); S3's XML errors become ``StorageError`` naming S3's error code.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
from yarl import URL

from bot.bodies import read_at_most
from bot.config import StorageSettings
from bot.sigv4 import Credentials, sign_headers, uri_encode
from bot.storage import FileStore, LocalFileStore, StorageError, StoredFile, file_key

_CODE = re.compile(rb"<Error>.*?<Code>([A-Za-z0-9.]{1,64})</Code>", re.DOTALL)
MAX_OBJECT = 32 * 1024 * 1024  # bytes read back at most (photos are ≤ 1 MB, originals ≤ 20 MB)


class S3FileStore:
    """Files as objects of one bucket, reached with path-style URLs."""

    def __init__(
        self,
        endpoint: str,
        bucket: str,
        credentials: Credentials,
        http: Callable[[], aiohttp.ClientSession],
    ) -> None:
        parts = urlsplit(endpoint)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise StorageError(f"s3 endpoint must be an http(s) URL: {endpoint!r}")
        self.endpoint = f"{parts.scheme}://{parts.netloc}"
        self.host = parts.netloc
        self.base_path = parts.path.rstrip("/")
        self.bucket = bucket
        self.credentials = credentials
        self._http = http

    async def put(self, folder: str, label: str, data: bytes, content_type: str) -> StoredFile:
        """Upload ``data`` under its content-addressed key."""
        key, digest = file_key(folder, label, data, content_type)
        status, body = await self._request("PUT", key, data, {"content-type": content_type})
        if status != 200:
            raise _error(status, body, key)
        return StoredFile(key=key, size=len(data), sha256=digest, content_type=content_type)

    async def read(self, key: str) -> bytes:
        """The object's bytes (``StorageError`` naming S3's code, e.g. NoSuchKey)."""
        status, body = await self._request("GET", key)
        if status != 200:
            raise _error(status, body, key)
        return body

    def local_path(self, key: str) -> Path | None:
        """Objects have no path on this machine."""
        return None

    async def _request(
        self, method: str, key: str, payload: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        if not key or key.startswith("/") or ".." in key.split("/"):
            raise StorageError(f"not a key of ours: {key!r}")
        path = f"{self.base_path}/{self.bucket}/{key}"
        signed = sign_headers(
            self.credentials, method, self.host, path, headers=headers, payload=payload
        )
        url = URL(self.endpoint + uri_encode(path, keep_slash=True), encoded=True)
        try:
            async with self._http().request(
                method, url, data=payload or None, headers=signed
            ) as response:
                body = await read_at_most(response.content, MAX_OBJECT)
                if len(body) > MAX_OBJECT:
                    raise StorageError(f"object larger than {MAX_OBJECT} bytes: {key!r}")
                return response.status, body
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise StorageError(f"object store unreachable: {type(exc).__name__}") from exc


def build_file_store(
    settings: StorageSettings, http: Callable[[], aiohttp.ClientSession]
) -> FileStore:
    """The store ``[storage] backend`` names: the local directory, or the S3 bucket."""
    if settings.backend != "s3":
        return LocalFileStore(settings.path)
    credentials = Credentials(settings.s3_access_key, settings.s3_secret_key, settings.s3_region)
    return S3FileStore(settings.s3_endpoint, settings.s3_bucket, credentials, http)


def _error(status: int, body: bytes, key: str) -> StorageError:
    """S3's ``<Error><Code>`` as a ``StorageError`` (the HTTP status when there is none)."""
    found = _CODE.search(body[:4096])
    code = found.group(1).decode() if found else f"HTTP {status}"
    return StorageError(f"object store refused {key!r}: {code}", code)
