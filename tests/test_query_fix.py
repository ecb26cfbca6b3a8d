"""继续办理 on a rejected order in order query, through the signed webhook: the applicant is
handed to the review fix loop at the first item to fix; someone who looked the order up by SMS
sees it but is told that the applicant fixes it from their own WeChat."""

from __future__ import annotations

import json

from aiohttp.test_utils import TestClient

from bot.admin import actions
from bot.app import SERVICES
from bot.config import Settings
from bot.sandbox.wechat_api import WeChatApiFake
from models.materials import Material
from models.orders import Conversation, Order, OrderStatus
from tests.test_admin_helpers import console_settings, org_flow, paid_order
from tests.test_application_flows import Chat, photo
from tests.test_mp_api import API, login, mp_client
from tests.test_notices import reviewer_and_operator
from tests.test_order_query import USCC, a_minute_later, app_client
from tests.test_review_loop import reviewer, submitted_and_paid


async def rejected(client: TestClient, chat: Chat) -> Order:  # type: ignore[type-arg]
    """The applicant's paid order, rejected by a reviewer for one photo and one field."""
    order = await submitted_and_paid(chat)
    console = await reviewer(client)
    response = await console.post(
        f"/admin/orders/{order.order_no}/reject",
        **{"reason:license_photo": "照片模糊，无法辨认", "reason:legal_name": "与营业执照不一致"},
    )
    assert response.status == 303
    return await Order.get(id=order.id)


async def test_continue_a_rejected_order_from_order_query(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    client = await app_client(console_settings(settings), wechat_api, aiohttp_client)
    applicant = Chat(client, wechat_api, "o-qfix-1")
    order = await rejected(client, applicant)
    assert order.status == OrderStatus.REJECTED

    finance = Chat(client, wechat_api, "o-qfix-2")  # looks the order up by SMS code
    await finance.click("query")
    await finance.say("2")
    a_minute_later(client)  # the handler's phone just got the application's code
    assert "验证码已发送" in await finance.say(USCC)
    listing = await finance.say(applicant.last_code())
    assert order.order_no in listing and "审核未通过" in listing
    await finance.say("1")
    told = await finance.say("继续办理")
    assert "需由申请人在其提交申请的微信中修改" in told and "第 1/2 项" not in told
    assert "订单详情" in told  # still in the query
    assert "第 1/2 项" not in await finance.say("王五")  # not taken as a correction

    await applicant.click("personal")
    await applicant.say("王五")  # a new draft in progress: 1 answer given
    await applicant.click("query")
    await applicant.say("1")  # 我的订单
    detail = await applicant.say("2")  # the rejected order, after the newer draft
    assert "审核未通过" in detail and "回复 1 开始修改" in detail
    first = await applicant.say("1")  # 继续办理
    assert "第 1/2 项" in first and "法定代表人姓名" in first and "与营业执照不一致" in first
    second = await applicant.say("王五")  # the query has handed the user to the fix loop
    assert "第 2/2 项" in second and "营业执照" in second
    done = await applicant.send_photo(photo(1300, 1000))
    assert "已重新提交审核" in done
    order = await Order.get(id=order.id)
    assert order.status == OrderStatus.PAID and order.resubmission
    draft = await Order.get(owner_openid=applicant.openid, status=OrderStatus.DRAFT)
    assert len(draft.answers) == 1  # the corrections did not go to the draft
    assert "❌" not in await applicant.say("北京数字认证测试单位")  # the draft's next answer
    draft = await Order.get(id=draft.id)
    assert len(draft.answers) == 2


async def test_a_menu_choice_leaves_the_fix_for_later(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    client = await app_client(console_settings(settings), wechat_api, aiohttp_client)
    applicant = Chat(client, wechat_api, "o-qfix-3")
    await rejected(client, applicant)
    await applicant.click("personal")
    await applicant.say("王五")
    await applicant.click("query")
    await applicant.say("1")
    await applicant.say("2")
    assert "第 1/2 项" in await applicant.say("1")
    assert "未完成的个人证书申请" in await applicant.click("personal")  # back to the draft
    assert "第 1/2 项" not in await applicant.say("1")  # 继续填写: the draft, not the fix
    reply = await applicant.say("北京数字认证测试单位")
    assert "第 1/2 项" not in reply and "❌" not in reply
    draft = await Order.get(owner_openid=applicant.openid, status=OrderStatus.DRAFT)
    assert len(draft.answers) == 2


async def test_mini_program_detail_says_how_a_rejected_order_continues(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    client = await mp_client(settings, wechat_api, aiohttp_client)
    services = client.app[SERVICES]
    await Conversation.create(channel="mp", openid="m-qfix-1")
    order = await paid_order(services, "m-qfix-1")
    in_use = {m.slot: str(m.id) for m in await Material.filter(order=order)}
    order.answers = {**order.answers, **in_use}
    await order.save()
    reviewer, _ = await reviewer_and_operator()
    flow = org_flow(services.settings)
    await actions.reject(
        reviewer, order.order_no, flow, [actions.RejectItem("legal_name", "与营业执照不一致")]
    )
    applicant = await login(client, wechat_api, "m-qfix-1")
    detail = await (await client.get(f"{API}/orders/{order.order_no}", headers=applicant)).json()
    assert detail["status"] == "审核未通过，待修改"
    fixes = await client.get(detail["fix"]["url"], headers=applicant)
    assert fixes.status == 200 and (await fixes.json())["remaining"] == 1

    finance = await login(client, wechat_api, "m-qfix-2")
    # what ``POST orders/lookup/verify`` records once the SMS code is right
    await services.store.set("mp:query-grant:m-qfix-2", json.dumps([order.subject_hash]))
    seen = await (await client.get(f"{API}/orders/{order.order_no}", headers=finance)).json()
    assert "需由申请人在其提交申请的微信中修改" in seen["fix"]["message"]
    assert "url" not in seen["fix"]
