"""Periodic renewal of something held (a lock's lease, a message's pending mark) that costs
nothing until the first renewal is due: a timer, not a task, for the many holders that finish
sooner."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable


class Heartbeat:
    """Awaits ``beat()`` every ``interval`` seconds, the first after ``interval``, until it
    returns False or the heartbeat is stopped."""

    def __init__(self, beat: Callable[[], Awaitable[bool]], interval: float) -> None:
        self._beat = beat
        self._interval = interval
        self._task: asyncio.Task[None] | None = None
        self._timer: asyncio.TimerHandle | None = asyncio.get_running_loop().call_later(
            interval, self._start
        )

    def _start(self) -> None:
        self._timer = None
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            if not await self._beat():
                return
            await asyncio.sleep(self._interval)

    def cancel(self) -> None:
        """Stop beating (a beat under way is cancelled, not waited for)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._task is not None:
            self._task.cancel()

    async def stop(self) -> None:
        """Stop beating and wait until no beat is under way any more."""
        self.cancel()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
