"""How order query shows an order (seed section 4): the list line, the header with the next
step, the masked details, the payment state, the password method and the invoice — the same
text in chat and in the mini-program."""

from __future__ import annotations

from bot import invoices
from bot.flows import StepKind
from bot.masking import mask_email
from handlers import query_texts as T
from handlers.certificate_password import password_delivery
from handlers.common import yuan
from handlers.order_lookup import OrderLookup
from models.orders import Order, OrderStatus
from models.payments import Payment, PaymentState, Refund, RefundState

DELIVERED = {OrderStatus.SHIPPED, OrderStatus.COMPLETED}


class OrderViews(OrderLookup):
    """Order lookups plus what is shown of an order."""

    def _title(self, order: Order) -> str:
        flow = self.engine.flows.get(order.kind)
        return flow.title if flow is not None else order.kind

    @staticmethod
    def _amount(order: Order) -> str:
        return f"¥{yuan(order.amount_fen)}" if order.amount_fen else "—"

    @staticmethod
    def _date(order: Order) -> str:
        return f"{order.submitted_at or order.created_at:%Y-%m-%d}"

    def summary(self, order: Order) -> dict[str, str]:
        """One order as a list shows it."""
        return {
            "order_no": order.order_no,
            "title": self._title(order),
            "date": self._date(order),
            "amount": self._amount(order),
            "status": T.STATUS[order.status.value],
            "next": T.NEXT_STEP[order.status.value],
        }

    def listing(self, orders: list[Order]) -> str:
        """The chat's numbered list of orders."""
        lines = [T.LIST_HEAD.format(count=len(orders))]
        for n, order in enumerate(orders, start=1):
            lines.append(T.LIST_LINE.format(n=n, **self.summary(order)))
        lines.append(T.LIST_HOW)
        return "\n".join(lines)

    def head(self, order: Order) -> str:
        """An order's header and what the applicant should do next."""
        shown = self.summary(order)
        return "\n".join([T.DETAIL_HEAD.format(**shown), T.DETAIL_NEXT.format(next=shown["next"])])

    def details(self, order: Order) -> str:
        """All answers, sensitive ones masked, as the summary of the flow shows them."""
        flow = self.engine.flows[order.kind]
        answers = self._answers(order)
        lines = [
            f"{step.label}：{self.engine.display(step, answers)}"
            for step in flow.steps
            if step.kind in {StepKind.TEXT, StepKind.CHOICE}
            and step.key in answers
            and step.applies(answers)
        ]
        return "\n".join(lines)

    @staticmethod
    async def payment(order: Order) -> str:
        """The order's payment as the applicant sees it (待支付 / 已支付 / 已关闭 / 已退款)."""
        payments = await Payment.filter(order_id=order.id).order_by("-id")
        if not payments:
            return ""
        settled = {PaymentState.PAID, PaymentState.REFUNDED}
        shown = next((p for p in payments if p.state in settled), payments[0])
        line = T.PAYMENT_LINE.format(state=shown.state.label, amount=yuan(shown.amount_fen))
        if shown.state is PaymentState.PAID and shown.refunded_fen:
            line += T.PARTIAL_REFUND.format(amount=yuan(shown.refunded_fen))
        if await Refund.filter(payment_id=shown.id, state=RefundState.PROCESSING).exists():
            line += T.REFUND_PROCESSING
        return line

    def password_method(self, order: Order) -> str:
        """How the certificate password was or will be delivered."""
        delivery = password_delivery(order.kind, self._answers(order))
        return delivery.describe(delivered=order.status in DELIVERED)

    async def invoice(self, order: Order) -> str:
        """The invoice: where it goes, whether it is issued, its download link."""
        address = invoices.email_on_record(order)
        email = mask_email(address)
        shown = await invoices.view(self.services, order)
        if shown.state == "issued":
            return T.INVOICE_ISSUED.format(email=email, url=shown.url)
        if shown.state == "cancelled":
            return T.INVOICE_CANCELLED
        if shown.state == "void":
            return T.INVOICE_VOID
        if shown.state == "pending":
            return T.INVOICE_PENDING.format(email=email)
        return T.INVOICE_NOT_YET.format(email=email) if address else T.INVOICE_NO_EMAIL

    async def resend_invoice(self, order: Order, requester: str) -> str:
        """电子发票重新获取: the reply (sent, or why not)."""
        try:
            email = await invoices.resend(self.services, order, requester)
        except invoices.InvoiceRefused as exc:
            return str(exc)
        return T.INVOICE_RESENT.format(email=email)
