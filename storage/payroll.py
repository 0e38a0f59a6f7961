"""Payroll deduction of a month (issue 19): the rows of the export HR deducts from, and the
import of what was actually deducted (``domain.payroll`` says how it is split).

The import is one transaction (``db.write``): every row checked first (ImportRefused names
each wrong row, nothing written), then an entry per effect: the wajib and the sukarela as
deposits of a savings batch (``savings_batches``, so the batch is recorded once by its name or
its content, as deposits are, and the month's wajib is not booked twice), one payment per loan
(``loan:<id>:payroll:<month>:<key>``, see ``storage.repayments``), the belanja
(``payroll.belanja``, Cr ``receivable:member:<roster>``). All are Dr ``receivable:<org>``: the
employer owes the money until it transfers it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

import aiosqlite

from domain import ledger as L
from domain import payroll as P
from domain import repayments as R
from domain.ledger import SavingsKind
from domain.loans import loan_number
from domain.money import rupiah
from domain.savings import Month, parse_rupiah, wajib_in
from storage import ledger
from storage import repayments as stored
from storage.catalog import Source, fetchall
from storage.db import now_utc
from storage.savings import rates
from storage.savings_import import (
    PAID_INTO,
    Batch,
    BatchAlreadyRecorded,
    ImportRefused,
    RecordedBatch,
    record_batch,
    recorded_batch,
)
from storage.savings_sheets import (
    MEMBER_COLUMNS,
    CellReader,
    Column,
    Layout,
    RowError,
    parse_member_number,
    parse_month,
)

__all__ = ["BatchAlreadyRecorded", "ImportRefused"]

#: The export's header, in the words HR reads (Indonesian).
EXPORT_HEADER = (
    "No Anggota", "Nama", "Bulan", "Simpanan Wajib", "Angsuran Pinjaman", "Tunggakan Pinjaman",
    "Belanja Koperasi", "Total Potongan", "Dipotong",
)  # fmt: skip

PAYROLL_COLUMNS = (
    Column("member_number", MEMBER_COLUMNS[0].aliases),
    Column("month", ("month", "bulan", "period", "periode")),
    Column("deducted", ("deducted", "dipotong", "jumlah dipotong", "jumlah", "amount", "potongan")),
)  # fmt: skip


# --- what each member has to pay -----------------------------------------------------------


@dataclass(frozen=True)
class _Member:
    id: int
    number: str
    name: str
    joined: Month | None


async def _members(source: Source, org_id: int) -> list[_Member]:
    rows = await fetchall(
        source,
        "SELECT id, member_number, full_name, joined_on FROM roster WHERE org_id = ?"
        " ORDER BY member_number",
        (org_id,),
    )
    return [
        _Member(r["id"], r["member_number"], r["full_name"],
                Month.of(dt.date.fromisoformat(str(r["joined_on"]))) if r["joined_on"] else None)
        for r in rows
    ]  # fmt: skip


async def _belanja(source: Source, org_id: int) -> dict[int, int]:
    """What each member owes for goods (``receivable:member:<roster>``), by roster id."""
    rows = await fetchall(
        source,
        "SELECT a.roster_id, (SELECT l.balance_after FROM ledger_lines l WHERE l.account_id = a.id"
        " ORDER BY l.entry_id DESC LIMIT 1) AS raw FROM ledger_accounts a"
        " WHERE a.org_id = ? AND a.kind = ?",
        (org_id, L.AccountKind.RECEIVABLE_MEMBER.value),
    )
    kind = L.AccountKind.RECEIVABLE_MEMBER
    return {r["roster_id"]: L.normal_balance(kind, r["raw"] or 0) for r in rows}


async def _wajib_paid(source: Source, org_id: int, month: Month) -> set[int]:
    """The members whose wajib of ``month`` is booked (and not reversed)."""
    rows = await fetchall(
        source,
        "SELECT d.roster_id FROM savings_deposits d JOIN savings_batches b ON b.id = d.batch_id"
        " WHERE b.org_id = ? AND d.kind = 'wajib' AND d.month = ?"
        " AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses = d.entry_id)",
        (org_id, str(month)),
    )
    return {r["roster_id"] for r in rows}


def _loan_dues(loans: list[stored.OpenLoan]) -> list[P.LoanDues]:
    return [P.LoanDues(loan.loan_id, loan.dues, loan.penalty_bp) for loan in loans]


@dataclass(frozen=True)
class _Books:
    """What the month's deductions are computed from, read once for the cooperative."""

    members: list[_Member]
    wajib: int
    wajib_paid: set[int]
    loans: dict[int, list[stored.OpenLoan]]
    belanja: dict[int, int]

    def wajib_of(self, member: _Member, month: Month) -> int:
        joined = member.joined is None or member.joined <= month
        return self.wajib if joined and member.id not in self.wajib_paid else 0


async def _books(source: Source, org_id: int, month: Month) -> _Books:
    return _Books(
        await _members(source, org_id), wajib_in(await rates(source, org_id), month),
        await _wajib_paid(source, org_id, month), await stored.open_loans(source, org_id),
        await _belanja(source, org_id),
    )  # fmt: skip


async def export_rows(source: Source, org_id: int, month: Month) -> AsyncIterator[tuple]:
    """One row per member with something to deduct in ``month`` (EXPORT_HEADER's columns,
    Dipotong left empty for HR), by member number."""
    books = await _books(source, org_id, month)
    before = month.first_day() - dt.timedelta(days=1)
    end = P.month_end(month)
    for member in books.members:
        loans = _loan_dues(books.loans.get(member.id, []))
        due = P.to_deduct(
            books.wajib_of(member, month), loans, books.belanja.get(member.id, 0), month
        )
        if not due.total:
            continue
        arrears = sum(R.owed_by(list(loan.dues), loan.penalty_bp, end, before) for loan in loans)
        yield (member.number, member.name, str(month), due.wajib, due.installments - arrears,
               arrears, due.belanja, due.total, None)  # fmt: skip


# --- what was deducted -----------------------------------------------------------------------


@dataclass(frozen=True)
class PayrollRow:
    row: int
    member_number: str
    month: Month
    deducted: int


def read_row(
    row: int, values: Sequence[object], layout: Layout
) -> tuple[PayrollRow | None, list[RowError]]:
    cells = CellReader(row, values, layout)
    number = cells.read("member_number", parse_member_number)
    month = cells.read("month", parse_month)
    deducted = cells.read("deducted", parse_rupiah)
    if cells.errors:
        return None, cells.errors
    return PayrollRow(row, number, month, deducted), []


def content_hash(rows: Sequence[PayrollRow]) -> str:
    """The batch's content, whatever the file's format or order (a deposits file never has
    the same hash: the lines start with ``payroll``)."""
    lines = sorted(f"payroll\t{r.member_number}\t{r.month}\t{r.deducted}" for r in rows)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _row_errors(rows: Sequence[PayrollRow], known: dict[str, _Member], layout: Layout) -> list:
    errors, seen = [], {}
    month = rows[0].month if rows else None
    for r in rows:
        if r.member_number not in known:
            errors.append(layout.error(r.row, "member_number", "no such member"))
        if r.month != month:
            errors.append(layout.error(r.row, "month", f"{r.month}: the file is for {month}"))
        if r.deducted > P.MAX_DEDUCTION:
            errors.append(layout.error(r.row, "deducted", f"more than {rupiah(P.MAX_DEDUCTION)}"))
        if r.member_number in seen:
            errors.append(
                layout.error(r.row, "member_number", f"also in row {seen[r.member_number]}")
            )
        seen.setdefault(r.member_number, r.row)
    return errors


@dataclass
class PayrollImported:
    month: Month
    batch: RecordedBatch | None = None
    wajib: int = 0
    principal: int = 0
    interest: int = 0
    penalty: int = 0
    belanja: int = 0
    sukarela: int = 0
    short: int = 0  # members whose deduction left something of the month owed
    paid_off: int = 0  # loans paid in full by it


@dataclass
class _Plan:
    postings: list[ledger.Posting]
    effects: list[tuple]  # per posting: ("deposit", roster, kind) or ("loan", loan id, split)
    paid_off: list[int]


def _deposit(into: str, roster_id: int, kind: SavingsKind, amount: int, month: Month, ref: str):
    return ledger.Posting(
        (L.debit(into, amount), L.credit(L.member_savings(roster_id, kind), amount)),
        L.coded_reason(L.REASON_DEPOSIT_MONTH, kind=kind.value, month=str(month)), ref,
    )  # fmt: skip


def _plan_row(plan: _Plan, result: PayrollImported, row: PayrollRow, member: _Member,
              books: _Books, batch: Batch, key: str) -> None:  # fmt: skip
    month, into = row.month, PAID_INTO["receivable"](batch.org_id)
    loans = _loan_dues(books.loans.get(member.id, []))
    due = P.to_deduct(books.wajib_of(member, month), loans, books.belanja.get(member.id, 0), month)
    done = P.split(row.deducted, due.wajib, loans, due.belanja, month)
    result.short += row.deducted < due.total
    here = f"{batch.reference}#{row.row}"
    if done.wajib:
        plan.postings.append(_deposit(into, member.id, SavingsKind.WAJIB, done.wajib, month, f"{here}:wajib"))  # fmt: skip
        plan.effects.append(("deposit", member.id, SavingsKind.WAJIB))
    by_id = {loan.loan_id: loan for loan in books.loans.get(member.id, [])}
    for loan_id, split in done.loans:
        reason = L.coded_reason(L.REASON_LOAN_REPAID, number=loan_number(loan_id), source="payroll",
                                month=str(month))  # fmt: skip
        ref = stored.reference(loan_id, R.Source.PAYROLL, f"{month}:{key}")
        plan.postings.append(stored.posting(loan_id, batch.org_id, split, into, reason, ref))
        plan.effects.append(("loan", loan_id, split))
        if R.all_paid(R.after(list(by_id[loan_id].dues), split)):
            plan.paid_off.append(loan_id)
    if done.belanja:
        plan.postings.append(ledger.Posting(
            (L.debit(into, done.belanja), L.credit(L.member_receivable(member.id), done.belanja)),
            L.coded_reason(L.REASON_PAYROLL_BELANJA, month=str(month)), f"{here}:belanja",
        ))  # fmt: skip
        plan.effects.append(("belanja", member.id, None))
    if done.sukarela:
        plan.postings.append(_deposit(into, member.id, SavingsKind.SUKARELA, done.sukarela, month, f"{here}:sukarela"))  # fmt: skip
        plan.effects.append(("deposit", member.id, SavingsKind.SUKARELA))
    result.wajib += done.wajib
    result.belanja += done.belanja
    result.sukarela += done.sukarela
    for _, split in done.loans:
        result.principal += split.principal
        result.interest += split.interest
        result.penalty += split.penalty


async def import_payroll(
    conn: aiosqlite.Connection, batch: Batch, key: str, rows: list[PayrollRow],
    errors: list[RowError], layout: Layout, progress=None,
) -> PayrollImported:  # fmt: skip
    """What was deducted, as one batch (see the module's note). Raises BatchAlreadyRecorded,
    or ImportRefused with every error; ``key`` names the batch in the loans' references."""
    if (earlier := await recorded_batch(conn, batch)) is not None:
        raise BatchAlreadyRecorded(earlier)
    month = rows[0].month if rows else Month.of(dt.date.today())
    books = await _books(conn, batch.org_id, month)
    known = {m.number: m for m in books.members}
    found = _row_errors(rows, known, layout)
    if errors or found or not rows:
        raise ImportRefused([*errors, *found] or [RowError(1, "", "no rows in the file")])
    plan, result = _Plan([], [], []), PayrollImported(month)
    for row in rows:
        _plan_row(plan, result, row, known[row.member_number], books, batch, key)
    if not plan.postings:
        raise ImportRefused([RowError(1, "", "nothing was deducted in the file")])
    entries = await ledger.post_many(conn, plan.postings, None, progress)
    total = sum(r.deducted for r in rows)
    result.batch = RecordedBatch(batch.reference, batch.file_name, len(rows), total,
                                 entries[0].id, entries[-1].id, entries[0].at)  # fmt: skip
    batch_id = await record_batch(conn, batch, result.batch)
    await _record_effects(conn, plan, entries, batch_id, month)
    await stored.mark_paid(conn, plan.paid_off)
    result.paid_off = len(plan.paid_off)
    return result


async def _record_effects(
    conn: aiosqlite.Connection, plan: _Plan, entries: list, batch_id: int, month: Month
) -> None:
    deposits, payments = [], []
    for entry, (what, owner, detail) in zip(entries, plan.effects, strict=True):
        if what == "deposit":
            deposits.append((entry.id, batch_id, owner, detail.value, str(month)))
        elif what == "loan":
            payments.append((entry.id, owner, detail, R.Source.PAYROLL, entry.reference))
    await conn.executemany(
        "INSERT INTO savings_deposits (entry_id, batch_id, roster_id, kind, month)"
        " VALUES (?, ?, ?, ?, ?)",
        deposits,
    )
    await stored.record_rows(conn, payments, None, P.month_end(month), now_utc())
