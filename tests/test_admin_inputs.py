"""Bad input to the console never gives a 5xx or changes an order: random and hostile form
values on every POST route; the review deadline's properties; ``certdesk staff add``."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.admin.deadline import is_working_day, review_deadline
from bot.app import create_app
from bot.china_time import SHANGHAI
from bot.config import Settings
from bot.services import Services
from models.orders import Order
from models.staff import Staff, StaffRole, StaffSession
from tests.test_admin_auth import admin_routes, concrete
from tests.test_admin_helpers import Console, console_settings, paid_order, staff

NASTY = [
    "",
    " ",
    "0",
    "-1",
    "9" * 80,
    "<script>alert(1)</script>",
    "'; DROP TABLE orders; --",
    "\x00",
    "２０２６-１１-２５",
    "2026-02-30",
    "__other__",
    "ｘ" * 300,
    "../../etc/passwd",
]
FIELDS = [
    "field",
    "cert_serial",
    "not_before",
    "not_after",
    "key_serial",
    "courier",
    "tracking_no",
    "reason:license_photo",
    "other:license_photo",
    "reason:legal_name",
    "other:legal_name",
]


def random_form(rng: random.Random) -> dict[str, str]:
    form = {}
    for name in rng.sample(FIELDS, rng.randint(0, len(FIELDS))):
        form[name] = (
            rng.choice(NASTY)
            if rng.random() < 0.7
            else "".join(chr(rng.randint(32, 0x9FFF)) for _ in range(rng.randint(0, 40)))
        )
    return form


async def test_random_posts_never_break_the_console(
    settings: Settings, aiohttp_client, services: Services
) -> None:  # type: ignore[no-untyped-def]
    client = await aiohttp_client(create_app(console_settings(settings), run_worker=False))
    order = await paid_order(services, "o-fuzz", photos=False)
    await staff("ada", StaffRole.ADMIN)
    console = Console(client)
    assert (await console.login("ada")).status == 303
    rng = random.Random(20261125)
    posts = [(m, p) for m, p, _ in admin_routes(client.app) if m == "POST"]
    posts = [(m, p) for m, p in posts if p not in {"/admin/login", "/admin/logout"}]
    for _ in range(12):
        for _method, path in posts:
            for order_no in (order.order_no, rng.choice(NASTY) or "x"):
                url = concrete(path, order_no.replace("/", "%2F"))
                response = await console.post(url, **random_form(rng))
                assert response.status < 500, (path, response.status)
    current = await Order.get(id=order.id)
    assert current.answers == order.answers  # staff actions never rewrite the answers


@given(
    start=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1)),
    days=st.integers(min_value=1, max_value=20),
    holidays=st.sets(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 3, 1)), max_size=20),
)
def test_review_deadline_counts_working_days(
    start: datetime, days: int, holidays: set[date]
) -> None:
    names = {d.isoformat() for d in holidays}
    queued = start.replace(tzinfo=UTC)
    deadline = review_deadline(queued, days, names)
    first = queued.astimezone(SHANGHAI).date()
    assert deadline > first and is_working_day(deadline, names)
    between = [first + timedelta(days=n) for n in range(1, (deadline - first).days + 1)]
    assert sum(is_working_day(d, names) for d in between) == days


async def test_staff_add_from_the_command_line(settings: Settings, services: Services) -> None:
    env = {"CERTDESK_DATABASE_URL": settings.database.url}

    def run(*args: str, stdin: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot.cli", "staff", "add", *args, "--password-stdin"],
            input=stdin,
            capture_output=True,
            text=True,
            env={**os.environ, **env},
            timeout=60,
            check=False,
        )

    added = run("rita", "--role", "reviewer", stdin="correct horse battery\n")
    assert added.returncode == 0, added.stderr
    assert "rita (reviewer)" in added.stdout
    account = await Staff.get(username="rita")
    assert account.role is StaffRole.REVIEWER
    assert account.password_hash.startswith("$argon2id$")
    assert "correct horse" not in account.password_hash
    short = run("bob", "--role", "admin", stdin="short\n")
    assert short.returncode != 0 and "at least 10" in short.stderr
    assert not await Staff.filter(username="bob").exists()
    wrong_role = run("carl", "--role", "root", stdin="correct horse battery\n")
    assert wrong_role.returncode == 2
    no_role = run("carl", stdin="correct horse battery\n")
    assert no_role.returncode != 0 and "--role" in no_role.stderr
    await StaffSession.create(
        token_hash="0" * 64, staff=account, csrf_secret="c", expires_at=datetime.now(UTC)
    )
    disabled = subprocess.run(
        [sys.executable, "-m", "bot.cli", "staff", "disable", "rita"],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
        check=False,
    )
    assert disabled.returncode == 0, disabled.stderr
    assert not (await Staff.get(username="rita")).active
    assert not await StaffSession.filter(staff=account).exists()  # signed out everywhere
