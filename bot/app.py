"""The aiohttp application factory: routes, middlewares, start-up and shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING

from aiohttp import web

from bot import documents, metrics, mp_openapi
from bot.bridge.hub import BridgeHub
from bot.config import Settings
from bot.db import close_db, init_db, ping_db
from bot.file_links import FileLinks
from bot.invoices import InvoiceDownloads
from bot.logs import get_logger, log_context
from bot.messages import Dispatcher
from bot.mp_api import MiniProgramApi
from bot.pay.h5 import PayPage
from bot.pay.notify import PayNotifications
from bot.renewal_links import RenewalLinkPage
from bot.services import Services, build_services
from bot.unique import unique_id
from bot.web_security import rate_limits, security_headers
from bot.wechat.webhook import WeChatChannel
from bot.worker import Worker

if TYPE_CHECKING:
    from bot.devconsole.sandbox import DevSandbox

log = get_logger(__name__)

SERVICES: web.AppKey[Services] = web.AppKey("services", Services)
WORKER: web.AppKey[Worker | None] = web.AppKey("worker")
BRIDGE_HUB: web.AppKey[BridgeHub] = web.AppKey("bridge_hub", BridgeHub)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def observe(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Request id in every log line, metrics per route, and no traceback ever sent out."""
    route = request.match_info.route.resource
    route_name = route.canonical if route is not None else "unmatched"
    started = time.perf_counter()
    request_id = request.headers.get("X-Request-Id", "")[:64] or unique_id()
    status = 500
    with log_context(request_id=request_id):
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        except asyncio.CancelledError:
            status = 499
            raise
        except Exception:
            metrics.labelled(metrics.ERRORS, "http").inc()
            log.exception("unhandled error", extra={"route": route_name})
            return web.json_response(
                {"error": "internal error", "request_id": request_id}, status=500
            )
        finally:
            metrics.labelled(metrics.REQUESTS, request.method, route_name, str(status)).inc()
            metrics.labelled(metrics.REQUEST_SECONDS, route_name).observe(
                time.perf_counter() - started
            )


async def healthz(request: web.Request) -> web.Response:
    """200 when the database and the store answer, 503 naming what does not."""
    services = request.app[SERVICES]
    checks: dict[str, str] = {}
    for name, probe in (("database", ping_db), ("store", services.store.ping)):
        try:
            await asyncio.wait_for(probe(), timeout=3)
            checks[name] = "ok"
        except Exception as exc:
            checks[name] = f"unavailable: {type(exc).__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return web.json_response(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )


async def metrics_view(request: web.Request) -> web.Response:
    """Prometheus text exposition of this process's metrics."""
    body, content_type = metrics.render()
    return web.Response(body=body, headers={"Content-Type": content_type})


def create_app(
    settings: Settings,
    *,
    run_worker: bool = True,
    services: Services | None = None,
    dispatcher: Dispatcher | None = None,
    sandbox: DevSandbox | None = None,
) -> web.Application:
    """Build the web application; the database and store connect when it starts.

    ``dispatcher`` answers what users send (default: the handlers package's router).
    ``sandbox`` (development mode only): the running WeChat stand-ins; the development console
    is mounted under ``/dev/`` and the sandbox stopped with the application.
    """
    services = services or build_services(settings)
    app = web.Application(
        middlewares=[
            observe,
            security_headers(settings.server),
            rate_limits(settings.server, services.store),
        ],
        client_max_size=settings.server.client_max_size,
    )
    app[SERVICES] = services
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics_view)
    app.router.add_routes(documents.routes(settings.storage.path, settings.service.phone))
    from bot.mp_fixes import MiniProgramFixes
    from bot.mp_orders import MiniProgramOrders
    from bot.mp_subscriptions import MiniProgramSubscriptions
    from handlers.applications import build_engine
    from handlers.order_query import OrderQuery
    from handlers.router import build_dispatcher, read_ahead

    engine = build_engine(services)
    if dispatcher is None:
        dispatcher = build_dispatcher(services, engine)
    mini_program = MiniProgramApi(services, engine)
    app.router.add_routes(mini_program.routes())
    app.router.add_routes(MiniProgramOrders(mini_program, OrderQuery(services, engine)).routes())
    app.router.add_routes(MiniProgramSubscriptions(mini_program).routes())
    app.router.add_routes(MiniProgramFixes(mini_program, engine).routes())
    app.router.add_routes(mp_openapi.ROUTES)
    app.router.add_routes(PayNotifications(settings.pay).routes())
    app.router.add_routes(PayPage(services).routes())
    app.router.add_routes(RenewalLinkPage(services, dispatcher).routes())
    app.router.add_routes(InvoiceDownloads(services).routes())
    app.router.add_routes(FileLinks(services).routes())
    from bot.admin.web import create_admin_app

    app.add_subapp("/admin", create_admin_app(services, engine))
    app[BRIDGE_HUB] = hub = BridgeHub(services)
    app.router.add_routes(hub.routes())
    channel = None
    if settings.wechat.token:
        channel = WeChatChannel(
            token=settings.wechat.token,
            app_id=settings.wechat.app_id,
            encoding_aes_key=settings.wechat.encoding_aes_key,
            store=services.store,
            client=services.wechat,
            dispatcher=dispatcher,
            budget=settings.wechat.reply_budget,
            service_phone=settings.service.phone,
            cipher=services.cipher,
            read_ahead=read_ahead,
        )
        app.router.add_routes(channel.routes())
    app.cleanup_ctx.append(_lifecycle(run_worker, channel))
    if sandbox is not None and settings.server.dev:
        from bot.devconsole.web import create_dev_app

        app.add_subapp("/dev", create_dev_app(services, sandbox))
        app.on_cleanup.append(lambda app: sandbox.stop())
    app.on_shutdown.append(lambda app: app[BRIDGE_HUB].close_all())
    return app


def _lifecycle(
    run_worker: bool, channel: WeChatChannel | None
) -> Callable[[web.Application], AsyncIterator[None]]:
    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        services = app[SERVICES]
        settings = services.settings
        await init_db(settings.database.url, settings.database.pool_max_size)
        stop = asyncio.Event()
        worker_task: asyncio.Task[None] | None = None
        app[WORKER] = None
        if run_worker:
            worker = Worker(services)
            app[WORKER] = worker
            worker_task = asyncio.create_task(worker.run(stop))
        try:
            yield
        finally:
            if channel is not None:
                await channel.drain()
            stop.set()
            if worker_task is not None:
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.wait_for(worker_task, timeout=30)
            await services.close()
            await close_db()

    return lifecycle
