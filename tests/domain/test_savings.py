"""Savings rules without a database: months, dues, whole rupiah as treasurers write them, the
reminder's day and time."""

import datetime as dt

import pytest

from domain import regions
from domain.money import rupiah
from domain.people import InvalidInput
from domain.savings import (
    CellError,
    Month,
    Rate,
    check_reminder,
    dues,
    months,
    parse_rupiah,
    period_bounds,
    rate_in,
)

# --- months -----------------------------------------------------------------------------


def test_month_arithmetic():
    nov = Month(2025, 11)
    assert str(nov) == "2025-11" and Month.parse("2025-11") == nov
    assert nov.plus(2) == Month(2026, 1) and nov.plus(-11) == Month(2024, 12)
    assert Month(2026, 2).minus(nov) == 3
    assert months(nov, Month(2026, 1)) == [nov, Month(2025, 12), Month(2026, 1)]
    assert months(nov, Month(2025, 10)) == []
    with pytest.raises(ValueError):
        Month(2025, 13)


@pytest.mark.parametrize(("zone", "hours"), [(regions.WIB, 7), (regions.WITA, 8), (regions.WIT, 9)])
def test_a_period_starts_at_midnight_where_the_member_lives(zone, hours):
    start, end = period_bounds(Month(2025, 11), Month(2025, 11), zone)
    utc = dt.datetime(2025, 11, 1, tzinfo=dt.UTC) - dt.timedelta(hours=hours)
    assert start == int(utc.timestamp())
    assert end - start == 30 * 86400


# --- dues -------------------------------------------------------------------------------

RATES = [Rate(Month(2024, 1), 100_000, 50_000), Rate(Month(2025, 7), 100_000, 75_000)]


def test_the_rate_in_force_is_the_latest_before_the_month():
    assert rate_in(RATES, Month(2023, 12)) is None
    assert rate_in(RATES, Month(2025, 6)).wajib == 50_000
    assert rate_in(RATES, Month(2025, 7)).wajib == 75_000


def test_dues_are_paid_oldest_month_first():
    # joined May 2025: May and June at 50.000, July to December at 75.000 = 550.000
    owed = dues(Month(2025, 5), Month(2025, 12), RATES, saved=260_000)
    assert [m.amount for m in owed.billed] == [50_000, 50_000] + [75_000] * 6
    assert owed.paid_months == (Month(2025, 5), Month(2025, 6), Month(2025, 7), Month(2025, 8))
    assert owed.unpaid[0].month == Month(2025, 9) and owed.unpaid[0].paid == 10_000
    assert owed.owed == 550_000 - 260_000
    assert not owed.is_paid(Month(2025, 12)) and owed.ahead == ()


def test_a_surplus_pays_months_ahead_and_unset_months_are_not_billed():
    owed = dues(Month(2023, 11), Month(2024, 2), RATES, saved=230_000)
    assert [str(m.month) for m in owed.billed] == ["2024-01", "2024-02"]  # nothing set in 2023
    assert owed.owed == 0
    assert [str(m.month) for m in owed.ahead] == ["2024-03", "2024-04", "2024-05"]
    assert owed.is_paid(Month(2024, 4)) and not owed.is_paid(Month(2024, 5))
    assert owed.ahead[-1].paid == 30_000 and not owed.ahead[-1].settled


def test_nothing_saved_owes_every_month():
    owed = dues(Month(2025, 11), Month(2025, 12), RATES, saved=0)
    assert owed.owed == 150_000 and owed.paid_months == ()


# --- cells ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "amount"),
    [("1.500.000", 1_500_000), ("1500000", 1_500_000), ("Rp1.500.000", 1_500_000),
     ("Rp 1.500.000,-", 1_500_000), ("1.500.000,00", 1_500_000), (" 50000 ", 50_000),
     (250_000, 250_000), (250_000.0, 250_000), ("0", 0)],
)  # fmt: skip
def test_whole_rupiah_as_written(cell, amount):
    assert parse_rupiah(cell) == amount


@pytest.mark.parametrize(
    ("cell", "why"),
    [("1.500,50", "whole"), ("12,5", "whole"), ("1.5", "whole"), ("1.50.000", "whole"),
     ("-5", "negative"), (-5, "negative"), (12.5, "whole"), ("abc", "whole"), (True, "amount"),
     ("", "empty"), (10**16, "large")],
)  # fmt: skip
def test_decimals_negatives_and_words_are_refused(cell, why):
    with pytest.raises(CellError, match=why):
        parse_rupiah(cell)


def test_an_empty_opening_balance_is_zero():
    assert parse_rupiah(None, required=False) == parse_rupiah("  ", required=False) == 0


def test_money_and_reminders_read_the_indonesian_way():
    assert rupiah(1_500_000) == "Rp1.500.000"
    assert check_reminder(25, "9:00") == (25, "09:00")
    assert check_reminder(1, "23.59") == (1, "23:59")
    for day, at in ((29, "09:00"), (0, "09:00"), (25, "24:00"), (25, "nine")):
        with pytest.raises(InvalidInput):
            check_reminder(day, at)
