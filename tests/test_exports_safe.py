"""Exports that open safely: any file name a person types, formula-looking cells written as text
(OWASP's CSV-injection rule), phones as text that keeps its leading 0; and `roster add` refuses
what would be a formula in a spreadsheet."""

import csv

import openpyxl
import pytest

from tests.dbcheck import run_sql
from tests.test_savings_cli import CLEAN, HEADER, _cli, _csv


@pytest.fixture
def cli(monkeypatch, tmp_path, capsys):
    def run(*args):
        code = _cli(monkeypatch, tmp_path, *args)
        out, err = capsys.readouterr()
        return code, out, err

    assert run("org", "add", "kop-a", "Koperasi A", "--kind", "coop_primary")[0] == 0
    return run


FORMULAS = ['=HYPERLINK("http://x.example","klik")', "=1+1", "@SUM(A1:A9)", "+62 1", "-2+3"]


def _sheet_rows(path):
    sheet = openpyxl.load_workbook(path).active
    return [list(r) for r in sheet.iter_rows()]


def test_exports_to_file_names_with_brackets_and_question_marks(cli, tmp_path):
    cli("members", "import", str(_csv(tmp_path / "anggota.csv", [HEADER, *CLEAN])))
    code, out, err = cli("members", "export", str(tmp_path / "anggota [final].xlsx"))
    assert (code, err) == (0, "") and out.startswith("anggota [final].xlsx: 2 members")
    assert len(_sheet_rows(tmp_path / "anggota [final].xlsx")) == 3
    code, out, err = cli("ledger", "export", str(tmp_path / "buku?.xlsx"))
    assert (code, err) == (0, "") and out.startswith("buku?.xlsx: 2 entries")
    assert len(_sheet_rows(tmp_path / "buku?.xlsx")) == 1 + 2 * 3  # header, 2 entries of 3 lines
    code, _, err = cli("ledger", "export", str(tmp_path / "no-such-dir" / "buku.xlsx"))
    assert code == 2 and len(err.splitlines()) == 1 and "Traceback" not in err
    assert "buku.xlsx" in err


def _store_formula_members(tmp_path):
    for n, name in enumerate(FORMULAS, start=10):
        run_sql(
            tmp_path / "k.sqlite3",
            "INSERT INTO roster (org_id, member_number, full_name, phone, created_at)"
            " VALUES (1, ?, ?, ?, 0)",
            (f"X-{n}", name, f"+6281311110{n:03d}"),
        )


def test_formula_looking_cells_are_text_in_xlsx_and_quoted_in_csv(cli, tmp_path):
    cli("members", "import", str(_csv(tmp_path / "anggota.csv", [HEADER, *CLEAN])))
    _store_formula_members(tmp_path)
    assert cli("members", "export", str(tmp_path / "out.xlsx"))[0] == 0
    cells = {row[1].value: row for row in _sheet_rows(tmp_path / "out.xlsx")[1:]}
    for n, name in enumerate(FORMULAS, start=10):
        cell = cells[f"X-{n}"][2]
        assert cell.data_type == "s", (name, cell.data_type)
        assert cell.value.lstrip("'") == name
    assert cli("members", "export", str(tmp_path / "out.csv"))[0] == 0
    with (tmp_path / "out.csv").open(encoding="utf-8-sig") as f:
        names = {r["No Anggota"]: r["Nama"] for r in csv.DictReader(f)}
    for n, name in enumerate(FORMULAS, start=10):
        assert names[f"X-{n}"] == "'" + name
    assert names["B-1"] == "Sri Wahyuni"


def test_phones_are_written_as_text_keeping_the_leading_zero(cli, tmp_path):
    cli("members", "import", str(_csv(tmp_path / "anggota.csv", [HEADER, *CLEAN])))
    assert cli("members", "export", str(tmp_path / "out.xlsx"))[0] == 0
    phone = _sheet_rows(tmp_path / "out.xlsx")[1][3]
    assert phone.data_type == "s" and phone.value == "0813-1111-0001"
    assert cli("members", "export", str(tmp_path / "out.csv"))[0] == 0
    with (tmp_path / "out.csv").open(encoding="utf-8-sig") as f:
        assert next(csv.DictReader(f))["HP"] == "0813-1111-0001"
    # and the export imports back unchanged
    code, out, _ = cli("members", "import", str(tmp_path / "out.xlsx"))
    assert out.startswith("out.xlsx: 0 new, 0 completed, 2 unchanged")


@pytest.mark.parametrize("name", FORMULAS)
def test_roster_add_refuses_a_formula_looking_name(cli, tmp_path, name):
    code, out, err = cli(
        "roster", "add", "--org", "kop-a", "--number", "B-1", f"--name={name}",
        "--phone", "0813-1111-0001",
    )  # fmt: skip
    assert code == 2 and out == "" and len(err.splitlines()) == 1
    assert run_sql(tmp_path / "k.sqlite3", "SELECT COUNT(*) FROM roster")[0][0] == 0


def test_roster_add_refuses_a_formula_looking_member_number(cli, tmp_path):
    code, _, err = cli(
        "roster", "add", "--org", "kop-a", "--number", "=1+1", "--name", "Sri Wahyuni",
        "--phone", "0813-1111-0001",
    )  # fmt: skip
    assert code == 2 and "member number" in err


def test_the_ledger_export_reads_reasons_in_words(cli, tmp_path):
    cli("members", "import", str(_csv(tmp_path / "anggota.csv", [HEADER, *CLEAN])))
    payroll = _csv(tmp_path / "potongan.csv", [
        ["No Anggota", "Bulan", "Jumlah", "Jenis"], ["B-1", "2025-10", "50.000", "wajib"],
    ])  # fmt: skip
    assert cli("deposits", "import", str(payroll), "--org", "kop-a")[0] == 0
    for lang, expected in (
        ("id", ["Saldo awal (dari pembukuan sebelumnya)", "Setoran simpanan wajib bulan Oktober 2025"]),
        ("en", ["Opening balance (from the earlier books)", "Deposit to mandatory savings for October 2025"]),
    ):  # fmt: skip
        assert cli("ledger", "export", str(tmp_path / "buku.csv"), "--lang", lang)[0] == 0
        with (tmp_path / "buku.csv").open(encoding="utf-8-sig") as f:
            reasons = list(dict.fromkeys(r["Reason"] for r in csv.DictReader(f)))
        assert reasons == expected


def test_a_cooperative_s_address_for_its_statements(cli, tmp_path):
    code, out, _ = cli("org", "address", "kop-a", "Jl. Raya Ceper  No. 12, Klaten")
    assert code == 0 and out == "kop-a: address 'Jl. Raya Ceper No. 12, Klaten'\n"
    stored = run_sql(
        tmp_path / "k.sqlite3", "SELECT address FROM organisations WHERE code = 'kop-a'"
    )
    assert stored == [("Jl. Raya Ceper No. 12, Klaten",)]
    code, _, err = cli("org", "address", "kop-x", "Jl. Lain")
    assert code == 2 and "no organisation with code 'kop-x'" in err


def test_a_members_import_refuses_formula_looking_names(cli, tmp_path):
    rows = [
        [f"F-{n}", name, f"0813-1111-{n:04d}", "kop-a", "2025-05-15"]
        for n, name in enumerate(FORMULAS)
    ]
    code, out, err = cli("members", "import", str(_csv(tmp_path / "a.csv", [HEADER[:5], *rows])))
    assert code == 2 and out == ""
    assert err.count("column Nama (B): not a name") == len(FORMULAS)
    assert run_sql(tmp_path / "k.sqlite3", "SELECT COUNT(*) FROM roster")[0][0] == 0
