"""Loan repayment (issue 19): what is owed per installment, how a payment is allocated, the
penalty (denda), early payoff (pelunasan) and the arrears class. Pure rules, whole rupiah.

**Allocation.** A payment pays the oldest installment first; within one installment the
penalty first, then jasa, then pokok; what is left goes to the next installment (paying
ahead is allowed). A payment is never more than what is owed (the caller refuses it).

**Penalty.** ``penalty_bp`` of the product per month, or part of one, that an installment is
overdue, on what is unpaid of its pokok and jasa, rounded half up. An installment whose pokok
and jasa are paid owes no more penalty (its penalty was paid first, at the time).

**Payoff** (*pelunasan*): all remaining pokok, the penalty owed, the jasa of installments due
by today, and the jasa of the current month (the next installment) only for annuity and
declining loans (their jasa is on what is still owed, which the payoff ends); a flat loan
pays all its remaining jasa (its jasa was fixed on the original pokok). The jasa not charged
is waived.

**Arrears class** by the days the oldest unpaid installment is overdue: *lancar* 0, *dalam
perhatian khusus* 1–90, *kurang lancar* 91–120, *diragukan* 121–180, *macet* over 180.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from enum import StrEnum
from fractions import Fraction

from domain import N_
from domain.loans import BP, Method, half_up

#: A member is reminded of an installment this many days before it is due (in their zone).
REMIND_DAYS_BEFORE = 3


class Source(StrEnum):
    PAYROLL = "payroll"
    COUNTER = "counter"
    PAYOFF = "payoff"


@dataclass(frozen=True)
class Due:
    """One installment: its schedule and what is paid of it."""

    number: int
    due_on: dt.date
    principal: int
    interest: int
    principal_paid: int = 0
    interest_paid: int = 0
    penalty_paid: int = 0
    interest_waived: int = 0

    @property
    def principal_owed(self) -> int:
        return self.principal - self.principal_paid

    @property
    def interest_owed(self) -> int:
        return self.interest - self.interest_paid - self.interest_waived

    @property
    def settled(self) -> bool:
        return self.principal_owed == 0 and self.interest_owed == 0


def months_overdue(due_on: dt.date, today: dt.date) -> int:
    """Started months past the due date: a day late is one, a month and a day two."""
    if today <= due_on:
        return 0
    months = (today.year - due_on.year) * 12 + today.month - due_on.month
    return months + (today.day > due_on.day) if months else 1


def penalty_owed(due: Due, penalty_bp: int, today: dt.date) -> int:
    if due.settled or not penalty_bp:
        return 0
    unpaid = due.principal_owed + due.interest_owed
    accrued = half_up(Fraction(unpaid * penalty_bp * months_overdue(due.due_on, today), BP))
    return max(0, accrued - due.penalty_paid)


@dataclass(frozen=True)
class Allocation:
    number: int
    principal: int = 0
    interest: int = 0
    penalty: int = 0
    waived_interest: int = 0

    @property
    def total(self) -> int:
        return self.principal + self.interest + self.penalty


@dataclass(frozen=True)
class Split:
    """A payment as allocated: per installment, and summed."""

    allocations: tuple[Allocation, ...]

    @property
    def principal(self) -> int:
        return sum(a.principal for a in self.allocations)

    @property
    def interest(self) -> int:
        return sum(a.interest for a in self.allocations)

    @property
    def penalty(self) -> int:
        return sum(a.penalty for a in self.allocations)

    @property
    def total(self) -> int:
        return self.principal + self.interest + self.penalty


def owed(dues: list[Due], penalty_bp: int, today: dt.date) -> int:
    """Everything still owed on the loan: pokok, jasa and the penalty to date."""
    return sum(
        d.principal_owed + d.interest_owed + penalty_owed(d, penalty_bp, today) for d in dues
    )


def owed_by(dues: list[Due], penalty_bp: int, today: dt.date, through: dt.date) -> int:
    """What is owed of the installments due on or before ``through`` (arrears included)."""
    return owed([d for d in dues if d.due_on <= through], penalty_bp, today)


def allocate(dues: list[Due], amount: int, penalty_bp: int, today: dt.date) -> Split:
    """``amount`` over the installments, oldest first; within one penalty, jasa, pokok.
    ValueError when it is more than everything owed."""
    if amount <= 0 or amount > owed(dues, penalty_bp, today):
        raise ValueError("a payment is more than zero and at most what is owed")
    left, found = amount, []
    for due in sorted(dues, key=lambda d: d.number):
        if left == 0:
            break
        penalty = min(left, penalty_owed(due, penalty_bp, today))
        interest = min(left - penalty, due.interest_owed)
        principal = min(left - penalty - interest, due.principal_owed)
        if penalty or interest or principal:
            found.append(Allocation(due.number, principal, interest, penalty))
            left -= penalty + interest + principal
    return Split(tuple(found))


def payoff(dues: list[Due], penalty_bp: int, method: Method | str, today: dt.date) -> Split:
    """The early payoff as of ``today`` (see the rule above): every installment's pokok and
    penalty, the jasa the rule charges, the rest of the jasa waived."""
    method, found, current_seen = Method(method), [], False
    for due in sorted(dues, key=lambda d: d.number):
        if due.settled:
            continue
        charged = due.due_on <= today or method is Method.FLAT
        if not charged and not current_seen:  # the current month's jasa
            charged, current_seen = True, True
        interest = due.interest_owed if charged else 0
        found.append(Allocation(
            due.number, due.principal_owed, interest, penalty_owed(due, penalty_bp, today),
            due.interest_owed - interest,
        ))  # fmt: skip
    return Split(tuple(found))


def paid_with(due: Due, allocation: Allocation) -> Due:
    return replace(
        due, principal_paid=due.principal_paid + allocation.principal,
        interest_paid=due.interest_paid + allocation.interest,
        penalty_paid=due.penalty_paid + allocation.penalty,
        interest_waived=due.interest_waived + allocation.waived_interest,
    )  # fmt: skip


def after(dues: list[Due], split: Split) -> list[Due]:
    """The installments once ``split`` is paid."""
    by_number = {a.number: a for a in split.allocations}
    return [paid_with(d, by_number[d.number]) if d.number in by_number else d for d in dues]


def all_paid(dues: list[Due]) -> bool:
    return all(d.settled for d in dues)


# --- arrears ---------------------------------------------------------------------------------


class Arrears(StrEnum):
    LANCAR = "lancar"
    DPK = "dpk"  # dalam perhatian khusus
    KURANG_LANCAR = "kurang_lancar"
    DIRAGUKAN = "diragukan"
    MACET = "macet"


ARREARS_WORDS = {
    Arrears.LANCAR: N_("current (lancar)"),
    Arrears.DPK: N_("special mention (dalam perhatian khusus)"),
    Arrears.KURANG_LANCAR: N_("substandard (kurang lancar)"),
    Arrears.DIRAGUKAN: N_("doubtful (diragukan)"),
    Arrears.MACET: N_("loss (macet)"),
}

#: (the most days overdue, the class), in order; above the last is macet.
_CLASSES = ((0, Arrears.LANCAR), (90, Arrears.DPK), (120, Arrears.KURANG_LANCAR),
            (180, Arrears.DIRAGUKAN))  # fmt: skip


def days_overdue(dues: list[Due], today: dt.date) -> int:
    """Days since the oldest installment not settled fell due (0 when none is overdue)."""
    late = [d.due_on for d in dues if not d.settled and d.due_on < today]
    return (today - min(late)).days if late else 0


def arrears_class(days: int) -> Arrears:
    return next((cls for most, cls in _CLASSES if days <= most), Arrears.MACET)
