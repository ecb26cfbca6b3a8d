"""The development console in a real headless Chromium against ``certdesk serve --dev``: an
organisation application from the menu to the shipped Key (chat → photos → SMS code from the
outbox → pay → staff approve, produce, ship → notices), then the Key unlocked with the simulated
bridge. Screenshots are kept in
``$TEST_ARTIFACTS_DIR`` (default: the test's tmp dir)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page

from bot.sandbox.photos import document_photo
from handlers.demo_script import ORG_APPLICATION
from tests.test_admin_browser import Shots, browser  # noqa: F401  (the Chromium fixture)
from tests.test_devconsole import DevServer, dev_server  # noqa: F401  (the server fixture)

PASSWORD = "certdesk-dev-password"
TIMEOUT = 15_000  # ms


@pytest.fixture
def shots_folder(tmp_path: Path) -> Path:
    root = Path(os.environ.get("TEST_ARTIFACTS_DIR", tmp_path)) / "dev-console"
    root.mkdir(parents=True, exist_ok=True)
    return root


class Phone:
    """The console's simulated phone."""

    def __init__(self, page: Page) -> None:
        self.page = page

    async def bot_count(self) -> int:
        return await self.page.locator("#chat li.bot, #chat li.notice").count()

    async def wait_bot(self, before: int) -> str:
        """Wait for a new message from certdesk; the text of all new ones."""
        await self.page.wait_for_function(
            "n => document.querySelectorAll('#chat li.bot, #chat li.notice').length > n",
            arg=before,
            timeout=TIMEOUT,
        )
        texts = await self.page.locator("#chat li.bot, #chat li.notice").all_inner_texts()
        return "\n".join(texts[before:])

    async def say(self, text: str) -> str:
        before = await self.bot_count()
        await self.page.fill("#text", text)
        await self.page.press("#text", "Enter")
        return await self.wait_bot(before)

    async def tap(self, selector: str) -> str:
        before = await self.bot_count()
        await self.page.click(selector)
        return await self.wait_bot(before)

    async def wait_text(self, selector: str, text: str) -> None:
        await self.page.locator(selector, has_text=text).first.wait_for(timeout=TIMEOUT)


async def test_organisation_application_in_the_dev_console(
    dev_server: DevServer,  # noqa: F811
    browser: Browser,  # noqa: F811
    shots_folder: Path,
) -> None:
    base = dev_server.url
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    shot = Shots(page, shots_folder)
    phone = Phone(page)
    await page.goto(base + "/dev/")
    await phone.wait_text("#chat li.bot", "欢迎关注")

    first = await phone.tap(".menu-btn[data-key=org]")
    assert "认证方式" in first
    for label, value in ORG_APPLICATION:
        reply = await phone.say(value)
        assert "❌" not in reply, (label, value, reply)
    assert "请发送营业执照照片" in await phone.say("确认订单")
    await shot("chat")
    for number in range(1, 4):
        assert "❌" not in await phone.tap(f".sample[data-n='{number}']")
    before = await phone.bot_count()  # the last photo comes from the computer
    upload = {"name": "id.jpg", "mimeType": "image/jpeg", "buffer": document_photo(seed=9)}
    await page.set_input_files("#photo-file", files=[upload])
    reply = await phone.wait_bot(before)
    assert "验证码已发送至 139****2222" in reply

    sms = page.locator("#sms-list li", has_text="13911112222").first
    await sms.wait_for(timeout=TIMEOUT)
    code = re.search(r"验证码为 (\d{6})", await sms.inner_text())
    assert code is not None
    await phone.say(code.group(1))
    await phone.wait_text("#chat li.bot", "订单已提交")
    done = await page.locator("#chat li.bot", has_text="订单已提交").inner_text()
    order_no = re.search(r"订单号：(CD\d+)", done)
    assert order_no is not None
    await page.locator("#chat li.bot img").last.wait_for(timeout=TIMEOUT)  # the pay QR code
    await phone.wait_text("#chat li.bot a.pay-link", "")
    await shot("pay-qr")

    await page.click("#chat li.bot button.scan")
    await phone.wait_text("#pay-result", "/pay/notify 回应 204")
    await phone.wait_text("#chat li.notice", "订单支付成功")
    await shot("paid")

    staff = await browser.new_page(viewport={"width": 1280, "height": 900})
    staff_shot = Shots(staff, shots_folder / "staff")
    staff_shot.folder.mkdir(exist_ok=True)
    await sign_in(staff, base, "reviewer")
    await staff.click(f"text={order_no.group(1)}")
    await staff_shot("review")
    await staff.click("#approve")
    await phone.wait_text("#chat li.notice", "申请审核通过")
    await staff.click("#logout")
    await sign_in(staff, base, "operator")
    await staff.click(f"text={order_no.group(1)}")
    await staff.click("text=没有证书文件？手动填写序列号和有效期")
    manual = staff.locator("form:has(input[name=cert_serial])")
    await manual.locator("input[name=cert_serial]").fill("5A3F0011")
    await manual.locator("input[name=not_before]").fill("2026-11-25")
    await manual.locator("input[name=not_after]").fill("2028-11-24")
    await manual.locator("input[name=key_serial]").fill("HB2026000123")
    await staff.click("#produce")
    await staff.select_option("select[name=courier]", "顺丰速运")
    await staff.fill("input[name=tracking_no]", "SF1234567890")
    await staff.click("#ship")
    await staff_shot("shipped")

    await phone.wait_text("#chat li.notice", "USB Key 已寄出")
    await phone.wait_text("#notice-list li", "USB Key 已寄出")
    await page.locator("#chat li.notice").last.scroll_into_view_if_needed()
    await shot("notices")

    await unlock_in_the_console(page, phone)
    await shot("unlock")
    taken = shot.taken + staff_shot.taken
    assert len(taken) == 7 and all(path.stat().st_size > 5000 for path in taken)


async def unlock_in_the_console(page: Page, phone: Phone) -> None:
    """A Key made for the shipped order, its PIN locked, then 证书解锁 with the address check:
    the authorization code and the new PIN are typed in the bridge panel."""
    await page.click("#bridge-personalise")
    await phone.wait_text("#bridge-state", "Key DEV")
    await page.click("#bridge-scan")
    await phone.wait_text("#bridge-state", "已与微信配对")
    await page.click("#bridge-lock")
    await phone.wait_text("#bridge-state", "PIN 已锁定")
    assert "证书解锁" in await phone.tap(".menu-btn[data-key=unlock]")
    assert "3. 地址信息" in await phone.say("其他验证方式")
    for answer in ("3", "河南", "商丘"):
        assert "❌" not in await phone.say(answer)
    assert "l***i@example.com" in await phone.say("睢阳区神火大道 100 号")
    mail = page.locator("#email-list li", has_text="授权码为").first
    await mail.wait_for(timeout=TIMEOUT)
    code = re.search(r"授权码为：(\d{6})", await mail.inner_text())
    assert code is not None
    for prompt, answer in (
        ("解锁授权码", code.group(1)),
        ("请设置新的 PIN 码", "246813"),
        ("请再次输入新的 PIN 码", "246813"),
    ):
        await phone.wait_text("#bridge-prompt-text", prompt)
        await page.fill("#bridge-prompt-input", answer)
        await page.press("#bridge-prompt-input", "Enter")
    await phone.wait_text("#chat li.bot", "解锁成功")
    await phone.wait_text("#bridge-state", "PIN 剩余 3 次")


async def sign_in(page: Page, base: str, username: str) -> None:
    await page.goto(base + "/admin/login")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
