"""The rejection loop end to end: an applicant's order (filled in through the signed webhook)
is paid, a reviewer rejects one photo and one field in the console, the applicant fixes only
those in chat, and the order returns to the queue as a resubmission without a second payment."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from bot.app import SERVICES
from bot.config import Settings
from bot.engine import decrypt_answers
from bot.sandbox.wechat_api import WeChatApiFake
from models.jobs import Job
from models.materials import Material
from models.orders import Order, OrderStatus
from models.staff import AuditLog, Fulfilment, StaffRole
from tests.test_admin_helpers import Console, console_settings, org_flow, staff
from tests.test_application_flows import ORG_ANSWERS, Chat, client_for, fill, photo


async def submitted_and_paid(chat: Chat) -> Order:
    """Run the real chat flow to SUBMITTED, then record the payment."""
    await chat.click("org")
    await fill(chat, ORG_ANSWERS)
    await chat.say("确认订单")
    for _ in range(3):
        await chat.send_photo()
    await chat.send_photo()
    assert "订单已提交" in await chat.say(chat.last_code())
    order = await Order.get(owner_openid=chat.openid)
    order.status = OrderStatus.PAID  # what the payment notification does
    await order.save()
    return order


async def reviewer(client: TestClient) -> Console:  # type: ignore[type-arg]
    await staff("rita", StaffRole.REVIEWER)
    console = Console(client)
    assert (await console.login("rita")).status == 303
    return console


async def test_rejected_items_fixed_in_chat_and_resubmitted(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    client = await client_for(console_settings(settings), wechat_api, aiohttp_client)
    chat = Chat(client, wechat_api, "o-fix-1")
    order = await submitted_and_paid(chat)
    amount = order.amount_fen
    console = await reviewer(client)
    queue = await (await console.get("/admin/")).text()
    assert order.order_no in queue and "重新提交" not in queue
    rejected = await console.post(
        f"/admin/orders/{order.order_no}/reject",
        **{
            "reason:license_photo": "照片模糊，无法辨认",
            "reason:legal_name": "__other__",
            "other:legal_name": "与营业执照上的法定代表人不一致",
        },
    )
    assert rejected.status == 303
    order = await Order.get(id=order.id)
    assert order.status == OrderStatus.REJECTED
    notice = await Job.get(kind="notice.send")
    assert notice.payload["kind"] == "review_failed"
    assert "营业执照：照片模糊" in str(notice.payload["detail"])
    assert "法定代表人姓名：与营业执照上的法定代表人不一致" in str(notice.payload["detail"])

    first = await chat.say("继续")
    assert "第 1/2 项" in first and "法定代表人姓名" in first and "不一致" in first
    before = await Material.filter(order=order, slot="license_photo").count()
    assert "第 1/2 项" in await chat.send_photo()  # a value is wanted: asked again
    assert await Material.filter(order=order, slot="license_photo").count() == before
    bad = await chat.say("1")
    assert "❌" in bad and "第 1/2 项" in bad  # the field's own validator
    second = await chat.say("王五")
    assert "第 2/2 项" in second and "营业执照" in second and "照片模糊" in second
    assert "第 2/2 项" in await chat.say("随便说点什么")  # a photo is wanted: asked again
    done = await chat.send_photo(photo(1300, 1000))
    assert "已重新提交审核" in done and "无需再次支付" in done
    assert await Material.filter(order=order, slot="license_photo").count() == before + 1

    order = await Order.get(id=order.id)
    assert order.status == OrderStatus.PAID and order.resubmission
    assert order.amount_fen == amount
    answers = decrypt_answers(client.app[SERVICES], org_flow(settings), order)
    assert answers["legal_name"] == "王五"
    assert answers["legal_phone"] == "13800138000"  # nothing else changed
    record = await Fulfilment.get(order=order)
    assert all(item["fixed"] == "yes" for item in record.rejection)
    queue = await (await console.get("/admin/")).text()
    assert order.order_no in queue and "重新提交" in queue
    assert await AuditLog.filter(action="reject", order_no=order.order_no).count() == 1
    menu = await chat.say("继续")
    assert "需要修改" not in menu  # nothing left to fix: back to normal chat


async def test_reject_needs_a_reason_and_only_paid_orders(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    client = await client_for(console_settings(settings), wechat_api, aiohttp_client)
    chat = Chat(client, wechat_api, "o-fix-2")
    order = await submitted_and_paid(chat)
    console = await reviewer(client)
    empty = await console.post(f"/admin/orders/{order.order_no}/reject")
    assert empty.status == 400 and "至少" in await empty.text()
    forged = await console.post(
        f"/admin/orders/{order.order_no}/reject", **{"reason:sms_code": "whatever"}
    )
    assert forged.status == 400  # not a rejectable item
    proven = await console.post(
        f"/admin/orders/{order.order_no}/reject", **{"reason:handler_phone": "填写有误，请核对"}
    )
    assert proven.status == 400  # the SMS-verified phone cannot be swapped unproven
    assert (await Order.get(id=order.id)).status == OrderStatus.PAID
    assert (await console.post(f"/admin/orders/{order.order_no}/approve")).status == 303
    again = await console.post(
        f"/admin/orders/{order.order_no}/reject", **{"reason:license_photo": "材料已过期"}
    )
    assert again.status == 400 and "不能进行此操作" in await again.text()
    assert (await Order.get(id=order.id)).status == OrderStatus.APPROVED
