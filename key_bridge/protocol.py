"""The Key bridge wire protocol (version 1): JSON text frames over one WebSocket.

Every frame is a JSON object of at most :data:`MAX_FRAME` bytes with ``"v": 1`` and a ``type``.
Bridge (the program on the user's PC) → server:

- ``hello``   ``{"resume": token | null, "client": str}`` — must be the first frame, within
  :data:`HELLO_TIMEOUT` seconds. ``resume`` is the session token of an earlier connection: the
  pairing survives network drops without a new scan.
- ``pair``    ``{}`` — ask for a pairing QR code (answered by ``pairing``).
- ``ping``    ``{}`` — heartbeat (answered by ``pong``); either side may send it.
- ``result``  ``{"id", "ok": true, "data": {...}}`` or
  ``{"id", "ok": false, "error": {"code", "message"}}`` — the outcome of a ``command``.
- ``event``   ``{"name", "data": {...}}`` — card_inserted, card_removed, pin_requested,
  pin_entered, pin_wrong, pin_cancelled.

Server → bridge:

- ``welcome`` ``{"session", "paired", "user", "heartbeat"}`` — the session token to resume with,
  whether a WeChat user is linked (``user``: a masked identity, never a name in clear), and the
  heartbeat interval in seconds.
- ``pairing`` ``{"url", "expires_in"}`` — the WeChat QR code to show (content ``url``).
- ``paired``  ``{"user"}`` — the QR code was scanned; the bridge now belongs to that user.
- ``command`` ``{"id", "op", "args": {...}}`` — an operation on the card (see ``OPS``).
- ``pong``, and ``error`` ``{"code", "message"}`` for a frame the server refused.

A frame that is not valid gets an ``error`` reply; after :data:`MAX_BAD_FRAMES` of them, or for a
frame over the size limit, the server closes the socket (1008 / 1009). Nothing a bridge sends
can raise anything but :class:`ProtocolError` here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

VERSION = 1
MAX_FRAME = 64 * 1024  # bytes of one frame; a certificate PEM fits many times
MAX_BAD_FRAMES = 5
HELLO_TIMEOUT = 10.0

CLIENT_TYPES = frozenset({"hello", "pair", "ping", "pong", "result", "event"})
SERVER_TYPES = frozenset({"welcome", "pairing", "paired", "command", "ping", "pong", "error"})
OPS = frozenset(
    {
        "card_status",
        "read_certificate",
        "admin_challenge",
        "admin_response",
        "generate_key",
        "sign_csr",
        "write_certificate",
        "unblock_pin",
        # unlock (handlers.unlock_pc): the PC asks the authorization code and the new PIN
        "ask_unlock_code",
        "unlock_pin",
        "change_puk",
        "show_message",
    }
)
EVENTS = frozenset(
    {
        "card_inserted",
        "card_removed",
        "pin_requested",
        "pin_entered",
        "pin_wrong",
        "pin_cancelled",
    }
)
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_CODE = re.compile(r"[a-z_]{1,40}")
MAX_TEXT = 400  # characters of a message or client name


class ProtocolError(ValueError):
    """A frame the peer must not send; ``code`` names the rule, the message explains it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Frame:
    """One validated frame: its type and its other fields."""

    type: str
    body: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        """A field of the frame."""
        return self.body.get(name, default)


def encode(kind: str, **body: Any) -> str:
    """The JSON text of a frame of type ``kind``."""
    return json.dumps({"v": VERSION, "type": kind, **body}, ensure_ascii=False)


def _text(value: object, name: str, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise ProtocolError("bad_field", f"{name} must be a string of at most {MAX_TEXT} chars")
    return value


def _object(value: object, name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ProtocolError("bad_field", f"{name} must be an object")
    return value


def _id(value: object) -> str:
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise ProtocolError("bad_field", "id must be 1-64 characters of [A-Za-z0-9_-]")
    return value


def _load(raw: str | bytes, allowed: frozenset[str]) -> dict[str, Any]:
    size = len(raw.encode() if isinstance(raw, str) else raw)
    if size > MAX_FRAME:
        raise ProtocolError("too_large", f"a frame has at most {MAX_FRAME} bytes")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError("bad_json", "a frame is one JSON object") from exc
    if not isinstance(data, dict):
        raise ProtocolError("bad_json", "a frame is one JSON object")
    if data.get("v") != VERSION or isinstance(data.get("v"), bool):
        raise ProtocolError("bad_version", f"protocol version {VERSION} is spoken here")
    kind = data.get("type")
    if not isinstance(kind, str) or kind not in allowed:
        raise ProtocolError("bad_type", "unknown frame type")
    return data


def parse_client_frame(raw: str | bytes) -> Frame:
    """Validate a frame sent by a bridge; ProtocolError for anything else."""
    data = _load(raw, CLIENT_TYPES)
    kind: str = data["type"]
    if kind == "hello":
        resume = _text(data.get("resume"), "resume", optional=True)
        if resume is not None and not _ID.fullmatch(resume):
            raise ProtocolError("bad_field", "resume must be a session token")
        client = _text(data.get("client", ""), "client") or ""
        return Frame(kind, {"resume": resume, "client": client})
    if kind == "result":
        command_id = _id(data.get("id"))
        ok = data.get("ok")
        if ok is True:
            return Frame(
                kind, {"id": command_id, "ok": True, "data": _object(data.get("data"), "data")}
            )
        if ok is not False:
            raise ProtocolError("bad_field", "ok must be true or false")
        error = _object(data.get("error"), "error")
        code = error.get("code")
        if not isinstance(code, str) or not _CODE.fullmatch(code):
            raise ProtocolError("bad_field", "error.code must be a short snake_case code")
        message = _text(error.get("message", ""), "error.message") or ""
        return Frame(kind, {"id": command_id, "ok": False, "code": code, "message": message})
    if kind == "event":
        name = data.get("name")
        if not isinstance(name, str) or name not in EVENTS:
            raise ProtocolError("bad_field", "unknown event")
        return Frame(kind, {"name": name, "data": _object(data.get("data"), "data")})
    return Frame(kind)  # pair, ping, pong carry nothing


def parse_server_frame(raw: str | bytes) -> Frame:
    """Validate a frame sent by the server (the bridge's side of the same rules)."""
    data = _load(raw, SERVER_TYPES)
    kind: str = data["type"]
    if kind == "command":
        op = data.get("op")
        if not isinstance(op, str) or op not in OPS:
            # Answered with an error result: a newer server may know more operations.
            return Frame(kind, {"id": _id(data.get("id")), "op": str(op)[:40], "args": {}})
        return Frame(
            kind, {"id": _id(data.get("id")), "op": op, "args": _object(data.get("args"), "args")}
        )
    if kind == "welcome":
        session = _id(data.get("session"))
        heartbeat = data.get("heartbeat")
        if not isinstance(heartbeat, int | float) or isinstance(heartbeat, bool):
            raise ProtocolError("bad_field", "heartbeat must be a number")
        user = _text(data.get("user"), "user", optional=True)
        return Frame(
            kind,
            {
                "session": session,
                "paired": data.get("paired") is True,
                "user": user,
                "heartbeat": max(1.0, float(heartbeat)),
            },
        )
    if kind == "pairing":
        url = _text(data.get("url"), "url") or ""
        return Frame(kind, {"url": url, "expires_in": data.get("expires_in")})
    if kind == "paired":
        return Frame(kind, {"user": _text(data.get("user"), "user", optional=True)})
    if kind == "error":
        return Frame(
            kind,
            {
                "code": _text(data.get("code", ""), "code"),
                "message": _text(data.get("message", ""), "message"),
            },
        )
    return Frame(kind)
