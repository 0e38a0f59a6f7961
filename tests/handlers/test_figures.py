"""/rekap: an administrator of Koperasi Tani Klaten reads November's figures (the numbers
tests/market_seed.py put in), moves between periods with the buttons and a typed range; a
treasurer reads them too; a farmer is refused; a forged period button is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.people import Role
from handlers import kit
from storage import people
from tests import market_seed as m
from tests.texts import said


async def _officer(world, user_id, role, org_id=m.KLATEN):
    async with world.db.transaction(bookkeeping=True) as conn:
        person = await people.insert_person(
            conn, telegram_user_id=user_id, chat_id=user_id, full_name="Wati Lestari",
            phone=f"+62812{user_id:07d}", language="id", timezone="Asia/Jakarta", org_id=org_id,
        )  # fmt: skip
        await people.add_role(conn, person, role)
    return world.person(user_id)


@pytest.fixture
async def market(world, monkeypatch):
    monkeypatch.setattr(kit, "clock", lambda: datetime(2026, 12, 4, 3, tzinfo=UTC))
    await m.seed(world.db)
    return world


NOVEMBER = [
    "Rekap Koperasi Tani Klaten\nNovember 2026",
    "Dibeli: Rp30.203.400 dari 2 petani di 2 desa\n"
    "• Cabai merah, Mutu A: 200 kg, rata-rata Rp32.000 per kg\n"
    "• Gabah, GKP (gabah kering panen): 3.500,5 kg, rata-rata Rp6.800 per kg (HPP Rp6.500)",
    "Terjual (sudah difakturkan): Rp18.750.000\n• Gabah: 2.500 kg, Rp18.750.000",
    "Margin: Rp1.750.000\n• Gabah: Rp1.750.000 (jual Rp18.750.000, modal Rp17.000.000)",
]


async def test_an_administrator_reads_the_month_and_moves_between_periods(market):
    wati = await _officer(market, 901, Role.ADMIN)
    december = (await wati.send("/rekap"))[0].split("\n\n")
    assert december[0] == "Rekap Koperasi Tani Klaten\nDesember 2026"
    assert december[1] == "Dibeli: belum ada pada periode ini."
    owed = "Utang ke petani saat ini: Rp13.203.400 (1 tanda terima belum dibayar)\nPiutang pembeli saat ini: Rp13.750.000 (1 faktur belum lunas)"
    assert december[-1] == owed
    assert wati.buttons()[-4:] == ["Minggu ini", "Bulan ini", "Bulan lalu", "📅 Tanggal lain"]

    november = (await wati.press("Bulan lalu"))[0].split("\n\n")
    assert november[:4] == NOVEMBER
    assert november[-1] == owed
    assert november[4] == (
        "Stok di gudang saat ini: Rp13.203.400 (harga pokok)\n• Gudang Ceper: 1.200,5 kg, Rp13.203.400"
    )

    first_half = (await wati.send("/rekap 1-15 Nov"))[0].split("\n\n")
    assert first_half[0] == "Rekap Koperasi Tani Klaten\n1 Nov 2026 sampai 15 Nov 2026"
    assert first_half[1] == (
        "Dibeli: Rp23.803.400 dari 2 petani di 2 desa\n"
        "• Gabah, GKP (gabah kering panen): 3.500,5 kg, rata-rata Rp6.800 per kg (HPP Rp6.500)"
    )
    assert first_half[2] == "Terjual: belum ada faktur pada periode ini."

    assert await wati.press("📅 Tanggal lain") == [
        "Ketik /rekap lalu tanggalnya. Misalnya /rekap 1-15 Nov."
    ]
    assert await wati.send("/rekap kemarin") == [
        said("I could not read those dates. Type them like this: 1-15 Nov, or November.")
    ]
    assert (await wati.press("Minggu ini"))[0].startswith(
        "Rekap Koperasi Tani Klaten\n30 Nov 2026 sampai 6 Des 2026\n\nDibeli: belum ada"
    )


async def test_a_treasurer_reads_them_and_the_root_sees_the_cooperatives_below(market):
    tari = await _officer(market, 902, Role.TREASURER)
    assert (await tari.send("/rekap November"))[0].split("\n\n")[:4] == NOVEMBER
    root = await _officer(market, 903, Role.ADMIN, org_id=1)
    both = (await root.send("/rekap nov"))[0].split("\n\n")
    assert both[0] == "Rekap Koperasi Merah Putih dan 2 koperasi di bawahnya\nNovember 2026"
    assert both[1].startswith("Dibeli: Rp64.203.400 dari 3 petani di 3 desa")
    other = await _officer(market, 904, Role.ADMIN, org_id=m.OTHER)
    alone = (await other.send("/rekap nov"))[0].split("\n\n")
    assert alone[1].startswith("Dibeli: Rp34.000.000 dari 1 petani di 1 desa")
    assert alone[2] == "Terjual: belum ada faktur pada periode ini."


async def test_a_farmer_is_refused_and_a_forged_button_too(market):
    budi = await _officer(market, 905, Role.FARMER)
    assert await budi.send("/rekap") == [said("Sorry, this command is not available to you.")]
    wati = await _officer(market, 906, Role.ADMIN)
    await wati.send("/rekap")
    sent, _data = wati.button("Bulan ini")
    assert await wati.press_data(sent, "rkp:20261131x20261201") == []
    answered = market.telegram.calls_of("answerCallbackQuery")[-1].params
    assert answered["text"] == said("This button is no longer active.")
    assert await wati.press_data(sent, "rkp:20250101x20261201") == []  # longer than a year
