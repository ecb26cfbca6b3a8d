"""The mini-program API: login through jscode2session, schemas from the flow declarations,
whole-form submission with per-field errors, on the same drafts and validators as the chat."""

from __future__ import annotations

import dataclasses

from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.config import Settings
from bot.sandbox.wechat_api import WeChatApiFake
from handlers.demo_script import ORG_APPLICATION, PERSONAL_APPLICATION
from tests.conftest import with_wechat

API = "/api/mp/v1"


async def mp_client(settings: Settings, fake: WeChatApiFake, aiohttp_client) -> TestClient:  # type: ignore[no-untyped-def,type-arg]
    configured = dataclasses.replace(
        with_wechat(settings, fake, token="t"),
        miniprogram=dataclasses.replace(
            settings.miniprogram, app_id=fake.mp_app_id, app_secret=fake.mp_app_secret
        ),
        prices={"org_1": 30000, "org_2": 55000, "personal_1": 15000},
    )
    return await aiohttp_client(create_app(configured, run_worker=False))


async def login(client: TestClient, fake: WeChatApiFake, openid: str) -> dict[str, str]:  # type: ignore[type-arg]
    response = await client.post(f"{API}/login", json={"code": fake.issue_login_code(openid)})
    assert response.status == 200
    return {"Authorization": "Bearer " + (await response.json())["token"]}


async def test_login_and_sessions(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    client = await mp_client(settings, wechat_api, aiohttp_client)
    bad = await client.post(f"{API}/login", json={"code": "not-issued"})
    assert bad.status == 401
    assert (await bad.json())["message"] == "微信登录失败，请稍后重试。"
    assert (await client.post(f"{API}/login", data=b"{oops")).status == 400
    assert (await client.get(f"{API}/draft")).status == 401
    forged = {"Authorization": "Bearer made-up-token"}
    assert (await client.get(f"{API}/draft", headers=forged)).status == 401
    headers = await login(client, wechat_api, "o-mp-1")
    assert (await client.get(f"{API}/draft", headers=headers)).status == 404  # no draft yet


async def test_schema_is_the_chat_flow(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    client = await mp_client(settings, wechat_api, aiohttp_client)
    services = (await (await client.get(f"{API}/services")).json())["services"]
    assert [s["key"] for s in services] == ["org", "personal", "renew", "unlock", "query"]
    assert [s["available"] for s in services] == [True, True, False, False, False]
    schema = await (await client.get(f"{API}/flows/org/schema")).json()
    steps = {step["key"]: step for step in schema["steps"]}
    assert steps["auth_method"]["choices"][0] == {
        "value": "bank_transfer",
        "label": "对公账户打款",
        "note": "证书密码在对公账户收到的 0.01 元打款附言中",
    }
    assert steps["bank_account"]["when"] == {"field": "auth_method", "equals": "bank_transfer"}
    assert steps["bank_account"]["sensitive"] is True
    assert steps["invoice_title"]["editable"] is False
    choices = steps["years"]["choices"]
    assert [(c["label"], c["note"]) for c in choices] == [("1 年", "¥300.00"), ("2 年", "¥550.00")]
    assert (await client.get(f"{API}/flows/nope/schema")).status == 404


async def test_whole_form_with_per_field_errors(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    client = await mp_client(settings, wechat_api, aiohttp_client)
    headers = await login(client, wechat_api, "o-mp-2")
    opened = await client.post(f"{API}/flows/org/draft", headers=headers)
    assert opened.status == 200
    assert (await opened.json())["draft"]["next_step"] == "auth_method"
    fields = {
        "auth_method": "bank_transfer",
        "org_name": "北京数字认证测试单位",
        "uscc": "91110000600037341X",  # wrong check character
        "legal_phone": "13800138000",
        "legal_id_type": "id_card",
        "legal_id_number": "11010519491231002X",
        "handler_email": "not-an-email",
        "nonsense": "x",
    }
    response = await client.patch(f"{API}/draft", json={"fields": fields}, headers=headers)
    assert response.status == 200
    body = await response.json()
    assert set(body["errors"]) == {"uscc", "handler_email", "nonsense"}
    assert "校验码" in body["errors"]["uscc"]
    answers = body["draft"]["answers"]
    assert answers["org_name"] == "北京数字认证测试单位"  # valid fields are kept
    assert answers["legal_id_number"] == "110***********002X"  # masked like the chat echo
    assert answers["auth_method"] == "对公账户打款"
    fixed = await client.patch(
        f"{API}/draft", json={"fields": {"uscc": "91110000600037341L"}}, headers=headers
    )
    assert (await fixed.json())["errors"] == {}
    not_asked = await client.patch(
        f"{API}/draft",
        headers=headers,
        json={"fields": {"auth_method": "legal_phone", "bank_account": "6222020200112233445"}},
    )
    assert "不需要填写" in (await not_asked.json())["errors"]["bank_account"]
    for bad in ({"fields": {"org_name": 5}}, {"fields": "x"}, [1, 2]):
        assert (await client.patch(f"{API}/draft", json=bad, headers=headers)).status == 400


async def test_same_validators_as_chat(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    """Every scripted chat answer is accepted by the form too (by label → key)."""
    client = await mp_client(settings, wechat_api, aiohttp_client)
    headers = await login(client, wechat_api, "o-mp-3")
    await client.post(f"{API}/flows/org/draft", headers=headers)
    schema = await (await client.get(f"{API}/flows/org/schema")).json()
    key_of = {step["label"]: step["key"] for step in schema["steps"]}
    fields = {key_of[label]: value for label, value in ORG_APPLICATION}
    body = await (
        await client.patch(f"{API}/draft", json={"fields": fields}, headers=headers)
    ).json()
    assert body["errors"] == {}
    assert body["draft"]["next_step"] == "confirmed"
    assert body["draft"]["answers"]["mail_city"] == "商丘市"


def jpeg(width: int = 1200, height: int = 900) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (90, 120, 150)).save(buffer, "JPEG")
    return buffer.getvalue()


async def upload(client: TestClient, headers: dict[str, str], slot: str, data: bytes):  # type: ignore[no-untyped-def,type-arg]
    import aiohttp

    form = aiohttp.FormData()
    form.add_field("file", data, filename="photo.jpg", content_type="image/jpeg")
    return await client.post(f"{API}/draft/materials/{slot}", data=form, headers=headers)


async def test_whole_application_in_the_mini_program(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    from bot.app import SERVICES
    from models.orders import Order, OrderStatus

    client = await mp_client(settings, wechat_api, aiohttp_client)
    headers = await login(client, wechat_api, "o-mp-4")
    await client.post(f"{API}/flows/org/draft", headers=headers)
    early = await upload(client, headers, "license_photo", jpeg())
    assert early.status == 422 and "请先完成前面的步骤" in (await early.json())["message"]
    schema = await (await client.get(f"{API}/flows/org/schema")).json()
    key_of = {step["label"]: step["key"] for step in schema["steps"]}
    fields = {key_of[label]: value for label, value in ORG_APPLICATION}
    fields["confirmed"] = "确认订单"
    body = await (
        await client.patch(f"{API}/draft", json={"fields": fields}, headers=headers)
    ).json()
    assert body["errors"] == {} and body["draft"]["next_step"] == "license_photo"
    small = await upload(client, headers, "handler_id_photo", jpeg(200, 150))
    assert small.status == 422 and "照片太小" in (await small.json())["message"]
    garbage = await upload(client, headers, "legal_id_photo", b"%PDF-1.4 not a photo")
    assert garbage.status == 422 and "不是照片" in (await garbage.json())["message"]
    for slot in ("legal_id_photo", "authorization_photo", "handler_id_photo", "license_photo"):
        response = await upload(client, headers, slot, jpeg())  # any order
        assert response.status == 200, await response.text()
    sent = await (await client.post(f"{API}/draft/sms", headers=headers)).json()
    assert "验证码已发送至 139****2222" in sent["message"]
    wrong = await client.post(f"{API}/draft/submit", json={"code": "000000"}, headers=headers)
    assert wrong.status == 422 and "还可以再试" in (await wrong.json())["message"]
    code = client.app[SERVICES].sms.outbox[-1].params[0]
    done = await client.post(f"{API}/draft/submit", json={"code": code}, headers=headers)
    assert done.status == 200
    assert "订单已提交" in (await done.json())["message"]
    order = await Order.get(owner_openid="o-mp-4")
    assert order.status == OrderStatus.SUBMITTED and order.amount_fen == 55000


async def test_personal_application_in_the_mini_program_with_sms_limits(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    from bot.app import SERVICES
    from models.orders import Order, OrderStatus

    client = await mp_client(settings, wechat_api, aiohttp_client)
    headers = await login(client, wechat_api, "o-mp-5")
    opened = await (await client.post(f"{API}/flows/personal/draft", headers=headers)).json()
    assert opened["draft"]["flow"] == "personal" and opened["draft"]["next_step"] == "user_name"
    schema = await (await client.get(f"{API}/flows/personal/schema")).json()
    key_of = {step["label"]: step["key"] for step in schema["steps"]}
    fields = {key_of[label]: value for label, value in PERSONAL_APPLICATION}
    fields["confirmed"] = "确认订单"
    body = await (
        await client.patch(f"{API}/draft", json={"fields": fields}, headers=headers)
    ).json()
    assert body["errors"] == {}
    assert body["draft"]["answers"]["id_number"] == "360***********0071"  # masked
    assert body["draft"]["amount"] == "¥150.00"
    uploads = [s["key"] for s in schema["steps"] if s["kind"] == "upload"]
    for slot in uploads:
        assert (await upload(client, headers, slot, jpeg())).status == 200
    first = await (await client.post(f"{API}/draft/sms", headers=headers)).json()
    assert "验证码已发送至 139****1111" in first["message"]
    again = await (await client.post(f"{API}/draft/sms", headers=headers)).json()
    assert "验证码发送太频繁" in again["message"]  # the same limits as in chat
    outbox = client.app[SERVICES].sms.outbox
    assert len(outbox) == 1
    for _ in range(5):
        wrong = await client.post(f"{API}/draft/submit", json={"code": "000000"}, headers=headers)
        assert wrong.status == 422
    spent = await client.post(
        f"{API}/draft/submit", json={"code": outbox[-1].params[0]}, headers=headers
    )
    assert spent.status == 422  # five wrong tries void the code
    assert "重新获取" in (await spent.json())["message"]
    assert (await Order.get(owner_openid="o-mp-5")).status == OrderStatus.DRAFT


async def test_a_draft_follows_the_user_across_channels(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    """Start in the official account's chat, finish in the mini-program (shared UnionID)."""
    from bot.wechat.simulator import WeChatSimulator

    client = await mp_client(settings, wechat_api, aiohttp_client)
    wechat_api.add_user("o-oa-9", unionid="u-9")
    sim = WeChatSimulator(token="t", app_id=wechat_api.app_id)

    async def chat(delivery) -> str:  # type: ignore[no-untyped-def]
        wechat_api.note_user_message("o-oa-9")
        response = await client.post("/wechat", params=delivery.params, data=delivery.body.encode())
        return sim.open_reply(await response.text()).get("Content", "")

    assert "欢迎关注" in await chat(sim.event("o-oa-9", "subscribe"))
    await chat(sim.event("o-oa-9", "CLICK", "org", create_time=sim.now() + 1))
    await chat(sim.text("o-oa-9", "1"))
    await chat(sim.text("o-oa-9", "北京数字认证测试单位"))
    code = wechat_api.issue_login_code("o-mp-9", unionid="u-9")
    token = (await (await client.post(f"{API}/login", json={"code": code})).json())["token"]
    headers = {"Authorization": "Bearer " + token}
    draft = (await (await client.get(f"{API}/draft", headers=headers)).json())["draft"]
    assert draft["answers"]["org_name"] == "北京数字认证测试单位"
    assert draft["next_step"] == "uscc"
    body = await (
        await client.patch(
            f"{API}/draft", json={"fields": {"uscc": "91110000600037341L"}}, headers=headers
        )
    ).json()
    assert body["errors"] == {}
    back_in_chat = await chat(sim.text("o-oa-9", "进度"))
    assert "已填写 3/" in back_in_chat  # the chat sees what the mini-program added
