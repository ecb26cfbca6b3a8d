"""Invoices end to end: payment makes the invoice request, staff upload the PDF in the console,
the SMTP fake receives it attached, the applicant gets one notice and a signed download link
that only fetches that order's PDF (expired, forged or rebound links: 404), 电子发票重新获取
resends it with a rate limit, in chat and in the mini-program."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient

from bot import signed_links
from bot.app import SERVICES, create_app
from bot.config import EmailSettings, Settings
from bot.invoices import MAX_PDF_BYTES, PURPOSE, RESEND_LIMIT, download_url
from bot.pay.client import build_pay_client
from bot.pay.orders import payable_payment
from bot.sandbox.wechat_api import WeChatApiFake
from bot.sandbox.wechat_pay import WeChatPayFake, pay_settings
from bot.services import Services
from bot.worker import Worker
from models.invoices import Invoice, InvoiceState
from models.orders import Order, OrderStatus
from models.payments import TradeType
from models.staff import AuditLog, StaffRole
from tests.fakes.fixtures import MerchantCredentials
from tests.fakes.smtp import DEFAULT_PASSWORD, DEFAULT_USERNAME, SmtpFake
from tests.test_admin_helpers import Console, paid_order, staff
from tests.test_application_flows import Chat, flow_settings

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
OTHER_PDF = PDF.replace(b"Catalog", b"Catalog /Lang (zh)")
API = "/api/mp/v1"
LINK = re.compile(r"https?://\S+(/invoice/[A-Za-z0-9_.=-]+)")


@dataclasses.dataclass
class Desk:
    """certdesk over HTTP with the WeChat, Pay and SMTP fakes."""

    client: TestClient  # type: ignore[type-arg]
    wechat: WeChatApiFake
    pay: WeChatPayFake
    smtp: SmtpFake

    @property
    def services(self) -> Services:
        return self.client.app[SERVICES]

    async def run_jobs(self) -> None:
        await Worker(self.services).run_until_idle()

    async def paid(self, openid: str) -> Order:
        """A confirmed organisation order, paid through the Pay fake and its notification."""
        order = await paid_order(self.services, openid, photos=False)
        order.status = OrderStatus.SUBMITTED
        await order.save()
        client = build_pay_client(self.services)
        payment = await payable_payment(self.services, client, order, TradeType.NATIVE)
        await self.pay.pay(payment.out_trade_no, notify=False)
        note = self.pay.transaction_notification(payment.out_trade_no)
        for _ in range(2):  # a redelivery makes no second invoice request
            answer = await self.client.post("/pay/notify", data=note.body, headers=note.headers)
            assert answer.status == 204
        return await Order.get(id=order.id)

    async def console(self, name: str, role: StaffRole) -> Console:
        await staff(name, role)
        console = Console(self.client)
        assert (await console.login(name)).status == 303
        return console


async def upload(console: Console, order_no: str, data: bytes, csrf: str | None = None) -> Any:
    form = FormData()
    form.add_field("csrf", console.csrf if csrf is None else csrf)
    form.add_field("pdf", data, filename="fapiao.pdf", content_type="application/pdf")
    return await console.client.post(
        f"/admin/orders/{order_no}/invoice", data=form, allow_redirects=False
    )


@pytest.fixture
async def desk(
    settings: Settings,
    wechat_api: WeChatApiFake,
    wechat_pay: WeChatPayFake,
    wechat_pay_merchant: MerchantCredentials,
    smtp_server: SmtpFake,
    aiohttp_client: Any,
    tmp_path: Path,
) -> Desk:
    trusted = tmp_path / "smtp-ca.pem"
    trusted.write_text(smtp_server.cert_pem)
    base = pay_settings(
        flow_settings(settings, wechat_api), wechat_pay, wechat_pay_merchant, tmp_path / "pay"
    )
    configured = dataclasses.replace(
        base,
        server=dataclasses.replace(base.server, dev=True),  # console cookies over plain http
        miniprogram=dataclasses.replace(
            base.miniprogram, app_id=wechat_api.mp_app_id, app_secret=wechat_api.mp_app_secret
        ),
        worker=dataclasses.replace(base.worker, backoff_base=0.0, backoff_max=0.0),
        notices=dataclasses.replace(base.notices, templates={"invoice_issued": "TPL-invoice"}),
        email=EmailSettings(
            smtp_host=smtp_server.host,
            smtp_port=smtp_server.port,
            username=DEFAULT_USERNAME,
            password=DEFAULT_PASSWORD,
            sender="invoice@ca.example.cn",
            sender_name="数字证书服务",
            use_tls=False,
            ca_file=str(trusted),
        ),
    )
    client = await aiohttp_client(create_app(configured, run_worker=False))
    return Desk(client, wechat_api, wechat_pay, smtp_server)


def invoice_notices(desk: Desk, openid: str) -> list[Any]:
    return [m for m in desk.wechat.messages_to(openid, "template") if "发票" in str(m.body)]


async def test_staff_upload_emails_the_pdf_notifies_once_and_the_link_serves_only_it(
    desk: Desk,
) -> None:
    chat = Chat(desk.client, desk.wechat, "o-inv-owner")
    order = await desk.paid(chat.openid)
    assert order.status is OrderStatus.PAID
    invoice = await Invoice.get(order_id=order.id)
    assert invoice.state is InvoiceState.PENDING
    await desk.run_jobs()
    assert desk.smtp.messages == []  # nothing to send before staff issue it

    operator = await desk.console("otto", StaffRole.OPERATOR)
    listing = await (await operator.get("/admin/invoices")).text()
    assert order.order_no in listing and "北京数字认证测试单位" in listing
    for bad, why in (
        (b"hello, not a pdf", "不是一个完整的 PDF"),
        (b"%PDF-1.7\n" + b"0" * MAX_PDF_BYTES + b"\n%%EOF", "不能超过 5 MB"),
        (PDF[:-7], "不是一个完整的 PDF"),  # cut off: no %%EOF
    ):
        refused = await upload(operator, order.order_no, bad)
        assert refused.status == 400 and why in await refused.text()
    assert (await upload(operator, order.order_no, PDF, csrf="")).status == 403
    assert (await Invoice.get(id=invoice.id)).state is InvoiceState.PENDING

    assert (await upload(operator, order.order_no, PDF)).status == 303
    again = await upload(operator, order.order_no, OTHER_PDF)
    assert again.status == 400 and "已开具" in await again.text()
    issued = await Invoice.get(id=invoice.id)
    assert issued.state is InvoiceState.ISSUED and issued.issued_by == "otto"
    assert await AuditLog.filter(action="invoice_issue", order_no=order.order_no).count() == 1
    page = await (await operator.get(f"/admin/orders/{order.order_no}")).text()
    assert (
        "已开具" in page
        and order.order_no not in await (await operator.get("/admin/invoices")).text()
    )

    await desk.run_jobs()
    await desk.run_jobs()
    [mail] = desk.smtp.messages
    assert mail.rcpt_tos == ["lisi@example.com"] and order.order_no in mail.subject
    [attached] = mail.attachments
    assert attached.content_type == "application/pdf" and attached.data == PDF
    assert len(invoice_notices(desk, chat.openid)) == 1

    await chat.click("query")
    await chat.say("1")
    shown = await chat.say("1")
    assert "支付状态：已支付" in shown
    text = await chat.say("3")
    assert "发票已开具" in text and "l***i@example.com" in text
    found = LINK.search(text)
    assert found is not None
    fetched = await desk.client.get(found.group(1))
    assert fetched.status == 200 and fetched.headers["Content-Type"] == "application/pdf"
    assert await fetched.read() == PDF

    token = found.group(1).rsplit("/", 1)[1]
    key = desk.services.lookup_key
    payload = {"order": order.order_no, "sha": issued.sha256}
    expired = signed_links.make_token(key, PURPOSE, payload, signed_links.expiry(-1))
    other_purpose = signed_links.make_token(key, "pay-h5", payload, signed_links.expiry(5))
    for bad_token in (token[:-2] + "xx", expired, other_purpose, "nothing", "a" * 700):
        assert (await desk.client.get(f"/invoice/{bad_token}")).status == 404

    # Another applicant's invoice: their link serves their PDF; a link naming this order with
    # their file, or a tampered payload, serves nothing.
    stranger = await desk.paid("o-inv-stranger")
    assert (await upload(operator, stranger.order_no, OTHER_PDF)).status == 303
    theirs = await Invoice.get(order_id=stranger.id)
    url = download_url(desk.services, theirs, stranger)
    own = await desk.client.get(url[url.index("/invoice/") :])
    assert await own.read() == OTHER_PDF
    crossed = {"order": order.order_no, "sha": theirs.sha256}
    crossed_token = signed_links.make_token(key, PURPOSE, crossed, signed_links.expiry(5))
    assert (await desk.client.get(f"/invoice/{crossed_token}")).status == 404
    _, _, mac = url.rsplit("/", 1)[1].partition(".")
    swapped = token.partition(".")[0] + "." + mac  # this order's payload, their signature
    assert (await desk.client.get(f"/invoice/{swapped}")).status == 404


async def test_resend_in_chat_and_mini_program_is_rate_limited_and_owner_only(
    desk: Desk,
) -> None:
    chat = Chat(desk.client, desk.wechat, "o-inv-chat")
    order = await desk.paid(chat.openid)
    await chat.click("query")
    await chat.say("1")
    await chat.say("1")
    assert "尚未开具" in await chat.say("5")  # nothing issued yet: nothing to resend
    assert "发票开具中" in await chat.say("3")
    operator = await desk.console("otto", StaffRole.OPERATOR)
    assert (await upload(operator, order.order_no, PDF)).status == 303
    await desk.run_jobs()
    assert len(desk.smtp.messages) == 1
    limit = RESEND_LIMIT[0]
    for n in range(limit):
        resent = await chat.say("电子发票重新获取" if n else "5")
        assert "已重新发送至 l***i@example.com" in resent
        await desk.run_jobs()
    assert len(desk.smtp.messages) == 1 + limit
    assert all(m.attachments[0].data == PDF for m in desk.smtp.messages)
    assert "过于频繁" in await chat.say("5")
    await desk.run_jobs()
    assert len(desk.smtp.messages) == 1 + limit
    assert len(invoice_notices(desk, chat.openid)) == 1  # resends are emails, not notices

    async def login(openid: str) -> dict[str, str]:
        code = desk.wechat.issue_login_code(openid)
        response = await desk.client.post(f"{API}/login", json={"code": code})
        return {"Authorization": "Bearer " + (await response.json())["token"]}

    mp_order = await desk.paid("o-inv-mp")
    assert (await upload(operator, mp_order.order_no, OTHER_PDF)).status == 303
    owner, stranger = await login("o-inv-mp"), await login("o-inv-mp-stranger")
    detail = await desk.client.get(f"{API}/orders/{mp_order.order_no}", headers=owner)
    body = await detail.json()
    assert detail.status == 200 and body["invoice_status"] == "已开具"
    pdf = await desk.client.get(body["invoice_url"][body["invoice_url"].index("/invoice/") :])
    assert await pdf.read() == OTHER_PDF
    resend = f"{API}/orders/{mp_order.order_no}/invoice/resend"
    assert (await desk.client.post(resend, headers=stranger)).status == 404
    assert (
        await desk.client.get(f"{API}/orders/{mp_order.order_no}", headers=stranger)
    ).status == 404
    assert (await desk.client.post(resend)).status == 401
    sent = await desk.client.post(resend, headers=owner)
    assert sent.status == 200 and (await sent.json())["sent_to"] == "l***i@example.com"
    await desk.run_jobs()
    assert desk.smtp.messages[-1].attachments[0].data == OTHER_PDF
