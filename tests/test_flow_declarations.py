"""The flow declarations read like the seed's forms: same fields, same order, same rules."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import load_settings
from bot.flows import Choice, FieldIs, Flow, Step, StepKind
from handlers import org_certificate, personal_certificate

SETTINGS = load_settings(None, env={})
FLOWS = [org_certificate.build_flow(SETTINGS), personal_certificate.build_flow(SETTINGS)]

# Seed 1.1, top to bottom (经办人/联系人 asked once), then confirmation, materials, SMS.
ORG_SEED_ORDER = [
    "认证方式",
    "单位名称",
    "统一社会信用代码",
    "部门",
    "单位电话",
    "法定代表人姓名",
    "法人手机号",
    "法人证件类型",
    "法人证件号",
    "证书有效期",
    "账户名称",
    "账号",
    "开户行名称",
    "开户行地址",
    "发票抬头",
    "纳税人识别号",
    "地址及电话",
    "开户行及账号",
    "经办人认证方式",
    "经办人姓名",
    "经办人手机号",
    "经办人证件类型",
    "经办人身份证号",
    "经办人电子邮箱",
    "邮寄省份",
    "邮寄城市",
    "详细地址",
    "协议",
    "确认订单",
    "营业执照",
    "经办人身份证正面",
    "企业授权书",
    "法人身份证正面",
    "短信验证码",
]
# Seed 1.2.
PERSONAL_SEED_ORDER = [
    "用户名",
    "所属单位名称",
    "部门",
    "证件类型",
    "证件号码",
    "申请人手机号",
    "通讯省份",
    "通讯城市",
    "详细地址",
    "用户电子邮箱",
    "证书有效期",
    "发票抬头",
    "纳税人识别号",
    "地址及电话",
    "开户行及账号",
    "协议",
    "确认订单",
    "身份证原件扫描件",
    "个人签章图片",
    "短信验证码",
]
# The seed marks these with * (required).
ORG_OPTIONAL = {"部门", "单位电话", "地址及电话", "开户行及账号", "经办人身份证号"}
PERSONAL_OPTIONAL = {"所属单位名称", "部门", "纳税人识别号", "地址及电话", "开户行及账号"}


def test_organisation_flow_follows_the_seed() -> None:
    flow = org_certificate.build_flow(SETTINGS)
    assert [step.label for step in flow.steps] == ORG_SEED_ORDER
    assert {s.label for s in flow.steps if not s.required} == ORG_OPTIONAL


def test_personal_flow_follows_the_seed() -> None:
    flow = personal_certificate.build_flow(SETTINGS)
    assert [step.label for step in flow.steps] == PERSONAL_SEED_ORDER
    assert {s.label for s in flow.steps if not s.required} == PERSONAL_OPTIONAL


def test_bank_fields_only_for_bank_transfer_and_titles_follow_the_unit_name() -> None:
    flow = org_certificate.build_flow(SETTINGS)
    bank = {"账户名称", "账号", "开户行名称", "开户行地址"}
    for method, expected in (
        ("bank_transfer", True),
        ("legal_phone", False),
        ("handler_phone", False),
    ):
        labels = {s.label for s in flow.steps if s.applies({"auth_method": method})}
        assert bank <= labels if expected else not (bank & labels)
    fixed = {s.label for s in flow.steps if not s.editable}
    assert {"账户名称", "发票抬头"} <= fixed
    assert flow.step("invoice_title").default({"org_name": "某公司"}) == "某公司"


def test_personal_data_is_sensitive() -> None:
    flow = org_certificate.build_flow(SETTINGS)
    sensitive = {s.key for s in flow.steps if s.sensitive}
    assert sensitive == {
        "legal_phone",
        "legal_id_number",
        "bank_account",
        "handler_phone",
        "handler_id_number",
    }
    assert all(flow.step(key).masker for key in sensitive)


def test_years_and_prices_come_from_config() -> None:
    from dataclasses import replace

    settings = replace(SETTINGS, prices={"org_1": 30000, "org_3": 80000})
    years = org_certificate.build_flow(settings).step("years")
    assert years.kind is StepKind.CHOICE
    assert [c.label for c in years.choices] == ["1 年", "3 年"]
    assert [years.note_for(c, {}) for c in years.choices] == ["¥300.00", "¥800.00"]


CHOICES = (Choice("a", "甲"), Choice("b", "乙"))


@st.composite
def conditional_flows(draw: st.DrawFn) -> Flow:
    """A flow of choice steps, each after the first asked only when an earlier one has a
    given answer (several condition keys, unlike the shipped flows)."""
    steps: list[Step] = []
    for index in range(draw(st.integers(min_value=2, max_value=6))):
        when = None
        if steps and draw(st.booleans()):
            when = FieldIs(draw(st.sampled_from(steps)).key, draw(st.sampled_from(["a", "b"])))
        steps.append(
            Step(f"s{index}", f"第{index}项", "?", StepKind.CHOICE, choices=CHOICES, when=when)
        )
    return Flow("test", "测试", steps)


@settings(max_examples=200, deadline=None)
@given(
    conditional_flows(),
    st.lists(
        st.dictionaries(
            st.sampled_from([f"s{i}" for i in range(6)]), st.sampled_from(["a", "b", "c"])
        ),
        min_size=1,
        max_size=8,
    ),
)
def test_the_steps_asked_follow_the_answers_in_any_order_of_questions(
    flow: Flow, answer_sets: list[dict[str, str]]
) -> None:
    """``Flow.applicable`` remembers its lists per combination of the answers conditions look
    at: whatever was asked before, it gives what checking every step gives."""
    for answers in answer_sets:
        expected = [step for step in flow.steps if step.when is None or step.when(answers)]
        assert flow.applicable(answers) == expected
