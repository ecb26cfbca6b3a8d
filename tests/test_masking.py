"""bot.masking: total maskers that keep only the documented characters, and redact()."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.masking import (
    STARS,
    mask_bank_account,
    mask_email,
    mask_id_number,
    mask_name,
    mask_phone,
    mask_text_generic,
    redact,
)

ID_A = "11010519491231002X"
ID_B = "360426199101010071"
PHONE = "13800138000"
MASKERS: list[Callable[[str], str]] = [
    mask_id_number,
    mask_phone,
    mask_bank_account,
    mask_email,
    mask_name,
    mask_text_generic,
]
FULL_WIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def check_digit(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of a resident ID number."""
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def test_samples_have_valid_check_digits() -> None:
    assert check_digit(ID_A[:17]) == ID_A[17]
    assert check_digit(ID_B[:17]) == ID_B[17]


# -- strategies ----------------------------------------------------------------------------------


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    """A valid-looking 18-character resident ID number (area, birth date, sequence, check)."""
    area = draw(st.sampled_from(["110105", "360426", "440305", "510104", "650102"]))
    birth = draw(st.dates(date(1900, 1, 1), date(2025, 12, 31))).strftime("%Y%m%d")
    seq = draw(st.integers(0, 999))
    first17 = f"{area}{birth}{seq:03d}"
    return first17 + check_digit(first17)


phones = st.builds(
    lambda second, rest: f"1{second}{rest:09d}",
    st.sampled_from("3456789"),
    st.integers(0, 10**9 - 1),
)
accounts = st.builds(
    lambda prefix, body: prefix + body,
    st.sampled_from(["62", "4", "5", "1100", "3"]),
    st.text(alphabet="0123456789", min_size=12, max_size=26),
)


def grouped(number: str, sep: str) -> str:
    return sep.join(number[i : i + 4] for i in range(0, len(number), 4))


def phone_forms(phone: str) -> list[str]:
    a, b, c = phone[:3], phone[3:7], phone[7:]
    return [
        phone,
        f"{a}-{b}-{c}",
        f"{a} {b} {c}",
        f"+86 {phone}",
        f"+86-{a}-{b}-{c}",
        f"86{phone}",
        f"0086 {a} {b} {c}",
        phone.translate(FULL_WIDTH),
    ]


# -- maskers: examples ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("masker", "value", "expected"),
    [
        (mask_id_number, ID_A, "110***********002X"),
        (mask_id_number, ID_B, "360***********0071"),
        (mask_id_number, "110105491231002", "110********1002"),
        (mask_id_number, " 110105 19491231 002X ", "110***********002X"),
        (mask_id_number, "E12345678", "E******78"),
        (mask_id_number, "1234567", STARS),
        (mask_phone, PHONE, "138****8000"),
        (mask_phone, "138-0013-8000", "138****8000"),
        (mask_phone, "138 0013 8000", "138****8000"),
        (mask_phone, "12345", STARS),
        (mask_bank_account, "6222021234567890", "************7890"),
        (mask_bank_account, "6222 0212 3456 7890 123", "***************0123"),
        (mask_bank_account, "1234", STARS),
        (mask_email, "zhangsan@example.com", "z***n@example.com"),
        (mask_email, "abc@example.com", "***@example.com"),
        (mask_email, "not-an-email", STARS),
        (mask_email, "trailing@", STARS),
        (mask_name, "张三丰", "张**"),
        (mask_name, "张三", "张*"),
        (mask_name, "张", "*"),
        (mask_name, "", "*"),
        (mask_text_generic, "hunter2", STARS),
        (mask_text_generic, "", STARS),
    ],
)
def test_masker_examples(masker: Callable[[str], str], value: str, expected: str) -> None:
    assert masker(value) == expected


def test_full_width_values_are_masked_too() -> None:
    assert mask_id_number(ID_A.translate(FULL_WIDTH)) == "１１０***********００２Ｘ"
    assert mask_phone(PHONE.translate(FULL_WIDTH)) == "１３８****８０００"


# -- maskers: properties -------------------------------------------------------------------------


@given(st.text(max_size=60))
def test_maskers_are_total(value: str) -> None:
    for masker in MASKERS:
        assert isinstance(masker(value), str)


def revealed(masked: str) -> int:
    return sum(1 for char in masked if char != "*")


@given(st.text(alphabet=st.characters(blacklist_characters="*"), max_size=60))
def test_maskers_never_keep_more_than_documented(value: str) -> None:
    assert revealed(mask_id_number(value)) <= 7
    assert revealed(mask_phone(value)) <= 7
    assert revealed(mask_bank_account(value)) <= 4
    assert revealed(mask_name(value)) <= 1
    assert mask_text_generic(value) == STARS
    email = mask_email(value)
    if email != STARS:
        local, _, domain = email.rpartition("@")
        assert revealed(local) <= 2
        assert value.strip().endswith("@" + domain)


@given(id_numbers())
def test_id_number_mask_hides_the_middle(id_number: str) -> None:
    for form in (id_number, id_number.lower(), id_number.translate(FULL_WIDTH)):
        masked = mask_id_number(form)
        assert masked == form[:3] + "*" * 11 + form[-4:]
        assert id_number[3:14] not in unicodedata.normalize("NFKC", masked)


@given(phones)
def test_phone_mask_hides_the_middle(phone: str) -> None:
    for form in (phone, f"{phone[:3]}-{phone[3:7]}-{phone[7:]}", f" {phone} "):
        assert mask_phone(form) == phone[:3] + "****" + phone[7:]


@given(accounts, st.sampled_from(["", " ", "-"]))
def test_bank_account_mask_keeps_only_the_last_four(account: str, sep: str) -> None:
    masked = mask_bank_account(grouped(account, sep) if sep else account)
    assert masked == "*" * (len(account) - 4) + account[-4:]


@given(st.text(min_size=2, max_size=20).filter(lambda s: len(s.strip()) >= 2))
def test_name_mask_keeps_the_length_and_first_character(name: str) -> None:
    masked = mask_name(name)
    assert masked[0] == name.strip()[0]
    assert masked[1:] == "*" * (len(name.strip()) - 1)


# -- redact --------------------------------------------------------------------------------------

# Surrounding text: Chinese, ASCII letters, punctuation, spaces and digits. The character right
# next to the value is never a digit (digits glued to a number make it another, longer number).
TEXT = st.text(alphabet="申请人的号码是：，。谢谢！订单abcxyzOK 0123456789-+./:¥", max_size=30)
EDGE = st.sampled_from(list("：，。！ ()[]=:/\n的是号"))
LETTER_OR_EDGE = st.one_of(EDGE, st.sampled_from(list("abcXYZ")))


def assert_hidden(value: str, out: str) -> None:
    folded = unicodedata.normalize("NFKC", out)
    compact = "".join(c for c in unicodedata.normalize("NFKC", value) if c.isalnum())
    assert value not in out
    assert compact not in "".join(c for c in folded if c.isalnum())


@given(TEXT, LETTER_OR_EDGE, id_numbers(), st.booleans(), LETTER_OR_EDGE, TEXT)
def test_redact_hides_embedded_id_numbers(
    before: str, left: str, id_number: str, full_width: bool, right: str, after: str
) -> None:
    value = id_number.translate(FULL_WIDTH) if full_width else id_number
    out = redact(before + left + value + right + after)
    assert_hidden(value, out)
    assert mask_id_number(id_number) in unicodedata.normalize("NFKC", out)


@given(TEXT, LETTER_OR_EDGE, phones, st.integers(0, 7), LETTER_OR_EDGE, TEXT)
def test_redact_hides_embedded_phones(
    before: str, left: str, phone: str, form: int, right: str, after: str
) -> None:
    value = phone_forms(phone)[form]
    out = redact(before + left + value + right + after)
    assert_hidden(value, out)
    assert_hidden(phone, out)


@given(TEXT, EDGE, accounts, st.sampled_from(["", " ", "-", "fw"]), EDGE, TEXT)
def test_redact_hides_embedded_bank_accounts(
    before: str, left: str, account: str, form: str, right: str, after: str
) -> None:
    value = account.translate(FULL_WIDTH) if form == "fw" else grouped(account, form) or account
    out = redact(before + left + value + right + after)
    assert_hidden(value, out)
    assert_hidden(account, out)


@pytest.mark.parametrize(
    "kept",
    [
        "订单号 CD20261125000123 已支付",
        "订单CD20261125000123",
        "2026-11-25",
        "2026-11-25 10:30:00 至 2026-12-25 10:30:00",
        "2026年11月25日",
        "¥300.00",
        "金额 ￥1,280.00 元",
        "第 3/16 步",
        "验证码有效期 5 分钟",
        "Key 序列号 SN2026112500123",
        "request 3f2b9c1e-7d4a-4b8e-9f00-1a2b3c4d5e6f",
        "HTTP 200, took 0.25s",
        "",
        "😀 表情 ＯＫ",
    ],
)
def test_redact_leaves_ordinary_text(kept: str) -> None:
    assert redact(kept) == kept


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"身份证号{ID_A}。", "身份证号110***********002X。"),
        ("手机 +86 138-0013-8000，谢谢", "手机 138****8000，谢谢"),
        ("卡号 6222 0212 3456 7890 123", "卡号 ***************0123"),
        (f"电话：{PHONE.translate(FULL_WIDTH)}！", "电话：138****8000！"),
        (f"{ID_B} and {PHONE}", "360***********0071 and 138****8000"),
    ],
)
def test_redact_examples(text: str, expected: str) -> None:
    assert redact(text) == expected


@given(st.text(max_size=200))
def test_redact_is_total_and_changes_nothing_without_digits(text: str) -> None:
    out = redact(text)
    if not any(c.isdigit() or unicodedata.normalize("NFKC", c).isdigit() for c in text):
        assert out == text
