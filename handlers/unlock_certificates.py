"""Which certificate (and so which Key) an unlock is about: the one in the Key, read through the
user's paired bridge, or one of the certificates of the user's orders; and how it is named to
the user (holder, source project)."""

from __future__ import annotations

from cryptography import x509
from tortoise.expressions import Q

from bot.bridge.errors import BridgeOffline, BridgeTimeout, CardError
from bot.bridge.hub import BridgeHub
from bot.ca.records import subject_dn_of
from bot.services import Services
from handlers import unlock_texts as T
from models.certificates import Certificate, CertificateStatus
from models.orders import Order

READ_TIMEOUT = 10.0  # seconds the bridge has to read the Key's certificate
SHOWN_CERTIFICATES = 10


def serial_of(pem: object) -> str:
    """The serial number (lower-case hex) of a PEM certificate; "" when there is none.

    ``ValueError`` when ``pem`` is text that is not a certificate.
    """
    if not isinstance(pem, str) or not pem:
        return ""
    return format(x509.load_pem_x509_certificate(pem.encode()).serial_number, "x")


def same_serial(a: str, b: str) -> bool:
    """Whether two hex serial numbers are the same number (leading zeros, case ignored)."""
    return bool(a and b) and a.lower().lstrip("0") == b.lower().lstrip("0")


def project_name(services: Services, certificate: Certificate) -> str:
    """The certificate's source (数字证书来源) as the user knows it."""
    project = services.settings.project(certificate.project)
    if project is not None and project.name:
        return project.name
    return certificate.project or services.settings.service.name


async def holder_name(services: Services, certificate: Certificate) -> str:
    """The unit or person the certificate was issued to."""
    order = await Order.get_or_none(id=certificate.order_id)  # type: ignore[attr-defined]
    if order is not None and order.subject_name:
        return order.subject_name
    return subject_dn_of(services.cipher, certificate)


async def card_certificate(
    services: Services, hub: BridgeHub, openid: str, unknown: str = T.UNKNOWN_CARD_CERTIFICATE
) -> tuple[Certificate | None, str]:
    """The record of the certificate in the user's Key (when a bridge is connected), and a note
    for the user when it could not be used ("" when there is simply no bridge). ``unknown``
    (with ``{phone}``) says that the Key's certificate was not issued here."""
    phone = services.settings.service.phone
    try:
        data = await hub.call(openid, "read_certificate", timeout=READ_TIMEOUT)
    except BridgeOffline:
        return None, ""
    except (BridgeTimeout, CardError) as exc:
        return None, T.CARD_UNREADABLE.format(reason=exc.message or exc.code)
    try:
        serial = serial_of(data.get("certificate"))
    except ValueError:
        return None, unknown.format(phone=phone)
    if not serial:
        return None, ""
    found = await Certificate.filter(serial_hex__in=[serial, "0" + serial]).first()
    if found is None:
        return None, unknown.format(phone=phone)
    return found, ""


async def own_certificates(openid: str) -> list[Certificate]:
    """Valid certificates issued to this WeChat user or for their orders, newest first."""
    mine = Q(owner_openid=openid) | Q(order__owner_openid=openid)
    certificates: list[Certificate] = (
        await Certificate.filter(mine, status=CertificateStatus.ISSUED)
        .exclude(key_serial="")
        .order_by("-not_after", "-id")
        .limit(SHOWN_CERTIFICATES)
    )
    return certificates
