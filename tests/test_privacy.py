"""Personal data: encrypted at rest (with rotation), found by keyed hash, masked everywhere."""

from __future__ import annotations

import base64
import io
import json
import logging
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.ca import PERSONAL, BuiltinCA
from bot.ca.records import pem_of, record_issued, subject_dn_of
from bot.logs import configure_logging, log_context
from bot.masking import (
    mask_bank_account,
    mask_email,
    mask_id_number,
    mask_name,
    mask_phone,
    redact,
)
from bot.outbox import utcnow
from bot.secrets_box import DataCipher, DecryptError, decode_key, generate_key, lookup_hash
from bot.services import Services
from models.certificates import Certificate
from tests.test_ca_helpers import PERSON_SUBJECT, make_csr
from tests.test_certificates import ca, svc  # noqa: F401  (fixtures)

IDS = ["11010519491231002X", "360426199101010071"]
PHONE = "13800138000"
ACCOUNT = "6222020200112233445"


def cipher(*keys: str) -> DataCipher:
    return DataCipher.from_config(list(keys))


def test_round_trip_and_rotation() -> None:
    old, new = generate_key(), generate_key()
    token = cipher(old).encrypt(IDS[0], context="order:1:id")
    assert IDS[0] not in token
    rotated = cipher(new, old)
    assert rotated.decrypt(token, context="order:1:id") == IDS[0]
    assert rotated.needs_rotation(token)
    again = rotated.reencrypt(token, context="order:1:id")
    assert not rotated.needs_rotation(again)
    assert cipher(new).decrypt(again, context="order:1:id") == IDS[0]
    with pytest.raises(DecryptError, match="not configured"):
        cipher(new).decrypt(token, context="order:1:id")


def test_tampering_and_wrong_context_are_refused() -> None:
    box = cipher(generate_key())
    token = box.encrypt("secret", context="a")
    with pytest.raises(DecryptError):
        box.decrypt(token, context="b")
    head, body = token.rsplit(".", 1)
    for i in range(0, len(body), 7):
        flipped = body[:i] + ("A" if body[i] != "A" else "B") + body[i + 1 :]
        with pytest.raises(DecryptError):
            box.decrypt(f"{head}.{flipped}", context="a")
    with pytest.raises(DecryptError):
        box.decrypt("plain text", context="a")


def test_bad_key_is_named_by_position_not_value() -> None:
    good = generate_key()
    with pytest.raises(
        ValueError, match=r"security\.data_keys\[1\]: not base64 of 32 bytes"
    ) as info:
        DataCipher.from_config([good, "c2hvcnQ="])
    assert "c2hvcnQ" not in str(info.value)
    urlsafe = base64.urlsafe_b64encode(base64.b64decode(good)).decode().rstrip("=")
    assert decode_key(urlsafe, "x") == base64.b64decode(good)


@given(st.text(max_size=200), st.text(max_size=20))
def test_any_text_round_trips(text: str, context: str) -> None:
    box = cipher("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
    assert box.decrypt(box.encrypt(text, context=context), context=context) == text


def test_lookup_hash_normalises_and_separates() -> None:
    key = b"k" * 32
    assert lookup_hash("11010519491231002x", key, kind="id_number") == lookup_hash(
        "１１０１０５１９４９１２３１００２Ｘ", key, kind="id_number"
    )
    assert lookup_hash(IDS[0], key, kind="id_number") != lookup_hash(IDS[0], key, kind="uscc")
    assert lookup_hash(IDS[0], key, kind="id_number") != lookup_hash(
        IDS[0], b"j" * 32, kind="id_number"
    )


def test_maskers_keep_only_the_documented_characters() -> None:
    assert mask_id_number(IDS[0]) == "110***********002X"
    assert mask_phone(PHONE) == "138****8000"
    assert mask_bank_account(ACCOUNT) == "***************3445"
    assert mask_email("zhangsan@example.com") == "z***n@example.com"
    assert mask_name("张三丰") == "张**"


@given(st.text(max_size=40))
def test_maskers_are_total_and_hide_the_middle(value: str) -> None:
    for masker in (mask_id_number, mask_phone, mask_bank_account, mask_email, mask_name):
        masked = masker(value)
        assert isinstance(masked, str)
    digits = "".join(c for c in value if c.isdigit())
    if len(digits) == 18:
        assert digits[3:14] not in mask_id_number(digits)


@given(
    st.sampled_from(
        [
            *IDS,
            PHONE,
            "+86 138 0013 8000",
            "138-0013-8000",
            ACCOUNT,
            "6222 0202 0011 2233 445",
            "１３８００１３８０００",
        ]
    ),
    st.text(alphabet="申请人的号码是：，。abc xyz", max_size=20),
    st.text(alphabet="谢谢！ok", max_size=20),
)
def test_redact_never_lets_a_full_value_through(value: str, before: str, after: str) -> None:
    text = before + value + after
    out = redact(text)
    assert value not in out
    compact = "".join(c for c in value if c.isalnum())
    assert compact not in "".join(c for c in out if c.isalnum())


@pytest.mark.parametrize(
    "kept",
    ["订单号 CD20261125000123", "2026-11-25", "¥300.00", "第 3/16 步", "验证码有效期 5 分钟"],
)
def test_redact_leaves_ordinary_text(kept: str) -> None:
    assert redact(kept) == kept


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_logs_never_contain_personal_data(fmt: str) -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    configure_logging("DEBUG", fmt, stream=stream)
    log = logging.getLogger("certdesk.test")
    try:
        with log_context(request_id="req-1", handler_phone=PHONE):
            log.info(
                "applicant phone %s sent id %s",
                PHONE,
                IDS[1],
                extra={
                    "bank_account": ACCOUNT,
                    "password": "Pa55word!",
                    "sms_code": "482913",
                    "note": f"账号 {ACCOUNT}",
                    "nested": {"legal_id_number": IDS[0]},
                },
            )
            try:
                raise ValueError(f"bad id {IDS[0]}")
            except ValueError:
                log.exception("validation crashed")
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
    output = stream.getvalue()
    for secret in [PHONE, *IDS, ACCOUNT, "Pa55word!", "482913"]:
        assert secret not in output, (secret, output)
    assert "applicant phone 138****8000" in output
    assert "req-1" in output and "validation crashed" in output and "ValueError" in output
    if fmt == "json":
        first = json.loads(output.splitlines()[0])
        assert first["request_id"] == "req-1"
        assert first["bank_account"] == "***************3445"


async def test_certificates_keep_the_holders_id_number_encrypted_at_rest(
    svc: Services,  # noqa: F811  (the fixture imported above)
    ca: BuiltinCA,  # noqa: F811
) -> None:
    """A personal certificate names its holder by ID number: neither its subject DN nor its PEM
    is stored readable, and a sealed value copied to another certificate does not open."""
    start = utcnow().replace(microsecond=0)
    issued = await ca.issue(
        make_csr()[0], PERSONAL, start, start + timedelta(days=365), subject=PERSON_SUBJECT
    )
    assert PERSON_SUBJECT.identifier in issued.subject_dn  # what is to be protected
    record = await record_issued(svc.cipher, None, issued, kind="personal", key_serial="K-1")
    ids = [PERSON_SUBJECT.identifier, PERSON_SUBJECT.identifier.lower()]
    for row in await Certificate.all().values():
        stored = json.dumps(row, default=str, ensure_ascii=False)
        assert not any(value in stored for value in ids)
        assert PERSON_SUBJECT.common_name not in stored
    assert PERSON_SUBJECT.identifier in subject_dn_of(svc.cipher, record)
    assert pem_of(svc.cipher, record) == issued.pem
    other = Certificate(serial_hex="00ff", subject_dn=record.subject_dn)
    with pytest.raises(DecryptError):
        subject_dn_of(svc.cipher, other)
