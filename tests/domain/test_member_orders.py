"""A member's order paid from sukarela or payroll: the rules (domain.member_orders)."""

from __future__ import annotations

import pytest

from domain import ledger as L
from domain import member_orders as M
from domain.cycles import Line
from domain.member_orders import PayBy, PaymentRefused


def test_sukarela_counts_what_other_orders_hold():
    M.check_payment(
        PayBy.SUKARELA, 100_000, balance=150_000, held=50_000, take_home=None, payroll_owed=0
    )
    with pytest.raises(PaymentRefused) as refused:
        M.check_payment(
            PayBy.SUKARELA, 100_001, balance=150_000, held=50_000, take_home=None, payroll_owed=0
        )
    assert (refused.value.reason, refused.value.available, refused.value.total) == (
        "sukarela",
        100_000,
        100_001,
    )
    assert M.available_sukarela(10_000, 50_000) == 0  # a reversed deposit never shows a negative


def test_payroll_needs_a_take_home_pay_and_stays_within_its_share():
    with pytest.raises(PaymentRefused) as refused:
        M.check_payment(PayBy.PAYROLL, 1, balance=0, held=0, take_home=None, payroll_owed=0)
    assert refused.value.reason == "take_home"
    assert M.payroll_room(2_000_000, 100_000) == 500_000  # 30 % less what is owed
    M.check_payment(
        PayBy.PAYROLL, 500_000, balance=0, held=0, take_home=2_000_000, payroll_owed=100_000
    )
    with pytest.raises(PaymentRefused) as refused:
        M.check_payment(
            PayBy.PAYROLL, 500_001, balance=0, held=0, take_home=2_000_000, payroll_owed=100_000
        )
    assert (refused.value.reason, refused.value.room) == ("payroll", 500_000)


def test_the_ceiling():
    M.check_ceiling(M.totals([Line(1, 1, M.MAX_ORDER, 0)]))
    with pytest.raises(PaymentRefused):
        M.check_ceiling(M.totals([Line(1, 1, M.MAX_ORDER, 1)]))


def test_the_pickup_entry_pays_each_supplier_its_goods_and_the_hub_its_fees():
    lines = [
        (7, Line(1, 2, 62_000, 2_000)),
        (7, Line(2, 2, 15_000, 500)),
        (9, Line(3, 1, 180_000, 5_000)),
    ]
    entry = M.pickup_lines(PayBy.SUKARELA, 3, 2, lines)
    assert entry == [
        L.debit("member:3:sukarela", 344_000),
        L.credit("payable:supplier:7", 154_000),
        L.credit("payable:supplier:9", 180_000),
        L.credit("hubfees:2", 10_000),
    ]
    assert L.check_lines(entry)  # balanced
    assert M.pickup_lines(PayBy.PAYROLL, 3, 2, lines)[0] == L.debit("receivable:member:3", 344_000)
    assert M.hold_reference(12) == "member-order:12"
