"""Step declarations shared by the application flows (same rule, one piece of code)."""

from __future__ import annotations

from collections.abc import Sequence

from bot import validators as v
from bot.config import Settings
from bot.documents import document_url
from bot.flows import Answers, Choice, ContextValidator, Default, FieldIs, Step, StepKind
from bot.money import yuan as yuan  # shown by the flows and order query
from bot.regions import match_city, match_province

ID_CARD = "id_card"
OTHER_ID = "other"
ID_TYPES = (Choice(ID_CARD, "身份证"), Choice(OTHER_ID, "其他"))
AGREEMENT_VERSION = "2026-11"


def project_steps(settings: Settings) -> list[Step]:
    """数字证书来源: which platform the certificate is for, when projects are configured
    (preset when the applicant came through the project's QR code)."""
    if not settings.projects:
        return []
    choices = [Choice(project.code, project.name) for project in settings.projects]
    return [
        Step(
            "project",
            "数字证书来源",
            "请选择数字证书的使用平台（数字证书来源）：",
            StepKind.CHOICE,
            choices=choices,
            section="数字证书来源",
        )
    ]


def id_type_step(key: str, label: str, *, section: str) -> Step:
    """证件类型: 身份证 or 其他."""
    return Step(key, label, "请选择证件类型：", StepKind.CHOICE, choices=ID_TYPES, section=section)


def id_number_validator(type_key: str) -> ContextValidator:
    """证件号: a resident ID is checked by its check digit, other documents by their form."""

    def check(raw: str, answers: Answers) -> str:
        if answers.get(type_key, ID_CARD) == ID_CARD:
            return v.resident_id(raw)
        return v.other_id_number(raw)

    return check


def years_step(settings: Settings, kind: str) -> Step:
    """证书有效期: the years that have a price in ``[prices]`` or in a project's prices (1 year
    when none is set), each shown with the price of the project chosen."""
    priced = set(settings.prices).union(*(project.prices for project in settings.projects))
    years = sorted(int(key.split("_")[1]) for key in priced if key.startswith(kind + "_"))
    choices = [Choice(str(y), f"{y} 年") for y in years or [1]]

    def price_note(value: str, answers: Answers) -> str:
        fen = settings.price(kind, value, answers.get("project", ""))
        return f"¥{yuan(fen)}" if fen else ""

    return Step(
        "years",
        "证书有效期",
        "请选择证书有效期：",
        StepKind.CHOICE,
        choices=choices,
        choice_note=price_note,
        section="证书信息",
    )


def quote(settings: Settings, kind: str) -> Default:
    """The amount of an application, from its project and years, for the summary."""

    def amount(answers: Answers) -> str:
        fen = settings.price(kind, answers.get("years", "1"), answers.get("project", ""))
        return f"¥{yuan(fen)}" if fen else ""

    return amount


def invoice_extra_steps() -> list[Step]:
    """发票信息's optional 地址及电话 and 开户行及账号 (for a special VAT invoice)."""
    return [
        Step(
            "invoice_address_phone",
            "地址及电话",
            "请输入开票地址及电话。",
            required=False,
            validator=v.free_text(100, label="地址及电话"),
            section="发票信息",
        ),
        Step(
            "invoice_bank",
            "开户行及账号",
            "请输入开票开户行及账号。",
            required=False,
            validator=v.free_text(100, label="开户行及账号"),
            section="发票信息",
        ),
    ]


def address_steps(prefix: str, kind: str) -> list[Step]:
    """省份, 城市 and 详细地址 (where the Key is mailed); keys ``<prefix>_province`` etc."""
    key = (prefix + "_") if prefix else ""
    return [
        province_step(f"{key}province", f"{kind}省份"),
        city_step(f"{key}city", f"{kind}城市", f"{key}province"),
        Step(
            f"{key}address",
            "详细地址",
            "请输入详细地址（建议填写能收快递的地址，证书 Key 将寄到这里）。",
            validator=v.free_text(120, min_len=5, label="详细地址"),
            section="地址信息",
        ),
    ]


def province_step(key: str, label: str) -> Step:
    """省份, matched against the administrative-division list."""
    return Step(
        key,
        label,
        f"请输入{label}，如 河南。",
        validator=lambda raw: match_province(raw).name,
        section="地址信息",
    )


def city_step(key: str, label: str, province_key: str) -> Step:
    """城市 within the chosen province."""

    def check(raw: str, answers: Answers) -> str:
        province = match_province(answers.get(province_key, ""))
        return match_city(province, raw).name

    return Step(key, label, f"请输入{label}，如 商丘。", contextual=check, section="地址信息")


def agreement_step(settings: Settings) -> Step:
    """Consent to the service agreement and privacy policy, shown as links."""
    base = settings.server.public_url.rstrip("/")
    return Step(
        "consent",
        "协议",
        "请阅读并同意以下协议：",
        StepKind.CONSENT,
        links=(
            ("数字认证服务协议", document_url(base, "service-agreement")),
            ("隐私保护政策", document_url(base, "privacy-policy")),
        ),
        section="协议",
        version=agreement_version(settings),
    )


def agreement_version(settings: Settings) -> Default:
    """The version of the agreement applicants consent to: the project's own, when it has one."""

    def version(answers: Answers) -> str:
        project = settings.project(answers.get("project", ""))
        return (
            project.agreement_version
            if project and project.agreement_version
            else AGREEMENT_VERSION
        )

    return version


def confirm_step() -> Step:
    """The summary: 确认订单 / 返回修改."""
    return Step("confirmed", "确认订单", "", StepKind.CONFIRM, section="确认")


def upload_step(
    key: str,
    label: str,
    prompt: str,
    links: Sequence[tuple[str, str]] = (),
    when: FieldIs | None = None,
) -> Step:
    """A photo of a material (jpg/png/jpeg, ≤ 1 MB after the upload pipeline)."""
    return Step(key, label, prompt, StepKind.UPLOAD, links=links, when=when, section="上传材料")


def project_material_steps(settings: Settings, kind: str) -> list[Step]:
    """The photos a project requires besides the standard materials, asked only of applicants
    for that project (step key ``p_<project>_<material>``)."""
    return [
        upload_step(
            f"p_{project.code}_{material.key}",
            material.label,
            material.prompt or f"请发送{material.label}照片。",
            when=FieldIs("project", project.code),
        )
        for project in settings.projects
        for material in project.materials
        if kind in material.kinds
    ]


def sms_step(key: str, phone_field: str) -> Step:
    """The SMS code sent to the phone in ``phone_field`` before the order is submitted."""
    return Step(
        key,
        "短信验证码",
        "请输入短信验证码。",
        StepKind.SMS,
        phone_field=phone_field,
        section="短信验证",
    )
