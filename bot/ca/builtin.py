"""The built-in CA: a root and an issuing CA kept in a directory, signing with ``cryptography``.

For development and small deployments. ``certdesk ca init`` creates the two CAs (ECDSA P-256 or
RSA 2048, per ``ca.key_algorithm``). Files in ``ca.path``:

- ``root.pem``, ``issuing.pem``: the CA certificates (public);
- ``root.key``, ``issuing.key``: the PKCS#8 private keys, encrypted with ``security.data_keys``
  (``bot.secrets_box.DataCipher``, bound to their file name) — never PEM in clear;
- ``revocations.json``: revoked serials (and the CRL number), written under a file lock so
  several processes on one host can revoke safely.

Serial numbers are 159 random bits (positive, at most 20 octets as RFC 5280 requires).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import fcntl
import json
import os
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from bot.ca.base import (
    CaError,
    IssuedCertificate,
    RevocationReason,
    check_validity,
    checked_csr,
    utc,
)
from bot.ca.profiles import Profile, SubjectInfo
from bot.secrets_box import DataCipher, DecryptError

SigningKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
ROOT_YEARS = 20
ISSUING_YEARS = 10
SERIAL_BITS = 159


def random_serial() -> int:
    """A random positive serial number of at most 159 bits."""
    while True:
        serial = secrets.randbits(SERIAL_BITS)
        if serial > 0:
            return serial


def _new_key(algorithm: str) -> SigningKey:
    if algorithm == "ecdsa-p256":
        return ec.generate_private_key(ec.SECP256R1())
    if algorithm == "rsa-2048":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    raise ValueError(f"ca.key_algorithm: unknown algorithm {algorithm!r}")


def _ca_certificate(
    subject: x509.Name,
    key: SigningKey,
    issuer: x509.Certificate | None,
    issuer_key: SigningKey,
    years: int,
    path_length: int,
) -> x509.Certificate:
    now = datetime.now(UTC).replace(microsecond=0)
    public = key.public_key()
    issuer_name = issuer.subject if issuer is not None else subject
    aki_source = issuer.public_key() if issuer is not None else public
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(public)
        .serial_number(random_serial())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(aki_source),  # type: ignore[arg-type]
            critical=False,
        )
    )
    return builder.sign(issuer_key, hashes.SHA256())


class BuiltinCA:
    """Issues and revokes with the CA keys stored (encrypted) in ``path``."""

    ROOT_CERT = "root.pem"
    ISSUING_CERT = "issuing.pem"
    ROOT_KEY = "root.key"
    ISSUING_KEY = "issuing.key"
    REVOCATIONS = "revocations.json"

    def __init__(
        self, path: str | os.PathLike[str], cipher: DataCipher, identifier_oid: str = "2.5.4.5"
    ) -> None:
        self.path = Path(path)
        self._cipher = cipher
        self._identifier_oid = identifier_oid
        self._loaded: tuple[x509.Certificate, x509.Certificate, SigningKey] | None = None

    # --- creation -------------------------------------------------------------------------

    def initialised(self) -> bool:
        """Whether ``ca init`` already ran for this directory."""
        return (self.path / self.ISSUING_CERT).exists()

    def init(self, name: str, algorithm: str) -> tuple[x509.Certificate, x509.Certificate]:
        """Create the root and the issuing CA; refuses to overwrite an existing CA."""
        if self.initialised() or (self.path / self.ROOT_KEY).exists():
            raise CaError(f"a CA already exists in {self.path}; refusing to overwrite it")
        self.path.mkdir(parents=True, exist_ok=True)
        root_key, issuing_key = _new_key(algorithm), _new_key(algorithm)
        base = [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
        ]
        root = _ca_certificate(
            x509.Name([*base, x509.NameAttribute(NameOID.COMMON_NAME, f"{name} Root CA")]),
            root_key,
            None,
            root_key,
            ROOT_YEARS,
            1,
        )
        issuing = _ca_certificate(
            x509.Name([*base, x509.NameAttribute(NameOID.COMMON_NAME, f"{name} Issuing CA")]),
            issuing_key,
            root,
            root_key,
            ISSUING_YEARS,
            0,
        )
        self._write_key(self.ROOT_KEY, root_key)
        self._write_key(self.ISSUING_KEY, issuing_key)
        pem = serialization.Encoding.PEM
        self._write(self.ROOT_CERT, root.public_bytes(pem))
        self._write(self.ISSUING_CERT, issuing.public_bytes(pem))  # last: marks "initialised"
        return root, issuing

    def _write(self, name: str, data: bytes) -> None:
        target = self.path / name
        temporary = target.with_suffix(target.suffix + ".tmp")
        temporary.write_bytes(data)
        os.chmod(temporary, 0o600 if name.endswith(".key") else 0o644)
        os.replace(temporary, target)

    def _write_key(self, name: str, key: SigningKey) -> None:
        der = key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        token = self._cipher.encrypt(base64.b64encode(der).decode("ascii"), context=f"ca:{name}")
        self._write(name, token.encode("ascii") + b"\n")

    # --- loading --------------------------------------------------------------------------

    def _load(self) -> tuple[x509.Certificate, x509.Certificate, SigningKey]:
        if self._loaded is None:
            if not self.initialised():
                raise CaError(f"no CA in {self.path}: run `certdesk ca init` first")
            root = x509.load_pem_x509_certificate((self.path / self.ROOT_CERT).read_bytes())
            issuing = x509.load_pem_x509_certificate((self.path / self.ISSUING_CERT).read_bytes())
            token = (self.path / self.ISSUING_KEY).read_text("ascii").strip()
            try:
                der = base64.b64decode(
                    self._cipher.decrypt(token, context=f"ca:{self.ISSUING_KEY}")
                )
            except DecryptError as exc:
                raise CaError("the issuing CA key does not decrypt (security.data_keys)") from exc
            key = serialization.load_der_private_key(der, password=None)
            if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
                raise CaError("the issuing CA key is neither ECDSA nor RSA")
            self._loaded = (root, issuing, key)
        return self._loaded

    @property
    def root(self) -> x509.Certificate:
        """The root CA certificate (the trust anchor relying parties install)."""
        return self._load()[0]

    @property
    def issuing(self) -> x509.Certificate:
        """The issuing CA certificate."""
        return self._load()[1]

    # --- the CA interface -----------------------------------------------------------------

    async def issue(
        self,
        csr_der: bytes,
        profile: Profile,
        not_before: datetime,
        not_after: datetime,
        *,
        subject: SubjectInfo,
    ) -> IssuedCertificate:
        """Sign the CSR's (verified) public key for ``subject`` from the record."""
        check_validity(not_before, not_after)
        csr = checked_csr(csr_der)
        name = subject.to_name(self._identifier_oid)
        return await asyncio.to_thread(
            self._sign, csr.public_key(), profile, name, utc(not_before), utc(not_after)
        )

    def _sign(
        self,
        public: Any,
        profile: Profile,
        subject: x509.Name,
        not_before: datetime,
        not_after: datetime,
    ) -> IssuedCertificate:
        root, issuing, key = self._load()
        if not_after > issuing.not_valid_after_utc:
            raise CaError("the requested validity ends after the issuing CA certificate expires")
        issuer_ski = issuing.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuing.subject)
            .public_key(public)
            .serial_number(random_serial())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(profile.key_usage(public), critical=True)
            .add_extension(profile.extended_key_usage(), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(issuer_ski.value),
                critical=False,
            )
            .sign(key, hashes.SHA256())
        )
        return IssuedCertificate(certificate, (issuing, root))

    async def revoke(self, serial: int, reason: RevocationReason) -> None:
        """Record the serial as revoked (it appears on every CRL from now on)."""
        self._load()
        with self._revocations() as state:
            key = format(serial, "x")
            if key not in state["revoked"]:
                revoked_at = datetime.now(UTC).replace(microsecond=0).isoformat()
                state["revoked"][key] = {"at": revoked_at, "reason": reason.value}

    # --- CRL ------------------------------------------------------------------------------

    def crl(self, days: int = 7) -> x509.CertificateRevocationList:
        """A fresh CRL of every revoked serial, signed by the issuing CA."""
        _, issuing, key = self._load()
        now = datetime.now(UTC).replace(microsecond=0)
        with self._revocations() as state:
            state["crl_number"] = int(state.get("crl_number", 0)) + 1
            number = state["crl_number"]
            revoked = dict(state["revoked"])
        issuer_ski = issuing.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(issuing.subject)
            .last_update(now)
            .next_update(now + timedelta(days=days))
            .add_extension(x509.CRLNumber(number), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(issuer_ski.value),
                critical=False,
            )
        )
        for serial_hex, entry in sorted(revoked.items()):
            item = (
                x509.RevokedCertificateBuilder()
                .serial_number(int(serial_hex, 16))
                .revocation_date(datetime.fromisoformat(entry["at"]))
                .add_extension(x509.CRLReason(x509.ReasonFlags[entry["reason"]]), critical=False)
                .build()
            )
            builder = builder.add_revoked_certificate(item)
        return builder.sign(key, hashes.SHA256())

    @contextlib.contextmanager
    def _revocations(self) -> Iterator[dict[str, Any]]:
        """The revocation state, read and written back under an exclusive file lock."""
        path = self.path / self.REVOCATIONS
        with open(self.path / (self.REVOCATIONS + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                state: dict[str, Any] = (
                    json.loads(path.read_text("utf-8")) if path.exists() else {"revoked": {}}
                )
                yield state
                self._write(self.REVOCATIONS, json.dumps(state, sort_keys=True).encode("utf-8"))
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
