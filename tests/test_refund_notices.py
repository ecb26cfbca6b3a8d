"""After a refund, against the Pay fake: the applicant hears once per refund, with the amount
(template field mapping included); a full refund cancels an invoice still pending (it leaves the
staff's 待开发票 list and the applicant sees it cancelled), while an issued invoice stays and
the console says it needs 红冲; a refunded second payment changes nothing of the invoice."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from bot import invoices
from bot.app import SERVICES
from bot.config import Settings
from bot.pay.client import build_pay_client
from bot.pay.orders import request_refund
from bot.sandbox.wechat_api import WeChatApiFake
from bot.sandbox.wechat_pay import WeChatPayFake
from models.invoices import Invoice, InvoiceState
from models.jobs import Job
from models.orders import Order
from models.payments import Refund, TradeType
from models.staff import StaffRole
from tests.fakes.fixtures import MerchantCredentials
from tests.test_admin_refunds import settle_refund
from tests.test_application_flows import Chat
from tests.test_invoices import PDF, Desk, desk, upload  # noqa: F401  (the fixture)
from tests.test_pay_flow import OPENID, PRICE, Shop, make_shop

FIELDS = {"first": "title", "keyword1": "order_no", "keyword2": "amount", "remark": "detail"}


async def refund_shop(
    settings: Settings,
    wechat_pay: WeChatPayFake,
    wechat_api: WeChatApiFake,
    merchant: MerchantCredentials,
    aiohttp_client: Any,
    tmp_path: Path,
) -> Shop:
    """The Pay shop with a template configured for the "refunded" notice."""
    notices = dataclasses.replace(
        settings.notices, templates={"refunded": "TPL-refund"}, fields=FIELDS
    )
    configured = dataclasses.replace(settings, notices=notices)
    return await make_shop(configured, wechat_pay, wechat_api, merchant, aiohttp_client, tmp_path)


async def paid(shop: Shop) -> None:
    payment = await shop.payment()
    await shop.pay.pay(payment.out_trade_no, notify=False)
    assert await shop.notify(shop.pay.transaction_notification(payment.out_trade_no)) == 204


async def refunded(shop: Shop, amount_fen: int | None = None) -> Refund:
    """A refund WeChat completes, its notification delivered three times."""
    order = await Order.get(id=shop.order.id)
    refund = await request_refund(
        shop.services, build_pay_client(shop.services), order, amount_fen, reason="申请撤回"
    )
    await shop.pay.complete_refund(refund.out_refund_no, notify=False)
    note = shop.pay.refund_notification(refund.out_refund_no)
    for _ in range(3):
        assert await shop.notify(shop.pay.resign(note)) == 204
    return refund


def refund_notices(shop: Shop) -> list[dict[str, Any]]:
    sent = shop.wechat.messages_to(OPENID, "template")
    return [m.body for m in sent if m.body.get("template_id") == "TPL-refund"]


async def test_each_refund_is_announced_once_with_its_amount_and_a_full_one_cancels_the_invoice(
    settings: Settings,
    wechat_pay: WeChatPayFake,
    wechat_api: WeChatApiFake,
    wechat_pay_merchant: MerchantCredentials,
    aiohttp_client: Any,
    tmp_path: Path,
) -> None:
    shop = await refund_shop(
        settings, wechat_pay, wechat_api, wechat_pay_merchant, aiohttp_client, tmp_path
    )
    await paid(shop)
    assert (await Invoice.get(order_id=shop.order.id)).state is InvoiceState.PENDING
    await refunded(shop, 10000)
    await shop.run_jobs()
    [part] = refund_notices(shop)
    assert part["data"]["keyword2"]["value"] == "100.00"
    assert part["data"]["keyword1"]["value"] == shop.order.order_no
    assert "¥100.00" in part["data"]["remark"]["value"]
    assert (await Invoice.get(order_id=shop.order.id)).state is InvoiceState.PENDING  # partial

    await refunded(shop)  # the rest
    await shop.run_jobs()
    assert [n["data"]["keyword2"]["value"] for n in refund_notices(shop)] == ["100.00", "200.00"]
    refund_jobs = await Job.filter(kind="notice.send", dedupe_key__contains=":refunded:")
    assert len(refund_jobs) == 2
    assert (await Invoice.get(order_id=shop.order.id)).state is InvoiceState.CANCELLED


async def test_a_refunded_second_payment_keeps_the_invoice_request(
    settings: Settings,
    wechat_pay: WeChatPayFake,
    wechat_api: WeChatApiFake,
    wechat_pay_merchant: MerchantCredentials,
    aiohttp_client: Any,
    tmp_path: Path,
) -> None:
    shop = await refund_shop(
        settings, wechat_pay, wechat_api, wechat_pay_merchant, aiohttp_client, tmp_path
    )
    native = await shop.payment()
    jsapi = await shop.payment(TradeType.JSAPI, openid=OPENID)
    for payment in (native, jsapi):
        await shop.pay.pay(payment.out_trade_no, notify=False)
        assert await shop.notify(shop.pay.transaction_notification(payment.out_trade_no)) == 204
    await shop.run_jobs()  # the second payment is refunded
    refund = await Refund.get(payment_id=jsapi.id)
    await shop.pay.complete_refund(refund.out_refund_no, notify=False)
    assert await shop.notify(shop.pay.refund_notification(refund.out_refund_no)) == 204
    await shop.run_jobs()
    assert [n["data"]["keyword2"]["value"] for n in refund_notices(shop)] == [f"{PRICE // 100}.00"]
    assert (await Invoice.get(order_id=shop.order.id)).state is InvoiceState.PENDING


async def test_full_refund_from_the_console_and_the_invoice(desk: Desk) -> None:  # noqa: F811
    admin = await desk.console("ada", StaffRole.ADMIN)
    pending_chat = Chat(desk.client, desk.wechat, "o-refund-pending")
    pending = await desk.paid(pending_chat.openid)
    issued_chat = Chat(desk.client, desk.wechat, "o-refund-issued")
    issued = await desk.paid(issued_chat.openid)
    assert (await upload(admin, issued.order_no, PDF)).status == 303
    listed = await (await admin.get("/admin/invoices")).text()
    assert pending.order_no in listed and issued.order_no not in listed
    services = desk.client.app[SERVICES]
    link = invoices.download_url(services, await Invoice.get(order_id=issued.id), issued)
    link_path = link.split("://", 1)[1].split("/", 1)[1]
    assert (await desk.client.get("/" + link_path)).status == 200

    for order in (pending, issued):
        path = f"/admin/orders/{order.order_no}/refund"
        assert (await admin.post(path, amount="300", reason="审核未通过，申请撤回")).status == 303
        refund = await Refund.filter(payment__order_id=order.id).get()
        await settle_refund(desk, refund.out_refund_no)
    await desk.run_jobs()

    listed = await (await admin.get("/admin/invoices")).text()
    assert pending.order_no not in listed  # the request is cancelled
    assert (await Invoice.get(order_id=pending.id)).state is InvoiceState.CANCELLED
    page = await (await admin.get(f"/admin/orders/{pending.order_no}")).text()
    assert "已取消（订单已退款）" in page and "红冲" not in page
    page = await (await admin.get(f"/admin/orders/{issued.order_no}")).text()
    assert (await Invoice.get(order_id=issued.id)).state is InvoiceState.ISSUED
    assert 'id="invoice-reversal"' in page and "需红冲" in page
    # For the applicant the issued invoice is void: no download (not even by an older link),
    # no resend.
    assert (await desk.client.get("/" + link_path)).status == 404
    await issued_chat.click("query")
    await issued_chat.say("1")
    await issued_chat.say("1")
    shown = await issued_chat.say("3")
    assert "已作废" in shown and "/invoice/" not in shown
    with pytest.raises(invoices.InvoiceRefused, match="已作废"):
        await invoices.resend(services, issued, issued_chat.openid)

    await pending_chat.click("query")
    await pending_chat.say("1")
    await pending_chat.say("1")
    assert "发票申请已取消" in await pending_chat.say("3")
    notices = await Job.filter(kind="notice.send", dedupe_key__contains=":refunded:")
    assert sorted(n.payload["order_no"] for n in notices) == sorted(
        [pending.order_no, issued.order_no]
    )
    assert all(n.payload["status"] == "已退款 ¥300.00" for n in notices)
