"""SIGTERM half-way through registration: the next process picks up where the person was."""

from __future__ import annotations

import pytest

from tests.e2e.flow import (
    NAME,
    PROVINCE_STEP,
    STEPS,
    SUMMARY,
    Farmer,
    check_registered,
    check_summary,
    db_snapshot,
)

pytestmark = pytest.mark.asyncio


async def test_sigterm_midway_then_a_new_process_finishes_the_registration(emu, bots):
    first = await bots.start()
    farmer = Farmer(emu)
    update_ids = []
    for step in STEPS[:PROVINCE_STEP]:  # up to and including the name
        update_ids.append(await farmer.act(step))
        await farmer.expect_reply(step.reply)

    await first.stop()  # SIGTERM: exit code 0, no traceback (asserted inside)

    # A clean stop leaves nothing half-done: every update applied and confirmed to
    # Telegram, the conversation parked at the province question with the name kept.
    snap = await db_snapshot(bots.db_path)
    assert snap.person is None
    assert snap.unapplied == []
    assert {uid for uid, _ in snap.inbox} >= set(update_ids)
    assert [state for name, _, state in snap.conversations if name == "registration"] == [
        '"place.province"'
    ]
    assert (await emu.stats())["pending_updates"] == 0

    second = await bots.start()
    for step in STEPS[PROVINCE_STEP:]:
        update_ids.append(await farmer.act(step))
        reply = await farmer.expect_reply(step.reply)
        if step.reply == SUMMARY:
            check_summary(reply)  # the name typed before the restart is there
            assert f"Nama: {NAME}" in reply.text
    await second.stop()

    # Each step answered once across both processes, nothing repeated by the restart.
    texts = await farmer.texts()
    assert len(texts) == len(STEPS), texts
    check_registered(await db_snapshot(bots.db_path), update_ids)
