"""A fake ``cfssl serve`` speaking CFSSL 1.4+'s sign/info/revoke API.

Faithful to the engine where certdesk depends on it: the CSR must decode and its signature
verify, an unknown profile silently falls back to the default one, the subject override
replaces the CSR's subject (``CN`` plus ``names`` with ``C``, ``ST``, ``L``, ``O``, ``OU``,
``SerialNumber``, in Go's ``pkix.Name`` order), ``not_before``/``not_after`` override the
profile's expiry, and revocation needs the serial and the CA's authority key id. Errors answer
HTTP 400 with ``{"success": false, "errors": [{"code", "message"}]}`` like the real one.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from bot.sandbox.base import FakeServer, json_response

USAGES = {
    "digital signature": "digital_signature",
    "content commitment": "content_commitment",
    "key encipherment": "key_encipherment",
}
EXT_USAGES = {
    "client auth": ExtendedKeyUsageOID.CLIENT_AUTH,
    "email protection": ExtendedKeyUsageOID.EMAIL_PROTECTION,
    "server auth": ExtendedKeyUsageOID.SERVER_AUTH,
}
NAME_ORDER = [
    ("C", NameOID.COUNTRY_NAME),
    ("ST", NameOID.STATE_OR_PROVINCE_NAME),
    ("L", NameOID.LOCALITY_NAME),
    ("O", NameOID.ORGANIZATION_NAME),
    ("OU", NameOID.ORGANIZATIONAL_UNIT_NAME),
]
DEFAULT_PROFILES: dict[str, dict[str, Any]] = {
    "default": {"expiry_hours": 8760, "usages": ["digital signature"]},
    "org": {
        "expiry_hours": 8760,
        "usages": ["digital signature", "content commitment", "client auth", "email protection"],
    },
    "personal": {
        "expiry_hours": 8760,
        "usages": ["digital signature", "content commitment", "client auth", "email protection"],
    },
}


def _error(code: int, message: str) -> web.Response:
    body = {"success": False, "result": None, "errors": [{"code": code, "message": message}]}
    return json_response({**body, "messages": []}, status=400)


def _ok(result: dict[str, Any]) -> web.Response:
    return json_response({"success": True, "result": result, "errors": [], "messages": []})


class CfsslFake(FakeServer):
    """``cfssl serve`` with an ECDSA CA of its own; ``revoked`` holds revoked serials."""

    def __init__(self, profiles: dict[str, dict[str, Any]] | None = None) -> None:
        super().__init__()
        self.profiles = profiles or DEFAULT_PROFILES
        self.key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(UTC)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cfssl fake CA")])
        public = self.key.public_key()
        self.ca = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(hours=1))
            .not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        self.issued: set[int] = set()
        self.revoked: dict[int, str] = {}

    def _routes(self) -> Iterable[web.AbstractRouteDef]:
        return [
            web.post("/api/v1/cfssl/sign", self._sign),
            web.post("/api/v1/cfssl/info", self._info),
            web.post("/api/v1/cfssl/revoke", self._revoke),
        ]

    @property
    def ca_pem(self) -> str:
        """The fake's CA certificate in PEM."""
        return self.ca.public_bytes(serialization.Encoding.PEM).decode("ascii")

    async def _body(self, request: web.Request) -> dict[str, Any] | None:
        try:
            body = await request.json()
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    async def _info(self, request: web.Request) -> web.Response:
        return _ok({"certificate": self.ca_pem, "usages": [], "expiry": "8760h"})

    async def _sign(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        if body is None:
            return _error(1002, "Unable to parse sign request")
        try:
            csr = x509.load_pem_x509_csr(str(body.get("certificate_request", "")).encode())
        except ValueError:
            return _error(9002, "CSR Decode failed")
        if not csr.is_signature_valid:
            return _error(9003, "CSR signature verification failed")
        profile = self.profiles.get(str(body.get("profile", "")), self.profiles["default"])
        subject = self._subject(body.get("subject"), csr.subject)
        now = datetime.now(UTC).replace(microsecond=0)
        try:
            not_before = _time(body.get("not_before")) or now - timedelta(minutes=5)
            not_after = _time(body.get("not_after")) or now + timedelta(
                hours=profile["expiry_hours"]
            )
        except ValueError:
            return _error(1002, "Unable to parse sign request")
        usage = {flag: name in profile["usages"] for name, flag in USAGES.items()}
        ekus = [oid for name, oid in EXT_USAGES.items() if name in profile["usages"]]
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.ca.subject)
            .public_key(csr.public_key())
            .serial_number(secrets.randbits(159) | 1)
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                    **usage,
                ),
                critical=True,
            )
        )
        if ekus:
            builder = builder.add_extension(x509.ExtendedKeyUsage(ekus), critical=False)
        cert = builder.sign(self.key, hashes.SHA256())
        self.issued.add(cert.serial_number)
        return _ok({"certificate": cert.public_bytes(serialization.Encoding.PEM).decode()})

    def _subject(self, override: Any, from_csr: x509.Name) -> x509.Name:
        if not isinstance(override, dict):
            return from_csr
        names = override.get("names") or [{}]
        first = names[0] if isinstance(names[0], dict) else {}
        parts = [(oid, first.get(key, "")) for key, oid in NAME_ORDER]
        parts += [(NameOID.COMMON_NAME, override.get("CN", ""))]
        parts += [(NameOID.SERIAL_NUMBER, first.get("SerialNumber", ""))]
        return x509.Name([x509.NameAttribute(oid, str(v)) for oid, v in parts if v])

    async def _revoke(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        if body is None or not str(body.get("serial", "")).isdigit():
            return _error(1002, "Unable to parse revoke request")
        ski = self.ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
        serial = int(body["serial"])
        if serial not in self.issued or str(body.get("authority_key_id", "")).lower() != ski.hex():
            return _error(8000, "Certificate not found")
        self.revoked[serial] = str(body.get("reason", ""))
        return _ok({})


def _time(value: Any) -> datetime | None:
    if value in (None, "", "0001-01-01T00:00:00Z"):
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
