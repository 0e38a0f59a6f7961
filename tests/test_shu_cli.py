"""``koperasi-bot shu rules|compute|propose|approve``: the bylaws typed as percent, the year
computed to the rupiah with one line per member and the RAT sheet (XLSX and PDF) read back,
maker and checker by phone, posted once."""

from __future__ import annotations

import asyncio

import openpyxl
import pytest
from pypdf import PdfReader

from bot.cli import main
from domain.people import Role
from storage import ledger
from storage.db import Database, clock_at
from storage.migrate import migrate
from tests.shu_seed import person, seed_year, wib


def _run(capsys, db_path, *args):
    try:
        with clock_at(wib(2027, 1, 5)):  # the year 2026 is over: it may be proposed
            code = main(["--db", db_path, *args])
    except SystemExit as exit_:
        code = exit_.code
    out = capsys.readouterr()
    return code, out.out + out.err


def _seeded(db_path: str) -> dict[str, int]:
    async def seed():
        async with Database(db_path) as db:
            await migrate(db)
            ids = await seed_year(db)
            await person(db, 21, "Bendahara", (Role.TREASURER,))
            await person(db, 22, "Ketua", (Role.ADMIN,))
            return ids

    return asyncio.run(seed())


def test_rules_set_shown_and_refused(tmp_path, capsys):
    db_path = str(tmp_path / "k.sqlite3")
    put = ["shu", "rules", "set", "--org", "pusat", "--reserve", "40", "--modal", "20",
           "--usaha", "20", "--fund", "pengurus=10", "--fund", "pendidikan=7,5",
           "--fund", "sosial=2,5", "--from", "2026-01-01"]  # fmt: skip
    code, out = _run(capsys, db_path, *put)
    assert code == 0 and "version 1 from 2026-01-01" in out
    code, out = _run(capsys, db_path, "shu", "rules", "show", "--org", "pusat")
    assert "reserve 40 %, jasa modal 20 %, jasa usaha 20 %, fund pengurus 10 %" in out
    assert "fund pendidikan 7,5 %" in out
    code, out = _run(capsys, db_path, *put[:-6], "--from", "2026-01-01")
    assert code == 2 and "the shares sum to 90 %, not 100 %" in out
    code, out = _run(capsys, db_path, *put[:9], "--fund", "Dana Sosial=20")
    assert code == 2 and "a fund is NAME=PERCENT" in out


def test_compute_prints_each_member_and_writes_the_rat_sheet(tmp_path, capsys):
    db_path = str(tmp_path / "k.sqlite3")
    _seeded(db_path)
    xlsx, pdf = tmp_path / "shu.xlsx", tmp_path / "shu.pdf"
    code, out = _run(capsys, db_path, "shu", "compute", "--org", "pusat", "--year", "2026",
                     "--xlsx", str(xlsx), "--pdf", str(pdf))  # fmt: skip
    assert code == 0, out
    assert "income Rp3.770.000, costs Rp2.100.000, SHU Rp1.670.000" in out
    assert "non-members' share Rp486.044 (to the reserve); reserve Rp959.626" in out
    lines = [line.split("\t") for line in out.splitlines() if line.startswith("K-")]
    assert [(line[0], line[-1]) for line in lines] == [
        ("K-1", "SHU Rp282.302"), ("K-2", "SHU Rp113.945"), ("K-3", "SHU Rp75.221"),
        ("K-4", "SHU Rp2.114"),
    ]  # fmt: skip
    book = openpyxl.load_workbook(xlsx, read_only=True)
    summary = {row[0]: row[2] for row in book["SHU"].iter_rows(values_only=True) if len(row) > 2}
    assert summary["SHU tahun ini"] == 1_670_000
    assert summary["Dana pengurus"] == 118_396
    assert (summary["Cadangan"], summary["Total cadangan"]) == (473_582, 959_626)
    assert summary["Dari transaksi dengan anggota (dibagi menurut AD/ART)"] == 1_183_956
    members = list(book["Anggota"].iter_rows(values_only=True))
    assert members[1] == ("K-1", "Ani", 425_000, 1_400_000, 107_825, 174_477, 282_302)
    assert sum(r[6] for r in members[1:]) == 473_582
    text = PdfReader(pdf).pages[0].extract_text()
    assert "SHU 2026" in text and "Rp1.670.000" in text and "Rp282.302" in text


def test_maker_and_checker_post_once(tmp_path, capsys):
    db_path = str(tmp_path / "k.sqlite3")
    _seeded(db_path)
    base = ["--org", "pusat", "--year", "2026", "--as"]
    code, out = _run(capsys, db_path, "shu", "approve", *base, "0813-5550-0022")
    assert code == 2 and "nothing is proposed for 2026" in out
    code, out = _run(capsys, db_path, "shu", "propose", *base, "0813-5550-0001")
    assert code == 2 and "Ani is not a treasurer" in out
    code, out = _run(capsys, db_path, "shu", "propose", *base, "0813-5550-0021")
    assert code == 0 and "members Rp473.582" in out
    code, out = _run(capsys, db_path, "shu", "approve", *base, "0813-5550-0021")
    assert code == 2 and "Bendahara proposed it: another officer approves" in out
    code, out = _run(capsys, db_path, "shu", "approve", *base, "0813-5550-0022")
    assert code == 0 and "(shu:1:2026)" in out
    code, out = _run(capsys, db_path, "shu", "approve", *base, "0813-5550-0022")
    assert code == 2 and "already posted" in out

    async def entries():
        async with Database(db_path) as db:
            return await db.fetchall("SELECT id FROM ledger_entries WHERE reference = 'shu:1:2026'")

    assert len(asyncio.run(entries())) == 1


@pytest.mark.parametrize(
    ("args", "said"),
    [(["--org", "nowhere", "--year", "2026"], "no organisation with code 'nowhere'"),
     (["--org", "pusat", "--year", "2025"], "no SHU rules in force on 31 December 2025"),
     (["--org", "pusat", "--year", "26"], "a year, e.g. 2026")],
)  # fmt: skip
def test_compute_refused_in_one_line(tmp_path, capsys, args, said):
    db_path = str(tmp_path / "k.sqlite3")
    _seeded(db_path)
    code, out = _run(capsys, db_path, "shu", "compute", *args)
    assert code == 2 and said in out


def test_the_posting_reads_in_the_members_statement(tmp_path, capsys):
    db_path = str(tmp_path / "k.sqlite3")
    ids = _seeded(db_path)
    base = ["--org", "pusat", "--year", "2026", "--as"]
    _run(capsys, db_path, "shu", "propose", *base, "0813-5550-0021")
    _run(capsys, db_path, "shu", "approve", *base, "0813-5550-0022")

    async def latest():
        from bot.i18n import use_locale
        from bot.ledger_reasons import reason_text

        async with Database(db_path) as db:
            line = (await ledger.entries(db, f"member:{ids['Ani']}:sukarela"))[0]
        with use_locale("id"):
            return line.change, reason_text(line.reason)

    assert asyncio.run(latest()) == (282_302, "SHU 2026 ke simpanan sukarela")
