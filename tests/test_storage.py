"""The file store: keys made by certdesk only, content-addressed, nothing outside its root."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.storage import LocalFileStore, StorageError


async def test_stored_file_is_read_back_under_a_key_made_of_its_hash(tmp_path: Path) -> None:
    files = LocalFileStore(tmp_path)
    stored = await files.put("orders/CD1", "licence", b"\xff\xd8photo", "image/jpeg")
    assert stored.key == f"orders/CD1/licence-{stored.sha256}.jpg"
    assert await files.read(stored.key) == b"\xff\xd8photo"
    again = await files.put("orders/CD1", "licence", b"\xff\xd8photo", "image/jpeg")
    assert again == stored


@pytest.mark.parametrize(
    ("folder", "label"),
    [("orders/../../etc", "x"), ("orders/CD1", "../x"), ("/abs", "x"), ("orders/CD1", "a/b")],
)
async def test_unsafe_key_parts_are_refused(tmp_path: Path, folder: str, label: str) -> None:
    with pytest.raises(StorageError):
        await LocalFileStore(tmp_path).put(folder, label, b"data", "application/pdf")


async def test_a_key_pointing_outside_the_root_reads_nothing(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("x")
    files = LocalFileStore(tmp_path / "files")
    assert files.local_path("../secret.txt") is None
    with pytest.raises(StorageError):
        await files.read("../secret.txt")


async def test_unknown_content_types_are_refused(tmp_path: Path) -> None:
    with pytest.raises(StorageError):
        await LocalFileStore(tmp_path).put("orders/CD1", "x", b"<html>", "text/html")
