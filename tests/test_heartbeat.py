"""Heartbeat: renewals on time, none after stop, nothing running for holders that finish early."""

from __future__ import annotations

import asyncio

from bot.heartbeat import Heartbeat


async def test_beats_every_interval_until_stopped_and_never_after() -> None:
    beats: list[float] = []
    loop = asyncio.get_running_loop()
    started = loop.time()

    async def beat() -> bool:
        beats.append(loop.time() - started)
        await asyncio.sleep(0.01)  # a renewal takes a round trip
        return True

    heartbeat = Heartbeat(beat, 0.05)
    await asyncio.sleep(0.18)
    await heartbeat.stop()
    count = len(beats)
    assert count == 3 and 0.04 < beats[0] < 0.1
    await asyncio.sleep(0.12)
    assert len(beats) == count  # stopped means stopped


async def test_a_holder_done_before_the_first_beat_starts_no_task() -> None:
    tasks_before = len(asyncio.all_tasks())
    beats: list[int] = []

    async def beat() -> bool:
        beats.append(1)
        return True

    heartbeat = Heartbeat(beat, 0.05)
    assert len(asyncio.all_tasks()) == tasks_before
    await heartbeat.stop()
    await asyncio.sleep(0.08)
    assert beats == []


async def test_a_beat_returning_false_ends_the_heartbeat() -> None:
    beats: list[int] = []

    async def beat() -> bool:
        beats.append(1)
        return len(beats) < 2  # e.g. the lock was lost

    heartbeat = Heartbeat(beat, 0.02)
    await asyncio.sleep(0.15)
    assert beats == [1, 1]
    await heartbeat.stop()
