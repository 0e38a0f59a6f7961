"""Farmers and members registering, in both languages, with the mistakes people make."""

from __future__ import annotations

import pytest

from domain.people import Role
from storage import people, roster
from tests.handlers.flows import FARMER_ID, PHONE, YES_ID, register_farmer, register_member
from tests.texts import said


async def test_farmer_registers_in_indonesian(world):
    """The one test that reads a whole registration, word for word."""
    budi = world.person(101, "Budi")
    replies = await register_farmer(budi)

    assert replies == [
        "Selamat datang di bot koperasi. Pilih bahasa Anda:",
        "Anda mendaftar sebagai apa?\n🌾 Petani: menjual hasil panen atau ternak ke koperasi.\n👷 Anggota serikat pekerja: punya simpanan di koperasi serikat Anda.",
        "Tekan tombol 📱 Kirim nomor HP saya di bawah. Lalu setujui jika Telegram bertanya.",
        "Siapa nama lengkap Anda?",
        "Ketik nama provinsi Anda. Contoh: Jawa Tengah.",
        "✅ Jawa Tengah\nKetik nama kabupaten atau kota Anda. Contoh: Klaten.",
        "✅ Kabupaten Klaten\nKetik nama kecamatan Anda.",
        "✅ Ceper\nKetik nama desa atau kelurahan Anda.",
        "Periksa data Anda:\nNama: Budi Santoso\nNomor HP: 0812-3456-7890\nDesa/kelurahan: Kujon\n"
        "Kecamatan: Ceper\nKabupaten/kota: Kabupaten Klaten\nProvinsi: Jawa Tengah\nZona waktu: WIB\n\nApakah sudah benar?",
        replies[-1],
    ]
    assert replies[-1].startswith(
        "Terima kasih, Budi Santoso! Anda sudah terdaftar sebagai petani."
    )
    assert "/help — Lihat apa yang bisa saya bantu" in replies[-1]

    person = await people.by_telegram_id(world.db, 101)
    assert person.full_name == "Budi Santoso"
    assert person.phone == "+6281234567890"
    assert person.roles == {Role.FARMER}
    assert person.language == "id" and person.timezone == "Asia/Jakarta"
    assert person.village_code == "33.10.11.2004"


async def test_farmer_registers_in_english_and_zone_follows_province(world):
    ketut = world.person(102, "Ketut", language_code="en")
    replies = await register_farmer(
        ketut,
        name="Ketut Arsana",
        province="bali",
        place=("Gianyar", "Ubud", "Peliatan"),
        language="English",
    )

    assert replies[1].startswith("What do you want to register as?")
    assert "Province: Bali\nTime zone: WITA" in replies[-2]
    assert replies[-1].startswith("Thank you, Ketut Arsana! You are registered as a farmer.")
    person = await people.by_telegram_id(world.db, 102)
    assert (person.language, person.timezone, person.village_code) == (
        "en",
        "Asia/Makassar",
        "51.04.05.2006",
    )


async def test_buttons_close_after_a_press_showing_the_choice(world):
    budi = world.person(103)
    await budi.send("/start")
    await budi.press("Bahasa Indonesia")
    question = world.telegram.messages[103][0]
    assert question.text.endswith("✅ Bahasa Indonesia")
    assert not question.reply_markup  # cannot be pressed twice


async def _to_contact(who):
    await who.send("/start")
    await who.press("Bahasa Indonesia")
    await who.press(FARMER_ID)


async def test_someone_elses_contact_is_refused(world):
    budi = world.person(104)
    await _to_contact(budi)
    replies = await budi.share_contact(PHONE, user_id=999)

    assert replies[0].startswith("Itu nomor HP orang lain.")
    assert replies[1].startswith("Tekan tombol 📱 Kirim nomor HP saya")
    assert budi.reply_keyboard()[0]["request_contact"] is True
    assert await people.by_phone(world.db, "+" + PHONE) is None
    assert await budi.share_contact(PHONE) == [
        said("What is your full name?")
    ]  # the own number still works


async def test_typed_phone_number_asks_for_the_button(world):
    budi = world.person(105)
    await _to_contact(budi)
    replies = await budi.send("081234567890")
    assert replies[0].startswith("Nomor yang diketik tidak bisa dipakai.")
    assert replies[1].startswith("Tekan tombol 📱 Kirim nomor HP saya")


async def _to_place(who, phone=PHONE):
    await _to_contact(who)
    await who.share_contact(phone)
    await who.send("Budi Santoso")


async def test_bad_answers_get_a_clear_reply_and_the_question_again(world):
    budi = world.person(106)
    await budi.send("/start")
    assert (await budi.send("halo"))[0].startswith("Silakan tekan salah satu tombol di atas.")
    await budi.press("Bahasa Indonesia")
    await budi.press(FARMER_ID)
    await budi.share_contact(PHONE)
    assert await budi.send("123") == [
        "Ketik nama Anda dengan huruf, 2 sampai 60 huruf.\nSiapa nama lengkap Anda?"
    ]
    await budi.send("Budi")
    replies = await budi.send("Atlantis")
    assert replies == [
        'Saya tidak menemukan "Atlantis". Periksa ejaannya, lalu ketik lagi.\nKetik nama provinsi Anda. Contoh: Jawa Tengah.'
    ]


async def test_a_typo_gets_buttons_and_a_pick_goes_on(world):
    budi = world.person(120)
    await _to_place(budi)
    assert (await budi.send("jawa tenga"))[0].startswith("Pilih provinsi Anda.")
    assert await budi.press("Jawa Tengah") == [
        "Ketik nama kabupaten atau kota Anda. Contoh: Klaten."
    ]
    await budi.send("kab klaten")
    assert (await budi.send("cepper"))[0].startswith("Pilih kecamatan Anda.")
    await budi.press("Ceper")
    await budi.send("kujon")
    await budi.press(YES_ID)
    assert (await people.by_telegram_id(world.db, 120)).village_code == "33.10.11.2004"


async def test_a_shared_name_is_never_guessed(world):
    budi = world.person(121)
    await _to_place(budi)
    await budi.send("Jawa Barat")
    replies = await budi.send("Bandung")
    assert replies[0].startswith("Pilih kabupaten atau kota Anda.")
    assert {"Kab. Bandung", "Kota Bandung", "Tidak ada yang cocok"} <= set(budi.buttons())
    await budi.press("Kota Bandung")
    assert budi.take_new() == []
    assert (
        "Kota Bandung" in world.telegram.messages[121][-2].text
    )  # the pick is shown on the question


async def test_a_village_that_does_not_exist_is_not_saved(world):
    budi = world.person(122)
    await _to_place(budi)
    for answer in ("Jawa Tengah", "Klaten", "Ceper"):
        await budi.send(answer)
    replies = await budi.send("Sukamaju")  # no such desa in Kec. Ceper
    assert replies[0].startswith('Saya tidak menemukan "Sukamaju".')
    assert replies[0].endswith("Ketik nama desa atau kelurahan Anda.")
    assert await people.by_telegram_id(world.db, 122) is None


async def test_an_answer_meant_for_another_question_cannot_shift_the_fields(world):
    """The district question came twice (a repeat after a crash): "Klaten" typed again at
    the district question is no kecamatan, so it is offered as candidates, never saved."""
    budi = world.person(123)
    await _to_place(budi)
    await budi.send("Jawa Tengah")
    await budi.send("Klaten")
    replies = await budi.send("Klaten")  # the answer to the regency question, once more
    assert replies[0].startswith("Pilih kecamatan Anda.")
    await budi.send("Ceper")  # typing at a pick searches again: the person goes on
    await budi.send("Kujon")
    assert "Kecamatan: Ceper\nKabupaten/kota: Kabupaten Klaten" in budi.texts()[-1]


async def test_a_button_from_an_earlier_question_is_refused(world):
    budi = world.person(124)
    await _to_place(budi)
    await budi.send("jawa tenga")
    old, data = budi.button("Jawa Tengah")
    await budi.press("Jawa Tengah")
    await budi.send("Klaten")
    await budi.press_data(old, data)  # the province button again, at the district question
    answers = world.telegram.calls_of("answerCallbackQuery")
    assert answers[-1].params.get("text") == said("This button is no longer active.")
    await budi.send("Ceper")
    await budi.send("Kujon")
    assert "Desa/kelurahan: Kujon" in budi.texts()[-1]


async def test_changing_details_goes_back_to_the_name(world):
    rina = world.person(110)
    await _to_place(rina, "6285700000002")
    for answer in ("Jawa Barat", "Kota Bogor", "Bogor Selatan", "Batutulis"):
        await rina.send(answer)
    assert await rina.press("✏️ Tidak, ubah") == [
        "Baik, kita ulangi.",
        said("What is your full name?"),
    ]
    await rina.send("Rina Marlina")
    for answer in ("Jawa Barat", "Kota Bogor", "Bogor Selatan", "Batutulis"):
        await rina.send(answer)
    await rina.press(YES_ID)
    assert (await people.by_telegram_id(world.db, 110)).full_name == "Rina Marlina"


async def test_places_typed_before_codes_are_matched_or_flagged(world):
    """The migration: an unambiguous typed place gets its code; one that names nothing real
    is kept, flagged, and the person is asked to pick their village at /start."""
    async with world.db.transaction() as conn:
        for village in ("Kujon", "Sukamaju"):
            cur = await conn.execute(
                "INSERT INTO areas (province, regency, district, village, created_at) VALUES ('Jawa Tengah', 'Klaten', 'Ceper', ?, 0)"
                " RETURNING id",
                (village,),
            )
            await conn.execute(
                "INSERT INTO people (telegram_user_id, chat_id, full_name, phone, org_id, area_id, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, 1, ?, 0, 0)",
                (
                    130 + len(village),
                    130 + len(village),
                    village,
                    f"+62812000{len(village)}",
                    (await cur.fetchone())[0],
                ),
            )
            await conn.execute(
                "INSERT INTO person_roles (person_id, role, granted_at) SELECT id, 'farmer', 0 FROM people WHERE telegram_user_id = ?",
                (130 + len(village),),
            )
    from storage.migrate import migrate

    await migrate(world.db)
    matched, flagged = (
        await people.by_telegram_id(world.db, 135),
        await people.by_telegram_id(world.db, 138),
    )
    assert matched.village_code == "33.10.11.2004" and not matched.needs_village
    assert flagged.village_code is None and flagged.needs_village
    replies = await world.person(138).send("/start")
    assert replies[0].startswith(
        "Selamat datang kembali, Sukamaju! Silakan pilih desa Anda sekali lagi"
    )
    await world.person(138).press("Pilih desa saya")
    for answer in ("Jawa Tengah", "Klaten", "Ceper", "Kujon"):
        await world.person(138).send(answer)
    assert (await people.by_telegram_id(world.db, 138)).village_code == "33.10.11.2004"


@pytest.mark.parametrize("language", ["Bahasa Indonesia", "English"])
async def test_member_is_linked_to_the_roster_by_phone(world, language):
    await world.db.write(
        roster.add, org_id=1, member_number="A-001", full_name="Sri Wahyuni", phone="+6281311112222"
    )
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
    assert replies[-1].startswith(
        "Nomor 0813-9999-8888 tidak ada di daftar anggota koperasi mana pun."
    )
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

    coop_id = await world.db.write(
        orgs.add,
        code="kop-makassar",
        name="Koperasi Buruh Makassar",
        kind="coop_primary",
        parent_code=None,
        covers=("73",),
    )
    await world.db.write(
        roster.add,
        org_id=coop_id,
        member_number="M-1",
        full_name="Andi Baso",
        phone="+6281355550000",
    )
    replies = await register_member(world.person(116), "6281355550000")
    assert replies[-1].startswith(
        "Selamat datang, Andi Baso! Anda sudah terdaftar sebagai anggota Koperasi Buruh Makassar."
    )
    person = await people.by_telegram_id(world.db, 116)
    assert (person.org_id, person.timezone) == (coop_id, "Asia/Makassar")


async def test_an_edited_earlier_message_does_not_answer_the_question_asked_now(world):
    budi = world.person(125)
    await _to_place(budi)
    name_message = next(
        m for m in reversed(world.telegram.calls_of("sendMessage")) if m.params["chat_id"] == 125
    )
    assert name_message.params["text"] == said(
        "Type the name of your province. For example: Jawa Tengah."
    )
    edited = {
        "message_id": 1,
        "date": 0,
        "edit_date": 1,
        "chat": budi.chat,
        "from": budi.user,
        "text": "Jawa Tengah",
    }
    await world.deliver({"edited_message": edited}, budi)
    assert (await budi.send("Jawa Barat"))[0].startswith(
        "✅ Jawa Barat"
    )  # still the province question
