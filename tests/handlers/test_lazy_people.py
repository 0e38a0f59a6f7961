"""People's data and conversation states are read when they write, not all at start
(issue 16, flat memory): a restart keeps them, nothing of anyone is in memory after it, and
evicting idle people changes nothing they see."""

from __future__ import annotations

from handlers import kit
from storage import people
from tests.handlers.flows import FARMER_EN, PHONE, YES_EN
from tests.texts import said

PROVINCE = "Type the name of your province. For example: Jawa Tengah."


def _in_memory(world) -> tuple[dict, dict]:
    """(user_data PTB holds, conversation states PTB holds by conversation)."""
    states = {c.name: dict(c._conversations) for c in kit._kit_conversations(world.app)}
    return dict(world.app.user_data), {name: s for name, s in states.items() if s}


async def _at_the_name_question(who) -> None:
    await who.send("/start")
    await who.press("English")  # kept in user_data until the person is saved
    await who.press(FARMER_EN)
    assert await who.share_contact(PHONE) == ["What is your full name?"]


async def _rest_of_registration(who, name: str = "Budi Santoso") -> list[str]:
    replies = await who.send(name)
    for answer in ("Jawa Tengah", "Klaten", "Ceper", "Kujon"):
        replies += await who.send(answer)
    replies += await who.press(YES_EN)
    return replies


async def test_a_registration_left_half_way_goes_on_after_a_restart(world):
    budi = world.person(101, "Budi", language_code="id")
    await _at_the_name_question(budi)
    await world.restart()
    assert _in_memory(world) == ({}, {})  # nothing read at start
    budi = world.person(101, "Budi", language_code="id")

    replies = await _rest_of_registration(budi)

    assert replies[0] == PROVINCE  # the state and the language picked (user_data) came back
    assert replies[-1].startswith("Thank you, Budi Santoso! You are registered as a farmer.")
    person = await people.by_telegram_id(world.db, 101)
    assert (person.language, person.village_code) == ("en", "33.10.11.2004")


async def test_the_bot_starts_with_many_people_stored_without_reading_them(world):
    """500 people left at the name question (their rows copied from a real one): after a
    restart PTB holds none of them; one who writes is read, alone, and goes on."""
    budi = world.person(101, "Budi")
    await _at_the_name_question(budi)
    async with world.db.transaction(bookkeeping=True) as conn:
        for user_id in range(1000, 1500):
            await conn.execute(
                "INSERT INTO ptb_data (kind, id, data)"
                " SELECT kind, ?, data FROM ptb_data WHERE kind = 'user' AND id = 101",
                (user_id,),
            )
            await conn.execute(
                "INSERT INTO ptb_conversations (name, key, state)"
                " SELECT name, ?, state FROM ptb_conversations WHERE key = '[101, 101]'",
                (f"[{user_id}, {user_id}]",),
            )
    await world.restart()

    assert _in_memory(world) == ({}, {})
    assert world.app.people_state.loads == 0
    sari = world.person(1234, "Sari", language_code="id")
    assert await sari.send("Sari Dewi") == [PROVINCE]
    held, states = _in_memory(world)
    assert list(held) == [1234]
    assert {key for s in states.values() for key in s} == {(1234, 1234)}
    assert world.app.people_state.loads == 1


async def test_people_evicted_after_each_update_see_the_same_bot(world):
    """Room for one person: two people registering turn by turn are read again at every
    answer, and both end registered as if they had been kept."""
    world.app.people_state.keep = 1
    budi, sari = world.person(101, "Budi"), world.person(102, "Sari")
    await _at_the_name_question(budi)
    await sari.send("/start")
    assert len(world.app.user_data) <= 2  # the one just served waits for its commit at most
    await sari.press("Bahasa Indonesia")
    await sari.press(FARMER_EN.replace("I am a farmer", "Saya petani"))
    await sari.share_contact("6281234567891")
    budi_replies = await budi.send("Budi Santoso")
    sari_replies = await sari.send("Sari Dewi")
    assert budi_replies == [PROVINCE]
    assert sari_replies == [said("Type the name of your province. For example: Jawa Tengah.")]
    for answer in ("Jawa Tengah", "Klaten", "Ceper", "Kujon"):
        await budi.send(answer)
        await sari.send(answer)
        assert world.app.people_state.cached_people <= 2
    assert (await budi.press(YES_EN))[-1].startswith("Thank you, Budi Santoso!")
    assert (await sari.press("✅ Ya, simpan"))[-1].startswith("Terima kasih, Sari Dewi!")
    assert (await people.by_telegram_id(world.db, 101)).language == "en"
    assert (await people.by_telegram_id(world.db, 102)).language == "id"


async def test_revalidating_sees_a_change_made_by_another_process_at_the_next_update(world):
    """Another process on the same database ended the person's registration (their rows are
    gone): this process, which still holds them, reads that at the person's next update."""
    world.app.people_state.revalidate = True
    budi = world.person(101, "Budi")
    await _at_the_name_question(budi)
    assert _in_memory(world)[1] != {}
    async with world.db.transaction(bookkeeping=True) as conn:
        await conn.execute("DELETE FROM ptb_conversations WHERE key = '[101, 101]'")
        await conn.execute("DELETE FROM ptb_data WHERE id = 101")

    replies = await budi.send("Budi Santoso")

    assert replies == [said("Sorry, I did not understand that. Send /help to see what I can do.")]
    assert _in_memory(world)[1] == {}


async def test_a_cached_person_is_taken_as_is(world):
    """Without revalidation (the default) a cached person's next update makes no read."""
    budi = world.person(101, "Budi", language_code="id")
    await _at_the_name_question(budi)
    loads = world.app.people_state.loads

    replies = await _rest_of_registration(budi)

    assert world.app.people_state.loads == loads
    assert replies[0] == PROVINCE
    assert replies[-1].startswith("Thank you, Budi Santoso! You are registered as a farmer.")
