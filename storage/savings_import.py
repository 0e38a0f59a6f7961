"""Spreadsheet imports as use cases: the roster with opening balances, and payroll batches of
deposits. Each runs in one transaction (``db.write``): the rows, already read and checked cell
by cell (``storage.savings_sheets``), are checked against what is stored, and either every error is
raised together (ImportRefused: nothing written) or everything is written.

Importing the same members again changes nothing: a member is found by cooperative and member
number, and an opening balance is the ledger entry ``opening:member:<roster_id>`` (posted once).
A deposits batch is recorded once, by its reference and by its content.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import aiosqlite

from domain import ledger as L
from domain.ledger import SavingsKind
from domain.money import rupiah
from domain.people import Role, display_phone
from domain.savings import Month
from storage import ledger
from storage.db import now_utc
from storage.people import add_role, audit
from storage.savings import KINDS, Member, member_of
from storage.savings_sheets import (
    DepositRow,
    Layout,
    MemberRow,
    RowError,
    duplicate_deposits,
    duplicate_members,
)

Progress = Callable[[int], None] | None

# Values per IN (…) query (SQLite allows 32766 parameters, older builds 999).
_PER_QUERY = 500


class ImportRefused(Exception):
    """The file has errors (all of them, by row and column): nothing was written."""

    def __init__(self, errors: Iterable[RowError]) -> None:
        self.errors = sorted(errors)
        super().__init__(f"{len(self.errors)} errors")


async def _rows(conn: aiosqlite.Connection, sql: str, params: Iterable = ()) -> list:
    return list(await conn.execute_fetchall(sql, tuple(params)))


async def _in_chunks(conn: aiosqlite.Connection, sql: str, values: list, *first) -> list:
    """``sql`` with ``{}`` standing for the placeholders of an IN list, run per chunk."""
    found = []
    for start in range(0, len(values), _PER_QUERY):
        chunk = values[start : start + _PER_QUERY]
        found += await _rows(conn, sql.format(", ".join("?" * len(chunk))), (*first, *chunk))
    return found


def opening_reference(roster_id: int) -> str:
    return f"opening:member:{roster_id}"


# --- members ----------------------------------------------------------------------------


@dataclass
class MembersImported:
    new: int = 0
    completed: int = 0  # known members given a join date, a link or an opening balance
    unchanged: int = 0
    linked: int = 0  # roster entries linked to people registered with the same phone
    opening: dict[SavingsKind, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))


@dataclass
class _Plan:
    new: list[MemberRow] = field(default_factory=list)
    join_dates: list[tuple[str, int]] = field(default_factory=list)  # (iso date, roster id)
    links: list[tuple[int, int]] = field(default_factory=list)  # (person id, roster id)
    openings: list[tuple[MemberRow, int]] = field(default_factory=list)  # (row, roster id)
    take_homes: list[tuple[int, int]] = field(default_factory=list)  # (rupiah, roster id)
    completed: set[int] = field(default_factory=set)  # rows
    unchanged: int = 0


async def _orgs(conn: aiosqlite.Connection) -> dict[str, int]:
    return {r["code"]: r["id"] for r in await _rows(conn, "SELECT id, code FROM organisations")}


async def _roster(conn: aiosqlite.Connection, org_ids: set[int]) -> list[Member]:
    rows = await _in_chunks(
        conn,
        "SELECT id, org_id, member_number, full_name, phone, person_id, joined_on FROM roster"
        " WHERE org_id IN ({})",
        sorted(org_ids),
    )
    return [member_of(r) for r in rows]


async def _take_homes(conn: aiosqlite.Connection, org_ids: set[int]) -> dict[int, int | None]:
    rows = await _in_chunks(
        conn, "SELECT id, take_home_rupiah FROM roster WHERE org_id IN ({})", sorted(org_ids)
    )
    return {r["id"]: r["take_home_rupiah"] for r in rows}


async def _openings(
    conn: aiosqlite.Connection, roster_ids: list[int]
) -> dict[int, tuple[int, dict[SavingsKind, int]]]:
    """The live opening-balance entry of each member that has one: (entry id, per kind)."""
    references = {opening_reference(r): r for r in roster_ids}
    rows = await _in_chunks(
        conn,
        "SELECT e.id, e.reference, a.code, l.amount FROM ledger_entries e"
        " JOIN ledger_lines l ON l.entry_id = e.id JOIN ledger_accounts a ON a.id = l.account_id"
        " WHERE e.reference IN ({}) AND a.roster_id IS NOT NULL"
        " AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses = e.id)",
        list(references),
    )
    found: dict[int, tuple[int, dict[SavingsKind, int]]] = {}
    for r in rows:
        roster_id = references[r["reference"]]
        _, by_kind = found.setdefault(roster_id, (r["id"], dict.fromkeys(KINDS, 0)))
        by_kind[SavingsKind(r["code"].rsplit(":", 1)[1])] = -r["amount"]  # credit-normal
    return found


async def _people_by_phone(conn: aiosqlite.Connection, phones: list[str]) -> dict[str, int]:
    rows = await _in_chunks(conn, "SELECT id, phone FROM people WHERE phone IN ({})", phones)
    return {r["phone"]: r["id"] for r in rows}


def _differences(
    row: MemberRow, known: Member, opening: tuple[int, dict] | None, layout: Layout
) -> list[RowError]:
    """What the file says otherwise than the books: reported, never overwritten."""
    errors, who = [], f"member {known.member_number} is stored with"
    if row.name != known.full_name:
        errors.append(layout.error(row.row, "name", f"{who} name {known.full_name!r}"))
    if row.phone != known.phone:
        errors.append(layout.error(row.row, "phone", f"{who} phone {display_phone(known.phone)}"))
    if known.joined_on is not None and row.joined_on != known.joined_on:
        errors.append(layout.error(row.row, "joined_on", f"{who} join date {known.joined_on}"))
    if opening is not None:
        entry_id, stored = opening
        for kind in KINDS:
            if row.opening[kind] != stored[kind]:
                errors.append(
                    layout.error(row.row, kind.value, f"{who} opening {kind.value} {rupiah(stored[kind])}"
                             f" (ledger entry {entry_id})")
                )  # fmt: skip
    return errors


def _plan_known(
    plan: _Plan, row: MemberRow, known: Member, opening, person_id: int | None, pay: int | None
) -> None:  # fmt: skip
    if row.take_home is not None and row.take_home != pay:  # the payroll's newer figure
        plan.take_homes.append((row.take_home, known.id))
        plan.completed.add(row.row)
    if known.joined_on is None:
        plan.join_dates.append((row.joined_on.isoformat(), known.id))
        plan.completed.add(row.row)
    if known.person_id is None and person_id is not None:
        plan.links.append((person_id, known.id))
        plan.completed.add(row.row)
    if opening is None and row.opening_total:
        plan.openings.append((row, known.id))
        plan.completed.add(row.row)
    if row.row not in plan.completed:
        plan.unchanged += 1


async def _plan_members(
    conn: aiosqlite.Connection, rows: list[MemberRow], layout: Layout
) -> tuple[_Plan, list[RowError], dict[str, int], dict[str, int]]:
    """What to write for each row, or what is wrong with it; and the cooperatives by code and
    the registered people by phone it looked up."""
    orgs, errors, plan = await _orgs(conn), [], _Plan()
    for row in rows:
        if row.cooperative not in orgs:
            errors.append(
                layout.error(row.row, "cooperative", f"no cooperative {row.cooperative!r}")
            )
    rows = [r for r in rows if r.cooperative in orgs]
    stored = await _roster(conn, {orgs[r.cooperative] for r in rows})
    by_number = {(m.org_id, m.member_number): m for m in stored}
    by_phone = {(m.org_id, m.phone): m for m in stored}
    openings = await _openings(conn, [m.id for m in stored])
    pays = await _take_homes(conn, {m.org_id for m in stored})
    people = await _people_by_phone(conn, sorted({r.phone for r in rows}))
    for row in rows:
        org_id = orgs[row.cooperative]
        known = by_number.get((org_id, row.member_number))
        if known is None:
            holder = by_phone.get((org_id, row.phone))
            if holder is not None:
                message = f"this phone is member {holder.member_number}'s in {row.cooperative}"
                errors.append(layout.error(row.row, "phone", message))
            else:
                plan.new.append(row)
            continue
        wrong = _differences(row, known, openings.get(known.id), layout)
        if wrong:
            errors += wrong
        else:
            _plan_known(plan, row, known, openings.get(known.id), people.get(row.phone),
                        pays.get(known.id))  # fmt: skip
    return plan, errors, orgs, people


async def _write_roster(
    conn: aiosqlite.Connection, plan: _Plan, orgs: dict[str, int], people: dict[str, int]
) -> dict[tuple[int, str], int]:
    """Insert the new members (linked to whoever registered with their phone), fill join
    dates and links of known ones; the roster ids of the new members by (org, number)."""
    now = now_utc()
    await conn.executemany(
        "INSERT INTO roster (org_id, member_number, full_name, phone, person_id, joined_on,"
        " created_at, take_home_rupiah) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(orgs[r.cooperative], r.member_number, r.name, r.phone, people.get(r.phone),
          r.joined_on.isoformat(), now, r.take_home) for r in plan.new],
    )  # fmt: skip
    await conn.executemany("UPDATE roster SET take_home_rupiah = ? WHERE id = ?", plan.take_homes)
    await conn.executemany(
        "UPDATE roster SET joined_on = ? WHERE id = ? AND joined_on IS NULL", plan.join_dates
    )
    await conn.executemany(
        "UPDATE roster SET person_id = ? WHERE id = ? AND person_id IS NULL", plan.links
    )
    new_orgs = {orgs[r.cooperative] for r in plan.new}
    return {(m.org_id, m.member_number): m.id for m in await _roster(conn, new_orgs)}


def _opening_posting(row: MemberRow, roster_id: int, org_id: int) -> ledger.Posting:
    credits = [
        L.credit(L.member_savings(roster_id, kind), amount)
        for kind, amount in row.opening.items()
        if amount
    ]
    return ledger.Posting(
        (L.debit(L.opening(org_id), row.opening_total), *credits),
        L.coded_reason(L.REASON_OPENING),
        opening_reference(roster_id),
    )


async def import_members(
    conn: aiosqlite.Connection,
    rows: list[MemberRow],
    errors: list[RowError],
    layout: Layout,
    file_name: str,
    progress: Progress = None,
) -> MembersImported:
    """Roster entries and opening balances from a checked members file; ``errors`` are the
    cell errors found while reading it. Raises ImportRefused with every error, else writes
    all in this transaction."""
    plan, found, orgs, people = await _plan_members(conn, rows, layout)
    found += duplicate_members(rows, layout)
    if errors or found:
        raise ImportRefused([*errors, *found])
    new_ids = await _write_roster(conn, plan, orgs, people)
    openings = plan.openings + [
        (r, new_ids[(orgs[r.cooperative], r.member_number)]) for r in plan.new if r.opening_total
    ]
    postings = [_opening_posting(r, rid, orgs[r.cooperative]) for r, rid in openings]
    await ledger.post_many(conn, postings, None, progress)
    linked = {person for person, _ in plan.links} | {
        people[r.phone] for r in plan.new if r.phone in people
    }
    for person_id in sorted(linked):
        await add_role(conn, person_id, Role.MEMBER)
    result = MembersImported(
        len(plan.new), len(plan.completed), plan.unchanged,
        len(plan.links) + sum(r.phone in people for r in plan.new),
    )  # fmt: skip
    for row, _ in openings:
        for kind in KINDS:
            result.opening[kind] += row.opening[kind]
    await audit(conn, None, "members.import", f"file:{file_name}", new=result.new,
                completed=result.completed, unchanged=result.unchanged)  # fmt: skip
    return result


# --- deposits ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Batch:
    """A deposits file: ``reference`` (deposits:<org code>:<name or content hash>) names it in
    the ledger; ``content_hash`` is :func:`storage.savings_sheets.batch_hash` of its rows."""

    org_id: int
    reference: str
    file_name: str
    content_hash: str


@dataclass(frozen=True)
class RecordedBatch:
    reference: str
    file_name: str
    row_count: int
    total: int
    first_entry: int
    last_entry: int
    recorded_at: int


class BatchAlreadyRecorded(Exception):
    """This batch (by name, or the same rows under another name) was recorded before."""

    def __init__(self, recorded: RecordedBatch) -> None:
        super().__init__(recorded.reference)
        self.recorded = recorded


#: Where the money of a deposit is: a payroll deduction is owed by the employer until it
#: transfers it (receivable); money in hand or in the bank.
PAID_INTO = {"receivable": L.receivable, "bank": L.bank, "cash": L.cash}


async def recorded_batch(conn: aiosqlite.Connection, batch: Batch) -> RecordedBatch | None:
    """The batch of this name, or with the same rows unless every entry of it was reversed
    (a batch undone may be recorded again, under another name)."""
    rows = await _rows(
        conn,
        "SELECT reference, file_name, row_count, total, first_entry, last_entry, recorded_at"
        " FROM savings_batches b WHERE reference = ? OR (org_id = ? AND content_hash = ?"
        " AND EXISTS (SELECT 1 FROM ledger_entries e WHERE e.id BETWEEN b.first_entry"
        " AND b.last_entry AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses = e.id)))"
        " ORDER BY reference <> ?",
        (batch.reference, batch.org_id, batch.content_hash, batch.reference),
    )
    return RecordedBatch(*rows[0]) if rows else None


async def _paid_wajib(
    conn: aiosqlite.Connection, roster_ids: list[int], months: list[str]
) -> dict[tuple[int, str], tuple[str, int]]:
    """(roster id, month) → (batch reference, entry id) of the wajib months of the file
    (``months``) already booked: only those, so the memory a batch needs does not grow with
    the years of batches before it (bench.savings saw +30 MiB per earlier batch)."""
    found: dict[tuple[int, str], tuple[str, int]] = {}
    for month in months:
        rows = await _in_chunks(
            conn,
            "SELECT d.roster_id, d.month, d.entry_id, b.reference FROM savings_deposits d"
            " JOIN savings_batches b ON b.id = d.batch_id WHERE d.kind = 'wajib' AND d.month = ?"
            " AND d.roster_id IN ({})"
            " AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses = d.entry_id)",
            roster_ids,
            month,
        )
        found.update({(r["roster_id"], r["month"]): (r["reference"], r["entry_id"]) for r in rows})
    return found


def _deposit_errors(
    row: DepositRow, known: Member | None, paid: dict, layout: Layout
) -> list[RowError]:
    if known is None:
        return [layout.error(row.row, "member_number", "no such member")]
    if row.kind is not SavingsKind.WAJIB:
        return []
    if known.joined_on is not None and row.month < Month.of(known.joined_on):
        return [layout.error(row.row, "month", f"before the member joined ({known.joined_on})")]
    if (earlier := paid.get((known.id, str(row.month)))) is not None:
        return [layout.error(row.row, "month", f"wajib {row.month} of member {known.member_number}"
                         f" is already recorded (batch {earlier[0]}, ledger entry {earlier[1]})")]  # fmt: skip
    return []


@dataclass(frozen=True)
class DepositsImported:
    batch: RecordedBatch
    by_kind: dict[SavingsKind, int]


async def import_deposits(
    conn: aiosqlite.Connection,
    batch: Batch,
    rows: list[DepositRow],
    errors: list[RowError],
    layout: Layout,
    paid_into: str = "receivable",
    progress: Progress = None,
) -> DepositsImported:
    """A checked deposits file as one batch: an entry per row (debit where the money is,
    credit the member's savings), recorded with its months. Raises BatchAlreadyRecorded, or
    ImportRefused with every error (an unknown member, a wajib month before joining or
    already paid, and the cell errors given)."""
    if (earlier := await recorded_batch(conn, batch)) is not None:
        raise BatchAlreadyRecorded(earlier)
    roster = {m.member_number: m for m in await _roster(conn, {batch.org_id})}
    paid = await _paid_wajib(
        conn,
        sorted({m.id for m in roster.values()}),
        sorted({str(r.month) for r in rows if r.kind is SavingsKind.WAJIB}),
    )
    found = [e for r in rows for e in _deposit_errors(r, roster.get(r.member_number), paid, layout)]
    found += duplicate_deposits(rows, layout)
    if errors or found or not rows:
        raise ImportRefused([*errors, *found] or [RowError(1, "", "no deposits in the file")])
    account = PAID_INTO[paid_into](batch.org_id)
    postings = [
        ledger.Posting(
            (
                L.debit(account, r.amount),
                L.credit(L.member_savings(roster[r.member_number].id, r.kind), r.amount),
            ),
            L.coded_reason(L.REASON_DEPOSIT_MONTH, kind=r.kind.value, month=str(r.month)),
            f"{batch.reference}#{r.row}",
        )  # fmt: skip
        for r in rows
    ]
    entries = await ledger.post_many(conn, postings, None, progress)
    recorded = RecordedBatch(
        batch.reference, batch.file_name, len(rows), sum(r.amount for r in rows),
        entries[0].id, entries[-1].id, entries[0].at,
    )  # fmt: skip
    batch_id = await record_batch(conn, batch, recorded)
    await conn.executemany(
        "INSERT INTO savings_deposits (entry_id, batch_id, roster_id, kind, month)"
        " VALUES (?, ?, ?, ?, ?)",
        [(e.id, batch_id, roster[r.member_number].id, r.kind.value, str(r.month))
         for e, r in zip(entries, rows, strict=True)],
    )  # fmt: skip
    by_kind = dict.fromkeys(KINDS, 0)
    for r in rows:
        by_kind[r.kind] += r.amount
    return DepositsImported(recorded, by_kind)


async def record_batch(conn: aiosqlite.Connection, batch: Batch, done: RecordedBatch) -> int:
    rows = await _rows(
        conn,
        "INSERT INTO savings_batches (org_id, reference, file_name, content_hash, row_count,"
        " total, first_entry, last_entry, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " RETURNING id",
        (batch.org_id, batch.reference, batch.file_name, batch.content_hash, done.row_count,
         done.total, done.first_entry, done.last_entry, done.recorded_at),
    )  # fmt: skip
    await audit(conn, None, "deposits.import", f"batch:{rows[0]['id']}",
                reference=batch.reference, rows=done.row_count, total=done.total)  # fmt: skip
    return rows[0]["id"]
