"""User-facing texts of the machinery (Simplified Chinese), kept together.

Flow prompts live with their flow declarations in ``handlers``; these are the texts the
channels and the engine use whatever the flow.
"""

SYSTEM_BUSY = (
    "抱歉，系统暂时繁忙，您这条消息没有处理成功。您之前填写的内容都已保存，请稍后再发一次。"
    "如需帮助，请拨打客服电话 {phone}。"
)
UNSUPPORTED_MESSAGE = "暂不支持语音、视频等消息，请直接输入文字，或点击下方菜单选择要办理的业务。"

SERVICES_MENU = (
    "请选择要办理的业务（点击下方菜单，或回复序号）：\n"
    "1. 单位证书新办\n"
    "2. 个人证书新办\n"
    "3. 证书更新\n"
    "4. 证书解锁\n"
    "5. 订单查询"
)
WELCOME = "您好，欢迎关注{name}！在这里可以在线办理数字证书，全程无需到场。\n\n" + SERVICES_MENU
NOT_ONLINE_YET = "该业务暂未开通在线办理，请拨打客服电话 {phone} 咨询办理方式。"

# Certificate renewal (seed section 2) and its reminders.
RENEWAL_TOO_EARLY = "证书有效期剩余 {days} 天，到期前 {window} 天内方可更新。"
RENEWAL_TOO_LATE = "证书已过期超过 {grace} 天，无法更新，请重新申请。"
RENEWAL_REMINDER_BEFORE = (
    "【证书到期提醒】您的{kind}（{subject}）将于 {expiry} 到期，剩余 {days} 天。\n"
    "到期前 90 天内即可在线更新，新证书有效期在原截止日期基础上顺延。"
    "请点击菜单“证书更新”办理。"
)
RENEWAL_REMINDER_AFTER = (
    "【证书过期提醒】您的{kind}（{subject}）已于 {expiry} 过期 {days} 天，过期后无法正常使用。\n"
    "过期 365 天内仍可在线更新，请点击菜单“证书更新”办理；超过 365 天需重新申请。"
)
CERTIFICATE_KIND_NAMES = {"org": "单位数字证书", "personal": "个人数字证书"}
