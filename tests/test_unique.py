"""Identifiers that must only be unique: across calls, and across a process and its fork."""

from __future__ import annotations

import os

from bot.unique import RANDOM_CHUNK, random_bytes, unique_id


def test_ids_do_not_repeat() -> None:
    ids = [unique_id() for _ in range(10_000)]
    assert len(set(ids)) == len(ids)


def test_a_forked_child_draws_ids_of_its_own() -> None:
    before = unique_id()
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # the child: its next ids, to the parent
        os.close(reader)
        os.write(writer, " ".join(unique_id() for _ in range(3)).encode())
        os._exit(0)
    os.close(writer)
    with os.fdopen(reader) as pipe:
        from_child = pipe.read().split()
    os.waitpid(child, 0)
    ours = [unique_id() for _ in range(3)]
    assert len(from_child) == 3
    assert not set(from_child) & {before, *ours}
    assert from_child[0][:16] != before[:16]  # a prefix of its own, not the parent's counter


def test_random_bytes_are_never_handed_out_twice_even_across_chunks_and_a_fork() -> None:
    drawn = [random_bytes(16) for _ in range(2 * RANDOM_CHUNK // 16 + 7)]  # crosses refills
    assert all(len(value) == 16 for value in drawn)
    assert len(set(drawn)) == len(drawn)
    assert len(random_bytes(RANDOM_CHUNK + 1)) == RANDOM_CHUNK + 1  # more than one chunk
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # the child: its next bytes, to the parent
        os.close(reader)
        os.write(writer, random_bytes(16))
        os._exit(0)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        from_child = pipe.read()
    os.waitpid(child, 0)
    ours = random_bytes(16)
    assert len(from_child) == 16
    assert from_child != ours  # the parent's buffer was not inherited
