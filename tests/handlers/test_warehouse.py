"""The warehouse end to end, in Indonesian: a weighed pickup of gabah goes into the gudang
with its transport shrink (susut), the keeper dries it (rendemen), sorts part of it into
another grade and writes off a loss; the stock, its cost and the ledger agree, `audit
verify` holds, and buttons for another keeper's or another cooperative's warehouse are
refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain import ledger as L
from domain.people import Role
from storage import ledger, people, stock
from tests.handlers.flows import YES_ID, register_farmer
from tests.handlers.test_offer import _coordinator, _prices
from tests.handlers.test_staff_and_roles import _person_with_roles
from tests.texts import said

REFUSED = "This button is no longer active."


async def _weighed(world, kilos="1.000 kg"):
    """Budi's gabah GKP, taken, scheduled and weighed by Sari: her receipt has 📦."""
    await _prices(world)
    budi = world.person(901, "Budi")
    await register_farmer(budi)
    sari = await _coordinator(world, 911, "33.10.11")
    await _sell_and_weigh(budi, sari, "1 ton", kilos)
    return budi, sari


async def _sell_and_weigh(budi, sari, offered, kilos):
    await budi.send("/jual")
    await budi.press("Gabah")  # only GKP has a price: no grade to choose
    await budi.send(offered)
    await budi.press("Besok")
    await budi.tap("🏠 Di desa saya, Kujon")
    await budi.press(YES_ID)
    await sari.press("✋ Ambil penjemputan ini")
    await sari.press("📅 Jadwalkan penjemputan")
    await sari.press(sari.buttons()[-6])
    await sari.press("06.00–09.00")
    await sari.send("/jemput")
    await sari.press([b for b in sari.buttons() if b.startswith("⚖️ Timbang")][-1])
    await sari.press("GKP (gabah kering panen)")
    await sari.send(kilos)
    await sari.press(YES_ID)


async def _warehouse(world, keeper_user=921, name="Gudang Kujon", org_id=1):
    keeper = await _person_with_roles(world, keeper_user, [])
    person = await people.by_telegram_id(world.db, keeper_user)
    if org_id != 1:
        await world.db.write_one("UPDATE people SET org_id = ? WHERE id = ?", (org_id, person.id))
    place = await world.db.write(stock.add_warehouse, org_id, name, "33.10.11.2004", person.id)
    return keeper, place


async def _balance(world, account):
    row = await world.db.fetchone(
        "SELECT COALESCE(SUM(l.amount), 0) AS n FROM ledger_lines l"
        " JOIN ledger_accounts a ON a.id = l.account_id WHERE a.code = ?",
        (account,),
    )
    return int(row["n"])


async def test_pickup_to_warehouse_with_shrink_then_drying_sorting_and_loss(world):
    keeper, place = await _warehouse(world)
    budi, sari = await _weighed(world)
    number = next(b for b in sari.buttons() if b.startswith("📦")).split(": ")[1]
    assert sari.buttons()[-1] == f"📦 Sudah di gudang: {number}"

    # The taker brings it in: one warehouse, so the bot asks the weight there at once.
    asked = await sari.press(f"📦 Sudah di gudang: {number}")
    assert asked[-1] == (f"Berapa berat {number} di Gudang Kujon? Saat dijemput beratnya 1.000 kg.")
    heavier = await sari.send("1.200")
    assert heavier[0].startswith("Itu lebih berat dari timbangan saat dijemput.")
    summary = (await sari.send("985 kg"))[-1]
    assert "Saat dijemput: 1.000 kg gabah, GKP (gabah kering panen)" in summary
    assert "Di gudang: 985 kg" in summary and "Susut: 15 kg (1,5 %)" in summary
    saved = await sari.press(YES_ID)
    assert saved[-1] == (
        "Sudah disimpan. 985 kg gabah, GKP (gabah kering panen) ada di Gudang Kujon.\n"
        "Susut: 15 kg (1,5 %)"
    )
    # A second tap on the same receipt: once only.
    await sari.press(f"📦 Sudah di gudang: {number}")
    assert world.telegram.calls_of("answerCallbackQuery")[-1].params["text"] == said(REFUSED)
    assert len(await stock.available(world.db, 1, "gabah", "GKP")) == 1

    # The keeper sees the stock at cost and dries it: 985 kg GKP → 852 kg GKG.
    overview = (await keeper.send("/gudang"))[-1]
    assert "🏠 Gudang Kujon" in overview
    assert "985 kg gabah, GKP (gabah kering panen): biaya Rp6.500.000 (Rp6.599 per kg)" in overview
    action = await keeper.press("⚙️ Gabah GKP · Gudang Kujon")
    assert action[-1] == (
        "Di Gudang Kujon ada 985 kg gabah, GKP (gabah kering panen). Pilih yang terjadi pada stok ini."
    )
    assert keeper.buttons()[-4:] == [
        "☀️ Pengeringan (mutu lain)", "🏭 Diolah jadi beras", "🔀 Sortir ke mutu lain",
        "📉 Hilang (tikus, busuk, tumpah)",
    ]  # fmt: skip
    await keeper.press("☀️ Pengeringan (mutu lain)")
    await keeper.press("GKG (gabah kering giling)")
    await keeper.send("985")
    too_much = await keeper.send("990")
    assert too_much[0].startswith("Hasilnya tidak bisa lebih berat dari yang masuk.")
    await keeper.send("852")
    too_high = await keeper.send("seratus juta lima")
    assert too_high[0].startswith(
        "Biaya itu terlalu besar. Satu biaya paling banyak Rp100.000.000.\n"
    )
    unreadable = await keeper.send("banyak")
    assert unreadable[0].startswith("Ketik biayanya dalam rupiah")
    summary = (await keeper.send("0"))[-1]
    assert "Masuk: 985 kg gabah, GKP (gabah kering panen)" in summary
    assert "Hasil: 852 kg gabah, GKG (gabah kering giling)" in summary
    assert "Rendemen: 86,5 %" in summary
    saved = (await keeper.press(YES_ID))[-1]
    assert saved.startswith(
        "Sudah disimpan. 852 kg gabah, GKG (gabah kering giling) ada di gudang."
    )
    assert "Biaya sekarang: Rp7.629 per kg" in saved

    # Sorting 52 kg back into GKP, then a loss of 10 kg GKG with its reason.
    await keeper.send("/gudang")
    await keeper.press("⚙️ Gabah GKG · Gudang Kujon")
    await keeper.press("🔀 Sortir ke mutu lain")
    await keeper.press("GKP (gabah kering panen)")
    summary = (await keeper.send("52 kg"))[-1]
    assert "Dari: 52 kg gabah, GKG (gabah kering giling)" in summary
    await keeper.press(YES_ID)
    await keeper.send("/gudang")
    await keeper.press("⚙️ Gabah GKG · Gudang Kujon")
    await keeper.press("📉 Hilang (tikus, busuk, tumpah)")
    short = await keeper.send("2 ton")
    assert short[0].startswith("Di gudang tidak ada sebanyak itu. Ketik jumlah yang lebih kecil.\n")
    await keeper.send("10")
    no_reason = await keeper.send("?")
    assert no_reason[0] == (
        "Alasan ditulis 3 sampai 200 huruf.\nKenapa hilang? Ketik beberapa kata, misalnya: dimakan tikus."
    )
    summary = (await keeper.send("dimakan tikus"))[-1]
    assert "Alasan: dimakan tikus" in summary
    saved = (await keeper.press(YES_ID))[-1]
    assert saved == (
        "Sudah disimpan. 10 kg gabah, GKG (gabah kering giling) dihapus dari stok: Rp76.291."
    )

    held = {(h.grade, h.quantity, h.cost_rupiah) for h in await stock.on_hand(world.db, [1])}
    assert held == {("GKG", Decimal(790), 6_026_995), ("GKP", Decimal(52), 396_714)}
    assert await _balance(world, L.inventory(1)) == 6_026_995 + 396_714
    assert await _balance(world, L.losses(1)) == 76_291
    assert await ledger.verify(world.db) is None
    # Every kilo still traces to Budi's pickup (the kilos it put into the batch when it was
    # made: 852 kg dried, of which 790 kg are left).
    batches = [b.id for b in await stock.available(world.db, 1, "gabah", "GKG")]
    (source,) = await stock.trace(world.db, batches)
    assert source.offer_number == number and source.farmer_name == "Budi Santoso"
    assert source.village_code == "33.10.11.2004" and source.quantity == Decimal(852)


async def test_forged_buttons_for_another_keeper_or_cooperative_are_refused(world):
    keeper, place = await _warehouse(world)
    budi, sari = await _weighed(world)
    await sari.press(next(b for b in sari.buttons() if b.startswith("📦")))
    await sari.send("1000")
    await sari.press(YES_ID)
    await world.db.write_one(
        "INSERT INTO organisations (parent_id, kind, code, name, created_at)"
        " VALUES (1, 'coop_primary', 'kop-b', 'Koperasi B', 0)"
    )
    other_org = (await world.db.fetchone("SELECT id FROM organisations WHERE code = 'kop-b'"))["id"]
    stranger, _ = await _warehouse(world, 931, "Gudang Lain", other_org)
    second, _ = await _warehouse(world, 932, "Gudang Dua")  # same cooperative, another keeper
    sent = world.telegram.messages[931][-1] if world.telegram.messages.get(931) else None
    line = f"stok:{place.id}.gabah.GKP"
    for who in (stranger, second, sari):  # another coop, another keeper, a coordinator
        await who.send("/gudang")
        sent = world.telegram.messages[who.user_id][-1]
        answered = await who.press_data(sent, line)
        assert world.telegram.calls_of("answerCallbackQuery")[-1].params["text"] == said(REFUSED)
        assert not [t for t in answered if "Pilih yang terjadi" in t]
    # Nor can the other cooperative's keeper bring a pickup into their warehouse.
    assert await stock.on_the_way(world.db, 0, other_org, frozenset({Role.KEEPER})) == []
    assert (await stock.available(world.db, 1, "gabah", "GKP"))[0].quantity == Decimal(1000)
    assert (await world.db.fetchone("SELECT COUNT(*) AS n FROM stock_moves"))["n"] == 1


async def test_a_coordinator_without_a_warehouse_gets_no_box_button(world):
    budi, sari = await _weighed(world)
    assert not [b for b in sari.buttons() if b.startswith("📦")]
    assert (await sari.send("/gudang"))[-1] == said(
        "Your cooperative has no warehouse in the bot yet. Please ask the administrator to add one."
    )


@pytest.mark.parametrize("language", ["en"])
async def test_the_keeper_reads_english(world, language):
    keeper, place = await _warehouse(world)
    person = await people.by_telegram_id(world.db, 921)
    await world.db.write(people.set_language, person.id, "en")
    assert (await keeper.send("/gudang"))[-1] == "🏠 Gudang Kujon\nEmpty."


async def test_with_two_warehouses_the_taker_picks_one_and_the_keeper_brings_in_from_his_list(
    world,
):
    keeper, place = await _warehouse(world)
    other_keeper, second = await _warehouse(world, 922, "Gudang Pokak")
    budi, sari = await _weighed(world)
    box = next(b for b in sari.buttons() if b.startswith("📦"))
    asked = await sari.press(box)
    assert asked[-1] == "Masuk ke gudang mana?"
    assert sari.buttons()[-2:] == ["🏠 Gudang Kujon", "🏠 Gudang Pokak"]
    # Meanwhile the keeper of the Gudang Kujon sees it on its way and records it himself.
    overview = (await keeper.send("/gudang"))[-1]
    assert "Sudah dijemput, belum masuk gudang:" in overview and "Budi Santoso" in overview
    await keeper.press(box)  # his one warehouse: the weight at once
    await keeper.send("990")
    await keeper.press(YES_ID)
    # The taker, a moment later: once only, said plainly.
    late = await sari.press("🏠 Gudang Pokak")
    assert late[-1] == "Penjemputan ini sudah masuk gudang. Tidak ada yang disimpan."
    (batch,) = await stock.available(world.db, 1, "gabah", "GKP")
    assert (batch.warehouse_id, batch.quantity) == (place.id, Decimal(990))
    assert (await world.db.fetchone("SELECT COUNT(*) AS n FROM stock_arrivals"))["n"] == 1
    entries = await world.db.fetchone(
        "SELECT COUNT(*) AS n FROM ledger_entries WHERE reference LIKE 'stock:arrival:%'"
    )
    assert entries["n"] == 1
    # The second keeper sees his own (empty) warehouse only.
    assert (await other_keeper.send("/gudang"))[-1] == "🏠 Gudang Pokak\nKosong."
    assert second.id != place.id


async def test_two_people_at_the_confirmation_at_once_record_one_arrival(world):
    keeper, place = await _warehouse(world)
    budi, sari = await _weighed(world)
    box = next(b for b in sari.buttons() if b.startswith("📦"))
    await sari.press(box)
    await sari.send("995")  # her summary waits for ✅
    await keeper.send("/gudang")
    await keeper.press(box)
    await keeper.send("990")
    await keeper.press(YES_ID)
    late = await sari.press(YES_ID)
    assert late[-1] == "Penjemputan ini sudah masuk gudang. Tidak ada yang disimpan."
    (batch,) = await stock.available(world.db, 1, "gabah", "GKP")
    assert batch.quantity == Decimal(990)
    assert (await world.db.fetchone("SELECT COUNT(*) AS n FROM stock_moves"))["n"] == 1
    assert await ledger.verify(world.db) is None


async def test_all_pickups_of_a_produce_arrive_together_in_one_batch(world):
    keeper, place = await _warehouse(world)
    budi, sari = await _weighed(world)
    await _sell_and_weigh(budi, sari, "500 kg", "500 kg")
    overview = (await sari.send("/gudang"))[-1]
    assert overview.startswith("Sudah dijemput, belum masuk gudang:")
    await sari.press("📦 Semua 2 gabah, GKP (gabah kering panen) sudah di gudang")
    asked = sari.texts()[-1]
    assert asked.startswith("Berapa berat TW-") and "jumlahnya di Gudang Kujon?" in asked
    assert asked.endswith("Saat dijemput beratnya 1.500 kg.")
    summary = (await sari.send("1.470"))[-1]
    assert "Susut: 30 kg (2 %)" in summary
    await sari.press(YES_ID)
    (batch,) = await stock.available(world.db, 1, "gabah", "GKP")
    assert batch.quantity == Decimal(1470) and batch.cost_rupiah == 6500 * 1500
    traced = await stock.trace(world.db, [batch.id])
    assert [s.quantity for s in traced] == [Decimal(980), Decimal(490)]
    assert await stock.on_the_way(world.db, 0, 1, frozenset({Role.ADMIN})) == []


async def test_processing_gabah_into_beras_shows_the_rendemen(world):
    keeper, place = await _warehouse(world)
    budi, sari = await _weighed(world)
    await sari.press(next(b for b in sari.buttons() if b.startswith("📦")))
    await sari.send("1000")
    await sari.press(YES_ID)
    await keeper.send("/gudang")
    await keeper.press("⚙️ Gabah GKP · Gudang Kujon")
    await keeper.press("🏭 Diolah jadi beras")
    await keeper.press("beras medium")
    await keeper.send("500")
    await keeper.send("320 kg")
    summary = (await keeper.send("Rp160.000"))[-1]
    assert "Biaya dibayar tunai: Rp160.000" in summary
    assert summary.startswith("Silakan periksa pengolahan di Gudang Kujon:")
    assert "Hasil: 320 kg beras, beras medium" in summary and "Rendemen: 64 %" in summary
    await keeper.press(YES_ID)
    held = {
        (h.commodity, h.grade, h.quantity, h.cost_rupiah)
        for h in await stock.on_hand(world.db, [1])
    }
    # The milling fee joins the beras' cost, paid from cash in the ledger.
    assert held == {
        ("gabah", "GKP", Decimal(500), 3_250_000),
        ("beras", "medium", Decimal(320), 3_410_000),
    }
    fee = await world.db.fetchone(
        "SELECT id FROM ledger_entries WHERE reference LIKE 'stock:cost:%'"
    )
    assert fee is not None and await _balance(world, L.inventory(1)) == 6_660_000
    assert await _balance(world, L.cash(1)) == -160_000
    assert await ledger.verify(world.db) is None
