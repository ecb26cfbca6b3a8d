"""Adapter for an external CA engine speaking CFSSL's HTTP API (``cfssl serve``).

``POST {base}/api/v1/cfssl/sign`` with ``{"certificate_request": <PEM CSR>, "profile": <name>,
"subject": {"CN": ..., "names": [{"C", "ST", "L", "O", "OU", "SerialNumber"}]},
"not_before": <RFC 3339>, "not_after": <RFC 3339>}`` answers ``{"success": true, "result":
{"certificate": <PEM>}}`` or ``{"success": false, "errors": [{"code", "message"}]}``.
``POST {base}/api/v1/cfssl/info`` gives the signing CA certificate (the chain we return).
``POST {base}/api/v1/cfssl/revoke`` (``serial``, ``authority_key_id``, ``reason``) needs an
engine run with a certificate database.

The engine's profiles (``ca.profile_org`` / ``ca.profile_personal``) carry the key usages and
extended key usages; the subject override and the validity come from certdesk. Engines differ
in what they honour (CFSSL before 1.4 ignores ``not_before``/``not_after`` and has no
``SerialNumber`` name field; an unknown profile silently falls back to the default one), so
every returned certificate is checked — public key from the CSR, subject, validity, usages,
signature by the CA — and refused with a clear error rather than handed to a user.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID

from bot.ca.base import (
    CaError,
    IssuedCertificate,
    RevocationReason,
    check_validity,
    checked_csr,
    utc,
)
from bot.ca.profiles import SERIAL_NUMBER_OID, Profile, SubjectInfo

VALIDITY_TOLERANCE = timedelta(minutes=10)
_NAME_FIELDS = {"C": "country", "ST": "province", "L": "city", "O": "organisation", "OU": "unit"}


class EngineMismatch(CaError):
    """The engine signed something other than what was requested; nothing was handed out."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("CA engine's certificate refused: " + "; ".join(problems))
        self.problems = problems


class CfsslCA:
    """Issues through a CFSSL engine; every answer is verified before it is returned."""

    def __init__(
        self,
        base_url: str,
        http: Callable[[], aiohttp.ClientSession],
        profiles: Mapping[str, str],
    ) -> None:
        if not base_url:
            raise CaError("ca.api_base_url: required for the cfssl backend")
        self._base = base_url.rstrip("/")
        self._http = http
        self._profiles = dict(profiles)
        self._ca: x509.Certificate | None = None

    async def _post(self, endpoint: str, body: Mapping[str, Any]) -> dict[str, Any]:
        url = f"{self._base}/api/v1/cfssl/{endpoint}"
        try:
            async with self._http().post(url, json=body) as response:
                text = await response.text()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise CaError(f"CA engine unreachable ({type(exc).__name__})") from exc
        try:
            answer = json.loads(text)
        except ValueError:
            raise CaError(f"CA engine answered {status} without JSON on {endpoint}") from None
        if not isinstance(answer, dict) or not answer.get("success"):
            errors = answer.get("errors") if isinstance(answer, dict) else None
            detail = "; ".join(
                f"{e.get('code')}: {e.get('message')}" for e in errors or [] if isinstance(e, dict)
            )
            raise CaError(f"CA engine refused {endpoint} ({status}): {detail or 'no reason'}")
        result = answer.get("result")
        if not isinstance(result, dict):
            raise CaError(f"CA engine answer to {endpoint} has no result")
        return result

    async def ca_certificate(self) -> x509.Certificate:
        """The engine's signing CA certificate (cached)."""
        if self._ca is None:
            result = await self._post("info", {"label": ""})
            self._ca = _load_pem(result.get("certificate"), "info")
        return self._ca

    async def issue(
        self,
        csr_der: bytes,
        profile: Profile,
        not_before: datetime,
        not_after: datetime,
        *,
        subject: SubjectInfo,
    ) -> IssuedCertificate:
        """Have the engine sign; refuse an answer that is not exactly what was asked."""
        check_validity(not_before, not_after)
        csr = checked_csr(csr_der)
        csr_pem = csr.public_bytes(serialization.Encoding.PEM).decode("ascii")
        name: dict[str, str] = {
            key: getattr(subject, attr)
            for key, attr in _NAME_FIELDS.items()
            if getattr(subject, attr)
        }
        name["SerialNumber"] = subject.identifier
        body = {
            "certificate_request": csr_pem,
            "profile": self._profiles.get(profile.name, profile.name),
            "subject": {"CN": subject.common_name, "names": [name]},
            "not_before": _rfc3339(not_before),
            "not_after": _rfc3339(not_after),
        }
        result = await self._post("sign", body)
        certificate = _load_pem(result.get("certificate"), "sign")
        ca = await self.ca_certificate()
        problems = _problems(certificate, csr, ca, profile, subject, not_before, not_after)
        if problems:
            raise EngineMismatch(problems)
        return IssuedCertificate(certificate, (ca,))

    async def revoke(self, serial: int, reason: RevocationReason) -> None:
        """Revoke through the engine (it must run with a certificate database)."""
        ca = await self.ca_certificate()
        ski = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
        body = {
            "serial": str(serial),
            "authority_key_id": ski.hex(),
            "reason": reason.value.replace("_", ""),
        }
        try:
            await self._post("revoke", body)
        except CaError as exc:
            raise CaError(f"revocation failed: {exc}") from exc


def _rfc3339(moment: datetime) -> str:
    return utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def _load_pem(value: object, endpoint: str) -> x509.Certificate:
    if not isinstance(value, str):
        raise CaError(f"CA engine answer to {endpoint} has no certificate")
    try:
        return x509.load_pem_x509_certificate(value.encode("ascii"))
    except ValueError as exc:
        raise CaError(f"CA engine answer to {endpoint} is not a PEM certificate") from exc


def _attributes(name: x509.Name) -> list[tuple[str, str]]:
    return sorted((a.oid.dotted_string, str(a.value)) for a in name)


def _problems(
    certificate: x509.Certificate,
    csr: x509.CertificateSigningRequest,
    ca: x509.Certificate,
    profile: Profile,
    subject: SubjectInfo,
    not_before: datetime,
    not_after: datetime,
) -> list[str]:
    """Every way the returned certificate differs from what was requested (empty: none)."""
    problems = []
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    if certificate.public_key().public_bytes(der, spki) != csr.public_key().public_bytes(der, spki):
        problems.append("public key: not the CSR's key")
    try:
        certificate.verify_directly_issued_by(ca)
    except Exception:  # wrong key type or bad signature
        problems.append("signature: not signed by the engine's CA certificate")
    if _attributes(certificate.subject) != _attributes(subject.to_name(SERIAL_NUMBER_OID)):
        problems.append(
            "subject: changed by the engine (SerialNumber needs CFSSL 1.4 or later): "
            + certificate.subject.rfc4514_string()
        )
    if (
        abs(certificate.not_valid_before_utc - utc(not_before)) > VALIDITY_TOLERANCE
        or abs(certificate.not_valid_after_utc - utc(not_after)) > VALIDITY_TOLERANCE
    ):
        problems.append("validity: the requested not_before/not_after were not applied")
    try:
        usage: x509.KeyUsage | None = certificate.extensions.get_extension_for_class(
            x509.KeyUsage
        ).value
    except x509.ExtensionNotFound:
        usage = None
    try:
        eku = set(certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    except x509.ExtensionNotFound:
        eku = set()
    wanted_eku = {ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.EMAIL_PROTECTION}
    if usage is None or not (usage.digital_signature and usage.content_commitment):
        problems.append(
            f"key usage: profile {profile.name!r} lacks digitalSignature/nonRepudiation"
        )
    if not wanted_eku <= eku:
        problems.append(
            f"extended key usage: profile {profile.name!r} lacks clientAuth/emailProtection"
        )
    try:
        if certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca:
            problems.append("basic constraints: a CA certificate for an end entity")
    except x509.ExtensionNotFound:
        pass
    return problems
