"""A body that arrives in several packets is read whole, and never past the limit."""

from __future__ import annotations

import asyncio
from unittest import mock

import aiohttp
from hypothesis import given
from hypothesis import strategies as st

from bot.bodies import read_at_most


def _stream(chunks: list[bytes]) -> aiohttp.StreamReader:
    protocol = mock.Mock(_reading_paused=False)
    stream = aiohttp.StreamReader(protocol, limit=2**16, loop=asyncio.get_running_loop())
    for chunk in chunks:
        stream.feed_data(chunk)
    stream.feed_eof()
    return stream


@given(st.lists(st.binary(min_size=1, max_size=40), max_size=12), st.integers(0, 300))
def test_any_chunking_reads_the_whole_body_or_one_byte_past_the_limit(
    chunks: list[bytes], limit: int
) -> None:
    async def read() -> bytes:
        return await read_at_most(_stream(chunks), limit)

    body = b"".join(chunks)
    got = asyncio.run(read())
    assert got == (body if len(body) <= limit else body[: limit + 1])
