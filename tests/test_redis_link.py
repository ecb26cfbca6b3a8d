"""The pipelined Redis connection under the store: replies reach the right caller whatever
happens to the others, a silent or restarted server is survived, scripts are re-sent."""

from __future__ import annotations

import asyncio
import contextlib
import random
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store import StoreUnavailable
from bot.store.redis import RedisStore, address_of
from bot.store.redis_link import Address, LinkError, RedisLink, ReplyError, ReplyTimeout, Script
from tests.conftest import REDIS_URL
from tests.fakes.redis_server import PrivateRedis


@pytest.fixture
async def link() -> AsyncIterator[RedisLink]:
    made = RedisLink(address_of(REDIS_URL), timeout=2.0)
    try:
        yield made
    finally:
        await made.close()


async def test_concurrent_callers_each_get_their_own_reply_even_when_others_give_up(
    link: RedisLink,
) -> None:
    prefix = f"certdesk-test:link:{uuid.uuid4().hex[:8]}:"
    keys = [f"{prefix}{i}" for i in range(200)]
    await link.pipeline([("SET", key, f"value-{i}", "PX", 60_000) for i, key in enumerate(keys)])
    rng = random.Random(3)

    async def read(i: int) -> None:
        assert await link.call("GET", keys[i]) == f"value-{i}".encode()

    for _round in range(5):
        tasks = [asyncio.create_task(read(i)) for i in range(len(keys))]
        await asyncio.sleep(0)
        cancelled = rng.sample(tasks, 60)  # some before they were sent, some awaiting replies
        for task in cancelled:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        for task, result in zip(tasks, results, strict=True):
            if task in cancelled:
                assert isinstance(result, asyncio.CancelledError) or result is None
            else:
                assert result is None, result  # the assertion in read() held
    assert await link.call("DEL", *keys) == len(keys)


async def test_error_replies_are_raised_to_their_caller_only(link: RedisLink) -> None:
    key = f"certdesk-test:link:{uuid.uuid4().hex[:8]}"
    good, bad = await asyncio.gather(
        link.call("SET", key, "text", "PX", 5000),
        link.call("INCR", key),
        return_exceptions=True,
    )
    assert good == b"OK"
    assert isinstance(bad, ReplyError) and "not an integer" in str(bad)
    assert await link.call("GET", key) == b"text"  # the connection is still in step


async def _silent_server() -> tuple[asyncio.Server, int]:
    """Accepts connections, reads what is sent, never answers."""

    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            while await reader.read(4096):
                pass
        writer.close()

    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def test_a_server_that_does_not_answer_fails_the_call_after_the_timeout() -> None:
    server, port = await _silent_server()
    link = RedisLink(Address(port=port), timeout=0.3)
    loop = asyncio.get_running_loop()
    try:
        started = loop.time()
        with pytest.raises(ReplyTimeout):
            await link.call("GET", "anything")  # not retried: it may have run
        assert 0.25 < loop.time() - started < 2.0
    finally:
        await link.close()
        server.close()
        await server.wait_closed()


async def _breaking_proxy(breaks: int) -> tuple[asyncio.Server, int]:
    """Relays to the real Redis; its first ``breaks`` connections drop after Redis has run
    what was sent but before its reply is passed on (a connection lost at the worst moment)."""
    redis_address = address_of(REDIS_URL)
    dropped = 0

    async def relay(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal dropped
        upstream_reader, upstream = await asyncio.open_connection(
            redis_address.host, redis_address.port
        )
        try:
            while data := await reader.read(65536):
                upstream.write(data)
                reply = await upstream_reader.read(65536)  # Redis has run the command
                if dropped < breaks:
                    dropped += 1
                    return  # closed without the reply
                writer.write(reply)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            upstream.close()
            writer.close()

    server = await asyncio.start_server(relay, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def test_a_command_that_must_not_run_twice_is_not_sent_again_after_a_break() -> None:
    """A counter (the rate limits) is not counted twice, and a set-if-absent does not answer
    "already there" for its own value, when the connection breaks after Redis ran them; a
    plain read is retried on a new connection."""
    server, port = await _breaking_proxy(breaks=3)
    prefix = f"certdesk-test:{uuid.uuid4().hex[:8]}:"
    store = RedisStore(f"redis://127.0.0.1:{port}/0", prefix)
    direct = RedisStore(REDIS_URL, prefix)
    try:
        with pytest.raises(StoreUnavailable):
            await store.incr("counter", ttl=60)
        assert await direct.get("counter") == b"1"  # it ran once, and only once
        with pytest.raises(StoreUnavailable):
            await store.incr("counter")
        assert await direct.get("counter") == b"2"
        with pytest.raises(StoreUnavailable):
            await store.set_if_absent("mark", "mine", ttl=60)
        assert await direct.get("mark") == b"mine"
        assert await store.get("mark") == b"mine"  # no more breaks: answered directly
        await direct.set("other", "value", ttl=60)
        server_breaks_again, port_again = await _breaking_proxy(breaks=1)
        retrying = RedisStore(f"redis://127.0.0.1:{port_again}/0", prefix)
        try:
            assert await retrying.get("other") == b"value"  # broke once, sent again
        finally:
            await retrying.close()
            server_breaks_again.close()
    finally:
        await store.close()
        await direct.close()
        server.close()


async def test_nothing_listening_is_a_link_error_and_a_store_unavailable() -> None:
    link = RedisLink(Address(port=1), timeout=0.5, connect_timeout=0.5)
    with pytest.raises(LinkError):
        await link.call("PING")
    store = RedisStore("redis://127.0.0.1:1/0", "certdesk-test:nothing:")
    with pytest.raises(StoreUnavailable):
        await store.get("key")
    await store.close()


async def test_a_restarted_redis_is_reconnected_to_and_scripts_are_sent_again(
    tmp_path: Path,
) -> None:
    with PrivateRedis(tmp_path) as private:
        store = RedisStore(private.url, "certdesk-test:restart:")
        try:
            async with store.lock("user"):  # loads the lock scripts
                pass
            await store.set("kept", "until the restart")
            private.restart()  # every key, every script and the connection are gone
            assert await store.get("kept") is None
            async with store.lock("user", wait=1):  # NOSCRIPT: the scripts go in full again
                pass
            private.restart()
            await store.set("read", "after the restart")
            # NOSCRIPT in a pipeline with the keys read with the lock
            async with store.lock("user", wait=1, read=["read"]) as held:
                assert held.read == {"read": b"after the restart"}
        finally:
            await store.close()


async def test_a_script_unknown_to_redis_is_sent_in_full(link: RedisLink) -> None:
    script = Script(f"return '{uuid.uuid4().hex}'")  # a script Redis has never seen
    assert await link.run(script, [], []) == await link.run(script, [], [])


def test_urls_name_where_to_connect() -> None:
    assert address_of("redis://:secret@10.0.0.5:6380/2") == Address(
        host="10.0.0.5", port=6380, db=2, password="secret"
    )
    assert address_of("rediss://ops:pw@cache.internal/0") == Address(
        host="cache.internal", username="ops", password="pw", tls=True
    )
    assert address_of("unix:///run/redis/redis.sock?db=3") == Address(
        path="/run/redis/redis.sock", db=3
    )
