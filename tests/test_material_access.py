"""Who may see a material photo, where it is kept, and what review made of it — with real
generated phone photos sent through the webhook and the mini-program's multipart upload.

Files live in the S3 fake (signatures checked) or on disk; originals only when configured;
reviewers read them in the console, the applicant through signed expiring links, nobody else.
"""

from __future__ import annotations

import dataclasses
import io
import re
import time
from pathlib import Path

from aiohttp.test_utils import TestClient
from PIL import Image
from yarl import URL

from bot import signed_links
from bot.app import SERVICES
from bot.config import Settings
from bot.file_links import PURPOSE
from bot.sandbox.wechat_api import WeChatApiFake
from handlers.demo_script import ORG_APPLICATION
from models.materials import Material, MaterialStatus
from models.orders import Order
from models.staff import StaffRole
from tests.fakes import s3 as fake_s3
from tests.fakes.s3 import S3Fake
from tests.photos import document_image, document_photo, heic, phone_photo
from tests.test_admin_helpers import Console, console_settings, staff
from tests.test_application_flows import ORG_ANSWERS, Chat, client_for, fill
from tests.test_mp_api import API, login, mp_client
from tests.test_review_loop import reviewer, submitted_and_paid
from tests.test_uploads import at_the_photos, materials, mp_upload, stored_file

LINK = re.compile(r'<a href="([^"]+)">查看被退回的照片</a>')


def in_bucket(settings: Settings, s3: S3Fake, keep_originals: bool = True) -> Settings:
    """Files in the S3 fake's bucket, originals kept."""
    storage = dataclasses.replace(
        settings.storage,
        backend="s3",
        keep_originals=keep_originals,
        s3_endpoint=s3.base_url,
        s3_bucket=fake_s3.BUCKET,
        s3_region=fake_s3.REGION,
        s3_access_key=fake_s3.ACCESS_KEY,
        s3_secret_key=fake_s3.SECRET_KEY,
    )
    return dataclasses.replace(settings, storage=storage)


def with_mini_program(settings: Settings, fake: WeChatApiFake) -> Settings:
    return dataclasses.replace(
        settings,
        miniprogram=dataclasses.replace(
            settings.miniprogram, app_id=fake.mp_app_id, app_secret=fake.mp_app_secret
        ),
    )


async def fetch(client: TestClient, url: str) -> tuple[int, bytes, dict[str, str]]:  # type: ignore[type-arg]
    """GET a link the applicant was given (its path, on the test server)."""
    response = await client.get(URL(url).raw_path_qs, allow_redirects=False)
    return response.status, await response.read(), dict(response.headers)


async def test_a_chat_photo_and_its_original_are_kept_in_the_bucket_for_reviewers_only(
    settings: Settings, wechat_api: WeChatApiFake, s3: S3Fake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    configured = in_bucket(console_settings(settings), s3)
    client, chat = await at_the_photos(configured, wechat_api, aiohttp_client, "o-s3-1")
    phone = phone_photo()  # 12 MP, EXIF-rotated, with GPS
    assert "经办人身份证正面" in await chat.send_photo(phone)
    for _ in range(3):
        await chat.send_photo()
    assert "订单已提交" in await chat.say(chat.last_code())
    material, *_ = await materials("o-s3-1")
    order = await Order.get(owner_openid="o-s3-1")
    bucket = s3.objects[fake_s3.BUCKET]
    assert material.path.startswith(f"orders/{order.order_no}/license_photo-")
    assert material.original_path is not None
    assert material.original_path.startswith(f"orders/{order.order_no}/license_photo.original-")
    assert {material.path, material.original_path} < set(bucket)
    assert all(key.startswith(f"orders/{order.order_no}/") for key in bucket)
    assert not (Path(configured.storage.path) / "orders").exists()  # nothing on local disk
    assert bucket[material.original_path].data == phone
    assert bucket[material.original_path].content_type == "image/jpeg"
    normalised = bucket[material.path].data
    assert len(normalised) == material.size <= 1_000_000 and b"GPS" not in normalised
    assert Image.open(io.BytesIO(normalised)).size == (1512, 2000)  # upright

    await staff("rita", StaffRole.REVIEWER)
    await staff("otto", StaffRole.OPERATOR)
    console = Console(client)
    assert (await console.login("rita")).status == 303
    shown = await console.get(f"/admin/materials/{material.id}")
    assert shown.status == 200 and await shown.read() == normalised
    assert shown.headers["Content-Type"] == "image/jpeg"
    assert "no-store" in shown.headers["Cache-Control"]
    original = await console.get(f"/admin/materials/{material.id}/original")
    assert original.status == 200 and await original.read() == phone
    page = await (await console.get(f"/admin/orders/{order.order_no}")).text()
    assert f"/admin/materials/{material.id}/original" in page and "原始照片" in page
    assert (await console.get("/admin/materials/99999999")).status == 404

    assert (await console.login("otto")).status == 303  # an operator: not a reviewer
    assert (await console.get(f"/admin/materials/{material.id}")).status == 403
    assert (await console.get(f"/admin/materials/{material.id}/original")).status == 403


async def test_mini_program_uploads_are_seen_by_their_applicant_through_signed_links_only(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    client = await mp_client(settings, wechat_api, aiohttp_client)
    services = client.app[SERVICES]
    fields = None
    uploaded = {}
    for openid in ("o-mp-link-1", "o-mp-link-2"):
        headers = await login(client, wechat_api, openid)
        await client.post(f"{API}/flows/org/draft", headers=headers)
        if fields is None:
            schema = await (await client.get(f"{API}/flows/org/schema")).json()
            key_of = {step["label"]: step["key"] for step in schema["steps"]}
            fields = {key_of[label]: value for label, value in ORG_APPLICATION}
            fields["confirmed"] = "确认订单"
        await client.patch(f"{API}/draft", json={"fields": fields}, headers=headers)
        iphone = heic(document_image(2268, 3024, seed=len(uploaded)))
        response = await mp_upload(client, headers, "license_photo", iphone, "IMG_0001.HEIC")
        assert response.status == 200, await response.text()
        uploaded[openid] = (await response.json())["material"]

    first = uploaded["o-mp-link-1"]
    assert first["status"] == "pending" and first["status_label"] == "待审核"
    material = await Material.get(id=int(first["id"]))
    order = await Order.get(owner_openid="o-mp-link-1")
    assert material.original_path is None  # originals are not kept unless configured
    status, body, headers = await fetch(client, first["url"])
    assert status == 200 and body == stored_file(settings, material)
    assert (
        headers["Content-Type"] == "image/jpeg" and headers["X-Content-Type-Options"] == "nosniff"
    )
    assert headers["Cache-Control"] == "private, no-store"
    second = await Material.get(id=int(uploaded["o-mp-link-2"]["id"]))
    assert (await fetch(client, uploaded["o-mp-link-2"]["url"]))[1] == stored_file(settings, second)

    token = URL(first["url"]).path.rsplit("/", 1)[1]
    key, later = services.lookup_key, signed_links.expiry(30)
    refused = {
        "forged": token[:-1] + ("0" if token[-1] != "0" else "1"),
        "expired": signed_links.make_token(
            key,
            PURPOSE,
            {"m": material.id, "o": order.order_no, "v": "photo"},
            int(time.time()) - 1,
        ),
        "other order": signed_links.make_token(
            key, PURPOSE, {"m": second.id, "o": order.order_no, "v": "photo"}, later
        ),
        "not kept": signed_links.make_token(
            key, PURPOSE, {"m": material.id, "o": order.order_no, "v": "original"}, later
        ),
        "other purpose": signed_links.make_token(
            key, "pay", {"m": material.id, "o": order.order_no, "v": "photo"}, later
        ),
        "garbage": "x" * 40,
    }
    for why, bad in refused.items():
        assert (await client.get(f"/files/{bad}")).status == 404, why
    anonymous = await client.get(f"/admin/materials/{material.id}", allow_redirects=False)
    assert anonymous.status == 303  # to the console's login page


async def test_rejected_photo_is_replaced_by_a_reupload_and_kept_in_history(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    configured = with_mini_program(console_settings(settings), wechat_api)
    client = await client_for(configured, wechat_api, aiohttp_client)
    chat = Chat(client, wechat_api, "o-status-1")
    order = await submitted_and_paid(chat)
    in_use = {m.slot: m for m in await Material.filter(order=order)}
    assert {m.status for m in in_use.values()} == {MaterialStatus.PENDING}
    console = await reviewer(client)
    reason = "照片模糊，无法辨认"
    rejected = await console.post(
        f"/admin/orders/{order.order_no}/reject", **{"reason:license_photo": reason}
    )
    assert rejected.status == 303
    marked = {m.slot: m for m in await Material.filter(order=order)}
    assert marked["license_photo"].status == MaterialStatus.REJECTED
    assert (
        marked["license_photo"].reason == reason and marked["license_photo"].reviewed_by == "rita"
    )
    others = [m for slot, m in marked.items() if slot != "license_photo"]
    assert len(others) == 3 and all(m.status == MaterialStatus.ACCEPTED for m in others)

    # The applicant sees, in the mini-program, which photo was sent back and why.
    headers = await login(client, wechat_api, chat.openid)
    detail = await (await client.get(f"{API}/orders/{order.order_no}", headers=headers)).json()
    shown = {m["slot"]: m for m in detail["materials"]}
    assert (
        shown["license_photo"]["status_label"] == "已退回"
        and shown["license_photo"]["reason"] == reason
    )
    assert shown["legal_id_photo"]["status"] == "accepted"
    assert (await fetch(client, shown["license_photo"]["url"]))[0] == 200
    stranger = await login(client, wechat_api, "o-status-stranger")
    assert (await client.get(f"{API}/orders/{order.order_no}", headers=stranger)).status == 404

    # In chat, the fix prompt links to the rejected photo; a new phone photo replaces it.
    asked = await chat.say("继续")
    assert "营业执照" in asked and reason in asked
    link = LINK.search(asked)
    assert link is not None
    status, body, _ = await fetch(client, link.group(1))
    assert status == 200 and body == stored_file(settings, marked["license_photo"])
    done = await chat.send_photo(phone_photo())
    assert "已重新提交审核" in done
    order = await Order.get(id=order.id)
    history = await Material.filter(order=order, slot="license_photo").order_by("id")
    assert [m.status for m in history] == [MaterialStatus.REJECTED, MaterialStatus.PENDING]
    assert order.answers["license_photo"] == str(history[1].id)  # the re-upload is in use
    assert history[0].reason == reason  # the rejected version is kept with its reason

    page = await (await console.get(f"/admin/orders/{order.order_no}")).text()
    assert f'src="/admin/materials/{history[1].id}"' in page
    assert "历史版本（1）" in page and f"/admin/materials/{history[0].id}" in page
    assert f"已退回：{reason}" in page and "待审核" in page
    assert (await console.post(f"/admin/orders/{order.order_no}/approve")).status == 303
    assert (await Material.get(id=history[1].id)).status == MaterialStatus.ACCEPTED
    assert (await Material.get(id=history[0].id)).status == MaterialStatus.REJECTED


async def test_a_dark_photo_kept_anyway_is_flagged_to_the_reviewer(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client
) -> None:  # type: ignore[no-untyped-def]
    client = await client_for(console_settings(settings), wechat_api, aiohttp_client)
    chat = Chat(client, wechat_api, "o-status-2")
    await chat.click("org")
    await fill(chat, ORG_ANSWERS)
    await chat.say("确认订单")
    assert "照片偏暗" in await chat.send_photo(document_photo(brightness=0.25))
    await chat.say("仍然使用")
    for _ in range(3):
        await chat.send_photo()
    assert "订单已提交" in await chat.say(chat.last_code())
    order = await Order.get(owner_openid="o-status-2")
    console = await reviewer(client)
    page = await (await console.get(f"/admin/orders/{order.order_no}")).text()
    assert "照片偏暗（申请人仍选择使用）" in page
