"""个人证书办理 (seed 1.2): the personal certificate application, field by field.

Seed order: 个人基本信息 → 证书信息 → 发票信息 → 协议 → 核对确认 → 上传材料 (身份证原件扫描件,
个人签章图片 from the downloadable 《个人签章采样表》) → 短信验证 → 支付.
"""

from __future__ import annotations

from bot import validators as v
from bot.config import Settings
from bot.documents import document_url
from bot.flows import Flow, Step
from bot.masking import mask_id_number, mask_phone
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


def build_flow(settings: Settings) -> Flow:
    """The personal flow, with the validity years offered by ``[prices]``."""
    return Flow(
        code="personal",
        title="个人证书",
        order_kind="personal",
        quote=quote(settings, "personal"),
        intro="开始办理个人数字证书。请按提示逐项填写，填写过程中随时可以回复“帮助”。",
        steps=[
            *project_steps(settings),
            # 个人基本信息
            Step(
                "user_name",
                "用户名",
                "请输入您的姓名（与身份证一致）。",
                validator=v.person_name,
                section="个人基本信息",
            ),
            Step(
                "org_name",
                "所属单位名称",
                "请输入您所属单位名称。",
                required=False,
                validator=v.org_name,
                section="个人基本信息",
            ),
            Step(
                "department",
                "部门",
                "请输入部门名称。",
                required=False,
                validator=v.free_text(50, label="部门"),
                section="个人基本信息",
            ),
            id_type_step("id_type", "证件类型", section="个人基本信息"),
            Step(
                "id_number",
                "证件号码",
                "请输入证件号码。",
                contextual=id_number_validator("id_type"),
                sensitive=True,
                masker=mask_id_number,
                section="个人基本信息",
            ),
            Step(
                "phone",
                "申请人手机号",
                "请输入您本人实名登记的手机号。",
                validator=v.mobile,
                sensitive=True,
                masker=mask_phone,
                section="个人基本信息",
            ),
            *address_steps("", "通讯"),
            Step(
                "email",
                "用户电子邮箱",
                "请输入电子邮箱（用于接收电子发票、解锁授权码）。",
                validator=v.email,
                section="个人基本信息",
            ),
            # 证书信息
            years_step(settings, "personal"),
            # 发票信息
            Step(
                "invoice_title",
                "发票抬头",
                "请输入发票抬头（个人可填写姓名）。",
                validator=v.free_text(100, min_len=2, label="发票抬头"),
                default=lambda a: a.get("org_name") or a.get("user_name", ""),
                section="发票信息",
            ),
            Step(
                "taxpayer_id",
                "纳税人识别号",
                "请输入纳税人识别号（单位报销需要）。",
                required=False,
                validator=v.taxpayer_id,
                section="发票信息",
            ),
            *invoice_extra_steps(),
            agreement_step(settings),
            confirm_step(),
            upload_step(
                "id_photo", "身份证原件扫描件", "请发送身份证人像面照片（原件拍摄，清晰完整）。"
            ),
            upload_step(
                "seal_photo",
                "个人签章图片",
                "请下载《个人签章采样表》，打印后签名或盖个人印章，再加盖单位公章，拍照发送。",
                links=(
                    (
                        "个人签章采样表",
                        document_url(settings.server.public_url, "seal-sample-form"),
                    ),
                ),
            ),
            *project_material_steps(settings, "personal"),
            sms_step("sms_code", "phone"),
        ],
    )
