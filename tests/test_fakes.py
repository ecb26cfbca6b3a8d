"""Tests of the local fakes (bot.sandbox, tests/fakes), each driven by a small client written here.

The clients sign and verify on their own (cryptography, hmac) so that they cross-check the fakes;
the public test vectors pin both sides to the documented algorithms.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime
import hashlib
import hmac
import json
import secrets
import smtplib
import time
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from yarl import URL

from bot.sandbox.crypto import (
    cached_rsa_private_key_pem,
    load_private_key,
    load_public_key,
    public_key_pem,
    rsa_sign,
    rsa_verify,
    wechatpay_message,
)
from bot.sandbox.wechat_api import WeChatApiFake
from bot.sandbox.wechat_pay import NotifyOptions, WeChatPayFake
from tests.fakes.fixtures import MerchantCredentials
from tests.fakes.smtp import SmtpFake
from tests.fakes.tencent_sms import (
    TencentSmsFake,
    tc3_canonical_request,
    tc3_signature,
    tc3_string_to_sign,
)
from tests.pay_vectors import (
    DOC_BODY,
    DOC_MCHID,
    DOC_NONCE,
    DOC_PAY_SIGN,
    DOC_PAY_SIGN_APPID,
    DOC_PREPAY_ID,
    DOC_PRIVATE_KEY,
    DOC_SERIAL,
    DOC_SIGNATURE,
    DOC_TIMESTAMP,
    RESPONSE_BODY,
    RESPONSE_NONCE,
    RESPONSE_PUBLIC_KEY,
    RESPONSE_SIGNATURE,
    RESPONSE_TIMESTAMP,
)

TIMEOUT = aiohttp.ClientTimeout(total=5)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(64))

# Tencent Cloud API 3.0 "Signature v3" example (CVM DescribeInstances).
TC3_DOC_SECRET_ID = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE"
TC3_DOC_SECRET_KEY = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"
TC3_DOC_TIMESTAMP = 1551113065
TC3_DOC_PAYLOAD = (
    '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'
)
TC3_DOC_HASHED_CANONICAL = "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
TC3_DOC_SIGNATURE = "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"


# --- small independent clients ----------------------------------------------------------------


async def _json(response: aiohttp.ClientResponse) -> Any:
    return json.loads(await response.read())


async def _get(http: aiohttp.ClientSession, url: str, **params: str) -> Any:
    async with http.get(url, params=params) as response:
        assert response.status == 200
        return await _json(response)


async def _post(
    http: aiohttp.ClientSession, url: str, body: Any, *, ascii_escapes: bool = False, **params: str
) -> Any:
    data = json.dumps(body, ensure_ascii=ascii_escapes).encode()
    async with http.post(url, params=params, data=data) as response:
        assert response.status == 200
        return await _json(response)


async def _wechat_token(
    http: aiohttp.ClientSession, fake: WeChatApiFake, *, mp: bool = False
) -> str:
    appid, secret = (fake.mp_app_id, fake.mp_app_secret) if mp else (fake.app_id, fake.app_secret)
    reply = await _post(
        http,
        fake.base_url + "/cgi-bin/stable_token",
        {"grant_type": "client_credential", "appid": appid, "secret": secret},
    )
    return str(reply["access_token"])


def _rsa_sign(private_key_pem: str, message: str) -> str:
    key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return base64.b64encode(
        key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())
    ).decode()


def _wechatpay_verified(public_key_pem: str, headers: Mapping[str, str], body: bytes) -> bool:
    """Verify Wechatpay-* headers over ``body`` (signature and a ±5 min timestamp)."""
    key = serialization.load_pem_public_key(public_key_pem.encode())
    assert isinstance(key, rsa.RSAPublicKey)
    if "Wechatpay-Signature" not in headers:
        return False
    if abs(time.time() - int(headers["Wechatpay-Timestamp"])) > 300:
        return False
    message = f"{headers['Wechatpay-Timestamp']}\n{headers['Wechatpay-Nonce']}\n".encode()
    try:
        signature = base64.b64decode(headers["Wechatpay-Signature"], validate=True)
        key.verify(signature, message + body + b"\n", padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


def _decrypt_resource(apiv3_key: str, notification: Mapping[str, Any]) -> Any:
    resource = notification["resource"]
    plaintext = AESGCM(apiv3_key.encode()).decrypt(
        resource["nonce"].encode(),
        base64.b64decode(resource["ciphertext"]),
        resource["associated_data"].encode(),
    )
    return json.loads(plaintext)


class PayClient:
    """A minimal WeChat Pay v3 client: signs requests, returns status, headers and body."""

    def __init__(
        self, http: aiohttp.ClientSession, fake: WeChatPayFake, merchant: MerchantCredentials
    ) -> None:
        self.http = http
        self.fake = fake
        self.merchant = merchant

    async def call(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        *,
        private_key_pem: str | None = None,
        serial_no: str | None = None,
        mchid: str | None = None,
        timestamp: int | None = None,
        signed_path: str | None = None,
        signed_body: str | None = None,
    ) -> tuple[int, Mapping[str, str], bytes]:
        payload = (
            "" if body is None else json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        )
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        nonce = secrets.token_hex(16).upper()
        message = (
            f"{method}\n{signed_path or path}\n{stamp}\n{nonce}\n"
            f"{payload if signed_body is None else signed_body}\n"
        )
        signature = _rsa_sign(private_key_pem or self.merchant.private_key_pem, message)
        authorization = (
            f'WECHATPAY2-SHA256-RSA2048 mchid="{mchid or self.merchant.mchid}",nonce_str="{nonce}",'
            f'signature="{signature}",timestamp="{stamp}",'
            f'serial_no="{serial_no or self.merchant.serial_no}"'
        )
        headers = {
            "Authorization": authorization,
            "Accept": "application/json",
            "Content-Type": "application/json",
            "Wechatpay-Serial": self.fake.platform_public_key_id,
        }
        url = URL(self.fake.base_url + path, encoded=True)
        data = payload.encode() if body is not None else None
        async with self.http.request(method, url, data=data, headers=headers) as response:
            raw = await response.read()
            assert _wechatpay_verified(self.fake.platform_public_key_pem, response.headers, raw)
            return response.status, response.headers, raw

    async def json(
        self, method: str, path: str, body: Mapping[str, Any] | None = None, **options: Any
    ) -> tuple[int, Any]:
        status, _, raw = await self.call(method, path, body, **options)
        return status, json.loads(raw) if raw else None


def _native_order(
    merchant: MerchantCredentials, out_trade_no: str, notify_url: str, total: int = 100
) -> dict[str, Any]:
    return {
        "appid": merchant.appid,
        "mchid": merchant.mchid,
        "description": "数字证书-个人证书一年期",
        "out_trade_no": out_trade_no,
        "notify_url": notify_url,
        "amount": {"total": total, "currency": "CNY"},
    }


class NotifyReceiver:
    """The merchant's notify endpoint: answers the queued statuses (then 200) and records."""

    def __init__(self, *statuses: int) -> None:
        self.statuses = list(statuses)
        self.received: list[tuple[dict[str, str], bytes]] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append((dict(request.headers), await request.read()))
        status = self.statuses.pop(0) if self.statuses else 200
        if status == 204:
            return web.Response(status=204)
        code = "SUCCESS" if status == 200 else "FAIL"
        return web.json_response(
            {"code": code, "message": "成功" if status == 200 else "失败"}, status=status
        )

    async def start(self, aiohttp_server: Any) -> str:
        app = web.Application()
        app.router.add_post("/pay/notify", self.handle)
        server: TestServer = await aiohttp_server(app)
        return str(server.make_url("/pay/notify"))


def _tc3_headers(
    secret_id: str,
    secret_key: str,
    host: str,
    payload: bytes,
    *,
    timestamp: int | None = None,
    service: str = "sms",
    action: str = "SendSms",
    version: str = "2021-01-11",
) -> dict[str, str]:
    """An independent TC3-HMAC-SHA256 signer (content-type, host and x-tc-action signed)."""
    stamp = timestamp if timestamp is not None else int(time.time())
    date = datetime.datetime.fromtimestamp(stamp, datetime.UTC).strftime("%Y-%m-%d")
    content_type = "application/json; charset=utf-8"
    canonical = (
        f"POST\n/\n\ncontent-type:{content_type}\nhost:{host}\nx-tc-action:{action.lower()}\n\n"
        f"content-type;host;x-tc-action\n{hashlib.sha256(payload).hexdigest()}"
    )
    scope = f"{date}/{service}/tc3_request"
    to_sign = f"TC3-HMAC-SHA256\n{stamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    key = ("TC3" + secret_key).encode()
    for part in (date, service, "tc3_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return {
        "Authorization": (
            f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, "
            f"SignedHeaders=content-type;host;x-tc-action, Signature={signature}"
        ),
        "Content-Type": content_type,
        "Host": host,
        "X-TC-Action": action,
        "X-TC-Timestamp": str(stamp),
        "X-TC-Version": version,
        "X-TC-Region": "ap-guangzhou",
    }


async def _send_sms(
    fake: TencentSmsFake,
    params: Mapping[str, Any],
    *,
    secret_id: str | None = None,
    secret_key: str | None = None,
    timestamp: int | None = None,
    version: str = "2021-01-11",
) -> Any:
    payload = json.dumps(params, ensure_ascii=False).encode()
    host = URL(fake.base_url).raw_authority
    headers = _tc3_headers(
        secret_id or fake.secret_id,
        secret_key or fake.secret_key,
        host,
        payload,
        timestamp=int(fake.now()) if timestamp is None else timestamp,
        version=version,
    )
    async with (
        aiohttp.ClientSession(timeout=TIMEOUT) as http,
        http.post(fake.base_url + "/", data=payload, headers=headers) as response,
    ):
        assert response.status == 200
        return (await _json(response))["Response"]


def _sms_params(fake: TencentSmsFake, *phones: str, **overrides: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "PhoneNumberSet": list(phones),
        "SmsSdkAppId": fake.sdk_app_id,
        "SignName": next(iter(fake.sign_names)),
        "TemplateId": "1000001",
        "TemplateParamSet": ["123456", "5"],
    }
    params.update(overrides)
    return params


def _email(subject: str = "证书申请已受理") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "certdesk@ca.example.cn"
    message["To"] = "applicant@example.com"
    message["Subject"] = subject
    message.set_content("您的证书申请已受理。")
    message.add_alternative("<p>您的证书申请已受理。</p>", subtype="html")
    message.add_attachment(
        b"%PDF-1.7 fake", maintype="application", subtype="pdf", filename="回执.pdf"
    )
    return message


def _smtp_send(
    fake: SmtpFake,
    message: EmailMessage,
    *,
    password: str | None = None,
    login: bool = True,
    starttls: bool = True,
) -> None:
    """Send with smtplib (blocking: run it in a thread)."""
    context = fake.client_ssl_context() if fake.tls != "none" else None
    client = (
        smtplib.SMTP_SSL(fake.host, fake.port, context=context, timeout=5)
        if fake.tls == "implicit"
        else smtplib.SMTP(fake.host, fake.port, timeout=5)
    )
    with client:
        client.ehlo()
        if starttls and fake.tls == "starttls":
            client.starttls(context=context)
            client.ehlo()
        if login:
            client.login(fake.username, fake.password if password is None else password)
        client.send_message(message)


# --- WeChat official account / mini-program API ----------------------------------------------


async def test_wechat_token_credentials_grace_expiry_and_revocation(
    wechat_api: WeChatApiFake,
) -> None:
    token_url = wechat_api.base_url + "/cgi-bin/token"
    info_url = wechat_api.base_url + "/cgi-bin/user/info"
    ok = {"grant_type": "client_credential", "appid": wechat_api.app_id}
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        assert (await _get(http, token_url, **ok, secret="wrong"))["errcode"] == 40125
        assert (await _get(http, token_url, **{**ok, "appid": "wx0"}, secret="x"))[
            "errcode"
        ] == 40013
        assert (await _get(http, token_url, **ok))["errcode"] == 41004
        first = await _get(http, token_url, **ok, secret=wechat_api.app_secret)
        assert first["expires_in"] == 7200
        assert (await _get(http, info_url, access_token=first["access_token"], openid="o1"))[
            "errcode"
        ] == 40003  # the token works; the user is unknown
        second = (await _get(http, token_url, **ok, secret=wechat_api.app_secret))["access_token"]
        assert (await _get(http, info_url, access_token=first["access_token"], openid="o1"))[
            "errcode"
        ] == 40003  # the superseded token still works for 5 minutes
        wechat_api.advance(301)
        expected = {
            "errcode": 40001,
            "errmsg": "invalid credential, access_token is invalid or not latest",
        }
        assert (
            await _get(http, info_url, access_token=first["access_token"], openid="o1") == expected
        )
        wechat_api.expire_tokens()
        assert (await _get(http, info_url, access_token=second, openid="o1"))["errcode"] == 42001
        third = (await _get(http, token_url, **ok, secret=wechat_api.app_secret))["access_token"]
        wechat_api.revoke_tokens()
        assert (await _get(http, info_url, access_token=third, openid="o1"))["errcode"] == 40001
        assert (await _get(http, info_url, openid="o1"))["errcode"] == 41001
    assert wechat_api.issued_token_count == 3
    assert wechat_api.calls("/cgi-bin/token")[0].query["secret"] == "wrong"


async def test_wechat_stable_token_reuse_force_refresh_and_app_scope(
    wechat_api: WeChatApiFake,
) -> None:
    url = wechat_api.base_url + "/cgi-bin/stable_token"
    body = {
        "grant_type": "client_credential",
        "appid": wechat_api.app_id,
        "secret": wechat_api.app_secret,
    }
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        first = await _post(http, url, body)
        assert (await _post(http, url, body))["access_token"] == first["access_token"]
        forced = await _post(http, url, {**body, "force_refresh": True})
        assert forced["access_token"] != first["access_token"]
        assert forced["expires_in"] == 7200
        assert (await _post(http, url, {**body, "secret": "bad"}))["errcode"] == 40125
        assert wechat_api.valid_tokens() == [forced["access_token"]]
        mp_token = await _wechat_token(http, wechat_api, mp=True)
        menu = {"button": [{"type": "click", "name": "申请", "key": "APPLY"}]}
        reply = await _post(
            http, wechat_api.base_url + "/cgi-bin/menu/create", menu, access_token=mp_token
        )
        assert reply["errcode"] == 48001  # a mini-program token cannot manage the account's menu
    assert wechat_api.issued_token_count == 3


async def test_wechat_media_upload_download_and_expiry(wechat_api: WeChatApiFake) -> None:
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        token = await _wechat_token(http, wechat_api)
        form = aiohttp.FormData()
        form.add_field("media", PNG, filename="photo.png", content_type="image/png")
        upload_url = wechat_api.base_url + "/cgi-bin/media/upload"
        async with http.post(
            upload_url, params={"access_token": token, "type": "image"}, data=form
        ) as response:
            uploaded = await _json(response)
        assert uploaded["type"] == "image"
        assert isinstance(uploaded["created_at"], int)
        get_url = wechat_api.base_url + "/cgi-bin/media/get"
        params = {"access_token": token, "media_id": uploaded["media_id"]}
        async with http.get(get_url, params=params) as response:
            assert response.headers["Content-Type"] == "image/png"
            assert (
                f'filename="{uploaded["media_id"]}.png"' in response.headers["Content-disposition"]
            )
            assert await response.read() == PNG
        photo_id = wechat_api.add_media(b"\xff\xd8\xff\xe0 user photo", "image/jpeg")
        async with http.get(
            get_url, params={"access_token": token, "media_id": photo_id}
        ) as response:
            assert response.headers["Content-Type"] == "image/jpeg"
        text_form = aiohttp.FormData()
        text_form.add_field("media", b"not an image", filename="a.png", content_type="image/png")
        async with http.post(
            upload_url, params={"access_token": token, "type": "image"}, data=text_form
        ) as response:
            assert (await _json(response))["errcode"] == 40005
        assert (await _get(http, get_url, access_token=token, media_id="nope"))["errcode"] == 40007
        wechat_api.advance(3 * 24 * 3600)
        token = await _wechat_token(http, wechat_api)
        expired = await _get(http, get_url, access_token=token, media_id=photo_id)
        assert expired == {"errcode": 40007, "errmsg": "invalid media_id"}


async def test_wechat_customer_service_quota(wechat_api: WeChatApiFake) -> None:
    text = {"touser": "o_user", "msgtype": "text", "text": {"content": "您的证书已签发"}}
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        token = await _wechat_token(http, wechat_api)
        url = wechat_api.base_url + "/cgi-bin/message/custom/send"
        assert (await _post(http, url, text, access_token=token))["errcode"] == 40003
        wechat_api.add_user("o_user")
        assert (await _post(http, url, text, access_token=token))["errcode"] == 45015
        wechat_api.note_user_message("o_user")
        for _ in range(5):
            assert await _post(http, url, text, access_token=token) == {
                "errcode": 0,
                "errmsg": "ok",
            }
        assert (await _post(http, url, text, access_token=token))["errcode"] == 45047
        assert len(wechat_api.messages_to("o_user", "custom")) == 5
        escaped = await _post(http, url, text, ascii_escapes=True, access_token=token)
        assert escaped["errcode"] == 40033  # \uXXXX escapes instead of raw UTF-8
        empty = {"touser": "o_user", "msgtype": "text", "text": {"content": ""}}
        assert (await _post(http, url, empty, access_token=token))["errcode"] == 44004
        clicker = {**text, "touser": "o_click"}
        wechat_api.note_user_event("o_click")
        results = [
            (await _post(http, url, clicker, access_token=token))["errcode"] for _ in range(4)
        ]
        assert results == [0, 0, 0, 45047]
        wechat_api.advance(61)
        assert (await _post(http, url, clicker, access_token=token))["errcode"] == 45015
        image = {"touser": "o_user", "msgtype": "image", "image": {"media_id": "missing"}}
        wechat_api.note_user_message("o_user")
        assert (await _post(http, url, image, access_token=token))["errcode"] == 40007


async def test_wechat_template_and_subscription_messages() -> None:
    async with (
        WeChatApiFake(templates=["TPL_ISSUED"], subscribe_templates=["SUB_RENEW"]) as fake,
        aiohttp.ClientSession(timeout=TIMEOUT) as http,
    ):
        token = await _wechat_token(http, fake)
        url = fake.base_url + "/cgi-bin/message/template/send"
        data = {"thing1": {"value": "个人证书"}, "time2": {"value": "2025-01-01 10:00"}}
        message = {
            "touser": "o_a",
            "template_id": "TPL_ISSUED",
            "url": "https://ca.example.cn",
            "data": data,
        }
        fake.add_user("o_a")
        sent = await _post(http, url, message, access_token=token)
        assert sent["errcode"] == 0
        assert isinstance(sent["msgid"], int)
        assert (await _post(http, url, {**message, "template_id": "X"}, access_token=token))[
            "errcode"
        ] == 40037
        bad_data = {**message, "data": {"thing1": "个人证书"}}
        assert (await _post(http, url, bad_data, access_token=token))["errcode"] == 47001
        fake.unsubscribe("o_a")
        assert (await _post(http, url, message, access_token=token))["errcode"] == 43004

        bizsend = fake.base_url + "/cgi-bin/message/subscribe/bizsend"
        notice = {
            "touser": "o_b",
            "template_id": "SUB_RENEW",
            "data": {"thing1": {"value": "证书即将到期"}},
        }
        fake.add_user("o_b")
        assert (await _post(http, bizsend, notice, access_token=token))["errcode"] == 43101
        fake.grant_subscription("o_b", "SUB_RENEW", app="oa")
        assert (await _post(http, bizsend, notice, access_token=token))["errcode"] == 0
        assert (await _post(http, bizsend, notice, access_token=token))["errcode"] == 43101

        mp_token = await _wechat_token(http, fake, mp=True)
        fake.issue_login_code("o_mp")
        fake.grant_subscription("o_mp", "SUB_RENEW", app="mp", times=None)
        send = fake.base_url + "/cgi-bin/message/subscribe/send"
        too_long = {
            "touser": "o_mp",
            "template_id": "SUB_RENEW",
            "data": {"thing1": {"value": "长" * 21}},
        }
        reply = await _post(http, send, too_long, access_token=mp_token)
        assert reply == {
            "errcode": 47003,
            "errmsg": "argument invalid! data.thing1.value exceed max length",
        }
        ok = {
            **too_long,
            "data": {"thing1": {"value": "证书即将到期"}},
            "miniprogram_state": "trial",
        }
        assert (await _post(http, send, ok, access_token=mp_token))["errcode"] == 0
        assert (await _post(http, send, ok, access_token=mp_token))["errcode"] == 0  # long-term
        assert [m.kind for m in fake.sent] == ["template", "bizsend", "subscribe", "subscribe"]


async def test_wechat_menu_qrcode_and_user_info(wechat_api: WeChatApiFake) -> None:
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        token = await _wechat_token(http, wechat_api)
        menu_url = wechat_api.base_url + "/cgi-bin/menu/create"
        click = {"type": "click", "name": "申请证书", "key": "APPLY"}
        too_many = {"button": [click] * 4}
        assert (await _post(http, menu_url, too_many, access_token=token))["errcode"] == 40016
        no_key = {"button": [{"type": "click", "name": "申请证书"}]}
        assert (await _post(http, menu_url, no_key, access_token=token))["errcode"] == 40019
        six_subs = {"button": [{"name": "服务", "sub_button": [click] * 6}]}
        assert (await _post(http, menu_url, six_subs, access_token=token))["errcode"] == 40023
        good = {
            "button": [
                click,
                {
                    "name": "服务",
                    "sub_button": [
                        {"type": "view", "name": "官网", "url": "https://ca.example.cn"}
                    ],
                },
            ]
        }
        assert (await _post(http, menu_url, good, access_token=token))["errcode"] == 0
        assert wechat_api.menu == good

        qr_url = wechat_api.base_url + "/cgi-bin/qrcode/create"
        temporary = {
            "expire_seconds": 600,
            "action_name": "QR_STR_SCENE",
            "action_info": {"scene": {"scene_str": "apply:42"}},
        }
        ticket = await _post(http, qr_url, temporary, access_token=token)
        assert ticket["expire_seconds"] == 600
        assert ticket["url"].startswith("http://weixin.qq.com/q/")
        permanent = {
            "action_name": "QR_LIMIT_STR_SCENE",
            "action_info": {"scene": {"scene_str": "desk"}},
        }
        assert "expire_seconds" not in await _post(http, qr_url, permanent, access_token=token)
        bad = {"action_name": "QR_SCENE", "action_info": {"scene": {"scene_str": "x"}}}
        assert (await _post(http, qr_url, bad, access_token=token))["errcode"] == 47001
        assert [q["scene"] for q in wechat_api.qrcodes] == ["apply:42", "desk"]

        info_url = wechat_api.base_url + "/cgi-bin/user/info"
        wechat_api.add_user("o_u", unionid="union-1")
        info = await _get(http, info_url, access_token=token, openid="o_u", lang="zh_CN")
        assert info["subscribe"] == 1
        assert info["unionid"] == "union-1"
        wechat_api.unsubscribe("o_u")
        assert (await _get(http, info_url, access_token=token, openid="o_u"))["subscribe"] == 0


async def test_wechat_jscode2session(wechat_api: WeChatApiFake) -> None:
    url = wechat_api.base_url + "/sns/jscode2session"
    base = {
        "appid": wechat_api.mp_app_id,
        "secret": wechat_api.mp_app_secret,
        "grant_type": "authorization_code",
    }
    code = wechat_api.issue_login_code("o_mp_1", unionid="union-9")
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        session = await _get(http, url, **base, js_code=code)
        assert session["openid"] == "o_mp_1"
        assert session["unionid"] == "union-9"
        assert wechat_api.session_keys["o_mp_1"] == session["session_key"]
        assert (await _get(http, url, **base, js_code=code))["errcode"] == 40163
        assert (await _get(http, url, **base, js_code="forged"))["errcode"] == 40029
        assert (await _get(http, url, **{**base, "secret": "bad"}, js_code=code))[
            "errcode"
        ] == 40125
        official = {**base, "appid": wechat_api.app_id, "secret": wechat_api.app_secret}
        assert (await _get(http, url, **official, js_code=code))["errcode"] == 40013
        late = wechat_api.issue_login_code("o_mp_2")
        wechat_api.advance(301)
        assert (await _get(http, url, **base, js_code=late))["errcode"] == 40029


async def test_wechat_fault_injection(wechat_api: WeChatApiFake) -> None:
    url = wechat_api.base_url + "/cgi-bin/token"
    params = {
        "grant_type": "client_credential",
        "appid": wechat_api.app_id,
        "secret": wechat_api.app_secret,
    }
    wechat_api.faults.fail_next("/cgi-bin/token", status=503)
    wechat_api.errcode_next("/cgi-bin/stable_token", 45009)
    wechat_api.faults.delay_next("/cgi-bin/token", seconds=0.5)
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        async with http.get(url, params=params) as response:
            assert response.status == 503
            assert await _json(response) == {"errcode": -1, "errmsg": "system error"}
        with pytest.raises(TimeoutError):
            async with http.get(url, params=params, timeout=aiohttp.ClientTimeout(total=0.1)):
                pass
        assert "access_token" in await _get(http, url, **params)
        body = {
            "grant_type": "client_credential",
            "appid": wechat_api.app_id,
            "secret": wechat_api.app_secret,
        }
        stable = wechat_api.base_url + "/cgi-bin/stable_token"
        assert (await _post(http, stable, body))["errcode"] == 45009
        assert "access_token" in await _post(http, stable, body)
    calls = wechat_api.calls("/cgi-bin/token")
    assert [c.faulted for c in calls] == [True, False, False]
    assert wechat_api.calls("/cgi-bin/stable_token")[1].json()["appid"] == wechat_api.app_id


# --- WeChat Pay v3 -----------------------------------------------------------------------------


def test_wechatpay_helpers_match_public_vectors() -> None:
    doc_key = load_private_key(DOC_PRIVATE_KEY)
    message = wechatpay_message(
        "POST", "/v3/pay/transactions/jsapi", str(DOC_TIMESTAMP), DOC_NONCE, DOC_BODY
    )
    assert rsa_sign(doc_key, message) == DOC_SIGNATURE
    doc_public = load_public_key(public_key_pem(doc_key))
    assert rsa_verify(doc_public, message, DOC_SIGNATURE)
    assert not rsa_verify(
        doc_public, message.replace(b'"total":100', b'"total":101'), DOC_SIGNATURE
    )
    response_key = load_public_key(RESPONSE_PUBLIC_KEY)
    response = wechatpay_message(RESPONSE_TIMESTAMP, RESPONSE_NONCE, RESPONSE_BODY)
    assert rsa_verify(response_key, response, RESPONSE_SIGNATURE)
    assert not rsa_verify(
        response_key, response.replace(b"JyC91EIz1", b"JyC91EIz2"), RESPONSE_SIGNATURE
    )
    assert not rsa_verify(response_key, response, "not base64!")


async def test_wechatpay_accepts_the_documented_request_only_at_its_time() -> None:
    doc_public_pem = public_key_pem(load_private_key(DOC_PRIVATE_KEY))
    authorization = (
        f'WECHATPAY2-SHA256-RSA2048 mchid="{DOC_MCHID}",nonce_str="{DOC_NONCE}",'
        f'signature="{DOC_SIGNATURE}",timestamp="{DOC_TIMESTAMP}",serial_no="{DOC_SERIAL}"'
    )
    headers = {
        "Authorization": authorization,
        "Content-Type": "application/json",
        "Accept": "application/json",
    }
    async with (
        WeChatPayFake(
            merchant_public_key_pem=doc_public_pem,
            mchid=DOC_MCHID,
            merchant_serial_no=DOC_SERIAL,
            platform_private_key_pem=cached_rsa_private_key_pem("wechatpay-platform"),
            clock=lambda: DOC_TIMESTAMP + 60,
        ) as fake,
        aiohttp.ClientSession(timeout=TIMEOUT) as http,
    ):
        url = fake.base_url + "/v3/pay/transactions/jsapi"
        async with http.post(url, data=DOC_BODY.encode(), headers=headers) as response:
            assert response.status == 200
            assert (await _json(response))["prepay_id"].startswith("wx")
        tampered = DOC_BODY.replace('"total":100', '"total":1')
        async with http.post(url, data=tampered.encode(), headers=headers) as response:
            assert response.status == 401
            assert (await _json(response))["code"] == "SIGN_ERROR"
        fake.clock = time.time  # the vector is from 2019: outside the 5-minute window today
        async with http.post(url, data=DOC_BODY.encode(), headers=headers) as response:
            assert response.status == 401
        params = {
            "timeStamp": str(DOC_TIMESTAMP),
            "nonceStr": DOC_NONCE,
            "package": f"prepay_id={DOC_PREPAY_ID}",
            "signType": "RSA",
            "paySign": DOC_PAY_SIGN,
        }
        assert fake.verify_jsapi_pay_sign(DOC_PAY_SIGN_APPID, params)
        assert not fake.verify_jsapi_pay_sign("wx0000000000000000", params)


async def test_wechatpay_native_order_payment_and_notification(
    wechat_pay: WeChatPayFake, wechat_pay_merchant: MerchantCredentials, aiohttp_server: Any
) -> None:
    receiver = NotifyReceiver(500)
    notify_url = await receiver.start(aiohttp_server)
    order = _native_order(wechat_pay_merchant, "CD20250101000001", notify_url)
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        pay = PayClient(http, wechat_pay, wechat_pay_merchant)
        status, headers, raw = await pay.call("POST", "/v3/pay/transactions/native", order)
        assert status == 200
        assert headers["Wechatpay-Serial"] == wechat_pay.platform_public_key_id
        assert headers["Wechatpay-Signature-Type"] == "WECHATPAY2-SHA256-RSA2048"
        code_url = json.loads(raw)["code_url"]
        assert code_url.startswith("weixin://wxpay/bizpayurl?pr=")
        assert await pay.json("POST", "/v3/pay/transactions/native", order) == (
            200,
            {"code_url": code_url},
        )
        changed = {**order, "amount": {"total": 200, "currency": "CNY"}}
        status, error = await pay.json("POST", "/v3/pay/transactions/native", changed)
        assert (status, error["code"]) == (400, "INVALID_REQUEST")
        query = (
            f"/v3/pay/transactions/out-trade-no/CD20250101000001?mchid={wechat_pay_merchant.mchid}"
        )
        status, transaction = await pay.json("GET", query)
        assert (status, transaction["trade_state"]) == (200, "NOTPAY")
        missing = f"/v3/pay/transactions/out-trade-no/NOPE000001?mchid={wechat_pay_merchant.mchid}"
        assert await pay.json("GET", missing) == (
            404,
            {"code": "ORDER_NOT_EXIST", "message": "订单不存在"},
        )

        delivery = await wechat_pay.pay("CD20250101000001")
        assert delivery is not None
        assert delivery.status == 500
        assert not delivery.acknowledged
        again = await wechat_pay.redeliver()
        assert again.acknowledged
        assert again.notification.event_id == delivery.notification.event_id
        assert len(receiver.received) == 2
        for received_headers, body in receiver.received:
            assert _wechatpay_verified(wechat_pay.platform_public_key_pem, received_headers, body)
            assert received_headers["Wechatpay-Serial"] == wechat_pay.platform_public_key_id
        notification = json.loads(receiver.received[0][1])
        assert notification["event_type"] == "TRANSACTION.SUCCESS"
        assert notification["resource_type"] == "encrypt-resource"
        resource = notification["resource"]
        assert (resource["algorithm"], resource["associated_data"]) == (
            "AEAD_AES_256_GCM",
            "transaction",
        )
        assert len(resource["nonce"]) == 12
        paid = _decrypt_resource(wechat_pay_merchant.apiv3_key, notification)
        assert paid["trade_state"] == "SUCCESS"
        assert paid["amount"]["total"] == 100

        status, transaction = await pay.json("GET", query)
        assert transaction["trade_state"] == "SUCCESS"
        assert transaction["transaction_id"] == paid["transaction_id"]
        close = "/v3/pay/transactions/out-trade-no/CD20250101000001/close"
        status, error = await pay.json("POST", close, {"mchid": wechat_pay_merchant.mchid})
        assert (status, error["code"]) == (400, "ORDER_PAID")
    assert (
        wechat_pay.calls("/v3/pay/transactions/native")[0]
        .headers["Wechatpay-Serial"]
        .startswith("PUB_KEY_ID_")
    )


async def test_wechatpay_jsapi_validation_and_close(
    wechat_pay: WeChatPayFake, wechat_pay_merchant: MerchantCredentials
) -> None:
    order = {
        **_native_order(
            wechat_pay_merchant, "CD20250101000002", "https://ca.example.cn/pay/notify"
        ),
        "payer": {"openid": "o_payer"},
    }
    jsapi = "/v3/pay/transactions/jsapi"
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        pay = PayClient(http, wechat_pay, wechat_pay_merchant)
        invalid = [
            ({k: v for k, v in order.items() if k != "payer"}, "PARAM_ERROR"),
            ({**order, "total_fee": 1}, "PARAM_ERROR"),
            ({**order, "amount": {"total": 0}}, "PARAM_ERROR"),
            ({**order, "notify_url": "https://ca.example.cn/notify?id=1"}, "PARAM_ERROR"),
            ({**order, "out_trade_no": "short"}, "PARAM_ERROR"),
            ({**order, "mchid": "1230000109"}, "PARAM_ERROR"),
            ({**order, "appid": "wx0000000000000000"}, "APPID_MCHID_NOT_MATCH"),
        ]
        for body, code in invalid:
            status, error = await pay.json("POST", jsapi, body)
            assert (status, error["code"]) == (400, code), body
        status, prepay = await pay.json("POST", jsapi, order)
        assert status == 200
        assert prepay["prepay_id"].startswith("wx")
        close = "/v3/pay/transactions/out-trade-no/CD20250101000002/close"
        for _ in range(2):  # closing is reentrant
            status, _, raw = await pay.call("POST", close, {"mchid": wechat_pay_merchant.mchid})
            assert (status, raw) == (204, b"")
        query = (
            f"/v3/pay/transactions/out-trade-no/CD20250101000002?mchid={wechat_pay_merchant.mchid}"
        )
        status, transaction = await pay.json("GET", query)
        assert transaction["trade_state"] == "CLOSED"
        assert transaction["payer"] == {"openid": "o_payer"}
        status, error = await pay.json("POST", jsapi, order)
        assert (status, error["code"]) == (400, "ORDER_CLOSED")
    with pytest.raises(ValueError, match="CLOSED"):
        await wechat_pay.pay("CD20250101000002")


async def test_wechatpay_rejects_bad_authorization(
    wechat_pay: WeChatPayFake, wechat_pay_merchant: MerchantCredentials
) -> None:
    query = f"/v3/pay/transactions/out-trade-no/CD20250101000003?mchid={wechat_pay_merchant.mchid}"
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        pay = PayClient(http, wechat_pay, wechat_pay_merchant)
        assert (await pay.json("GET", query))[0] == 404  # a good signature gets through
        bad: list[dict[str, Any]] = [
            {"private_key_pem": cached_rsa_private_key_pem("some-other-merchant")},
            {"serial_no": "0" * 40},
            {"timestamp": int(time.time()) - 301},
            {"signed_path": query.partition("?")[0]},  # the query string left out
        ]
        for options in bad:
            status, error = await pay.json("GET", query, **options)
            assert (status, error["code"]) == (401, "SIGN_ERROR"), options
        native = "/v3/pay/transactions/native"
        body = _native_order(wechat_pay_merchant, "CD20250101000003", "https://ca.example.cn/n")
        status, error = await pay.json("POST", native, body, signed_body="{}")
        assert (status, error["code"]) == (401, "SIGN_ERROR")
        status, error = await pay.json("POST", native, body, mchid="1230000109")
        assert (status, error["code"]) == (400, "MCH_NOT_EXISTS")
        async with http.get(URL(wechat_pay.base_url + query, encoded=True)) as response:
            assert response.status == 401
            assert _wechatpay_verified(
                wechat_pay.platform_public_key_pem, response.headers, await response.read()
            )
    assert wechat_pay.orders == {}


async def test_wechatpay_refunds(
    wechat_pay: WeChatPayFake, wechat_pay_merchant: MerchantCredentials, aiohttp_server: Any
) -> None:
    receiver = NotifyReceiver()
    notify_url = await receiver.start(aiohttp_server)
    no = "CD20250101000004"
    refund: dict[str, Any] = {
        "out_trade_no": no,
        "out_refund_no": "RF20250101000004",
        "reason": "撤销申请",
        "notify_url": notify_url,
        "amount": {"refund": 30, "total": 100, "currency": "CNY"},
    }
    refunds = "/v3/refund/domestic/refunds"
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        pay = PayClient(http, wechat_pay, wechat_pay_merchant)
        await pay.json(
            "POST",
            "/v3/pay/transactions/native",
            _native_order(wechat_pay_merchant, no, notify_url),
        )
        status, error = await pay.json("POST", refunds, refund)
        assert (status, error["code"]) == (400, "INVALID_REQUEST")  # not paid yet
        assert await wechat_pay.pay(no, notify=False) is None
        assert (await pay.json("POST", refunds, {**refund, "out_trade_no": "NOPE000001"}))[0] == 404
        too_much = {**refund, "amount": {"refund": 101, "total": 100, "currency": "CNY"}}
        status, error = await pay.json("POST", refunds, too_much)
        assert (status, error["code"]) == (400, "INVALID_REQUEST")
        status, created = await pay.json("POST", refunds, refund)
        assert status == 200
        assert created["status"] == "PROCESSING"
        assert (await pay.json("POST", refunds, refund))[1]["refund_id"] == created["refund_id"]
        delivery = await wechat_pay.complete_refund("RF20250101000004")
        assert delivery is not None
        assert delivery.acknowledged
        status, queried = await pay.json("GET", f"{refunds}/RF20250101000004")
        assert queried["status"] == "SUCCESS"
        assert "success_time" in queried
        assert (await pay.json("GET", f"{refunds}/RF404"))[1]["code"] == "RESOURCE_NOT_EXISTS"
        wechat_pay.merchant_balance = 10
        second = {
            **refund,
            "out_refund_no": "RF20250101000005",
            "amount": {**refund["amount"], "refund": 20},
        }
        status, error = await pay.json("POST", refunds, second)
        assert (status, error["code"]) == (403, "NOT_ENOUGH")
        query = f"/v3/pay/transactions/out-trade-no/{no}?mchid={wechat_pay_merchant.mchid}"
        assert (await pay.json("GET", query))[1]["trade_state"] == "REFUND"
    headers, body = receiver.received[0]
    assert _wechatpay_verified(wechat_pay.platform_public_key_pem, headers, body)
    notification = json.loads(body)
    assert notification["event_type"] == "REFUND.SUCCESS"
    assert notification["resource"]["associated_data"] == "refund"
    resource = _decrypt_resource(wechat_pay_merchant.apiv3_key, notification)
    assert (resource["refund_status"], resource["amount"]["refund"]) == ("SUCCESS", 30)


async def test_wechatpay_notification_variants_and_redelivery(
    wechat_pay: WeChatPayFake, wechat_pay_merchant: MerchantCredentials, aiohttp_server: Any
) -> None:
    receiver = NotifyReceiver(500, 503)
    notify_url = await receiver.start(aiohttp_server)
    no = "CD20250101000006"
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        pay = PayClient(http, wechat_pay, wechat_pay_merchant)
        await pay.json(
            "POST",
            "/v3/pay/transactions/native",
            _native_order(wechat_pay_merchant, no, notify_url),
        )
    await wechat_pay.pay(no, notify=False)
    public = wechat_pay.platform_public_key_pem
    good = wechat_pay.transaction_notification(no)
    assert _wechatpay_verified(public, good.headers, good.body)
    assert _decrypt_resource(wechat_pay_merchant.apiv3_key, good.json()) == good.resource
    stale = wechat_pay.transaction_notification(no, NotifyOptions(timestamp=int(time.time()) - 600))
    tampered = wechat_pay.transaction_notification(no, NotifyOptions(tamper=True))
    unsigned = wechat_pay.transaction_notification(no, NotifyOptions(signed=False))
    probe = wechat_pay.transaction_notification(no, NotifyOptions(probe=True))
    for broken in (stale, tampered, unsigned, probe):
        assert not _wechatpay_verified(public, broken.headers, broken.body)
    assert probe.headers["Wechatpay-Signature"].startswith("WECHATPAY/SIGNTEST/")
    other_key = wechat_pay.transaction_notification(no, NotifyOptions(apiv3_key="x" * 32))
    assert _wechatpay_verified(public, other_key.headers, other_key.body)
    with pytest.raises(InvalidTag):
        _decrypt_resource(wechat_pay_merchant.apiv3_key, other_key.json())

    deliveries = await wechat_pay.deliver_until_acknowledged(good)
    assert [d.status for d in deliveries] == [500, 503, 200]
    assert len({d.notification.headers["Wechatpay-Nonce"] for d in deliveries}) == 3  # re-signed
    assert wechat_pay.deliveries == deliveries


async def test_wechatpay_fault_injection(
    wechat_pay: WeChatPayFake, wechat_pay_merchant: MerchantCredentials
) -> None:
    wechat_pay.error_next("/v3/pay/transactions/native")
    wechat_pay.error_next(
        "/v3/pay/transactions/out-trade-no/{out_trade_no}",
        status=429,
        code="FREQUENCY_LIMITED",
        message="频率超限",
    )
    body = _native_order(wechat_pay_merchant, "CD20250101000007", "https://ca.example.cn/n")
    query = f"/v3/pay/transactions/out-trade-no/CD20250101000007?mchid={wechat_pay_merchant.mchid}"
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        pay = PayClient(http, wechat_pay, wechat_pay_merchant)
        assert await pay.json("POST", "/v3/pay/transactions/native", body) == (
            500,
            {"code": "SYSTEM_ERROR", "message": "系统错误"},
        )
        assert (await pay.json("POST", "/v3/pay/transactions/native", body))[0] == 200
        assert (await pay.json("GET", query))[1]["code"] == "FREQUENCY_LIMITED"
        assert (await pay.json("GET", query))[1]["trade_state"] == "NOTPAY"
    assert [c.faulted for c in wechat_pay.calls("/v3/pay/transactions/native")] == [True, False]


# --- Tencent Cloud SMS -------------------------------------------------------------------------


def test_tc3_matches_the_documented_example() -> None:
    headers = [
        ("content-type", "application/json; charset=utf-8"),
        ("host", "cvm.tencentcloudapi.com"),
    ]
    canonical = tc3_canonical_request("POST", "", headers, TC3_DOC_PAYLOAD.encode())
    assert hashlib.sha256(canonical.encode()).hexdigest() == TC3_DOC_HASHED_CANONICAL
    to_sign = tc3_string_to_sign(str(TC3_DOC_TIMESTAMP), "2019-02-25/cvm/tc3_request", canonical)
    assert tc3_signature(TC3_DOC_SECRET_KEY, "2019-02-25", "cvm", to_sign) == TC3_DOC_SIGNATURE


async def test_tencent_fake_authenticates_the_documented_request() -> None:
    authorization = (
        f"TC3-HMAC-SHA256 Credential={TC3_DOC_SECRET_ID}/2019-02-25/cvm/tc3_request, "
        f"SignedHeaders=content-type;host, Signature={TC3_DOC_SIGNATURE}"
    )
    headers = {
        "Authorization": authorization,
        "Content-Type": "application/json; charset=utf-8",
        "Host": "cvm.tencentcloudapi.com",
        "X-TC-Action": "DescribeInstances",
        "X-TC-Timestamp": str(TC3_DOC_TIMESTAMP),
        "X-TC-Version": "2017-03-12",
        "X-TC-Region": "ap-guangzhou",
    }
    async with (
        TencentSmsFake(
            secret_id=TC3_DOC_SECRET_ID,
            secret_key=TC3_DOC_SECRET_KEY,
            service="cvm",
            clock=lambda: TC3_DOC_TIMESTAMP + 10,
        ) as fake,
        aiohttp.ClientSession(timeout=TIMEOUT) as http,
    ):
        async with http.post(
            fake.base_url + "/", data=TC3_DOC_PAYLOAD.encode(), headers=headers
        ) as response:
            error = (await _json(response))["Response"]["Error"]
        assert error["Code"] == "InvalidAction"  # authenticated; the fake only does SendSms
        headers["Authorization"] = authorization[:-1] + "d"
        async with http.post(
            fake.base_url + "/", data=TC3_DOC_PAYLOAD.encode(), headers=headers
        ) as response:
            assert (await _json(response))["Response"]["Error"][
                "Code"
            ] == "AuthFailure.SignatureFailure"


async def test_tencent_sms_send_success(tencent_sms: TencentSmsFake) -> None:
    params = _sms_params(tencent_sms, "+8613800138000", SessionContext="apply-42")
    response = await _send_sms(tencent_sms, params)
    [status] = response["SendStatusSet"]
    assert status["Code"] == "Ok"
    assert status["Message"] == "send success"
    assert (status["PhoneNumber"], status["Fee"], status["IsoCode"]) == ("+8613800138000", 1, "CN")
    assert status["SessionContext"] == "apply-42"
    assert status["SerialNo"]
    assert response["RequestId"]
    assert tencent_sms.last_params("+8613800138000") == ("123456", "5")


async def test_tencent_sms_authentication_failures(tencent_sms: TencentSmsFake) -> None:
    params = _sms_params(tencent_sms, "+8613800138000")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"secret_key": "wrong"}, "AuthFailure.SignatureFailure"),
        ({"secret_id": "AKIDunknown"}, "AuthFailure.SecretIdNotFound"),
        ({"timestamp": int(time.time()) - 301}, "AuthFailure.SignatureExpire"),
        ({"version": "2019-07-11"}, "NoSuchVersion"),
    ]
    for options, code in cases:
        response = await _send_sms(tencent_sms, params, **options)
        assert response["Error"]["Code"] == code, options
        assert "SendStatusSet" not in response
    assert tencent_sms.sent == []


async def test_tencent_sms_business_errors(tencent_sms: TencentSmsFake) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"SignName": "未审核签名"}, "FailedOperation.SignatureIncorrectOrUnapproved"),
        ({"TemplateId": "999"}, "FailedOperation.TemplateIncorrectOrUnapproved"),
        ({"TemplateParamSet": ["123456"]}, "FailedOperation.TemplateIncorrectOrUnapproved"),
        ({"SmsSdkAppId": "1400999999"}, "UnauthorizedOperation.SmsSdkAppIdVerifyFail"),
        ({"PhoneNumberSet": []}, "MissingParameter.EmptyPhoneNumberSet"),
        ({"Sign": "x"}, "UnknownParameter"),
    ]
    for overrides, code in cases:
        response = await _send_sms(
            tencent_sms, _sms_params(tencent_sms, "+8613800138000", **overrides)
        )
        assert response["Error"]["Code"] == code, overrides
    response = await _send_sms(
        tencent_sms, _sms_params(tencent_sms, "13800138000", "+8613800138001")
    )
    codes = [(s["PhoneNumber"], s["Code"]) for s in response["SendStatusSet"]]
    assert codes == [
        ("13800138000", "InvalidParameterValue.IncorrectPhoneNumber"),
        ("+8613800138001", "Ok"),
    ]


async def test_tencent_sms_limits_and_faults() -> None:
    async with TencentSmsFake(phone_limit_daily=1) as fake:
        phone = "+8613800138000"
        codes = [
            (await _send_sms(fake, _sms_params(fake, phone)))["SendStatusSet"][0]["Code"]
            for _ in range(2)
        ]
        assert codes == ["Ok", "LimitExceeded.PhoneNumberDailyLimit"]
        fake.advance(24 * 3600)
        fake.fail_number_next(phone, "LimitExceeded.PhoneNumberThirtySecondLimit")
        status = (await _send_sms(fake, _sms_params(fake, phone)))["SendStatusSet"][0]
        assert status["Code"] == "LimitExceeded.PhoneNumberThirtySecondLimit"
        assert status["Fee"] == 0
        fake.error_next("InternalError.Timeout", "timeout")
        assert (await _send_sms(fake, _sms_params(fake, phone)))["Error"][
            "Code"
        ] == "InternalError.Timeout"
        fake.faults.fail_next("SendSms", status=502)
        payload = json.dumps(_sms_params(fake, phone)).encode()
        headers = _tc3_headers(
            fake.secret_id, fake.secret_key, URL(fake.base_url).raw_authority, payload
        )
        async with (
            aiohttp.ClientSession(timeout=TIMEOUT) as http,
            http.post(fake.base_url + "/", data=payload, headers=headers) as response,
        ):
            assert response.status == 502
        assert (await _send_sms(fake, _sms_params(fake, phone)))["SendStatusSet"][0]["Code"] == "Ok"
        assert len(fake.messages_to(phone)) == 2
        assert [c.faulted for c in fake.calls("SendSms")] == [
            False,
            False,
            False,
            True,
            True,
            False,
        ]


# --- SMTP ----------------------------------------------------------------------------------------


async def test_smtp_starttls_auth_and_recording(smtp_server: SmtpFake) -> None:
    await asyncio.to_thread(_smtp_send, smtp_server, _email())
    [received] = smtp_server.messages
    assert received.subject == "证书申请已受理"
    assert received.rcpt_tos == ["applicant@example.com"]
    assert received.login == smtp_server.username
    assert received.tls
    assert received.text is not None
    assert "已受理" in received.text
    assert received.html is not None
    assert "<p>" in received.html
    [attachment] = received.attachments
    assert (attachment.filename, attachment.content_type) == ("回执.pdf", "application/pdf")
    assert attachment.data == b"%PDF-1.7 fake"


async def test_smtp_rejects_bad_or_missing_credentials(smtp_server: SmtpFake) -> None:
    with pytest.raises(smtplib.SMTPAuthenticationError) as failed:
        await asyncio.to_thread(_smtp_send, smtp_server, _email(), password="wrong")
    assert failed.value.smtp_code == 535
    with pytest.raises(smtplib.SMTPSenderRefused) as refused:
        await asyncio.to_thread(_smtp_send, smtp_server, _email(), login=False)
    assert refused.value.smtp_code == 530
    with pytest.raises(smtplib.SMTPNotSupportedError):  # no AUTH offered before STARTTLS
        await asyncio.to_thread(_smtp_send, smtp_server, _email(), starttls=False)
    # smtplib tries PLAIN, then LOGIN; both carry the wrong password
    attempts = [(a.mechanism, a.login, a.success) for a in smtp_server.auth_attempts]
    assert attempts == [
        ("PLAIN", smtp_server.username, False),
        ("LOGIN", smtp_server.username, False),
    ]
    assert smtp_server.messages == []


async def test_smtp_implicit_tls_and_plain() -> None:
    for mode in ("implicit", "none"):
        async with SmtpFake(tls=mode) as fake:
            await asyncio.to_thread(_smtp_send, fake, _email(mode))
            assert [m.subject for m in fake.messages] == [mode]
            assert fake.messages[0].tls is (mode == "implicit")


async def test_smtp_faults(smtp_server: SmtpFake) -> None:
    smtp_server.fail_next("DATA", 451)
    with pytest.raises(smtplib.SMTPDataError) as temporary:
        await asyncio.to_thread(_smtp_send, smtp_server, _email())
    assert temporary.value.smtp_code == 451
    smtp_server.fail_next("CONNECT", 421)
    with pytest.raises(smtplib.SMTPConnectError) as unavailable:
        await asyncio.to_thread(_smtp_send, smtp_server, _email())
    assert unavailable.value.smtp_code == 421
    await smtp_server.refuse_connections()
    with pytest.raises(ConnectionRefusedError):
        await asyncio.to_thread(_smtp_send, smtp_server, _email())
    await smtp_server.accept_connections()
    smtp_server.rejected_recipients.add("applicant@example.com")
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        await asyncio.to_thread(_smtp_send, smtp_server, _email())
    smtp_server.rejected_recipients.clear()
    await asyncio.to_thread(_smtp_send, smtp_server, _email())
    assert len(smtp_server.messages) == 1
