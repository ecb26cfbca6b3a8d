"""``POST /api/mp/v1/orders/{order_no}/pay``: ``wx.requestPayment`` parameters for the
mini-program user's confirmed order (JSAPI prepay under the mini-program's AppID)."""

from __future__ import annotations

from aiohttp import web

from bot.config import ConfigError
from bot.logs import get_logger
from bot.pay.client import PayError, build_pay_client, is_configured
from bot.pay.orders import NotPayable, payable_payment
from bot.services import Services
from models.orders import Conversation, Order, OrderStatus
from models.payments import TradeType

log = get_logger(__name__)

CHANNEL = "mp"
NO_ORDER = "没有找到这个订单。"
NOT_PAYABLE = "该订单当前无需支付（已支付或已取消）。"
PAY_FAILED = "暂时无法发起支付，请稍后重试。"
PAY_NOT_OPEN = "在线支付暂未开通，请联系客服。"


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": code, "message": message}, status=status)


async def _owns(order: Order, openid: str) -> bool:
    """The order is the user's: made in the mini-program, or by the same UnionID."""
    if order.owner_openid == openid:
        return True
    if not order.owner_unionid:
        return False
    conversation = await Conversation.get_or_none(channel=CHANNEL, openid=openid)
    return conversation is not None and conversation.unionid == order.owner_unionid


async def pay_params(services: Services, order_no: str, openid: str) -> web.Response:
    """The signed ``timeStamp, nonceStr, package, signType, paySign`` (+ order and amount)."""
    order = await Order.get_or_none(order_no=order_no[:32])
    if order is None or not await _owns(order, openid):
        return _error(404, "no_order", NO_ORDER)
    if order.status is OrderStatus.PAID:
        return _error(409, "already_paid", NOT_PAYABLE)
    config = services.settings
    if not is_configured(config.pay) or not config.miniprogram.app_id:
        return _error(503, "pay_not_open", PAY_NOT_OPEN)
    try:
        client = build_pay_client(services)
        payment = await payable_payment(
            services,
            client,
            order,
            TradeType.JSAPI,
            openid=openid,
            appid=config.miniprogram.app_id,
        )
    except NotPayable:
        return _error(409, "not_payable", NOT_PAYABLE)
    except (PayError, ConfigError) as exc:
        log.warning("mini-program prepay failed", extra={"error": str(exc)})
        return _error(503, "pay_unavailable", PAY_FAILED)
    assert payment.prepay is not None
    params = client.jsapi_params(payment.prepay, payment.appid)
    params.pop("appId")  # signed, but wx.requestPayment does not take it
    return web.json_response(
        {"order_no": order.order_no, "amount_fen": payment.amount_fen, "payment": params}
    )
