"""The CFSSL adapter: against the real ``cfssl serve`` (1.2, as packaged) and a CFSSL 1.4+ fake.

The packaged engine predates the ``SerialNumber`` name field and request-chosen validity, so
against it the adapter must get a certificate and refuse it for exactly those reasons (while the
key, the CA signature, the profile's usages all check out); the fake, faithful to CFSSL 1.4+,
shows the whole happy path.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from bot.ca import ORG, PERSONAL, CaError, CfsslCA, CsrError, RevocationReason
from bot.ca.cfssl import EngineMismatch
from tests.fakes.cfssl import CfsslFake
from tests.test_ca_helpers import ORG_SUBJECT, PERSON_SUBJECT, make_csr, openssl_verify, validity

# CFSSL 1.2 spells the nonRepudiation usage "content committment".
CFSSL_CONFIG = {
    "signing": {
        "default": {"expiry": "8760h", "usages": ["digital signature"]},
        "profiles": {
            name: {
                "expiry": "8760h",
                "usages": [
                    "digital signature",
                    "content committment",
                    "client auth",
                    "email protection",
                ],
            }
            for name in ("org", "personal")
        },
    }
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def cfssl_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """``cfssl serve`` on 127.0.0.1 with a CA made by ``cfssl gencert -initca``."""
    work = tmp_path_factory.mktemp("cfssl")
    request = {"CN": "cfssl test CA", "key": {"algo": "ecdsa", "size": 256}, "names": [{"C": "CN"}]}
    (work / "ca-csr.json").write_text(json.dumps(request))
    made = subprocess.run(
        ["cfssl", "gencert", "-initca", str(work / "ca-csr.json")],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    ca = json.loads(made.stdout)
    (work / "ca.pem").write_text(ca["cert"])
    (work / "ca-key.pem").write_text(ca["key"])
    (work / "config.json").write_text(json.dumps(CFSSL_CONFIG))
    port = _free_port()
    args = ["cfssl", "serve", "-address", "127.0.0.1", "-port", str(port)]
    args += ["-ca", str(work / "ca.pem"), "-ca-key", str(work / "ca-key.pem")]
    args += ["-config", str(work / "config.json")]
    with open(work / "serve.log", "wb") as log:
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError((work / "serve.log").read_text()) from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", work
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def fake() -> AsyncIterator[CfsslFake]:
    async with CfsslFake() as server:
        yield server


def _adapter(base: str, http: aiohttp.ClientSession, org_profile: str = "org") -> CfsslCA:
    return CfsslCA(base, lambda: http, {"org": org_profile, "personal": "personal"})


async def test_real_cfssl_signs_and_the_adapter_checks_every_field(
    cfssl_engine: tuple[str, Path], http: aiohttp.ClientSession
) -> None:
    base, work = cfssl_engine
    adapter = _adapter(base, http)
    engine_ca = x509.load_pem_x509_certificate((work / "ca.pem").read_bytes())
    assert await adapter.ca_certificate() == engine_ca
    start = validity()[0]
    with pytest.raises(EngineMismatch) as refused:
        await adapter.issue(
            make_csr()[0], ORG, start, start + timedelta(hours=8760), subject=ORG_SUBJECT
        )
    # Key, CA signature, validity and the profile's usages are right; only the identifier
    # (no SerialNumber name field before CFSSL 1.4) is missing, so nothing is handed out.
    assert len(refused.value.problems) == 1
    assert refused.value.problems[0].startswith("subject:")
    assert "CN=高任市建设工程有限公司" in refused.value.problems[0]
    assert "attacker" not in refused.value.problems[0]  # the CSR's subject was overridden


async def test_real_cfssl_ignoring_the_validity_is_caught(
    cfssl_engine: tuple[str, Path], http: aiohttp.ClientSession
) -> None:
    adapter = _adapter(cfssl_engine[0], http)
    start = validity()[0] + timedelta(days=40)  # a renewal before expiry starts later
    with pytest.raises(EngineMismatch) as refused:
        await adapter.issue(
            make_csr()[0], ORG, start, start + timedelta(days=365), subject=ORG_SUBJECT
        )
    assert any(p.startswith("validity:") for p in refused.value.problems)


async def test_real_cfssl_unknown_profile_falls_back_and_is_caught(
    cfssl_engine: tuple[str, Path], http: aiohttp.ClientSession
) -> None:
    adapter = _adapter(cfssl_engine[0], http, org_profile="no-such-profile")
    start = validity()[0]
    with pytest.raises(EngineMismatch) as refused:
        await adapter.issue(
            make_csr()[0], ORG, start, start + timedelta(hours=8760), subject=ORG_SUBJECT
        )
    kinds = {p.split(":", 1)[0] for p in refused.value.problems}
    assert {"key usage", "extended key usage"} <= kinds


async def test_real_cfssl_without_database_cannot_revoke(
    cfssl_engine: tuple[str, Path], http: aiohttp.ClientSession
) -> None:
    with pytest.raises(CaError, match="revocation failed"):
        await _adapter(cfssl_engine[0], http).revoke(12345, RevocationReason.SUPERSEDED)


async def test_unreachable_engine_is_a_clear_error(http: aiohttp.ClientSession) -> None:
    adapter = _adapter(f"http://127.0.0.1:{_free_port()}", http)
    with pytest.raises(CaError, match="unreachable"):
        await adapter.issue(make_csr()[0], ORG, *validity(), subject=ORG_SUBJECT)


async def test_current_cfssl_issues_org_and_personal(
    fake: CfsslFake, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    adapter = _adapter(fake.base_url, http)
    start = validity()[0] + timedelta(days=30)
    end = start + timedelta(days=365)
    org = await adapter.issue(make_csr()[0], ORG, start, end, subject=ORG_SUBJECT)
    assert (org.not_before, org.not_after) == (start, end)
    assert org.chain == (fake.ca,)
    assert org.certificate.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == (
        ORG_SUBJECT.identifier
    )
    person = await adapter.issue(make_csr("rsa")[0], PERSONAL, *validity(), subject=PERSON_SUBJECT)
    assert "CN=张三" in person.subject_dn
    result = openssl_verify(tmp_path, fake.ca, [], person.certificate)
    assert result.returncode == 0, result.stdout + result.stderr
    sent = fake.calls("/api/v1/cfssl/sign")[0].json()
    assert sent["profile"] == "org" and sent["not_before"].endswith("Z")
    assert sent["subject"]["names"][0]["SerialNumber"] == ORG_SUBJECT.identifier


async def test_bad_csr_never_reaches_the_engine(
    fake: CfsslFake, http: aiohttp.ClientSession
) -> None:
    csr = make_csr("rsa")[0]
    with pytest.raises(CsrError):
        await _adapter(fake.base_url, http).issue(
            csr[:-1] + bytes([csr[-1] ^ 1]), ORG, *validity(), subject=ORG_SUBJECT
        )
    assert fake.calls("/api/v1/cfssl/sign") == []


async def test_engine_error_is_reported(fake: CfsslFake, http: aiohttp.ClientSession) -> None:
    fake.faults.fail_next(
        "/api/v1/cfssl/sign",
        status=400,
        body={
            "success": False,
            "result": None,
            "errors": [{"code": 9002, "message": "CSR Decode failed"}],
        },
    )
    with pytest.raises(CaError, match="9002: CSR Decode failed"):
        await _adapter(fake.base_url, http).issue(
            make_csr()[0], ORG, *validity(), subject=ORG_SUBJECT
        )


async def test_revoke_through_current_cfssl(fake: CfsslFake, http: aiohttp.ClientSession) -> None:
    adapter = _adapter(fake.base_url, http)
    issued = await adapter.issue(make_csr()[0], ORG, *validity(), subject=ORG_SUBJECT)
    await adapter.revoke(issued.certificate.serial_number, RevocationReason.KEY_COMPROMISE)
    assert fake.revoked == {issued.certificate.serial_number: "keycompromise"}
    with pytest.raises(CaError, match="Certificate not found"):
        await adapter.revoke(424242, RevocationReason.SUPERSEDED)
