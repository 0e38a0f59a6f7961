"""Replays that cannot misroute (issue 14, section 3): a stored use-case result is returned
only to the same use case, and a recorded Bot API call answers only the same call to the
same chat."""

from __future__ import annotations

import json

import pytest

from bot.runtime.outgoing import JournaledRateLimiter, SentCallJournal
from bot.runtime.ratelimit import PriorityRateLimiter
from storage import db as db_module
from storage import effects, sent_calls
from storage.db import Database, current_update_id, current_writer
from storage.migrate import migrate


async def make_offer(conn) -> str:
    await conn.execute("SELECT 1")
    return "TW-1"


async def pay_farmer(conn) -> str:
    await conn.execute("SELECT 1")
    return "paid"


async def test_a_replay_meeting_another_use_case_fails_loudly(tmp_path):
    async with Database(str(tmp_path / "k.sqlite3")) as db:
        await migrate(db)
        update, writer = current_update_id.set(41), current_writer.set("test.write")
        try:
            assert await db.write(make_offer) == "TW-1"
            db_module._write_seq.set((-1, 0))  # processed again: its writes counted anew
            with pytest.raises(effects.ReplayMismatch, match="make_offer"):
                await db.write(pay_farmer)  # would have answered "TW-1" as the payment
            db_module._write_seq.set((-1, 0))
            assert await db.write(make_offer) == "TW-1"  # the same use case: its result
        finally:
            current_update_id.reset(update)
            current_writer.reset(writer)
        row = await db.fetchone("SELECT use_case FROM update_effects WHERE update_id = 41")
        assert row["use_case"].endswith("test_replay_routes.make_offer")


async def test_a_recorded_call_answers_only_the_same_call_to_the_same_chat(tmp_path):
    async with Database(str(tmp_path / "k.sqlite3")) as db:
        await migrate(db)
        await sent_calls.record(db, [(7, 0, "sendMessage", json.dumps({"message_id": 5}), 100)])
        journal = SentCallJournal(db)
        await journal.load([7])
        limiter = JournaledRateLimiter(PriorityRateLimiter(), journal)
        sent: list[int] = []

        async def callback(data):
            sent.append(data["chat_id"])
            return {"message_id": 9}

        with journal.update(7):  # processed again: its first call now goes to another chat
            data = {"chat_id": 200, "text": "x"}
            answer = await limiter.process_request(callback, (data,), {}, "sendMessage", data, None)
        assert sent == [200] and answer == {"message_id": 9}
        await journal.flush()
        assert await sent_calls.recorded(db, [7]) == {
            7: {0: ("sendMessage", json.dumps({"message_id": 5}), 100)}
        }

        journal = SentCallJournal(db)
        await journal.load([7])
        limiter = JournaledRateLimiter(PriorityRateLimiter(), journal)
        with journal.update(7):  # the same call to the same chat: answered from the record
            data = {"chat_id": 100, "text": "x"}
            answer = await limiter.process_request(callback, (data,), {}, "sendMessage", data, None)
        assert answer == {"message_id": 5} and sent == [200]
