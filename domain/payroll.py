"""Payroll deduction (issue 19): what the employer deducts from a member's pay for a month, and
how what it actually deducted is split. Pure rules, whole rupiah.

**To deduct** for a month: the wajib of that month (the savings rate in force), every loan's
installments due by the month's end (arrears and penalty included), and what the member owes
the cooperative for goods (*belanja*).

**Split** of what was deducted, in this order: wajib, then each loan (oldest loan first; within
a loan oldest installment first, penalty, jasa, pokok: :func:`domain.repayments.allocate`),
then belanja; a short deduction leaves the rest owed (arrears), an overpayment goes to the
member's sukarela savings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from domain import repayments as R
from domain.savings import Month

#: The most one member's pay may have deducted in a month: above it a row is a typo.
MAX_DEDUCTION = 100_000_000


def month_end(month: Month) -> dt.date:
    return month.plus(1).first_day() - dt.timedelta(days=1)


@dataclass(frozen=True)
class LoanDues:
    loan_id: int
    dues: tuple[R.Due, ...]
    penalty_bp: int

    def owed_in(self, month: Month) -> int:
        """Installments due by the month's end and their penalty (as of that day)."""
        end = month_end(month)
        return R.owed_by(list(self.dues), self.penalty_bp, end, end)


@dataclass(frozen=True)
class ToDeduct:
    wajib: int
    loans: tuple[tuple[int, int], ...]  # (loan id, what is due of it by the month's end)
    belanja: int

    @property
    def installments(self) -> int:
        return sum(amount for _, amount in self.loans)

    @property
    def total(self) -> int:
        return self.wajib + self.installments + self.belanja


def to_deduct(wajib: int, loans: list[LoanDues], belanja: int, month: Month) -> ToDeduct:
    due = tuple((loan.loan_id, loan.owed_in(month)) for loan in sorted(loans, key=_by_id))
    return ToDeduct(wajib, tuple(d for d in due if d[1]), max(0, belanja))


def _by_id(loan: LoanDues) -> int:
    return loan.loan_id


@dataclass(frozen=True)
class Deducted:
    wajib: int
    loans: tuple[tuple[int, R.Split], ...]  # (loan id, its split)
    belanja: int
    sukarela: int

    @property
    def total(self) -> int:
        paid = sum(split.total for _, split in self.loans)
        return self.wajib + paid + self.belanja + self.sukarela


def split(amount: int, wajib: int, loans: list[LoanDues], belanja: int, month: Month) -> Deducted:
    """What ``amount`` deducted in ``month`` pays (the order above); ``wajib`` is 0 when the
    month's wajib is already paid."""
    if amount < 0:
        raise ValueError("a deduction is not negative")
    end, left = month_end(month), amount
    to_wajib = min(left, wajib)
    left -= to_wajib
    paid = []
    for loan in sorted(loans, key=_by_id):
        part = min(left, loan.owed_in(month))
        if part:
            paid.append((loan.loan_id, R.allocate(list(loan.dues), part, loan.penalty_bp, end)))
            left -= part
    to_belanja = min(left, max(0, belanja))
    return Deducted(to_wajib, tuple(paid), to_belanja, left - to_belanja)
