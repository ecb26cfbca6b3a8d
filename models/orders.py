"""Orders (an application from its draft to the shipped Key) and the conversations driving them.

An order starts as a ``draft`` holding the answers given so far; sensitive answers are stored
encrypted (``bot.secrets_box``). The conversation row remembers, per user and channel, which
draft is active and where in its flow the user is.
"""

from __future__ import annotations

import copy
import operator
from collections.abc import Callable
from enum import StrEnum
from functools import cache
from typing import Any

from tortoise import fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.models import Model

from models import parameter_marks
from models.statements import execute, fetch_row


def answer_context(order_no: str, key: str) -> str:
    """The encryption context of a sensitive answer: it decrypts only as that order's field."""
    return f"order:{order_no}:{key}"


class OrderStatus(StrEnum):
    """Where an order is; transitions live in ``models.order_states``."""

    DRAFT = "draft"  # being filled in
    SUBMITTED = "submitted"  # confirmed and SMS-verified, waiting for payment
    PAID = "paid"  # waiting for review
    REJECTED = "rejected"  # review found something to fix
    APPROVED = "approved"  # certificate being produced
    SHIPPED = "shipped"
    COMPLETED = "completed"
    CANCELLED = "cancelled"  # the applicant discarded the draft
    CLOSED = "closed"  # unpaid for too long


class Order(Model):
    """One application (organisation or personal certificate, renewal, unlock)."""

    id = fields.BigIntField(primary_key=True)
    order_no = fields.CharField(max_length=32, unique=True)
    kind = fields.CharField(max_length=16)  # flow code: org, personal, ...
    project = fields.CharField(max_length=32, default="")
    status = fields.CharEnumField(OrderStatus, max_length=16, default=OrderStatus.DRAFT)
    owner_openid = fields.CharField(max_length=64, db_index=True)
    owner_unionid = fields.CharField(max_length=64, null=True, db_index=True)
    answers: fields.Field[dict[str, str]] = fields.JSONField(default=dict)
    subject_hash = fields.CharField(max_length=64, null=True, db_index=True)
    subject_name = fields.CharField(max_length=128, null=True, db_index=True)  # unit or person
    phone_hash = fields.CharField(max_length=64, null=True, db_index=True)  # the contact's phone
    queued_at = fields.DatetimeField(null=True)  # entered the review queue (paid / resubmitted)
    resubmission = fields.BooleanField(default=False)  # back in review after a rejection
    amount_fen = fields.IntField(null=True)
    consent_version = fields.CharField(max_length=32, null=True)
    consent_at = fields.DatetimeField(null=True)
    submitted_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "orders"

    def __str__(self) -> str:
        return f"Order({self.order_no}, {self.kind}, {self.status})"


class Conversation(Model):
    """Where one user (per channel) is: the active draft, the step, what the bot awaits."""

    id = fields.BigIntField(primary_key=True)
    channel = fields.CharField(max_length=8, default="oa")
    openid = fields.CharField(max_length=64)
    unionid = fields.CharField(max_length=64, null=True, db_index=True)  # shared by OA and MP
    order: fields.ForeignKeyNullableRelation[Order] = fields.ForeignKeyField(
        "models.Order", related_name="conversations", null=True, on_delete=fields.SET_NULL
    )
    step = fields.CharField(max_length=64, null=True)
    awaiting = fields.CharField(max_length=32, null=True)  # a yes/no the bot asked, e.g. cancel
    editing = fields.BooleanField(default=False)  # return to the summary after this step
    history: fields.Field[list[str]] = fields.JSONField(default=list)
    # Hashes of the last messages applied to the draft (``bot.engine.RECENT_MESSAGES``), written
    # with their effect: a message handled again (its process died before the channel recorded
    # the answer), even after later ones, is not applied twice.
    recent_messages = fields.CharField(max_length=104, null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "conversation"
        unique_together = (("channel", "openid"),)


@cache
def _conversation_sql(dialect: str) -> str:
    """One SELECT of a conversation joined with its order (built once per dialect): the
    conversation's columns first, then the order's (renamed: SQLite's rows are dicts), each in
    ``_columns_with_key`` order."""
    own = [f'c."{column}"' for _, column in _columns_with_key(Conversation)]
    joined = [f'o."{column}" AS "o__{column}"' for _, column in _columns_with_key(Order)]
    first, second = parameter_marks(dialect, 2)
    # column names come from the models; the values are parameters
    return (
        f"SELECT {', '.join(own + joined)} FROM conversation c "  # noqa: S608
        f'LEFT JOIN orders o ON o."id" = c."order_id" '
        f'WHERE c."channel" = {first} AND c."openid" = {second}'
    )


@cache
def _columns_with_key(model: type[Model]) -> tuple[tuple[str, str], ...]:
    """(attribute, column) of every column of ``model``, its key included."""
    return tuple(model._meta.fields_db_projection.items())


@cache
def _column_names(model: type[Model]) -> tuple[str, ...]:
    """The names of ``_columns_with_key``'s columns (what ``_init_from_db`` is given)."""
    return tuple(column for _, column in _columns_with_key(model))


@cache
def _key_position(model: type[Model]) -> int:
    """Where the primary key is among ``_columns_with_key``."""
    return [attribute for attribute, _ in _columns_with_key(model)].index(model._meta.pk_attr)


async def load_conversation(
    channel: str, openid: str, db: BaseDBAsyncClient | None = None
) -> Conversation | None:
    """The user's conversation with its order, in one query on the hot path of every message.

    Equivalent to ``Conversation.filter(...).select_related("order").first()`` without the
    cost of building the query each time. ``db``: the models' connection, when the caller has
    it already (each lookup goes through Tortoise's context and loop checks).
    """
    db = db or Conversation._meta.db
    dialect = db.capabilities.dialect
    row = await fetch_row(db, _conversation_sql(dialect), [channel, openid])
    if row is None:
        return None
    values = tuple(row.values())
    own = _column_names(Conversation)
    conversation = Conversation._init_from_db(**dict(zip(own, values, strict=False)))
    order_values = values[len(own) :]
    if order_values[_key_position(Order)] is not None:  # the join found the order
        order = Order._init_from_db(**dict(zip(_column_names(Order), order_values, strict=True)))
        conversation.order = order
        _snapshot(order)
    _snapshot(conversation)
    return conversation


async def create_conversation(channel: str, openid: str) -> Conversation:
    """A new user's conversation: inserted unless one appeared meanwhile (a concurrent request
    of the same user: no error, no savepoint), then loaded as ``load_conversation`` loads it."""
    db = Conversation._meta.db
    fresh = Conversation(channel=channel, openid=openid)
    columns = _columns_of(Conversation)
    marks = ", ".join(parameter_marks(db.capabilities.dialect, len(columns)))
    # column names come from the model; the values are parameters
    sql = (
        f"INSERT INTO conversation ({_names(columns)}) VALUES ({marks}) "  # noqa: S608
        "ON CONFLICT (channel, openid) DO NOTHING"
    )
    values = [field.to_db_value(getattr(fresh, name), fresh) for name, _, field in columns]
    await execute(db, sql, values)
    conversation = await load_conversation(channel, openid)
    if conversation is None:  # inserted, here or by the other request: it cannot be missing
        raise RuntimeError(f"conversation of {channel}:{openid[:6]}… vanished after its insert")
    return conversation


LOADED = "_loaded_values"  # attribute of an instance: its column values as loaded


@cache
def _columns_of(model: type[Model]) -> list[tuple[str, str, Any]]:
    """(attribute, column, field) of every non-key column (foreign keys' ``*_id`` included)."""
    meta = model._meta
    return [
        (name, column, meta.fields_map[name])
        for name, column in meta.fields_db_projection.items()
        if name != meta.pk_attr
    ]


@cache
def _column_values(model: type[Model]) -> Callable[[Model], tuple[Any, ...]]:
    """The values of an instance's ``_columns_of`` columns as a tuple, read in one call."""
    attributes = [attribute for attribute, _, _ in _columns_of(model)]
    read = operator.attrgetter(*attributes)
    return read if len(attributes) > 1 else lambda instance: (read(instance),)


@cache
def _json_positions(model: type[Model]) -> tuple[int, ...]:
    """Where in ``_column_values`` the JSON columns are (a turn may change them in place)."""
    return tuple(
        index
        for index, (_, _, field) in enumerate(_columns_of(model))
        if isinstance(field, fields.JSONField)
    )


def _snapshot(instance: Model) -> None:
    """Remember the column values of a loaded instance, so ``save_turn`` writes only what the
    turn changed (JSON values are copied: a turn may change them in place)."""
    model = type(instance)
    values = list(_column_values(model)(instance))
    for index in _json_positions(model):
        values[index] = copy.copy(values[index])
    setattr(instance, LOADED, values)


def _changed(instance: Model) -> list[tuple[str, str, Any]]:
    """The columns of ``instance`` changed since ``load_conversation`` loaded it (all of them
    if it did not), ``auto_now`` stamps always."""
    model = type(instance)
    loaded: list[Any] | None = getattr(instance, LOADED, None)
    if loaded is None:
        return list(_columns_of(model))
    now = _column_values(model)(instance)
    return [
        column
        for column, before, after, stamped in zip(
            _columns_of(model), loaded, now, _auto_now(model), strict=True
        )
        if stamped or before != after
    ]


@cache
def _auto_now(model: type[Model]) -> tuple[bool, ...]:
    """Which of ``_columns_of`` are stamped with the time of every save (``auto_now``)."""
    return tuple(bool(getattr(field, "auto_now", False)) for _, _, field in _columns_of(model))


def _update_set(instance: Model, first: int) -> tuple[list[str], list[object]]:
    """``"column" = $n`` of the changed columns of ``instance`` (``_changed``) and the values
    as ``save()`` writes them, numbered from ``$first``."""
    assignments: list[str] = []
    values: list[object] = []
    for attribute, column, field in _changed(instance):
        values.append(field.to_db_value(getattr(instance, attribute), instance))
        assignments.append(f'"{column}" = ${first + len(values) - 1}')
    return assignments, values


def save_is_one_statement(db: BaseDBAsyncClient | None = None) -> bool:
    """Whether ``save_turn`` is one atomic statement (PostgreSQL), needing no transaction;
    ``db``: the models' connection, when the caller has it already."""
    db = db or Conversation._meta.db
    return bool(db.capabilities.dialect == "postgres")


async def save_turn(
    order: Order, conversation: Conversation, db: BaseDBAsyncClient | None = None
) -> None:
    """Save a turn's draft and conversation: the columns the turn changed (with ``updated_at``),
    so a column changed meanwhile by someone else (staff, the mini-program) is not overwritten.

    One statement on PostgreSQL (a data-modifying CTE: one round trip on every message's hot
    path, atomic by itself); two saves on other databases. ``db``: as for
    ``load_conversation``.
    """
    db = db or Conversation._meta.db
    if not save_is_one_statement(db):
        for instance in (order, conversation):
            await instance.save(update_fields=[attribute for attribute, *_ in _changed(instance)])
        return
    order_set, order_values = _update_set(order, 1)
    next_param = len(order_values) + 2
    conversation_set, conversation_values = _update_set(conversation, next_param)
    last = next_param + len(conversation_values)
    # column names come from the models; the values are parameters
    sql = (
        f"WITH saved_order AS (UPDATE orders SET {', '.join(order_set)} "  # noqa: S608
        f'WHERE "id" = ${next_param - 1}) '
        f'UPDATE conversation SET {", ".join(conversation_set)} WHERE "id" = ${last}'
    )
    await execute(db, sql, [*order_values, order.pk, *conversation_values, conversation.pk])


DRAFT_START = ("order_id", "step", "awaiting", "editing", "history", "recent_messages")
"""The conversation's columns a new draft sets (besides ``updated_at``)."""


async def save_new_draft(order: Order, conversation: Conversation) -> bool:
    """Insert ``order`` (a new draft, not yet saved) and make it ``conversation``'s, whether or
    not the conversation is in the database yet: a new user's first choice inserts it, and one
    inserted meanwhile by another request of the same user takes the draft (and gives it its
    UnionID). False, with nothing of the order written, when its number is taken already: the
    caller draws another.

    One statement on PostgreSQL (the order's INSERT in a data-modifying CTE, the conversation's
    upsert), atomic without a transaction, and a taken number is no error that would spoil a
    transaction the caller has open; elsewhere the order is saved first, in the caller's
    transaction.
    """
    db = Conversation._meta.db
    one_statement = save_is_one_statement(db)
    if not one_statement:
        try:
            await order.save()
        except IntegrityError:
            if await Order.exists(order_no=order.order_no):
                return False
            raise
    columns = _columns_of(Conversation)
    order_columns = _columns_of(Order) if one_statement else []
    marks = iter(parameter_marks(db.capabilities.dialect, len(columns) + len(order_columns)))
    values: list[Any] = []
    inserted: list[str] = []
    for name, column, field in columns:
        if column == "order_id" and one_statement:
            inserted.append('(SELECT "id" FROM new_order)')
            continue
        value = order.pk if column == "order_id" else getattr(conversation, name)
        values.append(field.to_db_value(value, conversation))
        inserted.append(next(marks))
    sql = (
        # column names come from the models; the values are parameters
        f"INSERT INTO conversation ({_names(columns)}) "  # noqa: S608
        f"VALUES ({', '.join(inserted)}) "
        f'ON CONFLICT ("channel", "openid") DO UPDATE SET {_taken_over(conversation)} '
        'WHERE EXCLUDED."order_id" IS NOT NULL '
        'RETURNING "id", "order_id", "unionid"'
    )
    if one_statement:  # numbered parameters: the order's follow the conversation's
        values += [
            field.to_db_value(getattr(order, name), order) for name, _, field in order_columns
        ]
        order_marks = ", ".join(next(marks) for _ in order_columns)
        sql = (
            f"WITH new_order AS (INSERT INTO orders ({_names(order_columns)}) "  # noqa: S608
            f'VALUES ({order_marks}) ON CONFLICT ("order_no") DO NOTHING RETURNING "id") {sql}'
        )
    row = await fetch_row(db, sql, values)
    if row is None or row["order_id"] is None:  # the number is taken: no order was inserted
        return False
    conversation.pk = row["id"]
    order.pk = row["order_id"]
    order._saved_in_db = conversation._saved_in_db = True
    if row["unionid"] != conversation.unionid:  # the conversation inserted meanwhile has one
        conversation.unionid = order.owner_unionid = row["unionid"]
        await Order.filter(id=order.pk).update(owner_unionid=row["unionid"])
    conversation.order = order
    _snapshot(order)
    _snapshot(conversation)
    return True


def _names(columns: list[tuple[str, str, Any]]) -> str:
    return ", ".join(f'"{column}"' for _, column, _ in columns)


def _taken_over(conversation: Conversation) -> str:
    """The upsert's assignments: the columns a new draft sets, and any other the caller changed
    on a conversation it loaded (a new one's other columns keep what the database has)."""
    updated = {*DRAFT_START, "updated_at"}
    if getattr(conversation, LOADED, None) is not None:
        updated |= {column for _, column, _ in _changed(conversation)}
    return ", ".join(
        f'"{column}" = EXCLUDED."{column}"'
        for _, column, _ in _columns_of(Conversation)
        if column in updated - {"channel", "openid"}
    )
