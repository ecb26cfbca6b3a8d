"""The store contract: every test runs on the in-process store and on the real Redis server.

Each test has a key prefix of its own, deleted afterwards. Redis being unreachable fails the
Redis tests (the fixture pings it); nothing here is skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import time
import uuid
from collections.abc import Awaitable, Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.store import (
    AlreadyClaimed,
    Claim,
    LockTimeout,
    MemoryStore,
    RedisStore,
    Store,
    StoreError,
    StoreUnavailable,
    create_store,
)

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
CLOSED_PORT_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1


async def _within(seconds: float, condition: Callable[[], Awaitable[bool]]) -> None:
    """Wait (bounded) until ``condition`` returns True."""
    deadline = time.monotonic() + seconds
    while not await condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


# -- keys


async def test_set_get_delete(store: Store) -> None:
    assert await store.get("k") is None
    await store.set("k", "värde")
    assert await store.get("k") == "värde".encode()
    await store.set("k", b"\x00\xff")
    assert await store.get("k") == b"\x00\xff"
    assert await store.delete("k") is True
    assert await store.delete("k") is False
    assert await store.get("k") is None


async def test_delete_many_removes_every_key_once(store: Store) -> None:
    await store.set("a", "1")
    await store.set("b", "2", ttl=30)
    assert await store.delete_many(["a", "b", "missing", "a"]) == 2
    assert await store.get("a") is None
    assert await store.get("b") is None
    assert await store.delete_many([]) == 0


async def test_keys_expire_after_their_ttl(store: Store) -> None:
    await store.set("short", "v", ttl=0.2)
    await store.set("forever", "v")
    remaining = await store.ttl("short")
    assert remaining is not None
    assert 0 < remaining <= 0.2
    assert await store.ttl("forever") is None
    assert await store.ttl("missing") is None
    await asyncio.sleep(0.3)
    assert await store.get("short") is None
    assert await store.ttl("short") is None
    assert await store.delete("short") is False
    assert await store.get("forever") == b"v"


async def test_set_without_ttl_removes_the_expiry(store: Store) -> None:
    await store.set("k", "1", ttl=0.2)
    await store.set("k", "2")
    assert await store.ttl("k") is None
    await asyncio.sleep(0.3)
    assert await store.get("k") == b"2"


async def test_set_many_sets_each_key_with_its_own_ttl(store: Store) -> None:
    await store.set("old", "x")
    await store.set_many({"short": ("1", 0.2), "old": (b"2", None), "long": ("3", 60)})
    assert [await store.get(k) for k in ("short", "old", "long")] == [b"1", b"2", b"3"]
    long_ttl = await store.ttl("long")
    assert long_ttl is not None and 59 < long_ttl <= 60
    await asyncio.sleep(0.3)
    assert await store.get("short") is None and await store.get("old") == b"2"
    with pytest.raises(ValueError, match="ttl"):
        await store.set_many({"bad": ("v", 0)})
    await store.set_many({})


async def test_memory_store_sweeps_expired_keys() -> None:
    store = MemoryStore(sweep_interval=0.2, sweep_size=64)
    for index in range(500):
        await store.set(f"old:{index}", "123456", ttl=0.05)
    await asyncio.sleep(0.06)
    for index in range(500):
        await store.set(f"new:{index}", "123456", ttl=0.05)
    assert len(store._data) <= 500  # swept when the number of keys doubled
    await asyncio.sleep(0.2)
    await store.set("fresh", "1")  # the periodic sweep runs on the next write
    assert len(store._data) == 1


@pytest.mark.parametrize("ttl", [0, -1, float("inf"), float("nan")])
async def test_invalid_ttl_is_refused(store: Store, ttl: float) -> None:
    with pytest.raises(ValueError, match="ttl"):
        await store.set("k", "v", ttl=ttl)
    with pytest.raises(ValueError, match="ttl"):
        await store.incr("k", ttl=ttl)
    with pytest.raises(ValueError, match="ttl"):
        store.lock("k", lease=ttl)


async def test_set_if_absent_has_exactly_one_winner(store: Store) -> None:
    results = await asyncio.gather(
        *(store.set_if_absent("dedupe", f"task-{i}", ttl=30) for i in range(50))
    )
    assert results.count(True) == 1
    assert await store.get("dedupe") == f"task-{results.index(True)}".encode()
    assert await store.set_if_absent("short", "first", ttl=0.3) is True
    assert await store.set_if_absent("short", "second", ttl=0.3) is False
    await asyncio.sleep(0.4)  # expired: the key can be taken again
    assert await store.set_if_absent("short", "again") is True
    assert await store.ttl("short") is None


async def test_incr_counts_in_a_fixed_window(store: Store) -> None:
    assert await store.incr("sms:13800000000", ttl=0.4) == 1
    await asyncio.sleep(0.2)
    assert await store.incr("sms:13800000000", ttl=0.4) == 2  # does not extend the window
    remaining = await store.ttl("sms:13800000000")
    assert remaining is not None
    assert remaining <= 0.25
    await asyncio.sleep(0.3)
    assert await store.incr("sms:13800000000", ttl=0.4) == 1  # a new window
    assert await store.incr("plain", amount=5) == 5
    assert await store.incr("plain", amount=-7) == -2
    assert await store.ttl("plain") is None
    assert await store.get("plain") == b"-2"


async def test_concurrent_incr_loses_nothing(store: Store) -> None:
    await asyncio.gather(*(store.incr("n", ttl=5) for _ in range(50)))
    assert await store.get("n") == b"50"


@pytest.mark.parametrize("value", ["abc", "05", " 5", "+5", "1e3", "9223372036854775807"])
async def test_incr_refuses_what_is_not_a_64_bit_integer(store: Store, value: str) -> None:
    await store.set("k", value)
    with pytest.raises(StoreError):
        await store.incr("k")
    assert await store.get("k") == value.encode()


def _counter(value: bytes) -> int | None:
    """The integer a counter value holds in Redis' strict decimal form, else None."""
    try:
        number = int(value)
    except ValueError:
        return None
    return number if str(number).encode() == value else None


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    ops=st.lists(
        st.tuples(
            st.sampled_from(["get", "set", "set_if_absent", "delete", "incr"]),
            st.sampled_from(["a", "b", "c"]),
            st.one_of(
                st.binary(max_size=6),
                st.integers(-1000, 1000).map(lambda n: str(n).encode()),
            ),
            st.integers(-5, 5),
        ),
        max_size=25,
    )
)
async def test_behaves_like_a_dict(store: Store, ops: list[tuple[str, str, bytes, int]]) -> None:
    namespace = uuid.uuid4().hex  # the store is shared by the examples of one test
    model: dict[str, bytes] = {}
    for op, name, value, amount in ops:
        key = f"{namespace}:{name}"
        if op == "get":
            assert await store.get(key) == model.get(name)
        elif op == "set":
            await store.set(key, value)
            model[name] = value
        elif op == "set_if_absent":
            assert await store.set_if_absent(key, value) == (name not in model)
            model.setdefault(name, value)
        elif op == "delete":
            assert await store.delete(key) == (model.pop(name, None) is not None)
        else:
            current = _counter(model.get(name, b"0"))
            if current is None:
                with pytest.raises(StoreError):
                    await store.incr(key, amount)
            else:
                assert await store.incr(key, amount) == current + amount
                model[name] = str(current + amount).encode()


# -- locks


async def test_lock_excludes_concurrent_holders(store: Store) -> None:
    inside = 0
    most_inside = 0

    async def add_one() -> None:
        nonlocal inside, most_inside
        async with store.lock("counter", lease=5, wait=10):
            inside += 1
            most_inside = max(most_inside, inside)
            value = int(await store.get("counter") or b"0")
            await asyncio.sleep(0.002)
            await store.set("counter", str(value + 1))
            inside -= 1

    async with asyncio.timeout(10):
        await asyncio.gather(*(add_one() for _ in range(20)))
    assert await store.get("counter") == b"20"
    assert most_inside == 1


async def test_lock_is_shared_with_other_processes(store: Store, peer: Store) -> None:
    await peer.set("shared", "from peer")
    assert await store.get("shared") == b"from peer"
    async with peer.lock("job", lease=5):
        with pytest.raises(LockTimeout):
            async with store.lock("job", wait=0):
                pass
    async with store.lock("job", wait=0):
        pass


async def test_writes_registered_on_a_held_lock_are_made_when_it_is_released(
    store: Store, peer: Store
) -> None:
    async with store.lock("user", lease=5) as held:
        held.set_on_release("answer", "done:reply", ttl=60)
        held.set_on_release("window", b"5")
        assert await peer.get("answer") is None  # not before the release
    assert await peer.get("answer") == b"done:reply"
    assert await peer.get("window") == b"5"
    assert 0 < (await peer.ttl("answer") or 0) <= 60
    assert await peer.ttl("window") is None
    async with peer.lock("user", wait=0):  # and the lock is free
        pass


async def test_a_claim_is_set_with_the_first_attempt_and_decides_who_does_the_work(
    store: Store, peer: Store
) -> None:
    claimed: list[str] = []
    async with store.lock(
        "user", lease=5, claim=Claim("message:1", "pending", 5, lambda: claimed.append("1"))
    ) as held:
        assert claimed == ["1"]
        assert await peer.get("message:1") == b"pending"
        assert 0 < (await peer.ttl("message:1") or 0) <= 5
        # A second delivery of the same message: refused at once, nothing queued or called.
        with pytest.raises(AlreadyClaimed):
            async with peer.lock(
                "user",
                wait=10,
                claim=Claim("message:1", "pending:2", 5, lambda: claimed.append("x")),
            ):
                pass
        held.set_on_release("message:1", "done:reply", ttl=60)
    assert claimed == ["1"]
    assert await peer.get("message:1") == b"done:reply"  # the release overwrote the claim
    async with peer.lock("user", wait=0):  # the refused claimant left no place in the queue
        pass
    with pytest.raises(AlreadyClaimed):  # a done message stays claimed
        async with store.lock("user", claim=Claim("message:1", "pending", 5)):
            pass


async def test_a_claim_already_holding_the_claimants_own_value_is_theirs(store: Store) -> None:
    """An attempt retried after its connection broke (it had set the claim) is not refused."""
    await store.set("message:3", "pending:mine", ttl=5)
    async with store.lock("user", wait=0, claim=Claim("message:3", "pending:mine", 5)):
        assert await store.get("message:3") == b"pending:mine"
    with pytest.raises(AlreadyClaimed):
        async with store.lock("user", wait=0, claim=Claim("message:3", "pending:other", 5)):
            pass


async def test_extend_renews_only_a_key_still_holding_ones_value(store: Store) -> None:
    await store.set("mark", "pending:a", ttl=0.3)
    assert await store.extend("mark", "pending:a", 5) is True
    assert 0.3 < (await store.ttl("mark") or 0) <= 5
    assert await store.extend("mark", "pending:b", 5) is False  # someone else's: untouched
    await store.set("mark", "done:answer", ttl=0.3)
    assert await store.extend("mark", "pending:a", 5) is False
    assert (await store.ttl("mark") or 0) <= 0.3 and await store.get("mark") == b"done:answer"
    assert await store.extend("missing", "pending:a", 5) is False
    assert await store.get("missing") is None


async def test_a_claim_is_set_before_waiting_for_a_held_lock(store: Store, peer: Store) -> None:
    claimed = asyncio.Event()

    async def second_message() -> None:
        async with peer.lock(
            "user", lease=5, wait=10, claim=Claim("message:2", "p", 5, claimed.set)
        ):
            pass

    async with store.lock("user", lease=5):
        waiter = asyncio.create_task(second_message())
        await asyncio.wait_for(claimed.wait(), 5)  # claimed while the first message still runs
        assert await store.get("message:2") == b"p"
        assert not waiter.done()
    await asyncio.wait_for(waiter, 5)


async def test_keys_read_with_a_lock_are_as_the_last_holder_left_them(
    store: Store, peer: Store
) -> None:
    """``read`` values come with the lock: for a waiter, as the holder before it left them."""
    await store.set("fixing", "CD1")
    async with store.lock("user", lease=5, read=["fixing", "missing"]) as held:
        assert held.read == {"fixing": b"CD1", "missing": None}

    async def next_message() -> dict[str, bytes | None]:
        async with peer.lock("user", lease=5, wait=10, read=["fixing"]) as later:
            return later.read

    async with store.lock("user", lease=5, claim=Claim("message:9", "p", 5)) as held:
        assert held.read == {}
        waiter = asyncio.create_task(next_message())
        await asyncio.sleep(0.05)  # the waiter asked (and read) while the lock was held
        await store.delete("fixing")
        held.set_on_release("fixing", "CD2")
    assert await asyncio.wait_for(waiter, 5) == {"fixing": b"CD2"}


async def test_writes_are_made_even_when_the_block_fails(store: Store) -> None:
    async def failing_holder() -> None:
        async with store.lock("user", lease=5) as held:
            held.set_on_release("answer", "done:busy", ttl=60)
            raise RuntimeError("dispatch failed")

    with pytest.raises(RuntimeError):
        await failing_holder()
    assert await store.get("answer") == b"done:busy"


async def test_lock_lease_is_renewed_while_held(store: Store, peer: Store) -> None:
    async with store.lock("long", lease=0.3):
        for _ in range(4):  # 0.8 s: well past the lease
            await asyncio.sleep(0.2)
            with pytest.raises(LockTimeout):
                async with peer.lock("long", wait=0):
                    pass
    async with peer.lock("long", wait=0):
        pass


async def test_lock_of_a_crashed_holder_expires_after_its_lease(
    store: Store, store_kind: str, redis_prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    # The holder is a process of its own (for the in-process store: the store itself); it
    # takes the lock and then dies: close() stops its lease renewal and it never releases.
    holder = store if store_kind == "memory" else RedisStore(REDIS_URL, redis_prefix)
    crashed = holder.lock("job", lease=0.3)
    await crashed.__aenter__()
    await holder.close()
    with pytest.raises(LockTimeout):
        async with store.lock("job", wait=0):
            pass
    started = time.monotonic()
    async with store.lock("job", lease=5, wait=3):
        assert 0.1 < time.monotonic() - started < 2
        # The dead holder's late release must not remove the new holder's lock.
        with caplog.at_level(logging.WARNING, logger="bot.store.base"):
            await crashed.__aexit__(None, None, None)
        assert "expired before its holder released it" in caplog.text
        with pytest.raises(LockTimeout):
            async with store.lock("job", wait=0):
                pass
    async with store.lock("job", wait=0):
        pass
    if holder is not store:
        await holder.close()


async def test_lock_timeout_when_wait_elapses(store: Store) -> None:
    async with store.lock("busy", lease=5):
        started = time.monotonic()
        with pytest.raises(LockTimeout):
            async with store.lock("busy", wait=0.2):
                pass
        assert 0.15 < time.monotonic() - started < 1.5
        started = time.monotonic()
        with pytest.raises(LockTimeout):
            async with store.lock("busy", wait=0):
                pass
        assert time.monotonic() - started < 0.5
    # The waiter that gave up left the queue: the free lock is granted at once.
    async with store.lock("busy", wait=0):
        pass


async def test_cancelled_waiter_leaves_the_queue(store: Store) -> None:
    async def wait_for_lock() -> None:
        async with store.lock("busy", wait=None):
            pass

    async with store.lock("busy", lease=5):
        waiter = asyncio.create_task(wait_for_lock())
        await asyncio.sleep(0.1)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
    async with store.lock("busy", wait=0):
        pass


async def test_cancelled_holder_releases_the_lock(store: Store) -> None:
    entered = asyncio.Event()

    async def hold() -> None:
        async with store.lock("held", lease=5):
            entered.set()
            await asyncio.sleep(10)

    holder = asyncio.create_task(hold())
    async with asyncio.timeout(2):
        await entered.wait()
    holder.cancel()
    with pytest.raises(asyncio.CancelledError):
        await holder
    async with store.lock("held", wait=1):
        pass


async def test_a_holder_cancelled_while_releasing_has_released(store: Store, peer: Store) -> None:
    """The cancel lands while the release waits for its answer: the lock is free at once and
    the writes registered on it are made (not left to the lease)."""

    async def hold() -> None:
        async with store.lock("held", lease=30) as held:
            held.set_on_release("answer", "done")
            current = asyncio.current_task()
            assert current is not None
            asyncio.get_running_loop().call_soon(current.cancel)  # once the release is sent

    for _ in range(3):
        holder = asyncio.create_task(hold())
        with contextlib.suppress(asyncio.CancelledError):
            await holder
        async with peer.lock("held", wait=1):
            pass
        assert await peer.get("answer") == b"done"
        await peer.delete("answer")


async def test_a_call_interrupted_by_cancellation_ends_its_task(store: Store) -> None:
    """A task cancelled in the middle of a store call stops with CancelledError, wherever the
    cancel lands (redis-py 8.0/8.1 swallowed it: a heartbeat cancelled that way ran on for ever,
    and the webhook waiting for it never answered)."""
    rng = random.Random(7)
    calls = 0

    async def heartbeat() -> None:
        nonlocal calls
        while True:
            await asyncio.sleep(0)  # the in-process store's calls need not yield
            with contextlib.suppress(StoreError):
                await store.set("beat", "alive", ttl=3)
                calls += 1

    for _ in range(40):
        task = asyncio.create_task(heartbeat())
        await asyncio.sleep(rng.uniform(0, 0.003))
        task.cancel()
        done, _pending = await asyncio.wait({task}, timeout=1.0)
        if not done:
            task.cancel()  # one more try, so the test does not leave a task running
        assert done, "the cancelled task went on calling the store"
        assert task.cancelled()
    assert calls > 0  # the cancels landed during calls, not only before the first


async def test_lock_waiters_are_served_in_arrival_order(store: Store) -> None:
    order: list[int] = []

    async def take(index: int) -> None:
        async with store.lock("fifo", lease=5, wait=10):
            order.append(index)
            await asyncio.sleep(0.005)

    async with store.lock("fifo", lease=5):
        waiters = []
        for index in range(8):
            waiters.append(asyncio.create_task(take(index)))
            await asyncio.sleep(0.03)  # each waiter queues before the next one arrives
    async with asyncio.timeout(10):
        await asyncio.gather(*waiters)
    assert order == list(range(8))


async def test_lock_arguments_are_checked(store: Store) -> None:
    with pytest.raises(ValueError, match="wait"):
        store.lock("x", wait=-1)
    with pytest.raises(ValueError, match="ttl"):
        store.lock("x", lease=0)


# -- pub/sub


async def test_publish_reaches_subscribers(store: Store) -> None:
    async with store.subscribe("bridge:abc") as messages, store.subscribe("bridge:abc") as again:
        assert await store.publish("bridge:abc", "hello") == 2
        assert await store.publish("bridge:abc", b"\x01") == 2
        async with asyncio.timeout(3):
            assert await anext(messages) == b"hello"
            assert await anext(messages) == b"\x01"
            assert await anext(again) == b"hello"
    assert await store.publish("bridge:other", "nobody") == 0

    async def nobody_listens() -> bool:
        return await store.publish("bridge:abc", "late") == 0

    await _within(2, nobody_listens)


async def test_channels_are_isolated_by_name_and_prefix(store: Store, store_kind: str) -> None:
    other = (
        MemoryStore() if store_kind == "memory" else RedisStore(REDIS_URL, "certdesk-test:other:")
    )
    try:
        async with store.subscribe("ch") as messages:
            assert await other.publish("ch", "other deployment") == 0
            assert await store.publish("ch2", "other channel") == 0
            assert await store.publish("ch", "mine") == 1
            async with asyncio.timeout(3):
                assert await anext(messages) == b"mine"
    finally:
        await other.close()


# -- Redis specifics


async def test_unreachable_redis_raises_store_unavailable() -> None:
    store = RedisStore(CLOSED_PORT_URL, "certdesk-test:unreachable:")
    try:
        async with asyncio.timeout(5):
            with pytest.raises(StoreUnavailable):
                await store.ping()
            with pytest.raises(StoreUnavailable):
                await store.get("k")
            with pytest.raises(StoreUnavailable):
                await store.incr("k", ttl=1)
            with pytest.raises(StoreUnavailable):
                async with store.lock("k", wait=1):
                    pass
            with pytest.raises(StoreUnavailable):
                async with store.subscribe("ch"):
                    pass
    finally:
        await store.close()


async def test_create_store_picks_the_implementation() -> None:
    memory = create_store("")
    assert isinstance(memory, MemoryStore)
    assert memory.prefix == "certdesk:"
    for url in (REDIS_URL, "rediss://example.invalid:6380/0", "unix:///run/redis.sock"):
        made = create_store(url, prefix="p:")
        assert isinstance(made, RedisStore)
        assert made.prefix == "p:"
        await made.close()
    with pytest.raises(ValueError, match="memcached"):
        create_store("memcached://127.0.0.1:11211")
