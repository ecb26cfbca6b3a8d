"""The development console under ``/dev/``: a page and the small JSON API its script (and
``certdesk demo``) use to play WeChat users, the payer and the staff's helpers.

Every chat message goes to the real ``/wechat`` endpoint over HTTP as a signed, safe-mode
encrypted delivery; what certdesk sends back (passive replies, customer-service messages, template
notices) is read from the WeChat sandbox. Mounted only in development mode.
"""

from __future__ import annotations

import base64
import binascii
import functools
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.ca import build_ca
from bot.devconsole.appkeys import BRIDGE, DEV_SERVICES, FACTORY, OPENID, SANDBOX
from bot.devconsole.bridge import SimulatedBridge
from bot.devconsole.bridge_api import add_bridge_routes
from bot.devconsole.factory import KeyFactory
from bot.devconsole.sandbox import DevSandbox
from bot.mailer import ConsoleMailer
from bot.sandbox.photos import document_photo
from bot.sandbox.wechat_api import SentMessage
from bot.services import Services
from bot.sms import ConsoleSms
from bot.wechat.menu import load_menu
from bot.wechat.simulator import Delivery
from models.orders import Order
from models.payments import Payment, PaymentState

STATIC = Path(__file__).parent / "static"
SAMPLES = 4
HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
NOTICE_LABELS = {"order_no": "订单号", "status": "状态", "time": "时间", "detail": "说明"}


@web.middleware
async def json_posts_only(request: web.Request, handler: Handler) -> web.StreamResponse:
    """POSTs must be JSON: a page on another site cannot send that without the browser asking
    first, so it cannot drive the console."""
    if request.method == "POST" and request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(text="Content-Type: application/json expected")
    return await handler(request)


def create_dev_app(services: Services, sandbox: DevSandbox) -> web.Application:
    """The ``/dev`` sub-application; the dev staff accounts are (re)set when it starts."""
    app = web.Application(middlewares=[json_posts_only])
    app[SANDBOX] = sandbox
    app[DEV_SERVICES] = services
    app[BRIDGE] = SimulatedBridge()
    app[FACTORY] = KeyFactory(services, ca=build_ca(services))  # the CA renewal issues from
    app.router.add_get("/", page)
    app.router.add_static("/static/", STATIC)
    app.router.add_get("/api/info", info)
    app.router.add_post("/api/chat/{openid}", send)
    app.router.add_get("/api/chat/{openid}/messages", messages)
    app.router.add_get("/api/chat/{openid}/orders", orders)
    app.router.add_post("/api/pay/{openid}", pay)
    app.router.add_get("/api/media/{media_id}", media)
    app.router.add_get("/api/samples/{number}", sample)
    app.router.add_get("/api/outbox", outbox)
    add_bridge_routes(app)
    app.on_startup.append(_seed_staff)
    app.on_cleanup.append(_stop_bridge)
    return app


async def _seed_staff(app: web.Application) -> None:
    from bot.admin.auth import add_staff

    sandbox = app[SANDBOX]
    for username, role in sandbox.staff:
        await add_staff(username, role, sandbox.password)


async def _stop_bridge(app: web.Application) -> None:
    await app[BRIDGE].stop()
    app[FACTORY].close()


def _openid(request: web.Request) -> str:
    openid = request.match_info["openid"]
    if not OPENID.fullmatch(openid):
        raise web.HTTPBadRequest(text="openid: o followed by letters, digits, - or _")
    return openid


async def page(request: web.Request) -> web.FileResponse:
    """The console page (the script fills it from ``/dev/api/info``)."""
    return web.FileResponse(STATIC / "console.html", headers=HEADERS)


async def info(request: web.Request) -> web.Response:
    """The menu, the staff accounts and the sample photos."""
    sandbox = request.app[SANDBOX]
    settings = request.app[DEV_SERVICES].settings
    return web.json_response(
        {
            "menu": load_menu(settings.wechat.menu_file)["button"],
            "staff": [
                {"username": name, "role": role.value, "password": sandbox.password}
                for name, role in sandbox.staff
            ],
            "samples": [f"/dev/api/samples/{n}" for n in range(1, SAMPLES + 1)],
            "service": settings.service.name,
        }
    )


async def send(request: web.Request) -> web.Response:
    """One message from a simulated user: ``{"kind": "text", "content"}``, ``{"kind": "click",
    "key"}``, ``{"kind": "subscribe"}`` or ``{"kind": "photo", "sample": n | "data": base64}``.
    Answers certdesk's passive reply as a chat item (or null)."""
    sandbox = request.app[SANDBOX]
    openid = _openid(request)
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="JSON expected") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="JSON object expected")
    delivery = _delivery(sandbox, openid, body)
    services = request.app[DEV_SERVICES]
    async with services.http.post(
        str(request.url.origin()) + "/wechat",
        params=delivery.params,
        data=delivery.body.encode(),
    ) as response:
        text = await response.text()
        if response.status != 200:
            raise web.HTTPBadGateway(text=f"/wechat answered {response.status}: {text[:200]}")
    return web.json_response({"reply": _passive_item(sandbox.simulator.reply_tree(text))})


def _delivery(sandbox: DevSandbox, openid: str, body: dict[str, Any]) -> Delivery:
    kind = body.get("kind")
    simulator = sandbox.simulator
    if kind == "text":
        content = str(body.get("content", "")).strip()[:600]
        if not content:
            raise web.HTTPBadRequest(text="content: empty")
        sandbox.wechat.note_user_message(openid)
        return simulator.text(openid, content)
    if kind in ("click", "subscribe", "scan"):
        sandbox.wechat.note_user_event(openid)
        created = sandbox.event_time(openid)
        if kind == "subscribe":
            return simulator.event(openid, "subscribe", create_time=created)
        event = "CLICK" if kind == "click" else "SCAN"  # scan: a QR code's scene
        return simulator.event(openid, event, str(body.get("key", ""))[:64], create_time=created)
    if kind == "photo":
        media_id = sandbox.wechat.add_media(_photo_bytes(body), "image/jpeg")
        sandbox.wechat.note_user_message(openid)
        return simulator.image(openid, media_id)
    raise web.HTTPBadRequest(text="kind: text, click, subscribe, scan or photo")


def _photo_bytes(body: dict[str, Any]) -> bytes:
    if "sample" in body:
        try:
            return _sample_photo(int(body["sample"]))
        except (TypeError, ValueError):
            raise web.HTTPBadRequest(text=f"sample: 1 to {SAMPLES}") from None
    try:
        data = base64.b64decode(str(body.get("data", "")), validate=True)
    except binascii.Error:
        raise web.HTTPBadRequest(text="data: base64 of the photo") from None
    if not data:
        raise web.HTTPBadRequest(text="data: empty")
    return data


@functools.cache
def _sample_photo(number: int) -> bytes:
    if not 1 <= number <= SAMPLES:
        raise ValueError(number)
    return document_photo(1400, 1000, seed=number)


def _passive_item(tree: dict[str, Any]) -> dict[str, Any] | None:
    kind = tree.get("MsgType")
    if kind == "text":
        return {"kind": "text", "via": "reply", "text": str(tree.get("Content", ""))}
    if kind == "image":
        media_id = str((tree.get("Image") or {}).get("MediaId", ""))
        return {"kind": "image", "via": "reply", "url": f"/dev/api/media/{media_id}"}
    if kind:
        return {"kind": "other", "via": "reply", "text": f"[{kind}]"}
    return None


def chat_item(message: SentMessage, fields: dict[str, str]) -> dict[str, Any]:
    """A message certdesk sent through the API, as the chat shows it; ``fields`` are the
    template fields' meanings (``[notices] fields``)."""
    body = message.body
    if message.kind == "template":
        data = body.get("data", {})
        title = next((k for k, meaning in fields.items() if meaning == "title"), "first")
        return {
            "kind": "notice",
            "via": "template",
            "title": str(data.get(title, {}).get("value", "")),
            "lines": [
                f"{NOTICE_LABELS.get(fields.get(key, ''), key)}：{value.get('value', '')}"
                for key, value in data.items()
                if key != title
            ],
            "url": str(body.get("url", "")),
        }
    msgtype = body.get("msgtype")
    if msgtype == "text":
        return {"kind": "text", "via": message.kind, "text": str(body["text"]["content"])}
    if msgtype == "image":
        media_id = body["image"]["media_id"]
        return {"kind": "image", "via": message.kind, "url": f"/dev/api/media/{media_id}"}
    return {"kind": "other", "via": message.kind, "text": f"[{msgtype or message.kind}]"}


async def messages(request: web.Request) -> web.Response:
    """What certdesk sent to one user through the API after message number ``after``."""
    openid = _openid(request)
    after = _int(request.query.get("after", "0"))
    sent = request.app[SANDBOX].wechat.sent
    fields = request.app[DEV_SERVICES].settings.notices.fields
    items = [
        {"n": n, **chat_item(message, fields)}
        for n, message in enumerate(sent, start=1)
        if n > after and message.touser == openid
    ]
    return web.json_response({"messages": items, "last": len(sent)})


async def orders(request: web.Request) -> web.Response:
    """The user's orders, newest first (number and status)."""
    found = await Order.filter(owner_openid=_openid(request)).order_by("-id").limit(20)
    return web.json_response(
        {"orders": [{"order_no": o.order_no, "status": o.status.value} for o in found]}
    )


async def pay(request: web.Request) -> web.Response:
    """The user scans the QR code (or opens the pay link) and pays the newest unpaid payment: the
    sandbox sends certdesk the signed, encrypted notification and says how it was answered."""
    openid = _openid(request)
    sandbox = request.app[SANDBOX]
    payments = await Payment.filter(order__owner_openid=openid, state=PaymentState.UNPAID).order_by(
        "-id"
    )
    for payment in payments:
        order = sandbox.pay.orders.get(payment.out_trade_no)
        if order is None or order.trade_state != "NOTPAY":
            continue
        delivery = await sandbox.pay.pay(payment.out_trade_no, openid=openid)
        return web.json_response(
            {
                "out_trade_no": payment.out_trade_no,
                "amount_fen": payment.amount_fen,
                "notify_status": delivery.status if delivery else None,
                "error": delivery.error if delivery else "no notification sent",
            }
        )
    return web.json_response({"error": "这个用户没有待支付的订单"}, status=404)


async def media(request: web.Request) -> web.Response:
    """A media file held by the WeChat sandbox (QR codes certdesk uploaded, users' photos)."""
    found = request.app[SANDBOX].wechat.media(request.match_info["media_id"])
    if found is None:
        raise web.HTTPNotFound()
    return web.Response(body=found.data, content_type=found.content_type, headers=HEADERS)


async def sample(request: web.Request) -> web.Response:
    """A sample document photo (1 to 4)."""
    try:
        data = _sample_photo(int(request.match_info["number"]))
    except ValueError:
        raise web.HTTPNotFound() from None
    return web.Response(body=data, content_type="image/jpeg")


async def outbox(request: web.Request) -> web.Response:
    """SMS and email messages kept by the console providers, and the template notices sent."""
    services = request.app[DEV_SERVICES]
    sms = services.sms
    mailer = services.mailer
    sent = request.app[SANDBOX].wechat.sent
    return web.json_response(
        {
            "sms": [
                {
                    "phone": m.phone,
                    "purpose": m.purpose,
                    "params": list(m.params),
                    "text": m.text,
                    "time": m.time,
                }
                for m in (sms.outbox if isinstance(sms, ConsoleSms) else ())
            ],
            "email": [
                {
                    "to": m.mail.to,
                    "subject": m.mail.subject,
                    "text": m.mail.text,
                    "attachments": [a.filename for a in m.mail.attachments],
                    "time": m.at,
                }
                for m in (mailer.outbox if isinstance(mailer, ConsoleMailer) else ())
            ],
            "notices": [
                {
                    "touser": m.touser,
                    "time": m.time,
                    **chat_item(m, services.settings.notices.fields),
                }
                for m in sent
                if m.kind == "template"
            ],
        }
    )


def _int(value: str) -> int:
    try:
        return max(0, int(value))
    except ValueError:
        return 0
