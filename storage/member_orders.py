"""A union member's order in their hub's order cycle (domain.member_orders): placed, changed
and cancelled until the close (:func:`place`, :func:`cancel`, each one use case), the sukarela
it holds (:func:`held`), and its pickup at the member's PUK (:func:`pick_up`), posted once.

Which hub: the cooperative of the member's roster entry when it is a hub (``coop_secondary``)
itself, else its parent when that is one; a member of a cooperative under no hub has no cycle.
The order is picked up at the member's own organisation (``people.org_id``, their PUK), which
is the order's ``org_id``. Stock is taken as the cooperatives' orders take it (one conditional
UPDATE per item, storage.cycles.take_stock): both share the supplier's stock."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from domain import cycles as rules
from domain import ledger as L
from domain import member_orders as M
from domain.cycles import Line, OrderRefused
from domain.member_orders import PayBy
from storage import cycles, ledger
from storage import savings as stored
from storage.catalog import Source, fetchall
from storage.cycles import Cycle, WithLines, lines_of
from storage.db import now_utc
from storage.people import audit
from storage.savings import Member

HOLDING = ("open", "frozen")  # a member's order holds its payment until it is picked up
PICKED_UP = "delivered"
HUB_KIND = "coop_secondary"


@dataclass(frozen=True)
class MemberOrder(WithLines):
    id: int
    cycle_id: int
    org_id: int  # where it is picked up: the member's PUK
    person_id: int
    roster_id: int
    pay_by: PayBy
    status: str  # open, cancelled, frozen (the cycle closed), delivered (picked up)
    lines: tuple[Line, ...]
    picked_up_at: int | None


@dataclass(frozen=True)
class Shopper:
    """A member who may order: their membership, its hub, and where they pick up."""

    member: Member
    hub_id: int
    pickup_org_id: int


class NotYours(Exception):
    """The officer handing over is the member who ordered (nobody hands goods to themselves)."""


class AlreadyPickedUp(Exception):
    """The order was handed over before (a double tap, another officer)."""


_ORDER = (
    "SELECT id, cycle_id, org_id, person_id, roster_id, pay_by, status, picked_up_at"
    " FROM cycle_orders WHERE orderer_kind = 'person'"
)


async def _with_lines(source: Source, rows) -> list[MemberOrder]:
    if not rows:
        return []
    lines = await lines_of(source, [r["id"] for r in rows])
    return [
        MemberOrder(r["id"], r["cycle_id"], r["org_id"], r["person_id"], r["roster_id"],
                    PayBy(r["pay_by"]), r["status"], lines.get(r["id"], ()), r["picked_up_at"])
        for r in rows
    ]  # fmt: skip


async def get(source: Source, order_id: int) -> MemberOrder | None:
    rows = await fetchall(source, f"{_ORDER} AND id = ?", (order_id,))
    found = await _with_lines(source, rows)
    return found[0] if found else None


async def order_of(source: Source, cycle_id: int, person_id: int) -> MemberOrder | None:
    rows = await fetchall(
        source, f"{_ORDER} AND cycle_id = ? AND person_id = ?", (cycle_id, person_id)
    )
    found = await _with_lines(source, rows)
    return found[0] if found else None


# --- who orders where -----------------------------------------------------------------------


async def hub_of_cooperative(source: Source, org_id: int) -> int | None:
    """The hub a union cooperative's members order from: itself, or its parent."""
    rows = await fetchall(
        source,
        "SELECT g.id, g.kind, p.id AS parent, p.kind AS parent_kind FROM organisations g"
        " LEFT JOIN organisations p ON p.id = g.parent_id WHERE g.id = ?",
        (org_id,),
    )
    if not rows:
        return None
    if rows[0]["kind"] == HUB_KIND:
        return rows[0]["id"]
    return rows[0]["parent"] if rows[0]["parent_kind"] == HUB_KIND else None


async def shopper(source: Source, person_id: int, pickup_org_id: int) -> Shopper | None:
    """The membership a person orders under: of their memberships whose cooperative has a
    hub, the one of their own organisation first; None when none has."""
    found = await stored.memberships(source, person_id)
    found.sort(key=lambda m: (m.org_id != pickup_org_id, m.id))
    for member in found:
        hub = await hub_of_cooperative(source, member.org_id)
        if hub is not None:
            return Shopper(member, hub, pickup_org_id)
    return None


async def open_cycles(source: Source, hub_id: int, now: int | None = None) -> list[Cycle]:
    """The hub's cycles open now (the same as its village cooperatives see)."""
    now = now_utc() if now is None else now
    return [c for c in await cycles.of_hub(source, hub_id, only_open=True) if c.open_at(now)][::-1]


# --- what is held and owed ------------------------------------------------------------------------


async def _live_total(source: Source, roster_id: int, pay_by: PayBy, besides: int | None) -> int:
    rows = await fetchall(
        source,
        "SELECT COALESCE(SUM(l.quantity * (l.price_rupiah + l.fee_rupiah)), 0) AS total"
        " FROM cycle_orders o JOIN cycle_order_lines l ON l.order_id = o.id"
        " WHERE o.roster_id = ? AND o.orderer_kind = 'person' AND o.pay_by = ?"
        " AND o.status IN (?, ?) AND o.id <> ?",
        (roster_id, pay_by.value, *HOLDING, besides or 0),
    )
    return int(rows[0]["total"])


async def held(source: Source, roster_id: int, besides: int | None = None) -> int:
    """The sukarela held for a member's orders not picked up yet (all but ``besides``)."""
    return await _live_total(source, roster_id, PayBy.SUKARELA, besides)


async def available_sukarela(source: Source, roster_id: int) -> tuple[int, int]:
    """(what may be spent or withdrawn, what is held) of a member's sukarela."""
    balance = (await stored.balances(source, roster_id))[L.SavingsKind.SUKARELA]
    holding = await held(source, roster_id)
    return M.available_sukarela(balance, holding), holding


async def payroll_owed(source: Source, roster_id: int, besides: int | None = None) -> int:
    """What a member owes, or will owe at pickup, on payroll for goods (all but ``besides``)."""
    owed = await ledger.balance(source, L.member_receivable(roster_id))
    return owed + await _live_total(source, roster_id, PayBy.PAYROLL, besides)


async def take_home(source: Source, roster_id: int) -> int | None:
    rows = await fetchall(source, "SELECT take_home_rupiah FROM roster WHERE id = ?", (roster_id,))
    return rows[0]["take_home_rupiah"] if rows else None


async def check_payment(
    source: Source, roster_id: int, pay_by: PayBy, total: int, besides: int | None = None
) -> None:
    """PaymentRefused (domain.member_orders) when ``total`` cannot be paid by ``pay_by``; the
    member's order ``besides`` (being changed) does not count against itself."""
    balance = (await stored.balances(source, roster_id))[L.SavingsKind.SUKARELA]
    M.check_payment(
        pay_by, total, balance=balance, held=await held(source, roster_id, besides),
        take_home=await take_home(source, roster_id),
        payroll_owed=await payroll_owed(source, roster_id, besides),
    )  # fmt: skip


# --- the order ----------------------------------------------------------------------------------------


async def _open_cycle_of(conn, cycle_id: int, roster_id: int, person_id: int) -> Cycle:
    """The cycle, when the membership is the person's and its hub runs it (LookupError, a
    forged button, otherwise) and it is open (OrderRefused("closed") otherwise)."""
    member = await stored.member(conn, roster_id)
    cycle = await cycles.get(conn, cycle_id)
    if member is None or member.person_id != person_id or cycle is None:
        raise LookupError("cycle")
    if await hub_of_cooperative(conn, member.org_id) != cycle.hub_id:
        raise LookupError("cycle")
    if not cycle.open_at(now_utc()):
        raise OrderRefused("closed")
    return cycle


async def place(
    conn: aiosqlite.Connection, cycle_id: int, roster_id: int, person_id: int, pickup_org_id: int,
    wanted: dict[int, int], pay_by: PayBy,
) -> MemberOrder:  # fmt: skip
    """A use case: the member's order in the cycle is now ``wanted`` (item id → units), paid
    by ``pay_by``: placed or changed, its hold moved with it. LookupError for a cycle or item
    not the member's to order (a forged button); OrderRefused (domain.cycles: closed, stock,
    empty); PaymentRefused (domain.member_orders: sukarela, take_home, payroll, ceiling),
    read inside this transaction."""
    await _open_cycle_of(conn, cycle_id, roster_id, person_id)
    offered = {i.id: i for i in await cycles.items(conn, cycle_id)}
    if any(item_id not in offered for item_id in wanted):
        raise LookupError("item")
    lines = [
        Line(i, q, offered[i].price_rupiah, offered[i].fee_rupiah)
        for i, q in sorted(wanted.items())
        if q > 0
    ]
    found = rules.check_order(lines, 0, open_now=True)
    M.check_ceiling(found)
    before = await order_of(conn, cycle_id, person_id)
    await check_payment(conn, roster_id, pay_by, found.total, before.id if before else None)
    if before is not None:
        await cycles.give_back(conn, await cycles.order(conn, before.id))
    await cycles.take_stock(conn, lines)
    order_id = await _save(conn, cycle_id, before, roster_id, person_id, pickup_org_id, pay_by)
    await conn.execute("DELETE FROM cycle_order_lines WHERE order_id = ?", (order_id,))
    await conn.executemany(
        "INSERT INTO cycle_order_lines (order_id, item_id, quantity, price_rupiah, fee_rupiah)"
        " VALUES (?, ?, ?, ?, ?)",
        [(order_id, x.item_id, x.quantity, x.price_rupiah, x.fee_rupiah) for x in lines],
    )
    changed = before is not None and before.status == "open"
    await audit(
        conn, person_id, "member_order.change" if changed else "member_order.place",
        f"cycle-order:{order_id}", pay_by=pay_by.value, total=found.total,
    )  # fmt: skip
    return await get(conn, order_id)


async def _save(conn, cycle_id: int, before: MemberOrder | None, roster_id: int, person_id: int,
                pickup_org_id: int, pay_by: PayBy) -> int:  # fmt: skip
    now = now_utc()
    if before is None:  # writes are serialised: the order read above is still the one there
        rows = await fetchall(
            conn,
            "INSERT INTO cycle_orders (cycle_id, orderer_kind, org_id, person_id, roster_id, pay_by,"
            " status, placed_by, placed_at, changed_at) VALUES (?, 'person', ?, ?, ?, ?, 'open', ?, ?, ?)"
            " RETURNING id",
            (cycle_id, pickup_org_id, person_id, roster_id, pay_by.value, person_id, now, now),
        )
        order_id = rows[0][0]
    else:
        order_id = before.id
        await conn.execute(
            "UPDATE cycle_orders SET status = 'open', org_id = ?, roster_id = ?, pay_by = ?,"
            " changed_at = ? WHERE id = ?",
            (pickup_org_id, roster_id, pay_by.value, now, order_id),
        )
    await conn.execute(
        "UPDATE cycle_orders SET hold_reference = ? WHERE id = ?",
        (M.hold_reference(order_id), order_id),
    )
    return order_id


async def cancel(
    conn: aiosqlite.Connection, cycle_id: int, roster_id: int, person_id: int
) -> MemberOrder:
    """A use case: the member's open order cancelled, its stock given back and its hold
    released. LookupError when they have none open there; OrderRefused("closed")."""
    await _open_cycle_of(conn, cycle_id, roster_id, person_id)
    before = await order_of(conn, cycle_id, person_id)
    if before is None or before.status != "open":
        raise LookupError("order")
    await cycles.give_back(conn, await cycles.order(conn, before.id))
    await conn.execute(
        "UPDATE cycle_orders SET status = 'cancelled', changed_at = ? WHERE id = ?",
        (now_utc(), before.id),
    )
    await audit(conn, person_id, "member_order.cancel", f"cycle-order:{before.id}")
    return await get(conn, before.id)


# --- the pickup at the PUK -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ToHandOver:
    order: MemberOrder
    member_name: str
    member_number: str


HAND_OVER_PAGE = 20


async def to_hand_over(
    source: Source, org_id: int, limit: int = HAND_OVER_PAGE
) -> list[ToHandOver]:
    """The members' orders waiting at ``org_id`` (their cycle closed), oldest first."""
    rows = await fetchall(
        source,
        "SELECT o.id, o.cycle_id, o.org_id, o.person_id, o.roster_id, o.pay_by, o.status,"
        " o.picked_up_at, r.full_name, r.member_number FROM cycle_orders o"
        " JOIN roster r ON r.id = o.roster_id WHERE o.org_id = ? AND o.orderer_kind = 'person'"
        " AND o.status = 'frozen' ORDER BY o.id LIMIT ?",
        (org_id, limit),
    )
    orders = await _with_lines(source, rows)
    return [
        ToHandOver(o, r["full_name"], r["member_number"]) for o, r in zip(orders, rows, strict=True)
    ]


async def pick_up(
    conn: aiosqlite.Connection, order_id: int, officer_id: int, officer_org_id: int
) -> MemberOrder:
    """A use case: the member's order handed over at their PUK and its payment posted, once:
    one entry (reference :func:`domain.member_orders.hold_reference`) debiting the member's
    sukarela or what they owe on payroll, crediting each supplier's payable with the goods and
    the hub's fee income with the fees. LookupError for an order not waiting at the officer's
    organisation (a forged button); NotYours for the officer's own order; AlreadyPickedUp; a
    LedgerError (the sukarela no longer there) undoes all."""
    order = await get(conn, order_id)
    if order is None or order.org_id != officer_org_id or order.status not in ("frozen", PICKED_UP):
        raise LookupError(order_id)
    if order.person_id == officer_id:
        raise NotYours(order_id)
    cur = await conn.execute(
        "UPDATE cycle_orders SET status = ?, picked_up_by = ?, picked_up_at = ?"
        " WHERE id = ? AND status = 'frozen'",
        (PICKED_UP, officer_id, now_utc(), order_id),
    )
    if cur.rowcount != 1:
        raise AlreadyPickedUp(order_id)
    cycle = await cycles.get(conn, order.cycle_id)
    suppliers = {i.id: i.supplier_id for i in await cycles.items(conn, order.cycle_id)}
    lines = M.pickup_lines(
        order.pay_by,
        order.roster_id,
        cycle.hub_id,
        [(suppliers[x.item_id], x) for x in order.lines],
    )
    reason = L.coded_reason(M.REASON_PICKUP, number=order.number, pay=order.pay_by.value)
    await ledger.post(conn, lines, officer_id, reason, M.hold_reference(order_id))
    await audit(conn, officer_id, "member_order.pickup", f"cycle-order:{order_id}")
    return await get(conn, order_id)


# --- told at the close --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ToTell:
    order: MemberOrder
    chat_id: int
    language: str
    timezone: str
    place: str  # where it is picked up


async def closed_since(source: Source, since: int) -> list[Cycle]:
    rows = await fetchall(
        source,
        "SELECT id FROM order_cycles WHERE status = 'closed' AND closed_at >= ? ORDER BY id",
        (since,),
    )
    return [await cycles.get(source, r["id"]) for r in rows]


async def to_tell(source: Source, cycle_id: int) -> list[ToTell]:
    """The members whose orders the cycle froze and who can be reached, with their orders."""
    rows = await fetchall(
        source,
        "SELECT o.id, o.cycle_id, o.org_id, o.person_id, o.roster_id, o.pay_by, o.status, o.picked_up_at,"
        " p.chat_id, p.language, p.timezone, g.name AS place FROM cycle_orders o"
        " JOIN people p ON p.id = o.person_id JOIN organisations g ON g.id = o.org_id"
        " WHERE o.cycle_id = ? AND o.orderer_kind = 'person' AND o.status = 'frozen'"
        " AND p.chat_id IS NOT NULL AND p.reachable = 1 ORDER BY o.id",
        (cycle_id,),
    )
    orders = await _with_lines(source, rows)
    return [
        ToTell(o, r["chat_id"], r["language"], r["timezone"], r["place"])
        for o, r in zip(orders, rows, strict=True)
    ]
