"""/setharga: an administrator sets the buying price from the phone, with a confirmation
that shows the old price beside the new; offers already made keep theirs."""

from __future__ import annotations

from datetime import datetime

from domain.people import Role
from storage import offers, orgs, people, prices
from tests.handlers.flows import YES_ID, register_farmer
from tests.handlers.test_offer import _prices
from tests.handlers.test_staff_and_roles import _person_with_roles

KUJON = "33.10.11.2004"


async def _in_force(world, commodity, grade, village=KUJON):
    return await prices.price_in_force(
        world.db, commodity, grade, village, datetime.now().astimezone()
    )


async def test_an_administrator_sets_a_price_and_a_farmer_offers_at_it(world):
    admin = await _person_with_roles(world, 901, [Role.ADMIN])
    assert (await admin.send("/setharga")) == ["Harga apa yang mau Anda atur?"]
    assert admin.buttons()[-3:] == [
        "💰 Harga beli koperasi", "🏛 Harga pembelian pemerintah (HPP)", "🏪 Harga pasar",
    ]  # fmt: skip
    assert (await admin.press("💰 Harga beli koperasi")) == [
        "Harga untuk hasil panen apa? Tekan tombolnya, atau ketik namanya."
    ]
    assert len(admin.buttons()) == 9  # 8 of 16 commodities and "Lainnya ▶"
    replies = await admin.send("cabe")  # both chillies: the choice narrows to them
    assert admin.buttons()[-2:] == ["Cabai merah", "Cabai rawit"]
    replies = await admin.press("Cabai merah")
    assert replies[0].splitlines() == [
        "Mutu yang mana? Harga sekarang di semua wilayah, per kg:",
        "Mutu A: belum ada harga",
        "Mutu B: belum ada harga",
        "Mutu C: belum ada harga",
    ]
    # the root cooperative buys everywhere: no area question
    assert (await admin.press("Mutu A")) == ["Ketik harga baru per kg, misalnya Rp6.500."]
    assert (await admin.send("murah saja")) == [
        "Ketik harga dalam rupiah per kg, tanpa koma, misalnya 6.500.\n"
        "Ketik harga baru per kg, misalnya Rp6.500."
    ]
    summary = (await admin.send("Rp 31.500,-"))[0]
    assert summary.splitlines()[:7] == [
        "Periksa harga baru:",
        "Jenis: 💰 Harga beli koperasi",
        "Hasil panen: Cabai merah, Mutu A",
        "Wilayah: semua wilayah",
        "Harga sekarang: belum ada",
        "Harga baru: Rp31.500 per kg, mulai sekarang",
        "Tawaran yang sudah dibuat tetap memakai harga lama.",
    ]
    assert (await admin.press(YES_ID)) == [
        "Sudah disimpan. Petani di semua wilayah sekarang melihat Rp31.500 per kg untuk Cabai merah, Mutu A."
    ]
    price = await _in_force(world, "cabai_merah", "A")
    admin_id = (await people.by_telegram_id(world.db, 901)).id
    assert (price.price_rupiah, price.area_prefix, price.set_by) == (31500, "", admin_id)

    budi = world.person(902)
    await register_farmer(budi)
    await budi.send("/jual")
    assert budi.buttons()[-1] == "Cabai merah"
    grade_question = (await budi.press("Cabai merah"))[0]  # one grade priced: not asked
    assert grade_question.startswith("Berapa banyak cabai merah")


async def test_a_cooperative_sets_prices_for_one_of_its_areas_and_old_offers_keep_theirs(world):
    await _prices(world)  # gabah GKP Rp6.500 in all Jawa Tengah
    async with world.db.transaction(bookkeeping=True) as conn:
        org_id = await orgs.add(
            conn, code="kop-klaten", name="Koperasi Tani Klaten", kind="coop_primary",
            parent_code=None, covers=("33.10", "33.09"),
        )  # fmt: skip
    admin = await _person_with_roles(world, 911, [Role.ADMIN])
    async with world.db.transaction(bookkeeping=True) as conn:
        await conn.execute("UPDATE people SET org_id = ? WHERE telegram_user_id = 911", (org_id,))
    budi = world.person(912)
    await register_farmer(budi)
    await budi.send("/jual")
    await budi.press("Gabah")
    await budi.send("1 ton")
    await budi.press("Besok")
    await budi.tap("🏠 Di desa saya, Kujon")
    await budi.press(YES_ID)

    await admin.send("/setharga")
    await admin.press("💰 Harga beli koperasi")
    await admin.send("gabah")
    await admin.press("GKP (gabah kering panen)")
    assert (await admin.send("x")) != []  # the area comes first: typing is refused politely
    assert admin.buttons()[-2:] == ["Kabupaten Boyolali", "Kabupaten Klaten"]
    await admin.press("Kabupaten Klaten")
    summary = (await admin.send("6.800"))[0]
    assert "Wilayah: Kabupaten Klaten" in summary
    assert "Harga sekarang: Rp6.500 per kg" in summary
    await admin.press(YES_ID)

    assert (await _in_force(world, "gabah", "GKP")).price_rupiah == 6800
    assert (await _in_force(world, "gabah", "GKP", "33.72.01.1001")).price_rupiah == 6500
    farmer = await people.by_telegram_id(world.db, 912)
    (offer,) = await offers.of_farmer(world.db, farmer.id)
    assert offer.price_rupiah == 6500  # locked when the farmer confirmed
    source = (await _in_force(world, "gabah", "GKP")).source
    assert source == "Koperasi Tani Klaten"


async def test_only_administrators_set_prices(world):
    budi = world.person(921)
    await register_farmer(budi)
    assert (await budi.send("/setharga")) == ["Maaf, Anda tidak bisa memakai ini."]
    coordinator = await _person_with_roles(world, 922, [Role.COORDINATOR])
    assert (await coordinator.send("/setharga")) == ["Maaf, Anda tidak bisa memakai ini."]
    assert (
        await world.db.fetchone("SELECT COUNT(*) AS n FROM buying_prices WHERE kind = 'buying'")
    )["n"] == 0


async def test_an_administrator_records_hpp_with_its_source(world):
    admin = await _person_with_roles(world, 931, [Role.ADMIN])
    await admin.send("/setharga")
    await admin.press("🏛 Harga pembelian pemerintah (HPP)")
    await admin.send("jagung")
    assert (await admin.send("5.800"))[0] == (
        "Dari mana harga ini? Misalnya: Perbadan 2025, Pasar Induk Klaten."
    )
    assert (await admin.send("x"))[0].startswith("Ketik sumbernya, 3 sampai 80 huruf.")
    summary = (await admin.send("Perbadan 2026"))[0].splitlines()
    assert summary[1:6] == [
        "Jenis: 🏛 Harga pembelian pemerintah (HPP)",
        "Hasil panen: Jagung",
        "Wilayah: semua wilayah",
        "Harga sekarang: Rp5.500 per kg",  # the HPP 2025 seeded
        "Harga baru: Rp5.800 per kg, mulai sekarang",
    ]
    assert summary[6] == "Sumber: Perbadan 2026"
    saved = await admin.press(YES_ID)
    assert saved == [
        "Sudah disimpan: Rp5.800 per kg untuk Jagung di semua wilayah. /harga menampilkannya di samping harga koperasi."
    ]
    hpp = await prices.price_in_force(
        world.db, "jagung", "-", KUJON, datetime.now().astimezone(), prices.REFERENCE
    )
    assert (hpp.price_rupiah, hpp.source) == (5800, "Perbadan 2026")
    assert await _in_force(world, "jagung", "-") is None  # no buying price came of it
