"""Async client of the WeChat API (official account and mini-program) on aiohttp.

wechatpy's client is synchronous, so certdesk calls the HTTP API itself:
- the access token comes from ``cgi-bin/stable_token`` and is shared by every process through
  the store; one process refreshes at a time (store lock), the others wait and reuse it;
- an API answer of 40001/40014/42001 (token invalid or expired) refreshes the token once and
  retries the call once;
- network errors and 5xx answers are retried a bounded number of times with a short backoff;
  calls that send something to a user are not retried after a timeout (the message may have
  gone out), only when the connection could not be made or WeChat answered "busy";
- errors are typed (``WeChatAPIError`` with WeChat's errcode and errmsg).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.logs import get_logger
from bot.store import Store

log = get_logger(__name__)

TOKEN_ERRORS = frozenset({40001, 40014, 42001})
BUSY = -1  # "system error, please retry"
MAX_MEDIA_BYTES = 20 * 1024 * 1024


class WeChatAPIError(Exception):
    """WeChat answered with a non-zero errcode (or could not be reached: errcode None)."""

    def __init__(self, errcode: int | None, errmsg: str, path: str = "") -> None:
        super().__init__(f"{path}: errcode {errcode}: {errmsg}" if path else errmsg)
        self.errcode = errcode
        self.errmsg = errmsg
        self.path = path


class WeChatUnavailable(WeChatAPIError):
    """WeChat could not be reached or kept failing (network errors, 5xx) after the retries."""

    def __init__(self, reason: str, path: str = "") -> None:
        super().__init__(None, reason, path)


@dataclass(frozen=True)
class Media:
    """A downloaded media file."""

    data: bytes
    content_type: str
    filename: str | None = None


class WeChatClient:
    """One WeChat app (the official account, or the mini-program) seen from certdesk."""

    def __init__(
        self,
        app_id: str,
        app_secret: str,
        *,
        store: Store,
        http: aiohttp.ClientSession | Callable[[], aiohttp.ClientSession],
        base_url: str = "https://api.weixin.qq.com",
        timeout: float = 10.0,
        retries: int = 2,
        retry_delay: float = 0.2,
    ) -> None:
        self.app_id = app_id
        self.app_secret = app_secret
        self.store = store
        self._http = http
        self.base_url = base_url.rstrip("/")
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.retries = retries
        self.retry_delay = retry_delay

    @property
    def http(self) -> aiohttp.ClientSession:
        """The HTTP session (resolved on use, so the client can be built before the loop)."""
        return self._http if isinstance(self._http, aiohttp.ClientSession) else self._http()

    # -- access token -------------------------------------------------------------------------

    @property
    def _token_key(self) -> str:
        return f"wechat:token:{self.app_id}"

    async def access_token(self, invalid: str | None = None) -> str:
        """A valid access token; ``invalid`` is one WeChat just refused (forces a new one)."""
        cached = await self.store.get(self._token_key)
        if cached is not None and cached.decode() != invalid:
            return cached.decode()
        async with self.store.lock(f"wechat:token-refresh:{self.app_id}", lease=30, wait=20):
            cached = await self.store.get(self._token_key)  # another process may have refreshed
            if cached is not None and cached.decode() != invalid:
                return cached.decode()
            body = {
                "grant_type": "client_credential",
                "appid": self.app_id,
                "secret": self.app_secret,
                "force_refresh": invalid is not None,
            }
            data = await self._call(
                "POST", "/cgi-bin/stable_token", json_body=body, idempotent=True
            )
            token = str(data["access_token"])
            expires_in = int(data.get("expires_in", 7200))
            await self.store.set(self._token_key, token, ttl=max(60, expires_in - 300))
            log.info("wechat access token refreshed", extra={"app_id": self.app_id})
            return token

    # -- transport ------------------------------------------------------------------------------

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        form: aiohttp.FormData | None = None,
        with_token: bool = False,
        idempotent: bool = False,
        raw: bool = False,
    ) -> Any:
        """One API call with token handling and bounded retries; JSON dict (or Media if raw)."""
        token = await self.access_token() if with_token else None
        refreshed = False
        attempt = 0
        while True:
            query = dict(params or {})
            if token is not None:
                query["access_token"] = token
            try:
                result = await self._send(method, path, query, json_body, form, raw)
            except _Retryable as exc:
                if attempt < self.retries and (idempotent or exc.safe_to_retry):
                    attempt += 1
                    await asyncio.sleep(self.retry_delay * attempt)
                    continue
                raise WeChatUnavailable(exc.reason, path) from exc
            if isinstance(result, Media):
                return result
            errcode = int(result.get("errcode", 0) or 0)
            if errcode == 0:
                return result
            errmsg = str(result.get("errmsg", ""))
            if with_token and errcode in TOKEN_ERRORS and not refreshed:
                refreshed = True
                token = await self.access_token(invalid=token)
                continue
            if errcode == BUSY and attempt < self.retries:
                attempt += 1
                await asyncio.sleep(self.retry_delay * attempt)
                continue
            raise WeChatAPIError(errcode, errmsg, path)

    async def _send(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        json_body: Any,
        form: aiohttp.FormData | None,
        raw: bool,
    ) -> dict[str, Any] | Media:
        data: Any = form
        headers = {}
        if json_body is not None:
            # WeChat wants UTF-8 text, not \\u escapes, in messages.
            data = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json; charset=utf-8"
        try:
            async with self.http.request(
                method,
                self.base_url + path,
                params=query,
                data=data,
                headers=headers,
                timeout=self.timeout,
            ) as response:
                if response.status >= 500:
                    raise _Retryable(f"HTTP {response.status}", safe_to_retry=True)
                content_type = response.headers.get("Content-Type", "")
                if raw and not _is_json(content_type):
                    if response.status != 200:
                        raise WeChatAPIError(None, f"HTTP {response.status}", path)
                    body = await _read_limited(response, MAX_MEDIA_BYTES, path)
                    return Media(
                        body,
                        content_type.split(";")[0].strip(),
                        _filename(response.headers.get("Content-Disposition", "")),
                    )
                text = await response.read()
        except aiohttp.ClientConnectorError as exc:
            raise _Retryable(f"cannot connect: {exc.os_error}", safe_to_retry=True) from exc
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            raise _Retryable("timed out", safe_to_retry=False) from exc
        except aiohttp.ClientError as exc:
            raise _Retryable(f"{type(exc).__name__}", safe_to_retry=False) from exc
        try:
            parsed = json.loads(text)
        except ValueError as exc:
            raise WeChatAPIError(None, "answer is not JSON", path) from exc
        if not isinstance(parsed, dict):
            raise WeChatAPIError(None, "answer is not a JSON object", path)
        return parsed

    # -- calls ----------------------------------------------------------------------------------

    async def download_media(self, media_id: str) -> Media:
        """A temporary media file a user sent (MediaId, valid 3 days)."""
        result: Media = await self._call(
            "GET",
            "/cgi-bin/media/get",
            params={"media_id": media_id},
            with_token=True,
            idempotent=True,
            raw=True,
        )
        return result

    async def upload_image(
        self, data: bytes, filename: str = "image.jpg", content_type: str = "image/jpeg"
    ) -> str:
        """Upload a temporary image (≤ 2 MB JPEG/PNG) and return its media_id."""
        form = aiohttp.FormData()
        form.add_field("media", data, filename=filename, content_type=content_type)
        result = await self._call(
            "POST", "/cgi-bin/media/upload", params={"type": "image"}, form=form, with_token=True
        )
        return str(result["media_id"])

    async def send_custom(self, message: dict[str, Any]) -> None:
        """A customer-service message (``touser``, ``msgtype`` and its body)."""
        await self._call("POST", "/cgi-bin/message/custom/send", json_body=message, with_token=True)

    async def send_text(self, openid: str, text: str) -> None:
        """Customer-service text message."""
        await self.send_custom({"touser": openid, "msgtype": "text", "text": {"content": text}})

    async def send_image(self, openid: str, media_id: str) -> None:
        """Customer-service image message."""
        await self.send_custom(
            {"touser": openid, "msgtype": "image", "image": {"media_id": media_id}}
        )

    async def send_news(
        self, openid: str, title: str, description: str, url: str, picurl: str = ""
    ) -> None:
        """Customer-service link card (one article)."""
        article = {"title": title, "description": description, "url": url, "picurl": picurl}
        await self.send_custom(
            {"touser": openid, "msgtype": "news", "news": {"articles": [article]}}
        )

    async def send_template(
        self,
        openid: str,
        template_id: str,
        data: Mapping[str, str],
        *,
        url: str | None = None,
        miniprogram: Mapping[str, str] | None = None,
        client_msg_id: str | None = None,
    ) -> int:
        """A template message (service notice); returns WeChat's msgid."""
        body: dict[str, Any] = {
            "touser": openid,
            "template_id": template_id,
            "data": {key: {"value": value} for key, value in data.items()},
        }
        if url:
            body["url"] = url
        if miniprogram:
            body["miniprogram"] = dict(miniprogram)
        if client_msg_id:
            body["client_msg_id"] = client_msg_id  # WeChat drops a repeated id: safe retries
        result = await self._call(
            "POST",
            "/cgi-bin/message/template/send",
            json_body=body,
            with_token=True,
            idempotent=client_msg_id is not None,
        )
        return int(result.get("msgid", 0))

    async def create_qrcode(self, scene: str, expire_seconds: int | None = None) -> dict[str, Any]:
        """A parametric QR code for ``scene`` (temporary when ``expire_seconds`` is given)."""
        if not 1 <= len(scene) <= 64:
            raise ValueError("a QR scene string has 1 to 64 characters")
        body: dict[str, Any] = {
            "action_name": "QR_STR_SCENE" if expire_seconds else "QR_LIMIT_STR_SCENE",
            "action_info": {"scene": {"scene_str": scene}},
        }
        if expire_seconds:
            body["expire_seconds"] = expire_seconds
        result: dict[str, Any] = await self._call(
            "POST", "/cgi-bin/qrcode/create", json_body=body, with_token=True, idempotent=True
        )
        return result

    async def create_menu(self, menu: Mapping[str, Any]) -> None:
        """Replace the custom menu."""
        await self._call(
            "POST", "/cgi-bin/menu/create", json_body=dict(menu), with_token=True, idempotent=True
        )

    async def user_info(self, openid: str) -> dict[str, Any]:
        """Subscription state and UnionID of a follower."""
        result: dict[str, Any] = await self._call(
            "GET",
            "/cgi-bin/user/info",
            params={"openid": openid, "lang": "zh_CN"},
            with_token=True,
            idempotent=True,
        )
        return result

    async def code_to_session(self, js_code: str) -> dict[str, Any]:
        """Mini-program login: ``wx.login`` code → openid, session_key (and unionid)."""
        params = {
            "appid": self.app_id,
            "secret": self.app_secret,
            "js_code": js_code,
            "grant_type": "authorization_code",
        }
        result: dict[str, Any] = await self._call("GET", "/sns/jscode2session", params=params)
        return result

    async def send_subscribe_message(
        self, openid: str, template_id: str, data: Mapping[str, str], page: str | None = None
    ) -> None:
        """Mini-program subscribe message (one per consent the user gave)."""
        body: dict[str, Any] = {
            "touser": openid,
            "template_id": template_id,
            "data": {key: {"value": value} for key, value in data.items()},
        }
        if page:
            body["page"] = page
        await self._call("POST", "/cgi-bin/message/subscribe/send", json_body=body, with_token=True)


class _Retryable(Exception):
    def __init__(self, reason: str, *, safe_to_retry: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.safe_to_retry = safe_to_retry


def _is_json(content_type: str) -> bool:
    kind = content_type.split(";")[0].strip().lower()
    return kind in {"application/json", "text/json", "text/plain"}


def _filename(disposition: str) -> str | None:
    for part in disposition.split(";"):
        name, _, value = part.strip().partition("=")
        if name.lower() == "filename" and value:
            return value.strip('"')[:200]
    return None


async def _read_limited(response: aiohttp.ClientResponse, limit: int, path: str) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise WeChatAPIError(None, f"media larger than {limit} bytes", path)
        chunks.append(chunk)
    return b"".join(chunks)
