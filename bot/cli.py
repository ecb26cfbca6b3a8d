"""The ``certdesk`` command: serve, worker, migrate, check-config, gen-key, jobs, menu, staff,
ca, key-puks, demo."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import gc
import signal
import sys
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

from aiohttp import web

from bot.config import ConfigError, ServerSettings, Settings, load_settings
from bot.db import close_db, init_db, migrate
from bot.devconsole.sandbox import start_sandbox, wanted
from bot.devmode import apply_dev_defaults
from bot.logs import configure_logging, get_logger
from bot.secrets_box import generate_key
from bot.services import build_services
from bot.wechat.client import WeChatAPIError
from bot.worker import Worker

log = get_logger("certdesk")


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings(args.config)
    if getattr(args, "dev", False):
        settings = apply_dev_defaults(settings)
    overrides = {k: v for k in ("host", "port") if (v := getattr(args, k, None)) is not None}
    if overrides:
        settings = dataclasses.replace(
            settings, server=dataclasses.replace(settings.server, **overrides)
        )
    server = settings.server
    if server.dev and server.public_url == ServerSettings.public_url:
        own_url = f"http://{server.host}:{server.port}"
        settings = dataclasses.replace(
            settings, server=dataclasses.replace(server, public_url=own_url)
        )
    configure_logging(settings.logging.level, settings.logging.format)
    return settings


async def _until_signalled() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


async def _serve(settings: Settings, run_worker: bool) -> None:
    from bot.app import create_app

    if settings.server.dev:
        applied = await migrate(settings.database.url)
        if applied:
            log.info("migrations applied", extra={"migrations": applied})
    sandbox = None
    if wanted(settings):
        sandbox, settings = await start_sandbox(settings)
    app = create_app(settings, run_worker=run_worker, sandbox=sandbox)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=10)
    await runner.setup()
    settle_heap()  # before the first request: nothing of a request is frozen
    site = web.TCPSite(runner, settings.server.host, settings.server.port)
    await site.start()
    url = f"http://{settings.server.host}:{settings.server.port}"
    log.info("certdesk listening", extra={"url": url, "worker": run_worker})
    if settings.server.dev:
        print(
            f"certdesk is running in development mode at {url} "
            f"(health: {url}/healthz, WeChat webhook: {url}/wechat when [wechat] token is set, "
            f"mini-program API: {url}/api/mp/v1/)",
            flush=True,
        )
    if sandbox is not None:
        accounts = ", ".join(f"{name} ({role.value})" for name, role in sandbox.staff)
        print(
            f"development console: {url}/dev/ (WeChat and WeChat Pay are simulated)\n"
            f"staff console: {url}/admin/ accounts {accounts}, password {sandbox.password}\n"
            f"guided demo: certdesk demo --url {url}",
            flush=True,
        )
    try:
        await _until_signalled()
    finally:
        await runner.cleanup()


async def _worker(settings: Settings) -> None:
    services = build_services(settings)
    await init_db(settings.database.url, settings.database.pool_max_size)
    stop = asyncio.Event()
    worker = Worker(services)
    task = asyncio.create_task(worker.run(stop))
    settle_heap()
    try:
        await _until_signalled()
    finally:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await services.close()
        await close_db()


async def _migrate(settings: Settings) -> None:
    applied = await migrate(settings.database.url)
    print("applied: " + ", ".join(applied) if applied else "database is up to date")


async def _with_db(settings: Settings, action: Callable[[], Awaitable[None]]) -> None:
    await init_db(settings.database.url, settings.database.pool_max_size)
    try:
        await action()
    finally:
        await close_db()


GC_YOUNG_THRESHOLD = 2_000
"""Allocations (net of frees) between two young-generation collections; Python's default, 700,
ran one about every three requests (~1% of a webhook step's CPU). Not much higher: cyclic
garbage (an exception's traceback holding a photo's bytes) waits for the next collection."""


def settle_heap() -> None:
    """Once a long-lived process has started: move everything built so far (modules, the app,
    ORM metadata, ~300,000 objects) out of the collector's sight, and collect the young
    generation less often.

    A full collection walked all of those objects and stopped every request for 60-70 ms (the
    webhook's p99; Python 3.11); with them frozen it takes about 5 ms.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])


def run_on_fast_loop(main: Coroutine[Any, Any, None]) -> None:
    """Run ``main`` on uvloop (libuv's event loop: about a sixth fewer instructions
    per webhook step than asyncio's), or on asyncio where uvloop does not exist (Windows)."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
    else:
        uvloop.run(main)


def cmd_serve(args: argparse.Namespace) -> None:
    """Run the HTTP server (and, unless --no-worker, an outbox worker in-process)."""
    settings = _settings(args)
    build_services(settings)  # fail fast on key problems before binding the port
    run_on_fast_loop(_serve(settings, run_worker=not args.no_worker))


def cmd_worker(args: argparse.Namespace) -> None:
    """Run an outbox worker process."""
    run_on_fast_loop(_worker(_settings(args)))


def cmd_migrate(args: argparse.Namespace) -> None:
    """Create or upgrade the database schema."""
    asyncio.run(_migrate(_settings(args)))


def cmd_check_config(args: argparse.Namespace) -> None:
    """Load the configuration as `serve` would and report problems."""
    settings = _settings(args)
    build_services(settings)
    print(
        f"configuration OK (database: {settings.database.url.split('://', 1)[0]}, "
        f"store: {'redis' if settings.redis.url else 'in-process'}, "
        f"sms: {settings.sms.provider})"
    )


def cmd_gen_key(args: argparse.Namespace) -> None:
    """Print a new random key for security.data_keys or security.lookup_key."""
    print(generate_key())


def cmd_jobs(args: argparse.Namespace) -> None:
    """Inspect and manage the outbox queue."""
    from bot import jobs_admin

    settings = _settings(args)
    asyncio.run(_with_db(settings, lambda: jobs_admin.run(args, print)))


def cmd_staff(args: argparse.Namespace) -> None:
    """Manage staff console accounts: add (or reset password and role), disable."""
    import getpass

    from bot.admin.auth import add_staff, disable_staff
    from models.staff import StaffRole

    settings = _settings(args)
    if args.action == "disable":

        async def disable() -> None:
            if not await disable_staff(args.name):
                raise SystemExit(f"certdesk: no staff account {args.name!r}")
            print(f"staff {args.name} disabled")

        asyncio.run(_with_db(settings, disable))
        return
    if args.role is None:
        raise SystemExit("certdesk: staff add needs --role reviewer|operator|admin")
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            raise SystemExit("certdesk: the passwords differ")

    async def add() -> None:
        staff = await add_staff(args.name, StaffRole(args.role), password)
        print(f"staff {staff.username} ({staff.role}) saved")

    try:
        asyncio.run(_with_db(settings, add))
    except ValueError as exc:
        raise SystemExit(f"certdesk: {exc}") from exc


def cmd_menu(args: argparse.Namespace) -> None:
    """Publish the official account's custom menu (menu sync)."""
    from bot.wechat.menu import load_menu

    settings = _settings(args)
    menu = load_menu(settings.wechat.menu_file)

    async def sync() -> None:
        services = build_services(settings)
        try:
            await services.wechat.create_menu(menu)
        finally:
            await services.close()

    asyncio.run(sync())
    print("menu published: " + ", ".join(b["name"] for b in menu["button"]))


def cmd_ca(args: argparse.Namespace) -> None:
    """Built-in CA: create the root and issuing CA (init) or print a fresh CRL (crl)."""
    from bot.ca import BuiltinCA, CaError
    from bot.secrets_box import DataCipher

    settings = _settings(args)
    config = settings.ca
    if config.backend != "builtin":
        raise ConfigError("ca: the built-in CA is not in use (ca.backend is not builtin)")
    try:
        cipher = DataCipher.from_config(settings.security.data_keys)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    ca = BuiltinCA(config.path, cipher, config.identifier_oid)
    try:
        if args.action == "init":
            root, issuing = ca.init(config.name, config.key_algorithm)
            print(f"root CA: {root.subject.rfc4514_string()}")
            print(f"issuing CA: {issuing.subject.rfc4514_string()}")
            print(f"written to {config.path} (private keys encrypted with security.data_keys)")
        else:
            from cryptography.hazmat.primitives.serialization import Encoding

            print(ca.crl(config.crl_days).public_bytes(Encoding.PEM).decode("ascii"), end="")
    except CaError as exc:
        print(f"certdesk: {exc}", file=sys.stderr)
        raise SystemExit(1) from exc


def cmd_key_puks(args: argparse.Namespace) -> None:
    """Record the admin secrets of produced Keys (CSV "key serial,PUK[,management key]" lines
    on stdin, the management key as 3des:<hex> or aes128/aes192/aes256:<hex>) for unlocks and
    renewals."""
    from bot.key_secrets import import_puks

    settings = _settings(args)
    services = build_services(settings)

    async def load() -> None:
        try:
            count = await import_puks(services, sys.stdin)
        finally:
            await services.close()
        print(f"{count} Keys recorded")

    try:
        asyncio.run(_with_db(settings, load))
    except ValueError as exc:
        raise SystemExit(f"certdesk: {exc}") from exc


def cmd_demo(args: argparse.Namespace) -> None:
    """Play a scripted organisation application against a running development server."""
    from bot.devconsole.demo import run_demo

    code = asyncio.run(run_demo(args.url))
    if code:
        raise SystemExit(code)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the certdesk command."""
    parser = argparse.ArgumentParser(prog="certdesk", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, func: Callable[[argparse.Namespace], None]) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=(func.__doc__ or "").strip().splitlines()[0])
        p.set_defaults(func=func)
        p.add_argument("--config", help="TOML config file (default: $CERTDESK_CONFIG)")
        p.add_argument(
            "--dev",
            action="store_true",
            help="development mode: SQLite, in-process store, generated keys",
        )
        return p

    serve = command("serve", cmd_serve)
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--no-worker", action="store_true", help="do not run jobs in this process")
    command("worker", cmd_worker)
    command("migrate", cmd_migrate)
    command("check-config", cmd_check_config)
    command("gen-key", cmd_gen_key)
    menu = command("menu", cmd_menu)
    menu.add_argument("action", choices=["sync"])
    staff = command("staff", cmd_staff)
    staff.add_argument("action", choices=["add", "disable"])
    staff.add_argument("name")
    staff.add_argument("--role", choices=["reviewer", "operator", "admin"])
    staff.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    ca = command("ca", cmd_ca)
    ca.add_argument("action", choices=["init", "crl"])
    command("key-puks", cmd_key_puks)
    demo = command("demo", cmd_demo)
    demo.add_argument(
        "--url", default="http://127.0.0.1:8080", help="the development server (make run)"
    )
    jobs = command("jobs", cmd_jobs)
    from bot.jobs_admin import add_arguments

    add_arguments(jobs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``certdesk`` console script."""
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except ConfigError as exc:
        print(f"certdesk: configuration error: {exc}", file=sys.stderr)
        return 2
    except WeChatAPIError as exc:
        print(f"certdesk: WeChat refused: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
