"""Fixing a rejected order in the mini-program: the applicant sees exactly what the reviewer
sent back, corrects one field and re-uploads one photo through ``/api/mp/v1/``, and the order
returns to the review queue as a resubmission without a second payment."""

from __future__ import annotations

from aiohttp import FormData

from bot.admin import actions
from bot.app import SERVICES
from bot.config import Settings
from bot.engine import decrypt_answers
from bot.sandbox.wechat_api import WeChatApiFake
from models.jobs import Job
from models.materials import Material
from models.orders import Conversation, Order, OrderStatus
from models.staff import Fulfilment
from tests.test_admin_helpers import org_flow, paid_order, photo
from tests.test_mp_api import API, login, mp_client
from tests.test_notices import reviewer_and_operator


def _photo_form(data: bytes) -> FormData:
    form = FormData()
    form.add_field("file", data, filename="license.jpg", content_type="image/jpeg")
    return form


async def test_rejected_items_fixed_in_the_mini_program_and_resubmitted(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    client = await mp_client(settings, wechat_api, aiohttp_client)
    services = client.app[SERVICES]
    await Conversation.create(channel="mp", openid="m-fix-1")
    order = await paid_order(services, "m-fix-1")
    in_use = {m.slot: str(m.id) for m in await Material.filter(order=order)}
    order.answers = {**order.answers, **in_use}  # the photos taken, as the engine records them
    await order.save()
    amount = order.amount_fen
    reviewer, _ = await reviewer_and_operator()
    flow = org_flow(services.settings)
    await actions.reject(
        reviewer,
        order.order_no,
        flow,
        [
            actions.RejectItem("license_photo", "照片模糊，无法辨认"),
            actions.RejectItem("legal_name", "与营业执照不一致"),
        ],
    )
    notice = await Job.get(kind="notice.send")
    assert "小程序" in notice.payload["detail"] and "本公众号" not in notice.payload["detail"]
    fixes = f"{API}/orders/{order.order_no}/fixes"
    assert (await client.get(fixes)).status == 401
    stranger = await login(client, wechat_api, "m-stranger")
    assert (await client.get(fixes, headers=stranger)).status == 404
    headers = await login(client, wechat_api, "m-fix-1")

    listed = await (await client.get(fixes, headers=headers)).json()
    assert listed["remaining"] == 2
    by_key = {item["key"]: item for item in listed["items"]}
    assert by_key["license_photo"]["kind"] == "material"
    assert by_key["license_photo"]["reason"] == "照片模糊，无法辨认"
    assert by_key["legal_name"]["kind"] == "field" and by_key["legal_name"]["current"] == "张三"
    assert by_key["legal_name"]["field"]["label"] == "法定代表人姓名"
    link = by_key["license_photo"]["sent_back_photo"]
    assert link and "/files/" in link and by_key["legal_name"]["sent_back_photo"] is None
    sent_back = await client.get(link[link.index("/files/") :])
    assert sent_back.status == 200 and sent_back.content_type == "image/jpeg"

    not_sent_back = await client.patch(
        fixes, json={"key": "org_name", "value": "别的单位"}, headers=headers
    )
    assert not_sent_back.status == 422 and "不需要修改" in (await not_sent_back.json())["message"]
    wrong_kind = await client.patch(
        fixes, json={"key": "license_photo", "value": "x"}, headers=headers
    )
    assert wrong_kind.status == 422 and "新照片" in (await wrong_kind.json())["message"]
    invalid = await client.patch(fixes, json={"key": "legal_name", "value": "1"}, headers=headers)
    assert invalid.status == 422
    assert (await invalid.json())["items"][1]["fixed"] is False
    assert (await client.patch(fixes, data=b"{", headers=headers)).status == 400

    fixed = await client.patch(fixes, json={"key": "legal_name", "value": "王五"}, headers=headers)
    body = await fixed.json()
    assert fixed.status == 200 and body["remaining"] == 1 and body["resubmitted"] is False
    assert (await Order.get(id=order.id)).status == OrderStatus.REJECTED

    before = await Material.filter(order=order, slot="license_photo").count()
    no_file = await client.post(f"{fixes}/license_photo", data=b"", headers=headers)
    assert no_file.status == 400
    uploaded = await client.post(
        f"{fixes}/license_photo", data=_photo_form(photo(222)), headers=headers
    )
    body = await uploaded.json()
    assert uploaded.status == 200 and body["resubmitted"] is True
    assert "无需再次支付" in body["done_message"] and body["remaining"] == 0
    assert body["material"]["slot"] == "license_photo"
    assert await Material.filter(order=order, slot="license_photo").count() == before + 1

    order = await Order.get(id=order.id)
    assert order.status == OrderStatus.PAID and order.resubmission
    assert order.amount_fen == amount
    answers = decrypt_answers(services, flow, order)
    assert answers["legal_name"] == "王五" and answers["legal_phone"] == "13800138000"
    record = await Fulfilment.get(order=order)
    assert record.resubmitted_at is not None
    assert all(item["fixed"] == "yes" for item in record.rejection)
    assert (await client.get(fixes, headers=headers)).status == 404  # nothing left to fix
