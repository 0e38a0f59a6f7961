"""The year-end SHU from the ledger (rules in ``domain.shu``): the bylaws' versions, a year's
figures read in a few grouped queries, the split, and the posting as one maker–checker action.

What is read (``ledger_lines`` of the year, by the entry's time, in the cooperative's zone):

* income: the lines of ``sales``, ``fees``, ``loanfees``, ``loaninterest``, ``loanpenalty`` and
  ``hubfees`` of the cooperative (credits less debits); costs: ``purchases``, ``cogs``,
  ``losses`` (debits less credits). A reversal in the year counts against its year.
* jasa paid per member: the ``loaninterest`` lines, each entry's loan read from its reference
  ``loan:<id>:…`` (a reversal's from the entry it reverses), the loan's member from ``loans``;
* produce sold to the cooperative: the ``payable:farmer`` lines of entries that also post to
  the cooperative's ``purchases`` (the farmer's person linked to the roster makes a member;
  everyone else is a non-member);
* goods taken by members: debits of ``receivable:member`` (and the reversals of those);
* savings: the month-end balances of ``member:<roster>:pokok`` and ``wajib``, as one weighted
  sum per member (a line counts in every month-end after it).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import aiosqlite

from domain import ledger as L
from domain import shu as rules
from domain.regions import WIB
from storage import ledger
from storage.catalog import Source, fetchall
from storage.db import Database, now_utc, open_reader
from storage.people import audit

log = logging.getLogger(__name__)

INCOME_KINDS = (
    L.AccountKind.SALES, L.AccountKind.FEES, L.AccountKind.LOAN_FEES,
    L.AccountKind.LOAN_INTEREST, L.AccountKind.LOAN_PENALTIES, L.AccountKind.HUB_FEES,
)  # fmt: skip
COST_KINDS = (L.AccountKind.PURCHASES, L.AccountKind.COGS, L.AccountKind.LOSSES)
SAVINGS_KINDS = (L.AccountKind.SAVINGS_POKOK, L.AccountKind.SAVINGS_WAJIB)
#: Who may propose and approve a year's SHU.
OFFICER_ROLES = ("treasurer", "admin", "chair")
PAGE = 20_000  # ledger lines per keyset page


# --- the bylaws -------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredRules:
    id: int
    org_id: int
    version: int
    effective_from: dt.date
    rules: rules.Rules


async def set_rules(
    conn: aiosqlite.Connection, org_id: int, new: rules.Rules, effective_from: dt.date,
    by: int | None = None,
) -> StoredRules:  # fmt: skip
    """Add the next version of the cooperative's bylaws percentages (RulesInvalid if they do
    not sum to 100 %)."""
    new.check()
    rows = await fetchall(
        conn, "SELECT COALESCE(MAX(version), 0) AS v FROM shu_rules WHERE org_id = ?", (org_id,)
    )
    cur = await conn.execute(
        "INSERT INTO shu_rules (org_id, version, effective_from, reserve_bp, modal_bp, usaha_bp,"
        " set_by, set_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (org_id, rows[0]["v"] + 1, effective_from.isoformat(), new.reserve_bp, new.modal_bp,
         new.usaha_bp, by, now_utc()),
    )  # fmt: skip
    rules_id = (await cur.fetchone())[0]
    await conn.executemany(
        "INSERT INTO shu_rule_funds (rules_id, position, name, bp) VALUES (?, ?, ?, ?)",
        [(rules_id, n, name, bp) for n, (name, bp) in enumerate(new.funds, start=1)],
    )
    await audit(conn, by, "shu.rules", f"shu_rules:{rules_id}")
    return StoredRules(rules_id, org_id, rows[0]["v"] + 1, effective_from, new)


async def _stored(source: Source, rows: list) -> list[StoredRules]:
    found = []
    for r in rows:
        funds = await fetchall(
            source,
            "SELECT name, bp FROM shu_rule_funds WHERE rules_id = ? ORDER BY position",
            (r["id"],),
        )
        split = rules.Rules(
            r["reserve_bp"],
            r["modal_bp"],
            r["usaha_bp"],
            tuple((f["name"], f["bp"]) for f in funds),
        )
        day = dt.date.fromisoformat(str(r["effective_from"]))
        found.append(StoredRules(r["id"], r["org_id"], r["version"], day, split))
    return found


_RULES = "SELECT id, org_id, version, effective_from, reserve_bp, modal_bp, usaha_bp FROM shu_rules"


async def history(source: Source, org_id: int) -> list[StoredRules]:
    """Every version, oldest first."""
    rows = await fetchall(source, f"{_RULES} WHERE org_id = ? ORDER BY version", (org_id,))
    return await _stored(source, rows)


async def in_force(source: Source, org_id: int, on: dt.date) -> StoredRules | None:
    """The version in force on ``on``: the latest from that day or before (None: none yet)."""
    rows = await fetchall(
        source,
        f"{_RULES} WHERE org_id = ? AND effective_from <= ? ORDER BY effective_from DESC,"
        " version DESC LIMIT 1",
        (org_id, on.isoformat()),
    )
    found = await _stored(source, rows)
    return found[0] if found else None


# --- a year's figures -------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """[start, end) in Unix seconds and the month-ends counted for savings (exclusive)."""

    year: int
    start: int
    end: int
    month_ends: tuple[int, ...]


def year_period(year: int, zone: str = WIB, until: int | None = None) -> Period:
    """The calendar year in ``zone``; ``until`` (Unix seconds) cuts it short for an estimate:
    the month-ends still to come count today's balance."""
    tz = ZoneInfo(zone)

    def at(month: int, y: int = year) -> int:
        return int(dt.datetime(y, month, 1, tzinfo=tz).timestamp())

    ends = tuple(at(m + 1) for m in range(1, 12)) + (at(1, year + 1),)
    start, end = at(1), ends[-1]
    if until is not None:  # inclusive: what was posted this very second counts
        end = min(end, until + 1)
        ends = tuple(min(e, end) for e in ends)
    return Period(year, start, end, ends)


async def _by_kind(source: Source, org_id: int, period: Period) -> dict[str, int]:
    """The year's income (credits less debits) and costs (debits less credits) per kind."""
    kinds = [k.value for k in (*INCOME_KINDS, *COST_KINDS)]
    rows = await fetchall(
        source,
        "SELECT a.kind, SUM(l.amount) AS total FROM ledger_accounts a"
        " JOIN ledger_lines l ON l.account_id = a.id JOIN ledger_entries e ON e.id = l.entry_id"
        f" WHERE a.org_id = ? AND a.kind IN ({', '.join('?' * len(kinds))})"
        " AND e.at >= ? AND e.at < ? GROUP BY a.kind",
        (org_id, *kinds, period.start, period.end),
    )
    totals = {r["kind"]: int(r["total"] or 0) for r in rows}
    return {k: -totals.get(k.value, 0) for k in INCOME_KINDS} | {
        k: totals.get(k.value, 0) for k in COST_KINDS
    }


async def _savings_months(source: Source, org_id: int, period: Period) -> dict[int, int]:
    weight = " + ".join("CASE WHEN e.at < ? THEN 1 ELSE 0 END" for _ in period.month_ends)
    kinds = [k.value for k in SAVINGS_KINDS]
    rows = await fetchall(
        source,
        f"SELECT a.roster_id, SUM(l.amount * ({weight})) AS months FROM ledger_accounts a"
        " JOIN ledger_lines l ON l.account_id = a.id JOIN ledger_entries e ON e.id = l.entry_id"
        " WHERE a.org_id = ? AND a.kind IN (?, ?) AND e.at < ? GROUP BY a.roster_id",
        (*period.month_ends, org_id, *kinds, period.end),
    )
    return {r["roster_id"]: -int(r["months"] or 0) for r in rows}


def _loan_of(reference: str | None) -> int | None:
    parts = (reference or "").split(":")
    if len(parts) >= 2 and parts[0] == "loan" and parts[1].isdigit():
        return int(parts[1])
    return None


async def _pages(source: Source, sql: str, params: tuple, key: str) -> AsyncIterator[list]:
    """The rows of ``sql`` a page at a time, by keyset: its last two parameters are the
    ``key`` to start after and the page's size (``… AND key > ? ORDER BY key LIMIT ?``)."""
    after = 0
    while rows := await fetchall(source, sql, (*params, after, PAGE)):
        yield rows
        after = rows[-1][key]


def _interest_pages(source: Source, org_id: int, period: Period) -> AsyncIterator[list]:
    return _pages(
        source,
        "SELECT l.entry_id, l.amount, COALESCE(e.reference,"
        " (SELECT o.reference FROM ledger_entries o WHERE o.id = e.reverses)) AS reference"
        " FROM ledger_accounts a JOIN ledger_lines l ON l.account_id = a.id"
        " JOIN ledger_entries e ON e.id = l.entry_id WHERE a.code = ? AND e.at >= ?"
        " AND e.at < ? AND l.entry_id > ? ORDER BY l.entry_id LIMIT ?",
        (L.loan_interest(org_id), period.start, period.end),
        "entry_id",
    )


async def _interest_by_member(source: Source, org_id: int, period: Period) -> dict[int, int]:
    """Jasa paid per roster id (credits less reversals), loan by loan from the references."""
    loans = {
        r["id"]: r["roster_id"]
        for r in await fetchall(
            source, "SELECT id, roster_id FROM loans WHERE org_id = ?", (org_id,)
        )
    }
    paid: dict[int, int] = {}
    async for rows in _interest_pages(source, org_id, period):
        for r in rows:
            roster_id = loans.get(_loan_of(r["reference"]))
            if roster_id is not None:
                paid[roster_id] = paid.get(roster_id, 0) - int(r["amount"])
    return paid


async def _produce_by_farmer(source: Source, org_id: int, period: Period) -> dict[int, int]:
    """Produce bought per farmer (person id): the payable lines of the entries that post to
    the cooperative's purchases (read from that account's lines: the year's entries are many)."""
    rows = await fetchall(
        source,
        "SELECT a.person_id, SUM(l.amount) AS total FROM ledger_lines p"
        " JOIN ledger_entries e ON e.id = p.entry_id JOIN ledger_lines l ON l.entry_id = p.entry_id"
        " JOIN ledger_accounts a ON a.id = l.account_id"
        " WHERE p.account_id = (SELECT pa.id FROM ledger_accounts pa WHERE pa.code = ?)"
        " AND e.at >= ? AND e.at < ? AND a.kind = ? GROUP BY a.person_id",
        (L.purchases(org_id), period.start, period.end, L.AccountKind.PAYABLE_FARMER.value),
    )
    return {r["person_id"]: -int(r["total"] or 0) for r in rows}


async def _goods_by_member(source: Source, org_id: int, period: Period) -> dict[int, int]:
    """Goods taken on payroll deduction per roster id (debits, less their reversals)."""
    rows = await fetchall(
        source,
        "SELECT a.roster_id, SUM(CASE WHEN l.amount > 0 OR e.reverses IS NOT NULL"
        " THEN l.amount ELSE 0 END) AS total FROM ledger_accounts a"
        " JOIN ledger_lines l ON l.account_id = a.id JOIN ledger_entries e ON e.id = l.entry_id"
        " WHERE a.org_id = ? AND a.kind = ? AND e.at >= ? AND e.at < ? GROUP BY a.roster_id",
        (org_id, L.AccountKind.RECEIVABLE_MEMBER.value, period.start, period.end),
    )
    return {r["roster_id"]: int(r["total"] or 0) for r in rows}


async def roster_ids(source: Source, org_id: int) -> tuple[list[int], dict[int, int]]:
    """The cooperative's roster ids (in order) and its registered members' person → roster."""
    rows = await fetchall(
        source, "SELECT id, person_id FROM roster WHERE org_id = ? ORDER BY id", (org_id,)
    )
    ids = [r["id"] for r in rows]
    return ids, {r["person_id"]: r["id"] for r in rows if r["person_id"] is not None}


async def figures(
    source: Source, org_id: int, period: Period, people: dict[int, int], by_kind: dict[str, int]
) -> rules.YearFigures:
    income = sum(by_kind[k] for k in INCOME_KINDS)
    costs = sum(by_kind[k] for k in COST_KINDS)
    business = await _interest_by_member(source, org_id, period)
    for roster_id, amount in (await _goods_by_member(source, org_id, period)).items():
        business[roster_id] = business.get(roster_id, 0) + amount
    nonmember = 0
    for person_id, amount in (await _produce_by_farmer(source, org_id, period)).items():
        if (roster_id := people.get(person_id)) is None:
            nonmember += amount
        else:
            business[roster_id] = business.get(roster_id, 0) + amount
    savings = await _savings_months(source, org_id, period)
    return rules.YearFigures(income, costs, savings, business, nonmember)


@dataclass(frozen=True)
class Computed:
    org_id: int
    period: Period
    rules: StoredRules
    split: rules.Split
    by_kind: dict[str, int]  # income and costs per account kind (INCOME_KINDS, COST_KINDS)


class NoRules(LookupError):
    """The cooperative has no bylaws percentages in force on the day asked."""


async def compute(
    source: Source, org_id: int, year: int, *, zone: str = WIB, until: int | None = None
) -> Computed:
    """The year's SHU split with the version in force on its 31 December (``until``: an
    estimate to that moment, with the version in force that day)."""
    period = year_period(year, zone, until)
    day = (
        dt.date(year, 12, 31)
        if until is None
        else dt.datetime.fromtimestamp(until, ZoneInfo(zone)).date()
    )
    found = await in_force(source, org_id, day)
    if found is None:
        raise NoRules(f"no SHU rules in force on {day.isoformat()}")
    ids, people = await roster_ids(source, org_id)
    by_kind = await _by_kind(source, org_id, period)
    year_figures = await figures(source, org_id, period, people, by_kind)
    # 100.000 members' shares are seconds of Python: off the event loop, which serves /saldo
    split = await asyncio.to_thread(rules.split, year_figures, found.rules, ids)
    return Computed(org_id, period, found, split, by_kind)


def roster_pages(source: Source, org_id: int) -> AsyncIterator[list]:
    """The roster (id, member number, name) by id, a page at a time."""
    return _pages(
        source,
        "SELECT id, member_number, full_name FROM roster WHERE org_id = ? AND id > ?"
        " ORDER BY id LIMIT ?",
        (org_id,),
        "id",
    )


# --- the estimate on /saldo -------------------------------------------------------------

_ESTIMATES: dict[tuple[str, int], tuple[str, int, dict[int, int]]] = {}
_PENDING: dict[tuple[str, int], asyncio.Task] = {}
#: How long a tap on /saldo waits for the day's estimate (seconds).
ESTIMATE_WAIT = 1.0


async def estimate(source: Database, org_id: int, roster_id: int, now: int) -> int | None:
    """A member's SHU of the year so far; None when the cooperative has no rules in force
    today, or when the day's figure is not ready. The cooperative's split is computed once per
    day (WIB) and per version of its rules, in the background, and kept (per database and
    cooperative): the tap that starts it waits at most ESTIMATE_WAIT seconds (a small one's is
    ready at once), the taps meanwhile do not wait: they have yesterday's figure, or none.
    The computation reads through a connection of its own (SQLite)."""
    day = dt.datetime.fromtimestamp(now, ZoneInfo(WIB)).date()
    found = await in_force(source, org_id, day)
    if found is None:
        return None
    key, want = (str(source.path), org_id), (day.isoformat(), found.id)
    cached = _ESTIMATES.get(key)
    if cached is None or cached[:2] != want:
        if key not in _PENDING:  # this tap starts it, and waits a little (taps meanwhile do not)
            task = _PENDING[key] = asyncio.create_task(_refresh(source, key, want, now))
            try:
                await asyncio.wait_for(asyncio.shield(task), ESTIMATE_WAIT)
            except TimeoutError:
                pass
        cached = _ESTIMATES.get(key)
    return None if cached is None else cached[2].get(roster_id, 0)


@asynccontextmanager
async def _reader_of_its_own(source: Database) -> AsyncIterator[Source]:
    """SQLite: a connection of the computation's own, so the bot's other reads (one reader
    connection, one query at a time) do not wait seconds behind its long queries; PostgreSQL
    reads from a pool anyway."""
    if source.dialect != "sqlite" or source.path == ":memory:":
        yield source
        return
    conn = await open_reader(source.path)
    try:
        yield conn
    finally:
        await conn.close()


async def _refresh(source: Database, key: tuple[str, int], want: tuple[str, int], now: int) -> None:
    try:
        async with _reader_of_its_own(source) as reader:
            done = await compute(reader, key[1], int(want[0][:4]), until=now)
        _ESTIMATES[key] = (*want, {m.roster_id: m.total for m in done.split.members})
    except Exception:  # noqa: BLE001 - the estimate is a courtesy: /saldo answers without it
        log.exception("SHU estimate of cooperative %s not computed", key[1])
    finally:
        _PENDING.pop(key, None)


def forget_estimates() -> None:
    """Drop the cached estimates (tests)."""
    _ESTIMATES.clear()
    _PENDING.clear()


# --- proposing and posting --------------------------------------------------------------


class PostingRefused(Exception):
    """``reason``: shu.not_officer, shu.open (the year is not over), shu.posted (already),
    shu.none (nothing proposed), shu.own
    (the maker approving), shu.changed (the ledger moved since the proposal), shu.nothing
    (a loss or zero: nothing to share), shu.no_rules."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def _officer(conn: aiosqlite.Connection, person_id: int, org_id: int) -> None:
    roles = ", ".join("?" * len(OFFICER_ROLES))
    rows = await fetchall(
        conn,
        "SELECT 1 FROM people p JOIN person_roles r ON r.person_id = p.id WHERE p.id = ?"
        f" AND p.org_id IN (?, 1) AND r.role IN ({roles})",
        (person_id, org_id, *OFFICER_ROLES),
    )
    if not rows:
        raise PostingRefused("shu.not_officer")


@dataclass(frozen=True)
class Proposal:
    id: int
    org_id: int
    year: int
    rules_id: int
    shu: int
    members: int
    status: str
    proposed_by: int
    approved_by: int | None
    entry_id: int | None


_PROPOSAL = (
    "SELECT id, org_id, year, rules_id, shu_rupiah, members_rupiah, status, proposed_by,"
    " approved_by, entry_id FROM shu_postings"
)


def _proposal(row) -> Proposal:
    return Proposal(*(row[k] for k in row.keys()))


async def proposal(source: Source, org_id: int, year: int) -> Proposal | None:
    rows = await fetchall(source, f"{_PROPOSAL} WHERE org_id = ? AND year = ?", (org_id, year))
    return _proposal(rows[0]) if rows else None


async def proposal_by_id(source: Source, posting_id: int) -> Proposal | None:
    rows = await fetchall(source, f"{_PROPOSAL} WHERE id = ?", (posting_id,))
    return _proposal(rows[0]) if rows else None


async def waiting(source: Source, org_id: int) -> list[Proposal]:
    """The cooperative's proposals not yet approved, oldest year first."""
    rows = await fetchall(
        source, f"{_PROPOSAL} WHERE org_id = ? AND status = 'proposed' ORDER BY year", (org_id,)
    )
    return [_proposal(r) for r in rows]


async def propose(conn: aiosqlite.Connection, org_id: int, year: int, person_id: int) -> Proposal:
    """A maker proposes the year's SHU as the ledger gives it now, once the year is over (WIB);
    a proposal not yet posted is replaced."""
    await _officer(conn, person_id, org_id)
    if now_utc() < year_period(year).end:
        raise PostingRefused("shu.open")
    done = await _computed(conn, org_id, year)
    found = await proposal(conn, org_id, year)
    if found is not None and found.status == "posted":
        raise PostingRefused("shu.posted")
    await conn.execute(
        "INSERT INTO shu_postings (org_id, year, rules_id, shu_rupiah, members_rupiah,"
        " proposed_by, proposed_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org_id, year) DO"
        " UPDATE SET rules_id = excluded.rules_id, shu_rupiah = excluded.shu_rupiah,"
        " members_rupiah = excluded.members_rupiah, proposed_by = excluded.proposed_by,"
        " proposed_at = excluded.proposed_at WHERE shu_postings.status = 'proposed'",
        (org_id, year, done.rules.id, done.split.shu, done.split.members_total, person_id,
         now_utc()),
    )  # fmt: skip
    await audit(conn, person_id, "shu.propose", f"shu:{org_id}:{year}")
    return await proposal(conn, org_id, year)


async def _computed(conn: aiosqlite.Connection, org_id: int, year: int) -> Computed:
    try:
        done = await compute(conn, org_id, year)
    except NoRules:
        raise PostingRefused("shu.no_rules") from None
    if done.split.shu <= 0:
        raise PostingRefused("shu.nothing")
    return done


def posting_lines(org_id: int, split: rules.Split) -> list[L.Line]:
    """Debit the shared surplus with the SHU; credit the reserve, each fund and each member's
    sukarela (lines of 0 left out)."""
    lines = [L.debit(L.shu_shared(org_id), split.shu)]
    if split.reserve:
        lines.append(L.credit(L.shu_reserve(org_id), split.reserve))
    lines += [L.credit(L.shu_fund(org_id, name), amount) for name, amount in split.funds if amount]
    lines += [
        L.credit(L.member_savings(m.roster_id, L.SavingsKind.SUKARELA), m.total)
        for m in split.members
        if m.total
    ]
    return lines


def reference(org_id: int, year: int) -> str:
    return f"shu:{org_id}:{year}"


async def approve(conn: aiosqlite.Connection, org_id: int, year: int, person_id: int) -> Proposal:
    """A second officer approves the proposal: the year's SHU is posted once (members' parts
    to their sukarela), the proposal marked posted in the same transaction (its ``entry_id``
    names the entry; the entry itself, a line per member, is not the result kept for a
    replay)."""
    await _officer(conn, person_id, org_id)
    found = await proposal(conn, org_id, year)
    if found is None:
        raise PostingRefused("shu.none")
    if found.status == "posted":
        raise PostingRefused("shu.posted")
    if found.proposed_by == person_id:
        raise PostingRefused("shu.own")
    done = await _computed(conn, org_id, year)
    if (done.rules.id, done.split.shu, done.split.members_total) != (
        found.rules_id, found.shu, found.members
    ):  # fmt: skip
        raise PostingRefused("shu.changed")
    entry = await ledger.post(
        conn, posting_lines(org_id, done.split), person_id,
        L.coded_reason(L.REASON_SHU, year=year), reference(org_id, year),
    )  # fmt: skip
    cur = await conn.execute(
        "UPDATE shu_postings SET status = 'posted', approved_by = ?, approved_at = ?,"
        " entry_id = ? WHERE id = ? AND status = 'proposed'",
        (person_id, now_utc(), entry.id, found.id),
    )
    if cur.rowcount != 1:
        raise PostingRefused("shu.posted")
    await audit(conn, person_id, "shu.approve", f"shu:{org_id}:{year}")
    return await proposal(conn, org_id, year)
