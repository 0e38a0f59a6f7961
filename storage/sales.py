"""Buyers, sales and their lots, deliveries, invoices and payments as stored; each writing
use case is one transaction (``db.write(sales.deliver, …)``: replay-safe through the write
layer) that posts its ledger entry in that transaction. The rules are domain.sales'.

Every use case takes the actor's cooperative (``org_id``) and finds the buyer, sale or
invoice only within it: another cooperative's id (a forged button, a mistyped CLI argument)
is refused as if it did not exist (SaleRefused ``sale.unknown`` / ``buyer.unknown``).

Ledger references (domain.ledger; margin and figures read them, keep them exact):
``lot:<sale_id>:delivery:<delivery_id>`` cogs/inventory, ``lot:<sale_id>:invoice:<id>``
receivable:buyer/sales, ``invoice:<id>:payment:<n>`` cash or bank/receivable:buyer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import aiosqlite

from domain import N_
from domain import ledger as L
from domain import rafaksi as quality
from domain import sales as rules
from domain.people import normalise_phone
from domain.sales import BuyerKind, Held, PaymentMethod, SaleRefused, SaleStatus
from storage import ledger, rafaksi, stock
from storage.catalog import Source, fetchall
from storage.dashboard import Column, Scope, panel
from storage.db import now_utc
from storage.people import audit

# The zone whose calendar year numbers the documents and dates the invoices (the
# cooperatives of this bot are in Java; a cooperative's own zone is not stored yet).
BOOKS_ZONE = "Asia/Jakarta"


def _d(text: object) -> Decimal:
    return Decimal(str(text))


def _plain(value: Decimal) -> str:
    """A quantity as stored: no exponent, no trailing zeros after the point."""
    text = format(value.normalize(), "f")
    return text


def books_today() -> date:
    return datetime.fromtimestamp(now_utc(), UTC).astimezone(ZoneInfo(BOOKS_ZONE)).date()


# --- buyers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Buyer:
    id: int
    org_id: int
    name: str
    kind: str
    contact: str | None
    phone: str | None
    payment_terms_days: int


_BUYER = "id, org_id, name, kind, contact, phone, payment_terms_days"


def clean_buyer_name(text: str) -> str:
    cleaned = " ".join((text or "").split())
    if not 2 <= len(cleaned) <= rules.MAX_NAME:
        raise SaleRefused("buyer.name")
    return cleaned


def clean_phone(text: str | None) -> str | None:
    """E.164, or None for "-" or nothing."""
    if text is None or text.strip() in ("", "-"):
        return None
    try:
        return normalise_phone(text)
    except ValueError:
        raise SaleRefused("buyer.phone") from None


async def add_buyer(
    conn: aiosqlite.Connection, org_id: int, name: str, kind: str, *, phone: str | None = None,
    contact: str | None = None, terms_days: int = 0, by: int | None = None,
) -> Buyer:  # fmt: skip
    """A buyer of the cooperative (a second one of the same name is the first: a replay of
    the command line adds nothing)."""
    try:
        kind = BuyerKind(kind).value
    except ValueError:
        raise SaleRefused("buyer.kind") from None
    name = clean_buyer_name(name)
    terms_days = rules.check_terms(terms_days)
    cur = await conn.execute(
        "INSERT INTO buyers (org_id, name, kind, contact, phone, payment_terms_days, created_by, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org_id, name) DO NOTHING RETURNING id",
        (org_id, name, kind, (contact or "").strip() or None, clean_phone(phone), terms_days, by, now_utc()),
    )  # fmt: skip
    row = await cur.fetchone()
    if row is not None:
        await audit(conn, by, "buyer.add", f"buyer:{row[0]}", name=name, kind=kind)
    found = await fetchall(
        conn, f"SELECT {_BUYER} FROM buyers WHERE org_id = ? AND name = ?", (org_id, name)
    )
    return Buyer(**dict(found[0]))


async def buyers(source: Source, org_id: int) -> list[Buyer]:
    rows = await fetchall(
        source, f"SELECT {_BUYER} FROM buyers WHERE org_id = ? ORDER BY name, id", (org_id,)
    )
    return [Buyer(**dict(r)) for r in rows]


async def buyer(source: Source, org_id: int, buyer_id: int) -> Buyer:
    rows = await fetchall(
        source, f"SELECT {_BUYER} FROM buyers WHERE id = ? AND org_id = ?", (buyer_id, org_id)
    )
    if not rows:
        raise SaleRefused("buyer.unknown")
    return Buyer(**dict(rows[0]))


async def set_bank_account(conn: aiosqlite.Connection, org_id: int, account: str | None) -> None:
    """The account printed on the cooperative's invoices (None: ask for cash)."""
    await conn.execute(
        "UPDATE organisations SET bank_account = ? WHERE id = ?",
        (" ".join((account or "").split()) or None, org_id),
    )


async def bank_account(source: Source, org_id: int) -> str | None:
    rows = await fetchall(source, "SELECT bank_account FROM organisations WHERE id = ?", (org_id,))
    return rows[0]["bank_account"] if rows else None


# --- sales ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sale:
    id: int
    org_id: int
    buyer_id: int
    buyer_name: str
    commodity: str
    grade: str
    quantity: str
    price_rupiah: int
    deliver_from: str
    deliver_until: str
    place: str
    status: str
    created_at: int
    remaining: str = "0"  # kilos of the lot not yet delivered
    cost_rupiah: int = 0  # the lot's cost as allocated
    closed_at: int | None = None  # closed short (close_sale): nothing more is delivered
    returned: str | None = None  # the kilos the close gave back to stock

    @property
    def number(self) -> str:
        return rules.sale_number(self.id)


_SALE = (
    "s.id, s.org_id, s.buyer_id, b.name AS buyer_name, s.commodity, s.grade, s.quantity,"
    " s.price_rupiah, s.deliver_from, s.deliver_until, s.place, s.status, s.created_at,"
    " s.closed_at, s.returned"
)


async def _lot(source: Source, sale_id: int) -> list[dict]:
    return [
        dict(r)
        for r in await fetchall(
            source,
            "SELECT id, batch_id, quantity, cost_rupiah, remaining, remaining_cost"
            " FROM sale_allocations WHERE sale_id = ? ORDER BY id",
            (sale_id,),
        )
    ]


async def _with_lot(source: Source, row) -> Sale:
    lot = await _lot(source, row["id"])
    remaining = sum((_d(a["remaining"]) for a in lot), Decimal(0))
    cost = sum(a["cost_rupiah"] for a in lot)
    return Sale(**dict(row), remaining=_plain(remaining), cost_rupiah=cost)


async def sale(source: Source, org_id: int, sale_id: int) -> Sale:
    """The sale, of ``org_id`` only; SaleRefused("sale.unknown") else."""
    rows = await fetchall(
        source,
        f"SELECT {_SALE} FROM sales s JOIN buyers b ON b.id = s.buyer_id WHERE s.id = ? AND s.org_id = ?",
        (sale_id, org_id),
    )
    if not rows:
        raise SaleRefused("sale.unknown")
    return await _with_lot(source, rows[0])


async def sales_of(source: Source, org_id: int, *, limit: int = 20) -> list[Sale]:
    """The cooperative's sales, open ones first, newest first within."""
    rows = await fetchall(
        source,
        f"SELECT {_SALE} FROM sales s JOIN buyers b ON b.id = s.buyer_id WHERE s.org_id = ?"
        " ORDER BY CASE WHEN s.status = 'paid' THEN 1 ELSE 0 END, s.id DESC LIMIT ?",
        (org_id, limit),
    )
    return [await _with_lot(source, r) for r in rows]


async def record_sale(
    conn: aiosqlite.Connection, org_id: int, buyer_id: int, commodity: str, grade: str,
    quantity: Decimal, price_rupiah: int, deliver_from: date, deliver_until: date, place: str,
    by: int | None = None, *, price_ceiling: int = 1_000_000,
) -> Sale:  # fmt: skip
    """A sale contract and its lot, allocated from the cooperative's stock of ``commodity``
    × ``grade`` oldest batch first (storage.stock.take gives each piece's cost). Refused:
    a buyer not of the cooperative, a price of zero, more than the stock holds (with what
    there is), a window that ends before it starts."""
    await buyer(conn, org_id, buyer_id)
    rules.check_sale_price(price_rupiah, price_ceiling)
    place = " ".join((place or "").split())
    if not 3 <= len(place) <= rules.MAX_PLACE:
        raise SaleRefused("sale.place")
    if deliver_until < deliver_from:
        raise SaleRefused("sale.date")
    batches = await stock.available(conn, org_id, commodity, grade)
    pieces = rules.allocate(quantity, [Held(b.id, _d(b.quantity)) for b in batches])
    now = now_utc()
    cur = await conn.execute(
        "INSERT INTO sales (org_id, buyer_id, commodity, grade, quantity, price_rupiah, deliver_from,"
        " deliver_until, place, status, created_by, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?) RETURNING id",
        (org_id, buyer_id, commodity, grade, _plain(quantity), price_rupiah,
         deliver_from.isoformat(), deliver_until.isoformat(), place, by, now, now),
    )  # fmt: skip
    sale_id = (await cur.fetchone())[0]
    for piece in pieces:
        cost = await stock.take(conn, piece.id, piece.quantity)
        await conn.execute(
            "INSERT INTO sale_allocations (sale_id, batch_id, quantity, cost_rupiah, remaining,"
            " remaining_cost, allocated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (sale_id, piece.id, _plain(piece.quantity), cost, _plain(piece.quantity), cost, now),
        )
    await audit(
        conn, by, "sale.record", f"sale:{sale_id}", buyer=buyer_id, commodity=commodity,
        grade=grade, quantity=_plain(quantity), price=price_rupiah,
    )  # fmt: skip
    return await sale(conn, org_id, sale_id)


async def _next_number(conn: aiosqlite.Connection, org_id: int, prefix: str) -> str:
    """The next SJ/FKT number of the cooperative this year (one counter row per year)."""
    year = books_today().year
    cur = await conn.execute(
        "INSERT INTO document_counters (org_id, kind, year, last) VALUES (?, ?, ?, 1)"
        " ON CONFLICT (org_id, kind, year) DO UPDATE SET last = document_counters.last + 1"
        " RETURNING last",
        (org_id, prefix, year),
    )
    return rules.document_number(prefix, year, (await cur.fetchone())[0])


async def _refresh_status(conn: aiosqlite.Connection, sale_id: int) -> SaleStatus:
    lot = await _lot(conn, sale_id)
    remaining = sum((_d(a["remaining"]) for a in lot), Decimal(0))
    open_lines = await fetchall(
        conn,
        "SELECT received FROM deliveries WHERE sale_id = ? AND invoice_id IS NULL",
        (sale_id,),
    )
    uninvoiced = sum((_d(r["received"]) for r in open_lines), Decimal(0))
    owed = await fetchall(
        conn,
        "SELECT COALESCE(SUM(total_rupiah - paid_rupiah), 0) AS owed FROM invoices WHERE sale_id = ?",
        (sale_id,),
    )
    status = rules.sale_status(remaining, uninvoiced, int(owed[0]["owed"]))
    await conn.execute(
        "UPDATE sales SET status = ?, updated_at = ? WHERE id = ?",
        (status.value, now_utc(), sale_id),
    )
    return status


# --- deliveries -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    id: int
    sale_id: int
    number: str
    sent: str
    received: str
    rejected: str
    reject_reason: str | None
    cost_rupiah: int
    invoice_id: int | None
    amount_rupiah: int | None
    delivered_at: int
    moisture: str | None = None  # the buyer's readings (percent, exact) where a table applied
    foreign_matter: str | None = None
    cut_rupiah: int = 0  # rafaksi per base unit the readings gave
    rafaksi_table_id: int | None = None

    @property
    def measured(self) -> bool:
        return self.moisture is not None and self.foreign_matter is not None


_DELIVERY = (
    "id, sale_id, number, sent, received, rejected, reject_reason, cost_rupiah, invoice_id,"
    " amount_rupiah, delivered_at, moisture, foreign_matter, cut_rupiah, rafaksi_table_id"
)


async def quality_table(source: Source, org_id: int, commodity: str) -> rafaksi.StoredTable | None:
    """The cooperative's rafaksi table for ``commodity`` in force now: the one a delivery
    recorded now cuts by (the weighing's, storage.rafaksi.in_force)."""
    return await rafaksi.in_force(source, org_id, commodity, now_utc())


async def deliver(
    conn: aiosqlite.Connection, org_id: int, sale_id: int, sent: Decimal, received: Decimal,
    reason: str | None = None, by: int | None = None,
    readings: tuple[Decimal, Decimal] | None = None,
) -> Delivery:  # fmt: skip
    """``sent`` kilos of the lot went to the buyer, who accepted ``received``: the accepted
    kilos' cost moves from inventory to cost of goods sold (``lot:<sale>:delivery:<id>``),
    the rejected ones go back to their stock batches (no entry: they never left inventory).

    Where the cooperative's rafaksi table for the produce is in force now (read in this
    transaction, as the weighing reads it), the buyer's ``readings`` (moisture, hampa/kotoran
    percent) are required for accepted kilos and their cut is kept on the delivery, with the
    table's id: its invoice line is cut by it. Refused: no readings where the table asks
    them or readings where there is none (SaleRefused delivery.quality / delivery.no_quality),
    a reading outside the table (domain.rafaksi.RafaksiRefused), a cut as high as the price
    (delivery.cut_above_price)."""
    found = await sale(conn, org_id, sale_id)
    reason = rules.check_reason(reason) if received < sent else None
    table = await quality_table(conn, org_id, found.commodity)
    cut = None
    if table is None and readings is not None:
        raise SaleRefused("delivery.no_quality")
    if table is not None and readings is not None:
        cut = quality.cut_for(table.table, *readings)
        if received > 0:
            rules.check_cut(found.price_rupiah, cut.rupiah_per_unit)
    elif table is not None and received > 0:
        raise SaleRefused("delivery.quality")
    lot = await _lot(conn, sale_id)
    plan = rules.plan_delivery(
        [Held(a["id"], _d(a["remaining"]), a["remaining_cost"]) for a in lot],
        sent,
        received,
        reason,
    )
    number = await _next_number(conn, org_id, rules.DELIVERY_PREFIX)
    cur = await conn.execute(
        "INSERT INTO deliveries (org_id, sale_id, number, sent, received, rejected, reject_reason,"
        " cost_rupiah, delivered_at, recorded_by, moisture, foreign_matter, cut_rupiah, rafaksi_table_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (org_id, sale_id, number, _plain(sent), _plain(plan.received), _plain(plan.rejected_quantity),
         reason, plan.cost, now_utc(), by, str(cut.moisture) if cut else None,
         str(cut.foreign) if cut else None, cut.rupiah_per_unit if cut else 0,
         table.id if cut and table else None),
    )  # fmt: skip
    delivery_id = (await cur.fetchone())[0]
    batch_of = {a["id"]: a["batch_id"] for a in lot}
    for accepted, pieces in ((1, plan.accepted), (0, plan.rejected)):
        for piece in pieces:
            await conn.execute(
                "INSERT INTO delivery_pieces (delivery_id, allocation_id, accepted, quantity, cost_rupiah)"
                " VALUES (?, ?, ?, ?, ?)",
                (delivery_id, piece.id, accepted, _plain(piece.quantity), piece.cost),
            )
            await _take_from_allocation(conn, piece)
            if not accepted:
                await stock.give_back(conn, batch_of[piece.id], piece.quantity, piece.cost)
    if plan.cost > 0:
        await ledger.post(
            conn, [L.debit(L.cogs(org_id), plan.cost), L.credit(L.inventory(org_id), plan.cost)], by,
            L.coded_reason(rules.REASON_DELIVERED, sale=found.number, note=number,
                           quantity=_plain(plan.received), produce=found.commodity, grade=found.grade),
            f"lot:{sale_id}:delivery:{delivery_id}",
        )  # fmt: skip
    await _refresh_status(conn, sale_id)
    await audit(
        conn, by, "sale.deliver", f"sale:{sale_id}", delivery=delivery_id, sent=_plain(sent),
        received=_plain(plan.received), reason=reason, cut=cut.rupiah_per_unit if cut else None,
    )  # fmt: skip
    return await delivery(conn, org_id, delivery_id)


async def _take_from_allocation(conn: aiosqlite.Connection, piece: rules.Piece) -> None:
    rows = await fetchall(
        conn, "SELECT remaining, remaining_cost FROM sale_allocations WHERE id = ?", (piece.id,)
    )
    await conn.execute(
        "UPDATE sale_allocations SET remaining = ?, remaining_cost = ? WHERE id = ?",
        (_plain(_d(rows[0]["remaining"]) - piece.quantity), rows[0]["remaining_cost"] - piece.cost,
         piece.id),
    )  # fmt: skip


async def close_sale(
    conn: aiosqlite.Connection, org_id: int, sale_id: int, by: int | None = None
) -> Sale:
    """The sale ends short (the buyer needs no more): the kilos still in its lot go back to
    the stock batches they came from with their remaining cost (no ledger entry: they never
    left inventory); nothing more can be delivered on it; its invoices stand. Refused: a
    sale closed already, a lot all delivered (domain.sales.plan_close). Once: the close is
    a conditional UPDATE, so a second close (a replay, two administrators) returns nothing
    twice."""
    found = await sale(conn, org_id, sale_id)
    lot = await _lot(conn, sale_id)
    pieces = rules.plan_close(
        [Held(a["id"], _d(a["remaining"]), a["remaining_cost"]) for a in lot],
        closed=found.closed_at is not None,
    )
    returned = sum((p.quantity for p in pieces), Decimal(0))
    cur = await conn.execute(
        "UPDATE sales SET closed_at = ?, closed_by = ?, returned = ?, updated_at = ?"
        " WHERE id = ? AND org_id = ? AND closed_at IS NULL",
        (now_utc(), by, _plain(returned), now_utc(), sale_id, org_id),
    )
    if cur.rowcount != 1:
        raise SaleRefused("sale.closed")
    batch_of = {a["id"]: a["batch_id"] for a in lot}
    for piece in pieces:
        await _take_from_allocation(conn, piece)
        await stock.give_back(conn, batch_of[piece.id], piece.quantity, piece.cost)
    await _refresh_status(conn, sale_id)
    await audit(
        conn, by, "sale.close", f"sale:{sale_id}", returned=_plain(returned),
        cost=sum(p.cost for p in pieces),
    )  # fmt: skip
    return await sale(conn, org_id, sale_id)


async def delivery(source: Source, org_id: int, delivery_id: int) -> Delivery:
    rows = await fetchall(
        source,
        f"SELECT {_DELIVERY} FROM deliveries WHERE id = ? AND org_id = ?",
        (delivery_id, org_id),
    )
    if not rows:
        raise SaleRefused("sale.unknown")
    return Delivery(**dict(rows[0]))


async def deliveries_of(source: Source, org_id: int, sale_id: int) -> list[Delivery]:
    rows = await fetchall(
        source,
        f"SELECT {_DELIVERY} FROM deliveries WHERE sale_id = ? AND org_id = ? ORDER BY id",
        (sale_id, org_id),
    )
    return [Delivery(**dict(r)) for r in rows]


async def delivery_batches(source: Source, delivery_id: int) -> list[int]:
    """The stock batches the kilos of a delivery came from (for its note's farmers)."""
    rows = await fetchall(
        source,
        "SELECT DISTINCT a.batch_id FROM delivery_pieces p"
        " JOIN sale_allocations a ON a.id = p.allocation_id WHERE p.delivery_id = ? ORDER BY a.batch_id",
        (delivery_id,),
    )
    return [r["batch_id"] for r in rows]


# --- invoices and payments --------------------------------------------------------------------


@dataclass(frozen=True)
class Invoice:
    id: int
    org_id: int
    sale_id: int
    buyer_id: int
    number: str
    issued_on: str
    due_on: str
    total_rupiah: int
    paid_rupiah: int
    status: str

    @property
    def owed_rupiah(self) -> int:
        return self.total_rupiah - self.paid_rupiah


_INVOICE = (
    "id, org_id, sale_id, buyer_id, number, issued_on, due_on, total_rupiah, paid_rupiah, status"
)


async def invoice(source: Source, org_id: int, invoice_id: int) -> Invoice:
    rows = await fetchall(
        source,
        f"SELECT {_INVOICE} FROM invoices WHERE id = ? AND org_id = ?",
        (invoice_id, org_id),
    )
    if not rows:
        raise SaleRefused("sale.unknown")
    return Invoice(**dict(rows[0]))


async def invoice_by_number(source: Source, org_id: int, number: str) -> Invoice | None:
    rows = await fetchall(
        source,
        f"SELECT {_INVOICE} FROM invoices WHERE org_id = ? AND number = ?",
        (org_id, number.strip()),
    )
    return Invoice(**dict(rows[0])) if rows else None


async def invoices_of(source: Source, org_id: int, sale_id: int) -> list[Invoice]:
    rows = await fetchall(
        source,
        f"SELECT {_INVOICE} FROM invoices WHERE sale_id = ? AND org_id = ? ORDER BY id",
        (sale_id, org_id),
    )
    return [Invoice(**dict(r)) for r in rows]


async def invoice_deliveries(source: Source, invoice_id: int) -> list[Delivery]:
    """An invoice's lines: the deliveries it bills."""
    rows = await fetchall(
        source,
        f"SELECT {_DELIVERY} FROM deliveries WHERE invoice_id = ? ORDER BY id",
        (invoice_id,),
    )
    return [Delivery(**dict(r)) for r in rows]


async def issue_invoice(
    conn: aiosqlite.Connection, org_id: int, sale_id: int, by: int | None = None
) -> Invoice:
    """An invoice of every accepted kilo of the sale not yet billed, one line per delivery
    (domain.sales.invoice_lines), due after the buyer's terms: what the buyer owes grows by
    its total (``lot:<sale>:invoice:<id>``). Refused when there is nothing to bill."""
    found = await sale(conn, org_id, sale_id)
    the_buyer = await buyer(conn, org_id, found.buyer_id)
    open_rows = await fetchall(
        conn,
        "SELECT id, received, cut_rupiah FROM deliveries WHERE sale_id = ? AND invoice_id IS NULL"
        " ORDER BY id",
        (sale_id,),
    )
    lines = rules.invoice_lines(
        found.price_rupiah, [(r["id"], _d(r["received"]), r["cut_rupiah"]) for r in open_rows]
    )
    total = rules.invoice_total(lines)
    issued = books_today()
    number = await _next_number(conn, org_id, rules.INVOICE_PREFIX)
    cur = await conn.execute(
        "INSERT INTO invoices (org_id, sale_id, buyer_id, number, issued_on, due_on, total_rupiah,"
        " issued_by, issued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (org_id, sale_id, the_buyer.id, number, issued.isoformat(),
         rules.due_date(issued, the_buyer.payment_terms_days).isoformat(), total, by, now_utc()),
    )  # fmt: skip
    invoice_id = (await cur.fetchone())[0]
    for line in lines:
        await conn.execute(
            "UPDATE deliveries SET invoice_id = ?, amount_rupiah = ? WHERE id = ?",
            (invoice_id, line.amount_rupiah, line.delivery_id),
        )
    # deliveries the buyer rejected whole bill nothing: closed with this invoice all the same
    await conn.execute(
        "UPDATE deliveries SET invoice_id = ?, amount_rupiah = 0 WHERE sale_id = ? AND invoice_id IS NULL",
        (invoice_id, sale_id),
    )
    await ledger.post(
        conn, [L.debit(L.buyer_receivable(the_buyer.id), total), L.credit(L.sales(org_id), total)], by,
        L.coded_reason(rules.REASON_INVOICED, sale=found.number, invoice=number, buyer=the_buyer.name),
        f"lot:{sale_id}:invoice:{invoice_id}",
    )  # fmt: skip
    await _refresh_status(conn, sale_id)
    await audit(conn, by, "sale.invoice", f"sale:{sale_id}", invoice=invoice_id, total=total)
    return await invoice(conn, org_id, invoice_id)


@dataclass(frozen=True)
class Payment:
    invoice_id: int
    n: int
    amount_rupiah: int
    method: str
    reference: str | None


async def pay(
    conn: aiosqlite.Connection, org_id: int, invoice_id: int, amount: int,
    method: PaymentMethod | str = PaymentMethod.CASH, reference: str | None = None,
    by: int | None = None,
) -> tuple[Invoice, Payment]:  # fmt: skip
    """The buyer paid ``amount`` of the invoice, in cash or by transfer (with its
    reference): into cash or the bank, out of what the buyer owes
    (``invoice:<id>:payment:<n>``). A payment beyond what is owed is refused, and so is any
    payment of an invoice already paid in full."""
    method = PaymentMethod(method)
    reference = rules.check_payment_reference(method, reference)
    found = await invoice(conn, org_id, invoice_id)
    rules.check_payment(found.total_rupiah, found.paid_rupiah, amount)
    rows = await fetchall(
        conn, "SELECT COUNT(*) AS n FROM sale_payments WHERE invoice_id = ?", (invoice_id,)
    )
    n = int(rows[0]["n"]) + 1
    into = L.bank(org_id) if method is PaymentMethod.TRANSFER else L.cash(org_id)
    reason = (
        L.coded_reason(rules.REASON_PAID_TRANSFER, invoice=found.number, transfer=reference)
        if method is PaymentMethod.TRANSFER
        else L.coded_reason(rules.REASON_PAID_CASH, invoice=found.number)
    )
    await ledger.post(
        conn, [L.debit(into, amount), L.credit(L.buyer_receivable(found.buyer_id), amount)], by,
        reason, f"invoice:{invoice_id}:payment:{n}",
    )  # fmt: skip
    await conn.execute(
        "INSERT INTO sale_payments (invoice_id, n, amount_rupiah, method, reference, paid_at, recorded_by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (invoice_id, n, amount, method.value, reference, now_utc(), by),
    )
    paid = found.paid_rupiah + amount
    # the paid amount only grows while it stays within the total (a race cannot overpay)
    cur = await conn.execute(
        "UPDATE invoices SET paid_rupiah = ?, status = ? WHERE id = ? AND paid_rupiah = ?",
        (
            paid,
            "paid" if paid >= found.total_rupiah else "part_paid",
            invoice_id,
            found.paid_rupiah,
        ),
    )
    if cur.rowcount != 1:
        raise SaleRefused("invoice.paid")
    await _refresh_status(conn, found.sale_id)
    await audit(
        conn, by, "sale.pay", f"invoice:{invoice_id}", n=n, amount=amount, method=method.value
    )
    return await invoice(conn, org_id, invoice_id), Payment(
        invoice_id, n, amount, method.value, reference
    )


async def payments_of(source: Source, invoice_id: int) -> list[Payment]:
    rows = await fetchall(
        source,
        "SELECT invoice_id, n, amount_rupiah, method, reference FROM sale_payments"
        " WHERE invoice_id = ? ORDER BY n",
        (invoice_id,),
    )
    return [Payment(**dict(r)) for r in rows]


# --- margin, from the ledger ------------------------------------------------------------------


@dataclass(frozen=True)
class Margin:
    revenue: int  # the lot's sales lines, on their normal (credit) side
    cost: int  # the lot's cogs lines
    margin: int


async def margin(source: Source, sale_id: int) -> Margin:
    """Revenue less cost of lot ``sale_id``, read from the lines of the ledger entries whose
    reference is ``lot:<sale_id>:…`` (not recomputed from the sales tables): −(sales lines)
    − (cogs lines). A prefix match (LIKE, not a range: PostgreSQL compares text by its
    collation, which may skip punctuation)."""
    prefix = f"lot:{sale_id}:"
    rows = await fetchall(
        source,
        "SELECT a.kind AS kind, COALESCE(SUM(l.amount), 0) AS total FROM ledger_entries e"
        " JOIN ledger_lines l ON l.entry_id = e.id JOIN ledger_accounts a ON a.id = l.account_id"
        " WHERE e.reference LIKE ? AND a.kind IN (?, ?) GROUP BY a.kind",
        (prefix + "%", L.AccountKind.SALES.value, L.AccountKind.COGS.value),
    )
    by_kind = {r["kind"]: int(r["total"]) for r in rows}
    revenue = -by_kind.get(L.AccountKind.SALES.value, 0)
    cost = by_kind.get(L.AccountKind.COGS.value, 0)
    return Margin(revenue, cost, revenue - cost)


# --- receivables, per buyer ------------------------------------------------------------------


@dataclass(frozen=True)
class Receivable:
    org_id: int
    buyer_id: int
    buyer: str
    invoiced: int
    paid: int
    overdue: int  # owed on invoices past their due date

    @property
    def owed(self) -> int:
        return self.invoiced - self.paid


async def receivables(
    source: Source, org_ids: Iterable[int], today: date | None = None
) -> list[Receivable]:
    """Per buyer of the given cooperatives: invoiced, paid, owed and overdue (what is owed
    on invoices due before ``today``), the most owed first."""
    ids = list(org_ids)
    if not ids:
        return []
    today = today or books_today()
    rows = await fetchall(
        source,
        "SELECT b.org_id, b.id AS buyer_id, b.name AS buyer, SUM(i.total_rupiah) AS invoiced,"
        " SUM(i.paid_rupiah) AS paid,"
        " SUM(CASE WHEN i.due_on < ? THEN i.total_rupiah - i.paid_rupiah ELSE 0 END) AS overdue"
        f" FROM invoices i JOIN buyers b ON b.id = i.buyer_id WHERE b.org_id IN ({', '.join('?' * len(ids))})"
        " GROUP BY b.org_id, b.id, b.name ORDER BY SUM(i.total_rupiah - i.paid_rupiah) DESC, b.name",
        (today.isoformat(), *ids),
    )
    return [
        Receivable(r["org_id"], r["buyer_id"], r["buyer"], int(r["invoiced"]), int(r["paid"]),
                   int(r["overdue"]))
        for r in rows
    ]  # fmt: skip


# --- the dashboard ------------------------------------------------------------------------------


@panel(
    "receivables", N_("Owed by buyers"),
    (Column("buyer", N_("Buyer")), Column("invoiced", N_("Invoiced"), "money"),
     Column("paid", N_("Paid"), "money"), Column("owed", N_("Owed"), "money"),
     Column("overdue", N_("Overdue"), "money")),
)  # fmt: skip
async def receivables_panel(db, scope: Scope) -> list[dict]:
    """Per buyer of the viewer's cooperatives: invoiced, paid, owed, and owed past due (the
    due day passed where the viewer lives)."""
    today = datetime.fromtimestamp(scope.now, UTC).astimezone(ZoneInfo(scope.timezone)).date()
    return [
        {"buyer": r.buyer, "invoiced": r.invoiced, "paid": r.paid, "owed": r.owed,
         "overdue": r.overdue}
        for r in await receivables(db, scope.org_ids, today)
    ]  # fmt: skip
