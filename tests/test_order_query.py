"""Order query (seed section 4) in chat and in the mini-program: own orders without a code,
anyone else only with the SMS code of the phone on record, nothing visible by guessing, rate
limits on lookups."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

from aiohttp.test_utils import TestClient

from bot.app import SERVICES, create_app
from bot.config import Settings
from bot.sandbox.wechat_api import WeChatApiFake
from bot.sandbox.wechat_pay import WeChatPayFake, pay_settings
from bot.sms_codes import SmsCodes
from handlers.demo_script import ORG_APPLICATION
from handlers.order_query import LOOKUP_LIMIT
from models.orders import Order, OrderStatus
from models.payments import Payment
from tests.fakes.fixtures import MerchantCredentials
from tests.test_application_flows import Chat, fill, flow_settings
from tests.test_validators import with_uscc_check

USCC = "91110000600037341L"  # the unit of ORG_APPLICATION
API = "/api/mp/v1"


class Clock:
    """Wall time that a test can move forward (SMS resend intervals)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


async def app_client(settings: Settings, fake: WeChatApiFake, aiohttp_client) -> TestClient:  # type: ignore[no-untyped-def,type-arg]
    configured = dataclasses.replace(
        flow_settings(settings, fake),
        miniprogram=dataclasses.replace(
            settings.miniprogram, app_id=fake.mp_app_id, app_secret=fake.mp_app_secret
        ),
    )
    client = await aiohttp_client(create_app(configured, run_worker=False))
    with_clock(client)
    return client


CLOCKS: dict[int, Clock] = {}


def with_clock(client: TestClient) -> None:  # type: ignore[type-arg]
    """SMS codes of the app under a clock the test moves (see ``a_minute_later``)."""
    services = client.app[SERVICES]
    clock = CLOCKS[id(client)] = Clock()
    services._sms_codes = SmsCodes(services.store, services.sms, services.lookup_key, clock=clock)


def a_minute_later(client: TestClient) -> None:  # type: ignore[type-arg]
    CLOCKS[id(client)].offset += 61


async def submit_org_application(chat: Chat) -> Order:
    """The whole organisation flow up to the submitted order."""
    await chat.click("org")
    await fill(chat, ORG_APPLICATION)
    await chat.say("确认订单")
    for _ in range(4):
        await chat.send_photo()
    assert "订单已提交" in await chat.say(chat.last_code())
    return await Order.get(owner_openid=chat.openid, status=OrderStatus.SUBMITTED)


async def test_own_orders_are_listed_explained_and_a_draft_continues(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    client = await app_client(settings, wechat_api, aiohttp_client)
    chat = Chat(client, wechat_api, "o-query-1")
    submitted = await submit_org_application(chat)
    await chat.click("personal")
    await chat.say("王五")  # a personal draft: 1 answer given
    menu = await chat.click("query")
    assert "我的订单" in menu and "单位数字证书" in menu
    listing = await chat.say("1")
    assert "共 2 个订单" in listing
    first, second = (line for line in listing.splitlines() if line[:2] in {"1.", "2."})
    assert "个人证书" in first and "填写中" in first  # newest first
    assert submitted.order_no in second and "¥550.00" in second and "待支付" in second
    detail = await chat.say("2")
    assert "状态：待支付" in detail and "请完成支付" in detail
    password = await chat.say("2")
    assert "对公账户" in password and "0.01 元" in password and "3456" in password
    assert "0200004509" not in password.replace(" ", "")
    invoice = await chat.say("3")
    assert "经办人电子邮箱" in invoice and "lisi@example.com" not in invoice
    details = await chat.say("4")
    assert "单位名称：北京数字认证测试单位" in details
    assert "110***********002X" in details and "11010519491231002X" not in details
    assert "在线支付暂未开通" in await chat.say("1")  # 继续办理 an unpaid order: payment
    assert "共 2 个订单" in await chat.say("0")
    await chat.say("1")  # the personal draft
    resumed = await chat.say("1")  # 继续办理
    assert "第 2/" in resumed
    assert "❌" not in await chat.say("北京数字认证测试单位")  # the draft takes answers again
    draft = await Order.get(owner_openid=chat.openid, status=OrderStatus.DRAFT)
    assert len(draft.answers) == 2


async def test_anyone_else_needs_the_code_sent_to_the_phone_on_record(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    client = await app_client(settings, wechat_api, aiohttp_client)
    applicant = Chat(client, wechat_api, "o-query-2")
    order = await submit_org_application(applicant)
    finance = Chat(client, wechat_api, "o-query-3")
    await finance.click("query")
    assert "本微信号还没有提交过申请" in await finance.say("1")
    assert "统一社会信用代码" in await finance.say("2")
    bad = await finance.say("91110000600037341X")
    assert "❌" in bad and "校验码不对" in bad and "统一社会信用代码" in bad
    unknown = await finance.say(with_uscc_check("91110000MA0000001"))
    assert "没有查到" in unknown
    a_minute_later(client)  # the handler's phone just got the application's code
    sent = await finance.say(USCC.lower())
    assert "验证码已发送至预留手机 139****2222" in sent  # the handler's phone
    assert "验证码不正确" in await finance.say("000000")
    listing = await finance.say(applicant.last_code())
    assert order.order_no in listing and "待支付" in listing
    detail = await finance.say("1")
    assert order.order_no in detail
    assert "在线支付暂未开通" in await finance.say("继续办理")  # no merchant configured here
    await finance.click("query")
    assert "已退出订单查询" in await finance.say("退出")
    assert "请选择要办理的业务" in await finance.say("你好")  # no longer in the query


async def test_lookups_are_rate_limited_per_wechat_user(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    client = await app_client(settings, wechat_api, aiohttp_client)
    prober = Chat(client, wechat_api, "o-query-4")
    await prober.click("query")
    await prober.say("2")
    limit, _window = LOOKUP_LIMIT
    for n in range(limit):
        assert "没有查到" in await prober.say(with_uscc_check(f"91110000MA{n:07d}"))
    assert "查询过于频繁" in await prober.say(with_uscc_check("91110000MA9999999"))


async def test_an_expired_query_gives_the_messages_back_to_the_draft(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    client = await app_client(settings, wechat_api, aiohttp_client)
    chat = Chat(client, wechat_api, "o-query-5")
    await chat.click("org")
    await fill(chat, ORG_APPLICATION[:2])
    await chat.click("query")
    store = client.app[SERVICES].store
    await store.delete(f"query:session:wechat:{chat.openid}")  # 15 minutes later
    reply = await chat.say(USCC)
    assert "部门" in reply and "❌" not in reply  # taken as the draft's answer, not lost
    assert (await Order.get(owner_openid=chat.openid)).answers["uscc"] == USCC


async def test_mini_program_order_query_and_access(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    client = await app_client(settings, wechat_api, aiohttp_client)
    applicant = Chat(client, wechat_api, "o-query-6")
    order = await submit_org_application(applicant)

    async def login(openid: str) -> dict[str, str]:
        code = wechat_api.issue_login_code(openid)
        response = await client.post(f"{API}/login", json={"code": code})
        return {"Authorization": "Bearer " + (await response.json())["token"]}

    a_minute_later(client)
    stranger = await login("o-mp-stranger")
    assert (await client.get(f"{API}/orders")).status == 401
    own = await (await client.get(f"{API}/orders", headers=stranger)).json()
    assert own == {"orders": []}
    probe = await client.get(f"{API}/orders/{order.order_no}", headers=stranger)
    assert probe.status == 404  # knowing the number is not enough
    lookup = {"kind": "org", "id_number": USCC}
    bad = await client.post(f"{API}/orders/lookup", json={"kind": "org", "id_number": "123"})
    assert bad.status == 401
    bad = await client.post(
        f"{API}/orders/lookup", json={"kind": "org", "id_number": "123"}, headers=stranger
    )
    assert bad.status == 422 and "统一社会信用代码" in (await bad.json())["message"]
    sent = await client.post(f"{API}/orders/lookup", json=lookup, headers=stranger)
    assert sent.status == 200 and (await sent.json())["masked_phone"] == "139****2222"
    wrong = await client.post(
        f"{API}/orders/lookup/verify", json={**lookup, "code": "000000"}, headers=stranger
    )
    assert wrong.status == 422
    verified = await client.post(
        f"{API}/orders/lookup/verify",
        json={**lookup, "code": applicant.last_code()},
        headers=stranger,
    )
    assert [o["order_no"] for o in (await verified.json())["orders"]] == [order.order_no]
    detail = await client.get(f"{API}/orders/{order.order_no}", headers=stranger)
    body = await detail.json()
    assert detail.status == 200 and body["status"] == "待支付"
    assert "3456" in body["password_method"]
    assert not any("11010519491231002X" in line for line in body["details"])
    other = await login("o-mp-other")  # the grant belongs to the session's user only
    assert (await client.get(f"{API}/orders/{order.order_no}", headers=other)).status == 404
    assert (await client.get(f"{API}/orders/CD20260101000000", headers=stranger)).status == 404
    again = await client.post(f"{API}/orders/lookup", json=lookup, headers=stranger)
    assert again.status == 429  # a new code only after the resend interval


async def test_the_finance_person_pays_an_order_found_by_lookup(
    settings: Settings,
    wechat_api: WeChatApiFake,
    wechat_pay: WeChatPayFake,
    wechat_pay_merchant: MerchantCredentials,
    aiohttp_client,
    tmp_path: Path,
) -> None:  # type: ignore[no-untyped-def]
    configured = pay_settings(
        flow_settings(settings, wechat_api), wechat_pay, wechat_pay_merchant, tmp_path / "pay"
    )
    client = await aiohttp_client(create_app(configured, run_worker=False))
    with_clock(client)
    applicant = Chat(client, wechat_api, "o-query-7")
    order = await submit_org_application(applicant)
    finance = Chat(client, wechat_api, "o-query-8")
    await finance.click("query")
    await finance.say("2")
    a_minute_later(client)  # the handler's phone just got the application's code
    assert "验证码已发送" in await finance.say(USCC)
    await finance.say(applicant.last_code())
    await finance.say("1")
    finance.fake.note_user_message(finance.openid)
    delivery = finance.sim.text(finance.openid, "继续办理")
    response = await client.post("/wechat", params=delivery.params, data=delivery.body.encode())
    reply = finance.sim.open_reply(await response.text())
    assert reply["MsgType"] == "image"  # the QR code to scan
    [payment] = await Payment.filter(order_id=order.id)
    assert payment.amount_fen == 55000
    await finance.say("0")
    assert "支付状态：待支付（¥550.00）" in await finance.say("1")
