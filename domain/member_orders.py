"""A union member's order in a hub's order cycle (issue 18): the rules, without I/O.

A member of a union cooperative orders goods of their hub's open cycle for pickup at their
PUK (the organisation they belong to), and pays one of two ways:

- **sukarela**: from their voluntary savings. At the order the total is checked against what
  is *available* (the sukarela balance minus what their other live orders already hold) and
  held; the hold is the live order itself, so a change moves it and a cancel releases it. At
  the pickup one entry posts it: debit the member's sukarela, credit each supplier's payable
  with the goods and the hub's fee income with the fees.
- **payroll** (potong gaji next month): allowed only when the roster knows the member's
  take-home pay, and what they would then owe on payroll for goods (this order, their other
  live payroll orders and what ``receivable:member`` still holds) is at most
  :data:`PAYROLL_SHARE_BP` of it. At the pickup: debit ``receivable:member:<roster>``, the
  same credits; the payroll export collects it.

Choices, said once here: the cycle's minimum order is a cooperative's and does not bind a
member (a member orders a sack of rice, not a truck); one member's order is at most
:data:`MAX_ORDER` (the ceiling); quantities and stock are the cycle's own rules
(domain.cycles), the stock shared with the cooperatives' orders.
"""

from __future__ import annotations

from enum import StrEnum

from domain import ledger as L
from domain.cycles import Line, Totals, totals

#: One member's order at most (goods and fees): a month of sembako for a family is far less.
MAX_ORDER = 5_000_000
#: What a member may owe on payroll for goods, as basis points of their take-home pay: 30 %.
PAYROLL_SHARE_BP = 3_000
BP = 10_000
#: The ledger reason of a member's pickup: number (PSN-…), pay (sukarela or payroll).
REASON_PICKUP = "cycle.member_pickup"


class PayBy(StrEnum):
    SUKARELA = "sukarela"
    PAYROLL = "payroll"


class PaymentRefused(Exception):
    """The order cannot be paid that way: ``reason`` is ``sukarela`` (``available``: the
    sukarela not held), ``take_home`` (the roster has no take-home pay), ``payroll``
    (``room``: what may still go on payroll) or ``ceiling`` (over :data:`MAX_ORDER`)."""

    def __init__(self, reason: str, *, available: int = 0, room: int = 0, total: int = 0):
        super().__init__(reason)
        self.reason, self.available, self.room, self.total = reason, available, room, total


def check_ceiling(found: Totals) -> None:
    if found.total > MAX_ORDER:
        raise PaymentRefused("ceiling", total=found.total)


def available_sukarela(balance: int, held: int) -> int:
    """What a member may still spend or withdraw of their sukarela: the balance less holds."""
    return max(balance - held, 0)


def check_sukarela(total: int, balance: int, held_by_others: int) -> None:
    available = available_sukarela(balance, held_by_others)
    if total > available:
        raise PaymentRefused("sukarela", available=available, total=total)


def payroll_room(take_home: int, owed: int) -> int:
    """What may still go on payroll: the share of the take-home pay less what is owed."""
    return max(take_home * PAYROLL_SHARE_BP // BP - owed, 0)


def check_payroll(total: int, take_home: int | None, owed_by_others: int) -> None:
    if not take_home:
        raise PaymentRefused("take_home", total=total)
    room = payroll_room(take_home, owed_by_others)
    if total > room:
        raise PaymentRefused("payroll", room=room, total=total)


def check_payment(pay_by: PayBy, total: int, *, balance: int, held: int, take_home: int | None,
                  payroll_owed: int) -> None:  # fmt: skip
    """Whether ``total`` may be paid by ``pay_by`` (the member's other orders already counted
    in ``held`` and ``payroll_owed``); PaymentRefused otherwise."""
    if pay_by is PayBy.SUKARELA:
        check_sukarela(total, balance, held)
    else:
        check_payroll(total, take_home, payroll_owed)


def hold_reference(order_id: int) -> str:
    """The hold's reference, and the ledger reference its posting at the pickup takes (so a
    replayed or double-tapped pickup posts once)."""
    return f"member-order:{order_id}"


def pickup_lines(pay_by: PayBy, roster_id: int, hub_id: int,
                 lines: list[tuple[int, Line]]) -> list[L.Line]:  # fmt: skip
    """The pickup's entry: the member pays the total (sukarela or what they owe on payroll),
    each supplier is owed its goods, the hub earns its fees. ``lines`` are (supplier id,
    line) pairs."""
    paid_from = (
        L.member_savings(roster_id, L.SavingsKind.SUKARELA)
        if pay_by is PayBy.SUKARELA
        else L.member_receivable(roster_id)
    )
    found = totals([line for _supplier, line in lines])
    entry = [L.debit(paid_from, found.total)]
    by_supplier: dict[int, int] = {}
    for supplier_id, line in lines:
        by_supplier[supplier_id] = by_supplier.get(supplier_id, 0) + line.goods
    entry += [
        L.credit(L.supplier_payable(s), goods) for s, goods in sorted(by_supplier.items()) if goods
    ]
    if found.fees:
        entry.append(L.credit(L.hub_fees(hub_id), found.fees))
    return entry
