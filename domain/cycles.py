"""Goods in order cycles (issue 18, distribution), after Open Food Network's order cycles.

A hub (the coordinator) opens a **cycle**: items of its suppliers (the incoming exchanges),
each with the goods' price per unit and the hub's fee per unit shown openly, the supplier's
stock for the cycle, a minimum order per cooperative, a closing time and a delivery day. Its
village cooperatives (the outgoing exchanges) order until the close; then one purchase order
goes to each supplier and a delivery plan, per cooperative grouped by kecamatan, to the hub.

Choices, said once here:

- A cooperative pays ``price + fee`` per unit; the supplier is paid ``price`` (the purchase
  order shows supplier prices only). Quantities are whole units of the item (a karung, a
  sak): nobody orders half a sack.
- One order per cooperative per cycle, changed or cancelled until the close; a cancelled
  order may be placed again. Stock is what the supplier holds for the cycle: live orders
  take from it, and a change gives back what it no longer needs first.
- The minimum order is on the goods with their fees (what the cooperative pays).
- Ceilings (as domain.money's): a price or fee per unit, a stock, a line's quantity, a
  minimum, the items of a cycle; every total stays far below the ledger's MAX_AMOUNT.

Designed for the next parts (not built here): a union member's order (orderer ``person``,
paid from sukarela savings held at order and posted at pickup, or by payroll), the count step
(``received`` per line; the shortfall credited, :func:`shortfall`), an invoice per cooperative
and its payments in the ledger.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain import N_
from domain.ledger import MAX_AMOUNT
from domain.people import InvalidInput
from domain.quantity import number


class Status(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class OrderStatus(StrEnum):
    OPEN = "open"
    CANCELLED = "cancelled"
    FROZEN = "frozen"  # the cycle closed: what is sent and billed
    DELIVERED = "delivered"  # counted (storage.cycle_delivery sets INVOICED at the count)
    INVOICED = "invoiced"
    PAID = "paid"


# The units goods are ordered in, with the words people type for each.
UNITS = ("karung", "sak", "bungkus", "liter", "kg")
UNIT_WORDS = {
    "karung": "karung", "krg": "karung", "sack": "karung", "sacks": "karung",
    "sak": "sak", "zak": "sak", "bag": "sak", "bags": "sak",
    "bungkus": "bungkus", "bks": "bungkus", "pack": "bungkus", "packs": "bungkus",
    "liter": "liter", "litre": "liter", "litres": "liter", "liters": "liter", "l": "liter", "ltr": "liter",
    "kg": "kg", "kilo": "kg", "kilogram": "kg", "kgs": "kg",
}  # fmt: skip

# --- ceilings ---------------------------------------------------------------------------------
MAX_UNIT_PRICE = 10_000_000  # per unit: far above a sack of pupuk or rice (Rp150.000–Rp700.000)
MAX_STOCK = 10_000_000  # units a supplier holds for one cycle
MAX_LINE = 100_000  # units of one item in one order
MAX_MINIMUM = 1_000_000_000  # a cooperative's minimum order
MAX_ITEMS = 100  # items in one cycle
MAX_NAME = 60  # an item's, a supplier's or a cycle's name
MAX_DAYS = 90  # the furthest close, from its opening
assert MAX_LINE * 2 * MAX_UNIT_PRICE * MAX_ITEMS < MAX_AMOUNT  # an order's total fits the ledger

REASONS = {
    "cycle.quantity": N_("I could not read that number. Type a whole number, for example 10."),
    "cycle.unit": N_("This item is ordered in {unit}. Type a number, for example 10."),
    "cycle.too_many": N_("That is too many for one order. Type at most {most}."),
    "cycle.name": N_("Type a name of 3 to 60 letters."),
    "cycle.price": N_("Type a price per unit in whole rupiah, at most Rp10.000.000."),
    "cycle.stock": N_("Type the stock as a whole number of units, at most 10.000.000."),
    "cycle.minimum": N_("Type the minimum order in whole rupiah, at most Rp1.000.000.000."),
    "cycle.closes": N_("The close must be after now and at most 90 days away."),
    "cycle.delivery": N_("The delivery day must be after the close."),
    "cycle.unit_name": N_("The unit is one of karung, sak, bungkus, liter, kg."),
    "cycle.too_many_items": N_("A cycle has at most 100 items."),
}


class OrderRefused(Exception):
    """An order the cycle cannot take: ``reason`` is ``closed``, ``stock`` (``left``: what is
    left of the item), ``minimum`` (``short``: how much more is needed) or ``empty``."""

    def __init__(self, reason: str, *, item_id: int | None = None, left: int = 0, short: int = 0):
        super().__init__(reason)
        self.reason, self.item_id, self.left, self.short = reason, item_id, left, short


@dataclass(frozen=True)
class Line:
    item_id: int
    quantity: int  # whole units
    price_rupiah: int  # goods, per unit
    fee_rupiah: int  # the hub's fee, per unit

    @property
    def goods(self) -> int:
        return self.quantity * self.price_rupiah

    @property
    def fees(self) -> int:
        return self.quantity * self.fee_rupiah

    @property
    def total(self) -> int:
        return self.goods + self.fees


@dataclass(frozen=True)
class Totals:
    goods: int
    fees: int

    @property
    def total(self) -> int:
        return self.goods + self.fees


def totals(lines: list[Line] | tuple[Line, ...]) -> Totals:
    return Totals(sum(line.goods for line in lines), sum(line.fees for line in lines))


def shortfall(line: Line, received: int) -> int:
    """What a cooperative is credited for a line of which ``received`` units arrived (the
    count step): the units missing at their price and fee; nothing is billed for them."""
    missing = max(line.quantity - received, 0)
    return missing * (line.price_rupiah + line.fee_rupiah)


def is_open(status: str, closes_at: int, now: int) -> bool:
    """Whether a cycle takes orders and changes at ``now``."""
    return status == Status.OPEN and now < closes_at


def check_order(lines: list[Line], minimum: int, *, open_now: bool) -> Totals:
    """The rules of a whole order before its stock is taken: the cycle open, at least one
    line, each within :data:`MAX_LINE`, the total at least the minimum."""
    if not open_now:
        raise OrderRefused("closed")
    if not lines:
        raise OrderRefused("empty")
    for line in lines:
        if not 0 < line.quantity <= MAX_LINE:
            raise OrderRefused("stock", item_id=line.item_id, left=MAX_LINE)
    found = totals(lines)
    if found.total < minimum:
        raise OrderRefused("minimum", short=minimum - found.total)
    return found


def check_stock(item_id: int, wanted: int, stock: int, taken_by_others: int) -> None:
    """OrderRefused("stock", left=…) when ``wanted`` units are more than the others left."""
    left = max(stock - taken_by_others, 0)
    if wanted > left:
        raise OrderRefused("stock", item_id=item_id, left=left)


# --- what people type --------------------------------------------------------------------------


def parse_quantity(text: str, unit: str) -> int:
    """A quantity of an item ordered in ``unit``, as people write it: ``10``, ``10 karung``,
    ``sepuluh``, ``1.000 sak``. InvalidInput ``cycle.quantity`` (unreadable, zero, a part of
    a unit), ``cycle.unit`` (another unit), ``cycle.too_many`` (over :data:`MAX_LINE`)."""
    cleaned = unicodedata.normalize("NFKC", text or "").lower().strip()
    cleaned = re.sub(r"(?<=\d)(?=[a-z])", " ", cleaned)
    tokens = cleaned.split()
    if tokens and tokens[-1] in UNIT_WORDS:
        if UNIT_WORDS[tokens[-1]] != unit:
            raise InvalidInput("cycle.unit")
        tokens = tokens[:-1]
    elif tokens and tokens[-1].isalpha() and number(tokens[-1:]) is None:
        raise InvalidInput("cycle.unit")
    if len("".join(tokens)) > 20:
        raise InvalidInput("cycle.too_many")
    value = number(tokens) if tokens else None
    if value is None or value <= 0 or value != value.to_integral_value():
        raise InvalidInput("cycle.quantity")
    if value > MAX_LINE:
        raise InvalidInput("cycle.too_many")
    return int(value)


def check_name(text: str) -> str:
    cleaned = " ".join((text or "").split())
    if not 3 <= len(cleaned) <= MAX_NAME:
        raise InvalidInput("cycle.name")
    return cleaned


def check_unit(text: str) -> str:
    unit = UNIT_WORDS.get((text or "").strip().lower())
    if unit is None:
        raise InvalidInput("cycle.unit_name")
    return unit


def check_price(amount: int, *, allow_zero: bool = False) -> int:
    if amount < (0 if allow_zero else 1) or amount > MAX_UNIT_PRICE:
        raise InvalidInput("cycle.price")
    return amount


def check_stock_figure(amount: int) -> int:
    if not 0 < amount <= MAX_STOCK:
        raise InvalidInput("cycle.stock")
    return amount


def check_minimum(amount: int) -> int:
    if not 0 <= amount <= MAX_MINIMUM:
        raise InvalidInput("cycle.minimum")
    return amount


def check_times(closes_at: int, delivery_on: date, now: int, timezone: str) -> None:
    """The close after now and within :data:`MAX_DAYS`; the delivery on a later day."""
    if not now < closes_at <= now + MAX_DAYS * 86400:
        raise InvalidInput("cycle.closes")
    if delivery_on <= local_day(closes_at, timezone):
        raise InvalidInput("cycle.delivery")


def local_day(at: int, timezone: str) -> date:
    return datetime.fromtimestamp(at, UTC).astimezone(ZoneInfo(timezone)).date()


def parse_local_time(text: str, timezone: str) -> int:
    """``2026-12-10 17:00`` where the hub is → unix seconds UTC; InvalidInput otherwise."""
    try:
        found = datetime.strptime(" ".join((text or "").split()), "%Y-%m-%d %H:%M")
    except ValueError:
        raise InvalidInput("cycle.closes") from None
    return int(found.replace(tzinfo=ZoneInfo(timezone)).timestamp())


# --- numbers people quote, and places ---------------------------------------------------------


def cycle_number(cycle_id: int) -> str:
    """How people quote a cycle: ``SP-0003`` (siklus pesanan)."""
    return f"SP-{cycle_id:04d}"


def order_number(order_id: int) -> str:
    """How people quote an order: ``PSN-0012`` (pesanan)."""
    return f"PSN-{order_id:04d}"


def district_of(village_code: str | None) -> str:
    """``33.10.11.2004`` → ``33.10.11`` (its kecamatan); '' without a desa code."""
    return ".".join(village_code.split(".")[:3]) if village_code else ""


def reminder_due(closes_at: int, now: int) -> bool:
    """Whether the day-before reminder is due: within a day of the close, before it."""
    return closes_at - 86400 <= now < closes_at
