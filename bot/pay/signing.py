"""WeChat Pay v3 signatures (WECHATPAY2-SHA256-RSA2048, SHA256withRSA / PKCS#1 v1.5).

Requests are signed with the merchant API key; responses and notifications are verified with the
WeChat Pay public key (``PUB_KEY_ID_...``) or a platform certificate, chosen by
``Wechatpay-Serial``, inside a timestamp window. JSAPI / mini-program ``paySign`` is here too.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

AUTH_SCHEME = "WECHATPAY2-SHA256-RSA2048"
TIMESTAMP_WINDOW = 300
"""Seconds a response or notification timestamp may differ from our clock."""
PROBE_PREFIX = "WECHATPAY/SIGNTEST/"


class SignatureError(Exception):
    """A response or notification whose signature, key id or timestamp is not acceptable."""


def load_private_key(pem: str | bytes) -> rsa.RSAPrivateKey:
    """The merchant's RSA private key from PEM text."""
    key = serialization.load_pem_private_key(pem.encode() if isinstance(pem, str) else pem, None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("the merchant API key must be an RSA private key")
    return key


def load_public_key(pem: str | bytes) -> rsa.RSAPublicKey:
    """An RSA public key from a PEM public key or a PEM certificate."""
    data = pem.encode() if isinstance(pem, str) else pem
    key: object
    if b"BEGIN CERTIFICATE" in data:
        key = x509.load_pem_x509_certificate(data).public_key()
    else:
        key = serialization.load_pem_public_key(data)
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("the WeChat Pay key must be an RSA public key")
    return key


def certificate_serial(pem: str | bytes) -> str:
    """The upper-case hex serial of a PEM platform certificate (its ``Wechatpay-Serial``)."""
    data = pem.encode() if isinstance(pem, str) else pem
    return format(x509.load_pem_x509_certificate(data).serial_number, "X")


def message(*lines: str | bytes) -> bytes:
    """The v3 string to sign: every line followed by ``\\n``."""
    return b"".join((line.encode() if isinstance(line, str) else line) + b"\n" for line in lines)


def sign(private_key: rsa.RSAPrivateKey, data: bytes) -> str:
    """Base64 SHA256withRSA signature of ``data``."""
    return base64.b64encode(private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())).decode()


def verify(public_key: rsa.RSAPublicKey, data: bytes, signature: str) -> bool:
    """Whether ``signature`` (base64) is a valid SHA256withRSA signature of ``data``."""
    try:
        raw = base64.b64decode(signature.encode("ascii"), validate=True)
        public_key.verify(raw, data, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, binascii.Error, ValueError, UnicodeEncodeError):
        return False
    return True


def nonce_str() -> str:
    """A random 32-character nonce."""
    return secrets.token_hex(16).upper()


def authorization(
    *,
    mchid: str,
    serial_no: str,
    private_key: rsa.RSAPrivateKey,
    method: str,
    path: str,
    body: bytes,
    timestamp: int | None = None,
    nonce: str | None = None,
) -> str:
    """The ``Authorization`` header of a request (``path`` with its query string)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    nonce = nonce or nonce_str()
    signature = sign(private_key, message(method.upper(), path, str(timestamp), nonce, body))
    return (
        f'{AUTH_SCHEME} mchid="{mchid}",nonce_str="{nonce}",signature="{signature}",'
        f'timestamp="{timestamp}",serial_no="{serial_no}"'
    )


def pay_sign(
    private_key: rsa.RSAPrivateKey, app_id: str, timestamp: str, nonce: str, package: str
) -> str:
    """JSAPI / mini-program ``paySign`` over ``appId, timeStamp, nonceStr, package``."""
    return sign(private_key, message(app_id, timestamp, nonce, package))


def jsapi_params(
    private_key: rsa.RSAPrivateKey,
    app_id: str,
    prepay_id: str,
    *,
    timestamp: int | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """The ``wx.requestPayment`` / ``getBrandWCPayRequest`` arguments (with ``appId``, which
    the mini-program ignores)."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or nonce_str()
    package = f"prepay_id={prepay_id}"
    return {
        "appId": app_id,
        "timeStamp": stamp,
        "nonceStr": nonce,
        "package": package,
        "signType": "RSA",
        "paySign": pay_sign(private_key, app_id, stamp, nonce, package),
    }


@dataclass
class Verifier:
    """Verifies ``Wechatpay-*`` signed bodies with the keys we trust, selected by serial.

    ``keys`` maps a key id (``PUB_KEY_ID_...`` or a platform certificate serial) to its key;
    during a migration both kinds are configured and either is accepted.
    """

    keys: dict[str, rsa.RSAPublicKey] = field(default_factory=dict)
    window: int = TIMESTAMP_WINDOW

    def add(self, key_id: str, pem: str | bytes) -> None:
        """Trust ``pem`` (public key or certificate) under ``key_id``."""
        self.keys[key_id.upper()] = load_public_key(pem)

    def verify(self, headers: Mapping[str, str], body: bytes, now: float | None = None) -> None:
        """Raise :class:`SignatureError` unless ``body`` is signed by a trusted key, recently."""
        timestamp = headers.get("Wechatpay-Timestamp", "")
        nonce = headers.get("Wechatpay-Nonce", "")
        signature = headers.get("Wechatpay-Signature", "")
        serial = headers.get("Wechatpay-Serial", "")
        if not (timestamp and nonce and signature and serial):
            raise SignatureError("missing Wechatpay signature headers")
        if signature.startswith(PROBE_PREFIX):
            raise SignatureError("signature probe")
        key = self.keys.get(serial.upper())
        if key is None:
            raise SignatureError(f"unknown Wechatpay-Serial {serial[:64]!r}")
        if not timestamp.isdigit() or len(timestamp) > 12:
            raise SignatureError("invalid Wechatpay-Timestamp")
        current = time.time() if now is None else now
        if abs(current - int(timestamp)) > self.window:
            raise SignatureError("Wechatpay-Timestamp outside the accepted window")
        if not verify(key, message(timestamp, nonce, body), signature):
            raise SignatureError("signature does not verify")
