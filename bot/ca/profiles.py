"""Certificate profiles (organisation, personal) and subjects for a Chinese CA.

Subject: C=CN, ST (province), L (city), O (organisation), OU (department), CN, plus the
subject's identifier — the unified social credit code (统一社会信用代码) of an organisation, the
resident ID number of a person.

Where the identifier goes: by default the X.520 ``serialNumber`` attribute (OID 2.5.4.5) of the
subject DN. X.520 defines it as "an identifier of the subject" (not the certificate's serial),
every X.509 library and relying-party tool displays and matches it, and it keeps the identifier
inside the signed subject, where applications that bind a login to "this company" look. Some
relying parties expect the identifier under an attribute of their own (for example an OID from
a national arc); ``ca.identifier_oid`` names that OID instead, and certdesk then writes the same
value as a UTF8String subject attribute with that OID. An extension was not chosen because
applications matching on the subject would not see it.

Key usage: digitalSignature + nonRepudiation (contentCommitment) for both profiles, plus
keyEncipherment for RSA keys (ECDSA keys cannot encipher). Extended key usage: clientAuth
(logging in to trading platforms) + emailProtection (signed/encrypted mail).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

SERIAL_NUMBER_OID = "2.5.4.5"
_OID = re.compile(r"^[0-2](\.(0|[1-9]\d*))+$")


@dataclass(frozen=True)
class Profile:
    """How one kind of certificate is issued."""

    name: str  # org or personal (also the order kind)
    title: str  # Chinese name, for notices

    def key_usage(self, public_key: object) -> x509.KeyUsage:
        """digitalSignature + nonRepudiation, and keyEncipherment for an RSA key."""
        return x509.KeyUsage(
            digital_signature=True,
            content_commitment=True,
            key_encipherment=isinstance(public_key, rsa.RSAPublicKey),
            data_encipherment=False,
            key_agreement=False,
            key_cert_sign=False,
            crl_sign=False,
            encipher_only=False,
            decipher_only=False,
        )

    @staticmethod
    def extended_key_usage() -> x509.ExtendedKeyUsage:
        """clientAuth + emailProtection."""
        return x509.ExtendedKeyUsage(
            [ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.EMAIL_PROTECTION]
        )


ORG = Profile("org", "单位数字证书")
PERSONAL = Profile("personal", "个人数字证书")
PROFILES = {profile.name: profile for profile in (ORG, PERSONAL)}


def profile_for(kind: str) -> Profile:
    """The profile of an order or certificate kind (org, personal)."""
    try:
        return PROFILES[kind]
    except KeyError:
        raise ValueError(f"no certificate profile for kind {kind!r}") from None


@dataclass(frozen=True)
class SubjectInfo:
    """The subject of a certificate, taken from certdesk's records (never from a CSR)."""

    common_name: str
    identifier: str  # credit code or ID number
    organisation: str = ""
    unit: str = ""
    province: str = ""
    city: str = ""
    country: str = "CN"

    def to_name(self, identifier_oid: str = SERIAL_NUMBER_OID) -> x509.Name:
        """The subject DN (empty optional fields are left out)."""
        if not _OID.match(identifier_oid):
            raise ValueError(f"ca.identifier_oid: {identifier_oid!r} is not a dotted OID")
        if not self.common_name.strip() or not self.identifier.strip():
            raise ValueError("a subject needs a common name and an identifier")
        parts = [
            (NameOID.COUNTRY_NAME, self.country),
            (NameOID.STATE_OR_PROVINCE_NAME, self.province),
            (NameOID.LOCALITY_NAME, self.city),
            (NameOID.ORGANIZATION_NAME, self.organisation),
            (NameOID.ORGANIZATIONAL_UNIT_NAME, self.unit),
            (NameOID.COMMON_NAME, self.common_name),
            (x509.ObjectIdentifier(identifier_oid), self.identifier),
        ]
        return x509.Name(
            [x509.NameAttribute(oid, value.strip()) for oid, value in parts if value.strip()]
        )


# Where each subject field comes from in an application's (decrypted) answers, by order kind.
# An organisation's ST/L are those of the address it gave (the flows ask no other address).
SUBJECT_ANSWERS: dict[str, dict[str, str]] = {
    "org": {
        "common_name": "org_name",
        "organisation": "org_name",
        "unit": "department",
        "identifier": "uscc",
        "province": "mail_province",
        "city": "mail_city",
    },
    "personal": {
        "common_name": "user_name",
        "organisation": "org_name",
        "unit": "department",
        "identifier": "id_number",
        "province": "province",
        "city": "city",
    },
}


def subject_from_answers(kind: str, answers: dict[str, str]) -> SubjectInfo:
    """The subject of an organisation or personal application from its decrypted answers."""
    try:
        mapping = SUBJECT_ANSWERS[kind]
    except KeyError:
        raise ValueError(f"no certificate subject for order kind {kind!r}") from None
    return SubjectInfo(**{field: answers.get(key, "").strip() for field, key in mapping.items()})
