"""Paid broadcasts have a budget of their own (1,000/s) and never take the tokens replies
need; the on-the-wire hook runs only for requests that really leave. Time is a FakeClock."""

from __future__ import annotations

import asyncio

import pytest
from telegram.error import RetryAfter

from bot.runtime.ratelimit import BULK, PAID, PriorityRateLimiter, SendLimits, on_the_wire

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning"),
]

ROOMY = dict(private_rate=100.0, private_burst=100.0)


def _send(limiter, calls, clock, chat_id, *, paid=False, rla=BULK, fail=None):
    async def callback(endpoint: str, data: dict) -> dict:
        calls.append((clock(), chat_id, bool(data.get("allow_paid_broadcast"))))
        if fail:
            raise fail.pop(0)
        return {"message_id": len(calls)}

    data = {"chat_id": chat_id, "text": "x"}
    if paid:
        data["allow_paid_broadcast"] = True
    return asyncio.create_task(
        limiter.process_request(callback, ("sendMessage", data), {}, "sendMessage", data, rla)
    )


async def test_paid_sends_go_at_the_paid_rate_and_leave_the_shared_budget_alone(fake_clock):
    limits = SendLimits(
        overall_rate=30.0, overall_burst=15.0, paid_rate=980.0, paid_burst=100.0, **ROOMY
    )
    limiter = PriorityRateLimiter(limits, clock=fake_clock, sleep=fake_clock.sleep)
    calls: list = []
    t0 = fake_clock.now
    paid = [_send(limiter, calls, fake_clock, chat, paid=True) for chat in range(1, 1001)]
    reply = _send(limiter, calls, fake_clock, 5000, rla=None)  # an interactive reply
    await fake_clock.advance(0.0)
    assert [c for c in calls if c[1] == 5000] == [(t0, 5000, False)]  # not behind 1,000
    await fake_clock.advance(2.0)
    await asyncio.gather(*paid, reply)
    times = sorted(t for t, chat, was_paid in calls if was_paid)
    assert len(times) == 1000
    assert times[-1] - t0 == pytest.approx((1000 - 100) / 980, abs=0.01)
    assert limiter.waiting(PAID) == 0
    # the shared budget is untouched: 15 free sends go at once
    free = [_send(limiter, calls, fake_clock, 6000 + i) for i in range(15)]
    await fake_clock.advance(0.0)
    await asyncio.gather(*free)
    assert all(t == fake_clock.now for t, chat, _ in calls if chat >= 6000)


async def test_only_a_paid_request_gets_the_paid_lane(fake_clock):
    limiter = PriorityRateLimiter(
        SendLimits(overall_rate=1.0, overall_burst=1.0, **ROOMY),
        clock=fake_clock,
        sleep=fake_clock.sleep,
    )
    calls: list = []
    tasks = [_send(limiter, calls, fake_clock, chat, rla={"lane": "paid"}) for chat in (1, 2)]
    await fake_clock.advance(0.0)
    assert len(calls) == 1  # named "paid" without paying: the shared 1/s budget
    await fake_clock.advance(1.0)
    await asyncio.gather(*tasks)


async def test_the_wire_hook_runs_before_each_attempt_and_only_for_sends_that_leave(fake_clock):
    limiter = PriorityRateLimiter(
        SendLimits(overall_rate=1.0, overall_burst=1.0, **ROOMY),
        clock=fake_clock,
        sleep=fake_clock.sleep,
    )
    calls: list = []
    hooked: list[tuple[int, int]] = []  # (chat, calls made before the hook ran)

    def send(chat, fail=None):
        async def run():
            async def hook():
                hooked.append((chat, len(calls)))

            with on_the_wire(hook):
                return await _send(limiter, calls, fake_clock, chat, fail=fail)

        return asyncio.create_task(run())

    first = send(1, fail=[RetryAfter(2)])
    second = send(2)
    await fake_clock.advance(0.0)
    assert hooked == [(1, 0)]  # the second waits for its turn: not on the wire
    await fake_clock.advance(5.0)
    await asyncio.gather(first, second)
    # the 429 held chat 1 only: chat 2 goes at the next token, chat 1's retry after its hold
    assert hooked == [(1, 0), (2, 1), (1, 2)]
    assert len(calls) == 3


async def test_a_failing_hook_keeps_the_request_home(fake_clock):
    limiter = PriorityRateLimiter(SendLimits(**ROOMY), clock=fake_clock, sleep=fake_clock.sleep)
    calls: list = []

    async def hook():
        raise OSError("disk full")

    with on_the_wire(hook), pytest.raises(OSError):
        await _send(limiter, calls, fake_clock, 1)
    assert calls == []
