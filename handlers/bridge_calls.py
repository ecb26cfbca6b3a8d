"""What the PC parts of the unlock and the renewal share: asking whether the user's bridge is
there, and telling an outcome both in the chat and on the PC."""

from __future__ import annotations

import contextlib

from bot.bridge.errors import BridgeCallError, BridgeOffline, BridgeTimeout, CardError
from bot.bridge.hub import BridgeHub
from bot.logs import get_logger
from bot.services import Services
from bot.wechat.client import WeChatAPIError, WeChatUnavailable

log = get_logger(__name__)

CHECK_TIMEOUT = 10.0  # seconds the bridge has to answer "are you there"
SHOW_TIMEOUT = 30.0
PC_MESSAGE_CHARS = 400


async def bridge_ready(hub: BridgeHub, openid: str) -> bool:
    """Whether the user's bridge is paired and connected now (a Key problem still counts as
    connected: the run reports it)."""
    try:
        await hub.call(openid, "card_status", timeout=CHECK_TIMEOUT)
    except (BridgeOffline, BridgeTimeout):
        return False
    except CardError:
        return True
    return True


async def tell_chat_and_pc(
    services: Services, hub: BridgeHub, openid: str, chat: str, pc: str = ""
) -> None:
    """Push ``chat`` to the WeChat user and show ``pc`` (else ``chat``) on their bridge when it
    is still there; neither failing stops the other."""
    try:
        await services.wechat.send_text(openid, chat)
    except (WeChatAPIError, WeChatUnavailable) as exc:
        log.warning("outcome not pushed", extra={"error": type(exc).__name__})
    message = (pc or chat)[:PC_MESSAGE_CHARS]
    with contextlib.suppress(BridgeCallError):  # the chat has heard it
        await hub.call(openid, "show_message", {"message": message}, timeout=SHOW_TIMEOUT)
