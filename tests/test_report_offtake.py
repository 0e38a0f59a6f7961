"""`koperasi-bot report offtake`: the market's figures of November as a workbook, read back:
the sheets, their headers, the figures tests/market_seed.py put in, a text that looks like
a formula kept as text, and the weekly chart as an image."""

from __future__ import annotations

import asyncio
import datetime as dt

import openpyxl
import pytest

from bot.cli import main
from tests import market_seed as m


async def _seed(path):
    async with m.seeded(path) as db:
        async with db.transaction(bookkeeping=True) as conn:
            await conn.execute(
                "UPDATE people SET full_name = '=HYPERLINK(\"x\")' WHERE full_name = 'Sri Santoso'"
            )


@pytest.fixture
def cli(monkeypatch, tmp_path, capsys):
    path = str(tmp_path / "k.sqlite3")
    asyncio.run(_seed(path))
    monkeypatch.chdir(tmp_path)
    for key in ("TELEGRAM_BOT_TOKEN", "KOPERASI_DB_PATH", "KOPERASI_BOT_USERNAME"):
        monkeypatch.delenv(key, raising=False)

    def run(*args):
        code = main(["--db", path, "report", "offtake", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _rows(book, title):
    return [list(row) for row in book[title].iter_rows(values_only=True)]


def test_a_month_as_a_workbook(cli, tmp_path):
    target = tmp_path / "rekap-november.xlsx"
    code, out, err = cli(
        "--org", "klaten", "--from", "2026-11-01", "--to", "2026-11-30", str(target)
    )
    assert (code, err) == (0, "")
    assert out.startswith(
        "rekap-november.xlsx: purchases 3, sales 1, lots 1, stock 2, payables 1, weeks 6 rows"
    )
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == [
        "Pembelian",
        "Penjualan per pembeli",
        "Lot dan margin",
        "Stok",
        "Belum dibayar kepada petani",
        "Volume per minggu",
    ]
    purchases = _rows(book, "Pembelian")
    assert purchases[0][:7] == [
        "Desa",
        "Kode desa",
        "Hasil panen",
        "Mutu",
        "Jumlah",
        "Satuan",
        "Nilai (Rp)",
    ]
    assert purchases[1:] == [
        ["Kujon", m.KUJON, "cabai_merah", "A", 200, "kg", m.NOV_CABAI_RP, 32000, None, 1, 1],
        ["Kujon", m.KUJON, "gabah", "GKP", 1500, "kg", 10_200_000, 6800, 6500, 1, 1],
        ["Temuwangi", m.TEMUWANGI, "gabah", "GKP", 2000.5, "kg", 13_603_400, 6800, 6500, 1, 1],
    ]
    assert _rows(book, "Penjualan per pembeli")[1] == [
        "Bulog Kanwil Jateng",
        1,
        2500,
        m.SOLD_RP,
        m.OWED_BY_BUYERS,
    ]
    assert _rows(book, "Lot dan margin")[1] == [
        1,
        "Bulog Kanwil Jateng",
        "gabah",
        "GKP",
        3000,
        m.SOLD_RP,
        m.COST_RP,
        1_750_000,
    ]
    assert _rows(book, "Stok")[1:] == [
        ["Gudang Ceper", "cabai_merah", "A", 200, 6_400_000],
        ["Gudang Ceper", "gabah", "GKP", 1000.5, 6_803_400],
    ]
    payables = _rows(book, "Belum dibayar kepada petani")
    assert payables[1][1:7] == [
        '=HYPERLINK("x")',
        "Temuwangi",
        "gabah",
        "GKP",
        2000.5,
        m.OWED_TO_FARMERS,
    ]
    assert book["Belum dibayar kepada petani"]["B2"].data_type == "s"  # text, never a formula
    assert payables[1][7].date() == dt.date(2026, 11, 12)
    weeks = _rows(book, "Volume per minggu")
    assert weeks[0] == ["Minggu mulai", "Dibeli", "Terjual"] and len(weeks) == 7
    assert [w[1:] for w in weeks[3:6]] == [[3500.5, 0], [200, 0], [0, 2500]]
    assert len(book["Volume per minggu"]._images) == 1


def test_bad_periods_and_organisations(cli, tmp_path):
    target = str(tmp_path / "x.xlsx")
    assert (
        cli("--org", "klaten", "--from", "2026-11-30", "--to", "2026-11-01", target)[2]
        == "koperasi-bot: --to is before --from\n"
    )
    assert (
        "longer than"
        in cli("--org", "klaten", "--from", "2025-01-01", "--to", "2026-11-01", target)[2]
    )
    assert (
        "no organisation"
        in cli("--org", "nowhere", "--from", "2026-11-01", "--to", "2026-11-02", target)[2]
    )
