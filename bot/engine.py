"""The conversation engine: runs any declared flow (``bot.flows``) over any channel.

State lives in the database: the user's ``Conversation`` row names the draft ``Order`` and the
step being edited; the draft holds the answers (sensitive ones encrypted). Each inbound message
is applied all or nothing (one statement, or one transaction when it writes more: see
``TurnWrites``), so nothing a user typed is lost by a restart or a crash between messages.
The next question is computed from the answers (the first applicable step without an answer),
so going back, editing from the summary and conditional fields need no stored transitions.

Verbs valid at any step: 上一步, 修改 N / 修改 字段, 取消, 继续, 帮助, 人工, 进度.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import secrets
import unicodedata
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from bot import engine_texts as T
from bot import metrics
from bot.china_time import SHANGHAI
from bot.flows import Flow, Step, StepKind
from bot.logs import get_logger
from bot.messages import Answer, HandOver, Inbound, Reply, TextReply
from bot.outbox import utcnow
from bot.services import Services
from bot.validators import Invalid
from models.orders import (
    Conversation,
    Order,
    OrderStatus,
    answer_context,
    create_conversation,
    load_conversation,
    save_is_one_statement,
    save_new_draft,
    save_turn,
)

log = get_logger(__name__)

StepAction = Callable[["Turn", Step, Inbound], Awaitable[str | None]]
AfterCommit = Callable[[], Awaitable[list[Reply]]]
EnterHook = Callable[["Turn", Step], Awaitable[str]]


class Reprompt(Exception):
    """Raised by a step action to answer (e.g. "code sent again") and ask the step again."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


CONFIRMED = "yes"
HANDED_TO = "handed:"  # Conversation.awaiting while another handler has the user's messages
YES = frozenset({"1", "是", "确定", "确认", "好", "对", "yes", "y"})
NO = frozenset({"2", "否", "不", "不是", "no", "n"})
VERB_BACK = frozenset({"上一步", "返回", "返回上一步"})
VERB_CANCEL = frozenset({"取消", "取消申请", "退出"})
VERB_CONTINUE = frozenset({"继续", "继续办理", "继续填写"})
VERB_HELP = frozenset({"帮助", "?", "？", "help"})
VERB_HUMAN = frozenset({"人工", "人工客服", "客服", "转人工"})
VERB_PROGRESS = frozenset({"进度", "查看进度"})
EDIT = re.compile(r"^(?:返回修改|修改)\s*(.*)$")


FORM_EXCLUDED = frozenset({StepKind.UPLOAD, StepKind.SMS})  # not typed into a form field


@dataclass(frozen=True)
class DraftView:
    """A draft as the mini-program shows it."""

    order_no: str
    flow: str
    answers: dict[str, str]  # as echoed: choice labels, sensitive values masked
    next_step: str | None
    done: int
    total: int
    amount: str = ""  # what the order will cost with the answers so far (¥550.00)


@dataclass(frozen=True)
class FormStep:
    """The result of a form's upload or code: the draft, an error, or a message (submitted)."""

    draft: DraftView | None
    error: str = ""
    message: str = ""


def normalise(text: str) -> str:
    """NFKC, trimmed, inner whitespace collapsed: how every typed answer is read."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


async def _in_transaction_already() -> None:
    """``Turn.writing`` of a turn that runs inside a transaction from its start."""


class TurnWrites:
    """The writes of one chat turn: a transaction is opened before its first write other than
    the final ``save_turn``, and ends (commit, or rollback on an error) with the block.

    Where ``save_turn`` is one atomic statement (PostgreSQL), a turn that only records an
    answer needs no transaction: two round trips fewer on every message's hot path. Elsewhere
    the transaction is opened at once.
    """

    def __init__(self) -> None:
        self._stack = contextlib.AsyncExitStack()
        self._open = False
        self.db: BaseDBAsyncClient = Conversation._meta.db
        """The connection the turn's statements go to (the transaction's once it is open)."""

    async def __aenter__(self) -> TurnWrites:
        await self._stack.__aenter__()
        if not save_is_one_statement(self.db):
            await self.begin()
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self._stack.__aexit__(*exc_info)  # commits, or rolls back on an error

    async def begin(self) -> None:
        """Open the transaction (once): call before anything else is written."""
        if not self._open:
            self.db = await self._stack.enter_async_context(in_transaction())
            self._open = True


async def run_after_commit(
    answer: Answer, pending: list[tuple[AfterCommit, Reply]], channel: str
) -> Answer:
    """Work to do once a turn is committed (``Turn.after_commit``), in order: its replies are
    added to ``answer``, or its fallback when it fails (what was committed stands)."""
    for work, fallback in pending:
        try:
            answer.replies.extend(await work())
        except Exception:
            log.exception("work after a committed turn failed", extra={"channel": channel})
            answer.replies.append(fallback)
    return answer


def _repeated_done(
    hook: Callable[[Inbound], Awaitable[list[Reply]]], inbound: Inbound
) -> tuple[AfterCommit, Reply]:
    """``Engine.on_repeated_done`` as work after the turn, with its fallback."""

    async def work() -> list[Reply]:
        return [TextReply(T.ALREADY_HANDLED_SUBMITTED), *await hook(inbound)]

    return work, TextReply(T.ALREADY_HANDLED_DONE)


@dataclass
class Turn:
    """One inbound message being handled: the conversation, its draft and decrypted answers.

    ``writing`` is awaited before the turn writes anything but its final save (an upload, a
    code sent, a completed application): see ``TurnWrites``.
    """

    services: Services
    flow: Flow
    conversation: Conversation
    order: Order
    answers: dict[str, str]
    writing: Callable[[], Awaitable[None]] = field(default=_in_transaction_already)
    pending_after_commit: list[tuple[AfterCommit, Reply]] = field(default_factory=list)

    def after_commit(self, work: AfterCommit, fallback: Reply) -> None:
        """Run ``work`` once the turn's writes are committed; its replies follow the answer,
        or ``fallback`` if it fails (what was committed stands: the user is told what to do).

        For calls to outside services that must not happen for a turn that is then rolled
        back (a prepay for an order that the database would not know as submitted).
        """
        self.pending_after_commit.append((work, fallback))

    def set_answer(self, step: Step, value: str) -> None:
        """Record an answer (encrypted when the step is sensitive)."""
        self.answers[step.key] = value
        stored = (
            self.services.cipher.encrypt(value, context=self._context(step), remember=True)
            if step.sensitive
            else value
        )
        self.order.answers = {**self.order.answers, step.key: stored}
        fill_fixed(self.flow, self.answers)

    def clear_answer(self, key: str) -> None:
        """Forget an answer."""
        self.answers.pop(key, None)
        self.order.answers = {k: v for k, v in self.order.answers.items() if k != key}

    def _context(self, step: Step) -> str:
        return answer_context(self.order.order_no, step.key)


def parse_answer(step: Step, text: str, answers: Mapping[str, str]) -> str:
    """The stored form of the (normalised) ``text`` answering ``step``, given the other
    answers; ``Invalid`` with the reason when it is not an answer."""
    if step.kind is StepKind.CHOICE:
        for number, choice in enumerate(step.choices, start=1):
            if text in {str(number), choice.value, choice.label}:
                return choice.value
        numbers = " 或 ".join(str(n) for n in range(1, len(step.choices) + 1))
        raise Invalid(T.CHOICE_HOW.format(numbers=numbers))
    if step.kind in {StepKind.CONSENT, StepKind.CONFIRM}:
        if text in YES or text in {"同意", "确认订单"}:
            return CONFIRMED
        raise Invalid(T.CONFIRM_AGAIN if step.kind is StepKind.CONFIRM else T.CONSENT_HOW)
    if not step.required and text in T.SKIP_WORDS:
        return ""
    if step.default is not None and text in T.DEFAULT_WORDS:
        text = step.default(answers)
    if not text:
        raise Invalid(step.hint or T.WANT_TEXT)
    return step.validate(text, answers)


def decrypt_answers(services: Services, flow: Flow, order: Order) -> dict[str, str]:
    """The answers of a draft in clear, defaults of non-editable steps filled in."""
    answers: dict[str, str] = {}
    for key, stored in order.answers.items():
        step = flow.steps_by_key.get(key)
        if step is not None and step.sensitive:
            answers[key] = services.cipher.decrypt(
                stored, context=answer_context(order.order_no, key), remember=True
            )
        else:
            answers[key] = stored
    fill_fixed(flow, answers)
    return answers


def fill_fixed(flow: Flow, answers: dict[str, str]) -> None:
    """Set the values that follow from other answers (发票抬头 = 单位名称)."""
    for step in flow.fixed:
        if step.default is not None:
            if step.applies(answers):
                answers[step.key] = step.default(answers)
            else:
                answers.pop(step.key, None)


def unconfirm(turn: Turn) -> None:
    """A changed answer voids the confirmation: what is confirmed must be what was shown."""
    for step in turn.flow.steps:
        if step.kind is StepKind.CONFIRM:
            turn.clear_answer(step.key)


async def discard(draft: Order) -> None:
    """Cancel a draft and delete what was typed into it (the applicant chose to)."""
    draft.status = OrderStatus.CANCELLED
    draft.answers = {}
    await draft.save()


RECENT_MESSAGES = 8  # marks kept per conversation: a retry after later messages is still known


def message_mark(inbound: Inbound) -> str:
    """What ``Conversation.recent_messages`` keeps of a message: a hash of its de-duplication
    key (48 bits: enough to tell apart one user's last few messages)."""
    return hashlib.sha256(inbound.dedupe_key.encode("utf-8")).hexdigest()[:12]


def _recent(conversation: Conversation) -> list[str]:
    return [mark for mark in (conversation.recent_messages or "").split(",") if mark]


def _remember(conversation: Conversation, mark: str) -> None:
    kept = _recent(conversation)[-(RECENT_MESSAGES - 1) :]
    conversation.recent_messages = ",".join([*kept, mark])


ORDER_NO_DRAWS = 5
"""Order numbers drawn for a new draft before giving up (each is taken with the chance of that
day's orders in a million)."""


def new_order_no(now: datetime | None = None) -> str:
    """An order number applicants can read out: CD + the date in China + 6 random digits."""
    day = (now or utcnow()).astimezone(SHANGHAI)
    return f"CD{day:%Y%m%d}{secrets.randbelow(10**6):06d}"


class Engine:
    """Runs flows for users of one channel; handlers supply flows and special step actions."""

    def __init__(
        self,
        services: Services,
        flows: Mapping[str, Flow],
        actions: Mapping[StepKind, StepAction] | None = None,
        on_complete: Callable[[Turn], Awaitable[Answer]] | None = None,
        on_enter: Mapping[StepKind, EnterHook] | None = None,
        on_repeated_done: Callable[[Inbound], Awaitable[list[Reply]]] | None = None,
    ) -> None:
        """``on_repeated_done``: what a message handled before says when the user's draft is
        gone since (submitted): run after the turn like ``Turn.after_commit`` work, e.g. the
        payment a process killed after the submission's commit never showed."""
        self.services = services
        self.flows = dict(flows)
        self.actions = dict(actions or {})
        self.on_complete = on_complete
        self.on_repeated_done = on_repeated_done
        self.on_enter = dict(on_enter or {})

    # -- entry points ---------------------------------------------------------------------------

    async def start(
        self,
        channel: str,
        openid: str,
        flow_code: str,
        preset: Mapping[str, str] | None = None,
        choice: Inbound | None = None,
    ) -> Answer:
        """The user chose a service: resume an existing draft or begin a new one.

        ``preset`` answers known before the first question (the project of a QR code).
        ``choice``: the menu click or message that chose it; handled again (its process died
        before it answered), it answers where the user is instead of offering to resume the
        draft it has just begun.
        """
        flow = self.flows[flow_code]
        # On PostgreSQL each way through writes one atomic statement (a rare second one only
        # corrects a new draft's UnionID): no transaction there.
        async with TurnWrites() as writes:
            # A new user's conversation is inserted with the new draft.
            conversation = await load_conversation(channel, openid, writes.db) or Conversation(
                channel=channel, openid=openid
            )
            if choice is not None:
                mark = message_mark(choice)
                if mark in _recent(conversation):
                    return self._repeated(conversation, await self._draft(conversation))
                _remember(conversation, mark)  # saved with the offer or the new draft
            draft = await self._draft(conversation)
            if draft is not None:
                return await self._offer_resume(conversation, draft, flow_code)
            return await self._begin(conversation, openid, flow, preset)

    async def hand_to(self, channel: str, openid: str, handler: str | None) -> bool:
        """Let ``handler`` (e.g. order query) take the user's messages until called with None;
        the draft is kept and choosing a service takes the messages back. True if changed."""
        async with in_transaction():
            conversation = await self._conversation(channel, openid)
            current = conversation.awaiting or ""
            if handler is not None:
                conversation.awaiting = HANDED_TO + handler
            elif current.startswith(HANDED_TO):
                conversation.awaiting = None
            else:
                return False
            await conversation.save()
            return True

    async def resume_order(self, channel: str, openid: str, order: Order) -> Answer:
        """Make ``order`` (a draft of this user, found by order query) the active draft and ask
        its next question."""
        async with in_transaction():
            conversation = await self._conversation(channel, openid)
            if conversation.order_id != order.id:  # type: ignore[attr-defined]
                conversation.order = order
                conversation.step = None
                conversation.editing = False
                conversation.history = []
            conversation.awaiting = None
            await conversation.save()
            return Answer([TextReply(self._prompt_or_done(self._turn_for(conversation, order)))])

    async def handle(self, channel: str, openid: str, inbound: Inbound) -> Answer | None:
        """Feed a message to the user's draft; None when the user has no draft in progress."""
        async with TurnWrites() as writes:
            conversation = await self._conversation(channel, openid, writes.db)
            if conversation.awaiting and conversation.awaiting.startswith(HANDED_TO):
                return None  # another handler (order query) has the user's attention
            if conversation.awaiting and conversation.awaiting.startswith("resume:"):
                await writes.begin()
                return await self._resume_choice(conversation, openid, inbound)
            mark = message_mark(inbound)
            draft = await self._draft(conversation)
            if mark in _recent(conversation):  # handled before; its answer was lost
                if draft is not None or (hook := self.on_repeated_done) is None:
                    return self._repeated(conversation, draft)
                answer, pending = Answer(), [_repeated_done(hook, inbound)]
            else:
                if draft is None:
                    return None
                if inbound.kind == "text" and self._returning(conversation):
                    return await self._offer_resume(conversation, draft, draft.kind, T.WELCOME_BACK)
                turn = self._turn_for(conversation, draft)
                turn.writing = writes.begin
                answer = await self._turn(turn, inbound)
                _remember(conversation, mark)
                await save_turn(draft, conversation, writes.db)
                pending = turn.pending_after_commit
        return await run_after_commit(answer, pending, conversation.channel) if pending else answer

    def _repeated(self, conversation: Conversation, draft: Order | None) -> Answer:
        """The answer to a message applied already: where the user is now."""
        if draft is None:
            return Answer([TextReply(T.ALREADY_HANDLED_DONE)])
        turn = self._turn_for(conversation, draft)
        return Answer([TextReply(T.ALREADY_HANDLED + "\n\n" + self._prompt_or_done(turn))])

    # -- forms (the mini-program): the same drafts and validators, a whole form at once --------

    async def open_form(self, channel: str, openid: str, flow_code: str) -> DraftView:
        """The user's draft of this flow, started if there is none (another flow's is kept)."""
        flow = self.flows[flow_code]
        async with in_transaction():
            conversation = await self._conversation(channel, openid)
            draft = await self._draft(conversation)
            if draft is None or draft.kind != flow_code:
                if draft is not None:
                    await discard(draft)
                draft = await self._new_draft(conversation, openid, flow)
            return self.view(self._turn_for(conversation, draft))

    async def current_form(self, channel: str, openid: str) -> DraftView | None:
        """The user's draft in progress, if any."""
        conversation = await self._conversation(channel, openid)
        draft = await self._draft(conversation)
        return self.view(self._turn_for(conversation, draft)) if draft else None

    async def fill_form(
        self, channel: str, openid: str, values: Mapping[str, str]
    ) -> tuple[DraftView | None, dict[str, str]]:
        """Validate and record several fields; returns the draft and the reason per bad field.

        Valid fields are kept even when others are wrong: nothing given is lost.
        """
        errors: dict[str, str] = {}
        async with in_transaction():
            conversation = await self._conversation(channel, openid)
            draft = await self._draft(conversation)
            if draft is None:
                return None, {"": T.NO_DRAFT}
            turn = self._turn_for(conversation, draft)
            keys = set(values)
            for step in turn.flow.steps:  # in flow order: conditions see earlier answers
                if step.key not in keys:
                    continue
                keys.discard(step.key)
                if not step.asks(turn.answers) or step.kind in FORM_EXCLUDED:
                    errors[step.key] = T.FIELD_NOT_ASKED.format(label=step.label)
                    continue
                try:
                    value = parse_answer(step, normalise(values[step.key]), turn.answers)
                    self._record(turn, step, value)
                except Invalid as exc:
                    errors[step.key] = exc.reason
            for key in keys:
                errors[key] = T.FIELD_UNKNOWN.format(key=key[:40])
            if values and not any(
                turn.flow.step(k).kind is StepKind.CONFIRM
                for k in values
                if k in turn.flow.steps_by_key
            ):
                unconfirm(turn)
            await save_turn(draft, conversation)
            return self.view(turn), errors

    async def fill_special(self, channel: str, openid: str, key: str, inbound: Inbound) -> FormStep:
        """Feed a form's upload, or its SMS code, to that step; submit when it was the last.

        Uploads are taken in any order once the form reached them; the code is checked only
        when everything before it is done.
        """
        async with in_transaction():
            conversation = await self._conversation(channel, openid)
            draft = await self._draft(conversation)
            if draft is None:
                return FormStep(None, T.NO_DRAFT)
            turn = self._turn_for(conversation, draft)
            step = turn.flow.steps_by_key.get(key)
            if step is None or step.kind not in self.actions or not step.asks(turn.answers):
                return FormStep(self.view(turn), T.FIELD_UNKNOWN.format(key=key[:40]))
            if not self._reached(turn, step):
                return FormStep(self.view(turn), T.NOT_YET.format(label=step.label))
            message = ""
            try:
                await self._act(turn, step, inbound)
            except Reprompt as signal:
                message = signal.text
            except Invalid as exc:
                return FormStep(self.view(turn), exc.reason)
            completed = await self._complete(turn) if self.current_step(turn) is None else None
            await save_turn(draft, conversation)
        if completed is not None:
            await run_after_commit(completed, turn.pending_after_commit, channel)
            message = "\n".join(r.text for r in completed.replies if isinstance(r, TextReply))
        return FormStep(self.view(turn), "", message)

    def _reached(self, turn: Turn, step: Step) -> bool:
        """Whether the form got as far as ``step`` (uploads: as far as the first upload)."""
        current = self.current_step(turn)
        if current is None:
            return False
        order = [s.key for s in turn.flow.steps]
        if step.kind is StepKind.UPLOAD and current.kind is StepKind.UPLOAD:
            return True
        return order.index(current.key) >= order.index(step.key)

    async def enter_step(self, channel: str, openid: str) -> str:
        """Run the current step's enter hook (e.g. send the SMS code) and say what it did."""
        conversation = await self._conversation(channel, openid)
        draft = await self._draft(conversation)
        if draft is None:
            return T.NO_DRAFT
        turn = self._turn_for(conversation, draft)
        step = self.current_step(turn)
        hook = self.on_enter.get(step.kind) if step is not None else None
        if step is None or hook is None:
            return T.NOTHING_TO_SEND
        return await hook(turn, step)

    async def answer_step(self, turn: Turn, step: Step, inbound: Inbound) -> str | None:
        """Validate and record ``inbound`` as the answer to ``step`` (any step, e.g. one item a
        review sent back); returns the echo line. Raises ``Invalid`` or ``Reprompt``."""
        text = normalise(inbound.text) if inbound.kind == "text" else ""
        return await self._accept(turn, step, inbound, text)

    def view(self, turn: Turn) -> DraftView:
        """What a form shows of a draft: answers as echoed (masked), progress, next step."""
        done, total = self._counts(turn.flow, turn.answers)
        step = self.current_step(turn)
        shown = {
            s.key: self.display(s, turn.answers)
            for s in turn.flow.steps
            if s.key in turn.answers and s.kind not in FORM_EXCLUDED
        }
        amount = turn.flow.quote(turn.answers) if turn.flow.quote is not None else ""
        return DraftView(
            turn.order.order_no,
            turn.flow.code,
            shown,
            step.key if step else None,
            done,
            total,
            amount,
        )

    # -- one turn -------------------------------------------------------------------------------

    async def _turn(self, turn: Turn, inbound: Inbound) -> Answer:
        text = normalise(inbound.text) if inbound.kind == "text" else ""
        conversation = turn.conversation
        if conversation.awaiting == "cancel":
            return await self._cancel_choice(turn, text)
        verb = await self._verb(turn, text)
        if verb is not None:
            metrics.labelled(metrics.FLOW_STEPS, turn.flow.code, "verb").inc()
            return verb
        step = self.current_step(turn)
        if step is None:
            return await self._complete(turn)
        try:
            reply = await self._accept(turn, step, inbound, text)
        except Reprompt as signal:
            return Answer([TextReply(signal.text + "\n\n" + self.prompt(turn, step))])
        except Invalid as exc:
            metrics.labelled(metrics.FLOW_STEPS, turn.flow.code, "rejected").inc()
            return Answer(
                [TextReply(T.INVALID.format(reason=exc.reason) + "\n\n" + self.prompt(turn, step))]
            )
        metrics.labelled(metrics.FLOW_STEPS, turn.flow.code, "accepted").inc()
        return await self._advance(turn, reply)

    async def _accept(self, turn: Turn, step: Step, inbound: Inbound, text: str) -> str | None:
        """Validate and record the answer to ``step``; returns an echo line, if any."""
        if step.kind in self.actions:
            await self._act(turn, step, inbound)
            return None
        if inbound.kind != "text":
            raise Invalid(T.WANT_TEXT)
        value = parse_answer(step, text, turn.answers)
        self._record(turn, step, value)
        if step.sensitive and value:
            masker = step.masker or (lambda v: v)
            return T.ACCEPTED_MASKED.format(value=masker(value))
        return None

    async def _act(self, turn: Turn, step: Step, inbound: Inbound) -> None:
        """Run the action of an upload or SMS step and record what it returns."""
        await turn.writing()
        value = await self.actions[step.kind](turn, step, inbound)
        if value is None:
            raise Invalid(T.WANT_PHOTO if step.kind is StepKind.UPLOAD else T.WANT_TEXT)
        self._record(turn, step, value)

    def _record(self, turn: Turn, step: Step, value: str) -> None:
        turn.set_answer(step, value)
        if step.kind is StepKind.CONSENT:
            turn.order.consent_at = utcnow()
            turn.order.consent_version = step.version_for(turn.answers)
        history = [key for key in turn.conversation.history if key != step.key]
        turn.conversation.history = [*history, step.key]
        self._drop_inapplicable(turn)

    def _drop_inapplicable(self, turn: Turn) -> None:
        """Answers of steps that no longer apply (a changed choice) are removed, not kept."""
        for step in turn.flow.conditional:
            if step.key in turn.answers and not step.applies(turn.answers):
                turn.clear_answer(step.key)

    async def _advance(self, turn: Turn, echo: str | None) -> Answer:
        conversation = turn.conversation
        if conversation.editing:
            conversation.editing = False
        conversation.step = None
        answer = Answer([TextReply(echo)] if echo else [])
        step = self.current_step(turn)
        if step is None:
            completed = await self._complete(turn)
            answer.replies.extend(completed.replies)
            return answer
        answer.add(TextReply(await self._enter(turn, step)))
        return answer

    async def _enter(self, turn: Turn, step: Step) -> str:
        """The prompt of a step just reached, after its enter hook (e.g. sending a code)."""
        hook = self.on_enter.get(step.kind)
        note = ""
        if hook is not None:
            await turn.writing()
            note = await hook(turn, step)
        prompt = self.prompt(turn, step)
        return f"{prompt}\n{note}" if note else prompt

    async def _complete(self, turn: Turn) -> Answer:
        if self.on_complete is None:
            return Answer()
        await turn.writing()
        return await self.on_complete(turn)

    # -- where the user is ----------------------------------------------------------------------

    def current_step(self, turn: Turn) -> Step | None:
        """The step being edited, else the first applicable step without an answer."""
        if turn.conversation.step and turn.conversation.step in turn.flow.steps_by_key:
            return turn.flow.step(turn.conversation.step)
        # A changed field un-confirms the summary: confirmation is for what was shown.
        for step in turn.flow.applicable(turn.answers):
            if step.key not in turn.answers:
                return step
        return None

    def _counts(self, flow: Flow, answers: Mapping[str, str]) -> tuple[int, int]:
        steps = flow.applicable(answers)
        return sum(1 for s in steps if s.key in answers), len(steps)

    def prompt(self, turn: Turn, step: Step) -> str:
        """The question for ``step``: where the user is, what to enter, and how."""
        steps = turn.flow.applicable(turn.answers)
        number = next((i for i, s in enumerate(steps, start=1) if s.key == step.key), 0)
        lines = [T.PROGRESS.format(n=number, total=len(steps), label=step.label), step.prompt]
        if step.kind is StepKind.CHOICE:
            lines += [
                f"{n}. {c.label}"
                + (f"（{note}）" if (note := step.note_for(c, turn.answers)) else "")
                for n, c in enumerate(step.choices, start=1)
            ]
            numbers = " 或 ".join(str(n) for n in range(1, len(step.choices) + 1))
            lines.append(T.CHOICE_HOW.format(numbers=numbers))
        elif step.kind is StepKind.CONFIRM:
            lines = [self.summary(turn)]
        elif step.kind is StepKind.CONSENT:
            lines += [f"《{title}》{url}" for title, url in step.links]
            lines.append(T.CONSENT_HOW)
        elif step.kind is StepKind.UPLOAD:
            lines += [f"{title}：{url}" for title, url in step.links]
            lines.append(T.UPLOAD_HOW)
        else:
            if step.hint:
                lines.append(step.hint)
            if step.default is not None and step.editable:
                lines.append(T.DEFAULT_HOW.format(value=step.default(turn.answers)))
            if not step.required:
                lines.append(T.OPTIONAL)
        return "\n".join(line for line in lines if line)

    def summary(self, turn: Turn) -> str:
        """The summary of the answers (sensitive values masked), numbered as 修改 N expects;
        fixed values (发票抬头 = 单位名称) are shown without a number."""
        lines = [T.SUMMARY_HEAD]
        asked = [step.key for step in turn.flow.applicable(turn.answers)]
        for step in turn.flow.steps:
            if not step.applies(turn.answers) or step.kind in {
                StepKind.CONFIRM,
                StepKind.CONSENT,
                StepKind.UPLOAD,
                StepKind.SMS,
            }:
                continue
            value = self.display(step, turn.answers)
            if step.key in asked:
                n = asked.index(step.key) + 1
                lines.append(T.SUMMARY_LINE.format(n=n, label=step.label, value=value))
            else:
                lines.append(T.SUMMARY_FIXED.format(label=step.label, value=value))
        if turn.flow.quote is not None and (amount := turn.flow.quote(turn.answers)):
            lines.append(T.SUMMARY_QUOTE.format(amount=amount))
        lines.append(T.SUMMARY_HOW)
        return "\n".join(lines)

    @staticmethod
    def display(step: Step, answers: Mapping[str, str]) -> str:
        """How an answer is echoed: the choice label, masked if sensitive, or '（未填）'."""
        value = answers.get(step.key, "")
        if not value:
            return T.SUMMARY_EMPTY
        choice = step.choice_for(value)
        if choice is not None:
            return choice.label
        return step.masker(value) if step.sensitive and step.masker else value

    # -- verbs ----------------------------------------------------------------------------------

    async def _verb(self, turn: Turn, text: str) -> Answer | None:
        flow, conversation = turn.flow, turn.conversation
        step = self.current_step(turn)
        if text in VERB_BACK:
            if not conversation.history:
                return Answer(
                    [TextReply(T.NOTHING_TO_GO_BACK + "\n\n" + self._prompt_or_done(turn))]
                )
            previous = conversation.history[-1]
            conversation.history = conversation.history[:-1]
            turn.clear_answer(previous)
            conversation.step = None
            conversation.editing = False
            return Answer([TextReply(self._prompt_or_done(turn))])
        if text in VERB_CANCEL:
            conversation.awaiting = "cancel"
            return Answer([TextReply(T.CANCEL_CONFIRM.format(title=flow.title))])
        if text in VERB_CONTINUE:
            return Answer([TextReply(self._prompt_or_done(turn))])
        if text in VERB_HELP:
            hint = (step.hint or step.prompt) if step else ""
            return Answer([TextReply(T.HELP.format(hint=hint))])
        if text in VERB_HUMAN:
            phone = self.services.settings.service.phone
            return Answer([HandOver(), TextReply(T.HAND_OVER.format(phone=phone))])
        if text in VERB_PROGRESS:
            done, total = self._counts(flow, turn.answers)
            current = step.label if step else "确认订单"
            return Answer(
                [
                    TextReply(
                        T.PROGRESS_REPORT.format(
                            title=flow.title, done=done, total=total, current=current
                        )
                    )
                ]
            )
        match = EDIT.match(text)
        if match is not None:
            what = match.group(1).strip()
            target = turn.flow.find(what, turn.answers) if what else None
            # At a text step, "修改…" that names no field is an answer (a name may start so).
            if target is not None or step is None or step.kind is not StepKind.TEXT:
                return self._edit(turn, what)
        return None

    def _edit(self, turn: Turn, what: str) -> Answer:
        target = turn.flow.find(what, turn.answers) if what else None
        if target is None or target.kind in {StepKind.CONFIRM, StepKind.SMS}:
            return Answer([TextReply(T.EDIT_WHICH.format(what=what) + "\n\n" + self.summary(turn))])
        turn.conversation.step = target.key
        turn.conversation.editing = True
        unconfirm(turn)
        return Answer([TextReply(self.prompt(turn, target))])

    def _prompt_or_done(self, turn: Turn) -> str:
        step = self.current_step(turn)
        return self.prompt(turn, step) if step else self.summary(turn)

    async def _cancel_choice(self, turn: Turn, text: str) -> Answer:
        conversation = turn.conversation
        if text in YES:
            await turn.writing()
            await discard(turn.order)
            conversation.order = None
            conversation.awaiting = None
            conversation.step = None
            conversation.history = []
            return Answer([TextReply(T.CANCELLED)])
        if text in NO:
            conversation.awaiting = None
            return Answer([TextReply(T.CANCEL_KEPT + "\n\n" + self._prompt_or_done(turn))])
        return Answer([TextReply(T.YES_NO_AGAIN)])

    def _returning(self, conversation: Conversation) -> bool:
        """Whether the user comes back to a draft after a long pause (they may have forgotten
        it: offer 继续 / 重新开始 instead of taking the message as an answer)."""
        hours = self.services.settings.service.resume_offer_hours
        last = conversation.updated_at
        return bool(hours) and last is not None and utcnow() - last > timedelta(hours=hours)

    async def _offer_resume(
        self, conversation: Conversation, draft: Order, flow_code: str, greeting: str = ""
    ) -> Answer:
        """Ask whether to continue ``draft`` or start ``flow_code`` afresh."""
        current = self.flows[draft.kind]
        done, total = self._counts(current, decrypt_answers(self.services, current, draft))
        conversation.awaiting = f"resume:{flow_code}"
        await conversation.save()
        offer = T.RESUME_OFFER.format(title=current.title, done=done, total=total)
        return Answer([TextReply(greeting + offer)])

    async def _resume_choice(
        self, conversation: Conversation, openid: str, inbound: Inbound
    ) -> Answer:
        text = normalise(inbound.text) if inbound.kind == "text" else ""
        wanted = (conversation.awaiting or "").split(":", 1)[1]
        draft = await self._draft(conversation)
        if draft is None or text in NO or text == "重新开始":
            if draft is not None:
                await discard(draft)
            conversation.awaiting = None
            return await self._begin(conversation, openid, self.flows[wanted])
        if text in YES or text in VERB_CONTINUE:
            conversation.awaiting = None
            await conversation.save()
            turn = self._turn_for(conversation, draft)
            return Answer([TextReply(self._prompt_or_done(turn))])
        return Answer([TextReply(T.YES_NO_AGAIN)])

    # -- persistence ----------------------------------------------------------------------------

    async def _conversation(
        self, channel: str, openid: str, db: BaseDBAsyncClient | None = None
    ) -> Conversation:
        """The user's conversation with its draft, in one query.

        Messages of one user are serialised by the channel's per-user lock, so no row lock
        is taken here.
        """
        conversation = await load_conversation(channel, openid, db)
        if conversation is None:
            conversation = await create_conversation(channel, openid)
        return conversation

    async def _draft(self, conversation: Conversation) -> Order | None:
        """The active draft; with a UnionID, one started in the other channel is adopted."""
        order = conversation.order if conversation.order_id is not None else None  # type: ignore[attr-defined]
        if order is not None and order.status == OrderStatus.DRAFT:
            return order
        conversation.order = None
        if not conversation.unionid:
            return None
        shared = (
            await Order.filter(owner_unionid=conversation.unionid, status=OrderStatus.DRAFT)
            .order_by("-updated_at")
            .first()
        )
        if shared is not None:
            conversation.order = shared
            conversation.step = None
            conversation.editing = False
            conversation.history = []
        return shared

    async def link(self, channel: str, openid: str, unionid: str) -> None:
        """Record the UnionID of a user, so the draft follows them across channels."""
        async with in_transaction():
            conversation = await self._conversation(channel, openid)
            conversation.unionid = unionid[:64]
            draft = await self._draft(conversation)
            if draft is not None and not draft.owner_unionid:
                draft.owner_unionid = conversation.unionid
                await draft.save()
            await conversation.save()

    def _turn_for(self, conversation: Conversation, draft: Order) -> Turn:
        """A turn on the user's draft with its answers decrypted."""
        flow = self.flows[draft.kind]
        return Turn(
            self.services, flow, conversation, draft, decrypt_answers(self.services, flow, draft)
        )

    async def _begin(
        self,
        conversation: Conversation,
        openid: str,
        flow: Flow,
        preset: Mapping[str, str] | None = None,
    ) -> Answer:
        order = await self._new_draft(conversation, openid, flow, preset)
        turn = self._turn_for(conversation, order)
        intro = [TextReply(flow.intro)] if flow.intro else []
        return Answer([*intro, TextReply(self._prompt_or_done(turn))])

    async def _new_draft(
        self,
        conversation: Conversation,
        openid: str,
        flow: Flow,
        preset: Mapping[str, str] | None = None,
    ) -> Order:
        """A new draft of ``flow``, made the conversation's active one; ``preset`` answers of
        choice steps are taken when they name one of the choices."""
        answers = {
            key: value
            for key, value in (preset or {}).items()
            if key in flow.steps_by_key and flow.step(key).choice_for(value) is not None
        }
        order = Order(
            order_no=new_order_no(),
            kind=flow.code,
            owner_openid=openid,
            owner_unionid=conversation.unionid,
            status=OrderStatus.DRAFT,
            answers=answers,
            project=answers.get("project", ""),
        )
        conversation.step = None
        conversation.awaiting = None
        conversation.editing = False
        conversation.history = []
        for _ in range(ORDER_NO_DRAWS):
            if await save_new_draft(order, conversation):
                return order
            order.order_no = new_order_no()  # that day's number was taken: draw again
        raise RuntimeError(f"no free order number in {ORDER_NO_DRAWS} draws")
