"""Where files live: uploaded material photos, invoice PDFs, generated documents.

A small interface (``FileStore``) so the local filesystem (the default) and an S3-compatible
object store can be swapped by configuration. Keys are made by certdesk only — a folder it
chooses, a label it chooses and the content's sha256 — never a name a user supplied, so a key
can neither escape the store nor collide with another file's content.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

_SAFE_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}$")
_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/heic": "heic",
    "application/pdf": "pdf",
    "application/xml": "xml",
    "application/ofd": "ofd",
}


class StorageError(Exception):
    """A file could not be stored or read (missing, or a key that is not ours).

    ``code`` names the cause when the store gave one (S3's error code, e.g. ``NoSuchKey``).
    """

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class StoredFile:
    """What a stored file is known by: its key in the store, size and content hash."""

    key: str
    size: int
    sha256: str
    content_type: str


def file_key(folder: str, label: str, data: bytes, content_type: str) -> tuple[str, str]:
    """The key (``folder/label-sha256.ext``) and sha256 of ``data``; parts are checked."""
    parts = folder.split("/")
    if not all(_SAFE_PART.match(part) for part in [*parts, label]) or ".." in folder:
        raise StorageError(f"unsafe storage key part: {folder!r} / {label!r}")
    extension = _EXTENSIONS.get(content_type)
    if extension is None:
        raise StorageError(f"unsupported content type: {content_type}")
    digest = hashlib.sha256(data).hexdigest()
    return f"{folder}/{label}-{digest}.{extension}", digest


class FileStore(Protocol):
    """Content-addressed file storage."""

    async def put(self, folder: str, label: str, data: bytes, content_type: str) -> StoredFile:
        """Store ``data`` under a key made from ``folder``, ``label`` and its hash."""
        ...

    async def read(self, key: str) -> bytes:
        """The content stored under ``key`` (``StorageError`` if there is none)."""
        ...

    def local_path(self, key: str) -> Path | None:
        """A path on this machine to serve the file from, when the store has one."""
        ...


class LocalFileStore:
    """Files under one directory; writes are atomic and never overwrite other content."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    async def put(self, folder: str, label: str, data: bytes, content_type: str) -> StoredFile:
        """Write ``data`` atomically (an existing file with this key has the same content)."""
        key, digest = file_key(folder, label, data, content_type)
        await asyncio.to_thread(write_once, self.root / key, data)
        return StoredFile(key=key, size=len(data), sha256=digest, content_type=content_type)

    async def read(self, key: str) -> bytes:
        """The file's bytes, read off the event loop."""
        path = self.local_path(key)
        if path is None:
            raise StorageError(f"no stored file {key!r}")
        return await asyncio.to_thread(path.read_bytes)

    def local_path(self, key: str) -> Path | None:
        """The file's path if it exists inside the root (a key pointing outside gives None)."""
        root = self.root.resolve()
        path = (root / key).resolve()
        return path if path.is_relative_to(root) and path.is_file() else None


def write_once(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` atomically; an existing file has the same content."""
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
