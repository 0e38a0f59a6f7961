"""/cancel from every step, a restart in the middle, replayed updates, stale buttons, errors."""

from __future__ import annotations

import pytest

from storage import inbox, people
from tests.handlers.flows import PHONE, register_farmer
from tests.texts import said

CANCELLED = said("Cancelled. Nothing was changed. Send /help to see what you can do.")

# The farmer's steps; /cancel is tried after each prefix of them.
STEPS = [
    ("send", "/start"),
    ("press", "Bahasa Indonesia"),
    ("press", "🌾 Saya petani"),
    ("contact", PHONE),
    ("send", "Budi Santoso"),
    ("send", "jawa tenga"),  # leaves the province candidates open
    ("press", "Jawa Tengah"),
    ("send", "Klaten"),
    ("send", "Ceper"),
    ("send", "Kujon"),  # the summary with its confirm buttons
]


async def _do(who, action, value):
    if action == "send":
        return await who.send(value)
    if action == "press":
        return await who.press(value)
    return await who.share_contact(value)


@pytest.mark.parametrize("steps_done", range(1, len(STEPS) + 1))
async def test_cancel_from_every_step_leaves_nothing(world, steps_done):
    budi = world.person(201)
    for action, value in STEPS[:steps_done]:
        await _do(budi, action, value)
    assert await budi.send("/cancel") == [CANCELLED]

    assert await people.by_telegram_id(world.db, 201) is None
    assert (await world.db.fetchone("SELECT COUNT(*) AS n FROM areas"))["n"] == 0
    # the conversation is over: a name typed now is not taken as an answer
    assert await budi.send("Budi Santoso") == [
        said("Sorry, I did not understand that. Send /help to see what I can do.")
    ]
    # and the language picked before cancelling is still the one spoken
    if steps_done >= 2:
        assert (await budi.send("/help"))[0].startswith("Anda belum terdaftar")


async def test_restart_in_the_middle_continues_the_conversation(world):
    budi = world.person(202)
    for action, value in STEPS[:5]:  # up to the name
        await _do(budi, action, value)
    await world.restart()  # a second Application on the same SQLite file

    budi = world.person(202)
    assert (await budi.send("Jawa Tengah"))[
        -1
    ] == "✅ Jawa Tengah\nKetik nama kabupaten atau kota Anda. Contoh: Klaten."
    for answer in ("Klaten", "Ceper", "Kujon"):
        replies = await budi.send(answer)
    assert "Nama: Budi Santoso\nNomor HP: 0812-3456-7890" in replies[-1]
    replies = await budi.press("✅ Ya, simpan")
    assert replies[0].startswith("Terima kasih, Budi Santoso!")


async def test_replayed_update_is_applied_once(world):
    budi = world.person(203)
    for action, value in STEPS[:4]:
        await _do(budi, action, value)
    first = await budi.send("Budi Santoso")
    assert first == [said("Type the name of your province. For example: Jawa Tengah.")]
    replayed_id = world.last_update_id

    # Telegram delivers the same update again (webhook retry / polling after a crash)
    body = {
        "message": {
            "message_id": 9999,
            "date": 0,
            "chat": budi.chat,
            "from": budi.user,
            "text": "Budi Santoso",
        }
    }
    assert await world.deliver(body, budi, update_id=replayed_id) == []
    assert await inbox.is_applied(world.db, replayed_id)
    # the conversation did not move on: the province question is still open
    assert (await budi.send("Jawa Tengah"))[
        -1
    ] == "✅ Jawa Tengah\nKetik nama kabupaten atau kota Anda. Contoh: Klaten."


async def test_replayed_confirmation_registers_once(world):
    budi = world.person(204)
    await register_farmer(budi)
    confirm_id = world.last_update_id
    sent, _ = next(
        (m, None) for m in world.telegram.messages[204] if m.text.startswith("Periksa data")
    )
    await world.deliver(
        {"callback_query": {"id": "replay", "from": budi.user, "chat_instance": "x", "data": "ok:yes",
                            "message": {"message_id": sent.message_id, "date": 0, "chat": budi.chat, "text": sent.text}}},
        budi, update_id=confirm_id,
    )  # fmt: skip
    counts = await world.db.fetchone(
        "SELECT (SELECT COUNT(*) FROM people) AS people, (SELECT COUNT(*) FROM person_roles) AS roles,"
        " (SELECT COUNT(*) FROM audit_log WHERE action = 'register.farmer') AS registrations"
    )
    assert dict(counts) == {"people": 1, "roles": 1, "registrations": 1}


async def test_updates_from_before_a_crash_are_processed_after_restart(world):
    budi = world.person(205)
    await budi.send("/start")
    # stored in the inbox but the process died before handling it
    from telegram import Update

    raw = {"update_id": 777001, "callback_query": {"id": "q1", "from": budi.user, "chat_instance": "x", "data": "lang:en",
           "message": {"message_id": world.telegram.messages[205][0].message_id, "date": 0, "chat": budi.chat, "text": "x"}}}  # fmt: skip
    await inbox.store(world.db, 777001, Update.de_json(raw, world.app.bot).to_json())
    await world.restart()
    assert world.telegram.messages[205][-1].text.startswith("What do you want to register as?")
    assert await inbox.is_applied(world.db, 777001)


async def test_stale_button_is_refused_politely(world):
    budi = world.person(206)
    await register_farmer(budi)
    sent = world.telegram.messages[206][0]  # the language question, long answered
    await budi.press_data(sent, "lang:en")
    answer = world.telegram.calls_of("answerCallbackQuery")[-1]
    assert answer.params["text"] == said("This button is no longer active.")
    assert (await people.by_telegram_id(world.db, 206)).language == "id"


async def test_forged_callback_data_changes_nothing(world):
    budi = world.person(207)
    await budi.send("/start")
    sent = world.telegram.messages[207][0]
    # not a language offered, superscript and Arabic-Indic digits, an overflow, garbage
    for forged in (
        "lang:xx",
        "pl:²",
        "pl:٣",
        "pl:99999999999999999999999",
        "ok:maybe",
        "\x00",
        "kind:staff",
    ):
        assert await budi.press_data(sent, forged) == []
        assert world.telegram.calls_of("answerCallbackQuery")[-1].params["text"] == said(
            "This button is no longer active."
        )
    assert await budi.press("Bahasa Indonesia")  # the real button still works


async def test_an_internal_error_gets_a_translated_apology_not_a_traceback(world, monkeypatch):
    budi = world.person(208)
    await register_farmer(budi)

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("handlers.settings.regions.place", broken)
    replies = await budi.send("/settings")
    assert replies == [
        said("Sorry, something went wrong on our side. Please try again in a moment.")
    ]
    assert "disk on fire" not in " ".join(budi.texts())


async def test_blocked_person_is_marked_unreachable(world):
    budi = world.person(209)
    await register_farmer(budi)
    world.telegram.fail_next("sendMessage", status=403)
    await budi.send("/help")
    row = await world.db.fetchone("SELECT reachable FROM people WHERE telegram_user_id = 209")
    assert row["reachable"] == 0


GROUP = {"id": -100123, "type": "supergroup", "title": "Petani Klaten"}


OTHER_GROUP = {"id": -100456, "type": "supergroup", "title": "Koordinator Klaten"}


async def _in_group(world, who, text, group=GROUP):
    entities = (
        [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        if text.startswith("/")
        else None
    )
    message = {
        "message_id": 1,
        "date": 0,
        "chat": group,
        "from": who.user,
        "text": text,
        "entities": entities,
    }
    await world.deliver({"message": {k: v for k, v in message.items() if v is not None}})


async def test_in_groups_the_bot_only_points_to_the_private_chat(world):
    from domain.commands import COMMANDS
    from domain.people import Role
    from tests.handlers.test_staff_and_roles import _person_with_roles

    admin = await _person_with_roles(world, 211, [Role.ADMIN, Role.FARMER])
    await _in_group(world, admin, "halo semua")
    assert world.telegram.messages.get(-100123) is None  # plain talk: silence
    # every command: the pointer, nothing else (in groups of 10 commands each, twice: Telegram
    # allows a bot 20 messages a minute in one group, and the bot keeps to that)
    groups = []
    for k, command in enumerate(COMMANDS):
        group = {**GROUP, "id": GROUP["id"] - 1000 * (k // 10)}
        groups.append(group["id"])
        await _in_group(world, admin, f"/{command.name}", group)
        await _in_group(world, admin, f"/{command.name} admin", group)
    texts = [m.text for chat in set(groups) for m in world.telegram.messages[chat]]
    assert len(texts) == 2 * len(COMMANDS)
    assert set(texts) == {
        "Saya hanya melayani lewat chat pribadi. Buka chat dengan saya: https://t.me/koperasi_test_bot"
    }
    assert (await world.db.fetchone("SELECT COUNT(*) AS n FROM invites"))["n"] == 0


async def test_cancel_in_a_group_leaves_the_private_registration_alone(world):
    budi = world.person(212)
    for action, value in STEPS[:3]:
        await _do(budi, action, value)
    await _in_group(world, budi, "/cancel")
    assert await budi.share_contact(PHONE) == [said("What is your full name?")]


async def test_an_old_query_telegram_refuses_to_answer_is_no_error(world):
    budi = world.person(213)
    await budi.send("/start")
    world.telegram.fail_next(
        "answerCallbackQuery",
        status=400,
        description="Bad Request: query is too old and response timeout expired or query ID is invalid",
    )
    replies = await budi.press("Bahasa Indonesia")
    assert replies[0].startswith("Anda mendaftar sebagai apa?")
    assert not any("gangguan" in text for text in budi.texts())


async def test_a_person_who_comes_back_after_blocking_is_reachable_again(world):
    budi = world.person(214)
    await register_farmer(budi)
    world.telegram.fail_next("sendMessage", status=403)
    await budi.send("/help")
    assert not (await people.by_telegram_id(world.db, 214)).reachable
    await budi.send("/start")
    assert (await people.by_telegram_id(world.db, 214)).reachable
    chat = budi.chat
    blocked = {"chat": chat, "from": budi.user, "date": 0,
               "old_chat_member": {"status": "member", "user": {"id": 7000000001, "is_bot": True, "first_name": "K"}},
               "new_chat_member": {"status": "kicked", "until_date": 0, "user": {"id": 7000000001, "is_bot": True, "first_name": "K"}}}  # fmt: skip
    await world.deliver({"my_chat_member": blocked})
    assert not (await people.by_telegram_id(world.db, 214)).reachable


async def test_a_command_for_another_bot_in_a_group_gets_no_answer(world):
    budi = world.person(215)
    await _in_group(world, budi, "/start@other_bot")
    await _in_group(world, budi, "/start@Koperasi_Test_Bot")  # ours, any case: the pointer
    assert [m.text for m in world.telegram.messages[-100123]] == [
        said(
            "I only help people in a private chat. Open a chat with me: https://t.me/{bot}"
        ).format(bot="koperasi_test_bot")
    ]


async def test_an_allowed_button_press_is_answered_once(world):
    budi = world.person(216)
    await register_farmer(budi)
    await budi.send("/language")
    answers = len(world.telegram.calls_of("answerCallbackQuery"))
    await budi.press("English")
    assert len(world.telegram.calls_of("answerCallbackQuery")) == answers + 1
