"""Electronic invoices: requested when an order is paid, issued by an invoicing provider, emailed
to the handler's address on record, downloadable through a signed expiring link.

The provider interface (``InvoiceProvider``) is what an e-invoicing service would implement; the
only one so far is the manual provider: staff see the pending requests in the console and upload
the PDF the tax system produced (``issue``). Issuing enqueues the email (with the PDF attached)
and the "invoice issued" notice in the same transaction, so each happens once; a resend asked
for by the applicant is a new email job, rate limited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

from aiohttp import web
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from bot import notices, signed_links
from bot import texts as T
from bot.logs import get_logger
from bot.mailer import Attachment, Mail, MailError
from bot.masking import mask_email
from bot.outbox import PermanentJobError, enqueue, job_handler, utcnow
from bot.ratelimit import hit
from bot.services import Services
from bot.storage import StorageError, StoredFile
from models.invoices import Invoice, InvoiceState
from models.orders import Order
from models.payments import Payment, PaymentState

log = get_logger(__name__)

EMAIL_JOB = "invoice.email"
REQUEST_JOB = "invoice.request"
PURPOSE = "invoice"
PATH = "/invoice"
PDF = "application/pdf"
MAX_PDF_BYTES = 5 * 1024 * 1024
LINK_MINUTES = 24 * 60
RESEND_LIMIT = (3, 3600.0)  # resends per order per hour
EMAIL_ON_RECORD = {"org": "handler_email", "personal": "email"}  # not a sensitive field


class InvoiceRefused(Exception):
    """The invoice cannot be issued or resent now; the message says why (in Chinese)."""


class InvoiceProvider(Protocol):
    """Who makes the invoice of a paid order."""

    name: str

    async def request(self, services: Services, order: Order, invoice: Invoice) -> None:
        """Ask for the invoice of ``order``; the provider calls :func:`issue` when it exists."""
        ...


class ManualProvider:
    """Staff issue the invoice in the tax system and upload its PDF in the console."""

    name = "manual"

    async def request(self, services: Services, order: Order, invoice: Invoice) -> None:
        """Nothing to send: the request is listed on the console's invoice page."""
        log.info("invoice waits for staff", extra={"order_no": order.order_no})


PROVIDERS: dict[str, InvoiceProvider] = {"manual": ManualProvider()}


async def create_request(order: Order) -> None:
    """The invoice request of a just-paid order (call in the payment's transaction; once)."""
    _, created = await Invoice.get_or_create(order=order)
    if created:
        key = f"{REQUEST_JOB}:{order.order_no}"
        await enqueue(REQUEST_JOB, {"order_no": order.order_no}, dedupe_key=key)


def refunded_in_full(payments: list[Payment]) -> bool:
    """Whether an order's payments (all of them) leave nothing paid: each payment that took
    money was refunded in full (a refunded duplicate payment alone is not enough)."""
    settled = [p.state for p in payments if p.state in (PaymentState.PAID, PaymentState.REFUNDED)]
    return bool(settled) and all(state is PaymentState.REFUNDED for state in settled)


async def order_refunded(order: Order) -> None:
    """After a refund (in its transaction): an order refunded in full needs no invoice, so a
    pending request is cancelled (it leaves the staff's list); an issued one stays, and the
    console notes that it needs reversal (红冲, see ``needs_reversal``)."""
    if refunded_in_full(await Payment.filter(order_id=order.id)):
        await Invoice.filter(order_id=order.id, state=InvoiceState.PENDING).update(
            state=InvoiceState.CANCELLED
        )


def needs_reversal(invoice: Invoice | None, payments: list[Payment]) -> bool:
    """An issued invoice of an order refunded in full: staff must reverse it (红冲), and it is
    void for the applicant (no download, no resend)."""
    issued = invoice is not None and invoice.state is InvoiceState.ISSUED
    return issued and refunded_in_full(payments)


async def _void(invoice: Invoice) -> bool:
    """``needs_reversal`` of a stored invoice (its order's payments read only if issued)."""
    if invoice.state is not InvoiceState.ISSUED:
        return False
    payments = await Payment.filter(order_id=invoice.order_id)  # type: ignore[attr-defined]
    return needs_reversal(invoice, payments)


@job_handler(REQUEST_JOB)
async def run_request(payload: dict[str, Any], services: Services) -> None:
    """Hand the invoice request to its provider."""
    invoice = await Invoice.get_or_none(order__order_no=str(payload.get("order_no", "")))
    if invoice is None:
        raise PermanentJobError("no invoice request")
    await invoice.fetch_related("order")
    await PROVIDERS[invoice.provider].request(services, invoice.order, invoice)


def check_pdf(data: bytes) -> None:
    """Refuse (``InvoiceRefused``) anything that is not a PDF file of an acceptable size."""
    if not data:
        raise InvoiceRefused("请选择发票 PDF 文件。")
    if len(data) > MAX_PDF_BYTES:
        raise InvoiceRefused(f"文件过大，发票 PDF 不能超过 {MAX_PDF_BYTES // 1024 // 1024} MB。")
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
        raise InvoiceRefused("这不是一个完整的 PDF 文件，请上传税务系统导出的电子发票 PDF。")


async def issue(order_no: str, stored: StoredFile, issued_by: str) -> dict[str, object]:
    """Record the issued invoice of ``order_no`` (its PDF already in the file store) and
    enqueue its email and notice; call inside a transaction. Returns what changed (audit)."""
    invoice = (
        await Invoice.filter(order__order_no=order_no).select_for_update().first()
        if len(order_no) <= 32
        else None
    )
    if invoice is None:
        raise InvoiceRefused("该订单没有待开具的发票（未支付）。")
    if invoice.state is not InvoiceState.PENDING:
        raise InvoiceRefused("该订单的发票已开具，无需重复上传。")
    await invoice.fetch_related("order")
    invoice.state, invoice.issued_at, invoice.issued_by = InvoiceState.ISSUED, utcnow(), issued_by
    invoice.file_key, invoice.sha256, invoice.size = stored.key, stored.sha256, stored.size
    await invoice.save()
    await _enqueue_email(invoice.order, 1)
    await notices.notify_invoice_issued(invoice.order)
    return {"invoice": "issued", "sha256": stored.sha256, "size": stored.size}


async def _enqueue_email(order: Order, number: int) -> None:
    key = f"{EMAIL_JOB}:{order.order_no}:{number}"
    await enqueue(EMAIL_JOB, {"order_no": order.order_no}, dedupe_key=key)


def email_on_record(order: Order) -> str:
    """The address invoices go to: the handler's (organisation) or the applicant's."""
    return order.answers.get(EMAIL_ON_RECORD.get(order.kind, ""), "")


async def resend(services: Services, order: Order, requester: str) -> str:
    """电子发票重新获取: email the issued invoice again; the masked address it goes to."""
    invoice = await Invoice.get_or_none(order_id=order.id)
    if invoice is None or invoice.state is not InvoiceState.ISSUED:
        raise InvoiceRefused(T.INVOICE_NOT_ISSUED)
    if await _void(invoice):
        raise InvoiceRefused(T.INVOICE_VOID)
    email = email_on_record(order)
    if not email:
        raise InvoiceRefused(T.INVOICE_NO_EMAIL)
    for key in (f"invoice:resend:{order.order_no}", f"invoice:resend-user:{requester}"):
        wait = await hit(services.store, key, *RESEND_LIMIT)
        if wait:
            raise InvoiceRefused(T.INVOICE_RESEND_TOO_OFTEN.format(minutes=max(1, wait // 60)))
    async with in_transaction():
        await _enqueue_email(order, invoice.emails_sent + 1)
    return mask_email(email)


@job_handler(EMAIL_JOB)
async def send_email(payload: dict[str, Any], services: Services) -> None:
    """Email the invoice PDF to the address on record (temporary failures are retried)."""
    invoice = await Invoice.get_or_none(order__order_no=str(payload.get("order_no", "")))
    if invoice is None or invoice.state is not InvoiceState.ISSUED or not invoice.file_key:
        raise PermanentJobError("no issued invoice")
    if await _void(invoice):
        raise PermanentJobError("the order was refunded in full: the invoice is void")
    await invoice.fetch_related("order")
    order = invoice.order
    email = email_on_record(order)
    if not email:
        raise PermanentJobError("the order has no email on record")
    try:
        data = await services.files.read(invoice.file_key)
    except StorageError as exc:
        raise PermanentJobError("invoice file missing") from exc
    service = services.settings.service.name
    mail = Mail(
        to=email,
        subject=T.INVOICE_MAIL_SUBJECT.format(order_no=order.order_no),
        text=T.INVOICE_MAIL.format(order_no=order.order_no, service=service),
        attachments=(Attachment(T.INVOICE_FILENAME.format(order_no=order.order_no), PDF, data),),
    )
    try:
        await services.mailer.send(mail)
    except MailError as exc:
        if exc.temporary:
            raise
        raise PermanentJobError(f"invoice email refused: {exc}") from exc
    await Invoice.filter(id=invoice.id).update(
        emails_sent=F("emails_sent") + 1, last_emailed_at=utcnow()
    )


# -- download ---------------------------------------------------------------------------------


def download_url(services: Services, invoice: Invoice, order: Order) -> str:
    """A signed link to the PDF of an issued invoice, bound to its order and file."""
    payload = {"order": order.order_no, "sha": invoice.sha256 or ""}
    return signed_links.link_url(
        services.settings.server.public_url,
        PATH,
        services.lookup_key,
        PURPOSE,
        payload,
        LINK_MINUTES,
    )


@dataclass(frozen=True)
class InvoiceView:
    """An order's invoice as the applicant sees it."""

    state: str  # none, pending, issued, cancelled, void (issued, then refunded in full)
    label: str
    url: str


VOID = InvoiceView("void", T.INVOICE_VOID_LABEL, "")


async def view(services: Services, order: Order) -> InvoiceView:
    """The invoice's state, and the download link once issued."""
    invoice = await Invoice.get_or_none(order_id=order.id)
    if invoice is None:
        return InvoiceView("none", "未开具", "")
    if await _void(invoice):
        return VOID
    url = download_url(services, invoice, order) if invoice.state is InvoiceState.ISSUED else ""
    return InvoiceView(invoice.state.value, invoice.state.label, url)


class InvoiceDownloads:
    """``GET /invoice/{token}``: the PDF a valid link grants; 404 for anything else."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def routes(self) -> list[web.RouteDef]:
        """The route to add to the application."""
        return [web.get(PATH + "/{token}", self.download)]

    async def download(self, request: web.Request) -> web.StreamResponse:
        """The invoice PDF, or 404 (expired, forged, another order's or a replaced file)."""
        grant = signed_links.read_token(
            self.services.lookup_key, PURPOSE, request.match_info["token"]
        )
        order_no = grant.payload.get("order") if grant is not None else None
        sha = grant.payload.get("sha") if grant is not None else None
        invoice = None
        if isinstance(order_no, str) and isinstance(sha, str) and len(order_no) <= 32:
            invoice = await Invoice.get_or_none(
                order__order_no=order_no, state=InvoiceState.ISSUED, sha256=sha
            )
        if invoice is None or not invoice.file_key or await _void(invoice):
            raise web.HTTPNotFound(text=T.INVOICE_LINK_GONE, content_type="text/plain")
        try:
            data = await self.services.files.read(invoice.file_key)
        except StorageError as exc:
            raise web.HTTPNotFound(text=T.INVOICE_LINK_GONE, content_type="text/plain") from exc
        filename = T.INVOICE_FILENAME.format(order_no=order_no)
        return web.Response(
            body=data,
            headers={
                "Content-Type": PDF,
                "Content-Disposition": f"inline; filename*=UTF-8''{quote(filename)}",
                "Cache-Control": "private, no-store",
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer",
            },
        )
