"""A Bot API call Telegram accepted is recorded at once; when its update is processed again
after the process died, that call is not made again (PTB gets the recorded answer) and the
rest of the answer is.

Before the record, the replay sent everything again: a person got the same message twice,
and when that message was a question, answered it twice.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from telegram import Update
from telegram.ext import ApplicationHandlerStop, CommandHandler

from bot.wiring import build_application
from storage import inbox, sent_calls
from storage.db import Database, now_utc
from tests.handlers.flows import FARMER_ID
from tests.harness import UNLIMITED, FakeTelegram, SimulatedCrash, World

BUDI = 9301


class DyingTelegram(FakeTelegram):
    """Telegram, except that the process dies while the ``nth`` call of ``method`` is on its
    way (Telegram never gets it)."""

    def __init__(self) -> None:
        super().__init__()
        self._die_at: tuple[str, int] | None = None

    def die_at(self, method: str, nth: int) -> None:
        self._die_at = (method, nth)

    async def do_request(
        self, url: str, method: str, request_data: Any = None, **kwargs: Any
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        if self._die_at and self._die_at[0] == api_method:
            if self._die_at[1] <= 1:
                self._die_at = None
                raise SimulatedCrash(api_method)
            self._die_at = (api_method, self._die_at[1] - 1)
        return await super().do_request(url, method, request_data, **kwargs)


class TwiceWorld(World):
    """The bot, plus ``/twice``: a handler that answers with two messages."""

    def __init__(self, db_path: str) -> None:
        super().__init__(db_path)
        self.telegram = DyingTelegram()

    async def start(self) -> TwiceWorld:
        self.app = build_application(
            self.settings,
            request=self.telegram,
            get_updates_request=self.telegram,
            send_limits=UNLIMITED,
        )

        async def twice(update, context) -> None:
            await update.message.reply_text("Satu")
            await update.message.reply_text("Dua")
            raise ApplicationHandlerStop

        self.app.add_handler(CommandHandler("twice", twice), group=-10)
        await self.app.initialize()
        await self.app.start()
        await self.app.update_queue.join()
        return self


def _sends(world: World) -> list[str]:
    return [call.params.get("text") for call in world.telegram.calls_of("sendMessage")]


async def test_the_first_message_accepted_before_the_crash_is_not_sent_again(tmp_path):
    world = await TwiceWorld(str(tmp_path / "k.sqlite3")).start()
    try:
        budi = world.person(BUDI)
        world.telegram.die_at("sendMessage", 2)  # "Satu" accepted, the process dies sending "Dua"
        assert await budi.send("/twice") == ["Satu"]
        update_id = world.last_update_id
        assert not await inbox.is_applied(world.db, update_id)

        await world.kill()  # a new process processes it again
        assert budi.take_new() == ["Dua"]
        assert budi.texts() == ["Satu", "Dua"]
        assert _sends(world) == ["Satu", "Dua"]  # each reached Telegram once
        assert await inbox.is_applied(world.db, update_id)
        assert world.app.update_processor.journal.replayed == 1
    finally:
        await world.stop()


async def _the_language_step(world: World):
    budi = world.person(BUDI)
    await budi.send("/start")
    return budi, lambda: budi.press("Bahasa Indonesia")


async def test_a_registration_step_replayed_after_a_crash_repeats_nothing(tmp_path):
    # What the step calls when nothing goes wrong, e.g. answerCallbackQuery, an edit that
    # ticks the chosen button, the next question.
    calm = await World(str(tmp_path / "calm.sqlite3")).start()
    try:
        who, act = await _the_language_step(calm)
        before = len(calm.telegram.calls)
        await act()
        expected_calls = [call.method for call in calm.telegram.calls[before:]]
        expected_chat = [(m.text, m.reply_markup) for m in calm.telegram.messages[BUDI]]
    finally:
        await calm.stop()
    assert len(expected_calls) >= 2 and "sendMessage" in expected_calls, expected_calls

    world = await TwiceWorld(str(tmp_path / "k.sqlite3")).start()
    try:
        who, act = await _the_language_step(world)
        last = expected_calls[-1]
        world.telegram.die_at(last, expected_calls.count(last))  # dies on the step's last call
        await act()
        before = len(world.telegram.calls)
        await world.kill()
        after_restart = [
            call.method for call in world.telegram.calls[before:] if call.method != "setMyCommands"
        ]
        assert after_restart[-1:] == [last] and after_restart.count(last) == 1, after_restart
        for method in set(expected_calls) - {last}:
            assert method not in after_restart, f"{method} made again: {after_restart}"
        assert [(m.text, m.reply_markup) for m in world.telegram.messages[BUDI]] == expected_chat
        assert FARMER_ID in who.buttons()
    finally:
        await world.stop()


async def test_records_are_pruned_with_the_inbox_but_not_while_their_update_waits(tmp_path):
    async with Database(str(tmp_path / "k.sqlite3")) as db:
        from storage.migrate import migrate

        await migrate(db)
        await inbox.store(db, 1, '{"update_id": 1}')
        await inbox.store(db, 2, '{"update_id": 2}')
        async with db.transaction(bookkeeping=True) as conn:
            await inbox.mark_done(conn, [1])
        await sent_calls.record(db, [(1, 0, "sendMessage", json.dumps({"message_id": 5}), 7),
                                     (2, 0, "sendMessage", json.dumps(True), 8)])  # fmt: skip
        old = now_utc() - inbox.KEEP_APPLIED_SECONDS - 10
        await db.write_one("UPDATE inbox SET applied_at = ? WHERE update_id = 1", (old,))
        await db.write_one("UPDATE sent_calls SET sent_at = ?", (old,))
        await inbox.prune(db)
        assert await sent_calls.recorded(db, [1, 2]) == {2: {0: ("sendMessage", "true", 8)}}


class SlowTwiceWorld(TwiceWorld):
    """/twice, with every message half a second on the wire."""

    def __init__(self, db_path: str) -> None:
        super().__init__(db_path)
        telegram = self.telegram
        answer = telegram.do_request

        async def slow(
            url: str, method: str, request_data: Any = None, **kwargs: Any
        ) -> tuple[int, bytes]:
            if url.endswith("/sendMessage"):
                await asyncio.sleep(0.5)
            return await answer(url, method, request_data, **kwargs)

        telegram.do_request = slow  # type: ignore[method-assign]


async def test_a_stop_lets_a_call_on_the_wire_finish_and_ends_the_update_at_its_next_call(tmp_path):
    world = await SlowTwiceWorld(str(tmp_path / "k.sqlite3")).start()
    budi = world.person(BUDI)
    update = {"update_id": 990_001, "message": {**budi._message(text="/twice"), "entities": [
        {"type": "bot_command", "offset": 0, "length": 6}]}}  # fmt: skip
    await world.app.update_queue.put(Update.de_json(update, world.app.bot))
    await asyncio.sleep(0.2)  # "Satu" is on the wire
    interrupted = await world.app.update_processor.stop_quickly(grace=0.0, calls_grace=2.0)
    assert interrupted == [990_001]
    assert budi.texts() == ["Satu"]  # answered, recorded; "Dua" never started
    await world.stop()
    assert not await _is_applied(world.db_path, 990_001)

    await world.start()
    try:
        assert budi.texts() == ["Satu", "Dua"]
        assert _sends(world) == ["Satu", "Dua"]
    finally:
        await world.stop()


async def _is_applied(path: str, update_id: int) -> bool:
    async with Database(path) as db:
        return await inbox.is_applied(db, update_id)
