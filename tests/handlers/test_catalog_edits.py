"""Administrators edit the produce catalog: on the command line (a new commodity with its
units, grades and the words people type) and in the bot (/katalog: stop or start buying
one). The bot offers farmers what the database says, in their language."""

from __future__ import annotations

import asyncio

import pytest

from bot.cli import main
from domain.people import Role
from domain.produce import CATALOG
from storage import catalog
from tests.handlers.flows import register_farmer
from tests.handlers.test_offer import _prices
from tests.handlers.test_staff_and_roles import _person_with_roles
from tests.harness import World


def _cli(monkeypatch, db_path, *args):
    for key in ("TELEGRAM_BOT_TOKEN", "KOPERASI_DB_PATH", "KOPERASI_BOT_USERNAME"):
        monkeypatch.delenv(key, raising=False)
    return main(["--env-file", "/nonexistent.env", "--db", str(db_path), *args])


def test_a_commodity_added_on_the_command_line_is_offered_in_indonesian(
    monkeypatch, tmp_path, capsys
):
    db_path = tmp_path / "k.sqlite3"
    add = ("catalog", "add", "singkong", "--name-id", "Singkong", "--name-en", "Cassava",
           "--kind", "crop", "--base", "kg", "--units", "kuintal,ton", "--max", "50000", "--example", "500")  # fmt: skip
    assert _cli(monkeypatch, db_path, *add) == 0
    assert _cli(monkeypatch, db_path, *add) == 2  # the same code twice
    assert "refused: that code is taken" in capsys.readouterr().err
    bad = ("catalog", "add", "ubi", "--name-id", "Ubi", "--name-en", "Sweet potato", "--kind", "crop",
           "--base", "kg", "--units", "rak", "--max", "100", "--example", "5")  # fmt: skip
    assert _cli(monkeypatch, db_path, *bad) == 2
    assert "other units: kuintal, ton, ons (for kg)" in capsys.readouterr().err
    for grade, label in (("A", "Mutu A"), ("B", "Mutu B")):
        assert _cli(monkeypatch, db_path, "catalog", "grade", "singkong", grade, "--label", label,
                    "--criteria", "umbi segar") == 0  # fmt: skip
    assert _cli(monkeypatch, db_path, "catalog", "alias", "singkong", "Ketela Pohon") == 0
    assert _cli(monkeypatch, db_path, "price", "set", "singkong", "1800", "--grade", "A") == 0
    assert _cli(monkeypatch, db_path, "catalog", "list") == 0
    listed = capsys.readouterr().out
    assert "singkong\tSingkong / Cassava\tcrop\tunits: kg, kuintal, ton\tgrades: A, B" in listed

    asyncio.run(_farmer_offers_singkong(db_path))


async def _farmer_offers_singkong(db_path):
    world = await World(str(db_path)).start()
    try:
        budi = world.person(951)
        await register_farmer(budi)
        await budi.send("/jual")
        assert budi.buttons()[-1] == "Singkong"  # its Indonesian name, no translation needed
        replies = await budi.send("ketela pohon")  # the alias; grade A is the one priced
        assert replies[0].startswith("Berapa banyak singkong yang mau Anda jual?")
        assert (await budi.send("2 kuintal"))[0] == "Kapan siap dijemput?"
    finally:
        await world.stop()


async def test_an_administrator_stops_and_starts_buying_in_the_bot(world):
    await _prices(world)  # cabai merah and gabah are bought in Kujon
    admin = await _person_with_roles(world, 961, [Role.ADMIN])
    budi = world.person(962)
    await register_farmer(budi)

    shown = await admin.send("/katalog")
    assert shown[0].startswith("✅ dibeli, ⛔ tidak dibeli.")
    assert "✅ Gabah" in admin.buttons()
    assert await admin.press("✅ Cabai merah") == [
        "Cabai merah tidak dibeli lagi. Petani tidak melihatnya di /jual."
    ]
    assert "⛔ Cabai merah" in admin.buttons()
    assert await catalog.stopped(world.db, 1) == {"cabai_merah"}  # for this cooperative only
    assert CATALOG["cabai_merah"].active

    await budi.send("/jual")
    assert budi.buttons()[-1] == "Gabah"  # cabai merah is no longer offered
    assert "Cabai merah" not in budi.buttons()[-3:]
    await budi.send("/cancel")

    # an old list pressed again does not flip it back
    sent = world.telegram.messages[961][-1]
    await admin.press_data(sent, "kat:-cabai_merah")
    assert await catalog.stopped(world.db, 1) == {"cabai_merah"}
    await admin.press("⛔ Cabai merah")
    assert await catalog.stopped(world.db, 1) == frozenset()


@pytest.mark.parametrize("data", ["kat:-nothing", "kat:gabah", "kat:+GABAH"])
async def test_forged_catalog_buttons_change_nothing(world, data):
    admin = await _person_with_roles(world, 971, [Role.ADMIN])
    await admin.send("/katalog")
    await admin.press_data(world.telegram.messages[971][-1], data)
    assert all(c.active for c in await catalog.load(world.db, include_inactive=True))
    assert await catalog.stopped(world.db, 1) == frozenset()
    farmer = await _person_with_roles(world, 972, [Role.FARMER])
    await farmer.press_data(world.telegram.messages[971][-1], "kat:-gabah")
    assert (await catalog.load(world.db)).get("gabah") is not None


def test_deductions_are_set_on_the_command_line(monkeypatch, tmp_path, capsys):
    from domain.pickups import DeductionKind, Rate
    from storage import deductions
    from storage.db import Database

    db_path = tmp_path / "k.sqlite3"
    assert (
        _cli(monkeypatch, db_path, "price", "deduction", "transport", "150", "--org", "pusat") == 0
    )
    assert _cli(monkeypatch, db_path, "price", "deduction", "handling", "40", "--org", "pusat",
                "--commodity", "gabah") == 0  # fmt: skip
    assert _cli(monkeypatch, db_path, "price", "deduction", "handling", "-5", "--org", "pusat") == 2
    assert _cli(monkeypatch, db_path, "price", "deduction", "transport", "1", "--org", "nope") == 2
    capsys.readouterr()

    async def rates(commodity):
        async with Database(str(db_path)) as db:
            return await deductions.in_force(db, 1, commodity, 2**40)

    assert asyncio.run(rates("gabah")) == (
        Rate(DeductionKind.HANDLING, 40),
        Rate(DeductionKind.TRANSPORT, 150),
    )
    assert asyncio.run(rates("kopi")) == (Rate(DeductionKind.TRANSPORT, 150),)
