"""Input advances (issue 18): an officer asks, a second officer approves (never the maker),
the farmer is told, two weighings repay it (the receipt says how much and what is left, the
ledger's receivable is back to zero), /utang and /tawaran show it."""

from __future__ import annotations

import pytest

from domain import ledger as L
from domain.people import Role
from storage import advances, dashboard, figures, ledger, offers, people, pickups
from storage.db import now_utc
from tests.handlers.flows import YES_ID, register_farmer
from tests.handlers.test_offer import _coordinator, _prices
from tests.handlers.test_offtake_field import _offer_gabah, to_the_scale
from tests.handlers.test_staff_and_roles import _person_with_roles
from tests.texts import said

BUDI_PHONE = "0812-3456-7890"


async def _desk(world):
    """Prices, Budi the farmer (0812-3456-7890), Tono a treasurer and Ani an administrator."""
    await _prices(world)  # gabah GKP Rp6.500 per kg in Jawa Tengah
    budi = world.person(701, "Budi")
    await register_farmer(budi)
    tono = await _person_with_roles(world, 991, [Role.TREASURER])
    ani = await _person_with_roles(world, 992, [Role.ADMIN])
    farmer = await people.by_telegram_id(world.db, 701)
    return budi, tono, ani, farmer


@pytest.fixture
async def desk(world):
    return await _desk(world)


async def _asked(tono, amount="5.000.000"):
    await tono.send("/saprodi")
    await tono.send(BUDI_PHONE)
    await tono.press("💵 Tunai")
    return await tono.send(amount)


async def _weigh(world, sari, budi, farmer, kilos):
    await _offer_gabah(budi, f"{kilos} kg")
    offer = max(await offers.of_farmer(world.db, farmer.id), key=lambda o: o.id)
    await to_the_scale(sari, offer)
    await sari.press("GKP (gabah kering panen)")
    await sari.send(f"{kilos} kg")
    await sari.press(YES_ID)
    receipt = [t for t in budi.take_new() if t.startswith(f"Tanda terima {offer.number}")][-1]
    return offer, receipt.split("\n\n")[0].splitlines()


async def test_an_advance_asked_approved_by_a_second_officer_and_repaid_over_two_harvests(
    world, desk
):
    budi, tono, ani, farmer = desk
    assert await tono.send("/saprodi") == [
        "Petani yang mana? Ketik nomor HP-nya, misalnya 0812-3456-7890."
    ]
    assert (await tono.send("0813-0000-0000"))[0].startswith(
        "Saya tidak menemukan petani dengan nomor 0813-0000-0000 di koperasi Anda."
    )
    assert await tono.send(BUDI_PHONE) == ["Apa yang diterima petani?"]
    assert await tono.press("🌱 Pupuk") == [
        "Ketik apa yang diberikan dan berapa banyak, misalnya Urea 2 sak."
    ]
    await tono.send("x")
    assert await tono.send("/cancel")
    # more than the cooperative's rule (Rp5.000.000 by default): the reason and the question
    too_much = (await _asked(tono, "6 juta"))[0]
    assert too_much == (
        "Itu melebihi batas koperasi. Budi Santoso boleh menerima paling banyak Rp5.000.000 lagi.\n"
        "Ketik nilainya dalam rupiah, misalnya 750000."
    )
    summary = (await tono.send("5.000.000"))[0]
    assert summary.startswith(
        "Beri Budi Santoso (0812-3456-7890) pinjaman Rp5.000.000 (uang tunai)?"
    )
    waiting = (await tono.press(YES_ID))[0]
    assert waiting.startswith("Pinjaman PIN-0001 menunggu persetujuan petugas kedua.")
    assert await ledger.balance(world.db, L.farmer_receivable(farmer.id)) == 0  # not yet

    alert = ani.take_new()[-1]
    assert (
        alert
        == "Pinjaman PIN-0001 dari Uji Coba: Rp5.000.000 (uang tunai) untuk Budi Santoso. Setujui?"
    )
    assert not [
        t for t in tono.take_new() if t.startswith("Pinjaman PIN-0001 dari")
    ]  # never the maker
    sent = world.telegram.messages[992][-1]
    await tono.press_data(sent, "pjd:ok1")  # the maker forges the checker's button
    assert world.telegram.calls_of("answerCallbackQuery")[-1].params["text"] == said(
        "This button is no longer active."
    )
    await budi.press_data(sent, "pjd:ok1")  # so does the farmer
    assert (await advances.get(world.db, 1)).status == "requested"

    assert (await ani.press("✅ Setujui"))[-1] == "Pinjaman PIN-0001 disetujui."
    assert tono.take_new()[-1] == "Pinjaman PIN-0001 disetujui oleh Uji Coba."
    assert budi.take_new()[-1] == (
        "Koperasi memberi Anda pinjaman Rp5.000.000 (uang tunai). Pinjaman dipotong dari "
        "pembayaran panen berikutnya. Pinjaman Anda sekarang Rp5.000.000. Kirim /utang untuk melihatnya."
    )
    assert await ledger.balance(world.db, L.farmer_receivable(farmer.id)) == 5_000_000
    assert await ledger.balance(world.db, L.cash(1)) == -5_000_000
    await ani.press_data(sent, "pjd:ok1")  # a double tap: posted once
    assert await ledger.balance(world.db, L.farmer_receivable(farmer.id)) == 5_000_000
    # the ceiling now counts what is owed
    assert (await _asked(tono, "100.000"))[0].startswith(
        "Itu melebihi batas koperasi. Budi Santoso boleh menerima paling banyak Rp0 lagi."
    )
    await tono.send("/cancel")

    # the first harvest (500 kg × Rp6.500 = Rp3.250.000) goes wholly to the advance
    sari = await _coordinator(world, 731, "33.10")
    first, receipt = await _weigh(world, sari, budi, farmer, 500)
    assert receipt[2:] == [  # six lines: "Potongan: tidak ada" gives way to the advance
        "Berat: 500 kg × Rp6.500 per kg",
        "Potongan pinjaman input: Rp3.250.000 (sisa Rp1.750.000)",
        "Total: Rp0 (nol rupiah)",
        "Pembayaran: belum dibayar",
    ]
    assert receipt[-2].startswith("Total: Rp0")
    assert await ledger.balance(world.db, L.farmer_receivable(farmer.id)) == 1_750_000
    assert await ledger.balance(world.db, L.farmer_payable(farmer.id)) == 0
    await sari.press("💵 Dibayar tunai")  # nothing to hand over, the pickup is closed
    assert (await offers.get(world.db, first.id)).status == "paid"
    assert budi.take_new()[-1] == (
        f"Tawaran {first.number} sudah lunas. Seluruh Rp3.250.000 dipakai membayar pinjaman "
        "input Anda. Sisa pinjaman Anda Rp1.750.000."
    )
    assert "Sisa pinjaman input Anda Rp1.750.000." in (await budi.send("/tawaran"))[-1]

    # the second (400 kg = Rp2.600.000) repays the rest and pays the farmer Rp850.000
    _second, receipt = await _weigh(world, sari, budi, farmer, 400)
    assert "Potongan pinjaman input: Rp1.750.000 (sisa Rp0)" in receipt
    assert receipt[-2].startswith("Total: Rp850.000")
    assert await ledger.balance(world.db, L.farmer_receivable(farmer.id)) == 0
    assert await ledger.balance(world.db, L.farmer_payable(farmer.id)) == 850_000
    owed = await figures.owed_to_farmers(world.db, (1,))  # /rekap's "owed to farmers"
    assert (owed.count, owed.amount) == (1, 850_000)
    assert (await advances.get(world.db, 1)).status == "repaid"
    assert await ledger.verify(world.db) is None

    budi.take_new()
    utang = (await budi.send("/utang"))[-1].splitlines()
    assert utang[0] == "Sisa pinjaman input Anda: Rp0."
    assert utang[1].startswith("PIN-0001, ") and utang[1].endswith(
        "Rp5.000.000 (uang tunai), sisa Rp0"
    )
    assert utang[2:] == [
        f"Dibayar dari {first.number}: Rp3.250.000",
        f"Dibayar dari {_second.number}: Rp1.750.000",
    ]
    assert await tono.send("/utang") == ["Tidak ada petani yang punya pinjaman input."]


async def test_goods_go_to_purchases_and_a_rejection_records_nothing(world, desk):
    budi, tono, ani, farmer = desk
    await tono.send("/saprodi")
    await tono.send(BUDI_PHONE)
    await tono.press("🌾 Bibit")
    await tono.send("benih padi Inpari 32 25 kg")
    summary = (await tono.send("750000"))[0]
    assert "pinjaman Rp750.000 (bibit: benih padi Inpari 32 25 kg)?" in summary
    await tono.press(YES_ID)
    assert (await ani.press("❌ Tolak"))[-1] == "Pinjaman PIN-0001 ditolak."
    assert tono.take_new()[-1] == "Pinjaman PIN-0001 ditolak oleh Uji Coba. Tidak ada yang dicatat."
    assert await ledger.balance(world.db, L.farmer_receivable(farmer.id)) == 0
    assert (await budi.send("/utang")) == ["Anda tidak punya pinjaman input."]

    await tono.send("/saprodi")
    await tono.send(BUDI_PHONE)
    await tono.press("🌱 Pupuk")
    await tono.send("Urea 2 sak")
    await tono.send("300000")
    await tono.press(YES_ID)
    await ani.press("✅ Setujui")
    assert await ledger.balance(world.db, L.purchases(1)) == -300_000
    assert await ledger.balance(world.db, L.farmer_receivable(farmer.id)) == 300_000
    tono.take_new()
    listing = await tono.send("/utang")
    assert listing == ["Pinjaman input yang belum lunas:\nBudi Santoso (0812-3456-7890): Rp300.000"]
    # the dashboard panel: per farmer of the viewer's cooperatives, nothing of another one
    later = now_utc() + 121 * 86_400
    rows = await dashboard.rows(
        world.db, "advances", dashboard.Scope((1,), "id", "Asia/Jakarta", later)
    )
    assert [(r["farmer"], r["owed"], r["overdue"]) for r in rows] == [
        ("Budi Santoso", 300_000, "⚠️")
    ]
    assert (
        await dashboard.rows(
            world.db, "advances", dashboard.Scope((2,), "id", "Asia/Jakarta", later)
        )
        == []
    )


async def test_an_officer_of_another_cooperative_cannot_decide(world, desk):
    _budi, tono, _ani, farmer = desk
    await _asked(tono)
    await tono.press(YES_ID)
    with pytest.raises(advances.DecisionRefused):
        await world.db.write(advances.decide, 1, 4242, 7, frozenset({Role.ADMIN}), True)


async def test_a_weighing_done_again_after_a_dispute_undoes_its_repayment(world, desk):
    budi, tono, ani, farmer = desk
    await _asked(tono, "2.000.000")
    await tono.press(YES_ID)
    await ani.press("✅ Setujui")
    sari = await _coordinator(world, 731, "33.10")
    offer, receipt = await _weigh(world, sari, budi, farmer, 200)  # Rp1.300.000
    assert "Potongan pinjaman input: Rp1.300.000 (sisa Rp700.000)" in receipt
    await budi.press("⚠️ Tidak sesuai")
    admin = await people.by_telegram_id(world.db, 992)
    await world.db.write(pickups.settle, offer.id, admin.id, admin.roles, False)  # weigh again
    assert await ledger.balance(world.db, L.farmer_receivable(farmer.id)) == 2_000_000
    assert (await advances.get(world.db, 1)).left == 2_000_000
    await sari.send("/jemput")
    await sari.press(f"⚖️ Timbang {offer.number}")
    await sari.press("GKP (gabah kering panen)")
    await sari.send("100 kg")
    await sari.press(YES_ID)
    again = [t for t in budi.take_new() if t.startswith(f"Tanda terima {offer.number}")][-1]
    assert "Potongan pinjaman input: Rp650.000 (sisa Rp1.350.000)" in again
    assert await ledger.balance(world.db, L.farmer_receivable(farmer.id)) == 1_350_000
    assert await ledger.verify(world.db) is None


async def test_the_farmer_reads_it_in_english(world):
    await _prices(world)
    budi = world.person(701, "Budi")
    await register_farmer(budi, language="English")
    tono = await _person_with_roles(world, 991, [Role.TREASURER])
    ani = await _person_with_roles(world, 992, [Role.ADMIN])
    await _asked(tono, "400.000")
    await tono.press(YES_ID)
    await ani.press("✅ Setujui")
    assert budi.take_new()[-1] == (
        "The cooperative gave you an advance of Rp400,000 (cash). It is taken from your next "
        "harvest payments. You now owe Rp400,000. Send /utang to see it."
    )
    lines = (await budi.send("/utang"))[-1].splitlines()
    assert lines[0] == "You owe Rp400,000 for input advances."
    assert lines[1].startswith("PIN-0001, ") and lines[1].endswith(
        "Rp400,000 (cash), still owed Rp400,000"
    )
