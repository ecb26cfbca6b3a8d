"""Certificate authorities: the interface, the profiles, the built-in CA and the CFSSL adapter.

``build_ca`` returns the engine ``[ca] backend`` names; ``record_issued`` (``bot.ca.records``)
writes what was issued to the database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.ca.base import (
    CaError,
    CertificateAuthority,
    CsrError,
    IssuedCertificate,
    RevocationReason,
)
from bot.ca.builtin import BuiltinCA
from bot.ca.cfssl import CfsslCA
from bot.ca.profiles import (
    ORG,
    PERSONAL,
    SERIAL_NUMBER_OID,
    Profile,
    SubjectInfo,
    profile_for,
    subject_from_answers,
)

if TYPE_CHECKING:
    from bot.services import Services

__all__ = [
    "ORG",
    "PERSONAL",
    "BuiltinCA",
    "CaError",
    "CertificateAuthority",
    "CfsslCA",
    "CsrError",
    "IssuedCertificate",
    "Profile",
    "RevocationReason",
    "SubjectInfo",
    "build_ca",
    "profile_for",
    "subject_from_answers",
]


def build_ca(services: Services) -> CertificateAuthority:
    """The CA engine configured in ``[ca]``."""
    config = services.settings.ca
    if config.backend == "cfssl":
        if config.identifier_oid != SERIAL_NUMBER_OID:
            raise CaError("ca.identifier_oid: the cfssl backend can only use 2.5.4.5")
        return CfsslCA(
            config.api_base_url,
            lambda: services.http,
            {"org": config.profile_org, "personal": config.profile_personal},
        )
    return BuiltinCA(config.path, services.cipher, config.identifier_oid)
