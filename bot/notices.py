"""Order notices: what applicants hear about their order, exactly once per change.

Each ``notify_*`` function enqueues a ``notice.send`` job; call it inside the transaction of
the state change it announces. The job key is per (order, kind[, review round]), so a notice
is never queued twice. For an order made in the mini-program the job first sends a subscribe
message when the applicant allowed one (``bot.subscribe_quota``). Otherwise it sends a template
message to the official-account follower when ``[notices] templates`` has one
for the kind, otherwise a customer-service text (WeChat accepts it inside the 48-hour window);
when WeChat refuses for good (the user unfollowed, 43004; out of the window, 45015; …) it falls
back to an SMS to the order's contact phone. Network errors and WeChat's temporary errors are
retried by the worker. The certificate password is never part of a notice.
"""

from __future__ import annotations

from typing import Any

from bot import texts as T
from bot.china_time import shanghai_minute
from bot.config import NOTICE_VALUES
from bot.logs import get_logger
from bot.money import yuan
from bot.outbox import PermanentJobError, enqueue, job_handler, utcnow
from bot.services import Services
from bot.sms import ORDER_NOTICE, SmsError, SmsUnavailable
from bot.subscribe_quota import mp_openid, send_by_subscription
from bot.wechat.client import WeChatAPIError, WeChatUnavailable
from models.orders import Order, answer_context
from models.users import WeChatUser

log = get_logger(__name__)

JOB = "notice.send"
CONTACT_PHONE = {"org": "handler_phone", "personal": "phone"}  # who hears about the order
# WeChat answers after which retrying the same message cannot help: SMS instead.
UNDELIVERABLE = {
    40003,  # invalid openid (e.g. a mini-program user)
    43004,  # the user unfollowed the account
    43101,  # the user refused the message
    45015,  # customer-service message outside the 48-hour window
    45047,  # too many customer-service messages without a reply
    40037,  # template id unknown (misconfiguration; the applicant still hears)
}
KINDS = tuple(T.NOTICE_TITLES)


async def _notify(
    order: Order, kind: str, key: str, detail: str | None = None, **values: str
) -> None:
    """Enqueue the notice ``kind`` of ``order`` under the idempotency ``key`` (``detail``: a
    template replacing the kind's usual detail)."""
    payload = {
        "order_no": order.order_no,
        "kind": kind,
        "title": T.NOTICE_TITLES[kind],
        "status": T.NOTICE_STATUS[kind].format(**values),
        "detail": (detail or T.NOTICE_DETAIL[kind]).format(**values),
        "time": shanghai_minute(utcnow()),
        "amount": values.get("amount", ""),
        "key": key,
    }
    await enqueue(JOB, payload, dedupe_key=key)


async def notify_order_paid(order: Order) -> None:
    """Payment received; review within 3 working days."""
    await _notify(order, "order_paid", f"notice:{order.order_no}:order_paid")


async def notify_review_passed(order: Order, review_round: int) -> None:
    """The review approved the order (round ``review_round``)."""
    await _notify(order, "review_passed", f"notice:{order.order_no}:review_passed:{review_round}")


async def notify_review_failed(order: Order, review_round: int, items: list[str]) -> None:
    """The review found ``items`` to fix (one line each: what and why); an order made in the
    mini-program is fixed there, one made in chat in chat."""
    lines = "\n".join(f"{n}. {item}" for n, item in enumerate(items, start=1))
    key = f"notice:{order.order_no}:review_failed:{review_round}"
    where = T.NOTICE_DETAIL_FIX_IN_MP if await mp_openid(order) else None
    await _notify(order, "review_failed", key, where, items=lines)


async def notify_certificate_produced(order: Order, channel: str) -> None:
    """The certificate exists; the password comes by ``channel`` (a label, no secret)."""
    key = f"notice:{order.order_no}:certificate_produced"
    await _notify(order, "certificate_produced", key, channel=channel)


async def notify_password_sent(order: Order, channel: str) -> None:
    """The password went out by ``channel``; the password itself is never in a notice."""
    await _notify(order, "password_sent", f"notice:{order.order_no}:password_sent", channel=channel)


async def notify_shipped(order: Order, courier: str, tracking_no: str) -> None:
    """The Key is on its way."""
    key = f"notice:{order.order_no}:shipped"
    await _notify(order, "shipped", key, courier=courier, tracking_no=tracking_no)


async def notify_invoice_issued(order: Order) -> None:
    """The invoice was issued (sent by email)."""
    await _notify(order, "invoice_issued", f"notice:{order.order_no}:invoice_issued")


async def notify_refunded(order: Order, out_refund_no: str, amount_fen: int) -> None:
    """A refund of ``amount_fen`` reached the payer (one notice per refund)."""
    key = f"notice:{order.order_no}:refunded:{out_refund_no}"
    await _notify(order, "refunded", key, amount=yuan(amount_fen))


def order_link(services: Services, order_no: str) -> str:
    """The page of an order that every notice links to (empty when not configured)."""
    template = services.settings.notices.order_url
    return template.replace("{order_no}", order_no) if template else ""


def contact_phone(services: Services, order: Order) -> str | None:
    """The order's contact phone in clear (the handler's, or the applicant's)."""
    key = CONTACT_PHONE.get(order.kind, "")
    stored = order.answers.get(key)
    if not stored:
        return None
    return services.cipher.decrypt(stored, context=answer_context(order.order_no, key))


async def recipient(order: Order) -> str | None:
    """The official-account openid to notify: the applicant's own, or for an application made
    in the mini-program, the follower with the same UnionID (None: no way in WeChat)."""
    if await mp_openid(order) is None:
        return order.owner_openid
    if order.owner_unionid:
        follower = await WeChatUser.filter(channel="oa", unionid=order.owner_unionid).first()
        if follower is not None:
            return follower.openid
    return None


@job_handler(JOB)
async def send_notice(payload: dict[str, Any], services: Services) -> None:
    """Deliver one notice: WeChat template or text message, SMS when WeChat cannot."""
    order = await Order.get_or_none(order_no=str(payload.get("order_no", "")))
    if order is None:
        raise PermanentJobError("order not found")
    if await send_by_subscription(services, order, payload):
        return
    openid = await recipient(order)
    if openid is None:
        await _by_sms(services, order, str(payload["status"]))
        return
    config = services.settings.notices
    kind = str(payload["kind"])
    url = order_link(services, order.order_no)
    try:
        template = config.templates.get(kind)
        if template:
            values = {name: str(payload.get(name, "")) for name in NOTICE_VALUES}
            values["order_no"] = order.order_no
            data = {field: values[value] for field, value in config.fields.items()}
            await services.wechat.send_template(
                openid, template, data, url=url or None, client_msg_id=payload["key"]
            )
        else:
            text = T.NOTICE_TEXT.format(order_no=order.order_no, **_texts(payload))
            await services.wechat.send_text(
                openid, text + (T.NOTICE_LINK.format(url=url) if url else "")
            )
        return
    except WeChatUnavailable:
        raise  # network / 5xx: the worker retries
    except WeChatAPIError as exc:
        if exc.errcode not in UNDELIVERABLE:
            raise
        log.info("notice undeliverable in WeChat", extra={"errcode": exc.errcode, "kind": kind})
    await _by_sms(services, order, str(payload["status"]))


async def _by_sms(services: Services, order: Order, status: str) -> None:
    if not services.settings.notices.sms_fallback:
        raise PermanentJobError("WeChat cannot deliver and the SMS fallback is off")
    phone = contact_phone(services, order)
    if phone is None:
        raise PermanentJobError("WeChat cannot deliver and the order has no contact phone")
    try:
        await services.sms.send(phone, ORDER_NOTICE, [order.order_no, status])
    except SmsUnavailable:
        raise
    except SmsError as exc:
        raise PermanentJobError(f"SMS refused: {exc.code}") from exc


def _texts(payload: dict[str, Any]) -> dict[str, str]:
    return {name: str(payload.get(name, "")) for name in ("title", "status", "detail")}
