"""/language and /settings: language, time zone and area."""

from __future__ import annotations

from storage import areas, people
from tests.handlers.flows import register_farmer


async def test_language_switch_changes_every_later_reply_and_the_menu(world):
    budi = world.person(501)
    await register_farmer(budi)
    assert await budi.send("/language") == ["Pilih bahasa Anda:"]
    assert await budi.press("English") == ["Done. I will speak English with you."]
    assert (await people.by_telegram_id(world.db, 501)).language == "en"
    assert (await budi.send("/help"))[0].startswith("Here is what you can do:")
    menu = world.telegram.calls_of("setMyCommands")[-1].params
    assert {"command": "help", "description": "What I can do for you"} in menu["commands"]


async def test_settings_shows_and_changes_the_time_zone(world):
    budi = world.person(502)
    await register_farmer(budi)
    assert await budi.send("/settings") == [
        "Pengaturan Anda:\nBahasa: Bahasa Indonesia\nZona waktu: WIB\nWilayah: Sukamaju, Kec. Ceper, Klaten, Jawa Tengah"
    ]
    await budi.press("Zona waktu")
    assert await budi.press("WITA") == ["Selesai. Waktu akan ditampilkan dalam WITA."]
    assert (await people.by_telegram_id(world.db, 502)).timezone == "Asia/Makassar"


async def test_settings_changes_the_area_and_its_zone(world):
    budi = world.person(503)
    await register_farmer(budi)
    await budi.send("/settings")
    assert await budi.press("Wilayah") == ["Anda tinggal di provinsi mana? Ketik namanya, misalnya: Jawa Tengah."]
    await budi.send("Papua")
    await budi.send("Jayapura")
    await budi.send("Abepura")
    replies = await budi.send("Kota Baru")
    assert replies == ["Selesai. Wilayah Anda sekarang Kota Baru, Abepura, Jayapura, Papua (zona waktu WIT)."]
    person = await people.by_telegram_id(world.db, 503)
    assert person.timezone == "Asia/Jayapura"
    assert (await areas.by_id(world.db, person.area_id)).village == "Kota Baru"


async def test_settings_need_registration(world):
    assert await world.person(504).send("/settings") == ["Silakan daftar dulu: kirim /start."]
