"""Pytest fixtures that start and stop each fake (function scope).

Import them into a conftest with ``from tests.fakes.fixtures import *``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from bot.sandbox.crypto import cached_rsa_private_key_pem, load_private_key, public_key_pem
from bot.sandbox.wechat_api import WeChatApiFake
from bot.sandbox.wechat_pay import (
    DEFAULT_APIV3_KEY,
    DEFAULT_APPID,
    DEFAULT_MCHID,
    DEFAULT_MERCHANT_SERIAL_NO,
    MerchantCredentials,
    WeChatPayFake,
)
from tests.fakes.s3 import S3Fake
from tests.fakes.smtp import SmtpFake
from tests.fakes.tencent_sms import TencentSmsFake

__all__ = [
    "MerchantCredentials",
    "s3",
    "smtp_server",
    "tencent_sms",
    "wechat_api",
    "wechat_pay",
    "wechat_pay_merchant",
]


@pytest.fixture
def wechat_pay_merchant() -> MerchantCredentials:
    """A merchant with an RSA-2048 API key (generated once per test session)."""
    private_pem = cached_rsa_private_key_pem("wechatpay-merchant")
    return MerchantCredentials(
        mchid=DEFAULT_MCHID,
        serial_no=DEFAULT_MERCHANT_SERIAL_NO,
        private_key_pem=private_pem,
        public_key_pem=public_key_pem(load_private_key(private_pem)),
        apiv3_key=DEFAULT_APIV3_KEY,
        appid=DEFAULT_APPID,
    )


@pytest_asyncio.fixture
async def wechat_api() -> AsyncIterator[WeChatApiFake]:
    """The fake api.weixin.qq.com, started; configure clients with ``wechat_api.base_url``."""
    async with WeChatApiFake() as fake:
        yield fake


@pytest_asyncio.fixture
async def wechat_pay(wechat_pay_merchant: MerchantCredentials) -> AsyncIterator[WeChatPayFake]:
    """The fake api.mch.weixin.qq.com for :func:`wechat_pay_merchant`, started."""
    merchant = wechat_pay_merchant
    async with WeChatPayFake(
        merchant_public_key_pem=merchant.public_key_pem,
        mchid=merchant.mchid,
        merchant_serial_no=merchant.serial_no,
        apiv3_key=merchant.apiv3_key,
        appids=[merchant.appid],
        platform_private_key_pem=cached_rsa_private_key_pem("wechatpay-platform"),
    ) as fake:
        yield fake


@pytest_asyncio.fixture
async def tencent_sms() -> AsyncIterator[TencentSmsFake]:
    """The fake sms.tencentcloudapi.com, started."""
    async with TencentSmsFake() as fake:
        yield fake


@pytest_asyncio.fixture
async def smtp_server() -> AsyncIterator[SmtpFake]:
    """The fake SMTP server (STARTTLS, AUTH required), started."""
    async with SmtpFake() as fake:
        yield fake


@pytest_asyncio.fixture
async def s3() -> AsyncIterator[S3Fake]:
    """The fake S3-compatible object store (one bucket), started."""
    async with S3Fake() as fake:
        yield fake
