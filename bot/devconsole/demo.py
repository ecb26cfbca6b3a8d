"""``certdesk demo``: a scripted organisation application against a running development server,
from the first message to the shipped Key, printing every exchange.

It talks to the development console's API (``/dev/api/``) as the console page does, reads the SMS
code from the outbox, pays as the sandbox payer, and does the staff's part through the staff
console's own forms with the seeded development accounts.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import aiohttp

from handlers.demo_script import ORG_APPLICATION

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
Print = Callable[[str], None]


class DemoFailed(Exception):
    """A step did not answer as expected; the message says which and what came back."""


def _short(text: str, limit: int = 160) -> str:
    flat = " ⏎ ".join(line for line in text.splitlines() if line.strip())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class Demo:
    """One simulated applicant and the staff, against the server at ``url``."""

    def __init__(self, session: aiohttp.ClientSession, url: str, out: Print) -> None:
        self.session, self.url, self.out = session, url.rstrip("/"), out
        self.openid = "o-demo-" + secrets.token_hex(4)
        self.last = 0
        self.staff: dict[str, str] = {}

    async def _json(self, method: str, path: str, body: Any = None) -> Any:
        async with self.session.request(method, self.url + path, json=body) as response:
            data = await response.json(content_type=None)
            if response.status >= 400 and "error" not in data:
                raise DemoFailed(f"{method} {path}: HTTP {response.status}")
            return data

    async def send(self, shown: str, message: dict[str, Any]) -> str:
        """Send one message; print it and everything certdesk answers; return the answers."""
        self.out(f"  用户 → {shown}")
        data = await self._json("POST", f"/dev/api/chat/{self.openid}", message)
        if "reply" not in data:
            raise DemoFailed(f"sending {shown!r}: {data.get('error', data)}")
        texts = []
        reply = data["reply"]
        if reply is not None:
            texts.append(self._show(reply))
        texts.extend(await self.incoming(wait=0.0 if reply else 5.0))
        return "\n".join(texts)

    def _show(self, item: dict[str, Any]) -> str:
        label = {"reply": "被动回复", "custom": "客服消息", "template": "模板消息"}.get(
            item["via"], item["via"]
        )
        text: str
        if item["kind"] == "notice":
            text = item["title"] + "：" + "；".join(item["lines"])
        elif item["kind"] == "image":
            text = f"[图片 {item['url']}]"
        else:
            text = str(item.get("text", ""))
        self.out(f"  公众号 ← [{label}] {_short(text)}")
        return text

    async def incoming(self, wait: float = 0.0, until: str = "") -> list[str]:
        """Messages certdesk sent through the API since the last look; with ``wait``, keep
        looking that long for the first one (or, with ``until``, for one containing it)."""
        deadline = time.monotonic() + wait
        texts: list[str] = []
        while True:
            data = await self._json(
                "GET", f"/dev/api/chat/{self.openid}/messages?after={self.last}"
            )
            for item in data["messages"]:
                self.last = max(self.last, item["n"])
                texts.append(self._show(item))
            done = any(until in t for t in texts) if until else bool(texts)
            if done or time.monotonic() >= deadline:
                return texts
            await asyncio.sleep(0.2)

    async def expect(self, shown: str, message: dict[str, Any], wanted: str) -> str:
        """Send, and fail unless ``wanted`` is in the answers (waiting for it a little)."""
        answer = await self.send(shown, message)
        if wanted not in answer:
            answer += "\n".join(await self.incoming(wait=8.0, until=wanted))
        if wanted not in answer or "❌" in answer:
            raise DemoFailed(f"after {shown!r} expected {wanted!r}, got: {_short(answer, 400)}")
        return answer

    async def apply(self) -> None:
        """The applicant: menu, every answer, photos, SMS code."""
        self.out("== 申请人在公众号里办理单位证书 ==")
        await self.send("（关注公众号）", {"kind": "subscribe"})
        await self.expect("【菜单】单位证书新办", {"kind": "click", "key": "org"}, "认证方式")
        for label, value in ORG_APPLICATION:
            if label == "经办人手机号":  # the code goes here: one number per run (send limits)
                value = "139" + str(secrets.randbelow(10**8)).zfill(8)
            answer = await self.send(f"{value}（{label}）", {"kind": "text", "content": value})
            if "❌" in answer:
                raise DemoFailed(f"{label} = {value!r} refused: {_short(answer, 400)}")
        await self.expect("确认订单", {"kind": "text", "content": "确认订单"}, "营业执照")
        for number in range(1, 5):
            await self.send(f"[示例照片 {number}]", {"kind": "photo", "sample": number})
        code = await self.sms_code()
        await self.expect(f"{code}（短信验证码）", {"kind": "text", "content": code}, "订单已提交")

    async def sms_code(self) -> str:
        """The newest verification code in the SMS outbox."""
        outbox = await self._json("GET", "/dev/api/outbox")
        codes = [m for m in outbox["sms"] if m["purpose"] == "verify_code"]
        if not codes:
            raise DemoFailed("no verification code in the SMS outbox")
        self.out(f"  短信发件箱：{codes[-1]['phone']}：{codes[-1]['text']}")
        return str(codes[-1]["params"][0])

    async def pay(self) -> None:
        """The payer scans the QR code; certdesk hears from the Pay sandbox."""
        self.out("== 付款人扫码支付 ==")
        await self.incoming(wait=5.0, until="扫码")
        paid = await self._json("POST", f"/dev/api/pay/{self.openid}", {})
        if paid.get("notify_status") not in (200, 204):
            raise DemoFailed(f"payment notification not accepted: {paid}")
        self.out(
            f"  沙箱微信支付：已支付 ¥{paid['amount_fen'] / 100:.2f}，"
            f"/pay/notify 回应 {paid['notify_status']}"
        )
        await self.incoming(wait=10.0, until="支付成功")

    async def order_no(self) -> str:
        """The applicant's order number."""
        found = await self._json("GET", f"/dev/api/chat/{self.openid}/orders")
        if not found["orders"]:
            raise DemoFailed("the applicant has no order")
        return str(found["orders"][0]["order_no"])

    async def status(self) -> str:
        """The status of the applicant's order."""
        found = await self._json("GET", f"/dev/api/chat/{self.openid}/orders")
        return str(found["orders"][0]["status"])

    async def login(self, username: str) -> str:
        """Sign in to the staff console; the session's CSRF token."""
        self.session.cookie_jar.clear()
        async with self.session.get(self.url + "/admin/login") as response:
            token = CSRF.search(await response.text())
        if token is None:
            raise DemoFailed("the staff console's login page has no form")
        form = {"csrf": token.group(1), "username": username, "password": self.staff[username]}
        async with self.session.post(self.url + "/admin/login", data=form) as response:
            found = CSRF.search(await response.text())
        if found is None or response.status != 200:
            raise DemoFailed(f"staff {username} could not sign in (HTTP {response.status})")
        self.out(f"  员工 {username} 登录员工后台")
        return found.group(1)

    async def staff_post(self, csrf: str, path: str, shown: str, **form: str) -> None:
        """Post one console form; fail on an error page."""
        async with self.session.post(self.url + path, data={"csrf": csrf, **form}) as response:
            if response.status != 200:
                body = _short(await response.text(), 300)
                raise DemoFailed(f"{shown}: HTTP {response.status}: {body}")
        self.out(f"  员工 → {shown}")

    async def staff_work(self) -> None:
        """Review, production and shipping in the staff console."""
        info = await self._json("GET", "/dev/api/info")
        self.staff = {s["username"]: s["password"] for s in info["staff"]}
        order_no = await self.order_no()
        self.out(f"== 员工处理订单 {order_no} ==")
        csrf = await self.login("reviewer")
        await self.staff_post(csrf, f"/admin/orders/{order_no}/approve", "审核通过")
        await self.incoming(wait=10.0, until="审核通过")
        csrf = await self.login("operator")
        today = date.today()
        await self.staff_post(
            csrf,
            f"/admin/orders/{order_no}/produce",
            "录入证书制作（序列号、有效期、Key 序列号）",
            cert_serial="5A3F" + secrets.token_hex(4).upper(),
            not_before=today.isoformat(),
            not_after=(today + timedelta(days=730)).isoformat(),
            key_serial="HB" + secrets.token_hex(5).upper(),
        )
        await self.incoming(wait=10.0, until="证书已制作")
        await self.staff_post(
            csrf,
            f"/admin/orders/{order_no}/ship",
            "寄出 USB Key（顺丰速运）",
            courier="顺丰速运",
            tracking_no="SF" + str(secrets.randbelow(10**10)).zfill(10),
        )
        await self.incoming(wait=10.0, until="寄出")

    async def run(self) -> None:
        """The whole walk; ``DemoFailed`` when a step goes wrong."""
        self.out(f"== 模拟用户 {self.openid} ==")
        await self.apply()
        await self.pay()
        await self.staff_work()
        status = await self.status()
        if status != "shipped":
            raise DemoFailed(f"the order ended as {status!r}, not shipped")
        self.out(f"== 完成：订单 {await self.order_no()} 的 USB Key 已寄出 ==")


async def run_demo(url: str, out: Print = print) -> int:
    """Play the demo against ``url``; 0 when every step answered as expected, else 1."""
    timeout = aiohttp.ClientTimeout(total=30)
    jar = aiohttp.CookieJar(unsafe=True)  # the server is usually 127.0.0.1
    async with aiohttp.ClientSession(timeout=timeout, cookie_jar=jar) as session:
        try:
            async with session.get(url.rstrip("/") + "/dev/api/info") as response:
                if response.status != 200:
                    out(f"certdesk demo: {url} has no development console (start it with make run)")
                    return 1
            await Demo(session, url, out).run()
        except aiohttp.ClientError as exc:
            out(f"certdesk demo: cannot reach {url}: {exc}")
            return 1
        except DemoFailed as exc:
            out(f"certdesk demo: FAILED: {exc}")
            return 1
    return 0
