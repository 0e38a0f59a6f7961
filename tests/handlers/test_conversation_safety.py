"""/cancel from every step, a restart in the middle, replayed updates, stale buttons, errors."""

from __future__ import annotations

import pytest

from storage import inbox, people
from tests.handlers.flows import PHONE, register_farmer

CANCELLED = "Dibatalkan. Tidak ada yang diubah. Kirim /help untuk melihat apa yang bisa Anda lakukan."

# The farmer's steps; /cancel is tried after each prefix of them.
STEPS = [
    ("send", "/start"),
    ("press", "Bahasa Indonesia"),
    ("press", "Saya petani"),
    ("contact", PHONE),
    ("send", "Budi Santoso"),
    ("send", "jawa tenga"),  # leaves the province suggestions open
    ("press", "Jawa Tengah"),
    ("send", "Klaten"),
    ("send", "Ceper"),
    ("send", "Sukamaju"),  # the summary with its confirm buttons
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
    assert await budi.send("Budi Santoso") == ["Maaf, saya tidak mengerti. Kirim /help untuk melihat apa yang bisa saya bantu."]
    # and the language picked before cancelling is still the one spoken
    if steps_done >= 2:
        assert (await budi.send("/help"))[0].startswith("Anda belum terdaftar")


async def test_restart_in_the_middle_continues_the_conversation(world):
    budi = world.person(202)
    for action, value in STEPS[:5]:  # up to the name
        await _do(budi, action, value)
    await world.restart()  # a second Application on the same SQLite file

    budi = world.person(202)
    assert await budi.send("Jawa Tengah") == ["Ketik nama kabupaten atau kota Anda."]
    for answer in ("Klaten", "Ceper", "Sukamaju"):
        replies = await budi.send(answer)
    assert "Nama: Budi Santoso\nNomor HP: +6281234567890" in replies[0]
    replies = await budi.press("✅ Ya, simpan")
    assert replies[0].startswith("Terima kasih, Budi Santoso!")


async def test_replayed_update_is_applied_once(world):
    budi = world.person(203)
    for action, value in STEPS[:4]:
        await _do(budi, action, value)
    first = await budi.send("Budi Santoso")
    assert first == ["Anda tinggal di provinsi mana? Ketik namanya, misalnya: Jawa Tengah."]
    replayed_id = world.last_update_id

    # Telegram delivers the same update again (webhook retry / polling after a crash)
    body = {"message": {"message_id": 9999, "date": 0, "chat": budi.chat, "from": budi.user, "text": "Budi Santoso"}}
    assert await world.deliver(body, budi, update_id=replayed_id) == []
    assert await inbox.is_applied(world.db, replayed_id)
    # the conversation did not move on: the province question is still open
    assert await budi.send("Jawa Tengah") == ["Ketik nama kabupaten atau kota Anda."]


async def test_replayed_confirmation_registers_once(world):
    budi = world.person(204)
    await register_farmer(budi)
    confirm_id = world.last_update_id
    sent, _ = next((m, None) for m in world.telegram.messages[204] if m.text.startswith("Periksa data"))
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
    assert world.telegram.messages[205][-1].text == "Who are you?"
    assert await inbox.is_applied(world.db, 777001)


async def test_stale_button_is_refused_politely(world):
    budi = world.person(206)
    await register_farmer(budi)
    sent = world.telegram.messages[206][0]  # the language question, long answered
    await budi.press_data(sent, "lang:en")
    answer = world.telegram.calls_of("answerCallbackQuery")[-1]
    assert answer.params["text"] == "Tombol ini sudah tidak aktif."
    assert (await people.by_telegram_id(world.db, 206)).language == "id"


async def test_forged_callback_data_changes_nothing(world):
    budi = world.person(207)
    await budi.send("/start")
    sent = world.telegram.messages[207][0]
    replies = await budi.press_data(sent, "lang:xx")  # not a language we offer
    assert replies == ["Anda siapa?"]  # falls back to the default language
    replies = await budi.press_data(sent, "prov:99999")
    assert replies == []
    assert world.telegram.calls_of("answerCallbackQuery")[-1].params["text"] == "Tombol ini sudah tidak aktif."


async def test_an_internal_error_gets_a_translated_apology_not_a_traceback(world, monkeypatch):
    budi = world.person(208)
    await register_farmer(budi)

    async def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("handlers.settings.areas.by_id", broken)
    replies = await budi.send("/settings")
    assert replies == ["Maaf, ada gangguan di sistem kami. Silakan coba lagi sebentar lagi."]
    assert "disk on fire" not in " ".join(budi.texts())


async def test_blocked_person_is_marked_unreachable(world):
    budi = world.person(209)
    await register_farmer(budi)
    world.telegram.fail_next("sendMessage", status=403)
    await budi.send("/help")
    row = await world.db.fetchone("SELECT reachable FROM people WHERE telegram_user_id = 209")
    assert row["reachable"] == 0


async def test_the_bot_stays_quiet_in_groups(world):
    budi = world.person(210)
    group = {"id": -100123, "type": "supergroup", "title": "Petani Klaten"}
    for text in ("halo semua", "/start"):
        entities = [{"type": "bot_command", "offset": 0, "length": 6}] if text.startswith("/") else None
        message = {"message_id": 1, "date": 0, "chat": group, "from": budi.user, "text": text, "entities": entities}
        await world.deliver({"message": {k: v for k, v in message.items() if v is not None}})
    assert world.telegram.messages.get(-100123) is None
