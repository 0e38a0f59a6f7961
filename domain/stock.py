"""Stock in warehouses: pure rules (no database).

Quantities are exact Decimals in the commodity's base unit, stored as canonical text
(:func:`text`: ``1500``, ``12.5``, zero as ``0``). Cost travels with the kilos: a part of a
batch carries its share of the batch's cost, whole rupiah, and the last kilo carries the
rest, so a batch emptied in parts gives away exactly its cost (:func:`cost_share`).
Drying, processing and sorting make a new batch that carries the cost of what they took;
the kilos lost on the way (water, husk, transport) raise the cost per kg, they are not a
loss in the books. A loss with a reason is written off (ledger ``stock:loss:<move_id>``).
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import StrEnum

from domain import N_
from domain.money import parse_rupiah
from domain.people import InvalidInput

ZERO = Decimal(0)
#: Traceability shares are kept to the gram (the base unit's thousandth).
GRAM = Decimal("0.001")
#: What processing turns a commodity into (gabah → beras); drying and sorting keep it.
PROCESSED_INTO = {"gabah": "beras"}
#: The most one move may hold, in base units: a typo with extra zeros is refused.
MAX_MOVE = Decimal(10_000_000)
MAX_REASON = 200
#: The most a drying or processing fee paid at once (as a desk entry): a typo is refused.
MAX_FEE = 100_000_000


class MoveKind(StrEnum):
    ARRIVAL = "arrival"
    DRYING = "drying"
    PROCESSING = "processing"
    SORTING = "sorting"
    LOSS = "loss"


class StockRefused(InvalidInput):
    """A move the rules refuse; ``reason`` is a key of :data:`REASONS`."""


REASONS = {
    "stock.zero": N_("The amount must be more than zero. Type the amount in kg, for example 500."),
    "stock.too_big": N_("That amount is too large. Type the amount in kg, for example 500."),
    "stock.heavier": N_("That is more than was weighed at the pickup. Type the weight at the warehouse, for example 480."),
    "stock.yield": N_("The result cannot weigh more than what went in. Type the weight after, for example 850."),
    "stock.same": N_("Choose another grade than the one it has now."),
    "stock.reason": N_("A reason is 3 to 200 letters long."),
    "stock.no_processing": N_("This produce is not processed here. Choose drying or sorting."),
    "stock.fee": N_("Type the fee in rupiah, for example 150.000, or 0 if none was paid."),
    "stock.fee_too_high": N_("That fee is too high. One fee is at most Rp100.000.000."),
    "stock.not_enough": N_("There is not that much in the warehouse. Type a smaller amount."),
}  # fmt: skip


def text(quantity: Decimal) -> str:
    """The stored form: ``Decimal("1500.000")`` → ``1500``, ``12.50`` → ``12.5``, ``0`` → ``0``."""
    if quantity == 0:
        return "0"
    integral = quantity.to_integral_value()
    if quantity == integral:
        return str(integral.quantize(Decimal(1)))
    return format(quantity.normalize(), "f")


def check_quantity(quantity: Decimal) -> Decimal:
    if quantity <= 0:
        raise StockRefused("stock.zero")
    if quantity > MAX_MOVE:
        raise StockRefused("stock.too_big")
    return quantity


def cost_share(cost: int, quantity: Decimal, taken: Decimal) -> int:
    """The cost of ``taken`` of a batch holding ``quantity`` at ``cost``: in proportion, whole
    rupiah half up; all of it when the batch is emptied (nothing is left over)."""
    if taken > quantity:
        raise ValueError("taken more than the batch holds")
    if taken == quantity:
        return cost
    share = (Decimal(cost) * taken / quantity).quantize(Decimal(1), ROUND_HALF_UP)
    return min(int(share), cost)


def cost_per_unit(cost: int, quantity: Decimal) -> int:
    """What a unit of a batch costs now (whole rupiah, half up): shown, never booked."""
    return int((Decimal(cost) / quantity).quantize(Decimal(1), ROUND_HALF_UP))


def split(total: Decimal, weights: list[Decimal], quantum: Decimal = GRAM) -> list[Decimal]:
    """``total`` shared in proportion to ``weights``, each share a multiple of ``quantum``
    and the shares summing exactly to ``total`` (largest remainder)."""
    whole = sum(weights, ZERO)
    if whole <= 0:
        raise ValueError("nothing to share by")
    exact = [total * w / whole for w in weights]
    shares = [e.quantize(quantum, ROUND_DOWN) for e in exact]
    left = int(((total - sum(shares, ZERO)) / quantum).to_integral_value(ROUND_HALF_UP))
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[:left]:
        shares[i] += quantum
    return shares


def shrink(picked: Decimal, arrived: Decimal) -> Decimal:
    """Transport shrink (susut): weighed at the pickup less weighed at the warehouse. The
    warehouse's weight must be more than zero and not above the pickup's."""
    check_quantity(arrived)
    if arrived > picked:
        raise StockRefused("stock.heavier")
    return picked - arrived


def yield_of(taken: Decimal, made: Decimal) -> Decimal:
    """The yield (rendemen) of drying or processing, as a fraction: refused when nothing was
    made or more came out than went in."""
    check_quantity(made)
    if made > taken:
        raise StockRefused("stock.yield")
    return made / taken


def percent(fraction: Decimal) -> Decimal:
    """``0.865`` → ``86.5`` (one decimal, half up), to show a yield or a shrink."""
    return (fraction * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)


def check_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if len(reason) < 3 or len(reason) > MAX_REASON:
        raise StockRefused("stock.reason")
    return reason


def output_commodity(kind: MoveKind, commodity: str) -> str:
    """What a move makes: processing turns gabah into beras; drying and sorting keep it."""
    if kind is MoveKind.PROCESSING:
        made = PROCESSED_INTO.get(commodity)
        if made is None:
            raise StockRefused("stock.no_processing")
        return made
    return commodity


def check_output(
    kind: MoveKind, commodity: str, grade: str, out_commodity: str, out_grade: str
) -> None:
    """Drying and sorting change the grade (to another one); processing makes its product."""
    if kind in (MoveKind.DRYING, MoveKind.SORTING) and (out_commodity, out_grade) == (
        commodity,
        grade,
    ):
        raise StockRefused("stock.same")
    if kind in (MoveKind.ARRIVAL, MoveKind.LOSS):
        raise ValueError(f"{kind} makes no batch")


def parse_fee(text: str) -> int:
    """A fee paid in cash for drying or processing, whole rupiah, 0 when none."""
    fee = parse_rupiah(text, allow_zero=True, reason="stock.fee", too_high="stock.fee_too_high")
    if fee > MAX_FEE:
        raise StockRefused("stock.fee_too_high")
    return fee
