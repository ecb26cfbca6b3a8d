"""The async WeChat API client against the local fake of api.weixin.qq.com."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.sandbox.wechat_api import WeChatApiFake
from bot.store import MemoryStore, Store, create_store
from bot.wechat.client import WeChatAPIError, WeChatClient, WeChatUnavailable
from tests.conftest import REDIS_URL

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200 + b"\xff\xd9"


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def client_for(
    fake: WeChatApiFake, store: Store, http: aiohttp.ClientSession, **kwargs: object
) -> WeChatClient:
    return WeChatClient(
        fake.app_id,
        fake.app_secret,
        store=store,
        http=http,
        base_url=fake.base_url,
        retry_delay=0.01,
        **kwargs,
    )  # type: ignore[arg-type]


async def test_token_is_fetched_once_and_reused(
    wechat_api: WeChatApiFake, http: aiohttp.ClientSession
) -> None:
    client = client_for(wechat_api, MemoryStore(), http)
    wechat_api.add_user("o-user-1")
    first = await client.access_token()
    await client.user_info("o-user-1")
    await client.user_info("o-user-1")
    assert await client.access_token() == first
    assert wechat_api.issued_token_count == 1
    assert wechat_api.calls("/cgi-bin/stable_token")


async def test_expired_token_refreshes_once_and_retries_once(
    wechat_api: WeChatApiFake, http: aiohttp.ClientSession
) -> None:
    client = client_for(wechat_api, MemoryStore(), http)
    wechat_api.add_user("o-user-1")
    await client.user_info("o-user-1")
    wechat_api.revoke_tokens()
    info = await client.user_info("o-user-1")
    assert info["openid"] == "o-user-1"
    assert wechat_api.issued_token_count == 2
    assert len(wechat_api.calls("/cgi-bin/user/info")) == 3  # ok, 40001, retried ok


async def test_two_processes_share_one_token_through_redis(
    wechat_api: WeChatApiFake, http: aiohttp.ClientSession, redis_prefix: str
) -> None:
    stores = [create_store(REDIS_URL, prefix=redis_prefix) for _ in range(2)]
    try:
        clients = [client_for(wechat_api, store, http) for store in stores]
        tokens = await asyncio.gather(*(c.access_token() for c in clients for _ in range(5)))
        assert len(set(tokens)) == 1
        assert wechat_api.issued_token_count == 1
        # One process sees the token refused: both move to the new one, fetched once.
        wechat_api.revoke_tokens()
        new = await asyncio.gather(*(c.access_token(invalid=tokens[0]) for c in clients))
        assert new[0] == new[1] != tokens[0]
        assert wechat_api.issued_token_count == 2
    finally:
        for store in stores:
            await store.close()


async def test_media_round_trip_and_expired_media(
    wechat_api: WeChatApiFake, http: aiohttp.ClientSession
) -> None:
    client = client_for(wechat_api, MemoryStore(), http)
    media_id = wechat_api.add_media(JPEG, "image/jpeg")
    media = await client.download_media(media_id)
    assert media.data == JPEG
    assert media.content_type == "image/jpeg"
    with pytest.raises(WeChatAPIError) as info:
        await client.download_media("no-such-media")
    assert info.value.errcode == 40007
    uploaded = await client.upload_image(JPEG)
    assert wechat_api.media(uploaded) is not None


async def test_server_errors_are_retried_a_bounded_number_of_times(
    wechat_api: WeChatApiFake, http: aiohttp.ClientSession
) -> None:
    client = client_for(wechat_api, MemoryStore(), http, retries=2)
    wechat_api.add_user("o-user-1")
    await client.access_token()
    wechat_api.faults.fail_next("/cgi-bin/user/info", times=2, status=502)
    assert (await client.user_info("o-user-1"))["openid"] == "o-user-1"
    wechat_api.faults.fail_next("/cgi-bin/user/info", times=5, status=503)
    with pytest.raises(WeChatUnavailable):
        await client.user_info("o-user-1")
    assert len(wechat_api.calls("/cgi-bin/user/info")) == 3 + 3


async def test_unreachable_wechat_is_a_typed_error(http: aiohttp.ClientSession) -> None:
    client = WeChatClient(
        "wx",
        "secret",
        store=MemoryStore(),
        http=http,
        base_url="http://127.0.0.1:1",
        retries=1,
        retry_delay=0.01,
    )
    with pytest.raises(WeChatUnavailable, match="cannot connect"):
        await client.access_token()


async def test_customer_service_quota_errors_surface(
    wechat_api: WeChatApiFake, http: aiohttp.ClientSession
) -> None:
    client = client_for(wechat_api, MemoryStore(), http)
    wechat_api.add_user("o-user-1")
    with pytest.raises(WeChatAPIError) as info:
        await client.send_text("o-user-1", "你好")
    assert info.value.errcode == 45015  # no user message yet
    wechat_api.note_user_message("o-user-1")
    for i in range(5):
        await client.send_text("o-user-1", f"第 {i + 1} 条")
    with pytest.raises(WeChatAPIError) as info:
        await client.send_text("o-user-1", "第 6 条")
    assert info.value.errcode == 45047
    texts = [m.body["text"]["content"] for m in wechat_api.messages_to("o-user-1", "custom")]
    assert texts[0] == "第 1 条"


async def test_template_qrcode_menu_and_login(
    wechat_api: WeChatApiFake, http: aiohttp.ClientSession
) -> None:
    client = client_for(wechat_api, MemoryStore(), http)
    wechat_api.add_user("o-user-1")
    msgid = await client.send_template(
        "o-user-1", "tpl-review", {"thing1": "审核通过"}, url="https://ca.example/orders/1"
    )
    assert msgid > 0
    qr = await client.create_qrcode("pair:abc123", expire_seconds=600)
    assert qr["ticket"] and qr["expire_seconds"] == 600
    await client.create_menu({"button": [{"type": "click", "name": "订单查询", "key": "query"}]})
    assert wechat_api.menu is not None
    mp = WeChatClient(
        wechat_api.mp_app_id,
        wechat_api.mp_app_secret,
        store=MemoryStore(),
        http=http,
        base_url=wechat_api.base_url,
    )
    code = wechat_api.issue_login_code("o-mp-1", unionid="u-1")
    session = await mp.code_to_session(code)
    assert session["openid"] == "o-mp-1" and session["unionid"] == "u-1"
    with pytest.raises(WeChatAPIError) as info:
        await mp.code_to_session(code)  # single use
    assert info.value.errcode in {40029, 40163}


async def test_menu_sync_publishes_the_five_services(wechat_api: WeChatApiFake) -> None:
    from bot.secrets_box import generate_key
    from tests.conftest import run_certdesk

    key = generate_key()
    env = {
        "CERTDESK_WECHAT_APP_ID": wechat_api.app_id,
        "CERTDESK_WECHAT_APP_SECRET": wechat_api.app_secret,
        "CERTDESK_WECHAT_API_BASE_URL": wechat_api.base_url,
        "CERTDESK_SECURITY_DATA_KEYS": key,
        "CERTDESK_SECURITY_LOOKUP_KEY": key,
    }
    result = await asyncio.to_thread(run_certdesk, "menu", "sync", env=env)
    assert result.returncode == 0, result.stderr
    keys = [
        sub["key"]
        for button in wechat_api.menu["button"]
        for sub in button.get("sub_button", [button])
    ]
    assert keys == ["org", "personal", "renew", "unlock", "query"]
    wrong = {**env, "CERTDESK_WECHAT_APP_SECRET": "wrong"}
    failed = await asyncio.to_thread(run_certdesk, "menu", "sync", env=wrong)
    assert failed.returncode == 1
    assert "WeChat refused" in failed.stderr
