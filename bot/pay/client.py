"""Async WeChat Pay API v3 client on the shared aiohttp session (direct merchant).

Every request is signed; every answer is verified before it is believed. Failures are
:class:`PayError` with WeChat's ``code`` / ``message``. Network errors, timeouts and 5xx are
retried a bounded number of times with the *same* body, so a retried prepay reuses the same
``out_trade_no`` (WeChat answers the same prepay) and a retried refund the same
``out_refund_no`` — nothing is charged or refunded twice.
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import aiohttp
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.bodies import read_at_most
from bot.config import ConfigError, PaySettings
from bot.logs import get_logger
from bot.pay import signing

if TYPE_CHECKING:
    from bot.services import Services

log = get_logger(__name__)

RETRY_DELAYS = (0.2, 1.0)
"""Pauses before the 2nd and 3rd attempt of a request that failed in transit or with a 5xx."""
MAX_RESPONSE = 256 * 1024


class PayError(Exception):
    """WeChat Pay refused or could not be reached: HTTP ``status`` (0: no answer) and WeChat's
    ``code`` / ``message``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message

    @property
    def transient(self) -> bool:
        """Whether trying again later may help (no answer, 5xx, rate limit)."""
        return self.status == 0 or self.status >= 500 or self.status == 429


class PayClient:
    """The v3 endpoints certdesk uses: prepay (Native, JSAPI), query, close, refund."""

    def __init__(
        self,
        *,
        mchid: str,
        appid: str,
        serial_no: str,
        private_key: rsa.RSAPrivateKey,
        verifier: signing.Verifier,
        base_url: str,
        notify_url: str,
        http: Callable[[], aiohttp.ClientSession],
        timeout: float = 10.0,
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
        platform_key_id: str = "",
    ) -> None:
        self.mchid = mchid
        self.appid = appid
        self.serial_no = serial_no
        self.private_key = private_key
        self.verifier = verifier
        self.base_url = base_url.rstrip("/")
        self.notify_url = notify_url
        self._http = http
        self.timeout = timeout
        self.retry_delays = retry_delays
        self.platform_key_id = platform_key_id

    # -- endpoints ----------------------------------------------------------------------------

    def prepay_body(
        self,
        *,
        out_trade_no: str,
        description: str,
        amount_fen: int,
        time_expire: datetime | None = None,
        openid: str | None = None,
        appid: str | None = None,
    ) -> dict[str, Any]:
        """The prepay request for an order (deterministic: a repeat sends the same body)."""
        body: dict[str, Any] = {
            "appid": appid or self.appid,
            "mchid": self.mchid,
            "description": description[:127],
            "out_trade_no": out_trade_no,
            "notify_url": self.notify_url,
            "amount": {"total": amount_fen, "currency": "CNY"},
        }
        if time_expire is not None:
            body["time_expire"] = time_expire.isoformat(timespec="seconds")
        if openid is not None:
            body["payer"] = {"openid": openid}
        return body

    async def prepay_native(self, body: dict[str, Any]) -> str:
        """Native prepay; returns the ``code_url`` to show as a QR code."""
        answer = await self._request("POST", "/v3/pay/transactions/native", body)
        return _field(answer, "code_url")

    async def prepay_jsapi(self, body: dict[str, Any]) -> str:
        """JSAPI / mini-program prepay (``body`` has ``payer.openid``); returns ``prepay_id``."""
        answer = await self._request("POST", "/v3/pay/transactions/jsapi", body)
        return _field(answer, "prepay_id")

    async def query(self, out_trade_no: str) -> dict[str, Any]:
        """The transaction as WeChat Pay knows it (``trade_state`` etc.)."""
        path = f"/v3/pay/transactions/out-trade-no/{quote(out_trade_no, safe='')}"
        return await self._request("GET", f"{path}?mchid={quote(self.mchid, safe='')}")

    async def close(self, out_trade_no: str) -> None:
        """Close an unpaid order so it can no longer be paid."""
        path = f"/v3/pay/transactions/out-trade-no/{quote(out_trade_no, safe='')}/close"
        await self._request("POST", path, {"mchid": self.mchid})

    async def refund(
        self,
        *,
        out_trade_no: str,
        out_refund_no: str,
        refund_fen: int,
        total_fen: int,
        reason: str = "",
    ) -> dict[str, Any]:
        """Ask for a refund (idempotent per ``out_refund_no``); returns the refund."""
        body: dict[str, Any] = {
            "out_trade_no": out_trade_no,
            "out_refund_no": out_refund_no,
            "notify_url": self.notify_url,
            "amount": {"refund": refund_fen, "total": total_fen, "currency": "CNY"},
        }
        if reason:
            body["reason"] = reason[:80]
        return await self._request("POST", "/v3/refund/domestic/refunds", body)

    async def query_refund(self, out_refund_no: str) -> dict[str, Any]:
        """A refund as WeChat Pay knows it (``status``)."""
        return await self._request(
            "GET", f"/v3/refund/domestic/refunds/{quote(out_refund_no, safe='')}"
        )

    def jsapi_params(self, prepay_id: str, appid: str | None = None) -> dict[str, str]:
        """Signed ``getBrandWCPayRequest`` / ``wx.requestPayment`` arguments."""
        return signing.jsapi_params(self.private_key, appid or self.appid, prepay_id)

    # -- transport ----------------------------------------------------------------------------

    async def _request(
        self, method: str, path: str, body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        data = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
        last: PayError | None = None
        for attempt in range(len(self.retry_delays) + 1):
            if attempt:
                await asyncio.sleep(self.retry_delays[attempt - 1])
            try:
                return await self._once(method, path, data)
            except PayError as exc:
                if not exc.transient:
                    raise
                last = exc
                log.warning(
                    "wechat pay request failed, retrying",
                    extra={"path": path.split("?")[0], "attempt": attempt + 1, "error": str(exc)},
                )
        assert last is not None
        raise last

    async def _once(self, method: str, path: str, data: bytes) -> dict[str, Any]:
        headers = {
            "Authorization": signing.authorization(
                mchid=self.mchid,
                serial_no=self.serial_no,
                private_key=self.private_key,
                method=method,
                path=path,
                body=data,
            ),
            "Accept": "application/json",
            "Content-Type": "application/json",
        }
        if self.platform_key_id:
            headers["Wechatpay-Serial"] = self.platform_key_id
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        try:
            async with self._http().request(
                method, self.base_url + path, data=data or None, headers=headers, timeout=timeout
            ) as response:
                raw = await read_at_most(response.content, MAX_RESPONSE)
                status = response.status
                answer_headers = dict(response.headers)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise PayError(0, "NETWORK_ERROR", f"{type(exc).__name__}: {exc}") from exc
        if len(raw) > MAX_RESPONSE:
            raise PayError(status, "RESPONSE_TOO_LARGE", "response too large")
        parsed = _json_object(raw)
        if status >= 300:
            raise PayError(
                status,
                str(parsed.get("code") or "HTTP_ERROR"),
                str(parsed.get("message") or f"HTTP {status}"),
            )
        try:
            self.verifier.verify(answer_headers, raw)
        except signing.SignatureError as exc:
            raise PayError(status, "SIGN_INVALID", f"response not trusted: {exc}") from exc
        return parsed


def _json_object(raw: bytes) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        parsed = json.loads(raw)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _field(answer: dict[str, Any], name: str) -> str:
    value = answer.get(name)
    if not isinstance(value, str) or not value:
        raise PayError(200, "BAD_RESPONSE", f"response without {name}")
    return value


@functools.lru_cache(maxsize=16)
def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"pay: cannot read key file {path}: {exc}") from exc


@functools.lru_cache(maxsize=8)
def _private_key(path: str) -> rsa.RSAPrivateKey:
    return signing.load_private_key(_read(path))


def build_verifier(config: PaySettings) -> signing.Verifier:
    """The keys notifications and responses may be signed with: the WeChat Pay public key and
    any platform certificates (by their serial), for the migration window."""
    verifier = signing.Verifier()
    if config.platform_public_key:
        if not config.platform_public_key_id:
            raise ConfigError("pay.platform_public_key_id is required with platform_public_key")
        verifier.add(config.platform_public_key_id, _read(config.platform_public_key))
    for path in config.platform_certificates:
        pem = _read(path)
        verifier.add(signing.certificate_serial(pem), pem)
    return verifier


def is_configured(config: PaySettings) -> bool:
    """Whether WeChat Pay is set up (merchant id, key and a way to verify WeChat)."""
    return bool(
        config.mch_id
        and config.merchant_private_key
        and config.api_v3_key
        and (config.platform_public_key or config.platform_certificates)
    )


def notify_url(services: Services) -> str:
    """Where WeChat Pay sends notifications."""
    config = services.settings.pay
    return config.notify_url or services.settings.server.public_url.rstrip("/") + "/pay/notify"


def build_pay_client(services: Services) -> PayClient:
    """The Pay client of ``services`` (keys read once per process)."""
    config = services.settings.pay
    if not is_configured(config):
        raise ConfigError("pay: mch_id, merchant_private_key, api_v3_key and a platform key")
    return PayClient(
        mchid=config.mch_id,
        appid=config.app_id,
        serial_no=config.merchant_serial_no,
        private_key=_private_key(config.merchant_private_key),
        verifier=build_verifier(config),
        base_url=config.api_base_url,
        notify_url=notify_url(services),
        http=lambda: services.http,
        timeout=config.timeout_seconds,
        platform_key_id=config.platform_public_key_id,
    )
