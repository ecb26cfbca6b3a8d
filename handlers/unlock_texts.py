"""Texts of the unlock flow (seed section 3, 证书解锁), in Simplified Chinese."""

from handlers.order_lookup import CodeMessages

STEPS = "1 申请解锁 → 2 获取授权码 → 3 校验授权码, 设置新密码 → 4 完成解锁"
HEAD = "证书解锁：{project}\n" + STEPS

# -- 1 申请解锁: which certificate ------------------------------------------------------------
CERTIFICATE_LINE = "{n}. {name}｜{project}｜有效期至 {until}"
PICK = "请选择要解锁的证书（Key），回复序号："
PICK_AGAIN = "请回复证书序号（1 至 {count}）；回复“退出”结束解锁。"
PICK_HINT = (
    "提示：在电脑上打开证书助手、插入 Key 并用微信扫码连接后，"
    "再点击“证书解锁”，可直接读取 Key 中的证书。"
)
NO_CERTIFICATE = (
    "没有找到您名下的数字证书。请在电脑上打开证书助手，插入需要解锁的 Key，"
    "用微信扫描证书助手上的二维码连接后，再点击“证书解锁”。"
)
UNKNOWN_CARD_CERTIFICATE = "Key 中的证书不是在本平台办理的，无法在线解锁，请拨打客服电话 {phone}。"
CARD_UNREADABLE = "暂时无法读取 Key 中的证书（{reason}）。"
IDENTIFIED = "证书：{name}（Key 序列号 {serial}）"
NOT_UNLOCKABLE = "该 Key 暂不支持在线解锁，请拨打客服电话 {phone} 办理。"
PUK_BLOCKED = (
    "该 Key 的解锁码已被锁定，Key 无法再解锁。请重新办理数字证书（补办 Key）："
    "回复 1 办理单位证书新办，回复 2 办理个人证书新办；如有疑问请拨打客服电话 {phone}。"
)

# -- verify identity ----------------------------------------------------------------------------
SMS_SENT = (
    "解锁验证码已发送至经办人手机 {phone}，请回复短信中的 6 位验证码。\n"
    "若该手机号已无法接收短信，请回复“其他验证方式”。"
)
SMS_FAILED = "{reason}\n若该手机号已无法接收短信，请回复“其他验证方式”。"
NO_PHONE = "该证书没有登记经办人手机号，请回复“其他验证方式”核验身份。"
ALTERNATIVES_MENU = "其他验证方式：请选择一种，填写证书申请时登记的信息：\n{lines}\n请回复序号。"
ALTERNATIVE_LINE = "{n}. {title}"
ALTERNATIVE_AGAIN = "请回复验证方式的序号（1 至 {count}）。"
ASK_FIELD = "{title}（{n}/{total}）：请输入{label}"
ASK_CHOICE = "{title}（{n}/{total}）：请输入{label}，回复序号：{choices}"
MISMATCH = "填写的信息与证书申请时登记的不一致，请核对后重新选择验证方式。\n{menu}"
TOO_MANY_CHECKS = "身份核验次数过多，请 {hours} 小时后再试，或拨打客服电话 {phone}。"

# -- 2 获取授权码 ------------------------------------------------------------------------------
CODE_SENT = (
    "身份核验通过。\n2 获取授权码：解锁授权码已发送至经办人邮箱 {email}，{minutes} 分钟内有效。\n"
    "3 校验授权码, 设置新密码：请在电脑上的证书助手中输入授权码，并设置新的 PIN 码"
    "（6 到 8 位数字，不能全部相同或是连续数字）。"
)
NO_EMAIL = "该证书没有登记经办人电子邮箱，无法发送解锁授权码，请拨打客服电话 {phone}。"
CODE_NOT_SENT = "解锁授权码发送失败，请稍后回复“重新发送”；仍不成功请拨打客服电话 {phone}。"
CONNECT_BRIDGE = (
    "请在电脑上打开证书助手，插入该 Key，用微信扫描证书助手上的二维码连接，连接后回复“继续”。"
)
ON_PC = "请在电脑上的证书助手中输入解锁授权码并设置新的 PIN 码；回复“重新发送”可重新获取授权码。"
RESENT = "新的解锁授权码已发送至经办人邮箱 {email}，{minutes} 分钟内有效，之前的授权码已失效。"

# -- on the PC (shown on the bridge and in chat) -----------------------------------------------
PC_WRONG_CODE = "授权码不正确，还可以再试 {tries_left} 次"
PC_BAD_FORMAT = "授权码是邮件中的 6 位数字"
CODE_VOID = "解锁授权码已失效（{reason}）。请在微信中回复“重新发送”获取新的授权码。"
WRONG_KEY = "电脑上插入的 Key 不是要解锁的 Key（{serial}），请插入正确的 Key 后在微信中回复“继续”。"
PC_CANCELLED = "已在电脑上取消解锁。需要时请在微信中回复“继续”。"
PC_OFFLINE = "电脑上的证书助手已断开，请重新打开证书助手并连接后，在微信中回复“继续”。"
PC_FAILED = (
    "解锁未完成：{reason}。请重新插入 Key 后在微信中回复“继续”；仍不成功请拨打客服电话 {phone}。"
)
PUK_REFUSED = "Key 未接受解锁操作，请拨打客服电话 {phone} 办理。"
PUK_BLOCKED_PC = "Key 的解锁码已锁定，无法解锁，请在微信中按提示重新办理数字证书。"
SUCCESS = (
    "证书解锁：{project}\n4 完成解锁\n恭喜您, 数字证书解锁成功! 证书解锁成功, 请牢记您的新密码。"
)
SUCCESS_PC = "恭喜您, 数字证书解锁成功! 证书解锁成功, 请牢记您的新密码"

# -- the conversation --------------------------------------------------------------------------
TEXT_ONLY = "正在办理证书解锁，请回复文字；回复“退出”结束解锁。"
ENDED = "已退出证书解锁。需要办理业务请点击下方菜单。"

CODE_MESSAGES = CodeMessages(sent=SMS_SENT, failed=SMS_FAILED, no_phone=NO_PHONE)
