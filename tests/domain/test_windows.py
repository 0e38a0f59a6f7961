"""Buying windows' rules: which offers count, what they bring, when a window closes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain import windows as rules
from domain.people import InvalidInput
from domain.produce import CATALOG
from domain.windows import State, Window

KUJON, BALI = "33.10.11.2004", "51.04.03.1003"


def _window(**changes) -> Window:
    base = dict(
        org_id=2, commodity="gabah", grade="GKP", area_prefix="33.10", target=Decimal(5000),
        deadline=1_000, state=State.OPEN, created_at=100,
    )  # fmt: skip
    return Window(**{**base, **changes})


def _counts(window: Window, **changes) -> bool:
    offer = dict(org_id=2, commodity="gabah", grade="GKP", village_code=KUJON, at=500)
    return rules.counts(window, **{**offer, **changes})


def test_an_offer_counts_when_it_matches_while_the_window_is_open():
    window = _window()
    assert _counts(window)
    assert not _counts(window, village_code=BALI)  # outside the area
    assert not _counts(window, grade="GKG")  # another grade
    assert not _counts(window, commodity="jagung")
    assert not _counts(window, org_id=3)  # another cooperative's farmer
    assert not _counts(window, at=1_000)  # at the deadline: closed
    assert not _counts(window, at=99)  # before it opened
    assert not _counts(_window(state=State.FILLED))
    assert _counts(_window(grade=rules.ANY_GRADE), grade="GKG")  # any grade
    assert _counts(_window(area_prefix=""), village_code=BALI)  # everywhere


def test_what_an_offer_brings_the_weight_found_replaces_the_offered_one():
    assert rules.brings("open", Decimal(3000), None) == 3000
    assert rules.brings("taken", Decimal(3000), None) == 3000
    assert rules.brings("picked_up", Decimal(3000), Decimal("2950.5")) == Decimal("2950.5")
    assert rules.brings("paid", Decimal(3000), Decimal(2900)) == 2900
    assert rules.brings("cancelled", Decimal(3000), None) == 0
    assert rules.brings("expired", Decimal(3000), None) == 0


def test_a_window_fills_at_its_target_and_closes_short_at_its_deadline():
    window = _window()
    assert rules.closing_state(window, Decimal(4999), 999) is None
    assert rules.closing_state(window, Decimal(5000), 500) == State.FILLED
    assert rules.closing_state(window, Decimal(6000), 2_000) == State.FILLED  # filled wins
    assert rules.closing_state(window, Decimal(3200), 1_000) == State.CLOSED_SHORT
    assert rules.closing_state(_window(state=State.CANCELLED), Decimal(0), 2_000) is None
    assert rules.still_needed(window, Decimal(3200)) == 1800
    assert rules.still_needed(window, Decimal(6000)) == 0


def test_a_target_as_people_write_it_with_a_ceiling_of_its_own():
    gabah = CATALOG["gabah"]
    assert rules.parse_target("5 ton", gabah).value == 5000
    assert rules.parse_target("50 kuintal", gabah).value == 5000
    assert rules.parse_target("1,5 ton", gabah).value == 1500
    assert rules.parse_target("200 ton", gabah).value == 200_000  # more than one offer holds
    for typed, reason in (("banyak", "window.target"), ("0", "window.target"),
                          ("99999999 ton", "window.target_too_big")):  # fmt: skip
        with pytest.raises(InvalidInput) as refused:
            rules.parse_target(typed, gabah)
        assert refused.value.reason == reason


def test_the_deadline_is_the_end_of_its_day_where_the_cooperative_is():
    end = rules.deadline_of(date(2026, 12, 20), "Asia/Jakarta")
    assert end == 1797786000  # 2026-12-21 00:00 WIB = 2026-12-20 17:00 UTC
    assert rules.last_day(end, "Asia/Jakarta") == date(2026, 12, 20)
    assert rules.deadline_of(date(2026, 12, 20), "Asia/Jayapura") == end - 2 * 3600
    today = date(2026, 12, 4)
    assert rules.check_deadline(date(2026, 12, 20), today) == date(2026, 12, 20)
    for day, reason in ((date(2026, 12, 3), "window.deadline_past"),
                        (date(2027, 6, 1), "window.deadline_far")):  # fmt: skip
        with pytest.raises(InvalidInput) as refused:
            rules.check_deadline(day, today)
        assert refused.value.reason == reason
    with pytest.raises(InvalidInput):
        rules.parse_day("20 Desember")


def test_amounts_read_in_the_largest_unit_that_fits():
    gabah = CATALOG["gabah"]
    assert rules.display_unit(Decimal(5000), gabah).code == "ton"
    assert rules.display_unit(Decimal(800), gabah).code == "kuintal"
    assert rules.display_unit(Decimal(40), gabah).code == "kg"
    ton = gabah.unit("ton")
    assert rules.in_unit(Decimal(3200), ton) == Decimal("3.2")
    assert rules.in_unit(Decimal(5000), ton) == Decimal(5)
    assert rules.in_unit(Decimal("1234.5"), ton) == Decimal("1.235")
    assert rules.window_number(12) == "#12"


def test_an_offer_in_a_window_locks_the_higher_of_its_price_and_the_board_s():
    paying_more = _window(price_rupiah=6_800)
    assert rules.offer_price(6_500, paying_more, "GKP") == 6_800
    assert rules.offer_price(7_000, paying_more, "GKP") == 7_000  # never below the board
    assert rules.offer_price(6_500, None, "GKP") == 6_500  # no window
    assert rules.offer_price(6_500, paying_more, "GKG") == 6_500  # a grade it does not take
    assert (
        rules.offer_price(6_500, _window(grade=rules.ANY_GRADE, price_rupiah=6_800), "GKG") == 6_800
    )
