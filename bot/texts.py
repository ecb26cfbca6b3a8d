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

# -- order notices (bot.notices): title, status line and what to do next ----------------------
NOTICE_TITLES = {
    "order_paid": "订单支付成功",
    "review_passed": "申请审核通过",
    "review_failed": "申请需要修改",
    "certificate_produced": "证书已制作",
    "password_sent": "证书密码已发送",
    "shipped": "USB Key 已寄出",
    "invoice_issued": "发票已开具",
}
NOTICE_STATUS = {
    "order_paid": "已支付，等待审核",
    "review_passed": "审核通过，正在制作证书",
    "review_failed": "审核未通过，请按提示修改",
    "certificate_produced": "证书已制作完成",
    "password_sent": "证书密码已通过{channel}发送",
    "shipped": "已寄出（{courier} {tracking_no}）",
    "invoice_issued": "发票已开具",
}
NOTICE_DETAIL = {
    "order_paid": "CA 将在 3 个工作日内完成审核。",
    "review_passed": "证书制作完成后将通知您。",
    "review_failed": (
        "需要修改：\n{items}\n请在本公众号回复“继续”，按提示只修改以上内容，无需再次支付。"
    ),
    "certificate_produced": "证书密码将通过{channel}发送给您，USB Key 随后寄出。",
    "password_sent": "请注意查收，妥善保管，不要告诉他人。",
    "shipped": "快递：{courier}，运单号：{tracking_no}。收到后即可使用。",
    "invoice_issued": "电子发票已发送至您的邮箱。",
}
NOTICE_TEXT = "【{title}】\n订单号：{order_no}\n状态：{status}\n{detail}"
NOTICE_LINK = "\n查看订单：{url}"
PASSWORD_CHANNELS = {
    "org": "短信（法定代表人手机 {phone}）",
    "personal": "短信（手机 {phone}）",
    "transfer": "对公账户打款附言",
}

# -- fixing what the review sent back (handlers.review) ---------------------------------------
FIX_ITEM = "您的订单 {order_no} 需要修改（第 {n}/{total} 项）：{label}\n原因：{reason}\n\n{prompt}"
FIX_WANT_PHOTO = "请发送“{label}”的新照片。"
FIX_WANT_TEXT = "请直接回复新的“{label}”。"
FIX_DONE = (
    "✅ 已全部修改，订单 {order_no} 已重新提交审核，无需再次支付。"
    "CA 将在 3 个工作日内完成审核，结果会通过本公众号通知您。"
)
