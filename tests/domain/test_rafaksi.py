"""Rafaksi: readings as people type them, the grid of cuts by band, its edges and refusals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.rafaksi import (
    FOREIGN,
    MOISTURE,
    RafaksiRefused,
    check_table,
    cut_for,
    parse_percent,
    percent_text,
    price_after,
)

# Kepbadan Bapanas 2/2025, GKP at the farm gate (the figures migration 0020 seeds).
GKP = check_table(("25", "30"), ("10", "15"), ((0, 300), (425, 750)))


@pytest.mark.parametrize(
    "typed, value",
    [("14", "14"), ("14,5", "14.5"), ("14.5", "14.5"), ("14,5 %", "14.5"), ("14,5%", "14.5"),
     (" 27 persen ", "27"), ("0", "0"), ("100", "100"), ("8,25", "8.25"), ("２７", "27")],
)  # fmt: skip
def test_readings_are_read_as_people_type_them(typed, value):
    assert parse_percent(typed) == Decimal(value)


@pytest.mark.parametrize(
    "typed, reason",
    [("", "rafaksi.unreadable"), ("basah", "rafaksi.unreadable"), ("14,555", "rafaksi.unreadable"),
     ("-3", "rafaksi.range"), ("101", "rafaksi.range"), ("1.500", "rafaksi.range"),
     ("14 15", "rafaksi.unreadable")],
)  # fmt: skip
def test_unreadable_or_impossible_readings_are_refused_with_a_reason(typed, reason):
    with pytest.raises(RafaksiRefused) as refused:
        parse_percent(typed)
    assert refused.value.reason == reason


def test_percent_text_is_written_the_indonesian_way():
    assert percent_text(Decimal("27")) == "27"
    assert percent_text(Decimal("14.50")) == "14,5"


@pytest.mark.parametrize(
    "moisture, foreign, cut",
    [("25", "10", 0), ("0", "0", 0), ("24,9", "10", 0),  # the base band, its upper edge included
     ("25", "10,01", 300), ("25", "15", 300),  # hampa 11–15 %
     ("25,01", "10", 425), ("27", "8", 425), ("30", "10", 425),  # moisture 26–30 %
     ("27", "12", 750), ("30", "15", 750)],  # both: the decree's own cell, not 300 + 425
)  # fmt: skip
def test_the_cut_is_the_cell_of_both_bands(moisture, foreign, cut):
    found = cut_for(GKP, parse_percent(moisture), parse_percent(foreign))
    assert found.rupiah_per_unit == cut
    assert price_after(6500, found) == 6500 - cut


@pytest.mark.parametrize(
    "moisture, foreign, measure, highest",
    [("40", "8", MOISTURE, "30"), ("30,01", "0", MOISTURE, "30"), ("20", "15,5", FOREIGN, "15")],
)
def test_readings_outside_the_table_are_refused_naming_the_measure_and_its_limit(
    moisture, foreign, measure, highest
):
    with pytest.raises(RafaksiRefused) as refused:
        cut_for(GKP, parse_percent(moisture), parse_percent(foreign))
    assert refused.value.reason == "rafaksi.out_of_table"
    assert (refused.value.measure, refused.value.highest) == (measure, Decimal(highest))


def test_a_cut_as_high_as_the_price_is_refused():
    found = cut_for(GKP, Decimal(27), Decimal(12))
    assert price_after(751, found) == 1
    with pytest.raises(RafaksiRefused) as refused:
        price_after(750, found)
    assert refused.value.reason == "rafaksi.cut_above_price"


@pytest.mark.parametrize(
    "moisture, foreign, cuts",
    [((), ("10",), ()),  # no band
     (("30", "25"), ("10",), ((0,), (100,))),  # limits not ascending
     (("25", "25"), ("10",), ((0,), (100,))),  # a band of nothing
     (("0",), ("10",), ((0,),)), (("101",), ("10",), ((0,),)),  # a limit out of 0–100
     (("25",), ("10",), ((100,),)),  # the base band must cut nothing
     (("25", "30"), ("10",), ((0,),)),  # a row missing
     (("25",), ("10", "15"), ((0,),)),  # a cell missing
     (("25", "30"), ("10",), ((0,), (-5,))),  # a negative cut
     (("25", "30"), ("10", "15"), ((0, 300), (425, 200))),  # worse quality cutting less
     (("25", "30"), ("10",), ((0,), (1_000_000,))),  # at the price ceiling
     (("25", "30"), ("10",), ((0,), (1.5,))),  # not whole rupiah
     (("x",), ("10",), ((0,),))],
)  # fmt: skip
def test_malformed_tables_are_refused(moisture, foreign, cuts):
    with pytest.raises(RafaksiRefused) as refused:
        check_table(moisture, foreign, cuts)
    assert refused.value.reason == "rafaksi.table"


readings = st.decimals(min_value=0, max_value=100, places=2)


@given(readings, readings, readings, readings)
def test_worse_quality_never_cuts_less(m1, f1, m2, f2):
    worse_m, better_m = max(m1, m2), min(m1, m2)
    worse_f, better_f = max(f1, f2), min(f1, f2)
    try:
        worse = cut_for(GKP, worse_m, worse_f).rupiah_per_unit
    except RafaksiRefused:
        return
    assert cut_for(GKP, better_m, better_f).rupiah_per_unit <= worse


@given(readings)
def test_every_typed_reading_reads_back(value):
    assert parse_percent(percent_text(value)) == value


@pytest.mark.parametrize(
    "typed, stored", [("30", "30"), ("30,00", "30"), ("14,50", "14.5"), ("100", "100")]
)
def test_readings_are_kept_plain(typed, stored):
    assert str(parse_percent(typed)) == stored
    assert percent_text(Decimal(stored + ".00" if "." not in stored else stored)) == stored.replace(
        ".", ","
    )
