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


# --- an administrator's own table, typed in /rafaksi -----------------------------------------


@pytest.mark.parametrize(
    "typed, limits",
    [("25 30", ("25", "30")), ("25 % dan 30 %", ("25", "30")), ("14,5; 20", ("14.5", "20")),
     ("10/15/20/25", ("10", "15", "20", "25")), ("  12 ", ("12",)), ("25 and 30", ("25", "30"))],
)  # fmt: skip
def test_band_limits_are_read_as_typed(typed, limits):
    from domain.rafaksi import parse_limits

    assert parse_limits(typed) == tuple(Decimal(x) for x in limits)


@pytest.mark.parametrize(
    "typed, reason",
    [("30 25", "rafaksi.limits"), ("25 25", "rafaksi.limits"), ("0 10", "rafaksi.limits"),
     ("", "rafaksi.limits"), ("5 10 15 20 25", "rafaksi.limits"), ("basah", "rafaksi.unreadable"),
     ("25 120", "rafaksi.range"), ("25,123", "rafaksi.unreadable")],
)  # fmt: skip
def test_band_limits_refused_say_why(typed, reason):
    from domain.rafaksi import parse_limits

    with pytest.raises(RafaksiRefused) as refused:
        parse_limits(typed)
    assert refused.value.reason == reason


def test_a_cut_is_below_the_ceiling_and_never_less_than_a_better_cell():
    from domain.money import max_price
    from domain.rafaksi import check_cut

    assert check_cut(0, []) == 0
    assert check_cut(425, [300, 0]) == 425
    with pytest.raises(RafaksiRefused) as refused:
        check_cut(350, [425, 300])
    assert (refused.value.reason, refused.value.least) == ("rafaksi.cut_less", 425)
    with pytest.raises(RafaksiRefused) as refused:
        check_cut(max_price("kg"), [])
    assert refused.value.reason == "rafaksi.cut_high"


def test_a_table_starts_now_today_and_at_midnight_where_the_cooperative_is_later():
    from datetime import date

    from domain.rafaksi import parse_start, starts_at

    today = date(2026, 12, 4)
    assert parse_start("20-12-2026", today) == date(2026, 12, 20)
    assert parse_start("2026-12-20", today) == date(2026, 12, 20)
    for typed in ("3-12-2026", "besok", "31-02-2027"):
        with pytest.raises(RafaksiRefused) as refused:
            parse_start(typed, today)
        assert refused.value.reason == "rafaksi.day"
    assert starts_at(today, today, 1_800_000_000, "Asia/Jakarta") == 1_800_000_000
    # 00:00 WIB of 5 December 2026 is 17:00 UTC on the 4th
    assert starts_at(date(2026, 12, 5), today, 0, "Asia/Jakarta") == 1796403600
    assert starts_at(date(2026, 12, 5), today, 0, "Asia/Makassar") == 1796403600 - 3600
