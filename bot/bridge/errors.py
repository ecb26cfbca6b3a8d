"""Typed errors of :meth:`bot.bridge.hub.BridgeHub.call`."""

from __future__ import annotations


class BridgeCallError(Exception):
    """Base class: the operation did not complete on the user's Key."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message


class BridgeOffline(BridgeCallError):
    """No bridge is paired with this user, or it is not connected to any server process."""


class BridgeTimeout(BridgeCallError):
    """The bridge took the command but gave no result in time (PC asleep, network gone)."""


class CardError(BridgeCallError):
    """The bridge ran the command and the Key (or the user at the PC) refused it; ``code`` is
    the bridge's error code (``card_removed``, ``pin_blocked``, ``pin_cancelled`` ...) and
    ``message`` its Chinese explanation."""
