"""The world of the renewal tests: the account (signed webhook, WeChat and Pay fakes), the
built-in CA, an organisation order whose certificate (issued by that CA, expiring when the test
says) is on an emulated Key with its PUK and management key on record, and the user at the PC.
The bridge runs in-process on the emulated Key, or as installed over the real PC/SC stack."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from bot.app import BRIDGE_HUB, SERVICES, create_app
from bot.ca import ORG, BuiltinCA, IssuedCertificate, subject_from_answers
from bot.ca.records import record_issued
from bot.config import Settings
from bot.key_secrets import record_management_key, record_puk
from bot.outbox import utcnow
from bot.sandbox.wechat_api import WeChatApiFake
from bot.sandbox.wechat_pay import WeChatPayFake, pay_settings
from bot.services import Services
from bot.sms_codes import SmsCodes
from bot.worker import Worker
from key_bridge.controller import run_bridge
from key_bridge.csr import card_csr
from key_bridge.emulator.applet import PivApplet
from key_bridge.emulator.local import LocalTransport
from key_bridge.mgmkey import DEFAULT_MANAGEMENT_KEY, ManagementKeyAlgorithm
from key_bridge.piv import PivCard
from models.certificates import Certificate
from models.keys import KeySecret
from models.orders import Order
from models.payments import Payment
from tests.conftest_card import server_answer
from tests.fakes.fixtures import MerchantCredentials
from tests.test_application_flows import Chat, flow_settings
from tests.test_bridge_hub import FAST, RunningBridge, start_bridge, wait_for
from tests.test_unlock import KEY_SERIAL, OPENID, PROJECT, Clock, PcUser, _record_order

PIN = "123456"  # the emulated card's factory PIN
RENEW_PRICES = {"renew_org_1": 25000, "renew_org_2": 45000}


class PcAtHand(PcUser):
    """The user at the PC, who may pull the Key out when a given step shows on the bridge."""

    def __init__(self) -> None:
        super().__init__()
        self.on_status: dict[str, Callable[[], None]] = {}

    def status(self, text: str) -> None:
        super().status(text)
        for words, act in list(self.on_status.items()):
            if words in text:
                del self.on_status[words]
                act()


@dataclasses.dataclass
class RenewalWorld:
    client: TestClient  # type: ignore[type-arg]
    services: Services
    chat: Chat
    applet: PivApplet
    card: LocalTransport
    fake: WeChatApiFake
    pay: WeChatPayFake
    pc: PcAtHand
    ca: BuiltinCA
    order: Order
    clock: Clock
    old: Certificate | None = None
    bridge: RunningBridge | None = None
    stop_pcsc: asyncio.Event | None = None
    pcsc: asyncio.Task[None] | None = None

    async def issue_old(self, not_after: datetime) -> Certificate:
        """Put the certificate being renewed on the Key (issued by the CA, expiring then)."""
        piv = PivCard(self.card)
        piv.select()
        piv.authenticate_admin(server_answer())
        algorithm, public_key = piv.generate_key()
        piv.verify_pin(PIN)
        answers = {key: str(value) for key, value in _clear_answers(self).items()}
        info = subject_from_answers("org", answers)
        csr = card_csr(piv, info.to_name(), public_key, algorithm)
        issued = await self.ca.issue(
            csr.public_bytes(Encoding.DER),
            ORG,
            not_after - timedelta(days=730),
            not_after,
            subject=info,
        )
        piv.write_certificate(issued.certificate)
        self.card.insert()  # plugged in afresh: the PIN is not verified any more
        self.old = await record_issued(
            self.services.cipher, self.order, issued, key_serial=KEY_SERIAL
        )
        return self.old

    async def connect_bridge(self) -> None:
        """Start the bridge program (in-process) and pair it by scanning its QR code."""
        url = str(self.client.make_url("/bridge"))
        shown = len(self.fake.qrcodes)
        self.bridge = await start_bridge(url, self.card, ui=self.pc)  # type: ignore[arg-type]
        await self._scan(shown)
        await asyncio.wait_for(self.bridge.client.paired.wait(), 10)

    async def connect_bridge_over_pcsc(self) -> None:
        """The bridge program as installed: the Key reached through PC/SC."""
        self.stop_pcsc = asyncio.Event()
        url = str(self.client.make_url("/bridge"))
        shown = len(self.fake.qrcodes)
        self.pcsc = asyncio.create_task(run_bridge(url, self.pc, self.stop_pcsc))
        await self._scan(shown)
        await wait_for(lambda: any("已连接微信" in s for s in self.pc.statuses))

    async def _scan(self, shown: int) -> None:
        """Scan the bridge's new QR code (the ``shown``-th and earlier are used up)."""
        await wait_for(lambda: len(self.fake.qrcodes) > shown)
        scene = self.fake.qrcodes[-1]["scene"]
        self.chat.clicks += 1
        created = self.chat.sim.now() + self.chat.clicks
        event = self.chat.sim.event(self.chat.openid, "SCAN", scene, create_time=created)
        assert "已连接电脑上的证书助手" in await self.chat._post(event)

    async def order_renewal(self, years_choice: str = "1") -> str:
        """证书更新 → years → SMS code → 确认订单; the text shown before the years."""
        shown = await self.chat.click("renew")
        assert "续期" in shown, shown
        assert "验证码已发送" in await self.chat.say(years_choice)
        summary = await self.chat.say(self.chat.last_code())
        assert "确认订单" in summary and "数字证书来源：商丘市公共资源交易中心" in summary
        assert "订单已提交" in await self.chat.say("确认订单")
        return shown

    async def pay_order(self, payment: Payment | None = None) -> Payment:
        """The payer scans the QR code (the latest one by default) and pays; WeChat Pay
        notifies certdesk."""
        payment = (
            payment or await Payment.filter(order__owner_openid=OPENID).order_by("-id").first()
        )
        assert payment is not None
        await self.pay.pay(payment.out_trade_no, notify=False)
        notification = self.pay.transaction_notification(payment.out_trade_no)
        response = await self.client.post(
            "/pay/notify", data=notification.body, headers=notification.headers
        )
        assert response.status == 204
        return payment

    async def run_jobs(self) -> None:
        """The worker runs what is due (the renewal's PC part among it)."""
        await Worker(self.services).run_until_idle()

    def pushed(self) -> list[str]:
        return [
            m.body.get("text", {}).get("content", "")
            for m in self.fake.messages_to(OPENID)
            if m.body.get("msgtype") == "text"
        ]

    def piv(self) -> PivCard:
        """The Key's PIV application, reached directly (not through the bridge)."""
        piv = PivCard(LocalTransport(self.applet))
        piv.select()
        return piv

    def on_key(self) -> x509.Certificate:
        """The certificate in slot 9A of the Key, read directly."""
        cert = self.piv().read_certificate()
        assert cert is not None
        return cert

    async def shutdown(self) -> None:
        if self.bridge is not None:
            await self.bridge.shutdown()
        if self.stop_pcsc is not None and self.pcsc is not None:
            self.stop_pcsc.set()
            await asyncio.wait_for(self.pcsc, 15)


def _clear_answers(world: RenewalWorld) -> dict[str, Any]:
    from bot.engine import decrypt_answers
    from handlers.applications import build_engine

    flow = build_engine(world.services).flows["org"]
    return decrypt_answers(world.services, flow, world.order)


async def make_world(
    settings: Settings,
    wechat_api: WeChatApiFake,
    wechat_pay: WeChatPayFake,
    merchant: MerchantCredentials,
    aiohttp_client: Any,
    applet: PivApplet,
    tmp_path: Path,
    templates: dict[str, str] | None = None,
) -> RenewalWorld:
    """The account with Pay and the built-in CA, the original order, its Key's secrets
    (``templates``: the ``[notices]`` template ids)."""
    base = flow_settings(settings, wechat_api)
    configured = pay_settings(base, wechat_pay, merchant, tmp_path / "pay")
    configured = dataclasses.replace(
        configured,
        projects=[PROJECT],
        prices={**configured.prices, **RENEW_PRICES},
        ca=dataclasses.replace(configured.ca, path=str(tmp_path / "ca")),
        service=dataclasses.replace(
            configured.service, bridge_download_url="https://ca.example.cn/assistant"
        ),
        notices=dataclasses.replace(configured.notices, templates=templates or {}),
        server=dataclasses.replace(configured.server, dev=True),  # console cookies over http
    )
    app = create_app(configured, run_worker=False)
    app[BRIDGE_HUB].limits = dataclasses.replace(FAST)
    client: TestClient = await aiohttp_client(app)  # type: ignore[type-arg]
    services = client.app[SERVICES]
    clock = Clock()
    services._sms_codes = SmsCodes(services.store, services.sms, services.lookup_key, clock=clock)
    ca = BuiltinCA(configured.ca.path, services.cipher)
    ca.init("商丘测试数字认证", "ecdsa-p256")
    order = await _record_order(services)
    secret: KeySecret = await record_puk(services, KEY_SERIAL, "12345678")
    await record_management_key(
        services, secret, ManagementKeyAlgorithm.TDES, DEFAULT_MANAGEMENT_KEY
    )
    return RenewalWorld(
        client,
        services,
        Chat(client, wechat_api, OPENID),
        applet,
        LocalTransport(applet),
        wechat_api,
        wechat_pay,
        PcAtHand(),
        ca,
        order,
        clock,
    )


def now() -> datetime:
    return utcnow()


def issued_of(cert: x509.Certificate) -> IssuedCertificate:
    return IssuedCertificate(cert, ())
