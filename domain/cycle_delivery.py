"""After an order cycle's close (issue 18, distribution): the **count step** at delivery, the
**invoice** per cooperative on what arrived, and the **payments** (a cooperative paying the
hub, the hub paying a supplier). Pure rules; storage.cycle_delivery keeps them.

Choices, said once here:

- An officer of the village cooperative confirms what arrived per line, never more than was
  ordered. A shortfall is credited, not billed: the invoice is on received units only (goods
  at the supplier's price and the hub's fee apart), the missing units shown as credited.
- The invoice is due :data:`DUE_DAYS` days after the count (set here, one place).
- At the count one ledger entry (``cycle-order:<id>:invoiced``): Dr ``receivable:coop:<village>``
  the total, Cr ``payable:supplier:<s>`` the goods per supplier, Cr ``hubfees:<hub>`` the fees.
- A payment is never more than what is still owed (refused with that figure), and the same
  transfer reference is recorded once.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from domain import N_
from domain import ledger as L
from domain.cycles import MAX_LINE, Line, parse_quantity
from domain.people import InvalidInput

DUE_DAYS = 14  # an invoice is due 14 days after the count
MAX_PAYMENT = 10**13  # one transfer: far above any cycle's invoice, below the ledger's ceiling
MAX_REFERENCE = 60  # a transfer reference as a bank prints it
WORDS_ALL = frozenset({"semua", "semuanya", "all", "sesuai", "lengkap"})

REASON_INVOICED = "cycle.invoiced"  # invoice (FKT/…), order (PSN-…)
REASON_PAID = "cycle.paid"  # invoice, transfer
REASON_SUPPLIER_PAID = "cycle.supplier_paid"  # supplier (name), transfer

REASONS = {
    "count.more": N_("Only {ordered} were ordered. Type at most {ordered}, or 0 if none came."),
    "count.quantity": N_("I could not read that number. Type a whole number, for example 8."),
    "pay.amount": N_("Type the amount in whole rupiah, for example 500.000."),
    "pay.reference": N_("Type the transfer reference as the bank shows it, 3 to 60 characters."),
}


class PaymentRefused(Exception):
    """A payment the books cannot take: ``reason`` ``more`` (``owed``: what is still owed),
    ``reference`` (the reference names another payment), ``state`` (nothing to pay yet)."""

    def __init__(self, reason: str, owed: int = 0) -> None:
        super().__init__(reason)
        self.reason, self.owed = reason, owed


@dataclass(frozen=True)
class Counted:
    """A line as counted: what was ordered and what arrived, at its price and fee."""

    line: Line
    received: int
    supplier_id: int

    @property
    def missing(self) -> int:
        return self.line.quantity - self.received

    @property
    def goods(self) -> int:
        return self.received * self.line.price_rupiah

    @property
    def fees(self) -> int:
        return self.received * self.line.fee_rupiah

    @property
    def credited(self) -> int:
        return self.missing * (self.line.price_rupiah + self.line.fee_rupiah)


@dataclass(frozen=True)
class Bill:
    goods: int
    fees: int
    credited: int
    by_supplier: dict[int, int]  # supplier id → goods received from it

    @property
    def total(self) -> int:
        return self.goods + self.fees


def bill(counted: list[Counted]) -> Bill:
    """The invoice's figures: goods and fees on received units, the shortfall credited."""
    by_supplier: dict[int, int] = {}
    for c in counted:
        by_supplier[c.supplier_id] = by_supplier.get(c.supplier_id, 0) + c.goods
    return Bill(
        sum(c.goods for c in counted), sum(c.fees for c in counted),
        sum(c.credited for c in counted), by_supplier,
    )  # fmt: skip


def check_received(received: int, ordered: int) -> int:
    """InvalidInput ``count.more`` when more arrived than was ordered."""
    if not 0 <= received <= ordered:
        raise InvalidInput("count.more")
    return received


def parse_received(text: str, unit: str, ordered: int) -> int:
    """What arrived of a line, as people write it: ``8``, ``8 karung``, ``0``, or ``semua``
    (all as ordered). InvalidInput ``count.quantity`` / ``count.more`` / ``cycle.unit``."""
    cleaned = unicodedata.normalize("NFKC", text or "").strip().lower()
    if cleaned in WORDS_ALL:
        return ordered
    if cleaned.split()[:1] == ["0"]:  # none came
        return 0
    try:
        found = parse_quantity(cleaned, unit)
    except InvalidInput as exc:
        if exc.reason == "cycle.too_many":
            raise InvalidInput("count.more") from None
        raise InvalidInput(
            "count.quantity" if exc.reason == "cycle.quantity" else exc.reason
        ) from None
    return check_received(found, min(ordered, MAX_LINE))


def check_amount(amount: int, owed: int) -> int:
    """A payment above zero and never more than ``owed`` (PaymentRefused ``more``)."""
    if owed <= 0:
        raise PaymentRefused("state")
    if not 0 < amount <= MAX_PAYMENT:
        raise InvalidInput("pay.amount")
    if amount > owed:
        raise PaymentRefused("more", owed)
    return amount


def check_reference(text: str) -> str:
    cleaned = " ".join(unicodedata.normalize("NFKC", text or "").split())
    if not 3 <= len(cleaned) <= MAX_REFERENCE:
        raise InvalidInput("pay.reference")
    return cleaned


def invoice_lines(bill_: Bill, org_id: int, hub_id: int) -> list[L.Line]:
    """The count's ledger lines: the cooperative owes the total, each supplier is owed its
    goods, the hub earns its fees (zero lines left out)."""
    lines = [L.debit(L.coop_receivable(org_id), bill_.total)]
    lines += [
        L.credit(L.supplier_payable(s), goods)
        for s, goods in sorted(bill_.by_supplier.items())
        if goods
    ]
    if bill_.fees:
        lines.append(L.credit(L.hub_fees(hub_id), bill_.fees))
    return lines
