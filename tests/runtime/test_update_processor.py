"""PerChatUpdateProcessor: per-chat order, cross-chat concurrency, bounds and cleanup."""

from __future__ import annotations

import asyncio
import datetime as dtm
import warnings

import pytest
from telegram import CallbackQuery, Chat, Message, Update, User

from bot.runtime.processor import PerChatUpdateProcessor, chat_key

pytestmark = pytest.mark.asyncio

_NOW = dtm.datetime(2025, 1, 1, tzinfo=dtm.UTC)
_ids = iter(range(1, 10**9))


def message_update(chat_id: int, text: str = "hi") -> Update:
    uid = next(_ids)
    chat = Chat(chat_id, Chat.PRIVATE if chat_id > 0 else Chat.GROUP)
    user = User(abs(chat_id), False, "Tani")
    return Update(uid, message=Message(uid, _NOW, chat, from_user=user, text=text))


async def settle(rounds: int = 30) -> None:
    for _ in range(rounds):
        await asyncio.sleep(0)


class Recorder:
    """Stands in for Application.process_update: records what ran, when, and how many at once."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.finished: list[str] = []
        self.running = 0
        self.max_running = 0
        self.gates: dict[str, asyncio.Event] = {}

    def gate(self, name: str) -> asyncio.Event:
        return self.gates.setdefault(name, asyncio.Event())

    async def handle(self, name: str, *, pause: float = 0.0, fail: bool = False) -> None:
        self.started.append(name)
        self.running += 1
        self.max_running = max(self.max_running, self.running)
        try:
            if name in self.gates:
                await self.gates[name].wait()
            await asyncio.sleep(pause)
            if fail:
                raise ValueError(f"handler for {name} failed")
        finally:
            self.running -= 1
            self.finished.append(name)


def feed(proc: PerChatUpdateProcessor, update: object, coro) -> asyncio.Task:
    """Like Application's update fetcher: one task per update, created in arrival order."""
    return asyncio.create_task(proc.process_update(update, coro))


async def test_same_chat_in_arrival_order_even_if_first_is_slow() -> None:
    proc = PerChatUpdateProcessor(8)
    rec = Recorder()
    first = rec.gate("1")
    tasks = [feed(proc, message_update(42), rec.handle(str(i))) for i in range(1, 6)]
    await settle()
    assert rec.started == ["1"]  # the others wait although 7 slots are free
    first.set()
    await asyncio.gather(*tasks)
    assert rec.started == ["1", "2", "3", "4", "5"]
    assert rec.finished == ["1", "2", "3", "4", "5"]
    assert rec.max_running == 1


async def test_different_chats_run_concurrently() -> None:
    proc = PerChatUpdateProcessor(8)
    rec = Recorder()
    gates = [rec.gate(f"chat{c}") for c in range(4)]
    tasks = [feed(proc, message_update(100 + c), rec.handle(f"chat{c}")) for c in range(4)]
    await settle()
    assert sorted(rec.started) == ["chat0", "chat1", "chat2", "chat3"]
    assert proc.current_concurrent_updates == 4
    for gate in gates:
        gate.set()
    await asyncio.gather(*tasks)
    assert rec.max_running == 4


async def test_concurrency_never_exceeds_the_bound() -> None:
    proc = PerChatUpdateProcessor(3)
    rec = Recorder()
    tasks = [
        feed(proc, message_update(chat), rec.handle(f"{chat}/{n}", pause=0.002))
        for n in range(4)
        for chat in range(1, 21)
    ]
    await settle(5)
    assert proc.current_concurrent_updates <= 3
    await asyncio.gather(*tasks)
    assert len(rec.finished) == 80
    assert rec.max_running == 3
    # and per chat the order held throughout
    for chat in range(1, 21):
        mine = [name for name in rec.started if name.startswith(f"{chat}/")]
        assert mine == [f"{chat}/{n}" for n in range(4)]


async def test_backlog_of_one_chat_does_not_starve_others() -> None:
    proc = PerChatUpdateProcessor(2)
    rec = Recorder()
    busy_first = rec.gate("A0")
    backlog = [feed(proc, message_update(1), rec.handle(f"A{i}")) for i in range(30)]
    others = [feed(proc, message_update(chat), rec.handle(f"C{chat}")) for chat in range(2, 7)]
    # A0 holds one slot and is blocked; A1..A29 must not take the other slot from the others.
    await asyncio.wait_for(asyncio.gather(*others), timeout=5)
    assert rec.started[:1] == ["A0"]
    assert [n for n in rec.finished if n.startswith("C")] == [f"C{c}" for c in range(2, 7)]
    assert "A1" not in rec.started
    busy_first.set()
    await asyncio.gather(*backlog)
    assert [n for n in rec.finished if n.startswith("A")] == [f"A{i}" for i in range(30)]


async def test_exception_does_not_stall_the_chat() -> None:
    proc = PerChatUpdateProcessor(4)
    rec = Recorder()
    failing = feed(proc, message_update(5), rec.handle("bad", fail=True))
    after = [feed(proc, message_update(5), rec.handle(f"ok{i}")) for i in range(3)]
    results = await asyncio.gather(failing, *after, return_exceptions=True)
    assert isinstance(results[0], ValueError)
    assert rec.finished == ["bad", "ok0", "ok1", "ok2"]
    assert proc.active_chats == 0


async def test_per_chat_state_is_cleaned_up() -> None:
    proc = PerChatUpdateProcessor(16)
    rec = Recorder()
    tasks = [
        feed(proc, message_update(chat), rec.handle(f"{chat}/{n}", pause=0.001))
        for n in range(3)
        for chat in range(1, 201)
    ]
    await settle(3)
    assert proc.active_chats == 200
    assert proc.pending_updates == 600
    await asyncio.gather(*tasks)
    assert proc.active_chats == 0
    assert proc.pending_updates == 0
    assert proc.current_concurrent_updates == 0


async def test_updates_without_chat_or_user_are_only_bounded() -> None:
    proc = PerChatUpdateProcessor(2)
    rec = Recorder()
    gates = [rec.gate(f"x{i}") for i in range(4)]
    tasks = [feed(proc, object(), rec.handle(f"x{i}")) for i in range(4)]
    await settle()
    assert rec.started == ["x0", "x1"]  # two at once, no ordering key involved
    assert proc.active_chats == 0
    for gate in gates:
        gate.set()
    await asyncio.gather(*tasks)
    assert rec.max_running == 2


async def test_cancelled_waiting_update_passes_the_turn_on() -> None:
    proc = PerChatUpdateProcessor(4)
    rec = Recorder()
    first = rec.gate("1")
    never_run = rec.handle("2")
    t1 = feed(proc, message_update(9), rec.handle("1"))
    t2 = feed(proc, message_update(9), never_run)
    t3 = feed(proc, message_update(9), rec.handle("3"))
    await settle()
    t2.cancel()
    await settle()
    first.set()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "coroutine was never awaited" must not happen
        await asyncio.gather(t1, t3)
    assert t2.cancelled()
    assert rec.finished == ["1", "3"]
    assert never_run.cr_frame is None  # closed, not leaked
    assert proc.active_chats == 0
    assert proc.pending_updates == 0


async def test_shutdown_waits_for_in_flight_updates() -> None:
    rec = Recorder()
    gate = rec.gate("slow")
    async with PerChatUpdateProcessor(2) as proc:
        task = feed(proc, message_update(3), rec.handle("slow"))
        await settle()
        closing = asyncio.create_task(proc.shutdown())
        await settle()
        assert not closing.done()
        gate.set()
        await asyncio.wait_for(closing, timeout=5)
        assert task.done()
    await proc.shutdown()  # idle: returns at once


async def test_chat_key_prefers_chat_then_user() -> None:
    assert chat_key(message_update(77)) == 77
    assert chat_key(message_update(-500)) == -500
    inline_click = Update(
        1, callback_query=CallbackQuery("q", User(31, False, "Ibu"), "ci", inline_message_id="m")
    )
    assert chat_key(inline_click) == 31
    assert chat_key(Update(2)) is None
    assert chat_key("not an update") is None


async def test_rejects_non_positive_bound() -> None:
    with pytest.raises(ValueError):
        PerChatUpdateProcessor(0)
