"""The organisation and personal applications, driven end to end through the signed, encrypted
webhook as a WeChat user would, against the local WeChat fake and the console SMS provider.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient

from bot.app import SERVICES, create_app
from bot.config import Settings
from bot.sandbox.wechat_api import WeChatApiFake
from bot.sms import ConsoleSms
from bot.wechat.simulator import WeChatSimulator
from handlers.demo_script import ORG_APPLICATION, PERSONAL_APPLICATION
from models.materials import Material
from models.orders import Conversation, Order, OrderStatus
from tests.conftest import with_wechat
from tests.photos import document_photo

TOKEN = "flow-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
PRICES = {"org_1": 30000, "org_2": 55000, "personal_1": 15000}


def photo(width: int = 1200, height: int = 900) -> bytes:
    return document_photo(width, height)


def flow_settings(settings: Settings, fake: WeChatApiFake) -> Settings:
    return dataclasses.replace(
        with_wechat(settings, fake, token=TOKEN, aes_key=AES_KEY),
        service=dataclasses.replace(settings.service, phone="010-58515511"),
        prices=PRICES,
    )


class Chat:
    """One simulated applicant talking to the official account."""

    def __init__(self, client: TestClient, fake: WeChatApiFake, openid: str) -> None:  # type: ignore[type-arg]
        self.client, self.fake, self.openid = client, fake, openid
        self.sim = WeChatSimulator(token=TOKEN, app_id=fake.app_id, encoding_aes_key=AES_KEY)
        self.clicks = 0
        fake.add_user(openid)

    async def _post(self, delivery) -> str:  # type: ignore[no-untyped-def]
        response = await self.client.post(
            "/wechat", params=delivery.params, data=delivery.body.encode()
        )
        assert response.status == 200
        return self.sim.open_reply(await response.text()).get("Content", "")

    async def say(self, text: str) -> str:
        self.fake.note_user_message(self.openid)
        return await self._post(self.sim.text(self.openid, text))

    async def click(self, key: str) -> str:
        # Events are de-duplicated by user + CreateTime (WeChat's rule): one click a second.
        self.clicks += 1
        created = self.sim.now() + self.clicks
        return await self._post(self.sim.event(self.openid, "CLICK", key, create_time=created))

    async def send_photo(self, data: bytes | None = None) -> str:
        media_id = self.fake.add_media(data or photo(), "image/jpeg")
        return await self._post(self.sim.image(self.openid, media_id))

    def last_code(self) -> str:
        sms = self.client.app[SERVICES].sms
        assert isinstance(sms, ConsoleSms)
        return sms.outbox[-1].params[0]


ORG_ANSWERS = ORG_APPLICATION


async def client_for(settings: Settings, fake: WeChatApiFake, aiohttp_client) -> TestClient:  # type: ignore[no-untyped-def,type-arg]
    return await aiohttp_client(create_app(flow_settings(settings, fake), run_worker=False))


async def fill(chat: Chat, answers: list[tuple[str, str]]) -> str:
    reply = ""
    for label, value in answers:
        reply = await chat.say(value)
        assert "❌" not in reply, (label, value, reply)
    return reply


async def test_organisation_application_end_to_end(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    client = await client_for(settings, wechat_api, aiohttp_client)
    chat = Chat(client, wechat_api, "o-org-1")
    first = await chat.click("org")
    assert "第 1/" in first and "认证方式" in first and "回复序号 1 或 2 或 3" in first
    summary = await fill(chat, ORG_ANSWERS)
    assert "请核对以下填写内容" in summary
    assert "110***********002X" in summary and "11010519491231002X" not in summary
    assert "138****8000" in summary and "13800138000" not in summary
    assert "发票抬头：北京数字认证测试单位" in summary
    assert "纳税人识别号：91110000600037341L" in summary
    assert "邮寄城市：商丘市" in summary
    upload = await chat.say("确认订单")
    assert "营业执照" in upload and "发送照片" in upload
    for _ in range(3):
        assert "❌" not in await chat.send_photo()
    sms_prompt = await chat.send_photo()
    assert "验证码已发送至 139****2222" in sms_prompt
    wrong = await chat.say("000000")
    assert "验证码不正确，还可以再试" in wrong
    done = await chat.say(chat.last_code())
    assert "订单已提交" in done and "¥550.00" in done
    order = await Order.get(owner_openid="o-org-1")
    assert order.status == OrderStatus.SUBMITTED
    assert order.amount_fen == 55000
    assert order.consent_version and order.consent_at is not None
    stored = str(order.answers)
    for secret in ("11010519491231002X", "13800138000", "02000045090000123456", "13911112222"):
        assert secret not in stored
    assert await Material.filter(order=order).count() == 4


async def test_wrong_answers_are_explained_and_nothing_is_lost(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    client = await client_for(settings, wechat_api, aiohttp_client)
    chat = Chat(client, wechat_api, "o-org-2")
    await chat.click("org")
    assert "回复序号" in await chat.say("9")
    await fill(chat, ORG_ANSWERS[:2])
    bad = await chat.say("91110000600037341X")
    assert "❌" in bad and "校验码" in bad and "第 3/" in bad and "统一社会信用代码" in bad
    await chat.say("91110000600037341L")
    progress = await chat.say("进度")
    assert "已填写 3/" in progress and "部门" in progress
    back = await chat.say("上一步")
    assert "统一社会信用代码" in back
    await chat.say("91110000600037341L")
    help_text = await chat.say("帮助")
    assert "部门" in help_text and "“上一步”" in help_text and "“取消”" in help_text
    photo_instead = await chat.send_photo()
    assert "这一步需要输入文字" in photo_instead


async def test_edit_from_summary_and_conditional_fields(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    client = await client_for(settings, wechat_api, aiohttp_client)
    chat = Chat(client, wechat_api, "o-org-3")
    await chat.click("org")
    summary = await fill(chat, ORG_ANSWERS)
    number = re.search(r"(\d+)\. 认证方式", summary)
    assert number is not None
    edit = await chat.say(f"修改 {number.group(1)}")
    assert "请选择企业身份认证方式" in edit
    summary = await chat.say("2")  # 法人手机号: no bank fields any more
    assert "请核对以下填写内容" in summary
    assert "开户行名称" not in summary and "认证方式：法人手机号" in summary
    edit = await chat.say("修改 单位名称")
    assert "请输入单位名称" in edit
    summary = await chat.say("北京新名称有限公司")
    assert "发票抬头：北京新名称有限公司" in summary


async def test_cancel_and_resume(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    client = await client_for(settings, wechat_api, aiohttp_client)
    chat = Chat(client, wechat_api, "o-org-4")
    await chat.click("org")
    await fill(chat, ORG_ANSWERS[:3])
    offer = await chat.click("org")
    assert "未完成的单位证书申请" in offer and "已填写 3/" in offer
    resumed = await chat.say("1")
    assert "部门" in resumed
    ask = await chat.say("取消")
    assert "确定要取消" in ask
    kept = await chat.say("2")
    assert "继续填写" in kept and "部门" in kept
    await chat.say("取消")
    assert "已取消" in await chat.say("1")
    assert (await Order.get(owner_openid="o-org-4")).status == OrderStatus.CANCELLED
    menu = await chat.say("你好")
    assert "请选择要办理的业务" in menu


async def test_returning_after_days_is_offered_continue_or_restart(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    client = await client_for(settings, wechat_api, aiohttp_client)
    for openid, choice in (("o-back-1", "1"), ("o-back-2", "2")):
        chat = Chat(client, wechat_api, openid)
        await chat.click("org")
        await fill(chat, ORG_ANSWERS[:4])
        three_days_ago = datetime.now(UTC) - timedelta(days=3)
        await Conversation.filter(openid=openid).update(updated_at=three_days_ago)
        offer = await chat.say("你好")
        assert "欢迎回来" in offer and "已填写 4/" in offer and "重新开始" in offer
        reply = await chat.say(choice)
        draft = await Order.filter(owner_openid=openid, status=OrderStatus.DRAFT).get()
        if choice == "1":  # continue: the next question, nothing lost
            assert "单位电话" in reply and "第 5/" in reply
            assert len(draft.answers) == 4
        else:  # restart: a fresh draft from the first question
            assert "认证方式" in reply and "第 1/" in reply
            assert draft.answers == {}
            assert "单位名称" in await chat.say("1")
    recent = Chat(client, wechat_api, "o-back-3")
    await recent.click("org")
    await fill(recent, ORG_ANSWERS[:2])
    assert "部门" in await recent.say("91110000600037341L")  # an hour's pause is no return


async def test_restart_loses_nothing(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    first = await client_for(settings, wechat_api, aiohttp_client)
    chat = Chat(first, wechat_api, "o-org-5")
    await chat.click("org")
    await fill(chat, ORG_ANSWERS[:6])
    await first.close()  # the server goes away between two messages
    second = await client_for(settings, wechat_api, aiohttp_client)
    chat.client = second
    reply = await chat.say("张三")
    assert "法人手机号" in reply and "第 7/" in reply


async def test_personal_application_end_to_end(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    client = await client_for(settings, wechat_api, aiohttp_client)
    chat = Chat(client, wechat_api, "o-person-1")
    assert "用户名" in await chat.say("2")
    summary = await fill(chat, PERSONAL_APPLICATION)
    assert "发票抬头：王小明" in summary and "360***********0071" in summary
    await chat.say("1")
    assert "个人签章" in await chat.send_photo()
    assert "验证码已发送至 139****1111" in await chat.send_photo()
    resent = await chat.say("重发")
    assert "验证码发送太频繁" in resent
    done = await chat.say(chat.last_code())
    assert "订单已提交" in done and "¥150.00" in done


@pytest.mark.parametrize("bad", [b"not an image at all", None])
async def test_bad_photos_are_refused_with_a_reason(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client, bad: bytes | None
) -> None:  # type: ignore[no-untyped-def]
    client = await client_for(settings, wechat_api, aiohttp_client)
    chat = Chat(client, wechat_api, "o-person-2")
    await chat.say("2")
    await fill(
        chat,
        [
            ("", "王小明"),
            ("", "跳过"),
            ("", "跳过"),
            ("", "1"),
            ("", "360426199101010071"),
            ("", "13900001111"),
            ("", "北京"),
            ("", "北京"),
            ("", "海淀区北四环西路 68 号"),
            ("", "wang@example.com"),
            ("", "1"),
            ("", "默认"),
            ("", "跳过"),
            ("", "跳过"),
            ("", "跳过"),
            ("", "1"),
            ("", "1"),
        ],
    )
    data = bad if bad is not None else photo(200, 150)
    media_id = wechat_api.add_media(data, "image/jpeg") if bad is None else None
    if media_id is None:
        reply = await chat._post(chat.sim.image(chat.openid, "expired-media-id"))
        assert "已过期" in reply
    else:
        reply = await chat._post(chat.sim.image(chat.openid, media_id))
        assert "照片太小" in reply
    assert "身份证" in reply  # the same question again


async def test_project_from_the_qr_code_names_the_order(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    from bot.config import ProjectSettings

    projects = [
        ProjectSettings(
            code="sqggzy",
            name="商丘市公共资源交易中心",
            agreement_version="sq-2026-10",
            prices={"org_2": 50000},
        ),
        ProjectSettings(code="bjggzy", name="北京市公共资源交易中心"),
    ]
    configured = dataclasses.replace(flow_settings(settings, wechat_api), projects=projects)
    client = await aiohttp_client(create_app(configured, run_worker=False))
    scanned = Chat(client, wechat_api, "o-proj-1")
    await scanned._post(scanned.sim.event("o-proj-1", "subscribe", "qrscene_project:sqggzy"))
    first = await scanned.click("org")
    assert "认证方式" in first and "第 2/" in first  # the project is already known
    summary = await fill(scanned, ORG_ANSWERS)
    assert "数字证书来源：商丘市公共资源交易中心" in summary
    assert "应付金额：¥500.00" in summary  # the project's own price for 2 years
    chooser = Chat(client, wechat_api, "o-proj-2")
    ask = await chooser.click("org")
    assert "数字证书来源" in ask and "1. 商丘市公共资源交易中心" in ask
    assert "认证方式" in await chooser.say("2")
    order = await Order.get(owner_openid="o-proj-1")
    assert order.project == "sqggzy"
    assert order.consent_version == "sq-2026-10"
    other = await Order.get(owner_openid="o-proj-2")
    assert other.consent_version is None  # not reached yet


async def test_a_project_can_require_an_extra_photo(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    from bot.config import ProjectMaterial, ProjectSettings

    bid = ProjectMaterial(
        "bid_authorization", "投标授权书", "请发送加盖公章的投标授权书照片。", ["org"]
    )
    projects = [
        ProjectSettings(code="sqggzy", name="商丘市公共资源交易中心", materials=[bid]),
        ProjectSettings(code="bjggzy", name="北京市公共资源交易中心"),
    ]
    configured = dataclasses.replace(flow_settings(settings, wechat_api), projects=projects)
    client = await aiohttp_client(create_app(configured, run_worker=False))
    for openid, project, asked, phone in (
        ("o-mat-1", "1", True, "13911112222"),
        ("o-mat-2", "2", False, "13911113333"),
    ):
        chat = Chat(client, wechat_api, openid)
        await chat.click("org")
        await chat.say(project)
        answers = [(k, phone if k == "经办人手机号" else v) for k, v in ORG_ANSWERS]
        await fill(chat, answers)
        await chat.say("确认订单")
        for _ in range(3):
            await chat.send_photo()
        after_standard = await chat.send_photo()
        assert ("投标授权书" in after_standard) is asked, openid
        if asked:
            assert "验证码已发送" in await chat.send_photo()
        assert "订单已提交" in await chat.say(chat.last_code())
    order = await Order.get(owner_openid="o-mat-1")
    assert "p_sqggzy_bid_authorization" in order.answers
    assert await Material.filter(order=order).count() == 5


async def test_years_show_the_price_of_the_project_chosen(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    from bot.config import ProjectSettings

    projects = [
        ProjectSettings(code="sqggzy", name="商丘市公共资源交易中心", prices={"org_2": 50000}),
        ProjectSettings(code="bjggzy", name="北京市公共资源交易中心"),
    ]
    configured = dataclasses.replace(flow_settings(settings, wechat_api), projects=projects)
    client = await aiohttp_client(create_app(configured, run_worker=False))
    for openid, project, two_years in (("o-yr-1", "1", "¥500.00"), ("o-yr-2", "2", "¥550.00")):
        chat = Chat(client, wechat_api, openid)
        await chat.click("org")
        await chat.say(project)
        prompt = ""
        for label, value in ORG_ANSWERS:
            if label == "证书有效期":
                break
            prompt = await chat.say(value)
        assert "证书有效期" in prompt and f"2 年（{two_years}）" in prompt, project


async def test_asking_for_a_human_transfers_to_customer_service(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    client = await client_for(settings, wechat_api, aiohttp_client)
    chat = Chat(client, wechat_api, "o-human-1")
    for when in ("without a draft", "in a draft"):
        chat.fake.note_user_message(chat.openid)
        delivery = chat.sim.text(chat.openid, "人工")
        response = await client.post("/wechat", params=delivery.params, data=delivery.body.encode())
        reply = chat.sim.open_reply(await response.text())
        assert reply["MsgType"] == "transfer_customer_service", when
        await chat.click("org")


async def test_answers_that_look_like_verbs_are_answers(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    client = await client_for(settings, wechat_api, aiohttp_client)
    chat = Chat(client, wechat_api, "o-org-verbs")
    await chat.click("org")
    await chat.say("1")
    reply = await chat.say("改革开放科技有限公司")
    assert "统一社会信用代码" in reply and "❌" not in reply
    reply = await chat.say("修改 单位名称")
    assert "请输入单位名称" in reply
    summary_or_next = await chat.say("修改科技有限公司")  # a name, not a verb
    assert "❌" not in summary_or_next and "统一社会信用代码" in summary_or_next
