"""Key unlock over the real PC/SC stack (pyscard → pcscd → vpcd → the emulated card): the
bridge program as installed on a PC. Run under the card-stack lock (one pcscd per machine)."""

from __future__ import annotations

import pytest

from key_bridge.emulator.vpcd import VpcdCard
from key_bridge.errors import WrongPuk
from tests.conftest_card import CardStack
from tests.test_unlock import FACTORY_PUK, KEY_SERIAL, NEW_PIN, World
from tests.test_unlock import world as world  # the fixture


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_unlock_over_the_real_pcsc_stack(
    world: World, card_stack: CardStack, vpcd_card: VpcdCard
) -> None:
    """The same unlock with the Key in a PC/SC reader (pyscard → pcscd → vpcd → the card)."""
    await world.connect_bridge_over_pcsc()
    assert KEY_SERIAL in await world.chat.click("unlock")
    await world.chat.say(world.chat.last_code())
    world.pc.type(world.emailed_code(), NEW_PIN, NEW_PIN)
    await world.pushed("解锁成功")
    world.piv().verify_pin(NEW_PIN)
    with pytest.raises(WrongPuk):
        world.piv().reset_pin(FACTORY_PUK.encode(), "975310")
