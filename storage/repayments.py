"""Loan repayment as stored (issue 19): what is paid of each installment, payments posted to
the ledger, counter payments and early payoff. The rules are in ``domain.repayments``.

A payment is one ledger entry, referenced ``loan:<id>:<source>:<key>``: Dr where the money is
(``receivable:<org>`` for a payroll deduction the employer still has to transfer, else
``cash:<org>`` or ``bank:<org>``), Cr ``receivable:loan:<id>`` the pokok, Cr
``loaninterest:<org>`` the jasa, Cr ``loanpenalty:<org>`` the penalty. ``loan_payments`` (keyed
by the entry) and ``loan_allocations`` say which installments it paid. A loan whose pokok and
jasa are all paid (or waived by a payoff) becomes 'paid' in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import aiosqlite

from domain import ledger as L
from domain import repayments as R
from domain.commands import BUTTONS
from domain.people import Role
from storage import ledger
from storage import loans as stored
from storage.catalog import Source, fetchall
from storage.db import now_utc
from storage.people import audit

_DUES = (
    "SELECT i.loan_id, i.number, i.due_on, i.principal_rupiah, i.interest_rupiah,"
    " COALESCE(SUM(a.principal_rupiah), 0) AS principal_paid,"
    " COALESCE(SUM(a.interest_rupiah), 0) AS interest_paid,"
    " COALESCE(SUM(a.penalty_rupiah), 0) AS penalty_paid,"
    " COALESCE(SUM(a.waived_interest), 0) AS waived"
    " FROM loan_installments i LEFT JOIN loan_allocations a"
    " ON a.loan_id = i.loan_id AND a.number = i.number"
)
_GROUP = " GROUP BY i.loan_id, i.number, i.due_on, i.principal_rupiah, i.interest_rupiah"


def _due(row) -> R.Due:
    return R.Due(
        row["number"], dt.date.fromisoformat(str(row["due_on"])), row["principal_rupiah"],
        row["interest_rupiah"], row["principal_paid"], row["interest_paid"], row["penalty_paid"],
        row["waived"],
    )  # fmt: skip


async def dues(source: Source, loan_id: int) -> list[R.Due]:
    """The loan's installments with what is paid of each (empty before the payout)."""
    rows = await fetchall(
        source, f"{_DUES} WHERE i.loan_id = ?{_GROUP} ORDER BY i.number", (loan_id,)
    )
    return [_due(r) for r in rows]


async def penalty_bp(source: Source, loan_id: int) -> int:
    rows = await fetchall(
        source,
        "SELECT p.penalty_bp FROM loans l JOIN loan_products p ON p.id = l.product_id"
        " WHERE l.id = ?",
        (loan_id,),
    )
    return rows[0]["penalty_bp"] if rows else 0


@dataclass(frozen=True)
class OpenLoan:
    """A loan paid out and not yet paid off, with its installments."""

    loan_id: int
    roster_id: int
    person_id: int
    org_id: int
    method: str
    penalty_bp: int
    dues: tuple[R.Due, ...]


async def open_loans(source: Source, org_id: int) -> dict[int, list[OpenLoan]]:
    """Every loan of the cooperative still being repaid, by roster entry: two queries."""
    loans = await fetchall(
        source,
        "SELECT l.id, l.roster_id, l.person_id, l.org_id, l.method, p.penalty_bp FROM loans l"
        " JOIN loan_products p ON p.id = l.product_id WHERE l.org_id = ? AND l.status = 'disbursed'",
        (org_id,),
    )
    rows = await fetchall(
        source,
        f"{_DUES} JOIN loans l ON l.id = i.loan_id WHERE l.org_id = ? AND l.status = 'disbursed'"
        f"{_GROUP} ORDER BY i.loan_id, i.number",
        (org_id,),
    )
    by_loan: dict[int, list[R.Due]] = defaultdict(list)
    for r in rows:
        by_loan[r["loan_id"]].append(_due(r))
    found: dict[int, list[OpenLoan]] = defaultdict(list)
    for r in loans:
        found[r["roster_id"]].append(OpenLoan(
            r["id"], r["roster_id"], r["person_id"], r["org_id"], r["method"], r["penalty_bp"],
            tuple(by_loan[r["id"]]),
        ))  # fmt: skip
    return found


def reference(loan_id: int, source: R.Source, key: str) -> str:
    return f"loan:{loan_id}:{source.value}:{key}"


def posting(
    loan_id: int, org_id: int, split: R.Split, into: str, reason: str, ref: str
) -> ledger.Posting:
    lines = [L.debit(into, split.total)]
    for account, amount in (
        (L.loan_receivable(loan_id), split.principal),
        (L.loan_interest(org_id), split.interest),
        (L.loan_penalties(org_id), split.penalty),
    ):
        if amount:
            lines.append(L.credit(account, amount))
    return ledger.Posting(tuple(lines), reason, ref)


async def record_rows(
    conn: aiosqlite.Connection,
    payments: list[tuple[int, int, R.Split, R.Source, str]],
    by: int | None,
    paid_on: dt.date,
    at: int,
) -> None:
    """The payments' rows, each (entry id, loan id, split, source, reference)."""
    await conn.executemany(
        "INSERT INTO loan_payments (entry_id, loan_id, amount_rupiah, principal_rupiah,"
        " interest_rupiah, penalty_rupiah, source, reference, recorded_by, paid_on, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(entry_id, loan_id, s.total, s.principal, s.interest, s.penalty, source.value, ref, by,
          paid_on.isoformat(), at) for entry_id, loan_id, s, source, ref in payments],
    )  # fmt: skip
    await conn.executemany(
        "INSERT INTO loan_allocations (payment_id, loan_id, number, principal_rupiah,"
        " interest_rupiah, penalty_rupiah, waived_interest) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(entry_id, loan_id, a.number, a.principal, a.interest, a.penalty, a.waived_interest)
         for entry_id, loan_id, s, _, _ in payments for a in s.allocations],
    )  # fmt: skip


async def mark_paid(conn: aiosqlite.Connection, loan_ids: list[int]) -> None:
    await conn.executemany(
        "UPDATE loans SET status = 'paid' WHERE id = ? AND status = 'disbursed'",
        [(loan_id,) for loan_id in loan_ids],
    )


# --- at the counter ----------------------------------------------------------------------------


class PaymentRefused(Exception):
    """``reason``: repay.not_officer (another cooperative, no such loan, not a treasurer),
    repay.own (the member records their own payment), repay.not_open (not being repaid),
    repay.too_much (``owed`` says what is owed), repay.via."""

    def __init__(self, reason: str, owed: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.owed = owed


@dataclass(frozen=True)
class Paid:
    loan: stored.Loan
    split: R.Split
    owed_after: int  # pokok, jasa and penalty still owed
    paid_off: bool


async def _payment(conn: aiosqlite.Connection, ref: str) -> Paid | None:
    rows = await fetchall(
        conn,
        "SELECT p.loan_id, p.paid_on, a.number, a.principal_rupiah, a.interest_rupiah,"
        " a.penalty_rupiah, a.waived_interest FROM loan_payments p JOIN loan_allocations a"
        " ON a.payment_id = p.entry_id WHERE p.reference = ? ORDER BY a.number",
        (ref,),
    )
    if not rows:
        return None
    loan = await stored.get(conn, rows[0]["loan_id"])
    split = R.Split(tuple(
        R.Allocation(r["number"], r["principal_rupiah"], r["interest_rupiah"], r["penalty_rupiah"],
                     r["waived_interest"]) for r in rows
    ))  # fmt: skip
    left = await dues(conn, loan.id)
    on = dt.date.fromisoformat(str(rows[0]["paid_on"]))
    return Paid(loan, split, R.owed(left, await penalty_bp(conn, loan.id), on), R.all_paid(left))


async def _open_for(
    conn: aiosqlite.Connection, loan_id: int, officer_id: int, officer_org: int,
    roles: frozenset[Role],
) -> stored.Loan:  # fmt: skip
    loan = await stored.get(conn, loan_id)
    if loan is None or officer_org not in (loan.org_id, 1) or not roles & BUTTONS["loan.repay"]:
        raise PaymentRefused("repay.not_officer")
    if loan.person_id == officer_id:
        raise PaymentRefused("repay.own")
    return loan


async def pay(
    conn: aiosqlite.Connection, loan_id: int, amount: int | None, officer_id: int,
    officer_org: int, roles: frozenset[Role], via: str, key: str, today: str,
) -> Paid:  # fmt: skip
    """A payment at the counter (``amount``), or the early payoff (``amount`` None: what
    :func:`domain.repayments.payoff` says), in cash or to the bank, recorded once under
    ``key`` (a replay finds the entry and posts nothing)."""
    loan = await _open_for(conn, loan_id, officer_id, officer_org, roles)
    if via not in ("cash", "bank"):
        raise PaymentRefused("repay.via")
    on = dt.date.fromisoformat(today)
    source = R.Source.COUNTER if amount is not None else R.Source.PAYOFF
    ref = reference(loan_id, source, key)
    if (earlier := await _payment(conn, ref)) is not None:  # a replay: what it did then
        return earlier
    if loan.status != "disbursed":
        raise PaymentRefused("repay.not_open")
    found, bp = await dues(conn, loan_id), await penalty_bp(conn, loan_id)
    if amount is None:
        split = R.payoff(found, bp, loan.method, on)
    else:
        owed = R.owed(found, bp, on)
        if not 0 < amount <= owed:
            raise PaymentRefused("repay.too_much", owed)
        split = R.allocate(found, amount, bp, on)
    into = L.bank(loan.org_id) if via == "bank" else L.cash(loan.org_id)
    reason = L.coded_reason(L.REASON_LOAN_REPAID, number=loan.number, source=source.value)
    entry = await ledger.post(
        conn, posting(loan_id, loan.org_id, split, into, reason, ref).lines, officer_id,
        reason, ref,
    )  # fmt: skip
    await record_rows(conn, [(entry.id, loan_id, split, source, ref)], officer_id, on, now_utc())
    left = R.after(found, split)
    if R.all_paid(left):
        await mark_paid(conn, [loan_id])
    await audit(conn, officer_id, f"loan.{source.value}", f"loan:{loan_id}", amount=split.total)
    return Paid(await stored.get(conn, loan_id), split, R.owed(left, bp, on), R.all_paid(left))


# --- what a member and the officers read ------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """A loan being repaid as of a day: what is left, the next installment, the arrears."""

    loan: stored.Loan
    dues: tuple[R.Due, ...]
    principal_left: int
    interest_left: int
    penalty: int
    next_due: R.Due | None
    days_overdue: int

    @property
    def arrears(self) -> R.Arrears:
        return R.arrears_class(self.days_overdue)


async def standing(source: Source, loan: stored.Loan, today: dt.date) -> Standing:
    found, bp = await dues(source, loan.id), await penalty_bp(source, loan.id)
    return Standing(
        loan, tuple(found), sum(d.principal_owed for d in found),
        sum(d.interest_owed for d in found), sum(R.penalty_owed(d, bp, today) for d in found),
        next((d for d in found if not d.settled), None), R.days_overdue(found, today),
    )  # fmt: skip


async def payoff_of(source: Source, loan: stored.Loan, today: dt.date) -> R.Split:
    return R.payoff(await dues(source, loan.id), await penalty_bp(source, loan.id), loan.method,
                    today)  # fmt: skip


# --- reminders before a due date ----------------------------------------------------------------


@dataclass(frozen=True)
class DueSoon:
    loan_id: int
    number: int
    due_on: dt.date
    amount: int  # pokok and jasa still owed of the installment
    person_id: int
    chat_id: int
    language: str


async def due_soon(source: Source, zone: str, day: dt.date) -> list[DueSoon]:
    """Installments due within :data:`domain.repayments.REMIND_DAYS_BEFORE` days of ``day``,
    not paid, not reminded yet, of members living in ``zone`` who can be reached."""
    last = day + dt.timedelta(days=R.REMIND_DAYS_BEFORE)
    rows = await fetchall(
        source,
        _DUES.replace("SELECT ", "SELECT l.person_id, p.chat_id, p.language, ", 1)
        + " JOIN loans l ON l.id = i.loan_id JOIN people p ON p.id = l.person_id"
        " WHERE l.status = 'disbursed' AND i.due_on >= ? AND i.due_on <= ? AND p.timezone = ?"
        " AND p.chat_id IS NOT NULL AND p.reachable = 1 AND NOT EXISTS (SELECT 1 FROM"
        " loan_reminders r WHERE r.loan_id = i.loan_id AND r.number = i.number)"
        f"{_GROUP}, l.person_id, p.chat_id, p.language ORDER BY i.due_on, i.loan_id",
        (day.isoformat(), last.isoformat(), zone),
    )
    found = []
    for r in rows:
        due = _due(r)
        if not due.settled:
            owed = due.principal_owed + due.interest_owed
            found.append(DueSoon(r["loan_id"], due.number, due.due_on, owed, r["person_id"],
                                 r["chat_id"], r["language"]))  # fmt: skip
    return found


async def claim_reminder(conn: aiosqlite.Connection, loan_id: int, number: int) -> bool:
    """Mark the installment reminded; False when a process already did."""
    cur = await conn.execute(
        "INSERT INTO loan_reminders (loan_id, number, sent_at) VALUES (?, ?, ?)"
        " ON CONFLICT (loan_id, number) DO NOTHING",
        (loan_id, number, now_utc()),
    )
    return cur.rowcount == 1
