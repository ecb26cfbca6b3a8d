"""The bridge's one outbound WebSocket to the server's ``/bridge`` (protocol:
:mod:`key_bridge.protocol`).

:class:`BridgeClient` connects, says hello (with the session token of its last connection, so a
network drop never needs a new scan), asks for a pairing QR code while no WeChat user is linked,
pings every heartbeat, and runs the server's commands one at a time on the Key through
:class:`~key_bridge.controller.CardOperations` in a worker thread. Results and events produced
while the network is down are kept and sent after the reconnection. Reconnects with exponential
backoff and full jitter. TLS (``wss://``) is required except for a server on this machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp

from key_bridge.controller import STATUS, BridgeUi, CardOperations, OperationError, error_code
from key_bridge.errors import BridgeError
from key_bridge.protocol import MAX_FRAME, Frame, ProtocolError, encode, parse_server_frame

log = logging.getLogger(__name__)

CLIENT_NAME = "key-bridge/1"
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


def bridge_url(server: str) -> str:
    """The WebSocket URL of ``server`` (``https://host`` → ``wss://host/bridge``); plain
    ``ws://`` only for a server on this machine."""
    parts = urlsplit(server if "://" in server else "https://" + server)
    scheme = {"https": "wss", "http": "ws"}.get(parts.scheme, parts.scheme)
    if scheme not in ("ws", "wss") or not parts.hostname:
        raise ValueError(f"not a server address: {server!r}")
    if scheme == "ws" and parts.hostname not in LOOPBACK:
        raise ValueError("the server must be reached over TLS (https:// or wss://)")
    path = parts.path if parts.path not in ("", "/") else "/bridge"
    return urlunsplit((scheme, parts.netloc, path, "", ""))


@dataclass
class Backoff:
    """Reconnection delays: full jitter over ``base * 2**attempt``, at most ``cap`` seconds."""

    base: float = 1.0
    cap: float = 60.0
    attempt: int = 0

    def next_delay(self) -> float:
        """The delay before the next attempt (and count the attempt)."""
        ceiling = min(self.cap, self.base * 2**self.attempt)
        self.attempt = min(self.attempt + 1, 30)
        return secrets.SystemRandom().uniform(ceiling / 10, ceiling)

    def reset(self) -> None:
        """A connection succeeded: start again from ``base``."""
        self.attempt = 0


class BridgeClient:
    """The bridge's connection; :meth:`run` until ``stop`` is set."""

    def __init__(
        self,
        server: str,
        operations: Callable[[BridgeUi, Callable[[str, dict[str, Any]], None]], CardOperations],
        ui: BridgeUi,
        *,
        session_file: Path | None = None,
        backoff: Backoff | None = None,
        trace: list[str] | None = None,
    ) -> None:
        self.url = bridge_url(server)
        self.ui = ui
        self.operations = operations(ui, self._emit_threadsafe)
        self.session_file = session_file
        self.backoff = backoff or Backoff()
        self.trace = trace  # every frame sent or received, for diagnostics and tests
        self.token: str | None = self._load_token()
        self.paired_user: str | None = None
        self.connections = 0  # sockets opened so far
        self.connected = asyncio.Event()
        self.paired = asyncio.Event()
        self._unsent: list[str] = []
        self._wake = asyncio.Event()
        self._commands: asyncio.Queue[Frame] = asyncio.Queue()
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        with contextlib.suppress(RuntimeError):
            self._loop = asyncio.get_running_loop()

    # -- session token --------------------------------------------------------------------------

    def _load_token(self) -> str | None:
        if self.session_file is None or not self.session_file.exists():
            return None
        return self.session_file.read_text().strip() or None

    def _save_token(self, token: str) -> None:
        self.token = token
        if self.session_file is not None:
            self.session_file.parent.mkdir(parents=True, exist_ok=True)
            self.session_file.write_text(token)
            self.session_file.chmod(0o600)

    # -- sending -------------------------------------------------------------------------------

    def _queue(self, kind: str, **body: Any) -> None:
        self._unsent.append(encode(kind, **body))
        self._wake.set()

    def _emit_threadsafe(self, name: str, data: dict[str, Any]) -> None:
        """An event from the card worker thread."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(lambda: self._queue("event", name=name, data=data))

    async def _sender(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Send queued frames in order; a frame leaves the queue only once sent."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._unsent:
                await ws.send_str(self._unsent[0])
                if self.trace is not None:
                    self.trace.append(self._unsent[0])
                self._unsent.pop(0)

    async def close(self) -> None:
        """Close the socket (the run loop then reconnects unless stopped)."""
        if self._ws is not None:
            await self._ws.close()

    # -- the loops -----------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Stay connected until ``stop`` is set, running commands as they come."""
        self._loop = asyncio.get_running_loop()
        worker = asyncio.create_task(self._worker())
        try:
            timeout = aiohttp.ClientTimeout(total=None, connect=10, sock_connect=10)
            async with aiohttp.ClientSession(timeout=timeout) as http:
                while not stop.is_set():
                    self.ui.status(STATUS["connecting" if not self.connections else "reconnecting"])
                    with contextlib.suppress(aiohttp.ClientError, OSError, TimeoutError):
                        await self._connection(http, stop)
                    self.connected.clear()
                    if stop.is_set():
                        break
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), self.backoff.next_delay())
        finally:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
            await asyncio.to_thread(self.operations.close)

    async def _connection(self, http: aiohttp.ClientSession, stop: asyncio.Event) -> None:
        async with http.ws_connect(self.url, max_msg_size=MAX_FRAME) as ws:
            self._ws = ws
            self.connections += 1
            await ws.send_str(encode("hello", resume=self.token, client=CLIENT_NAME))
            welcome = await self._receive(ws, 10)
            if welcome is None or welcome.type != "welcome":
                return
            self._save_token(welcome.get("session"))
            self.backoff.reset()
            heartbeat: float = welcome.get("heartbeat")
            self.connected.set()
            self.ui.status(STATUS["connected"])
            if welcome.get("paired"):
                self._on_paired(welcome.get("user"))
            else:
                self._queue("pair")
            tasks = [
                asyncio.create_task(self._sender(ws)),
                asyncio.create_task(self._pinger(heartbeat)),
                asyncio.create_task(self._reader(ws, heartbeat)),
                asyncio.create_task(stop.wait()),
            ]
            self._wake.set()
            try:
                await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                self._ws = None

    async def _receive(self, ws: aiohttp.ClientWebSocketResponse, idle: float) -> Frame | None:
        """The next valid frame; None when the socket closed or went silent."""
        while True:
            try:
                message = await ws.receive(timeout=idle)
            except TimeoutError:
                return None
            if message.type != aiohttp.WSMsgType.TEXT:
                return None
            if self.trace is not None:
                self.trace.append(message.data)
            try:
                return parse_server_frame(message.data)
            except ProtocolError as exc:
                log.warning("server frame refused: %s", exc.code)

    async def _pinger(self, heartbeat: float) -> None:
        while True:
            await asyncio.sleep(heartbeat)
            self._queue("ping")

    async def _reader(self, ws: aiohttp.ClientWebSocketResponse, heartbeat: float) -> None:
        # The server pongs every ping: three heartbeats of silence mean a dead connection.
        while (frame := await self._receive(ws, heartbeat * 3)) is not None:
            if frame.type == "command":
                self._commands.put_nowait(frame)
            elif frame.type == "ping":
                self._queue("pong")
            elif frame.type == "pairing":
                self.ui.show_qr(frame.get("url"))
                self.ui.status(STATUS["scan"])
                expires = frame.get("expires_in")
                if isinstance(expires, int) and expires > 0:
                    asyncio.get_running_loop().call_later(expires, self._renew_qr)
            elif frame.type == "paired":
                self._on_paired(frame.get("user"))
            elif frame.type == "error":
                log.warning("server refused a frame: %s", frame.get("code"))

    def _renew_qr(self) -> None:
        """The QR code expired unscanned: ask for a new one."""
        if not self.paired.is_set() and self.connected.is_set():
            self._queue("pair")

    def _on_paired(self, user: str | None) -> None:
        self.paired_user = user or ""
        self.paired.set()
        self.ui.show_qr(None)
        self.ui.status(STATUS["paired"].format(user=self.paired_user))

    async def _worker(self) -> None:
        """Run commands one at a time, off the event loop (PC/SC calls and PIN prompts block)."""
        while True:
            command = await self._commands.get()
            op, command_id = command.get("op"), command.get("id")
            try:
                data = await asyncio.to_thread(self.operations.run, op, command.get("args"))
            except OperationError as exc:
                self._fail(command_id, exc.code, exc.message)
            except BridgeError as exc:
                code = error_code(exc)
                if code == "card_removed":
                    self._queue("event", name="card_removed", data={})
                self._fail(command_id, code, exc.message)
            else:
                self._queue("result", id=command_id, ok=True, data=data)
                if op != "show_message":  # the server's message stays on screen
                    self.ui.status(STATUS["done"])

    def _fail(self, command_id: str, code: str, message: str) -> None:
        self._queue("result", id=command_id, ok=False, error={"code": code, "message": message})
        self.ui.status(STATUS["failed"].format(message=message))
