"""The conversation kit's guarantees, checked over everything registered."""

from __future__ import annotations

import pytest

import handlers  # noqa: F401  (registers every button family)
from handlers.kit import MAX_CALLBACK_BYTES, Buttons
from tests.texts import said


def test_callback_prefixes_are_unique_and_every_value_fits_64_bytes():
    assert len(Buttons.registry) >= 7
    for prefix, family in Buttons.registry.items():
        assert family.prefix == prefix
        assert family.max_bytes <= MAX_CALLBACK_BYTES, prefix
    with pytest.raises(ValueError):
        Buttons("pl")  # taken


@pytest.mark.parametrize(
    "data", ["pl:²", "pl:٣", "lang:ｅｎ", "pl:" + "1" * 70, "settz:WIB", "ok:yes "]
)
def test_values_are_parsed_strictly(data):
    family = Buttons.registry[data.split(":")[0]]
    assert not family.regex.match(data)


async def test_roles_are_checked_at_every_step_not_only_at_the_entry(world):
    from domain.people import Role
    from storage import people
    from tests.handlers.flows import register_farmer

    budi = world.person(701)
    await register_farmer(budi)
    await budi.send("/settings")
    await budi.press("Desa")
    person = await people.by_telegram_id(world.db, 701)
    await world.db.write(people.revoke_role, person.id, Role.FARMER, None)  # halfway through
    assert await budi.send("Bali") == [said("Sorry, this command is not available to you.")]
    assert (await people.by_telegram_id(world.db, 701)).village_code == "33.10.11.2004"


async def test_a_long_choice_is_paged_and_only_offered_values_are_taken(tmp_path, monkeypatch):
    """The Choice step as Offtake's commodity list will use it: 20 options, 8 a page."""
    from dataclasses import dataclass

    from telegram.ext import CommandHandler

    from handlers.kit import Choice, Draft, conversation
    from handlers.menus import cancel

    picked: list[str] = []

    @dataclass
    class Pick(Draft):
        key = "test_pick"
        offered: list[str] | None = None

    async def then(update, context, value):
        picked.append(value)
        return -1

    async def none(update, context, value):
        picked.append("none")
        return -1

    family = Buttons("tpick", value=r"[a-z0-9]", max_length=4)
    step = Choice(
        "pick",
        family,
        lambda: "Pick one",
        lambda context: [(f"n{i}", str(i)) for i in range(20)],
        then,
        Pick,
        none=none,
    )

    async def enter(update, context):
        Pick().save(context)
        return await step.ask(update, context)

    from tests.harness import World

    register = handlers.register

    def with_pick(app):
        register(app)
        app.add_handler(
            conversation(
                "test_pick",
                "help",
                entry_points=[CommandHandler("pick", enter)],
                steps=[step],
                cancel=cancel,
            ),
            group=-1,
        )

    monkeypatch.setattr(handlers, "register", with_pick)
    world = await World(str(tmp_path / "k.sqlite3")).start()
    try:
        await _page_through(world, picked)
    finally:
        await world.stop()
        del Buttons.registry["tpick"]


async def _page_through(world, picked):
    siti = world.person(702)
    await siti.send("/pick")
    first_page = siti.buttons()
    assert first_page == [f"n{i}" for i in range(8)] + [said("More ▶"), said("None of these")]
    await siti.press(said("More ▶"))
    assert siti.buttons()[-10:] == [f"n{i}" for i in range(8, 16)] + [
        said("More ▶"),
        said("None of these"),
    ]
    sent, _data = siti.button("n9")
    await siti.press_data(sent, "tpick:99")  # never offered
    assert world.telegram.calls_of("answerCallbackQuery")[-1].params["text"] == said(
        "This button is no longer active."
    )
    assert picked == []
    await siti.press("n9")
    assert picked == ["9"]


def test_a_text_over_telegrams_limit_goes_in_parts_cut_at_line_breaks():
    from handlers.kit import TEXT_LIMIT, message_pieces

    assert message_pieces("Halo") == ["Halo"]
    lines = [f"{n}. Koperasi Desa Kujon, ketua Budi, 0812-3456-7890" for n in range(200)]
    pieces = message_pieces("\n".join(lines))
    assert len(pieces) > 1 and all(len(p) <= TEXT_LIMIT for p in pieces)
    assert "\n".join(pieces) == "\n".join(lines)  # nothing lost, no line cut
    emoji = "🌾" * 3000  # 6000 UTF-16 units on one line: cut where Telegram counts
    pieces = message_pieces("Awal\n" + emoji + "\nAkhir")
    assert all(len(p.encode("utf-16-le")) // 2 <= TEXT_LIMIT for p in pieces)
    assert "".join(pieces).replace("\n", "") == "Awal" + emoji + "Akhir"
