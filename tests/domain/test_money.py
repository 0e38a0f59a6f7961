"""domain.money: the one parser and formatter of rupiah, and the ceilings."""

from __future__ import annotations

import pytest

from domain import money
from domain.people import InvalidInput
from domain.savings import CellError
from domain.savings import parse_rupiah as parse_cell


@pytest.mark.parametrize(
    ("typed", "rupiah"),
    [("6.500", 6500), ("6500", 6500), ("Rp 6.500", 6500), ("1,5 juta", 1_500_000), ("0", None)],
)
def test_one_parser_reads_rupiah_as_people_write_them(typed, rupiah):
    if rupiah is None:
        with pytest.raises(InvalidInput):
            money.parse_rupiah(typed)
        assert money.parse_rupiah(typed, allow_zero=True) == 0
    else:
        assert money.parse_rupiah(typed) == rupiah
        assert parse_cell(typed) == rupiah  # spreadsheet cells read the same


@pytest.mark.parametrize("typed", ["9" * 20, "9" * 40, "9.000.000.000.000.000.000"])
def test_a_figure_past_the_ledger_is_too_high_not_an_overflow(typed):
    with pytest.raises(InvalidInput) as refused:
        money.parse_rupiah(typed, too_high="amount.too_high")
    assert refused.value.reason == "amount.too_high"
    with pytest.raises(CellError):
        parse_cell(typed)


def test_ceilings_by_the_commodity_unit_and_the_desk():
    assert money.check_price(1_000_000, "kg") == 1_000_000
    with pytest.raises(InvalidInput, match="price.too_high"):
        money.check_price(1_000_001, "kg")
    assert money.check_price(25_000_000, "ekor") == 25_000_000
    with pytest.raises(InvalidInput, match="amount.too_high"):
        money.check_desk_amount(money.MAX_DESK_AMOUNT + 1)


@pytest.mark.parametrize("text", ["", "abc", "0", "-1", "9" * 19, "9" * 30, "٣"])
def test_record_ids_never_pass_a_64_bit_integer(text):
    assert money.record_id(text) is None


def test_one_formatter():
    assert money.rupiah(1_500_000) == "Rp1.500.000"
    assert money.rupiah(-5000, ",") == "-Rp5,000"
    with pytest.raises(TypeError):
        money.rupiah(True)


@pytest.mark.parametrize(
    ("typed", "rupiah"),
    [
        ("50,000", 50_000),
        ("Rp 1,500,000", 1_500_000),
        ("Rp50,000.00", 50_000),
        ("1,5 juta", 1_500_000),
    ],
)
def test_thousands_written_with_commas_are_thousands_not_decimals(typed, rupiah):
    """An English-speaking treasurer types 50,000: read as Rp50 it would book a thousandth
    of the money. Rupiah have no decimals, so a comma before exactly three digits groups."""
    assert money.parse_rupiah(typed) == rupiah
