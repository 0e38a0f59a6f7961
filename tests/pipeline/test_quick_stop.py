"""A stop takes seconds, whatever the backlog of replies waiting for Telegram's send budget,
and every person still gets their answer exactly once after the restart.

Before, a stop waited until every queued update was answered: with hundreds of people
waiting under the flood limit, longer than a supervisor waits before SIGKILL.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from telegram import Update

from bot.app import STOP_GRACE_SECONDS
from bot.runtime.ratelimit import SendLimits
from bot.wiring import build_application
from storage import inbox
from tests.harness import UNLIMITED, FakeTelegram, World
from tests.pipeline.polling import start_command
from tests.texts import said

PEOPLE = 300
LATENCY = 0.2  # per Bot API call: a call is on the wire when the stop comes
WELCOME = "Welcome to the cooperative bot. Choose your language:"


class SlowTelegram(FakeTelegram):
    async def do_request(
        self, url: str, method: str, request_data: Any = None, **kwargs: Any
    ) -> tuple[int, bytes]:
        if not url.endswith(("/getMe", "/getUpdates", "/setMyCommands")):
            await asyncio.sleep(LATENCY)
        return await super().do_request(url, method, request_data, **kwargs)


class BudgetWorld(World):
    """The bot with Telegram's real send budget (≈29/s), not the flow tests' unlimited one."""

    limits: SendLimits | None = None

    def __init__(self, db_path: str) -> None:
        # More updates at once than the budget serves in the grace: some are cut off mid-way.
        super().__init__(db_path, concurrency=256)
        self.telegram = SlowTelegram()

    async def start(self) -> BudgetWorld:
        self.app = build_application(
            self.settings,
            request=self.telegram,
            get_updates_request=self.telegram,
            send_limits=self.limits,
        )
        await self.app.initialize()
        await self.app.start()
        return self


async def test_a_stop_with_a_backlog_takes_seconds_and_nobody_is_answered_twice(tmp_path):
    world = await BudgetWorld(str(tmp_path / "k.sqlite3")).start()
    people = [world.person(700_000 + i) for i in range(PEOPLE)]
    raw = [{"update_id": 60_000 + i, **start_command(who.user_id)} for i, who in enumerate(people)]
    # Stored in one transaction as the poller stores a batch, so that all of them are queued
    # at once, however slow one write is on a loaded machine.
    await inbox.store_batch(world.db, [(u["update_id"], json.dumps(u)) for u in raw])
    world.app.update_queue.stored_batch([u["update_id"] for u in raw], set())
    for update in raw:
        await world.app.update_queue.put(Update.de_json(update, world.app.bot))
    await asyncio.sleep(1.0)  # the first ~30 answered, the rest wait for the send budget

    began = time.monotonic()
    await world.stop()
    took = time.monotonic() - began
    answered = sum(1 for who in people if who.texts())
    waiting = len(await _pending(world))
    print(f"\nstop with {PEOPLE - answered} of {PEOPLE} people waiting for a reply: {took:.2f} s"
          f" (grace {STOP_GRACE_SECONDS} s); {waiting} update(s) left for the next start")  # fmt: skip
    assert took < STOP_GRACE_SECONDS + 3, (
        f"the stop took {took:.1f} s"
    )  # did not wait for the backlog
    assert answered < PEOPLE and waiting > 0  # there was a backlog to leave behind
    assert _interrupted(world) > 0  # updates were cut off while being processed

    world.limits = UNLIMITED
    await world.start()  # the next process answers the rest
    await asyncio.wait_for(world.app.update_queue.join(), 30)
    try:
        for who in people:
            assert who.texts() == [said(WELCOME)], (who.user_id, who.texts())
        assert await inbox.pending(world.db) == []
    finally:
        await world.stop()


def _interrupted(world: World) -> int:
    return world.app.update_processor.interrupted


async def _pending(world: World) -> list[int]:
    from storage.db import Database

    async with Database(world.db_path) as db:
        return [uid for uid, _ in await inbox.pending(db)]
