"""Loan repayment rules: allocation (oldest first; penalty, jasa, pokok), penalty by started
month, payoff per method, arrears classes, the payroll split (wajib, loans, belanja, sukarela)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import loans as rules
from domain import payroll as P
from domain import repayments as R
from domain.savings import Month

FIRST = dt.date(2027, 1, 4)


def _dues(amount=1_200_000, tenor=12, rate_bp=100, method="flat") -> list[R.Due]:
    return [
        R.Due(i.number, i.due_on, i.principal, i.interest)
        for i in rules.schedule(amount, tenor, rate_bp, method, FIRST)
    ]


def test_a_payment_pays_the_oldest_installment_first_jasa_before_pokok():
    dues = _dues()  # each: pokok 100.000, jasa 12.000
    split = R.allocate(dues, 150_000, 0, dt.date(2027, 2, 10))
    assert [(a.number, a.interest, a.principal) for a in split.allocations] == [
        (1, 12_000, 100_000), (2, 12_000, 26_000),
    ]  # fmt: skip
    left = R.after(dues, split)
    assert left[0].settled and left[1].principal_owed == 74_000 and not left[1].settled


def test_the_penalty_comes_first_and_grows_by_started_month():
    due = _dues()[0]
    assert R.months_overdue(due.due_on, dt.date(2027, 1, 4)) == 0
    assert R.months_overdue(due.due_on, dt.date(2027, 1, 5)) == 1
    assert R.months_overdue(due.due_on, dt.date(2027, 2, 4)) == 1
    assert R.months_overdue(due.due_on, dt.date(2027, 2, 5)) == 2
    assert R.penalty_owed(due, 50, dt.date(2027, 2, 5)) == 1_120  # 112.000 × 0,5 % × 2
    split = R.allocate([due], 1_000, 50, dt.date(2027, 2, 5))
    assert (split.penalty, split.interest) == (1_000, 0)
    with pytest.raises(ValueError):
        R.allocate([due], 113_121, 50, dt.date(2027, 2, 5))  # more than owed


def test_payoff_flat_pays_all_jasa_annuity_only_the_current_month():
    today = dt.date(2027, 2, 20)  # two installments due, the third next month
    flat = R.payoff(_dues(), 0, "flat", today)
    assert (flat.principal, flat.interest) == (1_200_000, 144_000)
    annuity = _dues(method="annuity")
    split = R.payoff(annuity, 0, "annuity", today)
    assert split.principal == 1_200_000
    assert split.interest == sum(d.interest for d in annuity[:3])
    assert sum(a.waived_interest for a in split.allocations) == sum(d.interest for d in annuity[3:])
    assert R.all_paid(R.after(annuity, split))


@pytest.mark.parametrize(
    ("days", "cls"),
    [(0, R.Arrears.LANCAR), (1, R.Arrears.DPK), (90, R.Arrears.DPK),
     (91, R.Arrears.KURANG_LANCAR), (120, R.Arrears.KURANG_LANCAR), (121, R.Arrears.DIRAGUKAN),
     (180, R.Arrears.DIRAGUKAN), (181, R.Arrears.MACET)],
)  # fmt: skip
def test_arrears_classes(days, cls):
    assert R.arrears_class(days) is cls


def test_days_overdue_count_from_the_oldest_unpaid_installment():
    dues = _dues()
    assert R.days_overdue(dues, dt.date(2027, 1, 4)) == 0
    assert R.days_overdue(dues, dt.date(2027, 2, 14)) == 41
    paid = R.after(dues, R.allocate(dues, 112_000, 0, dt.date(2027, 2, 14)))
    assert R.days_overdue(paid, dt.date(2027, 2, 14)) == 10


def test_payroll_split_wajib_then_loans_then_belanja_then_sukarela():
    loan = P.LoanDues(7, tuple(_dues()), 0)
    month = Month(2027, 1)
    due = P.to_deduct(50_000, [loan], 30_000, month)
    assert (due.wajib, due.installments, due.belanja, due.total) == (
        50_000,
        112_000,
        30_000,
        192_000,
    )
    short = P.split(100_000, 50_000, [loan], 30_000, month)
    assert (short.wajib, short.loans[0][1].interest, short.loans[0][1].principal) == (
        50_000,
        12_000,
        38_000,
    )
    assert (short.belanja, short.sukarela) == (0, 0)
    over = P.split(250_000, 50_000, [loan], 30_000, month)
    assert (over.belanja, over.sukarela, over.total) == (30_000, 58_000, 250_000)


@given(
    amount=st.integers(100_000, 50_000_000), tenor=st.integers(1, 36),
    rate=st.integers(0, 300), method=st.sampled_from(list(rules.Method)),
    paid=st.integers(1, 10**9),
)  # fmt: skip
def test_any_payment_is_allocated_exactly_and_never_beyond_an_installment(
    amount, tenor, rate, method, paid
):
    dues = _dues(amount, tenor, rate, method)
    today = dt.date(2027, 6, 1)
    paid = min(paid, R.owed(dues, 0, today))
    split = R.allocate(dues, paid, 0, today)
    assert split.total == paid
    left = R.after(dues, split)
    assert all(d.principal_owed >= 0 and d.interest_owed >= 0 for d in left)
    assert R.owed(left, 0, today) == R.owed(dues, 0, today) - paid
