"""The shared objects of one process (settings, store, cipher), handed to handlers and jobs."""

from __future__ import annotations

from dataclasses import dataclass, field

import aiohttp

from bot.config import ConfigError, Settings
from bot.mailer import EmailCodeChannel, Mailer, build_mailer
from bot.secrets_box import DataCipher, decode_key
from bot.sms import SmsSender, build_sms_sender
from bot.sms_codes import CodeLimits, OneTimeCodes, SmsCodes
from bot.storage import FileStore
from bot.storage_s3 import build_file_store
from bot.store import Store, create_store
from bot.texts import UNLOCK_CODE_MAIL, UNLOCK_CODE_SUBJECT
from bot.wechat.client import WeChatClient

# Unlock authorization codes: 30 minutes, 5 wrong entries void one (seed section 3).
UNLOCK_CODE_LIMITS = CodeLimits(code_ttl=1800.0, max_tries=5)


@dataclass
class Services:
    """What request handlers, the engine and job handlers need from their process."""

    settings: Settings
    store: Store
    cipher: DataCipher
    lookup_key: bytes = field(repr=False)
    _http: aiohttp.ClientSession | None = field(default=None, repr=False)
    _wechat: WeChatClient | None = field(default=None, repr=False)
    _mp_wechat: WeChatClient | None = field(default=None, repr=False)
    _sms: SmsSender | None = field(default=None, repr=False)
    _sms_codes: SmsCodes | None = field(default=None, repr=False)
    _mailer: Mailer | None = field(default=None, repr=False)
    _files: FileStore | None = field(default=None, repr=False)
    _unlock_codes: OneTimeCodes | None = field(default=None, repr=False)

    @property
    def http(self) -> aiohttp.ClientSession:
        """The process's HTTP client session for outside services (created on first use)."""
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=15, connect=5),
                headers={"User-Agent": "certdesk"},
            )
        return self._http

    @property
    def wechat(self) -> WeChatClient:
        """The official account's API client."""
        if self._wechat is None:
            config = self.settings.wechat
            self._wechat = WeChatClient(
                config.app_id,
                config.app_secret,
                store=self.store,
                http=lambda: self.http,
                base_url=config.api_base_url,
            )
        return self._wechat

    @property
    def mp_wechat(self) -> WeChatClient:
        """The mini-program's API client (login, subscribe messages)."""
        if self._mp_wechat is None:
            config = self.settings.miniprogram
            self._mp_wechat = WeChatClient(
                config.app_id,
                config.app_secret,
                store=self.store,
                http=lambda: self.http,
                base_url=self.settings.wechat.api_base_url,
            )
        return self._mp_wechat

    @property
    def sms(self) -> SmsSender:
        """The SMS provider (console in development: its outbox holds what was sent)."""
        if self._sms is None:
            self._sms = build_sms_sender(self.settings.sms, lambda: self.http)
        return self._sms

    @property
    def sms_codes(self) -> SmsCodes:
        """SMS verification codes, shared by all processes through the store."""
        if self._sms_codes is None:
            limits = CodeLimits(resend_interval=float(self.settings.sms.resend_seconds))
            self._sms_codes = SmsCodes(self.store, self.sms, self.lookup_key, limits=limits)
        return self._sms_codes

    @property
    def mailer(self) -> Mailer:
        """Email (console in development: its outbox holds what was sent)."""
        if self._mailer is None:
            self._mailer = build_mailer(self.settings.email)
        return self._mailer

    @property
    def unlock_codes(self) -> OneTimeCodes:
        """Unlock authorization codes, emailed to the handler, bound to a Key's serial."""
        if self._unlock_codes is None:
            channel = EmailCodeChannel(self.mailer, "unlock", UNLOCK_CODE_SUBJECT, UNLOCK_CODE_MAIL)
            self._unlock_codes = OneTimeCodes(
                self.store, channel, self.lookup_key, limits=UNLOCK_CODE_LIMITS
            )
        return self._unlock_codes

    @property
    def files(self) -> FileStore:
        """Where materials, invoices and generated files are stored."""
        if self._files is None:
            self._files = build_file_store(self.settings.storage, lambda: self.http)
        return self._files

    async def close(self) -> None:
        """Release connections held by the services."""
        if self._http is not None:
            await self._http.close()
        await self.store.close()


def build_services(settings: Settings) -> Services:
    """Create the services of a process from its settings (nothing is connected yet)."""
    if not settings.security.data_keys:
        raise ConfigError("security.data_keys: at least one key is required (certdesk gen-key)")
    if not settings.security.lookup_key:
        raise ConfigError("security.lookup_key: required (certdesk gen-key)")
    try:
        cipher = DataCipher.from_config(settings.security.data_keys)
        lookup_key = decode_key(settings.security.lookup_key, "security.lookup_key")
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    return Services(
        settings=settings,
        store=create_store(settings.redis.url, prefix=settings.redis.prefix),
        cipher=cipher,
        lookup_key=lookup_key,
    )
