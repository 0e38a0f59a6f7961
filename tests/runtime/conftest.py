"""Shared helpers for the runtime tests: a fake clock that makes time-based tests exact."""

from __future__ import annotations

import asyncio
import heapq
import itertools

import pytest


class FakeClock:
    """A monotonic clock that only moves when the test says so.

    Pass it as ``clock=fake`` and ``sleep=fake.sleep``; ``await fake.advance(s)`` then runs every
    sleeper due within ``s`` seconds, in time order, letting the event loop settle after each.
    """

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self._timers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        fut = asyncio.get_running_loop().create_future()
        heapq.heappush(self._timers, (self.now + max(0.0, delay), next(self._order), fut))
        await fut

    @staticmethod
    async def settle(rounds: int = 30) -> None:
        """Lets every task that can make progress without time passing do so."""
        for _ in range(rounds):
            await asyncio.sleep(0)

    async def advance(self, seconds: float) -> None:
        target = self.now + seconds
        await self.settle()
        while self._timers and self._timers[0][0] <= target:
            when, _, fut = heapq.heappop(self._timers)
            self.now = max(self.now, when)
            if not fut.done():
                fut.set_result(None)
                await self.settle()
        self.now = target
        await self.settle()


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()
