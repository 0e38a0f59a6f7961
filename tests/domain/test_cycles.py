"""Order cycles' rules: totals with the hub's fee apart, the minimum, the stock, quantities as
people type them, the ceilings, the shortfall the count step will credit."""

from __future__ import annotations

from datetime import date

import pytest

from domain import cycles as rules
from domain.cycles import Line, OrderRefused
from domain.people import InvalidInput

BERAS = Line(1, 10, 62_000, 2_000)  # 10 karung of Beras SPHP 5 kg
MINYAK = Line(2, 24, 15_000, 500)


def test_totals_keep_the_hubs_fee_apart():
    found = rules.totals([BERAS, MINYAK])
    assert (found.goods, found.fees, found.total) == (620_000 + 360_000, 20_000 + 12_000, 1_012_000)
    assert BERAS.total == 640_000


def test_an_order_under_the_minimum_is_refused_with_what_is_missing():
    with pytest.raises(OrderRefused) as refused:
        rules.check_order([BERAS], 1_000_000, open_now=True)
    assert (refused.value.reason, refused.value.short) == ("minimum", 360_000)
    assert rules.check_order([BERAS, MINYAK], 1_000_000, open_now=True).total == 1_012_000
    with pytest.raises(OrderRefused, match="closed"):
        rules.check_order([BERAS, MINYAK], 0, open_now=False)
    with pytest.raises(OrderRefused, match="empty"):
        rules.check_order([], 0, open_now=True)


def test_stock_left_for_one_order():
    rules.check_stock(1, 5, stock=20, taken_by_others=15)
    with pytest.raises(OrderRefused) as refused:
        rules.check_stock(1, 6, stock=20, taken_by_others=15)
    assert (refused.value.reason, refused.value.left, refused.value.item_id) == ("stock", 5, 1)


@pytest.mark.parametrize(
    ("typed", "units"),
    [("10", 10), ("10 karung", 10), ("10karung", 10), ("sepuluh", 10), ("1.000", 1000),
     (" 3 krg ", 3), ("dua puluh lima karung", 25)],
)  # fmt: skip
def test_quantities_as_people_write_them(typed, units):
    assert rules.parse_quantity(typed, "karung") == units


@pytest.mark.parametrize(
    ("typed", "reason"),
    [("", "cycle.quantity"), ("0", "cycle.quantity"), ("1,5", "cycle.quantity"),
     ("banyak", "cycle.unit"), ("10 liter", "cycle.unit"), ("-3", "cycle.quantity"),
     ("100001", "cycle.too_many"), ("9" * 40, "cycle.too_many")],
)  # fmt: skip
def test_quantities_refused_with_their_reason(typed, reason):
    with pytest.raises(InvalidInput) as refused:
        rules.parse_quantity(typed, "karung")
    assert refused.value.reason == reason


def test_ceilings_and_names():
    assert rules.check_price(10_000_000) == 10_000_000
    for bad in (0, 10_000_001):
        with pytest.raises(InvalidInput, match="cycle.price"):
            rules.check_price(bad)
    assert rules.check_price(0, allow_zero=True) == 0  # no fee
    with pytest.raises(InvalidInput, match="cycle.stock"):
        rules.check_stock_figure(rules.MAX_STOCK + 1)
    with pytest.raises(InvalidInput, match="cycle.minimum"):
        rules.check_minimum(-1)
    assert rules.check_unit("Krg") == "karung"
    with pytest.raises(InvalidInput, match="cycle.unit_name"):
        rules.check_unit("ton")
    assert rules.check_name("  Beras   SPHP 5 kg ") == "Beras SPHP 5 kg"
    with pytest.raises(InvalidInput, match="cycle.name"):
        rules.check_name("x")


def test_times_of_a_cycle():
    closes = rules.parse_local_time("2026-12-10 17:00", "Asia/Jakarta")
    assert closes == 1796896800  # 10:00 UTC
    now = closes - 5 * 86400
    rules.check_times(closes, date(2026, 12, 14), now, "Asia/Jakarta")
    with pytest.raises(InvalidInput, match="cycle.delivery"):
        rules.check_times(closes, date(2026, 12, 10), now, "Asia/Jakarta")
    with pytest.raises(InvalidInput, match="cycle.closes"):
        rules.check_times(closes, date(2026, 12, 14), closes + 1, "Asia/Jakarta")
    with pytest.raises(InvalidInput, match="cycle.closes"):
        rules.parse_local_time("10 Desember", "Asia/Jakarta")
    assert rules.is_open("open", closes, closes - 1) and not rules.is_open("open", closes, closes)
    assert rules.reminder_due(closes, closes - 3600) and not rules.reminder_due(
        closes, closes - 2 * 86400
    )


def test_numbers_places_and_the_shortfall():
    assert (rules.cycle_number(3), rules.order_number(12)) == ("SP-0003", "PSN-0012")
    assert rules.district_of("33.10.11.2004") == "33.10.11" and rules.district_of(None) == ""
    assert rules.shortfall(BERAS, 8) == 2 * 64_000 and rules.shortfall(BERAS, 12) == 0
