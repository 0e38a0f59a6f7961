"""/jual and /tawaran: a farmer offers at the guaranteed price; covering coordinators are
alerted and the first to take wins."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.i18n import use_locale
from domain.people import Role
from domain.produce import CATALOG
from handlers.offer.draft import refusal as _refusal
from storage import offers, people, prices
from tests.handlers.flows import register_farmer
from tests.handlers.test_staff_and_roles import _person_with_roles
from tests.texts import said

START = datetime(2025, 1, 1, tzinfo=UTC)


async def _prices(world):
    for grade, price in (("A", 32000), ("B", 28000), ("C", 20000)):
        await world.db.write(
            prices.set_price,
            commodity="cabai_merah",
            grade=grade,
            area_prefix="33.10",
            price_rupiah=price,
            valid_from=START,
        )
    await world.db.write(
        prices.set_price,
        commodity="gabah",
        grade="GKP",
        area_prefix="33",
        price_rupiah=6500,
        valid_from=START,
    )


async def _coordinator(world, user_id, *prefixes):
    who = await _person_with_roles(world, user_id, [Role.COORDINATOR])
    person = await people.by_telegram_id(world.db, user_id)
    await world.db.write(offers.set_coverage, person.id, prefixes)
    return who


async def _farmer_offers(world, budi, typed="cabe", grade="Mutu A", amount="2 kuintal"):
    replies = await budi.send("/jual")
    replies += await budi.send(typed)
    if grade:
        replies += await budi.press(grade)
    replies += await budi.send(amount)
    replies += await budi.press("Besok")
    replies += await budi.tap("🏠 Di desa saya, Kujon")
    replies += await budi.press("✅ Ya, simpan")
    return replies


@pytest.fixture
async def market(world):
    await _prices(world)
    budi = world.person(801, "Budi")
    await register_farmer(budi)  # Desa Kujon, Kec. Ceper, Kab. Klaten (33.10.11.2004)
    return budi


async def test_a_farmer_offers_and_the_first_coordinator_to_take_wins(world, market):
    budi = market
    andi, sari, jatim = (
        await _coordinator(world, 811, "33.10"),
        await _coordinator(world, 812, "33.10.11"),
        await _coordinator(world, 813, "35"),
    )

    replies = await budi.send("/jual")
    assert replies[0].startswith("Apa yang ingin Anda jual?")
    assert budi.buttons()[-2:] == ["Cabai merah", "Gabah"]  # what the cooperative buys in Kujon
    replies = await budi.send("cabe")  # the only chilli with a price here
    assert replies[0].splitlines()[1:] == [
        "Mutu A (segar dan padat, merah merata, tidak ada yang rusak): Rp32.000",
        "Mutu B (segar, sebagian besar merah, sedikit rusak): Rp28.000",
        "Mutu C (warna atau ukuran campur, ada yang rusak): Rp20.000",
    ]
    await budi.press("Mutu A")
    await budi.send("2 kuintal")
    assert (await budi.press("Besok"))[
        0
    ] == "Di mana koordinator menjemputnya? Tekan tombol di bawah."
    assert [b["text"] for b in budi.reply_keyboard()] == [
        "🏠 Di desa saya, Kujon",
        "📍 Kirim lokasi",
    ]
    said_back, summary = await budi.tap("🏠 Di desa saya, Kujon")
    assert said_back == "🏠 Dijemput di desa Anda."
    assert "Jumlah: 2 kuintal (200 kg)" in summary
    assert "Harga beli koperasi: Rp32.000 per kg" in summary
    assert "Perkiraan total: Rp6.400.000" in summary
    assert "Dijemput di: Kujon, Kec. Ceper, Kabupaten Klaten" in summary
    done = (await budi.press("✅ Ya, simpan"))[0]
    offer = (await offers.of_farmer(world.db, (await people.by_telegram_id(world.db, 801)).id))[0]
    assert offer.number in done and offer.price_rupiah == 32000 and offer.quantity == "200"

    # both covering coordinators are alerted, the one in Jawa Timur is not
    assert [t for t in andi.take_new() if offer.number in t] and [
        t for t in sari.take_new() if offer.number in t
    ]
    assert jatim.take_new() == []

    await sari.press("✋ Ambil penjemputan ini")
    taken = await offers.get(world.db, offer.id)
    assert (
        taken.status == "taken"
        and taken.taker_id == (await people.by_telegram_id(world.db, 812)).id
    )
    assert (
        said("Offer {number} was taken by another coordinator.").format(number=offer.number)
        == world.telegram.messages[811][-1].text
    )
    assert budi.take_new()[-1].startswith("Kabar baik: koordinator Uji Coba")

    # the other coordinator, a moment too late (an old alert's button)
    sent = next(m for m in world.telegram.messages[811] if m.edits)
    await andi.press_data(sent, f"ambil:{offer.id}")
    assert world.telegram.calls_of("answerCallbackQuery")[-1].params["text"] == said(
        "Another coordinator has already taken offer {number}."
    ).format(number=offer.number)
    assert (await offers.get(world.db, offer.id)).taker_id == taken.taker_id

    listing = (await budi.send("/tawaran"))[0]
    assert f"{offer.number}: 200 kg cabai merah, Rp32.000 per kg — diambil koordinator" in listing


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("0", "quantity.zero"),
        ("-5 kg", "quantity.negative"),
        ("banyak sekali", "quantity.unreadable"),
        ("5 ekor", "quantity.unit"),
        ("999 ton", "quantity.too_big"),
    ],
)
async def test_a_bad_quantity_gets_its_reason_and_the_question_again(world, market, typed, reason):
    budi = market
    await budi.send("/jual")
    await budi.send("cabai merah")
    await budi.press("Mutu B")
    replies = await budi.send(typed)
    first, question = replies[0].rsplit("\n", 1)
    assert (
        question
        == "Berapa banyak cabai merah yang mau Anda jual? Ketik jumlah dan satuannya, misalnya 50 kg."
    )
    with use_locale("id"):
        assert first == _refusal(reason, CATALOG["cabai_merah"])  # what was wrong, what to do
    assert "{" not in first
    assert (await budi.send("1.500 kg"))[0].startswith("Kapan siap dijemput?")


async def test_a_farmer_cancels_an_offer_nobody_took_and_the_alert_says_so(world, market):
    budi = market
    andi = await _coordinator(world, 821, "33")
    await _farmer_offers(world, budi, typed="gabah", grade=None, amount="1,5 ton")
    offer = (await offers.of_farmer(world.db, (await people.by_telegram_id(world.db, 801)).id))[0]
    assert offer.grade == "GKP" and offer.quantity == "1500"
    await budi.send("/tawaran")
    await budi.press(f"Batalkan {offer.number}")
    assert (await offers.get(world.db, offer.id)).status == "cancelled"
    assert world.telegram.messages[821][-1].text == f"Tawaran {offer.number}: dibatalkan."
    await andi.press_data(world.telegram.messages[821][-1], f"ambil:{offer.id}")
    assert (await offers.get(world.db, offer.id)).status == "cancelled"


async def test_an_offer_in_a_village_nobody_covers_goes_to_the_administrators(world, market):
    admin = await _person_with_roles(world, 831, [Role.ADMIN])
    await _farmer_offers(world, market)
    offer = (await offers.of_farmer(world.db, (await people.by_telegram_id(world.db, 801)).id))[0]
    assert any(offer.number in t for t in admin.take_new())
    # nobody covers it: the administrator gives it to a coordinator, never takes it
    sari = await _coordinator(world, 832, "35")  # covers elsewhere, of the same cooperative
    await admin.press("👥 Serahkan ke koordinator")
    assert admin.buttons()[-1] == "Uji Coba"
    await admin.press("Uji Coba")
    taken = await offers.get(world.db, offer.id)
    assert (taken.status, taken.taker_id) == (
        "taken",
        (await people.by_telegram_id(world.db, 832)).id,
    )
    assert sari.texts()[-1].startswith(f"Tawaran baru {offer.number}")
    assert "📅 Jadwalkan penjemputan" in sari.buttons()


async def test_a_coordinator_cannot_take_an_offer_outside_their_area(world, market):
    await _coordinator(world, 841, "33.10")
    jatim = await _coordinator(world, 842, "35")
    await _farmer_offers(world, market)
    offer = (await offers.of_farmer(world.db, (await people.by_telegram_id(world.db, 801)).id))[0]
    sent = world.telegram.messages[801][-1]
    await jatim.press_data(sent, f"ambil:{offer.id}")  # forged: never alerted
    assert world.telegram.calls_of("answerCallbackQuery")[-1].params["text"] == said(
        "You cannot do this with offer {number}."
    ).format(number=offer.number)
    assert (await offers.get(world.db, offer.id)).status == "open"
    farmer = world.person(801)
    await farmer.press_data(sent, f"ambil:{offer.id}")  # a farmer is no coordinator
    assert (await offers.get(world.db, offer.id)).status == "open"


async def test_no_price_in_the_village_means_no_offer(world):
    budi = world.person(851)
    await register_farmer(
        budi, province="Bali", place=("Gianyar", "Ubud", "Peliatan"), phone="6281200000851"
    )
    assert (await budi.send("/jual"))[0].startswith(
        "Koperasi belum membeli hasil panen di desa Anda."
    )


async def test_an_offer_in_english(world):
    await _prices(world)
    ketut = world.person(861, "Ketut", language_code="en")
    await register_farmer(ketut, language="English", phone="6281200000861")
    assert (await ketut.send("/jual"))[0] == "What do you want to sell? Tap it, or type its name."
    await ketut.press("Red chilli")
    await ketut.press("Grade A")
    assert (await ketut.send("3 kuintal"))[0] == "When is it ready for pickup?"
    await ketut.press("Tomorrow")
    summary = (await ketut.tap("🏠 In my village, Kujon"))[-1]
    assert (
        "Amount: 3 quintals (300 kg)" in summary
        and "Cooperative's buying price: Rp32,000 per kg" in summary
    )
    assert (await ketut.press("✅ Yes, save"))[0].startswith(
        "Your offer is saved. Its number is TW-"
    )


async def test_from_offer_to_receipt_with_a_different_grade_and_weight_then_a_dispute(
    world, market
):
    budi = market
    admin = await _person_with_roles(world, 871, [Role.ADMIN])
    sari = await _coordinator(world, 872, "33.10.11")
    await _farmer_offers(world, budi)  # 2 kuintal cabai merah, Mutu A at Rp32.000
    offer = (await offers.of_farmer(world.db, (await people.by_telegram_id(world.db, 801)).id))[0]
    await sari.press("✋ Ambil penjemputan ini")
    await sari.press("📅 Jadwalkan penjemputan")
    assert (await sari.press(sari.buttons()[-7 + 1]))[0] == "Jam berapa?"  # tomorrow
    done = await sari.press("06.00–09.00")
    assert done[0].startswith(f"Baik. Penjemputan {offer.number} pada ")
    told = budi.take_new()[-1]
    assert f"cabai merah Anda ({offer.number}) pada" in told and "pukul 06.00–09.00 WIB" in told
    assert (await offers.get(world.db, offer.id)).status == "scheduled"

    listing = await sari.send("/jemput")
    assert offer.number in listing[0]
    await sari.press(f"⚖️ Timbang {offer.number}")
    await sari.press("Mutu B")  # worse than offered
    replies = await sari.send("180")  # kg, lighter than offered
    assert "Berat: 180 kg × Rp28.000 per kg" in replies[0] and "Total: Rp5.040.000" in replies[0]
    await sari.press("✅ Ya, simpan")
    receipt = budi.take_new()[-1]
    assert receipt.startswith(f"Tanda terima {offer.number}")
    assert "Total: Rp5.040.000 (lima juta empat puluh ribu rupiah)" in receipt
    assert len(receipt.split("\n\n")[0].splitlines()) <= 6
    assert (await offers.get(world.db, offer.id)).status == "picked_up"

    await budi.press("⚠️ Tidak sesuai")
    assert any(offer.number in t and "Budi Santoso" in t for t in admin.take_new())
    await budi.press_data(world.telegram.messages[801][-2], f"trm:ok{offer.id}")  # a second answer
    assert world.telegram.calls_of("answerCallbackQuery")[-1].params["text"] == said(
        "This button is no longer active."
    )
    row = await world.db.fetchone(
        "SELECT grade, quantity, amount_rupiah, farmer_answer FROM pickups WHERE offer_id = ?",
        (offer.id,),
    )
    assert dict(row) == {
        "grade": "B",
        "quantity": "180",
        "amount_rupiah": 5040000,
        "farmer_answer": "disputed",
    }


async def test_only_the_taker_schedules_and_weighs(world, market):
    sari, other = await _coordinator(world, 881, "33.10"), await _coordinator(world, 882, "33.10")
    await _farmer_offers(world, market)
    offer = (await offers.of_farmer(world.db, (await people.by_telegram_id(world.db, 801)).id))[0]
    await sari.press("✋ Ambil penjemputan ini")
    sent = world.telegram.messages[881][-1]
    await other.press_data(sent, f"jdw:{offer.id}")
    await other.press_data(sent, f"tmb:{offer.id}")
    assert world.telegram.calls_of("answerCallbackQuery")[-1].params["text"] == said(
        "This button is no longer active."
    )
    await market.press_data(sent, f"jdw:{offer.id}")  # the farmer
    assert (await offers.get(world.db, offer.id)).status == "taken"


async def test_an_offer_nobody_takes_expires_and_the_farmer_is_told(world, market):
    from bot.context import BotContext
    from handlers import alerts

    andi = await _coordinator(world, 891, "33.10")
    await _farmer_offers(world, market)
    offer = (await offers.of_farmer(world.db, (await people.by_telegram_id(world.db, 801)).id))[0]
    await alerts.expire_offers(BotContext(world.app))  # not yet: nothing happens
    assert (await offers.get(world.db, offer.id)).status == "open"
    async with world.db.transaction() as conn:  # three days and a minute later
        await conn.execute(
            "UPDATE offers SET created_at = created_at - ? WHERE id = ?", (72 * 3600 + 60, offer.id)
        )
    await alerts.expire_offers(BotContext(world.app))
    await world.app.update_queue.join()
    await world.outbox_sent()  # the farmer is told through the outbox, by its sender
    assert (await offers.get(world.db, offer.id)).status == "expired"
    assert market.take_new()[-1].startswith(
        f"Tawaran {offer.number} ditutup karena belum ada koordinator"
    )
    assert (
        world.telegram.messages[891][-1].text
        == f"Tawaran {offer.number}: ditutup, tidak ada koordinator yang mengambil."
    )
    await andi.press_data(world.telegram.messages[891][-1], f"ambil:{offer.id}")
    assert (await offers.get(world.db, offer.id)).status == "expired"


async def test_the_farmer_agrees_and_is_paid_once_in_the_ledger(world, market):
    from domain import ledger as L
    from storage import ledger

    budi = market
    sari = await _coordinator(world, 895, "33.10")
    await _farmer_offers(world, budi, amount="250 kg")
    offer = (await offers.of_farmer(world.db, (await people.by_telegram_id(world.db, 801)).id))[0]
    await sari.press("✋ Ambil penjemputan ini")
    await sari.press("📅 Jadwalkan penjemputan")
    await sari.press(sari.buttons()[-7])  # today
    await sari.press("09.00–12.00")
    await sari.send("/jemput")
    await sari.press(f"⚖️ Timbang {offer.number}")
    await sari.press("Mutu A")
    await sari.send("250")
    await sari.press("✅ Ya, simpan")
    farmer_id = (await people.by_telegram_id(world.db, 801)).id
    assert await ledger.balance(world.db, L.farmer_payable(farmer_id)) == 8_000_000
    assert (await budi.press("✅ Sesuai"))[
        -1
    ] == "Terima kasih. Koperasi akan membayar Anda Rp8.000.000."
    await sari.press("💵 Dibayar tunai")
    assert (await offers.get(world.db, offer.id)).status == "paid"
    assert budi.take_new()[-1].startswith(
        f"Koperasi sudah membayar {offer.number} tunai sebesar Rp8.000.000."
    )
    assert await ledger.balance(world.db, L.farmer_payable(farmer_id)) == 0
    sent = next(m for m in world.telegram.messages[895] if m.text.startswith("Tanda terima"))
    await sari.press_data(sent, f"bayar:{offer.id}")  # paid twice? refused
    assert await ledger.balance(world.db, L.farmer_payable(farmer_id)) == 0
    assert await ledger.verify(world.db) is None
    assert (
        f"{offer.number}: 250 kg cabai merah, Rp32.000 per kg — sudah dibayar"
        in (await budi.send("/tawaran"))[0]
    )


async def test_the_morning_digest_runs_at_06_00_in_each_zone_and_lists_the_days_pickups(
    world, market
):
    from datetime import date as Date

    from bot.context import BotContext
    from handlers.pickup import schedule as pickup

    jobs = {job.name: job for job in world.app.job_queue.jobs()}
    for zone, utc_hour in (("Asia/Jakarta", 23), ("Asia/Makassar", 22), ("Asia/Jayapura", 21)):
        assert jobs[f"digest-{zone}"].next_t.astimezone(UTC).hour == utc_hour  # 06:00 local
    sari = await _coordinator(world, 899, "33.10")
    await _farmer_offers(world, market)
    offer = (await offers.of_farmer(world.db, (await people.by_telegram_id(world.db, 801)).id))[0]
    await sari.press("✋ Ambil penjemputan ini")
    await sari.press("📅 Jadwalkan penjemputan")
    await sari.press(sari.buttons()[-6])  # tomorrow
    await sari.press("12.00–15.00")
    sari.take_new()
    pickup_on = (
        await world.db.fetchone("SELECT pickup_on FROM pickups WHERE offer_id = ?", (offer.id,))
    )["pickup_on"]
    context = BotContext(world.app)
    assert (
        await pickup.send_digest(context, "Asia/Makassar", Date.fromisoformat(pickup_on)) == 0
    )  # Sari lives in WIB
    assert await pickup.send_digest(context, "Asia/Jakarta", Date.fromisoformat(pickup_on)) == 1
    await world.outbox_sent()
    digest = world.telegram.messages[899][-1].text
    assert digest.startswith("Penjemputan hari ini, ")
    assert f"12.00–15.00: {offer.number}, 200 kg cabai merah, Budi Santoso 0812-3456-7890" in digest
