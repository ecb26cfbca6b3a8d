"""Pairing a bridge with a WeChat user by a parametric QR code, and the bridge sessions.

A connected bridge asks for pairing: the server stores a random one-time token (scene
``bridge:<token>``, 5 minutes) and asks WeChat for a temporary QR code carrying that scene. The
user scans it; WeChat delivers a SCAN (or subscribe) event with the scene and the user's openid;
:func:`scan` takes the token once, links the openid to the bridge's session and tells the bridge
through the store's pub/sub. Nothing is typed and nothing is guessable (the token has 192 bits).

Store keys: ``bridge:session:<sha256 of token>`` → ``{"bridge", "openid"}`` (the session a bridge
resumes with), ``bridge:user:<openid>`` → bridge id, ``bridge:pair:<token>`` → pending pairing.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass

from bot import texts
from bot.logs import get_logger
from bot.store import Store
from bot.wechat.client import WeChatClient

log = get_logger(__name__)

SCENE_PREFIX = "bridge:"
PAIR_TTL = 300  # seconds a pairing QR code (and its token) lives
SESSION_TTL = 30 * 24 * 3600.0  # a paired bridge resumes without a scan for a month


def bridge_channel(bridge_id: str) -> str:
    """Pub/sub channel of the process holding ``bridge_id``'s socket (commands, pairing)."""
    return f"bridge:to:{bridge_id}"


def session_key(token: str) -> str:
    """Store key of the session of ``token`` (only its hash is stored)."""
    return "bridge:session:" + hashlib.sha256(token.encode()).hexdigest()


def user_key(openid: str) -> str:
    """Store key naming the bridge a WeChat user is paired with."""
    return f"bridge:user:{openid}"


def masked_user(openid: str) -> str:
    """How the bridge shows who it is paired with: no name, only the openid's last characters."""
    return texts.BRIDGE_USER.format(tail=openid[-4:] if len(openid) >= 8 else "****")


@dataclass(slots=True)
class Session:
    """A bridge's session: its id (for routing) and the WeChat user it is paired with."""

    key: str
    bridge_id: str
    openid: str | None = None

    @property
    def user(self) -> str | None:
        """The masked identity shown on the PC, None before pairing."""
        return masked_user(self.openid) if self.openid else None


async def open_session(store: Store, resume: str | None) -> tuple[str, Session]:
    """The session of token ``resume`` if it is still known, else a new one; (token, session).

    An unknown or expired token starts a new, unpaired session (the user scans again).
    """
    if resume:
        raw = await store.get(session_key(resume))
        if raw is not None:
            data = json.loads(raw)
            session = Session(session_key(resume), data["bridge"], data.get("openid"))
            await save_session(store, session)
            return resume, session
    token = secrets.token_urlsafe(24)
    session = Session(session_key(token), secrets.token_urlsafe(12))
    await save_session(store, session)
    return token, session


async def save_session(store: Store, session: Session) -> None:
    """Store ``session`` (and the user → bridge link when paired) for :data:`SESSION_TTL`."""
    record = json.dumps({"bridge": session.bridge_id, "openid": session.openid})
    await store.set(session.key, record, ttl=SESSION_TTL)
    if session.openid:
        await store.set(user_key(session.openid), session.bridge_id, ttl=SESSION_TTL)


async def start(store: Store, wechat: WeChatClient, session: Session) -> dict[str, object]:
    """Create a one-time pairing token and its WeChat QR code; the ``pairing`` frame's body."""
    token = secrets.token_urlsafe(24)
    pending = json.dumps({"bridge": session.bridge_id, "session": session.key})
    await store.set(f"bridge:pair:{token}", pending, ttl=PAIR_TTL)
    qrcode = await wechat.create_qrcode(SCENE_PREFIX + token, PAIR_TTL)
    url = qrcode.get("url")
    if not isinstance(url, str) or not url:
        raise ValueError("WeChat returned a QR code without url")
    return {"url": url, "expires_in": int(qrcode.get("expire_seconds", PAIR_TTL))}


async def scan(store: Store, openid: str, scene: str) -> str:
    """Handle a scan of a pairing QR code: link ``openid`` to the bridge once; the reply text."""
    token = scene.removeprefix(SCENE_PREFIX)
    key = f"bridge:pair:{token}"
    raw = await store.get(key) if token else None
    # The delete decides between two scans of the same code: only one removes the token.
    if raw is None or not await store.delete(key):
        log.info("bridge pairing refused: unknown, expired or used token")
        return texts.BRIDGE_PAIR_EXPIRED
    pending = json.loads(raw)
    previous = await store.get(pending["session"])
    earlier = json.loads(previous).get("openid") if previous is not None else None
    if earlier and earlier != openid:
        # Re-paired to someone else: the earlier user no longer reaches this bridge.
        link = await store.get(user_key(earlier))
        if link is not None and link.decode() == pending["bridge"]:
            await store.delete(user_key(earlier))
    session = Session(pending["session"], pending["bridge"], openid)
    await save_session(store, session)
    user = masked_user(openid)
    message = json.dumps({"kind": "paired", "openid": openid})
    await store.publish(bridge_channel(session.bridge_id), message)
    log.info("bridge paired", extra={"bridge": session.bridge_id})
    return texts.BRIDGE_PAIRED.format(user=user)
