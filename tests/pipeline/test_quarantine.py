"""An update the bot cannot process is set aside (quarantined): it never stops the others,
the poller or the start-up, and it is logged once, without its payload.

Before the quarantine, a message with a poll PTB 22.8 cannot parse (options without
``persistent_id``) made ``Update.de_json`` raise for the whole getUpdates batch: nobody got
a reply, the poller asked again at once (logging the batch, phone numbers included, at
CRITICAL each time) and every restart failed on the stored update.
"""

from __future__ import annotations

import asyncio
import json
import logging

from telegram.ext import MessageHandler, filters

from bot.wiring import build_application
from storage import dead_letters, inbox
from tests.harness import UNLIMITED, SimulatedCrash, World
from tests.pipeline.polling import (
    PollingWorld,
    poll_without_persistent_ids,
    private_message,
    start_command,
)
from tests.texts import said

POISON_USER, AHMAD, BUDI = 9101, 9102, 9103
WELCOME = "Welcome to the cooperative bot. Choose your language:"


def _welcomed(world: World, user_id: int) -> int:
    return sum(m.text == said(WELCOME) for m in world.telegram.messages.get(user_id, []))


async def test_a_poll_ptb_cannot_parse_is_set_aside_and_the_batch_is_answered(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    world = await PollingWorld(str(tmp_path / "k.sqlite3")).start()
    try:
        first = world.telegram.push(start_command(AHMAD))
        poison = world.telegram.push(poll_without_persistent_ids(POISON_USER))
        last = world.telegram.push(start_command(BUDI))  # one batch of three
        await world.confirmed(last)

        assert _welcomed(world, AHMAD) == 1 and _welcomed(world, BUDI) == 1
        letters = await dead_letters.listed(world.db)
        assert [letter.update_id for letter in letters] == [poison]
        assert letters[0].error.startswith("TypeError: `persistent_id` is a required argument")
        assert (
            json.loads(letters[0].payload)["message"]["poll"]["id"] == "5001"
        )  # as Telegram sent it
        assert await inbox.is_applied(world.db, poison)  # a delivery again is dropped
        assert [uid for uid, _ in await inbox.pending(world.db)] == []
        assert first < poison < last
        # The poller went past it: the next getUpdates confirmed the whole batch.
        assert world.telegram.offsets[-1] == last + 1
    finally:
        await world.stop()

    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage() for r in warnings] == [
        f"update {poison} quarantined (TypeError, cannot be parsed): skipped;"
        " see `koperasi-bot inbox list-failed`"
    ]
    assert not any("5001" in r.getMessage() or "0812" in r.getMessage() for r in caplog.records)


async def test_a_poison_update_delivered_again_after_a_restart_is_dropped(tmp_path, caplog):
    path = str(tmp_path / "k.sqlite3")
    world = await PollingWorld(path).start()
    poison = world.telegram.push(poll_without_persistent_ids(POISON_USER))
    await world.confirmed(poison)
    await world.stop()

    caplog.clear()
    world = PollingWorld(path)
    world.telegram.inbound.append({"update_id": poison, **poll_without_persistent_ids(POISON_USER)})
    await world.start()
    try:
        after = world.telegram.push(start_command(AHMAD))
        await world.confirmed(after)
        assert _welcomed(world, AHMAD) == 1
        assert [letter.update_id for letter in await dead_letters.listed(world.db)] == [poison]
    finally:
        await world.stop()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]  # logged once, before


async def test_an_unparseable_update_stored_before_a_restart_does_not_stop_the_start(
    tmp_path, caplog
):
    # Stored by an older PTB that could parse it (or before the poll format changed); the
    # start-up requeue used to raise on it, and every start exited 1.
    path = str(tmp_path / "k.sqlite3")
    world = await World(path).start()
    raw = {"update_id": 777_001, **poll_without_persistent_ids(POISON_USER)}
    good = {"update_id": 777_002, **start_command(AHMAD)}
    for update in (raw, good):
        assert await inbox.store(world.db, update["update_id"], json.dumps(update))
    await world.kill()  # a new process on the same file: both are queued again

    caplog.set_level(logging.WARNING)
    try:
        assert _welcomed(world, AHMAD) == 1
        assert [letter.update_id for letter in await dead_letters.listed(world.db)] == [777_001]
        assert await inbox.pending(world.db) == []
        # and the next start has nothing left to trip on
        await world.restart()
        assert await dead_letters.count(world.db) == 1
    finally:
        await world.stop()
    assert [r.getMessage().split(":")[0] for r in caplog.records] == [
        "update 777001 quarantined (TypeError, cannot be parsed)"
    ]


class BombWorld(World):
    """A World whose handlers include one that takes the process down (as an out-of-memory
    kill or a segfault in a library would) whenever it meets the message "💣"."""

    met = 0

    async def start(self) -> BombWorld:
        self.app = build_application(
            self.settings,
            request=self.telegram,
            get_updates_request=self.telegram,
            send_limits=UNLIMITED,
        )

        async def explode(update, context) -> None:
            # The process dies: every other update being processed dies with it.
            self.met += 1
            for task in asyncio.all_tasks():
                if (
                    task is not asyncio.current_task()
                    and "process_concurrent_update" in task.get_name()
                ):
                    task.cancel()
            raise SimulatedCrash(update.update_id)

        self.app.add_handler(MessageHandler(filters.Text(["💣"]), explode), group=-10)
        await self.app.initialize()
        await self.app.start()
        await self.app.update_queue.join()  # updates queued again at start-up
        return self


async def _attempts(world: World, update_id: int) -> int:
    row = await world.db.fetchone("SELECT attempts FROM inbox WHERE update_id = ?", (update_id,))
    return row["attempts"]


async def test_an_update_no_process_finishes_is_set_aside_after_three_attempts(tmp_path, caplog):
    world = await BombWorld(str(tmp_path / "k.sqlite3")).start()
    ahmad = world.person(AHMAD)
    try:
        await world.deliver(private_message(POISON_USER, text="💣"))  # the process dies on it
        bomb_id = world.last_update_id
        assert world.met == 1
        assert said(WELCOME) in await ahmad.send("/start")  # other chats go on meanwhile
        caplog.set_level(logging.WARNING)

        # Each new process queues it again, counts the attempt on disk before it runs it
        # (so that dying on it counts), and dies on it.
        for attempt in (1, 2, 3):
            await world.kill()
            assert world.met == 1 + attempt
            assert await _attempts(world, bomb_id) == attempt
            assert [uid for uid, _ in await inbox.pending(world.db)] == [bomb_id]

        await world.kill()  # the fourth: set aside at start-up, which goes on
        assert world.met == 4
        letters = await dead_letters.listed(world.db)
        assert [(letter.update_id, letter.attempts) for letter in letters] == [(bomb_id, 3)]
        assert letters[0].error.startswith("Unfinished: started by 3 processes")
        assert await inbox.pending(world.db) == []
        assert said(WELCOME) in await ahmad.send("/start")
    finally:
        await world.stop()
    assert [r.getMessage() for r in caplog.records] == [
        f"update {bomb_id} quarantined (Unfinished, not finished in 3 attempts): skipped;"
        " see `koperasi-bot inbox list-failed`"
    ]


async def test_updates_started_with_a_crashing_one_are_not_blamed_for_it(tmp_path):
    """After a crash, updates that were started and never finished (suspects) run one at a
    time, so only the one that takes the process down keeps counting attempts; the others,
    started beside it before, are answered."""
    world = await BombWorld(str(tmp_path / "k.sqlite3")).start()
    try:
        bystanders = [world.person(9200 + i) for i in range(5)]
        command = [{"type": "bot_command", "offset": 0, "length": 6}]
        ids = [880_000, 880_001, 880_003, 880_004, 880_005]
        updates = [{"update_id": uid, **private_message(p.user_id, text="/start", entities=command)}
                   for uid, p in zip(ids, bystanders, strict=True)]  # fmt: skip
        bomb = {"update_id": 880_002, **private_message(POISON_USER, text="💣")}
        for update in [*updates, bomb]:
            await inbox.store(world.db, update["update_id"], json.dumps(update))
        # As if a process had started all six and died: each counted one attempt.
        await inbox.count_attempts(world.db, [u["update_id"] for u in [*updates, bomb]])
        for _ in range(4):
            await world.kill()
        assert [(d.update_id, d.attempts) for d in await dead_letters.listed(world.db)] == [
            (880_002, 3)
        ]
        for who in bystanders:  # each answered, once
            assert [t for t in who.texts() if t == said(WELCOME)] == [said(WELCOME)], who.user_id
        assert await inbox.pending(world.db) == []
    finally:
        await world.stop()
