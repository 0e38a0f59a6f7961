"""The ledger as stored: post an entry, reverse one, read balances and statements, verify
the chain. The rules (sign convention, account codes, the hash) are in ``domain.ledger``.

Use cases take the connection of one transaction first (``db.write(ledger.post, …)``), so a
posting commits together with whatever else the use case writes (an offer marked paid, a
payroll batch recorded), or not at all. Posting reads the chain head and the accounts'
balances inside that transaction: SQLite's ``BEGIN IMMEDIATE`` makes posts one at a time,
which the chain needs anyway.

Offtake, for example (all amounts whole rupiah; ``L`` is ``domain.ledger``)::

    # the coordinator confirms the pickup: the cooperative owes the farmer the net amount
    await ledger.post(conn, [
        L.debit(L.purchases(org), gross),               # produce bought, at the locked price
        L.credit(L.fees(org), deductions),              # transport, handling (if any)
        L.credit(L.farmer_payable(farmer), gross - deductions),
    ], author=coordinator, reason="Pickup TW-0042: 1.500 kg gabah GKP", reference="offer:42:owed")
    # paid in the field (or L.bank(org) with the transfer reference in the reason)
    await ledger.post(conn, [
        L.debit(L.farmer_payable(farmer), net), L.credit(L.cash(org), net),
    ], author=coordinator, reason="Paid in cash, TW-0042", reference="offer:42:paid")
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

import aiosqlite

from domain import ledger as rules
from domain.ledger import (
    GENESIS_HASH,
    Account,
    AlreadyReversed,
    DuplicateReference,
    Entry,
    EntryNotFound,
    InvalidAccount,
    InvalidEntry,
    Line,
    Posted,
)
from storage.catalog import Source, fetchall
from storage.db import Database, is_integrity_error, now_utc

# How many entries verify reads per query (each query is one consistent snapshot).
VERIFY_CHUNK = 2000


@dataclass(frozen=True)
class StatementLine:
    """One line of an account's statement. ``change`` and ``balance`` are on the account's
    normal side (a deposit to savings is +, a withdrawal −); ``reversed_by`` names the entry
    that undid this one, if any."""

    entry_id: int
    at: int
    author: int | None
    reason: str
    reference: str | None
    reverses: int | None
    reversed_by: int | None
    change: int
    balance: int


@dataclass(frozen=True)
class Break:
    """The first place where the stored ledger is not what was posted."""

    entry_id: int
    problem: str

    def __str__(self) -> str:
        return f"entry {self.entry_id}: {self.problem}"


@dataclass(frozen=True)
class ChainReport:
    """What :func:`examine` found: ``entries`` checked up to ``last_id`` (its ``last_hash``),
    ``broken`` the first break or None; ``anchor_found`` whether a hash asked for was met."""

    entries: int
    last_id: int
    last_hash: str
    broken: Break | None
    anchor_found: bool | None = None


# --- reading ----------------------------------------------------------------------------


async def _rows(conn: aiosqlite.Connection, sql: str, params: tuple | dict = ()) -> list[Any]:
    return list(await conn.execute_fetchall(sql, params))


async def _head(conn: aiosqlite.Connection) -> tuple[int, str]:
    rows = await _rows(conn, "SELECT id, hash FROM ledger_entries ORDER BY id DESC LIMIT 1")
    return (rows[0]["id"], rows[0]["hash"]) if rows else (0, GENESIS_HASH)


async def _live_holder(conn: aiosqlite.Connection, reference: str) -> int | None:
    """The entry that holds ``reference`` and is not reversed, if any."""
    rows = await _rows(
        conn,
        "SELECT e.id FROM ledger_entries e WHERE e.reference = ?"
        " AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses = e.id)",
        (reference,),
    )
    return rows[0]["id"] if rows else None


# Codes per query when reading accounts (SQLite allows 32766 parameters, older builds 999).
_CODES_PER_QUERY = 500


async def _known(conn: aiosqlite.Connection, codes: list[str]) -> list[Any]:
    """id, code and raw balance (the latest line's balance_after) of the accounts that exist."""
    found = []
    for start in range(0, len(codes), _CODES_PER_QUERY):
        chunk = codes[start : start + _CODES_PER_QUERY]
        found += await _rows(
            conn,
            "SELECT a.id, a.code, (SELECT l.balance_after FROM ledger_lines l WHERE l.account_id = a.id"
            " ORDER BY l.entry_id DESC LIMIT 1) AS raw"
            f" FROM ledger_accounts a WHERE a.code IN ({', '.join('?' * len(chunk))})",
            tuple(chunk),
        )
    return found


async def _accounts(
    conn: aiosqlite.Connection, codes: Iterable[str]
) -> dict[str, tuple[int, Account, int]]:
    """Each account by code, created on first use: (its id, the account, its raw balance)."""
    parsed = {code: rules.parse_account(code) for code in codes}
    rows = await _known(conn, list(parsed))
    if len(rows) < len(parsed):
        known = {r["code"] for r in rows}
        new = [a for code, a in parsed.items() if code not in known]
        try:
            # A member's savings belong to the roster entry's cooperative too (exports per org).
            await conn.executemany(
                "INSERT INTO ledger_accounts (code, kind, person_id, org_id, roster_id, created_at)"
                " VALUES (?, ?, ?, COALESCE(?, (SELECT org_id FROM roster WHERE id = ?)), ?, ?)"
                " ON CONFLICT (code) DO NOTHING",
                [
                    (
                        a.code,
                        a.kind.value,
                        a.person_id,
                        a.org_id,
                        a.roster_id,
                        a.roster_id,
                        now_utc(),
                    )
                    for a in new
                ],
            )
        except Exception as exc:  # the person, roster entry or organisation does not exist
            if not is_integrity_error(exc):
                raise
            raise InvalidAccount(
                f"an account of nobody among: {', '.join(a.code for a in new)}"
            ) from None
        rows = await _known(conn, list(parsed))
    return {r["code"]: (r["id"], parsed[r["code"]], r["raw"] or 0) for r in rows}


async def _entry(source: Source, entry_id: int) -> Entry | None:
    rows = await fetchall(
        source,
        "SELECT e.id, e.at, e.author_id, e.reason, e.reference, e.reverses, e.hash,"
        " a.code, l.amount, l.balance_after FROM ledger_entries e"
        " JOIN ledger_lines l ON l.entry_id = e.id JOIN ledger_accounts a ON a.id = l.account_id"
        " WHERE e.id = ? ORDER BY l.line_no",
        (entry_id,),
    )
    if not rows:
        return None
    first = rows[0]
    lines = tuple(Posted(r["code"], r["amount"], r["balance_after"]) for r in rows)
    return Entry(
        first["id"], first["at"], first["author_id"], first["reason"], first["reference"],
        first["reverses"], lines, first["hash"],
    )  # fmt: skip


async def get(source: Source, entry_id: int) -> Entry | None:
    """An entry with its lines, or None."""
    return await _entry(source, entry_id)


async def by_reference(source: Source, reference: str) -> Entry | None:
    """The live (not reversed) entry holding ``reference``, or None: e.g. whether
    ``offer:42:paid`` is posted."""
    rows = await fetchall(
        source,
        "SELECT e.id FROM ledger_entries e WHERE e.reference = ?"
        " AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses = e.id)",
        (reference,),
    )
    return await _entry(source, rows[0]["id"]) if rows else None


async def last_at(source: Source) -> int | None:
    """When the newest entry was posted (None: no entry yet): a seed that posts later entries
    keeps the ledger in time order."""
    rows = await fetchall(source, "SELECT MAX(at) AS at FROM ledger_entries")
    return rows[0]["at"] if rows else None


async def reversal_of(source: Source, entry_id: int) -> int | None:
    """The id of the entry that reversed ``entry_id``, if any."""
    rows = await fetchall(source, "SELECT id FROM ledger_entries WHERE reverses = ?", (entry_id,))
    return rows[0]["id"] if rows else None


async def balance(source: Source, account: str, at: int | None = None) -> int:
    """The balance of ``account`` on its normal side (a member's savings, what is owed to a
    farmer, the cash held: positive), now or as of ``at`` (Unix seconds, inclusive). An
    account never used has 0."""
    return (await balances(source, [account], at))[account]


async def balances(
    source: Source, accounts: Iterable[str], at: int | None = None
) -> dict[str, int]:
    """:func:`balance` of several accounts at once (a member's pokok, wajib and sukarela)."""
    parsed = {code: rules.parse_account(code) for code in accounts}
    found = dict.fromkeys(parsed, 0)
    for code, account in parsed.items():
        if at is None:
            rows = await fetchall(
                source,
                "SELECT l.balance_after FROM ledger_accounts a JOIN ledger_lines l ON l.account_id = a.id"
                " WHERE a.code = ? ORDER BY l.entry_id DESC LIMIT 1",
                (code,),
            )
        else:
            rows = await fetchall(
                source,
                "SELECT l.balance_after FROM ledger_accounts a JOIN ledger_lines l ON l.account_id = a.id"
                " JOIN ledger_entries e ON e.id = l.entry_id WHERE a.code = ? AND e.at <= ?"
                " ORDER BY l.entry_id DESC LIMIT 1",
                (code, at),
            )
        if rows:
            found[code] = rules.normal_balance(account.kind, rows[0]["balance_after"])
    return found


async def entries(
    db: Source, account: str, limit: int = 20, before: int | None = None
) -> list[StatementLine]:
    """The account's lines, newest first, at most ``limit``; the next page is ``before=`` the
    last one's ``entry_id``."""
    kind = rules.parse_account(account).kind
    rows = await fetchall(
        db,
        "SELECT e.id, e.at, e.author_id, e.reason, e.reference, e.reverses,"
        " (SELECT r.id FROM ledger_entries r WHERE r.reverses = e.id) AS reversed_by,"
        " l.amount, l.balance_after"
        " FROM ledger_accounts a JOIN ledger_lines l ON l.account_id = a.id"
        " JOIN ledger_entries e ON e.id = l.entry_id"
        " WHERE a.code = ? AND l.entry_id < ? ORDER BY l.entry_id DESC LIMIT ?",
        (account, before if before is not None else 2**62, limit),
    )
    return [
        StatementLine(
            r["id"],
            r["at"],
            r["author_id"],
            r["reason"],
            r["reference"],
            r["reverses"],
            r["reversed_by"],
            rules.normal_balance(kind, r["amount"]),
            rules.normal_balance(kind, r["balance_after"]),
        )  # fmt: skip
        for r in rows
    ]


# --- writing ----------------------------------------------------------------------------


def _chained(
    previous: tuple[int, str],
    at: int,
    lines: tuple[Line, ...],
    author: int | None,
    reason: str,
    reference: str | None,
    reverses: int | None,
    accounts: dict[str, tuple[int, Account, int]],
    raw: dict[str, int],
) -> Entry:
    """The next entry after ``previous`` (id, hash), its lines checked against and applied to
    the running raw balances ``raw`` (updated in place)."""
    posted = []
    for line in lines:
        before = raw[line.account]
        rules.check_not_overdrawn(accounts[line.account][1], before, line.amount)
        raw[line.account] = before + line.amount
        posted.append(Posted(line.account, line.amount, before + line.amount))
    last_id, last_hash = previous
    unhashed = Entry(last_id + 1, at, author, reason, reference, reverses, tuple(posted), "")
    return replace(unhashed, hash=rules.chain_hash(last_hash, unhashed))


async def _insert(
    conn: aiosqlite.Connection, entries: list[Entry], accounts: dict[str, tuple[int, Account, int]]
) -> None:
    await conn.executemany(
        "INSERT INTO ledger_entries (id, at, author_id, reason, reference, reverses, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(e.id, e.at, e.author, e.reason, e.reference, e.reverses, e.hash) for e in entries],
    )
    await conn.executemany(
        "INSERT INTO ledger_lines (entry_id, line_no, account_id, amount, balance_after) VALUES (?, ?, ?, ?, ?)",
        [
            (e.id, n, accounts[p.account][0], p.amount, p.balance_after)
            for e in entries
            for n, p in enumerate(e.lines, start=1)
        ],
    )


async def _append(
    conn: aiosqlite.Connection,
    lines: tuple[Line, ...],
    author: int | None,
    reason: str,
    reference: str | None,
    reverses: int | None,
) -> Entry:
    accounts = await _accounts(conn, (line.account for line in lines))
    raw = {code: balance for code, (_, _, balance) in accounts.items()}
    entry = _chained(
        await _head(conn), now_utc(), lines, author, reason, reference, reverses, accounts, raw
    )
    await _insert(conn, [entry], accounts)
    return entry


async def post(
    conn: aiosqlite.Connection,
    lines: Iterable[Line],
    author: int | None,
    reason: str,
    reference: str | None = None,
) -> Entry:
    """Post one balanced entry (lines from ``domain.ledger.debit``/``credit``) and return
    it with its hash. Refused with a LedgerError: amounts that are not whole positive rupiah
    (InvalidAmount), unknown accounts (InvalidAccount), debits ≠ credits (UnbalancedEntry), no
    reason (InvalidEntry), a savings or payable account taken below zero (Overdrawn), a
    ``reference`` already held by an entry that is not reversed (DuplicateReference)."""
    checked = rules.check_lines(lines)
    author = rules.check_author(author)
    reason = rules.check_reason(reason)
    reference = rules.check_reference(reference)
    if reference is not None and (holder := await _live_holder(conn, reference)) is not None:
        raise DuplicateReference(reference, holder)
    return await _append(conn, checked, author, reason, reference, None)


@dataclass(frozen=True)
class Posting:
    """One entry to post with :func:`post_many`."""

    lines: tuple[Line, ...]
    reason: str
    reference: str | None = None


# Entries written per executemany in post_many (and the progress step).
POST_CHUNK = 1000


async def _live_holders(conn: aiosqlite.Connection, references: list[str]) -> dict[str, int]:
    held: dict[str, int] = {}
    for start in range(0, len(references), _CODES_PER_QUERY):
        chunk = references[start : start + _CODES_PER_QUERY]
        rows = await _rows(
            conn,
            "SELECT e.reference, e.id FROM ledger_entries e"
            f" WHERE e.reference IN ({', '.join('?' * len(chunk))})"
            " AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses = e.id)",
            tuple(chunk),
        )
        held.update((r["reference"], r["id"]) for r in rows)
    return held


def _checked_postings(postings: Iterable[Posting]) -> list[Posting]:
    checked, seen = [], set()
    for p in postings:
        reference = rules.check_reference(p.reference)
        if reference is not None and reference in seen:
            raise InvalidEntry(f"{reference!r} is given to two entries of one batch")
        seen.add(reference)
        checked.append(Posting(rules.check_lines(p.lines), rules.check_reason(p.reason), reference))
    return checked


async def post_many(
    conn: aiosqlite.Connection,
    postings: Iterable[Posting],
    author: int | None,
    progress: Callable[[int], None] | None = None,
) -> list[Entry]:
    """Post many entries in the caller's transaction, in order, as :func:`post` would one by
    one (the same checks and chain) but with the accounts and references read once and the
    rows written in chunks: an import of 100,000 members is seconds, not minutes.
    ``progress(n)`` is told each time ``n`` more entries are written."""
    checked = _checked_postings(postings)
    author = rules.check_author(author)
    held = await _live_holders(conn, [p.reference for p in checked if p.reference is not None])
    if held:
        reference, holder = next(iter(held.items()))
        raise DuplicateReference(reference, holder)
    accounts = await _accounts(conn, {line.account for p in checked for line in p.lines})
    raw = {code: balance for code, (_, _, balance) in accounts.items()}
    previous, at, posted = await _head(conn), now_utc(), []
    for start in range(0, len(checked), POST_CHUNK):
        chunk = []
        for p in checked[start : start + POST_CHUNK]:
            entry = _chained(
                previous, at, p.lines, author, p.reason, p.reference, None, accounts, raw
            )
            previous = (entry.id, entry.hash)
            chunk.append(entry)
        await _insert(conn, chunk, accounts)
        posted += chunk
        if progress is not None:
            progress(len(chunk))
    return posted


async def reverse(
    conn: aiosqlite.Connection, entry_id: int, author: int | None, reason: str
) -> Entry:
    """Undo entry ``entry_id`` with an entry of mirrored lines that names it and says why.
    An entry is reversed once (AlreadyReversed); a reversal is not reversed (post the entry
    again instead, InvalidEntry); a reversal that would take an account below zero (a
    deposit already withdrawn) is refused (Overdrawn): reverse the later entry first."""
    author = rules.check_author(author)
    reason = rules.check_reason(reason)
    original = await _entry(conn, entry_id)
    if original is None:
        raise EntryNotFound(f"no ledger entry {entry_id}")
    if original.reverses is not None:
        raise InvalidEntry(
            f"entry {entry_id} is a reversal of entry {original.reverses}: post anew instead"
        )
    if (by := await reversal_of(conn, entry_id)) is not None:
        raise AlreadyReversed(entry_id, by)
    lines = rules.mirrored(Line(p.account, p.amount) for p in original.lines)
    return await _append(conn, lines, author, reason, None, entry_id)


# --- verifying --------------------------------------------------------------------------


_CHUNK_SQL = (
    "SELECT e.id, e.at, e.author_id, e.reason, e.reference, e.reverses, e.hash,"
    " l.line_no, a.code, l.amount, l.balance_after, l.account_id"
    " FROM ledger_entries e LEFT JOIN ledger_lines l ON l.entry_id = e.id"
    " LEFT JOIN ledger_accounts a ON a.id = l.account_id"
    " WHERE e.id > ? AND e.id <= ? ORDER BY e.id, l.line_no"
)


def _check_entry(
    rows: list[Any], expected_id: int, previous: str, running: dict[int, int]
) -> str | None:
    """What is wrong with one entry (its rows of the chunk query), or None."""
    first = rows[0]
    if first["id"] != expected_id:
        if expected_id == 1:
            return f"missing: the ledger starts at entry {first['id']}"
        return f"missing: entry {first['id']} follows entry {expected_id - 1}"
    if first["line_no"] is None:
        return "has no lines"
    if [r["line_no"] for r in rows] != list(range(1, len(rows) + 1)):
        return f"lines are numbered {[r['line_no'] for r in rows]}: one is missing"
    if any(r["code"] is None for r in rows):
        return "a line names an account that does not exist"
    total = sum(r["amount"] for r in rows)
    if total != 0:
        return f"lines sum to {total}, not 0"
    for r in rows:
        expected = running.get(r["account_id"], 0) + r["amount"]
        if r["balance_after"] != expected:
            return (
                f"line {r['line_no']} ({r['code']}): balance after is {r['balance_after']},"
                f" recomputed {expected}"
            )
        running[r["account_id"]] = expected
    entry = Entry(
        first["id"], first["at"], first["author_id"], first["reason"], first["reference"], first["reverses"],
        tuple(Posted(r["code"], r["amount"], r["balance_after"]) for r in rows), first["hash"],
    )  # fmt: skip
    if rules.chain_hash(previous, entry) != entry.hash:
        return "its hash does not match its content and the previous hash (edited, or an earlier entry was)"
    return None


async def examine(db: Database, anchor: str | None = None) -> ChainReport:
    """Recompute the chain and every balance in id order, up to the last entry when called;
    stop at the first break. ``anchor``: a hash printed earlier, which must be met on the
    way (else the entries after it were cut off or rewritten)."""
    head = await db.fetchall("SELECT MAX(id) AS last FROM ledger_entries")
    last = head[0]["last"] or 0
    previous, expected, count = GENESIS_HASH, 1, 0
    running: dict[int, int] = {}
    found_anchor = None if anchor is None else anchor == GENESIS_HASH
    after = 0
    while after < last:
        rows = await db.fetchall(_CHUNK_SQL, (after, after + VERIFY_CHUNK))
        after += VERIFY_CHUNK
        i = 0
        while i < len(rows):
            j = i
            while j < len(rows) and rows[j]["id"] == rows[i]["id"]:
                j += 1
            entry_rows = rows[i:j]
            problem = _check_entry(entry_rows, expected, previous, running)
            if problem is not None:
                broken_id = expected if problem.startswith("missing") else entry_rows[0]["id"]
                return ChainReport(
                    count, expected - 1, previous, Break(broken_id, problem), found_anchor
                )
            previous = entry_rows[0]["hash"]
            found_anchor = found_anchor or (anchor is not None and previous == anchor)
            expected += 1
            count += 1
            i = j
    return ChainReport(count, expected - 1, previous, None, found_anchor)


async def verify(db: Database) -> Break | None:
    """None when every entry's lines sum to zero, every running balance recomputes and the
    hash chain holds from the genesis value; else the first broken entry and what is wrong."""
    return (await examine(db)).broken
