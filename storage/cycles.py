"""Order cycles (domain.cycles): a hub's suppliers, its cycles and their items, the orders of
its village cooperatives (:func:`place`, :func:`cancel`, each one use case), the close run
once (:func:`close`, :func:`close_due`), what the close sends (:func:`purchase_order`,
:func:`plan_rows`), who is reminded and told (:func:`to_remind`, :func:`officers`).

Stock is taken by one conditional UPDATE per item inside the order's transaction: two
officers racing for the last sacks, the second finds the row unchanged and is refused with
what is left."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date

import aiosqlite

from domain import N_
from domain import cycles as rules
from domain.cycles import Line, OrderRefused, OrderStatus, Status
from domain.network import VILLAGE_KINDS
from domain.people import VILLAGE_OFFICERS, Role
from storage import outbox
from storage.catalog import Source, fetchall
from storage.dashboard import Column, Scope, _marks, panel
from storage.db import Database, now_utc
from storage.people import audit

# orders that take stock (and, from the close on, went to the suppliers: counted, invoiced, paid)
LIVE = tuple(s.value for s in OrderStatus if s != OrderStatus.CANCELLED)


@dataclass(frozen=True)
class Supplier:
    id: int
    hub_id: int
    name: str
    phone: str | None
    contact: str | None


@dataclass(frozen=True)
class Cycle:
    id: int
    hub_id: int
    name: str
    closes_at: int
    delivery_on: str
    minimum_rupiah: int
    status: Status
    opened_by: int | None
    created_at: int
    closed_at: int | None
    announced_at: int | None

    @property
    def number(self) -> str:
        return rules.cycle_number(self.id)

    def open_at(self, now: int) -> bool:
        return rules.is_open(self.status, self.closes_at, now)

    @property
    def delivery_day(self) -> date:
        return date.fromisoformat(self.delivery_on)


@dataclass(frozen=True)
class Item:
    id: int
    cycle_id: int
    supplier_id: int
    name: str
    unit: str
    price_rupiah: int
    fee_rupiah: int
    stock: int
    taken: int

    @property
    def left(self) -> int:
        return self.stock - self.taken


class WithLines:
    """What an order of a cycle (a cooperative's or a member's) tells from its id and lines."""

    @property
    def number(self) -> str:
        return rules.order_number(self.id)

    @property
    def totals(self) -> rules.Totals:
        return rules.totals(self.lines)


@dataclass(frozen=True)
class Order(WithLines):
    id: int
    cycle_id: int
    org_id: int
    status: OrderStatus
    placed_by: int | None
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class ItemTotal:
    item: Item
    supplier: str
    ordered: int
    orders: int


@dataclass(frozen=True)
class Officer:
    person_id: int
    org_id: int
    chat_id: int
    language: str
    timezone: str


_CYCLE = ", ".join(Cycle.__dataclass_fields__)
_ITEM = ", ".join(Item.__dataclass_fields__)


def _cycle(row) -> Cycle:
    values = {k: row[k] for k in Cycle.__dataclass_fields__}
    return Cycle(**{**values, "status": Status(values["status"])})


def _item(row) -> Item:
    return Item(**{k: row[k] for k in Item.__dataclass_fields__})


# --- suppliers -------------------------------------------------------------------------------


async def add_supplier(
    conn: aiosqlite.Connection, hub_id: int, name: str, phone: str | None, contact: str | None
) -> Supplier:
    """A use case: a supplier of the hub; ValueError when the hub has one of that name."""
    name = rules.check_name(name)
    rows = await fetchall(
        conn,
        "INSERT INTO suppliers (hub_id, name, phone, contact, created_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (hub_id, name) DO NOTHING RETURNING id",
        (hub_id, name, phone, contact, now_utc()),
    )
    if not rows:
        raise ValueError(f"the hub has a supplier named {name!r} already")
    await audit(conn, None, "supplier.add", f"supplier:{rows[0][0]}", name=name)
    return Supplier(rows[0][0], hub_id, name, phone, contact)


async def suppliers(source: Source, hub_id: int) -> list[Supplier]:
    rows = await fetchall(
        source,
        "SELECT id, hub_id, name, phone, contact FROM suppliers WHERE hub_id = ? ORDER BY name, id",
        (hub_id,),
    )
    return [Supplier(**{k: r[k] for k in Supplier.__dataclass_fields__}) for r in rows]


async def supplier(source: Source, supplier_id: int) -> Supplier | None:
    rows = await fetchall(
        source,
        "SELECT id, hub_id, name, phone, contact FROM suppliers WHERE id = ?",
        (supplier_id,),
    )
    return Supplier(**{k: rows[0][k] for k in Supplier.__dataclass_fields__}) if rows else None


# --- cycles and items --------------------------------------------------------------------------


async def open_cycle(
    conn: aiosqlite.Connection, *, hub_id: int, name: str, closes_at: int, delivery_on: date,
    minimum_rupiah: int, timezone: str, opened_by: int | None,
) -> Cycle:  # fmt: skip
    """A use case: a new open cycle of ``hub_id``; InvalidInput (domain.cycles.REASONS)."""
    name = rules.check_name(name)
    rules.check_minimum(minimum_rupiah)
    now = now_utc()
    rules.check_times(closes_at, delivery_on, now, timezone)
    rows = await fetchall(
        conn,
        "INSERT INTO order_cycles (hub_id, name, closes_at, delivery_on, minimum_rupiah, status,"
        " opened_by, created_at) VALUES (?, ?, ?, ?, ?, 'open', ?, ?) RETURNING id",
        (hub_id, name, closes_at, delivery_on.isoformat(), minimum_rupiah, opened_by, now),
    )
    cycle_id = rows[0][0]
    await audit(conn, opened_by, "cycle.open", f"cycle:{cycle_id}", name=name, closes_at=closes_at)
    return await get(conn, cycle_id)


async def add_item(
    conn: aiosqlite.Connection, *, cycle_id: int, supplier_id: int, name: str, unit: str,
    price_rupiah: int, fee_rupiah: int, stock: int,
) -> Item:  # fmt: skip
    """A use case: an item of an open cycle, from a supplier of its hub. ValueError for a
    cycle closed or a supplier of another hub; InvalidInput for a figure over its ceiling."""
    cycle = await get(conn, cycle_id)
    found = await supplier(conn, supplier_id)
    if cycle is None or cycle.status != Status.OPEN:
        raise ValueError(f"cycle {cycle_id} is not open")
    if found is None or found.hub_id != cycle.hub_id:
        raise ValueError("the supplier is not one of the cycle's hub")
    name, unit = rules.check_name(name), rules.check_unit(unit)
    rules.check_price(price_rupiah)
    rules.check_price(fee_rupiah, allow_zero=True)
    rules.check_stock_figure(stock)
    count = await fetchall(
        conn, "SELECT COUNT(*) AS n FROM cycle_items WHERE cycle_id = ?", (cycle_id,)
    )
    if count[0]["n"] >= rules.MAX_ITEMS:
        raise rules.InvalidInput("cycle.too_many_items")
    rows = await fetchall(
        conn,
        "INSERT INTO cycle_items (cycle_id, supplier_id, name, unit, price_rupiah, fee_rupiah, stock)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (cycle_id, name) DO NOTHING RETURNING id",
        (cycle_id, supplier_id, name, unit, price_rupiah, fee_rupiah, stock),
    )
    if not rows:
        raise ValueError(f"the cycle has an item named {name!r} already")
    return await item(conn, rows[0][0])


async def get(source: Source, cycle_id: int) -> Cycle | None:
    rows = await fetchall(source, f"SELECT {_CYCLE} FROM order_cycles WHERE id = ?", (cycle_id,))
    return _cycle(rows[0]) if rows else None


async def item(source: Source, item_id: int) -> Item | None:
    rows = await fetchall(source, f"SELECT {_ITEM} FROM cycle_items WHERE id = ?", (item_id,))
    return _item(rows[0]) if rows else None


async def items(source: Source, cycle_id: int) -> list[Item]:
    rows = await fetchall(
        source, f"SELECT {_ITEM} FROM cycle_items WHERE cycle_id = ? ORDER BY id", (cycle_id,)
    )
    return [_item(r) for r in rows]


async def of_hub(source: Source, hub_id: int | None, only_open: bool = False) -> list[Cycle]:
    """A hub's cycles (every hub's when None), newest first."""
    where, params = ("WHERE hub_id = ?", [hub_id]) if hub_id is not None else ("WHERE 1 = 1", [])
    if only_open:
        where += " AND status = 'open'"
    rows = await fetchall(
        source, f"SELECT {_CYCLE} FROM order_cycles {where} ORDER BY id DESC LIMIT 200", tuple(params)
    )  # fmt: skip
    return [_cycle(r) for r in rows]


async def hub_of(source: Source, org_id: int) -> int | None:
    """The hub a village cooperative orders from: its parent."""
    rows = await fetchall(
        source,
        f"SELECT parent_id FROM organisations WHERE id = ? AND kind IN ({_marks(VILLAGE_KINDS)})",
        (org_id, *VILLAGE_KINDS),
    )
    return rows[0]["parent_id"] if rows else None


async def open_for(source: Source, org_id: int, now: int | None = None) -> list[Cycle]:
    """The cycles a village cooperative may order in now: its hub's, open, before the close."""
    hub = await hub_of(source, org_id)
    if hub is None:
        return []
    now = now_utc() if now is None else now
    rows = await fetchall(
        source,
        f"SELECT {_CYCLE} FROM order_cycles WHERE hub_id = ? AND status = 'open' AND closes_at > ?"
        " ORDER BY closes_at, id",
        (hub, now),
    )
    return [_cycle(r) for r in rows]


async def may_order(source: Source, cycle: Cycle, org_id: int) -> bool:
    """Whether ``org_id`` is a village cooperative of the cycle's hub (else a forged button)."""
    return await hub_of(source, org_id) == cycle.hub_id


# --- orders ---------------------------------------------------------------------------------------


async def order_of(source: Source, cycle_id: int, org_id: int) -> Order | None:
    rows = await fetchall(
        source,
        "SELECT id, cycle_id, org_id, status, placed_by FROM cycle_orders"
        " WHERE cycle_id = ? AND org_id = ? AND orderer_kind = 'org'",
        (cycle_id, org_id),
    )
    if not rows:
        return None
    return await _order(source, rows[0])


async def order(source: Source, order_id: int) -> Order | None:
    rows = await fetchall(
        source,
        "SELECT id, cycle_id, org_id, status, placed_by FROM cycle_orders WHERE id = ?",
        (order_id,),
    )
    return await _order(source, rows[0]) if rows else None


async def _order(source: Source, row) -> Order:
    lines = await lines_of(source, [row["id"]])
    return Order(
        row["id"], row["cycle_id"], row["org_id"], OrderStatus(row["status"]), row["placed_by"],
        lines.get(row["id"], ()),
    )  # fmt: skip


async def lines_of(source: Source, order_ids: list[int]) -> dict[int, tuple[Line, ...]]:
    """The lines of these orders, by order, in item order: one query."""
    if not order_ids:
        return {}
    rows = await fetchall(
        source,
        "SELECT order_id, item_id, quantity, price_rupiah, fee_rupiah FROM cycle_order_lines"
        f" WHERE order_id IN ({', '.join('?' * len(order_ids))}) ORDER BY order_id, item_id",
        order_ids,
    )
    return _by_order(rows)


def _by_order(rows) -> dict[int, tuple[Line, ...]]:
    lines: dict[int, list[Line]] = {}
    for r in rows:
        lines.setdefault(r["order_id"], []).append(
            Line(r["item_id"], r["quantity"], r["price_rupiah"], r["fee_rupiah"])
        )
    return {k: tuple(v) for k, v in lines.items()}


async def _give_back(conn: aiosqlite.Connection, before: Order | None) -> None:
    """What a live order held of stock, returned (a change or a cancel)."""
    if before is None or before.status != OrderStatus.OPEN:
        return
    for line in before.lines:
        await conn.execute(
            "UPDATE cycle_items SET taken = taken - ? WHERE id = ?", (line.quantity, line.item_id)
        )


give_back = _give_back  # the members' orders (storage.member_orders) give back the same way


async def take_stock(conn: aiosqlite.Connection, lines: list[Line]) -> None:
    """Each line's units taken from its item's stock, one conditional UPDATE each (shared by
    the cooperatives' and the members' orders); OrderRefused("stock", left=…) when another
    order took it first (the caller's transaction then undoes all)."""
    for line in lines:
        cur = await conn.execute(
            "UPDATE cycle_items SET taken = taken + ? WHERE id = ? AND taken + ? <= stock",
            (line.quantity, line.item_id, line.quantity),
        )
        if cur.rowcount != 1:
            now = await item(conn, line.item_id)
            raise OrderRefused("stock", item_id=line.item_id, left=now.left if now else 0)


async def _refuse_closed(cycle: Cycle | None, org_id: int, conn) -> Cycle:
    if cycle is None or not await may_order(conn, cycle, org_id):
        raise LookupError("cycle")
    if not cycle.open_at(now_utc()):
        raise OrderRefused("closed")
    return cycle


async def place(
    conn: aiosqlite.Connection, cycle_id: int, org_id: int, wanted: dict[int, int], by: int | None
) -> Order:
    """A use case: ``org_id``'s order in the cycle is now ``wanted`` (item id → units), placed
    or changed. LookupError when the cycle or an item is not the cooperative's to order
    (a forged button); OrderRefused (domain.cycles) when the cycle closed, an item's stock
    has not that much left (``left``, read inside this transaction), or the total is under
    the cycle's minimum."""
    cycle = await _refuse_closed(await get(conn, cycle_id), org_id, conn)
    offered = {i.id: i for i in await items(conn, cycle_id)}
    if any(item_id not in offered for item_id in wanted):
        raise LookupError("item")
    lines = [
        Line(i, q, offered[i].price_rupiah, offered[i].fee_rupiah)
        for i, q in sorted(wanted.items())
        if q > 0
    ]
    rules.check_order(lines, cycle.minimum_rupiah, open_now=True)
    before = await order_of(conn, cycle_id, org_id)
    await _give_back(conn, before)
    await take_stock(conn, lines)
    now = now_utc()
    # The write is serialised (BEGIN IMMEDIATE; PostgreSQL's write lock), so the order read
    # above is still the one there: no upsert, whose failed inserts would leave gaps in the
    # PSN numbers on PostgreSQL.
    if before is None:
        rows = await fetchall(
            conn,
            "INSERT INTO cycle_orders (cycle_id, orderer_kind, org_id, status, placed_by, placed_at,"
            " changed_at) VALUES (?, 'org', ?, 'open', ?, ?, ?) RETURNING id",
            (cycle_id, org_id, by, now, now),
        )
        order_id = rows[0][0]
    else:
        order_id = before.id
        await conn.execute(
            "UPDATE cycle_orders SET status = 'open', placed_by = ?, changed_at = ? WHERE id = ?",
            (by, now, order_id),
        )
    await conn.execute("DELETE FROM cycle_order_lines WHERE order_id = ?", (order_id,))
    await conn.executemany(
        "INSERT INTO cycle_order_lines (order_id, item_id, quantity, price_rupiah, fee_rupiah)"
        " VALUES (?, ?, ?, ?, ?)",
        [(order_id, x.item_id, x.quantity, x.price_rupiah, x.fee_rupiah) for x in lines],
    )
    action = (
        "order.change"
        if before is not None and before.status == OrderStatus.OPEN
        else "order.place"
    )
    await audit(
        conn, by, action, f"cycle-order:{order_id}", lines={x.item_id: x.quantity for x in lines}
    )
    return await order(conn, order_id)


async def cancel(conn: aiosqlite.Connection, cycle_id: int, org_id: int, by: int | None) -> Order:
    """A use case: the cooperative's order cancelled, its stock given back. LookupError when
    it has no open order there (or the cycle is not its hub's); OrderRefused("closed")."""
    await _refuse_closed(await get(conn, cycle_id), org_id, conn)
    before = await order_of(conn, cycle_id, org_id)
    if before is None or before.status != OrderStatus.OPEN:
        raise LookupError("order")
    await _give_back(conn, before)
    await conn.execute(
        "UPDATE cycle_orders SET status = 'cancelled', changed_at = ? WHERE id = ?",
        (now_utc(), before.id),
    )
    await audit(conn, by, "order.cancel", f"cycle-order:{before.id}")
    return await order(conn, before.id)


# --- the close -----------------------------------------------------------------------------------


async def close(conn: aiosqlite.Connection, cycle_id: int, by: int | None = None) -> bool:
    """A use case: the cycle closed and its open orders frozen, once (a second close, another
    process or a replay finds it closed: False). LookupError for no such cycle."""
    if await get(conn, cycle_id) is None:
        raise LookupError(cycle_id)
    cur = await conn.execute(
        "UPDATE order_cycles SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open'",
        (now_utc(), cycle_id),
    )
    if cur.rowcount != 1:
        return False
    await conn.execute(
        "UPDATE cycle_orders SET status = 'frozen' WHERE cycle_id = ? AND status = 'open'",
        (cycle_id,),
    )
    await audit(conn, by, "cycle.close", f"cycle:{cycle_id}")
    return True


async def close_due(conn: aiosqlite.Connection) -> list[int]:
    """A use case (the job): every open cycle whose closing time passed, closed."""
    rows = await fetchall(
        conn,
        "SELECT id FROM order_cycles WHERE status = 'open' AND closes_at <= ? ORDER BY id",
        (now_utc(),),
    )
    return [r["id"] for r in rows if await close(conn, r["id"])]


async def unannounced(source: Source) -> list[Cycle]:
    rows = await fetchall(
        source,
        f"SELECT {_CYCLE} FROM order_cycles WHERE status = 'closed' AND announced_at IS NULL ORDER BY id",
    )
    return [_cycle(r) for r in rows]


async def mark_announced(conn: aiosqlite.Connection, cycle_id: int) -> bool:
    """A use case: the close told (the caller queues its notices in the same transaction);
    False when it was told before."""
    cur = await conn.execute(
        "UPDATE order_cycles SET announced_at = ? WHERE id = ? AND announced_at IS NULL"
        " AND status = 'closed'",
        (now_utc(), cycle_id),
    )
    return cur.rowcount == 1


async def announce(
    conn: aiosqlite.Connection, cycle_id: int, messages: list[outbox.OutgoingMessage]
) -> outbox.Enqueued | None:
    """A use case: the close's notices queued under the cycle's key and the cycle marked told,
    in one transaction; None when it was told before (a second run, another process)."""
    if not await mark_announced(conn, cycle_id):
        return None
    if not messages:
        return outbox.Enqueued(0, False, 0)
    return await outbox.enqueue(
        conn, key=f"cycle-closed:{cycle_id}", kind="cycle_closed", messages=messages,
        priority=outbox.NOTICE,
    )  # fmt: skip


async def remind(
    conn: aiosqlite.Connection, cycle_id: int, messages: list[outbox.OutgoingMessage]
) -> int:
    """A use case: each officer claimed for the cycle's reminder and, for those claimed now,
    their message queued; how many were queued (a second run queues nobody twice)."""
    claimed = [m for m in messages if await claim_reminder(conn, cycle_id, m.person_id)]
    if claimed:
        first = min(m.person_id for m in claimed)
        await outbox.enqueue(
            conn, key=f"cycle-reminder:{cycle_id}:{first}", kind="cycle_reminder", messages=claimed,
        )  # fmt: skip
    return len(claimed)


# --- what the close sends ----------------------------------------------------------------------


async def item_totals(source: Source, cycle_id: int) -> list[ItemTotal]:
    """Each item of the cycle with what live orders hold of it and how many ordered it."""
    rows = await fetchall(
        source,
        f"SELECT {', '.join('i.' + c for c in Item.__dataclass_fields__)}, s.name AS supplier,"
        " COALESCE(t.ordered, 0) AS ordered, COALESCE(t.orders, 0) AS orders"
        " FROM cycle_items i JOIN suppliers s ON s.id = i.supplier_id LEFT JOIN ("
        "  SELECT l.item_id, SUM(l.quantity) AS ordered, COUNT(*) AS orders FROM cycle_order_lines l"
        f"  JOIN cycle_orders o ON o.id = l.order_id WHERE o.cycle_id = ? AND o.status IN ({_marks(LIVE)})"
        "  GROUP BY l.item_id) t ON t.item_id = i.id"
        " WHERE i.cycle_id = ? ORDER BY s.name, i.id",
        (cycle_id, *LIVE, cycle_id),
    )
    return [ItemTotal(_item(r), r["supplier"], r["ordered"], r["orders"]) for r in rows]


async def purchase_order(source: Source, cycle_id: int, supplier_id: int) -> list[ItemTotal]:
    """A supplier's purchase order: its items of the cycle with the units ordered."""
    return [t for t in await item_totals(source, cycle_id) if t.item.supplier_id == supplier_id]


@dataclass(frozen=True)
class PlanRow:
    """One line of the delivery plan: a cooperative (by kecamatan) and an item it ordered."""

    district: str  # kecamatan code, 33.10.11
    village_code: str
    org_code: str
    org_name: str
    order_id: int
    item_name: str
    unit: str
    quantity: int
    total_rupiah: int  # goods and fee


PLAN_PAGE = 5000


async def plan_rows(source: Source, cycle_id: int) -> AsyncIterator[PlanRow]:
    """The delivery plan, streamed a page at a time (a cycle of 10,000 cooperatives is never
    held whole): by kecamatan, desa, cooperative, then item."""
    after: tuple[str, int] = ("", 0)
    while True:
        rows = await fetchall(
            source,
            "WITH page AS (SELECT o.id, COALESCE(g.village_code, '') AS vc, g.code, g.name"
            " FROM cycle_orders o JOIN organisations g ON g.id = o.org_id"
            f" WHERE o.cycle_id = ? AND o.status IN ({_marks(LIVE)})"
            " AND (COALESCE(g.village_code, '') > ? OR (COALESCE(g.village_code, '') = ? AND o.id > ?))"
            " ORDER BY COALESCE(g.village_code, ''), o.id LIMIT ?)"
            " SELECT page.id AS order_id, page.vc, page.code, page.name, i.name AS item, i.unit,"
            " l.quantity, l.quantity * (l.price_rupiah + l.fee_rupiah) AS total"
            " FROM page JOIN cycle_order_lines l ON l.order_id = page.id"
            " JOIN cycle_items i ON i.id = l.item_id ORDER BY page.vc, page.id, l.item_id",
            (cycle_id, *LIVE, after[0], after[0], after[1], PLAN_PAGE),
        )
        if not rows:
            return
        for r in rows:
            code = r["vc"]
            yield PlanRow(
                rules.district_of(code), code, r["code"], r["name"], r["order_id"], r["item"],
                r["unit"], r["quantity"], r["total"],
            )  # fmt: skip
        last = rows[-1]
        after = (last["vc"], last["order_id"])


async def frozen_orders(source: Source, cycle_id: int) -> list[Order]:
    """The orders a closed cycle froze (their officers are told what was ordered): two
    queries whatever their number."""
    rows = await fetchall(
        source,
        "SELECT id, cycle_id, org_id, status, placed_by FROM cycle_orders"
        " WHERE cycle_id = ? AND status = 'frozen' AND orderer_kind = 'org' ORDER BY id",
        (cycle_id,),
    )
    lines = await fetchall(
        source,
        "SELECT l.order_id, l.item_id, l.quantity, l.price_rupiah, l.fee_rupiah FROM cycle_order_lines l"
        " JOIN cycle_orders o ON o.id = l.order_id WHERE o.cycle_id = ? AND o.status = 'frozen'"
        " AND o.orderer_kind = 'org' ORDER BY l.order_id, l.item_id",
        (cycle_id,),
    )
    by_order = _by_order(lines)
    return [
        Order(r["id"], r["cycle_id"], r["org_id"], OrderStatus(r["status"]), r["placed_by"],
              by_order.get(r["id"], ()))
        for r in rows
    ]  # fmt: skip


# --- people to tell ------------------------------------------------------------------------------

_OFFICER_ROLES = tuple(role.value for role in VILLAGE_OFFICERS)


async def ordering_officers(source: Source, cycle_id: int) -> list[Officer]:
    """The reachable officers of the cooperatives whose orders the cycle froze (found by a
    join: 10,000 cooperatives are no list of parameters)."""
    rows = await fetchall(
        source,
        "SELECT DISTINCT p.id, p.org_id, p.chat_id, p.language, p.timezone FROM cycle_orders o"
        " JOIN people p ON p.org_id = o.org_id JOIN person_roles r ON r.person_id = p.id"
        " WHERE o.cycle_id = ? AND o.status = 'frozen' AND o.orderer_kind = 'org'"
        f" AND r.role IN ({_marks(_OFFICER_ROLES)})"
        " AND p.chat_id IS NOT NULL AND p.reachable = 1 ORDER BY p.id",
        (cycle_id, *_OFFICER_ROLES),
    )
    return [Officer(r["id"], r["org_id"], r["chat_id"], r["language"], r["timezone"]) for r in rows]


async def administrators(source: Source, hub_id: int) -> list[Officer]:
    rows = await fetchall(
        source,
        "SELECT p.id, p.org_id, p.chat_id, p.language, p.timezone FROM people p"
        " JOIN person_roles r ON r.person_id = p.id AND r.role = ?"
        " WHERE p.org_id = ? AND p.chat_id IS NOT NULL AND p.reachable = 1 ORDER BY p.id",
        (Role.ADMIN.value, hub_id),
    )
    return [Officer(r["id"], r["org_id"], r["chat_id"], r["language"], r["timezone"]) for r in rows]


async def to_remind(source: Source, cycle: Cycle) -> list[Officer]:
    """Officers of the hub's village cooperatives that have no live order in the cycle and
    were not reminded of it yet."""
    rows = await fetchall(
        source,
        "SELECT DISTINCT p.id, p.org_id, p.chat_id, p.language, p.timezone FROM organisations g"
        " JOIN people p ON p.org_id = g.id JOIN person_roles r ON r.person_id = p.id"
        f" WHERE g.parent_id = ? AND g.kind IN ({_marks(VILLAGE_KINDS)})"
        f" AND r.role IN ({_marks(_OFFICER_ROLES)}) AND p.chat_id IS NOT NULL AND p.reachable = 1"
        " AND NOT EXISTS (SELECT 1 FROM cycle_orders o WHERE o.cycle_id = ? AND o.org_id = g.id"
        "   AND o.status = 'open')"
        " AND NOT EXISTS (SELECT 1 FROM cycle_reminders_sent s WHERE s.cycle_id = ? AND s.person_id = p.id)"
        " ORDER BY p.id",
        (cycle.hub_id, *VILLAGE_KINDS, *_OFFICER_ROLES, cycle.id, cycle.id),
    )
    return [Officer(r["id"], r["org_id"], r["chat_id"], r["language"], r["timezone"]) for r in rows]


async def claim_reminder(conn: aiosqlite.Connection, cycle_id: int, person_id: int) -> bool:
    """Mark ``person_id`` reminded of ``cycle_id``; False when someone already did."""
    cur = await conn.execute(
        "INSERT INTO cycle_reminders_sent (cycle_id, person_id, sent_at) VALUES (?, ?, ?)"
        " ON CONFLICT (cycle_id, person_id) DO NOTHING",
        (cycle_id, person_id, now_utc()),
    )
    return cur.rowcount == 1


async def due_for_reminder(source: Source, now: int | None = None) -> list[Cycle]:
    """Open cycles closing within a day."""
    now = now_utc() if now is None else now
    rows = await fetchall(
        source,
        f"SELECT {_CYCLE} FROM order_cycles WHERE status = 'open' AND closes_at > ? AND closes_at <= ?"
        " ORDER BY id",
        (now, now + 86400),
    )
    return [_cycle(r) for r in rows]


# --- the dashboard ---------------------------------------------------------------------------------


@panel(
    "cycles", N_("Order cycles"),
    (Column("cycle", N_("Cycle")), Column("item", N_("Item")), Column("supplier", N_("Supplier")),
     Column("ordered", N_("Ordered"), "number"), Column("left", N_("Stock left"), "number"),
     Column("orders", N_("Orders"), "number"), Column("fees", N_("Hub fee"), "money")),
)  # fmt: skip
async def cycles_panel(db: Database, scope: Scope) -> list[dict]:
    """The viewer's hubs' cycles, open ones first: each item's units ordered, what is left of
    its stock, how many cooperatives ordered it and the hub's fee on it."""
    rows = await db.fetchall(
        f"SELECT id FROM order_cycles WHERE hub_id IN ({_marks(scope.org_ids)})"
        " ORDER BY CASE WHEN status = 'open' THEN 0 ELSE 1 END, closes_at DESC, id LIMIT 20",
        scope.org_ids,
    )
    result = []
    for row in rows:
        cycle = await get(db, row["id"])
        for total in await item_totals(db, cycle.id):
            result.append({
                "cycle": f"{cycle.number} {cycle.name}", "item": total.item.name,
                "supplier": total.supplier, "ordered": total.ordered, "left": total.item.left,
                "orders": total.orders, "fees": total.ordered * total.item.fee_rupiah,
            })  # fmt: skip
    return result
