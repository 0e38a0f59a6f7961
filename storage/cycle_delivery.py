"""An order cycle after its close (domain.cycle_delivery): the count step with its invoice and
ledger entry (:func:`count`), a cooperative's payments to the hub (:func:`pay`), the hub's
payments to a supplier (:func:`pay_supplier`), and what is owed (:func:`owed_by`,
:func:`owed_to_supplier`, the dashboard panel). Each writer is one use case; a second count,
a replay or the same transfer reference twice finds the first and posts nothing again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import aiosqlite

from domain import N_
from domain import cycle_delivery as rules
from domain import ledger as L
from domain.cycle_delivery import Counted, PaymentRefused
from domain.cycles import OrderStatus, order_number
from domain.people import VILLAGE_OFFICERS
from domain.sales import INVOICE_PREFIX, document_number
from storage import cycles, ledger, outbox
from storage.catalog import Source, fetchall
from storage.dashboard import Column, Scope, _marks, panel
from storage.db import Database, now_utc
from storage.people import audit

BOOKS_ZONE = "Asia/Jakarta"  # the hub's books' day (as storage.sales)
COUNTABLE = OrderStatus.FROZEN.value
COUNTED = ("delivered", "invoiced", "paid")


@dataclass(frozen=True)
class Invoice:
    order_id: int
    hub_id: int
    org_id: int
    number: str
    goods_rupiah: int
    fees_rupiah: int
    credited_rupiah: int
    total_rupiah: int
    paid_rupiah: int
    issued_at: int
    due_on: str

    @property
    def owed(self) -> int:
        return self.total_rupiah - self.paid_rupiah

    @property
    def order_number(self) -> str:
        return order_number(self.order_id)


@dataclass(frozen=True)
class CountResult:
    """The invoice of a count; ``first`` False when the order was counted before (a second
    count is answered with the first one's result)."""

    invoice: Invoice
    first: bool


@dataclass(frozen=True)
class Payment:
    id: int
    order_id: int
    amount_rupiah: int
    reference: str
    invoice: Invoice
    first: bool  # False: this transfer reference was recorded before


@dataclass(frozen=True)
class SupplierPayment:
    id: int
    supplier_id: int
    amount_rupiah: int
    reference: str
    owed_after: int
    first: bool


_INVOICE = ", ".join(f for f in Invoice.__dataclass_fields__)


async def invoice(source: Source, order_id: int) -> Invoice | None:
    rows = await fetchall(
        source, f"SELECT {_INVOICE} FROM cycle_invoices WHERE order_id = ?", (order_id,)
    )
    return Invoice(**{k: rows[0][k] for k in Invoice.__dataclass_fields__}) if rows else None


async def received(source: Source, order_id: int) -> dict[int, int]:
    """What the count found of each line (item id → units); empty before the count."""
    rows = await fetchall(
        source,
        "SELECT item_id, received FROM cycle_order_lines WHERE order_id = ? AND received IS NOT NULL",
        (order_id,),
    )
    return {r["item_id"]: r["received"] for r in rows}


async def countable(source: Source, org_id: int) -> list[cycles.Order]:
    """The cooperative's orders frozen by a closed cycle, not counted yet (goods on the way)."""
    rows = await fetchall(
        source,
        "SELECT o.id FROM cycle_orders o JOIN order_cycles c ON c.id = o.cycle_id"
        " WHERE o.org_id = ? AND o.orderer_kind = 'org' AND o.status = ? AND c.status = 'closed'"
        " ORDER BY o.id LIMIT 10",
        (org_id, COUNTABLE),
    )
    return [await cycles.order(source, r["id"]) for r in rows]


async def unpaid(source: Source, hub_id: int) -> list[Invoice]:
    """A hub's invoices still owed on, oldest first."""
    rows = await fetchall(
        source,
        f"SELECT {_INVOICE} FROM cycle_invoices WHERE hub_id = ? AND paid_rupiah < total_rupiah"
        " ORDER BY order_id LIMIT 20",
        (hub_id,),
    )
    return [Invoice(**{k: r[k] for k in Invoice.__dataclass_fields__}) for r in rows]


async def invoices_of(source: Source, org_id: int, limit: int = 10) -> list[Invoice]:
    """A village cooperative's own invoices to pay (a count where nothing arrived has none),
    the unpaid first, then the newest."""
    rows = await fetchall(
        source,
        f"SELECT {_INVOICE} FROM cycle_invoices WHERE org_id = ? AND total_rupiah > 0"
        " ORDER BY CASE WHEN paid_rupiah < total_rupiah THEN 0 ELSE 1 END, order_id DESC"
        " LIMIT ?",
        (org_id, limit),
    )
    return [Invoice(**{k: r[k] for k in Invoice.__dataclass_fields__}) for r in rows]


# --- the count --------------------------------------------------------------------------------


def _due_on(now: int) -> str:
    day = datetime.fromtimestamp(now, UTC).astimezone(ZoneInfo(BOOKS_ZONE)).date()
    return (day + timedelta(days=rules.DUE_DAYS)).isoformat()


async def _next_number(conn: aiosqlite.Connection, hub_id: int, now: int) -> str:
    """The hub's next faktur number this year (the counter its sales invoices share)."""
    year = datetime.fromtimestamp(now, UTC).astimezone(ZoneInfo(BOOKS_ZONE)).year
    cur = await conn.execute(
        "INSERT INTO document_counters (org_id, kind, year, last) VALUES (?, ?, ?, 1)"
        " ON CONFLICT (org_id, kind, year) DO UPDATE SET last = document_counters.last + 1"
        " RETURNING last",
        (hub_id, INVOICE_PREFIX, year),
    )
    return document_number(INVOICE_PREFIX, year, (await cur.fetchone())[0])


async def _counted_lines(conn, found: cycles.Order, wanted: dict[int, int]) -> list[Counted]:
    suppliers = {i.id: i.supplier_id for i in await cycles.items(conn, found.cycle_id)}
    return [
        Counted(line, rules.check_received(wanted.get(line.item_id, line.quantity), line.quantity),
                suppliers[line.item_id])
        for line in found.lines
    ]  # fmt: skip


async def a_cooperatives(conn, order_id: int) -> bool:
    """Whether the order is a cooperative's (a union member's order is picked up, not counted)."""
    rows = await fetchall(
        conn, "SELECT 1 FROM cycle_orders WHERE id = ? AND orderer_kind = 'org'", (order_id,)
    )
    return bool(rows)


async def count(
    conn: aiosqlite.Connection, order_id: int, org_id: int, wanted: dict[int, int], by: int | None
) -> CountResult:
    """A use case: the order's count (item id → units received; a line not named arrived
    whole), its invoice and the ledger entry, once. LookupError when the order is not
    ``org_id``'s, its cycle is not closed or ``wanted`` names an item it did not order; InvalidInput ``count.more`` for more than ordered.
    A counted order answers with its invoice (``first`` False)."""
    found = await cycles.order(conn, order_id)
    if found is None or found.org_id != org_id or not await a_cooperatives(conn, order_id):
        raise LookupError("order")
    done = await invoice(conn, order_id)
    if done is not None:
        return CountResult(done, first=False)
    cycle = await cycles.get(conn, found.cycle_id)
    if found.status != OrderStatus.FROZEN or cycle.status != "closed":
        raise LookupError("state")
    if set(wanted) - {line.item_id for line in found.lines}:  # an item it did not order
        raise LookupError("item")
    counted = await _counted_lines(conn, found, wanted)
    figures = rules.bill(counted)
    now = now_utc()
    await conn.executemany(
        "UPDATE cycle_order_lines SET received = ? WHERE order_id = ? AND item_id = ?",
        [(c.received, order_id, c.line.item_id) for c in counted],
    )
    status = "invoiced" if figures.total else "paid"
    await conn.execute(
        "UPDATE cycle_orders SET status = ?, counted_by = ?, counted_at = ?, changed_at = ?"
        " WHERE id = ?",
        (status, by, now, now, order_id),
    )
    number = await _next_number(conn, cycle.hub_id, now)
    await conn.execute(
        f"INSERT INTO cycle_invoices ({_INVOICE}) VALUES ({', '.join('?' * 11)})",
        (order_id, cycle.hub_id, org_id, number, figures.goods, figures.fees, figures.credited,
         figures.total, 0, now, _due_on(now)),
    )  # fmt: skip
    if figures.total:
        await ledger.post(
            conn, rules.invoice_lines(figures, org_id, cycle.hub_id), by,
            L.coded_reason(rules.REASON_INVOICED, invoice=number, order=found.number),
            f"cycle-order:{order_id}:invoiced",
        )  # fmt: skip
    await audit(
        conn, by, "order.count", f"cycle-order:{order_id}", invoice=number,
        received={str(c.line.item_id): c.received for c in counted},
    )  # fmt: skip
    return CountResult(await invoice(conn, order_id), first=True)


# --- payments ---------------------------------------------------------------------------------


async def _known_payment(conn, hub_id: int, reference: str):
    rows = await fetchall(
        conn,
        "SELECT id, order_id, amount_rupiah FROM cycle_payments WHERE hub_id = ? AND reference = ?",
        (hub_id, reference),
    )
    return rows[0] if rows else None


async def pay(
    conn: aiosqlite.Connection, order_id: int, hub_id: int, amount: int, reference: str,
    by: int | None,
) -> Payment:  # fmt: skip
    """A use case: a cooperative's transfer to the hub for an order's invoice. LookupError
    when the order's invoice is not the hub's; PaymentRefused ``more`` (with what is owed),
    ``reference`` (it names a payment of another order), ``state`` (nothing owed); a
    reference recorded before for this order answers with that payment (``first`` False)."""
    reference = rules.check_reference(reference)
    bill = await invoice(conn, order_id)
    if bill is None or bill.hub_id != hub_id:
        raise LookupError("invoice")
    known = await _known_payment(conn, hub_id, reference)
    if known is not None:
        if known["order_id"] != order_id:
            raise PaymentRefused("reference")
        return Payment(known["id"], order_id, known["amount_rupiah"], reference, bill, False)
    rules.check_amount(amount, bill.owed)
    now = now_utc()
    rows = await fetchall(
        conn,
        "INSERT INTO cycle_payments (hub_id, order_id, reference, amount_rupiah, recorded_by,"
        " recorded_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        (hub_id, order_id, reference, amount, by, now),
    )
    payment_id = rows[0][0]
    await conn.execute(
        "UPDATE cycle_invoices SET paid_rupiah = paid_rupiah + ? WHERE order_id = ?",
        (amount, order_id),
    )
    if amount == bill.owed:
        await conn.execute(
            "UPDATE cycle_orders SET status = 'paid', changed_at = ? WHERE id = ?", (now, order_id)
        )
    await ledger.post(
        conn, [L.debit(L.bank(hub_id), amount), L.credit(L.coop_receivable(bill.org_id), amount)],
        by, L.coded_reason(rules.REASON_PAID, invoice=bill.number, transfer=reference),
        f"cycle-payment:{payment_id}",
    )  # fmt: skip
    await audit(
        conn, by, "order.pay", f"cycle-order:{order_id}", amount=amount, reference=reference
    )
    return Payment(payment_id, order_id, amount, reference, await invoice(conn, order_id), True)


async def owed_to_supplier(source: Source, supplier_id: int) -> int:
    return await ledger.balance(source, L.supplier_payable(supplier_id))


async def pay_supplier(
    conn: aiosqlite.Connection, supplier_id: int, amount: int, reference: str, by: int | None
) -> SupplierPayment:
    """A use case: the hub pays a supplier for goods received, never more than it owes
    (PaymentRefused ``more`` with the figure); the same reference twice is recorded once."""
    reference = rules.check_reference(reference)
    found = await cycles.supplier(conn, supplier_id)
    if found is None:
        raise LookupError("supplier")
    rows = await fetchall(
        conn,
        "SELECT id, amount_rupiah FROM supplier_payments WHERE supplier_id = ? AND reference = ?",
        (supplier_id, reference),
    )
    owed = await owed_to_supplier(conn, supplier_id)
    if rows:  # this transfer was recorded before: that payment, nothing again
        return SupplierPayment(
            rows[0]["id"], supplier_id, rows[0]["amount_rupiah"], reference, owed, False
        )
    rules.check_amount(amount, owed)
    made = await fetchall(
        conn,
        "INSERT INTO supplier_payments (supplier_id, reference, amount_rupiah, recorded_by,"
        " recorded_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
        (supplier_id, reference, amount, by, now_utc()),
    )
    await ledger.post(
        conn, [L.debit(L.supplier_payable(supplier_id), amount), L.credit(L.bank(found.hub_id), amount)],
        by, L.coded_reason(rules.REASON_SUPPLIER_PAID, supplier=found.name, transfer=reference),
        f"supplier-payment:{made[0][0]}",
    )  # fmt: skip
    await audit(conn, by, "supplier.pay", f"supplier:{supplier_id}", amount=amount)
    return SupplierPayment(made[0][0], supplier_id, amount, reference, owed - amount, True)


async def officers_of(source: Source, org_id: int) -> list[int]:
    """The people holding a village officer's role in ``org_id``."""
    roles = tuple(role.value for role in VILLAGE_OFFICERS)
    rows = await fetchall(
        source,
        "SELECT DISTINCT p.id FROM people p JOIN person_roles r ON r.person_id = p.id"
        f" WHERE p.org_id = ? AND r.role IN ({_marks(roles)}) ORDER BY p.id",
        (org_id, *roles),
    )
    return [r["id"] for r in rows]


# --- the delivery day -----------------------------------------------------------------------


def delivery_notice_key(cycle_id: int) -> str:
    return f"cycle-delivery-day:{cycle_id}"


async def due_for_delivery_notice(source: Source, today: str) -> list[int]:
    """Closed cycles delivering ``today`` (ISO, the hub's day) whose officers were not told."""
    rows = await fetchall(
        source,
        "SELECT c.id FROM order_cycles c WHERE c.status = 'closed' AND c.delivery_on = ?"
        " AND NOT EXISTS (SELECT 1 FROM broadcasts b WHERE b.broadcast_key = "
        "'cycle-delivery-day:' || CAST(c.id AS TEXT)) ORDER BY c.id",
        (today,),
    )
    return [r["id"] for r in rows]


async def tell_delivery_day(
    conn: aiosqlite.Connection, cycle_id: int, messages: list[outbox.OutgoingMessage]
) -> outbox.Enqueued:
    """A use case: the delivery day's notices of a cycle queued, once (the outbox's key)."""
    return await outbox.enqueue(
        conn, key=delivery_notice_key(cycle_id), kind="cycle_delivery_day", messages=messages,
        priority=outbox.NOTICE,
    )  # fmt: skip


# --- what is owed -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Owed:
    rupiah: int  # the receivable:coop balance
    invoices: int  # invoices not paid in full


async def owed_by(source: Source, org_id: int) -> Owed:
    """What a village cooperative owes its hub (the ledger's balance) and on how many invoices."""
    rows = await fetchall(
        source,
        "SELECT COUNT(*) AS n FROM cycle_invoices WHERE org_id = ? AND paid_rupiah < total_rupiah",
        (org_id,),
    )
    return Owed(await ledger.balance(source, L.coop_receivable(org_id)), rows[0]["n"])


@panel(
    "cycle_money", N_("Order cycles: what is owed"),
    (Column("debtor", N_("Who owes")), Column("creditor", N_("To whom")),
     Column("invoices", N_("Unpaid invoices"), "number"), Column("owed", N_("Owed"), "money")),
)  # fmt: skip
async def owed_panel(db: Database, scope: Scope) -> list[dict]:
    """Per hub in view: each cooperative that owes it on cycle invoices, and each supplier it
    owes for goods received."""
    marks = _marks(scope.org_ids)
    coops = await db.fetchall(
        "SELECT g.name, h.name AS hub, COUNT(*) AS n, SUM(i.total_rupiah - i.paid_rupiah) AS owed"
        " FROM cycle_invoices i JOIN organisations g ON g.id = i.org_id"
        " JOIN organisations h ON h.id = i.hub_id"
        f" WHERE i.hub_id IN ({marks}) AND i.paid_rupiah < i.total_rupiah"
        " GROUP BY g.name, h.name ORDER BY owed DESC, g.name LIMIT 50",
        scope.org_ids,
    )
    result = [
        {"debtor": r["name"], "creditor": r["hub"], "invoices": r["n"], "owed": int(r["owed"])}
        for r in coops
    ]
    for supplier in await db.fetchall(
        "SELECT s.id, s.name, h.name AS hub FROM suppliers s JOIN organisations h ON h.id = s.hub_id"
        f" WHERE s.hub_id IN ({marks}) ORDER BY s.name LIMIT 50",
        scope.org_ids,
    ):
        owed = await owed_to_supplier(db, supplier["id"])
        if owed:
            result.append(
                {
                    "debtor": supplier["hub"],
                    "creditor": supplier["name"],
                    "invoices": 0,
                    "owed": owed,
                }
            )
    return result
