"""/harga and /langganan: the cooperative's prices for the person's village beside HPP and
a market price, the change since the last version, a name typed forgivingly, a button to
sell at that price; subscriptions that follow what a farmer sells and stop in one tap."""

from __future__ import annotations

from datetime import UTC, datetime

from storage import people, prices, subscriptions
from storage.prices import MARKET
from tests.handlers.flows import YES_ID, register_farmer
from tests.handlers.test_offer import START, _prices

KUJON = "33.10.11.2004"


async def _farmer(world, user_id=1101, **kwargs):
    await _prices(world)  # cabai merah A/B/C in Kab. Klaten from 1 Jan 2025; gabah GKP in Jateng
    budi = world.person(user_id, "Budi", **kwargs)
    await register_farmer(
        budi, phone=f"62812000{user_id:05d}", **({"language": "English"} if kwargs else {})
    )
    return budi


async def test_harga_lists_the_village_prices_beside_hpp_with_the_change(world):
    budi = await _farmer(world)
    await world.db.write(
        prices.set_price, commodity="gabah", grade="GKP", area_prefix="33.10", price_rupiah=6800,
        valid_from=datetime(2025, 2, 1, tzinfo=UTC), source="Koperasi Tani Klaten",
    )  # fmt: skip
    await world.db.write(
        prices.set_price, commodity="cabai_merah", grade="A", area_prefix="33", price_rupiah=35000,
        valid_from=datetime(2025, 3, 1, tzinfo=UTC), source="Pasar Induk Klaten", kind=MARKET,
    )  # fmt: skip
    text = (await budi.send("/harga"))[0].splitlines()
    assert text[0].startswith("Harga beli koperasi di Kujon, ")
    assert text[1:5] == [
        "Cabai merah, Mutu A: Rp32.000 per kg (1 Jan 2025, koperasi) · pasar Rp35.000",
        "Cabai merah, Mutu B: Rp28.000 per kg (1 Jan 2025, koperasi)",
        "Cabai merah, Mutu C: Rp20.000 per kg (1 Jan 2025, koperasi)",
        "Gabah, GKP (gabah kering panen): Rp6.800 per kg ▲ Rp300 (1 Feb 2025, Koperasi Tani Klaten) · HPP Rp6.500",
    ]
    assert (
        text[-1] == "Untuk satu hasil panen saja, kirim /harga dan namanya, misalnya /harga cabai."
    )


async def test_a_commodity_typed_forgivingly_with_a_button_to_sell_at_that_price(world):
    budi = await _farmer(world)
    replies = await budi.send("/harga cabe")  # both chillies: only the red one is bought here
    assert replies[0].startswith("Harga beli koperasi di Kujon, ")
    assert replies[0].splitlines()[1].startswith("Cabai merah, Mutu A: Rp32.000 per kg")
    assert replies[0].endswith(
        "Setelah Anda menjual, harga ini dijamin koperasi paling lama 7 hari."
    )
    assert replies[1] == "Koperasi sekarang tidak membeli Cabai rawit di desa Anda."
    assert (
        (await budi.send("/harga Cabai Merah"))[0].splitlines()[1].startswith("Cabai merah, Mutu A")
    )
    assert (await budi.send("/harga jagumg"))[0].startswith(
        "Koperasi sekarang tidak membeli Jagung"
    )
    assert (await budi.send("/harga xyz"))[0].startswith('Saya tidak mengenal "xyz".')

    await budi.send("/harga cabai merah")
    assert budi.buttons()[-3:] == [
        "💰 Jual cabai merah dengan harga ini",
        "📈 30 hari",
        "📈 90 hari",
    ]
    grade_question = (await budi.press("💰 Jual cabai merah dengan harga ini"))[-1]
    assert grade_question.startswith("Pilih mutu cabai merah Anda.")
    await budi.press("Mutu A")
    await budi.send("50 kg")
    await budi.press("Besok")
    await budi.tap("🏠 Di desa saya, Kujon")
    assert (await budi.press(YES_ID))[0].startswith("Tawaran Anda sudah disimpan.")


async def test_a_farmer_is_subscribed_to_what_they_sell_and_stops_in_one_tap(world):
    budi = await _farmer(world)
    farmer = await people.by_telegram_id(world.db, 1101)
    assert await subscriptions.of_person(world.db, farmer.id) == []
    await budi.send("/jual")
    await budi.press("Gabah")
    await budi.send("1 ton")
    await budi.press("Besok")
    await budi.tap("🏠 Di desa saya, Kujon")
    await budi.press(YES_ID)
    assert await subscriptions.of_person(world.db, farmer.id) == ["gabah"]

    shown = await budi.send("/langganan")
    assert shown[0].startswith("🔔 harganya dikirim setiap pagi pukul 06.00")
    assert budi.buttons()[-3:] == ["🔔 Gabah", "🔕 Cabai merah", "🔕 Matikan semua"]
    assert await budi.press("🔕 Cabai merah") == [
        "Anda akan menerima harga cabai merah setiap pagi."
    ]
    assert await subscriptions.of_person(world.db, farmer.id) == ["cabai_merah", "gabah"]
    assert await budi.press("🔔 Gabah") == ["Anda tidak akan menerima harga gabah lagi."]
    assert await subscriptions.of_person(world.db, farmer.id) == ["cabai_merah"]
    # /harga now shows what they follow
    assert all(
        line.startswith(("Harga", "Cabai", "", "Kirim"))
        for line in (await budi.send("/harga"))[0].splitlines()
    )
    await budi.send("/langganan")
    assert (await budi.press("🔕 Matikan semua"))[-1].startswith(
        "Baik. Harga pagi tidak dikirim lagi."
    )
    assert await subscriptions.of_person(world.db, farmer.id) == []


async def test_in_english(world):
    ketut = await _farmer(world, 1102, language_code="en")
    text = (await ketut.send("/harga gabah"))[0].splitlines()[1]
    assert text.startswith(
        "Unhusked rice, GKP (freshly harvested): Rp6,500 per kg (1 Jan 2025, the cooperative) · HPP Rp6,500"
    )
    assert START.year == 2025 and KUJON.startswith("33.10")


async def test_the_trend_chart_is_a_png_with_the_cooperative_price_beside_hpp(world):
    import struct

    budi = await _farmer(world)
    await budi.send("/harga gabah")
    replies = await budi.press("📈 30 hari")
    assert replies == ["Gabah, GKP (gabah kering panen), 30 hari terakhir, Kujon"]  # the caption
    call = world.telegram.calls_of("sendPhoto")[-1]
    _name, png = call.files["photo"]
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (800, 500) and len(png) < 100_000
    sent = world.telegram.messages[1101][-2]
    await budi.press_data(sent, "grafik:45_gabah")  # a period never offered
    assert len(world.telegram.calls_of("sendPhoto")) == 1
