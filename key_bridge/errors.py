"""Typed errors of the bridge; ``str(error)`` is the Chinese message shown to the user."""

from __future__ import annotations

from key_bridge import texts


class BridgeError(Exception):
    """Base class: something the user sees, with a message that says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NoKey(BridgeError):
    """No card is present in any reader."""

    def __init__(self) -> None:
        super().__init__(texts.NO_KEY)


class MultipleKeys(BridgeError):
    """More than one card is present: the bridge would not know which to renew."""

    def __init__(self, count: int) -> None:
        super().__init__(texts.MULTIPLE_KEYS)
        self.count = count


class CardRemoved(BridgeError):
    """The card was pulled out (or reset) during the conversation."""

    def __init__(self) -> None:
        super().__init__(texts.CARD_REMOVED)


class KeyBusy(BridgeError):
    """Another program holds the Key exclusively."""

    def __init__(self) -> None:
        super().__init__(texts.KEY_BUSY)


class PcscUnavailable(BridgeError):
    """The PC/SC service (pcscd, Windows Smart Card service) cannot be reached."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(texts.PCSC_UNAVAILABLE)
        self.detail = detail


class InvalidPin(BridgeError, ValueError):
    """The PIN typed does not have the PIV format; nothing was sent to the card."""

    def __init__(self) -> None:
        super().__init__(texts.INVALID_PIN)


class InvalidPuk(BridgeError, ValueError):
    """The PUK does not have the PIV format; nothing was sent to the card."""

    def __init__(self) -> None:
        super().__init__(texts.INVALID_PUK)


class CardError(BridgeError):
    """The card answered with an error status word."""

    def __init__(self, message: str, sw: int) -> None:
        super().__init__(message)
        self.sw = sw


class NotPiv(CardError):
    """The card has no PIV application."""

    def __init__(self, sw: int) -> None:
        super().__init__(texts.NOT_PIV, sw)


class WrongPin(CardError):
    """PIN verification failed; ``retries`` attempts remain (at least one)."""

    def __init__(self, retries: int) -> None:
        super().__init__(texts.WRONG_PIN.format(retries=retries), 0x63C0 | retries)
        self.retries = retries


class PinBlocked(CardError):
    """The PIN retry counter is exhausted: the Key needs an unlock with the PUK."""

    def __init__(self) -> None:
        super().__init__(texts.PIN_BLOCKED, 0x6983)


class WrongPuk(CardError):
    """The PUK was refused; ``retries`` attempts remain."""

    def __init__(self, retries: int) -> None:
        super().__init__(texts.WRONG_PUK.format(retries=retries), 0x63C0 | retries)
        self.retries = retries


class PukBlocked(CardError):
    """The PUK retry counter is exhausted."""

    def __init__(self) -> None:
        super().__init__(texts.PUK_BLOCKED, 0x6983)


class SecurityStatusNotSatisfied(CardError):
    """The command needs the PIN (or the management key) first."""

    def __init__(self, sw: int = 0x6982) -> None:
        super().__init__(texts.PIN_REQUIRED, sw)


class AdminAuthRequired(CardError):
    """The command needs the management key authentication first."""

    def __init__(self, sw: int = 0x6982) -> None:
        super().__init__(texts.ADMIN_REQUIRED, sw)


class AdminAuthFailed(CardError):
    """The card refused the management-key answer."""

    def __init__(self, sw: int) -> None:
        super().__init__(texts.ADMIN_AUTH_FAILED, sw)


class UnsupportedAlgorithm(CardError):
    """The card does not support the requested key algorithm."""

    def __init__(self, sw: int) -> None:
        super().__init__(texts.UNSUPPORTED_ALGORITHM, sw)


class CardStatusError(CardError):
    """Any other error status word."""

    def __init__(self, sw: int) -> None:
        super().__init__(texts.CARD_FAILED.format(sw=sw), sw)


class BadCardData(BridgeError):
    """The card returned data that does not decode."""

    def __init__(self, detail: str) -> None:
        super().__init__(texts.BAD_CARD_DATA)
        self.detail = detail
