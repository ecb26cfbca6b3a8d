"""The console's gate: every /admin route refuses anonymous users and the wrong roles (the
routes are enumerated from the application, so a new one cannot be forgotten), posts without
the CSRF token are refused, repeated wrong passwords lock the account, cookies and headers are
strict."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.admin.web import roles_of
from bot.app import create_app
from bot.config import Settings
from bot.outbox import utcnow
from models.staff import AuditLog, Staff, StaffRole, StaffSession
from tests.test_admin_helpers import Console, console_settings, paid_order, staff

PUBLIC = {("GET", "/admin/login"), ("POST", "/admin/login"), ("GET", "/admin/admin.css")}
ROLES = (StaffRole.REVIEWER, StaffRole.OPERATOR, StaffRole.ADMIN)


async def console_client(settings: Settings, aiohttp_client) -> TestClient:  # type: ignore[no-untyped-def,type-arg]
    return await aiohttp_client(create_app(console_settings(settings), run_worker=False))


def admin_routes(app: web.Application) -> list[tuple[str, str, object]]:
    routes = []
    for route in app.router.routes():
        path = route.resource.canonical if route.resource is not None else ""
        if path.startswith("/admin") and route.method != "HEAD":
            routes.append((route.method, path, route.handler))
    return routes


def concrete(path: str, order_no: str) -> str:
    return path.replace("{order_no}", order_no).replace("{material_id}", "1")


async def test_every_admin_route_refuses_anonymous_and_wrong_roles(
    settings: Settings, aiohttp_client, services
) -> None:  # type: ignore[no-untyped-def]
    client = await console_client(settings, aiohttp_client)
    order = await paid_order(services)
    routes = admin_routes(client.app)
    assert len(routes) >= 15
    guarded = [(m, p, h) for m, p, h in routes if (m, p) not in PUBLIC]
    assert {(m, p) for m, p, _ in routes} >= PUBLIC
    for method, path, handler in guarded:
        url = concrete(path, order.order_no)
        response = await client.request(method, url, allow_redirects=False)
        assert response.status in {303, 403}, (method, path, response.status)
        if response.status == 303:
            assert response.headers["Location"] == "/admin/login"
        roles = roles_of(handler)
        assert roles, f"{method} {path} declares no roles"
    consoles = {}
    for role in ROLES:
        await staff(f"s-{role.value}", role)
    for role in ROLES:
        console = Console(await console_client(settings, aiohttp_client))
        assert (await console.login(f"s-{role.value}")).status == 303
        consoles[role] = console
    for method, path, handler in guarded:
        allowed = roles_of(handler) or frozenset()
        for role in ROLES:
            if role in allowed:
                continue
            console = consoles[role]
            url = concrete(path, order.order_no)
            if method == "GET":
                response = await console.get(url)
            else:
                response = await console.post(url)
            assert response.status == 403, (role, method, path)
    assert await order_status(order.order_no) == "paid"  # nothing changed by refused posts


async def order_status(order_no: str) -> str:
    from models.orders import Order

    return (await Order.get(order_no=order_no)).status.value


async def test_posts_without_csrf_token_are_refused(
    settings: Settings, aiohttp_client, services
) -> None:  # type: ignore[no-untyped-def]
    client = await console_client(settings, aiohttp_client)
    order = await paid_order(services)
    await staff("rita", StaffRole.REVIEWER)
    console = Console(client)
    assert (await console.login("rita")).status == 303
    for token in ("", "forged"):
        response = await client.post(
            f"/admin/orders/{order.order_no}/approve", data={"csrf": token}, allow_redirects=False
        )
        assert response.status == 403
    assert await order_status(order.order_no) == "paid"
    login = await client.post(
        "/admin/login", data={"username": "rita", "password": "correct horse battery"}
    )
    assert login.status == 403  # the login form too
    approved = await console.post(f"/admin/orders/{order.order_no}/approve")
    assert approved.status == 303
    assert await order_status(order.order_no) == "approved"
    assert await AuditLog.filter(action="approve", username="rita").count() == 1


async def test_repeated_failures_lock_the_account(settings: Settings, aiohttp_client) -> None:  # type: ignore[no-untyped-def]
    client = await console_client(settings, aiohttp_client)
    await staff("olga", StaffRole.OPERATOR)
    console = Console(client)
    for _ in range(4):
        assert (await console.login("olga", "wrong password!")).status == 401
    assert (await console.login("olga")).status == 303  # 4 failures: still open, and reset
    await client.post("/admin/logout", data={"csrf": console.csrf})
    for _ in range(5):
        refused = await console.login("olga", "wrong password!")
        assert refused.status == 401
    locked = await console.login("olga")
    assert locked.status == 401 and "锁定" in await locked.text()
    account = await Staff.get(username="olga")
    assert account.locked_until is not None
    account.locked_until = utcnow() - timedelta(seconds=1)  # the lockout has run out
    await account.save()
    assert (await console.login("olga")).status == 303
    unknown = await console.login("nobody")
    assert unknown.status == 401 and "用户名或密码错误" in await unknown.text()
    trail = [e.action for e in await AuditLog.filter(username="olga").order_by("id")]
    assert trail == ["login", "logout", "locked", "login"]


async def test_cookies_headers_and_sessions(settings: Settings, aiohttp_client) -> None:  # type: ignore[no-untyped-def]
    client = await aiohttp_client(create_app(settings, run_worker=False))  # production mode
    await staff("ada", StaffRole.ADMIN)
    page = await client.get("/admin/login")
    for header, value in {
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }.items():
        assert page.headers[header] == value
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    token = page.cookies["certdesk_admin_login"].value
    response = await client.post(
        "/admin/login",
        data={"csrf": token, "username": "ada", "password": "correct horse battery"},
        cookies={"certdesk_admin_login": token},  # Secure: the jar keeps it off plain http
        allow_redirects=False,
    )
    assert response.status == 303
    cookie = response.cookies["certdesk_admin"]
    assert cookie["httponly"] and cookie["secure"] and cookie["samesite"] == "Strict"
    session = await StaffSession.get()
    assert cookie.value not in session.token_hash  # only the hash is stored
    refused = await client.get("/admin/", allow_redirects=False)
    assert refused.headers["X-Frame-Options"] == "DENY"
    session.expires_at = utcnow() - timedelta(seconds=1)
    await session.save()
    expired = await client.get(
        "/admin/", cookies={"certdesk_admin": cookie.value}, allow_redirects=False
    )
    assert expired.status == 303


@pytest.mark.parametrize("bad", ["", "x" * 500, "../../etc/passwd", "CD' OR 1=1 --"])
async def test_search_and_pages_take_bad_input_calmly(
    settings: Settings, aiohttp_client, services, bad: str
) -> None:  # type: ignore[no-untyped-def]
    client = await console_client(settings, aiohttp_client)
    await staff("rita", StaffRole.REVIEWER)
    console = Console(client)
    await console.login("rita")
    assert (await console.get(f"/admin/search?q={bad}")).status == 200
    assert (await console.get(f"/admin/orders/{bad or 'x'}")).status in {404, 200}
    assert (await console.get("/admin/materials/abc")).status == 404
