"""Flood limits modelled on Telegram's documented bot limits.

Only *sends* are counted (see `FloodLimiter.acquire`).  Telegram does not publish its
exact algorithm; the shapes here follow its FAQ: about 30 messages/second overall,
about one message/second per private chat (short bursts tolerated) and 20 messages per
minute per group. A send with ``allow_paid_broadcast=true`` (paid in Telegram Stars) is not
held to the 30/s: it counts against a budget of its own, 1,000/s; the per-chat limits
apply to it as to any send.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FloodLimits:
    """Numbers for the flood limiter; every field can be overridden."""

    global_rate: float = 30.0  # tokens refilled per second, all chats together
    global_burst: int = 30  # bucket capacity, all chats together
    private_rate: float = 1.0  # tokens refilled per second, per private chat
    private_burst: int = 3  # bucket capacity, per private chat
    group_max: int = 20  # messages per window, per group chat (negative chat id)
    group_window: float = 60.0  # seconds, sliding window per group chat
    paid_rate: float = 1000.0  # paid broadcasts: tokens per second, all chats together
    paid_burst: int = 1000  # paid broadcasts: bucket capacity


class TokenBucket:
    __slots__ = ("capacity", "rate", "tokens", "stamp")

    def __init__(self, capacity: int, rate: float, now: float):
        self.capacity = float(capacity)
        self.rate = rate
        self.tokens = float(capacity)
        self.stamp = now

    def wait_time(self, now: float) -> float:
        """Seconds until a token is available (0 if one is available now)."""
        if now > self.stamp:
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
        if self.tokens >= 1.0:
            return 0.0
        return (1.0 - self.tokens) / self.rate if self.rate > 0 else math.inf

    def take(self) -> None:
        self.tokens -= 1.0


class SlidingWindow:
    __slots__ = ("limit", "window", "stamps")

    def __init__(self, limit: int, window: float):
        self.limit = limit
        self.window = window
        self.stamps: deque[float] = deque()

    def wait_time(self, now: float) -> float:
        stamps = self.stamps
        horizon = now - self.window
        while stamps and stamps[0] <= horizon:
            stamps.popleft()
        if len(stamps) < self.limit:
            return 0.0
        return stamps[0] + self.window - now

    def take(self, now: float) -> None:
        self.stamps.append(now)


class FloodLimiter:
    """Global bucket + per-chat bucket (private) or sliding window (group)."""

    def __init__(
        self, limits: FloodLimits | None = None, clock: Callable[[], float] = time.monotonic
    ):
        self.limits = limits or FloodLimits()
        self._clock = clock
        self._global = TokenBucket(self.limits.global_burst, self.limits.global_rate, clock())
        self._paid = TokenBucket(self.limits.paid_burst, self.limits.paid_rate, clock())
        self._private: dict[int, TokenBucket] = {}
        self._groups: dict[int, SlidingWindow] = {}

    def reset(self, limits: FloodLimits | None = None) -> None:
        if limits is not None:
            self.limits = limits
        self._global = TokenBucket(self.limits.global_burst, self.limits.global_rate, self._clock())
        self._paid = TokenBucket(self.limits.paid_burst, self.limits.paid_rate, self._clock())
        self._private.clear()
        self._groups.clear()

    def acquire(self, chat_id: int, paid: bool = False) -> float:
        """Take a slot for one send to `chat_id` (`paid`: a paid broadcast, from the 1,000/s
        budget instead of the 30/s one).

        Returns 0.0 when allowed, otherwise the seconds to wait; a refused send consumes
        nothing, so a well-behaved client that waits `retry_after` gets through.
        """
        overall = self._paid if paid else self._global
        now = self._clock()
        lim = self.limits
        if chat_id < 0:
            window = self._groups.get(chat_id)
            if window is None:
                window = self._groups[chat_id] = SlidingWindow(lim.group_max, lim.group_window)
            chat_wait = window.wait_time(now)
        else:
            bucket = self._private.get(chat_id)
            if bucket is None:
                bucket = self._private[chat_id] = TokenBucket(
                    lim.private_burst, lim.private_rate, now
                )
            chat_wait = bucket.wait_time(now)
        wait = max(chat_wait, overall.wait_time(now))
        if wait > 0:
            return wait
        overall.take()
        if chat_id < 0:
            window.take(now)
        else:
            bucket.take()
        return 0.0


def retry_after_seconds(wait: float) -> int:
    """Telegram reports whole seconds: ceil of the wait, at least 1."""
    return max(1, math.ceil(wait))
