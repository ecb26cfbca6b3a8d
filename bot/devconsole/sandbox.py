"""The development sandbox: the WeChat API and WeChat Pay stand-ins (``bot.sandbox``) started
in-process, the settings pointed at them (and at a development CA), and the staff accounts of
the development console.

Only ``certdesk serve --dev`` starts it, and only when no real ``[wechat] app_id`` is configured.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.config import ConfigError, Settings
from bot.sandbox.crypto import generate_rsa_private_key_pem, load_private_key, public_key_pem
from bot.sandbox.wechat_api import WeChatApiFake
from bot.sandbox.wechat_pay import (
    DEFAULT_APIV3_KEY,
    DEFAULT_APPID,
    DEFAULT_MCHID,
    DEFAULT_MERCHANT_SERIAL_NO,
    MerchantCredentials,
    WeChatPayFake,
    pay_settings,
)
from bot.texts import NOTICE_TITLES
from bot.wechat.simulator import WeChatSimulator
from models.staff import StaffRole

DEV_TOKEN = "certdesk-dev-token"  # noqa: S105  (development only)
DEV_AES_KEY = "certdeskDevelopmentSafeModeKey0123456789abc"  # 43 characters, as WeChat shows
DEV_PRICES = {
    "org_1": 30000,
    "org_2": 55000,
    "personal_1": 15000,
    "personal_2": 28000,
    "renew_org_1": 25000,
    "renew_org_2": 45000,
    "renew_personal_1": 12000,
    "renew_personal_2": 22000,
}
DEV_PHONE = "010-00000000"
DEV_PASSWORD = "certdesk-dev-password"  # noqa: S105  (printed on start; development only)
DEV_STAFF = (("reviewer", StaffRole.REVIEWER), ("operator", StaffRole.OPERATOR))
PAY_FOLDER = Path("var/dev-pay")
CA_FOLDER = Path("var/dev-ca")  # the built-in CA of the sandbox (never a configured CA)


@dataclass
class DevSandbox:
    """The running stand-ins and what the console needs to play WeChat's side."""

    wechat: WeChatApiFake
    pay: WeChatPayFake
    simulator: WeChatSimulator
    staff: tuple[tuple[str, StaffRole], ...] = DEV_STAFF
    password: str = DEV_PASSWORD
    _last_event: dict[str, int] = field(default_factory=dict)

    def event_time(self, openid: str) -> int:
        """A CreateTime for an event of ``openid``: WeChat de-duplicates events by user and
        CreateTime, so two clicks within a second get successive times."""
        created = max(int(time.time()), self._last_event.get(openid, 0) + 1)
        self._last_event[openid] = created
        return created

    async def stop(self) -> None:
        """Stop both servers."""
        await self.wechat.stop()
        await self.pay.stop()


def wanted(settings: Settings) -> bool:
    """Whether a development run uses the sandbox: no real official account is configured.

    The sandbox seeds staff accounts with a published password and turns rate limits off, so
    it refuses to run on an address other machines can reach.
    """
    if not settings.server.dev or settings.wechat.app_id:
        return False
    if not is_loopback(settings.server.host):
        raise ConfigError(
            f"the development sandbox (--dev without [wechat] app_id) listens on loopback "
            f"addresses only, not {settings.server.host}: it seeds staff accounts with a "
            f"published password"
        )
    return True


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address or ``localhost``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def start_sandbox(
    settings: Settings, pay_folder: Path = PAY_FOLDER, ca_folder: Path = CA_FOLDER
) -> tuple[DevSandbox, Settings]:
    """Start the stand-ins and return them with ``settings`` pointed at them: the official
    account (safe mode), WeChat Pay (keys written as PEM files into ``pay_folder``), prices,
    template notices and a service phone where none are configured; no rate limits. The CA is
    the built-in one in ``ca_folder`` (created by the console's Key factory on first use), so
    sandbox certificates never come from a configured CA."""
    wechat = WeChatApiFake()
    await wechat.start()
    private_pem = generate_rsa_private_key_pem()
    merchant = MerchantCredentials(
        mchid=DEFAULT_MCHID,
        serial_no=DEFAULT_MERCHANT_SERIAL_NO,
        private_key_pem=private_pem,
        public_key_pem=public_key_pem(load_private_key(private_pem)),
        apiv3_key=DEFAULT_APIV3_KEY,
        appid=DEFAULT_APPID,
    )
    pay = WeChatPayFake(
        merchant_public_key_pem=merchant.public_key_pem,
        appids=[wechat.app_id, wechat.mp_app_id],
    )
    await pay.start()
    configured = dataclasses.replace(
        settings,
        server=dataclasses.replace(settings.server, rate_limit_per_minute=0),  # one user: you
        wechat=dataclasses.replace(
            settings.wechat,
            app_id=wechat.app_id,
            app_secret=wechat.app_secret,
            token=settings.wechat.token or DEV_TOKEN,
            encoding_aes_key=settings.wechat.encoding_aes_key or DEV_AES_KEY,
            api_base_url=wechat.base_url,
        ),
        miniprogram=dataclasses.replace(
            settings.miniprogram, app_id=wechat.mp_app_id, app_secret=wechat.mp_app_secret
        ),
        service=dataclasses.replace(settings.service, phone=settings.service.phone or DEV_PHONE),
        notices=dataclasses.replace(
            settings.notices,
            templates=settings.notices.templates or {kind: f"dev-{kind}" for kind in NOTICE_TITLES},
        ),
        prices=settings.prices or DEV_PRICES,
        ca=dataclasses.replace(settings.ca, backend="builtin", path=str(ca_folder)),
    )
    notify_url = configured.server.public_url.rstrip("/") + "/pay/notify"
    configured = pay_settings(configured, pay, merchant, pay_folder, notify_url=notify_url)
    simulator = WeChatSimulator(
        token=configured.wechat.token,
        app_id=configured.wechat.app_id,
        encoding_aes_key=configured.wechat.encoding_aes_key,
    )
    return DevSandbox(wechat, pay, simulator), configured
