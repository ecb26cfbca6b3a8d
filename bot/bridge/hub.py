"""The WebSocket endpoint ``GET /bridge`` and :class:`BridgeHub`, which runs operations on a
user's Key through the bridge program on their PC.

The wire protocol is described in :mod:`key_bridge.protocol`. Several server processes may run:
the process holding a bridge's socket subscribes to the bridge's channel
(:func:`bot.bridge.pairing.bridge_channel`) and marks it online
(``bridge:online:<bridge id>`` → connection id, renewed by every frame received). A call, in any
process, publishes the command on that channel and waits for the result on
``bridge:result:<command id>``; the holder of the socket publishes the bridge's result there.
A result is accepted only from the bridge the command was sent to (``bridge:pending:<id>``), and
after a reconnection a result still reaches its caller, whichever process took the new socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from bot.bridge import pairing
from bot.bridge.errors import BridgeOffline, BridgeTimeout, CardError
from bot.bridge.pairing import Session, bridge_channel
from bot.logs import get_logger
from bot.services import Services
from bot.store import StoreError
from bot.wechat.client import WeChatAPIError, WeChatUnavailable
from key_bridge.protocol import (
    HELLO_TIMEOUT,
    MAX_BAD_FRAMES,
    MAX_FRAME,
    OPS,
    Frame,
    ProtocolError,
    encode,
    parse_client_frame,
)

log = get_logger(__name__)

MAX_PAIRINGS_PER_HOUR = 30  # per bridge
MAX_PAIRINGS_PER_ADDRESS = 120  # per client address (an office shares one)


@dataclass
class HubLimits:
    """Timing of the hub (seconds); tests shorten them."""

    heartbeat: float = 20.0  # the bridge pings this often
    idle: float = 60.0  # no frame for this long: the socket is dead, close it
    hello: float = HELLO_TIMEOUT


def _online_key(bridge_id: str) -> str:
    return f"bridge:online:{bridge_id}"


def _result_channel(command_id: str) -> str:
    return f"bridge:result:{command_id}"


def _events_channel(openid: str) -> str:
    return f"bridge:events:{openid}"


def _pending_key(command_id: str) -> str:
    return f"bridge:pending:{command_id}"


class BridgeHub:
    """Accepts bridge sockets and routes commands to them across processes."""

    def __init__(self, services: Services, limits: HubLimits | None = None) -> None:
        self.services = services
        self.limits = limits or HubLimits()
        self._connections: set[_Connection] = set()

    def routes(self) -> list[web.RouteDef]:
        """The ``/bridge`` route."""
        return [web.get("/bridge", self.handle)]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Serve one bridge socket until it closes."""
        ws = web.WebSocketResponse(max_msg_size=MAX_FRAME, autoping=True)
        if not ws.can_prepare(request).ok:
            return web.json_response({"error": "a WebSocket upgrade is expected"}, status=400)
        await ws.prepare(request)
        connection = _Connection(self, ws, request.remote or "")
        self._connections.add(connection)
        try:
            await connection.run()
        finally:
            self._connections.discard(connection)
            code, message = connection.close_with
            await ws.close(code=code, message=message)
        return ws

    async def close_all(self) -> None:
        """Close every socket of this process (at shutdown: the bridges reconnect elsewhere)."""
        for connection in list(self._connections):
            await connection.ws.close(code=aiohttp.WSCloseCode.GOING_AWAY, message=b"restart")

    @contextlib.asynccontextmanager
    async def events(self, openid: str) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
        """What the user's bridge reports (``{"name", "data"}``: card_inserted, card_removed,
        pin_requested, pin_entered, pin_wrong, pin_cancelled), from whichever process holds
        its socket: ``async with hub.events(openid) as events: async for event in events``."""

        async def decoded(raw: AsyncIterator[bytes]) -> AsyncIterator[dict[str, Any]]:
            async for message in raw:
                event: dict[str, Any] = json.loads(message)
                yield event

        async with self.services.store.subscribe(_events_channel(openid)) as messages:
            yield decoded(messages)

    async def call(
        self,
        openid: str,
        op: str,
        args: dict[str, Any] | None = None,
        timeout: float = 60.0,  # noqa: ASYNC109
    ) -> dict[str, Any]:
        """Run ``op`` on the Key of ``openid``'s paired bridge; the result's data.

        Raises BridgeOffline (not paired, or not connected anywhere), BridgeTimeout (no result
        within ``timeout`` seconds) or CardError (the bridge reports a failure).
        """
        if op not in OPS:
            raise ValueError(f"unknown bridge operation {op!r}")
        store = self.services.store
        raw_bridge = await store.get(pairing.user_key(openid))
        if raw_bridge is None:
            raise BridgeOffline("not_paired")
        bridge_id = raw_bridge.decode()
        if await store.get(_online_key(bridge_id)) is None:
            raise BridgeOffline("offline")
        command_id = secrets.token_urlsafe(12)
        await store.set(_pending_key(command_id), bridge_id, ttl=timeout + 30)
        command = {"kind": "command", "id": command_id, "op": op, "args": args or {}}
        async with store.subscribe(_result_channel(command_id)) as results:
            if await store.publish(bridge_channel(bridge_id), json.dumps(command)) == 0:
                await store.delete(_pending_key(command_id))
                raise BridgeOffline("offline")
            try:
                async with asyncio.timeout(timeout):
                    raw = await anext(aiter(results))
            except TimeoutError:
                await store.delete(_pending_key(command_id))
                log.warning("bridge command timed out", extra={"op": op})
                raise BridgeTimeout("timeout", f"no answer within {timeout:g} s") from None
        result = json.loads(raw)
        if not result["ok"]:
            raise CardError(result["code"], result["message"])
        data: dict[str, Any] = result["data"]
        return data


class _Connection:
    """One bridge socket in this process."""

    def __init__(self, hub: BridgeHub, ws: web.WebSocketResponse, remote: str) -> None:
        self.hub = hub
        self.remote = remote
        self.ws = ws
        self.store = hub.services.store
        self.id = secrets.token_hex(8)
        self.session: Session | None = None
        self.bad_frames = 0
        # How the socket is closed once the bridge is marked offline (a call arriving during
        # the closing handshake must see the bridge offline, not wait for its timeout).
        self.close_with: tuple[int, bytes] = (aiohttp.WSCloseCode.OK, b"")

    async def send(self, kind: str, **body: Any) -> None:
        """Send a frame unless the socket is closing."""
        if not self.ws.closed:
            with contextlib.suppress(ConnectionError, RuntimeError):
                await self.ws.send_str(encode(kind, **body))

    async def run(self) -> None:
        """Hello, then frames until the socket closes or stays silent too long."""
        hello = await self._receive(self.hub.limits.hello)
        if hello is None:
            return
        if hello.type != "hello":
            await self._refuse("bad_state", "the first frame must be hello")
            return
        token, self.session = await pairing.open_session(self.store, hello.get("resume"))
        subscribed = asyncio.Event()
        forwarder = asyncio.create_task(self._forward(self.session.bridge_id, subscribed))
        try:
            await asyncio.wait_for(subscribed.wait(), timeout=10)
            await self._mark_online()
            await self.send(
                "welcome",
                session=token,
                paired=self.session.openid is not None,
                user=self.session.user,
                heartbeat=self.hub.limits.heartbeat,
            )
            log.info("bridge connected", extra={"bridge": self.session.bridge_id})
            while (frame := await self._receive(self.hub.limits.idle)) is not None:
                await self._mark_online()
                await self._dispatch(frame)
        finally:
            forwarder.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await forwarder
            await self._mark_offline()
            log.info("bridge disconnected", extra={"bridge": self.session.bridge_id})

    async def _receive(self, idle: float) -> Frame | None:
        """The next valid frame; None once the socket is closed (by either side)."""
        while True:
            try:
                message = await self.ws.receive(timeout=idle)
            except TimeoutError:
                self.close_with = (aiohttp.WSCloseCode.GOING_AWAY, b"silent")
                return None
            if message.type == aiohttp.WSMsgType.ERROR:
                # A frame aiohttp could not read: 1009 when oversized, 1007 when not UTF-8 ...
                code = getattr(message.data, "code", aiohttp.WSCloseCode.PROTOCOL_ERROR)
                self.close_with = (int(code), b"")
                return None
            if message.type in (
                aiohttp.WSMsgType.CLOSE,
                aiohttp.WSMsgType.CLOSING,
                aiohttp.WSMsgType.CLOSED,
            ):
                return None
            try:
                if message.type != aiohttp.WSMsgType.TEXT:
                    raise ProtocolError("bad_json", "frames are JSON text")
                return parse_client_frame(message.data)
            except ProtocolError as exc:
                if not await self._refuse(exc.code, exc.message):
                    return None

    async def _refuse(self, code: str, message: str) -> bool:
        """Answer a bad frame; False once the socket was closed for too many of them."""
        self.bad_frames += 1
        await self.send("error", code=code, message=message)
        if self.bad_frames >= MAX_BAD_FRAMES or code in ("too_large", "bad_state"):
            self.close_with = (aiohttp.WSCloseCode.POLICY_VIOLATION, code.encode())
            return False
        return True

    async def _dispatch(self, frame: Frame) -> None:
        assert self.session is not None
        if frame.type == "ping":
            await self.send("pong")
        elif frame.type == "pair":
            await self._pair()
        elif frame.type == "result":
            await self._result(frame)
        elif frame.type == "event":
            log.info("bridge event", extra={"event": frame.get("name")})
            if self.session.openid:
                event = json.dumps({"name": frame.get("name"), "data": frame.get("data")})
                await self.store.publish(_events_channel(self.session.openid), event)
        elif frame.type == "hello":
            await self._refuse("bad_state", "hello is sent once")

    async def _pair(self) -> None:
        assert self.session is not None
        # Each QR code costs WeChat API quota: limited per bridge and per address.
        count = await self.store.incr(f"bridge:pairings:{self.session.bridge_id}", ttl=3600)
        per_address = await self.store.incr(f"bridge:pairings-from:{self.remote}", ttl=3600)
        if count > MAX_PAIRINGS_PER_HOUR or per_address > MAX_PAIRINGS_PER_ADDRESS:
            await self.send("error", code="too_many", message="too many pairing requests")
            return
        try:
            body = await pairing.start(self.store, self.hub.services.wechat, self.session)
        except (WeChatAPIError, WeChatUnavailable, ValueError) as exc:
            log.warning("pairing QR code unavailable", extra={"error": type(exc).__name__})
            await self.send("error", code="pairing_unavailable", message="try again later")
            return
        await self.send("pairing", **body)

    async def _result(self, frame: Frame) -> None:
        assert self.session is not None
        command_id = frame.get("id")
        pending = await self.store.get(_pending_key(command_id))
        if pending is None or pending.decode() != self.session.bridge_id:
            # Late (its caller gave up) or not ours: answered, but not held against the bridge.
            await self.send("error", code="unknown_command", message="no such command is waiting")
            return
        if not await self.store.delete(_pending_key(command_id)):
            return  # a duplicate of a result already delivered
        if not frame.get("ok"):
            log.info("bridge command failed", extra={"code": frame.get("code")})
        await self.store.publish(_result_channel(command_id), json.dumps(frame.body))

    async def _forward(self, bridge_id: str, subscribed: asyncio.Event) -> None:
        """Deliver what is published on the bridge's channel to this socket."""
        async with self.store.subscribe(bridge_channel(bridge_id)) as messages:
            subscribed.set()
            async for raw in messages:
                message = json.loads(raw)
                if message["kind"] == "paired":
                    assert self.session is not None
                    self.session.openid = message["openid"]
                    await self.send("paired", user=self.session.user)
                elif message["kind"] == "command" and await self._is_current():
                    await self.send(
                        "command", id=message["id"], op=message["op"], args=message["args"]
                    )

    async def _is_current(self) -> bool:
        """True while this socket is the bridge's newest one (a resumed session wins)."""
        assert self.session is not None
        owner = await self.store.get(_online_key(self.session.bridge_id))
        return owner is not None and owner.decode() == self.id

    async def _mark_online(self) -> None:
        assert self.session is not None
        ttl = self.hub.limits.idle + self.hub.limits.heartbeat
        with contextlib.suppress(StoreError):
            await self.store.set(_online_key(self.session.bridge_id), self.id, ttl=ttl)

    async def _mark_offline(self) -> None:
        assert self.session is not None
        with contextlib.suppress(StoreError):
            if await self._is_current():
                await self.store.delete(_online_key(self.session.bridge_id))
