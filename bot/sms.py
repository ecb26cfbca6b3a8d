"""Sending SMS: one ``SmsSender`` interface, a console provider and Tencent Cloud SMS.

A message is a *purpose* (a key of ``[sms] templates``: ``verify_code``, ``review_result``,
``cert_password``) plus its template parameters, in the order of ``CONSOLE_TEXTS``. Phone
numbers are mainland China mobile numbers, accepted in the usual forms (``13800138000``,
``+86 138 0013 8000``, ``0086…``, full-width digits) and sent as ``+8613800138000``.

- ``ConsoleSms`` (development) logs that a message went to a masked number and keeps the full
  message in a bounded in-memory ``outbox`` for the development console; never in the log.
- ``TencentSms`` calls Tencent Cloud SMS API 3.0 (``SendSms``, version 2021-01-11) signed with
  TC3-HMAC-SHA256. A request that certainly did not reach Tencent (connection refused or not
  established, HTTP 503) is tried once more; nothing is retried after a timeout or any other
  answer, as the message may have gone out.

Errors are typed: ``SmsRateLimited`` (per-number limits), ``SmsRejected`` (bad number),
``SmsUnavailable`` (network, 5xx, Tencent internal errors; ``retryable``) and ``SmsError`` for
everything else (credentials, templates, signature: configuration, not retryable). Each has a
``user_message`` for the applicant. Template parameters (codes, passwords) are never logged.
"""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import hmac
import json
import string
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import aiohttp

from bot.config import ConfigError, SmsSettings
from bot.logs import get_logger
from bot.masking import mask_phone
from bot.validators import Invalid, mobile

log = get_logger(__name__)

VERIFY_CODE = "verify_code"
REVIEW_RESULT = "review_result"
CERT_PASSWORD = "cert_password"  # noqa: S105  (a purpose name, not a password)
ORDER_NOTICE = "order_notice"  # an order's news when WeChat cannot deliver it

# The built-in texts of the console provider, by purpose. They are also the reference texts
# to submit to Tencent for approval: the parameter order {0}, {1}... is the contract.
CONSOLE_TEXTS: Mapping[str, str] = {
    VERIFY_CODE: "您的验证码为 {0}，5 分钟内有效。如非本人操作，请忽略本短信。",
    REVIEW_RESULT: "您的数字证书申请（订单 {0}）审核结果：{1}。详情请在微信公众号中查看。",
    CERT_PASSWORD: "您的数字证书（订单 {0}）的 USB Key 初始密码为 {1}，请妥善保管并尽快修改。",
    ORDER_NOTICE: "您的数字证书订单 {0}：{1}。详情请在微信公众号中查看。",
}

SMS_FAILED = "短信发送失败，请稍后再试；如多次失败，请联系客服。"
SMS_RATE_LIMITED = "该手机号接收短信过于频繁，请稍后再试。"
SMS_REJECTED = "该手机号码无法接收短信，请检查号码是否正确（需为中国大陆手机号码）。"
SMS_UNAVAILABLE = "短信服务暂时不可用，请稍后再试。"

OUTBOX_SIZE = 200  # console messages kept for the development console

# Tencent Cloud SMS API 3.0
TC3_ALGORITHM = "TC3-HMAC-SHA256"
TC3_SERVICE = "sms"
SEND_SMS_ACTION = "SendSms"
SEND_SMS_VERSION = "2021-01-11"
CONTENT_TYPE = "application/json; charset=utf-8"
SIGNED_HEADERS = "content-type;host"
ATTEMPTS = 2  # one retry, only when the request certainly did not reach Tencent
RATE_LIMIT_CODES = frozenset(
    {
        "LimitExceeded.PhoneNumberThirtySecondLimit",
        "LimitExceeded.PhoneNumberOneHourLimit",
        "LimitExceeded.PhoneNumberDailyLimit",
        "LimitExceeded.PhoneNumberSameContentDailyLimit",
        "LimitExceeded.DeliveryFrequencyLimit",
    }
)
REJECTED_CODES = frozenset(
    {"InvalidParameterValue.IncorrectPhoneNumber", "FailedOperation.PhoneNumberInBlacklist"}
)
UNAVAILABLE_PREFIXES = ("InternalError", "RequestLimitExceeded")


HttpSession = aiohttp.ClientSession | Callable[[], aiohttp.ClientSession]


class SmsError(Exception):
    """An SMS was not (or may not have been) sent: ``code`` and ``message`` as the provider
    gave them (``code`` of our own for local checks, e.g. ``InvalidPhoneNumber``)."""

    retryable = False  # whether sending again later may succeed without anyone's action
    user_message = SMS_FAILED

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class SmsRateLimited(SmsError):
    """The provider's per-number frequency limit was reached."""

    user_message = SMS_RATE_LIMITED


class SmsRejected(SmsError):
    """The number is not a valid (or a reachable) mainland China mobile number."""

    user_message = SMS_REJECTED


class SmsUnavailable(SmsError):
    """The provider could not be reached, timed out or failed internally."""

    retryable = True
    user_message = SMS_UNAVAILABLE


class SmsSender(Protocol):
    """Sends one templated SMS; raises SmsError (or a subclass) when it was not sent."""

    async def send(self, phone: str, purpose: str, params: list[str]) -> None:
        """Send the ``purpose`` template with ``params`` to the mainland number ``phone``."""
        ...


def normalize_phone(phone: str) -> str:
    """The 11-digit mainland China mobile number in ``phone``; SmsRejected if there is none."""
    try:
        return mobile(phone)
    except Invalid as exc:
        raise SmsRejected("InvalidPhoneNumber", "not a mainland China mobile number") from exc


# -- console provider ----------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxMessage:
    """One message the console provider "sent"."""

    phone: str
    purpose: str
    params: tuple[str, ...]
    text: str
    time: float


def _param_count(text: str) -> int:
    return len({name for _, name, _, _ in string.Formatter().parse(text) if name is not None})


class ConsoleSms:
    """Development provider: logs the masked number and keeps the message in ``outbox``."""

    def __init__(self, outbox_size: int = OUTBOX_SIZE) -> None:
        self.outbox: deque[OutboxMessage] = deque(maxlen=outbox_size)

    async def send(self, phone: str, purpose: str, params: list[str]) -> None:
        """Render the built-in text of ``purpose`` into the outbox (errors as Tencent would)."""
        number = normalize_phone(phone)
        text = CONSOLE_TEXTS.get(purpose)
        if text is None:
            raise SmsError("TemplateNotConfigured", f"no console text for purpose {purpose!r}")
        if _param_count(text) != len(params):
            raise SmsError(
                "TemplateParamMismatch",
                f"purpose {purpose!r} takes {_param_count(text)} parameters, got {len(params)}",
            )
        message = OutboxMessage(number, purpose, tuple(params), text.format(*params), time.time())
        self.outbox.append(message)
        log.info("console sms %s to %s (kept in the dev outbox)", purpose, mask_phone(number))


# -- Tencent Cloud SMS -----------------------------------------------------------------------


def tc3_authorization(
    secret_id: str, secret_key: str, *, host: str, payload: bytes, timestamp: int
) -> str:
    """The ``Authorization`` header (TC3-HMAC-SHA256) of a POST of ``payload`` to ``host``/."""
    date = datetime.datetime.fromtimestamp(timestamp, datetime.UTC).strftime("%Y-%m-%d")
    canonical_request = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:{CONTENT_TYPE}\nhost:{host}\n",
            SIGNED_HEADERS,
            hashlib.sha256(payload).hexdigest(),
        ]
    )
    scope = f"{date}/{TC3_SERVICE}/tc3_request"
    string_to_sign = "\n".join(
        [
            TC3_ALGORITHM,
            str(timestamp),
            scope,
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        ]
    )
    key = ("TC3" + secret_key).encode()
    for part in (date, TC3_SERVICE, "tc3_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return (
        f"{TC3_ALGORITHM} Credential={secret_id}/{scope}, "
        f"SignedHeaders={SIGNED_HEADERS}, Signature={signature}"
    )


def tencent_error(code: str, message: str) -> SmsError:
    """The typed error for a Tencent error code (``Response.Error`` or a per-number Code)."""
    if code in RATE_LIMIT_CODES:
        return SmsRateLimited(code, message)
    if code in REJECTED_CODES:
        return SmsRejected(code, message)
    if code.startswith(UNAVAILABLE_PREFIXES):
        return SmsUnavailable(code, message)
    return SmsError(code, message)


class _NotSent(Exception):
    """The request certainly did not reach Tencent: safe to send again."""


class TencentSms:
    """Tencent Cloud SMS API 3.0 (``SendSms``) over aiohttp."""

    def __init__(
        self,
        *,
        secret_id: str,
        secret_key: str,
        sdk_app_id: str,
        sign_name: str,
        templates: Mapping[str, str],
        http: HttpSession,
        endpoint: str = "https://sms.tencentcloudapi.com",
        region: str = "ap-guangzhou",
        timeout: float = 10.0,
        connect_timeout: float = 5.0,
        retry_delay: float = 0.5,
        clock: Callable[[], float] = time.time,
    ) -> None:
        parts = urlsplit(endpoint)
        self.secret_id = secret_id
        self._secret_key = secret_key
        self.sdk_app_id = sdk_app_id
        self.sign_name = sign_name
        self.templates = dict(templates)
        self._http = http
        self.host = parts.netloc.lower()
        self.url = f"{parts.scheme}://{parts.netloc}/"
        self.region = region
        self.timeout = aiohttp.ClientTimeout(total=timeout, connect=connect_timeout)
        self.retry_delay = retry_delay
        self.clock = clock

    @property
    def http(self) -> aiohttp.ClientSession:
        """The HTTP session (resolved on use, so the sender can be built before the loop)."""
        return self._http if isinstance(self._http, aiohttp.ClientSession) else self._http()

    async def send(self, phone: str, purpose: str, params: list[str]) -> None:
        """Send the approved template of ``purpose``; raises SmsError if it was not sent."""
        number = normalize_phone(phone)
        template_id = self.templates.get(purpose)
        if not template_id:
            raise SmsError("TemplateNotConfigured", f"[sms] templates has no {purpose!r}")
        body = {
            "PhoneNumberSet": ["+86" + number],
            "SmsSdkAppId": self.sdk_app_id,
            "TemplateId": template_id,
            "SignName": self.sign_name,
            "TemplateParamSet": list(params),
        }
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        try:
            response = await self._call(payload)
            _check_status(response)
        except SmsError as exc:
            # The code only: a provider message may quote template parameters.
            log.warning(
                "sms %s to %s failed: %s",
                purpose,
                mask_phone(number),
                exc.code,
                extra={"retryable": exc.retryable},
            )
            raise
        log.info(
            "sms %s sent to %s",
            purpose,
            mask_phone(number),
            extra={"request_id": response.get("RequestId", "")},
        )

    async def _call(self, payload: bytes) -> dict[str, Any]:
        """POST with one retry when the request did not reach Tencent; ``Response``."""
        attempt = 1
        while True:
            try:
                return await self._post(payload)
            except _NotSent as exc:
                if attempt >= ATTEMPTS:
                    raise SmsUnavailable("Unreachable", str(exc)) from exc
                log.warning("sms: tencent not reached (%s), retrying once", exc)
                attempt += 1
                await asyncio.sleep(self.retry_delay)

    async def _post(self, payload: bytes) -> dict[str, Any]:
        timestamp = int(self.clock())
        headers = {
            "Host": self.host,
            "Content-Type": CONTENT_TYPE,
            "X-TC-Action": SEND_SMS_ACTION,
            "X-TC-Version": SEND_SMS_VERSION,
            "X-TC-Region": self.region,
            "X-TC-Timestamp": str(timestamp),
            "Authorization": tc3_authorization(
                self.secret_id,
                self._secret_key,
                host=self.host,
                payload=payload,
                timestamp=timestamp,
            ),
        }
        try:
            async with self.http.post(
                self.url, data=payload, headers=headers, timeout=self.timeout
            ) as response:
                if response.status == 503:
                    raise _NotSent("HTTP 503")
                if response.status >= 500:
                    raise SmsUnavailable(f"HTTP{response.status}", "server error")
                if response.status != 200:
                    raise SmsError(f"HTTP{response.status}", "unexpected HTTP status")
                text = await response.read()
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
            raise _NotSent(f"cannot connect: {exc}") from exc
        except (TimeoutError, aiohttp.ClientError) as exc:
            # Timed out or broken after the request went out: the SMS may have been sent.
            raise SmsUnavailable(type(exc).__name__, "no answer from tencent") from exc
        return _response_of(text)


def _response_of(text: bytes) -> dict[str, Any]:
    """The ``Response`` object of a Tencent answer; SmsUnavailable if there is none."""
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    response = parsed.get("Response") if isinstance(parsed, dict) else None
    if not isinstance(response, dict):
        raise SmsUnavailable("BadResponse", "answer without a Response object")
    return response


def _check_status(response: dict[str, Any]) -> None:
    """Raise the typed error of ``Response.Error`` or of the (single) number's status."""
    error = response.get("Error")
    if isinstance(error, dict):
        raise tencent_error(str(error.get("Code", "")), str(error.get("Message", "")))
    statuses = response.get("SendStatusSet")
    if not isinstance(statuses, list) or len(statuses) != 1 or not isinstance(statuses[0], dict):
        raise SmsUnavailable("BadResponse", "answer without one SendStatusSet entry")
    code = str(statuses[0].get("Code", ""))
    if code != "Ok":
        raise tencent_error(code, str(statuses[0].get("Message", "")))


def build_sms_sender(settings: SmsSettings, http: HttpSession) -> SmsSender:
    """The provider ``[sms]`` configures; ConfigError if Tencent credentials are missing."""
    if settings.provider == "console":
        return ConsoleSms()
    if settings.provider != "tencent":
        raise ConfigError(f"sms.provider: unknown provider {settings.provider!r}")
    for name in ("secret_id", "secret_key", "sdk_app_id", "sign_name"):
        if not getattr(settings, name):
            raise ConfigError(f"sms.{name}: required when sms.provider is tencent")
    return TencentSms(
        secret_id=settings.secret_id,
        secret_key=settings.secret_key,
        sdk_app_id=settings.sdk_app_id,
        sign_name=settings.sign_name,
        templates=settings.templates,
        http=http,
        endpoint=settings.endpoint,
        region=settings.region,
    )
