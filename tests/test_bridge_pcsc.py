"""The bridge program over the real PC/SC stack (pyscard → pcscd → vpcd → emulated PIV card):
paired by a WeChat scan, driven by :meth:`BridgeHub.call`, and the Key pulled out."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from cryptography import x509

from bot.bridge.errors import CardError
from bot.config import Settings
from bot.sandbox.wechat_api import WeChatApiFake
from key_bridge.controller import run_bridge
from key_bridge.emulator.vpcd import VpcdCard
from key_bridge.piv import PivCard
from key_bridge.transport import PcscContext
from tests.conftest_card import SUBJECT, CardStack, ScratchCa, provision
from tests.test_bridge_hub import (
    FakeUi,
    bridge_settings,
    hub_of,
    scan,
    server_url,
    start_app,
    wait_for,
)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_bridge_over_pcsc_reads_the_key_and_notices_its_removal(
    settings: Settings,
    wechat_api: WeChatApiFake,
    aiohttp_client: Any,
    card_stack: CardStack,
    vpcd_card: VpcdCard,
    scratch_ca: ScratchCa,
) -> None:
    with PcscContext() as context:
        transport = context.connect()
        try:
            provision(PivCard(transport), scratch_ca)
        finally:
            transport.close()
    app: TestClient = await start_app(  # type: ignore[type-arg]
        bridge_settings(settings, wechat_api), aiohttp_client
    )
    ui = FakeUi(pins=["123456"])
    stop = asyncio.Event()
    task = asyncio.create_task(run_bridge(server_url(app), ui, stop))
    try:
        await wait_for(lambda: any(ui.qr))
        url = next(u for u in ui.qr if u)
        scene = next(q["scene"] for q in wechat_api.qrcodes if q["url"] == url)
        assert "已连接电脑上的证书助手" in await scan(app, wechat_api, "o-pcsc-user-0042", scene)
        await wait_for(lambda: any("已连接微信" in s for s in ui.statuses))
        hub = hub_of(app)
        status = await hub.call("o-pcsc-user-0042", "card_status", timeout=10)
        assert status["reader"].startswith("Virtual PCD") and status["pin_tries"] == 3
        pem = (await hub.call("o-pcsc-user-0042", "read_certificate", timeout=10))["certificate"]
        assert x509.load_pem_x509_certificate(pem.encode()).subject == SUBJECT
        vpcd_card.remove()
        card_stack.wait_for_cards(0)
        with pytest.raises(CardError) as caught:
            await hub.call("o-pcsc-user-0042", "card_status", timeout=10)
        assert caught.value.code in {"card_removed", "no_key"}
        await wait_for(lambda: any("未检测到 Key" in s for s in ui.statuses))
        vpcd_card.insert()
        card_stack.wait_for_cards(1)
        status = await hub.call("o-pcsc-user-0042", "card_status", timeout=10)
        assert status["has_certificate"] is True
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
