"""The two application flows (seed 1.1 and 1.2) on the engine: photo uploads, the SMS check
of the handler's phone, and submitting the confirmed order for payment.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from bot import engine_texts as T
from bot import texts
from bot.engine import Engine, Reprompt, Turn, normalise
from bot.flows import Step, StepKind
from bot.messages import Answer, Inbound, Reply, TextReply
from bot.mp_api import CHANNEL as MP_CHANNEL
from bot.notices import CONTACT_PHONE
from bot.outbox import utcnow
from bot.secrets_box import lookup_hash
from bot.services import Services
from bot.sms import SmsError
from bot.sms_codes import CodeInvalid, CodeRateLimited
from bot.uploads import latest_material, prepare_inbound, store_material, warning_text
from bot.validators import Invalid
from bot.wechat.client import WeChatAPIError
from handlers import org_certificate, personal_certificate
from handlers.common import yuan
from handlers.payments import pay_again, payment_replies
from models.orders import Order, OrderStatus

MEDIA_EXPIRED = 40007  # WeChat: invalid media_id (temporary media live 3 days)
VERIFIED = "verified"
SMS_PURPOSE = "apply"
SUBMITTED = (
    "✅ 订单已提交。\n订单号：{order_no}\n{source}"
    "业务：{title}（{years} 年）\n应付金额：¥{amount}\n"
    "请按提示完成支付；支付后 CA 将在 3 个工作日内审核，结果会通过本公众号通知您。"
)
SUBJECT_FIELDS = {"org": ("uscc", "uscc"), "personal": ("id_number", "id_number")}


def build_engine(services: Services) -> Engine:
    """The engine running the organisation and personal certificate flows."""
    settings = services.settings
    flows = {
        flow.code: flow
        for flow in (
            org_certificate.build_flow(settings),
            personal_certificate.build_flow(settings),
        )
    }
    return Engine(
        services,
        flows,
        actions={StepKind.UPLOAD: _receive_photo, StepKind.SMS: _check_code},
        on_enter={StepKind.SMS: _send_code},
        on_complete=_submit,
        on_repeated_done=lambda inbound: _payment_again(services, inbound),
    )


async def _payment_again(services: Services, inbound: Inbound) -> list[Reply]:
    """A confirmation handled again after its submission (the first answer was lost): the
    payment, which a process killed right after the commit never showed."""
    return (await pay_again(services, inbound)).replies


async def _receive_photo(turn: Turn, step: Step, inbound: Inbound) -> str | None:
    """A photo (fetched from WeChat by MediaId, or uploaded directly by the mini-program),
    recorded as this step's material.

    In chat, a photo with quality warnings is stored but not yet taken: the applicant is asked
    for a retake and why, and may answer "仍然使用" to keep it (the reviewer sees the warnings).
    The mini-program takes it and shows the warnings next to the photo instead.
    """
    if inbound.kind == "text" and normalise(inbound.text) in texts.PHOTO_KEEP_WORDS:
        pending = await latest_material(turn.order, step.key)
        if pending is None:
            raise Invalid(texts.PHOTO_NOTHING_TO_KEEP)
        return str(pending.id)
    if inbound.kind != "image":
        return None
    if inbound.fetch_error is not None:
        raise Invalid(_fetch_failure(inbound.fetch_error))
    if inbound.photo_refused:
        raise Invalid(inbound.photo_refused)
    data = inbound.data or await _download(turn, inbound.media_id)
    material = await store_material(
        turn.services.files,
        turn.order,
        step.key,
        data,
        source=inbound.channel,
        image=inbound.photo,
        keep_original=turn.services.settings.storage.keep_originals,
    )
    chat = inbound.channel != MP_CHANNEL  # a form shows the warnings next to the photo
    if material.warnings and chat:
        raise Reprompt(warning_text(material.warnings))
    return str(material.id)


async def prefetch_photo(services: Services, inbound: Inbound) -> Inbound:
    """A chat photo with its bytes already downloaded and normalised, so neither happens
    inside the turn's database transaction; a failure is noted for the step to explain."""
    if inbound.kind != "image" or inbound.data or not inbound.media_id:
        return await prepare_inbound(inbound)
    try:
        media = await services.wechat.download_media(inbound.media_id)
    except WeChatAPIError as exc:
        unreachable = -1  # as WeChat's "system busy": ask to send it again later
        code = exc.errcode if exc.errcode is not None else unreachable
        return dataclasses.replace(inbound, fetch_error=code)
    return await prepare_inbound(dataclasses.replace(inbound, data=media.data))


async def _download(turn: Turn, media_id: str) -> bytes:
    """The photo behind a chat MediaId (the client retries transient failures)."""
    try:
        return (await turn.services.wechat.download_media(media_id)).data
    except WeChatAPIError as exc:
        raise Invalid(_fetch_failure(exc.errcode)) from exc


def _fetch_failure(errcode: int | None) -> str:
    return texts.PHOTO_EXPIRED if errcode == MEDIA_EXPIRED else texts.PHOTO_UNAVAILABLE


async def _send_code(turn: Turn, step: Step) -> str:
    """Send the SMS code to the phone the applicant gave; the text says where it went."""
    phone = turn.answers.get(step.phone_field, "")
    try:
        sent = await turn.services.sms_codes.send(
            phone, SMS_PURPOSE, turn.order.order_no, requester=turn.order.owner_openid
        )
    except CodeRateLimited as exc:
        return exc.user_message
    except SmsError as exc:
        return exc.user_message
    return T.SMS_SENT.format(phone=sent.masked_phone)


async def _check_code(turn: Turn, step: Step, inbound: Inbound) -> str | None:
    """Verify the code, or send a new one when the applicant asks for it."""
    if inbound.kind != "text":
        return None
    text = inbound.text.strip()
    if text in T.SMS_RESEND_WORDS:
        raise Reprompt(await _send_code(turn, step))
    phone = turn.answers.get(step.phone_field, "")
    try:
        await turn.services.sms_codes.verify(phone, SMS_PURPOSE, turn.order.order_no, text)
    except CodeInvalid as exc:
        raise Invalid(exc.user_message) from exc
    return VERIFIED


def index_order(order: Order, answers: Mapping[str, str], lookup_key: bytes) -> None:
    """What staff search orders by: the subject's hash and name, the contact phone's hash."""
    field, kind = SUBJECT_FIELDS[order.kind]
    order.subject_hash = lookup_hash(answers[field], lookup_key, kind=kind)
    order.subject_name = answers.get("org_name") or answers.get("user_name")
    order.phone_hash = lookup_hash(answers[CONTACT_PHONE[order.kind]], lookup_key, kind="phone")


async def _submit(turn: Turn) -> Answer:
    """Everything answered, confirmed, uploaded and verified: the order goes to payment."""
    order, settings = turn.order, turn.services.settings
    years = turn.answers.get("years", "1")
    order.project = turn.answers.get("project", "")
    amount = settings.price(order.kind, years, order.project)
    order.status = OrderStatus.SUBMITTED
    order.submitted_at = utcnow()
    order.amount_fen = amount
    index_order(order, turn.answers, turn.services.lookup_key)
    turn.conversation.order = None
    turn.conversation.history = []
    shown = yuan(amount) if amount else "以 CA 通知为准"
    project = settings.project(order.project)
    source = f"数字证书来源：{project.name}\n" if project is not None else ""
    text = SUBMITTED.format(
        order_no=order.order_no, source=source, title=turn.flow.title, years=years, amount=shown
    )
    # The mini-program pays through its own API; without a price the CA tells how to pay.
    if turn.conversation.channel != MP_CHANNEL and amount:
        # After the commit: a prepay for a submission that is then rolled back would leave
        # WeChat Pay holding this out_trade_no with a body the retried submission cannot repeat.
        turn.after_commit(
            lambda: payment_replies(turn.services, order, order.owner_openid),
            fallback=TextReply(texts.PAY_UNAVAILABLE.format(phone=settings.service.phone)),
        )
    return Answer([TextReply(text)])
