"""Flows as data: the declaration types every business flow is written in.

A ``Flow`` is an ordered list of ``Step`` declarations — field key, Chinese label and prompt,
kind, validator, condition, sensitivity, default — that reads like the seed's form. The engine
(``bot.engine``) runs any flow over any channel; the mini-program API renders the same
declaration as a form schema. Flows hold no chat plumbing; the engine holds no business rules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

Answers = Mapping[str, str]
ASKED_REMEMBERED = 64  # combinations of the answers conditions look at, per flow
Validator = Callable[[str], str]
ContextValidator = Callable[[str, Answers], str]  # for fields that depend on other answers


@dataclass(frozen=True)
class FieldIs:
    """A step's condition as data: another answer equals a value (forms render it too)."""

    key: str
    value: str

    def __call__(self, answers: Answers) -> bool:
        return answers.get(self.key) == self.value

    def describe(self) -> dict[str, str]:
        """The condition for the mini-program's form schema."""
        return {"field": self.key, "equals": self.value}


Condition = FieldIs
Default = Callable[[Answers], str]
Masker = Callable[[str], str]
ChoiceNote = Callable[[str, Answers], str]  # a note that depends on other answers (a price)


class StepKind(StrEnum):
    """What the engine expects from the user at a step."""

    TEXT = "text"  # typed text, checked by the validator
    CHOICE = "choice"  # one of the numbered choices
    UPLOAD = "upload"  # a photo (chat) or a file (mini-program)
    SMS = "sms"  # a code sent to the phone in another field
    CONSENT = "consent"  # agree to the linked documents
    CONFIRM = "confirm"  # the summary: 确认订单 / 返回修改


@dataclass(frozen=True)
class Choice:
    """One answer of a choice step: stored ``value``, shown ``label``, optional explanation."""

    value: str
    label: str
    note: str = ""


@dataclass(frozen=True)
class Step:
    """One field or action of a flow."""

    key: str
    label: str
    prompt: str
    kind: StepKind = StepKind.TEXT
    required: bool = True
    validator: Validator | None = None
    contextual: ContextValidator | None = None
    choices: Sequence[Choice] = ()
    when: Condition | None = None
    sensitive: bool = False
    masker: Masker | None = None
    default: Default | None = None
    editable: bool = True  # False: always the default (e.g. 发票抬头 = 单位名称)
    hint: str = ""  # how to answer, for the mini-program form and the 帮助 verb
    phone_field: str = ""  # SMS steps: which answer holds the phone
    links: Sequence[tuple[str, str]] = ()  # consent / download links (title, url)
    section: str = ""  # summary grouping, as the seed's form groups fields
    version: str | Default = ""  # consent steps: the version of the documents agreed to
    choice_note: ChoiceNote | None = None  # choice steps: a note computed from the answers

    def applies(self, answers: Answers) -> bool:
        """Whether this step is part of the flow given the answers so far."""
        return self.when is None or self.when(answers)

    def asks(self, answers: Answers) -> bool:
        """Whether the user is asked at all (a non-editable default is filled in silently)."""
        return self.applies(answers) and self.editable

    def validate(self, raw: str, answers: Answers) -> str:
        """The normalised answer, or ``Invalid`` with the reason (from the validators)."""
        if self.contextual is not None:
            return self.contextual(raw, answers)
        if self.validator is not None:
            return self.validator(raw)
        return raw

    def choice_for(self, value: str) -> Choice | None:
        """The choice with this stored value."""
        return next((c for c in self.choices if c.value == value), None)

    def note_for(self, choice: Choice, answers: Answers) -> str:
        """The note shown beside ``choice``: its own, or the one the answers so far give."""
        if self.choice_note is not None:
            return self.choice_note(choice.value, answers) or choice.note
        return choice.note

    def version_for(self, answers: Answers) -> str:
        """Consent steps: the version of the documents the user agrees to, given the answers."""
        return self.version if isinstance(self.version, str) else self.version(answers)


@dataclass(frozen=True)
class Flow:
    """A business flow: its code, title, steps, and the seed section it implements."""

    code: str
    title: str
    steps: Sequence[Step]
    intro: str = ""
    order_kind: str = ""
    quote: Default | None = None  # the amount to pay, shown in the summary before confirming
    steps_by_key: Mapping[str, Step] = field(init=False, repr=False)
    conditional: tuple[Step, ...] = field(init=False, repr=False)
    """The steps with a condition (the only ones an answer can make apply or not)."""
    fixed: tuple[Step, ...] = field(init=False, repr=False)
    """The steps that are always their default (not editable)."""
    _asked: dict[tuple[str | None, ...], tuple[Step, ...]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        keys = [step.key for step in self.steps]
        duplicates = {key for key in keys if keys.count(key) > 1}
        if duplicates:
            raise ValueError(f"flow {self.code}: duplicate step keys {sorted(duplicates)}")
        for step in self.steps:
            if step.kind is StepKind.CHOICE and not step.choices:
                raise ValueError(f"flow {self.code}: choice step {step.key} has no choices")
            if step.kind is StepKind.SMS and step.phone_field not in keys:
                raise ValueError(f"flow {self.code}: sms step {step.key} needs a phone field")
            if not step.editable and step.default is None:
                raise ValueError(f"flow {self.code}: {step.key} is not editable but has no default")
        object.__setattr__(self, "steps_by_key", {step.key: step for step in self.steps})
        object.__setattr__(self, "conditional", tuple(s for s in self.steps if s.when is not None))
        object.__setattr__(self, "fixed", tuple(s for s in self.steps if not s.editable))
        object.__setattr__(self, "_asked", {})

    def applicable(self, answers: Answers) -> list[Step]:
        """The steps the user is asked, in order, given the answers so far.

        Which steps apply depends only on the answers the conditions look at: the list is
        computed once per combination of those answers (a few per flow; at most
        ``ASKED_REMEMBERED`` are kept)."""
        state = tuple(answers.get(step.when.key) for step in self.conditional if step.when)
        asked = self._asked.get(state)
        if asked is None:
            if len(self._asked) >= ASKED_REMEMBERED:
                self._asked.clear()
            asked = self._asked[state] = tuple(s for s in self.steps if s.asks(answers))
        return list(asked)

    def step(self, key: str) -> Step:
        """The step declared under ``key``."""
        return self.steps_by_key[key]

    def find(self, label_or_number: str, answers: Answers) -> Step | None:
        """A step by its number in the applicable list or by (part of) its label."""
        text = label_or_number.strip()
        steps = self.applicable(answers)
        if text.isdigit():
            index = int(text) - 1
            return steps[index] if 0 <= index < len(steps) else None
        exact = [s for s in steps if s.label == text]
        if exact:
            return exact[0]
        partial = [s for s in steps if text and text in s.label]
        return partial[0] if len(partial) == 1 else None
