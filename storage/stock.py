"""Stock: warehouses, batches at cost, and where every kilo came from (issue 17).

The contract other parts use (sales allocate and deliver, figures read stock on hand):
:func:`available`, :func:`take`, :func:`give_back`, :func:`trace`, :class:`Batch`,
:class:`Source`, :class:`NotEnoughStock`. ``take`` and ``give_back`` run inside the caller's
use case (its transaction); ``available`` and ``trace`` read from a Database or inside one.
Quantities are exact Decimals in base units, stored as canonical text (domain.stock.text).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import aiosqlite

from domain import ledger as L
from domain import stock as rules
from domain.offers import offer_number
from domain.people import Role
from domain.produce import CATALOG
from storage import ledger
from storage.catalog import Source as Reader
from storage.catalog import fetchall
from storage.db import now_utc
from storage.people import add_role, audit


class NotEnoughStock(Exception):
    """More was asked of a batch (or of the stock) than it holds; ``available`` is what it
    holds, in base units."""

    def __init__(self, available: Decimal) -> None:
        super().__init__(f"only {available} available")
        self.available = available


class StockChanged(Exception):
    """A batch changed under a take (never inside one write transaction: a guard)."""


@dataclass(frozen=True)
class Batch:
    id: int
    org_id: int
    warehouse_id: int
    commodity: str
    grade: str
    quantity: Decimal  # base units remaining
    cost_rupiah: int  # cost remaining, whole rupiah
    received_at: int
    origin: str  # 'pickup' | 'drying' | 'processing' | 'sorting' | 'return'
    parent_batch_id: int | None


@dataclass(frozen=True)
class Source:
    """A pickup whose kilos are in the batches asked about (for the surat jalan)."""

    offer_id: int
    offer_number: str
    farmer_name: str
    village_code: str
    picked_up_at: int | None
    quantity: Decimal  # the pickup's kilos that went into these batches


_BATCH_COLUMNS = (
    "id, org_id, warehouse_id, commodity, grade, quantity, cost_rupiah, received_at, origin,"
    " parent_batch_id"
)


def _batch(row) -> Batch:
    values = {k: row[k] for k in Batch.__dataclass_fields__}
    return Batch(**{**values, "quantity": Decimal(values["quantity"])})


async def available(
    source: Reader, org_id: int, commodity: str, grade: str, warehouse_id: int | None = None
) -> list[Batch]:
    """The cooperative's batches of ``commodity`` and ``grade`` that hold something (in one
    warehouse, or in all), oldest first."""
    sql = (
        f"SELECT {_BATCH_COLUMNS} FROM stock_batches WHERE org_id = ? AND commodity = ?"
        " AND grade = ? AND quantity <> '0'"
    )
    params: tuple = (org_id, commodity, grade)
    if warehouse_id is not None:
        sql += " AND warehouse_id = ?"
        params += (warehouse_id,)
    rows = await fetchall(source, sql + " ORDER BY received_at, id", params)
    return [_batch(r) for r in rows]


async def batch(source: Reader, batch_id: int) -> Batch | None:
    rows = await fetchall(
        source, f"SELECT {_BATCH_COLUMNS} FROM stock_batches WHERE id = ?", (batch_id,)
    )
    return _batch(rows[0]) if rows else None


async def take(conn: aiosqlite.Connection, batch_id: int, quantity: Decimal) -> int:
    """Take ``quantity`` out of the batch; returns the cost taken (its share in proportion,
    whole rupiah; all that is left when the batch is emptied). NotEnoughStock when the batch
    holds less (or does not exist: it holds nothing)."""
    rules.check_quantity(quantity)
    held = await batch(conn, batch_id)
    if held is None:
        raise NotEnoughStock(rules.ZERO)
    if quantity > held.quantity:
        raise NotEnoughStock(held.quantity)
    cost = rules.cost_share(held.cost_rupiah, held.quantity, quantity)
    cur = await conn.execute(
        "UPDATE stock_batches SET quantity = ?, cost_rupiah = ? WHERE id = ? AND quantity = ?"
        " AND cost_rupiah = ?",
        (rules.text(held.quantity - quantity), held.cost_rupiah - cost, batch_id,
         rules.text(held.quantity), held.cost_rupiah),
    )  # fmt: skip
    if cur.rowcount != 1:
        raise StockChanged(batch_id)
    return cost


async def give_back(
    conn: aiosqlite.Connection, batch_id: int, quantity: Decimal, cost_rupiah: int
) -> None:
    """Put ``quantity`` back into the batch it was taken from, with its cost (kilos a buyer
    rejected or returned)."""
    rules.check_quantity(quantity)
    if cost_rupiah < 0:
        raise ValueError("a cost is never negative")
    held = await batch(conn, batch_id)
    if held is None:
        raise LookupError(batch_id)
    cur = await conn.execute(
        "UPDATE stock_batches SET quantity = ?, cost_rupiah = ? WHERE id = ? AND quantity = ?"
        " AND cost_rupiah = ?",
        (rules.text(held.quantity + quantity), held.cost_rupiah + cost_rupiah, batch_id,
         rules.text(held.quantity), held.cost_rupiah),
    )  # fmt: skip
    if cur.rowcount != 1:
        raise StockChanged(batch_id)


async def trace(source: Reader, batch_ids: list[int]) -> list[Source]:
    """The pickups whose kilos are in ``batch_ids``: offer, farmer, village, when it was
    picked up, and its kilos in those batches (added up over them); oldest pickup first."""
    if not batch_ids:
        return []
    marks = ", ".join("?" for _ in batch_ids)
    rows = await fetchall(
        source,
        "SELECT s.offer_id, s.quantity, p.full_name, o.village_code, k.picked_up_at"
        " FROM stock_batch_sources s JOIN offers o ON o.id = s.offer_id"
        " JOIN people p ON p.id = o.farmer_id LEFT JOIN pickups k ON k.offer_id = s.offer_id"
        f" WHERE s.batch_id IN ({marks})",
        tuple(batch_ids),
    )
    found: dict[int, dict] = {}
    for r in rows:
        one = found.setdefault(
            r["offer_id"],
            {"name": r["full_name"], "village": r["village_code"], "at": r["picked_up_at"],
             "quantity": rules.ZERO},
        )  # fmt: skip
        one["quantity"] += Decimal(r["quantity"])
    ordered = sorted(found.items(), key=lambda kv: (kv[1]["at"] or 0, kv[0]))
    return [
        Source(offer_id, offer_number(offer_id), v["name"], v["village"], v["at"],
               Decimal(rules.text(v["quantity"])))
        for offer_id, v in ordered
    ]  # fmt: skip


async def new_batch(
    conn: aiosqlite.Connection, *, org_id: int, warehouse_id: int, commodity: str, grade: str,
    quantity: Decimal, cost_rupiah: int, origin: str, received_at: int,
    sources: dict[int, Decimal], parent_batch_id: int | None = None, move_id: int | None = None,
) -> int:  # fmt: skip
    """A new batch with the pickups its kilos came from (offer id → kilos)."""
    cur = await conn.execute(
        "INSERT INTO stock_batches (org_id, warehouse_id, commodity, grade, quantity, cost_rupiah,"
        " received_at, origin, parent_batch_id, move_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " RETURNING id",
        (org_id, warehouse_id, commodity, grade, rules.text(quantity), cost_rupiah, received_at,
         origin, parent_batch_id, move_id),
    )  # fmt: skip
    batch_id = (await cur.fetchone())[0]
    for offer_id, kilos in sorted(sources.items()):
        if kilos > 0:
            await conn.execute(
                "INSERT INTO stock_batch_sources (batch_id, offer_id, quantity) VALUES (?, ?, ?)",
                (batch_id, offer_id, rules.text(kilos)),
            )
    return batch_id


# --- warehouses -------------------------------------------------------------------------


@dataclass(frozen=True)
class Warehouse:
    id: int
    org_id: int
    name: str
    village_code: str
    keeper_id: int | None
    created_at: int


_WAREHOUSE_COLUMNS = ", ".join(Warehouse.__dataclass_fields__)


class WarehouseError(Exception):
    """A warehouse that cannot be added as asked; the message says why (command line)."""


class NotYours(Exception):
    """The warehouse, batch or pickup is not the actor's to act on (a forged or stale
    button, another cooperative's, another keeper's)."""


async def warehouse(source: Reader, warehouse_id: int) -> Warehouse | None:
    rows = await fetchall(
        source, f"SELECT {_WAREHOUSE_COLUMNS} FROM warehouses WHERE id = ?", (warehouse_id,)
    )
    return Warehouse(**dict(rows[0])) if rows else None


async def warehouses(source: Reader, org_id: int | None = None) -> list[Warehouse]:
    """The warehouses of a cooperative (of every one: None), by name."""
    where, params = ("WHERE org_id = ?", (org_id,)) if org_id is not None else ("", ())
    rows = await fetchall(
        source, f"SELECT {_WAREHOUSE_COLUMNS} FROM warehouses {where} ORDER BY org_id, name, id",
        params,
    )  # fmt: skip
    return [Warehouse(**dict(r)) for r in rows]


async def add_warehouse(
    conn: aiosqlite.Connection, org_id: int, name: str, village_code: str,
    keeper_id: int | None = None, by: int | None = None,
) -> Warehouse:  # fmt: skip
    """A warehouse of ``org_id``; its keeper (a person of the same cooperative) is given the
    role keeper. A second warehouse of the same name in one cooperative is refused."""
    name = " ".join(name.split())
    if not 2 <= len(name) <= 60:
        raise WarehouseError("a warehouse name is 2 to 60 characters")
    if keeper_id is not None:
        rows = await fetchall(conn, "SELECT org_id FROM people WHERE id = ?", (keeper_id,))
        if not rows or rows[0]["org_id"] != org_id:
            raise WarehouseError("the keeper must be a person of the same cooperative")
    cur = await conn.execute(
        "INSERT INTO warehouses (org_id, name, village_code, keeper_id, created_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (org_id, name) DO NOTHING RETURNING id",
        (org_id, name, village_code, keeper_id, now_utc()),
    )
    row = await cur.fetchone()
    if row is None:
        raise WarehouseError(f"the cooperative has a warehouse named {name!r} already")
    if keeper_id is not None:
        await add_role(conn, keeper_id, Role.KEEPER, by)
    await audit(conn, by, "warehouse.add", f"warehouse:{row[0]}", name=name, keeper=keeper_id)
    return await warehouse(conn, row[0])


async def set_keeper(
    conn: aiosqlite.Connection, warehouse_id: int, keeper_id: int, by: int | None = None
) -> Warehouse:
    """A new keeper for a warehouse (a person of its cooperative, given the role keeper);
    the one before keeps the role for any other warehouse they keep."""
    found = await warehouse(conn, warehouse_id)
    if found is None:
        raise WarehouseError(f"no warehouse {warehouse_id}")
    rows = await fetchall(conn, "SELECT org_id FROM people WHERE id = ?", (keeper_id,))
    if not rows or rows[0]["org_id"] != found.org_id:
        raise WarehouseError("the keeper must be a person of the same cooperative")
    await conn.execute(
        "UPDATE warehouses SET keeper_id = ? WHERE id = ?", (keeper_id, warehouse_id)
    )
    await add_role(conn, keeper_id, Role.KEEPER, by)
    await audit(conn, by, "warehouse.keeper", f"warehouse:{warehouse_id}", keeper=keeper_id)
    return await warehouse(conn, warehouse_id)


async def kept_by(
    source: Reader, person_id: int, org_id: int, roles: frozenset[Role]
) -> list[Warehouse]:
    """The warehouses a person may see and change: a keeper's own; every one of their
    cooperative for an administrator or a coordinator (who brings pickups in)."""
    if roles & {Role.ADMIN, Role.COORDINATOR}:
        return await warehouses(source, org_id)
    if Role.KEEPER not in roles:
        return []
    rows = await fetchall(
        source,
        f"SELECT {_WAREHOUSE_COLUMNS} FROM warehouses WHERE keeper_id = ? AND org_id = ?"
        " ORDER BY name, id",
        (person_id, org_id),
    )
    return [Warehouse(**dict(r)) for r in rows]


async def _mine(
    conn, warehouse_id: int, person_id: int, org_id: int, roles, *, keeping: bool
) -> Warehouse:
    """The warehouse when the actor may act on it: its keeper, an administrator of its
    cooperative, or (``keeping`` False: bringing pickups in) a coordinator of it."""
    found = await warehouse(conn, warehouse_id)
    if found is None or found.org_id != org_id:
        raise NotYours(warehouse_id)
    if found.keeper_id == person_id and Role.KEEPER in roles:
        return found
    if Role.ADMIN in roles or (not keeping and Role.COORDINATOR in roles):
        return found
    raise NotYours(warehouse_id)


# --- stock on hand ----------------------------------------------------------------------


@dataclass(frozen=True)
class OnHand:
    warehouse_id: int
    warehouse: str
    org_id: int
    commodity: str
    grade: str
    quantity: Decimal
    cost_rupiah: int
    batches: int


async def on_hand(
    source: Reader, org_ids: list[int] | None = None, warehouse_id: int | None = None
) -> list[OnHand]:
    """Stock held per warehouse × commodity × grade (kg and cost), of some cooperatives (or
    of one warehouse). Quantities are text: added up here as Decimals, never in SQL."""
    sql = (
        "SELECT w.id, w.name, w.org_id, b.commodity, b.grade, b.quantity, b.cost_rupiah"
        " FROM stock_batches b JOIN warehouses w ON w.id = b.warehouse_id WHERE b.quantity <> '0'"
    )
    params: tuple = ()
    if warehouse_id is not None:
        sql += " AND w.id = ?"
        params += (warehouse_id,)
    if org_ids is not None:
        if not org_ids:
            return []
        sql += f" AND w.org_id IN ({', '.join('?' for _ in org_ids)})"
        params += tuple(org_ids)
    rows = await fetchall(
        source, sql + " ORDER BY w.org_id, w.name, w.id, b.commodity, b.grade", params
    )
    held: dict[tuple, list] = {}
    for r in rows:
        key = (r["id"], r["name"], r["org_id"], r["commodity"], r["grade"])
        line = held.setdefault(key, [rules.ZERO, 0, 0])
        line[0] += Decimal(r["quantity"])
        line[1] += r["cost_rupiah"]
        line[2] += 1
    return [OnHand(*key, Decimal(rules.text(q)), cost, n) for key, (q, cost, n) in held.items()]


# --- arrival ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OnTheWay:
    """A weighed pickup not yet in a warehouse."""

    offer_id: int
    offer_number: str
    farmer_name: str
    commodity: str
    grade: str
    quantity: Decimal  # weighed at the pickup
    amount_rupiah: int
    picked_up_at: int
    coordinator_id: int


_ON_THE_WAY = (
    "SELECT o.id, o.org_id, o.commodity, k.grade, k.quantity, k.amount_rupiah, k.picked_up_at,"
    " k.coordinator_id, p.full_name FROM offers o JOIN pickups k ON k.offer_id = o.id"
    " JOIN people p ON p.id = o.farmer_id"
    " WHERE o.status IN ('picked_up', 'paid') AND k.picked_up_at IS NOT NULL"
    " AND NOT EXISTS (SELECT 1 FROM stock_arrivals a WHERE a.offer_id = o.id)"
)


def _on_the_way(r) -> OnTheWay:
    return OnTheWay(
        r["id"], offer_number(r["id"]), r["full_name"], r["commodity"], r["grade"],
        Decimal(r["quantity"]), r["amount_rupiah"], r["picked_up_at"], r["coordinator_id"],
    )  # fmt: skip


async def on_the_way(
    source: Reader, person_id: int, org_id: int, roles: frozenset[Role]
) -> list[OnTheWay]:
    """Weighed pickups not yet in a warehouse that the person may bring in: a coordinator's
    own; every one of the cooperative for its keepers and administrators; oldest first."""
    if roles & {Role.ADMIN, Role.KEEPER}:
        where, params = " AND o.org_id = ?", (org_id,)
    elif Role.COORDINATOR in roles:
        where, params = " AND o.org_id = ? AND k.coordinator_id = ?", (org_id, person_id)
    else:
        return []
    rows = await fetchall(
        source, _ON_THE_WAY + where + " ORDER BY k.picked_up_at, o.id LIMIT 30", params
    )
    return [_on_the_way(r) for r in rows]


class AlreadyArrived(Exception):
    """The pickup is in a warehouse already (a second tap, two people at once)."""

    def __init__(self, offer_id: int) -> None:
        super().__init__(offer_id)
        self.offer_id = offer_id


@dataclass(frozen=True)
class Arrival:
    move_id: int
    batch_id: int
    warehouse: Warehouse
    commodity: str
    grade: str
    picked: Decimal  # weighed at the pickups
    arrived: Decimal  # weighed at the warehouse
    cost_rupiah: int

    @property
    def shrink(self) -> Decimal:
        return self.picked - self.arrived


async def arrive(
    conn: aiosqlite.Connection, offer_ids: list[int], warehouse_id: int, person_id: int,
    org_id: int, roles: frozenset[Role], weighed: Decimal | None = None,
) -> Arrival:  # fmt: skip
    """Weighed pickups reach a warehouse: one batch (one commodity and grade) at the pickups'
    gross amounts, traced to them, with transport shrink (susut) when the warehouse weighs
    less (``weighed`` None: the pickups' weight). Each pickup arrives once (AlreadyArrived).
    The taker brings their own pickups; a keeper (their warehouse) or an administrator any
    of the cooperative. Ledger ``stock:arrival:<batch_id>``: inventory from purchases."""
    place = await _mine(conn, warehouse_id, person_id, org_id, roles, keeping=False)
    if not offer_ids:
        raise NotYours(0)
    marks = ", ".join("?" for _ in offer_ids)
    rows = await fetchall(
        conn,
        "SELECT o.id, o.org_id, o.commodity, k.grade, k.quantity, k.amount_rupiah, k.picked_up_at,"
        " k.coordinator_id, p.full_name, o.status FROM offers o JOIN pickups k ON k.offer_id = o.id"
        f" JOIN people p ON p.id = o.farmer_id WHERE o.id IN ({marks}) ORDER BY o.id",
        tuple(offer_ids),
    )
    if len(rows) != len(set(offer_ids)):
        raise NotYours(0)
    brought = []
    for r in rows:
        if (
            r["org_id"] != org_id
            or r["picked_up_at"] is None
            or r["status"] not in ("picked_up", "paid")
        ):
            raise NotYours(r["id"])
        if not (roles & {Role.ADMIN, Role.KEEPER}) and r["coordinator_id"] != person_id:
            raise NotYours(r["id"])
        brought.append(_on_the_way(r))
    if len({(b.commodity, b.grade) for b in brought}) != 1:
        raise NotYours(0)  # one batch is one commodity and grade: the buttons never mix them
    picked = sum((b.quantity for b in brought), rules.ZERO)
    arrived = picked if weighed is None else weighed
    rules.shrink(picked, arrived)
    cost = sum(b.amount_rupiah for b in brought)
    first = brought[0]
    now = now_utc()
    move_id = await _move(
        conn, org_id, place.id, rules.MoveKind.ARRIVAL, first.commodity, first.grade, picked,
        arrived, cost, person_id, now,
    )  # fmt: skip
    shares = rules.split(arrived, [b.quantity for b in brought])
    batch_id = await new_batch(
        conn, org_id=org_id, warehouse_id=place.id, commodity=first.commodity, grade=first.grade,
        quantity=arrived, cost_rupiah=cost, origin="pickup", received_at=now,
        sources={b.offer_id: s for b, s in zip(brought, shares, strict=True)}, move_id=move_id,
    )  # fmt: skip
    for b in brought:
        cur = await conn.execute(
            "INSERT INTO stock_arrivals (offer_id, move_id, batch_id) VALUES (?, ?, ?)"
            " ON CONFLICT (offer_id) DO NOTHING RETURNING offer_id",
            (b.offer_id, move_id, batch_id),
        )
        if await cur.fetchone() is None:
            raise AlreadyArrived(b.offer_id)
    await ledger.post(
        conn, [L.debit(L.inventory(org_id), cost), L.credit(L.purchases(org_id), cost)], person_id,
        L.coded_reason(L.REASON_STOCK_ARRIVAL, warehouse=place.name, quantity=rules.text(arrived),
                       produce=first.commodity, grade=first.grade),
        f"stock:arrival:{batch_id}",
    )  # fmt: skip
    await audit(
        conn, person_id, "stock.arrival", f"warehouse:{place.id}", batch=batch_id,
        offers=[b.offer_id for b in brought], picked=rules.text(picked), arrived=rules.text(arrived),
    )  # fmt: skip
    return Arrival(move_id, batch_id, place, first.commodity, first.grade, picked, arrived, cost)


async def arrived_in(source: Reader, offer_id: int) -> int | None:
    """The batch a pickup arrived in, if it did."""
    rows = await fetchall(
        source, "SELECT batch_id FROM stock_arrivals WHERE offer_id = ?", (offer_id,)
    )
    return rows[0]["batch_id"] if rows else None


async def _move(
    conn, org_id: int, warehouse_id: int, kind: rules.MoveKind, commodity: str, grade: str,
    quantity_in: Decimal, quantity_out: Decimal, cost: int, person_id: int, at: int,
    out: tuple[str, str] | None = None, reason: str | None = None,
) -> int:  # fmt: skip
    cur = await conn.execute(
        "INSERT INTO stock_moves (org_id, warehouse_id, kind, commodity, grade, quantity_in,"
        " out_commodity, out_grade, quantity_out, cost_rupiah, reason, actor_id, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (org_id, warehouse_id, kind.value, commodity, grade, rules.text(quantity_in),
         out[0] if out else None, out[1] if out else None, rules.text(quantity_out), cost, reason,
         person_id, at),
    )  # fmt: skip
    return (await cur.fetchone())[0]


# --- the keeper's work ------------------------------------------------------------------


@dataclass(frozen=True)
class Taken:
    """What a move took from a warehouse's stock, oldest first."""

    quantity: Decimal
    cost_rupiah: int
    parts: list[tuple[int, Decimal, int]]  # batch id, kilos, cost
    sources: dict[int, Decimal]  # offer id → its kilos in what was taken (shares)


async def _take_oldest(
    conn, org_id: int, warehouse_id: int, commodity: str, grade: str, quantity: Decimal
) -> Taken:
    rules.check_quantity(quantity)
    batches = await available(conn, org_id, commodity, grade, warehouse_id)
    held = sum((b.quantity for b in batches), rules.ZERO)
    if quantity > held:
        raise NotEnoughStock(held)
    parts, sources, left = [], {}, quantity
    for b in batches:
        if left <= 0:
            break
        part = min(left, b.quantity)
        cost = await take(conn, b.id, part)
        parts.append((b.id, part, cost))
        rows = await fetchall(
            conn, "SELECT offer_id, quantity FROM stock_batch_sources WHERE batch_id = ? ORDER BY offer_id",
            (b.id,),
        )  # fmt: skip
        if rows:
            shares = rules.split(part, [Decimal(r["quantity"]) for r in rows])
            for r, share in zip(rows, shares, strict=True):
                sources[r["offer_id"]] = sources.get(r["offer_id"], rules.ZERO) + share
        left -= part
    return Taken(quantity, sum(c for _, _, c in parts), parts, sources)


async def _inputs(conn, move_id: int, taken: Taken) -> None:
    for batch_id, part, cost in taken.parts:
        await conn.execute(
            "INSERT INTO stock_move_inputs (move_id, batch_id, quantity, cost_rupiah) VALUES (?, ?, ?, ?)",
            (move_id, batch_id, rules.text(part), cost),
        )


@dataclass(frozen=True)
class Made:
    """A drying, processing or sorting: what went in, what came out, the new batch."""

    move_id: int
    batch_id: int
    kind: rules.MoveKind
    commodity: str
    grade: str
    quantity_in: Decimal
    out_commodity: str
    out_grade: str
    quantity_out: Decimal
    cost_rupiah: int  # of the new batch: what it took, and the fee
    fee_rupiah: int = 0

    @property
    def yield_fraction(self) -> Decimal:
        return self.quantity_out / self.quantity_in


async def transform(
    conn: aiosqlite.Connection, warehouse_id: int, person_id: int, org_id: int,
    roles: frozenset[Role], kind: rules.MoveKind, commodity: str, grade: str,
    quantity_in: Decimal, out_grade: str, quantity_out: Decimal | None = None,
    fee_rupiah: int = 0,
) -> Made:  # fmt: skip
    """Drying (same produce, another grade, fewer kilos), processing (gabah → beras) or
    sorting (kilos moved to another grade, none lost): the inputs taken oldest first, one new
    batch carrying their cost and their pickups. A yield above 100 % or of nothing refused.
    A fee paid in cash for drying or processing joins the batch's cost (ledger
    ``stock:cost:<move_id>``: inventory from cash). Only the warehouse's keeper or an
    administrator of its cooperative."""
    place = await _mine(conn, warehouse_id, person_id, org_id, roles, keeping=True)
    out_commodity = rules.output_commodity(kind, commodity)
    rules.check_output(kind, commodity, grade, out_commodity, out_grade)
    made = CATALOG.get(out_commodity)
    if made is None or made.grade(out_grade) is None:
        raise NotYours(warehouse_id)  # only a forged button names a grade the catalog lacks
    if kind is rules.MoveKind.SORTING:
        quantity_out = quantity_in
    rules.check_quantity(quantity_in)
    rules.yield_of(quantity_in, quantity_out)
    if (
        fee_rupiah < 0
        or fee_rupiah > rules.MAX_FEE
        or (fee_rupiah and kind is rules.MoveKind.SORTING)
    ):
        raise rules.StockRefused("stock.fee_too_high")
    taken = await _take_oldest(conn, org_id, place.id, commodity, grade, quantity_in)
    cost = taken.cost_rupiah + fee_rupiah
    now = now_utc()
    move_id = await _move(
        conn, org_id, place.id, kind, commodity, grade, quantity_in, quantity_out,
        cost, person_id, now, out=(out_commodity, out_grade),
    )  # fmt: skip
    if fee_rupiah:
        await ledger.post(
            conn, [L.debit(L.inventory(org_id), fee_rupiah), L.credit(L.cash(org_id), fee_rupiah)],
            person_id,
            L.coded_reason(L.REASON_STOCK_COST, kind=kind.value, quantity=rules.text(quantity_out),
                           produce=out_commodity, grade=out_grade),
            f"stock:cost:{move_id}",
        )  # fmt: skip
    await _inputs(conn, move_id, taken)
    offers = sorted(taken.sources)
    shares = rules.split(quantity_out, [taken.sources[o] for o in offers]) if offers else []
    batch_id = await new_batch(
        conn, org_id=org_id, warehouse_id=place.id, commodity=out_commodity, grade=out_grade,
        quantity=quantity_out, cost_rupiah=cost, origin=kind.value, received_at=now,
        sources=dict(zip(offers, shares, strict=True)), parent_batch_id=taken.parts[0][0],
        move_id=move_id,
    )  # fmt: skip
    await audit(
        conn, person_id, f"stock.{kind.value}", f"warehouse:{place.id}", move=move_id,
        batch=batch_id, quantity_in=rules.text(quantity_in), quantity_out=rules.text(quantity_out),
    )  # fmt: skip
    return Made(
        move_id, batch_id, kind, commodity, grade, quantity_in, out_commodity, out_grade,
        quantity_out, cost, fee_rupiah,
    )  # fmt: skip


@dataclass(frozen=True)
class Loss:
    move_id: int
    commodity: str
    grade: str
    quantity: Decimal
    cost_rupiah: int
    reason: str


async def lose(
    conn: aiosqlite.Connection, warehouse_id: int, person_id: int, org_id: int,
    roles: frozenset[Role], commodity: str, grade: str, quantity: Decimal, reason: str,
) -> Loss:  # fmt: skip
    """Stock lost (rats, rot, a spill), with why: taken oldest first and its cost written
    off, ledger ``stock:loss:<move_id>`` (losses from inventory)."""
    place = await _mine(conn, warehouse_id, person_id, org_id, roles, keeping=True)
    reason = rules.check_reason(reason)
    taken = await _take_oldest(conn, org_id, place.id, commodity, grade, quantity)
    move_id = await _move(
        conn, org_id, place.id, rules.MoveKind.LOSS, commodity, grade, quantity, rules.ZERO,
        taken.cost_rupiah, person_id, now_utc(), reason=reason,
    )  # fmt: skip
    await _inputs(conn, move_id, taken)
    if taken.cost_rupiah > 0:
        await ledger.post(
            conn, [L.debit(L.losses(org_id), taken.cost_rupiah), L.credit(L.inventory(org_id), taken.cost_rupiah)],
            person_id,
            L.coded_reason(L.REASON_STOCK_LOSS, why=reason, quantity=rules.text(quantity),
                           produce=commodity, grade=grade),
            f"stock:loss:{move_id}",
        )  # fmt: skip
    await audit(
        conn, person_id, "stock.loss", f"warehouse:{place.id}", move=move_id,
        quantity=rules.text(quantity), reason=reason,
    )  # fmt: skip
    return Loss(move_id, commodity, grade, quantity, taken.cost_rupiah, reason)
