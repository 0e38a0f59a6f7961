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


@pytest.mark.parametrize("data", ["pl:²", "pl:٣", "lang:ｅｎ", "pl:" + "1" * 70, "settz:WIB", "ok:yes "])
def test_values_are_parsed_strictly(data):
    family = Buttons.registry[data.split(":")[0]]
    assert not family.regex.match(data)


async def test_roles_are_checked_at_every_step_not_only_at_the_entry(world):
    from bot.domain.people import Role
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
