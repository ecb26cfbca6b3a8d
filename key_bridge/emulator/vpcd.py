"""A vsmartcard virtual card client: connects an emulated PIV card to the ``vpcd`` reader
driver of pcscd, so that PC/SC programs (the bridge through pyscard, OpenSC) see a card in the
reader "Virtual PCD".

The vpcd protocol: every message is a 2-byte big-endian length and a payload. From the reader,
a 1-byte payload is a control code (0 power off, 1 power on, 2 reset, 4 ask for the ATR; only
the last one is answered); any longer payload is a command APDU, answered with the response
APDU. The reader driver listens (by default on port 35963 for its first slot); the card
connects. Closing the connection is pulling the card out.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Callable

from key_bridge.emulator.applet import PivApplet

DEFAULT_PORT = 0x8C7B  # 35963, the first slot of vpcd's default configuration

CTRL_OFF = 0
CTRL_ON = 1
CTRL_RESET = 2
CTRL_ATR = 4

log = logging.getLogger(__name__)


def _recv_exact(sock: socket.socket, count: int) -> bytes | None:
    data = bytearray()
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            return None
        data += chunk
    return bytes(data)


class VpcdCard:
    """Runs ``applet`` as a card in the vpcd reader at ``host:port`` on a background thread."""

    def __init__(
        self,
        applet: PivApplet,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        pull_out_on: Callable[[bytes], bool] | None = None,
    ):
        self.applet = applet
        self.host = host
        self.port = port
        # Tests of interruptions: the card is pulled out when it receives a matching command,
        # before answering it.
        self.pull_out_on = pull_out_on
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.connected = threading.Event()

    def insert(self, timeout: float = 10.0) -> None:
        """Connect to the reader (the card is inserted); waits until the reader accepted it."""
        if self._thread is not None and self._thread.is_alive():
            raise RuntimeError("card already inserted")
        self._stop.clear()
        self.connected.clear()
        self._thread = threading.Thread(target=self._run, name=f"vpcd-{self.port}", daemon=True)
        self._thread.start()
        if not self.connected.wait(timeout):
            self.remove()
            raise TimeoutError(f"no vpcd reader listening on {self.host}:{self.port}")

    def remove(self) -> None:
        """Disconnect (the card is pulled out)."""
        self._stop.set()
        sock = self._sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._thread = None
        self._sock = None
        self.connected.clear()

    def __enter__(self) -> VpcdCard:
        self.insert()
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()

    def _connect(self) -> socket.socket | None:
        while not self._stop.is_set():
            try:
                return socket.create_connection((self.host, self.port), timeout=1.0)
            except OSError:
                time.sleep(0.1)
        return None

    def _run(self) -> None:
        sock = self._connect()
        if sock is None:
            return
        sock.settimeout(None)
        self._sock = sock
        self.applet.power_on()
        self.connected.set()
        try:
            self._serve(sock)
        except OSError as exc:
            if not self._stop.is_set():
                log.warning("vpcd connection lost: %s", exc)
        finally:
            self.connected.clear()
            sock.close()

    def _serve(self, sock: socket.socket) -> None:
        while not self._stop.is_set():
            header = _recv_exact(sock, 2)
            if header is None:
                return
            payload = _recv_exact(sock, int.from_bytes(header, "big"))
            if payload is None:
                return
            if len(payload) > 1 and self.pull_out_on is not None and self.pull_out_on(payload):
                self.pull_out_on = None
                log.info("card pulled out on command %s", payload[:4].hex())
                return
            answer = self._handle(payload)
            if answer is not None:
                sock.sendall(len(answer).to_bytes(2, "big") + answer)

    def _handle(self, payload: bytes) -> bytes | None:
        if len(payload) == 1:
            code = payload[0]
            if code in (CTRL_ON, CTRL_OFF, CTRL_RESET):  # security state is lost either way
                self.applet.reset()
            elif code == CTRL_ATR:
                return self.applet.atr
            return None
        return self.applet.process(payload)
