"""The mini-program pays through ``POST /api/mp/v1/orders/{order_no}/pay``: signed
``wx.requestPayment`` parameters under the mini-program's AppID, for the order's owner only."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from bot.app import create_app
from bot.config import Settings
from bot.engine import new_order_no
from bot.outbox import utcnow
from bot.sandbox.crypto import cached_rsa_private_key_pem
from bot.sandbox.wechat_api import WeChatApiFake
from bot.sandbox.wechat_pay import WeChatPayFake, pay_settings
from models.orders import Order, OrderStatus
from tests.fakes.fixtures import MerchantCredentials
from tests.test_mp_api import API, login

OPENID = "o-mp-payer-1"


async def test_mini_program_gets_signed_request_payment_params(
    settings: Settings,
    wechat_api: WeChatApiFake,
    wechat_pay_merchant: MerchantCredentials,
    aiohttp_client: Any,
    tmp_path: Path,
) -> None:
    merchant = wechat_pay_merchant
    async with WeChatPayFake(
        merchant_public_key_pem=merchant.public_key_pem,
        mchid=merchant.mchid,
        merchant_serial_no=merchant.serial_no,
        apiv3_key=merchant.apiv3_key,
        appids=[merchant.appid, wechat_api.mp_app_id],
        platform_private_key_pem=cached_rsa_private_key_pem("wechatpay-platform"),
    ) as pay:
        base = dataclasses.replace(
            settings,
            wechat=dataclasses.replace(settings.wechat, api_base_url=wechat_api.base_url),
            miniprogram=dataclasses.replace(
                settings.miniprogram,
                app_id=wechat_api.mp_app_id,
                app_secret=wechat_api.mp_app_secret,
            ),
        )
        configured = pay_settings(base, pay, merchant, tmp_path / "pay")
        client = await aiohttp_client(create_app(configured, run_worker=False))
        order = await Order.create(
            order_no=new_order_no(),
            kind="personal",
            status=OrderStatus.SUBMITTED,
            owner_openid=OPENID,
            amount_fen=15000,
            submitted_at=utcnow(),
        )
        url = f"{API}/orders/{order.order_no}/pay"
        assert (await client.post(url)).status == 401
        stranger = await login(client, wechat_api, "o-mp-stranger")
        assert (await client.post(url, headers=stranger)).status == 404
        headers = await login(client, wechat_api, OPENID)
        response = await client.post(url, headers=headers)
        assert response.status == 200
        answer = await response.json()
        params = answer["payment"]
        assert answer["amount_fen"] == 15000 and set(params) == {
            "timeStamp",
            "nonceStr",
            "package",
            "signType",
            "paySign",
        }
        assert pay.verify_jsapi_pay_sign(wechat_api.mp_app_id, params)
        (remote,) = pay.orders.values()
        assert remote.request["appid"] == wechat_api.mp_app_id
        assert remote.request["payer"] == {"openid": OPENID}
        again = await (await client.post(url, headers=headers)).json()
        assert again["payment"]["package"] == params["package"]  # same prepay, reused
        await pay.pay(remote.out_trade_no, notify=False)
        notification = pay.transaction_notification(remote.out_trade_no)
        done = await client.post(
            "/pay/notify", data=notification.body, headers=notification.headers
        )
        assert done.status == 204
        paid = await client.post(url, headers=headers)
        assert paid.status == 409 and "无需支付" in (await paid.json())["message"]
