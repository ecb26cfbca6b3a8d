"""Paying in chat, end to end through the signed webhook: confirm → QR image and pay link →
the payer scans and pays (Pay fake) → notification → "支付成功" in chat; and "支付" again.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PIL import Image

from bot.app import SERVICES, create_app
from bot.config import Settings
from bot.sandbox.wechat_api import SentMessage, WeChatApiFake
from bot.sandbox.wechat_pay import WeChatPayFake, pay_settings
from bot.worker import Worker
from models.orders import Order, OrderStatus
from models.payments import Payment, PaymentState, TradeType
from tests.fakes.fixtures import MerchantCredentials
from tests.test_application_flows import ORG_ANSWERS, Chat, fill, flow_settings

OPENID = "o-pay-chat-1"


async def _messages(fake: WeChatApiFake, openid: str, count: int) -> list[SentMessage]:
    """The customer-service messages sent to ``openid`` once there are ``count`` of them."""
    for _ in range(200):
        sent = fake.messages_to(openid, "custom")
        if len(sent) >= count:
            return sent
        await asyncio.sleep(0.02)
    raise AssertionError(f"only {len(fake.messages_to(openid, 'custom'))} messages arrived")


async def _confirmed(chat: Chat) -> str:
    await chat.click("org")
    await fill(chat, ORG_ANSWERS)
    await chat.say("确认订单")
    for _ in range(4):
        await chat.send_photo()
    return await chat.say(chat.last_code())


async def test_confirm_scan_pay_and_hear_back(
    settings: Settings,
    wechat_api: WeChatApiFake,
    wechat_pay: WeChatPayFake,
    wechat_pay_merchant: MerchantCredentials,
    aiohttp_client: Any,
    tmp_path: Path,
) -> None:
    configured = pay_settings(
        flow_settings(settings, wechat_api), wechat_pay, wechat_pay_merchant, tmp_path / "pay"
    )
    client = await aiohttp_client(create_app(configured, run_worker=False))
    chat = Chat(client, wechat_api, OPENID)
    done = await _confirmed(chat)
    assert "订单已提交" in done and "¥550.00" in done
    image, text = await _messages(wechat_api, OPENID, 2)
    assert image.body["msgtype"] == "image"
    media = wechat_api.media(image.body["image"]["media_id"])
    assert media is not None and media.data.startswith(b"\x89PNG")
    assert Image.open(__import__("io").BytesIO(media.data)).size[0] >= 200
    content = text.body["text"]["content"]
    assert "长按识别或用另一台手机扫码" in content and "¥550.00" in content
    assert "/pay/h5/" in content and "<a href=" in content

    order = await Order.get(owner_openid=OPENID)
    assert order.status is OrderStatus.SUBMITTED and order.amount_fen == 55000
    payment = await Payment.get(order_id=order.id)
    assert payment.trade_type is TradeType.NATIVE and payment.amount_fen == 55000
    assert wechat_pay.orders[payment.out_trade_no].prepay == payment.prepay

    # The finance person scans the QR code and pays; WeChat Pay notifies certdesk.
    await wechat_pay.pay(payment.out_trade_no, notify=False)
    notification = wechat_pay.transaction_notification(payment.out_trade_no)
    response = await client.post(
        "/pay/notify", data=notification.body, headers=notification.headers
    )
    assert response.status == 204
    assert (await Order.get(id=order.id)).status is OrderStatus.PAID
    assert (await Payment.get(id=payment.id)).state.label == "已支付"
    await Worker(client.app[SERVICES]).run_until_idle()
    paid = (await _messages(wechat_api, OPENID, 3))[2]
    assert "支付成功，等待审核（3 个工作日内）" in paid.body["text"]["content"]
    assert order.order_no in paid.body["text"]["content"]

    # Asking to pay again after paying says so instead of taking money twice.
    wechat_api.note_user_message(OPENID)
    again = await chat.say("支付")
    assert "已支付" in again and "无需重复支付" in again
    assert len(wechat_pay.orders) == 1


async def test_pay_again_reuses_the_valid_qr_code(
    settings: Settings,
    wechat_api: WeChatApiFake,
    wechat_pay: WeChatPayFake,
    wechat_pay_merchant: MerchantCredentials,
    aiohttp_client: Any,
    tmp_path: Path,
) -> None:
    configured = pay_settings(
        flow_settings(settings, wechat_api), wechat_pay, wechat_pay_merchant, tmp_path / "pay"
    )
    client = await aiohttp_client(create_app(configured, run_worker=False))
    chat = Chat(client, wechat_api, OPENID)
    nothing = await chat.say("支付")
    assert "没有待支付的订单" in nothing
    await _confirmed(chat)
    await _messages(wechat_api, OPENID, 2)
    wechat_api.note_user_message(OPENID)
    await chat.say("支付")
    sent = await _messages(wechat_api, OPENID, 3)
    assert "长按识别或用另一台手机扫码" in (sent[2].body.get("text") or {}).get("content", "")
    payments = await Payment.filter(state=PaymentState.UNPAID)
    assert len(payments) == 1 and len(wechat_pay.orders) == 1


async def test_without_pay_configured_the_order_is_kept_and_the_applicant_told(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client: Any
) -> None:
    client = await aiohttp_client(create_app(flow_settings(settings, wechat_api), run_worker=False))
    chat = Chat(client, wechat_api, OPENID)
    done = await _confirmed(chat)
    assert "订单已提交" in done and "在线支付暂未开通" in done and "010-58515511" in done
    assert (await Order.get(owner_openid=OPENID)).status is OrderStatus.SUBMITTED
