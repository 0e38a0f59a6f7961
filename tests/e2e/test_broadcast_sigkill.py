"""A broadcast to 200 people through the real process, under the emulator's flood limits: the
bot is SIGKILLed mid-broadcast, started again, and finishes it. Nobody gets it twice; nobody
misses it but a person whose message was on its way at the kill and never reached Telegram
(the outbox counts such a message as sent, unconfirmed: at most once, see bot.runtime.broadcast).

The same with paid broadcasts on (``KOPERASI_PAID_BROADCAST=on``): 160 messages at a time go
out at up to 1,000/s, so many more are on their way at the kill. The figures are printed (``-s``).
"""

from __future__ import annotations

import time

import pytest

from storage import outbox
from storage.db import Database
from storage.migrate import migrate
from storage.outbox import OutgoingMessage
from storage.people import insert_person
from tests.e2e.botproc import wait_until

pytestmark = pytest.mark.asyncio

PEOPLE = 200
FIRST_USER = 5_000_001
KILL_AFTER = 60  # messages delivered before the SIGKILL
KEY = "digest:2026-11-29:Asia/Jakarta"


def _text(index: int) -> str:
    return f"Harga hari ini untuk Petani {index}: gabah GKP Rp6.500 per kg"


async def _prepare(db_path) -> int:
    async with Database(str(db_path)) as db:
        await migrate(db)

        async def add(conn):
            ids = []
            for i in range(PEOPLE):
                ids.append(
                    await insert_person(
                        conn, telegram_user_id=FIRST_USER + i, chat_id=FIRST_USER + i,
                        full_name=f"Petani {i}", phone=f"+62813{i:08d}", language="id",
                        timezone="Asia/Jakarta", org_id=1,
                    )
                )  # fmt: skip
            return ids

        ids = await db.write(add)
        messages = [OutgoingMessage(pid, FIRST_USER + i, _text(i)) for i, pid in enumerate(ids)]
        enqueued = await db.write(outbox.enqueue, key=KEY, kind="price_digest", messages=messages)
        return enqueued.broadcast_id


@pytest.mark.parametrize("paid", [False, True], ids=["free", "paid"])
async def test_a_broadcast_killed_midway_reaches_everyone_at_most_once(emu, bots, paid):
    env = {"KOPERASI_PAID_BROADCAST": "on" if paid else "off"}
    for i in range(PEOPLE):  # people who started the bot some time ago
        await emu.add_user(FIRST_USER + i, first_name=f"Petani {i}", open_chat=True)
    broadcast_id = await _prepare(bots.db_path)
    await emu.set_flood_limits(True)
    await emu.set_latency(0.05)  # requests in flight at the kill

    began = time.monotonic()
    bot = await bots.start(env=env)
    in_flight = 0

    def delivered_enough() -> bool:
        nonlocal in_flight
        if emu.state.stats.sends < KILL_AFTER:
            return False
        in_flight = emu.state.stats.requests.get("sendMessage", 0) - emu.state.stats.sends
        return True

    await bot.kill_when(delivered_enough, within=60, what=f"{KILL_AFTER} messages delivered")
    at_kill = emu.state.stats.sends

    bot = await bots.start(env=env)
    async with Database(str(bots.db_path)) as db:

        async def finished() -> bool:
            found = await outbox.get(db, broadcast_id)
            return found.status == "done"

        await wait_until(finished, within=60, interval=0.1, what="the broadcast done")
        progress = await outbox.progress(db, broadcast_id)
        rows = {r["chat_id"]: r for r in await outbox.rows_of(db, broadcast_id)}
    await bot.stop()
    seconds = time.monotonic() - began
    await emu.set_latency(0.0)

    got = {}
    for i in range(PEOPLE):
        chat_id = FIRST_USER + i
        got[chat_id] = [m.text for m in await emu.messages(chat_id)]
    twice = {c: texts for c, texts in got.items() if len(texts) > 1}
    missed = [c for c, texts in got.items() if not texts]
    wrong = {c: t for c, t in got.items() if t and t != [_text(c - FIRST_USER)]}
    stats = await emu.stats()
    print(
        f"\n{'paid' if paid else 'free'}: {PEOPLE} people, killed after {at_kill} delivered ({in_flight} request(s) in flight);"
        f" done in {seconds:.1f} s; sent {progress.sent} (unconfirmed {progress.unconfirmed}),"
        f" missed {len(missed)}, twice {len(twice)}; 429s: {stats['refused_429']}"
    )
    assert twice == {}
    assert wrong == {}
    assert progress.sent == PEOPLE and progress.left == 0
    for chat_id in missed:  # only a message whose request was on its way at the kill
        row = rows[chat_id]
        assert row["state"] == "sent" and row["message_id"] is None, row
    assert len(missed) <= progress.unconfirmed
    assert all(row["state"] == "sent" for row in rows.values())
    assert stats["paid_broadcasts"] == (stats["sends"] if paid else 0)
