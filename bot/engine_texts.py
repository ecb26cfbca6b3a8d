"""Texts of the conversation engine (Simplified Chinese), whatever the flow."""

PROGRESS = "第 {n}/{total} 步 · {label}"
OPTIONAL = "（选填，不填请回复“跳过”）"
CHOICE_HOW = "请回复序号 {numbers}"
DEFAULT_HOW = "回复“默认”使用：{value}"
INVALID = "❌ {reason}"
ACCEPTED_MASKED = "已记录：{value}"
UPLOAD_HOW = "请直接发送照片（拍照或从相册选择）。"
WANT_PHOTO = "这一步需要发送照片，请点击输入框旁的“+”，选择“照片”或“拍摄”。"
WANT_TEXT = "这一步需要输入文字，请直接回复。"
SKIP_WORDS = frozenset({"跳过", "无", "没有", "不填"})
DEFAULT_WORDS = frozenset({"默认", "同上", "同统一社会信用代码"})

VERBS_HELP = (
    "随时可以回复：\n"
    "“上一步” 返回修改上一项\n"
    "“修改 序号” 修改某一项（如“修改 3”）\n"
    "“进度” 查看填写进度\n"
    "“取消” 放弃本次申请\n"
    "“人工” 联系人工客服"
)
HELP = "{hint}\n\n" + VERBS_HELP
NOTHING_TO_GO_BACK = "已经是第一步了，没有上一步。"
CANCEL_CONFIRM = (
    "确定要取消本次{title}申请吗？已填写的内容将被删除。\n回复 1 确定取消，回复 2 继续填写。"
)
CANCELLED = "已取消本次申请，填写的内容已删除。需要时可随时重新办理。"
CANCEL_KEPT = "好的，继续填写。"
WELCOME_BACK = "欢迎回来！"
RESUME_OFFER = (
    "您有一份未完成的{title}申请（已填写 {done}/{total} 项）。\n"
    "回复 1 继续填写，回复 2 重新开始（原来填写的内容将被删除）。"
)
YES_NO_AGAIN = "请回复 1 或 2。"
FIELD_NOT_ASKED = "“{label}”在当前选择下不需要填写。"
FIELD_UNKNOWN = "没有这一项：{key}"
NOT_YET = "请先完成前面的步骤，再办理“{label}”。"
NOTHING_TO_SEND = "当前步骤不需要发送验证码。"
NO_DRAFT = "您当前没有正在办理的申请。"
PROGRESS_REPORT = "{title}：已填写 {done}/{total} 项，当前是 {current}。"
HAND_OVER = "正在为您转接人工客服，请稍候。也可拨打客服电话 {phone}。"
EDIT_WHICH = "没有找到要修改的项目“{what}”。请回复“修改 序号”，序号见下方确认信息。"
EDIT_NOT_ALLOWED = "“{label}”不能修改：{reason}"
NOT_EDITABLE_REASON = "它与单位名称保持一致。"

SUMMARY_HEAD = "请核对以下填写内容是否正确："
SUMMARY_LINE = "{n}. {label}：{value}"
SUMMARY_FIXED = "   {label}：{value}"
SUMMARY_EMPTY = "（未填）"
SUMMARY_QUOTE = "应付金额：{amount}"
SUMMARY_HOW = "确认无误请回复 1 “确认订单”；需要修改请回复“修改 序号”（如“修改 3”）。"
CONFIRM_AGAIN = "请回复 1 确认订单，或回复“修改 序号”修改某一项。"
CONSENT_HOW = "阅读后回复 1 “同意”继续。"
SMS_SENT = "验证码已发送至 {phone}，请回复收到的 6 位验证码。没收到可回复“重发”。"
SMS_RESEND_WORDS = frozenset({"重发", "重新发送", "再发一次"})
ALREADY_HANDLED = "这条消息已经处理过了，不会重复记录。"
ALREADY_HANDLED_SUBMITTED = "这条消息已经处理过了，您的申请已提交。"
ALREADY_HANDLED_DONE = (
    "这条消息已经处理过了，您的申请已提交。回复“支付”获取付款二维码，或通过菜单“订单查询”查看进度。"
)
