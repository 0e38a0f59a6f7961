"""``koperasi-bot report network``: the hub's village cooperatives and their monthly reports
of November as a workbook, read back with openpyxl: grouped by kabupaten, filed or not, the
figures, the change from October, the problems; another hub's cooperative left out."""

from __future__ import annotations

import asyncio

import openpyxl
import pytest

from domain import monthly_reports as rules
from domain.people import Role
from domain.savings import Month
from storage import monthly_reports as stored
from storage import people
from storage.db import Database
from storage.migrate import migrate
from tests.network_seed import BOYOLALI, KLATEN, hub_with_network, villages
from tests.test_config_and_cli import _cli


async def _officer(db, org_id, user_id, name):
    async with db.transaction(bookkeeping=True) as conn:
        person_id = await people.insert_person(
            conn, telegram_user_id=user_id, chat_id=user_id, full_name=name, phone=f"+62812{user_id:07d}",
            language="id", timezone="Asia/Jakarta", org_id=org_id,
        )  # fmt: skip
        await people.add_role(conn, person_id, Role.CHAIR)
    return person_id


async def _seed(path):
    async with Database(path) as db:
        await migrate(db)
        ids = await hub_with_network(db, klaten=2, boyolali=1)
        a, b = (ids[f"kop-{v}"] for v in villages(KLATEN, 2))
        c = ids[f"kop-{villages(BOYOLALI, 1)[0]}"]
        harjono = await _officer(db, a, 901, "Harjono")
        joko = await _officer(db, c, 902, "Joko")
        other = await _officer(db, ids["kop-other"], 903, "Lain")
        await _officer(db, b, 904, "Slamet")
        for who, month, figures, problems in (
            (harjono, Month(2026, 10), rules.Figures(240, 1_000_000, 10_000_000, 1_000_000), "-"),
            (harjono, Month(2026, 11), rules.Figures(245, 1_500_000, 12_500_000, 1_500_000), "=SUM(A1)"),
            (joko, Month(2026, 11), rules.Figures(80, 400_000, 0, 0), "Gerai belum buka"),
            (other, Month(2026, 11), rules.Figures(1, 1, 1, 1), "lain"),
        ):  # fmt: skip
            await db.write(stored.file, who, month, figures, problems)
    return ids


@pytest.fixture
def cli(monkeypatch, tmp_path, capsys):
    asyncio.run(_seed(str(tmp_path / "k.sqlite3")))  # the file _cli runs the command on

    def run(*args):
        code = _cli(monkeypatch, tmp_path, "report", "network", *args)
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_the_network_of_a_month_as_a_workbook(cli, tmp_path):
    target = tmp_path / "jaringan.xlsx"
    code, out, err = cli("--org", "hub", "--month", "2026-11", str(target))
    assert (code, err) == (0, "")
    assert out == "jaringan.xlsx: 3 cooperatives, 2 filed 2026-11\n"
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Laporan bulanan"]
    rows = [list(r) for r in book["Laporan bulanan"].iter_rows(values_only=True)]
    assert rows[0][:6] == ["Kabupaten/kota", "Koperasi", "Desa", "Kode desa", "Sudah lapor", "Dikirim oleh"]  # fmt: skip
    assert [r[0] for r in rows[1:]] == [
        "Kab. Boyolali",
        "Kab. Klaten",
        "Kab. Klaten",
    ]  # by desa code
    joko, harjono, slamet = rows[1:]
    assert joko[4:] == ["Ya", "Joko", 80, 400_000, 0, 0, None, None, None, None, "Gerai belum buka"]
    assert harjono[4:] == ["Ya", "Harjono", 245, 1_500_000, 12_500_000, 1500, 5, 500_000, 2_500_000, 500, "=SUM(A1)"]  # fmt: skip
    assert book["Laporan bulanan"].cell(3, 15).data_type == "s"  # text, never a formula
    assert slamet[4:] == ["Tidak"] + [None] * 10

    code, out, err = cli("--org", "hub", "--month", "November", str(target))
    assert code == 2 and "YYYY-MM" in err
