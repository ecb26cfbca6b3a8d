"""The console in a real headless Chromium (the system's, driven by Playwright): a reviewer
signs in, rejects one photo, the applicant sends a new one through the webhook, the reviewer
approves, an operator records production and shipping. Screenshots of every page are kept in
``$TEST_ARTIFACTS_DIR`` (default: the test's tmp dir)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright

from bot.config import Settings
from bot.sandbox.wechat_api import WeChatApiFake
from models.orders import Order, OrderStatus
from models.staff import Fulfilment, StaffRole
from tests.cert_files import der, issued
from tests.test_admin_helpers import ORG_ANSWERS, PASSWORD, console_settings, staff
from tests.test_application_flows import Chat, client_for
from tests.test_review_loop import submitted_and_paid

CHROMIUM = "/usr/bin/chromium"  # the distribution's browser: nothing is downloaded


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
def artifacts(tmp_path: Path, backend: str) -> Path:
    root = Path(os.environ.get("TEST_ARTIFACTS_DIR", tmp_path)) / f"console-{backend}"
    root.mkdir(parents=True, exist_ok=True)
    return root


class Shots:
    """Numbered screenshots of one walk."""

    def __init__(self, page: Page, folder: Path) -> None:
        self.page, self.folder = page, folder
        self.taken: list[Path] = []

    async def __call__(self, name: str) -> None:
        path = self.folder / f"{len(self.taken) + 1:02d}-{name}.png"
        await self.page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)


async def sign_in(page: Page, base: str, username: str) -> None:
    await page.goto(base + "/admin/login")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")


async def test_review_reject_fix_approve_produce_ship_in_chromium(
    settings: Settings,
    wechat_api: WeChatApiFake,
    aiohttp_client,
    browser: Browser,
    artifacts: Path,
) -> None:  # type: ignore[no-untyped-def]
    client = await client_for(console_settings(settings), wechat_api, aiohttp_client)
    base = str(client.make_url("")).rstrip("/")
    chat = Chat(client, wechat_api, "o-browser")
    order = await submitted_and_paid(chat)
    await staff("rita", StaffRole.REVIEWER)
    await staff("otto", StaffRole.OPERATOR)
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    shot = Shots(page, artifacts)

    await page.goto(base + "/admin/")
    assert page.url.endswith("/admin/login")  # anonymous: sent to the login page
    await page.fill("input[name=username]", "rita")
    await page.fill("input[name=password]", "wrong password!")
    await page.click("button[type=submit]")
    assert "用户名或密码错误" in await page.inner_text("main")
    await shot("login-refused")
    await sign_in(page, base, "rita")
    assert "审核队列（1）" in await page.inner_text("h1")
    await shot("queue")
    await page.click(f"text={order.order_no}")
    assert "营业执照" in await page.inner_text("main")
    assert "138****8000" in await page.inner_text("main")
    loaded = await page.eval_on_selector_all(
        ".materials img", "imgs => imgs.map(i => i.complete && i.naturalWidth)"
    )
    assert len(loaded) == 4 and all(loaded)  # the authenticated image route serves them
    await shot("order")
    await page.select_option("select[name='reason:license_photo']", "照片模糊，无法辨认")
    await shot("reject-chosen")
    await page.click("#reject")
    assert "暂无待审核的订单" in await page.inner_text("main")
    assert (await Order.get(id=order.id)).status == OrderStatus.REJECTED

    asked = await chat.say("继续")
    assert "营业执照" in asked and "照片模糊" in asked
    assert "已重新提交审核" in await chat.send_photo()

    await page.goto(base + "/admin/")
    assert "重新提交" in await page.inner_text("main")
    await shot("queue-resubmitted")
    await page.click(f"text={order.order_no}")
    assert "（已修改）" in await page.inner_text("main")
    await page.click("#approve")
    assert (await Order.get(id=order.id)).status == OrderStatus.APPROVED
    await page.click("#logout")
    assert page.url.endswith("/admin/login")

    await sign_in(page, base, "otto")
    assert "制作与寄送" in await page.inner_text("h1")
    await shot("production")
    await page.click(f"text={order.order_no}")
    issued_file = der(issued(ORG_ANSWERS["org_name"], ORG_ANSWERS["uscc"], serial=0x5A3F0011))
    await page.set_input_files(
        "input[name=certificate]",
        {"name": "user.cer", "mimeType": "application/pkix-cert", "buffer": issued_file},
    )
    await page.fill("form:has(#produce-file) input[name=key_serial]", "HB2026000123")
    await shot("produce-form")
    await page.click("#produce-file")
    assert "5A3F0011" in await page.inner_text("main")
    await page.select_option("select[name=courier]", "顺丰速运")
    await page.fill("input[name=tracking_no]", "SF1234567890")
    await page.click("#ship")
    assert "SF1234567890" in await page.inner_text("main")
    await shot("shipped")
    await page.click("#delivered")
    assert "已完成" in await page.inner_text("#status")
    await shot("completed")

    record = await Fulfilment.get(order=order)
    assert record.cert_serial == "5A3F0011" and record.tracking_no == "SF1234567890"
    assert len(shot.taken) == 9
    assert all(path.stat().st_size > 5000 for path in shot.taken)
