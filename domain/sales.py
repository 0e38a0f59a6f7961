"""Selling what the cooperative bought: buyers, sale contracts, the lot allocated to each,
deliveries (with the buyer's weight and rejections), invoices (*faktur*) and payments. Pure
rules on plain data; storage.sales keeps them and posts the ledger.

- **A lot** is what a sale holds of the stock: allocated oldest batch first
  (:func:`allocate`), each piece with its cost (the batch's cost share, taken by
  storage.stock.take). A sale has one lot; its id is the sale's id (``lot:<sale_id>:…`` in
  the ledger), and people read it as the sale's number (``PJ-0042``).
- **A delivery** sends kilos of the lot; the buyer weighs what arrived and accepts some,
  rejecting the rest with a reason (:func:`plan_delivery`). Accepted kilos leave the lot at
  their cost (cost of goods sold); rejected kilos go back to stock at theirs. The kilos sent
  are taken from the lot's oldest pieces first; the rejected ones are counted as the last
  of those sent (so the oldest stock is the stock sold).
- **Costs are shared in proportion** to the kilos (:func:`cost_share`): whole rupiah,
  rounded half up, and the last kilo of a piece takes what is left, so a piece's cost is
  never split into more or less than it was.
- **An invoice** bills the accepted kilos not yet billed, one line per delivery:
  each line is kilos × the contract price rounded half up to whole rupiah
  (domain.quantity.amount_rupiah), the total is the sum of the lines (no rounding of its
  own). Due after the buyer's payment terms (:func:`due_date`).
- **Buyers pay by the same measurements** as farmers are paid by: where the cooperative's
  rafaksi table (domain.rafaksi) is in force at a delivery, the buyer's readings give a cut
  per base unit, kept on the delivery; its invoice line is then kilos × (contract price −
  cut), never below zero (:func:`price_less_cut`). A delivery without readings cuts nothing.
- **Closing a sale short** (:func:`plan_close`): the buyer needs no more; what is still in the
  lot goes back to its stock batches at its remaining cost (it never left inventory: no
  ledger entry), nothing more is delivered on the sale, its invoices stand as issued.
- **A payment** settles an invoice, in one or several parts; never beyond what is owed
  (:func:`check_payment`: a second payment of a paid invoice is refused).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from domain import N_
from domain.ledger import MAX_AMOUNT
from domain.people import InvalidInput
from domain.produce import Commodity
from domain.quantity import amount_rupiah


class BuyerKind(StrEnum):
    BULOG = "bulog"  # Bulog's regional office (Kanwil/Kancab)
    SPPG = "sppg"  # a school-meal kitchen (Satuan Pelayanan Pemenuhan Gizi)
    CANTEEN = "canteen"  # a factory canteen
    TRADER = "trader"
    RETAIL = "retail"
    OTHER = "other"


BUYER_KIND_LABELS = {
    BuyerKind.BULOG: N_("Bulog"),
    BuyerKind.SPPG: N_("School-meal kitchen (SPPG)"),
    BuyerKind.CANTEEN: N_("Factory canteen"),
    BuyerKind.TRADER: N_("Trader"),
    BuyerKind.RETAIL: N_("Shop or retailer"),
    BuyerKind.OTHER: N_("Other buyer"),
}


class SaleStatus(StrEnum):
    OPEN = "open"  # kilos of the lot still to deliver
    DELIVERED = "delivered"  # the lot is all sent; accepted kilos not all invoiced
    INVOICED = "invoiced"  # every accepted kilo invoiced; something still owed
    PAID = "paid"  # every invoice paid


class PaymentMethod(StrEnum):
    CASH = "cash"
    TRANSFER = "transfer"


# Payment terms people agree: cash on delivery up to three months (Bulog pays in days,
# a canteen at the month's end, a trader within two weeks).
MAX_TERMS_DAYS = 90
# A sale holds at most this many offers' worth of a commodity (domain.produce
# max_per_offer): far above a truck or a Bulog contract, low enough that a mistyped figure
# is refused before stock is even looked at.
SALE_OFFERS = 100
MAX_NAME = 80
MAX_PLACE = 120
MAX_REASON = 120
MAX_PAYMENT_REFERENCE = 60

# What was wrong and what to do (texts per ../shared/LANGUAGE.md). Placeholders come from
# the SaleRefused's fields: {available} {remaining} {sent} kilos, {owed} {total} rupiah.
REASONS = {
    "buyer.name": N_("Type the buyer's name in 2 to 80 letters, for example Bulog Kancab Klaten."),
    "buyer.kind": N_("Pick the kind of buyer with one of the buttons."),
    "buyer.phone": N_("I could not read that phone number. Type it as 0812-3456-7890, or type - if there is none."),
    "buyer.terms": N_("Type the payment terms in days, from 0 to 90, for example 14."),
    "buyer.unknown": N_("That buyer is not in your cooperative's list. Pick a buyer with one of the buttons."),
    "sale.price": N_("Type the price in whole rupiah per {unit}, more than zero, for example 8000."),
    "sale.price_too_high": N_("A price per {unit} is at most {most}. Type the price again."),
    "sale.stock": N_("There is not that much in stock. Only {available} is there. Type a smaller amount."),
    "sale.date": N_("Type a date from today to a year ahead, for example {example}."),
    "sale.produce": N_("I do not know that produce. Type its name, for example gabah."),
    "sale.place": N_("Type the delivery place in 3 to 120 letters, for example Gudang Bulog Ceper."),
    "sale.unknown": N_("I cannot find that sale in your cooperative."),
    "sale.closed": N_("This sale is closed already. Nothing more can be delivered on it."),
    "sale.all_delivered": N_("Every kilo of this sale is delivered. There is nothing left to close."),
    "delivery.too_heavy": N_("That is more than the lot still holds. The lot holds {remaining}. Type a smaller amount."),
    "delivery.received": N_("The buyer cannot accept more than was sent ({sent}). Type the accepted amount again."),
    "delivery.reason": N_("Type why the buyer rejected part of it, in 3 to 120 letters, for example kadar air tinggi."),
    "delivery.nothing": N_("Nothing of this lot is left to deliver."),
    "delivery.quality": N_("The cooperative's quality table for this produce changed while you typed. Record the delivery again from the sale's card."),
    "delivery.cut_above_price": N_("The buyer's cut for that quality is as high as the contract price: nothing would be paid for it. Record those kilos as rejected, with the reason."),
    "delivery.no_quality": N_("This produce has no quality table in force, so the buyer's readings are not asked. Record the delivery without them."),
    "invoice.too_big": N_("One invoice holds at most {most}. Record the delivery in smaller parts and invoice each."),
    "invoice.nothing": N_("Every accepted kilo of this sale is already invoiced."),
    "invoice.paid": N_("This invoice is already paid in full. Nothing more is owed."),
    "invoice.overpaid": N_("That is more than is owed. The buyer still owes {owed}. Type the amount again."),
    "payment.reference": N_("Type the transfer reference in 3 to 60 letters, for example BRI 240915123456."),
    "payment.amount": N_("Type the amount in whole rupiah, for example 1.500.000."),
}  # fmt: skip


class SaleRefused(InvalidInput):
    """A sale, delivery, invoice or payment the rules refuse; ``reason`` is a key of
    :data:`REASONS`, the keyword fields fill its placeholders."""

    def __init__(self, reason: str, **fields: object) -> None:
        super().__init__(reason)
        self.fields = fields


# --- buyers ----------------------------------------------------------------------------


def check_terms(days: int) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_TERMS_DAYS:
        raise SaleRefused("buyer.terms")
    return days


def parse_terms(text: str) -> int:
    """ "14", "14 hari", "30 days"; 0 is cash on delivery."""
    words = (text or "").lower().replace("hari", " ").replace("days", " ").split()
    if len(words) != 1 or not words[0].isascii() or not words[0].isdigit():
        raise SaleRefused("buyer.terms")
    return check_terms(int(words[0]))


def due_date(issued: date, terms_days: int) -> date:
    """The day an invoice issued on ``issued`` falls due: ``terms_days`` later (0: that day)."""
    return issued + timedelta(days=check_terms(terms_days))


def parse_date(text: str, today: date) -> date:
    """A delivery date as people type it: ``20-12-2026``, ``20/12/2026``, ``20.12.2026``,
    ``2026-12-20``, or ``20-12`` (this year, or next when it has passed); not before
    ``today`` and at most a year ahead, else SaleRefused("sale.date")."""
    parts = re.split(r"[-/. ]+", (text or "").strip())
    if not all(p.isascii() and p.isdigit() for p in parts) or len(parts) not in (2, 3):
        raise SaleRefused("sale.date")
    numbers = [int(p) for p in parts]
    if len(parts[0]) == 4:
        numbers = numbers[::-1]
    day, month = numbers[0], numbers[1]
    year = numbers[2] if len(numbers) == 3 else today.year
    try:
        found = date(year, month, day)
        if len(numbers) == 2 and found < today:
            found = date(year + 1, month, day)
    except ValueError:
        raise SaleRefused("sale.date") from None
    if not today <= found <= today + timedelta(days=366):
        raise SaleRefused("sale.date")
    return found


def sale_commodity(commodity: Commodity) -> Commodity:
    """``commodity`` with a sale's ceiling instead of one offer's, for parse_quantity."""
    return replace(commodity, max_per_offer=commodity.max_per_offer * SALE_OFFERS)


def check_sale_price(price_rupiah: int, ceiling: int) -> int:
    """A contract price per base unit: above zero (a price of zero is refused), at most the
    buying prices' ``ceiling`` (domain.money.max_price)."""
    if isinstance(price_rupiah, bool) or not isinstance(price_rupiah, int) or price_rupiah <= 0:
        raise SaleRefused("sale.price")
    if price_rupiah > ceiling:
        raise SaleRefused("sale.price_too_high", most=ceiling)
    return price_rupiah


# --- lots: allocation and cost ------------------------------------------------------------


@dataclass(frozen=True)
class Held:
    """What one piece still holds: a stock batch (at allocation) or a lot's allocation (at
    delivery), by its id; ``cost`` is None for a batch whose cost the stock takes itself."""

    id: int
    quantity: Decimal
    cost: int = 0


@dataclass(frozen=True)
class Piece:
    """Kilos taken from piece ``id`` and their cost."""

    id: int
    quantity: Decimal
    cost: int = 0


def cost_share(cost: int, held: Decimal, taken: Decimal) -> int:
    """The cost of ``taken`` of ``held`` kilos that cost ``cost``: proportional, whole rupiah
    half up; all of it when ``taken`` is all that is held (the last kilo takes the rest)."""
    if taken >= held:
        return cost
    exact = Decimal(cost) * taken / held
    return min(cost, int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def allocate(quantity: Decimal, available: Sequence[Held]) -> list[Piece]:
    """``quantity`` taken from ``available`` in the order given (oldest first): the kilos of
    each piece, no cost (the stock takes it). SaleRefused("sale.stock", available=total)
    when there is not enough."""
    total = sum((h.quantity for h in available), Decimal(0))
    if quantity <= 0 or quantity > total:
        raise SaleRefused("sale.stock", available=total)
    pieces, left = [], quantity
    for held in available:
        if left <= 0:
            break
        take = min(held.quantity, left)
        if take > 0:
            pieces.append(Piece(held.id, take))
            left -= take
    return pieces


def _consume(held: list[Held], quantity: Decimal) -> tuple[list[Piece], list[Held]]:
    """``quantity`` from the pieces in order, each at its cost share; what is left."""
    pieces, rest, left = [], [], quantity
    for h in held:
        take = min(h.quantity, left) if left > 0 else Decimal(0)
        if take > 0:
            cost = cost_share(h.cost, h.quantity, take)
            pieces.append(Piece(h.id, take, cost))
            left -= take
            rest.append(Held(h.id, h.quantity - take, h.cost - cost))
        else:
            rest.append(h)
    return pieces, rest


@dataclass(frozen=True)
class DeliveryPlan:
    sent: Decimal
    accepted: tuple[Piece, ...]  # leave the lot at cost: cost of goods sold
    rejected: tuple[Piece, ...]  # back to stock at their cost

    @property
    def received(self) -> Decimal:
        return sum((p.quantity for p in self.accepted), Decimal(0))

    @property
    def rejected_quantity(self) -> Decimal:
        return self.sent - self.received

    @property
    def cost(self) -> int:
        """The cost of the accepted kilos (the delivery's cost of goods sold)."""
        return sum(p.cost for p in self.accepted)


def plan_delivery(
    lot: Sequence[Held], sent: Decimal, received: Decimal, reason: str | None
) -> DeliveryPlan:
    """What a delivery does to the lot's pieces (oldest first): ``sent`` kilos leave it,
    ``received`` are accepted by the buyer, the rest is rejected (with ``reason``).
    Refused: nothing left (delivery.nothing), heavier than the lot (delivery.too_heavy),
    more accepted than sent (delivery.received), a rejection without a reason."""
    remaining = sum((h.quantity for h in lot), Decimal(0))
    if remaining <= 0:
        raise SaleRefused("delivery.nothing")
    if sent <= 0 or sent > remaining:
        raise SaleRefused("delivery.too_heavy", remaining=remaining)
    if received < 0 or received > sent:
        raise SaleRefused("delivery.received", sent=sent)
    if received < sent and not (reason or "").strip():
        raise SaleRefused("delivery.reason")
    accepted, rest = _consume(list(lot), received)
    rejected, _rest = _consume(rest, sent - received)
    return DeliveryPlan(sent, tuple(accepted), tuple(rejected))


def check_reason(text: str) -> str:
    cleaned = " ".join((text or "").split())
    if not 3 <= len(cleaned) <= MAX_REASON:
        raise SaleRefused("delivery.reason")
    return cleaned


def plan_close(lot: Sequence[Held], closed: bool) -> list[Piece]:
    """Closing a sale short: every piece of the lot with kilos left gives them back whole,
    with all of its remaining cost (so the cost of the lot is neither split nor lost).
    Refused: a sale closed already (sale.closed), a lot all delivered (sale.all_delivered:
    there is nothing to close)."""
    if closed:
        raise SaleRefused("sale.closed")
    pieces = [Piece(h.id, h.quantity, h.cost) for h in lot if h.quantity > 0]
    if not pieces:
        raise SaleRefused("sale.all_delivered")
    return pieces


# --- invoices and payments ------------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceLine:
    delivery_id: int
    quantity: Decimal  # accepted, in the base unit
    price_rupiah: int  # per base unit, the contract's less the delivery's cut
    amount_rupiah: int
    cut_rupiah: int = 0  # rafaksi per base unit by the buyer's readings


def check_cut(price_rupiah: int, cut_rupiah: int) -> None:
    """A delivery whose cut takes the whole contract price is refused: those kilos are a
    rejection (back to stock), not a sale for nothing that could never be invoiced."""
    if cut_rupiah >= price_rupiah:
        raise SaleRefused("delivery.cut_above_price")


def price_less_cut(price_rupiah: int, cut_rupiah: int) -> int:
    """What the buyer pays per base unit for a delivery cut by ``cut_rupiah`` (rafaksi by the
    buyer's readings): the contract price less the cut, never below zero."""
    return max(0, price_rupiah - cut_rupiah)


def invoice_lines(
    price_rupiah: int, accepted: Sequence[tuple[int, Decimal] | tuple[int, Decimal, int]]
) -> list[InvoiceLine]:
    """One line per delivery (its id, the kilos accepted, and the cut per base unit where
    the buyer's readings gave one), each kilos × (price − cut) rounded half up. Refused
    (invoice.nothing) when no line bills anything."""
    lines = []
    for delivery, quantity, *cut in accepted:
        if quantity > 0:
            cut_rupiah = cut[0] if cut else 0
            price = price_less_cut(price_rupiah, cut_rupiah)
            lines.append(
                InvoiceLine(delivery, quantity, price, amount_rupiah(price, quantity), cut_rupiah)
            )
    if not lines or not any(line.amount_rupiah for line in lines):
        raise SaleRefused("invoice.nothing")
    if sum(line.amount_rupiah for line in lines) > MAX_AMOUNT:
        raise SaleRefused("invoice.too_big", most=MAX_AMOUNT)
    return lines


def invoice_total(lines: Sequence[InvoiceLine]) -> int:
    """The sum of the lines (each already whole rupiah)."""
    return sum(line.amount_rupiah for line in lines)


def check_payment(total: int, paid: int, amount: int) -> int:
    """A payment of ``amount`` on an invoice of ``total`` with ``paid`` already received:
    refused when nothing is owed (invoice.paid: the second payment of a paid invoice) or
    when it is more than is owed (invoice.overpaid)."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise SaleRefused("payment.amount")
    owed = total - paid
    if owed <= 0:
        raise SaleRefused("invoice.paid")
    if amount > owed:
        raise SaleRefused("invoice.overpaid", owed=owed)
    return amount


def check_payment_reference(method: PaymentMethod | str, reference: str | None) -> str | None:
    """A transfer has its reference (3 to 60 letters); cash has none."""
    if PaymentMethod(method) is PaymentMethod.CASH:
        return None
    cleaned = " ".join((reference or "").split())
    if not 3 <= len(cleaned) <= MAX_PAYMENT_REFERENCE:
        raise SaleRefused("payment.reference")
    return cleaned


def sale_status(remaining: Decimal, uninvoiced: Decimal, owed: int) -> SaleStatus:
    """Where a sale stands: kilos left in the lot, accepted kilos not invoiced, rupiah owed."""
    if remaining > 0:
        return SaleStatus.OPEN
    if uninvoiced > 0:
        return SaleStatus.DELIVERED
    return SaleStatus.INVOICED if owed > 0 else SaleStatus.PAID


# Reasons the code writes in the ledger for sales (domain.ledger.coded_reason; read in each
# language by bot.ledger_reasons).
REASON_DELIVERED = "sale.delivered"  # sale (PJ-…), note (SJ/…), quantity, produce, grade
REASON_INVOICED = "sale.invoiced"  # sale, invoice (FKT/…), buyer
REASON_PAID_CASH = "sale.paid.cash"  # invoice
REASON_PAID_TRANSFER = "sale.paid.transfer"  # invoice, transfer


# --- numbers people read ------------------------------------------------------------------

SALE_PREFIX = "PJ"  # penjualan: the sale, and its lot
DELIVERY_PREFIX = "SJ"  # surat jalan
INVOICE_PREFIX = "FKT"  # faktur


def sale_number(sale_id: int) -> str:
    return f"{SALE_PREFIX}-{sale_id:04d}"


def document_number(prefix: str, year: int, sequence: int) -> str:
    """A delivery note's or an invoice's number, counted per cooperative per year:
    ``SJ/2026/0007``, ``FKT/2026/0012``."""
    return f"{prefix}/{year}/{sequence:04d}"
