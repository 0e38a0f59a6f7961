"""The monthly report's rules: the month reported, the reminder days, the answers as people
type them with their ceilings, the change from the month before."""

from __future__ import annotations

from datetime import date

import pytest

from domain import announcements
from domain import monthly_reports as rules
from domain.people import InvalidInput
from domain.savings import Month


def test_the_month_reported_and_the_reminder_days():
    assert rules.report_month(date(2026, 1, 3)) == Month(2025, 12)
    assert rules.months_offered(date(2026, 1, 3)) == (Month(2025, 12), Month(2025, 11))
    assert rules.reminder_due(date(2026, 12, 1)) == Month(2026, 11)
    assert rules.reminder_due(date(2026, 12, 10)) == Month(2026, 11)
    assert rules.reminder_due(date(2026, 12, 11)) is None
    assert rules.is_last_reminder(date(2026, 12, 10)) and not rules.is_last_reminder(
        date(2026, 12, 9)
    )


@pytest.mark.parametrize(
    "typed,grams",
    [("0", 0), ("-", 0), ("1.500", 1_500_000), ("1.500 kg", 1_500_000), ("2 kuintal", 200_000),
     ("1,5 ton", 1_500_000), ("250kg", 250_000), ("0,25 kg", 250)],
)  # fmt: skip
def test_produce_as_people_write_it(typed, grams):
    assert rules.parse_produce_grams(typed) == grams


@pytest.mark.parametrize(
    "parse,typed,reason",
    [(rules.parse_members, "banyak", "report.members"), (rules.parse_members, "2,5", "report.members"),
     (rules.parse_members, "200000", "report.members_high"), (rules.parse_produce_grams, "x", "report.produce"),
     (rules.parse_produce_grams, "20000 ton", "report.produce_high"), (rules.parse_problems, "  ", "report.problems"),
     (rules.parse_problems, "x" * 1001, "report.problems_long"), (rules.check_rupiah, 10**12, "report.rupiah_high"),
     (announcements.parse_area, "99.99", "announcement.area"), (announcements.parse_text, "ok", "announcement.short")],
)  # fmt: skip
def test_wrong_answers_say_why(parse, typed, reason):
    with pytest.raises(InvalidInput) as refused:
        parse(typed)
    assert refused.value.reason == reason


def test_members_areas_and_changes():
    assert rules.parse_members("1.200") == 1200 and rules.parse_members("0") == 0
    assert (
        announcements.parse_area(" Semua ") == "" and announcements.parse_area("33.10") == "33.10"
    )
    assert rules.change(250, 240) == 10 and rules.change(250, None) is None
    assert rules.change_percent(250, 200) == 25 and rules.change_percent(5, 0) is None
