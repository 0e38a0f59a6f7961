"""Loan repayment in storage and on the command line (both databases): payroll export and
import (split wajib, loans, belanja, sukarela; a short month leaves arrears; a file imported
twice is recorded once), counter payments (never more than owed, never one's own, never
another cooperative's, a replay posts once) and the early payoff."""

from __future__ import annotations

import asyncio
import datetime as dt

import openpyxl
import pytest

from bot.cli import main
from domain import ledger as L
from domain import loans as rules
from domain.people import Role
from domain.savings import Month
from storage import ledger, loans, orgs, repayments, savings
from storage.db import Database
from storage.migrate import migrate
from tests.storage.test_loans import _member, _person

TODAY = "2026-12-04"  # the first installment is due 2027-01-04
FLAT = rules.Product("Pinjaman Umum", 20_000_000, 24, 100, rules.Method.FLAT, 0, 0, 0, 5_000)
OFFICER = frozenset({Role.TREASURER})


async def _disbursed(db, amount=1_200_000, tenor=12):
    """Sri's loan of ``amount`` (flat 1 %: pokok 100.000 and jasa 12.000 a month), paid out;
    Tono and Ani are the treasurers; wajib is Rp50.000 a month."""
    person_id, member = await _member(db)
    product = await db.write(loans.add_product, 1, "umum", FLAT)
    loan = await db.write(
        loans.apply, member.id, person_id, product.id, amount, tenor, "biaya sekolah", TODAY
    )
    tono = await _person(db, 2, "Tono", [Role.TREASURER])
    ani = await _person(db, 3, "Ani", [Role.TREASURER])
    for officer in (tono, ani):
        await db.write(loans.decide, loan.id, officer, 1, OFFICER, True)
    await db.write(loans.disburse, loan.id, tono, 1, OFFICER, "cash", None, TODAY)
    await db.write(savings.set_rate, 1, Month(2025, 1), pokok=100_000, wajib=50_000)
    return person_id, member, loan, tono


@pytest.fixture
def books(tmp_path):
    path = str(tmp_path / "k.sqlite3")

    async def make():
        async with Database(path) as db:
            await migrate(db)
            return await _disbursed(db)

    return path, *asyncio.run(make())


def _run(capsys, db_path, *args):
    code = main(["--db", db_path, *args])
    out = capsys.readouterr()
    return code, out.out + out.err


def _fill(path, deducted):
    """The export's sheet with Dipotong filled, as HR sends it back."""
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    sheet.cell(row=2, column=rows[0].index("Dipotong") + 1, value=deducted)
    book.save(path)
    return rows


def _in_db(db_path, use):
    async def run():
        async with Database(db_path) as db:
            return await use(db)

    return asyncio.run(run())


async def _state(db, loan_id, roster_id):
    found = await repayments.dues(db, loan_id)
    saved = await savings.balances(db, roster_id)
    return (
        sum(d.principal_owed for d in found), sum(d.interest_owed for d in found),
        saved.by_kind["wajib"], saved.by_kind["sukarela"],
        await ledger.balance(db, L.loan_interest(1)), (await loans.get(db, loan_id)).status,
    )  # fmt: skip


def test_two_payroll_months_one_short_then_arrears_and_payoff(books, tmp_path, capsys):
    db_path, person_id, member, loan, tono = books
    january = tmp_path / "gaji-2027-01.xlsx"
    code, out = _run(capsys, db_path, "payroll", "export", "--org", "pusat", "--month", "2027-01",
                     str(january))  # fmt: skip
    assert (code, "1 members to deduct for 2027-01, Rp162.000" in out) == (0, True)
    rows = _fill(january, 162_000)
    assert rows[0][:8] == ("No Anggota", "Nama", "Bulan", "Simpanan Wajib", "Angsuran Pinjaman",
                           "Tunggakan Pinjaman", "Belanja Koperasi", "Total Potongan")  # fmt: skip
    assert rows[1][:8] == ("A-1", "Sri Wahyuni", "2027-01", 50_000, 112_000, 0, 0, 162_000)
    code, out = _run(capsys, db_path, "payroll", "import", "--org", "pusat", str(january))
    assert code == 0 and "pokok Rp100.000, jasa Rp12.000" in out, out
    code, out = _run(capsys, db_path, "payroll", "import", "--org", "pusat", str(january),
                     "--batch", "lagi")  # fmt: skip
    assert code != 0 and "already recorded" in out and "nothing was recorded again" in out
    state = _in_db(db_path, lambda db: _state(db, loan.id, member.id))
    assert state == (1_100_000, 132_000, 50_000, 0, 12_000, "disbursed")

    february = tmp_path / "gaji-2027-02.csv"  # the simpler sheet: a short deduction
    february.write_text("No Anggota;Bulan;Jumlah\nA-1;2027-02;100.000\n", encoding="utf-8")
    code, out = _run(capsys, db_path, "payroll", "import", "--org", "pusat", str(february))
    assert code == 0 and "1 paid less than due" in out, out
    state = _in_db(db_path, lambda db: _state(db, loan.id, member.id))
    assert state == (1_062_000, 120_000, 100_000, 0, 24_000, "disbursed")

    async def standing(db):
        return await repayments.standing(db, await loans.get(db, loan.id), dt.date(2027, 3, 1))

    seen = _in_db(db_path, standing)
    assert (seen.next_due.number, seen.days_overdue, seen.arrears) == (2, 25, "dpk")

    march = tmp_path / "maret.xlsx"
    _run(capsys, db_path, "payroll", "export", "--org", "pusat", "--month", "2027-03", str(march))
    rows = _fill(march, 0)
    assert rows[1][3:8] == (50_000, 112_000, 62_000, 0, 224_000)  # arrears shown apart

    async def payoff(db):
        return await db.write(repayments.pay, loan.id, None, tono, 1, OFFICER, "cash", "u1",
                              "2027-03-01")  # fmt: skip

    paid = _in_db(db_path, payoff)
    # pokok 1.062.000; jasa: flat charges all that is left (10 × 12.000)
    assert (paid.split.principal, paid.split.interest, paid.paid_off) == (1_062_000, 120_000, True)
    assert _in_db(db_path, lambda db: _state(db, loan.id, member.id))[-1] == "paid"
    assert _in_db(db_path, payoff).split.total == paid.split.total  # a replay posts once
    assert _in_db(db_path, lambda db: ledger.balance(db, L.loan_receivable(loan.id))) == 0


def test_an_overpayment_goes_to_sukarela_and_errors_name_the_row(books, tmp_path, capsys):
    db_path, _, member, loan, _ = books
    sheet = tmp_path / "gaji.csv"
    sheet.write_text(
        "No Anggota,Bulan,Jumlah\nA-1,2027-01,200000\nB-9,2027-01,5000\nA-1,2027-02,1\n"
        "C-1,2027-01,500.000.000\n",
        encoding="utf-8",
    )
    code, out = _run(capsys, db_path, "payroll", "import", "--org", "pusat", str(sheet))
    assert code != 0 and "row 3, column No Anggota (A): no such member" in out
    assert "row 4, column Bulan (B): 2027-02: the file is for 2027-01" in out
    assert "row 5, column Jumlah (C): more than Rp100.000.000" in out
    assert "nothing was recorded" in out

    async def goods(db):  # Rp30.000 of goods taken on payroll deduction (another lane posts it)
        lines = [L.debit(L.member_receivable(member.id), 30_000), L.credit(L.sales(1), 30_000)]
        await db.write(ledger.post, lines, None, "goods", "test:goods")

    _in_db(db_path, goods)
    sheet.write_text("No Anggota,Bulan,Jumlah\nA-1,2027-01,200000\n", encoding="utf-8")
    assert _run(capsys, db_path, "payroll", "import", "--org", "pusat", str(sheet))[0] == 0
    state = _in_db(db_path, lambda db: _state(db, loan.id, member.id))
    assert state[2:4] == (50_000, 8_000)  # wajib, the installment, belanja, the rest sukarela
    owes = _in_db(db_path, lambda db: ledger.balance(db, L.member_receivable(member.id)))
    assert owes == 0


async def test_counter_payments_are_checked(tmp_path):
    async with Database(str(tmp_path / "k.sqlite3")) as db:
        await migrate(db)
        person_id, member, loan, tono = await _disbursed(db)
        pay = repayments.pay
        with pytest.raises(repayments.PaymentRefused) as much:
            await db.write(pay, loan.id, 1_400_000, tono, 1, OFFICER, "cash", "k1", "2027-01-10")
        assert (much.value.reason, much.value.owed) == ("repay.too_much", 1_344_000)
        await db.write(add_treasurer_role, person_id)
        with pytest.raises(repayments.PaymentRefused) as own:
            await db.write(pay, loan.id, 10_000, person_id, 1, OFFICER, "cash", "k2", "2027-01-10")
        assert own.value.reason == "repay.own"
        other = await db.write(orgs.add, code="puk-lain", name="PUK Lain", kind="puk",
                               parent_code="pusat")  # fmt: skip
        stranger = await _person(db, 4, "Joko", [Role.TREASURER], org_id=other)
        with pytest.raises(repayments.PaymentRefused) as forged:
            await db.write(
                pay, loan.id, 10_000, stranger, other, OFFICER, "cash", "k3", "2027-01-10"
            )
        assert forged.value.reason == "repay.not_officer"
        paid = await db.write(pay, loan.id, 150_000, tono, 1, OFFICER, "bank", "k4", "2027-01-10")
        again = await db.write(pay, loan.id, 150_000, tono, 1, OFFICER, "bank", "k4", "2027-01-10")
        assert paid.split == again.split and paid.owed_after == 1_194_000
        assert await ledger.balance(db, L.bank(1)) == 150_000


async def add_treasurer_role(conn, person_id):
    from storage.people import add_role

    await add_role(conn, person_id, Role.TREASURER)


async def test_an_overdue_installment_pays_its_penalty_first(tmp_path):
    async with Database(str(tmp_path / "k.sqlite3")) as db:
        await migrate(db)
        person_id, member, loan, tono = await _disbursed(db)
        async with db.transaction() as conn:  # denda 0,5 % a month (loan product add --penalty)
            await conn.execute("UPDATE loan_products SET penalty_bp = 50")
        # 5 March: installments of 112.000 three, two and one started months late
        s = await repayments.standing(db, await loans.get(db, loan.id), dt.date(2027, 3, 5))
        assert (s.penalty, s.days_overdue, s.arrears) == (1_680 + 1_120 + 560, 60, "dpk")
        paid = await db.write(repayments.pay, loan.id, 5_000, tono, 1, OFFICER, "cash", "d1",
                              "2027-03-05")  # fmt: skip
        assert (paid.split.penalty, paid.split.interest) == (1_680, 3_320)  # the oldest first
        assert await ledger.balance(db, L.loan_penalties(1)) == 1_680
