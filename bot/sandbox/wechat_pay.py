"""Fake of WeChat Pay API v3 (api.mch.weixin.qq.com): a direct merchant in 微信支付公钥 mode.

It verifies every request's ``Authorization: WECHATPAY2-SHA256-RSA2048 ...`` with the merchant's
public key, signs every response with its own "platform" key (``Wechatpay-*`` headers, key id
``PUB_KEY_ID_...``), keeps orders and refunds, and plays the payer: :meth:`WeChatPayFake.pay`
marks an order paid and POSTs an AES-256-GCM encrypted, signed notification to its notify_url.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import re
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from cryptography.hazmat.primitives.asymmetric import rsa
from yarl import URL

from bot.sandbox.base import ANY_ENDPOINT, FakeServer, json_dumps, json_response
from bot.sandbox.crypto import (
    aes_gcm_encrypt,
    generate_rsa_private_key_pem,
    load_private_key,
    load_public_key,
    public_key_pem,
    random_digits,
    random_string,
    rsa_sign,
    rsa_verify,
    wechatpay_message,
)

DEFAULT_MCHID = "1900000109"
DEFAULT_MERCHANT_SERIAL_NO = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
DEFAULT_APIV3_KEY = "certdeskFakeApiV3Key0123456789ab"  # 32 ASCII bytes
DEFAULT_APPID = "wx8f0c1e2d3b4a5968"

AUTH_SCHEME = "WECHATPAY2-SHA256-RSA2048"
SIGNATURE_WINDOW = 300
PROBE_PREFIX = "WECHATPAY/SIGNTEST/"
NOTIFY_TIMEOUT = 5.0
NOTIFY_RETRY_SCHEDULE: tuple[int, ...] = (
    15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600,
)  # fmt: skip
"""Seconds WeChat waits before each redelivery of an unacknowledged notification."""

CHINA = datetime.timezone(datetime.timedelta(hours=8))
TRADE_STATE_DESC = {
    "SUCCESS": "支付成功",
    "NOTPAY": "订单未支付",
    "CLOSED": "订单已关闭",
    "REFUND": "订单发生过退款",
    "USERPAYING": "用户支付中",
    "PAYERROR": "支付失败",
    "REVOKED": "已撤销",
}
REFUND_EVENTS = {
    "SUCCESS": ("REFUND.SUCCESS", "退款成功"),
    "ABNORMAL": ("REFUND.ABNORMAL", "退款异常"),
    "CLOSED": ("REFUND.CLOSED", "退款关闭"),
}
_PREPAY_FIELDS = frozenset(
    {
        "appid",
        "mchid",
        "description",
        "out_trade_no",
        "time_expire",
        "attach",
        "notify_url",
        "goods_tag",
        "support_fapiao",
        "amount",
        "payer",
        "detail",
        "scene_info",
        "settle_info",
    }
)
_REFUND_FIELDS = frozenset(
    {
        "transaction_id",
        "out_trade_no",
        "out_refund_no",
        "reason",
        "notify_url",
        "funds_account",
        "amount",
        "goods_detail",
    }
)
_OUT_TRADE_NO = re.compile(r"^[0-9A-Za-z_\-|*]{6,32}$")
_OUT_REFUND_NO = re.compile(r"^[0-9A-Za-z_\-|*@]{1,64}$")
_AUTH_PARAM = re.compile(r'(\w+)="([^"]*)"')


@dataclass(frozen=True)
class MerchantCredentials:
    """What the merchant (certdesk) holds; the fake Pay server only gets the public parts."""

    mchid: str
    serial_no: str
    private_key_pem: str
    public_key_pem: str
    apiv3_key: str
    appid: str


class PayApiError(Exception):
    """Raised inside handlers; answered as ``{"code": ..., "message": ...}`` with ``status``."""

    def __init__(
        self, status: int, code: str, message: str, detail: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.detail = detail


def _param_error(message: str, field_path: str | None = None) -> PayApiError:
    detail = None if field_path is None else {"field": field_path, "location": "body"}
    return PayApiError(400, "PARAM_ERROR", message, detail)


def _sign_error(message: str) -> PayApiError:
    return PayApiError(401, "SIGN_ERROR", message)


@dataclass
class Order:
    """An order as WeChat Pay keeps it."""

    out_trade_no: str
    trade_type: str  # NATIVE or JSAPI
    request: dict[str, Any]
    prepay: str  # code_url (NATIVE) or prepay_id (JSAPI)
    created_at: float
    trade_state: str = "NOTPAY"
    transaction_id: str | None = None
    success_time: str | None = None
    payer_openid: str | None = None
    refunded: int = 0

    @property
    def total(self) -> int:
        """The order amount in fen."""
        return int(self.request["amount"]["total"])

    @property
    def notify_url(self) -> str:
        """Where payment notifications go."""
        return str(self.request["notify_url"])


@dataclass
class Refund:
    """A refund as WeChat Pay keeps it."""

    out_refund_no: str
    refund_id: str
    out_trade_no: str
    request: dict[str, Any]
    amount: int
    create_time: str
    status: str = "PROCESSING"
    success_time: str | None = None


@dataclass(frozen=True)
class NotifyOptions:
    """How to build a notification: a signed, fresh one by default, or a broken one.

    ``timestamp`` (e.g. 10 minutes ago: stale), ``signed`` False (no signature headers),
    ``tamper`` (body changed after signing), ``probe`` (a ``WECHATPAY/SIGNTEST/`` signature),
    ``serial`` (another key id), ``apiv3_key`` (encrypted with another key).
    """

    timestamp: int | None = None
    signed: bool = True
    tamper: bool = False
    probe: bool = False
    serial: str | None = None
    apiv3_key: str | None = None


@dataclass
class Notification:
    """A notification ready to POST (or to feed directly to our notify endpoint)."""

    url: str
    headers: dict[str, str]
    body: bytes
    event_id: str
    event_type: str
    resource: dict[str, Any]  # the plaintext inside resource.ciphertext

    def json(self) -> Any:
        """The body parsed."""
        return json.loads(self.body)


@dataclass(frozen=True)
class Delivery:
    """One POST of a notification and what the merchant answered."""

    notification: Notification
    status: int | None  # None: no HTTP answer (connection error or timeout)
    body: bytes
    error: str | None
    time: float

    @property
    def acknowledged(self) -> bool:
        """WeChat treats HTTP 200 and 204 as received."""
        return self.status in (200, 204)


class WeChatPayFake(FakeServer):
    """Fake api.mch.weixin.qq.com for one merchant.

    It knows only the merchant's PUBLIC key (``merchant_public_key_pem``) and certificate serial.
    ``platform_private_key_pem`` defaults to a generated key; give the client
    :attr:`platform_public_key_pem` and :attr:`platform_public_key_id`. ``appids`` (None: any) are
    the appids bound to the merchant. ``merchant_balance`` (fen; None: unlimited) makes refunds
    beyond it fail NOT_ENOUGH.
    """

    def __init__(
        self,
        *,
        merchant_public_key_pem: str,
        mchid: str = DEFAULT_MCHID,
        merchant_serial_no: str = DEFAULT_MERCHANT_SERIAL_NO,
        apiv3_key: str = DEFAULT_APIV3_KEY,
        appids: Collection[str] | None = None,
        platform_private_key_pem: str | None = None,
        platform_public_key_id: str | None = None,
        require_https_notify: bool = False,
        merchant_balance: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(clock=clock)
        if len(apiv3_key.encode()) != 32:
            raise ValueError("the APIv3 key is 32 ASCII bytes")
        self.mchid = mchid
        self.merchant_serial_no = merchant_serial_no
        self.apiv3_key = apiv3_key
        self.appids = None if appids is None else set(appids)
        self.require_https_notify = require_https_notify
        self.merchant_balance = merchant_balance
        self.platform_public_key_id = platform_public_key_id or "PUB_KEY_ID_01" + random_digits(26)
        platform_pem = platform_private_key_pem or generate_rsa_private_key_pem()
        self._merchant_public_key: rsa.RSAPublicKey = load_public_key(merchant_public_key_pem)
        self._platform_private_key: rsa.RSAPrivateKey = load_private_key(platform_pem)
        self.platform_public_key_pem = public_key_pem(self._platform_private_key)
        self.orders: dict[str, Order] = {}
        self.refunds: dict[str, Refund] = {}
        self.notifications: dict[str, Notification] = {}
        self.deliveries: list[Delivery] = []
        self.notify_timeout = NOTIFY_TIMEOUT

    # -- fault knobs --------------------------------------------------------------------------

    def error_next(
        self,
        endpoint: str = ANY_ENDPOINT,
        *,
        status: int = 500,
        code: str = "SYSTEM_ERROR",
        message: str = "系统错误",
        times: int = 1,
    ) -> None:
        """The next ``times`` calls of ``endpoint`` (a route such as
        ``/v3/pay/transactions/native``) answer ``status`` with ``{"code", "message"}``."""
        self.faults.fail_next(
            endpoint, times=times, status=status, body={"code": code, "message": message}
        )

    # -- the simulated payer ------------------------------------------------------------------

    async def pay(
        self, out_trade_no: str, *, openid: str | None = None, notify: bool = True
    ) -> Delivery | None:
        """The user pays: the order becomes SUCCESS; with ``notify`` the TRANSACTION.SUCCESS
        notification is POSTed to the order's notify_url and the delivery returned."""
        order = self.orders[out_trade_no]
        if order.trade_state != "NOTPAY":
            raise ValueError(f"order {out_trade_no} is {order.trade_state}, it cannot be paid")
        if order.trade_type == "JSAPI":
            expected = order.request["payer"]["openid"]
            if openid is not None and openid != expected:
                raise ValueError("下单账号与支付账号不一致")
            openid = expected
        order.payer_openid = openid or "o" + random_string(27)
        order.trade_state = "SUCCESS"
        order.transaction_id = "4200" + random_digits(24)
        order.success_time = _rfc3339(self.now())
        if not notify:
            return None
        return await self.deliver(self.transaction_notification(out_trade_no))

    def close_order(self, out_trade_no: str) -> None:
        """WeChat closes an unpaid order (time_expire passed, or 7 days)."""
        order = self.orders[out_trade_no]
        if order.trade_state == "NOTPAY":
            order.trade_state = "CLOSED"

    async def complete_refund(
        self, out_refund_no: str, *, status: str = "SUCCESS", notify: bool = True
    ) -> Delivery | None:
        """A PROCESSING refund ends (SUCCESS, ABNORMAL or CLOSED); with ``notify`` and a refund
        notify_url the REFUND.* notification is POSTed and the delivery returned."""
        if status not in REFUND_EVENTS:
            raise ValueError(f"unknown refund status {status}")
        refund = self.refunds[out_refund_no]
        refund.status = status
        if status == "SUCCESS":
            refund.success_time = _rfc3339(self.now())
        elif status == "CLOSED":
            self.orders[refund.out_trade_no].refunded -= refund.amount
        if not notify or "notify_url" not in refund.request:
            return None
        return await self.deliver(self.refund_notification(out_refund_no))

    def verify_jsapi_pay_sign(self, app_id: str, params: Mapping[str, str]) -> bool:
        """Check ``wx.requestPayment`` parameters the way the WeChat client does: ``paySign`` is
        the merchant's SHA256withRSA over ``appId\\ntimeStamp\\nnonceStr\\npackage\\n``."""
        if params.get("signType") != "RSA" or not params.get("package", "").startswith(
            "prepay_id="
        ):
            return False
        message = wechatpay_message(
            app_id, params.get("timeStamp", ""), params.get("nonceStr", ""), params["package"]
        )
        return rsa_verify(self._merchant_public_key, message, params.get("paySign", ""))

    # -- notifications ------------------------------------------------------------------------

    def transaction_notification(
        self, out_trade_no: str, options: NotifyOptions = NotifyOptions()
    ) -> Notification:
        """The TRANSACTION.SUCCESS notification of a paid order (not sent)."""
        order = self.orders[out_trade_no]
        if order.transaction_id is None:
            raise ValueError(f"order {out_trade_no} is not paid")
        return self.build_notification(
            url=order.notify_url,
            event_type="TRANSACTION.SUCCESS",
            summary="支付成功",
            original_type="transaction",
            resource=self._transaction_json(order),
            options=options,
        )

    def refund_notification(
        self, out_refund_no: str, options: NotifyOptions = NotifyOptions()
    ) -> Notification:
        """The REFUND.* notification of a finished refund (not sent)."""
        refund = self.refunds[out_refund_no]
        order = self.orders[refund.out_trade_no]
        event_type, summary = REFUND_EVENTS[refund.status]
        resource: dict[str, Any] = {
            "mchid": self.mchid,
            "out_trade_no": order.out_trade_no,
            "transaction_id": order.transaction_id,
            "out_refund_no": refund.out_refund_no,
            "refund_id": refund.refund_id,
            "refund_status": refund.status,
            "user_received_account": "支付用户零钱",
            "amount": {
                "total": order.total,
                "refund": refund.amount,
                "payer_total": order.total,
                "payer_refund": refund.amount,
            },
        }
        if refund.success_time is not None:
            resource["success_time"] = refund.success_time
        return self.build_notification(
            url=str(refund.request.get("notify_url", "")),
            event_type=event_type,
            summary=summary,
            original_type="refund",
            resource=resource,
            options=options,
        )

    def build_notification(
        self,
        *,
        url: str,
        event_type: str,
        summary: str,
        original_type: str,
        resource: Mapping[str, Any],
        options: NotifyOptions = NotifyOptions(),
    ) -> Notification:
        """Encrypt ``resource`` (AES-256-GCM, associated_data = ``original_type``) into a v3
        notification body and sign it with the platform key (see :class:`NotifyOptions`)."""
        nonce = random_string(12)
        ciphertext = aes_gcm_encrypt(
            options.apiv3_key or self.apiv3_key,
            nonce,
            original_type,
            json_dumps(resource).encode(),
        )
        event_id = "EV-" + random_digits(19)
        envelope = {
            "id": event_id,
            "create_time": _rfc3339(self.now()),
            "resource_type": "encrypt-resource",
            "event_type": event_type,
            "summary": summary,
            "resource": {
                "original_type": original_type,
                "algorithm": "AEAD_AES_256_GCM",
                "ciphertext": ciphertext,
                "associated_data": original_type,
                "nonce": nonce,
            },
        }
        body = json_dumps(envelope).encode()
        headers = {"Content-Type": "application/json"}
        if options.signed:
            timestamp = options.timestamp if options.timestamp is not None else int(self.now())
            headers.update(self._signature_headers(body, timestamp, options.serial, options.probe))
        if options.tamper:
            body = json_dumps({**envelope, "summary": summary + "。"}).encode()
        return Notification(url, headers, body, event_id, event_type, dict(resource))

    def resign(self, notification: Notification) -> Notification:
        """The same notification with fresh signature headers (what a redelivery carries)."""
        headers = {"Content-Type": "application/json"}
        headers.update(self._signature_headers(notification.body, int(self.now()), None, False))
        return Notification(
            notification.url,
            headers,
            notification.body,
            notification.event_id,
            notification.event_type,
            notification.resource,
        )

    async def deliver(self, notification: Notification) -> Delivery:
        """POST ``notification`` to its URL once and record what came back."""
        self.notifications[notification.event_id] = notification
        status: int | None = None
        body = b""
        error: str | None = None
        timeout = aiohttp.ClientTimeout(total=self.notify_timeout)
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.post(
                    notification.url, data=notification.body, headers=notification.headers
                ) as response,
            ):
                status = response.status
                body = await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        delivery = Delivery(notification, status, body, error, self.now())
        self.deliveries.append(delivery)
        return delivery

    async def redeliver(self, event_id: str | None = None) -> Delivery:
        """Send a notification again (default: the last one), freshly signed, as WeChat's retry."""
        if event_id is None:
            if not self.deliveries:
                raise ValueError("nothing was delivered yet")
            event_id = self.deliveries[-1].notification.event_id
        return await self.deliver(self.resign(self.notifications[event_id]))

    async def deliver_until_acknowledged(
        self, notification: Notification, *, max_attempts: int = 16, time_scale: float = 0.0
    ) -> list[Delivery]:
        """Deliver, then redeliver on WeChat's schedule (scaled by ``time_scale``; 0: at once)
        until the merchant answers 200/204 or ``max_attempts`` (at most 16) is reached."""
        attempts = min(max_attempts, len(NOTIFY_RETRY_SCHEDULE) + 1)
        deliveries = [await self.deliver(notification)]
        for wait in NOTIFY_RETRY_SCHEDULE[: attempts - 1]:
            if deliveries[-1].acknowledged:
                break
            await asyncio.sleep(wait * time_scale)
            deliveries.append(await self.deliver(self.resign(notification)))
        return deliveries

    def _signature_headers(
        self, body: bytes, timestamp: int, serial: str | None, probe: bool
    ) -> dict[str, str]:
        nonce = random_string(32)
        if probe:
            signature = PROBE_PREFIX + random_string(64)
        else:
            message = wechatpay_message(str(timestamp), nonce) + body + b"\n"
            signature = rsa_sign(self._platform_private_key, message)
        return {
            "Wechatpay-Timestamp": str(timestamp),
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": signature,
            "Wechatpay-Serial": serial or self.platform_public_key_id,
            "Wechatpay-Signature-Type": AUTH_SCHEME,
        }

    # -- server wiring ------------------------------------------------------------------------

    def _routes(self) -> Iterable[web.AbstractRouteDef]:
        return [
            web.post("/v3/pay/transactions/native", self._prepay_native),
            web.post("/v3/pay/transactions/jsapi", self._prepay_jsapi),
            web.get(
                "/v3/pay/transactions/out-trade-no/{out_trade_no}", self._query_by_out_trade_no
            ),
            web.get("/v3/pay/transactions/id/{transaction_id}", self._query_by_transaction_id),
            web.post("/v3/pay/transactions/out-trade-no/{out_trade_no}/close", self._close),
            web.post("/v3/refund/domestic/refunds", self._create_refund),
            web.get("/v3/refund/domestic/refunds/{out_refund_no}", self._query_refund),
        ]

    def _outer_middlewares(self) -> list[Middleware]:
        return [self._sign_responses]

    def _inner_middlewares(self) -> list[Middleware]:
        return [self._authenticate]

    def _fault_response(self, status: int) -> web.Response:
        return json_response({"code": "SYSTEM_ERROR", "message": "系统错误"}, status=status)

    @web.middleware
    async def _sign_responses(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            response = json_response(
                {
                    "code": "NOT_FOUND" if exc.status == 404 else "PARAM_ERROR",
                    "message": exc.reason,
                },
                status=exc.status,
            )
        if isinstance(response, web.Response):
            body = response.body if isinstance(response.body, bytes) else b""
            response.headers.update(self._signature_headers(body, int(self.now()), None, False))
            response.headers["Request-ID"] = (
                random_string(32, "0123456789ABCDEF") + "-" + random_digits(9)
            )
        return response

    @web.middleware
    async def _authenticate(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            self._verify_request(request, await request.read())
            return await handler(request)
        except PayApiError as error:
            payload: dict[str, Any] = {"code": error.code, "message": error.message}
            if error.detail is not None:
                payload["detail"] = dict(error.detail)
            return json_response(payload, status=error.status)

    def _verify_request(self, request: web.Request, body: bytes) -> None:
        """Check the Authorization header exactly as WeChat Pay does."""
        scheme, _, params = request.headers.get("Authorization", "").partition(" ")
        fields = dict(_AUTH_PARAM.findall(params))
        required = ("mchid", "nonce_str", "signature", "timestamp", "serial_no")
        if scheme != AUTH_SCHEME or any(not fields.get(name) for name in required):
            raise _sign_error(
                "Http头Authorization值格式错误，请参考《微信支付商户REST API签名规则》"
            )
        if fields["mchid"] != self.mchid:
            raise PayApiError(400, "MCH_NOT_EXISTS", "商户号不存在")
        if fields["serial_no"].upper() != self.merchant_serial_no.upper():
            raise _sign_error("商户证书序列号有误。请使用签名私钥匹配的证书序列号")
        timestamp = fields["timestamp"]
        if not timestamp.isdigit() or abs(self.now() - int(timestamp)) > SIGNATURE_WINDOW:
            raise _sign_error("签名时间戳已过期或无效，请使用当前时间重新签名")
        message = (
            wechatpay_message(request.method, request.raw_path, timestamp, fields["nonce_str"])
            + body
            + b"\n"
        )
        if not rsa_verify(self._merchant_public_key, message, fields["signature"]):
            raise _sign_error("签名错误，请检查后再试")

    # -- orders -------------------------------------------------------------------------------

    def _body(self, raw: bytes) -> dict[str, Any]:
        try:
            body = json.loads(raw)
        except ValueError as error:
            raise _param_error("请求体不是合法的JSON") from error
        if not isinstance(body, dict):
            raise _param_error("请求体不是合法的JSON")
        return body

    def _check_mchid(self, value: object) -> None:
        if not isinstance(value, str) or not value:
            raise _param_error("mchid 为必填项", "/mchid")
        if value != self.mchid:
            raise _param_error("http header中的mchid与post payload中的mchid不匹配", "/mchid")

    def _check_notify_url(self, value: object, field_path: str) -> None:
        url = URL(value) if isinstance(value, str) else None
        schemes = ("https",) if self.require_https_notify else ("https", "http")
        if url is None or url.scheme not in schemes or not url.host or url.query_string:
            raise _param_error("notify_url 格式不正确", field_path)

    def _check_prepay(self, body: dict[str, Any], trade_type: str) -> None:
        allowed = _PREPAY_FIELDS if trade_type == "JSAPI" else _PREPAY_FIELDS - {"payer"}
        extra = sorted(set(body) - allowed)
        if extra:
            raise _param_error(f"参数中含有非法的额外参数: {extra[0]}", f"/{extra[0]}")
        for name in ("appid", "mchid", "description", "out_trade_no", "notify_url"):
            if not isinstance(body.get(name), str) or not body[name]:
                raise _param_error(f"{name} 为必填项", f"/{name}")
        self._check_mchid(body["mchid"])
        if self.appids is not None and body["appid"] not in self.appids:
            raise PayApiError(400, "APPID_MCHID_NOT_MATCH", "appid和mch_id不匹配")
        if len(body["description"]) > 127:
            raise _param_error("description 长度超过127", "/description")
        if not _OUT_TRADE_NO.match(body["out_trade_no"]):
            raise _param_error("out_trade_no 只能是6-32位数字、大小写字母_-|*", "/out_trade_no")
        self._check_notify_url(body["notify_url"], "/notify_url")
        amount = body.get("amount")
        total = amount.get("total") if isinstance(amount, dict) else None
        if not isinstance(total, int) or isinstance(total, bool) or total < 1:
            raise _param_error("amount.total 必须为大于0的整数（单位：分）", "/amount/total")
        if amount is not None and amount.get("currency", "CNY") != "CNY":
            raise _param_error("amount.currency 只支持CNY", "/amount/currency")
        if "attach" in body and (not isinstance(body["attach"], str) or len(body["attach"]) > 128):
            raise _param_error("attach 长度超过128", "/attach")
        if "time_expire" in body and not _is_rfc3339(body["time_expire"]):
            raise _param_error("time_expire 不符合RFC 3339格式", "/time_expire")
        if trade_type == "JSAPI":
            payer = body.get("payer")
            if (
                not isinstance(payer, dict)
                or not isinstance(payer.get("openid"), str)
                or not payer["openid"]
            ):
                raise _param_error("JSAPI支付必须传openid", "/payer/openid")

    async def _prepay(self, request: web.Request, trade_type: str) -> web.Response:
        body = self._body(await request.read())
        self._check_prepay(body, trade_type)
        out_trade_no = body["out_trade_no"]
        order = self.orders.get(out_trade_no)
        if order is not None:
            if order.trade_state in ("SUCCESS", "REFUND"):
                raise PayApiError(400, "ORDER_PAID", "该订单已支付")
            if order.trade_state == "CLOSED":
                raise PayApiError(400, "ORDER_CLOSED", "该订单已关闭")
            if order.trade_type != trade_type or order.request != body:
                raise PayApiError(400, "INVALID_REQUEST", "请求重入时，参数与首次请求时不一致")
        else:
            if trade_type == "NATIVE":
                prepay = "weixin://wxpay/bizpayurl?pr=" + random_string(9)
            else:
                stamp = datetime.datetime.fromtimestamp(self.now(), CHINA).strftime("%Y%m%d%H%M%S")
                prepay = f"wx{stamp}{random_string(16, '0123456789abcdef')}0000"
            order = Order(out_trade_no, trade_type, body, prepay, self.now())
            self.orders[out_trade_no] = order
        key = "code_url" if trade_type == "NATIVE" else "prepay_id"
        return json_response({key: order.prepay})

    async def _prepay_native(self, request: web.Request) -> web.Response:
        return await self._prepay(request, "NATIVE")

    async def _prepay_jsapi(self, request: web.Request) -> web.Response:
        return await self._prepay(request, "JSAPI")

    def _transaction_json(self, order: Order) -> dict[str, Any]:
        request = order.request
        paid = order.transaction_id is not None
        data: dict[str, Any] = {
            "appid": request["appid"],
            "mchid": request["mchid"],
            "out_trade_no": order.out_trade_no,
            "trade_type": order.trade_type,
            "trade_state": order.trade_state,
            "trade_state_desc": TRADE_STATE_DESC.get(order.trade_state, order.trade_state),
            "attach": request.get("attach", ""),
            "amount": {"total": order.total, "currency": "CNY", "payer_currency": "CNY"},
            "promotion_detail": [],
        }
        if paid:
            data["transaction_id"] = order.transaction_id
            data["bank_type"] = "OTHERS"
            data["success_time"] = order.success_time
            data["amount"]["payer_total"] = order.total
        openid = order.payer_openid or request.get("payer", {}).get("openid")
        if openid:
            data["payer"] = {"openid": openid}
        return data

    def _query_mchid(self, request: web.Request) -> None:
        mchid = request.query.get("mchid")
        if not mchid:
            raise _param_error("mchid 为必填项")
        if mchid != self.mchid:
            raise PayApiError(400, "INVALID_REQUEST", "商户号和订单不匹配")

    async def _query_by_out_trade_no(self, request: web.Request) -> web.Response:
        self._query_mchid(request)
        order = self.orders.get(request.match_info["out_trade_no"])
        if order is None:
            raise PayApiError(404, "ORDER_NOT_EXIST", "订单不存在")
        return json_response(self._transaction_json(order))

    async def _query_by_transaction_id(self, request: web.Request) -> web.Response:
        self._query_mchid(request)
        transaction_id = request.match_info["transaction_id"]
        order = next((o for o in self.orders.values() if o.transaction_id == transaction_id), None)
        if order is None:
            raise PayApiError(404, "ORDER_NOT_EXIST", "订单不存在")
        return json_response(self._transaction_json(order))

    async def _close(self, request: web.Request) -> web.Response:
        body = self._body(await request.read())
        self._check_mchid(body.get("mchid"))
        order = self.orders.get(request.match_info["out_trade_no"])
        if order is None:
            raise PayApiError(404, "ORDER_NOT_EXIST", "订单不存在")
        if order.trade_state in ("SUCCESS", "REFUND"):
            raise PayApiError(400, "ORDER_PAID", "订单已支付")
        order.trade_state = "CLOSED"
        return web.Response(status=204)

    # -- refunds ------------------------------------------------------------------------------

    def _refund_json(self, refund: Refund) -> dict[str, Any]:
        order = self.orders[refund.out_trade_no]
        data: dict[str, Any] = {
            "refund_id": refund.refund_id,
            "out_refund_no": refund.out_refund_no,
            "transaction_id": order.transaction_id,
            "out_trade_no": order.out_trade_no,
            "channel": "ORIGINAL",
            "user_received_account": "支付用户零钱",
            "create_time": refund.create_time,
            "status": refund.status,
            "funds_account": refund.request.get("funds_account", "AVAILABLE"),
            "amount": {
                "total": order.total,
                "refund": refund.amount,
                "from": [],
                "payer_total": order.total,
                "payer_refund": refund.amount,
                "settlement_refund": refund.amount,
                "settlement_total": order.total,
                "discount_refund": 0,
                "currency": "CNY",
                "refund_fee": 0,
            },
            "promotion_detail": [],
        }
        if refund.success_time is not None:
            data["success_time"] = refund.success_time
        return data

    def _refund_order(self, body: dict[str, Any]) -> Order:
        transaction_id = body.get("transaction_id")
        out_trade_no = body.get("out_trade_no")
        if transaction_id:
            order = next(
                (o for o in self.orders.values() if o.transaction_id == transaction_id), None
            )
        elif out_trade_no:
            order = self.orders.get(str(out_trade_no))
        else:
            raise _param_error("transaction_id 和 out_trade_no 必须二选一", "/out_trade_no")
        if order is None:
            raise PayApiError(404, "RESOURCE_NOT_EXISTS", "订单不存在")
        return order

    def _check_refund(self, body: dict[str, Any]) -> int:
        extra = sorted(set(body) - _REFUND_FIELDS)
        if extra:
            raise _param_error(f"参数中含有非法的额外参数: {extra[0]}", f"/{extra[0]}")
        out_refund_no = body.get("out_refund_no")
        if not isinstance(out_refund_no, str) or not _OUT_REFUND_NO.match(out_refund_no):
            raise _param_error("out_refund_no 只能是1-64位数字、大小写字母_-|*@", "/out_refund_no")
        if "notify_url" in body:
            self._check_notify_url(body["notify_url"], "/notify_url")
        amount = body.get("amount")
        if not isinstance(amount, dict):
            raise _param_error("amount 为必填项", "/amount")
        for name in ("refund", "total"):
            value = amount.get(name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise _param_error(
                    f"amount.{name} 必须为大于0的整数（单位：分）", f"/amount/{name}"
                )
        if amount.get("currency") != "CNY":
            raise _param_error("amount.currency 为必填项，只支持CNY", "/amount/currency")
        return int(amount["refund"])

    async def _create_refund(self, request: web.Request) -> web.Response:
        body = self._body(await request.read())
        amount = self._check_refund(body)
        order = self._refund_order(body)
        existing = self.refunds.get(body["out_refund_no"])
        if existing is not None:
            if existing.request != body:
                raise PayApiError(400, "INVALID_REQUEST", "请求重入时，参数与首次请求时不一致")
            return json_response(self._refund_json(existing))
        if order.trade_state not in ("SUCCESS", "REFUND"):
            raise PayApiError(400, "INVALID_REQUEST", "订单未支付，无法退款")
        if body["amount"]["total"] != order.total:
            raise PayApiError(400, "INVALID_REQUEST", "订单金额与原订单金额不一致")
        if amount > order.total - order.refunded:
            raise PayApiError(400, "INVALID_REQUEST", "申请退款金额超过订单可退金额")
        if self.merchant_balance is not None:
            if amount > self.merchant_balance:
                raise PayApiError(403, "NOT_ENOUGH", "基本账户余额不足，请充值后重新发起")
            self.merchant_balance -= amount
        refund = Refund(
            out_refund_no=body["out_refund_no"],
            refund_id="5030" + random_digits(25),
            out_trade_no=order.out_trade_no,
            request=body,
            amount=amount,
            create_time=_rfc3339(self.now()),
        )
        self.refunds[refund.out_refund_no] = refund
        order.refunded += amount
        order.trade_state = "REFUND"
        return json_response(self._refund_json(refund))

    async def _query_refund(self, request: web.Request) -> web.Response:
        refund = self.refunds.get(request.match_info["out_refund_no"])
        if refund is None:
            raise PayApiError(404, "RESOURCE_NOT_EXISTS", "退款单不存在")
        return json_response(self._refund_json(refund))


def _rfc3339(timestamp: float) -> str:
    return datetime.datetime.fromtimestamp(int(timestamp), CHINA).isoformat()


def _is_rfc3339(value: object) -> bool:
    if not isinstance(value, str) or "T" not in value:
        return False
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        return False
    return parsed.tzinfo is not None


def pay_settings(
    settings: Any,
    fake: WeChatPayFake,
    merchant: Any,
    directory: Any,
    *,
    notify_url: str = "http://127.0.0.1:9/pay/notify",
    **changes: Any,
) -> Any:
    """``settings`` (a ``bot.config.Settings``) with ``[pay]`` pointing at ``fake``: the
    merchant's key and the fake's public key written as PEM files into ``directory``."""
    import dataclasses
    from pathlib import Path

    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    private = folder / "apiclient_key.pem"
    private.write_text(merchant.private_key_pem)
    public = folder / "pub_key.pem"
    public.write_text(fake.platform_public_key_pem)
    pay = dataclasses.replace(
        settings.pay,
        mch_id=merchant.mchid,
        app_id=merchant.appid,
        api_v3_key=merchant.apiv3_key,
        merchant_serial_no=merchant.serial_no,
        merchant_private_key=str(private),
        platform_public_key=str(public),
        platform_public_key_id=fake.platform_public_key_id,
        notify_url=notify_url,
        api_base_url=fake.base_url,
        **changes,
    )
    return dataclasses.replace(settings, pay=pay)
