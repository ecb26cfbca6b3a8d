"""An in-process :class:`~key_bridge.piv.Transport` to an emulated card, with removal."""

from __future__ import annotations

from key_bridge.emulator.applet import PivApplet
from key_bridge.errors import CardRemoved
from key_bridge.iso7816 import split_response


class LocalTransport:
    """Talks straight to ``applet``; ``remove()`` makes every exchange fail as with a real
    card pulled out, ``insert()`` powers the card on again (security state lost)."""

    def __init__(self, applet: PivApplet) -> None:
        self.applet = applet
        self.present = True
        self.headers: list[bytes] = []  # CLA INS P1 P2 of each command sent (never the data)

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        """Exchange one APDU with the emulated card."""
        if not self.present:
            raise CardRemoved()
        self.headers.append(apdu[:4])
        return split_response(self.applet.process(apdu))

    def remove(self) -> None:
        """Pull the card out."""
        self.present = False

    def insert(self) -> None:
        """Put the card back (a fresh power-on)."""
        self.applet.power_on()
        self.present = True
