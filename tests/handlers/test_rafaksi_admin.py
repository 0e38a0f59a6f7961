"""/rafaksi: an administrator adopts the government's quality-cut table, sets the
cooperative's own grid (a bad answer refused with its reason and asked again) or stops
cutting, each from a day, from the phone; the weighing then uses the table in force, and a
weighing already recorded keeps the table it used."""

from __future__ import annotations

from datetime import timedelta

from domain.people import Role
from handlers import kit
from storage import orgs, people, pickups, rafaksi
from storage.db import now_utc
from tests.handlers.flows import YES_ID, register_farmer
from tests.handlers.test_offer import _coordinator, _prices
from tests.handlers.test_offtake_field import _offer_gabah, _offer_of, to_the_scale
from tests.handlers.test_rafaksi import adopt_government_table
from tests.handlers.test_staff_and_roles import _person_with_roles
from tests.texts import said

ADMIN = 760
GOVERNMENT = "🏛 Pakai tabel pemerintah"
DECREE = "Kepbadan Bapanas 2/2025 (GKP di petani)"


async def _admin(world):
    return await _person_with_roles(world, ADMIN, [Role.ADMIN])


async def _weigh_gabah(world, moisture, foreign):
    """A farmer's tonne of gabah weighed by the coordinator with these readings (None: the
    weighing asks none): the pickup and the summary the coordinator checked."""
    budi = world.person(701, "Budi")
    await register_farmer(budi)
    sari = await _coordinator(world, 731, "33.10")
    await _offer_gabah(budi)
    offer = await _offer_of(world, 701)
    await to_the_scale(sari, offer)
    await sari.press("GKP (gabah kering panen)")
    replies = await sari.send("1.000 kg")
    for reading in (moisture, foreign) if moisture is not None else ():
        replies = await sari.send(reading)
    summary = replies[-1]
    await sari.press(YES_ID)
    return await pickups.get(world.db, offer.id), summary


async def test_an_administrator_adopts_the_government_table_and_the_weighing_uses_it(world):
    await _prices(world)
    admin = await _admin(world)
    shown = (await admin.send("/rafaksi"))[0]
    assert shown.splitlines() == [
        "Tabel rafaksi koperasi: potongan harga per kg menurut kadar air dan hampa/kotoran.",
        "",
        "Gabah: belum ada tabel. Ditimbang tanpa potongan.",
        f"Ada tabel pemerintah: {DECREE}.",
        "",
        "Pilih hasil panen untuk mengubah tabelnya. Atau ketik nama hasil panen lain.",
    ]
    assert admin.buttons()[-1] == "Gabah"
    detail = (await admin.press("Gabah"))[0]
    assert detail.endswith("Apa yang ingin Anda lakukan?")
    assert admin.buttons()[-2:] == [GOVERNMENT, "✏️ Ubah"]  # nothing to stop, no history
    asked = await admin.press(GOVERNMENT)
    assert asked == [said("From which day does it apply? Tap a day, or type a date such as 20-12-2026.")]  # fmt: skip
    assert admin.buttons()[-2:] == ["Hari ini", "Besok"]
    summary = (await admin.press("Hari ini"))[0]
    assert summary.splitlines() == [
        "Silakan periksa tabel rafaksi baru:",
        "Hasil panen: Gabah",
        f"Tabel: tabel pemerintah ({DECREE})",
        "Potongan per kg:",
        "Hampa/kotoran: sampai 10 % | 10–15 %",
        "Kadar air sampai 25 %: Rp0 | Rp300",
        "Kadar air 25–30 %: Rp425 | Rp750",
        "Berlaku mulai: hari ini",
        "Penimbangan yang sudah dicatat tidak berubah.",
        "",
        "Apakah sudah benar?",
    ]
    saved = await admin.press(YES_ID)
    assert saved == ["Sudah disimpan. Mulai hari ini, penimbangan gabah memakai tabel ini."]

    table = await rafaksi.in_force(world.db, 1, "gabah", now_utc())
    template = await rafaksi.government(world.db, "gabah")
    assert (table.table, table.source) == (template.table, template.source)
    set_by = await people.by_telegram_id(world.db, ADMIN)
    row = await world.db.fetchone("SELECT set_by FROM rafaksi_tables WHERE id = ?", (table.id,))
    assert row["set_by"] == set_by.id
    again = (await admin.send("/rafaksi"))[0]
    assert "Gabah: berlaku sejak " in again and "Kadar air 25–30 %: Rp425 | Rp750" in again
    assert "Ada tabel pemerintah" not in again

    pickup, summary = await _weigh_gabah(world, "27", "8 %")
    assert "Kadar air 27 %, hampa/kotoran 8 %: potongan Rp425 per kg" in summary
    assert (pickup.cut_rupiah, pickup.price_rupiah, pickup.rafaksi_table_id) == (
        425,
        6075,
        table.id,
    )


async def test_an_own_grid_refuses_bad_answers_and_starts_on_the_day_typed(world):
    await _prices(world)
    admin = await _admin(world)
    await admin.send("/rafaksi")
    await admin.press("Gabah")
    question = (await admin.press("✏️ Ubah"))[0]
    assert question.startswith("Ketik batas kadar air dalam persen")
    limits = said("Type 1 to 4 limits above 0, from small to large, with a space between. For example: 25 30.")  # fmt: skip
    assert await admin.send("30 25") == [limits + "\n" + question]
    assert await admin.send("basah") == [said("I could not read that. Type the percentage, for example 14 or 14,5.") + "\n" + question]  # fmt: skip
    hampa = (await admin.send("24,5 30"))[0]
    assert hampa.startswith("Ketik batas hampa/kotoran dalam persen")
    first = (await admin.send("10 % dan 15 %"))[0]
    assert first.startswith(
        "Berapa potongan per kg untuk kadar air sampai 24,5 % dan hampa/kotoran 10–15 %?"
    )
    assert (await admin.send("banyak"))[0].startswith("Saya tidak bisa membaca itu. Ketik potongan")
    too_high = (await admin.send("2 juta"))[0]
    assert too_high.startswith("Potongan itu terlalu besar. Potongan harus di bawah Rp")
    second = (await admin.send("300"))[0]
    assert second.startswith("Berapa potongan per kg untuk kadar air 24,5–30 % dan hampa/kotoran sampai 10 %?")  # fmt: skip
    await admin.send("400")
    refused = await admin.send("350")  # less than both better cells: Rp400 above, Rp300 beside
    assert refused[0].startswith(
        "Mutu yang lebih buruk tidak boleh dipotong lebih kecil. Ketik Rp400 atau lebih.\n"
        "Berapa potongan per kg untuk kadar air 24,5–30 % dan hampa/kotoran 10–15 %?"
    )
    day_question = await admin.send("Rp700")
    assert day_question == [said("From which day does it apply? Tap a day, or type a date such as 20-12-2026.")]  # fmt: skip
    assert (await admin.send("kemarin"))[0] == said(
        "I could not read that day. Type a date from today on, for example 20-12-2026."
    )
    start = kit.today("Asia/Jakarta") + timedelta(days=3)
    summary = (await admin.send(f"{start:%d-%m-%Y}"))[0]
    assert "Tabel: tabel koperasi sendiri" in summary
    assert "Kadar air 24,5–30 %: Rp400 | Rp700" in summary
    assert "Berlaku mulai: " in summary and "hari ini" not in summary
    saved = await admin.press(YES_ID)
    assert saved[0].startswith("Sudah disimpan. Mulai ") and "penimbangan gabah" in saved[0]

    assert await rafaksi.in_force(world.db, 1, "gabah", now_utc()) is None  # not yet
    later = now_utc() + 4 * 86400
    found = await rafaksi.in_force(world.db, 1, "gabah", later)
    assert found.table.cuts == ((0, 300), (400, 700))
    assert [str(x) for x in found.table.moisture] == ["24.5", "30"]
    assert [str(x) for x in found.table.foreign] == ["10", "15"]
    shown = (await admin.send("/rafaksi"))[0]
    assert "Gabah: belum ada tabel." in shown and "Mulai " in shown  # the change to come


async def test_stop_ends_rafaksi_and_a_recorded_weighing_keeps_its_table(world):
    await _prices(world)
    adopted = await adopt_government_table(world)
    pickup, _summary = await _weigh_gabah(world, "27", "12")
    assert (pickup.cut_rupiah, pickup.rafaksi_table_id) == (750, adopted.id)

    admin = await _admin(world)
    await admin.send("/rafaksi")
    await admin.press("Gabah")
    assert admin.buttons()[-4:] == [GOVERNMENT, "✏️ Ubah", "⛔ Hentikan", "🕘 Riwayat"]
    history = await admin.press("🕘 Riwayat")
    assert history[0].startswith("Versi terakhir tabel rafaksi gabah, yang terbaru di atas:\n\nMulai ")  # fmt: skip
    assert f"tabel ({DECREE})" in history[0]
    assert history[1].endswith("Apa yang ingin Anda lakukan?")  # the choice again
    await admin.press("⛔ Hentikan")
    summary = (await admin.press("Hari ini"))[0]
    assert "Tabel: tidak ada, ditimbang tanpa potongan seperti dulu" in summary
    assert "Potongan per kg" not in summary
    saved = await admin.press(YES_ID)
    assert saved == ["Sudah disimpan. Mulai hari ini, gabah ditimbang tanpa potongan."]

    assert await rafaksi.in_force(world.db, 1, "gabah", now_utc()) is None
    assert [v.table is None for v in await rafaksi.history(world.db, 1, "gabah")] == [True, False]
    kept = await pickups.get(world.db, pickup.offer_id)
    assert (kept.cut_rupiah, kept.amount_rupiah, kept.rafaksi_table_id) == (750, pickup.amount_rupiah, adopted.id)  # fmt: skip
    shown = (await admin.send("/rafaksi"))[0]
    assert "Gabah: tanpa rafaksi sejak " in shown


async def test_forged_buttons_and_other_people_are_refused(world):
    await _prices(world)
    async with world.db.transaction(bookkeeping=True) as conn:
        other = await orgs.add(
            conn, code="kop-lain", name="Koperasi Lain", kind="coop_primary",
            parent_code=None, covers=("35",),
        )  # fmt: skip
    await adopt_government_table(world, org_id=other)  # another cooperative's table
    admin = await _admin(world)
    shown = (await admin.send("/rafaksi"))[0]
    assert "Gabah: belum ada tabel." in shown  # the other cooperative's is not ours
    sent = world.telegram.messages[ADMIN][-1]
    for data in ("rfprd:kopi", "rfact:stop"):  # a produce never offered; nothing to stop
        assert await admin.press_data(sent, data) == []
        answer = world.telegram.calls_of("answerCallbackQuery")[-1]
        assert answer.params["text"] == said("This button is no longer active.")
    await admin.press("Gabah")
    sent = world.telegram.messages[ADMIN][-1]
    assert await admin.press_data(sent, "rfact:stop") == []  # ours has no table to stop
    assert world.telegram.calls_of("answerCallbackQuery")[-1].params["text"] == said(
        "This button is no longer active."
    )
    assert await rafaksi.history(world.db, 1, "gabah") == []
    assert len(await rafaksi.history(world.db, other, "gabah")) == 1

    coordinator = await _person_with_roles(world, 761, [Role.COORDINATOR])
    assert await coordinator.send("/rafaksi") == [said("Sorry, this command is not available to you.")]  # fmt: skip
    assert "/rafaksi" in (await admin.send("/help"))[0]
    assert "/rafaksi" not in (await coordinator.send("/help"))[0]


async def test_a_typed_produce_without_a_template_gets_its_own_table_only(world):
    admin = await _admin(world)
    await admin.send("/rafaksi")
    detail = (await admin.send("jagung"))[0]
    assert detail.startswith("Jagung: belum ada tabel.")
    assert admin.buttons()[-1] == "✏️ Ubah" and GOVERNMENT not in admin.buttons()[-2:]


async def test_an_english_administrator_reads_the_table_and_the_summary(world):
    await adopt_government_table(world)
    await _admin(world)
    async with world.db.transaction(bookkeeping=True) as conn:
        await conn.execute("UPDATE people SET language = 'en' WHERE telegram_user_id = ?", (ADMIN,))
    admin = world.person(ADMIN, "Siti", "en")
    shown = (await admin.send("/rafaksi"))[0].splitlines()
    assert shown[0] == "The cooperative's rafaksi tables: the cut off the price per kg by moisture and empty grain/dirt."  # fmt: skip
    assert shown[2].startswith("Unhusked rice: in force since ")
    assert shown[3:7] == [
        "Cut per kg:",
        "Empty grain/dirt: up to 10 % | 10–15 %",
        "Moisture up to 25 %: Rp0 | Rp300",
        "Moisture 25–30 %: Rp425 | Rp750",
    ]
    await admin.press("Unhusked rice")
    assert admin.buttons()[-4:] == [
        "🏛 Use the government's table", "✏️ Change", "⛔ Stop", "🕘 Earlier versions",
    ]  # fmt: skip
    await admin.press("⛔ Stop")
    summary = (await admin.press("Tomorrow"))[0].splitlines()
    assert summary[:3] == [
        "Please check the new rafaksi table:",
        "Produce: Unhusked rice",
        "Table: none: weighed without cuts, as before",
    ]
    assert summary[3].startswith("From: ") and summary[4] == "Weighings already recorded do not change."  # fmt: skip
    saved = await admin.press("✅ Yes, save")
    assert saved[0].startswith("Saved. From ") and saved[0].endswith(", unhusked rice is weighed without cuts.")  # fmt: skip
    assert (await rafaksi.in_force(world.db, 1, "gabah", now_utc())) is not None  # until tomorrow
