"""The renewal order: what the user is shown before confirming (数字证书来源, the holder's
information on record, the new validity, invoice, amount) and the order written on 确认订单.

The order copies the answers of the certificate's original order (re-encrypted for the new
order number: a sensitive answer decrypts only as its own order's field), so the subject, the
contact phone and the invoice are those on record; its amount is ``[prices] renew_<kind>_<years>``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from bot.china_time import SHANGHAI
from bot.engine import ORDER_NO_DRAWS, decrypt_answers, new_order_no
from bot.flows import Flow
from bot.invoices import EMAIL_ON_RECORD
from bot.masking import mask_email, mask_name, mask_phone
from bot.outbox import utcnow
from bot.renewal_rules import new_validity
from bot.services import Services
from handlers import renewal_texts as T
from handlers.applications import index_order
from handlers.common import yuan
from handlers.order_lookup import PHONE_ON_RECORD
from models.certificates import Certificate
from models.orders import Order, OrderStatus, answer_context
from models.renewals import Renewal, RenewalState

MAX_YEARS = 5


def renewal_price(services: Services, certificate: Certificate, years: int) -> int | None:
    """Price in fen of renewing ``certificate`` for ``years`` (the project's own, else
    ``[prices]``); None when not offered."""
    return services.settings.price(f"renew_{certificate.kind}", years, certificate.project)


def offered_years(services: Services, certificate: Certificate) -> list[int]:
    """The numbers of years a renewal of ``certificate`` can be bought for."""
    return [y for y in range(1, MAX_YEARS + 1) if renewal_price(services, certificate, y)]


def local_day(moment: datetime) -> str:
    """A date as the user reads it (Asia/Shanghai)."""
    return f"{moment.astimezone(SHANGHAI):%Y-%m-%d}"


def validity_text(certificate: Certificate, years: int) -> tuple[str, str]:
    """The new validity (start, end) if the certificate were written to the Key now."""
    start, end = new_validity(certificate.not_after, years, utcnow())
    return local_day(start), local_day(end)


async def original_answers(
    services: Services, flows: dict[str, Flow], certificate: Certificate
) -> tuple[Order, dict[str, str]]:
    """The order the certificate was issued for, and its answers in clear."""
    order = await Order.get(id=certificate.order_id)  # type: ignore[attr-defined]
    return order, decrypt_answers(services, flows[order.kind], order)


def summary(
    services: Services,
    certificate: Certificate,
    answers: dict[str, str],
    project: str,
    years: int,
) -> str:
    """The order as shown before 确认订单 (personal data masked)."""
    phone = mask_phone(answers.get(PHONE_ON_RECORD[certificate.kind], ""))
    if certificate.kind == "org":
        holder = T.HOLDER_ORG.format(
            name=answers.get("org_name", ""),
            handler=mask_name(answers.get("handler_name", "")),
            phone=phone,
        )
    else:
        holder = T.HOLDER_PERSONAL.format(name=mask_name(answers.get("user_name", "")), phone=phone)
    title = answers.get("invoice_title", "")
    email = mask_email(answers.get(EMAIL_ON_RECORD[certificate.kind], ""))
    taxpayer = answers.get("taxpayer_id", "") or "-"
    invoice = (
        T.INVOICE_TITLE.format(title=title, taxpayer=taxpayer, email=email)
        if title
        else T.INVOICE_NONE
    )
    start, end = validity_text(certificate, years)
    amount = renewal_price(services, certificate, years) or 0
    return T.ORDER.format(
        project=project,
        holder=holder,
        start=start,
        end=end,
        years=years,
        invoice=invoice,
        amount=yuan(amount),
        phone=services.settings.service.phone,
    )


async def _insert_numbered(order_numbered: Callable[[str], Order]) -> Order:
    """Insert the order ``order_numbered`` builds for a fresh order number, inside the caller's
    transaction; a number already taken that day is drawn again (in a savepoint: the refused
    insert spoils nothing)."""
    for _ in range(ORDER_NO_DRAWS):
        order = order_numbered(new_order_no())
        try:
            async with in_transaction():
                await order.save()
        except IntegrityError:
            if not await Order.exists(order_no=order.order_no):
                raise
            continue
        return order
    raise RuntimeError(f"no free order number in {ORDER_NO_DRAWS} draws")


async def place_order(
    services: Services,
    flow: Flow,
    certificate: Certificate,
    original: Order,
    answers: dict[str, str],
    years: int,
    openid: str,
) -> Renewal:
    """Write ``openid``'s confirmed renewal order (submitted, waiting for payment) and its
    renewal."""
    kept = {key: value for key, value in answers.items() if key in flow.steps_by_key}
    kept["years"] = str(years)

    def order_numbered(order_no: str) -> Order:
        stored = {
            key: services.cipher.encrypt(value, context=answer_context(order_no, key))
            if flow.steps_by_key[key].sensitive
            else value
            for key, value in kept.items()
        }
        order = Order(
            order_no=order_no,
            kind=certificate.kind,
            project=certificate.project or original.project,
            status=OrderStatus.SUBMITTED,
            owner_openid=openid,
            answers=stored,
            amount_fen=renewal_price(services, certificate, years),
            submitted_at=utcnow(),
        )
        index_order(order, kept, services.lookup_key)
        return order

    async with in_transaction():
        # An earlier unpaid order for this certificate is replaced: a payment still arriving
        # for it finds it no longer payable and is refunded (bot.pay.settle).
        earlier = Renewal.filter(old_certificate_id=certificate.id, state=RenewalState.ORDERED)
        await Order.filter(
            id__in=Subquery(earlier.values_list("order_id", flat=True)),
            status__in=(OrderStatus.SUBMITTED, OrderStatus.CLOSED),
        ).update(status=OrderStatus.CANCELLED)
        order = await _insert_numbered(order_numbered)
        return await Renewal.create(
            order=order,
            old_certificate=certificate,
            owner_openid=order.owner_openid,
            key_serial=certificate.key_serial,
            years=years,
        )
