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

from domain import stock as rules
from domain.offers import offer_number
from storage.catalog import Source as Reader
from storage.catalog import fetchall


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
