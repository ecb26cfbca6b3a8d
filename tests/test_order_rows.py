"""The hot-path loader of a conversation and its order gives what the ORM query gives."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.services import Services
from models.orders import Conversation, Order, OrderStatus, load_conversation, save_turn


async def test_loads_the_conversation_with_its_order_like_the_orm(services: Services) -> None:
    order = await Order.create(
        order_no="CD20261125000001",
        kind="org",
        owner_openid="o-row-1",
        answers={"org_name": "北京数字认证测试单位", "legal_phone": "v1.token"},
        amount_fen=55000,
        consent_at=datetime(2026, 11, 25, 8, 0, tzinfo=UTC),
    )
    await Conversation.create(
        channel="oa", openid="o-row-1", order=order, step="dept", editing=True, history=["a", "b"]
    )
    loaded = await load_conversation("oa", "o-row-1")
    expected = await Conversation.filter(openid="o-row-1").select_related("order").get()
    assert loaded is not None
    for field in Conversation._meta.fields_db_projection:
        assert getattr(loaded, field) == getattr(expected, field), field
    assert loaded.order is not None
    for field in Order._meta.fields_db_projection:
        assert getattr(loaded.order, field) == getattr(expected.order, field), field
    assert loaded.order.status is OrderStatus.DRAFT and loaded.editing is True
    loaded.order.answers["dept"] = "信息部"
    await loaded.order.save()  # an instance loaded this way saves like any other
    assert (await Order.get(id=order.id)).answers["dept"] == "信息部"


async def test_conversation_without_order_and_unknown_user(services: Services) -> None:
    await Conversation.create(channel="mp", openid="o-row-2")
    loaded = await load_conversation("mp", "o-row-2")
    assert loaded is not None and loaded.order_id is None and loaded.history == []  # type: ignore[attr-defined]
    assert await load_conversation("oa", "o-row-2") is None
    assert await load_conversation("oa", "nobody") is None


async def test_a_turn_saves_the_draft_and_the_conversation_together(services: Services) -> None:
    order = await Order.create(order_no="CD20261125000003", kind="org", owner_openid="o-row-3")
    other = await Order.create(order_no="CD20261125000004", kind="org", owner_openid="o-row-4")
    await Conversation.create(channel="oa", openid="o-row-3", order=order, step="org_name")
    loaded = await load_conversation("oa", "o-row-3")
    assert loaded is not None and loaded.order is not None
    before = loaded.updated_at
    loaded.order.answers = {"org_name": "北京数字认证测试单位", "note": 'a "quoted" ’ value'}
    loaded.order.amount_fen = 30000
    loaded.order.status = OrderStatus.SUBMITTED
    loaded.step, loaded.editing, loaded.history = "dept", True, ["org_name"]
    await save_turn(loaded.order, loaded)
    saved_order = await Order.get(id=order.id)
    assert saved_order.answers == loaded.order.answers and saved_order.amount_fen == 30000
    assert saved_order.status is OrderStatus.SUBMITTED
    saved = await Conversation.get(openid="o-row-3")
    assert (saved.step, saved.editing, saved.history) == ("dept", True, ["org_name"])
    assert saved.updated_at >= before
    untouched = await Order.get(id=other.id)
    assert untouched.answers == {} and untouched.status is OrderStatus.DRAFT
