"""SIGKILL at chosen moments of a registration, then a new process on the same database.

The emulator gets a latency (every Bot API request waits ``LATENCY`` seconds before it
is carried out) so that a step is visibly in flight, and the bot is killed in the very
event-loop step in which the emulator's counters show the chosen moment (see
``BotProcess.kill_when``): each kill point is exact, not a matter of luck or load.

What must hold whatever the kill moment:
* no update lost: every step the person took has its effect in the end: its reply
  arrives, the conversation goes on from where it was, the registration completes;
* none applied twice: one person, one role row, one ``register.farmer`` and one
  ``role.grant`` audit row, every inbox row applied, no step's reply repeated, with one
  exception that no bot can avoid: a kill while a reply is already on its way to
  Telegram, before the update is marked applied. Telegram still delivers that reply and
  the next process, replaying the unapplied update, sends it again, so a reply arrives
  at least once and at most twice (Telegram has no idempotent send).

The other two kill where earlier versions lost a step: a button press fetched but not
answered (a second answer to its query is refused), and a registration committed before
its reply (the update was marked done with its effects and never processed again).
"""

from __future__ import annotations

import pytest

from storage.db import Database
from tests.e2e.botproc import run_cli, wait_until
from tests.e2e.flow import (
    ASK_PROVINCE,
    ASK_REGENCY,
    CONFIRM_STEP,
    MEMBER_BUTTON,
    NAME_STEP,
    SHARE_PHONE,
    STEP_TIMEOUT,
    STEPS,
    THANKS,
    WELCOME,
    WELCOME_BACK,
    WHO,
    Farmer,
    Step,
    api_calls,
    check_registered,
    check_summary,
    db_snapshot,
    sends_settled,
    update_applied,
)

pytestmark = pytest.mark.asyncio

LATENCY = 0.5


async def _settle(emu) -> None:
    await wait_until(lambda: sends_settled(emu), within=STEP_TIMEOUT, what="sends in flight")


async def test_sigkill_while_a_reply_is_in_flight_and_right_after_the_final_save(emu, bots):
    bot = await bots.start()
    farmer = Farmer(emu)
    update_ids = []
    for step in STEPS[:NAME_STEP]:
        update_ids.append(await farmer.act(step))
        await farmer.expect_reply(step.reply)

    # --- Kill 1: the name is received and being answered; the answer is on the wire.
    await emu.set_latency(LATENCY)
    sends = api_calls(emu, "sendMessage")
    name_update = await farmer.act(STEPS[NAME_STEP])
    update_ids.append(name_update)
    await bot.kill_when(
        lambda: api_calls(emu, "sendMessage") > sends, what="the name step's reply requested"
    )
    bot.assert_clean_log()
    await emu.set_latency(0.0)
    # Stored before it was processed, not marked applied before its effects were done.
    snap = await db_snapshot(bots.db_path)
    assert (name_update, None) in snap.inbox, snap.inbox
    assert snap.person is None
    await _settle(emu)  # Telegram still delivers what the dead process had sent
    copies_before_restart = await farmer.count_replies(ASK_PROVINCE)
    assert copies_before_restart <= 1

    bot = await bots.start()
    # The unapplied update is replayed (and dropped if Telegram delivers it again).
    await wait_until(
        lambda: update_applied(bots.db_path, name_update),
        within=STEP_TIMEOUT,
        interval=0.05,
        what="the name update applied after the restart",
    )
    await _settle(emu)
    copies = await farmer.count_replies(ASK_PROVINCE)
    assert 1 <= copies <= 2, await farmer.texts()
    assert copies == copies_before_restart + 1  # unapplied at the kill: replayed once
    farmer.seen = len(await farmer.bot_messages())

    # The conversation goes on from the province question, the name kept.
    for step in STEPS[NAME_STEP + 1 : CONFIRM_STEP]:
        update_ids.append(await farmer.act(step))
        reply = await farmer.expect_reply(step.reply)
    check_summary(reply)
    assert await farmer.count_replies(ASK_REGENCY) == 1

    # --- Kill 2: right after "✅ Ya, simpan": the registration is committed and the
    # thank-you is on the wire.
    await emu.set_latency(LATENCY)
    sends = api_calls(emu, "sendMessage")
    save_update = await farmer.act(STEPS[CONFIRM_STEP])
    update_ids.append(save_update)
    await bot.kill_when(
        lambda: api_calls(emu, "sendMessage") > sends, what="the thank-you requested"
    )
    bot.assert_clean_log()
    await emu.set_latency(0.0)
    await _settle(emu)

    bot = await bots.start()
    update_ids.append(await farmer.act(Step("send", "/start", WELCOME_BACK)))
    # Same chat, so handled after anything replayed or redelivered from before the kill.
    await farmer.wait_reply_count(WELCOME_BACK, 1)
    await bot.stop()

    # Killed after the thank-you was requested but before the update was wholly applied:
    # it is processed again; the registration is not written twice (its effects were
    # recorded with it), the thank-you may arrive twice (Telegram has no idempotent send).
    thanks = await farmer.count_replies(THANKS)
    assert 1 <= thanks <= 2, await farmer.texts()
    assert await farmer.count_replies(WELCOME_BACK) == 1
    texts = await farmer.texts()
    assert len(texts) == len(STEPS) + 1 + (copies - 1) + (thanks - 1), texts
    check_registered(await db_snapshot(bots.db_path), update_ids)


async def test_sigkill_after_a_button_press_was_fetched_the_replay_answers_it(emu, bots):
    bot = await bots.start()
    farmer = Farmer(emu)
    for step in STEPS[:2]:
        await farmer.do(step)

    # Kill once the bot is handling the farmer button (it has asked Telegram to answer the
    # button press) and before it sends the reply.
    await emu.set_latency(LATENCY)
    answers, sends = api_calls(emu, "answerCallbackQuery"), api_calls(emu, "sendMessage")
    press_update = await farmer.act(STEPS[2])
    await bot.kill_when(
        lambda: api_calls(emu, "answerCallbackQuery") > answers, what="the press being handled"
    )
    assert api_calls(emu, "sendMessage") == sends  # the reply had not been sent
    await emu.set_latency(0.0)
    assert (press_update, None) in (await db_snapshot(bots.db_path)).inbox

    bot = await bots.start()
    await wait_until(
        lambda: update_applied(bots.db_path, press_update),
        within=STEP_TIMEOUT,
        interval=0.05,
        what="the press applied after the restart",
    )
    await _settle(emu)
    texts = await farmer.texts()
    assert not any(t.startswith("Maaf") for t in texts), texts
    assert await farmer.count_replies(SHARE_PHONE) == 1, texts
    farmer.seen = len(texts)
    await farmer.do(STEPS[3])  # the conversation goes on: the phone is taken
    await bot.stop()


MEMBER_ID = 515_151
MEMBER_NAME = "Siti Aminah"
MEMBER_PHONE = "6281298765432"
MEMBER_WELCOME = (
    f"Selamat datang, {MEMBER_NAME}! Anda sudah terdaftar sebagai anggota Koperasi Merah Putih."
)
MEMBER_BACK = f"Selamat datang kembali, {MEMBER_NAME}!"
USE_THE_BUTTON = "Nomor yang diketik tidak bisa dipakai."


async def test_sigkill_between_the_registration_commit_and_its_reply(emu, bots):
    # A union member on the roster: the shortest registration that commits in a step.
    await run_cli(
        bots.db_path, "roster", "add", "--org", "pusat", "--number", "A-1",
        "--name", MEMBER_NAME, "--phone", "0812 9876 5432", cwd=bots.dir,
    )  # fmt: skip
    bot = await bots.start()
    member = Farmer(emu, MEMBER_ID, "Siti")
    await member.do(Step("send", "/start", WELCOME))
    await member.do(Step("press", "Bahasa Indonesia", WHO))
    await member.do(Step("press", MEMBER_BUTTON, SHARE_PHONE))
    # Typing the number instead: two more replies use up the chat's send budget (about
    # one message a second), so the bot's next reply waits ~1 s in its rate limiter:
    # a wide window after the registration commits and before its reply leaves.
    await member.act(Step("send", "0812 9876 5432", ""))
    await member.expect_reply(USE_THE_BUTTON)
    await member.expect_reply(SHARE_PHONE)

    sends = api_calls(emu, "sendMessage")
    await member.act(Step("contact", MEMBER_PHONE, ""))
    async with Database(str(bots.db_path)) as db:

        async def registered() -> bool:
            row = await db.fetchone("SELECT 1 FROM people WHERE telegram_user_id = ?", (MEMBER_ID,))
            return row is not None

        await bot.kill_when(registered, what="the member registration committed")
    if api_calls(emu, "sendMessage") != sends:
        pytest.skip("the reply left before the kill; this run cannot show a lost reply")

    bot = await bots.start()
    await member.act(Step("send", "/start", MEMBER_BACK))
    # Same chat: anything replayed from before the kill is handled before this /start.
    await member.wait_reply_count(MEMBER_BACK, 1)
    await bot.stop()

    texts = await member.texts()
    snap = await db_snapshot(bots.db_path, MEMBER_ID)
    assert snap.people == 1 and {r.value for r in snap.person.roles} == {"member"}
    assert sum(t.startswith(MEMBER_WELCOME) for t in texts) == 1, texts  # the lost reply
    assert snap.conversations == [], snap.conversations  # stale "contact" step
    assert snap.unapplied == []
