"""Rafaksi at the scale: where the cooperative has a quality table for the produce, the
weighing asks kadar air and hampa/kotoran, the cut comes off the locked price, and the
summary, the receipt, the pickup and the ledger all carry it; other produce is weighed as
before."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain import ledger as L
from storage import ledger, people, pickups, rafaksi
from storage.db import now_utc
from tests.handlers.flows import YES_ID, register_farmer
from tests.handlers.test_offer import _coordinator, _farmer_offers, _prices
from tests.handlers.test_offtake_field import _offer_gabah, _offer_of, to_the_scale
from tests.texts import said

HOME = "🏠 Di desa saya, Kujon"


async def adopt_government_table(world, org_id=1, valid_from=None):
    """The cooperative adopts the government's GKP table (the template migration 0020 seeds)."""
    template = await rafaksi.government(world.db, "gabah")
    return await world.db.write(
        rafaksi.set_table, org_id=org_id, commodity="gabah", table=template.table,
        valid_from=now_utc() - 60 if valid_from is None else valid_from, source=template.source,
    )  # fmt: skip


@pytest.fixture
async def market(world):
    await _prices(world)  # gabah GKP Rp6.500 in Jawa Tengah, cabai merah in Kab. Klaten
    await adopt_government_table(world)
    budi = world.person(701, "Budi")
    await register_farmer(budi)  # Desa Kujon, Kec. Ceper, Kab. Klaten
    sari = await _coordinator(world, 731, "33.10")
    return budi, sari


async def _scheduled(world, budi, sari, produce="Gabah", grade=None, amount="1 ton"):
    if produce == "Gabah":
        await _offer_gabah(budi, amount)
    else:
        await _farmer_offers(world, budi, produce, grade, amount)
    offer = await _offer_of(world, 701)
    await to_the_scale(sari, offer)
    return offer


async def test_a_gabah_weighing_asks_the_readings_and_cuts_the_price_by_the_table(world, market):
    budi, sari = market
    offer = await _scheduled(world, budi, sari)
    await sari.press("GKP (gabah kering panen)")
    asked = await sari.send("1.000 kg")
    assert asked == [said(
        "What moisture (kadar air) did the meter show? Type the percentage, for example 24 or 24,5. The full price holds up to {base} %.",
        base="25",
    )]  # fmt: skip
    assert "kadar air" in asked[0] and "25 %" in asked[0]
    asked = await sari.send("27")
    assert "hampa/kotoran" in asked[0] and "10 %" in asked[0]
    summary = (await sari.send("8 %"))[-1]
    assert "Kadar air 27 %, hampa/kotoran 8 %: potongan Rp425 per kg" in summary
    assert "Berat: 1.000 kg × Rp6.075 per kg" in summary
    assert "Total: Rp6.075.000" in summary
    await sari.press(YES_ID)

    receipt = budi.take_new()[-1].split("\n\n")[0]
    assert receipt.splitlines() == [
        f"Tanda terima {offer.number}",
        "Hasil panen: Gabah, GKP (gabah kering panen)",
        "Kadar air 27 %, hampa/kotoran 8 %: potongan Rp425 per kg",
        "Berat: 1.000 kg × Rp6.075 per kg",
        "Potongan: tidak ada",
        "Total: Rp6.075.000 (enam juta tujuh puluh lima ribu rupiah)",
        "Pembayaran: belum dibayar",
    ]
    taker = next(t for t in sari.texts() if t.startswith(f"Tanda terima {offer.number}"))
    assert "Kadar air 27 %, hampa/kotoran 8 %: potongan Rp425 per kg" in taker

    pickup = await pickups.get(world.db, offer.id)
    table = await rafaksi.in_force(world.db, 1, "gabah", now_utc())
    assert (pickup.moisture, pickup.foreign_matter, pickup.cut_rupiah) == ("27", "8", 425)
    assert (pickup.price_rupiah, pickup.amount_rupiah) == (6075, 6_075_000)
    assert pickup.rafaksi_table_id == table.id
    farmer = await people.by_telegram_id(world.db, 701)
    assert await ledger.balance(world.db, L.farmer_payable(farmer.id)) == 6_075_000
    lines = await world.db.fetchall(
        "SELECT a.kind, l.amount FROM ledger_entries e JOIN ledger_lines l ON l.entry_id = e.id"
        " JOIN ledger_accounts a ON a.id = l.account_id WHERE e.reference = ? ORDER BY l.amount",
        (f"offer:{offer.id}:owed",),
    )
    assert [r["amount"] for r in lines] == [-6_075_000, 6_075_000]


async def test_bad_readings_get_their_reason_and_the_question_again(world, market):
    budi, sari = market
    await _scheduled(world, budi, sari)
    await sari.press("GKP (gabah kering panen)")
    question = (await sari.send("1.000 kg"))[0]
    for typed, reason in (
        ("basah", "I could not read that. Type the percentage, for example 14 or 14,5."),
        ("120", "A percentage is from 0 to 100. Type the reading, for example 14 or 14,5."),
    ):
        assert await sari.send(typed) == [said(reason) + "\n" + question]
    out_of_table = "{measure} above {highest} is outside the cooperative's table: it does not buy at that quality. Check the reading and type it again, or send /cancel."
    out = await sari.send("40")  # wetter than any band of the table
    assert out == [said(out_of_table, measure=said("Moisture"), highest="30 %") + "\n" + question]
    assert out[0].startswith("Kadar air di atas 30 % di luar tabel koperasi.")
    hampa = (await sari.send("24,5 %"))[0]
    out = await sari.send("16")
    assert out == [
        said(out_of_table, measure=said("Empty grain/dirt"), highest="15 %") + "\n" + hampa
    ]
    summary = (await sari.send("11"))[-1]
    assert "Kadar air 24,5 %, hampa/kotoran 11 %: potongan Rp300 per kg" in summary
    assert "Berat: 1.000 kg × Rp6.200 per kg" in summary


async def test_chilli_has_no_table_and_is_weighed_as_before(world, market):
    budi, sari = market
    offer = await _scheduled(world, budi, sari, "Cabai merah", "Mutu A", "200 kg")
    await sari.press("Mutu B")
    summary = (await sari.send("180 kg"))[-1]
    assert summary.startswith(said("Please check the weighing of {number}:", number=offer.number))
    assert "Kadar air" not in summary and "Berat: 180 kg × Rp28.000 per kg" in summary
    await sari.press(YES_ID)
    pickup = await pickups.get(world.db, offer.id)
    assert (pickup.moisture, pickup.cut_rupiah, pickup.amount_rupiah) == (None, 0, 5_040_000)
    assert "Kadar air" not in budi.take_new()[-1]


async def test_a_cooperative_without_its_own_table_weighs_gabah_as_before(world):
    await _prices(world)
    budi = world.person(701, "Budi")
    await register_farmer(budi)
    sari = await _coordinator(world, 731, "33.10")
    offer = await _scheduled(world, budi, sari)
    await sari.press("GKP (gabah kering panen)")
    summary = (await sari.send("1.000 kg"))[-1]
    assert "Berat: 1.000 kg × Rp6.500 per kg" in summary and "Kadar air" not in summary
    await sari.press(YES_ID)
    assert (await pickups.get(world.db, offer.id)).amount_rupiah == 6_500_000


async def test_the_table_in_force_at_the_weighing_is_used_and_kept_on_the_pickup(world, market):
    budi, sari = market
    offer = await _scheduled(world, budi, sari)
    # a harsher table from tomorrow does not apply today; the cooperative's "off" from
    # the day after ends rafaksi then
    harsher = await rafaksi.government(world.db, "gabah")
    from domain.rafaksi import check_table

    strict = check_table(("25", "30"), ("10", "15"), ((0, 500), (600, 900)))
    await world.db.write(rafaksi.set_table, org_id=1, commodity="gabah", table=strict,
                         valid_from=now_utc() + 86400)  # fmt: skip
    await world.db.write(rafaksi.set_table, org_id=1, commodity="gabah", table=None,
                         valid_from=now_utc() + 2 * 86400)  # fmt: skip
    assert harsher is not None
    await sari.press("GKP (gabah kering panen)")
    await sari.send("1.000 kg")
    await sari.send("27")
    await sari.send("12")
    await sari.press(YES_ID)
    pickup = await pickups.get(world.db, offer.id)
    assert (pickup.cut_rupiah, pickup.price_rupiah) == (750, 5750)
    later = now_utc() + 86400 + 60
    assert (await rafaksi.in_force(world.db, 1, "gabah", later)).table == strict
    assert await rafaksi.in_force(world.db, 1, "gabah", later + 86400) is None
    assert await rafaksi.in_force(world.db, 2, "gabah", later) is None  # another cooperative


async def test_a_held_weighing_keeps_its_cut_when_confirmed(world, market):
    from domain.people import Role
    from tests.handlers.test_staff_and_roles import _person_with_roles

    budi, sari = market
    admin = await _person_with_roles(world, 740, [Role.ADMIN])
    offer = await _scheduled(world, budi, sari, amount="2 kuintal")
    await sari.press("GKP (gabah kering panen)")
    await sari.send("1 ton")  # five times the offer: a second person confirms
    await sari.send("26")
    await sari.send("9")
    await sari.press(YES_ID)
    assert (await pickups.get(world.db, offer.id)).held
    await admin.press("✅ Sesuai")
    pickup = await pickups.get(world.db, offer.id)
    assert (pickup.picked_up_at is not None, pickup.cut_rupiah, pickup.amount_rupiah) == (
        True, 425, 6_075_000,
    )  # fmt: skip
    assert Decimal(pickup.moisture) == 26


async def test_an_english_farmer_reads_the_readings_and_the_cut_on_the_receipt(world):
    await _prices(world)
    await adopt_government_table(world)
    budi = world.person(701, "Budi", "en")
    await register_farmer(budi, language="English")
    sari = await _coordinator(world, 731, "33.10")
    await budi.send("/jual")
    await budi.press("Unhusked rice")
    await budi.send("1 ton")
    await budi.press("Tomorrow")
    await budi.tap("🏠 In my village, Kujon")
    await budi.press("✅ Yes, save")
    offer = await _offer_of(world, 701)
    await to_the_scale(sari, offer)
    await sari.press("GKP (gabah kering panen)")
    for answer in ("1.000 kg", "26,5", "12"):
        await sari.send(answer)
    await sari.press(YES_ID)
    receipt = budi.take_new()[-1].split("\n\n")[0].splitlines()
    assert receipt[2] == "Moisture 26.5 %, empty grain/dirt 12 %: cut Rp750 per kg"
    assert receipt[3] == "Weight: 1,000 kg × Rp5,750 per kg"
