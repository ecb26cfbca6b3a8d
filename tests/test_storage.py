"""The file store contract, for the local directory and the S3-compatible bucket alike: keys
made by certdesk only, content-addressed, nothing read outside what was stored."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio

from bot.config import StorageSettings
from bot.sigv4 import Credentials
from bot.storage import FileStore, LocalFileStore, StorageError
from bot.storage_s3 import S3FileStore, build_file_store
from tests.fakes import s3 as fake_s3
from tests.fakes.s3 import S3Fake


def s3_store(
    fake: S3Fake, http: Callable[[], aiohttp.ClientSession], **changes: str
) -> S3FileStore:
    """A store on the fake's bucket; ``changes`` swap keys, bucket or region."""
    settings = StorageSettings(
        backend="s3",
        s3_endpoint=fake.base_url,
        s3_bucket=changes.get("bucket", fake_s3.BUCKET),
        s3_region=changes.get("region", fake_s3.REGION),
        s3_access_key=changes.get("access_key", fake_s3.ACCESS_KEY),
        s3_secret_key=changes.get("secret_key", fake_s3.SECRET_KEY),
    )
    store = build_file_store(settings, http)
    assert isinstance(store, S3FileStore)
    return store


@pytest_asyncio.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest_asyncio.fixture(params=["local", "s3"])
async def files(
    request: pytest.FixtureRequest, tmp_path: Path, s3: S3Fake, http: aiohttp.ClientSession
) -> FileStore:
    if request.param == "local":
        return LocalFileStore(tmp_path / "files")
    return s3_store(s3, lambda: http)


async def test_stored_file_is_read_back_under_a_key_made_of_its_hash(files: FileStore) -> None:
    stored = await files.put("orders/CD1", "licence", b"\xff\xd8photo", "image/jpeg")
    assert stored.key == f"orders/CD1/licence-{stored.sha256}.jpg"
    assert await files.read(stored.key) == b"\xff\xd8photo"
    again = await files.put("orders/CD1", "licence", b"\xff\xd8photo", "image/jpeg")
    assert again == stored
    other = await files.put("orders/CD1", "licence", b"\x89PNGother", "image/png")
    assert other.key != stored.key and await files.read(other.key) == b"\x89PNGother"


async def test_a_photo_sized_file_is_read_back_whole(files: FileStore) -> None:
    data = bytes(range(256)) * 4000  # about 1 MB: many network chunks
    stored = await files.put("orders/CD1", "legal_id_photo", data, "image/jpeg")
    assert await files.read(stored.key) == data


@pytest.mark.parametrize(
    ("folder", "label"),
    [("orders/../../etc", "x"), ("orders/CD1", "../x"), ("/abs", "x"), ("orders/CD1", "a/b")],
)
async def test_unsafe_key_parts_are_refused(files: FileStore, folder: str, label: str) -> None:
    with pytest.raises(StorageError):
        await files.put(folder, label, b"data", "application/pdf")


async def test_a_key_never_stored_or_pointing_outside_reads_nothing(files: FileStore) -> None:
    for key in ("orders/CD1/licence-0.jpg", "../secret.txt", "/etc/passwd"):
        with pytest.raises(StorageError):
            await files.read(key)


async def test_unknown_content_types_are_refused(files: FileStore) -> None:
    with pytest.raises(StorageError):
        await files.put("orders/CD1", "x", b"<html>", "text/html")


async def test_a_key_pointing_outside_the_local_root_has_no_path(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("x")
    assert LocalFileStore(tmp_path / "files").local_path("../secret.txt") is None


# -- the S3 store against the fake's checks -------------------------------------------------------


async def test_objects_are_put_path_style_signed_and_typed(
    s3: S3Fake, http: aiohttp.ClientSession
) -> None:
    store = s3_store(s3, lambda: http)
    stored = await store.put("orders/CD9", "license_photo", b"\xff\xd8jpeg", "image/jpeg")
    (put,) = [r for r in s3.requests if r.method == "PUT"]
    assert put.path == f"/{fake_s3.BUCKET}/{stored.key}"
    assert put.headers["Authorization"].startswith(
        f"AWS4-HMAC-SHA256 Credential={fake_s3.ACCESS_KEY}/"
    )
    assert s3.objects[fake_s3.BUCKET][stored.key].content_type == "image/jpeg"
    assert store.local_path(stored.key) is None


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"secret_key": "wrong" + fake_s3.SECRET_KEY}, "SignatureDoesNotMatch"),
        ({"region": "us-east-1"}, "SignatureDoesNotMatch"),
        ({"access_key": "AKIAUNKNOWN000000000"}, "InvalidAccessKeyId"),
        (
            {
                "access_key": fake_s3.READ_ONLY_ACCESS_KEY,
                "secret_key": fake_s3.READ_ONLY_SECRET_KEY,
            },
            "AccessDenied",
        ),
        ({"bucket": "no-such-bucket"}, "NoSuchBucket"),
    ],
)
async def test_the_stores_refusals_are_named_by_s3s_error_code(
    s3: S3Fake, http: aiohttp.ClientSession, changes: dict[str, str], code: str
) -> None:
    store = s3_store(s3, lambda: http, **changes)
    with pytest.raises(StorageError) as refused:
        await store.put("orders/CD9", "x", b"%PDF-1.7", "application/pdf")
    assert refused.value.code == code
    assert s3.objects.get(fake_s3.BUCKET, {}) == {}


async def test_a_missing_object_is_nosuchkey_and_an_unsigned_read_is_denied(
    s3: S3Fake, http: aiohttp.ClientSession
) -> None:
    store = s3_store(s3, lambda: http)
    with pytest.raises(StorageError) as missing:
        await store.read("orders/CD9/x-0.pdf")
    assert missing.value.code == "NoSuchKey"
    stored = await store.put("orders/CD9", "x", b"%PDF-1.7", "application/pdf")
    async with http.get(f"{s3.base_url}/{fake_s3.BUCKET}/{stored.key}") as anonymous:
        assert anonymous.status == 403 and b"<Code>AccessDenied</Code>" in await anonymous.read()


async def test_a_clock_off_by_more_than_fifteen_minutes_is_refused(
    s3: S3Fake, http: aiohttp.ClientSession
) -> None:
    s3.advance(16 * 60)
    with pytest.raises(StorageError) as skewed:
        await s3_store(s3, lambda: http).put("orders/CD9", "x", b"%PDF", "application/pdf")
    assert skewed.value.code == "RequestTimeTooSkewed"


async def test_an_unreachable_store_is_a_storage_error(http: aiohttp.ClientSession) -> None:
    credentials = Credentials(fake_s3.ACCESS_KEY, fake_s3.SECRET_KEY, fake_s3.REGION)
    store = S3FileStore("http://127.0.0.1:9", fake_s3.BUCKET, credentials, lambda: http)
    with pytest.raises(StorageError):
        await store.read("orders/CD9/x-0.pdf")
