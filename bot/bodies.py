"""Reading an HTTP body (a request's or a response's) whole, but never more than a limit.

``StreamReader.read(n)`` returns what has arrived so far, which for a body sent in several
packets is only its first part; this reads until the end of the body or one byte past the limit.
"""

from __future__ import annotations

import aiohttp


async def read_at_most(stream: aiohttp.StreamReader, limit: int) -> bytes:
    """The whole body if it is at most ``limit`` bytes; otherwise ``limit + 1`` bytes of it
    (callers refuse a result longer than ``limit``)."""
    body = bytearray()
    while len(body) <= limit:
        chunk = await stream.read(limit + 1 - len(body))
        if not chunk:
            break
        body += chunk
    return bytes(body)
