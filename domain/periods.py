"""Periods people name for figures: "this week", "this month", or a typed range such as
"1-15 Nov", "1 Okt - 15 Nov 2026", "November" or "Nov 2026" (Indonesian or English month
names, with or without the year: without it, the latest such period that has begun)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from domain import N_
from domain.people import InvalidInput

#: The longest period a typed range may name (a year and a day: a leap year).
MAX_DAYS = 366

MONTHS = {
    "jan": 1, "januari": 1, "january": 1, "feb": 2, "peb": 2, "februari": 2, "february": 2,
    "mar": 3, "maret": 3, "march": 3, "apr": 4, "april": 4, "mei": 5, "may": 5, "jun": 6,
    "juni": 6, "june": 6, "jul": 7, "juli": 7, "july": 7, "agu": 8, "agt": 8, "agus": 8,
    "agustus": 8, "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "okt": 10,
    "oktober": 10, "oct": 10, "october": 10, "nov": 11, "nop": 11, "november": 11,
    "des": 12, "desember": 12, "dec": 12, "december": 12,
}  # fmt: skip

_DAY = r"(\d{1,2})(?:\s+([a-z]+)\.?(?:\s+(\d{4}))?)?"
_RANGE = re.compile(
    rf"^{_DAY}\s*(?:-|–|sampai|sd|s/d|to|until)\s*(\d{{1,2}})\s+([a-z]+)\.?(?:\s+(\d{{4}}))?$"
)
_MONTH = re.compile(r"^([a-z]+)\.?(?:\s+(\d{4}))?$")

BAD_RANGE = N_("I could not read those dates. Type them like this: 1-15 Nov, or November.")
BACKWARDS = N_("The first day is after the last one. Type the dates again, for example 1-15 Nov.")
TOO_LONG = N_("That period is longer than a year. Type a shorter one, for example 1-15 Nov.")
FUTURE = N_("That period has not started yet. Type another one, for example 1-15 Nov.")


def week_of(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def month_of(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def previous_month(day: date) -> tuple[date, date]:
    return month_of(day.replace(day=1) - timedelta(days=1))


def _month(word: str) -> int:
    if word not in MONTHS:
        raise InvalidInput(BAD_RANGE)
    return MONTHS[word]


def _date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidInput(BAD_RANGE) from None


def parse_range(text: str, today: date) -> tuple[date, date]:
    """The first and last day (inclusive) of a typed period; a period without a year is the
    latest one that has begun by ``today``. Refused (InvalidInput): unreadable, backwards,
    longer than a year, not begun yet."""
    cleaned = " ".join((text or "").lower().replace(",", " ").split())
    cleaned = re.sub(r"\s*(-|–)\s*", r" \1 ", cleaned).replace(" - ", "-").replace(" – ", "-")
    if match := _MONTH.match(cleaned):
        month = _month(match[1])
        year = int(match[2]) if match[2] else today.year - (month > today.month)
        first, last = month_of(date(year, month, 1))
    elif match := _RANGE.match(cleaned):
        d1, m1, y1, d2, m2, y2 = match.groups()
        month2 = _month(m2)
        month1 = _month(m1) if m1 else month2
        year2 = int(y2) if y2 else None
        year1 = int(y1) if y1 else None
        if year2 is None:
            year2 = year1 if year1 is not None and month1 <= month2 else None
        if year2 is None:
            year2 = today.year
            if _date(year2, month2, 1) > today and (year1 is None or year1 < year2):
                year2 -= 1
        if year1 is None:
            year1 = year2 if month1 <= month2 else year2 - 1
        first, last = _date(year1, month1, int(d1)), _date(year2, month2, int(d2))
    else:
        raise InvalidInput(BAD_RANGE)
    if last < first:
        raise InvalidInput(BACKWARDS)
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidInput(TOO_LONG)
    if first > today:
        raise InvalidInput(FUTURE)
    return first, last
