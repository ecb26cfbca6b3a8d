"""Crypto helpers shared by the fakes: RSA SHA256 signatures, AES-256-GCM, self-signed certificates.

Only the fakes use these; the tests that check the fakes carry their own small signers so that a
bug here cannot hide behind the same bug on the client side.
"""

from __future__ import annotations

import base64
import datetime
import functools
import ipaddress
import secrets
import string

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ALPHANUMERIC = string.ascii_letters + string.digits


def random_string(length: int, alphabet: str = ALPHANUMERIC) -> str:
    """A random string of ``length`` characters drawn from ``alphabet``."""
    return "".join(secrets.choice(alphabet) for _ in range(length))


def random_digits(length: int) -> str:
    """A random string of decimal digits."""
    return random_string(length, string.digits)


def generate_rsa_private_key_pem() -> str:
    """A fresh RSA-2048 private key as PKCS#8 PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@functools.cache
def cached_rsa_private_key_pem(label: str) -> str:
    """An RSA-2048 key generated once per process and ``label`` (key generation is slow)."""
    del label  # only the cache key
    return generate_rsa_private_key_pem()


def load_private_key(pem: str) -> rsa.RSAPrivateKey:
    """Load an RSA private key from PEM."""
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise TypeError("not an RSA private key")
    return key


def load_public_key(pem: str) -> rsa.RSAPublicKey:
    """Load an RSA public key from PEM (SubjectPublicKeyInfo)."""
    key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, rsa.RSAPublicKey):
        raise TypeError("not an RSA public key")
    return key


def public_key_pem(private_key: rsa.RSAPrivateKey) -> str:
    """The SubjectPublicKeyInfo PEM of a private key's public half."""
    return (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def rsa_sign(private_key: rsa.RSAPrivateKey, message: bytes) -> str:
    """SHA256withRSA (PKCS#1 v1.5) signature of ``message``, base64-encoded."""
    signature = private_key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode()


def rsa_verify(public_key: rsa.RSAPublicKey, message: bytes, signature_b64: str) -> bool:
    """Whether ``signature_b64`` is a valid SHA256withRSA signature of ``message``."""
    try:
        signature = base64.b64decode(signature_b64, validate=True)
        public_key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


def wechatpay_message(*lines: str) -> bytes:
    """WeChat Pay v3 string to sign: every line followed by ``\\n``, the last one included."""
    return "".join(f"{line}\n" for line in lines).encode()


def aes_gcm_encrypt(key: str, nonce: str, associated_data: str, plaintext: bytes) -> str:
    """AEAD_AES_256_GCM as WeChat Pay uses it: base64 of ciphertext plus the 16-byte tag."""
    sealed = AESGCM(key.encode()).encrypt(nonce.encode(), plaintext, associated_data.encode())
    return base64.b64encode(sealed).decode()


def aes_gcm_decrypt(key: str, nonce: str, associated_data: str, ciphertext_b64: str) -> bytes:
    """Inverse of :func:`aes_gcm_encrypt`; raises ``InvalidTag`` on a wrong key or tampering."""
    sealed = base64.b64decode(ciphertext_b64)
    return AESGCM(key.encode()).decrypt(nonce.encode(), sealed, associated_data.encode())


def self_signed_certificate(common_name: str) -> tuple[str, str]:
    """A self-signed TLS server certificate for ``localhost`` and 127.0.0.1: (cert PEM, key PEM)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return cert_pem, key_pem
