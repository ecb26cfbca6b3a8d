"""``/api/mp/v1/``: the mini-program's JSON API over the same flows, validators and drafts.

- ``POST login`` ``{"code"}`` → ``jscode2session`` → a session token (Bearer, 7 days);
- ``GET services``; ``GET flows/{code}/schema`` (fields, kinds, choices, conditions, hints —
  generated from the flow declaration the chat runs);
- ``POST flows/{code}/draft`` (open or continue), ``GET draft``, ``PATCH draft``
  ``{"fields": {...}}`` → per-field errors, valid fields kept.

Errors are JSON ``{"error": code, "message": Chinese text}`` with a 4xx status.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import secrets
import time
from typing import Any

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from bot.bodies import read_at_most
from bot.engine import Engine, FormStep
from bot.flows import Flow, Step
from bot.messages import Inbound
from bot.pay.miniprogram import pay_params
from bot.services import Services
from bot.uploads import describe_material, material_for, prepare_inbound
from bot.wechat.client import WeChatAPIError

PREFIX = "/api/mp/v1"
SESSION_TTL = 7 * 24 * 3600
CHANNEL = "mp"
MAX_JSON = 64 * 1024
MAX_UPLOAD = 20 * 1024 * 1024
SMS_STEP = "sms_code"
UPLOAD_HOW = "请以 multipart 字段 file 上传照片（jpg、png、heic、webp）。"

LOGIN_REQUIRED = "登录已失效，请重新进入小程序。"
LOGIN_FAILED = "微信登录失败，请稍后重试。"
BAD_REQUEST = "请求格式不正确。"
NO_SUCH_FLOW = "没有这项业务。"
NO_DRAFT = "您当前没有正在办理的申请。"
SERVICES_LIST = [
    {"key": "org", "title": "单位证书新办"},
    {"key": "personal", "title": "个人证书新办"},
    {"key": "renew", "title": "证书更新"},
    {"key": "unlock", "title": "证书解锁"},
    {"key": "query", "title": "订单查询"},
]


def error(status: int, code: str, message: str) -> web.Response:
    """A JSON error the mini-program can show as it is."""
    return web.json_response({"error": code, "message": message}, status=status)


def step_schema(step: Step) -> dict[str, Any]:
    """One field of a form, from its declaration."""
    return {
        "key": step.key,
        "label": step.label,
        "kind": step.kind.value,
        "prompt": step.prompt,
        "hint": step.hint,
        "required": step.required,
        "editable": step.editable,
        "sensitive": step.sensitive,
        "section": step.section,
        "choices": [
            {"value": c.value, "label": c.label, "note": step.note_for(c, {})} for c in step.choices
        ],
        "when": step.when.describe() if step.when is not None else None,
        "links": [{"title": title, "url": url} for title, url in step.links],
    }


def flow_schema(flow: Flow) -> dict[str, Any]:
    """The whole form of a flow."""
    return {
        "code": flow.code,
        "title": flow.title,
        "steps": [step_schema(step) for step in flow.steps],
    }


class MiniProgramApi:
    """The routes of the mini-program API."""

    def __init__(self, services: Services, engine: Engine) -> None:
        self.services = services
        self.engine = engine
        self.client = services.mp_wechat

    def routes(self) -> list[web.RouteDef]:
        """The routes to add to the application."""
        return [
            web.post(f"{PREFIX}/login", self.login),
            web.get(f"{PREFIX}/services", self.list_services),
            web.get(f"{PREFIX}/flows/{{code}}/schema", self.schema),
            web.post(f"{PREFIX}/flows/{{code}}/draft", self.open_draft),
            web.get(f"{PREFIX}/draft", self.get_draft),
            web.patch(f"{PREFIX}/draft", self.fill_draft),
            web.post(f"{PREFIX}/draft/materials/{{slot}}", self.upload_material),
            web.post(f"{PREFIX}/draft/sms", self.send_code),
            web.post(f"{PREFIX}/draft/submit", self.submit),
            web.post(f"{PREFIX}/orders/{{order_no}}/pay", self.pay),
        ]

    # -- session --------------------------------------------------------------------------------

    async def login(self, request: web.Request) -> web.Response:
        """Exchange a ``wx.login`` code for a certdesk session token."""
        body = await read_json(request)
        code = body.get("code") if isinstance(body, dict) else None
        if not isinstance(code, str) or not 1 <= len(code) <= 128:
            return error(400, "bad_request", BAD_REQUEST)
        try:
            session = await self.client.code_to_session(code)
        except WeChatAPIError:
            return error(401, "login_failed", LOGIN_FAILED)
        token = secrets.token_urlsafe(32)
        record = {"openid": session["openid"], "unionid": session.get("unionid")}
        await self.services.store.set(_session_key(token), json.dumps(record), ttl=SESSION_TTL)
        if record["unionid"]:
            await self.engine.link(CHANNEL, record["openid"], str(record["unionid"]))
        return web.json_response({"token": token, "expires_in": SESSION_TTL})

    async def session(self, request: web.Request) -> tuple[str, str | None]:
        """``(openid, unionid)`` of the request's session; 401 (JSON) when there is none."""
        header = request.headers.get("Authorization", "")
        raw = None
        if header.startswith("Bearer ") and len(header) <= 200:
            raw = await self.services.store.get(_session_key(header[len("Bearer ") :].strip()))
        if raw is None:
            body = json.dumps(
                {"error": "login_required", "message": LOGIN_REQUIRED}, ensure_ascii=False
            )
            raise web.HTTPUnauthorized(text=body, content_type="application/json")
        record = json.loads(raw)
        return str(record["openid"]), record.get("unionid") or None

    async def _user(self, request: web.Request) -> str:
        """The openid of the request's session; 401 (JSON) when there is none."""
        return (await self.session(request))[0]

    # -- services and schemas -------------------------------------------------------------------

    async def list_services(self, request: web.Request) -> web.Response:
        """The five services and whether they can be done in the mini-program yet."""
        available = set(self.engine.flows)
        return web.json_response(
            {
                "services": [
                    {**service, "available": service["key"] in available}
                    for service in SERVICES_LIST
                ]
            }
        )

    async def schema(self, request: web.Request) -> web.Response:
        """A flow's form, generated from the declaration the chat runs."""
        flow = self.engine.flows.get(request.match_info["code"])
        if flow is None:
            return error(404, "no_such_flow", NO_SUCH_FLOW)
        return web.json_response(flow_schema(flow))

    # -- drafts ---------------------------------------------------------------------------------

    async def open_draft(self, request: web.Request) -> web.Response:
        """Open the user's draft of a flow (continuing one in progress)."""
        openid = await self._user(request)
        code = request.match_info["code"]
        if code not in self.engine.flows:
            return error(404, "no_such_flow", NO_SUCH_FLOW)
        view = await self.engine.open_form(CHANNEL, openid, code)
        return web.json_response({"draft": dataclasses.asdict(view)})

    async def get_draft(self, request: web.Request) -> web.Response:
        """The draft in progress, answers masked as in chat."""
        openid = await self._user(request)
        view = await self.engine.current_form(CHANNEL, openid)
        if view is None:
            return error(404, "no_draft", NO_DRAFT)
        return web.json_response({"draft": dataclasses.asdict(view)})

    async def fill_draft(self, request: web.Request) -> web.Response:
        """Submit several fields; 200 with the draft and the reason for each rejected field."""
        openid = await self._user(request)
        body = await read_json(request)
        fields = body.get("fields") if isinstance(body, dict) else None
        if (
            not isinstance(fields, dict)
            or not all(
                isinstance(k, str) and isinstance(v, str) and len(v) <= 500
                for k, v in fields.items()
            )
            or len(fields) > 100
        ):
            return error(400, "bad_request", BAD_REQUEST)
        view, errors = await self.engine.fill_form(CHANNEL, openid, fields)
        if view is None:
            return error(404, "no_draft", NO_DRAFT)
        return web.json_response({"draft": dataclasses.asdict(view), "errors": errors})

    async def upload_material(self, request: web.Request) -> web.Response:
        """A material photo as multipart field ``file`` for the upload step ``slot``."""
        openid = await self._user(request)
        data = await read_upload(request)
        if data is None:
            return error(400, "bad_request", UPLOAD_HOW)
        slot = request.match_info["slot"]
        inbound = Inbound(
            openid=openid, kind="image", create_time=int(time.time()), data=data, channel=CHANNEL
        )
        inbound = await prepare_inbound(inbound)  # before the transaction of the form's step
        result = await self.engine.fill_special(CHANNEL, openid, slot, inbound)
        if result.draft is None or result.error:
            return _form_step(result)
        material = await material_for(result.draft.order_no, slot)
        return web.json_response(
            {
                "draft": dataclasses.asdict(result.draft),
                "message": result.message,
                "material": (
                    describe_material(self.services, material, result.draft.order_no)
                    if material
                    else None
                ),
            }
        )

    async def send_code(self, request: web.Request) -> web.Response:
        """Send the SMS code once the form reached the SMS step."""
        openid = await self._user(request)
        return web.json_response({"message": await self.engine.enter_step(CHANNEL, openid)})

    async def submit(self, request: web.Request) -> web.Response:
        """Check the SMS code ``{"code"}``; a complete draft is then submitted for payment."""
        openid = await self._user(request)
        body = await read_json(request)
        code = body.get("code") if isinstance(body, dict) else None
        if not isinstance(code, str) or len(code) > 20:
            return error(400, "bad_request", BAD_REQUEST)
        inbound = Inbound(
            openid=openid, kind="text", create_time=int(time.time()), text=code, channel=CHANNEL
        )
        return _form_step(await self.engine.fill_special(CHANNEL, openid, SMS_STEP, inbound))

    async def pay(self, request: web.Request) -> web.Response:
        """``wx.requestPayment`` parameters for the user's confirmed order."""
        openid = await self._user(request)
        return await pay_params(self.services, request.match_info["order_no"], openid)


def _form_step(result: FormStep) -> web.Response:
    if result.draft is None:
        return error(404, "no_draft", result.error)
    if result.error:
        return web.json_response(
            {
                "error": "invalid",
                "message": result.error,
                "draft": dataclasses.asdict(result.draft),
            },
            status=422,
        )
    return web.json_response({"draft": dataclasses.asdict(result.draft), "message": result.message})


async def read_upload(request: web.Request) -> bytes | None:
    """The ``file`` part of a multipart upload, at most ``MAX_UPLOAD`` bytes."""
    if not request.content_type.startswith("multipart/"):
        return None
    try:
        reader = await request.multipart()
        async for part in reader:
            if isinstance(part, BodyPartReader) and part.name == "file":
                data = await part.read(decode=False)
                return bytes(data) if 0 < len(data) <= MAX_UPLOAD else None
    except (ValueError, AssertionError, web.HTTPException, HttpProcessingError):
        return None  # not multipart as the header says, or a part's headers unreadable
    return None


def _session_key(token: str) -> str:
    """Tokens are stored hashed: a store dump does not hand out sessions."""
    return "mp:session:" + hashlib.sha256(token.encode()).hexdigest()


async def read_json(request: web.Request) -> Any:
    """The request's JSON body (at most ``MAX_JSON`` bytes); None when it is not JSON."""
    if request.content_length is not None and request.content_length > MAX_JSON:
        return None
    raw = await read_at_most(request.content, MAX_JSON)
    if len(raw) > MAX_JSON:
        return None
    try:
        return json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        return None
