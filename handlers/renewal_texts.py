"""Texts of the certificate renewal (seed section 2, 证书更新), in Simplified Chinese."""

from handlers.order_lookup import CodeMessages

HEAD = "证书更新"

# -- the Key ------------------------------------------------------------------------------------
CONNECT = (
    "证书更新：请在电脑上运行证书助手并插入 Key（只插一个），在更新业务结束前请不要拔出 Key。\n"
    "用微信扫描证书助手上的二维码连接后，回复“继续”。"
)
DOWNLOAD = "证书助手下载：{url}"
UNKNOWN_CARD_CERTIFICATE = "Key 中的证书不是在本平台办理的，无法在线更新，请拨打客服电话 {phone}。"
NO_CERTIFICATE_ON_KEY = "Key 中没有证书，请插入需要更新的 Key 后回复“继续”。"
ALREADY_RENEWED = "该证书已经更新过，Key 中应为新证书。如有疑问请拨打客服电话 {phone}。"
REVOKED = "该证书已注销，无法更新，请重新办理数字证书。"
NOT_RENEWABLE_ONLINE = "该 Key 暂不支持在线更新，请拨打客服电话 {phone} 办理。"
NOT_ELIGIBLE = "该证书暂不能更新：{reason}"
NEW_APPLICATION = "如需办理新证书，请回复 1 办理单位证书新办，回复 2 办理个人证书新办。"

# -- what the Key holds -------------------------------------------------------------------------
CERTIFICATE = (
    "证书信息：\n证书主题：{subject}\n数字证书来源：{project}\n"
    "有效期至：{expiry}\n{remaining}\n可以更新。"
)
DAYS_LEFT = "剩余天数：{days} 天"
EXPIRED_DAYS = "已过期：{days} 天"
YEARS_LINE = "{n}. 续期 {years} 年，¥{amount}，新证书有效期 {start} 至 {end}"
YEARS_AFTER_EXPIRY = "（已过期的证书，新证书有效期从写入 Key 之日起计算）"
PICK_YEARS = "请选择续期年限，回复序号："
PICK_YEARS_AGAIN = "请回复续期年限的序号（1 至 {count}）；回复“退出”结束证书更新。"
NO_PRICE = "证书更新暂未开通在线办理，请拨打客服电话 {phone}。"

# -- checks -------------------------------------------------------------------------------------
SMS_SENT = "为确认是证书持有人本人办理，验证码已发送至登记的手机 {phone}，请回复 6 位验证码。"
SMS_FAILED = "验证码发送失败：{reason}。请稍后回复“重新发送”。"
NO_PHONE = "该证书没有登记手机号，无法在线更新，请拨打客服电话 {phone}。"

# -- the order ----------------------------------------------------------------------------------
ORDER = (
    "请核对证书更新订单：\n数字证书来源：{project}\n{holder}\n"
    "证书有效期：{start} 至 {end}（{years} 年）\n发票：{invoice}\n金额：¥{amount}\n"
    "确认订单即表示同意《电子认证服务协议》和《隐私保护政策》。"
    "信息无误请回复“确认订单”；回复“修改”可修改发票信息和电子邮箱"
    "（单位或个人信息有变化请拨打客服电话 {phone}）；回复“退出”结束证书更新。"
)
HOLDER_ORG = "单位名称：{name}\n经办人：{handler}（{phone}）"
HOLDER_PERSONAL = "姓名：{name}\n手机：{phone}"
INVOICE_TITLE = "抬头 {title}，纳税人识别号 {taxpayer}，电子发票发送至 {email}"
INVOICE_NONE = "同原证书申请"
CONFIRM_AGAIN = "请回复“确认订单”提交证书更新订单，回复“修改”修改发票信息；回复“退出”结束证书更新。"
EDIT_MENU = "请选择要修改的信息，回复序号：\n{lines}"
EDIT_LINE = "{n}. {label}：{value}"
EDIT_PICK_AGAIN = "请回复要修改的信息的序号（1 至 {count}）。"
EDIT_ASK = "请输入新的{label}。{hint}"
EDIT_INVALID = "{reason}\n请重新输入{label}。"
ORDER_SUBMITTED = "证书更新订单已提交（订单号 {order_no}），请完成支付。"
WAIT_PAYMENT = "请完成证书更新订单的支付；回复“支付”可重新获取支付二维码。"

# -- on the PC ----------------------------------------------------------------------------------
PAID = (
    "支付成功（订单号 {order_no}）。请保持 Key 插入，在电脑上的证书助手中输入 Key 的 PIN 码，"
    "新证书将生成并写入 Key。"
)
RESUMING = "正在继续未完成的证书更新（订单号 {order_no}），请保持 Key 插入并按电脑上的提示操作。"
ON_PC = "证书更新正在电脑上进行，请按证书助手的提示操作；如已中断，请回复“继续”。"
CONNECT_TO_RESUME = (
    "证书更新（订单号 {order_no}）尚未完成。请在电脑上打开证书助手，插入该 Key，"
    "用微信扫码连接后回复“继续”，已支付的订单不会重复收费。"
)
SUCCESS = "证书更新成功，新证书有效期至 {expiry}。"
SUCCESS_PC = "证书更新成功，新证书有效期至 {expiry}"
WRONG_KEY = "电脑上插入的 Key 不是要更新的 Key（{serial}），请插入正确的 Key 后在微信中回复“继续”。"
INTERRUPTED = (
    "证书更新未完成：{reason}。已支付的订单不会重复收费，请重新插入 Key 并保持插入，"
    "然后在微信中回复“继续”。"
)
OFFLINE = (
    "电脑上的证书助手已断开，证书更新未完成。请重新打开证书助手并扫码连接后，"
    "在微信中回复“继续”，已支付的订单不会重复收费。"
)
CANCELLED = "已在电脑上取消输入 PIN 码，证书更新未完成。需要时请在微信中回复“继续”。"
REFUSED = "证书更新无法完成：{reason}。请拨打客服电话 {phone}。"
SUBJECT_CHANGED = "证书登记的信息与 Key 中的证书不一致"
CSR_REFUSED = "Key 生成的证书请求未通过校验"
CA_FAILED = "证书签发暂时失败，请稍后在微信中回复“继续”；仍不成功请拨打客服电话 {phone}。"
BUSY = "系统繁忙"
NOT_AS_ISSUED = "Key 中的证书与签发的不一致"

# -- the conversation --------------------------------------------------------------------------
TEXT_ONLY = "正在办理证书更新，请回复文字；回复“退出”结束证书更新。"
ENDED = "已退出证书更新。需要办理业务请点击下方菜单。"

CODE_MESSAGES = CodeMessages(sent=SMS_SENT, failed=SMS_FAILED, no_phone=NO_PHONE)
