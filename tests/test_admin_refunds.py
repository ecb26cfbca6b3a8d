"""Refunds from the console against the Pay fake: admins only, with the CSRF token, an amount
up to what is left and a reason; audited; WeChat's answer and the refund's state shown to staff,
已退款 shown to the applicant."""

from __future__ import annotations

from models.payments import Payment, PaymentState, Refund, RefundState
from models.staff import AuditLog, StaffRole
from tests.test_application_flows import Chat
from tests.test_invoices import Desk, desk  # noqa: F401  (the fixture)


async def settle_refund(desk: Desk, out_refund_no: str) -> None:  # noqa: F811
    """WeChat finishes the refund and notifies."""
    await desk.pay.complete_refund(out_refund_no, notify=False)
    note = desk.pay.refund_notification(out_refund_no)
    answer = await desk.client.post("/pay/notify", data=note.body, headers=note.headers)
    assert answer.status == 204


async def test_admin_refunds_part_then_the_rest(desk: Desk) -> None:  # noqa: F811
    chat = Chat(desk.client, desk.wechat, "o-refund")
    order = await desk.paid(chat.openid)
    payment = await Payment.get(order_id=order.id)
    path = f"/admin/orders/{order.order_no}/refund"
    for role in (StaffRole.REVIEWER, StaffRole.OPERATOR):
        other = await desk.console(f"s-{role.value}", role)
        page = await (await other.get(f"/admin/orders/{order.order_no}")).text()
        assert 'id="refund"' not in page
        assert (await other.post(path, amount="10", reason="x")).status == 403
    admin = await desk.console("ada", StaffRole.ADMIN)
    page = await (await admin.get(f"/admin/orders/{order.order_no}")).text()
    assert 'id="refund"' in page and "¥300.00" in page
    no_token = await desk.client.post(path, data={"amount": "10", "reason": "x"})
    assert no_token.status == 403
    for amount, reason, why in (
        ("300.01", "多退", "超过可退金额"),
        ("-5", "负数", "正数"),
        ("1.234", "三位小数", "正数"),
        ("abc", "不是金额", "正数"),
        ("100", "", "退款原因"),
    ):
        refused = await admin.post(path, amount=amount, reason=reason)
        assert refused.status == 409 and why in await refused.text()
    assert not await Refund.exists()
    assert desk.pay.refunds == {}

    assert (await admin.post(path, amount="100", reason="部分退款")).status == 303
    part = await Refund.get(payment_id=payment.id)
    assert (part.amount_fen, part.reason, part.requested_by) == (10000, "部分退款", "ada")
    assert desk.pay.refunds[part.out_refund_no].amount == 10000
    page = await (await admin.get(f"/admin/orders/{order.order_no}")).text()
    assert "退款处理中" in page and "最多 ¥200.00" in page
    await chat.click("query")
    await chat.say("1")
    assert "退款处理中" in await chat.say("1")
    await settle_refund(desk, part.out_refund_no)
    page = await (await admin.get(f"/admin/orders/{order.order_no}")).text()
    assert '<td class="refund-state">已退款</td>' in page
    assert '<td class="payment-state">已支付</td>' in page
    await chat.say("0")
    assert "已支付（¥300.00）（已退款 ¥100.00）" in await chat.say("1")

    assert (await admin.post(path, amount="200.00", reason="审核未通过，申请撤回")).status == 303
    rest = await Refund.filter(payment_id=payment.id).order_by("-id").first()
    assert rest is not None and rest.amount_fen == 20000
    await settle_refund(desk, rest.out_refund_no)
    assert (await Payment.get(id=payment.id)).state is PaymentState.REFUNDED
    assert {r.state for r in await Refund.all()} == {RefundState.SUCCESS}
    page = await (await admin.get(f"/admin/orders/{order.order_no}")).text()
    assert '<td class="payment-state">已退款</td>' in page and 'id="refund"' not in page
    nothing_left = await admin.post(path, amount="0.01", reason="再退")
    assert nothing_left.status == 409
    await chat.say("0")
    assert "支付状态：已退款" in await chat.say("1")
    trail = await AuditLog.filter(action="refund", order_no=order.order_no).order_by("id")
    assert [e.after["amount_fen"] for e in trail] == [10000, 20000]
    assert all(e.username == "ada" for e in trail)


async def test_a_refund_wechat_refuses_is_shown_and_audited(desk: Desk) -> None:  # noqa: F811
    order = await desk.paid("o-refund-refused")
    desk.pay.error_next(
        "/v3/refund/domestic/refunds", status=403, code="NOT_ENOUGH", message="基本账户余额不足"
    )
    admin = await desk.console("ada", StaffRole.ADMIN)
    refused = await admin.post(
        f"/admin/orders/{order.order_no}/refund", amount="300", reason="撤回"
    )
    assert refused.status == 409
    assert "基本账户余额不足" in await refused.text() and "NOT_ENOUGH" in await refused.text()
    assert (await Refund.get()).state is RefundState.CLOSED
    page = await (await admin.get(f"/admin/orders/{order.order_no}")).text()
    assert "退款已关闭" in page and 'id="refund"' in page  # nothing was refunded: may retry
    assert await AuditLog.filter(action="refund_refused", order_no=order.order_no).exists()
