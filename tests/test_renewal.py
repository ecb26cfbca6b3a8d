"""Certificate renewal (seed section 2) end to end: the signed WeChat webhook, the Pay fake, the
built-in CA, the real ``/bridge`` hub and the bridge program on an emulated Key (in-process
here; over the real PC/SC stack in ``test_renewal_pcsc``)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from cryptography import x509

from bot.ca.records import pem_of, subject_dn_of
from bot.china_time import SHANGHAI
from bot.config import Settings
from bot.engine import decrypt_answers
from bot.key_secrets import import_puks, management_key
from bot.reminders import scan
from bot.renewal_rules import add_years
from bot.sandbox.wechat_api import WeChatApiFake
from bot.sandbox.wechat_pay import WeChatPayFake
from bot.services import Services
from handlers.applications import build_engine
from key_bridge.emulator.applet import PivApplet
from key_bridge.mgmkey import ManagementKeyAlgorithm
from key_bridge.piv_data import Slot
from models.certificates import Certificate, CertificateStatus
from models.jobs import Job
from models.keys import KeySecret
from models.orders import Order, OrderStatus
from models.payments import Payment, PaymentState
from models.renewals import Renewal, RenewalState
from models.staff import StaffRole
from tests.conftest_card import ScratchCa, server_answer
from tests.fakes.fixtures import MerchantCredentials
from tests.renewal_world import PIN, RenewalWorld, make_world, now
from tests.test_admin_helpers import Console, staff
from tests.test_bridge_hub import wait_for
from tests.test_unlock import KEY_SERIAL, OPENID


@pytest.fixture
async def world(
    settings: Settings,
    wechat_api: WeChatApiFake,
    wechat_pay: WeChatPayFake,
    wechat_pay_merchant: MerchantCredentials,
    aiohttp_client: Any,
    applet: PivApplet,
    tmp_path: Path,
) -> AsyncIterator[RenewalWorld]:
    made = await make_world(
        settings, wechat_api, wechat_pay, wechat_pay_merchant, aiohttp_client, applet, tmp_path
    )
    try:
        yield made
    finally:
        await made.shutdown()


async def _renewed_once(world: RenewalWorld) -> Certificate:
    """Exactly one payment, one new certificate (on the Key, recorded, replacing the old)."""
    assert world.old is not None
    payments = await Payment.filter(order__owner_openid=world.chat.openid)
    assert [p.state for p in payments] == [PaymentState.PAID]
    records = await Certificate.all().order_by("id")
    assert len(records) == 2
    old, new = records
    assert old.status is CertificateStatus.RENEWED and old.replaced_by_id == new.id
    assert new.key_serial == world.old.key_serial and new.project == world.old.project
    on_key = world.on_key()
    assert format(on_key.serial_number, "x") == new.serial_hex
    assert on_key.subject.rfc4514_string() == subject_dn_of(world.services.cipher, world.old)
    renewal = await Renewal.get()
    assert renewal.state is RenewalState.WRITTEN
    assert (await Order.get(id=renewal.order_id)).status is OrderStatus.COMPLETED  # type: ignore[attr-defined]
    return new


async def test_renewal_before_expiry_extends_from_the_old_expiry(world: RenewalWorld) -> None:
    old = await world.issue_old(now() + timedelta(days=30))
    await world.connect_bridge()
    shown = await world.chat.click("renew")
    assert "证书主题：北京数字认证测试单位" in shown
    assert "数字证书来源：商丘市公共资源交易中心" in shown
    assert "剩余天数：30 天" in shown or "剩余天数：29 天" in shown
    assert "1. 续期 1 年，¥250.00" in shown and "2. 续期 2 年，¥450.00" in shown
    assert "验证码已发送" in await world.chat.say("2")
    summary = await world.chat.say(world.chat.last_code())
    assert "经办人：李*（139****2222）" in summary and "¥450.00" in summary
    # The electronic invoice should go to the finance office: corrected with the flow's checks.
    menu = await world.chat.say("修改")
    assert "4. 经办人电子邮箱：lisi@example.com" in menu and "发票抬头" not in menu
    assert "请输入新的经办人电子邮箱" in await world.chat.say("4")
    assert "请重新输入经办人电子邮箱" in await world.chat.say("caiwu-at-example")
    summary = await world.chat.say("caiwu@example.com")
    assert "确认订单" in summary and "lisi" not in summary
    assert "订单已提交" in await world.chat.say("确认订单")
    order = await Order.filter(status=OrderStatus.SUBMITTED).get()
    assert order.amount_fen == 45000 and order.project == "shangqiu"
    flow = build_engine(world.services).flows["org"]
    answers = decrypt_answers(world.services, flow, order)
    assert answers["handler_email"] == "caiwu@example.com" and answers["years"] == "2"
    assert answers["uscc"] == "91110000600037341L"

    world.pc.type(PIN)
    await world.pay_order()
    assert (await Order.get(id=order.id)).status is OrderStatus.APPROVED  # not in review
    await world.run_jobs()
    new = await _renewed_once(world)
    assert new.not_before == old.not_after  # no day lost
    assert new.not_after == add_years(old.not_after, 2)
    expiry = f"{new.not_after.astimezone(SHANGHAI):%Y-%m-%d}"
    assert any(f"证书更新成功，新证书有效期至 {expiry}" in text for text in world.pushed())
    await wait_for(lambda: any("证书更新成功" in s for s in world.pc.statuses))
    assert not any("等待审核" in text for text in world.pushed())
    assert any("请输入 Key 的 PIN 码" in p for p in world.pc.prompts)


async def test_renewal_after_expiry_starts_when_written(world: RenewalWorld) -> None:
    await world.issue_old(now() - timedelta(days=40))
    await world.connect_bridge()
    shown = await world.order_renewal("1")
    assert "已过期：40 天" in shown and "从写入 Key 之日起计算" in shown
    world.pc.type(PIN)
    await world.pay_order()
    before = now()
    await world.run_jobs()
    new = await _renewed_once(world)
    assert before - timedelta(seconds=2) <= new.not_before <= now()
    assert new.not_after == add_years(new.not_before, 1)


@pytest.mark.parametrize(
    ("days", "reason"),
    [(120, "到期前 90 天内方可更新"), (-400, "已过期超过 365 天，无法更新")],
)
async def test_ineligible_certificates_are_refused_with_the_reason(
    world: RenewalWorld, days: int, reason: str
) -> None:
    await world.issue_old(now() + timedelta(days=days))
    await world.connect_bridge()
    shown = await world.chat.click("renew")
    assert reason in shown and "不能更新" in shown and "新办" in shown
    assert "续期" not in shown
    assert await Order.filter(status=OrderStatus.SUBMITTED).count() == 0


async def test_without_the_bridge_the_user_is_told_to_run_it(world: RenewalWorld) -> None:
    await world.issue_old(now() + timedelta(days=30))
    first = await world.chat.click("renew")
    assert "请在电脑上运行证书助手并插入 Key（只插一个）" in first
    assert "https://ca.example.cn/assistant" in first
    await world.connect_bridge()
    assert "续期 1 年" in await world.chat.say("继续")


@pytest.mark.parametrize(
    ("pulled_at", "state"),
    [
        ("正在生成证书请求", RenewalState.KEYGEN),  # after key generation
        ("正在写入新证书", RenewalState.ISSUED),  # after issuance, before writing
        ("正在核对写入的证书", RenewalState.ISSUED),  # during write-back: written, unconfirmed
    ],
)
async def test_key_pulled_out_then_resumed_one_payment_one_certificate(
    world: RenewalWorld, pulled_at: str, state: RenewalState
) -> None:
    await world.issue_old(now() + timedelta(days=10))
    await world.connect_bridge()
    await world.order_renewal()
    world.pc.on_status[pulled_at] = world.card.remove
    world.pc.type(PIN)  # at the PIN prompt the Key may already be gone
    await world.pay_order()
    await world.run_jobs()
    renewal = await Renewal.get()
    assert renewal.state is state
    assert any("证书更新未完成" in text and "继续" in text for text in world.pushed())
    issued_before = renewal.new_serial

    world.card.insert()
    world.pc.type(PIN)
    if state is RenewalState.KEYGEN:  # back a day later: the chat's state has expired
        await world.services.store.delete(f"renewal:session:wechat:{world.chat.openid}")
    assert "正在继续未完成的证书更新" in await world.chat.say("继续")
    await world.run_jobs()
    new = await _renewed_once(world)
    if state is RenewalState.ISSUED:
        assert new.serial_hex == issued_before  # written, never issued again
    assert (await Renewal.get()).attempts == 2


async def test_reminder_template_links_to_renewal_in_the_chat(
    settings: Settings,
    wechat_api: WeChatApiFake,
    wechat_pay: WeChatPayFake,
    wechat_pay_merchant: MerchantCredentials,
    aiohttp_client: Any,
    applet: PivApplet,
    tmp_path: Path,
) -> None:
    world = await make_world(
        settings,
        wechat_api,
        wechat_pay,
        wechat_pay_merchant,
        aiohttp_client,
        applet,
        tmp_path,
        templates={"renewal_reminder": "TPL_RENEW"},
    )
    try:
        await world.issue_old(now() + timedelta(days=25))
        assert await scan() == 1
        await world.run_jobs()
        sent = [m for m in wechat_api.messages_to(OPENID) if m.kind == "template"]
        assert len(sent) == 1 and sent[0].body["template_id"] == "TPL_RENEW"
        shown = json.dumps(sent[0].body["data"], ensure_ascii=False)
        assert "证书到期提醒" in shown and "剩余 25 天" in shown and "证书更新" in shown
        assert "91110000600037341L" not in shown  # no identifier in a notice
        path = urlsplit(sent[0].body["url"]).path
        assert path.startswith("/renew/")

        # Straight from the notice, outside the 48-hour window: back to the chat's menu.
        page = await world.client.get(path)
        assert page.status == 200 and "点击菜单“证书更新”" in await page.text()
        # After talking to the account: the link opens 证书更新 in the chat.
        wechat_api.note_user_message(OPENID)
        page = await world.client.get(path)
        assert "已在公众号中为您打开“证书更新”" in await page.text()
        assert "请在电脑上运行证书助手并插入 Key（只插一个）" in world.pushed()[-1]
        await world.connect_bridge()
        assert "续期 1 年" in await world.chat.say("继续")

        forged = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
        assert (await world.client.get(forged)).status == 403
    finally:
        await world.shutdown()


async def test_management_keys_are_imported_encrypted_with_the_puks(services: Services) -> None:
    aes = "aes128:" + "0f" * 16
    lines = ["# key serial,PUK,management key", "HB0101,12345678," + aes, "HB0102,87654321"]
    assert await import_puks(services, lines) == 2
    secret = await KeySecret.get(key_serial="HB0101")
    assert secret.management_key and "0f0f" not in secret.management_key
    assert management_key(services, secret) == (ManagementKeyAlgorithm.AES128, b"\x0f" * 16)
    assert management_key(services, await KeySecret.get(key_serial="HB0102")) is None
    for bad in ("3des:0102", "des:" + "01" * 24, "aes128:zz"):
        with pytest.raises(ValueError, match="line 1"):
            await import_puks(services, [f"HB0103,11111111,{bad}"])
    assert not await KeySecret.filter(key_serial="HB0103").exists()


async def test_bridge_gone_or_another_key_after_payment_then_renewed(
    world: RenewalWorld, scratch_ca: ScratchCa
) -> None:
    old = await world.issue_old(now() + timedelta(days=5))
    await world.connect_bridge()
    await world.order_renewal()
    assert world.bridge is not None
    await world.bridge.shutdown()  # the user closed the assistant before paying
    world.bridge = None
    await world.pay_order()
    await world.run_jobs()
    assert any("证书助手已断开" in text for text in world.pushed())

    # Back with another Key in the reader: refused, nothing generated on it.
    piv = world.piv()
    piv.authenticate_admin(server_answer())
    other = scratch_ca.issue(piv.generate_key()[1])
    piv.write_certificate(other)
    world.card.insert()
    await world.connect_bridge()
    assert "正在继续" in await world.chat.say("继续")
    await world.run_jobs()
    assert any("不是要更新的 Key" in text for text in world.pushed())
    assert (await Renewal.get()).state is RenewalState.PAID
    assert world.on_key() == other

    # The right Key: renewed, one payment, one certificate.
    piv = world.piv()
    piv.authenticate_admin(server_answer())
    piv.write_certificate(
        x509.load_pem_x509_certificate(pem_of(world.services.cipher, old).encode())
    )
    world.pc.type(PIN)
    await world.chat.say("继续")
    await world.run_jobs()
    await _renewed_once(world)


async def test_a_key_without_its_management_key_on_record_is_not_renewed_online(
    world: RenewalWorld,
) -> None:
    await world.issue_old(now() + timedelta(days=5))
    await KeySecret.filter(key_serial=KEY_SERIAL).update(management_key=None)
    await world.connect_bridge()
    shown = await world.chat.click("renew")
    assert "暂不支持在线更新" in shown and "010-58515511" in shown
    assert "续期" not in shown


async def test_a_paid_renewal_is_not_the_staffs_to_produce(world: RenewalWorld) -> None:
    await world.issue_old(now() + timedelta(days=5))
    await world.connect_bridge()
    await world.order_renewal()
    await world.pay_order()  # paid; the PC part has not run yet (no worker)
    order = await Order.get(status=OrderStatus.APPROVED)
    await staff("op-renewal", StaffRole.OPERATOR)
    console = Console(world.client)
    assert (await console.login("op-renewal")).status == 303
    listing = await (await console.get("/admin/production")).text()
    assert order.order_no not in listing
    page = await (await console.get(f"/admin/orders/{order.order_no}")).text()
    assert "由证书助手在用户电脑上生成并写入 Key" in page and "证书制作" not in page
    refused = await console.post(
        f"/admin/orders/{order.order_no}/produce",
        cert_serial="5A3F0011",
        not_before="2026-11-25",
        not_after="2027-11-24",
        key_serial=KEY_SERIAL,
    )
    assert refused.status == 409 and "证书助手" in await refused.text()
    assert await Certificate.all().count() == 1


async def test_ordering_again_replaces_the_unpaid_order_and_a_late_payment_is_refunded(
    world: RenewalWorld,
) -> None:
    await world.issue_old(now() + timedelta(days=5))
    await world.connect_bridge()
    await world.order_renewal()
    first = await Payment.get()
    world.clock.offset += 120  # a new SMS code may be sent
    await world.order_renewal()  # the user started over (e.g. after the chat's state expired)
    assert (await Order.get(id=first.order_id)).status is OrderStatus.CANCELLED  # type: ignore[attr-defined]
    await world.pay_order(first)  # the finance office paid the old QR code anyway
    assert await Job.filter(kind="pay.refund").count() == 1
    world.pc.type(PIN)
    second = await Payment.exclude(id=first.id).get()
    await world.pay_order(second)
    await world.run_jobs()
    assert await Certificate.all().count() == 2
    assert (await Renewal.get(order_id=second.order_id)).state is RenewalState.WRITTEN  # type: ignore[attr-defined]
    assert (await Renewal.get(order_id=first.order_id)).state is RenewalState.ORDERED  # type: ignore[attr-defined]


async def test_pin_cancelled_on_the_pc_then_a_typo_then_renewed(world: RenewalWorld) -> None:
    await world.issue_old(now() + timedelta(days=5))
    await world.connect_bridge()
    await world.order_renewal()
    world.pc.answers.put(None)  # 取消 in the PIN dialog
    await world.pay_order()
    await world.run_jobs()
    assert any("已在电脑上取消输入 PIN 码" in text for text in world.pushed())
    world.pc.type("654321", PIN)
    await world.chat.say("继续")
    await world.run_jobs()
    assert any("还可以再试 2 次" in prompt for prompt in world.pc.prompts)
    await _renewed_once(world)


async def test_a_write_back_torn_off_is_written_after_the_key_proves_it_holds_the_new_key(
    world: RenewalWorld,
) -> None:
    await world.issue_old(now() + timedelta(days=5))
    await world.connect_bridge()
    await world.order_renewal()
    world.pc.on_status["正在写入新证书"] = world.card.remove
    world.pc.type(PIN)
    await world.pay_order()
    await world.run_jobs()
    renewal = await Renewal.get()
    assert renewal.state is RenewalState.ISSUED
    world.card.insert()
    piv = world.piv()  # what a write cut off half-way leaves: an object that is no certificate
    piv.authenticate_admin(server_answer())
    piv.write_object(Slot.AUTHENTICATION.object_tag, bytes.fromhex("7003300100"))
    world.pc.type(PIN)  # the Key signs with the new key to prove it is the same Key
    await world.chat.say("继续")
    await world.run_jobs()
    new = await _renewed_once(world)
    assert new.serial_hex == renewal.new_serial  # written, never issued again
    assert len(world.pc.prompts) == 2  # the PIN for the request, then for the proof


async def test_a_renewal_whose_order_number_is_taken_draws_another(
    world: RenewalWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Order numbers are random within the day: the renewal's order takes another one when its
    first is taken, and its answers are sealed under the number it keeps."""
    await world.issue_old(now() + timedelta(days=30))
    await world.connect_bridge()
    taken = "CD20261201000001"
    await Order.create(order_no=taken, kind="org", owner_openid="o-earlier", answers={})
    draws = iter([taken, "CD20261201000002"])
    monkeypatch.setattr("handlers.renewal_order.new_order_no", lambda: next(draws))
    await world.order_renewal("1")
    order = await Order.get(status=OrderStatus.SUBMITTED)
    assert order.order_no == "CD20261201000002"
    answers = decrypt_answers(world.services, build_engine(world.services).flows["org"], order)
    assert answers["uscc"] == "91110000600037341L" and answers["years"] == "1"
    assert await Renewal.filter(order_id=order.id).count() == 1
