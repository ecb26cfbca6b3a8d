"""``/wechat``: verification, refusal of bad input, exactly-once, per-user order, slow replies."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest
import xmltodict
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.config import Settings
from bot.messages import Answer, ImageReply, Inbound, TextReply
from bot.sandbox.wechat_api import WeChatApiFake
from bot.wechat.crypto import MessageCrypto, sign
from bot.wechat.simulator import Delivery, WeChatSimulator
from models.users import WeChatUser
from tests.conftest import with_wechat

TOKEN = "certdesk-test-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200 + b"\xff\xd9"


def wechat_settings(
    settings: Settings, fake: WeChatApiFake, *, safe: bool, budget: float = 4.0
) -> Settings:
    return with_wechat(settings, fake, token=TOKEN, aes_key=AES_KEY if safe else "", budget=budget)


def simulator(fake: WeChatApiFake, *, safe: bool) -> WeChatSimulator:
    return WeChatSimulator(
        token=TOKEN, app_id=fake.app_id, encoding_aes_key=AES_KEY if safe else ""
    )


async def post(client: TestClient, delivery: Delivery):  # type: ignore[no-untyped-def,type-arg]
    return await client.post("/wechat", params=delivery.params, data=delivery.body.encode())


def sent(fake: WeChatApiFake, openid: str, msgtype: str) -> list[dict]:  # type: ignore[type-arg]
    """Customer-service messages of one type the fake accepted for ``openid``."""
    return [m.body for m in fake.messages_to(openid, "custom") if m.body["msgtype"] == msgtype]


class Recorder:
    """A dispatcher that records what reached it and answers with a numbered echo."""

    def __init__(self, delay: Callable[[Inbound], float] = lambda _: 0.0) -> None:
        self.seen: list[Inbound] = []
        self.delay = delay
        self.active = 0
        self.max_active = 0

    async def __call__(self, inbound: Inbound) -> Answer:
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        try:
            await asyncio.sleep(self.delay(inbound))
            self.seen.append(inbound)
            return Answer(
                [TextReply(f"收到第 {len(self.seen)} 条：{inbound.text or inbound.kind}")]
            )
        finally:
            self.active -= 1


@pytest.mark.parametrize("safe", [False, True])
async def test_url_verification(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client, safe: bool
) -> None:  # type: ignore[no-untyped-def]
    client = await aiohttp_client(
        create_app(
            wechat_settings(settings, wechat_api, safe=safe),
            run_worker=False,
            dispatcher=Recorder(),
        )
    )
    ts, nonce = str(int(time.time())), "12345"
    params = {
        "signature": sign(TOKEN, ts, nonce),
        "timestamp": ts,
        "nonce": nonce,
        "echostr": "8271635",
    }
    if safe:
        envelope = MessageCrypto(TOKEN, AES_KEY, wechat_api.app_id).encrypt("8271635", ts, nonce)
        echostr = xmltodict.parse(envelope)["xml"]["Encrypt"]
        params.update(echostr=echostr, msg_signature=sign(TOKEN, ts, nonce, echostr))
    response = await client.get("/wechat", params=params)
    assert response.status == 200
    assert await response.text() == "8271635"
    params["nonce"] = "54321"
    assert (await client.get("/wechat", params=params)).status == 403


@pytest.mark.parametrize("safe", [False, True])
async def test_text_message_gets_a_passive_reply(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client, safe: bool
) -> None:  # type: ignore[no-untyped-def]
    recorder = Recorder()
    client = await aiohttp_client(
        create_app(
            wechat_settings(settings, wechat_api, safe=safe), run_worker=False, dispatcher=recorder
        )
    )
    sim = simulator(wechat_api, safe=safe)
    response = await post(client, sim.text("o-user-1", "你好"))
    assert response.status == 200
    reply = sim.open_reply(await response.text())
    assert reply["MsgType"] == "text"
    assert reply["Content"] == "收到第 1 条：你好"
    assert reply["ToUserName"] == "o-user-1"
    assert recorder.seen[0].text == "你好"


async def test_bad_signature_stale_timestamp_and_garbage_are_refused(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    recorder = Recorder()
    client = await aiohttp_client(
        create_app(
            wechat_settings(settings, wechat_api, safe=True), run_worker=False, dispatcher=recorder
        )
    )
    sim = simulator(wechat_api, safe=True)
    good = sim.text("o-user-1", "hi")
    forged = Delivery({**good.params, "signature": "0" * 40}, good.body)
    assert (await post(client, forged)).status == 403
    bad_msg_sig = Delivery({**good.params, "msg_signature": "0" * 40}, good.body)
    assert (await post(client, bad_msg_sig)).status == 403
    stale_sim = simulator(wechat_api, safe=True)
    stale_sim.clock = time.time() - 600
    assert (await post(client, stale_sim.text("o-user-1", "old"))).status == 403
    assert (await post(client, Delivery(good.params, "not xml at all"))).status in (400, 403)
    plain = simulator(wechat_api, safe=False)
    xxe = plain.raw(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        "<xml><FromUserName>&e;</FromUserName><MsgType>text</MsgType></xml>"
    )
    assert (await post(client, xxe)).status == 400
    assert (await post(client, plain.raw("<xml><MsgType>text</MsgType></xml>"))).status == 400
    huge = plain.raw("<xml>" + "x" * 100_000 + "</xml>")
    assert (await post(client, huge)).status == 400
    assert recorder.seen == []


async def test_three_deliveries_of_one_message_are_handled_once(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    recorder = Recorder(delay=lambda _: 0.3)
    client = await aiohttp_client(
        create_app(
            wechat_settings(settings, wechat_api, safe=False), run_worker=False, dispatcher=recorder
        )
    )
    sim = simulator(wechat_api, safe=False)
    delivery = sim.text("o-user-1", "只处理一次")
    responses = await asyncio.gather(*(post(client, delivery) for _ in range(3)))
    bodies = [sim.open_reply(await r.text()) for r in responses]
    assert len(recorder.seen) == 1
    assert all(b.get("Content") == "收到第 1 条：只处理一次" for b in bodies)
    late = await post(client, delivery)  # a retry after the answer was given
    assert sim.open_reply(await late.text()).get("Content") == "收到第 1 条：只处理一次"
    assert len(recorder.seen) == 1


async def test_five_photos_at_once_are_all_recorded_one_at_a_time(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    recorder = Recorder(delay=lambda _: 0.05)
    client = await aiohttp_client(
        create_app(
            wechat_settings(settings, wechat_api, safe=True), run_worker=False, dispatcher=recorder
        )
    )
    sim = simulator(wechat_api, safe=True)
    media = [wechat_api.add_media(JPEG, "image/jpeg") for _ in range(5)]
    responses = await asyncio.gather(*(post(client, sim.image("o-user-1", m)) for m in media))
    assert [r.status for r in responses] == [200] * 5
    assert sorted(i.media_id for i in recorder.seen) == sorted(media)
    assert recorder.max_active == 1


async def test_slow_answer_goes_out_as_a_customer_service_message(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    recorder = Recorder(delay=lambda _: 0.6)
    app = create_app(
        wechat_settings(settings, wechat_api, safe=False, budget=0.3),
        run_worker=False,
        dispatcher=recorder,
    )
    client = await aiohttp_client(app)
    wechat_api.add_user("o-user-1")
    wechat_api.note_user_message("o-user-1")
    sim = simulator(wechat_api, safe=False)
    response = await post(client, sim.text("o-user-1", "慢一点"))
    assert await response.text() == "success"
    for _ in range(100):
        if sent(wechat_api, "o-user-1", "text"):
            break
        await asyncio.sleep(0.02)
    (message,) = sent(wechat_api, "o-user-1", "text")
    assert message["text"]["content"] == "收到第 1 条：慢一点"


async def test_image_reply_is_uploaded_and_extra_replies_follow(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    async def pay_step(inbound: Inbound) -> Answer:
        return Answer([TextReply("请扫码支付"), TextReply("金额 ¥300.00"), ImageReply(data=JPEG)])

    client = await aiohttp_client(
        create_app(
            wechat_settings(settings, wechat_api, safe=False), run_worker=False, dispatcher=pay_step
        )
    )
    wechat_api.add_user("o-user-1")
    wechat_api.note_user_message("o-user-1")
    sim = simulator(wechat_api, safe=False)
    reply = sim.open_reply(await (await post(client, sim.text("o-user-1", "确认"))).text())
    assert reply["Content"] == "请扫码支付\n\n金额 ¥300.00"  # packed into one message
    for _ in range(100):
        if sent(wechat_api, "o-user-1", "image"):
            break
        await asyncio.sleep(0.02)
    assert len(sent(wechat_api, "o-user-1", "image")) == 1


async def test_follow_welcomes_and_unfollow_is_remembered(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    client = await aiohttp_client(
        create_app(wechat_settings(settings, wechat_api, safe=True), run_worker=False)
    )
    sim = simulator(wechat_api, safe=True)
    reply = sim.open_reply(
        await (await post(client, sim.event("o-new", "subscribe", "qrscene_project:sqggzy"))).text()
    )
    assert "欢迎关注" in reply["Content"] and "1. 单位证书新办" in reply["Content"]
    user = await WeChatUser.get(openid="o-new")
    assert user.subscribed and user.last_scene == "project:sqggzy"
    assert await (await post(client, sim.event("o-new", "unsubscribe"))).text() == "success"
    await user.refresh_from_db()
    assert not user.subscribed and user.unsubscribed_at is not None
    voice = sim.open_reply(await (await post(client, sim.voice("o-new"))).text())
    assert "请直接输入文字" in voice["Content"]


async def test_dispatcher_crash_gets_a_polite_answer(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    async def broken(inbound: Inbound) -> Answer:
        raise RuntimeError("bug")

    client = await aiohttp_client(
        create_app(
            wechat_settings(settings, wechat_api, safe=False), run_worker=False, dispatcher=broken
        )
    )
    sim = simulator(wechat_api, safe=False)
    response = await post(client, sim.text("o-user-1", "hi"))
    assert response.status == 200
    assert "内容都已保存" in sim.open_reply(await response.text())["Content"]


async def test_a_message_whose_handler_died_is_handled_by_a_later_retry(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    """A process that crashed mid-message leaves only a short-lived pending mark: a retry that
    finds it waits, sees it expire and handles the message itself, within WeChat's wait."""
    from bot.app import SERVICES
    from bot.wechat import webhook

    recorder = Recorder()
    client = await aiohttp_client(
        create_app(
            wechat_settings(settings, wechat_api, safe=False, budget=2.0),
            run_worker=False,
            dispatcher=recorder,
        )
    )
    sim = simulator(wechat_api, safe=False)
    delivery = sim.text("o-user-1", "崩溃之后")
    store = client.app[SERVICES].store
    # What a crashed process leaves behind: the pending mark, never renewed.
    dedupe = f"wechat:in:msg:{delivery.msg_id}"
    await store.set_if_absent(dedupe, "pending", ttl=0.3)
    reply = sim.open_reply(await (await post(client, delivery)).text())
    assert reply["Content"] == "收到第 1 条：崩溃之后"
    assert len(recorder.seen) == 1
    again = sim.open_reply(await (await post(client, delivery)).text())
    assert again["Content"] == "收到第 1 条：崩溃之后" and len(recorder.seen) == 1
    assert webhook.PENDING_TTL <= 5  # expires before WeChat's next retry (5 s apart)


async def test_what_the_handlers_will_read_comes_with_the_users_lock(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    """The order chosen for corrections in order query (review's key, written only by the
    user's own messages) reaches the dispatcher as read with the user's lock; events read
    nothing ahead."""
    from bot.app import SERVICES
    from handlers import review

    recorder = Recorder()
    app = create_app(
        wechat_settings(settings, wechat_api, safe=True), run_worker=False, dispatcher=recorder
    )
    client = await aiohttp_client(app)
    sim = simulator(wechat_api, safe=True)
    text = sim.text("o-user-9", "第一条")
    user = Inbound(openid="o-user-9", kind="text", create_time=0)
    await app[SERVICES].store.set(review.fixing_key(user), "CD20261203000001")
    assert (await post(client, text)).status == 200
    assert (await post(client, sim.event("o-user-9", "CLICK", "org"))).status == 200
    first, click = recorder.seen
    assert first.read_ahead == {review.fixing_key(first): b"CD20261203000001"}
    assert click.read_ahead == {}
