"""Identifiers and random bytes without a system call each.

- ``unique_id``: unique across processes and time (a random prefix drawn once per process,
  then a counter), for what must only be unique (request ids in logs, lock ownership tokens),
  not unguessable: secrets and anything an outsider could exploit by guessing use ``secrets``.
- ``random_bytes``: the operating system's CSPRNG output, drawn 4 KiB at a time, for the
  per-message randomness of WeChat's safe mode (one ``getrandom`` call per ~250 messages).

Both start afresh in a forked child, which must not repeat its parent's values.
"""

from __future__ import annotations

import itertools
import os
import secrets
import threading

RANDOM_CHUNK = 4096

_prefix = ""
_counter = itertools.count()
_random = b""
_random_used = 0
_random_lock = threading.Lock()


def _reseed() -> None:
    global _prefix, _counter, _random, _random_used, _random_lock
    _prefix = secrets.token_hex(8)
    _counter = itertools.count(1)
    _random, _random_used = b"", 0
    _random_lock = threading.Lock()  # a thread of the parent may have held it at the fork


_reseed()
os.register_at_fork(after_in_child=_reseed)


def unique_id() -> str:
    """An identifier no other call, in this or any other process, returns (16 + n hex digits)."""
    return f"{_prefix}{next(_counter):x}"


def random_bytes(count: int) -> bytes:
    """``count`` bytes from the operating system's CSPRNG (``os.urandom``), never handed out
    twice: read 4 KiB at a time and given out in order."""
    global _random, _random_used
    with _random_lock:
        if _random_used + count > len(_random):
            _random, _random_used = os.urandom(max(RANDOM_CHUNK, count)), 0
        start = _random_used
        _random_used += count
        return _random[start:_random_used]
