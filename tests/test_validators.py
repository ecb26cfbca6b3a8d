"""Field validators: valid samples, each distinct failure reason, and properties.

Check digits of generated IDs and codes are computed here independently of the code under test
(GB 11643 MOD 11-2 weights, GB 32100 MOD 31 weights).
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import validators as v
from bot.validators import Invalid

# --- independent check-digit helpers --------------------------------------------------------

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
TODAY = datetime.date.today()


def with_id_check(body: str) -> str:
    """``body`` (17 digits) with its GB 11643 check character appended."""
    total = sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def make_id(region: str, born: str, sequence: str = "123") -> str:
    return with_id_check(region + born + sequence)


def with_uscc_check(body: str) -> str:
    """``body`` (17 characters) with its GB 32100 check character appended."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
    return body + USCC_ALPHABET[(31 - total % 31) % 31]


def full_width(text: str) -> str:
    """ASCII digits and letters as their full-width forms (what some IMEs type)."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def attempt(validator: Callable[[str], str], raw: str) -> str | Invalid:
    """The validator's result, or the ``Invalid`` it raised."""
    try:
        return validator(raw)
    except Invalid as error:
        return error


def reason(validator: Callable[[str], str], raw: str) -> str:
    with pytest.raises(Invalid) as caught:
        validator(raw)
    return caught.value.reason


def test_helpers_agree_with_published_samples() -> None:
    assert with_id_check("11010519491231002") == "11010519491231002X"
    assert with_uscc_check("91350100M000100Y4") == "91350100M000100Y43"


def test_invalid_carries_reason() -> None:
    error = Invalid("原因")
    assert isinstance(error, ValueError)
    assert error.reason == "原因"
    assert str(error) == "原因"


# --- resident ID ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("11010519491231002X", "11010519491231002X"),
        ("360426199101010071", "360426199101010071"),
        ("11010519491231002x", "11010519491231002X"),
        ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),
        (" 110105 19491231 002x ", "11010519491231002X"),
        ("110105-19491231-002X", "11010519491231002X"),
        ("\u200b11010519491231002X", "11010519491231002X"),
    ],
)
def test_resident_id_valid(raw: str, expected: str) -> None:
    assert v.resident_id(raw) == expected


@pytest.mark.parametrize(
    "number",
    [
        make_id("810000", "19900101"),  # Hong Kong residence permit
        make_id("820000", "19850505"),  # Macau, born before 1999 (stdnum rejects)
        make_id("810000", "19700101"),  # Hong Kong, born before 1997 (stdnum rejects)
        make_id("830000", "19750615"),  # Taiwan (stdnum rejects always)
        make_id("931840", "19800101", "001"),  # 2023 foreign permanent residence: 9, 31, 840
        make_id("211402", "19600101"),  # county created 1989, holder born before
    ],
)
def test_resident_id_closes_stdnum_gaps(number: str) -> None:
    assert v.resident_id(number) == number


def test_resident_id_future_birth_date_rejected() -> None:
    tomorrow = TODAY + datetime.timedelta(days=1)
    number = make_id("110105", tomorrow.strftime("%Y%m%d"))
    assert reason(v.resident_id, number) == v.MSG_RID_BIRTH_RANGE.format(date=tomorrow)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", v.MSG_RID_EMPTY),
        ("   ", v.MSG_RID_EMPTY),
        ("11010519491231002Y", v.MSG_RID_CHARS),
        ("身份证", v.MSG_RID_CHARS),
        ("110105491231002", v.MSG_RID_LEGACY),
        ("11010519491231002", v.MSG_RID_LENGTH.format(n=17)),
        ("11010519491231002X1", v.MSG_RID_LENGTH.format(n=19)),
        ("X1010519491231002X", v.MSG_RID_X_POSITION),
        ("110105194912310021", v.MSG_RID_CHECK),
        (make_id("110105", "19490231"), v.MSG_RID_BIRTH),
        (make_id("110105", "19491301"), v.MSG_RID_BIRTH),
        (make_id("110105", "18991231"), v.MSG_RID_BIRTH_RANGE.format(date="1899-12-31")),
        (make_id("419999", "19900101"), v.MSG_RID_REGION.format(code="419999")),
        (make_id("840000", "19900101"), v.MSG_RID_REGION.format(code="840000")),
        (make_id("999840", "19900101"), v.MSG_RID_REGION.format(code="999840")),
    ],
)
def test_resident_id_reasons(raw: str, expected: str) -> None:
    assert reason(v.resident_id, raw) == expected


REGIONS = ["110105", "360426", "410102", "441402", "650102", "810000", "820000", "830000"]


@st.composite
def resident_ids(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        region = draw(st.sampled_from(REGIONS))
    else:  # foreign permanent residence: 9, province, nationality
        province = draw(st.sampled_from(["11", "31", "44", "53"]))
        region = "9" + province + draw(st.from_regex(r"[0-9]{3}", fullmatch=True))
    born = draw(st.dates(datetime.date(TODAY.year - 120, 1, 1), TODAY))
    sequence = draw(st.from_regex(r"[0-9]{3}", fullmatch=True))
    return make_id(region, born.strftime("%Y%m%d"), sequence)


@given(resident_ids())
def test_generated_resident_ids_accepted(number: str) -> None:
    assert v.resident_id(number) == number
    assert v.resident_id(full_width(number.lower())) == number


@given(resident_ids(), st.integers(0, 17), st.data())
def test_resident_id_single_change_rejected(
    number: str, position: int, data: st.DataObject
) -> None:
    alphabet = "0123456789X" if position == 17 else "0123456789"
    digit = data.draw(st.sampled_from([c for c in alphabet if c != number[position]]))
    with pytest.raises(Invalid):
        v.resident_id(number[:position] + digit + number[position + 1 :])


# --- USCC and taxpayer ID -------------------------------------------------------------------

LETTER_DEPARTMENT_USCC = with_uscc_check("N2330108MA2B3C4D5")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("91350100M000100Y43", "91350100M000100Y43"),
        ("91110000600037341L", "91110000600037341L"),
        ("9144030071526726XG", "9144030071526726XG"),
        ("91110000710926094P", "91110000710926094P"),
        ("91350100m000100y43", "91350100M000100Y43"),
        ("９１３５０１００Ｍ０００１００Ｙ４３", "91350100M000100Y43"),
        ("9135 0100 M000 100Y 43", "91350100M000100Y43"),
        (LETTER_DEPARTMENT_USCC, LETTER_DEPARTMENT_USCC),  # stdnum requires 8 leading digits
        (with_uscc_check("A1110000MB1234567"), with_uscc_check("A1110000MB1234567")),
    ],
)
def test_uscc_valid(raw: str, expected: str) -> None:
    assert v.uscc(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", v.MSG_USCC_EMPTY),
        ("913501", v.MSG_USCC_LENGTH.format(n=6)),
        ("110108123456789", v.MSG_USCC_LENGTH.format(n=15)),
        ("91350100M000100Y431", v.MSG_USCC_LENGTH.format(n=19)),
        ("9135010OM000100Y43", v.MSG_USCC_LETTERS),
        ("91350100M000100I43", v.MSG_USCC_LETTERS),
        ("9135010SM000100Y43", v.MSG_USCC_LETTERS),
        ("91350100M000100Y4*", v.MSG_USCC_CHARS),
        ("91350100M000100Y44", v.MSG_USCC_CHECK),
    ],
)
def test_uscc_reasons(raw: str, expected: str) -> None:
    assert reason(v.uscc, raw) == expected


usccs = st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17).map(with_uscc_check)


@given(usccs)
def test_generated_usccs_accepted(code: str) -> None:
    assert v.uscc(code) == code
    assert v.uscc(full_width(code.lower())) == code


@given(usccs, st.integers(0, 17), st.data())
def test_uscc_single_change_rejected(code: str, position: int, data: st.DataObject) -> None:
    char = data.draw(st.sampled_from([c for c in USCC_ALPHABET if c != code[position]]))
    with pytest.raises(Invalid):
        v.uscc(code[:position] + char + code[position + 1 :])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("91350100M000100Y43", "91350100M000100Y43"),
        ("110108123456789", "110108123456789"),  # legacy 15 characters
        ("11010812345678A", "11010812345678A"),
        ("11010812345678901", "11010812345678901"),
        ("11010812345678901234", "11010812345678901234"),
        ("１１０１０８-１２３４５６７８９", "110108123456789"),
    ],
)
def test_taxpayer_id_valid(raw: str, expected: str) -> None:
    assert v.taxpayer_id(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", v.MSG_TAXPAYER_EMPTY),
        ("1101081234567", v.MSG_TAXPAYER_LENGTH.format(n=13)),
        ("1101081234567890", v.MSG_TAXPAYER_LENGTH.format(n=16)),
        ("110108/123456789", v.MSG_TAXPAYER_CHARS),
        ("91350100M000100Y44", v.MSG_USCC_CHECK),  # 18 characters: a USCC
    ],
)
def test_taxpayer_id_reasons(raw: str, expected: str) -> None:
    assert reason(v.taxpayer_id, raw) == expected


# --- phones ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "13800138000",
        "+86 138 0013 8000",
        "+8613800138000",
        "0086-138-0013-8000",
        "8613800138000",
        "(+86)13800138000",
        "１３８００１３８０００",
        "138 0013 8000",
    ],
)
def test_mobile_valid(raw: str) -> None:
    assert v.mobile(raw) == "13800138000"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", v.MSG_MOBILE_EMPTY),
        ("+86", v.MSG_MOBILE_EMPTY),
        ("1380013800a", v.MSG_MOBILE_CHARS),
        ("+1 415 555 0100", v.MSG_MOBILE_FOREIGN),
        ("00852 9123 4567", v.MSG_MOBILE_FOREIGN),
        ("010-58515511", v.MSG_MOBILE_LANDLINE),
        ("23800138000", v.MSG_MOBILE_PREFIX),
        ("1380013800", v.MSG_MOBILE_SHORT.format(n=10)),
        ("138001380001", v.MSG_MOBILE_LONG.format(n=12)),
        ("12800138000", v.MSG_MOBILE_SECOND),
    ],
)
def test_mobile_reasons(raw: str, expected: str) -> None:
    assert reason(v.mobile, raw) == expected


mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)


@given(mobiles, st.sampled_from(["", "+86", "+86 ", "0086", "86", "+86-"]), st.booleans())
def test_generated_mobiles_accepted(number: str, prefix: str, wide: bool) -> None:
    spaced = f"{number[:3]} {number[3:7]}-{number[7:]}"
    raw = prefix + (full_width(spaced) if wide else spaced)
    assert v.mobile(raw) == number
    assert v.landline_or_mobile(raw) == number


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("010-58515511", "010-58515511"),
        ("0371-12345678", "0371-12345678"),
        ("(010)58515511", "010-58515511"),
        ("（０１０）５８５１５５１１", "010-58515511"),
        ("021 6123 4567", "021-61234567"),
        ("01058515511", "010-58515511"),
        ("0371-1234567", "0371-1234567"),
        ("+86 10 5851 5511", "010-58515511"),
        ("+86 371 1234 5678", "0371-12345678"),
        ("010-58515511-801", "010-58515511转801"),
        ("010-58515511转801", "010-58515511转801"),
        ("0371 12345678 分机 8", "0371-12345678转8"),
        ("010-58515511 ext. 12", "010-58515511转12"),
        ("400-123-4567", "400-123-4567"),
        ("800 123 4567", "800-123-4567"),
        ("13800138000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
    ],
)
def test_landline_or_mobile_valid(raw: str, expected: str) -> None:
    assert v.landline_or_mobile(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", v.MSG_PHONE_EMPTY),
        ("--", v.MSG_PHONE_EMPTY),
        ("010-5851551a", v.MSG_PHONE_CHARS),
        ("+1 415 555 0100", v.MSG_PHONE_FOREIGN),
        ("58515511", v.MSG_PHONE_NO_AREA),
        ("0111234567", v.MSG_PHONE_AREA),
        ("0012345678", v.MSG_PHONE_FOREIGN),
        ("010-585155", v.MSG_PHONE_LOCAL),
        ("0371-123456789", v.MSG_PHONE_LOCAL),
        ("400-123-456", v.MSG_PHONE_SERVICE),
        ("13800138000转12", v.MSG_PHONE_MOBILE_EXTENSION),
        ("1380013800", v.MSG_MOBILE_SHORT.format(n=10)),
    ],
)
def test_landline_or_mobile_reasons(raw: str, expected: str) -> None:
    assert reason(v.landline_or_mobile, raw) == expected


@given(
    st.sampled_from(["010", "020", "021", "029", "0371", "0755", "0991"]),
    st.from_regex(r"[2-9][0-9]{6,7}", fullmatch=True),
    st.sampled_from(["-", " ", "", "—"]),
    st.one_of(st.just(""), st.from_regex(r"[0-9]{1,4}", fullmatch=True)),
)
def test_generated_landlines_accepted(area: str, local: str, sep: str, extension: str) -> None:
    expected = f"{area}-{local}" + (f"转{extension}" if extension else "")
    raw = f"{area}{sep}{local}" + (f"转{extension}" if extension else "")
    assert v.landline_or_mobile(raw) == expected
    assert v.landline_or_mobile(expected) == expected


# --- e-mail ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("zhangsan@qq.com", "zhangsan@qq.com"),
        ("Zhang.San@Example.COM", "Zhang.San@example.com"),
        ("  zhangsan@163.com ", "zhangsan@163.com"),
        ("ｚｈａｎｇｓａｎ＠ｑｑ．ｃｏｍ", "zhangsan@qq.com"),
        ("zhangsan@qq。com", "zhangsan@qq.com"),
        ("张三@例子.中国", "张三@例子.中国"),
        ("info@BJCA.org.cn", "info@bjca.org.cn"),
    ],
)
def test_email_valid(raw: str, expected: str) -> None:
    assert v.email(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", v.MSG_EMAIL_EMPTY),
        ("zhang san@qq.com", v.MSG_EMAIL_SPACE),
        ("zhangsan.qq.com", v.MSG_EMAIL_NO_AT),
        ("a@b@qq.com", v.MSG_EMAIL_MANY_AT),
        ("@qq.com", v.MSG_EMAIL_NO_LOCAL),
        ("zhangsan@qq", v.MSG_EMAIL_DOMAIN),
        ("zhangsan@", v.MSG_EMAIL_DOMAIN),
        ("zhang..san@qq.com", v.MSG_EMAIL_FORMAT),
        ("zhangsan@qq..com", v.MSG_EMAIL_FORMAT),
        ("zhangsan@localhost.test", v.MSG_EMAIL_FORMAT),
    ],
)
def test_email_reasons(raw: str, expected: str) -> None:
    assert reason(v.email, raw) == expected


# --- bank accounts --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("6222 0212 3456 7890 123", "6222021234567890123"),
        ("11001234567890123456", "11001234567890123456"),
        ("1100-1234-5678", "110012345678"),
        ("１２３４５６７８", "12345678"),
        ("1" * 30, "1" * 30),
    ],
)
def test_bank_account_valid(raw: str, expected: str) -> None:
    assert v.bank_account(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", v.MSG_BANK_EMPTY),
        ("6222O21234567890", v.MSG_BANK_CHARS),
        ("1234567", v.MSG_BANK_LENGTH.format(n=7)),
        ("1" * 31, v.MSG_BANK_LENGTH.format(n=31)),
    ],
)
def test_bank_account_reasons(raw: str, expected: str) -> None:
    assert reason(v.bank_account, raw) == expected


def test_luhn_is_advisory() -> None:
    assert v.luhn_ok("4111 1111 1111 1111")
    assert not v.luhn_ok("4111 1111 1111 1112")
    assert not v.luhn_ok("not a number")
    assert not v.luhn_ok("")
    assert v.bank_account("4111 1111 1111 1112") == "4111111111111112"  # not rejected


# --- names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("张三", "张三"),
        (" 欧阳 娜娜 ", "欧阳娜娜"),
        ("王𪚥", "王𪚥"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),
        ("阿依古丽•买买提", "阿依古丽·买买提"),
        ("阿依古丽・买买提", "阿依古丽·买买提"),
        ("阿依古丽･买买提", "阿依古丽·买买提"),
        ("阿依古丽.买买提", "阿依古丽·买买提"),
        ("阿依古丽 ． 买买提", "阿依古丽·买买提"),
        ("John Smith", "John Smith"),
        ("Mary-Jane  O’Brien", "Mary-Jane O'Brien"),
        ("José Müller", "José Müller"),
        ("J. R. R. Tolkien", "J. R. R. Tolkien"),
        ("ＪＯＨＮ ＳＭＩＴＨ", "JOHN SMITH"),
        ("Al", "Al"),
        ("张" * 50, "张" * 50),
    ],
)
def test_person_name_valid(raw: str, expected: str) -> None:
    assert v.person_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", v.MSG_NAME_EMPTY),
        ("王", v.MSG_NAME_SHORT),
        ("J", v.MSG_NAME_SHORT),
        ("张" * 51, v.MSG_NAME_LONG),
        ("张三3", v.MSG_NAME_DIGITS),
        ("张San", v.MSG_NAME_MIXED),
        ("·张三", v.MSG_NAME_DOT),
        ("张三·", v.MSG_NAME_DOT),
        ("张··三", v.MSG_NAME_DOT),
        ("张三!", v.MSG_NAME_CHARS),
        ("John_Smith", v.MSG_NAME_CHARS),
        ("-John", v.MSG_NAME_CHARS),
        ("张\x00三", v.MSG_NAME_CHARS),
        ("😀😀", v.MSG_NAME_CHARS),
    ],
)
def test_person_name_reasons(raw: str, expected: str) -> None:
    assert reason(v.person_name, raw) == expected


han_names = st.text(
    alphabet="王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐𪚥", min_size=1, max_size=8
)


@given(st.lists(han_names, min_size=1, max_size=3), st.sampled_from(["·", "•", "・", "."]))
def test_generated_han_names(parts: list[str], dot: str) -> None:
    name = "·".join(parts)
    if len(name) < 2:
        assert reason(v.person_name, name) == v.MSG_NAME_SHORT
    else:
        assert v.person_name(dot.join(parts)) == name


# --- organisation names and free text ------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("北京数字认证股份有限公司", "北京数字认证股份有限公司"),
        ("腾讯科技(深圳)有限公司", "腾讯科技（深圳）有限公司"),
        ("腾讯科技（深圳）有限公司", "腾讯科技（深圳）有限公司"),
        ("腾讯科技 （ 深圳 ） 有限公司", "腾讯科技（深圳）有限公司"),
        ("  ACME   Trading\tLtd  ", "ACME Trading Ltd"),
        ("3M中国有限公司", "3M中国有限公司"),
        ("ＡＢＣ公司", "ABC公司"),
    ],
)
def test_org_name_valid(raw: str, expected: str) -> None:
    assert v.org_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", v.MSG_ORG_EMPTY),
        (" \u200b ", v.MSG_ORG_EMPTY),
        ("A", v.MSG_ORG_SHORT),
        ("公" * 101, v.MSG_ORG_LONG.format(n=101)),
        ("12345", v.MSG_ORG_NO_LETTERS),
        ("科技公司😀", v.MSG_ORG_CHARS),
        ("科技\x07公司", v.MSG_ORG_CHARS),
    ],
)
def test_org_name_reasons(raw: str, expected: str) -> None:
    assert reason(v.org_name, raw) == expected


def test_free_text() -> None:
    department = v.free_text(10, min_len=2, label="部门")
    assert department("  财务\n  部 ") == "财务 部"
    assert department("ＩＴ部") == "IT部"
    assert reason(department, " ") == v.MSG_TEXT_EMPTY.format(label="部门")
    assert reason(department, "财") == v.MSG_TEXT_SHORT.format(label="部门", min_len=2)
    long_reason = v.MSG_TEXT_LONG.format(label="部门", max_len=10, n=11)
    assert reason(department, "财" * 11) == long_reason
    assert reason(department, "财务\x00部") == v.MSG_TEXT_CHARS.format(label="部门")
    assert v.free_text(200)("北京市 海淀区\t北三环西路 48 号") == "北京市 海淀区 北三环西路 48 号"


# --- choices --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", "1"),
        ("1年", "1"),
        ("１ 年", "1"),
        ("一年", "1"),
        ("两年", "2"),
        ("二年", "2"),
        ("3", "3"),
        ("三年期", "3"),
    ],
)
def test_years_valid(raw: str, expected: str) -> None:
    assert v.years([1, 2, 3])(raw) == expected


@pytest.mark.parametrize("raw", ["", "4", "0", "十年", "很多年", "9" * 5000, "1.5"])
def test_years_reasons(raw: str) -> None:
    assert reason(v.years([3, 1, 2]), raw) == "请输入证书有效期的年数，可选：1 年、2 年、3 年"


@pytest.mark.parametrize(
    "raw", ["同意", "我同意。", "是", "确认", "1", "yes", "YES", "Ｙｅｓ", "ok"]
)
def test_consent_yes(raw: str) -> None:
    assert v.consent(raw) == "yes"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("不同意", v.MSG_CONSENT_REFUSED),
        ("否", v.MSG_CONSENT_REFUSED),
        ("no", v.MSG_CONSENT_REFUSED),
        ("2", v.MSG_CONSENT_REFUSED),
        ("", v.MSG_CONSENT_UNCLEAR),
        ("什么协议？", v.MSG_CONSENT_UNCLEAR),
    ],
)
def test_consent_reasons(raw: str, expected: str) -> None:
    assert reason(v.consent, raw) == expected


# --- registry -------------------------------------------------------------------------------


def test_registry() -> None:
    assert v.VALIDATORS["resident_id"] is v.resident_id
    assert set(v.VALIDATORS) == {
        "resident_id", "other_id_number", "uscc", "taxpayer_id", "mobile",
        "landline_or_mobile", "email", "bank_account", "person_name", "org_name", "consent",
    }  # fmt: skip
    assert v.get_validator("uscc") is v.uscc
    assert v.get_validator("years", allowed=[1, 2])("两年") == "2"
    assert v.get_validator("free_text", max_len=5, label="部门")(" IT ") == "IT"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("E12345678", "E12345678"), ("h1234567（8）", "H1234567(8)"), ("ｃ 1234 5678", "C12345678")],
)
def test_other_id_numbers_are_normalised(raw: str, expected: str) -> None:
    assert v.other_id_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"), [("", "请输入证件号码"), ("E1234@567", "只能包含"), ("E12", "5–30 位")]
)
def test_other_id_numbers_say_what_is_wrong(raw: str, reason: str) -> None:
    with pytest.raises(v.Invalid, match=reason):
        v.other_id_number(raw)


# --- properties over arbitrary text ---------------------------------------------------------

ALL_VALIDATORS: dict[str, Callable[[str], str]] = {
    **v.VALIDATORS,
    "free_text": v.free_text(30, min_len=2, label="地址"),
    "years": v.years([1, 2, 3]),
}
NOISY = (
    "0123456789０１２３４５６７８９XxＸｘ+86-－—_ 　\t\n\x00\x07\u200b\ufeff@＠.。·•・"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdez张三王𪚥河南公司（）()转年一两同意😀\U0001f1e8\U0001f1f3"
    "\ud800\ue000\uffff"
)
any_text = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=40),
    st.text(NOISY, max_size=40),
)


@pytest.mark.parametrize("name", sorted(ALL_VALIDATORS))
@settings(max_examples=150, deadline=None)
@given(raw=any_text)
def test_only_invalid_and_idempotent(name: str, raw: str) -> None:
    validator = ALL_VALIDATORS[name]
    result = attempt(validator, raw)  # anything but Invalid propagates and fails the test
    if isinstance(result, Invalid):
        assert isinstance(result.reason, str)
        assert result.reason
        return
    assert validator(result) == result
    # Full-width brackets in organisation names are intended; e-mail keeps what IDNA gives.
    assert unicodedata.is_normalized("NFKC", result) or name in {"org_name", "email"}


VALID_SAMPLES = {
    "resident_id": ["１１０１０５ １９４９１２３１ ００２ｘ", make_id("830000", "19750615")],
    "uscc": ["９１３５０１００ｍ０００１００ｙ４３", LETTER_DEPARTMENT_USCC.lower()],
    "taxpayer_id": ["110108-123456789", "９１１１００００６０００３７３４１ｌ"],
    "mobile": ["+86 (138) 0013-8000"],
    "landline_or_mobile": [
        "（０３７１）１２３４５６７８ 转 ８０１",
        "+86 10 5851 5511",
        "4001234567",
    ],
    "email": ["Ｚｈａｎｇ＠ＱＱ．ＣＯＭ", "张三@例子.中国"],
    "bank_account": ["6222-0212 3456 7890 123"],
    "person_name": ["阿依古丽 • 买买提", "  Mary-Jane   O’Brien "],
    "org_name": ["腾讯科技 (深圳) 有限公司", " ACME  Ltd "],
    "consent": ["同意！"],
    "free_text": ["  北京市\n海淀区  "],
    "years": ["两年"],
}


@pytest.mark.parametrize(
    ("name", "raw"), [(name, raw) for name, samples in VALID_SAMPLES.items() for raw in samples]
)
def test_normalisation_idempotent_on_valid_samples(name: str, raw: str) -> None:
    validator = ALL_VALIDATORS[name]
    result = validator(raw)
    assert validator(result) == result


def test_very_long_input_is_rejected_quickly() -> None:
    huge = "１" * 200_000
    for validator in ALL_VALIDATORS.values():
        with pytest.raises(Invalid):
            validator(huge)
