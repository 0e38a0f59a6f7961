"""The savings back office from the command line: org savings, members import (CSV and XLSX,
errors first, then clean, then again), deposits import once, exports read back."""

import csv
import datetime as dt

import openpyxl
import pytest

from bot.cli import main
from tests.dbcheck import run_sql


def _cli(monkeypatch, tmp_path, *args):
    monkeypatch.chdir(tmp_path)
    for key in ("TELEGRAM_BOT_TOKEN", "KOPERASI_DB_PATH", "KOPERASI_BOT_USERNAME"):
        monkeypatch.delenv(key, raising=False)
    return main(["--db", str(tmp_path / "k.sqlite3"), *args])


@pytest.fixture
def cli(monkeypatch, tmp_path, capsys):
    def run(*args):
        code = _cli(monkeypatch, tmp_path, *args)
        out, err = capsys.readouterr()
        return code, out, err

    assert run("org", "add", "kop-a", "Koperasi A", "--kind", "coop_primary")[0] == 0
    return run


def _csv(path, rows, delimiter=";"):
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)
    return path


def _xlsx(path, rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


HEADER = ["No Anggota", "Nama", "HP", "Koperasi", "Tanggal Masuk", "Pokok", "Wajib", "Sukarela"]
CLEAN = [
    ["B-1", "Sri Wahyuni", "0813-1111-0001", "kop-a", "2025-05-15", "100.000", "300.000", "250.000"],
    ["B-2", "Budi Santoso", "+62 813 1111 0002", "kop-a", "01/10/2025", "100000", "", ""],
]  # fmt: skip


def _rows_in(tmp_path, table):
    return run_sql(tmp_path / "k.sqlite3", f"SELECT COUNT(*) FROM {table}")[0][0]


def test_org_savings_settings(cli):
    code, out, _ = cli("org", "savings", "--org", "kop-a")
    assert out == (
        "kop-a: no pokok or wajib set\nkop-a: no wajib reminder set\n"
        "kop-a: at most Rp100.000.000 an entry at the desk\n"
    )
    code, _, err = cli("org", "savings", "--org", "kop-a", "--wajib", "50000")
    assert code == 2 and "needs both pokok and wajib" in err
    code, out, _ = cli(
        "org", "savings", "--org", "kop-a", "--pokok", "100.000", "--wajib", "50.000",
        "--from", "2025-01", "--reminder-day", "25", "--reminder-time", "9:00",
    )  # fmt: skip
    assert code == 0
    assert out == (
        "kop-a: from 2025-01: pokok Rp100.000, wajib Rp50.000 a month\n"
        "kop-a: wajib reminder on day 25 at 09:00 where each member lives\n"
        "kop-a: at most Rp100.000.000 an entry at the desk\n"
    )
    code, out, _ = cli("org", "savings", "--org", "kop-a", "--desk-limit", "25 juta")
    assert code == 0 and out.endswith("kop-a: at most Rp25.000.000 an entry at the desk\n")
    code, out, _ = cli("org", "savings", "--org", "kop-a", "--wajib", "75000", "--from", "2026-01")
    assert "from 2026-01: pokok Rp100.000, wajib Rp75.000 a month" in out
    code, _, err = cli("org", "savings", "--org", "kop-a", "--reminder-day", "31", "--reminder-time", "09:00")  # fmt: skip
    assert code == 2 and "reminder day is 1 to 28" in err


def test_members_csv_with_errors_then_clean_then_again(cli, tmp_path):
    bad = _csv(tmp_path / "anggota.csv", [
        ["Daftar anggota Koperasi A"], HEADER, CLEAN[0],
        ["B-2", "Budi Santoso", "0813", "kop-a", "2025-13-01", "1.5", "-5", ""],
        ["B-3", "Siti", "0813-1111-0003", "kop-x", "2025-11-02", "", "", ""],
    ])  # fmt: skip
    code, out, err = cli("members", "import", str(bad))
    assert code == 2 and out == ""
    assert err.splitlines() == [
        "  row 4, column HP (C): not a phone number: '0813'",
        "  row 4, column Tanggal Masuk (E): not a date: '2025-13-01' (write 2024-01-31 or 31/01/2024)",
        "  row 4, column Pokok (F): not whole rupiah: '1.5' (write 1.500.000 or 1500000)",
        "  row 4, column Wajib (G): negative: '-5'",
        "  row 5, column Koperasi (D): no cooperative 'kop-x'",
        "koperasi-bot: anggota.csv: 5 errors in 2 rows; nothing was imported",
    ]
    assert _rows_in(tmp_path, "roster") == 0 and _rows_in(tmp_path, "ledger_entries") == 0

    clean = _csv(tmp_path / "anggota.csv", [HEADER, *CLEAN])
    code, out, _ = cli("members", "import", str(clean))
    assert code == 0
    assert out == (
        "anggota.csv: 2 new, 0 completed, 0 unchanged; 0 linked to registered people\n"
        "opening balances: pokok Rp200.000, wajib Rp300.000, sukarela Rp250.000\n"
    )
    code, out, _ = cli("members", "import", str(clean))
    assert out == "anggota.csv: 0 new, 0 completed, 2 unchanged; 0 linked to registered people\n"
    assert _rows_in(tmp_path, "roster") == 2 and _rows_in(tmp_path, "ledger_entries") == 2
    assert cli("audit", "verify")[0] == 0


def test_members_xlsx_with_real_dates_and_number_cells(cli, tmp_path):
    book = _xlsx(tmp_path / "anggota.xlsx", [
        ["Daftar Anggota", None, None],
        ["member_number", "name", "phone", "join_date", "pokok", "wajib", "sukarela", "Catatan"],
        [7, "Sri Wahyuni", 81311110001, dt.datetime(2025, 5, 15), 100_000, 300_000, None, "ok"],
        ["B-8", "Budi Santoso", "0813-1111-0002", dt.date(2025, 10, 1), 100_000.0, 0, 12.5, None],
    ])  # fmt: skip
    code, _, err = cli("members", "import", str(book), "--org", "kop-a")
    assert code == 2
    assert "row 4, column sukarela (G): not whole rupiah: 12.5" in err
    assert "1 error in 1 row" in err
    _xlsx(tmp_path / "anggota.xlsx", [
        ["member_number", "name", "phone", "join_date", "pokok", "wajib", "sukarela"],
        [7, "Sri Wahyuni", 81311110001, dt.datetime(2025, 5, 15), 100_000, 300_000, None],
        ["B-8", "Budi Santoso", "0813-1111-0002", dt.date(2025, 10, 1), 100_000.0, 0, 25_000],
    ])  # fmt: skip
    code, out, _ = cli("members", "import", str(book), "--org", "kop-a")
    assert out.startswith("anggota.xlsx: 2 new, 0 completed, 0 unchanged")
    code, out, _ = cli("members", "import", str(book), "--org", "kop-a")
    assert out.startswith("anggota.xlsx: 0 new, 0 completed, 2 unchanged")

    # the export, read back: balances per kind; phones as people write them (text, with the
    # leading 0); it imports as unchanged
    assert cli("members", "export", str(tmp_path / "out.xlsx"))[1] == (
        "out.xlsx: 2 members, savings Rp525.000\n"
    )
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx").active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:9] == ["Koperasi", "No Anggota", "Nama", "HP", "Tanggal Masuk", "Pokok",
                           "Wajib", "Sukarela", "Total"]  # fmt: skip
    assert rows[1][:4] == ["kop-a", "7", "Sri Wahyuni", "0813-1111-0001"]
    assert rows[1][4].date() == dt.date(2025, 5, 15) and rows[1][5:9] == [
        100_000,
        300_000,
        0,
        400_000,
    ]
    assert rows[2][5:9] == [100_000, 0, 25_000, 125_000]
    code, out, _ = cli("members", "import", str(tmp_path / "out.xlsx"))
    assert out.startswith("out.xlsx: 0 new, 0 completed, 2 unchanged")


PAYROLL_HEADER = ["No Anggota", "Bulan", "Jumlah", "Jenis"]


def test_deposits_once_and_the_ledger_export(cli, tmp_path):
    cli("members", "import", str(_csv(tmp_path / "anggota.csv", [HEADER, *CLEAN])))
    bad = _csv(tmp_path / "potongan.csv", [
        PAYROLL_HEADER, ["B-1", "2025-11", "50.000", ""], ["B-9", "11/2025", "50000", ""],
        ["B-2", "Nov 2025", "abc", ""],
    ], delimiter=",")  # fmt: skip
    code, _, err = cli("deposits", "import", str(bad), "--org", "kop-a")
    assert code == 2 and err.splitlines() == [
        "  row 3, column No Anggota (A): no such member",
        "  row 4, column Jumlah (C): not whole rupiah: 'abc' (write 1.500.000 or 1500000)",
        "koperasi-bot: potongan.csv: 2 errors in 2 rows; nothing was recorded",
    ]
    payroll = _csv(tmp_path / "potongan.csv", [
        PAYROLL_HEADER, ["B-1", "2025-11", "50.000", ""], ["B-2", "11/2025", "50000", "wajib"],
        ["B-2", "2025-11", "25.000", "sukarela"],
    ], delimiter=",")  # fmt: skip
    code, out, _ = cli(
        "deposits", "import", str(payroll), "--org", "kop-a", "--batch", "gaji-2025-11"
    )
    assert code == 0 and out == (
        "potongan.csv: batch deposits:kop-a:gaji-2025-11 recorded: 3 deposits, Rp125.000"
        " (wajib Rp100.000, sukarela Rp25.000) into receivable, ledger entries 3-5\n"
    )
    again = _xlsx(tmp_path / "potongan.xlsx", [
        PAYROLL_HEADER, ["B-2", "2025-11", 25_000, "Sukarela"], ["B-1", dt.date(2025, 11, 1), 50_000, None],
        ["B-2", "2025-11", 50_000, "wajib"],
    ])  # fmt: skip
    code, _, err = cli("deposits", "import", str(again), "--org", "kop-a")
    assert code == 2
    assert "potongan.xlsx: already recorded on " in err
    assert "as batch deposits:kop-a:gaji-2025-11 (from potongan.csv: 3 deposits, Rp125.000," in err
    assert err.endswith("ledger entries 3-5); nothing was recorded again\n")
    assert _rows_in(tmp_path, "ledger_entries") == 5

    code, out, _ = cli("ledger", "export", str(tmp_path / "buku.csv"), "--org", "kop-a")
    assert out == "buku.csv: 5 entries, debits Rp875.000, credits Rp875.000\n"
    with (tmp_path / "buku.csv").open(encoding="utf-8-sig") as f:
        lines = list(csv.DictReader(f))
    assert [(r["Entry"], r["Account"], r["Debit"], r["Credit"]) for r in lines[-2:]] == [
        ("5", "receivable:2", "25000", ""), ("5", "member:2:sukarela", "", "25000"),
    ]  # fmt: skip
    assert lines[-1]["Reason"] == "Setoran simpanan sukarela bulan November 2025"
    assert lines[-1]["Reference"] == "deposits:kop-a:gaji-2025-11#4"
    code, out, _ = cli("ledger", "export", str(tmp_path / "buku.xlsx"), "--from", "2000-01-01", "--to", "2000-12-31")  # fmt: skip
    assert out == "buku.xlsx: 0 entries, debits Rp0, credits Rp0\n"
    code, _, err = cli("members", "export", str(tmp_path / "out.ods"))
    assert code == 2 and "a spreadsheet is .csv or .xlsx" in err


def test_org_advances_sets_the_ceiling_per_farmer(cli):
    code, out, _ = cli("org", "advances", "--org", "kop-a")
    assert (code, out) == (0, "kop-a: at most Rp5.000.000 owed in advances per farmer\n")
    code, out, _ = cli("org", "advances", "--org", "kop-a", "--max", "2.500.000")
    assert (code, out) == (0, "kop-a: at most Rp2.500.000 owed in advances per farmer\n")
    code, _, err = cli("org", "advances", "--org", "nope")
    assert code != 0 and "no organisation" in err


def test_org_advances_sets_a_hubs_rule_per_village_cooperative(cli):
    assert cli("org", "add", "hub-x", "Hub X", "--kind", "coop_secondary")[0] == 0
    code, out, _ = cli("org", "advances", "--org", "hub-x", "--coop-max", "20.000.000")
    assert code == 0
    assert "hub-x: at most Rp20.000.000 owed to the hub per village cooperative\n" in out
