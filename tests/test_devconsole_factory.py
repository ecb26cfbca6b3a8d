"""The development console's Key factory: an emulated Key personalised for a user's finished
order holds a certificate for the order's subject from the sandbox CA, and the server holds the
Key's PUK and management key — the Key unlocks and authenticates with them. A Key can be made
with a certificate that renewal accepts, from the CA renewal issues with."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509

from bot.app import SERVICES, create_app
from bot.ca.builtin import BuiltinCA
from bot.config import Settings
from bot.devconsole.factory import (
    FactoryRefused,
    KeyFactory,
    certificate_on,
    lock_pin,
    try_pin,
)
from bot.key_secrets import current_puk, management_key
from bot.renewal_rules import check_renewal
from bot.sandbox.wechat_api import WeChatApiFake
from key_bridge.emulator.local import LocalTransport
from key_bridge.mgmkey import answer_challenge
from key_bridge.piv import PivCard
from models.keys import KeySecret
from models.orders import Order, OrderStatus
from tests.test_application_flows import flow_settings
from tests.test_unlock import OPENID, PROJECT, _record_order

NEW_PIN = "246813"


async def test_a_personalised_key_unlocks_with_the_puk_on_record(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client: Any
) -> None:
    configured = dataclasses.replace(flow_settings(settings, wechat_api), projects=[PROJECT])
    client = await aiohttp_client(create_app(configured, run_worker=False))
    services = client.app[SERVICES]
    factory = KeyFactory(services)
    with pytest.raises(FactoryRefused, match="还没有已制作或已完成的订单"):
        await factory.personalise(OPENID)
    await _record_order(services)
    made = await factory.personalise(OPENID)

    piv = PivCard(LocalTransport(made.applet))
    piv.select()
    on_card = piv.read_certificate()
    assert on_card is not None and format(on_card.serial_number, "x") == made.certificate.serial_hex
    ca = factory.ca()
    assert isinstance(ca, BuiltinCA)
    on_card.verify_directly_issued_by(ca.issuing)
    names = on_card.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    assert [n.value for n in names] == ["北京数字认证测试单位"]
    order = await Order.get(order_no=made.order_no)
    assert order.status == OrderStatus.COMPLETED and made.certificate.owner_openid == OPENID
    assert made.certificate.key_serial == made.key_serial

    assert lock_pin(made.applet) == 3 and not try_pin(made.applet, "123456")
    secret = await KeySecret.get(key_serial=made.key_serial)
    piv.reset_pin(current_puk(services, secret).encode(), NEW_PIN)
    assert try_pin(made.applet, NEW_PIN)
    known = management_key(services, secret)
    assert known is not None
    piv.authenticate_admin(
        lambda challenge: answer_challenge(known[0], known[1], challenge.challenge), known[0]
    )
    folder = Path(ca.path)
    factory.close()
    assert not folder.exists()


async def test_an_expired_key_from_the_ca_renewal_issues_with(
    settings: Settings, wechat_api: WeChatApiFake, aiohttp_client: Any, tmp_path: Path
) -> None:
    configured = dataclasses.replace(flow_settings(settings, wechat_api), projects=[PROJECT])
    client = await aiohttp_client(create_app(configured, run_worker=False))
    services = client.app[SERVICES]
    await _record_order(services)
    renewal_ca = BuiltinCA(tmp_path / "dev-ca", services.cipher, configured.ca.identifier_oid)
    factory = KeyFactory(services, ca=renewal_ca)
    with pytest.raises(FactoryRefused, match="证书到期天数应在 -365 到 365 之间"):
        await factory.personalise(OPENID, 400)
    made = await factory.personalise(OPENID, -10)

    on_card = certificate_on(made.applet)
    assert on_card is not None and renewal_ca.initialised()  # created on first use
    on_card.verify_directly_issued_by(renewal_ca.issuing)
    expired = datetime.now(UTC) - on_card.not_valid_after_utc
    assert timedelta(days=10) <= expired < timedelta(days=10, minutes=1)
    assert on_card.not_valid_after_utc - on_card.not_valid_before_utc == timedelta(days=365)
    assert check_renewal(on_card.not_valid_after_utc, datetime.now(UTC)).ok
    factory.close()
    assert renewal_ca.initialised()  # the CA given is kept
