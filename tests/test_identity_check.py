"""其他验证方式: the information a user gives is read like the original answers and must match
the order's record in every item."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import load_settings
from bot.engine import normalise, parse_answer
from bot.flows import Flow
from handlers import org_certificate, personal_certificate
from handlers.demo_script import ORG_APPLICATION, PERSONAL_APPLICATION
from handlers.identity_check import ALTERNATIVES, alternatives_for, matches

SETTINGS = dataclasses.replace(
    load_settings(None, env={}), prices={"org_1": 30000, "org_2": 55000, "personal_1": 15000}
)
ORG = org_certificate.build_flow(SETTINGS)
PERSONAL = personal_certificate.build_flow(SETTINGS)
LEGAL, HANDLER, ADDRESS = ALTERNATIVES


def record_of(flow: Flow, script: list[tuple[str, str]]) -> dict[str, str]:
    """The answers as the engine stores them after the scripted conversation."""
    by_label = {step.label: step for step in flow.steps}
    answers: dict[str, str] = {}
    for label, raw in script:
        step = by_label[label]
        answers[step.key] = parse_answer(step, normalise(raw), answers)
    return answers


ORG_RECORD = record_of(ORG, ORG_APPLICATION)
PERSONAL_RECORD = record_of(PERSONAL, PERSONAL_APPLICATION)
LEGAL_AS_TYPED = {
    "legal_name": "张三",
    "legal_phone": "+86 138 0013 8000",
    "legal_id_type": "身份证",
    "legal_id_number": "11010519491231002x",
}


def test_offered_sets_depend_on_the_certificate_kind() -> None:
    assert [a.code for a in alternatives_for("org")] == ["legal", "handler", "address"]
    assert [a.code for a in alternatives_for("personal")] == ["handler", "address"]
    for alternative in ALTERNATIVES:  # every item is a field of the flow
        for kind, flow in (("org", ORG), ("personal", PERSONAL)):
            for key in alternative.keys(kind):
                assert key in flow.steps_by_key, (alternative.code, key)


def test_information_typed_differently_still_matches() -> None:
    assert matches(ORG, ORG_RECORD, LEGAL, LEGAL_AS_TYPED)
    address = {
        "mail_province": "河南",
        "mail_city": "商丘市",
        "mail_address": "睢阳区神火大道100号",
    }
    assert matches(ORG, ORG_RECORD, ADDRESS, address)
    handler = {
        "user_name": "王小明",
        "phone": "13900001111",
        "id_type": "1",
        "id_number": "360426199101010071",
        "email": "WANG@example.com",
    }
    assert matches(PERSONAL, PERSONAL_RECORD, HANDLER, handler)


def test_one_wrong_or_missing_item_fails_the_whole_set() -> None:
    for key, wrong in (
        ("legal_name", "张四"),
        ("legal_phone", "13800138001"),
        ("legal_id_type", "2"),
        ("legal_id_number", "110105194912310021"),
        ("legal_id_number", ""),
    ):
        assert not matches(ORG, ORG_RECORD, LEGAL, {**LEGAL_AS_TYPED, key: wrong}), key
    partial = {k: v for k, v in LEGAL_AS_TYPED.items() if k != "legal_phone"}
    assert not matches(ORG, ORG_RECORD, LEGAL, partial)
    wrong_city = {
        "mail_province": "河南",
        "mail_city": "郑州",
        "mail_address": "睢阳区神火大道 100 号",
    }
    assert not matches(ORG, ORG_RECORD, ADDRESS, wrong_city)
    assert not matches(PERSONAL, PERSONAL_RECORD, LEGAL, LEGAL_AS_TYPED)  # not offered


@settings(max_examples=200)
@given(
    key=st.sampled_from(LEGAL.keys("org")),
    text=st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
)
def test_arbitrary_input_never_raises_and_only_the_truth_matches(key: str, text: str) -> None:
    attempt = {**LEGAL_AS_TYPED, key: text}
    if matches(ORG, ORG_RECORD, LEGAL, attempt):  # then it reads as the recorded value
        step = ORG.step(key)
        assert parse_answer(step, normalise(text), ORG_RECORD) == ORG_RECORD[key]
