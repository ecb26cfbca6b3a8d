"""Faults of the outside parts, injected while an applicant uses certdesk: each ends with a clear
message to the applicant or a retry, and certdesk recovers without anyone's intervention.

WeChat API (5xx, slow answers, timeouts, 40001), WeChat Pay errors, SMTP down, SMS provider
errors, a Redis restart (a private redis-server; the shared one is never touched) and cut
PostgreSQL connections.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import pytest

from bot.admin import actions
from bot.app import SERVICES, create_app
from bot.config import EmailSettings, Settings, SmsSettings
from bot.mailer import MailError, SmtpMailer
from bot.messages import Inbound, TextReply
from bot.outbox import utcnow
from bot.sandbox.photos import document_photo
from bot.sandbox.wechat_api import WeChatApiFake
from bot.sandbox.wechat_pay import WeChatPayFake
from bot.services import Services
from bot.sms import SMS_UNAVAILABLE, VERIFY_CODE
from bot.wechat import inbox, late_replies
from bot.wechat.simulator import WeChatSimulator
from bot.worker import Worker
from handlers.demo_script import ORG_APPLICATION
from models.jobs import Job, JobStatus
from models.materials import Material
from models.orders import Order, OrderStatus
from tests.conftest import PG_ADMIN_URL
from tests.fakes.fixtures import MerchantCredentials
from tests.fakes.redis_server import PrivateRedis
from tests.fakes.smtp import DEFAULT_PASSWORD, DEFAULT_USERNAME, SmtpFake
from tests.fakes.tencent_sms import DEFAULT_SIGN_NAME, TencentSmsFake
from tests.test_admin_helpers import paid_order
from tests.test_application_flows import Chat, fill, flow_settings
from tests.test_notices import TEMPLATE, notice_settings, reviewer_and_operator
from tests.test_pay_flow import OPENID, make_shop

VERIFY_TEMPLATE = "1000002"
POSTGRES_ONLY = pytest.mark.parametrize("backend", ["postgres"])


async def chat_at_photos(client: Any, fake: WeChatApiFake, openid: str) -> Chat:
    """An applicant who answered every question and confirmed: the photos come next."""
    chat = Chat(client, fake, openid)
    await chat.click("org")
    await fill(chat, ORG_APPLICATION)
    assert "营业执照" in await chat.say("确认订单")
    return chat


async def photos(openid: str) -> int:
    order = await Order.get(owner_openid=openid)
    return await Material.filter(order=order).count()


# -- WeChat API ---------------------------------------------------------------------------------


async def test_expired_wechat_token_is_refreshed_and_the_call_retried(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client: Any
) -> None:
    """40001 (another process refreshed the token, or WeChat revoked it): refresh, retry once."""
    client = await aiohttp_client(create_app(flow_settings(settings, wechat_api), run_worker=False))
    chat = await chat_at_photos(client, wechat_api, "o-fault-token")
    assert "经办人身份证正面" in await chat.send_photo()  # certdesk now holds a token
    issued = wechat_api.issued_token_count
    wechat_api.revoke_tokens()
    assert "授权书" in await chat.send_photo()  # the photo was fetched all the same
    assert await photos("o-fault-token") == 2
    assert wechat_api.issued_token_count == issued + 1
    assert len(wechat_api.calls("/cgi-bin/media/get")) == 3  # ok; 40001, retried ok


async def test_wechat_timeout_on_a_photo_is_retried_and_a_slow_wechat_answers_later(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client: Any
) -> None:
    """A media download that times out is retried (reading is idempotent). When WeChat is so
    slow that the 5-second reply window passes, the answer comes as a customer-service message."""
    configured = flow_settings(settings, wechat_api)
    configured = dataclasses.replace(
        configured, wechat=dataclasses.replace(configured.wechat, reply_budget=3.0)
    )
    client = await aiohttp_client(create_app(configured, run_worker=False))
    chat = await chat_at_photos(client, wechat_api, "o-fault-slow")
    services: Services = client.app[SERVICES]
    services.wechat.timeout = aiohttp.ClientTimeout(total=0.5)  # the operator's timeout, shortened
    wechat_api.faults.delay_next("/cgi-bin/media/get", seconds=1.0)
    assert "经办人身份证正面" in await chat.send_photo()
    assert await photos("o-fault-slow") == 1

    services.wechat.timeout = aiohttp.ClientTimeout(total=10)
    wechat_api.faults.delay_next("/cgi-bin/media/get", seconds=3.5)
    assert await chat.send_photo() == ""  # "success": nothing ready within the reply budget
    for _ in range(100):
        sent = [
            m.body.get("text", {}).get("content", "") for m in wechat_api.messages_to(chat.openid)
        ]
        if any("授权书" in text for text in sent):
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError(f"no customer-service answer after the slow photo: {sent}")
    assert await photos("o-fault-slow") == 2


async def test_wechat_5xx_on_a_notice_is_retried_until_delivered(
    settings: Settings, wechat_api: WeChatApiFake
) -> None:
    """The worker retries a notice through 5xx, 'system busy' and an expired token."""
    from tests.test_notices import _services

    async for services in _services(notice_settings(settings, wechat_api)):
        wechat_api.add_user("o-fault-notice")
        order = await paid_order(services, "o-fault-notice", photos=False)
        reviewer, _ = await reviewer_and_operator()
        await actions.approve(reviewer, order.order_no)
        endpoint = "/cgi-bin/message/template/send"
        wechat_api.faults.fail_next(endpoint, status=502, times=3)  # the client's own retries
        wechat_api.errcode_next(endpoint, -1, times=3)  # then "system error": a job retry
        await Worker(services).run_until_idle()
        wechat_api.revoke_tokens()
        await Worker(services).run_until_idle()
        job = await Job.get(kind="notice.send")
        assert job.status == JobStatus.DONE and job.attempts >= 2
        sent = wechat_api.messages_to("o-fault-notice", "template")
        assert len(sent) == 1 and sent[0].body["template_id"] == TEMPLATE


# -- WeChat Pay ---------------------------------------------------------------------------------


async def test_pay_api_errors_tell_the_payer_to_ask_again_and_支付_then_works(
    settings: Settings,
    wechat_pay: WeChatPayFake,
    wechat_api: WeChatApiFake,
    wechat_pay_merchant: MerchantCredentials,
    aiohttp_client: Any,
    tmp_path: Path,
) -> None:
    shop = await make_shop(
        settings, wechat_pay, wechat_api, wechat_pay_merchant, aiohttp_client, tmp_path
    )
    sim = WeChatSimulator(token="pay-token", app_id=wechat_api.app_id)

    async def say(text: str) -> str:
        wechat_api.note_user_message(OPENID)
        delivery = sim.text(OPENID, text)
        response = await shop.client.post("/wechat", params=delivery.params, data=delivery.body)
        assert response.status == 200
        return sim.open_reply(await response.text()).get("Content", "")

    wechat_pay.error_next("/v3/pay/transactions/native", status=500, times=10)
    down = await say("支付")
    assert "支付二维码暂时无法生成" in down and "支付" in down
    assert (await Order.get(id=shop.order.id)).status == OrderStatus.SUBMITTED  # nothing lost
    wechat_pay.faults.clear()
    await say("支付")  # the QR code comes as an image; its text follows
    for _ in range(100):
        texts = [m.body.get("text", {}).get("content", "") for m in wechat_api.messages_to(OPENID)]
        if any(shop.order.order_no in t for t in texts):
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("no payment QR code after WeChat Pay recovered")
    (payment,) = await shop.order.payments.all()  # type: ignore[attr-defined]
    assert payment.prepay


# -- SMS and SMTP -------------------------------------------------------------------------------


async def test_sms_provider_errors_are_explained_and_重发_works_once_it_recovers(
    settings: Settings,
    wechat_api: WeChatApiFake,
    tencent_sms: TencentSmsFake,
    aiohttp_client: Any,
) -> None:
    tencent_sms.templates[VERIFY_TEMPLATE] = 1
    tencent_sms.verification_templates.add(VERIFY_TEMPLATE)
    configured = dataclasses.replace(
        flow_settings(settings, wechat_api),
        sms=SmsSettings(
            provider="tencent",
            secret_id=tencent_sms.secret_id,
            secret_key=tencent_sms.secret_key,
            sdk_app_id=tencent_sms.sdk_app_id,
            sign_name=DEFAULT_SIGN_NAME,
            endpoint=tencent_sms.base_url,
            templates={VERIFY_CODE: VERIFY_TEMPLATE},
        ),
    )
    client = await aiohttp_client(create_app(configured, run_worker=False))
    chat = await chat_at_photos(client, wechat_api, "o-fault-sms")
    for _ in range(3):
        await chat.send_photo()
    tencent_sms.faults.fail_next("SendSms", status=503, times=10)
    failed = await chat.send_photo()
    assert SMS_UNAVAILABLE in failed, failed
    assert await photos("o-fault-sms") == 4  # the photo is kept
    assert not tencent_sms.sent
    tencent_sms.faults.clear()
    tencent_sms.error_next("InternalError.Timeout", times=1)  # the provider's own timeout
    first = await chat.say("重发")
    assert SMS_UNAVAILABLE in first, first
    again = await chat.say("重发")  # a failed send used up no resend limit
    assert "验证码已发送至 139****2222" in again, again
    assert len(tencent_sms.sent) == 1
    code = tencent_sms.sent[-1].params[0]
    done = await chat.say(code)
    assert "订单已提交" in done
    assert (await Order.get(owner_openid="o-fault-sms")).status == OrderStatus.SUBMITTED


async def test_smtp_down_the_unlock_code_is_not_lost_and_is_sent_once_it_is_back(
    settings: Settings, smtp_server: SmtpFake
) -> None:
    """A mail relay that refuses connections: the sender hears it is temporary, no send limit
    is used up, and the next request goes out as soon as the relay is back."""
    from tests.test_notices import _services

    email = EmailSettings(
        smtp_host=smtp_server.host,
        smtp_port=smtp_server.port,
        username=DEFAULT_USERNAME,
        password=DEFAULT_PASSWORD,
        sender="ca@ca.example.cn",
        use_tls=smtp_server.tls == "implicit",
    )
    async for services in _services(dataclasses.replace(settings, email=email)):
        services._mailer = SmtpMailer(email, ssl_context=smtp_server.client_ssl_context())
        await smtp_server.refuse_connections()
        with pytest.raises(MailError) as caught:
            await services.unlock_codes.send("lisi@example.com", "unlock", "KEY1", "o-fault-mail")
        assert caught.value.temporary
        await smtp_server.accept_connections()
        sent = await services.unlock_codes.send(
            "lisi@example.com", "unlock", "KEY1", "o-fault-mail"
        )
        assert sent.masked_phone  # the masked address the chat names
        assert [m.rcpt_tos for m in smtp_server.messages] == [["lisi@example.com"]]


# -- Redis and PostgreSQL -----------------------------------------------------------------------


@POSTGRES_ONLY
async def test_redis_restart_mid_conversation_loses_nothing(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client: Any, tmp_path: Path
) -> None:
    """Redis holds only what may expire: after a restart (every key gone, every pooled
    connection broken) the next message is answered from the database, where it left off."""
    with PrivateRedis(tmp_path) as private:
        configured = flow_settings(settings, wechat_api)
        configured = dataclasses.replace(
            configured, redis=dataclasses.replace(configured.redis, url=private.url)
        )
        client = await aiohttp_client(create_app(configured, run_worker=False))
        chat = Chat(client, wechat_api, "o-fault-redis")
        await chat.click("org")
        await fill(chat, ORG_APPLICATION[:5])
        private.restart()
        reply = await chat.say(ORG_APPLICATION[5][1])
        assert "❌" not in reply and "第 7/" in reply, reply
        order = await Order.get(owner_openid="o-fault-redis")
        assert len(order.answers) == 6
        health = await client.get("/healthz")
        assert health.status == 200


@POSTGRES_ONLY
async def test_cut_postgresql_connections_are_replaced_without_losing_a_message(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client: Any
) -> None:
    """Every connection of the test's database is terminated (a failover, a restarted
    PostgreSQL): the next message is answered, or, if it met a dead connection, the applicant
    is told to send it again and WeChat's retry or the resend is handled."""
    client = await aiohttp_client(create_app(flow_settings(settings, wechat_api), run_worker=False))
    chat = Chat(client, wechat_api, "o-fault-pg")
    await chat.click("org")
    await fill(chat, ORG_APPLICATION[:3])
    database = settings.database.url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(PG_ADMIN_URL)
    try:
        cut = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            database,
        )
    finally:
        await admin.close()
    assert cut >= 1
    reply = await chat.say(ORG_APPLICATION[3][1])
    if "系统暂时繁忙" in reply:  # met a dead pooled connection: told to send it again
        reply = await chat.say(ORG_APPLICATION[3][1])
    assert "❌" not in reply and "第 5/" in reply, reply
    order = await Order.get(owner_openid="o-fault-pg")
    assert len(order.answers) == 4


# -- a server that dies mid-message -----------------------------------------------------------


async def test_a_message_handled_again_after_a_crash_is_not_applied_twice(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client: Any
) -> None:
    """The process died after the photo was recorded but before the answer was: WeChat's retry
    is handled again, and says where the applicant is instead of filling the next slot."""
    client = await aiohttp_client(create_app(flow_settings(settings, wechat_api), run_worker=False))
    chat = await chat_at_photos(client, wechat_api, "o-fault-twice")
    media_id = wechat_api.add_media(document_photo(), "image/jpeg")
    delivery = chat.sim.image(chat.openid, media_id)
    assert "经办人身份证正面" in await chat._post(delivery)
    await client.app[SERVICES].store.delete(f"wechat:in:msg:{delivery.msg_id}")  # the crash
    again = await chat._post(delivery)
    assert "已经处理过" in again and "经办人身份证正面" in again
    assert await photos("o-fault-twice") == 1
    # The retry of a dead process may come after the applicant moved on: still known.
    second = chat.sim.image(chat.openid, wechat_api.add_media(document_photo(), "image/jpeg"))
    now_at = (await chat._post(second)).splitlines()[0]  # e.g. "第 29/31 步 · 企业授权书"
    assert "步 ·" in now_at
    await client.app[SERVICES].store.delete(f"wechat:in:msg:{delivery.msg_id}")
    late = await chat._post(delivery)
    assert "已经处理过" in late and now_at in late
    assert await photos("o-fault-twice") == 2


async def test_a_menu_click_handled_again_after_a_crash_does_not_offer_its_own_draft(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client: Any
) -> None:
    """The process died after the click began the draft but before it answered: WeChat's retry
    says where the applicant is, not "you have an unfinished application, continue it?"."""
    client = await aiohttp_client(create_app(flow_settings(settings, wechat_api), run_worker=False))
    chat = Chat(client, wechat_api, "o-fault-click")
    created = chat.sim.now()
    click = chat.sim.event(chat.openid, "CLICK", "org", create_time=created)
    first = await chat._post(click)
    assert "第 1/" in first
    dedupe_key = f"wechat:in:evt:{chat.openid}:{created}:CLICK:org"
    assert await client.app[SERVICES].store.delete(dedupe_key)  # the crash
    again = await chat._post(click)
    assert "已经处理过" in again and "第 1/" in again and "未完成" not in again
    assert await Order.filter(owner_openid="o-fault-click").count() == 1
    # A new click (another moment) is the applicant's own choice: the draft is offered.
    chat.clicks = 5
    assert "未完成" in await chat.click("org")


async def test_a_message_acknowledged_but_never_handled_is_handled_by_the_worker(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client: Any
) -> None:
    """WeChat was told "success" and the process died: the inbox job hands the message to the
    worker, whose answer comes as a customer-service message."""
    client = await aiohttp_client(create_app(flow_settings(settings, wechat_api), run_worker=False))
    chat = Chat(client, wechat_api, "o-fault-inbox")
    await chat.click("org")
    services: Services = client.app[SERVICES]
    wechat_api.note_user_message(chat.openid)
    inbound = Inbound(
        openid=chat.openid, kind="text", create_time=int(time.time()), msg_id="9001", text="1"
    )
    job = await inbox.record(services.cipher, inbound)
    assert set(job.payload) == {"key", "sealed"} and '"text"' not in json.dumps(job.payload)
    await Job.filter(id=job.id).update(run_at=utcnow())  # its grace period is over
    await Worker(services).run_until_idle()
    assert (await Job.get(id=job.id)).status == JobStatus.DONE
    sent = [m.body["text"]["content"] for m in wechat_api.messages_to(chat.openid, "custom")]
    assert any("第 2/" in text and "单位名称" in text for text in sent), sent
    order = await Order.get(owner_openid="o-fault-inbox")
    assert len(order.answers) == 1


async def test_late_answers_of_a_dead_process_are_sent_by_the_worker(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client: Any
) -> None:
    """WeChat got "success"; the answer's parts were recorded (encrypted: one may be a PUK) but
    the process died before sending them, and before it wrote the customer-service window the
    message opened: the worker sends them within that window."""
    client = await aiohttp_client(create_app(flow_settings(settings, wechat_api), run_worker=False))
    services: Services = client.app[SERVICES]
    openid = "o-fault-late"
    wechat_api.add_user(openid)
    wechat_api.note_user_message(openid)
    inbound = Inbound(openid=openid, kind="text", create_time=int(time.time()), msg_id="9002")
    secret = "PUK 12345678"
    job = await late_replies.record(services.cipher, inbound, [TextReply(secret)])
    assert job is not None and secret not in json.dumps(job.payload, ensure_ascii=False)
    await Job.filter(id=job.id).update(run_at=utcnow())
    await Worker(services).run_until_idle()
    sent = [m.body["text"]["content"] for m in wechat_api.messages_to(openid, "custom")]
    assert sent == [secret]
