"""The count step's rules: what arrived as people write it, never more than ordered; the
invoice on received units with the shortfall credited; its ledger lines; payments never
more than owed."""

import pytest

from domain import cycle_delivery as rules
from domain import ledger as L
from domain.cycle_delivery import Counted, PaymentRefused
from domain.cycles import Line
from domain.people import InvalidInput


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("8", 8), ("8 karung", 8), ("delapan", 8), ("semua", 10), ("Semua", 10), ("all", 10),
     ("0", 0), ("0 karung", 0), ("10", 10)],
)  # fmt: skip
def test_what_arrived_as_people_write_it(typed, expected):
    assert rules.parse_received(typed, "karung", 10) == expected


@pytest.mark.parametrize(
    ("typed", "reason"),
    [("11", "count.more"), ("999999999", "count.more"), ("banyak", "cycle.unit"),
     ("1,5", "count.quantity"), ("8 liter", "cycle.unit"), ("", "count.quantity")],
)  # fmt: skip
def test_more_than_ordered_or_unreadable_is_refused(typed, reason):
    with pytest.raises(InvalidInput) as refused:
        rules.parse_received(typed, "karung", 10)
    assert refused.value.reason == reason


def test_the_bill_is_on_received_units_and_the_shortfall_is_credited():
    beras = Counted(Line(1, 10, 62_000, 2_000), 8, supplier_id=7)
    minyak = Counted(Line(2, 24, 15_000, 500), 24, supplier_id=7)
    npk = Counted(Line(3, 2, 180_000, 5_000), 0, supplier_id=9)
    bill = rules.bill([beras, minyak, npk])
    assert (bill.goods, bill.fees, bill.credited) == (856_000, 28_000, 128_000 + 370_000)
    assert bill.total == 884_000 and bill.by_supplier == {7: 856_000, 9: 0}
    lines = rules.invoice_lines(bill, org_id=4, hub_id=2)
    assert {x.account: x.amount for x in lines} == {
        "receivable:coop:4": 884_000, "payable:supplier:7": -856_000, "hubfees:2": -28_000,
    }  # fmt: skip
    assert L.check_lines(lines)  # balanced; a supplier of nothing is left out


def test_a_payment_is_never_more_than_owed():
    assert rules.check_amount(500_000, 884_000) == 500_000
    with pytest.raises(PaymentRefused) as refused:
        rules.check_amount(884_001, 884_000)
    assert (refused.value.reason, refused.value.owed) == ("more", 884_000)
    with pytest.raises(PaymentRefused):
        rules.check_amount(1, 0)
    with pytest.raises(InvalidInput):
        rules.check_amount(0, 10)
    assert rules.check_reference("  BRI   2026 ") == "BRI 2026"
    with pytest.raises(InvalidInput):
        rules.check_reference("ab")
