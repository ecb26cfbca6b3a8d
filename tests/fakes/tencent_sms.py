"""Fake of Tencent Cloud SMS API 3.0 (sms.tencentcloudapi.com): action SendSms, version 2021-01-11.

It verifies the TC3-HMAC-SHA256 signature as Tencent Cloud does and reports every error the way
Tencent does: HTTP 200 with ``{"Response": {"Error": {"Code", "Message"}, "RequestId"}}``;
per-number failures come back inside ``SendStatusSet``.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import re
import time
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.sandbox.base import FakeServer, json_response
from bot.sandbox.crypto import random_digits

DEFAULT_SECRET_ID = "AKIDcertdeskFake0123456789abcdefABCD"
DEFAULT_SECRET_KEY = "certdeskFakeSecretKey0123456789a"
DEFAULT_SDK_APP_ID = "1400000001"
DEFAULT_SIGN_NAME = "证书服务"
DEFAULT_TEMPLATES: Mapping[str, int] = {"1000001": 2}  # template id -> number of parameters

ALGORITHM = "TC3-HMAC-SHA256"
ACTION = "SendSms"
VERSION = "2021-01-11"
REGIONS = frozenset({"ap-guangzhou", "ap-beijing", "ap-nanjing"})
SIGNATURE_WINDOW = 300
MAX_NUMBERS = 200

_SEND_SMS_PARAMS: Mapping[str, type] = {
    "PhoneNumberSet": list,
    "SmsSdkAppId": str,
    "TemplateId": str,
    "SignName": str,
    "TemplateParamSet": list,
    "ExtendCode": str,
    "SessionContext": str,
    "SenderId": str,
}
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_CN_MOBILE = re.compile(r"^\+861[3-9][0-9]{9}$")
_ISO_CODES = {"86": "CN", "852": "HK", "853": "MO", "886": "TW", "1": "US", "44": "GB", "81": "JP"}
_MESSAGES = {
    "Ok": "send success",
    "InvalidParameterValue.IncorrectPhoneNumber": "incorrect number format",
    "LimitExceeded.PhoneNumberThirtySecondLimit": (
        "the number of sms messages sent from a single mobile number within 30 seconds exceeds "
        "the upper limit"
    ),
    "LimitExceeded.PhoneNumberOneHourLimit": (
        "the number of sms messages sent from a single mobile number within 1 hour exceeds the "
        "upper limit"
    ),
    "LimitExceeded.PhoneNumberDailyLimit": (
        "the number of sms messages sent from a single mobile number every day exceeds the "
        "upper limit"
    ),
}


# -- the TC3-HMAC-SHA256 algorithm ------------------------------------------------------------


def tc3_canonical_request(
    method: str,
    canonical_query: str,
    headers: Sequence[tuple[str, str]],
    payload: bytes,
) -> str:
    """CanonicalRequest over ``headers`` (lower-case name, value) in SignedHeaders order."""
    canonical_headers = "".join(f"{name}:{value.strip().lower()}\n" for name, value in headers)
    signed_headers = ";".join(name for name, _ in headers)
    return "\n".join(
        [
            method,
            "/",
            canonical_query,
            canonical_headers,
            signed_headers,
            hashlib.sha256(payload).hexdigest(),
        ]
    )


def tc3_string_to_sign(timestamp: str, credential_scope: str, canonical_request: str) -> str:
    """StringToSign: algorithm, timestamp, scope and the hash of the canonical request."""
    digest = hashlib.sha256(canonical_request.encode()).hexdigest()
    return f"{ALGORITHM}\n{timestamp}\n{credential_scope}\n{digest}"


def tc3_signature(secret_key: str, date: str, service: str, string_to_sign: str) -> str:
    """Hex HMAC-SHA256 of ``string_to_sign`` with the key derived from date and service."""
    key = ("TC3" + secret_key).encode()
    for part in (date, service, "tc3_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


class TencentCloudError(Exception):
    """Raised inside the handler; answered as ``Response.Error`` with HTTP 200."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class SentSms:
    """One message Tencent accepted (Code ``Ok``)."""

    phone: str
    template_id: str
    params: tuple[str, ...]
    sign_name: str
    sdk_app_id: str
    session_context: str
    serial_no: str
    time: float


class TencentSmsFake(FakeServer):
    """Fake sms.tencentcloudapi.com.

    ``credentials``: SecretId -> SecretKey. ``templates``: approved template id -> number of
    parameters; ``verification_templates`` take 0-6 digit parameters only. ``strict_e164``:
    numbers must be ``+<country><number>`` (Tencent itself also takes 11-digit mainland numbers
    with 86/0086/no prefix; set False to accept those). ``phone_limit_*``: per-number frequency
    limits (Tencent's console defaults are 1 per 30 s, 5 per hour, 10 per day; None: off).
    ``service`` is the product in the credential scope (``sms``).
    """

    def __init__(
        self,
        *,
        secret_id: str = DEFAULT_SECRET_ID,
        secret_key: str = DEFAULT_SECRET_KEY,
        sdk_app_id: str = DEFAULT_SDK_APP_ID,
        sign_names: Collection[str] = (DEFAULT_SIGN_NAME,),
        templates: Mapping[str, int] = DEFAULT_TEMPLATES,
        verification_templates: Collection[str] = (),
        strict_e164: bool = True,
        phone_limit_30s: int | None = None,
        phone_limit_1h: int | None = None,
        phone_limit_daily: int | None = None,
        service: str = "sms",
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(clock=clock)
        self.credentials = {secret_id: secret_key}
        self.secret_id = secret_id
        self.secret_key = secret_key
        self.sdk_app_id = sdk_app_id
        self.sign_names = set(sign_names)
        self.templates = dict(templates)
        self.verification_templates = set(verification_templates)
        self.strict_e164 = strict_e164
        self.phone_limit_30s = phone_limit_30s
        self.phone_limit_1h = phone_limit_1h
        self.phone_limit_daily = phone_limit_daily
        self.service = service
        self.sent: list[SentSms] = []
        self._number_faults: dict[str, list[str]] = {}

    # -- helpers for tests --------------------------------------------------------------------

    def messages_to(self, phone: str) -> list[SentSms]:
        """Accepted messages to ``phone`` (E.164)."""
        return [m for m in self.sent if m.phone == phone]

    def last_params(self, phone: str) -> tuple[str, ...]:
        """The template parameters of the last message to ``phone`` (e.g. the code)."""
        messages = self.messages_to(phone)
        if not messages:
            raise LookupError(f"no SMS was sent to {phone}")
        return messages[-1].params

    # -- fault knobs --------------------------------------------------------------------------

    def error_next(self, code: str, message: str = "injected error", *, times: int = 1) -> None:
        """The next ``times`` calls answer ``Response.Error`` ``code`` (e.g. InternalError.Timeout,
        RequestLimitExceeded), HTTP 200."""
        body = {
            "Response": {"Error": {"Code": code, "Message": message}, "RequestId": _request_id()}
        }
        self.faults.fail_next(ACTION, times=times, status=200, body=body)

    def fail_number_next(self, phone: str, code: str, *, times: int = 1) -> None:
        """The next ``times`` sends to ``phone`` report ``code`` in its SendStatusSet entry
        (e.g. LimitExceeded.PhoneNumberDailyLimit)."""
        self._number_faults.setdefault(phone, []).extend([code] * times)

    # -- server wiring ------------------------------------------------------------------------

    def _routes(self) -> Iterable[web.AbstractRouteDef]:
        return [web.post("/", self._handle)]

    def _endpoint(self, request: web.Request) -> str:
        return request.headers.get("X-TC-Action", request.path)

    def _fault_response(self, status: int) -> web.Response:
        error = {"Code": "InternalError", "Message": "An internal error has occurred."}
        return json_response(
            {"Response": {"Error": error, "RequestId": _request_id()}}, status=status
        )

    async def _handle(self, request: web.Request) -> web.Response:
        request_id = _request_id()
        payload = await request.read()
        try:
            self._authenticate(request, payload)
            action = request.headers.get("X-TC-Action", "")
            if action != ACTION:
                raise TencentCloudError("InvalidAction", f"The action `{action}` is invalid.")
            version = request.headers.get("X-TC-Version", "")
            if version != VERSION:
                raise TencentCloudError(
                    "NoSuchVersion", f"The API version `{version}` does not exist."
                )
            region = request.headers.get("X-TC-Region", "")
            if not region:
                raise TencentCloudError(
                    "MissingParameter", "The request is missing a required parameter `Region`."
                )
            if region not in REGIONS:
                raise TencentCloudError(
                    "UnsupportedRegion", f"The region `{region}` is not supported."
                )
            result = self._send_sms(_parse_params(payload))
        except TencentCloudError as error:
            result = {"Error": {"Code": error.code, "Message": error.message}}
        return json_response({"Response": {**result, "RequestId": request_id}})

    def _authenticate(self, request: web.Request, payload: bytes) -> None:
        """Verify TC3-HMAC-SHA256 as Tencent Cloud does."""
        scheme, _, rest = request.headers.get("Authorization", "").partition(" ")
        parts: dict[str, str] = {}
        for item in rest.split(","):
            key, _, value = item.strip().partition("=")
            parts[key] = value
        credential = parts.get("Credential", "").split("/")
        signed_names = parts.get("SignedHeaders", "").split(";")
        if scheme != ALGORITHM or len(credential) != 4 or credential[3] != "tc3_request":
            raise TencentCloudError(
                "AuthFailure.InvalidAuthorization", "Authorization header is invalid."
            )
        if not {"content-type", "host"} <= set(signed_names) or not parts.get("Signature"):
            raise TencentCloudError(
                "AuthFailure.InvalidAuthorization", "Authorization header is invalid."
            )
        secret_id, date, service, _ = credential
        secret_key = self.credentials.get(secret_id)
        if secret_key is None:
            raise TencentCloudError(
                "AuthFailure.SecretIdNotFound",
                "The SecretId is not found, please ensure that your SecretId is correct.",
            )
        timestamp = request.headers.get("X-TC-Timestamp", "")
        if not timestamp.isdigit():
            raise TencentCloudError(
                "MissingParameter", "The request is missing a required parameter `Timestamp`."
            )
        if abs(self.now() - int(timestamp)) > SIGNATURE_WINDOW:
            raise TencentCloudError(
                "AuthFailure.SignatureExpire",
                "Signature expired. Timestamp and server time cannot differ by more than five "
                "minutes. Please ensure your current local time matches the standard time.",
            )
        expected_date = datetime.datetime.fromtimestamp(int(timestamp), datetime.UTC).strftime(
            "%Y-%m-%d"
        )
        headers = [(name, request.headers.get(name)) for name in signed_names]
        if date != expected_date or service != self.service or any(v is None for _, v in headers):
            raise _signature_failure()
        canonical = tc3_canonical_request(
            request.method,
            request.raw_path.partition("?")[2],
            [(name, value or "") for name, value in headers],
            payload,
        )
        string_to_sign = tc3_string_to_sign(timestamp, f"{date}/{service}/tc3_request", canonical)
        expected = tc3_signature(secret_key, date, service, string_to_sign)
        if not hmac.compare_digest(expected, parts["Signature"]):
            raise _signature_failure()

    # -- SendSms ------------------------------------------------------------------------------

    def _send_sms(self, params: dict[str, Any]) -> dict[str, Any]:
        _check_param_types(params)
        numbers: list[str] = params["PhoneNumberSet"]
        if not numbers:
            raise TencentCloudError(
                "MissingParameter.EmptyPhoneNumberSet", "phone number set is empty"
            )
        if len(numbers) > MAX_NUMBERS:
            raise TencentCloudError(
                "LimitExceeded.PhoneNumberCountLimit", "the number of phone numbers exceeds 200"
            )
        if params["SmsSdkAppId"] != self.sdk_app_id:
            raise TencentCloudError(
                "UnauthorizedOperation.SmsSdkAppIdVerifyFail", "SmsSdkAppId verify failed."
            )
        normalized = [self._normalize(number) for number in numbers]
        domestic = {n.startswith("+86") for n in normalized if n is not None}
        if len(domestic) > 1:
            raise TencentCloudError(
                "UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber",
                "the request contains both domestic and international phone numbers",
            )
        if True in domestic and params.get("SignName") not in self.sign_names:
            raise TencentCloudError(
                "FailedOperation.SignatureIncorrectOrUnapproved",
                "signature format is incorrect or signature is not approved",
            )
        template_id: str = params["TemplateId"]
        template_params: list[str] = params.get("TemplateParamSet", [])
        if self.templates.get(template_id) != len(template_params):
            raise TencentCloudError(
                "FailedOperation.TemplateIncorrectOrUnapproved",
                "template is not approved or request content does not match the approved template "
                "content",
            )
        if template_id in self.verification_templates and not all(
            re.fullmatch(r"[0-9]{0,6}", p) for p in template_params
        ):
            raise TencentCloudError(
                "InvalidParameterValue.TemplateParameterFormatError",
                "verification code template parameters must be 0-6 digits",
            )
        statuses = [
            self._deliver(original, number, params, tuple(template_params))
            for original, number in zip(numbers, normalized, strict=True)
        ]
        return {"SendStatusSet": statuses}

    def _normalize(self, number: str) -> str | None:
        """The E.164 form of ``number``, or None when Tencent would reject it."""
        if not self.strict_e164:
            digits = number.removeprefix("+").removeprefix("00")
            if re.fullmatch(r"(86)?1[3-9][0-9]{9}", digits):
                number = "+86" + digits[-11:]
        if not _E164.match(number) or (number.startswith("+86") and not _CN_MOBILE.match(number)):
            return None
        return number

    def _deliver(
        self,
        original: str,
        number: str | None,
        params: dict[str, Any],
        template_params: tuple[str, ...],
    ) -> dict[str, Any]:
        phone = number or original
        forced = self._number_faults.get(phone)
        if number is None:
            code = "InvalidParameterValue.IncorrectPhoneNumber"
        elif forced:
            code = forced.pop(0)
        else:
            code = self._limit_code(phone)
        status = {
            "SerialNo": "",
            "PhoneNumber": phone,
            "Fee": 0,
            "SessionContext": params.get("SessionContext", ""),
            "Code": code,
            "Message": _MESSAGES.get(code, code),
            "IsoCode": _iso_code(phone) if number else "",
        }
        if code == "Ok":
            status["SerialNo"] = f"{random_digits(4)}:{random_digits(28)}"
            status["Fee"] = 1
            self.sent.append(
                SentSms(
                    phone=phone,
                    template_id=params["TemplateId"],
                    params=template_params,
                    sign_name=params.get("SignName", ""),
                    sdk_app_id=params["SmsSdkAppId"],
                    session_context=params.get("SessionContext", ""),
                    serial_no=status["SerialNo"],
                    time=self.now(),
                )
            )
        return status

    def _limit_code(self, phone: str) -> str:
        now = self.now()
        times = [m.time for m in self.sent if m.phone == phone]
        day_start = (now + 8 * 3600) // 86400 * 86400 - 8 * 3600  # midnight in China
        checks = (
            (self.phone_limit_30s, now - 30, "LimitExceeded.PhoneNumberThirtySecondLimit"),
            (self.phone_limit_1h, now - 3600, "LimitExceeded.PhoneNumberOneHourLimit"),
            (self.phone_limit_daily, day_start, "LimitExceeded.PhoneNumberDailyLimit"),
        )
        for limit, since, code in checks:
            if limit is not None and sum(1 for t in times if t > since) >= limit:
                return code
        return "Ok"


def _signature_failure() -> TencentCloudError:
    return TencentCloudError(
        "AuthFailure.SignatureFailure",
        "The provided credentials could not be validated. Please check your signature is correct.",
    )


def _request_id() -> str:
    return str(uuid.uuid4())


def _iso_code(phone: str) -> str:
    digits = phone.removeprefix("+")
    for length in (3, 2, 1):
        if digits[:length] in _ISO_CODES:
            return _ISO_CODES[digits[:length]]
    return ""


def _parse_params(payload: bytes) -> dict[str, Any]:
    try:
        params = json.loads(payload)
    except ValueError as error:
        raise TencentCloudError(
            "FailedOperation.JsonParseFail", "failed to parse the request body"
        ) from error
    if not isinstance(params, dict):
        raise TencentCloudError("FailedOperation.JsonParseFail", "failed to parse the request body")
    return params


def _check_param_types(params: dict[str, Any]) -> None:
    for name, value in params.items():
        expected = _SEND_SMS_PARAMS.get(name)
        if expected is None:
            raise TencentCloudError(
                "UnknownParameter", f"The parameter `{name}` is not recognized."
            )
        items_ok = not isinstance(value, list) or all(isinstance(item, str) for item in value)
        if not isinstance(value, expected) or not items_ok:
            raise TencentCloudError(
                "InvalidParameter", f"The value type of parameter `{name}` is not valid."
            )
    for name in ("PhoneNumberSet", "SmsSdkAppId", "TemplateId"):
        if name not in params:
            raise TencentCloudError(
                "MissingParameter", f"The request is missing a required parameter `{name}`."
            )
