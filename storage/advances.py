"""Input advances to farmers (issue 18): asked by one officer, approved by a second (the
savings desk's maker–checker rule, domain.commands.may_check), repaid from the farmer's
harvests at the weighing (:func:`repay_at_weighing`, called by storage.pickups).

Money: ``advance:<id>`` debits ``receivable:farmer:<farmer>`` and credits the cooperative's
cash (a cash advance) or its purchases (pupuk and bibit the cooperative bought and hands on:
their cost becomes the farmer's debt). A repayment is a line of the weighing's own
``offer:<id>:owed`` entry, so a weighing done again reverses it with the rest."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from domain import advances as rules
from domain import ledger as L
from domain.commands import may_check
from domain.offers import offer_number
from domain.people import Role
from storage import ledger
from storage.catalog import Source, fetchall
from storage.db import now_utc
from storage.people import audit


@dataclass(frozen=True)
class Advance:
    id: int
    org_id: int
    farmer_id: int
    what: str
    description: str | None
    amount_rupiah: int
    status: str
    maker_id: int
    checker_id: int | None
    created_at: int
    decided_at: int | None
    repaid_rupiah: int = 0

    @property
    def number(self) -> str:
        return rules.advance_number(self.id)

    @property
    def left(self) -> int:
        return (
            self.amount_rupiah - self.repaid_rupiah if self.status in ("approved", "repaid") else 0
        )


_SELECT = (
    "SELECT a.id, a.org_id, a.farmer_id, a.what, a.description, a.amount_rupiah, a.status,"
    " a.maker_id, a.checker_id, a.created_at, a.decided_at,"
    " COALESCE((SELECT SUM(r.amount_rupiah) FROM advance_repayments r"
    "  WHERE r.advance_id = a.id AND r.undone_at IS NULL), 0) AS repaid_rupiah FROM advances a"
)


def _advance(row) -> Advance:
    return Advance(**{k: row[k] for k in row.keys()})


async def get(source: Source, advance_id: int) -> Advance | None:
    rows = await fetchall(source, f"{_SELECT} WHERE a.id = ?", (advance_id,))
    return _advance(rows[0]) if rows else None


async def of_farmer(source: Source, farmer_id: int) -> list[Advance]:
    """The farmer's advances, oldest first (the order harvests repay them)."""
    rows = await fetchall(source, f"{_SELECT} WHERE a.farmer_id = ? ORDER BY a.id", (farmer_id,))
    return [_advance(r) for r in rows]


async def outstanding(source: Source, farmer_id: int) -> int:
    """What the farmer still owes on approved advances."""
    return sum(a.left for a in await of_farmer(source, farmer_id))


async def limit(source: Source, org_id: int) -> int:
    rows = await fetchall(
        source, "SELECT max_rupiah FROM advance_limits WHERE org_id = ?", (org_id,)
    )
    return rows[0]["max_rupiah"] if rows else rules.DEFAULT_MAX_OUTSTANDING


async def set_limit(conn: aiosqlite.Connection, org_id: int, max_rupiah: int) -> None:
    """The cooperative's rule (the command line): what one farmer may owe at once."""
    await conn.execute(
        "INSERT INTO advance_limits (org_id, max_rupiah, set_at) VALUES (?, ?, ?)"
        " ON CONFLICT (org_id) DO UPDATE SET max_rupiah = excluded.max_rupiah, set_at = excluded.set_at",
        (org_id, L.check_amount(max_rupiah), now_utc()),
    )
    await audit(conn, None, "advance.limit", f"org:{org_id}", max_rupiah=max_rupiah)


async def room(source: Source, farmer_id: int, org_id: int) -> int:
    """What may still be advanced: the ceiling less what is owed and what waits for approval."""
    owed = sum(
        a.amount_rupiah if a.status == "requested" else a.left
        for a in await of_farmer(source, farmer_id)
    )
    return rules.room(owed, await limit(source, org_id))


@dataclass(frozen=True)
class Farmer:
    id: int
    full_name: str
    phone: str | None
    org_id: int
    chat_id: int | None
    language: str
    reachable: bool


async def farmer_by_phone(source: Source, phone: str, officer_org: int) -> Farmer | None:
    """The farmer with this phone in the officer's cooperative (the root's officers: any)."""
    rows = await fetchall(
        source,
        "SELECT p.id, p.full_name, p.phone, p.org_id, p.chat_id, p.language, p.reachable FROM people p"
        " JOIN person_roles r ON r.person_id = p.id AND r.role = 'farmer' WHERE p.phone = ?",
        (phone,),
    )
    if not rows or officer_org not in (rows[0]["org_id"], 1):
        return None
    return _farmer(rows[0])


def _farmer(row) -> Farmer:
    return Farmer(
        **{k: row[k] for k in row.keys() if k != "reachable"}, reachable=row["reachable"] == 1
    )


async def farmer(source: Source, farmer_id: int) -> Farmer | None:
    rows = await fetchall(
        source,
        "SELECT id, full_name, phone, org_id, chat_id, language, reachable FROM people WHERE id = ?",
        (farmer_id,),
    )
    return _farmer(rows[0]) if rows else None


async def ask(
    conn: aiosqlite.Connection, farmer_id: int, what: rules.What, description: str | None,
    amount: int, maker_id: int, maker_org: int,
) -> Advance:  # fmt: skip
    """An advance waiting for a second officer; AdvanceRefused past the cooperative's rule,
    for a farmer of another cooperative, or goods without a description."""
    found = await farmer(conn, farmer_id)
    if found is None or maker_org not in (found.org_id, 1):
        raise rules.AdvanceRefused("advance.not_allowed")
    description = rules.check_description(what, description)
    most = await room(conn, farmer_id, found.org_id)
    rules.check_amount(amount, 0, most)
    cur = await conn.execute(
        "INSERT INTO advances (org_id, borrower_kind, farmer_id, what, description, amount_rupiah,"
        " status, maker_id, created_at) VALUES (?, 'farmer', ?, ?, ?, ?, 'requested', ?, ?) RETURNING id",
        (found.org_id, farmer_id, what.value, description, amount, maker_id, now_utc()),
    )
    advance_id = (await cur.fetchone())[0]
    await audit(
        conn, maker_id, "advance.asked", f"advance:{advance_id}", amount=amount, what=what.value
    )
    return await get(conn, advance_id)


class DecisionRefused(Exception):
    """Not a checker of this cooperative, the maker themselves, or decided already."""


async def decide(
    conn: aiosqlite.Connection, advance_id: int, checker_id: int, checker_org: int,
    roles: frozenset[Role], approve: bool,
) -> Advance:  # fmt: skip
    """Approve (posted now: ``advance:<id>``) or reject, once, by a second officer."""
    found = await get(conn, advance_id)
    if found is None or not may_check("advance.decide", found.maker_id, checker_id, roles):
        raise DecisionRefused
    if checker_org not in (found.org_id, 1):
        raise DecisionRefused
    cur = await conn.execute(
        "UPDATE advances SET status = ?, checker_id = ?, decided_at = ? WHERE id = ? AND status = 'requested'",
        ("approved" if approve else "rejected", checker_id, now_utc(), advance_id),
    )
    if cur.rowcount == 0:
        raise DecisionRefused
    if approve:
        what = rules.What(found.what)
        source = L.purchases(found.org_id) if what.goods else L.cash(found.org_id)
        await ledger.post(
            conn, [L.debit(L.farmer_receivable(found.farmer_id), found.amount_rupiah),
                   L.credit(source, found.amount_rupiah)],
            checker_id, L.coded_reason(L.REASON_ADVANCE, number=found.number, what=what.value),
            f"advance:{advance_id}",
        )  # fmt: skip
    await audit(
        conn,
        checker_id,
        f"advance.{'approved' if approve else 'rejected'}",
        f"advance:{advance_id}",
    )
    return await get(conn, advance_id)


async def repay_at_weighing(
    conn: aiosqlite.Connection, farmer_id: int, offer_id: int, harvest_net: int, now: int
) -> tuple[int, int]:
    """Net the farmer's advances from a harvest payment of ``harvest_net`` (after the price
    board's deductions), oldest first (domain.advances.netting): the repayments are recorded
    and the caller posts ``taken`` to the receivable in the weighing's entry. Returns
    (taken, still owed after it)."""
    owed = [a for a in await of_farmer(conn, farmer_id) if a.status == "approved" and a.left > 0]
    taken = rules.netting([rules.Owed(a.id, a.left) for a in owed], harvest_net)
    for advance_id, part in taken:
        await conn.execute(
            "INSERT INTO advance_repayments (advance_id, offer_id, amount_rupiah, at) VALUES (?, ?, ?, ?)",
            (advance_id, offer_id, part, now),
        )
        left = next(a.left for a in owed if a.id == advance_id) - part
        if left == 0:
            await conn.execute(
                "UPDATE advances SET status = 'repaid', repaid_at = ? WHERE id = ? AND status = 'approved'",
                (now, advance_id),
            )
    total = sum(part for _, part in taken)
    return total, sum(a.left for a in owed) - total


async def undo_repayments(conn: aiosqlite.Connection, offer_id: int, now: int) -> None:
    """A weighing done again: its repayments no longer count (its ledger entry is reversed by
    the caller), and the advances they closed are owed again."""
    rows = await fetchall(
        conn,
        "SELECT advance_id FROM advance_repayments WHERE offer_id = ? AND undone_at IS NULL",
        (offer_id,),
    )
    await conn.execute(
        "UPDATE advance_repayments SET undone_at = ? WHERE offer_id = ? AND undone_at IS NULL",
        (now, offer_id),
    )
    for row in rows:
        await conn.execute(
            "UPDATE advances SET status = 'approved', repaid_at = NULL WHERE id = ? AND status = 'repaid'",
            (row["advance_id"],),
        )


@dataclass(frozen=True)
class Repayment:
    advance_id: int
    offer_id: int
    amount_rupiah: int
    at: int

    @property
    def offer_number(self) -> str:
        return offer_number(self.offer_id)


async def repayments(source: Source, farmer_id: int) -> list[Repayment]:
    rows = await fetchall(
        source,
        "SELECT r.advance_id, r.offer_id, r.amount_rupiah, r.at FROM advance_repayments r"
        " JOIN advances a ON a.id = r.advance_id"
        " WHERE a.farmer_id = ? AND r.undone_at IS NULL ORDER BY r.at, r.id",
        (farmer_id,),
    )
    return [Repayment(**{k: r[k] for k in r.keys()}) for r in rows]


@dataclass(frozen=True)
class OwedRow:
    farmer_id: int
    full_name: str
    phone: str | None
    left: int
    oldest_at: int  # when the oldest advance still owed was approved


async def owed_in(source: Source, org_ids: list[int] | None) -> list[OwedRow]:
    """Per farmer of ``org_ids`` (None: every cooperative) what is owed on advances, the
    largest first; the oldest approval tells the officers what is overdue."""
    where = "" if org_ids is None else f" AND a.org_id IN ({', '.join('?' * len(org_ids))})"
    rows = await fetchall(
        source,
        "SELECT a.farmer_id, p.full_name, p.phone,"
        " SUM(a.amount_rupiah - COALESCE((SELECT SUM(r.amount_rupiah) FROM advance_repayments r"
        "   WHERE r.advance_id = a.id AND r.undone_at IS NULL), 0)) AS left_rupiah,"
        " MIN(a.decided_at) AS oldest_at"
        " FROM advances a JOIN people p ON p.id = a.farmer_id WHERE a.status = 'approved'" + where
        + " GROUP BY a.farmer_id, p.full_name, p.phone ORDER BY left_rupiah DESC, a.farmer_id",
        tuple(org_ids or ()),
    )  # fmt: skip
    return [
        OwedRow(r["farmer_id"], r["full_name"], r["phone"], int(r["left_rupiah"]), r["oldest_at"])
        for r in rows
    ]
