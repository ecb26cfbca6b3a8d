"""Helpers of the staff-console tests (no tests here): paid orders made through the models,
staff accounts, and a signed-in console client that posts its forms with the CSRF token."""

from __future__ import annotations

import dataclasses
import io
import re
from typing import Any

from aiohttp.test_utils import TestClient
from PIL import Image

from bot.admin.auth import add_staff
from bot.config import Settings
from bot.flows import Flow
from bot.outbox import utcnow
from bot.secrets_box import lookup_hash
from bot.services import Services
from bot.uploads import store_material
from handlers import org_certificate
from models.orders import Order, OrderStatus
from models.staff import StaffRole

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
ORG_ANSWERS = {
    "auth_method": "legal_phone",
    "org_name": "北京数字认证测试单位",
    "uscc": "91110000600037341L",
    "legal_name": "张三",
    "legal_phone": "13800138000",
    "legal_id_number": "11010519491231002X",
    "years": "1",
    "handler_name": "李四",
    "handler_phone": "13911112222",
    "handler_email": "lisi@example.com",
}
BANK_ANSWERS = {
    "auth_method": "bank_transfer",
    "bank_account": "02000045090000123456",
    "bank_name": "北京银行中关村支行",
    "bank_address": "北京市海淀区",
}
SLOTS = ("license_photo", "handler_id_photo", "authorization_photo", "legal_id_photo")


def console_settings(settings: Settings) -> Settings:
    """Settings for console tests: development mode (cookies over plain http)."""
    return dataclasses.replace(settings, server=dataclasses.replace(settings.server, dev=True))


def photo(shade: int = 180) -> bytes:
    """A JPEG large enough for the upload checks."""
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), (200, shade, 160)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def org_flow(settings: Settings) -> Flow:
    """The organisation flow, as the console sees it."""
    return org_certificate.build_flow(settings)


async def paid_order(
    services: Services,
    openid: str = "o-paid",
    *,
    bank: bool = False,
    photos: bool = True,
    **extra: str,
) -> Order:
    """A paid organisation order, answers stored as the engine stores them."""
    flow = org_flow(services.settings)
    answers = {**ORG_ANSWERS, **(BANK_ANSWERS if bank else {}), **extra}
    order_no = f"CD{utcnow():%Y%m%d}{abs(hash(openid)) % 10**6:06d}"
    stored = {
        key: services.cipher.encrypt(value, context=f"order:{order_no}:{key}")
        if flow.step(key).sensitive
        else value
        for key, value in answers.items()
    }
    order = await Order.create(
        order_no=order_no,
        kind="org",
        owner_openid=openid,
        status=OrderStatus.PAID,
        answers=stored,
        amount_fen=30000,
        submitted_at=utcnow(),
        queued_at=utcnow(),
        subject_name=answers["org_name"],
        subject_hash=lookup_hash(answers["uscc"], services.lookup_key, kind="uscc"),
        phone_hash=lookup_hash(answers["handler_phone"], services.lookup_key, kind="phone"),
    )
    if photos:
        for n, slot in enumerate(SLOTS):
            await store_material(services.files, order, slot, photo(n * 40), "wechat")
    return order


class Console:
    """A browser of one staff member: cookies kept, forms posted with their CSRF token."""

    def __init__(self, client: TestClient) -> None:  # type: ignore[type-arg]
        self.client = client
        self.csrf = ""

    async def login(self, username: str, password: str = PASSWORD) -> Any:
        page = await (await self.client.get("/admin/login")).text()
        token = CSRF.search(page)
        assert token is not None
        response = await self.client.post(
            "/admin/login",
            data={"csrf": token.group(1), "username": username, "password": password},
            allow_redirects=False,
        )
        if response.status == 303:
            home = await self.client.get(response.headers["Location"])
            found = CSRF.search(await home.text())
            assert found is not None
            self.csrf = found.group(1)
        return response

    async def post(self, path: str, **form: str) -> Any:
        return await self.client.post(path, data={"csrf": self.csrf, **form}, allow_redirects=False)

    async def get(self, path: str) -> Any:
        return await self.client.get(path, allow_redirects=False)


async def staff(name: str, role: StaffRole) -> None:
    """An account with the test password."""
    await add_staff(name, role, PASSWORD)
