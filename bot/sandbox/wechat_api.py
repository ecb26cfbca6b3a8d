"""Fake of the WeChat official-account and mini-program HTTP API (api.weixin.qq.com).

It checks credentials and access tokens and answers with WeChat's errcode/errmsg bodies (always
HTTP 200, as the real API does). Every call is recorded; faults can be queued per endpoint.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from typing import Any, Literal

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from bot.sandbox.base import ANY_ENDPOINT, FakeServer, json_response
from bot.sandbox.crypto import ALPHANUMERIC, random_digits, random_string

AppKind = Literal["oa", "mp"]
"""``oa``: the official account (公众号); ``mp``: the mini-program (小程序)."""

DEFAULT_APP_ID = "wx8f0c1e2d3b4a5968"
DEFAULT_APP_SECRET = "0123456789abcdef0123456789abcdef"
DEFAULT_MP_APP_ID = "wx1a2b3c4d5e6f7081"
DEFAULT_MP_APP_SECRET = "fedcba9876543210fedcba9876543210"

JSON_CONTENT_TYPE = "application/json; encoding=utf-8"  # sic: what api.weixin.qq.com sends

ERRMSG: dict[int, str] = {
    -1: "system error",
    0: "ok",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40004: "invalid media type",
    40005: "invalid file type",
    40007: "invalid media_id",
    40008: "invalid message type",
    40009: "invalid image size",
    40010: "invalid voice size",
    40011: "invalid video size",
    40012: "invalid thumb size",
    40013: "invalid appid",
    40016: "invalid button size",
    40017: "invalid button type",
    40018: "invalid button name size",
    40019: "invalid button key size",
    40023: "invalid sub button size",
    40024: "invalid sub button type",
    40025: "invalid sub button name size",
    40026: "invalid sub button key size",
    40027: "invalid sub button url size",
    40029: "invalid code",
    40033: "invalid charset. please check your request, if include \\uxxxx will create fail!",
    40037: "invalid template_id",
    40125: "invalid appsecret",
    40163: "code been used",
    41001: "access_token missing",
    41002: "appid missing",
    41004: "appsecret missing",
    41005: "media data missing",
    41008: "missing code",
    41030: "invalid page rid: 0",
    42001: "access_token expired",
    43004: "require subscribe",
    43101: "user refuse to accept the msg",
    44002: "empty post data",
    44003: "empty news data",
    44004: "empty content",
    45002: "content size out of limit",
    45008: "article size out of limit",
    45009: "reach max api daily quota limit",
    45015: "response out of time limit or subscription is canceled",
    45047: "out of response count limit",
    47001: "data format error",
    47003: "argument invalid!",
    48001: "api unauthorized",
}

MEDIA_TTL = 3 * 24 * 3600
LOGIN_CODE_TTL = 300
STABLE_FORCE_REFRESH_PER_DAY = 20
MESSAGE_WINDOW = 48 * 3600
EVENT_WINDOW = 60
MESSAGE_QUOTA = 5
EVENT_QUOTA: dict[AppKind, int] = {"oa": 3, "mp": 2}
TEXT_LIMIT_BYTES = 2048

# media type -> (size limit in bytes, errcode when too big, accepted content types)
MEDIA_RULES: dict[str, tuple[int, int, frozenset[str]]] = {
    "image": (10 * 1024 * 1024, 40009, frozenset({"image/jpeg", "image/png", "image/gif"})),
    "voice": (2 * 1024 * 1024, 40010, frozenset({"audio/amr", "audio/mpeg"})),
    "video": (10 * 1024 * 1024, 40011, frozenset({"video/mp4"})),
    "thumb": (64 * 1024, 40012, frozenset({"image/jpeg"})),
}
_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "audio/amr": "amr",
    "audio/mpeg": "mp3",
    "video/mp4": "mp4",
}

_CUSTOM_MSGTYPES = frozenset(
    {
        "text",
        "image",
        "voice",
        "video",
        "music",
        "news",
        "mpnews",
        "mpnewsarticle",
        "msgmenu",
        "wxcard",
        "miniprogrampage",
        "link",
    }
)
_MENU_TYPES_NEEDING_KEY = frozenset(
    {
        "click",
        "scancode_push",
        "scancode_waitmsg",
        "pic_sysphoto",
        "pic_photo_or_album",
        "pic_weixin",
        "location_select",
    }
)
_MENU_TYPES = _MENU_TYPES_NEEDING_KEY | {
    "view",
    "miniprogram",
    "media_id",
    "article_id",
    "article_view_limited",
}
_QR_ACTIONS = frozenset({"QR_SCENE", "QR_STR_SCENE", "QR_LIMIT_SCENE", "QR_LIMIT_STR_SCENE"})
_QR_MAX_EXPIRE = 2_592_000
# a JSON \uXXXX escape of a non-ASCII character (not preceded by an escaped backslash)
_NON_ASCII_ESCAPE = re.compile(
    rb"(?<!\\)(?:\\\\)*\\u(?:00[89a-fA-F][0-9a-fA-F]|0[1-9a-fA-F][0-9a-fA-F]{2}|[1-9a-fA-F][0-9a-fA-F]{3})"
)

# 订阅消息 value rules: keyword type -> (max length, pattern or None)
_SUBSCRIBE_RULES: dict[str, tuple[int, re.Pattern[str] | None]] = {
    "thing": (20, None),
    "number": (32, re.compile(r"^[0-9]+(\.[0-9]+)?$")),
    "letter": (32, re.compile(r"^[A-Za-z]+$")),
    "symbol": (5, None),
    "character_string": (32, re.compile(r"^[\x21-\x7e]+$")),
    "time": (32, None),
    "date": (32, None),
    "amount": (32, re.compile(r"^[0-9]+(\.[0-9]{1,2})?元?$")),
    "phone_number": (17, re.compile(r"^[0-9+\-() ]+$")),
    "car_number": (8, None),
    "name": (10, None),
    "phrase": (5, None),
    "short_thing": (5, None),
}


class WeChatApiError(Exception):
    """Raised inside handlers; answered as ``{"errcode": ..., "errmsg": ...}`` with HTTP 200."""

    def __init__(self, errcode: int, errmsg: str | None = None) -> None:
        super().__init__(errcode)
        self.errcode = errcode
        self.errmsg = errmsg if errmsg is not None else ERRMSG.get(errcode, "unknown error")


@dataclass
class _App:
    kind: AppKind
    app_id: str
    secret: str


@dataclass
class _Token:
    value: str
    app_id: str
    slot: Literal["token", "stable"]
    expires_at: float
    valid_until: float | None = None  # set when superseded or revoked


@dataclass
class Media:
    """A temporary media file held by the fake."""

    media_id: str
    app_id: str
    media_type: str
    data: bytes
    content_type: str
    created_at: float


@dataclass
class WeChatUser:
    """A user as one app (official account or mini-program) knows them."""

    openid: str
    app_id: str
    unionid: str | None = None
    subscribed: bool = True
    subscribe_time: int = 0


@dataclass
class _Grant:
    expires_at: float
    remaining: int


@dataclass
class _LoginCode:
    openid: str
    issued_at: float
    used: bool = False


@dataclass(frozen=True)
class SentMessage:
    """A message the fake accepted: ``kind`` is custom, template, bizsend or subscribe."""

    kind: str
    app_id: str
    touser: str
    body: dict[str, Any]
    msgid: int | None
    time: float


@dataclass
class _Subscription:
    remaining: int | None  # None: long-term subscription


@dataclass
class _State:
    tokens: dict[str, _Token] = field(default_factory=dict)
    current: dict[tuple[str, str], _Token] = field(default_factory=dict)
    force_refreshes: dict[tuple[str, int], int] = field(default_factory=dict)
    media: dict[tuple[str, str], Media] = field(default_factory=dict)
    users: dict[tuple[str, str], WeChatUser] = field(default_factory=dict)
    grants: dict[tuple[str, str], dict[str, _Grant]] = field(default_factory=dict)
    subscriptions: dict[tuple[str, str, str], _Subscription] = field(default_factory=dict)
    login_codes: dict[str, _LoginCode] = field(default_factory=dict)


class WeChatApiFake(FakeServer):
    """Fake api.weixin.qq.com for one official account and one mini-program.

    ``templates`` / ``subscribe_templates``: known template ids (None accepts any).
    ``mp_pages``: the mini-program's published pages; a subscribe message to another page is
    refused with 41030 (None accepts any).
    ``old_token_grace``: how long a superseded ``/cgi-bin/token`` token keeps working.
    ``reject_unicode_escapes``: answer 40033 to JSON bodies with ``\\uXXXX`` escapes of non-ASCII
    text (send raw UTF-8, i.e. ``json.dumps(..., ensure_ascii=False)``).
    """

    def __init__(
        self,
        *,
        app_id: str = DEFAULT_APP_ID,
        app_secret: str = DEFAULT_APP_SECRET,
        mp_app_id: str = DEFAULT_MP_APP_ID,
        mp_app_secret: str = DEFAULT_MP_APP_SECRET,
        templates: Collection[str] | None = None,
        subscribe_templates: Collection[str] | None = None,
        mp_pages: Collection[str] | None = None,
        token_ttl: int = 7200,
        old_token_grace: float = 300.0,
        reject_unicode_escapes: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(clock=clock)
        self.apps: dict[AppKind, _App] = {
            "oa": _App("oa", app_id, app_secret),
            "mp": _App("mp", mp_app_id, mp_app_secret),
        }
        self.templates = None if templates is None else set(templates)
        self.subscribe_templates = None if subscribe_templates is None else set(subscribe_templates)
        self.mp_pages = None if mp_pages is None else set(mp_pages)
        self.token_ttl = token_ttl
        self.old_token_grace = old_token_grace
        self.reject_unicode_escapes = reject_unicode_escapes
        self.issued_tokens: list[str] = []
        self.sent: list[SentMessage] = []
        self.qrcodes: list[dict[str, Any]] = []
        self.menu: dict[str, Any] | None = None
        self.session_keys: dict[str, str] = {}
        self._state = _State()

    # -- configuration shortcuts --------------------------------------------------------------

    @property
    def app_id(self) -> str:
        """The official account's appid."""
        return self.apps["oa"].app_id

    @property
    def app_secret(self) -> str:
        """The official account's AppSecret."""
        return self.apps["oa"].secret

    @property
    def mp_app_id(self) -> str:
        """The mini-program's appid."""
        return self.apps["mp"].app_id

    @property
    def mp_app_secret(self) -> str:
        """The mini-program's AppSecret."""
        return self.apps["mp"].secret

    # -- helpers for tests: tokens ------------------------------------------------------------

    @property
    def issued_token_count(self) -> int:
        """How many access tokens (plain and stable) were issued."""
        return len(self.issued_tokens)

    def valid_tokens(self) -> list[str]:
        """Tokens an API call would accept right now."""
        now = self.now()
        return [t.value for t in self._state.tokens.values() if self._token_error(t, now) is None]

    def expire_tokens(self) -> None:
        """Every issued token expires now: calls answer 42001."""
        now = self.now()
        for token in self._state.tokens.values():
            token.expires_at = min(token.expires_at, now)

    def revoke_tokens(self) -> None:
        """Every issued token stops working now: calls answer 40001."""
        now = self.now()
        for token in self._state.tokens.values():
            token.valid_until = now if token.valid_until is None else min(token.valid_until, now)

    # -- helpers for tests: users, media, codes, subscriptions --------------------------------

    def add_user(
        self,
        openid: str,
        *,
        app: AppKind = "oa",
        unionid: str | None = None,
        subscribed: bool = True,
    ) -> WeChatUser:
        """Register (or update) a user of ``app``."""
        app_id = self.apps[app].app_id
        user = self._state.users.get((app_id, openid))
        if user is None:
            user = WeChatUser(openid, app_id, subscribe_time=int(self.now()))
            self._state.users[(app_id, openid)] = user
        if unionid is not None:
            user.unionid = unionid
        user.subscribed = subscribed
        return user

    def unsubscribe(self, openid: str) -> None:
        """The user unfollows the official account."""
        self.add_user(openid, subscribed=False)
        self._state.grants.pop((self.app_id, openid), None)

    def note_user_message(self, openid: str, *, app: AppKind = "oa") -> None:
        """The user sent a message: 5 customer-service messages within 48 h."""
        self.add_user(openid, app=app)
        self._grant(app, openid, "message", MESSAGE_WINDOW, MESSAGE_QUOTA)

    def note_user_event(self, openid: str, *, app: AppKind = "oa") -> None:
        """A follow, menu click or QR scan (mini-program: entering the 客服 session): 3 messages
        (mini-program: 2) within a minute."""
        self.add_user(openid, app=app)
        self._grant(app, openid, "event", EVENT_WINDOW, EVENT_QUOTA[app])

    def add_media(
        self,
        data: bytes,
        content_type: str = "image/jpeg",
        *,
        media_type: str = "image",
        app: AppKind = "oa",
    ) -> str:
        """Store a temporary media file (e.g. a user's photo) and return its media_id."""
        media_id = random_string(64, ALPHANUMERIC + "_-")
        app_id = self.apps[app].app_id
        self._state.media[(app_id, media_id)] = Media(
            media_id, app_id, media_type, data, content_type, self.now()
        )
        return media_id

    def expire_media(self, media_id: str, *, app: AppKind = "oa") -> None:
        """The temporary media file is past its 3 days: ``media/get`` answers 40007."""
        media = self._state.media[(self.apps[app].app_id, media_id)]
        media.created_at = self.now() - MEDIA_TTL - 1

    def media(self, media_id: str, *, app: AppKind = "oa") -> Media | None:
        """A stored media file (uploaded or added), expired or not."""
        return self._state.media.get((self.apps[app].app_id, media_id))

    def issue_login_code(self, openid: str, unionid: str | None = None) -> str:
        """A single-use ``wx.login`` code of the mini-program user ``openid`` (valid 5 min)."""
        self.add_user(openid, app="mp", unionid=unionid)
        code = random_string(32, "0123456789abcdef")
        self._state.login_codes[code] = _LoginCode(openid, self.now())
        return code

    def grant_subscription(
        self, openid: str, template_id: str, *, app: AppKind, times: int | None = 1
    ) -> None:
        """The user accepted ``template_id`` (``times`` None: a long-term subscription)."""
        self.add_user(openid, app=app)
        key = (self.apps[app].app_id, openid, template_id)
        current = self._state.subscriptions.get(key)
        if times is None or current is None or current.remaining is None:
            self._state.subscriptions[key] = _Subscription(times)
        else:
            current.remaining += times

    def messages_to(self, openid: str, kind: str | None = None) -> list[SentMessage]:
        """Accepted messages to ``openid``, optionally of one kind."""
        return [m for m in self.sent if m.touser == openid and kind in (None, m.kind)]

    # -- fault knobs --------------------------------------------------------------------------

    def errcode_next(
        self,
        endpoint: str = ANY_ENDPOINT,
        errcode: int = -1,
        *,
        errmsg: str | None = None,
        times: int = 1,
    ) -> None:
        """The next ``times`` calls of ``endpoint`` answer ``errcode`` (HTTP 200)."""
        body = {
            "errcode": errcode,
            "errmsg": errmsg if errmsg is not None else ERRMSG.get(errcode, ""),
        }
        self.faults.fail_next(endpoint, times=times, status=200, body=body)

    # -- server wiring ------------------------------------------------------------------------

    def _routes(self) -> Iterable[web.AbstractRouteDef]:
        return [
            web.get("/cgi-bin/token", self._token),
            web.post("/cgi-bin/stable_token", self._stable_token),
            web.post("/cgi-bin/media/upload", self._media_upload),
            web.get("/cgi-bin/media/get", self._media_get),
            web.post("/cgi-bin/message/custom/send", self._custom_send),
            web.post("/cgi-bin/message/template/send", self._template_send),
            web.post("/cgi-bin/message/subscribe/bizsend", self._bizsend),
            web.post("/cgi-bin/message/subscribe/send", self._subscribe_send),
            web.post("/cgi-bin/qrcode/create", self._qrcode_create),
            web.post("/cgi-bin/menu/create", self._menu_create),
            web.get("/cgi-bin/user/info", self._user_info),
            web.get("/sns/jscode2session", self._jscode2session),
        ]

    def _inner_middlewares(self) -> list[Middleware]:
        return [self._errors]

    def _fault_response(self, status: int) -> web.Response:
        return json_response(
            {"errcode": -1, "errmsg": ERRMSG[-1]}, status=status, content_type=JSON_CONTENT_TYPE
        )

    @web.middleware
    async def _errors(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except WeChatApiError as error:
            return _reply({"errcode": error.errcode, "errmsg": error.errmsg})

    # -- tokens -------------------------------------------------------------------------------

    def _check_credentials(self, app_id: str | None, secret: str | None) -> _App:
        if not app_id:
            raise WeChatApiError(41002)
        app = next((a for a in self.apps.values() if a.app_id == app_id), None)
        if app is None:
            raise WeChatApiError(40013)
        if not secret:
            raise WeChatApiError(41004)
        if not secrets.compare_digest(secret, app.secret):
            raise WeChatApiError(40125)
        return app

    def _issue_token(self, app: _App, slot: Literal["token", "stable"], grace: float) -> _Token:
        now = self.now()
        previous = self._state.current.get((app.app_id, slot))
        if previous is not None and previous.valid_until is None:
            previous.valid_until = now + grace
        token = _Token(
            random_string(136, ALPHANUMERIC + "_-"), app.app_id, slot, now + self.token_ttl
        )
        self._state.tokens[token.value] = token
        self._state.current[(app.app_id, slot)] = token
        self.issued_tokens.append(token.value)
        return token

    @staticmethod
    def _token_error(token: _Token, now: float) -> int | None:
        if token.valid_until is not None and now >= token.valid_until:
            return 40001
        if now >= token.expires_at:
            return 42001
        return None

    def _authorize(self, request: web.Request, *kinds: AppKind) -> _App:
        value = request.query.get("access_token")
        if not value:
            raise WeChatApiError(41001)
        token = self._state.tokens.get(value)
        if token is None:
            raise WeChatApiError(40001)
        error = self._token_error(token, self.now())
        if error is not None:
            raise WeChatApiError(error)
        app = next(a for a in self.apps.values() if a.app_id == token.app_id)
        if app.kind not in kinds:
            raise WeChatApiError(48001)
        return app

    async def _token(self, request: web.Request) -> web.Response:
        query = request.query
        if query.get("grant_type") != "client_credential":
            raise WeChatApiError(40002)
        app = self._check_credentials(query.get("appid"), query.get("secret"))
        token = self._issue_token(app, "token", self.old_token_grace)
        return _reply({"access_token": token.value, "expires_in": self.token_ttl})

    async def _stable_token(self, request: web.Request) -> web.Response:
        body = self._json_body(await request.read())
        if body.get("grant_type") != "client_credential":
            raise WeChatApiError(40002)
        app = self._check_credentials(body.get("appid"), body.get("secret"))
        force = body.get("force_refresh", False)
        if not isinstance(force, bool):
            raise WeChatApiError(47001)
        now = self.now()
        current = self._state.current.get((app.app_id, "stable"))
        if not force and current is not None and self._token_error(current, now) is None:
            return _reply(
                {"access_token": current.value, "expires_in": int(current.expires_at - now)}
            )
        if force:
            day_key = (app.app_id, _china_day(now))
            used = self._state.force_refreshes.get(day_key, 0)
            if used >= STABLE_FORCE_REFRESH_PER_DAY:
                raise WeChatApiError(45009)
            self._state.force_refreshes[day_key] = used + 1
        token = self._issue_token(app, "stable", 0.0)
        return _reply({"access_token": token.value, "expires_in": self.token_ttl})

    # -- media --------------------------------------------------------------------------------

    async def _media_upload(self, request: web.Request) -> web.Response:
        app = self._authorize(request, "oa", "mp")
        media_type = request.query.get("type", "")
        if media_type not in MEDIA_RULES:
            raise WeChatApiError(40004)
        part = _multipart_field(
            request.headers.get("Content-Type", ""), await request.read(), "media"
        )
        if not part:
            raise WeChatApiError(41005)
        limit, size_errcode, accepted = MEDIA_RULES[media_type]
        content_type = _sniff_content_type(part)
        if content_type not in accepted:
            raise WeChatApiError(40005)
        if len(part) > limit:
            raise WeChatApiError(size_errcode)
        media_id = self.add_media(part, content_type, media_type=media_type, app=app.kind)
        created_at = int(self._state.media[(app.app_id, media_id)].created_at)
        return _reply({"type": media_type, "media_id": media_id, "created_at": created_at})

    def _live_media(self, app: _App, media_id: object) -> Media:
        media = self._state.media.get((app.app_id, media_id)) if isinstance(media_id, str) else None
        if media is None or self.now() >= media.created_at + MEDIA_TTL:
            raise WeChatApiError(40007)
        return media

    async def _media_get(self, request: web.Request) -> web.Response:
        app = self._authorize(request, "oa", "mp")
        media = self._live_media(app, request.query.get("media_id"))
        extension = _EXTENSIONS.get(media.content_type, "bin")
        return web.Response(
            body=media.data,
            headers={
                "Content-Type": media.content_type,
                "Content-disposition": f'attachment; filename="{media.media_id}.{extension}"',
                "Cache-Control": "no-cache, must-revalidate",
            },
        )

    # -- messages -----------------------------------------------------------------------------

    def _json_body(self, raw: bytes) -> dict[str, Any]:
        if not raw.strip():
            raise WeChatApiError(44002)
        if self.reject_unicode_escapes and _NON_ASCII_ESCAPE.search(raw):
            raise WeChatApiError(40033)
        try:
            body = json.loads(raw)
        except ValueError as error:
            raise WeChatApiError(47001) from error
        if not isinstance(body, dict):
            raise WeChatApiError(47001)
        return body

    def _known_user(self, app: _App, openid: object) -> WeChatUser:
        user = self._state.users.get((app.app_id, openid)) if isinstance(openid, str) else None
        if user is None:
            raise WeChatApiError(40003)
        return user

    def _record(self, kind: str, app: _App, body: dict[str, Any], msgid: int | None) -> None:
        self.sent.append(SentMessage(kind, app.app_id, body["touser"], body, msgid, self.now()))

    async def _custom_send(self, request: web.Request) -> web.Response:
        app = self._authorize(request, "oa", "mp")
        body = self._json_body(await request.read())
        user = self._known_user(app, body.get("touser"))
        self._check_custom_message(app, body)
        if not user.subscribed:
            raise WeChatApiError(45015)
        self._consume_quota(app, user.openid)
        self._record("custom", app, body, None)
        return _reply({"errcode": 0, "errmsg": "ok"})

    def _check_custom_message(self, app: _App, body: dict[str, Any]) -> None:
        msgtype = body.get("msgtype")
        if msgtype not in _CUSTOM_MSGTYPES:
            raise WeChatApiError(40008)
        content = body.get(msgtype)
        if not isinstance(content, dict):
            raise WeChatApiError(44004 if msgtype == "text" else 47001)
        if msgtype == "text":
            text = content.get("content")
            if not isinstance(text, str) or not text:
                raise WeChatApiError(44004)
            if len(text.encode()) > TEXT_LIMIT_BYTES:
                raise WeChatApiError(45002)
        elif msgtype in ("image", "voice", "video"):
            self._live_media(app, content.get("media_id"))
        elif msgtype == "news":
            articles = content.get("articles")
            if not isinstance(articles, list) or not articles:
                raise WeChatApiError(44003)
            if len(articles) > 1:
                raise WeChatApiError(45008)

    def _grant(self, app: AppKind, openid: str, kind: str, window: int, quota: int) -> None:
        key = (self.apps[app].app_id, openid)
        self._state.grants.setdefault(key, {})[kind] = _Grant(self.now() + window, quota)

    def _consume_quota(self, app: _App, openid: str) -> None:
        now = self.now()
        alive = [
            g
            for g in self._state.grants.get((app.app_id, openid), {}).values()
            if now < g.expires_at
        ]
        if not alive:
            raise WeChatApiError(45015)
        usable = sorted((g for g in alive if g.remaining > 0), key=lambda g: g.expires_at)
        if not usable:
            raise WeChatApiError(45047)
        usable[0].remaining -= 1

    def _check_template(self, known: set[str] | None, template_id: object) -> str:
        if not isinstance(template_id, str) or not template_id:
            raise WeChatApiError(40037)
        if known is not None and template_id not in known:
            raise WeChatApiError(40037)
        return template_id

    async def _template_send(self, request: web.Request) -> web.Response:
        app = self._authorize(request, "oa")
        body = self._json_body(await request.read())
        user = self._known_user(app, body.get("touser"))
        self._check_template(self.templates, body.get("template_id"))
        data = body.get("data")
        if not isinstance(data, dict) or not all(
            isinstance(v, dict) and isinstance(v.get("value"), str) for v in data.values()
        ):
            raise WeChatApiError(47001)
        if "url" in body and not isinstance(body["url"], str):
            raise WeChatApiError(47001)
        miniprogram = body.get("miniprogram")
        if miniprogram is not None and not (
            isinstance(miniprogram, dict) and isinstance(miniprogram.get("appid"), str)
        ):
            raise WeChatApiError(47001)
        if not user.subscribed:
            raise WeChatApiError(43004)
        msgid = int(random_digits(19))
        self._record("template", app, body, msgid)
        return _reply({"errcode": 0, "errmsg": "ok", "msgid": msgid})

    def _subscription_message(self, app: _App, body: dict[str, Any]) -> WeChatUser:
        user = self._known_user(app, body.get("touser"))
        template_id = self._check_template(self.subscribe_templates, body.get("template_id"))
        _check_subscribe_data(body.get("data"))
        key = (app.app_id, user.openid, template_id)
        subscription = self._state.subscriptions.get(key)
        if subscription is None or subscription.remaining == 0:
            raise WeChatApiError(43101)
        if subscription.remaining is not None:
            subscription.remaining -= 1
        return user

    async def _bizsend(self, request: web.Request) -> web.Response:
        app = self._authorize(request, "oa")
        body = self._json_body(await request.read())
        self._subscription_message(app, body)
        self._record("bizsend", app, body, None)
        return _reply({"errcode": 0, "errmsg": "ok"})

    async def _subscribe_send(self, request: web.Request) -> web.Response:
        app = self._authorize(request, "mp")
        body = self._json_body(await request.read())
        state = body.get("miniprogram_state", "formal")
        if state not in ("developer", "trial", "formal"):
            raise WeChatApiError(47003, "argument invalid! miniprogram_state")
        page = body.get("page")
        if page is not None and (
            not isinstance(page, str)
            or (self.mp_pages is not None and page.partition("?")[0] not in self.mp_pages)
        ):
            raise WeChatApiError(41030)
        self._subscription_message(app, body)
        msgid = int(random_digits(19))
        self._record("subscribe", app, body, msgid)
        return _reply({"errcode": 0, "errmsg": "ok", "msgid": msgid})

    # -- QR codes, menu, users ----------------------------------------------------------------

    async def _qrcode_create(self, request: web.Request) -> web.Response:
        self._authorize(request, "oa")
        body = self._json_body(await request.read())
        action = body.get("action_name")
        info = body.get("action_info")
        scene = info.get("scene") if isinstance(info, dict) else None
        if action not in _QR_ACTIONS or not isinstance(scene, dict):
            raise WeChatApiError(47001)
        if action.endswith("STR_SCENE"):
            value = scene.get("scene_str")
            if not isinstance(value, str) or not 1 <= len(value) <= 64:
                raise WeChatApiError(47001)
        else:
            value = scene.get("scene_id")
            top = 100_000 if action == "QR_LIMIT_SCENE" else 2**32 - 1
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= top:
                raise WeChatApiError(47001)
        ticket = base64.b64encode(secrets.token_bytes(72)).decode()
        url = f"http://weixin.qq.com/q/{random_string(22, ALPHANUMERIC + '_-')}"
        reply: dict[str, Any] = {"ticket": ticket}
        if not action.startswith("QR_LIMIT"):
            expire = body.get("expire_seconds", 60)
            if not isinstance(expire, int) or isinstance(expire, bool) or expire <= 0:
                raise WeChatApiError(47001)
            reply["expire_seconds"] = min(expire, _QR_MAX_EXPIRE)
        reply["url"] = url
        self.qrcodes.append({"action_name": action, "scene": value, **reply})
        return _reply(reply)

    async def _menu_create(self, request: web.Request) -> web.Response:
        self._authorize(request, "oa")
        body = self._json_body(await request.read())
        _check_menu(body.get("button"))
        self.menu = body
        return _reply({"errcode": 0, "errmsg": "ok"})

    async def _user_info(self, request: web.Request) -> web.Response:
        app = self._authorize(request, "oa")
        user = self._known_user(app, request.query.get("openid"))
        info: dict[str, Any] = {"subscribe": 1 if user.subscribed else 0, "openid": user.openid}
        if user.subscribed:
            info.update(
                language=request.query.get("lang", "zh_CN"),
                subscribe_time=user.subscribe_time,
                remark="",
                groupid=0,
                tagid_list=[],
                subscribe_scene="ADD_SCENE_QR_CODE",
                qr_scene=0,
                qr_scene_str="",
            )
        if user.unionid is not None:
            info["unionid"] = user.unionid
        return _reply(info)

    # -- mini-program login -------------------------------------------------------------------

    async def _jscode2session(self, request: web.Request) -> web.Response:
        query = request.query
        app = self._check_credentials(query.get("appid"), query.get("secret"))
        if app.kind != "mp":
            raise WeChatApiError(40013)
        if query.get("grant_type") != "authorization_code":
            raise WeChatApiError(40002)
        code = query.get("js_code")
        if not code:
            raise WeChatApiError(41008)
        login = self._state.login_codes.get(code)
        if login is None or self.now() >= login.issued_at + LOGIN_CODE_TTL:
            raise WeChatApiError(40029)
        if login.used:
            raise WeChatApiError(40163)
        login.used = True
        session_key = base64.b64encode(secrets.token_bytes(16)).decode()
        self.session_keys[login.openid] = session_key
        reply = {"session_key": session_key, "openid": login.openid}
        user = self._state.users[(app.app_id, login.openid)]
        if user.unionid is not None:
            reply["unionid"] = user.unionid
        return _reply(reply)


# -- module helpers ---------------------------------------------------------------------------


def _reply(data: Mapping[str, Any]) -> web.Response:
    return json_response(dict(data), content_type=JSON_CONTENT_TYPE)


def _china_day(timestamp: float) -> int:
    return int((timestamp + 8 * 3600) // 86400)


def _multipart_field(content_type: str, body: bytes, name: str) -> bytes | None:
    """The bytes of form field ``name`` of a multipart/form-data body, or None."""
    if not content_type.lower().startswith("multipart/form-data"):
        return None
    header = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = BytesParser(policy=policy.HTTP).parsebytes(header + body)
    if not message.is_multipart():
        return None
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == name:
            payload = part.get_payload(decode=True)
            return payload if isinstance(payload, bytes) else None
    return None


def _sniff_content_type(data: bytes) -> str:
    """The media type WeChat would see in the bytes (it checks the content, not the filename)."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data.startswith(b"#!AMR"):
        return "audio/amr"
    if data.startswith(b"ID3") or data[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if data[4:8] == b"ftyp":
        return "video/mp4"
    return "application/octet-stream"


def _check_subscribe_data(data: object) -> None:
    """订阅消息 data: ``{"thing1": {"value": "..."}}`` within each keyword type's limits."""
    if not isinstance(data, dict) or not data:
        raise WeChatApiError(47003, "argument invalid! data is empty")
    for key, item in data.items():
        value = item.get("value") if isinstance(item, dict) else None
        if not isinstance(value, str):
            raise WeChatApiError(47003, f"argument invalid! data.{key}.value invalid")
        if not value:
            raise WeChatApiError(47003, f"argument invalid! data.{key}.value is empty")
        rule = _SUBSCRIBE_RULES.get(str(key).rstrip("0123456789"))
        if rule is None:
            continue
        max_length, pattern = rule
        if len(value) > max_length:
            raise WeChatApiError(47003, f"argument invalid! data.{key}.value exceed max length")
        if pattern is not None and not pattern.match(value):
            raise WeChatApiError(47003, f"argument invalid! data.{key}.value invalid")


def _check_menu(buttons: object) -> None:
    """Custom menu rules: 1-3 buttons, 1-5 sub-buttons each, the fields each type needs."""
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        raise WeChatApiError(40016)
    for button in buttons:
        if not isinstance(button, dict):
            raise WeChatApiError(40017)
        subs = button.get("sub_button")
        if subs:
            _check_button(button, top=True, container=True)
            if not isinstance(subs, list) or len(subs) > 5:
                raise WeChatApiError(40023)
            for sub in subs:
                if not isinstance(sub, dict):
                    raise WeChatApiError(40024)
                _check_button(sub, top=False, container=False)
        else:
            _check_button(button, top=True, container=False)


def _check_button(button: dict[str, Any], *, top: bool, container: bool) -> None:
    type_code, name_code, key_code, url_code = (
        (40017, 40018, 40019, 40027) if top else (40024, 40025, 40026, 40027)
    )
    name = button.get("name")
    if not isinstance(name, str) or not name or len(name.encode()) > (16 if top else 60):
        raise WeChatApiError(name_code)
    if container:
        return
    kind = button.get("type")
    if kind not in _MENU_TYPES:
        raise WeChatApiError(type_code)
    if kind in _MENU_TYPES_NEEDING_KEY:
        key = button.get("key")
        if not isinstance(key, str) or not key or len(key.encode()) > 128:
            raise WeChatApiError(key_code)
    if kind in ("view", "miniprogram"):
        url = button.get("url")
        if not isinstance(url, str) or not url or len(url.encode()) > 1024:
            raise WeChatApiError(url_code)
    if kind == "miniprogram" and not (button.get("appid") and button.get("pagepath")):
        raise WeChatApiError(type_code)
    if kind == "media_id" and not button.get("media_id"):
        raise WeChatApiError(type_code)
    if kind in ("article_id", "article_view_limited") and not button.get("article_id"):
        raise WeChatApiError(type_code)
