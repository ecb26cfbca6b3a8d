"""Certificate renewal over the real PC/SC stack (pyscard → pcscd → vpcd → the emulated Key):
the bridge program as installed on a PC, and OpenSC reading the renewed certificate. Run under
the card-stack lock (one pcscd per machine)."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest
from cryptography import x509

from key_bridge.emulator.vpcd import VpcdCard
from models.renewals import Renewal, RenewalState
from tests.conftest_card import CardStack
from tests.renewal_world import PIN, RenewalWorld, now
from tests.test_renewal import _renewed_once
from tests.test_renewal import world as world  # the fixture


def _opensc(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_renewal_over_the_real_pcsc_stack_and_opensc_reads_it(
    world: RenewalWorld, card_stack: CardStack, vpcd_card: VpcdCard
) -> None:
    old = await world.issue_old(now() + timedelta(days=20))
    await world.connect_bridge_over_pcsc()
    await world.order_renewal()
    world.pc.type(PIN)
    await world.pay_order()
    await world.run_jobs()
    new = await _renewed_once(world)
    assert new.not_before == old.not_after
    read = _opensc("pkcs15-tool", "--read-certificate", "01")
    renewed = x509.load_pem_x509_certificate(read.stdout.encode())
    assert format(renewed.serial_number, "x") == new.serial_hex, read.stderr
    assert renewed.not_valid_after_utc == new.not_after


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_key_pulled_during_write_back_over_pcsc_is_resumed(
    world: RenewalWorld, card_stack: CardStack, vpcd_card: VpcdCard
) -> None:
    await world.issue_old(now() - timedelta(days=3))
    await world.connect_bridge_over_pcsc()
    await world.order_renewal()
    world.pc.on_status["正在核对写入的证书"] = vpcd_card.remove
    world.pc.type(PIN)
    await world.pay_order()
    await world.run_jobs()
    assert (await Renewal.get()).state is RenewalState.ISSUED
    assert any("证书更新未完成" in text for text in world.pushed())
    card_stack.wait_for_cards(0)  # PC/SC has seen the Key go
    vpcd_card.insert()
    card_stack.wait_for_cards(1)
    assert "正在继续" in await world.chat.say("继续")
    await world.run_jobs()
    renewal = await Renewal.get()
    assert renewal.state is RenewalState.WRITTEN, (renewal.last_error, world.pushed())
    await _renewed_once(world)
