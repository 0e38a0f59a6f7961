"""The market's figures for a period (issue 17): what a cooperative (or, for a federation's
officer, every cooperative below it) bought, sold, holds, earned and owes. ``/rekap``, the
dashboard's "rekap" panel and ``koperasi-bot report offtake`` all read them from here.

Where each figure comes from:

* bought: weighed pickups of the organisations' offers with ``picked_up_at`` in the period
  (kilos, the gross amount at the farmer's price, farmers, villages, the average price per
  grade beside the HPP in force at the end of the period);
* sold: the ledger's ``sales:<org>`` lines of live ``lot:<lot>:invoice:<invoice>`` entries
  posted in the period; the kilos are the accepted kilos of those invoices' deliveries;
* margin per commodity: every live ``lot:<lot>:…`` entry of the period, its sales lines
  (revenue) and cogs lines (cost), joined to the lot's commodity (a lot is its sale);
* stock on hand: ``stock_batches`` with kilos left, per warehouse, now;
* owed to farmers: receipts weighed and not yet paid (offers ``picked_up``), their net (the
  gross less deductions: what the ledger's payable:farmer says), now;
* owed by buyers: invoices not fully paid, now.

Quantities are exact decimal TEXT in base units; they are summed in SQL as NUMERIC
(PostgreSQL: exact; SQLite: a double, read back rounded to grams: a million pickups of up
to 100 t stay far inside a double's 15 digits). A section whose tables are not there yet
(an older database) is ``None``: the reader shows nothing for it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from domain import periods
from storage.catalog import Source, fetchall

#: Rows read per query when a report streams (receipts, lots).
PAGE = 2000
_GRAM = Decimal("0.001")
# Live entries only: neither reversed nor a reversal (a reversed pair nets to nothing).
_LIVE = "e.reverses IS NULL AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reverses = e.id)"
# Pickups of the organisations weighed in the period: a range of the pickups_figures index.
_WEIGHED = "org_id IN ({marks}) AND picked_up_at >= ? AND picked_up_at < ?"
# Monday 1970-01-05 00:00 UTC: weeks are counted from it (integer division in both databases).
_FIRST_MONDAY = 345_600
_WEEK = 604_800


@dataclass(frozen=True)
class Period:
    """Days ``first`` … ``last`` (inclusive) where the cooperative is; ``start``/``end`` the
    same as unix seconds, end exclusive."""

    first: date
    last: date
    timezone: str

    @property
    def start(self) -> int:
        return _midnight(self.first, self.timezone)

    @property
    def end(self) -> int:
        return _midnight(self.last + timedelta(days=1), self.timezone)

    @classmethod
    def week_of(cls, day: date, timezone: str) -> Period:
        return cls(*periods.week_of(day), timezone)

    @classmethod
    def month_of(cls, day: date, timezone: str) -> Period:
        return cls(*periods.month_of(day), timezone)


def _midnight(day: date, timezone: str) -> int:
    return int(datetime.combine(day, time(), ZoneInfo(timezone)).timestamp())


def quantity(value: object) -> Decimal:
    """A summed quantity as SQL returns it (int, float, Decimal, None) as an exact Decimal."""
    if value is None:
        return Decimal(0)
    exact = Decimal(str(value)).quantize(_GRAM) if isinstance(value, float) else Decimal(value)
    return exact.normalize() if exact else Decimal(0)


def milli(value: object) -> Decimal:
    """A sum of pickups.quantity_milli (thousandths of the base unit) as the exact quantity."""
    exact = Decimal(int(value or 0)) / 1000
    return exact.normalize() if exact else Decimal(0)


@dataclass(frozen=True)
class Bought:
    """One commodity × grade bought in the period; ``hpp`` the reference price in force at
    the period's end (None: none set)."""

    commodity: str
    grade: str
    quantity: Decimal
    amount: int
    pickups: int
    hpp: int | None

    @property
    def average_price(self) -> int | None:
        return None if not self.quantity else int((self.amount / self.quantity).to_integral_value())


@dataclass(frozen=True)
class Sold:
    commodity: str
    quantity: Decimal
    amount: int


@dataclass(frozen=True)
class Margin:
    commodity: str
    revenue: int
    cost: int

    @property
    def margin(self) -> int:
        return self.revenue - self.cost


@dataclass(frozen=True)
class Stock:
    warehouse_id: int
    warehouse: str
    commodity: str
    grade: str
    quantity: Decimal
    cost: int


@dataclass(frozen=True)
class Owed:
    count: int
    amount: int


@dataclass(frozen=True)
class Figures:
    period: Period
    bought: list[Bought]
    farmers: int
    villages: int
    sold: list[Sold] | None
    margin: list[Margin] | None
    stock: list[Stock] | None
    owed_to_farmers: Owed
    owed_by_buyers: Owed | None

    @property
    def bought_amount(self) -> int:
        return sum(b.amount for b in self.bought)

    def bought_by_commodity(self) -> list[tuple[str, Decimal, int]]:
        """(commodity, kilos, rupiah), grades together, in the order bought lists them."""
        sums: dict[str, list] = {}
        for b in self.bought:
            item = sums.setdefault(b.commodity, [Decimal(0), 0])
            item[0] += b.quantity
            item[1] += b.amount
        return [(code, q, a) for code, (q, a) in sums.items()]


# --- helpers -----------------------------------------------------------------------------


def _marks(values: tuple) -> str:
    return ", ".join("?" for _ in values)


_TABLES: dict[tuple[str, str], bool] = {}


async def has_table(source: Source, table: str) -> bool:
    """Whether ``table`` exists (the market's tables come with later migrations); a table
    once found stays found."""
    dialect = getattr(source, "dialect", "sqlite")
    key = (dialect, table)
    if _TABLES.get(key):
        return True
    if dialect == "postgresql":
        rows = await fetchall(source, "SELECT to_regclass(?) IS NOT NULL AS found", (table,))
    else:
        rows = await fetchall(
            source,
            "SELECT COUNT(*) AS found FROM sqlite_master WHERE type = 'table' AND name = ?",
            (table,),
        )
    found = bool(rows[0]["found"])
    if found:
        _TABLES[key] = True
    return found


async def _entry_range(source: Source, period: Period) -> tuple[int, int]:
    """The ledger entries posted in the period lie within this id range [low, high]: the lines
    of an account are then one range of its (account_id, entry_id) index (entries are numbered
    as they are posted; the caller still checks each entry's time)."""
    rows = await fetchall(
        source,
        "SELECT (SELECT MIN(id) FROM ledger_entries WHERE at >= ? AND at < ?) AS low,"
        " (SELECT MAX(id) FROM ledger_entries WHERE at >= ? AND at < ?) AS high",
        (period.start, period.end, period.start, period.end),
    )
    return rows[0]["low"] or 0, rows[0]["high"] or -1


def _lot_of(reference: str) -> int | None:
    parts = reference.split(":")
    return int(parts[1]) if len(parts) >= 3 and parts[0] == "lot" and parts[1].isdigit() else None


# --- written at the weighing ------------------------------------------------------------------


async def record_pickup(conn, offer_id: int, *, org_id: int, farmer_id: int, village_code: str,
                        commodity: str, quantity: Decimal) -> None:  # fmt: skip
    """Copy onto the pickup what the figures group it by (migration 0023), in the weighing's
    transaction: its cooperative, farmer, village, produce, and the weight in thousandths."""
    await conn.execute(
        "UPDATE pickups SET org_id = ?, farmer_id = ?, village_code = ?, commodity = ?, quantity_milli = ?"
        " WHERE offer_id = ?",
        (
            org_id,
            farmer_id,
            village_code,
            commodity,
            int((quantity * 1000).quantize(Decimal(1), ROUND_HALF_UP)),
            offer_id,
        ),
    )


# --- the figures -------------------------------------------------------------------------


async def bought(source: Source, org_ids: tuple[int, ...], period: Period) -> list[Bought]:
    """Per produce × grade of the catalog, one range of the pickups_figures_produce index each
    (in one statement): no sort of the period's pickups."""
    grades = await fetchall(source, "SELECT commodity, code FROM grades ORDER BY commodity, code")
    one = (
        "SELECT ? AS commodity, ? AS grade, SUM(quantity_milli) AS milli, SUM(amount_rupiah) AS amount,"
        f" COUNT(*) AS pickups FROM pickups WHERE org_id IN ({_marks(org_ids)}) AND commodity = ? AND grade = ?"
        " AND picked_up_at >= ? AND picked_up_at < ?"
    )
    params: list = []
    for g in grades:
        params += [
            g["commodity"],
            g["code"],
            *org_ids,
            g["commodity"],
            g["code"],
            period.start,
            period.end,
        ]
    rows = (
        await fetchall(source, " UNION ALL ".join([one] * len(grades)), tuple(params))
        if grades
        else []
    )
    hpp = await reference_prices(source, period.end - 1)
    return [
        Bought(r["commodity"], r["grade"], milli(r["milli"]), int(r["amount"] or 0),
               int(r["pickups"]), hpp.get((r["commodity"], r["grade"])))
        for r in sorted(rows, key=lambda r: (r["commodity"], r["grade"])) if r["pickups"]
    ]  # fmt: skip


async def reference_prices(source: Source, at: int) -> dict[tuple[str, str], int]:
    """The HPP (reference price for everywhere, area '') in force at ``at`` per commodity ×
    grade: the latest version, as storage.prices chooses."""
    rows = await fetchall(
        source,
        "SELECT commodity, grade, price_rupiah FROM (SELECT p.*, ROW_NUMBER() OVER"
        " (PARTITION BY commodity, grade ORDER BY valid_from DESC, id DESC) AS pick"
        " FROM buying_prices p WHERE kind = 'reference' AND area_prefix = ''"
        " AND valid_from <= ? AND (valid_until IS NULL OR valid_until > ?)) AS ranked"
        " WHERE pick = 1",
        (at, at),
    )
    return {(r["commodity"], r["grade"]): r["price_rupiah"] for r in rows}


async def sellers(source: Source, org_ids: tuple[int, ...], period: Period) -> tuple[int, int]:
    """How many farmers sold in the period, and from how many villages."""
    rows = await fetchall(
        source,
        "SELECT COUNT(DISTINCT farmer_id) AS farmers, COUNT(DISTINCT village_code) AS villages"
        f" FROM pickups WHERE {_WEIGHED.format(marks=_marks(org_ids))}",
        (*org_ids, period.start, period.end),
    )
    return int(rows[0]["farmers"] or 0), int(rows[0]["villages"] or 0)


async def _lot_lines(
    source: Source, org_ids: tuple[int, ...], period: Period, *, kinds: tuple[str, ...]
) -> list:
    """(reference, kind, amount) summed per entry reference over the live ``lot:…`` entries
    of the period, for the organisations' accounts of ``kinds`` (sales, cogs)."""
    low, high = await _entry_range(source, period)
    if high < low:
        return []
    return await fetchall(
        source,
        "SELECT e.reference, a.kind, SUM(l.amount) AS amount FROM ledger_accounts a"
        " JOIN ledger_lines l ON l.account_id = a.id AND l.entry_id BETWEEN ? AND ?"
        " JOIN ledger_entries e ON e.id = l.entry_id"
        f" WHERE a.org_id IN ({_marks(org_ids)}) AND a.kind IN ({_marks(kinds)})"
        f" AND e.at >= ? AND e.at < ? AND e.reference LIKE ? AND {_LIVE} GROUP BY e.reference, a.kind",
        (low, high, *org_ids, *kinds, period.start, period.end, "lot:%"),
    )


async def _lot_commodities(source: Source, lots: set[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    ordered = sorted(lots)
    for i in range(0, len(ordered), 500):
        chunk = tuple(ordered[i : i + 500])
        rows = await fetchall(
            source, f"SELECT id, commodity FROM sales WHERE id IN ({_marks(chunk)})", chunk
        )
        found.update((r["id"], r["commodity"]) for r in rows)
    return found


@dataclass(frozen=True)
class _Lots:
    """The period's ledger lines of lots (reference, kind, amount) and each lot's commodity:
    read once for sold and margin."""

    lines: list
    commodities: dict[int, str]


async def _lots(source: Source, org_ids: tuple[int, ...], period: Period) -> _Lots:
    lines = await _lot_lines(source, org_ids, period, kinds=("sales", "cogs"))
    lots = {lot for r in lines if (lot := _lot_of(r["reference"])) is not None}
    return _Lots(lines, await _lot_commodities(source, lots))


async def sold(
    source: Source, org_ids: tuple[int, ...], period: Period, lots: _Lots | None = None
) -> list[Sold] | None:
    """Invoiced in the period per commodity: the sales lines of ``lot:…:invoice:…`` entries;
    the kilos accepted on those invoices."""
    if not await has_table(source, "sales"):
        return None
    lots = lots or await _lots(source, org_ids, period)
    amounts: dict[str, int] = {}
    for r in lots.lines:
        if r["kind"] == "sales" and ":invoice:" in r["reference"]:
            commodity = lots.commodities.get(_lot_of(r["reference"]) or 0, "")
            amounts[commodity] = amounts.get(commodity, 0) - int(r["amount"])  # sales is credit
    kilos = await fetchall(
        source,
        "SELECT s.commodity, SUM(CAST(d.received AS NUMERIC)) AS kilos FROM invoices i"
        " JOIN deliveries d ON d.invoice_id = i.id JOIN sales s ON s.id = i.sale_id"
        f" WHERE i.org_id IN ({_marks(org_ids)}) AND i.issued_at >= ? AND i.issued_at < ?"
        " GROUP BY s.commodity",
        (*org_ids, period.start, period.end),
    )
    by_kilos = {r["commodity"]: quantity(r["kilos"]) for r in kilos}
    return [
        Sold(code, by_kilos.get(code, Decimal(0)), amount)
        for code, amount in sorted(amounts.items())
    ]


def _per_lot(lines: list) -> dict[int, tuple[int, int]]:
    result: dict[int, list[int]] = {}
    for r in lines:
        lot = _lot_of(r["reference"])
        if lot is None:
            continue
        item = result.setdefault(lot, [0, 0])
        if r["kind"] == "sales":
            item[0] -= int(r["amount"])
        else:
            item[1] += int(r["amount"])
    return {lot: (revenue, cost) for lot, (revenue, cost) in result.items()}


async def lot_margins(
    source: Source, org_ids: tuple[int, ...], period: Period
) -> dict[int, tuple[int, int]]:
    """Per lot: (revenue, cost) from the ledger's lines of the period's ``lot:<lot>:…``
    entries (sales lines are credits: revenue is minus their sum)."""
    return _per_lot(await _lot_lines(source, org_ids, period, kinds=("sales", "cogs")))


async def margins(
    source: Source, org_ids: tuple[int, ...], period: Period, lots: _Lots | None = None
) -> list[Margin] | None:
    if not await has_table(source, "sales"):
        return None
    lots = lots or await _lots(source, org_ids, period)
    sums: dict[str, list[int]] = {}
    for lot, (revenue, cost) in _per_lot(lots.lines).items():
        item = sums.setdefault(lots.commodities.get(lot, ""), [0, 0])
        item[0] += revenue
        item[1] += cost
    return [Margin(code, r, c) for code, (r, c) in sorted(sums.items())]


async def stock(source: Source, org_ids: tuple[int, ...]) -> list[Stock] | None:
    if not (await has_table(source, "stock_batches") and await has_table(source, "warehouses")):
        return None
    rows = await fetchall(
        source,
        "SELECT w.id, w.name, b.commodity, b.grade, SUM(CAST(b.quantity AS NUMERIC)) AS kilos,"
        " SUM(b.cost_rupiah) AS cost FROM stock_batches b JOIN warehouses w ON w.id = b.warehouse_id"
        f" WHERE b.org_id IN ({_marks(org_ids)}) AND CAST(b.quantity AS NUMERIC) > 0"
        " GROUP BY w.id, w.name, b.commodity, b.grade ORDER BY w.name, w.id, b.commodity, b.grade",
        org_ids,
    )
    return [
        Stock(
            r["id"],
            r["name"],
            r["commodity"],
            r["grade"],
            quantity(r["kilos"]),
            int(r["cost"] or 0),
        )
        for r in rows
    ]


async def owed_to_farmers(source: Source, org_ids: tuple[int, ...]) -> Owed:
    rows = await fetchall(
        source,
        "SELECT COUNT(*) AS receipts, SUM(k.amount_rupiah - k.deductions_rupiah - k.advance_rupiah) AS owed"
        " FROM offers o JOIN pickups k ON k.offer_id = o.id"
        f" WHERE o.org_id IN ({_marks(org_ids)}) AND o.status = 'picked_up'",
        org_ids,
    )
    return Owed(int(rows[0]["receipts"] or 0), int(rows[0]["owed"] or 0))


async def owed_by_buyers(source: Source, org_ids: tuple[int, ...]) -> Owed | None:
    if not await has_table(source, "invoices"):
        return None
    rows = await fetchall(
        source,
        "SELECT COUNT(*) AS invoices, SUM(total_rupiah - paid_rupiah) AS owed FROM invoices"
        f" WHERE org_id IN ({_marks(org_ids)}) AND status IN ('unpaid', 'part_paid')",
        org_ids,
    )
    return Owed(int(rows[0]["invoices"] or 0), int(rows[0]["owed"] or 0))


async def figures(source: Source, org_ids: tuple[int, ...], period: Period) -> Figures:
    """Every figure of the period for the organisations (none: nothing)."""
    if not org_ids:
        return Figures(period, [], 0, 0, None, None, None, Owed(0, 0), None)
    farmers, villages = await sellers(source, org_ids, period)
    lots = await _lots(source, org_ids, period) if await has_table(source, "sales") else None
    return Figures(
        period=period,
        bought=await bought(source, org_ids, period),
        farmers=farmers,
        villages=villages,
        sold=await sold(source, org_ids, period, lots),
        margin=await margins(source, org_ids, period, lots),
        stock=await stock(source, org_ids),
        owed_to_farmers=await owed_to_farmers(source, org_ids),
        owed_by_buyers=await owed_by_buyers(source, org_ids),
    )


# --- the report's rows (streamed) ---------------------------------------------------------


@dataclass(frozen=True)
class VillagePurchase:
    village_code: str
    commodity: str
    grade: str
    quantity: Decimal
    amount: int
    farmers: int
    pickups: int


async def purchases_by_village(
    source: Source, org_ids: tuple[int, ...], period: Period
) -> AsyncIterator[VillagePurchase]:
    """Kilos and rupiah per village × commodity × grade (as many rows as such groups: a
    cooperative's villages times its produce, whatever the number of pickups)."""
    rows = await fetchall(
        source,
        "SELECT village_code, commodity, grade, SUM(quantity_milli) AS milli, SUM(amount_rupiah) AS amount,"
        " COUNT(DISTINCT farmer_id) AS farmers, COUNT(*) AS pickups"
        f" FROM pickups WHERE {_WEIGHED.format(marks=_marks(org_ids))}"
        " GROUP BY village_code, commodity, grade ORDER BY village_code, commodity, grade",
        (*org_ids, period.start, period.end),
    )
    for r in rows:
        yield VillagePurchase(r["village_code"], r["commodity"], r["grade"], milli(r["milli"]),
                              int(r["amount"] or 0), int(r["farmers"]), int(r["pickups"]))  # fmt: skip


@dataclass(frozen=True)
class BuyerSales:
    buyer: str
    invoices: int
    quantity: Decimal
    amount: int
    unpaid: int


async def sales_by_buyer(
    source: Source, org_ids: tuple[int, ...], period: Period
) -> list[BuyerSales]:
    """Invoices issued in the period per buyer: how many, accepted kilos, total and what is
    still unpaid of them."""
    if not await has_table(source, "invoices"):
        return []
    rows = await fetchall(
        source,
        "SELECT b.id, b.name, COUNT(*) AS invoices, SUM(i.total_rupiah) AS amount,"
        " SUM(i.total_rupiah - i.paid_rupiah) AS unpaid,"
        " SUM((SELECT SUM(CAST(d.received AS NUMERIC)) FROM deliveries d WHERE d.invoice_id = i.id)) AS kilos"
        " FROM invoices i JOIN buyers b ON b.id = i.buyer_id"
        f" WHERE i.org_id IN ({_marks(org_ids)}) AND i.issued_at >= ? AND i.issued_at < ?"
        " GROUP BY b.id, b.name ORDER BY b.name, b.id",
        (*org_ids, period.start, period.end),
    )
    return [
        BuyerSales(
            r["name"],
            int(r["invoices"]),
            quantity(r["kilos"]),
            int(r["amount"] or 0),
            int(r["unpaid"] or 0),
        )
        for r in rows
    ]


@dataclass(frozen=True)
class Lot:
    lot: int
    buyer: str
    commodity: str
    grade: str
    quantity: str
    revenue: int
    cost: int

    @property
    def margin(self) -> int:
        return self.revenue - self.cost


async def lots(source: Source, org_ids: tuple[int, ...], period: Period) -> AsyncIterator[Lot]:
    """Each lot with ledger lines in the period: revenue, cost and margin from the ledger."""
    if not await has_table(source, "sales"):
        return
    per_lot = await lot_margins(source, org_ids, period)
    ordered = sorted(per_lot)
    for i in range(0, len(ordered), 500):
        chunk = tuple(ordered[i : i + 500])
        rows = await fetchall(
            source,
            "SELECT s.id, b.name, s.commodity, s.grade, s.quantity FROM sales s"
            f" JOIN buyers b ON b.id = s.buyer_id WHERE s.id IN ({_marks(chunk)}) ORDER BY s.id",
            chunk,
        )
        for r in rows:
            revenue, cost = per_lot[r["id"]]
            yield Lot(r["id"], r["name"], r["commodity"], r["grade"], r["quantity"], revenue, cost)


@dataclass(frozen=True)
class Receipt:
    offer_id: int
    farmer: str
    village_code: str
    commodity: str
    grade: str
    quantity: Decimal
    owed: int
    weighed_at: int


async def unpaid_receipts(source: Source, org_ids: tuple[int, ...]) -> AsyncIterator[Receipt]:
    """Receipts weighed and not paid yet, oldest offer first, read a page at a time."""
    after = 0
    while True:
        rows = await fetchall(
            source,
            "SELECT o.id, p.full_name, o.village_code, o.commodity, k.grade, k.quantity,"
            " k.amount_rupiah - k.deductions_rupiah - k.advance_rupiah AS owed, k.picked_up_at"
            " FROM offers o JOIN pickups k ON k.offer_id = o.id JOIN people p ON p.id = o.farmer_id"
            f" WHERE o.org_id IN ({_marks(org_ids)}) AND o.status = 'picked_up' AND o.id > ?"
            f" ORDER BY o.id LIMIT {PAGE}",
            (*org_ids, after),
        )
        for r in rows:
            yield Receipt(r["id"], r["full_name"], r["village_code"], r["commodity"], r["grade"],
                          quantity(r["quantity"]), int(r["owed"] or 0), r["picked_up_at"])  # fmt: skip
        if len(rows) < PAGE:
            return
        after = rows[-1]["id"]


async def weekly_volume(
    source: Source, org_ids: tuple[int, ...], period: Period
) -> list[tuple[date, Decimal, Decimal]]:
    """(Monday, kilos bought, kilos accepted by buyers) per week of the period, in the
    period's zone (Indonesia keeps no summer time: a fixed offset)."""
    offset = int(ZoneInfo(period.timezone).utcoffset(datetime(2000, 1, 1)).total_seconds())
    week = f"(({{at}} + {offset} - {_FIRST_MONDAY}) / {_WEEK})"
    bought_rows = await fetchall(
        source,
        f"SELECT {week.format(at='picked_up_at')} AS week, SUM(quantity_milli) AS milli"
        f" FROM pickups WHERE {_WEIGHED.format(marks=_marks(org_ids))} GROUP BY {week.format(at='picked_up_at')}",
        (*org_ids, period.start, period.end),
    )
    sold_rows = []
    if await has_table(source, "deliveries"):
        sold_rows = await fetchall(
            source,
            f"SELECT {week.format(at='delivered_at')} AS week, SUM(CAST(received AS NUMERIC)) AS kilos"
            f" FROM deliveries WHERE org_id IN ({_marks(org_ids)}) AND delivered_at >= ? AND delivered_at < ?"
            f" GROUP BY {week.format(at='delivered_at')}",
            (*org_ids, period.start, period.end),
        )
    weeks: dict[int, list[Decimal]] = {}
    for r in bought_rows:
        weeks.setdefault(int(r["week"]), [Decimal(0), Decimal(0)])[0] += milli(r["milli"])
    for r in sold_rows:
        weeks.setdefault(int(r["week"]), [Decimal(0), Decimal(0)])[1] += quantity(r["kilos"])
    monday = datetime.fromtimestamp(_FIRST_MONDAY, UTC).date()
    first = (period.start + offset - _FIRST_MONDAY) // _WEEK
    last = (period.end - 1 + offset - _FIRST_MONDAY) // _WEEK
    return [
        (monday + timedelta(weeks=w), *weeks.get(w, [Decimal(0), Decimal(0)]))
        for w in range(first, last + 1)
    ]
