"""The console's machinery: the sub-application, its guard middleware, pages and login.

Every handler declares who may call it with ``@allow(role, ...)`` (admins may do everything)
or ``@public``; the guard refuses anything undeclared. Every POST must carry the session's
CSRF token (the login form: a double-submit cookie). Every answer carries strict security
headers; session cookies are HttpOnly, SameSite=Strict and Secure outside development.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from bot.admin import auth
from bot.admin.deadline import local_time
from bot.engine import Engine
from bot.services import Services
from models.staff import Staff, StaffRole, StaffSession

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

SESSION_COOKIE = "certdesk_admin"
LOGIN_COOKIE = "certdesk_admin_login"
CSRF_FIELD = "csrf"
ADMIN_SERVICES: web.AppKey[Services] = web.AppKey("admin_services", Services)
ADMIN_ENGINE: web.AppKey[Engine] = web.AppKey("admin_engine", Engine)
SESSION: web.RequestKey[StaffSession] = web.RequestKey("admin_session", StaffSession)
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
ORDER_NO = re.compile(r"[A-Z0-9]{4,32}")
TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


TEMPLATES.filters["local"] = local_time
TEMPLATES.globals["status_label"] = {
    "draft": "填写中",
    "submitted": "待支付",
    "paid": "待审核",
    "rejected": "退回修改中",
    "approved": "审核通过，制作中",
    "shipped": "已寄出",
    "completed": "已完成",
    "cancelled": "已取消",
    "closed": "已关闭",
}
TEMPLATES.globals["role_label"] = {"reviewer": "审核员", "operator": "制证员", "admin": "管理员"}


def allow(*roles: StaffRole) -> Callable[[Handler], Handler]:
    """Let staff with one of ``roles`` (and admins) call the handler."""

    def mark(handler: Handler) -> Handler:
        handler.admin_roles = frozenset({*roles, StaffRole.ADMIN})  # type: ignore[attr-defined]
        return handler

    return mark


def public(handler: Handler) -> Handler:
    """Let anyone call the handler (the login page, the stylesheet)."""
    handler.admin_public = True  # type: ignore[attr-defined]
    return handler


def roles_of(handler: Any) -> frozenset[StaffRole] | None:
    """The roles a handler allows; None for a public one."""
    if getattr(handler, "admin_public", False):
        return None
    return frozenset(getattr(handler, "admin_roles", frozenset()))


def staff_of(request: web.Request) -> Staff:
    """The signed-in staff member of a guarded request."""
    staff: Staff = request[SESSION].staff
    return staff


def render(
    request: web.Request, template: str, context: Mapping[str, Any], status: int = 200
) -> web.Response:
    """A page from ``templates/`` with the session's staff and CSRF token."""
    session = request.get(SESSION)
    page = TEMPLATES.get_template(template).render(
        staff=session.staff if session else None,
        csrf=session.csrf_secret if session else "",
        **context,
    )
    return web.Response(text=page, content_type="text/html", charset="utf-8", status=status)


def text_input(value: object, limit: int = 200) -> str:
    """A form or query value as text: control characters dropped, trimmed, at most ``limit``."""
    text = value if isinstance(value, str) else ""
    return "".join(c for c in text if unicodedata.category(c) != "Cc").strip()[:limit]


def order_no_of(request: web.Request) -> str:
    """The order number in the path; empty when it cannot be one."""
    value = request.match_info.get("order_no", "")
    return value if ORDER_NO.fullmatch(value) else ""


def services_of(request: web.Request) -> Services:
    """The process's services."""
    return request.app[ADMIN_SERVICES]


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Sign-in, role, CSRF checks; security headers on every answer, errors included."""
    try:
        response = await _checked(request, handler)
    except web.HTTPException as exc:
        exc.headers.update(SECURITY_HEADERS)
        raise
    response.headers.update(SECURITY_HEADERS)
    return response


async def _checked(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.match_info.http_exception is not None:
        raise request.match_info.http_exception  # no such page (404 / 405)
    route_handler = request.match_info.handler
    roles = roles_of(route_handler)
    if roles is None:
        if request.method == "POST":
            form = await request.post()
            cookie = request.cookies.get(LOGIN_COOKIE, "")
            if not auth.same_secret(str(form.get(CSRF_FIELD, "")), cookie):
                raise web.HTTPForbidden(text="表单已失效，请刷新页面后重试。")
        return await handler(request)
    session = await auth.session_for(request.cookies.get(SESSION_COOKIE, ""))
    if session is None:
        if request.method == "GET":
            raise web.HTTPSeeOther("/admin/login")
        raise web.HTTPForbidden(text="请先登录。")
    if session.staff.role not in roles:
        raise web.HTTPForbidden(text="您的角色无权进行此操作。")
    if request.method not in {"GET", "HEAD"}:
        form = await request.post()
        if not auth.same_secret(str(form.get(CSRF_FIELD, "")), session.csrf_secret):
            raise web.HTTPForbidden(text="表单已失效，请刷新页面后重试。")
    request[SESSION] = session
    return await handler(request)


def _cookie_flags(request: web.Request) -> dict[str, Any]:
    secure = not services_of(request).settings.server.dev
    return {"httponly": True, "samesite": "Strict", "secure": secure, "path": "/admin/"}


@public
async def login_page(request: web.Request) -> web.StreamResponse:
    """The sign-in form (with a fresh double-submit CSRF cookie)."""
    return _login_form(request, "")


def _login_form(request: web.Request, error: str, status: int = 200) -> web.Response:
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", {"login_csrf": token, "error": error}, status)
    response.set_cookie(LOGIN_COOKIE, token, max_age=3600, **_cookie_flags(request))
    return response


@public
async def login_submit(request: web.Request) -> web.StreamResponse:
    """Check the password; on success start a session and go to the console."""
    form = await request.post()
    config = services_of(request).settings.admin
    try:
        signed = await auth.login(
            text_input(form.get("username"), 64), str(form.get("password", ""))[:256], config
        )
    except auth.LoginRefused as exc:
        return _login_form(request, str(exc), status=401)
    home = "/admin/production" if signed.staff.role is StaffRole.OPERATOR else "/admin/"
    response = web.Response(status=303, headers={"Location": home})
    max_age = int(config.session_hours * 3600)
    response.set_cookie(SESSION_COOKIE, signed.token, max_age=max_age, **_cookie_flags(request))
    response.del_cookie(LOGIN_COOKIE, path="/admin/")
    return response


@allow(StaffRole.REVIEWER, StaffRole.OPERATOR)
async def logout(request: web.Request) -> web.StreamResponse:
    """End the session."""
    await auth.logout(request[SESSION])
    response = web.Response(status=303, headers={"Location": "/admin/login"})
    response.del_cookie(SESSION_COOKIE, path="/admin/")
    return response


@public
async def stylesheet(request: web.Request) -> web.StreamResponse:
    """The console's stylesheet."""
    return web.FileResponse(Path(__file__).parent / "templates" / "admin.css")


def create_admin_app(services: Services, engine: Engine) -> web.Application:
    """The console as a sub-application, mounted at ``/admin/``."""
    from bot.admin import fulfil_views, money_views, review_views

    app = web.Application(middlewares=[guard])
    app[ADMIN_SERVICES] = services
    app[ADMIN_ENGINE] = engine
    app.router.add_get("/login", login_page)
    app.router.add_post("/login", login_submit)
    app.router.add_post("/logout", logout)
    app.router.add_get("/admin.css", stylesheet)
    app.router.add_routes(review_views.routes())
    app.router.add_routes(fulfil_views.routes())
    app.router.add_routes(money_views.routes())
    return app
