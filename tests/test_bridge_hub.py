"""The bridge connection end to end: the real ``/bridge`` endpoint, the bridge program
(:class:`key_bridge.client.BridgeClient`) on an emulated card, pairing through the real signed
WeChat webhook, commands from :meth:`BridgeHub.call`, drops, resumes and several processes."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from cryptography import x509
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_public_key,
)

from bot.app import BRIDGE_HUB, create_app
from bot.bridge.errors import BridgeOffline, BridgeTimeout, CardError
from bot.bridge.hub import BridgeHub, HubLimits
from bot.config import Settings
from bot.csr_check import verify_csr
from bot.sandbox.wechat_api import WeChatApiFake
from bot.wechat.simulator import WeChatSimulator
from key_bridge.controller import CardOperations
from key_bridge.emulator.applet import PivApplet
from key_bridge.emulator.local import LocalTransport
from key_bridge.mgmkey import DEFAULT_MANAGEMENT_KEY, ManagementKeyAlgorithm, answer_challenge
from key_bridge.piv import Transport
from key_bridge.protocol import encode
from tests.conftest import with_wechat
from tests.conftest_card import SUBJECT, ScratchCa, provision

TOKEN = "bridge-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
PIN = "123456"
FAST = HubLimits(heartbeat=0.5, idle=2.0, hello=2.0)


class FakeUi:
    """The user at the PC: answers PIN prompts from a list (None = cancel), records the rest."""

    def __init__(self, pins: list[str | None] | None = None) -> None:
        self.pins = list(pins or [])
        self.statuses: list[str] = []
        self.qr: list[str | None] = []
        self.prompts: list[str] = []
        self.on_prompt: Callable[[], object] | None = None
        self.lock = threading.Lock()

    def status(self, text: str) -> None:
        with self.lock:
            self.statuses.append(text)

    def show_qr(self, url: str | None) -> None:
        with self.lock:
            self.qr.append(url)

    def ask_pin(self, prompt: str) -> str | None:
        with self.lock:
            self.prompts.append(prompt)
        if self.on_prompt is not None:
            self.on_prompt()
        return self.pins.pop(0) if self.pins else None


def bridge_settings(settings: Settings, fake: WeChatApiFake) -> Settings:
    """Settings with the WeChat webhook (signed, safe mode) pointed at the fake."""
    return with_wechat(settings, fake, token=TOKEN, aes_key=AES_KEY)


async def start_app(settings: Settings, aiohttp_client: Any) -> TestClient:  # type: ignore[type-arg]
    """The full application with the hub's timing shortened."""
    app = create_app(settings, run_worker=False)
    app[BRIDGE_HUB].limits = dataclasses.replace(FAST)
    client: TestClient = await aiohttp_client(app)  # type: ignore[type-arg]
    return client


def server_url(client: TestClient) -> str:  # type: ignore[type-arg]
    return str(client.make_url("/bridge"))


def hub_of(client: TestClient) -> BridgeHub:  # type: ignore[type-arg]
    hub: BridgeHub = client.app[BRIDGE_HUB]
    return hub


@dataclasses.dataclass
class RunningBridge:
    """A bridge program running in the test's event loop."""

    client: Any  # BridgeClient
    ui: FakeUi
    stop: asyncio.Event
    task: asyncio.Task[None]
    trace: list[str]

    async def shutdown(self) -> None:
        self.stop.set()
        await asyncio.wait_for(self.task, 10)


async def start_bridge(
    url: str, transport: Transport, ui: FakeUi | None = None, token: str | None = None
) -> RunningBridge:
    """Run the bridge program against ``url`` with ``transport`` as its Key."""
    from key_bridge.client import Backoff, BridgeClient

    ui = ui or FakeUi()
    trace: list[str] = []
    client = BridgeClient(
        url,
        lambda ui_, emit: CardOperations(lambda: transport, ui_, emit),
        ui,
        backoff=Backoff(base=0.05, cap=0.2),
        trace=trace,
    )
    client.token = token
    stop = asyncio.Event()
    task = asyncio.create_task(client.run(stop))
    await asyncio.wait_for(client.connected.wait(), 10)
    return RunningBridge(client, ui, stop, task, trace)


async def wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.02)


async def scan(
    client: TestClient,  # type: ignore[type-arg]
    fake: WeChatApiFake,
    openid: str,
    scene: str,
    event: str = "SCAN",
) -> str:
    """The user scans a QR code in WeChat: the signed event through the real webhook."""
    sim = WeChatSimulator(token=TOKEN, app_id=fake.app_id, encoding_aes_key=AES_KEY)
    key = scene if event == "SCAN" else "qrscene_" + scene
    delivery = sim.event(openid, event, key)
    response = await client.post("/wechat", params=delivery.params, data=delivery.body.encode())
    assert response.status == 200
    return str(sim.open_reply(await response.text()).get("Content", ""))


async def pair(
    client: TestClient,  # type: ignore[type-arg]
    fake: WeChatApiFake,
    bridge: RunningBridge,
    openid: str,
) -> str:
    """Scan the QR code the bridge shows; the scene scanned."""
    await wait_for(lambda: any(bridge.ui.qr))
    url = next(u for u in bridge.ui.qr if u)
    scene = next(q["scene"] for q in fake.qrcodes if q["url"] == url)
    reply = await scan(client, fake, openid, scene)
    assert "已连接电脑上的证书助手" in reply
    await asyncio.wait_for(bridge.client.paired.wait(), 10)
    return str(scene)


@pytest.fixture
async def app_client(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client: Any
) -> TestClient:  # type: ignore[type-arg]
    return await start_app(bridge_settings(settings, wechat_api), aiohttp_client)


@pytest.fixture
def local_card(applet: PivApplet, scratch_ca: ScratchCa) -> LocalTransport:
    """An emulated Key that already holds a certificate (issued earlier by the CA)."""
    from key_bridge.piv import PivCard

    transport = LocalTransport(applet)
    provision(PivCard(transport), scratch_ca)
    transport.insert()  # a fresh power-on, as when the user plugs the Key in
    return transport


@pytest.fixture
async def paired(
    app_client: TestClient,  # type: ignore[type-arg]
    wechat_api: WeChatApiFake,
    local_card: LocalTransport,
) -> AsyncIterator[RunningBridge]:
    bridge = await start_bridge(server_url(app_client), local_card)
    await pair(app_client, wechat_api, bridge, "o-user-bridge-0001")
    yield bridge
    await bridge.shutdown()


def answer(challenge: dict[str, Any]) -> str:
    """The server's side of the management-key challenge."""
    algorithm = ManagementKeyAlgorithm(challenge["algorithm"])
    raw = answer_challenge(
        algorithm, DEFAULT_MANAGEMENT_KEY, base64.b64decode(challenge["challenge"])
    )
    return base64.b64encode(raw).decode()


# -- pairing ------------------------------------------------------------------------------------


async def test_pairing_by_scan_tells_the_bridge_the_masked_user(
    app_client: TestClient,  # type: ignore[type-arg]
    wechat_api: WeChatApiFake,
    local_card: LocalTransport,
) -> None:
    bridge = await start_bridge(server_url(app_client), local_card)
    try:
        openid = "o-user-pairing-7788"
        scene = await pair(app_client, wechat_api, bridge, openid)
        assert scene.startswith("bridge:") and len(scene) > 30
        created = next(q for q in wechat_api.qrcodes if q["scene"] == scene)
        assert created["action_name"] == "QR_STR_SCENE" and created["expire_seconds"] == 300
        assert bridge.client.paired_user == "微信用户（尾号 7788）"
        assert openid not in bridge.client.paired_user
        assert bridge.ui.qr[-1] is None  # the QR code is hidden once scanned
        # The same code scanned again (by anyone) is refused: a token works once.
        again = await scan(app_client, wechat_api, "o-someone-else-1", scene)
        assert "已失效" in again
        hub = hub_of(app_client)
        assert (await hub.call(openid, "card_status", timeout=5))["pin_tries"] == 3
        with pytest.raises(BridgeOffline):
            await hub.call("o-someone-else-1", "card_status", timeout=5)
    finally:
        await bridge.shutdown()


async def test_pairing_by_subscribe_event_and_unknown_scene_refused(
    app_client: TestClient,  # type: ignore[type-arg]
    wechat_api: WeChatApiFake,
    local_card: LocalTransport,
) -> None:
    bridge = await start_bridge(server_url(app_client), local_card)
    try:
        reply = await scan(app_client, wechat_api, "o-guess-000001", "bridge:guessed-token", "SCAN")
        assert "已失效" in reply
        await wait_for(lambda: any(bridge.ui.qr))
        scene = wechat_api.qrcodes[-1]["scene"]
        reply = await scan(app_client, wechat_api, "o-new-follower-9", scene, "subscribe")
        assert "已连接电脑上的证书助手" in reply
        await asyncio.wait_for(bridge.client.paired.wait(), 5)
    finally:
        await bridge.shutdown()


async def test_expired_pairing_token_is_refused(
    app_client: TestClient,  # type: ignore[type-arg]
    wechat_api: WeChatApiFake,
    local_card: LocalTransport,
) -> None:
    bridge = await start_bridge(server_url(app_client), local_card)
    try:
        await wait_for(lambda: any(bridge.ui.qr))
        scene = wechat_api.qrcodes[-1]["scene"]
        store = hub_of(app_client).services.store
        token = scene.removeprefix("bridge:")
        ttl = await store.ttl(f"bridge:pair:{token}")
        assert ttl is not None and 290 < ttl <= 300
        await store.delete(f"bridge:pair:{token}")  # what the 5-minute expiry does
        assert "已失效" in await scan(app_client, wechat_api, "o-late-scanner-1", scene)
        assert not bridge.client.paired.is_set()
    finally:
        await bridge.shutdown()


# -- commands -----------------------------------------------------------------------------------


async def test_renewal_sequence_runs_on_the_card_and_the_pin_stays_on_the_pc(
    paired: RunningBridge,
    app_client: TestClient,  # type: ignore[type-arg]
    scratch_ca: ScratchCa,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    hub, openid = hub_of(app_client), "o-user-bridge-0001"
    paired.ui.pins = ["000000", PIN]  # a typo first: the card counts it, the PC asks again
    seen: list[dict[str, Any]] = []

    async def watch() -> None:
        async with hub.events(openid) as events:
            subscribed.set()
            async for event in events:
                seen.append(event)

    subscribed = asyncio.Event()
    watcher = asyncio.create_task(watch())
    await asyncio.wait_for(subscribed.wait(), 5)
    old = x509.load_pem_x509_certificate(
        (await hub.call(openid, "read_certificate", timeout=5))["certificate"].encode()
    )
    assert old.subject == SUBJECT
    challenge = await hub.call(openid, "admin_challenge", timeout=5)
    await hub.call(openid, "admin_response", {"response": answer(challenge)}, timeout=5)
    key = await hub.call(openid, "generate_key", timeout=10)
    subject = base64.b64encode(old.subject.public_bytes()).decode()
    signed = await hub.call(openid, "sign_csr", {"subject": subject, **key}, timeout=10)
    csr = verify_csr(signed["csr"], old.subject, old.public_key())
    new = scratch_ca.issue(csr.public_key(), old.subject)  # type: ignore[arg-type]
    pem = new.public_bytes(Encoding.PEM).decode()
    written = await hub.call(openid, "write_certificate", {"certificate": pem}, timeout=10)
    assert written["serial"] == f"{new.serial_number:X}"
    again = await hub.call(openid, "read_certificate", timeout=5)
    assert again["certificate"] == pem
    assert load_pem_public_key(key["public_key"].encode()) == new.public_key()
    status = await hub.call(openid, "card_status", timeout=5)
    assert status["pin_verified"] is True
    assert len(paired.ui.prompts) == 2 and "还可以再试 2 次" in paired.ui.prompts[1]
    await wait_for(lambda: len(seen) >= 4)
    watcher.cancel()
    assert [e["name"] for e in seen] == [
        "pin_requested",
        "pin_wrong",
        "pin_requested",
        "pin_entered",
    ]
    assert seen[1]["data"] == {"tries_left": 2}
    # The PIN never left the PC: not in any frame either way, not in the server's logs.
    frames = "\n".join(paired.trace)
    assert '"pin_wrong"' in frames and '"tries_left": 2' in frames
    for secret in (PIN, "000000"):
        assert secret not in frames
        assert secret not in caplog.text


async def test_card_pulled_out_mid_command_is_a_card_error(
    paired: RunningBridge,
    app_client: TestClient,  # type: ignore[type-arg]
    local_card: LocalTransport,
) -> None:
    hub, openid = hub_of(app_client), "o-user-bridge-0001"
    key = {"algorithm": "ECCP256", "public_key": "-----BEGIN PUBLIC KEY-----\n"}
    paired.ui.pins = [PIN]
    paired.ui.on_prompt = local_card.remove  # the Key is pulled while the PIN dialog is open
    subject = base64.b64encode(SUBJECT.public_bytes()).decode()
    with pytest.raises(CardError) as caught:
        await hub.call(openid, "sign_csr", {"subject": subject, **key}, timeout=5)
    assert caught.value.code == "bad_args"  # an unusable public key: refused before the card
    cert = (await hub.call(openid, "read_certificate", timeout=5))["certificate"]
    old = x509.load_pem_x509_certificate(cert.encode())
    key["public_key"] = (
        old.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()
    )
    with pytest.raises(CardError) as caught:
        await hub.call(openid, "sign_csr", {"subject": subject, **key}, timeout=5)
    assert caught.value.code == "card_removed"
    assert "Key 已拔出" in caught.value.message
    await wait_for(lambda: any('"card_removed"' in f and '"event"' in f for f in paired.trace))
    # Put back: the next command opens the card afresh.
    paired.ui.on_prompt = None
    local_card.insert()
    assert (await hub.call(openid, "card_status", timeout=5))["pin_verified"] is False


async def test_pin_cancelled_and_unknown_argument_are_card_errors(
    paired: RunningBridge,
    app_client: TestClient,  # type: ignore[type-arg]
) -> None:
    hub, openid = hub_of(app_client), "o-user-bridge-0001"
    with pytest.raises(CardError) as caught:
        await hub.call(
            openid, "unblock_pin", {"puk": base64.b64encode(b"12345678").decode()}, timeout=5
        )
    assert caught.value.code == "pin_cancelled"
    with pytest.raises(CardError) as caught:
        await hub.call(openid, "generate_key", {"algorithm": "DSA"}, timeout=5)
    assert caught.value.code == "bad_args"
    with pytest.raises(ValueError, match="unknown bridge operation"):
        await hub.call(openid, "format_disk", timeout=5)


async def test_unblock_pin_with_the_puk_from_the_server(
    paired: RunningBridge,
    app_client: TestClient,  # type: ignore[type-arg]
    applet: PivApplet,
) -> None:
    hub, openid = hub_of(app_client), "o-user-bridge-0001"
    paired.ui.pins = ["1", "654321"]  # too short first: nothing is sent to the card
    puk = base64.b64encode(b"12345678").decode()
    await hub.call(openid, "unblock_pin", {"puk": puk}, timeout=5)
    paired.ui.pins = ["654321"]
    challenge = await hub.call(openid, "admin_challenge", timeout=5)
    await hub.call(openid, "admin_response", {"response": answer(challenge)}, timeout=5)
    key = await hub.call(openid, "generate_key", timeout=10)
    subject = base64.b64encode(SUBJECT.public_bytes()).decode()
    await hub.call(openid, "sign_csr", {"subject": subject, **key}, timeout=10)  # new PIN works


# -- offline, timeouts, drops -------------------------------------------------------------------


async def test_unpaired_or_offline_bridge_fails_fast(
    app_client: TestClient,  # type: ignore[type-arg]
    wechat_api: WeChatApiFake,
    local_card: LocalTransport,
) -> None:
    hub = hub_of(app_client)
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(BridgeOffline) as caught:
        await hub.call("o-never-paired-01", "card_status", timeout=30)
    assert caught.value.code == "not_paired"
    bridge = await start_bridge(server_url(app_client), local_card)
    await pair(app_client, wechat_api, bridge, "o-goes-offline-01")
    await bridge.shutdown()
    started = loop.time()
    with pytest.raises(BridgeOffline) as caught:
        await hub.call("o-goes-offline-01", "card_status", timeout=30)
    assert caught.value.code == "offline"
    assert loop.time() - started < 1.0


async def test_a_command_without_answer_times_out(
    paired: RunningBridge,
    app_client: TestClient,  # type: ignore[type-arg]
) -> None:
    hub, openid = hub_of(app_client), "o-user-bridge-0001"
    release = threading.Event()
    paired.ui.on_prompt = release.wait  # the user walks away from the PIN dialog
    paired.ui.pins = [None]
    subject = base64.b64encode(SUBJECT.public_bytes()).decode()
    key = await hub.call(openid, "read_certificate", timeout=5)
    cert = x509.load_pem_x509_certificate(key["certificate"].encode())
    args = {
        "subject": subject,
        "algorithm": "ECCP256",
        "public_key": cert.public_key()
        .public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
        .decode(),
    }
    try:
        with pytest.raises(BridgeTimeout):
            await hub.call(openid, "sign_csr", args, timeout=0.5)
    finally:
        release.set()


async def test_session_resumes_after_the_server_drops_the_socket(
    paired: RunningBridge,
    app_client: TestClient,  # type: ignore[type-arg]
) -> None:
    hub, openid = hub_of(app_client), "o-user-bridge-0001"
    token = paired.client.token
    await hub.close_all()  # the server restarts or the network drops
    await wait_for(lambda: paired.client.connections == 2 and paired.client.connected.is_set())
    assert paired.client.token == token
    assert len([u for u in paired.ui.qr if u]) == 1  # no new QR code, no new scan
    assert (await hub.call(openid, "card_status", timeout=5))["has_certificate"] is True


async def test_an_unknown_session_token_starts_unpaired(
    app_client: TestClient,  # type: ignore[type-arg]
    local_card: LocalTransport,
) -> None:
    bridge = await start_bridge(server_url(app_client), local_card, token="not-a-real-session")
    try:
        await wait_for(lambda: any(bridge.ui.qr))
        assert bridge.client.token != "not-a-real-session"
        assert not bridge.client.paired.is_set()
    finally:
        await bridge.shutdown()


# -- several server processes -------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_call_in_one_process_reaches_the_bridge_connected_to_another(
    settings: Settings,
    wechat_api: WeChatApiFake,
    aiohttp_client: Any,
    local_card: LocalTransport,
) -> None:
    configured = bridge_settings(settings, wechat_api)
    app_a = await start_app(configured, aiohttp_client)
    app_b = await start_app(configured, aiohttp_client)
    bridge = await start_bridge(server_url(app_b), local_card)
    try:
        await pair(app_a, wechat_api, bridge, "o-two-processes-1")  # scanned: webhook on A
        data = await hub_of(app_a).call("o-two-processes-1", "read_certificate", timeout=5)
        assert "BEGIN CERTIFICATE" in data["certificate"]
    finally:
        await bridge.shutdown()
    with pytest.raises(BridgeOffline):
        await hub_of(app_a).call("o-two-processes-1", "card_status", timeout=5)


# -- heartbeats -----------------------------------------------------------------------------------


async def test_heartbeats_keep_a_quiet_bridge_connected(
    paired: RunningBridge,
    app_client: TestClient,  # type: ignore[type-arg]
) -> None:
    await asyncio.sleep(FAST.idle * 2)  # longer than the server waits for a silent socket
    assert paired.client.connections == 1
    assert sum('"ping"' in f for f in paired.trace) >= 3
    status = await hub_of(app_client).call("o-user-bridge-0001", "card_status", timeout=5)
    assert status["pin_tries"] == 3


async def test_a_silent_bridge_is_dropped_and_reported_offline(
    app_client: TestClient,  # type: ignore[type-arg]
    wechat_api: WeChatApiFake,
    local_card: LocalTransport,
) -> None:
    bridge = await start_bridge(server_url(app_client), local_card)
    await pair(app_client, wechat_api, bridge, "o-goes-silent-001")
    token = bridge.client.token
    await bridge.shutdown()
    hub = hub_of(app_client)
    async with app_client.session.ws_connect(server_url(app_client)) as ws:
        await ws.send_str(encode("hello", resume=token, client="silent"))
        welcome = json.loads((await ws.receive(timeout=5)).data)
        assert welcome["paired"] is True and welcome["user"] == "微信用户（尾号 -001）"
        with pytest.raises(BridgeTimeout):  # delivered to the socket, never answered
            await hub.call("o-goes-silent-001", "card_status", timeout=0.3)
        async with asyncio.timeout(FAST.idle * 3):
            kinds = []
            while (message := await ws.receive()).type == aiohttp.WSMsgType.TEXT:
                kinds.append(json.loads(message.data)["type"])
        assert kinds == ["command"] and message.type == aiohttp.WSMsgType.CLOSE
    with pytest.raises(BridgeOffline) as caught:
        await hub.call("o-goes-silent-001", "card_status", timeout=5)
    assert caught.value.code == "offline"


async def test_re_pairing_to_another_user_cuts_off_the_first(
    app_client: TestClient,  # type: ignore[type-arg]
    wechat_api: WeChatApiFake,
) -> None:
    """Spoken frame by frame, as a third-party bridge would."""
    hub = hub_of(app_client)

    async def next_frame(ws: aiohttp.ClientWebSocketResponse, kind: str) -> dict[str, Any]:
        while True:
            frame: dict[str, Any] = json.loads((await ws.receive(timeout=5)).data)
            if frame["type"] == kind:
                return frame

    async with app_client.session.ws_connect(server_url(app_client)) as ws:
        await ws.send_str(encode("hello", resume=None, client="raw"))
        assert (await next_frame(ws, "welcome"))["paired"] is False
        for openid in ("o-first-user-0001", "o-second-user-002"):
            await ws.send_str(encode("pair"))
            url = (await next_frame(ws, "pairing"))["url"]
            scene = next(q["scene"] for q in wechat_api.qrcodes if q["url"] == url)
            assert "已连接" in await scan(app_client, wechat_api, openid, scene)
            assert (await next_frame(ws, "paired"))["user"] == f"微信用户（尾号 {openid[-4:]}）"
        with pytest.raises(BridgeOffline) as caught:
            await hub.call("o-first-user-0001", "card_status", timeout=5)
        assert caught.value.code == "not_paired"
        call = asyncio.create_task(hub.call("o-second-user-002", "card_status", timeout=5))
        command = await next_frame(ws, "command")
        assert command["op"] == "card_status" and command["args"] == {}
        await ws.send_str(encode("result", id=command["id"], ok=True, data={"pin_tries": 1}))
        assert await call == {"pin_tries": 1}
        # The same result again (a retry after a drop) is not delivered twice.
        await ws.send_str(encode("result", id=command["id"], ok=True, data={"pin_tries": 0}))
        assert (await next_frame(ws, "error"))["code"] == "unknown_command"


async def test_a_result_made_while_the_network_was_down_reaches_the_caller(
    paired: RunningBridge,
    app_client: TestClient,  # type: ignore[type-arg]
) -> None:
    hub, openid = hub_of(app_client), "o-user-bridge-0001"
    release = threading.Event()
    paired.ui.on_prompt = release.wait  # the user is typing the PIN when the network drops
    paired.ui.pins = [PIN]
    old = await hub.call(openid, "read_certificate", timeout=5)
    cert = x509.load_pem_x509_certificate(old["certificate"].encode())
    args = {
        "subject": base64.b64encode(cert.subject.public_bytes()).decode(),
        "algorithm": "ECCP256",
        "public_key": cert.public_key()
        .public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
        .decode(),
    }
    call = asyncio.create_task(hub.call(openid, "sign_csr", args, timeout=15))
    try:
        await wait_for(lambda: bool(paired.ui.prompts))
        await hub.close_all()  # the socket the command came on is gone
        await wait_for(lambda: paired.client.connections == 2)
    finally:
        release.set()  # the PIN is entered and the card signs after the drop
    csr = x509.load_pem_x509_csr((await call)["csr"].encode())
    assert csr.is_signature_valid and csr.subject == cert.subject
    assert paired.client.connections == 2


async def test_the_pairing_survives_a_restart_of_the_bridge_program(
    app_client: TestClient,  # type: ignore[type-arg]
    wechat_api: WeChatApiFake,
    local_card: LocalTransport,
    tmp_path: Any,
) -> None:
    from key_bridge.client import BridgeClient

    session_file = tmp_path / "bridge" / "session"
    url = server_url(app_client)

    def program(ui: FakeUi) -> BridgeClient:
        return BridgeClient(
            url,
            lambda u, e: CardOperations(lambda: local_card, u, e),
            ui,
            session_file=session_file,
        )

    first, stop = program(FakeUi()), asyncio.Event()
    task = asyncio.create_task(first.run(stop))
    await asyncio.wait_for(first.connected.wait(), 5)
    running = RunningBridge(first, first.ui, stop, task, [])  # type: ignore[arg-type]
    await pair(app_client, wechat_api, running, "o-restarts-pc-001")
    await running.shutdown()
    assert session_file.stat().st_mode & 0o777 == 0o600
    second_ui = FakeUi()
    second, stop = program(second_ui), asyncio.Event()
    task = asyncio.create_task(second.run(stop))
    try:
        await asyncio.wait_for(second.paired.wait(), 5)  # no QR code, no scan
        assert second.token == first.token and (second.paired_user or "").endswith("-001）")
        assert not any(second_ui.qr)
        assert await hub_of(app_client).call("o-restarts-pc-001", "card_status", timeout=5)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
