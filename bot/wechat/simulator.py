"""Plays WeChat's side of ``/wechat``: builds signed (and, in safe mode, encrypted) deliveries.

Used by the development console, ``certdesk demo``, the benchmarks and the tests, so every
simulated message goes through the real verification and decryption code.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from itertools import count
from typing import Any
from xml.sax.saxutils import escape

import xmltodict

from bot.wechat.crypto import MessageCrypto, sign

_msg_ids = count(int(time.time() * 1000) * 1000)


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


@dataclass
class Delivery:
    """One HTTP delivery: query parameters and body, as WeChat would POST them."""

    params: dict[str, str]
    body: str
    msg_id: str | None = None


@dataclass
class WeChatSimulator:
    """Signs and encrypts messages for one official account."""

    token: str
    app_id: str
    encoding_aes_key: str = ""
    account: str = "gh_certdesk00001"
    clock: float | None = None  # fixed time for tests; None = now
    _crypto: MessageCrypto | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.encoding_aes_key:
            self._crypto = MessageCrypto(self.token, self.encoding_aes_key, self.app_id)

    def now(self) -> int:
        """The timestamp WeChat would put in the delivery."""
        return int(self.clock if self.clock is not None else time.time())

    def text(self, openid: str, content: str, *, msg_id: str | None = None) -> Delivery:
        """A text message from ``openid``."""
        msg_id = msg_id or str(next(_msg_ids))
        return self._deliver(openid, "text", f"<Content>{_cdata(content)}</Content>", msg_id)

    def image(
        self, openid: str, media_id: str, pic_url: str = "", *, msg_id: str | None = None
    ) -> Delivery:
        """A photo from ``openid`` (already stored as temporary media ``media_id``)."""
        msg_id = msg_id or str(next(_msg_ids))
        fields = (
            f"<PicUrl>{_cdata(pic_url or 'http://mmbiz.qpic.cn/' + media_id)}</PicUrl>"
            f"<MediaId>{_cdata(media_id)}</MediaId>"
        )
        return self._deliver(openid, "image", fields, msg_id)

    def voice(self, openid: str, media_id: str = "voice-1") -> Delivery:
        """A voice message (certdesk asks the user to type instead)."""
        fields = f"<MediaId>{_cdata(media_id)}</MediaId><Format>{_cdata('amr')}</Format>"
        return self._deliver(openid, "voice", fields, str(next(_msg_ids)))

    def event(
        self, openid: str, event: str, key: str = "", *, create_time: int | None = None
    ) -> Delivery:
        """An event: subscribe (key 'qrscene_…' for a QR follow), unsubscribe, SCAN, CLICK."""
        fields = f"<Event>{_cdata(event)}</Event>"
        if key:
            fields += f"<EventKey>{_cdata(key)}</EventKey>"
        return self._deliver(openid, "event", fields, None, create_time=create_time)

    def raw(self, xml: str) -> Delivery:
        """Sign (and encrypt) an arbitrary body, e.g. for fuzzing behind the signature."""
        return self._wrap(xml, None)

    def _deliver(
        self,
        openid: str,
        msg_type: str,
        fields: str,
        msg_id: str | None,
        *,
        create_time: int | None = None,
    ) -> Delivery:
        created = create_time if create_time is not None else self.now()
        xml = (
            f"<xml><ToUserName>{_cdata(self.account)}</ToUserName>"
            f"<FromUserName>{_cdata(openid)}</FromUserName>"
            f"<CreateTime>{created}</CreateTime><MsgType>{_cdata(msg_type)}</MsgType>{fields}"
            + (f"<MsgId>{escape(msg_id)}</MsgId>" if msg_id else "")
            + "</xml>"
        )
        return self._wrap(xml, msg_id)

    def _wrap(self, xml: str, msg_id: str | None) -> Delivery:
        timestamp = str(self.now())
        nonce = str(secrets.randbelow(10**10))
        params = {
            "signature": sign(self.token, timestamp, nonce),
            "timestamp": timestamp,
            "nonce": nonce,
            "openid": "simulated",
        }
        if self._crypto is None:
            return Delivery(params, xml, msg_id)
        envelope = self._crypto.encrypt(xml, timestamp=timestamp, nonce=nonce)
        encrypted = xmltodict.parse(envelope)["xml"]["Encrypt"]
        params.update(
            encrypt_type="aes", msg_signature=sign(self.token, timestamp, nonce, encrypted)
        )
        body = (
            f"<xml><ToUserName>{_cdata(self.account)}</ToUserName>"
            f"<Encrypt>{_cdata(encrypted)}</Encrypt></xml>"
        )
        return Delivery(params, body, msg_id)

    def open_reply(self, body: str) -> dict[str, str]:
        """The fields of certdesk's passive reply (decrypted in safe mode); {} for 'success'."""
        return {
            key: value if isinstance(value, str) else str(value)
            for key, value in self.reply_tree(body).items()
        }

    def reply_tree(self, body: str) -> dict[str, Any]:
        """The passive reply as parsed XML (nested, e.g. ``{"Image": {"MediaId": ...}}``)."""
        if body in ("", "success"):
            return {}
        fields: dict[str, Any] = xmltodict.parse(body, disable_entities=True)["xml"]
        if "Encrypt" in fields and self._crypto is not None:
            inner = self._crypto.decrypt(
                fields["Encrypt"], fields["MsgSignature"], fields["TimeStamp"], fields["Nonce"]
            )
            fields = xmltodict.parse(inner, disable_entities=True)["xml"]
        return dict(fields)
