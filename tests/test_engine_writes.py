"""A chat turn's writes are all or nothing, on both databases.

On PostgreSQL a turn that only records an answer is saved by one statement without a
transaction; a turn that writes anything else (here: the completion hook) opens one before its
first write, so a failure part-way leaves the draft as it was before the message.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3

import asyncpg
import pytest
from tortoise.transactions import in_transaction

from bot.engine import Engine, Turn, new_order_no
from bot.flows import Flow, Step, StepKind
from bot.messages import Answer, Inbound, Reply, TextReply
from bot.services import Services
from models.orders import Conversation, Order, OrderStatus, save_new_draft

FLOW = Flow(
    code="org",
    title="测试申请",
    steps=[
        Step(key="name", label="姓名", prompt="请输入姓名"),
        Step(key="confirm", label="确认", prompt="请确认", kind=StepKind.CONFIRM),
    ],
)

TWO_FIELDS = Flow(
    code="org",
    title="测试申请",
    steps=[
        Step(key="name", label="姓名", prompt="请输入姓名"),
        Step(key="phone", label="电话", prompt="请输入电话"),
        Step(key="confirm", label="确认", prompt="请确认", kind=StepKind.CONFIRM),
    ],
)


class SubmitFails(Exception):
    """The completion hook failed after it had written (a crash mid-turn)."""


def text(openid: str, value: str, msg_id: int) -> Inbound:
    return Inbound(kind="text", openid=openid, text=value, create_time=msg_id, msg_id=str(msg_id))


async def test_a_turn_failing_after_its_first_write_leaves_the_draft_as_it_was(
    services: Services,
) -> None:
    async def submit_then_fail(turn: Turn) -> Answer:
        turn.order.status = OrderStatus.SUBMITTED
        await turn.order.save()
        raise SubmitFails

    engine = Engine(services, {"org": FLOW}, on_complete=submit_then_fail)
    await engine.start("wechat", "o-writes", "org")
    answer = await engine.handle("wechat", "o-writes", text("o-writes", "张三", 1))
    assert answer is not None and "确认" in answer.replies[-1].text  # type: ignore[union-attr]

    with pytest.raises(SubmitFails):
        await engine.handle("wechat", "o-writes", text("o-writes", "确认", 2))

    draft = await Order.get(owner_openid="o-writes")
    assert draft.status is OrderStatus.DRAFT  # the hook's write was rolled back
    assert set(draft.answers) == {"name"}  # the confirmation was not recorded either
    conversation = await Conversation.get(openid="o-writes")
    assert conversation.history == ["name"]

    async def submit(turn: Turn) -> Answer:
        turn.order.status = OrderStatus.SUBMITTED
        await turn.order.save()
        return Answer([TextReply("已提交")])

    engine.on_complete = submit  # the same message again, now that submitting works
    answer = await engine.handle("wechat", "o-writes", text("o-writes", "确认", 2))
    assert answer is not None and answer.replies[-1].text == "已提交"  # type: ignore[union-attr]
    assert (await Order.get(owner_openid="o-writes")).status is OrderStatus.SUBMITTED


async def committed_status(database_url: str, order_no: str) -> str:
    """The order's status as another connection sees it: only what was committed."""
    query = "SELECT status FROM orders WHERE order_no = {}"
    if database_url.startswith("sqlite://"):
        with contextlib.closing(sqlite3.connect(database_url.removeprefix("sqlite://"))) as db:
            return str(db.execute(query.format("?"), (order_no,)).fetchone()[0])
    connection = await asyncpg.connect(database_url)
    try:
        return str(await connection.fetchval(query.format("$1"), order_no))
    finally:
        await connection.close()


async def test_work_after_the_commit_runs_only_for_a_committed_turn(
    services: Services, database_url: str
) -> None:
    """A completion's call to an outside service (the prepay) is made once the submission is
    committed, and never for a turn that is rolled back; its replies follow the answer."""
    seen: list[str] = []
    fail = True

    async def submit(turn: Turn) -> Answer:
        turn.order.status = OrderStatus.SUBMITTED
        await turn.order.save()
        order_no = turn.order.order_no

        async def prepay() -> list[Reply]:
            seen.append(await committed_status(database_url, order_no))
            return [TextReply("付款码")]

        turn.after_commit(prepay, fallback=TextReply("付款码稍后再取"))
        if fail:
            raise SubmitFails
        return Answer([TextReply("已提交")])

    engine = Engine(services, {"org": FLOW}, on_complete=submit)
    await engine.start("wechat", "o-after", "org")
    await engine.handle("wechat", "o-after", text("o-after", "张三", 1))
    with pytest.raises(SubmitFails):
        await engine.handle("wechat", "o-after", text("o-after", "确认", 2))
    assert seen == []  # rolled back: no prepay for a submission the database does not know

    fail = False
    answer = await engine.handle("wechat", "o-after", text("o-after", "确认", 2))
    assert answer is not None
    assert [r.text for r in answer.replies] == ["已提交", "付款码"]  # type: ignore[union-attr]
    assert seen == ["submitted"]


async def test_a_plain_answer_is_kept_without_a_transaction(services: Services) -> None:
    engine = Engine(services, {"org": FLOW})
    await engine.start("wechat", "o-plain", "org")
    await engine.handle("wechat", "o-plain", text("o-plain", "李四", 1))
    draft = await Order.get(owner_openid="o-plain")
    assert draft.answers == {"name": "李四"}
    answer = await engine.handle("wechat", "o-plain", text("o-plain", "李四", 1))  # WeChat's retry
    assert answer is not None and "已经处理过" in answer.replies[0].text  # type: ignore[union-attr]


async def test_a_draft_adopted_from_the_other_channel_stays_the_active_one(
    services: Services,
) -> None:
    """A draft begun in the mini-program after the user wrote in chat continues in chat (same
    UnionID): the chat conversation records it, so going back a step works across messages."""
    engine = Engine(services, {"org": TWO_FIELDS})
    await engine.link("wechat", "o-chat", "u-shared")
    await engine.link("mp", "o-mp", "u-shared")
    await engine.open_form("mp", "o-mp", "org")
    await engine.handle("wechat", "o-chat", text("o-chat", "王五", 1))  # adopts the draft
    await engine.handle("wechat", "o-chat", text("o-chat", "13800138000", 2))
    draft = await Order.get(owner_openid="o-mp")
    chat = await Conversation.get(channel="wechat", openid="o-chat")
    assert chat.order_id == draft.id  # type: ignore[attr-defined]
    assert chat.history == ["name", "phone"]
    answer = await engine.handle("wechat", "o-chat", text("o-chat", "上一步", 3))
    assert answer is not None and "电话" in answer.replies[0].text  # type: ignore[union-attr]
    assert set((await Order.get(owner_openid="o-mp")).answers) == {"name"}


async def test_a_turn_writes_only_what_it_changed(services: Services) -> None:
    """A column changed by someone else while a message is handled (staff, a payment) is not
    overwritten by the turn's save."""

    async def code_checked_meanwhile(turn: Turn, step: Step, inbound: Inbound) -> str:
        await Order.filter(id=turn.order.id).update(project="changed-meanwhile")
        return "ok"

    with_code = Flow(
        code="org",
        title="测试申请",
        steps=[
            Step(key="name", label="姓名", prompt="请输入姓名"),
            Step(
                key="code",
                label="验证码",
                prompt="请输入验证码",
                kind=StepKind.SMS,
                phone_field="name",
            ),
            Step(key="confirm", label="确认", prompt="请确认", kind=StepKind.CONFIRM),
        ],
    )
    engine = Engine(services, {"org": with_code}, actions={StepKind.SMS: code_checked_meanwhile})
    await engine.start("wechat", "o-both", "org")
    await engine.handle("wechat", "o-both", text("o-both", "赵六", 1))
    await engine.handle("wechat", "o-both", text("o-both", "123456", 2))
    draft = await Order.get(owner_openid="o-both")
    assert draft.project == "changed-meanwhile"
    assert set(draft.answers) == {"name", "code"}


async def test_first_messages_of_a_new_user_at_once_share_one_conversation(
    services: Services,
) -> None:
    """Two requests of a user the database has never seen (the mini-program has no per-user
    lock): both get the same conversation, neither fails on the unique (channel, openid)."""
    engine = Engine(services, {"org": FLOW})
    first, second = await asyncio.gather(
        engine.open_form("mp", "o-new-user", "org"), engine.current_form("mp", "o-new-user")
    )
    assert first is not None
    assert await Conversation.filter(channel="mp", openid="o-new-user").count() == 1
    conversation = await Conversation.get(channel="mp", openid="o-new-user")
    assert conversation.history == [] and conversation.editing is False
    assert conversation.order_id is not None  # type: ignore[attr-defined]
    assert second is None or second.order_no == first.order_no


async def test_a_new_users_choice_inserts_the_conversation_with_its_draft(
    services: Services,
) -> None:
    engine = Engine(services, {"org": FLOW})
    answer = await engine.start("wechat", "o-first", "org")
    assert "姓名" in answer.replies[-1].text  # type: ignore[union-attr]
    conversation = await Conversation.get(channel="wechat", openid="o-first")
    draft = await Order.get(owner_openid="o-first")
    assert conversation.order_id == draft.id  # type: ignore[attr-defined]
    assert draft.status is OrderStatus.DRAFT and draft.kind == "org"
    answer = await engine.start("wechat", "o-first", "org")  # chosen again: resume or restart
    assert "继续" in answer.replies[-1].text  # type: ignore[union-attr]
    assert await Order.filter(owner_openid="o-first").count() == 1


async def test_a_conversation_inserted_meanwhile_takes_the_new_draft_and_keeps_its_own_columns(
    services: Services,
) -> None:
    """The first choice of a user whose conversation another request inserted after this one
    looked (the mini-program has no per-user lock): the draft goes to that conversation, whose
    UnionID is kept."""
    engine = Engine(services, {"org": FLOW})
    seen_before = Conversation(channel="wechat", openid="o-race")  # no row when it looked
    await engine.link("wechat", "o-race", "u-race")  # the other request inserts the row
    draft = Order(order_no=new_order_no(), kind="org", owner_openid="o-race", answers={})
    async with in_transaction():
        await save_new_draft(draft, seen_before)
    stored = await Conversation.get(channel="wechat", openid="o-race")
    assert stored.id == seen_before.pk
    assert stored.order_id == draft.pk  # type: ignore[attr-defined]
    assert stored.unionid == "u-race"
    saved = await Order.get(id=draft.pk)
    assert saved.owner_openid == "o-race"
    assert saved.owner_unionid == "u-race"  # the draft follows the user to the mini-program
    assert seen_before.unionid == draft.owner_unionid == "u-race"


async def test_a_taken_order_number_is_drawn_again(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Order numbers are random within the day: one already taken is drawn again, for a new
    user (whose conversation is inserted with the draft) and for one the database knows."""
    taken = new_order_no()
    await Order.create(order_no=taken, kind="org", owner_openid="o-earlier", answers={})
    draws = iter([taken, "CD20261201000001", taken, taken, "CD20261201000002"])
    monkeypatch.setattr("bot.engine.new_order_no", lambda: next(draws))
    engine = Engine(services, {"org": FLOW})

    answer = await engine.start("wechat", "o-unlucky", "org")
    assert "姓名" in answer.replies[-1].text  # type: ignore[union-attr]
    draft = await Order.get(owner_openid="o-unlucky")
    assert draft.order_no == "CD20261201000001"

    await engine.link("wechat", "o-known", "u-known")  # a conversation without a draft
    await engine.start("wechat", "o-known", "org")
    draft = await Order.get(owner_openid="o-known")
    assert draft.order_no == "CD20261201000002" and draft.owner_unionid == "u-known"
    conversation = await Conversation.get(channel="wechat", openid="o-known")
    assert conversation.order_id == draft.id  # type: ignore[attr-defined]
    assert await Order.filter(order_no=taken).count() == 1


async def test_work_failing_after_the_commit_leaves_the_submission_and_says_what_to_do(
    services: Services,
) -> None:
    """The submission is committed before the prepay: when the prepay then fails, the user
    still gets the submission's answer, and the fallback instead of the payment."""

    async def submit(turn: Turn) -> Answer:
        turn.order.status = OrderStatus.SUBMITTED
        await turn.order.save()

        async def prepay() -> list[Reply]:
            raise ConnectionError("WeChat Pay is unreachable")

        turn.after_commit(prepay, fallback=TextReply("请稍后回复“支付”"))
        return Answer([TextReply("已提交")])

    engine = Engine(services, {"org": FLOW}, on_complete=submit)
    await engine.start("wechat", "o-prepay-fails", "org")
    await engine.handle("wechat", "o-prepay-fails", text("o-prepay-fails", "张三", 1))
    answer = await engine.handle("wechat", "o-prepay-fails", text("o-prepay-fails", "确认", 2))
    assert answer is not None
    assert [r.text for r in answer.replies] == ["已提交", "请稍后回复“支付”"]  # type: ignore[union-attr]
    assert (await Order.get(owner_openid="o-prepay-fails")).status is OrderStatus.SUBMITTED


async def test_a_completion_handled_again_shows_what_its_lost_answer_had(
    services: Services,
) -> None:
    """The process handling the confirmation died after the commit, before the answer (and the
    payment) went out: WeChat's retry is told it was handled and gets the payment."""

    async def submit(turn: Turn) -> Answer:
        turn.order.status = OrderStatus.SUBMITTED
        await turn.order.save()
        return Answer([TextReply("已提交")])

    async def payment_again(inbound: Inbound) -> list[Reply]:
        return [TextReply(f"付款码 {inbound.openid}")]

    engine = Engine(services, {"org": FLOW}, on_complete=submit, on_repeated_done=payment_again)
    await engine.start("wechat", "o-lost", "org")
    await engine.handle("wechat", "o-lost", text("o-lost", "张三", 1))
    await engine.handle("wechat", "o-lost", text("o-lost", "确认", 2))  # its answer was lost
    again = await engine.handle("wechat", "o-lost", text("o-lost", "确认", 2))
    assert again is not None
    texts = [reply.text for reply in again.replies]  # type: ignore[union-attr]
    assert "已经处理过" in texts[0] and "已提交" in texts[0] and texts[1:] == ["付款码 o-lost"]
    assert await Order.filter(owner_openid="o-lost", status=OrderStatus.SUBMITTED).count() == 1
