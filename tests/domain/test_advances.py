"""Input advances, pure rules: the ceiling, the goods' description, netting oldest first over
several harvests and never below zero."""

from __future__ import annotations

import pytest

from domain import advances as A
from domain.commands import may_check
from domain.people import Role


def test_netting_takes_the_oldest_first_and_never_more_than_the_payment():
    owed = [A.Owed(1, 600_000), A.Owed(2, 900_000)]
    assert A.netting(owed, 1_000_000) == [(1, 600_000), (2, 400_000)]
    assert A.netting(owed, 250_000) == [(1, 250_000)]
    assert A.netting(owed, 5_000_000) == [(1, 600_000), (2, 900_000)]  # the rest is paid
    assert A.netting(owed, 0) == []
    assert A.netting(owed, -100) == []  # deductions above the gross: nothing to take from


def test_two_harvests_repay_an_advance_larger_than_either():
    left = 1_500_000
    first = A.netting([A.Owed(7, left)], 1_000_000)
    assert first == [(7, 1_000_000)]
    left -= first[0][1]
    second = A.netting([A.Owed(7, left)], 800_000)
    assert second == [(7, 500_000)]  # 300.000 of the second harvest is paid to the farmer
    assert left - second[0][1] == 0


def test_the_ceiling_counts_what_is_already_owed():
    assert A.check_amount(1_000_000, 3_000_000, 5_000_000) == 1_000_000
    with pytest.raises(A.AdvanceRefused) as refused:
        A.check_amount(2_500_000, 3_000_000, 5_000_000)
    assert (refused.value.reason, refused.value.most) == ("advance.too_high", 2_000_000)
    for wrong in (0, -5, 1.5, True):
        with pytest.raises(A.AdvanceRefused):
            A.check_amount(wrong, 0, 5_000_000)


def test_goods_need_a_description_cash_none():
    assert A.check_description(A.What.PUPUK, "  Urea   2 sak ") == "Urea 2 sak"
    assert A.check_description(A.What.CASH, "whatever") is None
    with pytest.raises(A.AdvanceRefused):
        A.check_description(A.What.BIBIT, "x")


def test_overdue_after_the_days_given():
    assert not A.overdue(0, 119 * 86_400)
    assert A.overdue(0, 120 * 86_400)


def test_nobody_approves_their_own_advance():
    officers = frozenset({Role.TREASURER})
    assert may_check("advance.decide", 1, 2, officers)
    assert not may_check("advance.decide", 1, 1, officers)
    assert not may_check("advance.decide", 1, 2, frozenset({Role.COORDINATOR}))
