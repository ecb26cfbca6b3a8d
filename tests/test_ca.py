"""The built-in CA: init, issuance under the profiles, CSR checks, revocation and CRL, keys."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509 import verification
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ca import ORG, PERSONAL, BuiltinCA, CaError, CsrError, RevocationReason
from bot.ca.base import checked_csr
from bot.secrets_box import DataCipher, generate_key
from tests.conftest import run_certdesk
from tests.test_ca_helpers import (
    ORG_SUBJECT,
    PERSON_SUBJECT,
    make_csr,
    openssl_verify,
    validity,
)


def _cipher() -> DataCipher:
    return DataCipher.from_config([generate_key()])


@pytest.fixture(scope="module", params=["ecdsa-p256", "rsa-2048"])
def ca(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> BuiltinCA:
    """A built-in CA of each key algorithm (made once per module: RSA keys are slow)."""
    made = BuiltinCA(tmp_path_factory.mktemp("ca"), _cipher())
    made.init("高任数字认证", str(request.param))
    return made


def test_cli_init_writes_encrypted_keys_and_refuses_to_overwrite(tmp_path: Path) -> None:
    env = {
        "CERTDESK_CA_PATH": str(tmp_path / "ca"),
        "CERTDESK_CA_NAME": "高任数字认证",
        "CERTDESK_SECURITY_DATA_KEYS": generate_key(),
    }
    first = run_certdesk("ca", "init", env=env)
    assert first.returncode == 0, first.stderr
    assert "高任数字认证 Root CA" in first.stdout
    cipher = DataCipher.from_config([env["CERTDESK_SECURITY_DATA_KEYS"]])
    for name, cert_name in (("root.key", "root.pem"), ("issuing.key", "issuing.pem")):
        stored = (tmp_path / "ca" / name).read_text()
        assert "PRIVATE KEY" not in stored and stored.startswith("v1.")
        plain = cipher.decrypt(stored.strip(), context=f"ca:{name}")
        assert plain not in stored and plain[:40] not in stored
        key = serialization.load_der_private_key(base64.b64decode(plain), None)
        cert = x509.load_pem_x509_certificate((tmp_path / "ca" / cert_name).read_bytes())
        assert key.public_key() == cert.public_key()
    assert (tmp_path / "ca" / "root.key").stat().st_mode & 0o077 == 0
    again = run_certdesk("ca", "init", env=env)
    assert again.returncode == 1 and "refusing to overwrite" in again.stderr
    crl = run_certdesk("ca", "crl", env=env)
    assert crl.returncode == 0, crl.stderr
    issuer = x509.load_pem_x509_crl(crl.stdout.encode()).issuer.rfc4514_string()
    assert "CN=高任数字认证 Issuing CA" in issuer


def test_wrong_data_key_cannot_use_the_ca(ca: BuiltinCA) -> None:
    stranger = BuiltinCA(ca.path, _cipher())
    with pytest.raises(CaError, match="does not decrypt"):
        _ = stranger.issuing


async def test_org_certificate_chains_to_root_and_has_the_profile(
    ca: BuiltinCA, tmp_path: Path
) -> None:
    csr, key = make_csr("ec")
    start, end = validity()
    issued = await ca.issue(csr, ORG, start, end, subject=ORG_SUBJECT)
    cert = issued.certificate
    assert issued.chain == (ca.issuing, ca.root)
    result = openssl_verify(tmp_path, ca.root, [ca.issuing], cert)
    assert result.returncode == 0, result.stdout + result.stderr
    store = verification.Store([ca.root])
    # Web-PKI rules would demand a subjectAltName; a person or company certificate has none.
    policies = verification.PolicyBuilder().extension_policies(
        ca_policy=verification.ExtensionPolicy.webpki_defaults_ca(),
        ee_policy=verification.ExtensionPolicy.permit_all(),
    )
    verifier = policies.store(store).time(start).build_client_verifier()
    verified = verifier.verify(cert, [ca.issuing])
    assert verified.chain[-1] == ca.root
    assert (cert.not_valid_before_utc, cert.not_valid_after_utc) == (start, end)
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and usage.value.content_commitment
    assert not usage.value.key_encipherment  # an ECDSA key cannot encipher
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert set(eku) == {ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.EMAIL_PROTECTION}
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    assert cert.public_key().public_bytes(der, spki) == key.public_key().public_bytes(der, spki)


async def test_subject_comes_from_the_record_not_the_csr(ca: BuiltinCA) -> None:
    csr, _ = make_csr("ec", common_name="Mallory Ltd")
    issued = await ca.issue(csr, ORG, *validity(), subject=ORG_SUBJECT)
    subject = issued.certificate.subject
    assert "Mallory" not in issued.subject_dn
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "高任市建设工程有限公司"
    assert subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == "91110000600037341L"
    assert subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "CN"
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value == "招投标部"


async def test_personal_rsa_certificate_adds_key_encipherment(
    ca: BuiltinCA, tmp_path: Path
) -> None:
    csr, _ = make_csr("rsa")
    issued = await ca.issue(csr, PERSONAL, *validity(), subject=PERSON_SUBJECT)
    usage = issued.certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_encipherment and usage.digital_signature and usage.content_commitment
    assert "O=" not in issued.subject_dn  # no organisation given: none made up
    result = openssl_verify(tmp_path, ca.root, [ca.issuing], issued.certificate)
    assert result.returncode == 0, result.stdout + result.stderr


async def test_configured_identifier_oid(ca: BuiltinCA) -> None:
    custom = BuiltinCA(ca.path, ca._cipher, identifier_oid="1.2.156.10260.4.1.1")
    issued = await custom.issue(make_csr()[0], PERSONAL, *validity(), subject=PERSON_SUBJECT)
    oid = x509.ObjectIdentifier("1.2.156.10260.4.1.1")
    assert issued.certificate.subject.get_attributes_for_oid(oid)[0].value == "11010519491231002X"
    assert not issued.certificate.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)


async def test_csr_with_bad_signature_is_refused(ca: BuiltinCA) -> None:
    csr, _ = make_csr("rsa")
    tampered = csr[:-1] + bytes([csr[-1] ^ 0x01])
    with pytest.raises(CsrError, match="signature"):
        await ca.issue(tampered, ORG, *validity(), subject=ORG_SUBJECT)
    with pytest.raises(CsrError, match="DER"):
        await ca.issue(b"not a csr", ORG, *validity(), subject=ORG_SUBJECT)
    weak, _ = make_csr("rsa", bits=1024)
    with pytest.raises(CsrError, match="too short"):
        await ca.issue(weak, ORG, *validity(), subject=ORG_SUBJECT)


async def test_validity_is_checked(ca: BuiltinCA) -> None:
    start, end = validity()
    with pytest.raises(ValueError, match="later than"):
        await ca.issue(make_csr()[0], ORG, end, start, subject=ORG_SUBJECT)
    with pytest.raises(CaError, match="issuing CA"):
        await ca.issue(
            make_csr()[0], ORG, start, start + timedelta(days=20 * 365), subject=ORG_SUBJECT
        )


async def test_serials_are_random_positive_159_bit(ca: BuiltinCA) -> None:
    csr, _ = make_csr()
    serials = [
        (await ca.issue(csr, ORG, *validity(), subject=ORG_SUBJECT)).certificate.serial_number
        for _ in range(8)
    ]
    assert len(set(serials)) == 8
    assert all(0 < s < 2**159 for s in serials)
    assert max(s.bit_length() for s in serials) > 150


async def test_revoked_certificate_is_on_the_crl(ca: BuiltinCA, tmp_path: Path) -> None:
    kept = await ca.issue(make_csr()[0], ORG, *validity(), subject=ORG_SUBJECT)
    revoked = await ca.issue(make_csr()[0], ORG, *validity(), subject=ORG_SUBJECT)
    serial = revoked.certificate.serial_number
    await ca.revoke(serial, RevocationReason.SUPERSEDED)
    await ca.revoke(serial, RevocationReason.SUPERSEDED)  # idempotent
    crl = ca.crl(days=7)
    assert crl.is_signature_valid(ca.issuing.public_key())  # type: ignore[arg-type]
    entry = crl.get_revoked_certificate_by_serial_number(serial)
    assert entry is not None
    reason = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
    assert reason is x509.ReasonFlags.superseded
    assert crl.get_revoked_certificate_by_serial_number(kept.certificate.serial_number) is None
    assert crl.next_update_utc is not None
    assert crl.next_update_utc - crl.last_update_utc == timedelta(days=7)
    number = crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    assert ca.crl().extensions.get_extension_for_class(x509.CRLNumber).value.crl_number > number
    refused = openssl_verify(tmp_path, ca.root, [ca.issuing], revoked.certificate, crl)
    assert refused.returncode != 0 and "revoked" in (refused.stdout + refused.stderr)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600))
def test_csr_parser_fuzz(data: bytes) -> None:
    """Any bytes: a clear CsrError, never another exception."""
    with pytest.raises(CsrError):
        checked_csr(data)


def test_issued_certificate_times_are_utc(ca: BuiltinCA) -> None:
    assert ca.root.not_valid_after_utc.tzinfo is UTC
    assert ca.issuing.not_valid_after_utc > datetime.now(UTC) + timedelta(days=3000)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("CERTDESK_CA_IDENTIFIER_OID", "serialNumber", "dotted OID"),
        ("CERTDESK_CA_CRL_DAYS", "0", "at least 1"),
        ("CERTDESK_CA_KEY_ALGORITHM", "dsa", "ecdsa-p256, rsa-2048"),
    ],
)
def test_bad_ca_settings_are_named(key: str, value: str, message: str) -> None:
    from bot.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match=message):
        load_settings(None, env={key: value})


async def test_subject_from_application_answers(ca: BuiltinCA) -> None:
    from bot.ca.profiles import subject_from_answers

    answers = {
        "org_name": "高任市建设工程有限公司",
        "uscc": "91110000600037341L",
        "department": "",
        "mail_province": "河南省",
        "mail_city": "高任市",
        "legal_id_number": "11010519491231002X",
    }
    subject = subject_from_answers("org", answers)
    issued = await ca.issue(make_csr()[0], ORG, *validity(), subject=subject)
    dn = issued.subject_dn
    assert "ST=河南省" in dn and "L=高任市" in dn and "OU=" not in dn
    assert "11010519491231002X" not in dn  # the legal person's ID never goes in
    person = subject_from_answers(
        "personal", {"user_name": "张三", "id_number": "11010519491231002X"}
    )
    assert person.common_name == "张三" and person.organisation == ""
    with pytest.raises(ValueError, match="renewal"):
        subject_from_answers("renewal", answers)


async def test_every_revocation_reason_reaches_the_crl(ca: BuiltinCA) -> None:
    serials = {}
    for reason in RevocationReason:
        issued = await ca.issue(make_csr()[0], ORG, *validity(), subject=ORG_SUBJECT)
        await ca.revoke(issued.certificate.serial_number, reason)
        serials[reason] = issued.certificate.serial_number
    crl = ca.crl()
    for reason, serial in serials.items():
        entry = crl.get_revoked_certificate_by_serial_number(serial)
        assert entry is not None
        flag = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
        assert flag is x509.ReasonFlags[reason.value]
