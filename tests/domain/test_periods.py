from datetime import date

import pytest

from domain.people import InvalidInput
from domain.periods import (
    BACKWARDS,
    BAD_RANGE,
    FUTURE,
    TOO_LONG,
    parse_range,
    previous_month,
    week_of,
)

TODAY = date(2026, 12, 4)


@pytest.mark.parametrize(
    ("typed", "first", "last"),
    [
        ("1-15 Nov", date(2026, 11, 1), date(2026, 11, 15)),
        ("1 - 15 november", date(2026, 11, 1), date(2026, 11, 15)),
        ("1 Okt - 15 Nov 2026", date(2026, 10, 1), date(2026, 11, 15)),
        ("20 Des - 5 Jan", date(2025, 12, 20), date(2026, 1, 5)),
        ("November", date(2026, 11, 1), date(2026, 11, 30)),
        ("feb 2024", date(2024, 2, 1), date(2024, 2, 29)),
        ("Des", date(2026, 12, 1), date(2026, 12, 31)),
        ("1-3 Des", date(2026, 12, 1), date(2026, 12, 3)),
        ("1 sampai 15 Agu", date(2026, 8, 1), date(2026, 8, 15)),
    ],
)
def test_typed_ranges(typed, first, last):
    assert parse_range(typed, TODAY) == (first, last)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [("kemarin", BAD_RANGE), ("31-32 Nov", BAD_RANGE), ("15-1 Nov", BACKWARDS),
     ("1 Jan 2024 - 1 Mar 2025", TOO_LONG), ("1-5 Jan 2027", FUTURE), ("", BAD_RANGE)],
)  # fmt: skip
def test_refused_ranges(typed, reason):
    with pytest.raises(InvalidInput) as refused:
        parse_range(typed, TODAY)
    assert refused.value.reason == reason


def test_named_periods():
    assert week_of(TODAY) == (date(2026, 11, 30), date(2026, 12, 6))
    assert previous_month(date(2026, 1, 10)) == (date(2025, 12, 1), date(2025, 12, 31))
