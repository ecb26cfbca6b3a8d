"""The renewal on the user's PC (seed section 2), after payment, through the paired bridge.

One run: read the Key's certificate (it must be the one being renewed, or the new one when an
earlier run wrote it), authenticate to the Key with its management key (the server answers the
Key's challenge; the key never reaches the PC), generate a new key pair on the Key, have the Key
sign the certificate request (the PIN is asked on the PC), check the request's signature and
subject, have the CA issue for the seed's new validity, write the certificate to the Key, read
it back, record it (the old one marked renewed). Each step is saved (``models.renewals``) before
the next, so an interrupted run resumes where it stopped: a key generated without a certificate
is simply generated again; an issued certificate is written, never issued twice.

The new key pair is generated in the Key's authentication slot (9A), where the old one was:
from that moment until the new certificate is written the Key cannot sign with the old
certificate, which is why an interrupted run is resumed (继续) rather than left.

Runs are jobs: ``renewal.paid`` once paid (a paid renewal order skips the review queue), then
``renewal.run`` each time the user says 继续.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from bot.bridge.errors import BridgeOffline, BridgeTimeout, CardError
from bot.bridge.hub import BridgeHub
from bot.ca import CaError, IssuedCertificate, build_ca, profile_for, subject_from_answers
from bot.ca.records import record_issued
from bot.csr_check import CsrRejected, verify_csr
from bot.engine import decrypt_answers
from bot.flows import Flow
from bot.key_secrets import answer_admin_challenge, management_key
from bot.logs import get_logger
from bot.outbox import enqueue, job_handler, utcnow
from bot.pay.settle import on_order_paid
from bot.renewal_rules import new_validity
from bot.services import Services
from bot.wechat.client import WeChatAPIError, WeChatUnavailable
from handlers import renewal_texts as T
from handlers.applications import build_engine
from handlers.bridge_calls import tell_chat_and_pc
from handlers.renewal_order import local_day
from handlers.unlock_certificates import same_serial, serial_of
from models.certificates import Certificate
from models.keys import KeySecret
from models.orders import Order, OrderStatus
from models.renewals import Renewal, RenewalState, advance, certificate_context

log = get_logger(__name__)

RUN_JOB = "renewal.run"
PAID_JOB = "renewal.paid"
OP_TIMEOUT = 30.0  # seconds of a card operation
PIN_TIMEOUT = 15 * 60.0  # the user types the PIN on the PC
RUN_LEASE = PIN_TIMEOUT + 10 * OP_TIMEOUT
UNREADABLE = "bad_card_data"  # the bridge's code for a data object it cannot decode


class Refused(Exception):
    """The renewal cannot go on (wrong Key, records that do not match...): ``code`` is kept on
    the renewal, ``text`` goes to the user."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(code)
        self.code = code
        self.text = text


@dataclass(frozen=True)
class Outcome:
    """How a run ended: a code (kept when not done), the chat's text, the PC's text."""

    code: str
    chat: str
    pc: str = ""


async def start_run(renewal: Renewal, reason: str) -> None:
    """Queue a run of ``renewal`` (once per ``reason``: the payment, or the n-th 继续)."""
    await enqueue(
        RUN_JOB, {"renewal_id": renewal.id}, dedupe_key=f"{RUN_JOB}:{renewal.id}:{reason}"
    )


class PcRenewal:
    """Runs renewals on the users' PCs."""

    def __init__(self, services: Services, hub: BridgeHub, flows: Mapping[str, Flow]) -> None:
        self.services = services
        self.hub = hub
        self.flows = flows

    async def run(self, renewal_id: int) -> None:
        """One run of a paid renewal, start to end; the outcome is told in chat and on the PC."""
        store = self.services.store
        running = f"renewal:pc:{renewal_id}"
        if not await store.set_if_absent(running, "1", ttl=RUN_LEASE):
            return  # a run is under way
        renewal = await Renewal.get_or_none(id=renewal_id).prefetch_related(
            "order", "old_certificate"
        )
        if renewal is None or renewal.state is RenewalState.ORDERED:
            await store.delete(running)
            return
        await Renewal.filter(id=renewal.id).update(attempts=F("attempts") + 1)
        phone = self.services.settings.service.phone
        try:
            outcome = await self._run(renewal)
        except (BridgeOffline, BridgeTimeout):
            outcome = Outcome("bridge_gone", T.OFFLINE)
        except CardError as exc:
            if exc.code == "pin_cancelled":
                outcome = Outcome("cancelled", T.CANCELLED)
            else:
                outcome = Outcome(
                    exc.code[:64], T.INTERRUPTED.format(reason=exc.message or exc.code)
                )
        except Refused as exc:
            outcome = Outcome(exc.code, exc.text)
        except CaError:
            log.exception("renewal: the CA did not issue")
            outcome = Outcome("ca_error", T.CA_FAILED.format(phone=phone))
        except Exception:
            log.exception("renewal failed")
            outcome = Outcome("error", T.INTERRUPTED.format(reason=T.BUSY))
        finally:
            await store.delete(running)
        await Renewal.filter(id=renewal.id).update(last_error=outcome.code)
        await tell_chat_and_pc(
            self.services, self.hub, renewal.owner_openid, outcome.chat, outcome.pc
        )

    async def _call(
        self,
        renewal: Renewal,
        op: str,
        args: dict[str, Any] | None = None,
        timeout: float = OP_TIMEOUT,  # noqa: ASYNC109  (the bridge's deadline)
    ) -> dict[str, Any]:
        return await self.hub.call(renewal.owner_openid, op, args or {}, timeout=timeout)

    async def _run(self, renewal: Renewal) -> Outcome:
        if renewal.state is RenewalState.WRITTEN:
            return self._success(renewal)
        old: Certificate = renewal.old_certificate
        on_key, serial = await self._certificate_on_key(renewal)
        if renewal.state is RenewalState.ISSUED and same_serial(serial, renewal.new_serial):
            return await self._finish(renewal, on_key)  # written before the interruption
        if renewal.state is RenewalState.ISSUED and not serial:
            await self._prove_new_key(renewal)  # a write torn off: no readable certificate
        elif not same_serial(serial, old.serial_hex):
            raise Refused("wrong_key", T.WRONG_KEY.format(serial=renewal.key_serial))
        if renewal.state in (RenewalState.PAID, RenewalState.KEYGEN):
            assert isinstance(on_key, str)
            await self._issue(renewal, old, x509.load_pem_x509_certificate(on_key.encode()))
        pem = self._issued_pem(renewal)
        await self._authenticate(renewal)
        written = await self._call(renewal, "write_certificate", {"certificate": pem})
        if not same_serial(str(written.get("serial", "")), renewal.new_serial):
            raise Refused("write_mismatch", T.INTERRUPTED.format(reason=T.NOT_AS_ISSUED))
        read_back = (await self._call(renewal, "read_certificate")).get("certificate")
        return await self._finish(renewal, read_back)

    async def _certificate_on_key(self, renewal: Renewal) -> tuple[str | None, str]:
        """The Key's certificate (PEM) and its serial; (None, "") when it holds none or one that
        cannot be read (a write-back torn off)."""
        try:
            pem = (await self._call(renewal, "read_certificate")).get("certificate")
        except CardError as exc:
            if exc.code != UNREADABLE:
                raise
            return None, ""
        try:
            return (pem, serial_of(pem)) if isinstance(pem, str) else (None, "")
        except ValueError:
            return None, ""

    async def _prove_new_key(self, renewal: Renewal) -> None:
        """The Key holds the key the issued certificate is for: it signs a request with it
        (PIN on the PC) that verifies under the certificate's key. Otherwise another Key."""
        issued = x509.load_pem_x509_certificate(self._issued_pem(renewal).encode())
        key = issued.public_key()
        algorithm = "ECCP256" if isinstance(key, ec.EllipticCurvePublicKey) else "RSA2048"
        args = {
            "subject": base64.b64encode(issued.subject.public_bytes()).decode(),
            "algorithm": algorithm,
            "public_key": key.public_bytes(
                Encoding.PEM, PublicFormat.SubjectPublicKeyInfo
            ).decode(),
        }
        signed = await self._call(renewal, "sign_csr", args, timeout=PIN_TIMEOUT)
        try:
            verify_csr(str(signed.get("csr", "")), issued.subject)
        except CsrRejected as exc:
            raise Refused("wrong_key", T.WRONG_KEY.format(serial=renewal.key_serial)) from exc

    async def _authenticate(self, renewal: Renewal) -> None:
        """Management-key authentication: the Key's challenge answered by the server."""
        phone = self.services.settings.service.phone
        secret = await KeySecret.get_or_none(key_serial=renewal.key_serial)
        known = management_key(self.services, secret) if secret is not None else None
        if secret is None or known is None:
            raise Refused("no_management_key", T.NOT_RENEWABLE_ONLINE.format(phone=phone))
        challenge = await self._call(renewal, "admin_challenge", {"algorithm": int(known[0])})
        answer = answer_admin_challenge(
            self.services,
            secret,
            int(challenge.get("algorithm", 0)),
            base64.b64decode(str(challenge.get("challenge", ""))),
        )
        if answer is None:
            raise Refused("management_key_mismatch", T.NOT_RENEWABLE_ONLINE.format(phone=phone))
        await self._call(renewal, "admin_response", {"response": base64.b64encode(answer).decode()})

    async def _issue(self, renewal: Renewal, old: Certificate, on_key: x509.Certificate) -> None:
        """New key pair on the Key, request signed by the Key, checked, issued by the CA."""
        phone = self.services.settings.service.phone
        order: Order = renewal.order
        answers = decrypt_answers(self.services, self.flows[old.kind], order)
        subject = subject_from_answers(old.kind, answers).to_name(
            self.services.settings.ca.identifier_oid
        )
        if subject != on_key.subject:
            raise Refused(
                "subject_changed", T.REFUSED.format(reason=T.SUBJECT_CHANGED, phone=phone)
            )
        await self._authenticate(renewal)
        key = await self._call(renewal, "generate_key", timeout=2 * OP_TIMEOUT)
        if renewal.state is RenewalState.PAID:
            await advance(
                renewal, RenewalState.PAID, RenewalState.KEYGEN, public_key=key["public_key"]
            )
        else:
            await Renewal.filter(id=renewal.id).update(public_key=key["public_key"])
        signed = await self._call(
            renewal,
            "sign_csr",
            {"subject": base64.b64encode(subject.public_bytes()).decode(), **key},
            timeout=PIN_TIMEOUT,
        )
        try:
            csr = verify_csr(str(signed.get("csr", "")), on_key.subject, on_key.public_key())
        except CsrRejected as exc:
            log.warning("renewal CSR refused", extra={"problem": exc.problem.value})
            raise Refused(
                "csr_" + exc.problem.value, T.REFUSED.format(reason=T.CSR_REFUSED, phone=phone)
            ) from exc
        not_before, not_after = new_validity(old.not_after, renewal.years, utcnow())
        issued = await build_ca(self.services).issue(
            csr.public_bytes(Encoding.DER),
            profile_for(old.kind),
            not_before,
            not_after,
            subject=subject_from_answers(old.kind, answers),
        )
        sealed = self.services.cipher.encrypt(
            issued.pem, context=certificate_context(order.order_no)
        )
        if not await advance(
            renewal,
            RenewalState.KEYGEN,
            RenewalState.ISSUED,
            new_serial=issued.serial_hex,
            certificate_pem=sealed,
        ):
            raise Refused("concurrent_run", T.INTERRUPTED.format(reason=T.BUSY))

    def _issued_pem(self, renewal: Renewal) -> str:
        order: Order = renewal.order
        return self.services.cipher.decrypt(
            renewal.certificate_pem, context=certificate_context(order.order_no)
        )

    async def _finish(self, renewal: Renewal, read_back: object) -> Outcome:
        """The Key holds the new certificate (checked by reading it back): record it, done."""
        pem = self._issued_pem(renewal)
        if not isinstance(read_back, str) or read_back.strip() != pem.strip():
            raise Refused("read_back_mismatch", T.INTERRUPTED.format(reason=T.NOT_AS_ISSUED))
        issued = IssuedCertificate(x509.load_pem_x509_certificate(pem.encode()), ())
        order: Order = renewal.order
        async with in_transaction():
            await record_issued(
                self.services.cipher,
                order,
                issued,
                key_serial=renewal.key_serial,
                replaces=renewal.old_certificate,
            )
            await advance(renewal, RenewalState.ISSUED, RenewalState.WRITTEN)
            await Order.filter(id=order.id).update(status=OrderStatus.COMPLETED)
        log.info("certificate renewed", extra={"order_no": order.order_no})
        return self._success(renewal)

    def _success(self, renewal: Renewal) -> Outcome:
        issued = x509.load_pem_x509_certificate(self._issued_pem(renewal).encode())
        expiry = local_day(issued.not_valid_after_utc)
        return Outcome(
            "renewed", T.SUCCESS.format(expiry=expiry), T.SUCCESS_PC.format(expiry=expiry)
        )


@on_order_paid
async def renewal_paid(order: Order) -> bool:
    """A paid renewal order goes to the user's Key, not to the review queue."""
    renewal = await Renewal.get_or_none(order_id=order.id)
    if renewal is None:
        return False
    await Order.filter(id=order.id).update(status=OrderStatus.APPROVED, queued_at=None)
    if await advance(renewal, RenewalState.ORDERED, RenewalState.PAID):
        await enqueue(PAID_JOB, {"renewal_id": renewal.id}, dedupe_key=f"{PAID_JOB}:{renewal.id}")
    return True


@job_handler(PAID_JOB)
async def paid_renewal(payload: dict[str, Any], services: Services) -> None:
    """The ``renewal.paid`` job: tell the user to type the PIN on the PC, then run."""
    renewal = await Renewal.get(id=int(payload["renewal_id"])).prefetch_related("order")
    try:
        await services.wechat.send_text(
            renewal.owner_openid, T.PAID.format(order_no=renewal.order.order_no)
        )
    except (WeChatAPIError, WeChatUnavailable) as exc:
        log.warning("renewal paid notice not pushed", extra={"error": type(exc).__name__})
    await run_renewal(payload, services)


@job_handler(RUN_JOB)
async def run_renewal(payload: dict[str, Any], services: Services) -> None:
    """The ``renewal.run`` job: one run on the user's PC (its outcome is told to the user)."""
    renewal_id = int(payload["renewal_id"])
    await PcRenewal(services, BridgeHub(services), build_engine(services).flows).run(renewal_id)
