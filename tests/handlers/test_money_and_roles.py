"""Issue 14, section 2: money that cannot go wrong and roles that cannot be stretched.
Ceilings on every amount, nobody dealing with himself, disputes before payment, only
coordinators taking offers, administrators' actions scoped to their cooperatives, and the
treasurer's pay buttons."""

from __future__ import annotations

import re

import pytest

from domain.people import Role
from handlers.kit import Buttons
from tests.handlers.test_staff_and_roles import _person_with_roles
from tests.harness import Sent
from tests.texts import said

WENT_WRONG = said("Sorry, something went wrong on our side. Please try again in a moment.")


def _forged_values(family: Buttons) -> list[str]:
    """Values of ``family`` made of as many digits as its pattern lets through: a forged
    button with an id past SQLite's 64-bit integers."""
    found = []
    for digits in ("9" * 30,):
        for shape in (
            "{d}", "ok{d}", "no{d}", "{d}b{d}", "{d}m{d}", "{d}d20261203", "{d}m0", "+{d}",
        ):  # fmt: skip
            for cut in range(len(digits) + 20, 0, -1):
                value = shape.format(d=digits)[:cut]
                if family.regex.match(f"{family.prefix}:{value}"):
                    found.append(value)
                    break
    return sorted(set(found))


FAMILIES = sorted(
    (prefix, value)
    for prefix, family in Buttons.registry.items()
    for value in _forged_values(family)
    if re.search(r"\d{12}", value)
)


@pytest.mark.parametrize(("prefix", "value"), FAMILIES, ids=lambda v: str(v)[:14])
async def test_a_forged_button_with_a_huge_number_is_refused_not_a_crash(world, prefix, value):
    everyone = await _person_with_roles(world, 990, list(Role))
    await everyone.send("/help")
    sent = world.telegram.messages[990][-1]
    await everyone.press_data(Sent(sent.message_id, 990, sent.text), f"{prefix}:{value}")
    assert WENT_WRONG not in everyone.texts()


# --- limits on every amount --------------------------------------------------------------


@pytest.mark.parametrize("typed", ["9.000.000.000.000.000.000", "9" * 20, "081377770001"])
async def test_setharga_refuses_a_price_over_the_commodity_ceiling_and_asks_again(world, typed):
    from storage import prices

    admin = await _person_with_roles(world, 901, [Role.ADMIN])
    await admin.send("/setharga")
    await admin.press("💰 Harga beli koperasi")
    await admin.send("cabe")
    await admin.press("Cabai merah")
    await admin.press("Mutu A")
    answer = await admin.send(typed)
    assert WENT_WRONG not in answer
    assert len(answer) == 1 and "Rp1.000.000" in answer[0]  # what is allowed
    assert answer[0].endswith("Ketik harga baru per kg, misalnya Rp6.500.")  # asked again
    assert (await admin.send("31.500"))[0].startswith("Periksa harga baru:")
    rows = await world.db.fetchall("SELECT 1 FROM buying_prices WHERE price_rupiah > 1000000")
    assert rows == []
    with pytest.raises(Exception) as refused:
        await world.db.write(
            prices.set_price, commodity="cabai_merah", grade="A", area_prefix="",
            price_rupiah=1_000_001, valid_from=0,
        )  # fmt: skip
    assert getattr(refused.value, "reason", None) == "price.too_high"


@pytest.mark.parametrize("typed", ["9.000.000.000.000.000", "9" * 25, "100.000.001"])
async def test_a_deposit_over_the_desk_ceiling_is_refused_and_asked_again(world, typed):
    from domain.ledger import SavingsKind
    from storage import savings as stored
    from tests.handlers.test_savings_desk import _desk

    _sri, roster_id, tono, _ani = await _desk(world)
    await tono.send("/setor")
    await tono.send("sri wahyuni")
    await tono.press("Simpanan sukarela")
    answer = await tono.send(typed)
    assert WENT_WRONG not in answer
    assert len(answer) == 1 and "Rp100.000.000" in answer[0]
    assert "Berapa jumlahnya?" in answer[0]  # the question again
    assert (await tono.send("100.000.000"))[0].startswith("Setor Rp100.000.000")
    assert (await stored.balances(world.db, roster_id))[SavingsKind.SUKARELA] == 250_000
