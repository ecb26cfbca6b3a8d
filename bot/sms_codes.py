"""One-time verification codes, kept in the store so every process sees the same codes and
limits: SMS codes to a phone (``SmsCodes``) and codes delivered by another channel, such as the
unlock authorization code emailed to the handler (``OneTimeCodes`` with a ``CodeChannel``).

A code is bound to a destination (phone or email), a purpose (``org_apply``) and a subject (the
draft order id, a Key's serial): it verifies only for the same three. Rules (``CodeLimits``,
defaults from the product spec for SMS):

- 6 random digits (``secrets``), valid 5 minutes, single use; a new send replaces the previous
  code of the same phone, purpose and subject (and its tries);
- at most 5 wrong tries, then the code is dead until a new one is sent;
- at least 60 s between two sends to one phone, whatever the purpose;
- at most 10 sends per phone and 20 per requester (WeChat openid) per *calendar day in
  Asia/Shanghai* (UTC+8, no daylight saving): the applicant is told "try again tomorrow", and
  it matches how Tencent counts its own daily limit. A send that fails does not count.

Only keyed hashes (HMAC-SHA256 with ``hash_key``) of destinations, subjects, requesters and
codes are stored. Keys (under the store's prefix; ``sms`` is the namespace of SMS codes, each
channel has its own):

- ``sms:code:{phone_id}:{purpose}:{subject_id}``: the code's MAC, expiry and tries (JSON);
- ``sms:last:{phone_id}``: time of the last send to the phone (the 60 s spacing);
- ``sms:day:phone:{phone_id}:{YYYYMMDD}``, ``sms:day:requester:{requester_id}:{YYYYMMDD}``:
  daily counters.

Locks: ``sms:send:{phone_id}`` (one send per phone at a time) and ``sms:code:…`` (every read
and write of a code record, so checking, counting tries and consuming are atomic).

Decisions use ``clock`` (injectable); store TTLs only clean up and are never shorter than the
logical lifetime, so tests can move the clock without waiting.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import math
import re
import secrets
import time
import unicodedata
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from bot.china_time import SHANGHAI
from bot.masking import mask_phone
from bot.sms import VERIFY_CODE, SmsError, SmsRejected, SmsSender, normalize_phone
from bot.store import LockTimeout, Store, StoreError

CODE_TOO_FREQUENT = "验证码发送太频繁，请 {seconds} 秒后再试"
CODE_PHONE_DAILY = "该手机号今天的验证码次数已用完，请明天再试"
CODE_REQUESTER_DAILY = "您今天获取验证码的次数已用完，请明天再试"
CODE_WRONG = "验证码不正确，还可以再试 {tries_left} 次"
CODE_EXPIRED = "验证码已过期，请重新获取"
CODE_TOO_MANY_TRIES = "错误次数过多，该验证码已失效，请重新获取"
CODE_BAD_FORMAT = "请输入 6 位数字验证码"

CODE_DIGITS = 6
DAY_KEY_SLACK = 3600.0  # daily counters outlive their day by this much (clock differences)
SEND_LOCK_LEASE = 30.0  # covers the provider call (renewed while held)
CODE_LOCK_LEASE = 10.0
CODE_LOCK_WAIT = 5.0

_CODE = re.compile(rf"[0-9]{{{CODE_DIGITS}}}")
_PURPOSE = re.compile(r"[a-z][a-z0-9_]{0,31}")


@dataclass(frozen=True)
class CodeLimits:
    """The rules, in seconds and counts (the defaults are the product spec)."""

    code_ttl: float = 300.0
    max_tries: int = 5
    resend_interval: float = 60.0
    phone_daily: int = 10
    requester_daily: int = 20


class LimitReason(StrEnum):
    """Why a send was refused."""

    TOO_FREQUENT = "too_frequent"
    PHONE_DAILY = "phone_daily"
    REQUESTER_DAILY = "requester_daily"


class InvalidReason(StrEnum):
    """Why a code was not accepted."""

    WRONG = "wrong"
    EXPIRED = "expired"  # also: no code was sent, or it was already used
    TOO_MANY_TRIES = "too_many_tries"
    BAD_FORMAT = "bad_format"


class CodeRateLimited(Exception):
    """No code was sent: a limit applies for ``retry_after`` more seconds."""

    def __init__(self, retry_after: int, reason: LimitReason) -> None:
        self.retry_after = retry_after
        self.reason = reason
        if reason is LimitReason.TOO_FREQUENT:
            self.user_message = CODE_TOO_FREQUENT.format(seconds=retry_after)
        elif reason is LimitReason.PHONE_DAILY:
            self.user_message = CODE_PHONE_DAILY
        else:
            self.user_message = CODE_REQUESTER_DAILY
        super().__init__(self.user_message)


class CodeInvalid(Exception):
    """The code was not accepted; ``tries_left`` is set for a wrong code."""

    def __init__(self, reason: InvalidReason, tries_left: int | None = None) -> None:
        self.reason = reason
        self.tries_left = tries_left
        if reason is InvalidReason.WRONG:
            self.user_message = CODE_WRONG.format(tries_left=tries_left)
        elif reason is InvalidReason.EXPIRED:
            self.user_message = CODE_EXPIRED
        elif reason is InvalidReason.TOO_MANY_TRIES:
            self.user_message = CODE_TOO_MANY_TRIES
        else:
            self.user_message = CODE_BAD_FORMAT
        super().__init__(self.user_message)


@dataclass(frozen=True)
class SendResult:
    """A code was sent: where to (masked), and when the next one may be asked for."""

    masked_phone: str  # the destination (phone or email), masked
    retry_after: int  # seconds until another code may be sent to this destination
    expires_in: int  # seconds the code stays valid


@dataclass(frozen=True)
class _Record:
    mac: str
    expires: float
    tries: int

    def dumps(self) -> str:
        return json.dumps({"mac": self.mac, "expires": self.expires, "tries": self.tries})


def normalize_code(text: str) -> str | None:
    """The 6 ASCII digits typed in ``text`` (full-width digits and spaces allowed), or None."""
    compact = "".join(unicodedata.normalize("NFKC", text).split())
    return compact if _CODE.fullmatch(compact) else None


def day_window(now: float) -> tuple[str, float]:
    """The Asia/Shanghai calendar day of ``now`` (YYYYMMDD) and the seconds left in it."""
    local = datetime.fromtimestamp(now, SHANGHAI)
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return local.strftime("%Y%m%d"), midnight.timestamp() - now


class CodeChannel(Protocol):
    """How codes reach people: the destination's form, its masked echo and the delivery."""

    namespace: str  # prefix of the store keys of this channel's codes

    def normalize(self, destination: str) -> str | None:
        """The canonical destination, or None if nothing can be delivered to it."""
        ...

    def rejected(self, destination: str) -> Exception:
        """The error raised when a code is asked for an invalid destination."""
        ...

    def mask(self, destination: str) -> str:
        """The destination as shown to the user."""
        ...

    async def deliver(self, destination: str, code: str, valid_seconds: float) -> None:
        """Send ``code``; raise the channel's error when it was not sent."""
        ...


class SmsChannel:
    """Codes by SMS to mainland mobile numbers."""

    namespace = "sms"

    def __init__(self, sender: SmsSender) -> None:
        self.sender = sender

    def normalize(self, destination: str) -> str | None:
        try:
            return normalize_phone(destination)
        except SmsError:
            return None

    def rejected(self, destination: str) -> Exception:
        return SmsRejected("InvalidPhoneNumber", "not a mainland China mobile number")

    def mask(self, destination: str) -> str:
        return mask_phone(destination)

    async def deliver(self, destination: str, code: str, valid_seconds: float) -> None:
        await self.sender.send(destination, VERIFY_CODE, [code])


class OneTimeCodes:
    """Sends and verifies codes under the rules of the module docstring."""

    def __init__(
        self,
        store: Store,
        channel: CodeChannel,
        hash_key: bytes,
        *,
        clock: Callable[[], float] | None = None,
        limits: CodeLimits | None = None,
    ) -> None:
        if len(hash_key) < 16:
            raise ValueError("hash_key must be at least 16 bytes")
        self._store = store
        self._channel = channel
        self._ns = channel.namespace
        self._hash_key = hash_key
        self._clock = clock or time.time
        self.limits = limits or CodeLimits()

    # -- keys ---------------------------------------------------------------------------------

    def _mac(self, label: str, *parts: str) -> str:
        message = "\x1f".join((label, *parts)).encode()
        return hmac.new(self._hash_key, message, hashlib.sha256).hexdigest()

    def _id(self, label: str, value: str) -> str:
        """A keyed hash of ``value`` short enough for a key name (128 bits)."""
        return self._mac(label, value)[:32]

    def _code_key(self, phone_id: str, purpose: str, subject: str) -> str:
        if not _PURPOSE.fullmatch(purpose):
            raise ValueError(f"purpose must match {_PURPOSE.pattern}, got {purpose!r}")
        if not subject:
            raise ValueError("subject must not be empty")
        return f"{self._ns}:code:{phone_id}:{purpose}:{self._id('subject', subject)}"

    # -- send ---------------------------------------------------------------------------------

    async def send(self, phone: str, purpose: str, subject: str, requester: str) -> SendResult:
        """Send a new code for (purpose, subject) to ``phone`` on behalf of ``requester``.

        Raises SmsRejected for a number that is not a mainland mobile, CodeRateLimited when a
        limit applies and the sender's SmsError when the SMS could not be sent.
        """
        if not requester:
            raise ValueError("requester must not be empty")
        number = self._channel.normalize(phone)
        if number is None:
            raise self._channel.rejected(phone)
        phone_id = self._id("phone", number)
        code_key = self._code_key(phone_id, purpose, subject)
        async with AsyncExitStack() as stack:
            try:
                await stack.enter_async_context(
                    self._store.lock(f"{self._ns}:send:{phone_id}", lease=SEND_LOCK_LEASE, wait=0)
                )
            except LockTimeout:  # another send to this phone is under way
                interval = math.ceil(self.limits.resend_interval)
                raise CodeRateLimited(interval, LimitReason.TOO_FREQUENT) from None
            await self._check_interval(phone_id)
            await self._send_counted(number, phone_id, code_key, self._id("requester", requester))
            await self._store.set(
                f"{self._ns}:last:{phone_id}", repr(self._clock()), ttl=self.limits.resend_interval
            )
        return SendResult(
            masked_phone=self._channel.mask(number),
            retry_after=math.ceil(self.limits.resend_interval),
            expires_in=math.ceil(self.limits.code_ttl),
        )

    async def _check_interval(self, phone_id: str) -> None:
        last = await self._store.get(f"{self._ns}:last:{phone_id}")
        if last is None:
            return
        remaining = self.limits.resend_interval - (self._clock() - float(last))
        if remaining > 0:
            raise CodeRateLimited(math.ceil(remaining), LimitReason.TOO_FREQUENT)

    async def _send_counted(
        self, number: str, phone_id: str, code_key: str, requester_id: str
    ) -> None:
        """Count the send against the daily limits, store the code and send it.

        If a limit is reached or the SMS is not sent, the counts taken are given back.
        """
        day, seconds_left = day_window(self._clock())
        ttl = seconds_left + DAY_KEY_SLACK
        counters = [
            (
                f"{self._ns}:day:phone:{phone_id}:{day}",
                self.limits.phone_daily,
                LimitReason.PHONE_DAILY,
            ),
            (
                f"{self._ns}:day:requester:{requester_id}:{day}",
                self.limits.requester_daily,
                LimitReason.REQUESTER_DAILY,
            ),
        ]
        taken: list[str] = []
        try:
            for key, limit, reason in counters:
                count = await self._store.incr(key, ttl=ttl)
                taken.append(key)
                if count > limit:
                    raise CodeRateLimited(math.ceil(seconds_left), reason)
            code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
            # Stored before sending: the applicant may type it as soon as it arrives. If the
            # send fails it stays (a timed-out SMS may still arrive) and expires normally.
            await self._store_code(code_key, code)
            await self._channel.deliver(number, code, self.limits.code_ttl)
        except Exception:  # a limit, or the channel could not deliver: give the counts back
            with contextlib.suppress(StoreError):
                for key in taken:
                    await self._store.incr(key, -1, ttl=ttl)
            raise

    async def _store_code(self, code_key: str, code: str) -> None:
        record = _Record(
            mac=self._mac("code", code_key, code),
            expires=self._clock() + self.limits.code_ttl,
            tries=0,
        )
        async with self._store.lock(code_key, lease=CODE_LOCK_LEASE, wait=CODE_LOCK_WAIT):
            await self._store.set(code_key, record.dumps(), ttl=self.limits.code_ttl)

    # -- verify -------------------------------------------------------------------------------

    async def verify(self, phone: str, purpose: str, subject: str, code: str) -> None:
        """Accept ``code`` for (phone, purpose, subject) once; CodeInvalid otherwise.

        A badly formed code does not count as a try. StoreError (LockTimeout included) if the
        store fails.
        """
        digits = normalize_code(code)
        if digits is None:
            raise CodeInvalid(InvalidReason.BAD_FORMAT)
        number = self._channel.normalize(phone)
        if number is None:
            raise CodeInvalid(InvalidReason.EXPIRED)  # no code was ever sent to it
        code_key = self._code_key(self._id("phone", number), purpose, subject)
        async with self._store.lock(code_key, lease=CODE_LOCK_LEASE, wait=CODE_LOCK_WAIT):
            record = await self._load(code_key)
            now = self._clock()
            if record is None or now >= record.expires:
                raise CodeInvalid(InvalidReason.EXPIRED)
            if record.tries >= self.limits.max_tries:
                raise CodeInvalid(InvalidReason.TOO_MANY_TRIES)
            if hmac.compare_digest(record.mac, self._mac("code", code_key, digits)):
                await self._store.delete(code_key)  # single use
                return
            tries = record.tries + 1
            wrong = _Record(record.mac, record.expires, tries)
            await self._store.set(code_key, wrong.dumps(), ttl=record.expires - now)
        tries_left = self.limits.max_tries - tries
        if tries_left <= 0:
            raise CodeInvalid(InvalidReason.TOO_MANY_TRIES)
        raise CodeInvalid(InvalidReason.WRONG, tries_left)

    async def _load(self, code_key: str) -> _Record | None:
        raw = await self._store.get(code_key)
        if raw is None:
            return None
        data = json.loads(raw)
        return _Record(
            mac=str(data["mac"]), expires=float(data["expires"]), tries=int(data["tries"])
        )


class SmsCodes(OneTimeCodes):
    """SMS codes (namespace ``sms``) through ``sender``."""

    def __init__(
        self,
        store: Store,
        sender: SmsSender,
        hash_key: bytes,
        *,
        clock: Callable[[], float] | None = None,
        limits: CodeLimits | None = None,
    ) -> None:
        super().__init__(store, SmsChannel(sender), hash_key, clock=clock, limits=limits)
