"""单位证书办理 (seed 1.1): the organisation certificate application, field by field.

The steps follow the seed's form top to bottom: 认证方式 → 单位基本信息 → 法定代表人信息 →
证书有效期 → 企业账户银行付款 (only for 对公账户打款) → 发票信息 → 经办人信息 (the seed repeats it
as 联系人信息; asked once) → 邮寄地址 → 协议 → 核对确认 → 上传材料 → 短信验证.
"""

from __future__ import annotations

from bot import validators as v
from bot.config import Settings
from bot.documents import document_url
from bot.flows import Choice, FieldIs, Flow, Step, StepKind
from bot.masking import mask_bank_account, mask_id_number, mask_phone
from handlers.common import (
    address_steps,
    agreement_step,
    confirm_step,
    id_number_validator,
    id_type_step,
    invoice_extra_steps,
    project_material_steps,
    project_steps,
    quote,
    sms_step,
    upload_step,
    years_step,
)

BANK_TRANSFER = "bank_transfer"
LEGAL_PHONE = "legal_phone"
HANDLER_PHONE = "handler_phone"

AUTH_METHODS = (
    Choice(BANK_TRANSFER, "对公账户打款", "证书密码在对公账户收到的 0.01 元打款附言中"),
    Choice(LEGAL_PHONE, "法人手机号", "证书密码以短信发送到法定代表人手机"),
    Choice(HANDLER_PHONE, "经办人手机号 + 法人授权书", "证书密码以短信发送到法定代表人手机"),
)


BANK_ONLY = FieldIs("auth_method", BANK_TRANSFER)  # bank fields only for 对公账户打款


def build_flow(settings: Settings) -> Flow:
    """The organisation flow, with the validity years offered by ``[prices]``."""
    return Flow(
        code="org",
        title="单位证书",
        order_kind="org",
        quote=quote(settings, "org"),
        intro="开始办理单位数字证书。请按提示逐项填写，填写过程中随时可以回复“帮助”。",
        steps=[
            *project_steps(settings),
            # 选择认证方式
            Step(
                "auth_method",
                "认证方式",
                "请选择企业身份认证方式：",
                StepKind.CHOICE,
                choices=AUTH_METHODS,
                section="认证方式",
            ),
            # 单位基本信息
            Step(
                "org_name",
                "单位名称",
                "请输入单位名称（与营业执照一致）。",
                validator=v.org_name,
                section="单位基本信息",
            ),
            Step(
                "uscc",
                "统一社会信用代码",
                "请输入 18 位统一社会信用代码（营业执照上可以找到）。",
                validator=v.uscc,
                section="单位基本信息",
            ),
            Step(
                "department",
                "部门",
                "请输入部门名称。",
                required=False,
                validator=v.free_text(50, label="部门"),
                section="单位基本信息",
            ),
            Step(
                "org_phone",
                "单位电话",
                "请输入单位电话，如 010-58515511。",
                required=False,
                validator=v.landline_or_mobile,
                section="单位基本信息",
            ),
            # 法定代表人信息
            Step(
                "legal_name",
                "法定代表人姓名",
                "请输入法定代表人姓名。",
                validator=v.person_name,
                section="法定代表人信息",
            ),
            Step(
                "legal_phone",
                "法人手机号",
                "请输入法定代表人的手机号。",
                validator=v.mobile,
                sensitive=True,
                masker=mask_phone,
                section="法定代表人信息",
            ),
            id_type_step("legal_id_type", "法人证件类型", section="法定代表人信息"),
            Step(
                "legal_id_number",
                "法人证件号",
                "请输入法定代表人的证件号码。",
                contextual=id_number_validator("legal_id_type"),
                sensitive=True,
                masker=mask_id_number,
                section="法定代表人信息",
            ),
            # 证书高级信息
            years_step(settings, "org"),
            # 企业账户银行付款 (only when the password comes by bank transfer)
            Step(
                "account_name",
                "账户名称",
                "",
                editable=False,
                when=BANK_ONLY,
                default=lambda a: a.get("org_name", ""),
                section="企业账户银行付款",
            ),
            Step(
                "bank_account",
                "账号",
                "请输入单位对公账户账号。",
                validator=v.bank_account,
                when=BANK_ONLY,
                sensitive=True,
                masker=mask_bank_account,
                section="企业账户银行付款",
            ),
            Step(
                "bank_name",
                "开户行名称",
                "请输入开户行名称，如 北京银行股份有限公司中关村支行。",
                validator=v.free_text(100, label="开户行名称"),
                when=BANK_ONLY,
                section="企业账户银行付款",
            ),
            Step(
                "bank_address",
                "开户行地址",
                "请输入开户行所在地址，如 北京市海淀区。",
                validator=v.free_text(100, label="开户行地址"),
                when=BANK_ONLY,
                section="企业账户银行付款",
            ),
            # 发票信息
            Step(
                "invoice_title",
                "发票抬头",
                "",
                editable=False,
                default=lambda a: a.get("org_name", ""),
                section="发票信息",
            ),
            Step(
                "taxpayer_id",
                "纳税人识别号",
                "请输入纳税人识别号。",
                validator=v.taxpayer_id,
                default=lambda a: a.get("uscc", ""),
                section="发票信息",
            ),
            *invoice_extra_steps(),
            # 经办人信息 (the seed's 联系人信息 repeats it: asked once)
            Step(
                "handler_auth",
                "经办人认证方式",
                "",
                editable=False,
                default=lambda a: "经办人实名手机号",
                section="经办人信息",
            ),
            Step(
                "handler_name",
                "经办人姓名",
                "请输入经办人姓名。",
                validator=v.person_name,
                section="经办人信息",
            ),
            Step(
                "handler_phone",
                "经办人手机号",
                "请输入经办人本人实名登记的手机号。",
                validator=v.mobile,
                sensitive=True,
                masker=mask_phone,
                section="经办人信息",
            ),
            id_type_step("handler_id_type", "经办人证件类型", section="经办人信息"),
            Step(
                "handler_id_number",
                "经办人身份证号",
                "请输入经办人证件号码。",
                required=False,
                contextual=id_number_validator("handler_id_type"),
                sensitive=True,
                masker=mask_id_number,
                section="经办人信息",
            ),
            Step(
                "handler_email",
                "经办人电子邮箱",
                "请输入经办人电子邮箱（用于接收电子发票、解锁授权码）。",
                validator=v.email,
                section="经办人信息",
            ),
            # 邮寄地址 (where the Key is mailed)
            *address_steps("mail", "邮寄"),
            agreement_step(settings),
            confirm_step(),
            upload_step("license_photo", "营业执照", "请发送营业执照照片（清晰、完整、无遮挡）。"),
            upload_step("handler_id_photo", "经办人身份证正面", "请发送经办人身份证人像面照片。"),
            upload_step(
                "authorization_photo",
                "企业授权书",
                "请发送加盖公章的企业授权书照片。",
                links=(
                    (
                        "企业授权书模板",
                        document_url(settings.server.public_url, "authorization-letter"),
                    ),
                ),
            ),
            upload_step("legal_id_photo", "法人身份证正面", "请发送法定代表人身份证人像面照片。"),
            *project_material_steps(settings, "org"),
            sms_step("sms_code", "handler_phone"),
        ],
    )
