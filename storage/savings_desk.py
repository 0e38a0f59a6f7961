"""The treasurer's desk: find a member, record a deposit, and ask for a withdrawal or a
reversal that a second officer approves or rejects (maker–checker). Approving posts the
ledger entry in the same transaction as the decision, so a request is applied once."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite
from rapidfuzz import fuzz, process

from domain import ledger as L
from domain.commands import BUTTONS, may_check
from domain.ledger import Entry, SavingsKind
from domain.money import MAX_DESK_AMOUNT, check_desk_amount
from domain.people import InvalidInput, Role, normalise_phone
from domain.produce import match_key
from storage import ledger, member_orders
from storage import savings as stored
from storage.catalog import Source, fetchall
from storage.db import now_utc
from storage.people import audit
from storage.savings import Member

CHECKERS = BUTTONS["savings.decide"]  # the role table (domain.commands)


async def limit(source: Source, org_id: int) -> int:
    """The most one deposit or withdrawal moves at this cooperative's desk."""
    rows = await fetchall(
        source, "SELECT max_rupiah FROM savings_desk_limits WHERE org_id = ?", (org_id,)
    )
    return rows[0]["max_rupiah"] if rows else MAX_DESK_AMOUNT


async def set_limit(conn: aiosqlite.Connection, org_id: int, max_rupiah: int) -> None:
    """The cooperative's rule for one entry at the desk (the command line)."""
    await conn.execute(
        "INSERT INTO savings_desk_limits (org_id, max_rupiah, set_at) VALUES (?, ?, ?)"
        " ON CONFLICT (org_id) DO UPDATE SET max_rupiah = excluded.max_rupiah, set_at = excluded.set_at",
        (org_id, L.check_amount(max_rupiah), now_utc()),
    )
    await audit(conn, None, "savings.desk_limit", f"org:{org_id}", max_rupiah=max_rupiah)


async def find_members(source: Source, org_id: int, typed: str, limit: int = 8) -> list[Member]:
    """Members of ``org_id`` that ``typed`` names: the member number or phone exactly, else
    names close to it (typos forgiven), best first."""
    text = (typed or "").strip()
    if not text:
        return []
    exact = await fetchall(
        source,
        f"{stored.MEMBER_SELECT} WHERE org_id = ? AND UPPER(member_number) = UPPER(?)",
        (org_id, text),
    )
    if not exact:
        try:
            exact = await fetchall(
                source, f"{stored.MEMBER_SELECT} WHERE org_id = ? AND phone = ?", (org_id, normalise_phone(text))
            )  # fmt: skip
        except InvalidInput:
            exact = []
    if exact:
        return [stored.member_of(r) for r in exact]
    everyone = [
        stored.member_of(r)
        for r in await fetchall(source, f"{stored.MEMBER_SELECT} WHERE org_id = ?", (org_id,))
    ]
    names = {m.id: match_key(m.full_name) for m in everyone}
    best = process.extract(match_key(text), names, scorer=fuzz.WRatio, limit=limit, score_cutoff=80)
    by_id = {m.id: m for m in everyone}
    return [by_id[key] for _name, _score, key in best]


async def deposit(
    conn: aiosqlite.Connection, roster_id: int, kind: SavingsKind, amount: int, author: int
) -> tuple[Entry, stored.Savings]:
    """Money paid in at the desk: cash of the member's cooperative to their savings; more
    than the cooperative's ceiling is refused (InvalidInput("amount.too_high"))."""
    member = await stored.member(conn, roster_id)
    check_desk_amount(amount, await limit(conn, member.org_id))
    entry = await ledger.post(
        conn,
        [L.debit(L.cash(member.org_id), amount), L.credit(L.member_savings(roster_id, kind), amount)],
        author, L.coded_reason(L.REASON_DEPOSIT_DESK, kind=kind.value),
    )  # fmt: skip
    await audit(
        conn, author, "savings.deposit", f"roster:{roster_id}", kind=kind.value, amount=amount
    )
    return entry, await stored.balances(conn, roster_id)


async def withdrawable(source: Source, roster_id: int, kind: SavingsKind) -> int:
    """The balance of ``kind`` less what is held of it: sukarela held for goods a member
    ordered from the hub (storage.member_orders) is not theirs to withdraw until released."""
    if kind is SavingsKind.SUKARELA:
        return (await member_orders.available_sukarela(source, roster_id))[0]
    return (await stored.balances(source, roster_id))[kind]


@dataclass(frozen=True)
class Request:
    id: int
    org_id: int
    action: str  # 'withdrawal' or 'reversal'
    roster_id: int | None
    savings_kind: str | None
    amount: int | None
    entry_id: int | None
    reason: str
    maker_id: int
    status: str
    checker_id: int | None
    posted_entry: int | None


_REQUEST = f"SELECT {', '.join(Request.__dataclass_fields__)} FROM savings_requests"


async def request(source: Source, request_id: int) -> Request | None:
    rows = await fetchall(source, f"{_REQUEST} WHERE id = ?", (request_id,))
    return Request(**dict(rows[0])) if rows else None


async def _insert(conn: aiosqlite.Connection, **values) -> Request:
    values["created_at"] = now_utc()
    cur = await conn.execute(
        f"INSERT INTO savings_requests ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})"
        " RETURNING id",
        tuple(values.values()),
    )
    return await request(conn, (await cur.fetchone())[0])


async def ask_withdrawal(
    conn: aiosqlite.Connection, roster_id: int, kind: SavingsKind, amount: int, maker_id: int
) -> Request:
    """A withdrawal waiting for a checker; refused now (SavingsWithdrawalRefused) when the
    rules or the balance already say no; InvalidInput over the cooperative's ceiling."""
    member = await stored.member(conn, roster_id)
    check_desk_amount(amount, await limit(conn, member.org_id))
    L.check_savings_withdrawal(kind, await withdrawable(conn, roster_id, kind), amount, member=True)
    made = await _insert(
        conn, org_id=member.org_id, action="withdrawal", roster_id=roster_id,
        savings_kind=kind.value, amount=amount, reason=L.coded_reason(L.REASON_WITHDRAWAL, kind=kind.value), maker_id=maker_id,
    )  # fmt: skip
    await audit(conn, maker_id, "savings.withdrawal.asked", f"request:{made.id}", amount=amount)
    return made


class NotReversible(Exception):
    """The entry does not exist, is not of this cooperative's members, or is undone already."""


async def ask_reversal(
    conn: aiosqlite.Connection, org_id: int, entry_id: int, reason: str, maker_id: int
) -> tuple[Request, Entry]:
    entry = await ledger.get(conn, entry_id)
    if entry is None or entry.reverses is not None or await ledger.reversal_of(conn, entry_id):
        raise NotReversible
    if not await _of_members(conn, entry_id, org_id):
        raise NotReversible
    made = await _insert(
        conn, org_id=org_id, action="reversal", entry_id=entry_id, reason=reason, maker_id=maker_id
    )
    await audit(conn, maker_id, "savings.reversal.asked", f"request:{made.id}", entry=entry_id)
    return made, entry


async def _of_members(conn: aiosqlite.Connection, entry_id: int, org_id: int) -> bool:
    """Whether ``entry_id`` moves the savings of a member of ``org_id``."""
    rows = await fetchall(
        conn,
        "SELECT 1 FROM ledger_lines l JOIN ledger_accounts a ON a.id = l.account_id"
        " JOIN roster r ON r.id = a.roster_id WHERE l.entry_id = ? AND r.org_id = ? LIMIT 1",
        (entry_id, org_id),
    )
    return bool(rows)


async def roster_of_entry(source: Source, entry_id: int) -> int | None:
    rows = await fetchall(
        source,
        "SELECT a.roster_id FROM ledger_lines l JOIN ledger_accounts a ON a.id = l.account_id"
        " WHERE l.entry_id = ? AND a.roster_id IS NOT NULL LIMIT 1",
        (entry_id,),
    )
    return rows[0]["roster_id"] if rows else None


class DecisionRefused(Exception):
    """Not a checker of this cooperative, the maker themselves, or decided already."""


async def decide(
    conn: aiosqlite.Connection,
    request_id: int,
    checker_id: int,
    roles: frozenset[Role],
    approve: bool,
) -> Request:
    """Approve (the entry is posted now; the rules are checked again) or reject, once."""
    found = await request(conn, request_id)
    if found is None or not may_check("savings.decide", found.maker_id, checker_id, roles):
        raise DecisionRefused
    if not await _same_cooperative(conn, checker_id, found.org_id):
        raise DecisionRefused
    posted = await _apply(conn, found, checker_id) if approve else None
    cur = await conn.execute(
        "UPDATE savings_requests SET status = ?, checker_id = ?, posted_entry = ?, decided_at = ?"
        " WHERE id = ? AND status = 'pending'",
        ("approved" if approve else "rejected", checker_id, posted.id if posted else None, now_utc(), request_id),
    )  # fmt: skip
    if cur.rowcount == 0:
        raise DecisionRefused  # rolls the posting back too
    await audit(
        conn,
        checker_id,
        f"savings.{found.action}.{'approved' if approve else 'rejected'}",
        f"request:{request_id}",
    )
    return await request(conn, request_id)


async def _apply(conn: aiosqlite.Connection, found: Request, checker_id: int) -> Entry:
    if found.action == "reversal":
        return await ledger.reverse(
            conn, found.entry_id, checker_id, L.coded_reason(L.REASON_CANCELLED, why=found.reason)
        )
    kind = SavingsKind(found.savings_kind)
    balance = await withdrawable(conn, found.roster_id, kind)
    L.check_savings_withdrawal(kind, balance, found.amount, member=True)
    return await ledger.post(
        conn,
        [L.debit(L.member_savings(found.roster_id, kind), found.amount), L.credit(L.cash(found.org_id), found.amount)],
        checker_id, found.reason, f"request:{found.id}",
    )  # fmt: skip


async def _same_cooperative(conn: aiosqlite.Connection, person_id: int, org_id: int) -> bool:
    rows = await fetchall(conn, "SELECT org_id FROM people WHERE id = ?", (person_id,))
    return bool(rows) and rows[0]["org_id"] in (org_id, 1)


async def checkers(source: Source, org_id: int, maker_id: int) -> list[tuple[int, int, str]]:
    """(person id, chat id, language) of who may decide a request of ``org_id``: its
    treasurers and administrators (and the root's), never the maker."""
    rows = await fetchall(
        source,
        "SELECT DISTINCT p.id, p.chat_id, p.language FROM people p JOIN person_roles r ON r.person_id = p.id"
        " WHERE r.role IN ('treasurer', 'admin') AND p.org_id IN (?, 1) AND p.id <> ?"
        " AND p.chat_id IS NOT NULL AND p.reachable = 1 ORDER BY p.id",
        (org_id, maker_id),
    )
    return [(r["id"], r["chat_id"], r["language"]) for r in rows]


async def record_alerts(
    conn: aiosqlite.Connection, request_id: int, sent: list[tuple[int, int, int]]
) -> int:
    await conn.executemany(
        "INSERT INTO savings_request_alerts (request_id, person_id, chat_id, message_id) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (request_id, person_id) DO NOTHING",
        [(request_id, *row) for row in sent],
    )
    return len(sent)


async def alerts(source: Source, request_id: int) -> list[tuple[int, int, int]]:
    rows = await fetchall(
        source,
        "SELECT person_id, chat_id, message_id FROM savings_request_alerts WHERE request_id = ?",
        (request_id,),
    )
    return [(r["person_id"], r["chat_id"], r["message_id"]) for r in rows]
