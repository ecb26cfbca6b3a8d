"""bot.logs: JSON/text log lines in which no personal data survives, and log_context."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest

from bot.logs import configure_logging, field_masker, get_logger, log_context, redact_field
from bot.masking import STARS, mask_bank_account, mask_email, mask_id_number, mask_phone

ID_A = "11010519491231002X"
ID_B = "360426199101010071"
ID_B_FULL_WIDTH = "３６０４２６１９９１０１０１００７１"
PHONE = "13800138000"
ACCOUNT = "6222021234567890123"
ACCOUNT_GROUPED = "6222 0212 3456 7890 123"
PASSWORD = "Pa55word!-hunter2"
SMS_CODE = "482913"
SECRETS = [ID_A, ID_B, ID_B_FULL_WIDTH, PHONE, ACCOUNT, ACCOUNT_GROUPED, PASSWORD, SMS_CODE]

Capture = Callable[[str], io.StringIO]
HANDLER_NAME = "certdesk"


@pytest.fixture
def capture() -> Iterator[Capture]:
    """configure_logging into a StringIO, alone on the root logger; undone afterwards."""
    root = logging.getLogger()
    saved_level = root.level

    def configure(fmt: str) -> io.StringIO:
        stream = io.StringIO()
        configure_logging("DEBUG", fmt, stream=stream)
        # pytest's capture handlers would format the raw records first (and fail on the
        # deliberately unformattable ones): only ours stays for the rest of this test.
        for handler in list(root.handlers):
            if handler.get_name() != HANDLER_NAME:
                root.removeHandler(handler)
        return stream

    yield configure
    for handler in list(root.handlers):
        if handler.get_name() == HANDLER_NAME:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(saved_level)


def log_everything_sensitive(log: logging.Logger) -> None:
    """One record with personal data in the message, args, extra fields and exception."""
    try:
        try:
            raise ValueError(f"证件号 {ID_B} 校验失败 (input {ID_B_FULL_WIDTH})")
        except ValueError as exc:
            raise RuntimeError(f"applicant {PHONE} could not be saved") from exc
    except RuntimeError:
        log.exception(
            f"用户 {PHONE} 提交订单 CD20261125000123，金额 ¥300.00，日期 2026-11-25，证件 %s",
            ID_A,
            extra={
                "order_no": "CD20261125000123",
                "bank": {"bank_account": ACCOUNT, "note": f"账号 {ACCOUNT_GROUPED}"},
                "password": PASSWORD,
                "sms_code": SMS_CODE,
                "step": "legal_id_number",
                "attempt": 2,
            },
        )


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_no_personal_data_reaches_the_log(capture: Capture, fmt: str) -> None:
    stream = capture(fmt)
    log_everything_sensitive(get_logger("certdesk.test"))
    output = stream.getvalue()
    for secret in SECRETS:
        assert secret not in output, (secret, output)
    for kept in (
        "提交订单 CD20261125000123",
        "¥300.00",
        "2026-11-25",
        "校验失败",
        "could not be saved",
        "ValueError",
        "RuntimeError",
        "Traceback",
        "legal_id_number",
        "certdesk.test",
        mask_phone(PHONE),
        mask_id_number(ID_A),
        mask_id_number(ID_B),
        mask_bank_account(ACCOUNT),
        STARS,
    ):
        assert kept in output, (kept, output)


def test_json_line_structure(capture: Capture) -> None:
    stream = capture("json")
    log_everything_sensitive(get_logger("certdesk.test"))
    get_logger("certdesk.other").warning("plain %s", "text", extra={"count": 3, "ratio": 0.5})
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())

    ts = datetime.fromisoformat(first["ts"])
    assert ts.utcoffset() is not None and ts.utcoffset() == UTC.utcoffset(None)
    assert abs((datetime.now(UTC) - ts).total_seconds()) < 60
    assert first["level"] == "ERROR" and first["logger"] == "certdesk.test"
    assert first["msg"].startswith(f"用户 {mask_phone(PHONE)} 提交订单")
    assert first["msg"].endswith(f"证件 {mask_id_number(ID_A)}")
    assert first["order_no"] == "CD20261125000123"
    assert first["bank"] == {
        "bank_account": mask_bank_account(ACCOUNT),
        "note": f"账号 {mask_bank_account(ACCOUNT_GROUPED)}",
    }
    assert first["password"] == STARS and first["sms_code"] == STARS
    assert first["attempt"] == 2
    assert "RuntimeError" in first["exc"] and mask_id_number(ID_B) in first["exc"]

    assert second == {
        "ts": second["ts"],
        "level": "WARNING",
        "logger": "certdesk.other",
        "msg": "plain text",
        "count": 3,
        "ratio": 0.5,
    }


def test_text_format_is_readable(capture: Capture) -> None:
    stream = capture("text")
    get_logger("certdesk.test").info("order %s paid", "CD20261125000123", extra={"phone": PHONE})
    line = stream.getvalue().rstrip("\n")
    assert "\n" not in line
    assert line.endswith(
        f"INFO    certdesk.test: order CD20261125000123 paid phone={mask_phone(PHONE)}"
    )


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("legal_id_number", ID_A, mask_id_number(ID_A)),
        ("handlerIdNumber", ID_A, mask_id_number(ID_A)),
        ("legal_phone", PHONE, mask_phone(PHONE)),
        ("Mobile", int(PHONE), mask_phone(PHONE)),
        ("bank_account", ACCOUNT_GROUPED, mask_bank_account(ACCOUNT)),
        ("handler_email", "zhangsan@example.com", mask_email("zhangsan@example.com")),
        ("password", "x", STARS),
        ("new_PIN", "12345678", STARS),
        ("so_puk", "1234567890123456", STARS),
        ("code", "071abc", STARS),
        ("sms_code", SMS_CODE, STARS),
        ("js_code", "071abc", STARS),
        ("otp", "123456", STARS),
        ("app_secret", "s3cr3t", STARS),
        ("access_token", "ACCESS", STARS),
        ("X-Api-Key", "k", STARS),
        ("encoding_aes_key", "aes", STARS),
        ("Authorization", "Bearer abc", STARS),
        ("Set-Cookie", "sid=1", STARS),
        ("session_id", "s", STARS),
        ("credentials", {"user": "u", "pw": "p"}, {"user": STARS, "pw": STARS}),
        ("password", ["a", "b"], [STARS, STARS]),
        ("password", None, None),
        ("status_code", 200, 200),
        ("errcode", 45047, 45047),
        ("pinyin", "zhang", "zhang"),
        ("dedupe_key", "msg:abc", "msg:abc"),
        ("note", f"tel {PHONE}", f"tel {mask_phone(PHONE)}"),
        ("amount", 30000, 30000),
        ("wechat_msg_id", int(ACCOUNT), mask_bank_account(ACCOUNT)),
        ("payload", {"user": {"legal_phone": PHONE}}, {"user": {"legal_phone": "138****8000"}}),
        ("values", (ID_A, 1), [mask_id_number(ID_A), 1]),
    ],
)
def test_fields_are_masked_by_name_else_redacted(
    name: str, value: object, expected: object
) -> None:
    assert redact_field(name, value) == expected


def test_field_masker_kinds() -> None:
    assert field_masker("legal_id_number") is mask_id_number
    assert field_masker("order_no") is None
    assert field_masker("status_code") is None


def test_secret_keys_inside_arguments_are_masked(capture: Capture) -> None:
    stream = capture("json")
    get_logger("t").info("login %s", {"user": "zs", "password": PASSWORD, "phone": PHONE})
    get_logger("t").info("mapping %(legal_phone)s %(note)s", {"legal_phone": PHONE, "note": "ok"})
    output = stream.getvalue()
    assert PASSWORD not in output and PHONE not in output
    assert "'user': 'zs'" in output and "mapping 138****8000 ok" in output


def test_unformattable_records_do_not_raise_or_leak(capture: Capture) -> None:
    class Broken:
        def __str__(self) -> str:
            raise RuntimeError(PHONE)

        __repr__ = __str__

    stream = capture("json")
    log = get_logger("t")
    log.info("%d items", PHONE)  # the masked argument no longer fits %d
    log.info("too few %s %s", ID_A)
    log.info("object %s", Broken(), extra={"thing": Broken()})
    output = stream.getvalue()
    assert len(output.splitlines()) == 3
    for secret in (PHONE, ID_A):
        assert secret not in output
    assert mask_phone(PHONE) in output and mask_id_number(ID_A) in output


def test_stack_info_is_redacted(capture: Capture) -> None:
    stream = capture("text")
    get_logger("t").info("here", stack_info=True, extra={"phone_hint": "13800138000 in source"})
    # the stack shows this source line, whose literal holds a phone number
    output = stream.getvalue()
    assert "Stack (most recent call last)" in output
    assert PHONE not in output


def test_configure_logging_is_idempotent(capture: Capture) -> None:
    capture("text")
    stream = capture("json")
    get_logger("t").warning("once")
    names = [h.get_name() for h in logging.getLogger().handlers]
    assert names.count(HANDLER_NAME) == 1
    assert len(stream.getvalue().splitlines()) == 1
    with pytest.raises(ValueError, match="json"):
        configure_logging("INFO", "xml")


def test_log_context_adds_fields_to_every_record(capture: Capture) -> None:
    stream = capture("json")
    log = get_logger("t")
    with log_context(request_id="req-1", openid_hash="ab12", handler_phone=PHONE):
        log.info("outer")
        with log_context(order_no="CD20261125000123", request_id="req-2"):
            log.info("inner", extra={"order_no": "explicit wins"})
        log.info("outer again")
    log.info("outside")
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [r.get("request_id") for r in records] == ["req-1", "req-2", "req-1", None]
    assert records[1]["order_no"] == "explicit wins"
    assert records[0]["openid_hash"] == "ab12"
    assert records[0]["handler_phone"] == mask_phone(PHONE)
    assert "order_no" not in records[2] and "openid_hash" not in records[3]
    assert PHONE not in stream.getvalue()


def test_log_context_refuses_reserved_names() -> None:
    with pytest.raises(ValueError, match="msg"), log_context(msg="x"):
        pass


async def test_log_context_is_per_task(capture: Capture) -> None:
    stream = capture("json")
    log = get_logger("t")

    async def handle(request_id: str) -> None:
        with log_context(request_id=request_id):
            await asyncio.sleep(0)
            log.info("handled")
            await asyncio.sleep(0)
            log.info("handled")

    await asyncio.gather(handle("a"), handle("b"))
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert sorted(r["request_id"] for r in records) == ["a", "a", "b", "b"]
