"""SMS: the console provider, Tencent Cloud SMS against its fake, and verification codes.

Code tests run on the in-process store and on the real Redis server, each with a key prefix of
its own (deleted afterwards). Time is a fake clock given to ``SmsCodes``: store TTLs only clean
up, so moving the clock is enough and nothing sleeps.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import math
import os
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime

import aiohttp
import pytest
import redis.asyncio as aioredis
from hypothesis import given
from hypothesis import strategies as st

from bot.china_time import SHANGHAI
from bot.config import ConfigError, SmsSettings
from bot.sms import (
    CERT_PASSWORD,
    REVIEW_RESULT,
    SMS_RATE_LIMITED,
    SMS_REJECTED,
    SMS_UNAVAILABLE,
    VERIFY_CODE,
    ConsoleSms,
    HttpSession,
    SmsError,
    SmsRateLimited,
    SmsRejected,
    SmsUnavailable,
    TencentSms,
    build_sms_sender,
    normalize_phone,
)
from bot.sms_codes import (
    CODE_BAD_FORMAT,
    CODE_EXPIRED,
    CODE_PHONE_DAILY,
    CODE_REQUESTER_DAILY,
    CODE_TOO_MANY_TRIES,
    CodeInvalid,
    CodeLimits,
    CodeRateLimited,
    InvalidReason,
    LimitReason,
    SmsCodes,
    day_window,
    normalize_code,
)
from bot.store import RedisStore, Store
from tests.fakes.tencent_sms import DEFAULT_SIGN_NAME, TencentSmsFake

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
CLOSED_PORT_URL = "http://127.0.0.1:1"  # nothing listens on port 1
PHONE = "13800138000"
E164 = "+8613800138000"
MASKED = "138****8000"
HASH_KEY = b"certdesk-test-lookup-key-0123456789"
VERIFY_TEMPLATE = "1000002"  # added to the fake: one parameter, a verification template
REVIEW_TEMPLATE = "1000001"  # the fake's default template: two parameters
START = datetime(2025, 3, 1, 9, 0, tzinfo=SHANGHAI).timestamp()
PURPOSE = "org_apply"
SUBJECT = "draft-1"
OPENID = "o6_bmjrPTlm6_2sgVt7hMZOPfL2M"


class FakeClock:
    """A wall clock that moves only when told to."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def console() -> ConsoleSms:
    return ConsoleSms()


@pytest.fixture
def codes(store: Store, console: ConsoleSms, clock: FakeClock) -> SmsCodes:
    return SmsCodes(store, console, HASH_KEY, clock=clock)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def sms_fake(tencent_sms: TencentSmsFake) -> TencentSmsFake:
    """The Tencent fake with an approved one-parameter verification-code template."""
    tencent_sms.templates[VERIFY_TEMPLATE] = 1
    tencent_sms.verification_templates.add(VERIFY_TEMPLATE)
    return tencent_sms


def tencent(
    fake: TencentSmsFake,
    http: HttpSession,
    *,
    secret_key: str | None = None,
    endpoint: str | None = None,
    timeout: float = 5.0,
    clock: Callable[[], float] = time.time,
) -> TencentSms:
    """A TencentSms configured for ``fake``."""
    return TencentSms(
        secret_id=fake.secret_id,
        secret_key=fake.secret_key if secret_key is None else secret_key,
        sdk_app_id=fake.sdk_app_id,
        sign_name=DEFAULT_SIGN_NAME,
        templates={VERIFY_CODE: VERIFY_TEMPLATE, REVIEW_RESULT: REVIEW_TEMPLATE},
        http=http,
        endpoint=fake.base_url if endpoint is None else endpoint,
        timeout=timeout,
        retry_delay=0.01,
        clock=clock,
    )


def assert_not_logged(caplog: pytest.LogCaptureFixture, *secrets: str) -> None:
    """No log record (message or extra field) contains any of ``secrets``."""
    for record in caplog.records:
        logged = record.getMessage() + repr(vars(record))
        for secret in secrets:
            assert secret not in logged


def last_code(console: ConsoleSms) -> str:
    return console.outbox[-1].params[0]


def other_phone(i: int) -> str:
    return f"1390000{i:04d}"


# -- phone numbers and code input ----------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "13800138000",
        "+8613800138000",
        "008613800138000",
        "8613800138000",
        "+86 138-0013-8000",
        "１３８ ００１３ ８０００",
        "(+86) 138 0013 8000",
    ],
)
def test_normalize_phone_accepts_common_forms(raw: str) -> None:
    assert normalize_phone(raw) == PHONE


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "1380013800",
        "138001380000",
        "12800138000",
        "+85261234567",
        "1380013800a",
        "+1 415 555 0100",
        "٠١٣٨٠٠١٣٨٠٠٠",
    ],
)
def test_normalize_phone_rejects_others(raw: str) -> None:
    with pytest.raises(SmsRejected) as caught:
        normalize_phone(raw)
    assert caught.value.user_message == SMS_REJECTED
    assert not caught.value.retryable


_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_SPACES = st.sampled_from([" ", "\u3000", "\t", "\n", "\u00a0", ""])


@given(
    code=st.text(alphabet="0123456789", min_size=6, max_size=6),
    full_width=st.lists(st.booleans(), min_size=6, max_size=6),
    gaps=st.lists(_SPACES, min_size=7, max_size=7),
)
def test_normalize_code_undoes_full_width_and_spaces(
    code: str, full_width: list[bool], gaps: list[str]
) -> None:
    typed = gaps[0] + "".join(
        (digit.translate(_FULL_WIDTH) if wide else digit) + gap
        for digit, wide, gap in zip(code, full_width, gaps[1:], strict=True)
    )
    assert normalize_code(typed) == code


@given(st.text(max_size=20))
def test_normalize_code_yields_six_ascii_digits_or_none(text: str) -> None:
    result = normalize_code(text)
    assert result is None or (len(result) == 6 and all(c in "0123456789" for c in result))


@given(st.text(alphabet="0123456789", max_size=12).filter(lambda s: len(s) != 6))
def test_normalize_code_rejects_other_lengths(digits: str) -> None:
    assert normalize_code(digits) is None


@pytest.mark.parametrize("typed", ["12345", "1234567", "abcdef", "12 34 5", "١٢٣٤٥٦", ""])
def test_normalize_code_rejects_malformed(typed: str) -> None:
    assert normalize_code(typed) is None


def test_day_window_is_the_calendar_day_in_shanghai() -> None:
    assert day_window(START) == ("20250301", 15 * 3600)
    late_utc = datetime(2025, 3, 1, 23, 30, tzinfo=SHANGHAI).timestamp()  # 15:30 UTC
    assert day_window(late_utc) == ("20250301", 1800)
    assert day_window(late_utc + 1800) == ("20250302", 86400)


# -- console provider --------------------------------------------------------------------------


async def test_console_keeps_the_message_and_logs_only_the_masked_phone(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sms = ConsoleSms()
    with caplog.at_level(logging.DEBUG):
        await sms.send("+86 138 0013 8000", VERIFY_CODE, ["493817"])
    message = sms.outbox[-1]
    assert (message.phone, message.purpose, message.params) == (PHONE, VERIFY_CODE, ("493817",))
    assert message.text == "您的验证码为 493817，5 分钟内有效。如非本人操作，请忽略本短信。"
    assert any(MASKED in record.getMessage() for record in caplog.records)
    assert_not_logged(caplog, PHONE, "493817")


async def test_console_renders_every_purpose_and_bounds_its_outbox() -> None:
    sms = ConsoleSms(outbox_size=2)
    await sms.send(PHONE, VERIFY_CODE, ["000001"])
    await sms.send(PHONE, REVIEW_RESULT, ["CD20250301001", "已通过"])
    await sms.send(PHONE, CERT_PASSWORD, ["CD20250301001", "81726354"])
    assert [m.purpose for m in sms.outbox] == [REVIEW_RESULT, CERT_PASSWORD]
    assert "已通过" in sms.outbox[0].text
    assert "81726354" in sms.outbox[1].text


async def test_console_fails_like_tencent_would() -> None:
    sms = ConsoleSms()
    with pytest.raises(SmsError) as unknown:
        await sms.send(PHONE, "no_such_purpose", [])
    assert unknown.value.code == "TemplateNotConfigured"
    with pytest.raises(SmsError) as mismatch:
        await sms.send(PHONE, VERIFY_CODE, ["1", "2"])
    assert mismatch.value.code == "TemplateParamMismatch"
    with pytest.raises(SmsRejected):
        await sms.send("12345", VERIFY_CODE, ["123456"])
    assert not sms.outbox


# -- Tencent Cloud SMS -------------------------------------------------------------------------


async def test_tencent_signed_request_is_accepted(
    sms_fake: TencentSmsFake, http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        await tencent(sms_fake, lambda: http).send(PHONE, VERIFY_CODE, ["123456"])
    assert_not_logged(caplog, PHONE, "123456")
    [sent] = sms_fake.sent
    assert (sent.phone, sent.template_id, sent.params) == (E164, VERIFY_TEMPLATE, ("123456",))
    assert (sent.sign_name, sent.sdk_app_id) == (DEFAULT_SIGN_NAME, sms_fake.sdk_app_id)
    [request] = sms_fake.calls("SendSms")
    headers = request.headers
    assert headers["X-TC-Action"] == "SendSms"
    assert headers["X-TC-Version"] == "2021-01-11"
    assert headers["X-TC-Region"] == "ap-guangzhou"
    assert headers["Authorization"].startswith(f"TC3-HMAC-SHA256 Credential={sms_fake.secret_id}/")
    assert (
        "/sms/tc3_request, SignedHeaders=content-type;host, Signature="
        in (headers["Authorization"])
    )
    assert request.json()["PhoneNumberSet"] == [E164]


async def test_tencent_wrong_secret_is_a_signature_failure(
    sms_fake: TencentSmsFake, http: aiohttp.ClientSession
) -> None:
    with pytest.raises(SmsError) as caught:
        await tencent(sms_fake, http, secret_key="not-the-secret").send(
            PHONE, VERIFY_CODE, ["123456"]
        )
    assert type(caught.value) is SmsError
    assert caught.value.code == "AuthFailure.SignatureFailure"
    assert not caught.value.retryable
    assert not sms_fake.sent


async def test_tencent_skewed_clock_is_a_signature_expiry(
    sms_fake: TencentSmsFake, http: aiohttp.ClientSession
) -> None:
    sms = tencent(sms_fake, http, clock=lambda: time.time() - 600)
    with pytest.raises(SmsError) as caught:
        await sms.send(PHONE, VERIFY_CODE, ["123456"])
    assert caught.value.code == "AuthFailure.SignatureExpire"
    assert not caught.value.retryable


@pytest.mark.parametrize(
    "code", ["InvalidParameterValue.IncorrectPhoneNumber", "FailedOperation.PhoneNumberInBlacklist"]
)
async def test_tencent_number_refused_is_rejected(
    sms_fake: TencentSmsFake,
    http: aiohttp.ClientSession,
    caplog: pytest.LogCaptureFixture,
    code: str,
) -> None:
    sms_fake.fail_number_next(E164, code)
    with caplog.at_level(logging.DEBUG), pytest.raises(SmsRejected) as caught:
        await tencent(sms_fake, http).send(PHONE, VERIFY_CODE, ["123456"])
    assert any(MASKED in r.getMessage() and code in r.getMessage() for r in caplog.records)
    assert_not_logged(caplog, PHONE, "123456")
    assert caught.value.code == code
    assert not caught.value.retryable
    assert not sms_fake.sent


async def test_tencent_per_number_limit_is_rate_limited(
    sms_fake: TencentSmsFake, http: aiohttp.ClientSession
) -> None:
    sms_fake.phone_limit_30s = 1
    sms = tencent(sms_fake, http)
    await sms.send(PHONE, VERIFY_CODE, ["123456"])
    with pytest.raises(SmsRateLimited) as caught:
        await sms.send(PHONE, VERIFY_CODE, ["654321"])
    assert caught.value.code == "LimitExceeded.PhoneNumberThirtySecondLimit"
    assert caught.value.user_message == SMS_RATE_LIMITED
    assert len(sms_fake.sent) == 1


async def test_tencent_template_mismatch_is_not_retryable(
    sms_fake: TencentSmsFake, http: aiohttp.ClientSession
) -> None:
    with pytest.raises(SmsError) as caught:
        await tencent(sms_fake, http).send(PHONE, REVIEW_RESULT, ["only-one"])
    assert caught.value.code == "FailedOperation.TemplateIncorrectOrUnapproved"
    assert not caught.value.retryable


async def test_tencent_unconfigured_purpose_sends_nothing(
    sms_fake: TencentSmsFake, http: aiohttp.ClientSession
) -> None:
    with pytest.raises(SmsError) as caught:
        await tencent(sms_fake, http).send(PHONE, CERT_PASSWORD, ["1", "2"])
    assert caught.value.code == "TemplateNotConfigured"
    assert not sms_fake.requests


async def test_tencent_503_is_retried_once(
    sms_fake: TencentSmsFake, http: aiohttp.ClientSession
) -> None:
    sms = tencent(sms_fake, http)
    sms_fake.faults.fail_next("SendSms", status=503)
    await sms.send(PHONE, VERIFY_CODE, ["123456"])
    assert len(sms_fake.calls("SendSms")) == 2
    assert len(sms_fake.sent) == 1

    sms_fake.faults.fail_next("SendSms", status=503, times=2)
    with pytest.raises(SmsUnavailable) as caught:
        await sms.send(PHONE, VERIFY_CODE, ["123456"])
    assert caught.value.retryable
    assert caught.value.user_message == SMS_UNAVAILABLE
    assert len(sms_fake.calls("SendSms")) == 4
    assert len(sms_fake.sent) == 1


@pytest.mark.parametrize("status", [500, 502, 504])
async def test_tencent_other_5xx_is_unavailable_without_retry(
    sms_fake: TencentSmsFake, http: aiohttp.ClientSession, status: int
) -> None:
    sms_fake.faults.fail_next("SendSms", status=status)
    with pytest.raises(SmsUnavailable) as caught:
        await tencent(sms_fake, http).send(PHONE, VERIFY_CODE, ["123456"])
    assert caught.value.retryable
    assert len(sms_fake.calls("SendSms")) == 1  # the request may have been processed


@pytest.mark.parametrize("code", ["InternalError.Timeout", "RequestLimitExceeded"])
async def test_tencent_internal_error_is_unavailable(
    sms_fake: TencentSmsFake, http: aiohttp.ClientSession, code: str
) -> None:
    sms_fake.error_next(code)
    with pytest.raises(SmsUnavailable) as caught:
        await tencent(sms_fake, http).send(PHONE, VERIFY_CODE, ["123456"])
    assert caught.value.code == code
    assert caught.value.retryable
    assert len(sms_fake.calls("SendSms")) == 1


async def test_tencent_timeout_is_not_retried(
    sms_fake: TencentSmsFake, http: aiohttp.ClientSession
) -> None:
    sms_fake.faults.delay_next("SendSms", seconds=0.5)
    started = time.monotonic()
    with pytest.raises(SmsUnavailable) as caught:
        await tencent(sms_fake, http, timeout=0.1).send(PHONE, VERIFY_CODE, ["123456"])
    assert time.monotonic() - started < 0.4
    assert caught.value.retryable
    assert len(sms_fake.calls("SendSms")) == 1


async def test_tencent_connection_refused_is_retried_once(sms_fake: TencentSmsFake) -> None:
    attempts: list[str] = []

    async def on_request_start(
        session: aiohttp.ClientSession,
        context: object,
        params: aiohttp.TraceRequestStartParams,
    ) -> None:
        attempts.append(str(params.url))

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_request_start)
    async with aiohttp.ClientSession(trace_configs=[trace]) as session:
        sms = tencent(sms_fake, session, endpoint=CLOSED_PORT_URL)
        with pytest.raises(SmsUnavailable) as caught:
            await sms.send(PHONE, VERIFY_CODE, ["123456"])
    assert caught.value.code == "Unreachable"
    assert len(attempts) == 2


def test_build_sms_sender() -> None:
    assert isinstance(build_sms_sender(SmsSettings(), lambda: aiohttp.ClientSession()), ConsoleSms)
    tencent_settings = SmsSettings(
        provider="tencent",
        secret_id="AKID",
        secret_key="key",
        sdk_app_id="1400000001",
        sign_name="证书服务",
        templates={VERIFY_CODE: VERIFY_TEMPLATE},
    )
    sender = build_sms_sender(tencent_settings, lambda: aiohttp.ClientSession())
    assert isinstance(sender, TencentSms)
    assert sender.host == "sms.tencentcloudapi.com"
    with pytest.raises(ConfigError, match=r"sms\.secret_key"):
        build_sms_sender(
            dataclasses.replace(tencent_settings, secret_key=""), lambda: aiohttp.ClientSession()
        )
    with pytest.raises(ConfigError, match=r"sms\.provider"):
        build_sms_sender(
            dataclasses.replace(tencent_settings, provider="aliyun"),
            lambda: aiohttp.ClientSession(),
        )


# -- verification codes: send and verify -----------------------------------------------------


async def test_send_and_verify(codes: SmsCodes, console: ConsoleSms) -> None:
    result = await codes.send("+86 138 0013 8000", PURPOSE, SUBJECT, OPENID)
    assert (result.masked_phone, result.retry_after, result.expires_in) == (MASKED, 60, 300)
    [message] = console.outbox
    assert (message.phone, message.purpose) == (PHONE, VERIFY_CODE)
    code = last_code(console)
    assert len(code) == 6
    assert code.isdigit()
    await codes.verify(PHONE, PURPOSE, SUBJECT, code)


async def test_a_code_is_used_once(codes: SmsCodes, console: ConsoleSms) -> None:
    await codes.send(PHONE, PURPOSE, SUBJECT, OPENID)
    code = last_code(console)
    await codes.verify(PHONE, PURPOSE, SUBJECT, code)
    with pytest.raises(CodeInvalid) as caught:
        await codes.verify(PHONE, PURPOSE, SUBJECT, code)
    assert caught.value.reason is InvalidReason.EXPIRED
    assert caught.value.user_message == CODE_EXPIRED


async def test_codes_are_shared_by_processes(
    store: Store, peer: Store, clock: FakeClock, console: ConsoleSms
) -> None:
    here = SmsCodes(store, console, HASH_KEY, clock=clock)
    there = SmsCodes(peer, console, HASH_KEY, clock=clock)
    await here.send(PHONE, PURPOSE, SUBJECT, OPENID)
    with pytest.raises(CodeRateLimited):
        await there.send(PHONE, PURPOSE, SUBJECT, OPENID)
    await there.verify(PHONE, PURPOSE, SUBJECT, last_code(console))


async def test_send_and_verify_through_tencent(
    store: Store, clock: FakeClock, sms_fake: TencentSmsFake, http: aiohttp.ClientSession
) -> None:
    codes = SmsCodes(store, tencent(sms_fake, http), HASH_KEY, clock=clock)
    result = await codes.send(PHONE, PURPOSE, SUBJECT, OPENID)
    assert result.masked_phone == MASKED
    [code] = sms_fake.last_params(E164)
    await codes.verify(PHONE, PURPOSE, SUBJECT, code)


async def test_typed_code_is_normalised(codes: SmsCodes, console: ConsoleSms) -> None:
    await codes.send(PHONE, PURPOSE, SUBJECT, OPENID)
    typed = " " + " ".join(last_code(console)).translate(_FULL_WIDTH) + "\u3000"
    await codes.verify(PHONE, PURPOSE, SUBJECT, typed)


async def test_malformed_code_does_not_count_as_a_try(codes: SmsCodes, console: ConsoleSms) -> None:
    await codes.send(PHONE, PURPOSE, SUBJECT, OPENID)
    for typed in ["12345", "abcdef", "1234567"] * 3:
        with pytest.raises(CodeInvalid) as caught:
            await codes.verify(PHONE, PURPOSE, SUBJECT, typed)
        assert caught.value.reason is InvalidReason.BAD_FORMAT
        assert caught.value.user_message == CODE_BAD_FORMAT
    await codes.verify(PHONE, PURPOSE, SUBJECT, last_code(console))


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


async def test_wrong_codes_count_down_then_the_code_is_dead(
    codes: SmsCodes, console: ConsoleSms
) -> None:
    await codes.send(PHONE, PURPOSE, SUBJECT, OPENID)
    code = last_code(console)
    for left in (4, 3, 2, 1):
        with pytest.raises(CodeInvalid) as caught:
            await codes.verify(PHONE, PURPOSE, SUBJECT, _wrong(code))
        assert caught.value.reason is InvalidReason.WRONG
        assert caught.value.tries_left == left
        assert caught.value.user_message == f"验证码不正确，还可以再试 {left} 次"
    for attempt in (_wrong(code), code):  # the fifth wrong try kills it, even for the right code
        with pytest.raises(CodeInvalid) as caught:
            await codes.verify(PHONE, PURPOSE, SUBJECT, attempt)
        assert caught.value.reason is InvalidReason.TOO_MANY_TRIES
        assert caught.value.user_message == CODE_TOO_MANY_TRIES


async def test_a_new_code_replaces_the_old_one_and_its_tries(
    codes: SmsCodes, console: ConsoleSms, clock: FakeClock
) -> None:
    await codes.send(PHONE, PURPOSE, SUBJECT, OPENID)
    old = last_code(console)
    for _ in range(5):
        with pytest.raises(CodeInvalid):
            await codes.verify(PHONE, PURPOSE, SUBJECT, _wrong(old))
    clock.advance(60)
    await codes.send(PHONE, PURPOSE, SUBJECT, OPENID)
    new = last_code(console)
    if new != old:
        with pytest.raises(CodeInvalid) as caught:
            await codes.verify(PHONE, PURPOSE, SUBJECT, old)
        assert caught.value.reason is InvalidReason.WRONG
    await codes.verify(PHONE, PURPOSE, SUBJECT, new)


async def test_codes_expire_after_five_minutes(
    codes: SmsCodes, console: ConsoleSms, clock: FakeClock
) -> None:
    await codes.send(PHONE, PURPOSE, SUBJECT, OPENID)
    first = last_code(console)
    clock.advance(299)
    await codes.verify(PHONE, PURPOSE, SUBJECT, first)
    clock.advance(1)
    await codes.send(PHONE, PURPOSE, SUBJECT, OPENID)
    clock.advance(300)
    with pytest.raises(CodeInvalid) as caught:
        await codes.verify(PHONE, PURPOSE, SUBJECT, last_code(console))
    assert caught.value.reason is InvalidReason.EXPIRED


async def test_no_code_sent_is_expired(codes: SmsCodes) -> None:
    for phone in (PHONE, "not a phone"):
        with pytest.raises(CodeInvalid) as caught:
            await codes.verify(phone, PURPOSE, SUBJECT, "123456")
        assert caught.value.reason is InvalidReason.EXPIRED


async def test_a_code_is_bound_to_phone_purpose_and_subject(
    codes: SmsCodes, console: ConsoleSms
) -> None:
    await codes.send(PHONE, PURPOSE, SUBJECT, OPENID)
    code = last_code(console)
    for phone, purpose, subject in [
        (other_phone(1), PURPOSE, SUBJECT),
        (PHONE, "person_apply", SUBJECT),
        (PHONE, PURPOSE, "draft-2"),
    ]:
        with pytest.raises(CodeInvalid) as caught:
            await codes.verify(phone, purpose, subject, code)
        assert caught.value.reason is InvalidReason.EXPIRED
    await codes.verify(PHONE, PURPOSE, SUBJECT, code)


async def _open_connections(store: Store, count: int = 10) -> None:
    """Let a Redis store open ``count`` connections, so concurrent calls really overlap."""
    await asyncio.gather(*(store.ping() for _ in range(count)))


async def test_concurrent_verifies_of_the_right_code_succeed_once(
    store: Store, codes: SmsCodes, console: ConsoleSms
) -> None:
    await _open_connections(store)
    await codes.send(PHONE, PURPOSE, SUBJECT, OPENID)
    code = last_code(console)
    results = await asyncio.gather(
        *(codes.verify(PHONE, PURPOSE, SUBJECT, code) for _ in range(6)), return_exceptions=True
    )
    assert results.count(None) == 1
    failures = [r for r in results if r is not None]
    assert all(isinstance(r, CodeInvalid) and r.reason is InvalidReason.EXPIRED for r in failures)


async def test_concurrent_wrong_guesses_get_five_tries_in_all(
    store: Store, codes: SmsCodes, console: ConsoleSms
) -> None:
    await _open_connections(store)
    await codes.send(PHONE, PURPOSE, SUBJECT, OPENID)
    code = last_code(console)
    results = await asyncio.gather(
        *(codes.verify(PHONE, PURPOSE, SUBJECT, _wrong(code)) for _ in range(10)),
        return_exceptions=True,
    )
    reasons = sorted(r.reason for r in results if isinstance(r, CodeInvalid))
    assert len(reasons) == 10
    assert reasons.count(InvalidReason.WRONG) == 4
    with pytest.raises(CodeInvalid) as caught:
        await codes.verify(PHONE, PURPOSE, SUBJECT, code)
    assert caught.value.reason is InvalidReason.TOO_MANY_TRIES


# -- verification codes: limits ----------------------------------------------------------------


async def test_sends_to_a_phone_are_60_seconds_apart(
    codes: SmsCodes, console: ConsoleSms, clock: FakeClock
) -> None:
    await codes.send(PHONE, PURPOSE, SUBJECT, OPENID)
    clock.advance(15)
    with pytest.raises(CodeRateLimited) as caught:
        await codes.send(PHONE, "person_apply", "draft-9", "another-openid")  # any purpose
    assert caught.value.reason is LimitReason.TOO_FREQUENT
    assert caught.value.retry_after == 45
    assert caught.value.user_message == "验证码发送太频繁，请 45 秒后再试"
    clock.advance(44.5)
    with pytest.raises(CodeRateLimited) as caught:
        await codes.send(PHONE, PURPOSE, SUBJECT, OPENID)
    assert caught.value.retry_after == 1
    clock.advance(0.5)
    await codes.send(PHONE, PURPOSE, SUBJECT, OPENID)
    assert len(console.outbox) == 2


async def test_concurrent_sends_to_one_phone_send_once(
    store: Store, codes: SmsCodes, console: ConsoleSms
) -> None:
    await _open_connections(store)
    results = await asyncio.gather(
        *(codes.send(PHONE, PURPOSE, SUBJECT, OPENID) for _ in range(5)), return_exceptions=True
    )
    assert sum(1 for r in results if not isinstance(r, BaseException)) == 1
    assert all(isinstance(r, CodeRateLimited) for r in results if isinstance(r, BaseException))
    assert len(console.outbox) == 1


async def test_ten_codes_per_phone_per_day(
    codes: SmsCodes, console: ConsoleSms, clock: FakeClock
) -> None:
    for i in range(10):
        await codes.send(PHONE, PURPOSE, SUBJECT, f"openid-{i}")
        clock.advance(60)
    with pytest.raises(CodeRateLimited) as caught:
        await codes.send(PHONE, PURPOSE, SUBJECT, "openid-new")
    assert caught.value.reason is LimitReason.PHONE_DAILY
    assert caught.value.user_message == CODE_PHONE_DAILY
    _, seconds_left = day_window(clock())
    assert caught.value.retry_after == math.ceil(seconds_left)
    await codes.send(other_phone(1), PURPOSE, SUBJECT, "openid-new")  # not counted against it
    clock.advance(seconds_left)  # midnight in Shanghai
    await codes.send(PHONE, PURPOSE, SUBJECT, "openid-new")
    assert len(console.outbox) == 12


async def test_twenty_codes_per_requester_per_day(
    codes: SmsCodes, console: ConsoleSms, clock: FakeClock
) -> None:
    for i in range(20):
        await codes.send(other_phone(i), PURPOSE, SUBJECT, OPENID)
    with pytest.raises(CodeRateLimited) as caught:
        await codes.send(other_phone(20), PURPOSE, SUBJECT, OPENID)
    assert caught.value.reason is LimitReason.REQUESTER_DAILY
    assert caught.value.user_message == CODE_REQUESTER_DAILY
    # The refused send took nothing from the phone: another requester may still use it.
    await codes.send(other_phone(20), PURPOSE, SUBJECT, "another-openid")
    clock.advance(day_window(clock())[1])
    await codes.send(other_phone(21), PURPOSE, SUBJECT, OPENID)
    assert len(console.outbox) == 22


async def test_limits_are_configurable(store: Store, console: ConsoleSms, clock: FakeClock) -> None:
    limits = CodeLimits(code_ttl=10, max_tries=2, resend_interval=5, phone_daily=2)
    codes = SmsCodes(store, console, HASH_KEY, clock=clock, limits=limits)
    result = await codes.send(PHONE, PURPOSE, SUBJECT, OPENID)
    assert (result.retry_after, result.expires_in) == (5, 10)
    with pytest.raises(CodeInvalid) as caught:
        await codes.verify(PHONE, PURPOSE, SUBJECT, _wrong(last_code(console)))
    assert caught.value.tries_left == 1
    clock.advance(5)
    await codes.send(PHONE, PURPOSE, SUBJECT, OPENID)
    clock.advance(5)
    with pytest.raises(CodeRateLimited) as limited:
        await codes.send(PHONE, PURPOSE, SUBJECT, OPENID)
    assert limited.value.reason is LimitReason.PHONE_DAILY
    clock.advance(10)
    with pytest.raises(CodeInvalid) as expired:
        await codes.verify(PHONE, PURPOSE, SUBJECT, last_code(console))
    assert expired.value.reason is InvalidReason.EXPIRED


async def test_a_failed_send_is_not_counted(
    store: Store, clock: FakeClock, sms_fake: TencentSmsFake, http: aiohttp.ClientSession
) -> None:
    codes = SmsCodes(store, tencent(sms_fake, http), HASH_KEY, clock=clock)
    sms_fake.fail_number_next(E164, "InvalidParameterValue.IncorrectPhoneNumber")
    with pytest.raises(SmsRejected) as rejected:
        await codes.send(PHONE, PURPOSE, SUBJECT, OPENID)
    assert rejected.value.user_message == SMS_REJECTED
    for _ in range(10):  # no 60 s wait after the failure, and ten more sends that day
        await codes.send(PHONE, PURPOSE, SUBJECT, OPENID)
        clock.advance(60)
    with pytest.raises(CodeRateLimited) as limited:
        await codes.send(PHONE, PURPOSE, SUBJECT, OPENID)
    assert limited.value.reason is LimitReason.PHONE_DAILY
    assert len(sms_fake.sent) == 10


async def test_provider_limit_passes_through(
    store: Store, clock: FakeClock, sms_fake: TencentSmsFake, http: aiohttp.ClientSession
) -> None:
    sms_fake.phone_limit_30s = 1  # Tencent counts in real time, our clock moves 60 s
    codes = SmsCodes(store, tencent(sms_fake, http), HASH_KEY, clock=clock)
    await codes.send(PHONE, PURPOSE, SUBJECT, OPENID)
    clock.advance(60)
    with pytest.raises(SmsRateLimited) as caught:
        await codes.send(PHONE, PURPOSE, SUBJECT, OPENID)
    assert caught.value.user_message == SMS_RATE_LIMITED


async def test_invalid_phone_sends_nothing(codes: SmsCodes, console: ConsoleSms) -> None:
    with pytest.raises(SmsRejected):
        await codes.send("1380013800", PURPOSE, SUBJECT, OPENID)
    assert not console.outbox


async def test_bad_arguments_are_programming_errors(store: Store, console: ConsoleSms) -> None:
    with pytest.raises(ValueError, match="hash_key"):
        SmsCodes(store, console, b"short")
    codes = SmsCodes(store, console, HASH_KEY)
    for purpose, subject, requester in [
        ("Org Apply", SUBJECT, OPENID),
        (PURPOSE, "", OPENID),
        (PURPOSE, SUBJECT, ""),
    ]:
        with pytest.raises(ValueError):  # noqa: PT011
            await codes.send(PHONE, purpose, subject, requester)
    assert not console.outbox


# -- what is stored and logged ---------------------------------------------------------------


async def test_nothing_personal_is_stored_or_logged_in_clear(
    redis_prefix: str, clock: FakeClock, console: ConsoleSms, caplog: pytest.LogCaptureFixture
) -> None:
    store = RedisStore(REDIS_URL, redis_prefix)
    codes = SmsCodes(store, console, HASH_KEY, clock=clock)
    client = aioredis.from_url(REDIS_URL)
    try:
        with caplog.at_level(logging.DEBUG):
            await codes.send(PHONE, PURPOSE, SUBJECT, OPENID)
            code = last_code(console)
            with pytest.raises(CodeInvalid):
                await codes.verify(PHONE, PURPOSE, SUBJECT, _wrong(code))
        keys = [key async for key in client.scan_iter(match=redis_prefix + "*", count=500)]
        names = {key.decode().removeprefix(redis_prefix).split(":")[1] for key in keys}
        assert names == {"code", "last", "day"}
        for key in keys:
            value = await client.get(key)
            for secret in (PHONE, code, SUBJECT, OPENID):
                assert secret not in key.decode()
                assert secret.encode() not in (value or b"")
        assert_not_logged(caplog, PHONE, code)
    finally:
        await client.aclose()
        await store.close()  # the redis_prefix fixture deletes the keys
