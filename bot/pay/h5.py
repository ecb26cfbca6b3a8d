"""The in-WeChat pay page for official-account users: ``GET /pay/h5/{token}``.

The chat sends a link whose token is signed (HMAC with the lookup key), expires, and is bound
to one order and one openid: the page makes (or reuses) that user's JSAPI payment and calls
``WeixinJSBridge.invoke("getBrandWCPayRequest", ...)`` with the signed parameters.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass

from aiohttp import web

from bot import signed_links, texts
from bot.config import ConfigError
from bot.logs import get_logger
from bot.pay.client import PayError, build_pay_client
from bot.pay.orders import NotPayable, payable_payment
from bot.services import Services
from models.orders import Order, OrderStatus
from models.payments import TradeType

log = get_logger(__name__)

PATH = "/pay/h5"
_PURPOSE = "pay-h5"


@dataclass(frozen=True)
class PayLink:
    """What a pay-page token grants: paying ``order_id`` as ``openid`` until ``expires``."""

    order_id: int
    openid: str
    expires: int


def make_token(key: bytes, link: PayLink) -> str:
    """A URL-safe signed token for ``link``."""
    payload = {"order": link.order_id, "openid": link.openid}
    return signed_links.make_token(key, _PURPOSE, payload, link.expires)


def read_token(key: bytes, token: str, now: float | None = None) -> PayLink | None:
    """The link of a valid, unexpired token; None for anything else."""
    grant = signed_links.read_token(key, _PURPOSE, token, now)
    if grant is None:
        return None
    order_id, openid = grant.payload.get("order"), grant.payload.get("openid")
    if not isinstance(order_id, int) or not isinstance(openid, str) or not openid:
        return None
    return PayLink(order_id, openid, grant.expires)


def pay_url(services: Services, order: Order, openid: str) -> str:
    """The signed link to the pay page of ``order`` for ``openid``."""
    settings = services.settings
    expires = signed_links.expiry(settings.pay.h5_link_minutes)
    token = make_token(services.lookup_key, PayLink(order.id, openid, expires))
    return f"{settings.server.public_url.rstrip('/')}{PATH}/{token}"


class PayPage:
    """Serves the pay page."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def routes(self) -> list[web.RouteDef]:
        """The route to add to the application."""
        return [web.get(PATH + "/{token}", self.page)]

    async def page(self, request: web.Request) -> web.Response:
        """The page: pay button with signed JSAPI parameters, or why it cannot pay."""
        phone = self.services.settings.service.phone
        link = read_token(self.services.lookup_key, request.match_info["token"])
        order = await Order.get_or_none(id=link.order_id) if link is not None else None
        if link is None or order is None or order.owner_openid != link.openid:
            return _page(texts.PAY_PAGE_EXPIRED, status=403)
        if order.status not in (OrderStatus.SUBMITTED, OrderStatus.CLOSED):
            paid = order.status not in (OrderStatus.DRAFT, OrderStatus.CANCELLED)
            return _page(texts.PAY_PAGE_PAID if paid else texts.PAY_PAGE_CLOSED.format(phone=phone))
        try:
            client = build_pay_client(self.services)
            payment = await payable_payment(
                self.services, client, order, TradeType.JSAPI, openid=link.openid
            )
        except NotPayable:
            return _page(texts.PAY_PAGE_CLOSED.format(phone=phone))
        except (PayError, ConfigError) as exc:
            log.warning("pay page cannot prepay", extra={"error": str(exc)})
            return _page(texts.PAY_PAGE_FAILED, status=503)
        assert payment.prepay is not None
        params = client.jsapi_params(payment.prepay, payment.appid)
        amount = f"¥{payment.amount_fen / 100:.2f}"
        return _page(f"订单号：{order.order_no}，应付金额：{amount}", params=params)


def _page(message: str, *, status: int = 200, params: dict[str, str] | None = None) -> web.Response:
    script = ""
    button = ""
    if params is not None:
        data = json.dumps(params).replace("<", "\\u003c")
        button = '<button id="pay">立即支付</button><p id="result"></p>'
        script = f"""<script>
var PARAMS = {data};
function pay() {{
  WeixinJSBridge.invoke("getBrandWCPayRequest", PARAMS, function (res) {{
    var done = res.err_msg === "get_brand_wcpay_request:ok";
    document.getElementById("result").textContent = done
      ? "支付完成，请返回公众号查看结果。" : "支付未完成，可再次点击支付。";
  }});
}}
document.getElementById("pay").onclick = function () {{
  if (typeof WeixinJSBridge === "undefined") {{
    document.addEventListener("WeixinJSBridgeReady", pay, false);
  }} else {{ pay(); }}
}};
</script>"""
    body = f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{html.escape(texts.PAY_PAGE_TITLE)}</title></head>
<body><h3>{html.escape(texts.PAY_PAGE_TITLE)}</h3><p>{html.escape(message)}</p>{button}{script}
</body></html>"""
    return web.Response(
        text=body,
        status=status,
        content_type="text/html",
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )
