"""The development console's Key factory: personalises an emulated Key for a simulated user's
finished order as the CA does at production, so unlock and renewal can be tried with no
hardware.

The Key gets its own random management key (recorded, as the renewal flow needs it), the key
pair is generated on the emulated card (after management-key authentication), the CSR is
signed by the card, a dev-only built-in CA issues the certificate for the order's subject (the
sandbox's CA that renewal also issues from, created on first use; without one, a CA in a
temporary directory deleted with the factory), the certificate goes to slot 9A and is recorded
with the Key's serial, and the Key gets a random PUK that the server records
(``bot.key_secrets.record_puk``). The certificate may be made to expire soon, or to have
expired, so that renewal is offered.
"""

from __future__ import annotations

import asyncio
import secrets
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from bot.ca.base import CertificateAuthority
from bot.ca.builtin import BuiltinCA
from bot.ca.profiles import profile_for, subject_from_answers
from bot.ca.records import record_issued
from bot.devconsole import texts as T
from bot.engine import decrypt_answers
from bot.flows import Flow
from bot.key_secrets import new_puk, record_management_key, record_puk
from bot.services import Services
from key_bridge.csr import card_csr
from key_bridge.emulator.applet import DEFAULT_PIN, DEFAULT_PUK, PivApplet
from key_bridge.emulator.local import LocalTransport
from key_bridge.errors import BadCardData, InvalidPin, PinBlocked, WrongPin
from key_bridge.mgmkey import ManagementKeyAlgorithm, answer_challenge
from key_bridge.piv import PivCard
from key_bridge.piv_data import Slot, decode_certificate_object
from models.certificates import Certificate
from models.orders import Order, OrderStatus

CA_NAME = "certdesk 开发沙箱"
CA_ALGORITHM = "ecdsa-p256"
VALID_DAYS = 365  # a certificate's validity
EXPIRY_RANGE = range(-365, VALID_DAYS + 1)  # days from now a Key's certificate may expire
FINISHED = (OrderStatus.SHIPPED, OrderStatus.COMPLETED)
WRONG_PIN = "000000"
MANAGEMENT_ALGORITHM = ManagementKeyAlgorithm.TDES  # as Keys are shipped today


class FactoryRefused(Exception):
    """No Key can be made (message in Chinese, for the console)."""


@dataclass(frozen=True)
class PersonalisedKey:
    """An emulated Key as it left production: its card, serial, order and certificate."""

    applet: PivApplet
    key_serial: str
    order_no: str
    certificate: Certificate


def _flow(services: Services, kind: str) -> Flow:
    from handlers import org_certificate, personal_certificate

    builders = {"org": org_certificate.build_flow, "personal": personal_certificate.build_flow}
    if kind not in builders:
        raise FactoryRefused(T.NO_CERTIFICATE_KIND.format(kind=kind))
    return builders[kind](services.settings)


class KeyFactory:
    """Makes personalised emulated Keys. Its CA is ``ca`` when given (the sandbox's CA that
    renewal issues with, so renewed certificates chain alike; a built-in one is created on first
    use), else a dev sandbox CA that lives only as long as the factory."""

    def __init__(self, services: Services, ca: CertificateAuthority | None = None) -> None:
        self.services = services
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._ca = ca

    def ca(self) -> CertificateAuthority:
        """The CA issuing the Keys' certificates (the sandbox CA is made on first use)."""
        if isinstance(self._ca, BuiltinCA) and not self._ca.initialised():
            self._ca.init(CA_NAME, CA_ALGORITHM)
        if self._ca is None:
            self._folder = tempfile.TemporaryDirectory(prefix="certdesk-dev-ca-")
            settings = self.services.settings.ca
            ca = BuiltinCA(self._folder.name, self.services.cipher, settings.identifier_oid)
            ca.init(CA_NAME, CA_ALGORITHM)
            self._ca = ca
        return self._ca

    async def personalise(self, openid: str, expires_in_days: int = VALID_DAYS) -> PersonalisedKey:
        """A Key holding a new certificate for ``openid``'s newest shipped or completed order,
        valid for ``VALID_DAYS`` and expiring ``expires_in_days`` from now (negative: expired)."""
        if expires_in_days not in EXPIRY_RANGE:
            raise FactoryRefused(
                T.EXPIRY_OUT_OF_RANGE.format(low=EXPIRY_RANGE.start, high=EXPIRY_RANGE.stop - 1)
            )
        order = await Order.filter(owner_openid=openid, status__in=FINISHED).order_by("-id").first()
        if order is None:
            raise FactoryRefused(T.NO_FINISHED_ORDER)
        subject = subject_from_answers(
            order.kind, decrypt_answers(self.services, _flow(self.services, order.kind), order)
        )
        name = subject.to_name(self.services.settings.ca.identifier_oid)
        management = secrets.token_bytes(MANAGEMENT_ALGORITHM.key_length)
        applet = PivApplet(management_key=management, management_algorithm=MANAGEMENT_ALGORITHM)
        piv = _selected(applet)
        piv.authenticate_admin(
            lambda challenge: answer_challenge(challenge.algorithm, management, challenge.challenge)
        )
        algorithm, public_key = piv.generate_key()
        piv.verify_pin(DEFAULT_PIN)
        csr = card_csr(piv, name, public_key, algorithm)
        ca = await asyncio.to_thread(self.ca)
        not_after = datetime.now(UTC).replace(microsecond=0) + timedelta(days=expires_in_days)
        issued = await ca.issue(
            csr.public_bytes(Encoding.DER),
            profile_for(order.kind),
            not_after - timedelta(days=VALID_DAYS),
            not_after,
            subject=subject,
        )
        piv.write_certificate(issued.certificate)
        puk = new_puk()
        piv.change_puk(DEFAULT_PUK, puk.encode())
        key_serial = f"DEV{secrets.randbelow(10**9):09d}"
        record = await record_issued(self.services.cipher, order, issued, key_serial=key_serial)
        secret = await record_puk(self.services, key_serial, puk)
        await record_management_key(self.services, secret, MANAGEMENT_ALGORITHM, management)
        applet.power_on()  # leaves the line: no PIN or management key verified
        return PersonalisedKey(applet, key_serial, order.order_no, record)

    def close(self) -> None:
        """Delete the sandbox CA's directory (a CA given to the factory is kept)."""
        if self._folder is not None:
            self._folder.cleanup()
            self._folder, self._ca = None, None


def _selected(applet: PivApplet) -> PivCard:
    piv = PivCard(LocalTransport(applet))
    piv.select()
    return piv


def certificate_on(applet: PivApplet) -> x509.Certificate | None:
    """The certificate in the Key's slot 9A, read from its memory (no command reaches the card,
    so a bridge operation under way is not disturbed); None when it holds none or an unreadable
    one."""
    content = applet.objects.get(Slot.AUTHENTICATION.object_tag)
    if content is None:
        return None
    try:
        return decode_certificate_object(content)
    except BadCardData:
        return None


def try_pin(applet: PivApplet, pin: str) -> bool:
    """Whether the Key accepts ``pin`` (a wrong PIN uses up a try, as on a real Key)."""
    try:
        _selected(applet).verify_pin(pin)
    except (WrongPin, PinBlocked, InvalidPin):
        return False
    return True


def lock_pin(applet: PivApplet) -> int:
    """Type a wrong PIN until the Key locks; the wrong tries it took."""
    piv = _selected(applet)
    tries = 0
    while True:
        tries += 1
        try:
            piv.verify_pin(WRONG_PIN)
        except WrongPin:
            continue
        except PinBlocked:
            return tries
        raise FactoryRefused(T.PIN_IS_THE_WRONG_PIN)  # 000000 is this Key's PIN
