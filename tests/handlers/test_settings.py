"""/language and /settings: language, time zone and village."""

from __future__ import annotations

from storage import people
from tests.handlers.flows import register_farmer
from tests.texts import said


async def test_language_switch_changes_every_later_reply_and_the_menu(world):
    budi = world.person(501)
    await register_farmer(budi)
    assert await budi.send("/language") == [said("Choose your language:")]
    assert await budi.press("English") == ["OK. I will speak English with you."]
    assert (await people.by_telegram_id(world.db, 501)).language == "en"
    assert (await budi.send("/help"))[0].startswith("Here is what you can do:")
    menu = world.telegram.calls_of("setMyCommands")[-1].params
    assert {"command": "help", "description": "See what I can do for you"} in menu["commands"]


async def test_settings_shows_and_changes_the_time_zone(world):
    budi = world.person(502)
    await register_farmer(budi)
    assert await budi.send("/settings") == [
        "Pengaturan Anda:\nBahasa: Bahasa Indonesia\nZona waktu: WIB\nDesa: Kujon, Kec. Ceper, Kabupaten Klaten, Jawa Tengah"
    ]
    await budi.press("Zona waktu")
    question = budi.texts()[-1]
    assert (
        "WITA: Bali, Nusa Tenggara, Kalimantan Selatan, Kalimantan Timur, Kalimantan Utara, Sulawesi."
        in question
    )
    assert await budi.press("WITA") == ["Baik. Waktu akan ditampilkan dalam WITA."]
    assert (await people.by_telegram_id(world.db, 502)).timezone == "Asia/Makassar"


async def test_settings_changes_the_village_and_its_zone(world):
    budi = world.person(503)
    await register_farmer(budi)
    await budi.send("/settings")
    assert await budi.press("Desa") == [
        said("Type the name of your province. For example: Jawa Tengah.")
    ]
    await budi.send("Papua")
    assert (await budi.send("Jayapura"))[0].startswith(
        "Pilih kabupaten atau kota Anda."
    )  # Kab. and Kota
    await budi.press("Kota Jayapura")
    await budi.send("Abepura")
    replies = await budi.send("Kota Baru")
    assert (
        replies[-1]
        == "Baik. Desa Anda sekarang Kota Baru, Kec. Abepura, Kota Jayapura, Papua (zona waktu WIT)."
    )
    person = await people.by_telegram_id(world.db, 503)
    assert (person.timezone, person.village_code) == ("Asia/Jayapura", "91.71.03.1012")


async def test_settings_need_registration(world):
    assert await world.person(504).send("/settings") == [
        said("Please register first: send /start.")
    ]
