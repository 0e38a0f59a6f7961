"""PriorityRateLimiter: limits, lanes, fairness, 429/403 handling. Time is a FakeClock."""

from __future__ import annotations

import asyncio
import datetime as dtm
import random
import warnings

import pytest
from telegram.error import BadRequest, Forbidden, RetryAfter

from bot.runtime.ratelimit import (
    BULK,
    INTERACTIVE,
    PriorityRateLimiter,
    SendLimits,
    first_in_line,
    is_counted,
    resolve_lane,
    retry_after_seconds,
)

pytestmark = [
    pytest.mark.asyncio,
    # RetryAfter() itself warns about int vs timedelta while being built; not our concern here.
    pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning"),
]

ROOMY = dict(private_rate=100.0, private_burst=100.0, group_max=1000, group_window=1.0)


class Telegram:
    """The callback PTB hands to the limiter: records (time, chat_id, label) of each call."""

    def __init__(self, clock) -> None:
        self.clock = clock
        self.calls: list[tuple[float, object, str]] = []
        self.fail_with: list[Exception] = []

    def times(self, chat_id: object = None) -> list[float]:
        return [t for t, c, _ in self.calls if chat_id is None or c == chat_id]

    def labels(self) -> list[str]:
        return [label for _, _, label in self.calls]

    def send(self, limiter, chat_id, label="", endpoint="sendMessage", rla=None) -> asyncio.Task:
        async def callback(endpoint: str, data: dict) -> dict:
            self.calls.append((self.clock(), data.get("chat_id"), label))
            if self.fail_with:
                raise self.fail_with.pop(0)
            return {"message_id": len(self.calls)}

        data = {"chat_id": chat_id, "text": label}
        return asyncio.create_task(
            limiter.process_request(callback, (endpoint, data), {}, endpoint, data, rla)
        )


def make(fake_clock, **limits) -> tuple[PriorityRateLimiter, Telegram]:
    limiter = PriorityRateLimiter(SendLimits(**limits), clock=fake_clock, sleep=fake_clock.sleep)
    return limiter, Telegram(fake_clock)


def emulator_accepts(times: list[float], capacity: float, rate: float) -> bool:
    """Replays send times against a token bucket like the loopback emulator's."""
    tokens, last = capacity, times[0] if times else 0.0
    for t in sorted(times):
        tokens = min(capacity, tokens + (t - last) * rate)
        last = t
        if tokens < 1 - 1e-9:
            return False
        tokens -= 1
    return True


async def test_uncontended_send_goes_out_at_once(fake_clock) -> None:
    limiter, tg = make(fake_clock)
    await tg.send(limiter, 1, "hello")
    assert tg.times() == [fake_clock.now]
    assert limiter.waiting() == 0
    assert limiter._dispatcher is None  # the fast path never needs the dispatcher


async def test_overall_rate_respected(fake_clock) -> None:
    limiter, tg = make(fake_clock, overall_rate=30.0, overall_burst=30.0, **ROOMY)
    t0 = fake_clock.now
    tasks = [tg.send(limiter, chat, str(chat)) for chat in range(1, 91)]
    await fake_clock.advance(3.0)
    await asyncio.gather(*tasks)
    times = sorted(tg.times())
    assert times[:30] == [t0] * 30  # the burst
    assert times[30] == pytest.approx(t0 + 1 / 30)
    assert times[-1] == pytest.approx(t0 + 2.0)
    assert emulator_accepts(times, capacity=30, rate=30)


async def test_default_limits_use_over_90_percent_and_stay_under_telegram(fake_clock) -> None:
    limiter, tg = make(fake_clock)
    tasks = [tg.send(limiter, chat, "x", rla=BULK) for chat in range(1, 601)]
    await fake_clock.advance(25.0)
    await asyncio.gather(*tasks)
    times = sorted(tg.times())
    steady = (len(times) - 100) / (times[-1] - times[100])
    assert steady >= 0.9 * 30
    assert emulator_accepts(times, capacity=30, rate=30)


async def test_private_chat_burst_then_one_per_second(fake_clock) -> None:
    limiter, tg = make(fake_clock, private_rate=1.0, private_burst=3.0)
    t0 = fake_clock.now
    tasks = [tg.send(limiter, 555, str(i)) for i in range(6)]
    await fake_clock.advance(5.0)
    await asyncio.gather(*tasks)
    assert [t - t0 for t in tg.times()] == pytest.approx([0, 0, 0, 1, 2, 3])
    assert tg.labels() == ["0", "1", "2", "3", "4", "5"]  # same chat: FIFO


async def test_default_private_limit_stays_under_telegram(fake_clock) -> None:
    limiter, tg = make(fake_clock)
    tasks = [tg.send(limiter, 555, str(i)) for i in range(10)]
    await fake_clock.advance(15.0)
    await asyncio.gather(*tasks)
    assert emulator_accepts(tg.times(), capacity=3, rate=1)


async def test_group_twenty_per_minute(fake_clock) -> None:
    limiter, tg = make(fake_clock, group_max=20, group_window=60.0, overall_burst=30.0)
    t0 = fake_clock.now
    tasks = [tg.send(limiter, -1001, str(i)) for i in range(25)]
    await fake_clock.advance(59.0)
    assert len(tg.calls) == 20
    await fake_clock.advance(2.0)
    await asyncio.gather(*tasks)
    assert [t - t0 for t in tg.times()] == pytest.approx([0] * 20 + [60] * 5)
    # with the default (61 s) window, no 60 s span ever holds more than 20
    limiter, tg = make(fake_clock)
    tasks = [tg.send(limiter, "@koperasi_channel", str(i)) for i in range(45)]
    await fake_clock.advance(130.0)
    await asyncio.gather(*tasks)
    times = tg.times()
    assert all(sum(t <= s < t + 60 for s in times) <= 20 for t in times)


async def test_uncounted_methods_are_not_limited(fake_clock) -> None:
    limiter, tg = make(fake_clock, overall_rate=1.0, overall_burst=1.0)
    t0 = fake_clock.now
    backlog = [tg.send(limiter, c, "msg") for c in range(1, 6)]
    await fake_clock.settle()
    for endpoint in ["answerCallbackQuery", "sendChatAction", "getMe"]:
        await tg.send(limiter, 1, endpoint, endpoint=endpoint)
    assert [t for t, _, label in tg.calls if label != "msg"] == [t0] * 3
    await fake_clock.advance(10.0)
    await asyncio.gather(*backlog)
    assert is_counted("sendPhoto") and is_counted("copyMessage") and is_counted("forwardMessages")
    assert not is_counted("sendChatAction") and not is_counted("setMyCommands")


async def test_edits_use_the_budget_like_sends(fake_clock) -> None:
    """Telegram counts an edit like a message: a progress message edited in a loop must not
    go past the chat's limit (it got 429s that held everything)."""
    assert is_counted("editMessageText") and is_counted("editMessageReplyMarkup")
    limiter, tg = make(fake_clock, private_rate=1.0, private_burst=3.0)
    t0 = fake_clock.now
    edits = [tg.send(limiter, 900, f"edit{i}", endpoint="editMessageText") for i in range(5)]
    await fake_clock.advance(5.0)
    await asyncio.gather(*edits)
    assert [t - t0 for t in tg.times(900)] == pytest.approx([0, 0, 0, 1, 2])


async def test_interactive_goes_before_queued_bulk(fake_clock) -> None:
    limiter, tg = make(fake_clock, overall_rate=1.0, overall_burst=1.0)
    t0 = fake_clock.now
    bulk = [tg.send(limiter, c, f"bulk{c}", rla=BULK) for c in range(1, 6)]
    await fake_clock.settle()
    assert limiter.waiting(BULK) == 4  # bulk1 went out on the burst token
    reply = tg.send(limiter, 99, "reply")
    await fake_clock.advance(10.0)
    await asyncio.gather(reply, *bulk)
    assert tg.labels() == ["bulk1", "reply", "bulk2", "bulk3", "bulk4", "bulk5"]
    assert tg.calls[1][0] == pytest.approx(t0 + 1.0)


async def test_a_send_first_in_line_goes_before_queued_replies_within_the_limits(
    fake_clock,
) -> None:
    limiter, tg = make(fake_clock, overall_rate=1.0, overall_burst=1.0)
    t0 = fake_clock.now
    replies = [tg.send(limiter, c, f"reply{c}") for c in range(1, 6)]
    await fake_clock.settle()
    assert limiter.waiting(INTERACTIVE) == 4  # reply1 went out on the burst token
    with first_in_line():  # the task created here carries the context
        rerun = tg.send(limiter, 99, "rerun")
    later = tg.send(limiter, 98, "later")
    await fake_clock.advance(10.0)
    await asyncio.gather(rerun, later, *replies)
    assert tg.labels() == ["reply1", "rerun", "reply2", "reply3", "reply4", "reply5", "later"]
    assert tg.calls[1][0] == pytest.approx(t0 + 1.0)  # still one token a second
    # and its chat's own limit holds: a second send to chat 99 waits for chat 99's token
    limiter, tg = make(fake_clock, private_rate=1.0, private_burst=1.0)
    with first_in_line():
        first, second = tg.send(limiter, 99, "a"), tg.send(limiter, 99, "b")
    await fake_clock.advance(3.0)
    await asyncio.gather(first, second)
    assert tg.times(99)[1] - tg.times(99)[0] == pytest.approx(1.0)


async def test_long_bulk_backlog_barely_delays_a_reply(fake_clock) -> None:
    limiter, tg = make(fake_clock)
    bulk = [tg.send(limiter, c, "bulk", rla=BULK) for c in range(1, 3001)]
    await fake_clock.advance(2.0)
    assert limiter.waiting(BULK) > 2800
    asked = fake_clock.now
    reply = tg.send(limiter, 424242, "reply")
    await fake_clock.advance(0.5)
    assert reply.done()
    (answered,) = [t for t, _, label in tg.calls if label == "reply"]
    assert answered - asked <= 1 / limiter.limits.overall_rate + 1e-6
    for task in bulk:
        task.cancel()
    await asyncio.gather(*bulk, return_exceptions=True)


async def test_throttled_chat_does_not_block_other_chats(fake_clock) -> None:
    limiter, tg = make(fake_clock, private_rate=1.0, private_burst=3.0)
    t0 = fake_clock.now
    chatty = [tg.send(limiter, 7, f"A{i}", rla=BULK) for i in range(5)]
    other = tg.send(limiter, 8, "B", rla=BULK)
    await fake_clock.settle()
    assert other.done()  # A3 waits for chat 7's token without holding the queue
    await fake_clock.advance(5.0)
    await asyncio.gather(*chatty)
    assert tg.labels() == ["A0", "A1", "A2", "B", "A3", "A4"]
    assert [t - t0 for t in tg.times(7)] == pytest.approx([0, 0, 0, 1, 2])


async def test_bulk_lane_is_fifo_across_chats(fake_clock) -> None:
    limiter, tg = make(fake_clock, overall_rate=2.0, overall_burst=1.0)
    tasks = [tg.send(limiter, c, f"m{c}", rla={"lane": "bulk"}) for c in [5, 3, 9, 1, 7]]
    await fake_clock.advance(5.0)
    await asyncio.gather(*tasks)
    assert tg.labels() == ["m5", "m3", "m9", "m1", "m7"]


async def test_retry_after_for_one_chat_holds_that_chat_only(fake_clock) -> None:
    """An edit of the administrator's progress message refused with 429: that chat waits
    retry_after; the rest of the budget goes on (it held every send for 5 s)."""
    limiter, tg = make(fake_clock)
    t0 = fake_clock.now
    tg.fail_with = [RetryAfter(5)]
    first = tg.send(limiter, 11, "first", endpoint="editMessageText")
    await fake_clock.settle()
    later = tg.send(limiter, 12, "later")  # another chat: not held
    same = tg.send(limiter, 11, "same")  # the same chat: held with it
    await fake_clock.advance(0.1)
    assert later.done() and not first.done() and not same.done()
    await fake_clock.advance(7.0)  # the chat's next send comes a second after the retry
    assert first.done() and same.done()
    assert await first == {"message_id": 3}
    assert tg.labels() == ["first", "later", "first", "same"]  # the retry keeps its place
    assert all(t >= t0 + 5 for t, chat, _ in tg.calls[2:])


async def test_retry_after_for_two_chats_at_once_pauses_the_whole_budget(fake_clock) -> None:
    """429s for several chats within one retry_after: the overall limit, not one chat's."""
    limiter, tg = make(fake_clock)
    t0 = fake_clock.now
    tg.fail_with = [RetryAfter(5), RetryAfter(5)]
    first = tg.send(limiter, 11, "first")
    second = tg.send(limiter, 12, "second")
    await fake_clock.settle()
    later = tg.send(limiter, 13, "later")  # a third chat: the whole budget is paused
    await fake_clock.advance(4.9)
    assert not first.done() and not second.done() and not later.done()
    await fake_clock.advance(2.0)
    assert first.done() and second.done() and later.done()
    assert tg.labels() == ["first", "second", "first", "second", "later"]
    assert all(t >= t0 + 5 for t in tg.times()[2:])


async def test_retry_after_raised_after_max_retries(fake_clock) -> None:
    limiter, tg = make(fake_clock)
    tg.fail_with = [RetryAfter(1) for _ in range(10)]
    task = tg.send(limiter, 11, "x")
    await fake_clock.advance(30.0)
    with pytest.raises(RetryAfter):
        await task
    assert len(tg.calls) == 4  # first try + max_retries (3)
    tg.calls.clear()
    task = tg.send(limiter, 12, "y", rla={"max_retries": 0})
    await fake_clock.advance(30.0)
    with pytest.raises(RetryAfter):
        await task
    assert len(tg.calls) == 1


async def test_retry_after_on_uncounted_method_waits_only_itself(fake_clock) -> None:
    limiter, tg = make(fake_clock)
    tg.fail_with = [RetryAfter(3)]
    edit = tg.send(limiter, 11, "edit", endpoint="setMyCommands")
    await fake_clock.settle()
    await tg.send(limiter, 12, "send")  # not paused by an uncounted method's 429
    await fake_clock.advance(4.0)
    await edit
    assert tg.labels() == ["edit", "send", "edit"]


async def test_retry_after_int_or_timedelta(monkeypatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    assert isinstance(RetryAfter(dtm.timedelta(seconds=2.5)).retry_after, dtm.timedelta)
    assert retry_after_seconds(RetryAfter(dtm.timedelta(seconds=2.5))) == 2.5
    monkeypatch.setenv("PTB_TIMEDELTA", "false")
    as_int, as_timedelta = RetryAfter(7), RetryAfter(dtm.timedelta(seconds=2.5))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # reading it must not spam deprecation warnings
        assert retry_after_seconds(as_int) == 7.0
        assert retry_after_seconds(as_timedelta) == 2.5


async def test_forbidden_calls_hook_and_is_not_retried(fake_clock) -> None:
    unreachable: list[object] = []

    async def on_forbidden(chat_id):
        unreachable.append(chat_id)

    limiter = PriorityRateLimiter(
        on_forbidden=on_forbidden, clock=fake_clock, sleep=fake_clock.sleep
    )
    tg = Telegram(fake_clock)
    tg.fail_with = [Forbidden("Forbidden: bot was blocked by the user")]
    with pytest.raises(Forbidden):
        await tg.send(limiter, 321, "x")
    assert unreachable == [321]
    assert len(tg.calls) == 1
    tg.fail_with = [BadRequest("chat not found")]  # other errors: no hook, no retry
    with pytest.raises(BadRequest):
        await tg.send(limiter, 322, "y")
    assert unreachable == [321]


async def test_failing_or_sync_forbidden_hook_still_raises_forbidden(fake_clock) -> None:
    seen: list[object] = []

    def hook(chat_id):
        seen.append(chat_id)
        raise RuntimeError("database down")

    limiter = PriorityRateLimiter(on_forbidden=hook, clock=fake_clock, sleep=fake_clock.sleep)
    tg = Telegram(fake_clock)
    tg.fail_with = [Forbidden("blocked")]
    with pytest.raises(Forbidden):
        await tg.send(limiter, 5, "x")
    assert seen == [5]


async def test_lane_selection_helpers() -> None:
    assert resolve_lane(None) is INTERACTIVE
    assert resolve_lane(BULK) is BULK
    assert resolve_lane("bulk") is BULK
    assert resolve_lane({"lane": "bulk"}) is BULK
    assert resolve_lane({"max_retries": 1}) is INTERACTIVE
    with pytest.raises(ValueError):
        resolve_lane("urgent")


async def test_cancelled_waiting_send_does_not_stall_others(fake_clock) -> None:
    limiter, tg = make(fake_clock, overall_rate=1.0, overall_burst=1.0)
    tasks = [tg.send(limiter, c, f"m{c}") for c in range(1, 5)]
    await fake_clock.settle()
    tasks[1].cancel()
    await fake_clock.advance(5.0)
    await asyncio.gather(*tasks, return_exceptions=True)
    assert tg.labels() == ["m1", "m3", "m4"]
    assert tg.times()[1] - tg.times()[0] == pytest.approx(1.0)  # no token wasted
    assert limiter.waiting() == 0
    await fake_clock.advance(1.0)
    assert limiter._dispatcher is None  # nothing queued: the dispatcher is gone


async def test_idle_chat_state_is_forgotten(fake_clock) -> None:
    limiter = PriorityRateLimiter(
        SendLimits(overall_rate=100.0, overall_burst=100.0),
        clock=fake_clock,
        sleep=fake_clock.sleep,
        sweep_threshold=50,
    )
    tg = Telegram(fake_clock)
    for chat in range(1, 50):
        await tg.send(limiter, chat, "x")
    assert limiter.tracked_chats == 49
    await fake_clock.advance(10.0)  # every private bucket is full again
    for chat in range(100, 110):
        await tg.send(limiter, chat, "x")
    assert limiter.tracked_chats <= 11


async def test_shutdown_cancels_waiting_sends(fake_clock) -> None:
    limiter, tg = make(fake_clock, overall_rate=1.0, overall_burst=1.0)
    await limiter.initialize()
    tasks = [tg.send(limiter, c, "x") for c in range(1, 4)]
    await fake_clock.settle()
    await limiter.shutdown()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert results[0] == {"message_id": 1}
    assert all(isinstance(r, asyncio.CancelledError) for r in results[1:])
    assert limiter.waiting() == 0


async def test_real_clock_smoke() -> None:
    limiter = PriorityRateLimiter(SendLimits(overall_rate=50.0, overall_burst=5.0))
    tg = Telegram(asyncio.get_running_loop().time)
    tasks = [tg.send(limiter, c, "x") for c in range(1, 16)]
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=10)
    times = sorted(tg.times())
    assert times[-1] - times[0] >= 10 / 50 - 0.02  # 10 sends beyond the burst at 50/s
    await limiter.shutdown()


async def test_send_limits_validation() -> None:
    with pytest.raises(ValueError):
        SendLimits(overall_rate=0)
    with pytest.raises(ValueError):
        SendLimits(group_max=0)


@pytest.mark.parametrize("seed", [1, 2])
async def test_random_traffic_keeps_every_limit_and_order(fake_clock, seed: int) -> None:
    """Random chats, lanes, cancellations and 429s: every invariant holds, nothing hangs."""
    rnd = random.Random(seed)
    limiter, tg = make(fake_clock)
    chats = [rnd.randint(1, 40) for _ in range(10)] + [-rnd.randint(1, 5) for _ in range(3)]
    tasks: list[asyncio.Task] = []
    for n in range(600):
        if rnd.random() < 0.03:
            tg.fail_with.append(RetryAfter(1))
        lane = rnd.choice([BULK, BULK, INTERACTIVE])
        tasks.append(tg.send(limiter, rnd.choice(chats), f"{lane}:{n}", rla=lane))
        if n % 10 == 9:
            if rnd.random() < 0.3:
                rnd.choice(tasks).cancel()
            await fake_clock.advance(rnd.choice([0.01, 0.05, 0.3, 1.0]))
    await fake_clock.advance(400.0)
    results = await asyncio.gather(*tasks, return_exceptions=True)

    assert sum(isinstance(r, dict) for r in results) > 500  # most were sent ...
    assert any(isinstance(r, asyncio.CancelledError) for r in results)  # ... some cancelled
    assert not tg.fail_with  # every injected 429 was hit (and retried)
    assert limiter.waiting() == 0
    assert limiter._dispatcher is None
    assert emulator_accepts(tg.times(), capacity=30, rate=30)
    for chat in set(chats):
        times = tg.times(chat)
        if chat > 0:
            assert emulator_accepts(times, capacity=3, rate=1)
        else:
            assert all(sum(t <= s < t + 60 for s in times) <= 20 for t in times)
        for lane in (BULK, INTERACTIVE):  # FIFO per chat and lane (by first attempt)
            firsts = dict.fromkeys(
                int(label.split(":")[1])
                for _, c, label in tg.calls
                if c == chat and label.startswith(f"{lane}:")
            )
            assert list(firsts) == sorted(firsts)
