"""WeChat Pay end to end against the local Pay fake, on both backends: prepay (Native, JSAPI),
notifications applied once, forged/stale/mismatching ones refused, 主动查单, closing, refunds,
the pay page, and a fuzzed notify endpoint.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import random
import re
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.app import SERVICES, create_app
from bot.config import Settings
from bot.engine import new_order_no
from bot.outbox import utcnow
from bot.pay.client import PayError, build_pay_client
from bot.pay.h5 import PayLink, make_token, pay_url
from bot.pay.orders import RefundRefused, payable_payment, refund_order, request_refund
from bot.sandbox.crypto import cached_rsa_private_key_pem
from bot.sandbox.wechat_api import WeChatApiFake
from bot.sandbox.wechat_pay import Notification, NotifyOptions, WeChatPayFake, pay_settings
from bot.services import Services
from bot.worker import Worker
from models.jobs import Job, JobStatus
from models.orders import Order, OrderStatus
from models.payments import Payment, PaymentState, Refund, RefundState, TradeType
from tests.conftest import with_wechat
from tests.fakes.fixtures import MerchantCredentials

OPENID = "o-payer-0001"
PRICE = 30000


async def paid_notices() -> int:
    """How many "paid" notices are queued (one per order, whatever WeChat Pay resends)."""
    return await Job.filter(kind="notice.send", dedupe_key__contains=":order_paid").count()


@dataclasses.dataclass
class Shop:
    """certdesk (over HTTP) with a confirmed order, and the Pay and WeChat fakes."""

    client: TestClient  # type: ignore[type-arg]
    pay: WeChatPayFake
    wechat: WeChatApiFake
    order: Order

    @property
    def services(self) -> Services:
        return self.client.app[SERVICES]

    async def payment(self, trade_type: TradeType = TradeType.NATIVE, **kw: Any) -> Payment:
        client = build_pay_client(self.services)
        return await payable_payment(self.services, client, self.order, trade_type, **kw)

    async def notify(self, notification: Notification) -> int:
        response = await self.client.post(
            "/pay/notify", data=notification.body, headers=notification.headers
        )
        await response.read()
        return response.status

    async def run_jobs(self) -> int:
        return await Worker(self.services).run_until_idle()

    async def state(self) -> tuple[OrderStatus, list[PaymentState]]:
        order = await Order.get(id=self.order.id)
        payments = await Payment.filter(order_id=order.id).order_by("id")
        return order.status, [p.state for p in payments]


async def make_shop(
    settings: Settings,
    pay: WeChatPayFake,
    wechat: WeChatApiFake,
    merchant: MerchantCredentials,
    aiohttp_client: Any,
    tmp_path: Path,
    **pay_changes: Any,
) -> Shop:
    configured = pay_settings(
        with_wechat(settings, wechat, token="pay-token"),
        pay,
        merchant,
        tmp_path / "pay",
        **pay_changes,
    )
    client = await aiohttp_client(create_app(configured, run_worker=False))
    wechat.add_user(OPENID)
    wechat.note_user_message(OPENID)
    order = await Order.create(
        order_no=new_order_no(),
        kind="org",
        status=OrderStatus.SUBMITTED,
        owner_openid=OPENID,
        amount_fen=PRICE,
        submitted_at=utcnow(),
    )
    return Shop(client, pay, wechat, order)


@pytest.fixture
async def shop(
    settings: Settings,
    wechat_pay: WeChatPayFake,
    wechat_api: WeChatApiFake,
    wechat_pay_merchant: MerchantCredentials,
    aiohttp_client: Any,
    tmp_path: Path,
) -> Shop:
    return await make_shop(
        settings, wechat_pay, wechat_api, wechat_pay_merchant, aiohttp_client, tmp_path
    )


async def test_native_and_jsapi_prepay_and_reuse(shop: Shop) -> None:
    native = await shop.payment()
    assert native.prepay and native.prepay.startswith("weixin://wxpay/bizpayurl?pr=")
    remote = shop.pay.orders[native.out_trade_no]
    assert remote.trade_type == "NATIVE" and remote.total == PRICE
    assert native.out_trade_no.startswith(shop.order.order_no)
    again = await shop.payment()
    assert again.id == native.id and again.prepay == native.prepay
    jsapi = await shop.payment(TradeType.JSAPI, openid=OPENID)
    assert jsapi.id != native.id and jsapi.prepay and jsapi.prepay.startswith("wx")
    assert shop.pay.orders[jsapi.out_trade_no].request["payer"] == {"openid": OPENID}
    params = build_pay_client(shop.services).jsapi_params(jsapi.prepay, jsapi.appid)
    assert shop.pay.verify_jsapi_pay_sign(jsapi.appid, params)
    assert not shop.pay.verify_jsapi_pay_sign(jsapi.appid, {**params, "nonceStr": "x"})
    assert await shop.state() == (OrderStatus.SUBMITTED, [PaymentState.UNPAID] * 2)


async def test_transient_failures_are_retried_with_the_same_out_trade_no(shop: Shop) -> None:
    shop.pay.error_next("/v3/pay/transactions/native", status=500, times=2)
    payment = await shop.payment()
    assert payment.prepay and list(shop.pay.orders) == [payment.out_trade_no]
    posts = [r for r in shop.pay.requests if r.path == "/v3/pay/transactions/native"]
    assert len(posts) == 3 and len({r.body for r in posts}) == 1


async def test_wechat_refusals_are_typed_errors(shop: Shop) -> None:
    client = build_pay_client(shop.services)
    with pytest.raises(PayError) as caught:
        await client.query("NO_SUCH_ORDER_1")
    assert (caught.value.status, caught.value.code) == (404, "ORDER_NOT_EXIST")
    assert caught.value.message == "订单不存在" and not caught.value.transient


async def test_an_answer_not_signed_by_wechat_pay_is_not_believed(shop: Shop) -> None:
    client = build_pay_client(shop.services)
    client.verifier.keys = {}
    with pytest.raises(PayError) as caught:
        await client.prepay_native(
            client.prepay_body(out_trade_no="CD0000000001P01", description="x", amount_fen=1)
        )
    assert caught.value.code == "SIGN_INVALID"


async def test_a_notification_is_applied_once_under_20_duplicated_reordered_deliveries(
    shop: Shop,
) -> None:
    payment = await shop.payment()
    await shop.pay.pay(payment.out_trade_no, notify=False)
    first = shop.pay.transaction_notification(payment.out_trade_no)
    copies = [first] + [shop.pay.resign(first) for _ in range(19)]
    old = shop.pay.transaction_notification(payment.out_trade_no, NotifyOptions(
        timestamp=int(shop.pay.now()) - 200))  # fmt: skip
    copies[7] = old
    random.Random(6).shuffle(copies)
    statuses = await asyncio.gather(*(shop.notify(n) for n in copies))
    assert statuses == [204] * 20
    stored = await Payment.get(id=payment.id)
    assert stored.state is PaymentState.PAID and stored.notify_count == 20
    assert stored.transaction_id == shop.pay.orders[payment.out_trade_no].transaction_id
    assert stored.settled_by == "notify" and stored.notify_raw is not None
    assert await shop.state() == (OrderStatus.PAID, [PaymentState.PAID])
    assert await paid_notices() == 1
    assert await shop.notify(shop.pay.resign(first)) == 204  # a late redelivery: still nothing
    await shop.run_jobs()
    texts = [m.body["text"]["content"] for m in shop.wechat.messages_to(OPENID)]
    assert len(texts) == 1 and "支付成功，等待审核（3 个工作日内）" in texts[0]


def _forged(pay: WeChatPayFake, out_trade_no: str, case: str) -> Notification:
    if case in ("amount", "mchid", "appid", "order"):
        resource = pay.transaction_notification(out_trade_no).resource
        change = {
            "amount": {"amount": {**resource["amount"], "total": 1}},
            "mchid": {"mchid": "1999999999"},
            "appid": {"appid": "wx0000000000000000"},
            "order": {"out_trade_no": "CD00000000000000P01"},
        }[case]
        return pay.build_notification(
            url="",
            event_type="TRANSACTION.SUCCESS",
            summary="支付成功",
            original_type="transaction",
            resource={**resource, **change},
        )
    options = {
        "tampered": NotifyOptions(tamper=True),
        "stale": NotifyOptions(timestamp=int(pay.now()) - 600),
        "future": NotifyOptions(timestamp=int(pay.now()) + 600),
        "unsigned": NotifyOptions(signed=False),
        "probe": NotifyOptions(probe=True),
        "serial": NotifyOptions(serial="PUB_KEY_ID_0114232134912410000000000000"),
        "apiv3": NotifyOptions(apiv3_key="0123456789abcdef0123456789abcdef"),
    }[case]
    return pay.transaction_notification(out_trade_no, options)


@pytest.mark.parametrize(
    "case",
    ["tampered", "stale", "future", "unsigned", "probe", "serial", "apiv3", "amount", "mchid",
     "appid", "order"],
)  # fmt: skip
async def test_forged_stale_or_mismatching_notifications_are_refused(shop: Shop, case: str) -> None:
    payment = await shop.payment()
    await shop.pay.pay(payment.out_trade_no, notify=False)
    notification = _forged(shop.pay, payment.out_trade_no, case)
    response = await shop.client.post(
        "/pay/notify", data=notification.body, headers=notification.headers
    )
    assert 400 <= response.status < 500
    answer = await response.json()
    assert set(answer) == {"code", "message"} and answer["code"] != "SUCCESS"
    assert await shop.state() == (OrderStatus.SUBMITTED, [PaymentState.UNPAID])
    assert not await paid_notices()


async def test_a_missed_notification_is_settled_by_query(
    settings: Settings,
    wechat_pay: WeChatPayFake,
    wechat_api: WeChatApiFake,
    wechat_pay_merchant: MerchantCredentials,
    aiohttp_client: Any,
    tmp_path: Path,
) -> None:
    shop = await make_shop(
        settings, wechat_pay, wechat_api, wechat_pay_merchant, aiohttp_client, tmp_path,
        query_after_seconds=60,
    )  # fmt: skip
    payment = await shop.payment()
    assert await shop.run_jobs() == 0  # not yet due
    await Job.filter(kind="pay.query").update(run_at=utcnow())
    await shop.run_jobs()  # queried before paying: still unpaid, asked again later
    assert await shop.state() == (OrderStatus.SUBMITTED, [PaymentState.UNPAID])
    await shop.pay.pay(payment.out_trade_no, notify=False)
    await Job.filter(kind="pay.query", status=JobStatus.PENDING).update(run_at=utcnow())
    assert await Job.filter(kind="pay.query", status=JobStatus.PENDING).count() == 1
    await shop.run_jobs()
    assert await shop.state() == (OrderStatus.PAID, [PaymentState.PAID])
    assert (await Payment.get(id=payment.id)).settled_by == "query"
    assert any("支付成功" in m.body["text"]["content"] for m in shop.wechat.messages_to(OPENID))
    late = shop.pay.transaction_notification(payment.out_trade_no)
    assert await shop.notify(late) == 204
    assert await paid_notices() == 1


async def test_an_unpaid_order_is_closed_and_a_new_link_replaces_its_payment(shop: Shop) -> None:
    payment = await shop.payment()
    await Job.filter(kind="pay.close").update(run_at=utcnow())
    await shop.run_jobs()
    assert shop.pay.orders[payment.out_trade_no].trade_state == "CLOSED"
    assert await shop.state() == (OrderStatus.CLOSED, [PaymentState.CLOSED])
    shop.order = await Order.get(id=shop.order.id)
    fresh = await shop.payment()
    assert fresh.out_trade_no != payment.out_trade_no and fresh.prepay != payment.prepay
    assert fresh.amount_fen == PRICE
    assert await shop.state() == (
        OrderStatus.SUBMITTED,
        [PaymentState.CLOSED, PaymentState.UNPAID],
    )


async def test_closing_a_payment_that_was_paid_meanwhile_settles_it(shop: Shop) -> None:
    payment = await shop.payment()
    await shop.pay.pay(payment.out_trade_no, notify=False)
    await Job.filter(kind="pay.close").update(run_at=utcnow())
    await shop.run_jobs()
    assert await shop.state() == (OrderStatus.PAID, [PaymentState.PAID])


async def test_a_second_payment_of_a_paid_order_is_refunded(shop: Shop) -> None:
    native = await shop.payment()
    jsapi = await shop.payment(TradeType.JSAPI, openid=OPENID)
    await shop.pay.pay(native.out_trade_no, notify=False)
    await shop.pay.pay(jsapi.out_trade_no, notify=False)
    assert await shop.notify(shop.pay.transaction_notification(native.out_trade_no)) == 204
    assert await shop.notify(shop.pay.transaction_notification(jsapi.out_trade_no)) == 204
    await shop.run_jobs()
    refund = await Refund.get(payment_id=jsapi.id)
    assert refund.amount_fen == PRICE and shop.pay.refunds[refund.out_refund_no].amount == PRICE
    assert await paid_notices() == 1


async def test_refunds_partial_then_full_with_notifications_applied_once(shop: Shop) -> None:
    payment = await shop.payment()
    await shop.pay.pay(payment.out_trade_no, notify=False)
    assert await shop.notify(shop.pay.transaction_notification(payment.out_trade_no)) == 204
    client = build_pay_client(shop.services)
    order = await Order.get(id=shop.order.id)
    part = await request_refund(shop.services, client, order, 10000, reason="部分退款")
    assert part.state is RefundState.PROCESSING
    await shop.pay.complete_refund(part.out_refund_no, notify=False)
    notice = shop.pay.refund_notification(part.out_refund_no)
    for _ in range(3):
        assert await shop.notify(shop.pay.resign(notice)) == 204
    stored = await Payment.get(id=payment.id)
    assert (stored.state, stored.refunded_fen) == (PaymentState.PAID, 10000)
    assert (await Refund.get(id=part.id)).state is RefundState.SUCCESS
    with pytest.raises(RefundRefused):
        await request_refund(shop.services, client, order, 20001)
    rest = await request_refund(shop.services, client, order, reason="申请撤回，全额退款")
    assert rest.amount_fen == 20000
    await shop.pay.complete_refund(rest.out_refund_no, notify=False)
    assert await shop.notify(shop.pay.refund_notification(rest.out_refund_no)) == 204
    stored = await Payment.get(id=payment.id)
    assert (stored.state, stored.refunded_fen) == (PaymentState.REFUNDED, PRICE)
    assert stored.state.label == "已退款"
    with pytest.raises(RefundRefused):
        await request_refund(shop.services, client, order, 1)


async def test_the_pay_page_offers_a_correctly_signed_payment_to_its_user_only(
    shop: Shop,
) -> None:
    url = pay_url(shop.services, shop.order, OPENID)
    path = url[url.index("/pay/h5/") :]
    response = await shop.client.get(path)
    assert response.status == 200
    page = await response.text()
    match = re.search(r"var PARAMS = (\{.*?\});", page)
    assert match and "getBrandWCPayRequest" in page
    params = json.loads(match.group(1))
    assert shop.pay.verify_jsapi_pay_sign(params["appId"], params)
    payment = await Payment.get(order_id=shop.order.id)
    assert payment.trade_type is TradeType.JSAPI and payment.payer_openid == OPENID
    assert params["package"] == f"prepay_id={payment.prepay}"
    key = shop.services.lookup_key
    for bad in (
        path[:-3] + ("000" if not path.endswith("000") else "111"),
        "/pay/h5/" + make_token(key, PayLink(shop.order.id, OPENID, 1)),
        "/pay/h5/" + make_token(key, PayLink(shop.order.id, "o-someone-else", 2**40)),
        "/pay/h5/x",
        "/pay/h5/你好.支付",
    ):
        refused = await shop.client.get(bad)
        assert refused.status == 403 and "已失效" in await refused.text()
    await shop.pay.pay(payment.out_trade_no, notify=False)
    await shop.notify(shop.pay.transaction_notification(payment.out_trade_no))
    paid = await shop.client.get(path)
    assert paid.status == 200 and "已支付" in await paid.text()


_HEADER_NAMES = [
    "Wechatpay-Timestamp",
    "Wechatpay-Nonce",
    "Wechatpay-Signature",
    "Wechatpay-Serial",
    "Content-Type",
]


def _mutate(rng: random.Random, data: bytes) -> bytes:
    for _ in range(rng.randint(1, 5)):
        if not data:
            return bytes(rng.randrange(256) for _ in range(rng.randint(0, 50)))
        i = rng.randrange(len(data))
        j = min(len(data), i + rng.randint(1, 30))
        op = rng.randrange(4)
        if op == 0:
            data = data[:i] + data[j:]
        elif op == 1:
            data = (
                data[:i]
                + rng.choice([b"{", b"}", b'"', b"null", b"[]", b"\xff", b"1e999"])
                + data[i:]
            )
        elif op == 2:
            data = data[:i] + data[i:j][::-1] + data[j:]
        else:
            data = data[:i]
    return data


async def test_fuzzed_notifications_get_4xx_never_5xx(shop: Shop) -> None:
    payment = await shop.payment()
    await shop.pay.pay(payment.out_trade_no, notify=False)
    good = _forged(shop.pay, payment.out_trade_no, "amount")  # signed; refused for its content
    rng = random.Random(20261125)
    resources: list[Any] = [
        None, 1, "x", [], {}, {"out_trade_no": payment.out_trade_no},
        {"out_trade_no": payment.out_trade_no, "amount": {"total": "30000"}, "mchid": 1},
        {"out_trade_no": ["a"], "amount": []}, {"refund_status": "SUCCESS", "out_refund_no": 5},
    ]  # fmt: skip
    statuses: dict[int, int] = {}
    for case in range(400):
        kind = case % 4
        if kind == 0:  # validly signed, garbage inside the encrypted resource
            notification = shop.pay.build_notification(
                url="",
                event_type=rng.choice(["TRANSACTION.SUCCESS", "REFUND.SUCCESS", "REFUND.CLOSED"]),
                summary="",
                original_type=rng.choice(["transaction", "refund"]),
                resource={"v": rng.choice(resources)},
            )
            body, headers = notification.body, notification.headers
            if rng.random() < 0.5:
                data = rng.choice(resources)
                envelope = json.loads(body)
                envelope["resource"] = data
                body = json.dumps(envelope).encode()
                headers = shop.pay.resign(dataclasses.replace(notification, body=body)).headers
        elif kind == 1:  # signed mutated bodies
            body = _mutate(rng, good.body)
            headers = shop.pay.resign(dataclasses.replace(good, body=body)).headers
        elif kind == 2:  # mutated headers
            body = good.body
            headers = dict(shop.pay.resign(good).headers)
            name = rng.choice(_HEADER_NAMES[:4])
            raw = _mutate(rng, headers[name].encode()).decode("latin-1")
            value = "".join(c for c in raw if " " <= c != "\x7f")  # what HTTP can carry
            headers[name] = value if value != headers[name] else ""
        else:  # garbage
            body = bytes(rng.randrange(256) for _ in range(rng.randint(0, 300)))
            headers = {rng.choice(_HEADER_NAMES): str(rng.random())}
        response = await shop.client.post("/pay/notify", data=body, headers=headers)
        await response.read()
        statuses[response.status] = statuses.get(response.status, 0) + 1
        assert 400 <= response.status < 500, (case, response.status, body[:100])
    assert await shop.state() == (OrderStatus.SUBMITTED, [PaymentState.UNPAID])
    assert statuses.get(400, 0) > 0 and statuses.get(401, 0) > 0


async def _paid(shop: Shop) -> Payment:
    payment = await shop.payment()
    await shop.pay.pay(payment.out_trade_no, notify=False)
    assert await shop.notify(shop.pay.transaction_notification(payment.out_trade_no)) == 204
    return payment


async def test_staff_refund_without_notification_is_settled_by_the_check_job(shop: Shop) -> None:
    payment = await _paid(shop)
    refund = await refund_order(
        shop.services, shop.order.order_no, reason="审核不通过，撤回申请", requested_by="staff-1"
    )
    assert refund.amount_fen == PRICE and refund.requested_by == "staff-1"
    await shop.pay.complete_refund(refund.out_refund_no, notify=False)
    await Job.filter(kind="pay.refund").update(run_at=utcnow())
    await shop.run_jobs()
    assert (await Refund.get(id=refund.id)).state is RefundState.SUCCESS
    assert (await Payment.get(id=payment.id)).state is PaymentState.REFUNDED


async def test_a_refund_wechat_refuses_is_closed_with_its_reason(
    settings: Settings,
    wechat_api: WeChatApiFake,
    wechat_pay_merchant: MerchantCredentials,
    aiohttp_client: Any,
    tmp_path: Path,
) -> None:
    merchant = wechat_pay_merchant
    async with WeChatPayFake(
        merchant_public_key_pem=merchant.public_key_pem,
        mchid=merchant.mchid,
        merchant_serial_no=merchant.serial_no,
        apiv3_key=merchant.apiv3_key,
        platform_private_key_pem=cached_rsa_private_key_pem("wechatpay-platform"),
        merchant_balance=100,
    ) as pay:
        shop = await make_shop(settings, pay, wechat_api, merchant, aiohttp_client, tmp_path)
        payment = await _paid(shop)
        with pytest.raises(PayError) as caught:
            await refund_order(shop.services, shop.order.order_no, reason="x", requested_by="s")
        assert caught.value.code == "NOT_ENOUGH" and "余额不足" in caught.value.message
        (refund,) = await Refund.filter(payment_id=payment.id)
        assert refund.state is RefundState.CLOSED
        assert (await Payment.get(id=payment.id)).state is PaymentState.PAID


async def test_a_refund_wechat_could_not_take_is_sent_again_once(shop: Shop) -> None:
    await _paid(shop)
    shop.pay.error_next("/v3/refund/domestic/refunds", status=503, times=3)
    refund = await refund_order(shop.services, shop.order.order_no, reason="x", requested_by="s")
    assert refund.state is RefundState.PROCESSING and not shop.pay.refunds
    await Job.filter(kind="pay.refund").update(run_at=utcnow())
    await shop.run_jobs()
    assert list(shop.pay.refunds) == [refund.out_refund_no]
    assert shop.pay.refunds[refund.out_refund_no].amount == PRICE
