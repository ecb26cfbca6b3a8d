"""Mini-program subscribe messages: the mini-program records what the user accepted (one message
per acceptance), notices of mini-program orders go out as subscribe messages while quota is
left, then by SMS; WeChat's refusal (43101) falls back to SMS, its temporary errors are retried
without spending the quota twice."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.admin import actions
from bot.app import create_app
from bot.config import ConfigError, Settings, load_settings
from bot.db import close_db, init_db
from bot.sandbox.wechat_api import WeChatApiFake
from bot.services import Services, build_services
from bot.sms import ORDER_NOTICE
from bot.subscribe_quota import keyword_value, record_results
from bot.worker import Worker
from models.jobs import Job, JobStatus
from models.orders import Conversation, Order
from models.users import SubscribeQuota
from tests.test_admin_helpers import org_flow, paid_order
from tests.test_mp_api import API, login
from tests.test_notices import notice_settings, reviewer_and_operator, sms_outbox

PASSED, FAILED = "SUB-review-passed", "SUB-review-failed"


def subscribe_settings(settings: Settings, fake: WeChatApiFake) -> Settings:
    base = notice_settings(settings, fake, templates=False)
    return dataclasses.replace(
        base,
        miniprogram=dataclasses.replace(
            base.miniprogram, app_id=fake.mp_app_id, app_secret=fake.mp_app_secret
        ),
        notices=dataclasses.replace(
            base.notices,
            subscribe_templates={"review_passed": PASSED, "review_failed": FAILED},
            subscribe_page="pages/order/detail?order_no={order_no}",
        ),
    )


@pytest.fixture
async def mp_services(settings: Settings, wechat_api: WeChatApiFake) -> AsyncIterator[Services]:
    configured = subscribe_settings(settings, wechat_api)
    built = build_services(configured)
    await init_db(configured.database.url, configured.database.pool_max_size)
    try:
        yield built
    finally:
        await built.close()
        await close_db()


async def _mp_order(services: Services, openid: str) -> Order:
    await Conversation.create(channel="mp", openid=openid)
    return await paid_order(services, openid, photos=False)


async def _allowed(fake: WeChatApiFake, openid: str, template_id: str) -> None:
    """The user accepted once in wx.requestSubscribeMessage (WeChat and certdesk both know)."""
    fake.grant_subscription(openid, template_id, app="mp")
    await record_results(openid, {template_id: "accept"}, {PASSED, FAILED})


async def _left(openid: str, template_id: str) -> int:
    row = await SubscribeQuota.get_or_none(openid=openid, template_id=template_id)
    return row.remaining if row else 0


async def test_mini_program_records_what_the_user_accepted(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    client = await aiohttp_client(
        create_app(subscribe_settings(settings, wechat_api), run_worker=False)
    )
    assert (await client.get(f"{API}/subscriptions")).status == 401
    headers = await login(client, wechat_api, "m-sub-1")
    listed = await (await client.get(f"{API}/subscriptions", headers=headers)).json()
    assert listed["template_ids"] == sorted([PASSED, FAILED])
    assert listed["remaining"] == {PASSED: 0, FAILED: 0}
    result = {"errMsg": "requestSubscribeMessage:ok", PASSED: "accept", FAILED: "reject"}
    result["SUB-not-ours"] = "accept"
    for _ in range(2):
        answer = await client.post(f"{API}/subscriptions", json=result, headers=headers)
        assert answer.status == 200
    assert (await answer.json())["remaining"] == {PASSED: 2, FAILED: 0}
    wrapped = {"results": {FAILED: "accept"}}
    answer = await client.post(f"{API}/subscriptions", json=wrapped, headers=headers)
    assert (await answer.json())["remaining"] == {PASSED: 2, FAILED: 1}
    bad = await client.post(f"{API}/subscriptions", data=b"[1, 2", headers=headers)
    assert bad.status == 400 and "请求格式" in (await bad.json())["message"]
    assert not await SubscribeQuota.filter(template_id="SUB-not-ours").exists()


async def test_one_subscribe_message_per_acceptance_then_sms(
    mp_services: Services, wechat_api: WeChatApiFake
) -> None:
    services = mp_services
    reviewer, _ = await reviewer_and_operator()
    order = await _mp_order(services, "m-sub-2")
    await _allowed(wechat_api, "m-sub-2", FAILED)
    flow = org_flow(services.settings)
    reject = [
        actions.RejectItem("license_photo", "照片模糊，无法辨认，请重新拍摄清晰完整的营业执照")
    ]
    await actions.reject(reviewer, order.order_no, flow, reject)
    await Worker(services).run_until_idle()
    [message] = wechat_api.messages_to("m-sub-2", "subscribe")
    assert message.body["template_id"] == FAILED
    assert message.body["page"] == f"pages/order/detail?order_no={order.order_no}"
    data = {key: item["value"] for key, item in message.body["data"].items()}
    assert data["character_string2"] == order.order_no and data["thing1"] == "申请需要修改"
    assert len(data["thing3"]) <= 20
    assert await _left("m-sub-2", FAILED) == 0
    assert not sms_outbox(services).outbox

    # the next notice has no acceptance left: SMS to the contact phone
    order = await Order.get(id=order.id)
    order.status = order.status.PAID
    await order.save()
    await actions.approve(reviewer, order.order_no)
    await Worker(services).run_until_idle()
    assert len(wechat_api.messages_to("m-sub-2", "subscribe")) == 1
    [sms] = [m for m in sms_outbox(services).outbox if m.purpose == ORDER_NOTICE]
    assert sms.params == (order.order_no, "审核通过，正在制作证书")


async def test_refused_in_wechat_falls_back_to_sms_and_clears_the_count(
    mp_services: Services, wechat_api: WeChatApiFake
) -> None:
    services = mp_services
    reviewer, _ = await reviewer_and_operator()
    order = await _mp_order(services, "m-sub-3")
    await record_results("m-sub-3", {PASSED: "accept"}, {PASSED})  # WeChat has no grant: 43101
    wechat_api.add_user("m-sub-3", app="mp")
    await actions.approve(reviewer, order.order_no)
    await Worker(services).run_until_idle()
    assert not wechat_api.messages_to("m-sub-3")
    assert [m.params[0] for m in sms_outbox(services).outbox] == [order.order_no]
    assert await _left("m-sub-3", PASSED) == 0


async def test_a_page_the_mini_program_does_not_have_falls_back_to_sms(
    mp_services: Services, wechat_api: WeChatApiFake
) -> None:
    services = mp_services
    wechat_api.mp_pages = {"pages/index/index"}  # the configured order page is not published
    reviewer, _ = await reviewer_and_operator()
    order = await _mp_order(services, "m-sub-5")
    await _allowed(wechat_api, "m-sub-5", PASSED)
    await actions.approve(reviewer, order.order_no)
    await Worker(services).run_until_idle()
    assert not wechat_api.messages_to("m-sub-5")
    assert [m.params[0] for m in sms_outbox(services).outbox] == [order.order_no]
    assert await _left("m-sub-5", PASSED) == 1  # WeChat did not use the acceptance


async def test_temporary_wechat_error_is_retried_with_the_same_acceptance(
    mp_services: Services, wechat_api: WeChatApiFake
) -> None:
    services = mp_services
    reviewer, _ = await reviewer_and_operator()
    order = await _mp_order(services, "m-sub-4")
    await _allowed(wechat_api, "m-sub-4", PASSED)
    wechat_api.errcode_next("/cgi-bin/message/subscribe/send", 45009, times=1)
    await actions.approve(reviewer, order.order_no)
    await Worker(services).run_until_idle()
    job = await Job.get(kind="notice.send")
    assert job.status == JobStatus.DONE and job.attempts == 2
    assert len(wechat_api.messages_to("m-sub-4", "subscribe")) == 1
    assert await _left("m-sub-4", PASSED) == 0 and not sms_outbox(services).outbox


def test_keyword_values_fit_their_type() -> None:
    cut = keyword_value("thing3", "审核未通过，请按提示修改后重新提交，无需再次支付")
    assert len(cut) == 20 and cut.startswith("审核未通过") and cut.endswith("…")
    assert keyword_value("phrase1", "审核通过") == "审核通过"
    assert len(keyword_value("character_string2", "A" * 40)) == 32


@given(
    keyword=st.sampled_from(["thing1", "thing12", "phrase3", "name4", "character_string2"]),
    value=st.text(min_size=1, max_size=80).filter(str.strip),
)
def test_any_value_fits_the_keyword_limit(keyword: str, value: str) -> None:
    limit = {"thing": 20, "phrase": 5, "name": 10}.get(keyword.rstrip("0123456789"), 32)
    fitted = keyword_value(keyword, value)
    assert 0 < len(fitted) <= limit
    assert fitted == " ".join(value.split()) or fitted.endswith("…")


def test_subscribe_config_mistakes_are_named(tmp_path: Path) -> None:
    for toml, message in (
        ('[notices]\nsubscribe_templates = { reviewed = "T1" }\n', "subscribe_templates.reviewed"),
        ('[notices]\nsubscribe_fields = { thing1 = "pin" }\n', "subscribe_fields.thing1"),
    ):
        path = tmp_path / "certdesk.toml"
        path.write_text(toml, encoding="utf-8")
        with pytest.raises(ConfigError, match=message):
            load_settings(path, env={}, check_files=False)
