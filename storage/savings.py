"""Savings as stored: each cooperative's rates and reminder, a member's balances, statement
lines, dues (tagihan) and period statements, and the rows of the exports. The rules are in
``domain.savings``; money moves only through ``storage.ledger``.

A member here is a roster entry (a membership of one cooperative): their savings accounts are
``member:<roster_id>:<kind>`` (see ``domain.ledger.member_savings``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiosqlite

from domain import ledger as L
from domain.ledger import SavingsKind
from domain.savings import Dues, Month, Rate, dues, rate_in
from storage import ledger
from storage.catalog import Source, fetchall
from storage.db import now_utc

KINDS = tuple(SavingsKind)

# --- settings ---------------------------------------------------------------------------


class NoRate(ValueError):
    """A rate set partly (pokok or wajib alone) where no earlier one gives the other."""


async def set_rate(
    conn: aiosqlite.Connection,
    org_id: int,
    from_month: Month,
    pokok: int | None = None,
    wajib: int | None = None,
) -> Rate:
    """Pokok and monthly wajib in force from ``from_month``; one left out stays what was in
    force then. Setting the same month again corrects it (earlier months keep theirs)."""
    before = rate_in(await rates(conn, org_id), from_month)
    if (pokok is None or wajib is None) and before is None:
        raise NoRate("the first rate of a cooperative needs both pokok and wajib")
    rate = Rate(
        from_month,
        L.check_amount(pokok if pokok is not None else before.pokok, allow_zero=True),
        L.check_amount(wajib if wajib is not None else before.wajib, allow_zero=True),
    )
    await conn.execute(
        "INSERT INTO savings_rates (org_id, from_month, pokok, wajib, set_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (org_id, from_month) DO UPDATE SET pokok = excluded.pokok,"
        " wajib = excluded.wajib, set_at = excluded.set_at",
        (org_id, str(from_month), rate.pokok, rate.wajib, now_utc()),
    )
    return rate


async def rates(source: Source, org_id: int) -> list[Rate]:
    """The cooperative's rates, oldest first."""
    rows = await fetchall(
        source,
        "SELECT from_month, pokok, wajib FROM savings_rates WHERE org_id = ? ORDER BY from_month",
        (org_id,),
    )
    return [Rate(Month.parse(r["from_month"]), r["pokok"], r["wajib"]) for r in rows]


async def set_reminder(conn: aiosqlite.Connection, org_id: int, day: int, local_time: str) -> None:
    await conn.execute(
        "INSERT INTO savings_reminders (org_id, reminder_day, local_time, set_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (org_id) DO UPDATE SET reminder_day = excluded.reminder_day,"
        " local_time = excluded.local_time, set_at = excluded.set_at",
        (org_id, day, local_time, now_utc()),
    )


async def reminder(source: Source, org_id: int) -> tuple[int, str] | None:
    """(day of the month, HH:MM in the member's zone), or None when not set."""
    rows = await fetchall(
        source,
        "SELECT reminder_day, local_time FROM savings_reminders WHERE org_id = ?",
        (org_id,),
    )
    return (rows[0]["reminder_day"], rows[0]["local_time"]) if rows else None


# --- members ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """A roster entry: ``id`` names the savings accounts; ``person_id`` once they registered."""

    id: int
    org_id: int
    member_number: str
    full_name: str
    phone: str
    person_id: int | None
    joined_on: dt.date | None


_MEMBER = "SELECT id, org_id, member_number, full_name, phone, person_id, joined_on FROM roster"
MEMBER_SELECT = _MEMBER  # for other storage modules that read members (storage.savings_desk)


def member_of(row) -> Member:
    """A Member from a row of roster columns."""
    joined = row["joined_on"]
    return Member(
        row["id"], row["org_id"], row["member_number"], row["full_name"], row["phone"],
        row["person_id"], dt.date.fromisoformat(str(joined)) if joined else None,
    )  # fmt: skip


async def memberships(source: Source, person_id: int) -> list[Member]:
    """The roster entries of a registered person (one per cooperative they belong to)."""
    rows = await fetchall(source, f"{_MEMBER} WHERE person_id = ? ORDER BY id", (person_id,))
    return [member_of(r) for r in rows]


async def member(source: Source, roster_id: int) -> Member | None:
    rows = await fetchall(source, f"{_MEMBER} WHERE id = ?", (roster_id,))
    return member_of(rows[0]) if rows else None


async def member_by_number(source: Source, org_id: int, member_number: str) -> Member | None:
    rows = await fetchall(
        source, f"{_MEMBER} WHERE org_id = ? AND member_number = ?", (org_id, member_number)
    )
    return member_of(rows[0]) if rows else None


# --- balances and statements ------------------------------------------------------------


@dataclass(frozen=True)
class Savings:
    """A member's balance per kind, on the normal side (what they have saved)."""

    by_kind: dict[SavingsKind, int]

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())

    def __getitem__(self, kind: SavingsKind) -> int:
        return self.by_kind[kind]


def _codes(roster_id: int) -> dict[str, SavingsKind]:
    return {L.member_savings(roster_id, kind): kind for kind in KINDS}


async def balances(source: Source, roster_id: int, at: int | None = None) -> Savings:
    """Pokok, wajib and sukarela now (or as of ``at``, inclusive): one index lookup each
    (the latest line's balance_after)."""
    codes = _codes(roster_id)
    found = await ledger.balances(source, codes, at)
    return Savings({kind: found[code] for code, kind in codes.items()})


@dataclass(frozen=True)
class MemberLine:
    """One movement of a member's savings: ``change`` + is a deposit, − a withdrawal;
    ``balance`` is that kind's balance after it."""

    entry_id: int
    at: int
    kind: SavingsKind
    change: int
    balance: int
    reason: str
    reference: str | None
    reverses: int | None
    reversed_by: int | None


_LINES = (
    "SELECT e.id, e.at, e.reason, e.reference, e.reverses, a.kind, l.amount, l.balance_after,"
    " (SELECT r.id FROM ledger_entries r WHERE r.reverses = e.id) AS reversed_by"
    " FROM ledger_accounts a JOIN ledger_lines l ON l.account_id = a.id"
    " JOIN ledger_entries e ON e.id = l.entry_id WHERE a.roster_id = ?"
)
_KIND_OF = {account: kind for kind, account in L.SAVINGS_ACCOUNT.items()}


def _line(row) -> MemberLine:
    kind = L.AccountKind(row["kind"])
    return MemberLine(
        row["id"], row["at"], _KIND_OF[kind], L.normal_balance(kind, row["amount"]),
        L.normal_balance(kind, row["balance_after"]), row["reason"], row["reference"],
        row["reverses"], row["reversed_by"],
    )  # fmt: skip


async def recent(
    source: Source, roster_id: int, limit: int = 10, before: int | None = None
) -> list[MemberLine]:
    """The member's movements of every kind, newest first, from at most ``limit`` entries
    (an opening balance is one entry with a line per kind: a page never splits it); the next
    page is ``before=`` the last one's ``entry_id``."""
    rows = await fetchall(
        source,
        f"{_LINES} AND l.entry_id IN (SELECT DISTINCT m.entry_id FROM ledger_lines m"
        " JOIN ledger_accounts b ON b.id = m.account_id WHERE b.roster_id = ? AND m.entry_id < ?"
        " ORDER BY m.entry_id DESC LIMIT ?) ORDER BY l.entry_id DESC, a.kind",
        (roster_id, roster_id, before if before is not None else 2**62, limit),
    )
    return [_line(r) for r in rows]


@dataclass(frozen=True)
class Statement:
    """A period [start, end) of a member's savings: opening balance, movements oldest first,
    closing balance (the opening plus the movements)."""

    start: int
    end: int
    opening: Savings
    lines: list[MemberLine]
    closing: Savings


async def statement(source: Source, roster_id: int, start: int, end: int) -> Statement:
    opening = await balances(source, roster_id, at=start - 1)
    rows = await fetchall(
        source,
        f"{_LINES} AND e.at >= ? AND e.at < ? ORDER BY l.entry_id, a.kind",
        (roster_id, start, end),
    )
    lines = [_line(r) for r in rows]
    closing = dict(opening.by_kind)
    for line in lines:
        closing[line.kind] += line.change
    return Statement(start, end, opening, lines, Savings(closing))


async def tagihan(source: Source, roster_id: int, through: Month) -> Dues | None:
    """Wajib billed from the month of joining through ``through`` and what is paid of it;
    None when the member's join date is not known."""
    found = await member(source, roster_id)
    if found is None or found.joined_on is None:
        return None
    saved = (await balances(source, roster_id))[SavingsKind.WAJIB]
    return dues(Month.of(found.joined_on), through, await rates(source, found.org_id), saved)


# --- exports ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberBalance:
    cooperative: str
    member: Member
    savings: Savings


async def member_balances(source: Source, org_id: int | None = None) -> list[MemberBalance]:
    """Every member (of one cooperative, or all) with their balance per kind, by cooperative
    code and member number: one query, each balance one index lookup."""
    where, params = ("WHERE r.org_id = ?", (org_id,)) if org_id is not None else ("", ())
    rows = await fetchall(
        source,
        "SELECT o.code, r.id, r.org_id, r.member_number, r.full_name, r.phone, r.person_id,"
        " r.joined_on, a.kind AS account_kind, (SELECT l.balance_after FROM ledger_lines l"
        " WHERE l.account_id = a.id ORDER BY l.entry_id DESC LIMIT 1) AS raw"
        " FROM roster r JOIN organisations o ON o.id = r.org_id"
        f" LEFT JOIN ledger_accounts a ON a.roster_id = r.id {where}"
        " ORDER BY o.code, r.member_number, r.id",
        params,
    )
    found: dict[int, MemberBalance] = {}
    for r in rows:
        if r["id"] not in found:
            found[r["id"]] = MemberBalance(
                r["code"], member_of(r), Savings(dict.fromkeys(KINDS, 0))
            )
        if r["account_kind"] is not None:
            kind = L.AccountKind(r["account_kind"])
            found[r["id"]].savings.by_kind[_KIND_OF[kind]] = L.normal_balance(kind, r["raw"] or 0)
    return list(found.values())


@dataclass(frozen=True)
class ExportLine:
    entry_id: int
    at: int
    author: str | None
    reason: str
    reference: str | None
    reverses: int | None
    line_no: int
    account: str
    amount: int  # debit > 0, credit < 0


#: Entries read per query by ledger_lines (each query a consistent snapshot of its range).
EXPORT_CHUNK = 5000


async def ledger_lines(
    source: Source, org_id: int | None = None, start: int | None = None, end: int | None = None
) -> AsyncIterator[ExportLine]:
    """Every line of the entries (touching one cooperative's accounts, or all; at within
    [start, end) if given), in entry and line order, read in chunks."""
    conditions, params = [], []
    if org_id is not None:
        conditions.append(
            "e.id IN (SELECT m.entry_id FROM ledger_lines m JOIN ledger_accounts b"
            " ON b.id = m.account_id WHERE b.org_id = ?)"
        )
        params.append(org_id)
    if start is not None:
        conditions.append("e.at >= ?")
        params.append(start)
    if end is not None:
        conditions.append("e.at < ?")
        params.append(end)
    extra = "".join(f" AND {c}" for c in conditions)
    last = (await fetchall(source, "SELECT MAX(id) AS last FROM ledger_entries"))[0]["last"] or 0
    for after in range(0, last, EXPORT_CHUNK):
        rows = await fetchall(
            source,
            "SELECT e.id, e.at, p.full_name, e.reason, e.reference, e.reverses, l.line_no,"
            " a.code, l.amount FROM ledger_entries e JOIN ledger_lines l ON l.entry_id = e.id"
            " JOIN ledger_accounts a ON a.id = l.account_id"
            " LEFT JOIN people p ON p.id = e.author_id"
            f" WHERE e.id > ? AND e.id <= ?{extra} ORDER BY e.id, l.line_no",
            (after, after + EXPORT_CHUNK, *params),
        )
        for r in rows:
            yield ExportLine(*(r[k] for k in range(9)))
