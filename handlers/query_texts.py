"""Texts of order query (seed section 4, 订单查询), in Simplified Chinese."""

QUERY_MENU = (
    "订单查询：\n"
    "1. 我的订单（本微信号提交的申请）\n"
    "2. 单位数字证书（按统一社会信用代码查询）\n"
    "3. 个人数字证书（按身份证件号码查询）\n"
    "请回复 1、2 或 3；回复“退出”结束查询。"
)
QUERY_MENU_AGAIN = "请回复 1、2 或 3；回复“退出”结束查询。"
ASK_USCC = "请输入单位的统一社会信用代码（18 位）："
ASK_ID_NUMBER = "请输入申请人的证件号码："
NO_ORDERS_FOUND = "没有查到该证件号码的订单，请核对后重新输入；回复“退出”结束查询。"
NO_OWN_ORDERS = "本微信号还没有提交过申请。如是他人代为申请，请回复 2 或 3 按证件号码查询。"
CODE_SENT = (
    "验证码已发送至预留手机 {phone}，请输入短信中的 6 位验证码（回复“重新发送”可再次获取）。"
)
NO_PHONE_ON_RECORD = "该订单没有可用的预留手机号，请拨打客服电话 {phone} 查询。"
TOO_MANY_LOOKUPS = "查询过于频繁，请 {minutes} 分钟后再试。"
QUERY_ENDED = "已退出订单查询。需要办理业务请点击下方菜单。"
QUERY_TEXT_ONLY = "正在查询订单，请回复文字；回复“退出”结束查询后再发送照片。"
QUERY_EXPIRED = "查询已超时，请重新点击“订单查询”。"

LIST_HEAD = "共 {count} 个订单（最新的在前）："
LIST_LINE = "{n}. {order_no}｜{title}｜{date}｜{amount}｜{status}"
LIST_HOW = "回复序号查看订单详情；回复“退出”结束查询。"
PICK_AGAIN = "请回复订单序号（1 至 {count}）。"

DETAIL_HEAD = "订单 {order_no}\n业务：{title}\n提交日期：{date}\n金额：{amount}\n状态：{status}"
DETAIL_NEXT = "下一步：{next}"
PAYMENT_LINE = "支付状态：{state}（¥{amount}）"
DETAIL_HOW = (
    "回复：1 继续办理　2 密码获取方式　3 发票　4 订单详情　5 电子发票重新获取　0 返回订单列表；"
    "“退出”结束查询。"
)
DETAIL_PICK_AGAIN = "请回复 1、2、3、4、5 或 0。"
NOT_YOUR_DRAFT = "该申请由其他微信号填写，请使用提交申请的微信号继续办理。"
FIX_BY_APPLICANT = (
    "该订单审核未通过，需由申请人在其提交申请的微信中修改（订单查询 → 我的订单 → 继续办理）。"
)
NOTHING_TO_CONTINUE = "该订单无需继续办理：{next}"
INVOICE_NOT_YET = "发票将在支付完成后开具，并发送至经办人电子邮箱 {email}。"
INVOICE_NO_EMAIL = "发票将在支付完成后开具。"
INVOICE_PENDING = "发票开具中，开具后将发送至经办人电子邮箱 {email}。"
INVOICE_ISSUED = (
    "发票已开具，已发送至经办人电子邮箱 {email}。\n"
    "查看及下载（24 小时内有效）：{url}\n"
    "未收到邮件？回复 5（电子发票重新获取）重新发送。"
)
INVOICE_CANCELLED = "订单已全额退款，发票申请已取消。"
INVOICE_VOID = "订单已全额退款，已开具的发票已作废（将开具红字发票冲销），不再提供下载。"
INVOICE_RESENT = "电子发票已重新发送至 {email}，请查收（可能在垃圾邮件中）。"
PARTIAL_REFUND = "（已退款 ¥{amount}）"
REFUND_PROCESSING = "（退款处理中）"

STATUS = {
    "draft": "填写中（未提交）",
    "submitted": "待支付",
    "paid": "已支付，等待审核",
    "rejected": "审核未通过，待修改",
    "approved": "审核通过，证书制作中",
    "shipped": "证书已寄出",
    "completed": "已完成",
    "cancelled": "已取消",
    "closed": "已关闭（超时未支付）",
}
NEXT_STEP = {
    "draft": "申请尚未提交，回复 1 继续填写。",
    "submitted": "请完成支付，回复 1 获取支付方式。",
    "paid": "CA 将在 3 个工作日内完成审核，结果会通过本公众号通知您。",
    "rejected": "请按审核意见修改后重新提交（无需再次支付），回复 1 开始修改。",
    "approved": "证书制作中，制作完成后将寄出 Key 并通知您。",
    "shipped": "Key 已寄出，请注意查收。",
    "completed": "业务已办结。",
    "cancelled": "申请已取消，如需办理请重新申请。",
    "closed": "订单因超时未支付已关闭，回复 1 可重新获取支付方式。",
}

DELIVERY_BY_SMS = "证书密码将在审核通过后以短信发送至{who}手机 {phone}。"
DELIVERY_SENT_BY_SMS = "证书密码已以短信发送至{who}手机 {phone}。"
DELIVERY_BY_TRANSFER = (
    "证书密码将在审核通过后由 CA 向单位对公账户（{account}）打款 0.01 元，"
    "打款附言即为证书密码，请向单位财务查询入账记录。"
)
DELIVERY_SENT_BY_TRANSFER = (
    "CA 已向单位对公账户（{account}）打款 0.01 元，打款附言即为证书密码，请向单位财务查询。"
)
LEGAL_REPRESENTATIVE = "法定代表人"
APPLICANT = "申请人"
