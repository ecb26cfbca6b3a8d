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

# -- payment (WeChat Pay) ------------------------------------------------------------------------
PAY_QR = (
    "请支付证书费用 ¥{amount}（订单号 {order_no}）：\n"
    "· 上方二维码可由单位财务人员扫码支付：长按识别或用另一台手机扫码；\n"
    '· 也可以在微信内直接支付：<a href="{url}">点此支付</a>（{minutes} 分钟内有效）。\n'
    "二维码失效后回复“支付”可重新获取。"
)
PAY_UNAVAILABLE = (
    "订单已保存，但支付二维码暂时无法生成。请稍后回复“支付”重新获取；"
    "如需帮助，请拨打客服电话 {phone}。"
)
PAY_NOT_OPEN = "在线支付暂未开通，请拨打客服电话 {phone}，工作人员会告诉您付款方式。"
PAY_NOTHING_DUE = "您目前没有待支付的订单。如需办理业务，请点击下方菜单。"
PAY_ALREADY_PAID = "订单 {order_no} 已支付，正在等待审核（3 个工作日内），无需重复支付。"
PAY_WORDS = frozenset({"支付", "付款", "缴费", "重新支付", "支付链接"})
PAID_NOTICE = (
    "✅ 支付成功，等待审核（3 个工作日内）。\n订单号：{order_no}\n"
    "审核结果会通过本公众号通知您，请留意消息。"
)
PAY_PAGE_TITLE = "支付证书费用"
PAY_PAGE_EXPIRED = "支付链接已失效，请返回公众号回复“支付”重新获取。"
PAY_PAGE_PAID = "该订单已支付，无需重复支付。请返回公众号查看审核进度。"
PAY_PAGE_CLOSED = "该订单当前不能支付，请返回公众号回复“支付”或联系客服 {phone}。"
PAY_PAGE_FAILED = "暂时无法发起支付，请稍后刷新本页重试，或返回公众号回复“支付”。"
