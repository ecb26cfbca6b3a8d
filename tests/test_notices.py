"""Order notices against the WeChat and SMS fakes: each state change gives exactly one notice,
WeChat's temporary errors are retried, an unfollowed user gets an SMS, the password is never in
a notice."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from bot import notices
from bot.admin import actions
from bot.ca.records import subject_dn_of
from bot.china_time import SHANGHAI
from bot.config import ConfigError, Settings, load_settings
from bot.db import close_db, init_db
from bot.reminders import SCAN_JOB
from bot.sandbox.wechat_api import WeChatApiFake
from bot.services import Services, build_services
from bot.sms import CERT_PASSWORD, ORDER_NOTICE, ConsoleSms
from bot.worker import Worker
from handlers.applications import build_engine
from models.certificates import Certificate
from models.jobs import Job, JobRun, JobStatus
from models.orders import Conversation
from models.staff import Fulfilment, Staff, StaffRole
from models.users import WeChatUser
from tests.conftest import with_wechat
from tests.test_admin_helpers import org_flow, paid_order

TEMPLATE = "TPL-order-status"
ORDER_URL = "https://ca.example.com/orders/{order_no}"


def notice_settings(settings: Settings, fake: WeChatApiFake, templates: bool = True) -> Settings:
    base = with_wechat(settings, fake, token="notice-token")
    kinds = {kind: TEMPLATE for kind in notices.KINDS} if templates else {}
    return dataclasses.replace(
        base,
        worker=dataclasses.replace(base.worker, backoff_base=0.0, backoff_max=0.0),
        notices=dataclasses.replace(base.notices, templates=kinds, order_url=ORDER_URL),
    )


async def _services(settings: Settings) -> AsyncIterator[Services]:
    built = build_services(settings)
    await init_db(settings.database.url, settings.database.pool_max_size)
    try:
        yield built
    finally:
        await built.close()
        await close_db()


@pytest.fixture
async def with_templates(settings: Settings, wechat_api: WeChatApiFake) -> AsyncIterator[Services]:
    async for built in _services(notice_settings(settings, wechat_api)):
        yield built


@pytest.fixture
async def text_only(settings: Settings, wechat_api: WeChatApiFake) -> AsyncIterator[Services]:
    async for built in _services(notice_settings(settings, wechat_api, templates=False)):
        yield built


def sms_outbox(services: Services) -> ConsoleSms:
    assert isinstance(services.sms, ConsoleSms)
    return services.sms


async def reviewer_and_operator() -> tuple[Staff, Staff]:
    reviewer = await Staff.create(username="r", password_hash="x", role=StaffRole.REVIEWER)
    operator = await Staff.create(username="o", password_hash="x", role=StaffRole.OPERATOR)
    return reviewer, operator


def statuses(fake: WeChatApiFake, openid: str) -> list[str]:
    return [m.body["data"]["keyword2"]["value"] for m in fake.messages_to(openid, "template")]


async def test_each_state_change_gives_exactly_one_notice(
    with_templates: Services, wechat_api: WeChatApiFake
) -> None:
    services = with_templates
    wechat_api.add_user("o-n1")
    order = await paid_order(services, "o-n1")
    reviewer, operator = await reviewer_and_operator()
    worker = Worker(services)
    await actions.approve(reviewer, order.order_no)
    await notices.notify_review_passed(order, 1)  # the same change announced again: one notice
    await actions.produce(
        services,
        operator,
        order.order_no,
        flows=build_engine(services).flows,
        cert_serial="5A:3F:00:11",
        not_before=date(2026, 11, 25),
        not_after=date(2027, 11, 24),
        key_serial="HB2026000123",
    )
    await worker.run_until_idle()
    recorded = await Certificate.get(serial_hex="5a3f0011")  # renewal and reminders know it
    assert (recorded.key_serial, recorded.order_id) == ("HB2026000123", order.id)  # type: ignore[attr-defined]
    assert recorded.not_after.astimezone(SHANGHAI).date() == date(2027, 11, 24)
    assert "CN=" in subject_dn_of(services.cipher, recorded)
    await actions.ship(operator, order.order_no, "顺丰速运", "SF1234567890")
    await worker.run_until_idle()
    await worker.run_until_idle()
    assert sorted(statuses(wechat_api, "o-n1")) == sorted(
        [
            "审核通过，正在制作证书",
            "证书已制作完成",
            "证书密码已通过短信（法定代表人手机 138****8000）发送",
            "已寄出（顺丰速运 SF1234567890）",
        ]
    )
    sent = wechat_api.messages_to("o-n1", "template")
    assert all(m.body["url"] == ORDER_URL.format(order_no=order.order_no) for m in sent)
    assert all(m.body["data"]["keyword1"]["value"] == order.order_no for m in sent)
    password_sms = [m for m in sms_outbox(services).outbox if m.purpose == CERT_PASSWORD]
    assert len(password_sms) == 1 and password_sms[0].phone == "13800138000"
    password = password_sms[0].params[1]
    assert len(password) == 8 and password.isdigit()
    assert all(password not in str(m.body) for m in sent)
    record = await Fulfilment.get(order=order)
    assert record.password_secret is None and record.password_delivered_at is not None
    notices_jobs = Job.exclude(kind=SCAN_JOB)  # the reminder scan waits for its hour
    assert await notices_jobs.filter(status=JobStatus.DONE).count() == await notices_jobs.count()
    assert await Job.filter(kind=SCAN_JOB, status=JobStatus.PENDING).count() == 1


async def test_wechat_errors_are_retried(
    with_templates: Services, wechat_api: WeChatApiFake
) -> None:
    services = with_templates
    wechat_api.add_user("o-n2")
    order = await paid_order(services, "o-n2", photos=False)
    reviewer, _ = await reviewer_and_operator()
    await actions.approve(reviewer, order.order_no)
    wechat_api.errcode_next("/cgi-bin/message/template/send", 45009, times=1)  # rate limited
    await Worker(services).run_until_idle()
    job = await Job.get(kind="notice.send")
    assert job.status == JobStatus.DONE and job.attempts == 2
    assert await JobRun.filter(job=job).count() == 2
    assert statuses(wechat_api, "o-n2") == ["审核通过，正在制作证书"]
    assert not sms_outbox(services).outbox


async def test_unfollowed_user_gets_an_sms(
    with_templates: Services, wechat_api: WeChatApiFake
) -> None:
    services = with_templates
    wechat_api.add_user("o-n3")
    wechat_api.unsubscribe("o-n3")
    order = await paid_order(services, "o-n3", photos=False)
    reviewer, _ = await reviewer_and_operator()
    flow = org_flow(services.settings)
    await actions.reject(
        reviewer, order.order_no, flow, [actions.RejectItem("license_photo", "照片模糊")]
    )
    await Worker(services).run_until_idle()
    assert not wechat_api.messages_to("o-n3")
    texts = [m for m in sms_outbox(services).outbox if m.purpose == ORDER_NOTICE]
    assert len(texts) == 1
    assert texts[0].phone == "13911112222"  # the handler, who applied
    assert texts[0].params == (order.order_no, "审核未通过，请按提示修改")
    assert (await Job.get(kind="notice.send")).status == JobStatus.DONE


async def test_without_template_a_text_inside_the_window_else_sms(
    text_only: Services, wechat_api: WeChatApiFake
) -> None:
    services = text_only
    wechat_api.note_user_message("o-n4")  # wrote recently: inside the 48-hour window
    wechat_api.add_user("o-n5")  # silent for long: outside the window
    reviewer, _ = await reviewer_and_operator()
    flow = org_flow(services.settings)
    for openid in ("o-n4", "o-n5"):
        order = await paid_order(services, openid, photos=False)
        await actions.reject(
            reviewer,
            order.order_no,
            flow,
            [
                actions.RejectItem("license_photo", "照片模糊"),
                actions.RejectItem("legal_name", "与营业执照不一致"),
            ],
        )
    await Worker(services).run_until_idle()
    [text] = wechat_api.messages_to("o-n4", "custom")
    content = text.body["text"]["content"]
    assert "申请需要修改" in content and "1. 营业执照：照片模糊" in content
    assert "2. 法定代表人姓名：与营业执照不一致" in content and "回复“继续”" in content
    assert "https://ca.example.com/orders/CD" in content
    assert not wechat_api.messages_to("o-n5")
    [sms] = [m for m in sms_outbox(services).outbox if m.purpose == ORDER_NOTICE]
    assert sms.phone == "13911112222"


async def test_sms_refused_for_good_makes_the_job_dead_not_retried_forever(
    with_templates: Services, wechat_api: WeChatApiFake
) -> None:
    services = with_templates
    wechat_api.add_user("o-n6", subscribed=False)
    order = await paid_order(services, "o-n6", photos=False, handler_phone="13911112222")
    order.answers = {k: v for k, v in order.answers.items() if k != "handler_phone"}
    await order.save()
    await notices.notify_invoice_issued(order)
    await Worker(services).run_until_idle()
    job = await Job.get(kind="notice.send")
    assert job.status == JobStatus.DEAD and job.attempts == 1
    assert "no contact phone" in (job.last_error or "")


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[notices]\ntemplates = { reviewed = "T1" }\n', "notices.templates.reviewed"),
        ('[notices]\nfields = { first = "password" }\n', "notices.fields.first"),
        ('[admin]\nholidays = ["1 Oct"]\n', "admin.holidays"),
    ],
)
def test_notice_and_console_config_mistakes_are_named(
    tmp_path: Path, toml: str, message: str
) -> None:
    path = tmp_path / "certdesk.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_settings(path, env={}, check_files=False)


async def test_mini_program_applicant_hears_through_the_account_they_follow(
    with_templates: Services, wechat_api: WeChatApiFake
) -> None:
    services = with_templates
    reviewer, _ = await reviewer_and_operator()
    wechat_api.add_user("o-oa-follower", unionid="u-shared")
    await WeChatUser.create(openid="o-oa-follower", channel="oa", unionid="u-shared")
    for openid, unionid in (("m-mp-1", "u-shared"), ("m-mp-2", "u-alone")):
        await Conversation.create(channel="mp", openid=openid, unionid=unionid)
        order = await paid_order(services, openid, photos=False)
        order.owner_unionid = unionid
        await order.save()
        await actions.approve(reviewer, order.order_no)
    await Worker(services).run_until_idle()
    assert statuses(wechat_api, "o-oa-follower") == ["审核通过，正在制作证书"]
    assert not wechat_api.messages_to("m-mp-1") and not wechat_api.messages_to("m-mp-2")
    [sms] = [m for m in sms_outbox(services).outbox if m.purpose == ORDER_NOTICE]
    assert sms.params[1] == "审核通过，正在制作证书"  # the one with no follower: by SMS
