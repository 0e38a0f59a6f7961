"""The real bot process, long polling: a farmer registers from /start to the saved record."""

from __future__ import annotations

import pytest

from tests.e2e.flow import (
    STEPS,
    WELCOME_BACK,
    Farmer,
    Step,
    check_registered,
    check_reply_details,
    db_snapshot,
)

pytestmark = pytest.mark.asyncio


async def test_farmer_registers_over_long_polling(emu, bots):
    bot = await bots.start()
    farmer = Farmer(emu)
    update_ids = []
    for index, step in enumerate(STEPS):
        update_ids.append(await farmer.act(step))
        reply = await farmer.expect_reply(step.reply)
        check_reply_details(index, reply)

    # Registered: /start now greets him by name instead of asking again.
    update_ids.append(await farmer.act(Step("send", "/start", WELCOME_BACK)))
    await farmer.expect_reply(WELCOME_BACK)
    await bot.stop()

    # One reply per step, nothing else, nothing twice.
    assert len(await farmer.texts()) == len(STEPS) + 1
    check_registered(await db_snapshot(bots.db_path), update_ids)
    assert (await emu.stats())["pending_updates"] == 0
