"""Material photos end to end: sent in chat (fetched by MediaId from the WeChat fake) and
uploaded by the mini-program, normalised, checked and stored.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import io
import threading
from pathlib import Path

import aiohttp
from aiohttp.test_utils import TestClient
from PIL import Image

from bot.config import Settings
from bot.messages import Inbound
from bot.sandbox.wechat_api import WeChatApiFake
from bot.services import build_services
from bot.uploads import IMAGE_WORKERS, prepare_photo
from handlers.applications import prefetch_photo
from handlers.demo_script import ORG_APPLICATION
from models.materials import Material
from models.orders import Order
from tests.conftest import with_wechat
from tests.photos import document_image, document_photo, encode, heic, phone_photo
from tests.test_application_flows import Chat, client_for, fill
from tests.test_mp_api import API, login, mp_client

SLOTS = ("license_photo", "legal_id_photo", "authorization_photo", "handler_id_photo")


async def at_the_photos(settings: Settings, fake: WeChatApiFake, aiohttp_client, openid: str):  # type: ignore[no-untyped-def]
    client = await client_for(settings, fake, aiohttp_client)
    chat = Chat(client, fake, openid)
    await chat.click("org")
    await fill(chat, ORG_APPLICATION)
    assert "营业执照" in await chat.say("确认订单")
    return client, chat


async def materials(openid: str) -> list[Material]:
    order = await Order.get(owner_openid=openid)
    return await Material.filter(order=order).order_by("id")


def stored_file(settings: Settings, material: Material) -> bytes:
    path = Path(settings.storage.path) / material.path
    assert path.resolve().is_relative_to(Path(settings.storage.path).resolve())
    return path.read_bytes()


async def test_a_phone_photo_sent_in_chat_is_stored_upright_small_and_without_location(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    _, chat = await at_the_photos(settings, wechat_api, aiohttp_client, "o-photo-1")
    phone = phone_photo()
    reply = await chat.send_photo(phone)
    assert "⚠️" not in reply and "❌" not in reply and "经办人身份证正面" in reply  # the next photo
    (material,) = await materials("o-photo-1")
    assert material.slot == "license_photo" and material.warnings == []
    assert (material.width, material.height) == (1512, 2000)
    assert material.original_format == "JPEG" and material.original_size == len(phone)
    assert (material.original_width, material.original_height) == (3024, 4032)
    data = stored_file(settings, material)
    assert len(data) == material.size <= 1_000_000
    assert hashlib.sha256(data).hexdigest() == material.sha256 and material.sha256 in material.path
    image = Image.open(io.BytesIO(data))
    assert image.size == (1512, 2000) and not image.getexif() and b"GPS" not in data


async def test_a_dark_photo_asks_for_a_retake_and_仍然使用_keeps_it_with_the_warning(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    _, chat = await at_the_photos(settings, wechat_api, aiohttp_client, "o-photo-2")
    assert "还没有收到这一步的照片" in await chat.say("仍然使用")
    retake = await chat.send_photo(document_photo(brightness=0.25))
    assert "照片偏暗" in retake and "请在光线充足处重拍" in retake and "仍然使用" in retake
    assert "营业执照" in retake  # still this step
    kept = await chat.say("仍然使用")
    assert "❌" not in kept and "经办人身份证正面" in kept
    (material,) = await materials("o-photo-2")
    assert material.warnings == ["dark"] and material.slot == "license_photo"
    order = await Order.get(owner_openid="o-photo-2")
    assert order.answers["license_photo"] == str(material.id)  # the reviewer gets this one


async def test_a_retake_replaces_the_blurred_photo_and_both_are_kept(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    _, chat = await at_the_photos(settings, wechat_api, aiohttp_client, "o-photo-3")
    retake = await chat.send_photo(document_photo(blur=5))
    assert "照片模糊" in retake and "重拍" in retake
    assert "经办人身份证正面" in await chat.send_photo(document_photo(seed=7))
    blurred, sharp = await materials("o-photo-3")
    assert blurred.warnings == ["blurred"] and sharp.warnings == []
    order = await Order.get(owner_openid="o-photo-3")
    assert order.answers["license_photo"] == str(sharp.id)


async def test_files_that_are_not_photos_are_refused_in_chat_with_what_to_send(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    _, chat = await at_the_photos(settings, wechat_api, aiohttp_client, "o-photo-4")
    pdf = await chat.send_photo(b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF")
    assert "❌" in pdf and "不是照片" in pdf and "jpg、png" in pdf and "营业执照" in pdf
    truncated = document_photo()
    assert "不完整" in await chat.send_photo(truncated[: len(truncated) // 2])
    bomb = encode(Image.new("1", (20_000, 20_000)), "PNG")
    assert "尺寸异常" in await chat.send_photo(bomb)
    assert await materials("o-photo-4") == []
    assert "经办人身份证正面" in await chat.send_photo()  # nothing lost: the step goes on


async def test_an_expired_media_id_asks_to_send_the_photo_again(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    _, chat = await at_the_photos(settings, wechat_api, aiohttp_client, "o-photo-5")
    media_id = wechat_api.add_media(document_photo(), "image/jpeg")
    wechat_api.expire_media(media_id)
    reply = await chat._post(chat.sim.image(chat.openid, media_id))
    assert "图片已过期，请重新发送" in reply and "营业执照" in reply
    assert await materials("o-photo-5") == []


async def test_a_busy_wechat_is_retried_when_fetching_a_photo(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    _, chat = await at_the_photos(settings, wechat_api, aiohttp_client, "o-photo-6")
    wechat_api.faults.fail_next("/cgi-bin/media/get", status=502)
    wechat_api.errcode_next("/cgi-bin/media/get", -1)
    assert "经办人身份证正面" in await chat.send_photo()
    assert len(await materials("o-photo-6")) == 1
    wechat_api.faults.fail_next("/cgi-bin/media/get", status=503, times=5)
    unavailable = await chat.send_photo()
    assert "暂时无法读取照片，请稍后再发送" in unavailable


async def test_five_photos_sent_within_a_second_are_each_handled_once(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    """Choosing five photos in the album sends five messages at once; the four material slots
    are filled in turn with four different photos and the fifth is told what comes next."""
    _, chat = await at_the_photos(settings, wechat_api, aiohttp_client, "o-photo-7")
    photos = [document_photo(1400, 1050, seed=seed) for seed in range(5)]
    replies = await asyncio.gather(*(chat.send_photo(photo) for photo in photos))
    assert sum("验证码已发送" in reply for reply in replies) == 1
    assert sum("这一步需要输入文字" in reply for reply in replies) == 1
    stored = await materials("o-photo-7")
    assert sorted(m.slot for m in stored) == sorted(SLOTS)
    assert len({m.sha256 for m in stored}) == 4
    order = await Order.get(owner_openid="o-photo-7")
    assert {order.answers[slot] for slot in SLOTS} == {str(m.id) for m in stored}


# -- mini-program ----------------------------------------------------------------------------------


async def mp_upload(client: TestClient, headers: dict[str, str], slot: str, data: bytes, name: str):  # type: ignore[no-untyped-def,type-arg]
    form = aiohttp.FormData()
    form.add_field("file", data, filename=name, content_type="application/octet-stream")
    return await client.post(f"{API}/draft/materials/{slot}", data=form, headers=headers)


async def test_the_mini_program_uploads_go_through_the_same_checks_and_return_warnings(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    client = await mp_client(settings, wechat_api, aiohttp_client)
    headers = await login(client, wechat_api, "o-mp-photo")
    await client.post(f"{API}/flows/org/draft", headers=headers)
    schema = await (await client.get(f"{API}/flows/org/schema")).json()
    key_of = {step["label"]: step["key"] for step in schema["steps"]}
    fields = {key_of[label]: value for label, value in ORG_APPLICATION}
    fields["confirmed"] = "确认订单"
    await client.patch(f"{API}/draft", json={"fields": fields}, headers=headers)

    iphone = heic(document_image(2268, 3024))  # 7 MP, portrait
    response = await mp_upload(client, headers, "license_photo", iphone, "IMG_0001.HEIC")
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["material"]["warnings"] == [] and body["material"]["height"] == 2000

    dark = await mp_upload(
        client, headers, "legal_id_photo", document_photo(brightness=0.2), "a.jpg"
    )
    assert dark.status == 200
    warnings = (await dark.json())["material"]["warnings"]
    assert [w["code"] for w in warnings] == ["dark"] and "照片偏暗" in warnings[0]["message"]

    text = await mp_upload(client, headers, "handler_id_photo", "不是照片".encode() * 50, "x.jpg")
    assert text.status == 422 and "不是照片" in (await text.json())["message"]
    gif = io.BytesIO()
    frames = [document_image(800, 600, seed=n).convert("P") for n in range(2)]
    frames[0].save(gif, "GIF", save_all=True, append_images=frames[1:])
    animated = await mp_upload(client, headers, "handler_id_photo", gif.getvalue(), "a.gif")
    assert animated.status == 422 and "动图" in (await animated.json())["message"]

    order = await Order.get(owner_openid="o-mp-photo")
    stored = await Material.filter(order=order).order_by("id")
    assert [(m.slot, m.source, m.original_format) for m in stored] == [
        ("license_photo", "mp", "HEIF"),
        ("legal_id_photo", "mp", "JPEG"),
    ]
    assert stored[1].warnings == ["dark"]
    assert all(len(stored_file(settings, m)) <= 1_000_000 for m in stored)


async def test_photos_are_normalised_off_the_event_loop_at_most_two_at_a_time() -> None:
    phone = phone_photo()
    loop = asyncio.get_running_loop()
    gaps: list[float] = []

    async def ticker() -> None:
        while True:
            before = loop.time()
            await asyncio.sleep(0.005)
            gaps.append(loop.time() - before)

    ticking = asyncio.create_task(ticker())
    results = await asyncio.gather(*(prepare_photo(phone) for _ in range(6)))
    ticking.cancel()
    assert all(r.width == 1512 and r.height == 2000 for r in results)
    assert len(gaps) > 10 and max(gaps) < 0.1  # the loop kept answering meanwhile
    workers = {t.name for t in threading.enumerate() if t.name.startswith("images")}
    assert 1 <= len(workers) <= IMAGE_WORKERS == 2


async def test_a_chat_photo_reaches_the_turn_downloaded_and_normalised_already(
    settings: Settings, wechat_api: WeChatApiFake
) -> None:
    """The download and the normalisation happen before the turn's database transaction."""
    services = build_services(with_wechat(settings, wechat_api, token="t"))
    try:
        phone = phone_photo()
        sent = Inbound(
            openid="o-pre", kind="image", create_time=0, media_id=wechat_api.add_media(phone)
        )
        ready = await prefetch_photo(services, sent)
        assert ready.data == phone and ready.photo is not None and not ready.photo_refused
        assert (ready.photo.width, ready.photo.height) == (1512, 2000)
        renamed = wechat_api.add_media("不是照片".encode() * 50, "image/jpeg")
        refused = await prefetch_photo(services, dataclasses.replace(sent, media_id=renamed))
        assert refused.photo is None and "不是照片" in refused.photo_refused
    finally:
        await services.close()
