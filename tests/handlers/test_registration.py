"""Farmers and members registering, in both languages, with the mistakes people make."""

from __future__ import annotations

import pytest

from bot.domain.people import Role
from storage import areas, people, roster
from tests.handlers.flows import PHONE, register_farmer, register_member


async def test_farmer_registers_in_indonesian(world):
    budi = world.person(101, "Budi")
    replies = await register_farmer(budi)

    assert replies == [
        "Selamat datang di bot koperasi. Pilih bahasa Anda:",
        "Anda siapa?",
        "Tekan tombol di bawah untuk membagikan nomor HP Anda kepada koperasi.",
        "Siapa nama lengkap Anda?",
        "Anda tinggal di provinsi mana? Ketik namanya, misalnya: Jawa Tengah.",
        "Ketik nama kabupaten atau kota Anda.",
        "Ketik nama kecamatan Anda.",
        "Ketik nama desa atau kelurahan Anda.",
        "Periksa data Anda:\nNama: Budi Santoso\nNomor HP: +6281234567890\nDesa/kelurahan: Sukamaju\n"
        "Kecamatan: Ceper\nKabupaten/kota: Klaten\nProvinsi: Jawa Tengah\nZona waktu: WIB\n\nApakah sudah benar?",
        replies[-1],
    ]
    assert replies[-1].startswith("Terima kasih, Budi Santoso! Anda sudah terdaftar sebagai petani.")
    assert "/help — Apa yang bisa saya bantu" in replies[-1]

    person = await people.by_telegram_id(world.db, 101)
    assert person.full_name == "Budi Santoso"
    assert person.phone == "+6281234567890"
    assert person.roles == {Role.FARMER}
    assert person.language == "id" and person.timezone == "Asia/Jakarta"
    area = await areas.by_id(world.db, person.area_id)
    assert (area.province, area.regency, area.district, area.village) == ("Jawa Tengah", "Klaten", "Ceper", "Sukamaju")


async def test_farmer_registers_in_english_and_zone_follows_province(world):
    ketut = world.person(102, "Ketut", language_code="en")
    replies = await register_farmer(ketut, name="Ketut Arsana", province="bali", place=("Gianyar", "Ubud", "Peliatan"), language="English")

    assert replies[1] == "Who are you?"
    assert "Province: Bali\nTime zone: WITA" in replies[-2]
    assert replies[-1].startswith("Thank you, Ketut Arsana! You are registered as a farmer.")
    person = await people.by_telegram_id(world.db, 102)
    assert (person.language, person.timezone) == ("en", "Asia/Makassar")


async def test_buttons_close_after_a_press_showing_the_choice(world):
    budi = world.person(103)
    await budi.send("/start")
    await budi.press("Bahasa Indonesia")
    question = world.telegram.messages[103][0]
    assert question.text.endswith("✅ Bahasa Indonesia")
    assert not question.reply_markup  # cannot be pressed twice


async def test_someone_elses_contact_is_refused(world):
    budi = world.person(104)
    await budi.send("/start")
    await budi.press("Bahasa Indonesia")
    await budi.press("Saya petani")
    replies = await budi.share_contact(PHONE, user_id=999)

    assert replies == [
        "Itu nomor HP orang lain. Silakan bagikan nomor Anda sendiri dengan tombol di bawah.",
        "Tekan tombol di bawah untuk membagikan nomor HP Anda kepada koperasi.",
    ]
    assert budi.reply_keyboard()[0]["request_contact"] is True
    assert await people.by_phone(world.db, "+" + PHONE) is None
    # the own number is still accepted afterwards
    assert await budi.share_contact(PHONE) == ["Siapa nama lengkap Anda?"]


async def test_typed_phone_number_asks_for_the_button(world):
    budi = world.person(105)
    await budi.send("/start")
    await budi.press("Bahasa Indonesia")
    await budi.press("Saya petani")
    replies = await budi.send("081234567890")
    assert replies[0].startswith("Silakan pakai tombol di bawah")
    assert replies[1] == "Tekan tombol di bawah untuk membagikan nomor HP Anda kepada koperasi."


async def test_bad_answers_get_a_clear_reply_and_the_question_again(world):
    budi = world.person(106)
    for step in ("/start",):
        await budi.send(step)
    assert await budi.send("halo") == ["Silakan tekan salah satu tombol di atas, atau kirim /cancel untuk berhenti."]
    await budi.press("Bahasa Indonesia")
    await budi.press("Saya petani")
    await budi.share_contact(PHONE)
    assert await budi.send("123") == [
        "Silakan ketik nama Anda dengan huruf (2 sampai 60 karakter).\nSiapa nama lengkap Anda?"
    ]
    await budi.send("Budi")
    assert await budi.send("Atlantis") == [
        'Saya tidak mengenal provinsi "Atlantis". Silakan ketik lagi, misalnya: Jawa Timur.'
    ]
    assert await budi.send("jawa tenga") == ["Apakah maksud Anda salah satu provinsi ini?"]
    assert await budi.press("Jawa Tengah") == ["Ketik nama kabupaten atau kota Anda."]
    assert await budi.send("42") == [
        "Silakan ketik namanya dengan huruf (2 sampai 60 karakter).\nKetik nama kabupaten atau kota Anda."
    ]


async def test_second_farmer_picks_a_known_village(world):
    await register_farmer(world.person(107))
    siti = world.person(108, "Siti")
    await siti.send("/start")
    await siti.press("Bahasa Indonesia")
    await siti.press("Saya petani")
    await siti.share_contact("6285700000001")
    await siti.send("Siti Aminah")
    replies = await siti.send("Jateng")
    assert replies == ["Tekan nama desa Anda jika ada di daftar. Jika tidak ada, ketik nama kabupaten atau kota Anda."]
    replies = await siti.press("Sukamaju, Kec. Ceper")
    assert "Desa/kelurahan: Sukamaju\nKecamatan: Ceper\nKabupaten/kota: Klaten" in replies[0]
    await siti.press("✅ Ya, simpan")
    first, second = await people.by_telegram_id(world.db, 107), await people.by_telegram_id(world.db, 108)
    assert first.area_id == second.area_id


async def test_changing_details_goes_back_to_the_name(world):
    budi = world.person(109)
    replies = await register_farmer(budi, place=("Klaten", "Ceper", "Sukamaju"))
    assert replies[-1].startswith("Terima kasih")
    # a new person who says "no" at the summary starts again from the name
    rina = world.person(110)
    await rina.send("/start")
    await rina.press("Bahasa Indonesia")
    await rina.press("Saya petani")
    await rina.share_contact("6285700000002")
    await rina.send("Rina")
    await rina.send("Jawa Barat")
    for answer in ("Bogor", "Ciawi", "Bendungan"):
        await rina.send(answer)
    assert await rina.press("✏️ Bukan, ubah") == ["Mari kita ulangi dari nama Anda.\nSiapa nama lengkap Anda?"]
    await rina.send("Rina Marlina")
    await rina.send("Jawa Barat")
    for answer in ("Bogor", "Ciawi", "Bendungan"):
        await rina.send(answer)
    await rina.press("✅ Ya, simpan")
    assert (await people.by_telegram_id(world.db, 110)).full_name == "Rina Marlina"


@pytest.mark.parametrize("language", ["Bahasa Indonesia", "English"])
async def test_member_is_linked_to_the_roster_by_phone(world, language):
    await roster.add(world.db, org_id=1, member_number="A-001", full_name="Sri Wahyuni", phone="+6281311112222")
    sri = world.person(111, "Sri")
    replies = await register_member(sri, "6281311112222", language)
    expected = {
        "Bahasa Indonesia": "Selamat datang, Sri Wahyuni! Anda sudah terdaftar sebagai anggota Koperasi Merah Putih.",
        "English": "Welcome, Sri Wahyuni! You are registered as a member of Koperasi Merah Putih.",
    }[language]
    assert replies[-1].startswith(expected)
    person = await people.by_telegram_id(world.db, 111)
    assert person.roles == {Role.MEMBER}
    row = await world.db.fetchone("SELECT person_id FROM roster WHERE member_number = 'A-001'")
    assert row["person_id"] == person.id


async def test_member_not_on_roster_is_told_what_to_do(world):
    dewi = world.person(112)
    replies = await register_member(dewi, "6281399998888")
    assert replies[-1].startswith("Nomor +6281399998888 belum ada di daftar anggota koperasi mana pun.")
    assert await people.by_telegram_id(world.db, 112) is None


async def test_a_phone_held_by_another_account_is_refused(world):
    await register_farmer(world.person(113))
    other = world.person(114)
    replies = await register_farmer(other, name="Orang Lain")
    assert replies[-1].startswith("Nomor HP ini sudah terdaftar di akun Telegram lain.")
    assert await people.by_telegram_id(world.db, 114) is None


async def test_registered_person_is_welcomed_back(world):
    await register_farmer(world.person(115))
    replies = await world.person(115).send("/start")
    assert replies[0].startswith("Selamat datang kembali, Budi Santoso!")


async def test_member_takes_the_zone_of_their_cooperative(world):
    from storage import orgs

    coop = await orgs.add(world.db, code="kop-makassar", name="Koperasi Buruh Makassar", kind="coop_primary", parent_code=None, province="Sulawesi Selatan")
    await roster.add(world.db, org_id=coop.id, member_number="M-1", full_name="Andi Baso", phone="+6281355550000")
    replies = await register_member(world.person(116), "6281355550000")
    assert replies[-1].startswith("Selamat datang, Andi Baso! Anda sudah terdaftar sebagai anggota Koperasi Buruh Makassar.")
    person = await people.by_telegram_id(world.db, 116)
    assert (person.org_id, person.timezone) == (coop.id, "Asia/Makassar")
