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

# -- material photos ---------------------------------------------------------------------------

PHOTO_WHAT_TO_SEND = "请拍照或从相册选择 jpg、png 格式的照片发送。"
PHOTO_REFUSED = {
    "too_large": "照片太大了（超过 20 MB），请换一张或截图后发送。",
    "not_an_image": "收到的文件不是照片。" + PHOTO_WHAT_TO_SEND,
    "unsupported_format": "收到的文件不是照片（或是不支持的格式，如 PDF、GIF）。"
    + PHOTO_WHAT_TO_SEND,
    "animated": "不支持动图。" + PHOTO_WHAT_TO_SEND,
    "truncated": "照片没有完整传过来（文件不完整），请重新发送一次。",
    "bomb": "这张图片的尺寸异常，无法处理，请重新拍摄后发送。",
    "too_small": "照片太小，看不清内容，请靠近文件重新拍摄（短边至少 600 像素）。",
    "foreign_content": "这个文件里除了图片还夹带了其他内容，无法接收。" + PHOTO_WHAT_TO_SEND,
}
PHOTO_WARNINGS = {
    "small": "照片分辨率偏低，文字可能看不清，请靠近文件、让文件占满画面后重拍",
    "dark": "照片偏暗，文字看不清，请在光线充足处重拍",
    "overexposed": "照片过亮、文字发白，请避开强光和闪光灯后重拍",
    "blurred": "照片模糊，请对准文件、保持手机稳定，对焦清晰后重拍",
}
PHOTO_WARNINGS_FOR_REVIEWER = {  # what the console shows of a photo the applicant kept anyway
    "small": "分辨率偏低（申请人仍选择使用）",
    "dark": "照片偏暗（申请人仍选择使用）",
    "overexposed": "照片过亮（申请人仍选择使用）",
    "blurred": "照片可能模糊（申请人仍选择使用）",
}
MATERIAL_STATUS = {"pending": "待审核", "accepted": "已通过", "rejected": "已退回"}
PHOTO_RETAKE = (
    "⚠️ 这张照片可能影响审核：\n{reasons}\n\n"
    "请直接发送重拍的照片；如确认照片清晰可用，请回复“仍然使用”。"
)
PHOTO_KEEP_WORDS = frozenset({"仍然使用", "仍然使用这张", "继续使用", "就用这张"})
PHOTO_NOTHING_TO_KEEP = "还没有收到这一步的照片，请先发送照片。"
PHOTO_EXPIRED = "图片已过期，请重新发送这张照片。"
PHOTO_UNAVAILABLE = "暂时无法读取照片，请稍后再发送一次。"

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
PAY_PAGE_TITLE = "支付证书费用"
PAY_PAGE_EXPIRED = "支付链接已失效，请返回公众号回复“支付”重新获取。"
PAY_PAGE_PAID = "该订单已支付，无需重复支付。请返回公众号查看审核进度。"
PAY_PAGE_CLOSED = "该订单当前不能支付，请返回公众号回复“支付”或联系客服 {phone}。"
PAY_PAGE_FAILED = "暂时无法发起支付，请稍后刷新本页重试，或返回公众号回复“支付”。"

# -- order notices (bot.notices): title, status line and what to do next ----------------------
NOTICE_TITLES = {
    "order_paid": "订单支付成功",
    "review_passed": "申请审核通过",
    "review_failed": "申请需要修改",
    "certificate_produced": "证书已制作",
    "password_sent": "证书密码已发送",
    "shipped": "USB Key 已寄出",
    "invoice_issued": "发票已开具",
    "refunded": "退款成功",
}
NOTICE_STATUS = {
    "order_paid": "支付成功，等待审核（3 个工作日内）",
    "review_passed": "审核通过，正在制作证书",
    "review_failed": "审核未通过，请按提示修改",
    "certificate_produced": "证书已制作完成",
    "password_sent": "证书密码已通过{channel}发送",
    "shipped": "已寄出（{courier} {tracking_no}）",
    "invoice_issued": "发票已开具",
    "refunded": "已退款 ¥{amount}",
}
NOTICE_DETAIL = {
    "order_paid": "审核结果会通过本公众号通知您，请留意消息。",
    "review_passed": "证书制作完成后将通知您。",
    "review_failed": (
        "需要修改：\n{items}\n请在本公众号回复“继续”，按提示只修改以上内容，无需再次支付。"
    ),
    "certificate_produced": "证书密码将通过{channel}发送给您，USB Key 随后寄出。",
    "password_sent": "请注意查收，妥善保管，不要告诉他人。",
    "shipped": "快递：{courier}，运单号：{tracking_no}。收到后即可使用。",
    "invoice_issued": "电子发票已发送至您的邮箱。",
    "refunded": "¥{amount} 已按原支付方式退回，一般 1 至 3 个工作日到账。",
}
# review_failed of an order made in the mini-program: it is fixed there, not in chat
NOTICE_DETAIL_FIX_IN_MP = (
    "需要修改：\n{items}\n请在小程序“订单查询”中打开该订单，按提示只修改以上内容，无需再次支付。"
)
NOTICE_TEXT = "【{title}】\n订单号：{order_no}\n状态：{status}\n{detail}"
NOTICE_LINK = "\n查看订单：{url}"
PASSWORD_CHANNELS = {
    "org": "短信（法定代表人手机 {phone}）",
    "personal": "短信（手机 {phone}）",
    "transfer": "对公账户打款附言",
}

# -- the issued certificate file uploaded in the console (bot.ca.uploaded) -------------------
CERT_FILE_EMPTY = "请选择 CA 签发的证书文件（.cer / .crt / .pem）。"
CERT_FILE_TOO_LARGE = "文件过大，证书文件通常只有几 KB，请确认选择的是证书文件。"
CERT_FILE_UNREADABLE = "无法识别该文件，请上传 CA 签发的证书文件（PEM 或 DER 格式的 .cer / .crt）。"
CERT_FILE_NOT_CERTIFICATE = "该文件是私钥或证书请求，不是证书，请上传 CA 签发的证书文件。"
CERT_FILE_NOT_ONE = "文件中应有且只有一张申请人的证书（CA 证书除外），请只导出申请人的证书后上传。"
CERT_FILE_WRONG_NAME = "证书主题中的名称与订单的单位名称或姓名不一致，请确认上传的是本订单的证书。"
CERT_FILE_WRONG_IDENTIFIER = (
    "证书主题中没有本订单的统一社会信用代码或证件号码，请确认上传的是本订单的证书。"
)
CERT_FILE_EXPIRED = "该证书已过期，请上传本次签发的证书。"
CERT_SERIAL_TAKEN = "该证书序列号已登记在其他订单上，请确认证书是否正确。"

# -- fixing what the review sent back (handlers.review) ---------------------------------------
FIX_ITEM = "您的订单 {order_no} 需要修改（第 {n}/{total} 项）：{label}\n原因：{reason}\n\n{prompt}"
FIX_WANT_PHOTO = "请发送“{label}”的新照片。"
FIX_SEE_PHOTO = '<a href="{url}">查看被退回的照片</a>（{minutes} 分钟内有效）'
FIX_WANT_TEXT = "请直接回复新的“{label}”。"
FIX_NOTHING = "该订单没有需要修改的内容。"
FIX_NOT_AN_ITEM = "这一项不需要修改，请只修改审核退回的内容。"
FIX_UPLOAD_PHOTO = "请上传“{label}”的新照片。"
FIX_FILL_VALUE = "请填写新的“{label}”。"
FIX_DONE = (
    "✅ 已全部修改，订单 {order_no} 已重新提交审核，无需再次支付。"
    "CA 将在 3 个工作日内完成审核，结果会通过本公众号通知您。"
)

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
RENEWAL_REMINDER_NOTICE = "renewal_reminder"  # its [notices] templates key
RENEWAL_REMINDER_TITLES = {"before": "证书到期提醒", "after": "证书过期提醒"}
RENEWAL_REMINDER_STATUS = {"before": "剩余 {days} 天", "after": "已过期 {days} 天"}
RENEWAL_REMINDER_LINK = '\n<a href="{url}">点击这里办理证书更新</a>'
RENEWAL_LINK_TITLE = "证书更新"
RENEWAL_LINK_OPENED = "已在公众号中为您打开“证书更新”，请返回公众号对话，按提示办理。"
RENEWAL_LINK_RETURN = "请返回公众号，点击菜单“证书更新”办理。"
RENEWAL_LINK_EXPIRED = "链接已失效。请在公众号中点击菜单“证书更新”办理。"

# Key bridge pairing (the QR code shown by the certificate assistant on the PC).
BRIDGE_PAIRED = "已连接电脑上的证书助手（{user}）。请保持 Key 插入，并按微信中的提示继续办理。"
BRIDGE_PAIR_EXPIRED = (
    "这个二维码已失效或已被使用，请在电脑上的证书助手中点击“重新获取二维码”后再扫码。"
)
BRIDGE_USER = "微信用户（尾号 {tail}）"

# -- unlock authorization code (seed section 3: emailed to the handler) -----------------------

UNLOCK_CODE_SUBJECT = "数字证书解锁授权码"
UNLOCK_CODE_MAIL = (
    "您好：\n\n您正在办理数字证书（USB Key）解锁，解锁授权码为：{code}\n"
    "授权码 {minutes} 分钟内有效，只能使用一次。"
    "请在电脑上的证书助手中输入授权码，并设置新的 PIN 码。\n\n"
    "如非本人操作，请忽略本邮件，并联系客服。"
)

# -- electronic invoices (bot.invoices): the email and the download page ----------------------

INVOICE_MAIL_SUBJECT = "电子发票：订单 {order_no}"
INVOICE_MAIL = (
    "您好：\n\n附件是订单 {order_no}（{service}）的电子发票（PDF）。"
    "电子发票是国税局认可的有效凭证，其法律效力、基本用途及使用规定同纸质发票，"
    "如需纸质发票请下载后自行打印。\n\n"
    "如未收到或遗失，可在公众号“订单查询”中选择该订单的“发票”，回复“电子发票重新获取”重新发送。"
)
INVOICE_FILENAME = "电子发票-{order_no}.pdf"
INVOICE_LINK_GONE = "下载链接无效或已过期，请在公众号“订单查询”中重新获取。"
INVOICE_NOT_ISSUED = "该订单的发票尚未开具，开具后将自动发送至预留邮箱。"
INVOICE_NO_EMAIL = "该订单没有预留电子邮箱，请拨打客服电话获取发票。"
INVOICE_VOID = "订单已全额退款，该发票已作废（将由 CA 开具红字发票冲销），不再提供下载和发送。"
INVOICE_VOID_LABEL = "已作废（订单已全额退款）"
INVOICE_RESEND_TOO_OFTEN = "发票重新发送过于频繁，请 {minutes} 分钟后再试。"
