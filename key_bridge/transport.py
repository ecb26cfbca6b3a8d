"""PC/SC access through pyscard: readers, the one Key present, a transport to it, and a monitor
that notices a Key being inserted or pulled out.

Uses pyscard's thin ``smartcard.scard`` layer so every PC/SC result code is seen and mapped:
the service missing → :class:`PcscUnavailable`, a card gone or reset under us →
:class:`CardRemoved`.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any

from smartcard import scard

from key_bridge.errors import CardRemoved, KeyBusy, MultipleKeys, NoKey, PcscUnavailable

_SERVICE_ERRORS = {
    scard.SCARD_E_NO_SERVICE,
    scard.SCARD_E_SERVICE_STOPPED,
    scard.SCARD_E_INVALID_HANDLE,
}
# Pseudo reader of PC/SC that changes state when a reader is plugged in or out.
_PNP_READER = "\\\\?PnP?\\Notification"


def _error_text(hresult: int) -> str:
    return f"{scard.SCardGetErrorMessage(hresult)} (0x{hresult & 0xFFFFFFFF:08X})"


class PcscContext:
    """A PC/SC context: lists readers and the cards in them, connects to the single Key."""

    def __init__(self) -> None:
        hresult, handle = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hresult != scard.SCARD_S_SUCCESS:
            raise PcscUnavailable(_error_text(hresult))
        self._handle: Any = handle

    def close(self) -> None:
        """Release the context (idempotent)."""
        if self._handle is not None:
            scard.SCardReleaseContext(self._handle)
            self._handle = None

    def __enter__(self) -> PcscContext:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def readers(self) -> list[str]:
        """Names of the readers plugged in (possibly none)."""
        hresult, names = scard.SCardListReaders(self._handle, [])
        if hresult in (scard.SCARD_E_NO_READERS_AVAILABLE, scard.SCARD_E_READER_UNAVAILABLE):
            return []
        if hresult != scard.SCARD_S_SUCCESS:
            raise PcscUnavailable(_error_text(hresult))
        return [str(name) for name in names]

    def cards_present(self) -> list[str]:
        """Readers that hold a card right now."""
        for _ in range(3):  # a reader unplugged between listing and asking: list again
            names = self.readers()
            if not names:
                return []
            states = [(name, scard.SCARD_STATE_UNAWARE) for name in names]
            hresult, new_states = scard.SCardGetStatusChange(self._handle, 0, states)
            if hresult == scard.SCARD_E_UNKNOWN_READER:
                continue
            if hresult not in (scard.SCARD_S_SUCCESS, scard.SCARD_E_TIMEOUT):
                raise PcscUnavailable(_error_text(hresult))
            present = scard.SCARD_STATE_PRESENT
            return [str(name) for name, event, _atr in new_states if event & present]
        raise PcscUnavailable("readers keep changing")

    def single_key(self) -> str:
        """The reader holding the only card present: NoKey or MultipleKeys otherwise."""
        present = self.cards_present()
        if not present:
            raise NoKey()
        if len(present) > 1:
            raise MultipleKeys(len(present))
        return present[0]

    def wait_for_change(self, timeout: float) -> list[str]:
        """Block until a card or reader comes or goes (or ``timeout`` seconds); returns the
        readers holding a card afterwards."""
        names = self.readers()
        watched = [(name, scard.SCARD_STATE_UNAWARE) for name in [*names, _PNP_READER]]
        hresult, current = scard.SCardGetStatusChange(self._handle, 0, watched)
        if hresult not in (scard.SCARD_S_SUCCESS, scard.SCARD_E_TIMEOUT):
            raise PcscUnavailable(_error_text(hresult))
        states = [(name, event & ~scard.SCARD_STATE_CHANGED) for name, event, _atr in current]
        hresult, _ = scard.SCardGetStatusChange(self._handle, int(timeout * 1000), states)
        if hresult not in (
            scard.SCARD_S_SUCCESS,
            scard.SCARD_E_TIMEOUT,
            scard.SCARD_E_UNKNOWN_READER,
        ):
            raise PcscUnavailable(_error_text(hresult))
        return self.cards_present()

    def connect(self, reader: str | None = None) -> PcscTransport:
        """A transport to the card in ``reader`` (default: the single Key present)."""
        reader = reader or self.single_key()
        hresult, card, protocol = scard.SCardConnect(
            self._handle,
            reader,
            scard.SCARD_SHARE_SHARED,
            scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1,
        )
        if hresult in _SERVICE_ERRORS:
            raise PcscUnavailable(_error_text(hresult))
        if hresult == scard.SCARD_E_SHARING_VIOLATION:
            raise KeyBusy()
        if hresult != scard.SCARD_S_SUCCESS:
            raise CardRemoved()
        return PcscTransport(reader, card, protocol)


class PcscTransport:
    """A :class:`key_bridge.piv.Transport` over a PC/SC card handle."""

    def __init__(self, reader: str, card: Any, protocol: int) -> None:
        self.reader = reader
        self._card: Any = card
        self._protocol = protocol

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        """Exchange one APDU; CardRemoved when the card is gone or was reset meanwhile."""
        if self._card is None:
            raise CardRemoved()
        hresult, response = scard.SCardTransmit(self._card, self._protocol, list(apdu))
        if hresult in (scard.SCARD_E_NO_SERVICE, scard.SCARD_E_SERVICE_STOPPED):
            raise PcscUnavailable(_error_text(hresult))
        if hresult == scard.SCARD_E_SHARING_VIOLATION:
            raise KeyBusy()
        if hresult != scard.SCARD_S_SUCCESS or len(response) < 2:
            raise CardRemoved()
        return bytes(response[:-2]), (response[-2] << 8) | response[-1]

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the card for a sequence of commands (PIN, then signature) so that no other
        program's commands come in between."""
        if self._card is None:
            raise CardRemoved()
        hresult = scard.SCardBeginTransaction(self._card)
        if hresult == scard.SCARD_E_SHARING_VIOLATION:
            raise KeyBusy()
        if hresult != scard.SCARD_S_SUCCESS:
            raise CardRemoved()
        try:
            yield
        finally:
            if self._card is not None:
                scard.SCardEndTransaction(self._card, scard.SCARD_LEAVE_CARD)

    def close(self) -> None:
        """Disconnect, leaving the card as it is (idempotent)."""
        if self._card is not None:
            scard.SCardDisconnect(self._card, scard.SCARD_LEAVE_CARD)
            self._card = None


class KeyMonitor:
    """Calls ``on_change(readers holding a card)`` from a background thread whenever a Key is
    inserted or pulled out (and once at start). Uses its own PC/SC context."""

    def __init__(self, on_change: Callable[[list[str]], None], poll: float = 0.5) -> None:
        self._on_change = on_change
        self._poll = poll
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="key-monitor", daemon=True)
        self.error: Exception | None = None

    def start(self) -> KeyMonitor:
        """Start watching."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop watching (returns within about one poll interval)."""
        self._stop.set()
        self._thread.join(timeout=self._poll * 4 + 1)

    def _run(self) -> None:
        last: list[str] | None = None
        try:
            with PcscContext() as context:
                while not self._stop.is_set():
                    present = sorted(
                        context.wait_for_change(self._poll)
                        if last is not None
                        else context.cards_present()
                    )
                    if present != last:
                        last = present
                        self._on_change(present)
        except PcscUnavailable as exc:
            self.error = exc
