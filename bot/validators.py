"""Validators for the application fields answered in chat.

Every validator takes the applicant's raw text and returns the normalised value, or raises
``Invalid`` whose ``reason`` is a short Simplified-Chinese message saying what is wrong and how to
fix it. A validator never raises anything else, whatever the text.

Normalisation comes first: NFKC (full-width digits and letters become ASCII), outer whitespace
stripped, and, for numbers and codes, inner spaces, dashes and invisible format characters
removed and letters upper-cased.

``VALIDATORS`` names the plain validators and ``FACTORIES`` the parameterised ones
(``free_text``, ``years``), so that fields can be declared as data.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

import regex
from email_validator import EmailNotValidError, validate_email
from stdnum import luhn, numdb
from stdnum.cn import ric
from stdnum.cn import uscc as stdnum_uscc

Validator = Callable[[str], str]


class Invalid(ValueError):
    """The answer cannot be accepted; ``reason`` tells the applicant why (in Chinese)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- shared normalisation -------------------------------------------------------------------

# Whitespace, dashes of every kind and invisible format characters (zero-width space, BOM, ...).
_SEPARATORS = regex.compile(r"[\s\p{Pd}\p{Cf}]+")
# Characters that never belong in a text answer: control, surrogate, private-use, unassigned.
_FORBIDDEN = regex.compile(r"[\p{Cc}\p{Cs}\p{Co}\p{Cn}]")
_FORMAT_CHARS = regex.compile(r"\p{Cf}+")
_WHITESPACE = regex.compile(r"\s+")
_HAN = regex.compile(r"\p{Han}")


def _nfkc(raw: str) -> str:
    """``raw`` in NFKC (full-width forms folded to ASCII) without surrounding whitespace."""
    return unicodedata.normalize("NFKC", raw).strip()


def _compact(raw: str) -> str:
    """NFKC, then without whitespace, dashes and format characters."""
    return _SEPARATORS.sub("", _nfkc(raw))


def _clean_text(raw: str) -> str:
    """NFKC, format characters removed, whitespace runs collapsed to one space, stripped."""
    text = _FORMAT_CHARS.sub("", unicodedata.normalize("NFKC", raw))
    return _WHITESPACE.sub(" ", text).strip()


def _is_ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


# --- resident ID (GB 11643) -----------------------------------------------------------------

MSG_RID_EMPTY = "请输入 18 位身份证号码"
MSG_RID_CHARS = "身份证号只能包含数字，最后一位可能是 X，请检查是否输入了其他字符"
MSG_RID_LEGACY = "这是 15 位的旧身份证号，请输入现在使用的 18 位身份证号码"
MSG_RID_LENGTH = "身份证号应为 18 位，您输入了 {n} 位，请核对后重新输入"
MSG_RID_X_POSITION = "身份证号中的 X 只能是最后一位，请核对后重新输入"
MSG_RID_CHECK = "身份证号最后一位校验码不对，请核对后重新输入（18 位，最后一位可能是 X）"
MSG_RID_BIRTH = "身份证号第 7–14 位的出生日期不是有效日期，请核对后重新输入"
MSG_RID_BIRTH_RANGE = "身份证号中的出生日期（{date}）不合理，请核对后重新输入"
MSG_RID_REGION = "身份证号前 6 位的地区代码（{code}）不存在，请核对后重新输入"

# Address codes of residence permits for Hong Kong, Macau and Taiwan residents (2018), which
# python-stdnum's location data lacks (830000) or limits to after the handover (810000, 820000).
_PERMIT_REGIONS = frozenset({"810000", "820000", "830000"})
_ID_CHARS = regex.compile(r"[0-9X]+")
_EARLIEST_BIRTH = datetime.date(1900, 1, 1)
_MAX_AGE_YEARS = 130


def _region_known(code: str) -> bool:
    """Whether the 6-digit administrative code exists in python-stdnum's cn/loc.dat.

    Any period counts: an ID keeps the code of the county where it was first issued, which may
    have been created after the holder's birth (python-stdnum wrongly requires it at birth).
    """
    if code in _PERMIT_REGIONS:
        return True
    parts = numdb.get("cn/loc").info(code)
    return len(parts) == 2 and "county" in parts[1][1]


def _check_birth_date(number: str) -> None:
    """Check the birth date in positions 7–14: a real date, not in the future, age < 130."""
    try:
        born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise Invalid(MSG_RID_BIRTH) from None
    today = datetime.date.today()
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if born > today or born < _EARLIEST_BIRTH or age >= _MAX_AGE_YEARS:
        raise Invalid(MSG_RID_BIRTH_RANGE.format(date=born.isoformat()))


def resident_id(raw: str) -> str:
    """Validate an 18-digit resident ID number (居民身份证号码, GB 11643).

    Also accepts residence permits of Hong Kong, Macau and Taiwan residents (address codes
    810000/820000/830000) and the 2023 foreign permanent-residence ID card (leading 9, then the
    issuing province's code); lower-case x becomes X. 15-digit legacy numbers are refused.
    """
    number = _compact(raw).upper()
    if not number:
        raise Invalid(MSG_RID_EMPTY)
    if not _ID_CHARS.fullmatch(number):
        raise Invalid(MSG_RID_CHARS)
    if len(number) == 15 and number.isdigit():
        raise Invalid(MSG_RID_LEGACY)
    if len(number) != 18:
        raise Invalid(MSG_RID_LENGTH.format(n=len(number)))
    if not number[:17].isdigit():
        raise Invalid(MSG_RID_X_POSITION)
    if number[17] != ric.calc_check_digit(number):
        raise Invalid(MSG_RID_CHECK)
    _check_birth_date(number)
    # Foreign permanent-residence cards: 9, the issuing province (2 digits), nationality (3).
    region = number[1:3] + "0000" if number[0] == "9" else number[:6]
    if not _region_known(region):
        raise Invalid(MSG_RID_REGION.format(code=number[:6]))
    return number


# --- unified social credit code (GB 32100-2015) ---------------------------------------------

MSG_USCC_EMPTY = "请输入 18 位统一社会信用代码"
MSG_USCC_CHARS = "统一社会信用代码只能包含数字和大写字母，请检查是否输入了其他字符"
MSG_USCC_LETTERS = (
    "统一社会信用代码中不会出现字母 I、O、Z、S、V，请检查是否把数字 1、0、2、5 输成了字母"
)
MSG_USCC_LENGTH = (
    "统一社会信用代码应为 18 位，您输入了 {n} 位，请对照营业执照或登记证书上的代码重新输入"
)
MSG_USCC_CHECK = "统一社会信用代码最后一位校验码不对，请对照营业执照或登记证书核对后重新输入"

_USCC_ALPHABET = frozenset("0123456789ABCDEFGHJKLMNPQRTUWXY")
_USCC_NEVER = frozenset("IOZSV")


def uscc(raw: str) -> str:
    """Validate a unified social credit code (统一社会信用代码, GB 32100-2015).

    Checks the alphabet (no I, O, Z, S, V), the length and the MOD 31 check character. Unlike
    python-stdnum it accepts registration-department codes with letters (A, N, Y, ...).
    """
    code = _compact(raw).upper()
    if not code:
        raise Invalid(MSG_USCC_EMPTY)
    if not set(code) <= _USCC_ALPHABET:
        raise Invalid(MSG_USCC_LETTERS if set(code) & _USCC_NEVER else MSG_USCC_CHARS)
    if len(code) != 18:
        raise Invalid(MSG_USCC_LENGTH.format(n=len(code)))
    if code[17] != stdnum_uscc.calc_check_digit(code):
        raise Invalid(MSG_USCC_CHECK)
    return code


# --- taxpayer ID (纳税人识别号) --------------------------------------------------------------

MSG_TAXPAYER_EMPTY = "请输入纳税人识别号（一般就是 18 位统一社会信用代码）"
MSG_TAXPAYER_CHARS = "纳税人识别号只能包含数字和大写字母，请检查是否输入了其他字符"
MSG_TAXPAYER_LENGTH = (
    "纳税人识别号应为 15、17、18 或 20 位，您输入了 {n} 位（单位一般填 18 位统一社会信用代码）"
)

_TAXPAYER_LENGTHS = frozenset({15, 17, 18, 20})


def taxpayer_id(raw: str) -> str:
    """Validate a taxpayer ID: 15, 17, 18 or 20 of [0-9A-Z]; 18 characters must be a USCC."""
    code = _compact(raw).upper()
    if not code:
        raise Invalid(MSG_TAXPAYER_EMPTY)
    if not (code.isascii() and code.isalnum()):
        raise Invalid(MSG_TAXPAYER_CHARS)
    if len(code) not in _TAXPAYER_LENGTHS:
        raise Invalid(MSG_TAXPAYER_LENGTH.format(n=len(code)))
    return uscc(code) if len(code) == 18 else code


# --- phone numbers --------------------------------------------------------------------------

MSG_MOBILE_EMPTY = "请输入 11 位手机号"
MSG_MOBILE_CHARS = "手机号只能包含数字，请检查是否输入了其他字符"
MSG_MOBILE_FOREIGN = "目前只能填写中国大陆的手机号（+86），请输入 11 位手机号"
MSG_MOBILE_LANDLINE = "这像是固定电话号码，这里请填写 11 位手机号"
MSG_MOBILE_PREFIX = "手机号应以 1 开头，共 11 位（例如 13800138000），请核对后重新输入"
MSG_MOBILE_SHORT = "手机号应为 11 位，您只输入了 {n} 位，请核对后重新输入"
MSG_MOBILE_LONG = "手机号应为 11 位，您输入了 {n} 位，请检查是否多输了数字"
MSG_MOBILE_SECOND = "手机号第二位应是 3–9 之间的数字，请核对后重新输入"

MSG_PHONE_EMPTY = "请输入电话号码（手机号或带区号的固定电话）"
MSG_PHONE_CHARS = "电话号码只能包含数字、空格和“-”，分机号可以写成“转 123”"
MSG_PHONE_FOREIGN = "目前只能填写中国大陆的电话号码（+86）"
MSG_PHONE_NO_AREA = "固定电话请加上区号，例如 010-58515511 或 0371-12345678"
MSG_PHONE_AREA = "区号不对：区号以 0 开头，为 3 位（如 010、021）或 4 位（如 0371），请核对"
MSG_PHONE_LOCAL = "区号后面的电话号码应为 7 或 8 位（例如 010-58515511），请核对后重新输入"
MSG_PHONE_SERVICE = "400/800 电话应为 10 位，例如 400-123-4567，请核对后重新输入"
MSG_PHONE_MOBILE_EXTENSION = "手机号不需要分机号，请只输入 11 位手机号"

_EXTENSION = regex.compile(r"(?:转|分机|ext\.?|x|#)\s*(\d{1,6})$", regex.IGNORECASE)
# What separates digit groups in a phone number: whitespace, dashes, brackets, dots.
_PHONE_GROUPS = regex.compile(r"[\s\p{Pd}\p{Cf}().]+")
_MAX_EXTENSION = 6  # digits


def _national_number(number: str) -> tuple[str, bool] | None:
    """``number`` without a +86 / 0086 / 86 country code and whether it had one; None when it
    has another country code (a ``+`` or ``00`` prefix)."""
    for prefix in ("+86", "0086"):
        if number.startswith(prefix):
            return number[len(prefix) :], True
    if number.startswith("86") and len(number) == 13:
        return number[2:], True
    if number.startswith(("+", "00")):
        return None
    return number, False


def _check_mobile(number: str) -> str:
    """Check an 11-digit mainland mobile number given without its country code."""
    if not number:
        raise Invalid(MSG_MOBILE_EMPTY)
    if not _is_ascii_digits(number):
        raise Invalid(MSG_MOBILE_CHARS)
    if number.startswith("0"):
        raise Invalid(MSG_MOBILE_LANDLINE)
    if not number.startswith("1"):
        raise Invalid(MSG_MOBILE_PREFIX)
    if len(number) < 11:
        raise Invalid(MSG_MOBILE_SHORT.format(n=len(number)))
    if len(number) > 11:
        raise Invalid(MSG_MOBILE_LONG.format(n=len(number)))
    if number[1] not in "3456789":
        raise Invalid(MSG_MOBILE_SECOND)
    return number


def mobile(raw: str) -> str:
    """Validate a mainland mobile number; returns its 11 digits (``^1[3-9]\\d{9}$``).

    Accepts +86 / 0086 / 86 prefixes, spaces, dashes, brackets and full-width digits.
    """
    number = _PHONE_GROUPS.sub("", _nfkc(raw))
    if not number:
        raise Invalid(MSG_MOBILE_EMPTY)
    national = _national_number(number)
    if national is None:
        raise Invalid(MSG_MOBILE_FOREIGN)
    return _check_mobile(national[0])


def _landline(number: str) -> str | None:
    """``number`` (national, leading 0) as ``area-local``, or None if it is not a landline."""
    area_length = 3 if number[1:2] in ("1", "2") else 4
    area, local = number[:area_length], number[area_length:]
    if len(local) in (7, 8) and not local.startswith("0"):
        return f"{area}-{local}"
    return None


def _check_area_code(number: str) -> None:
    """Raise unless ``number`` starts with 010, 02x or 0[3-9]xx."""
    if number[1:2] in ("", "0") or (number[1] == "1" and not number.startswith("010")):
        raise Invalid(MSG_PHONE_AREA)


def _with_trunk_prefix(national: str) -> str:
    """Restore the area code's 0, which is dropped after +86 (``+86 10 …``, ``+86 371 …``)."""
    is_mobile = national.startswith("1") and not national.startswith("10")
    if is_mobile or national.startswith(("0", "400", "800")):
        return national
    return "0" + national


def landline_or_mobile(raw: str) -> str:
    """Validate a mobile number, a landline with area code (and extension), or a 400/800 number.

    Results: ``13800138000``, ``010-58515511``, ``0371-12345678转801`` (the extension after 转,
    unambiguous when validated again), ``400-123-4567``.
    """
    text = _nfkc(raw)
    extension = ""
    found = _EXTENSION.search(text)
    if found:
        extension, text = found.group(1), text[: found.start()]
    groups = [group for group in _PHONE_GROUPS.split(text) if group]
    number = "".join(groups)
    if not number:
        raise Invalid(MSG_PHONE_EMPTY)
    if not _is_ascii_digits(number.removeprefix("+")):
        raise Invalid(MSG_PHONE_CHARS)
    split = _national_number(number)
    if split is None:
        raise Invalid(MSG_PHONE_FOREIGN)
    national, had_country_code = split
    if not national:
        raise Invalid(MSG_PHONE_EMPTY)
    if had_country_code:
        national = _with_trunk_prefix(national)
    if national.startswith("1"):
        if extension:
            raise Invalid(MSG_PHONE_MOBILE_EXTENSION)
        return _check_mobile(national)
    if national.startswith(("400", "800")):
        if len(national) != 10 or extension:
            raise Invalid(MSG_PHONE_SERVICE)
        return f"{national[:3]}-{national[3:6]}-{national[6:]}"
    if not national.startswith("0"):
        raise Invalid(MSG_PHONE_NO_AREA if len(national) in (7, 8) else MSG_PHONE_LOCAL)
    _check_area_code(national)
    formatted = _landline(national)
    last = groups[-1]
    if formatted is None and not extension and len(groups) > 1 and len(last) <= _MAX_EXTENSION:
        # 010-58515511-801: a trailing group that does not fit the number is the extension.
        formatted = _landline(national[: -len(last)])
        extension = last
    if formatted is None:
        raise Invalid(MSG_PHONE_LOCAL)
    return f"{formatted}转{extension}" if extension else formatted


# --- e-mail ---------------------------------------------------------------------------------

MSG_EMAIL_EMPTY = "请输入电子邮箱地址，例如 name@example.com"
MSG_EMAIL_SPACE = "邮箱地址中不能有空格，请删除空格后重新输入"
MSG_EMAIL_NO_AT = "邮箱地址缺少“@”，格式应为 name@example.com"
MSG_EMAIL_MANY_AT = "邮箱地址只能有一个“@”，请核对后重新输入"
MSG_EMAIL_NO_LOCAL = "“@”前面缺少邮箱用户名，格式应为 name@example.com"
MSG_EMAIL_DOMAIN = "“@”后面的域名不完整，应类似 qq.com、163.com 或贵单位的域名"
MSG_EMAIL_FORMAT = (
    "邮箱地址格式不正确，请检查是否有多余的符号或输错的字母，格式应为 name@example.com"
)


def email(raw: str) -> str:
    """Validate an e-mail address (syntax only, no DNS); the domain is lower-cased.

    Internationalised addresses such as ``张三@例子.中国`` are accepted.
    """
    text = _nfkc(raw).replace("。", ".")  # ideographic full stop typed for "."
    if not text:
        raise Invalid(MSG_EMAIL_EMPTY)
    if any(ch.isspace() for ch in text):
        raise Invalid(MSG_EMAIL_SPACE)
    if "@" not in text:
        raise Invalid(MSG_EMAIL_NO_AT)
    if text.count("@") > 1:
        raise Invalid(MSG_EMAIL_MANY_AT)
    local, domain = text.split("@")
    if not local:
        raise Invalid(MSG_EMAIL_NO_LOCAL)
    if "." not in domain.strip("."):
        raise Invalid(MSG_EMAIL_DOMAIN)
    try:
        result = validate_email(text, check_deliverability=False)
    except (EmailNotValidError, UnicodeError):
        raise Invalid(MSG_EMAIL_FORMAT) from None
    return str(result.normalized)


# --- bank accounts --------------------------------------------------------------------------

MSG_BANK_EMPTY = "请输入银行账号"
MSG_BANK_CHARS = "银行账号只能包含数字，请检查是否输入了字母或其他符号"
MSG_BANK_LENGTH = "银行账号一般为 8–30 位数字，您输入了 {n} 位，请核对后重新输入"

_BANK_MIN_DIGITS = 8
_BANK_MAX_DIGITS = 30


def bank_account(raw: str) -> str:
    """Validate a bank account number (corporate or personal): 8–30 digits, no checksum."""
    number = _compact(raw)
    if not number:
        raise Invalid(MSG_BANK_EMPTY)
    if not _is_ascii_digits(number):
        raise Invalid(MSG_BANK_CHARS)
    if not _BANK_MIN_DIGITS <= len(number) <= _BANK_MAX_DIGITS:
        raise Invalid(MSG_BANK_LENGTH.format(n=len(number)))
    return number


def luhn_ok(number: str) -> bool:
    """Advisory only: whether a personal card number passes the Luhn check.

    Real debit cards exist that fail it, so never reject an account on this alone.
    """
    digits = _compact(number)
    return _is_ascii_digits(digits) and bool(luhn.is_valid(digits))


# --- names ----------------------------------------------------------------------------------

MSG_NAME_EMPTY = "请输入姓名"
MSG_NAME_SHORT = "姓名至少要有 2 个字，请输入完整姓名"
MSG_NAME_LONG = "姓名最多 50 个字符，请核对后重新输入"
MSG_NAME_DIGITS = "姓名中不能有数字，请输入证件上的姓名"
MSG_NAME_MIXED = "姓名请只用汉字，或只用拉丁字母（外籍人士），不要混用"
MSG_NAME_DOT = "“·”只能用在两个名字之间，例如：阿依古丽·买买提"
MSG_NAME_CHARS = (
    "姓名只能包含汉字和间隔号“·”，或拉丁字母、空格、连字符“-”、撇号“'”和点“.”，请输入证件上的姓名"
)

_NAME_MIN_CHARS = 2
_NAME_MAX_CHARS = 50
# Middle-dot look-alikes typed between the parts of a Han name (after NFKC).
_NAME_DOTS = "•・.·‧∙⋅●"
_HAN_DOT = regex.compile(rf"(?<=\p{{Han}})\s*[{regex.escape(_NAME_DOTS)}]\s*(?=\p{{Han}})")
_HAN_NAME = regex.compile(r"^\p{Han}+(?:·\p{Han}+)*$")
_LATIN_NAME = regex.compile(r"^\p{Latin}(?:[\p{Latin}\p{M} .'\-]*[\p{Latin}\p{M}.])?$")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})
_DASHES = regex.compile(r"\p{Pd}")


def person_name(raw: str) -> str:
    """Validate a person's name: Han (with ``·`` between parts) or Latin, 2–50 characters.

    ``•``, ``・`` and ``.`` between Han parts become ``·`` (U+00B7); spaces inside a Han name are
    removed; rare characters outside the basic CJK block (王𪚥) are accepted.
    """
    text = _clean_text(raw)
    if not text:
        raise Invalid(MSG_NAME_EMPTY)
    if _FORBIDDEN.search(text):
        raise Invalid(MSG_NAME_CHARS)
    if any(ch.isdigit() for ch in text):
        raise Invalid(MSG_NAME_DIGITS)
    if _HAN.search(text):
        name = _HAN_DOT.sub("·", text).replace(" ", "")
        if regex.search(r"\p{Latin}", name):
            raise Invalid(MSG_NAME_MIXED)
        if not _HAN_NAME.match(name):
            only_han_and_dots = regex.fullmatch(rf"[\p{{Han}}{regex.escape(_NAME_DOTS)}]+", name)
            raise Invalid(MSG_NAME_DOT if only_han_and_dots else MSG_NAME_CHARS)
    else:
        name = _DASHES.sub("-", text.translate(_APOSTROPHES))
        if not _LATIN_NAME.match(name):
            raise Invalid(MSG_NAME_CHARS)
    if len(name) < _NAME_MIN_CHARS:
        raise Invalid(MSG_NAME_SHORT)
    if len(name) > _NAME_MAX_CHARS:
        raise Invalid(MSG_NAME_LONG)
    return name


# --- organisation names and free text -------------------------------------------------------

MSG_ORG_EMPTY = "请输入单位名称（与营业执照或登记证书上的名称一致）"
MSG_ORG_SHORT = "单位名称太短，请输入完整的单位名称（与营业执照上一致）"
MSG_ORG_LONG = "单位名称最多 100 个字，您输入了 {n} 个字，请核对"
MSG_ORG_NO_LETTERS = "单位名称中应包含汉字或字母，请输入完整的单位名称"
MSG_ORG_CHARS = "单位名称中有无法识别的字符或表情符号，请删除后重新输入"

MSG_TEXT_EMPTY = "请填写{label}"
MSG_TEXT_SHORT = "{label}至少需要 {min_len} 个字，请填写完整"
MSG_TEXT_LONG = "{label}最多 {max_len} 个字，您输入了 {n} 个字，请精简后重新输入"
MSG_TEXT_CHARS = "{label}中有无法识别的字符，请删除后重新输入"

_ORG_MIN_CHARS = 2
_ORG_MAX_CHARS = 100
# A space between two Han characters (or full-width brackets) is typing noise.
_SPACE_NEAR_HAN = regex.compile(r"(?<=[\p{Han}（）]) (?=[\p{Han}（）])")
_FULL_WIDTH_BRACKETS = str.maketrans({"(": "（", ")": "）"})


def org_name(raw: str) -> str:
    """Validate an organisation name (单位名称): 2–100 characters with a Han character or letter.

    Whitespace is collapsed (and dropped between Han characters); brackets become full-width
    ``（）`` as on Chinese business licences.
    """
    text = _clean_text(raw).translate(_FULL_WIDTH_BRACKETS)
    text = _SPACE_NEAR_HAN.sub("", text)
    if not text:
        raise Invalid(MSG_ORG_EMPTY)
    if _FORBIDDEN.search(text) or regex.search(r"\p{So}", text):
        raise Invalid(MSG_ORG_CHARS)
    if not regex.search(r"\p{L}", text):
        raise Invalid(MSG_ORG_NO_LETTERS)
    if len(text) < _ORG_MIN_CHARS:
        raise Invalid(MSG_ORG_SHORT)
    if len(text) > _ORG_MAX_CHARS:
        raise Invalid(MSG_ORG_LONG.format(n=len(text)))
    return text


def free_text(max_len: int, *, min_len: int = 1, label: str = "内容") -> Validator:
    """A validator for free text (部门, 开户行名称, 详细地址 ...): ``min_len``–``max_len`` chars.

    Whitespace is collapsed to single spaces and control characters are refused; ``label``
    names the field in the messages.
    """

    def validate(raw: str) -> str:
        text = _clean_text(raw)
        if not text:
            raise Invalid(MSG_TEXT_EMPTY.format(label=label))
        if _FORBIDDEN.search(text):
            raise Invalid(MSG_TEXT_CHARS.format(label=label))
        if len(text) < min_len:
            raise Invalid(MSG_TEXT_SHORT.format(label=label, min_len=min_len))
        if len(text) > max_len:
            raise Invalid(MSG_TEXT_LONG.format(label=label, max_len=max_len, n=len(text)))
        return text

    return validate


# --- other identity documents ----------------------------------------------------------------

MSG_DOC_EMPTY = "请输入证件号码"
MSG_DOC_CHARS = "证件号码只能包含字母、数字、括号和“-”，请对照证件核对后重新输入"
MSG_DOC_LENGTH = "证件号码一般为 5–30 位，您输入了 {n} 位，请核对后重新输入"
_DOC = regex.compile(r"^[A-Z0-9()\-]+$")


def other_id_number(raw: str) -> str:
    """Passports, Hong Kong/Macau/Taiwan permits and similar: 5–30 of A–Z, 0–9, ( ) -."""
    text = _compact(raw).upper().replace("（", "(").replace("）", ")")
    if not text:
        raise Invalid(MSG_DOC_EMPTY)
    if not _DOC.match(text):
        raise Invalid(MSG_DOC_CHARS)
    if not 5 <= len(text) <= 30:
        raise Invalid(MSG_DOC_LENGTH.format(n=len(text)))
    return text


# --- choices --------------------------------------------------------------------------------

MSG_YEARS = "请输入证书有效期的年数，可选：{allowed}"

_CHINESE_NUMBERS = {
    "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
    "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
}  # fmt: skip
_YEAR_SUFFIXES = ("年期", "年")
_MAX_YEAR_DIGITS = 2


def years(allowed: Iterable[int]) -> Validator:
    """A validator for a number of years among ``allowed``: "1", "1年", "一年", "两年" → "1"/"2"."""
    choices = sorted(set(allowed))
    message = MSG_YEARS.format(allowed="、".join(f"{n} 年" for n in choices))

    def validate(raw: str) -> str:
        text = _compact(raw)
        for suffix in _YEAR_SUFFIXES:
            text = text.removesuffix(suffix)
        if text in _CHINESE_NUMBERS:
            count = _CHINESE_NUMBERS[text]
        elif _is_ascii_digits(text) and len(text) <= _MAX_YEAR_DIGITS:
            count = int(text)
        else:
            raise Invalid(message)
        if count not in choices:
            raise Invalid(message)
        return str(count)

    return validate


MSG_CONSENT_REFUSED = (
    "办理数字证书需要您同意服务协议和个人信息处理规则，否则我们无法受理申请。如果同意，请回复“同意”"
)
MSG_CONSENT_UNCLEAR = "请回复“同意”以继续办理；如果不同意，将无法受理您的申请"

_YES = frozenset(
    {"同意", "我同意", "是", "是的", "确认", "确定", "好", "好的", "可以", "1", "yes", "y", "ok"}
)
_NO = frozenset({"不同意", "我不同意", "否", "不", "不是", "拒绝", "不可以", "2", "no", "n"})
_TRAILING_PUNCTUATION = "。.!！~～"


def consent(raw: str) -> str:
    """Accept a yes (同意/是/确认/1/yes ...) as ``"yes"``; a refusal raises ``Invalid``."""
    answer = _compact(raw).lower().rstrip(_TRAILING_PUNCTUATION)
    if answer in _YES:
        return "yes"
    raise Invalid(MSG_CONSENT_REFUSED if answer in _NO else MSG_CONSENT_UNCLEAR)


# --- registry -------------------------------------------------------------------------------

VALIDATORS: dict[str, Validator] = {
    "resident_id": resident_id,
    "other_id_number": other_id_number,
    "uscc": uscc,
    "taxpayer_id": taxpayer_id,
    "mobile": mobile,
    "landline_or_mobile": landline_or_mobile,
    "email": email,
    "bank_account": bank_account,
    "person_name": person_name,
    "org_name": org_name,
    "consent": consent,
}

FACTORIES: dict[str, Callable[..., Validator]] = {"free_text": free_text, "years": years}


def get_validator(name: str, **params: Any) -> Validator:
    """The validator declared by ``name`` (a ``VALIDATORS`` key, or a ``FACTORIES`` key with
    its parameters, e.g. ``get_validator("years", allowed=[1, 2, 3])``)."""
    if name in VALIDATORS and not params:
        return VALIDATORS[name]
    return FACTORIES[name](**params)
