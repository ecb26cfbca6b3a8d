"""Key unlock (seed section 3) end to end: the signed WeChat webhook, the real ``/bridge`` hub and
the bridge program on an emulated card whose PIN is locked; identity by SMS code or by 其他验证方式;
the emailed authorization code typed on the PC; the PUK released once and rotated."""

from __future__ import annotations

import asyncio
import dataclasses
import queue
import re
import threading
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from cryptography.hazmat.primitives.serialization import Encoding

from bot.app import BRIDGE_HUB, SERVICES, create_app
from bot.ca.records import seal
from bot.config import ProjectSettings, Settings
from bot.key_secrets import current_puk, import_puks, puk_context, record_puk
from bot.mailer import ConsoleMailer, EmailCodeChannel
from bot.sandbox.wechat_api import WeChatApiFake
from bot.services import UNLOCK_CODE_LIMITS, Services
from bot.sms_codes import CodeInvalid, OneTimeCodes, SmsCodes
from bot.texts import UNLOCK_CODE_MAIL, UNLOCK_CODE_SUBJECT
from handlers.applications import build_engine
from handlers.demo_script import ORG_APPLICATION
from key_bridge.controller import run_bridge
from key_bridge.emulator.applet import PivApplet
from key_bridge.emulator.local import LocalTransport
from key_bridge.errors import PinBlocked, WrongPin, WrongPuk
from key_bridge.piv import PivCard
from models.certificates import Certificate
from models.keys import KeySecret
from models.orders import Order, OrderStatus, answer_context
from models.staff import AuditLog
from tests.conftest_card import ScratchCa, provision
from tests.test_application_flows import Chat, flow_settings
from tests.test_bridge_hub import FAST, RunningBridge, start_bridge, wait_for
from tests.test_identity_check import ORG, record_of

OPENID = "o-unlock-user-0001"
KEY_SERIAL = "HB2026000123"
FACTORY_PUK = "12345678"
NEW_PIN = "246813"
PROJECT = ProjectSettings(code="shangqiu", name="商丘市公共资源交易中心")


class Clock:
    """Wall time a test can move forward (resend spacing, code expiry)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


class PcUser:
    """The user at the PC: answers each prompt from a queue the test fills (blocks till then)."""

    def __init__(self) -> None:
        self.answers: queue.Queue[str | None] = queue.Queue()
        self.prompts: list[str] = []
        self.statuses: list[str] = []
        self.lock = threading.Lock()

    def type(self, *answers: str) -> None:
        for answer in answers:
            self.answers.put(answer)

    def status(self, text: str) -> None:
        with self.lock:
            self.statuses.append(text)

    def show_qr(self, url: str | None) -> None:
        pass

    def ask_pin(self, prompt: str) -> str | None:
        with self.lock:
            self.prompts.append(prompt)
        try:
            return self.answers.get(timeout=10)
        except queue.Empty:
            return None


@dataclasses.dataclass
class World:
    client: TestClient  # type: ignore[type-arg]
    services: Services
    chat: Chat
    applet: PivApplet
    card: LocalTransport
    fake: WeChatApiFake
    clock: Clock
    pc: PcUser
    bridge: RunningBridge | None = None
    stop_pcsc: asyncio.Event | None = None
    pcsc: asyncio.Task[None] | None = None

    async def connect_bridge(self) -> None:
        """Start the bridge program on the PC and pair it by scanning its QR code in WeChat."""
        url = str(self.client.make_url("/bridge"))
        self.bridge = await start_bridge(url, self.card, ui=self.pc)  # type: ignore[arg-type]
        await self._scan()
        await asyncio.wait_for(self.bridge.client.paired.wait(), 10)

    async def connect_bridge_over_pcsc(self) -> None:
        """The bridge program as installed: the Key reached through PC/SC."""
        self.stop_pcsc = asyncio.Event()
        url = str(self.client.make_url("/bridge"))
        self.pcsc = asyncio.create_task(run_bridge(url, self.pc, self.stop_pcsc))
        await self._scan()
        await wait_for(lambda: any("已连接微信" in s for s in self.pc.statuses))

    async def _scan(self) -> None:
        await wait_for(lambda: bool(self.fake.qrcodes))
        scene = self.fake.qrcodes[-1]["scene"]
        self.chat.clicks += 1
        created = self.chat.sim.now() + self.chat.clicks
        event = self.chat.sim.event(self.chat.openid, "SCAN", scene, create_time=created)
        assert "已连接电脑上的证书助手" in await self.chat._post(event)

    def emailed_code(self) -> str:
        mailer = self.services.mailer
        assert isinstance(mailer, ConsoleMailer)
        mail = mailer.outbox[-1].mail
        assert mail.to == "lisi@example.com" and mail.subject == UNLOCK_CODE_SUBJECT
        found = re.search(r"授权码为：(\d{6})", mail.text)
        assert found is not None
        return found.group(1)

    async def pushed(self, text: str, count: int = 1) -> str:
        """Wait for the ``count``-th customer-service message containing ``text``."""

        def matching() -> list[str]:
            bodies = [
                m.body.get("text", {}).get("content", "") for m in self.fake.messages_to(OPENID)
            ]
            return [b for b in bodies if text in b]

        await wait_for(lambda: len(matching()) >= count, timeout=15)
        return matching()[count - 1]

    def later(self, seconds: float) -> None:
        self.clock.offset += seconds

    def piv(self) -> PivCard:
        piv = PivCard(LocalTransport(self.applet))
        piv.select()
        return piv


async def _record_order(services: Services) -> Order:
    """The organisation order of the certificate, as the engine stored it (sensitive answers
    encrypted)."""
    flow = build_engine(services).flows["org"]
    answers = record_of(ORG, ORG_APPLICATION)
    order_no = "CD20261125000777"
    stored = {
        key: services.cipher.encrypt(value, context=answer_context(order_no, key))
        if flow.step(key).sensitive
        else value
        for key, value in answers.items()
    }
    return await Order.create(
        order_no=order_no,
        kind="org",
        project=PROJECT.code,
        status=OrderStatus.COMPLETED,
        owner_openid=OPENID,
        answers=stored,
        subject_name="北京数字认证测试单位",
    )


@pytest.fixture
async def world(
    settings: Settings,
    wechat_api: WeChatApiFake,
    aiohttp_client: Any,
    applet: PivApplet,
    scratch_ca: ScratchCa,
) -> AsyncIterator[World]:
    """The account, a completed order with its certificate on an emulated Key whose PIN is
    locked, the Key's PUK on record; the bridge not started yet."""
    configured = dataclasses.replace(flow_settings(settings, wechat_api), projects=[PROJECT])
    app = create_app(configured, run_worker=False)
    app[BRIDGE_HUB].limits = dataclasses.replace(FAST)
    client: TestClient = await aiohttp_client(app)  # type: ignore[type-arg]
    services = client.app[SERVICES]
    clock = Clock()
    services._sms_codes = SmsCodes(services.store, services.sms, services.lookup_key, clock=clock)
    channel = EmailCodeChannel(services.mailer, "unlock", UNLOCK_CODE_SUBJECT, UNLOCK_CODE_MAIL)
    services._unlock_codes = OneTimeCodes(
        services.store, channel, services.lookup_key, clock=clock, limits=UNLOCK_CODE_LIMITS
    )
    transport = LocalTransport(applet)
    piv = PivCard(transport)
    issued = provision(piv, scratch_ca)
    for _ in range(2):
        with pytest.raises(WrongPin):
            piv.verify_pin("999999")
    with pytest.raises(PinBlocked):
        piv.verify_pin("999999")  # forgotten: the PIN is locked
    transport.insert()
    order = await _record_order(services)
    await Certificate.create(
        order=order,
        kind="org",
        key_serial=KEY_SERIAL,
        serial_hex=format(issued.serial_number, "x"),
        subject_dn=seal(
            services.cipher,
            format(issued.serial_number, "x"),
            "subject_dn",
            issued.subject.rfc4514_string(),
        ),
        owner_openid=OPENID,
        project=PROJECT.code,
        not_before=issued.not_valid_before_utc,
        not_after=issued.not_valid_after_utc,
        certificate_pem=seal(
            services.cipher,
            format(issued.serial_number, "x"),
            "pem",
            issued.public_bytes(Encoding.PEM).decode(),
        ),
    )
    await record_puk(services, KEY_SERIAL, FACTORY_PUK)
    made = World(
        client,
        services,
        Chat(client, wechat_api, OPENID),
        applet,
        transport,
        wechat_api,
        clock,
        PcUser(),
    )
    try:
        yield made
    finally:
        if made.bridge is not None:
            await made.bridge.shutdown()
        if made.stop_pcsc is not None and made.pcsc is not None:
            made.stop_pcsc.set()
            await asyncio.wait_for(made.pcsc, 15)


async def _audits() -> list[dict[str, object]]:
    return [row.after for row in await AuditLog.filter(action="key_unlock").order_by("id")]


async def test_unlock_with_the_sms_code_end_to_end(world: World) -> None:
    await world.connect_bridge()
    first = await world.chat.click("unlock")
    assert "证书解锁：商丘市公共资源交易中心" in first  # read from the Key through the bridge
    assert KEY_SERIAL in first and "139****2222" in first and "13911112222" not in first
    assert "验证码不正确" in await world.chat.say("000000")
    granted = await world.chat.say(world.chat.last_code())
    assert "l***i@example.com" in granted and "30 分钟内有效" in granted
    code = world.emailed_code()
    wrong = "000000" if code != "000000" else "111111"
    # On the PC: a wrong code first, then the right one; a simple PIN, then two that differ.
    world.pc.type(wrong, "123456", NEW_PIN, "135790", NEW_PIN, NEW_PIN)
    await wait_for(lambda: any("授权码不正确，还可以再试 4 次" in p for p in world.pc.prompts))
    world.pc.type(code)
    done = await world.pushed("解锁成功")
    assert "证书解锁：商丘市公共资源交易中心" in done and "请牢记您的新密码" in done
    await wait_for(lambda: any("数字证书解锁成功" in s for s in world.pc.statuses))
    prompts = "\n".join(world.pc.prompts)
    assert "不能是连续的数字" in prompts and "两次输入的 PIN 码不一致" in prompts
    # The bridge sent the code, never the PIN.
    assert world.bridge is not None
    sent = "\n".join(f for f in world.bridge.trace if '"result"' in f)
    assert code in sent and NEW_PIN not in sent
    piv = world.piv()
    piv.verify_pin(NEW_PIN)  # the new PIN works
    with pytest.raises(WrongPuk):  # the released PUK died with the unlock
        piv.reset_pin(FACTORY_PUK.encode(), "975310")
    secret = await KeySecret.get(key_serial=KEY_SERIAL)
    rotated = current_puk(world.services, secret)
    assert rotated != FACTORY_PUK and secret.puk_next is None
    piv.reset_pin(rotated.encode(), "975310")  # the server holds the Key's new PUK
    assert await _audits() == [{"key_serial": KEY_SERIAL, "method": "sms", "result": "unlocked"}]
    assert "请选择要办理的业务" in await world.chat.say("你好")  # the unlock is over
    with pytest.raises(CodeInvalid):  # the authorization code was used up
        await world.services.unlock_codes.verify("lisi@example.com", "unlock", KEY_SERIAL, code)


async def test_other_verification_methods_are_compared_and_limited(world: World) -> None:
    listing = await world.chat.click("unlock")  # no bridge: chosen from the user's certificates
    assert "1. 北京数字认证测试单位｜商丘市公共资源交易中心" in listing
    assert "139****2222" in await world.chat.say("1")
    menu = await world.chat.say("其他验证方式")
    assert "1. 法定代表人信息" in menu and "3. 地址信息" in menu
    await world.chat.say("1")
    for value in ("张三", "13800138000", "1"):
        assert "❌" not in await world.chat.say(value)
    mismatch = await world.chat.say("110105194912310000")  # not the legal person's ID number
    assert "不一致" in mismatch and "法定代表人信息" in mismatch
    await world.chat.say("3")
    await world.chat.say("河南省")
    await world.chat.say("商丘市")
    granted = await world.chat.say("睢阳区神火大道１００号")  # full-width digits still match
    assert "l***i@example.com" in granted and "证书助手" in granted and "回复“继续”" in granted
    assert [a["result"] for a in await _audits()] == ["identity_mismatch"]
    # Connected later: 继续 starts the PC part; 5 wrong codes void the authorization code.
    await world.connect_bridge()
    code = world.emailed_code()
    wrong = "000000" if code != "000000" else "111111"
    world.pc.type(wrong, NEW_PIN, NEW_PIN, wrong, wrong, wrong, wrong)
    await world.chat.say("继续")
    void = await world.pushed("解锁授权码已失效")
    assert "错误次数过多" in void and "重新发送" in void
    world.later(61)
    assert "新的解锁授权码已发送" in await world.chat.say("重新发送")
    fresh = world.emailed_code()
    world.later(1801)  # typed after 30 minutes
    world.pc.type(fresh, NEW_PIN, NEW_PIN)
    await world.chat.say("继续")
    assert "已过期" in await world.pushed("解锁授权码已失效", count=2)
    assert world.applet.pin.tries == 0  # still locked: nothing reached the card
    results = [(a["method"], a["result"]) for a in await _audits()]
    assert results[1:] == [("address", "code_refused")] * 2


async def test_identity_checks_are_limited_per_key(world: World) -> None:
    await world.chat.click("unlock")
    await world.chat.say("1")
    await world.chat.say("其他验证方式")
    for _ in range(3):
        await world.chat.say("3")
        await world.chat.say("北京")
        await world.chat.say("北京")
        assert "不一致" in await world.chat.say("海淀区")
    await world.chat.say("3")
    await world.chat.say("河南")
    await world.chat.say("商丘")
    refused = await world.chat.say("睢阳区神火大道100号")  # right, but too late today
    assert "核验次数过多" in refused
    assert "请选择要办理的业务" in await world.chat.say("你好")


async def test_a_key_whose_puk_is_blocked_cannot_be_unlocked(world: World) -> None:
    world.applet.puk.tries = 0  # someone tried wrong PUKs with another tool
    await world.connect_bridge()
    await world.chat.click("unlock")
    await world.chat.say(world.chat.last_code())
    world.pc.type(world.emailed_code(), NEW_PIN, NEW_PIN)
    blocked = await world.pushed("解锁码已被锁定")
    assert "重新办理数字证书" in blocked and "单位证书新办" in blocked
    assert (await KeySecret.get(key_serial=KEY_SERIAL)).puk_blocked
    assert [a["result"] for a in await _audits()] == ["puk_blocked"]
    again = await world.chat.click("unlock")  # said at once the next time
    assert "解锁码已被锁定" in again and "验证码已发送" not in again


async def test_a_rotation_whose_answer_was_lost_is_completed(world: World) -> None:
    """The card took the last new PUK but the server never heard: the pending PUK unlocks."""
    secret = await KeySecret.get(key_serial=KEY_SERIAL)
    seal = world.services.cipher.encrypt
    secret.puk = seal("87654321", context=puk_context(KEY_SERIAL))  # what the server believed
    secret.puk_next = seal(FACTORY_PUK, context=puk_context(KEY_SERIAL))  # what the card took
    await secret.save()
    await world.connect_bridge()
    await world.chat.click("unlock")
    await world.chat.say(world.chat.last_code())
    world.pc.type(world.emailed_code(), NEW_PIN, NEW_PIN)
    await world.pushed("解锁成功")
    world.piv().verify_pin(NEW_PIN)
    secret = await KeySecret.get(key_serial=KEY_SERIAL)
    assert secret.puk_next is None
    world.piv().reset_pin(current_puk(world.services, secret).encode(), "975310")


async def test_puks_of_produced_keys_are_imported_encrypted(services: Services) -> None:
    lines = ["# key serial,PUK", "HB0001,12345678", "", " HB0002 , 87654321 "]
    assert await import_puks(services, lines) == 2
    secret = await KeySecret.get(key_serial="HB0002")
    assert "87654321" not in secret.puk and current_puk(services, secret) == "87654321"
    with pytest.raises(ValueError, match="line 2"):
        await import_puks(services, ["HB0003,11111111", "HB0004,12"])
    assert not await KeySecret.filter(key_serial="HB0003").exists()  # all or nothing
