"""Loan schedules and the checks of an application (domain.loans): Hypothesis properties over
amounts, tenors, rates and methods, and the refusals with what would be allowed."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import loans as L
from domain.people import InvalidInput

DAY = dt.date(2026, 12, 4)
amounts = st.integers(min_value=L.MIN_AMOUNT, max_value=10**11)
tenors = st.integers(min_value=1, max_value=L.MAX_TENOR)
rates = st.integers(min_value=0, max_value=L.MAX_RATE_BP)
methods = st.sampled_from(list(L.Method))


def product(**changes) -> L.Product:
    base = dict(name="Pinjaman Umum", max_amount=20_000_000, max_tenor=24, rate_bp=100,
                method=L.Method.FLAT, fee_rupiah=10_000, fee_bp=100, min_member_months=6,
                max_share_bp=3_000)  # fmt: skip
    return L.Product(**(base | changes))


@settings(max_examples=300, deadline=None)
@given(amounts, tenors, rates, methods)
def test_a_schedule_sums_exactly_to_pokok_plus_jasa(amount, tenor, rate, method):
    rows = L.schedule(amount, tenor, rate, method, DAY)
    assert len(rows) == tenor
    assert sum(r.principal for r in rows) == amount
    assert sum(r.total for r in rows) == amount + sum(r.interest for r in rows)
    assert all(r.principal >= 0 and r.interest >= 0 for r in rows)
    assert rows[-1].balance_after == 0
    assert [r.number for r in rows] == list(range(1, tenor + 1))
    assert all(a.due_on < b.due_on for a, b in zip(rows, rows[1:], strict=False))


@settings(max_examples=300, deadline=None)
@given(amounts, tenors, rates, methods)
def test_jasa_is_the_methods_figure_to_within_the_rounding(amount, tenor, rate, method):
    """The total jasa differs from the exact figure only by the rounding of each month."""
    r = Fraction(rate, L.BP)
    interest = sum(row.interest for row in L.schedule(amount, tenor, rate, method, DAY))
    if method is L.Method.FLAT:
        assert interest == L.half_up(amount * r * tenor)
    elif method is L.Method.DECLINING:
        # pokok in equal parts: jasa on the balance before each month
        part = Fraction(amount, tenor)
        exact = sum((amount - part * k) * r for k in range(tenor))
        assert abs(interest - exact) <= tenor * (1 + tenor * r) + 1  # floored parts: balance higher
    else:
        exact = 0 if rate == 0 else tenor * (amount * r / (1 - (1 + r) ** -tenor)) - amount
        # each month's rounding (at most Rp1) grows with jasa on it until the last month
        grown = tenor if rate == 0 else ((1 + r) ** tenor - 1) / r
        assert abs(interest - exact) <= 2 * grown + tenor


@settings(max_examples=200, deadline=None)
@given(amounts, st.integers(min_value=2, max_value=L.MAX_TENOR), st.integers(1, L.MAX_RATE_BP))
def test_the_annuity_pays_one_installment_but_the_last(amount, tenor, rate):
    rows = L.schedule(amount, tenor, rate, L.Method.ANNUITY, DAY)
    assert len({r.total for r in rows[:-1]}) == 1
    r = Fraction(rate, L.BP)
    assert abs(rows[-1].total - rows[0].total) <= 2 * ((1 + r) ** tenor - 1) / r + tenor


@settings(max_examples=200, deadline=None)
@given(amounts, tenors, rates)
def test_declining_installments_never_go_up_but_the_last(amount, tenor, rate):
    rows = L.schedule(amount, tenor, rate, L.Method.DECLINING, DAY)
    totals = [r.total for r in rows[:-1]]
    assert all(a >= b for a, b in zip(totals, totals[1:], strict=False))


def test_a_flat_schedule_by_hand():
    rows = L.schedule(1_000_000, 3, 150, "flat", DAY)
    # jasa 1,5 % of Rp1.000.000 = Rp15.000 a month; pokok 333.333, the last 333.334
    assert [(r.principal, r.interest) for r in rows] == [
        (333_333, 15_000), (333_333, 15_000), (333_334, 15_000)
    ]  # fmt: skip
    assert [r.due_on for r in rows] == [
        dt.date(2026, 12, 4),
        dt.date(2027, 1, 4),
        dt.date(2027, 2, 4),
    ]


def test_an_annuity_by_hand():
    rows = L.schedule(1_200_000, 12, 100, "annuity", DAY)
    # 1 % a month: 1.200.000 × 0,01 / (1 − 1,01^−12) = 106.618,55 → Rp106.619
    assert rows[0].total == 106_619
    assert rows[0].interest == 12_000
    assert sum(r.principal for r in rows) == 1_200_000


def test_the_due_day_stays_in_short_months():
    assert L.add_months(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 28)
    assert L.add_months(dt.date(2027, 12, 15), 1) == dt.date(2028, 1, 15)


def test_the_fee_is_fixed_plus_a_share():
    assert product().fee(5_000_000) == 10_000 + 50_000
    assert L.fee(1_234_550, 0, 10) == 1_235  # 1.234,55 half up


def test_refusals_say_what_would_be_allowed():
    p = product()
    member = L.Applicant(joined_on=dt.date(2025, 1, 1), take_home=4_000_000)
    with pytest.raises(L.LoanRefused) as over:
        L.check(p, member, 25_000_000, 12, DAY)
    assert (over.value.reason, over.value.most) == ("loan.over_max", 20_000_000)
    with pytest.raises(L.LoanRefused) as tenor:
        L.check(p, member, 5_000_000, 36, DAY)
    assert (tenor.value.reason, tenor.value.months) == ("loan.tenor", 24)
    new = L.Applicant(joined_on=dt.date(2026, 9, 10), take_home=4_000_000)
    with pytest.raises(L.LoanRefused) as young:
        L.check(p, new, 5_000_000, 12, DAY)
    assert (young.value.reason, young.value.months) == ("loan.membership", 4)
    with pytest.raises(L.LoanRefused) as unknown:
        L.check(p, L.Applicant(dt.date(2025, 1, 1), None), 5_000_000, 12, DAY)
    assert unknown.value.reason == "loan.pay_unknown"
    with pytest.raises(L.LoanRefused) as second:
        L.check(p, L.Applicant(dt.date(2025, 1, 1), 4_000_000, active_loans=1), 1_000_000, 12, DAY)
    assert second.value.reason == "loan.one_at_a_time"
    L.check(
        product(top_up=True), L.Applicant(dt.date(2025, 1, 1), 4_000_000, 1), 1_000_000, 12, DAY
    )


def test_the_installment_share_gives_the_largest_amount_for_the_tenor():
    p = product()
    member = L.Applicant(joined_on=dt.date(2025, 1, 1), take_home=2_500_000)  # 30 %: Rp750.000
    with pytest.raises(L.LoanRefused) as big:
        L.check(p, member, 15_000_000, 12, DAY)
    assert big.value.reason == "loan.installment"
    most = big.value.most
    assert most % L.SUGGEST_STEP == 0
    assert L.check(p, member, most, 12, DAY).largest <= 750_000
    with pytest.raises(L.LoanRefused):
        L.check(p, member, most + L.SUGGEST_STEP, 12, DAY)


@settings(max_examples=60, deadline=None)
@given(st.integers(500_000, 50_000_000), st.integers(1, 36), rates, methods,
       st.integers(0, 1_000_000), st.integers(0, 1_000))  # fmt: skip
def test_the_suggested_amount_always_passes(pay, tenor, rate, method, fee, fee_bp):
    p = product(max_amount=100_000_000, max_tenor=36, rate_bp=rate, method=method,
                fee_rupiah=fee, fee_bp=fee_bp)  # fmt: skip
    member = L.Applicant(joined_on=dt.date(2020, 1, 1), take_home=pay)
    room = L.installment_room(pay, p.max_share_bp, 0)
    most = L.most_for_pay(p, tenor, room, DAY)
    if most:
        assert L.check(p, member, most, tenor, DAY).amount == most


@pytest.mark.parametrize(
    ("text", "months"),
    [("12", 12), ("12 bulan", 12), ("1 tahun", 12), ("1,5 tahun", 18), ("setahun", 12),
     ("24 bln", 24), ("2 thn", 24), ("6 months", 6), ("1 year", 12)],
)  # fmt: skip
def test_tenors_as_people_write_them(text, months):
    assert L.parse_tenor(text) == months


@pytest.mark.parametrize("text", ["", "lama", "0", "1,3 tahun", "12 hari", "-3"])
def test_tenors_refused(text):
    with pytest.raises(InvalidInput):
        L.parse_tenor(text)


def test_a_product_with_a_fee_that_takes_everything_is_refused():
    with pytest.raises(L.ProductInvalid):
        L.check_product(product(max_amount=100_000, fee_rupiah=200_000))
    assert L.check_product(product()) == product()


def test_a_loan_the_fee_would_swallow_is_refused_with_the_smallest_that_pays_out():
    # a fixed fee of Rp200.000: Rp100.000 would pay out minus Rp100.000
    p = L.check_product(product(fee_rupiah=200_000, fee_bp=100))
    member = L.Applicant(joined_on=dt.date(2020, 1, 1), take_home=10_000_000)
    with pytest.raises(L.LoanRefused) as small:
        L.check(p, member, 150_000, 12, DAY)
    assert (small.value.reason, small.value.most) == ("loan.too_small", 203_000)
    # Rp202.021 is the first amount the fee leaves something of; said as a round thousand
    assert p.fee(202_021) < 202_021 and p.fee(202_020) >= 202_020
    assert L.check(p, member, 203_000, 12, DAY).amount == 203_000
    assert L.smallest_amount(product(fee_rupiah=0, fee_bp=0)) == L.MIN_AMOUNT


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**9), st.integers(0, 1_000))
def test_every_amount_from_the_smallest_pays_something_out(fee, fee_bp):
    p = product(max_amount=10**12, fee_rupiah=fee, fee_bp=fee_bp)
    smallest = L.smallest_amount(p)
    for amount in (smallest, smallest + 1, smallest * 3, 10**12):
        assert p.fee(amount) < amount


def test_who_may_approve():
    assert not L.may_approve(7, 7, frozenset())
    assert not L.may_approve(7, 8, frozenset({8}))
    assert L.may_approve(7, 9, frozenset({8}))
