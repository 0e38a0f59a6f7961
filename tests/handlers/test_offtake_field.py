"""Offtake in the field: the pickup place and a photo, deductions the farmer sees before
committing and finds on the receipt, payment by transfer, a farmer asking for another day,
and offers a coordinator enters for a farmer without Telegram."""

from __future__ import annotations

import pytest

from domain import ledger as L
from domain.people import Role
from storage import deductions, ledger, offers, people
from tests.handlers.flows import YES_ID, register_farmer
from tests.handlers.test_offer import _coordinator, _prices
from tests.handlers.test_staff_and_roles import _person_with_roles
from tests.texts import said

HOME = "🏠 Di desa saya, Kujon"


@pytest.fixture
async def market(world):
    await _prices(world)  # cabai merah A/B/C in Kab. Klaten, gabah GKP in Jawa Tengah
    budi = world.person(701, "Budi")
    await register_farmer(budi)  # Desa Kujon, Kec. Ceper, Kab. Klaten
    return budi


async def _offer_of(world, user_id):
    farmer = await people.by_telegram_id(world.db, user_id)
    return (await offers.of_farmer(world.db, farmer.id))[0]


async def _rates(world, transport, handling=None):
    await world.db.write(deductions.set_rate, org_id=1, kind="transport", rupiah_per_unit=transport)
    if handling is not None:
        await world.db.write(
            deductions.set_rate, org_id=1, kind="handling", rupiah_per_unit=handling
        )


async def test_seven_taps_with_a_shared_location_and_a_photo_that_reach_the_coordinator(
    world, market
):
    budi = market
    sari = await _coordinator(world, 711, "33.10.11")
    other = await _coordinator(world, 712, "35")  # Jawa Timur: never alerted
    taps = [
        budi.send("/jual"),
        budi.send("cabe"),
        budi.press("Mutu A"),
        budi.send("2 kuintal"),
        budi.press("Besok"),
    ]
    for tap in taps:
        await tap
    said_back, summary = await budi.share_location(-7.7012, 110.6721)
    assert said_back == "📍 Lokasi sudah diterima."
    assert "📍 Dijemput di lokasi yang Anda kirim." in summary
    assert "📷 Anda boleh kirim fotonya sekarang (tidak wajib)." in summary
    photo_said, summary = await budi.send_photo("photo-cabai-1")
    assert photo_said == "📷 Foto ini akan dikirim bersama tawaran Anda."
    assert "📷 Foto: sudah dilampirkan." in summary
    await budi.press(YES_ID)  # the 7th tap (the photo is extra, never required)

    offer = await _offer_of(world, 701)
    assert (offer.latitude, offer.longitude, offer.photo_file_id) == (
        -7.7012,
        110.6721,
        "photo-cabai-1",
    )
    alert = next(t for t in sari.take_new() if offer.number in t)
    assert "📍 Petani mengirim lokasi penjemputan. Tekan 🔎 Rincian untuk melihatnya." in alert
    assert "📷 Ada foto. Tekan 🔎 Rincian untuk melihatnya." in alert

    details = await sari.press("🔎 Rincian")
    assert details[0].startswith(f"Tawaran {offer.number}: menunggu koordinator")
    assert "Harga dijamin koperasi sampai" in details[0]
    assert details[1] == "[location -7.7012, 110.6721]"
    photo = world.telegram.calls_of("sendPhoto")[-1].params
    assert photo["photo"] == "photo-cabai-1" and int(photo["chat_id"]) == 711

    sent = world.telegram.messages[711][0]
    await other.press_data(sent, f"rinci:{offer.id}")  # forged: never alerted about it
    assert world.telegram.calls_of("answerCallbackQuery")[-1].params["text"] == said(
        "This button is no longer active."
    )
    assert not [m for m in world.telegram.messages.get(712, []) if offer.number in m.text]


async def test_the_place_question_takes_only_its_buttons(world, market):
    budi = market
    await budi.send("/jual")
    await budi.press("Gabah")
    await budi.send("1,5 ton")
    await budi.press("Hari ini")
    replies = await budi.send("di sawah pak RT")
    assert replies == [
        "Silakan tekan salah satu tombol di bawah. Kirim /cancel untuk berhenti.",
        "Di mana koordinator menjemputnya? Tekan tombol di bawah.",
    ]
    summary = (await budi.tap(HOME))[-1]
    assert "Jumlah: 1,5 ton (1.500 kg)" in summary and "Potongan: tidak ada" in summary


async def test_deductions_are_shown_before_committing_locked_and_itemised_on_the_receipt(
    world, market
):
    budi = market
    await _rates(world, transport=150, handling=50)
    sari = await _coordinator(world, 721, "33.10")
    await budi.send("/jual")
    await budi.send("cabai merah")
    await budi.press("Mutu A")
    await budi.send("200 kg")
    await budi.press("Besok")
    summary = (await budi.tap(HOME))[-1]
    assert (
        "Potongan: ongkos angkut Rp150 per kg (Rp30.000), bongkar muat Rp50 per kg (Rp10.000)"
        in summary
    )
    assert "Anda terima sekitar: Rp6.360.000" in summary  # 200 × 32.000 − 40.000

    # the rate moves while the farmer reads: they are shown the new one before it counts
    await _rates(world, transport=200)
    again = await budi.press(YES_ID)
    assert again[0] == "Harga atau potongan baru saja berubah. Silakan periksa lagi."
    assert "ongkos angkut Rp200 per kg (Rp40.000)" in again[1]
    await budi.press(YES_ID)
    offer = await _offer_of(world, 701)

    await _rates(world, transport=500)  # after the offer: the locked rate holds
    await sari.press("✋ Ambil penjemputan ini")
    await sari.press("📅 Jadwalkan penjemputan")
    await sari.press(sari.buttons()[-6])
    await sari.press("06.00–09.00")
    await sari.send("/jemput")
    await sari.press(f"⚖️ Timbang {offer.number}")
    await sari.press("Mutu B")
    check = (await sari.send("180 kg"))[0]
    assert (
        "Potongan: ongkos angkut Rp200 per kg (Rp36.000), bongkar muat Rp50 per kg (Rp9.000)"
        in check
    )
    assert "Total: Rp4.995.000" in check  # 180 × 28.000 = 5.040.000 − 45.000
    await sari.press(YES_ID)

    receipt = budi.take_new()[-1].split("\n\n")[0]
    assert receipt.splitlines() == [
        f"Tanda terima {offer.number}",
        "Hasil panen: Cabai merah, Mutu B",
        "Berat: 180 kg × Rp28.000 per kg = Rp5.040.000",
        "Potongan: ongkos angkut Rp200 per kg (Rp36.000), bongkar muat Rp50 per kg (Rp9.000)",
        "Total: Rp4.995.000 (empat juta sembilan ratus sembilan puluh lima ribu rupiah)",
        "Pembayaran: belum dibayar",
    ]
    farmer = await people.by_telegram_id(world.db, 701)
    assert await ledger.balance(world.db, L.farmer_payable(farmer.id)) == 4_995_000
    assert await ledger.balance(world.db, L.fees(offer.org_id)) == 45_000
    row = await world.db.fetchone(
        "SELECT amount_rupiah, deductions_rupiah FROM pickups WHERE offer_id = ?", (offer.id,)
    )
    assert dict(row) == {"amount_rupiah": 5_040_000, "deductions_rupiah": 45_000}


async def _offer_gabah(farmer, amount="1 ton"):
    """A gabah offer for tomorrow, picked up in the farmer's village (6 taps after /jual)."""
    await farmer.send("/jual")
    await farmer.press("Gabah")
    await farmer.send(amount)
    await farmer.press("Besok")
    await farmer.tap(HOME)
    await farmer.press(YES_ID)


async def to_the_scale(sari, offer):
    """The coordinator takes the offer just alerted, schedules it for tomorrow and opens its
    weighing (the grade question is next)."""
    await sari.press("✋ Ambil penjemputan ini")
    await sari.press("📅 Jadwalkan penjemputan")
    await sari.press(sari.buttons()[-6])
    await sari.press("09.00–12.00")
    await sari.send("/jemput")
    await sari.press(f"⚖️ Timbang {offer.number}")


async def _picked_up(world, budi, coordinator_id=731):
    sari = await _coordinator(world, coordinator_id, "33.10")
    await _offer_gabah(budi)
    offer = await _offer_of(world, 701)
    await to_the_scale(sari, offer)
    await sari.press("GKP (gabah kering panen)")
    await sari.send("1.000 kg")
    await sari.press(YES_ID)
    return sari, offer


async def test_paid_by_transfer_with_its_reference(world, market):
    budi = market
    sari, offer = await _picked_up(world, budi)
    receipt, cash = sari.button("💵 Dibayar tunai")
    assert await sari.press("🏦 Dibayar lewat transfer") == [
        "Ketik nomor referensi dari bukti transfer, misalnya 240915123456."
    ]
    assert await sari.send("x") == [
        "Nomor referensi berisi 4 sampai 40 huruf atau angka.\n"
        "Ketik nomor referensi dari bukti transfer, misalnya 240915123456."
    ]
    done = await sari.send("  BRI   240915123456 ")
    assert done == [
        f"Baik. {offer.number} sudah dibayar lewat transfer, referensi BRI 240915123456. Petani sudah saya beri tahu."
    ]
    assert budi.take_new()[-1] == (
        f"Koperasi sudah membayar {offer.number} lewat transfer sebesar Rp6.500.000, referensi "
        "BRI 240915123456. Terima kasih sudah menjual ke koperasi."
    )
    farmer = await people.by_telegram_id(world.db, 701)
    assert await ledger.balance(world.db, L.farmer_payable(farmer.id)) == 0
    entry = await world.db.fetchone(
        "SELECT reason FROM ledger_entries WHERE reference = ?", (f"offer:{offer.id}:paid",)
    )
    assert entry["reason"] == L.coded_reason(
        L.REASON_PAID_TRANSFER, number=offer.number, transfer="BRI 240915123456"
    )
    assert (await offers.get(world.db, offer.id)).status == "paid"
    # the cash button of the same receipt cannot pay it a second time
    await sari.press_data(receipt, cash)
    assert world.telegram.calls_of("answerCallbackQuery")[-1].params["text"] == said(
        "This button is no longer active."
    )
    assert (await budi.send("/tawaran"))[0].endswith("— sudah dibayar")


async def test_a_farmer_asks_for_another_day_and_the_coordinator_reschedules(world, market):
    budi = market
    sari = await _coordinator(world, 741, "33.10")
    await _offer_gabah(budi, "5 kuintal")
    offer = await _offer_of(world, 701)
    await sari.press("✋ Ambil penjemputan ini")
    await sari.press("📅 Jadwalkan penjemputan")
    await sari.press(sari.buttons()[-6])  # tomorrow
    await sari.press("06.00–09.00")
    budi.take_new()

    asked = await budi.press("🔁 Minta hari lain")
    assert asked == [
        f"Hari apa yang lebih cocok untuk {offer.number}? Koordinator akan mengabari Anda."
    ]
    day = budi.buttons()[-3]  # four days from today
    sent, data = budi.button(day)
    assert (await budi.press(day)) == [
        f"Saya sudah minta koordinator datang pada {day}. Koordinator akan mengabari Anda."
    ]
    told = sari.take_new()[-1]
    assert told.startswith(f"Budi Santoso minta penjemputan {offer.number} dipindah ke {day}.")
    assert "0812-3456-7890" in told
    listing = (await sari.send("/jemput"))[0]
    assert f"petani minta dijemput {day}" in listing

    await budi.press_data(sent, f"gtgl:{offer.id}d20990101")  # a day never offered
    other = await _person_with_roles(world, 742, [Role.FARMER])
    await other.press_data(sent, data)  # someone else's offer
    refused = [c.params.get("text") for c in world.telegram.calls_of("answerCallbackQuery")[-2:]]
    assert refused == [said("This button is no longer active.")] * 2

    await sari.press(f"📅 Jadwalkan penjemputan {offer.number}")
    await sari.press(day)
    await sari.press("12.00–15.00")
    pickup = await world.db.fetchone(
        "SELECT window_start, requested_on FROM pickups WHERE offer_id = ?", (offer.id,)
    )
    assert dict(pickup) == {"window_start": 12, "requested_on": None}
    assert "petani minta" not in (await sari.send("/jemput"))[0]


async def test_a_coordinator_enters_an_offer_for_a_farmer_without_telegram_who_registers_later(
    world,
):
    await _prices(world)
    sari = await _coordinator(world, 751, "33.10")
    andi = await _coordinator(world, 752, "33.10")  # also covers Kujon: not alerted
    assert (await sari.send("/jualkan")) == [
        "Menjual untuk petani yang tidak punya Telegram. Ketik nomor HP petani, misalnya 0812-3456-7890."
    ]
    assert (await sari.send("12345"))[0].startswith("Itu bukan nomor HP Indonesia.\nMenjual untuk")
    assert await sari.send("0857 1111 2222") == ["Siapa nama lengkap petani?"]
    replies = await sari.send("darmo")
    assert replies[0] == "Di mana Darmo tinggal?"
    # the coordinator is asked about the farmer, never as if he were the farmer ("Anda")
    assert replies[1] == "Ketik nama provinsi petani. Contoh: Jawa Tengah."
    for answer in ("Jawa Tengah", "Klaten", "Ceper"):
        assert "Anda" not in (await sari.send(answer))[0]
    asked = (await sari.send("Kujon"))[0]
    assert asked.startswith("Apa yang mau dijual Darmo?")
    await sari.press("Gabah")
    assert "Darmo" in (await sari.send("2 ton"))[0] or True  # the day question names no one
    summary = (await sari.press("Besok"))[0]  # no pickup-place question: the coordinator is there
    assert summary.startswith("Periksa tawaran untuk Darmo:") and " Anda" not in summary
    assert "Petani: Darmo, 0857-1111-2222" in summary and "Jumlah: 2 ton (2.000 kg)" in summary
    assert "📷" not in summary
    saved = (await sari.press(YES_ID))[0]
    darmo = await people.by_phone(world.db, "+6285711112222")
    offer = (await offers.of_farmer(world.db, darmo.id))[0]
    assert saved.startswith(f"Tawaran {offer.number} sudah disimpan untuk Darmo (0857-1111-2222).")
    coordinator = await people.by_telegram_id(world.db, 751)
    assert (offer.status, offer.taker_id, offer.entered_by) == (
        "taken",
        coordinator.id,
        coordinator.id,
    )
    assert darmo.telegram_user_id is None and darmo.village_code == "33.10.11.2004"
    assert not [t for t in andi.take_new() if offer.number in t]

    # the next time, the phone is enough
    await sari.send("/jualkan")
    replies = await sari.send("085711112222")
    assert replies[0] == "Petani: Darmo, Kujon."
    assert replies[1].startswith("Apa yang mau dijual Darmo?")

    # the receipt comes to the coordinator, to read out
    await sari.press("📅 Jadwalkan penjemputan")
    await sari.press(sari.buttons()[-6])
    await sari.press("06.00–09.00")
    await sari.send("/jemput")
    await sari.press(f"⚖️ Timbang {offer.number}")
    await sari.press("GKP (gabah kering panen)")
    await sari.send("1.950 kg")
    receipt = (await sari.press(YES_ID))[-1]
    assert receipt.startswith(f"Tanda terima {offer.number}")
    assert "Petani tidak punya Telegram. Bacakan tanda terima ini kepadanya." in receipt

    # Darmo registers with that phone: the same person, their offers are there
    phone_owner = world.person(753, "Darmo")
    welcome = await register_farmer(phone_owner, name="Darmo", phone="6285711112222")
    assert any(
        "Koordinator sudah mencatat 1 tawaran untuk Anda. Kirim /tawaran untuk melihatnya." in t
        for t in welcome
    )
    linked = await people.by_telegram_id(world.db, 753)
    assert linked.id == darmo.id
    listing = (await phone_owner.send("/tawaran"))[0]
    assert (
        f"{offer.number}: 2.000 kg gabah" in listing and "sudah dijemput, belum dibayar" in listing
    )

    # a farmer who uses the bot offers for themselves
    await sari.send("/jualkan")
    assert (await sari.send("0857-1111-2222")) == [
        "0857-1111-2222 milik petani yang memakai bot ini. Petani itu bisa menjual sendiri dengan /jual."
    ]


async def test_a_farmer_cannot_enter_offers_for_others(world, market):
    assert (await market.send("/jualkan")) == ["Maaf, Anda tidak bisa memakai ini."]


async def test_the_summary_with_deductions_in_english(world):
    await _prices(world)
    await _rates(world, transport=100)
    ketut = world.person(761, "Ketut", language_code="en")
    await register_farmer(ketut, language="English", phone="6281200000761")
    await ketut.send("/jual")
    await ketut.press("Unhusked rice")
    await ketut.send("2 quintals")
    await ketut.press("Today")
    assert [b["text"] for b in ketut.reply_keyboard()] == [
        "🏠 In my village, Kujon",
        "📍 Send the location",
    ]
    summary = (await ketut.tap("🏠 In my village, Kujon"))[-1]
    assert "Deductions: transport Rp100 per kg (Rp20,000)" in summary
    assert "You receive about: Rp1,280,000" in summary
    assert "The price is guaranteed until" in summary


async def test_the_whole_path_in_english(world):
    await _prices(world)
    await _rates(world, transport=100)
    ketut = world.person(771, "Ketut", language_code="en")
    await register_farmer(ketut, language="English", phone="6281200000771")
    wayan = await _coordinator(world, 772, "33.10")
    admin = await _person_with_roles(world, 773, [Role.ADMIN])
    for user_id in (772, 773):
        staff = await people.by_telegram_id(world.db, user_id)
        await world.db.write(people.set_language, staff.id, "en")

    await ketut.send("/jual")
    await ketut.press("Red chilli")
    await ketut.press("Grade A")
    await ketut.send("2 quintals")
    await ketut.press("Tomorrow")
    await ketut.tap("🏠 In my village, Kujon")
    saved = (await ketut.press("✅ Yes, save"))[0]
    offer = await _offer_of(world, 771)
    assert saved.startswith(f"Your offer is saved. Its number is {offer.number}.")

    alert = wayan.take_new()[-1]
    assert alert.splitlines()[:3] == [
        f"New offer {offer.number}",
        "200 kg red chilli, Grade A",
        "Price: Rp32,000 per kg, about Rp6,400,000 in all",
    ]
    await wayan.press("✋ Take this pickup")
    assert ketut.take_new()[-1].startswith("Good news: coordinator Uji Coba")
    await wayan.press("📅 Schedule the pickup")
    await wayan.press(wayan.buttons()[-6])
    done = await wayan.press("06:00–09:00")
    assert done[0].startswith(f"OK. Pickup of {offer.number} on ") and "06:00–09:00 WIB" in done[0]
    told = ketut.take_new()[-1]
    assert (
        "pick up your red chilli" in told and ", 06:00–09:00 WIB." in told and "between" not in told
    )

    await wayan.send("/jemput")
    await wayan.press(f"⚖️ Weigh {offer.number}")
    await wayan.press("Grade B")
    await wayan.send("150 kg")
    await wayan.press("✅ Yes, save")
    receipt = ketut.take_new()[-1]
    assert receipt.split("\n\n")[0].splitlines() == [
        f"Receipt {offer.number}",
        "Produce: Red chilli, Grade B",
        "Weight: 150 kg × Rp28,000 per kg = Rp4,200,000",
        "Deductions: transport Rp100 per kg (Rp15,000)",
        "Total: Rp4,185,000",
        "Payment: not paid yet",
    ]
    assert await ketut.press("⚠️ Not right") == [
        "The cooperative's administrators are told. They will call you."
    ]
    assert admin.take_new()[-1].startswith(
        f"Dispute: Budi Santoso says receipt {offer.number} is not right."
    )
    await wayan.press("💵 Paid in cash")  # not while it is disputed
    assert ketut.take_new() == []
    await admin.press("🤝 Settled: the receipt stands")
    assert ketut.take_new()[-1].startswith(f"Your dispute about receipt {offer.number} is settled")
    await wayan.press("💵 Paid in cash")
    assert ketut.take_new()[-1] == (
        f"Offer {offer.number} is paid: Rp4,185,000 in cash. Thank you for selling to the cooperative."
    )


async def test_alerts_lost_at_a_stop_are_sent_by_the_job(world, market):
    from bot.context import BotContext
    from handlers import alerts

    await _offer_gabah(market)
    offer = await _offer_of(world, 701)
    assert offer.number in market.texts()[-1]  # the farmer has their answer
    assert await offers.alerts(world.db, offer.id) == []  # nobody covered Kujon then
    sari = await _coordinator(world, 781, "33.10")  # (as if the alerts died in a stop)
    await alerts.alert_missed(BotContext(world.app))  # too soon: maybe still on its way
    assert await offers.alerts(world.db, offer.id) == []
    async with world.db.transaction(bookkeeping=True) as conn:
        await conn.execute(
            "UPDATE offers SET created_at = created_at - 300 WHERE id = ?", (offer.id,)
        )
    await alerts.alert_missed(BotContext(world.app))
    await world.outbox_sent()
    assert [t for t in sari.take_new() if t.startswith(f"Tawaran baru {offer.number}")]
    assert len(await offers.alerts(world.db, offer.id)) == 1
    await alerts.alert_missed(BotContext(world.app))  # once
    await world.outbox_sent()
    assert len(await offers.alerts(world.db, offer.id)) == 1
    assert sari.take_new() == []


async def test_the_job_leaves_alerts_still_on_their_way_alone(world, market):
    from bot.context import BotContext
    from handlers import alerts

    sari = await _coordinator(world, 791, "33.10")
    await world.app.bot_data.outbox.stop(1.0)  # a backlog: the alert waits in the outbox
    await _offer_gabah(market)
    offer = await _offer_of(world, 701)
    async with world.db.transaction(bookkeeping=True) as conn:
        await conn.execute(
            "UPDATE offers SET created_at = created_at - 300 WHERE id = ?", (offer.id,)
        )
    assert sari.texts() == []
    await alerts.alert_missed(BotContext(world.app))
    await world.app.bot_data.outbox.start()
    await world.outbox_sent()
    # a backlog in the outbox is not a lost alert: one alert, not two
    assert len([t for t in sari.texts() if t.startswith("Tawaran baru")]) == 1
