"""Identifiers unique across processes and time without a system call each: a random prefix
drawn once per process (again in a forked child), then a counter.

For what must only be unique (request ids in logs, lock ownership tokens), not unguessable:
secrets and anything an outsider could exploit by guessing use ``secrets``.
"""

from __future__ import annotations

import itertools
import os
import secrets

_prefix = ""
_counter = itertools.count()


def _reseed() -> None:
    global _prefix, _counter
    _prefix = secrets.token_hex(8)
    _counter = itertools.count(1)


_reseed()
os.register_at_fork(after_in_child=_reseed)


def unique_id() -> str:
    """An identifier no other call, in this or any other process, returns (16 + n hex digits)."""
    return f"{_prefix}{next(_counter):x}"
