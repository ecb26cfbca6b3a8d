"""Production and shipping in the console: the operator records the certificate, certdesk makes
the password and delivers it (SMS, or a 0.01 CNY transfer listed as CSV for the bank), nobody
sees it afterwards; shipping tells the applicant and delivery completes the order. Also the
queue's deadline and the search."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from aiohttp.test_utils import TestClient

from bot.admin.deadline import review_deadline
from bot.app import create_app
from bot.config import Settings
from bot.services import Services
from models.jobs import Job
from models.orders import Order, OrderStatus
from models.staff import AuditLog, Fulfilment, StaffRole
from tests.test_admin_helpers import Console, console_settings, paid_order, staff

PRODUCTION = {
    "cert_serial": "5A3F0011",
    "not_before": "2026-11-25",
    "not_after": "2027-11-24",
    "key_serial": "HB2026000123",
}


async def signed_in(settings: Settings, aiohttp_client, name: str, role: StaffRole) -> Console:  # type: ignore[no-untyped-def]
    client: TestClient = await aiohttp_client(  # type: ignore[type-arg]
        create_app(console_settings(settings), run_worker=False)
    )
    await staff(name, role)
    console = Console(client)
    assert (await console.login(name)).status == 303
    return console


async def test_bank_transfer_password_listed_once_then_gone(
    settings: Settings, aiohttp_client, services: Services
) -> None:  # type: ignore[no-untyped-def]
    order = await paid_order(services, "o-bank", bank=True)
    order.status = OrderStatus.APPROVED
    await order.save()
    console = await signed_in(settings, aiohttp_client, "otto", StaffRole.OPERATOR)
    bad = await console.post(
        f"/admin/orders/{order.order_no}/produce", **{**PRODUCTION, "not_after": "2020-01-01"}
    )
    assert bad.status == 409 and "结束日期" in await bad.text()
    bad_date = await console.post(
        f"/admin/orders/{order.order_no}/produce", **{**PRODUCTION, "not_before": "tomorrow"}
    )
    assert bad_date.status == 409 and "日期格式" in await bad_date.text()
    bad_serial = await console.post(
        f"/admin/orders/{order.order_no}/produce", **{**PRODUCTION, "cert_serial": "SN-12"}
    )
    assert bad_serial.status == 409 and "十六进制" in await bad_serial.text()
    made = await console.post(f"/admin/orders/{order.order_no}/produce", **PRODUCTION)
    assert made.status == 303
    assert not await Job.filter(kind="password.sms").exists()  # by transfer, not SMS
    page = await (await console.get("/admin/transfers")).text()
    assert order.order_no in page
    exported = await console.get("/admin/transfers.csv")
    assert exported.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO((await exported.read()).decode("utf-8-sig"))))
    assert rows[0][0] == "订单号" and len(rows) == 2
    number, name, account, bank, _address, amount, memo = rows[1]
    assert (number, name, account, bank, amount) == (
        order.order_no,
        "北京数字认证测试单位",
        "02000045090000123456",
        "北京银行中关村支行",
        "0.01",
    )
    assert len(memo) == 8 and memo.isdigit()
    detail = await (await console.get(f"/admin/orders/{order.order_no}")).text()
    assert memo not in detail and "对公账户打款" in detail
    done = await console.post(f"/admin/transfers/{order.order_no}/done")
    assert done.status == 303
    record = await Fulfilment.get(order=order)
    assert record.password_secret is None and record.password_delivered_at is not None
    again = await console.get("/admin/transfers.csv")
    assert memo not in (await again.read()).decode("utf-8-sig")
    assert (await console.post(f"/admin/transfers/{order.order_no}/done")).status == 409
    kinds = [job.payload["kind"] for job in await Job.filter(kind="notice.send").order_by("id")]
    assert kinds == ["certificate_produced", "password_sent"]
    assert all(memo not in str(job.payload) for job in await Job.all())
    actions = [e.action for e in await AuditLog.exclude(action="login").order_by("id")]
    assert actions == ["produce", "export_transfers", "transfer_done", "export_transfers"]


async def test_ship_then_delivered_completes(
    settings: Settings, aiohttp_client, services: Services
) -> None:  # type: ignore[no-untyped-def]
    order = await paid_order(services, "o-ship")
    order.status = OrderStatus.APPROVED
    await order.save()
    console = await signed_in(settings, aiohttp_client, "otto", StaffRole.OPERATOR)
    early = await console.post(
        f"/admin/orders/{order.order_no}/ship", courier="EMS", tracking_no="E1"
    )
    assert early.status == 409 and "先登记证书" in await early.text()
    assert (
        await console.post(f"/admin/orders/{order.order_no}/produce", **PRODUCTION)
    ).status == 303
    twice = await console.post(f"/admin/orders/{order.order_no}/produce", **PRODUCTION)
    assert twice.status == 409
    assert (await Job.get(kind="password.sms")).payload == {"order_no": order.order_no}
    junk = await console.post(
        f"/admin/orders/{order.order_no}/ship", courier="EMS", tracking_no="<b>"
    )
    assert junk.status == 409
    shipped = await console.post(
        f"/admin/orders/{order.order_no}/ship", courier="EMS", tracking_no="EA123456789CN"
    )
    assert shipped.status == 303
    assert (await Order.get(id=order.id)).status == OrderStatus.SHIPPED
    assert (await console.post(f"/admin/orders/{order.order_no}/delivered")).status == 303
    assert (await Order.get(id=order.id)).status == OrderStatus.COMPLETED
    page = await (await console.get(f"/admin/orders/{order.order_no}")).text()
    assert "EA123456789CN" in page and "5A3F0011" in page


async def test_queue_search_reveal_and_deadline(
    settings: Settings, aiohttp_client, services: Services
) -> None:  # type: ignore[no-untyped-def]
    first = await paid_order(services, "o-q1")
    second = await paid_order(services, "o-q2", org_name="上海测试科技有限公司")
    second.subject_name = "上海测试科技有限公司"
    await second.save()
    console = await signed_in(settings, aiohttp_client, "rita", StaffRole.REVIEWER)
    queue = await (await console.get("/admin/")).text()
    assert queue.index(first.order_no) < queue.index(second.order_no)  # oldest first
    for query, expected, other in (
        (first.order_no, first, second),
        ("上海测试", second, first),
        ("139 1111 2222", first, None),
    ):
        found = await (await console.get(f"/admin/search?q={query}")).text()
        assert expected.order_no in found
        if other is not None:
            assert other.order_no not in found
    detail = await (await console.get(f"/admin/orders/{first.order_no}")).text()
    assert "138****8000" in detail and "13800138000" not in detail
    assert "110***********002X" in detail
    assert "/admin/materials/" in detail
    shown = await console.post(f"/admin/orders/{first.order_no}/reveal", field="legal_phone")
    assert "13800138000" in await shown.text()
    entry = await AuditLog.get(action="reveal")
    assert entry.username == "rita" and entry.after == {"field": "legal_phone"}
    refused = await console.post(f"/admin/orders/{first.order_no}/reveal", field="org_name")
    assert refused.status == 400
    image = await console.get(detail.split('<img src="')[1].split('"')[0])
    assert image.status == 200 and image.headers["Content-Type"] == "image/jpeg"


def test_review_deadline_skips_weekends_and_holidays() -> None:
    friday_evening = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)  # Friday 18:00 in Shanghai
    assert review_deadline(friday_evening, 3, []).isoformat() == "2026-12-02"  # Wednesday
    assert review_deadline(friday_evening, 3, ["2026-11-30"]).isoformat() == "2026-12-03"
    late_sunday_utc = datetime(2026, 11, 29, 17, 0, tzinfo=UTC)  # Monday 01:00 in Shanghai
    assert review_deadline(late_sunday_utc, 3, []).isoformat() == "2026-12-03"
