"""The console's JSON API for the simulated Key bridge: start it, insert or pull out its Key,
insert a Key personalised for a user's order (``bot.devconsole.factory``; its certificate may
expire soon, for renewal), lock that Key's PIN by wrong tries, and answer the prompts of the
bridge window (PIN, unlock code, new PIN)."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from bot.devconsole import texts as T
from bot.devconsole.appkeys import BRIDGE, FACTORY, OPENID, SANDBOX
from bot.devconsole.factory import VALID_DAYS, FactoryRefused, lock_pin, try_pin


def add_bridge_routes(app: web.Application) -> None:
    """Register the bridge routes under ``/api/bridge``."""
    app.router.add_get("/api/bridge", bridge_state)
    app.router.add_post("/api/bridge/start", bridge_start)
    app.router.add_post("/api/bridge/key", bridge_key)
    app.router.add_post("/api/bridge/personalise", bridge_personalise)
    app.router.add_post("/api/bridge/lock", bridge_lock)
    app.router.add_post("/api/bridge/verify_pin", bridge_verify_pin)
    app.router.add_post("/api/bridge/answer", bridge_answer)
    app.router.add_post("/api/bridge/auto_pin", bridge_auto_pin)


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="JSON expected") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="JSON object expected")
    return body


def _refused(message: str) -> web.Response:
    return web.json_response({"error": message}, status=409)


async def bridge_state(request: web.Request) -> web.Response:
    """The simulated bridge: connection, pairing, Key, status lines, the prompt waiting for an
    answer, and the scene of the QR code it shows (what a WeChat scan of it delivers)."""
    state = request.app[BRIDGE].state()
    qrcodes = request.app[SANDBOX].wechat.qrcodes
    scene = next((q["scene"] for q in reversed(qrcodes) if q["url"] == state["qr_url"]), None)
    return web.json_response({**state, "scene": scene})


async def bridge_start(request: web.Request) -> web.Response:
    """Start (or restart) the bridge program with a fresh emulated Key."""
    await request.app[BRIDGE].start(str(request.url.origin()))
    return await bridge_state(request)


async def bridge_key(request: web.Request) -> web.Response:
    """``{"inserted": true | false}``: put the emulated Key in or pull it out."""
    body = await _body(request)
    request.app[BRIDGE].set_key(bool(body.get("inserted")))
    return await bridge_state(request)


async def bridge_personalise(request: web.Request) -> web.Response:
    """``{"openid", "expires_in_days"?}``: make a Key for the user's newest shipped or completed
    order, its certificate expiring in that many days (default: a year; 30: renewal is offered;
    negative: expired), and insert it into the bridge (started when it is not running)."""
    body = await _body(request)
    openid = str(body.get("openid", ""))
    if not OPENID.fullmatch(openid):
        raise web.HTTPBadRequest(text="openid: o followed by letters, digits, - or _")
    days = body.get("expires_in_days", VALID_DAYS)
    if not isinstance(days, int) or isinstance(days, bool):
        raise web.HTTPBadRequest(text="expires_in_days: a whole number of days")
    try:
        made = await request.app[FACTORY].personalise(openid, days)
    except FactoryRefused as refused:
        return _refused(str(refused))
    bridge = request.app[BRIDGE]
    label = T.KEY_LABEL.format(key_serial=made.key_serial, order_no=made.order_no)
    if bridge.running:
        bridge.swap_key(made.applet, label)
    else:
        await bridge.start(str(request.url.origin()), made.applet, label)
    return await bridge_state(request)


async def bridge_lock(request: web.Request) -> web.Response:
    """Lock the PIN of the Key in the reader by typing wrong PINs."""
    bridge = request.app[BRIDGE]
    if bridge.transport is None or not bridge.transport.present:
        return _refused(T.NO_KEY_IN_READER)
    try:
        lock_pin(bridge.transport.applet)
    except FactoryRefused as refused:
        return _refused(str(refused))
    bridge.ui.status(T.PIN_LOCKED)
    return await bridge_state(request)


async def bridge_verify_pin(request: web.Request) -> web.Response:
    """``{"pin"}``: try a PIN on the Key in the reader, as any PIN entry (a wrong one uses up a
    try); answers ``ok`` and the state."""
    pin = str((await _body(request)).get("pin", ""))[:8]
    bridge = request.app[BRIDGE]
    if bridge.transport is None or not bridge.transport.present:
        return _refused(T.NO_KEY_IN_READER)
    ok = try_pin(bridge.transport.applet, pin)
    state = await bridge_state(request)
    return web.json_response({**json.loads(state.text or "{}"), "ok": ok})


async def bridge_answer(request: web.Request) -> web.Response:
    """``{"id", "answer": "…" | null}``: type the answer to the waiting prompt (null: cancel)."""
    body = await _body(request)
    answer = body.get("answer")
    number = body.get("id")
    if not isinstance(number, int) or not (answer is None or isinstance(answer, str)):
        raise web.HTTPBadRequest(text='{"id": number, "answer": text or null} expected')
    if not request.app[BRIDGE].ui.answer(number, answer if answer is None else answer[:64]):
        return _refused(T.PROMPT_CLOSED)
    return await bridge_state(request)


async def bridge_auto_pin(request: web.Request) -> web.Response:
    """``{"enabled": true | false}``: answer the plain PIN prompt with the factory PIN."""
    request.app[BRIDGE].ui.auto_pin = bool((await _body(request)).get("enabled"))
    return await bridge_state(request)
