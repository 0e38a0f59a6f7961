"""Advances from a hub to its village cooperatives (domain.coop_advances): asked, decided
once by a second officer (the posting in the decision's transaction), the hub's rule."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from domain import coop_advances as rules
from domain import ledger as L
from domain.commands import may_check
from domain.network import VILLAGE_KINDS
from domain.people import Role
from storage import ledger
from storage.catalog import Source, fetchall
from storage.db import now_utc
from storage.orgs import Organisation
from storage.people import audit


@dataclass(frozen=True)
class CoopAdvance:
    id: int
    hub_id: int
    coop_id: int
    purpose: str
    amount_rupiah: int
    status: str
    maker_id: int
    checker_id: int | None

    @property
    def number(self) -> str:
        return rules.number(self.id)


_SELECT = f"SELECT {', '.join(CoopAdvance.__dataclass_fields__)} FROM coop_advances"


async def get(source: Source, advance_id: int) -> CoopAdvance | None:
    rows = await fetchall(source, f"{_SELECT} WHERE id = ?", (advance_id,))
    return (
        CoopAdvance(**{k: rows[0][k] for k in CoopAdvance.__dataclass_fields__}) if rows else None
    )


async def limit(source: Source, hub_id: int) -> int:
    rows = await fetchall(
        source, "SELECT max_rupiah FROM coop_advance_limits WHERE hub_id = ?", (hub_id,)
    )
    return rows[0]["max_rupiah"] if rows else rules.DEFAULT_MAX_OWED


async def set_limit(conn: aiosqlite.Connection, hub_id: int, max_rupiah: int) -> None:
    """The hub's rule (the command line): what one village cooperative may owe it at once."""
    await conn.execute(
        "INSERT INTO coop_advance_limits (hub_id, max_rupiah, set_at) VALUES (?, ?, ?)"
        " ON CONFLICT (hub_id) DO UPDATE SET max_rupiah = excluded.max_rupiah, set_at = excluded.set_at",
        (hub_id, L.check_amount(max_rupiah), now_utc()),
    )
    await audit(conn, None, "coop_advance.limit", f"org:{hub_id}", max_rupiah=max_rupiah)


async def owed(source: Source, coop_id: int) -> int:
    """What the cooperative owes the hub now plus the advances still waiting for a decision."""
    rows = await fetchall(
        source,
        "SELECT COALESCE(SUM(amount_rupiah), 0) AS asked FROM coop_advances"
        " WHERE coop_id = ? AND status = 'requested'",
        (coop_id,),
    )
    return await ledger.balance(source, L.coop_receivable(coop_id)) + int(rows[0]["asked"])


async def coop_of_hub(source: Source, hub_id: int, code: str) -> Organisation | None:
    """The village cooperative of ``hub_id``'s network with this code (None: not its own)."""
    rows = await fetchall(
        source,
        "SELECT id, parent_id, kind, code, name, address, village_code FROM organisations"
        f" WHERE LOWER(code) = LOWER(?) AND parent_id = ? AND kind IN ({', '.join('?' * len(VILLAGE_KINDS))})",
        (code.strip(), hub_id, *VILLAGE_KINDS),
    )
    return (
        Organisation(**{k: rows[0][k] for k in Organisation.__dataclass_fields__}) if rows else None
    )


async def ask(
    conn: aiosqlite.Connection, hub_id: int, coop_id: int, amount: int, purpose: str, maker_id: int
) -> CoopAdvance:
    """An advance waiting for a second officer; AdvanceRefused ("advance.too_high" with what
    may still be advanced) past the hub's rule, LookupError for a cooperative not the hub's."""
    coop = await fetchall(conn, "SELECT parent_id FROM organisations WHERE id = ?", (coop_id,))
    if not coop or coop[0]["parent_id"] != hub_id:
        raise LookupError(coop_id)
    purpose = rules.check_purpose(purpose)
    rules.check_amount(amount, await owed(conn, coop_id), await limit(conn, hub_id))
    rows = await fetchall(
        conn,
        "INSERT INTO coop_advances (hub_id, coop_id, purpose, amount_rupiah, status, maker_id, created_at)"
        " VALUES (?, ?, ?, ?, 'requested', ?, ?) RETURNING id",
        (hub_id, coop_id, purpose, amount, maker_id, now_utc()),
    )
    await audit(conn, maker_id, "coop_advance.asked", f"coop-advance:{rows[0][0]}", amount=amount)
    return await get(conn, rows[0][0])


class DecisionRefused(Exception):
    """Not a checker of this hub, the maker themselves, or decided already."""


async def decide(
    conn: aiosqlite.Connection, advance_id: int, checker_id: int, checker_org: int,
    roles: frozenset[Role], approve: bool,
) -> CoopAdvance:  # fmt: skip
    """Approve (posted now: ``coop-advance:<id>``) or reject, once, by a second hub officer."""
    found = await get(conn, advance_id)
    if found is None or checker_org != found.hub_id:
        raise DecisionRefused
    if not may_check("coop_advance.decide", found.maker_id, checker_id, roles):
        raise DecisionRefused
    cur = await conn.execute(
        "UPDATE coop_advances SET status = ?, checker_id = ?, decided_at = ? WHERE id = ? AND status = 'requested'",
        ("approved" if approve else "rejected", checker_id, now_utc(), advance_id),
    )
    if cur.rowcount == 0:
        raise DecisionRefused
    if approve:
        await ledger.post(
            conn, rules.entry_lines(found.coop_id, found.hub_id, found.amount_rupiah), checker_id,
            L.coded_reason(rules.REASON_GIVEN, number=found.number), rules.reference(advance_id),
        )  # fmt: skip
    await audit(
        conn,
        checker_id,
        f"coop_advance.{'approved' if approve else 'rejected'}",
        f"coop-advance:{advance_id}",
    )
    return await get(conn, advance_id)


async def checkers(source: Source, hub_id: int, maker_id: int) -> list[tuple[int, int, str]]:
    """(person id, chat id, language) of the hub's treasurers and administrators but the maker."""
    rows = await fetchall(
        source,
        "SELECT DISTINCT p.id, p.chat_id, p.language FROM people p JOIN person_roles r ON r.person_id = p.id"
        " WHERE r.role IN ('treasurer', 'admin') AND p.org_id = ? AND p.id <> ?"
        " AND p.chat_id IS NOT NULL AND p.reachable = 1 ORDER BY p.id",
        (hub_id, maker_id),
    )
    return [(r["id"], r["chat_id"], r["language"]) for r in rows]
