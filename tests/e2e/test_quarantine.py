"""The real process, an update it cannot parse among normal ones: the others are answered,
the bad one is set aside and logged once, a stop is clean, a restart works, and the operator
sees it with ``koperasi-bot inbox list-failed`` and drops it.

Before: nobody got a reply (the whole getUpdates batch failed to parse), PTB's poller asked
again without pause and logged each batch, phone numbers included, at CRITICAL (about 8 MB/s),
and every restart exited 1 on the stored update.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.e2e.botproc import Webhook, free_port, run_cli, wait_until
from tests.e2e.flow import STEP_TIMEOUT, WELCOME, Farmer, Step, api_calls
from tests.pipeline.polling import poll_without_persistent_ids

pytestmark = pytest.mark.asyncio

POISON_CHAT = 515_000


def _push_poison(emu) -> int:
    """Telegram sends a message with a poll whose options lack persistent_id (PTB 22.8
    refuses it): pushed as raw JSON, the way Telegram would send it."""
    message = poll_without_persistent_ids(POISON_CHAT)["message"]
    update_id = emu.state.updates.push("message", message, POISON_CHAT)
    assert update_id is not None
    return update_id


def _warnings(log: str) -> list[str]:
    return [line for line in log.splitlines() if " WARNING " in line]


async def test_an_unparseable_update_among_normal_ones_over_long_polling(emu, bots):
    bot = await bots.start()
    ahmad, budi = Farmer(emu, 515_001, "Ahmad"), Farmer(emu, 515_002, "Budi")
    await ahmad.act(Step("send", "/start", WELCOME))
    poison = _push_poison(emu)
    polls_at_poison = api_calls(emu, "getUpdates")
    await budi.act(Step("send", "/start", WELCOME))
    await ahmad.expect_reply(WELCOME)
    await budi.expect_reply(WELCOME)
    await asyncio.sleep(1.0)
    polls = api_calls(emu, "getUpdates") - polls_at_poison
    assert polls <= 10, f"{polls} getUpdates in about a second: the poller is spinning"
    await bot.stop()  # exit 0 within the stop timeout, no traceback, no ERROR/CRITICAL

    log = bot.log()
    assert _warnings(log) == [
        next(line for line in log.splitlines() if f"update {poison} quarantined" in line)
    ], _warnings(log)
    line = _warnings(log)[0]
    assert line.endswith(
        f"update {poison} quarantined (TypeError, cannot be parsed): skipped;"
        " see `koperasi-bot inbox list-failed`"
    ), line
    assert "0812" not in log and "Harga gabah" not in log  # no payload in the log
    assert len(log) < 20_000, f"{len(log)} bytes of log"

    listed = await run_cli(bots.db_path, "inbox", "list-failed", cwd=bots.dir)
    print(f"\n$ koperasi-bot inbox list-failed\n{listed}")
    lines = listed.splitlines()
    assert lines[0].startswith(f"update {poison} (received ")
    assert lines[0].endswith(
        "UTC): TypeError: `persistent_id` is a required argument since Bot API 9.6"
    )
    assert (
        lines[1]
        == f'  message poll in chat {POISON_CHAT}: "Harga gabah minggu ini? Hubungi 0812-****-7890"'
    )
    assert lines[2].startswith("1 quarantined update;")

    # A restart works (before: exit 1 on the stored update), and serves people.
    bot = await bots.start()
    await ahmad.act(Step("send", "/start", WELCOME))
    await ahmad.expect_reply(WELCOME)
    await bot.stop()
    assert _warnings(bot.log()) == []  # logged once, when it came

    dropped = await run_cli(bots.db_path, "inbox", "drop", str(poison), cwd=bots.dir)
    print(f"$ koperasi-bot inbox drop {poison}\n{dropped}")
    assert dropped == f"update {poison} dropped\n"
    assert (
        await run_cli(bots.db_path, "inbox", "list-failed", cwd=bots.dir)
        == "no quarantined updates\n"
    )


async def test_an_unparseable_update_over_the_webhook_does_not_block_the_ones_after_it(emu, bots):
    hook = Webhook(port=free_port(), secret="e2e_Quarantine-Secret_0123456789")
    bot = await bots.start(webhook=hook)
    poison = _push_poison(emu)
    ahmad = Farmer(emu, 515_003, "Ahmad")
    await ahmad.act(Step("send", "/start", WELCOME))  # delivered after the bad one, in order
    await ahmad.expect_reply(WELCOME)
    stats = await emu.stats()
    assert stats["webhook_failures"] == 0, stats  # Telegram got 200 for the bad one too
    await bot.stop()
    assert any(f"update {poison} quarantined (TypeError" in line for line in _warnings(bot.log()))

    retried = await run_cli(bots.db_path, "inbox", "retry", "--all", cwd=bots.dir)
    assert retried == "1 update(s) queued again: processed when the bot next starts\n"
    # This PTB still cannot parse it: the next start sets it aside again, and goes on.
    began = time.monotonic()
    bot = await bots.start(webhook=hook)
    await wait_until(
        lambda: " quarantined " in bot.log(), within=STEP_TIMEOUT, what="quarantined again"
    )
    await ahmad.act(Step("send", "/start", WELCOME))
    await ahmad.expect_reply(WELCOME)
    await bot.stop()
    assert time.monotonic() - began < STEP_TIMEOUT
    listed = await run_cli(bots.db_path, "inbox", "list-failed", cwd=bots.dir)
    assert listed.startswith(f"update {poison} (received ")
