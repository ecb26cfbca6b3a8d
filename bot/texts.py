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

# Key bridge pairing (the QR code shown by the certificate assistant on the PC).
BRIDGE_PAIRED = "已连接电脑上的证书助手（{user}）。请保持 Key 插入，并按微信中的提示继续办理。"
BRIDGE_PAIR_EXPIRED = (
    "这个二维码已失效或已被使用，请在电脑上的证书助手中点击“重新获取二维码”后再扫码。"
)
BRIDGE_USER = "微信用户（尾号 {tail}）"
