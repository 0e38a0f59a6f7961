"""Monthly reports of village cooperatives (issue 18, mentoring): which month is reported,
the answers as people type them, each with its ceiling, when the reminders run, and the
change from one month to the next."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from domain.people import InvalidInput
from domain.quantity import number
from domain.savings import Month

# Ceilings: far above any village cooperative (a KDKMP has hundreds of members and turns over
# some hundreds of millions a month), low enough that a phone number or a slip is refused.
MAX_MEMBERS = 100_000
MAX_RUPIAH = 100_000_000_000  # Rp100 miliar
MAX_PRODUCE_KG = 10_000_000  # 10.000 ton
MAX_PROBLEMS = 1000
# Reminders run from the 1st to this day of the month after the one reported.
LAST_REMINDER_DAY = 10
REMINDER_HOUR = 9  # local time where the officer lives


def report_month(today: dt.date) -> Month:
    """The month reported by default: the last one."""
    return Month.of(today).plus(-1)


def months_offered(today: dt.date) -> tuple[Month, Month]:
    """The last month (default) and the month before it (on a button)."""
    last = report_month(today)
    return last, last.plus(-1)


def reminder_due(today: dt.date) -> Month | None:
    """The month whose report is reminded on ``today`` (local), or None outside the 1st to
    the 10th."""
    return report_month(today) if 1 <= today.day <= LAST_REMINDER_DAY else None


def is_last_reminder(today: dt.date) -> bool:
    return today.day == LAST_REMINDER_DAY


def parse_members(text: str) -> int:
    """A count of members: ``245``, ``1.200``; zero allowed (a cooperative just founded)."""
    value = number(_clean(text).split())
    if value is None or value < 0 or value != value.to_integral_value():
        raise InvalidInput("report.members")
    if value > MAX_MEMBERS:
        raise InvalidInput("report.members_high")
    return int(value)


def check_rupiah(amount: int) -> int:
    """A report's money figure under its ceiling (the parser is domain.money.parse_rupiah)."""
    if amount > MAX_RUPIAH:
        raise InvalidInput("report.rupiah_high")
    return amount


_UNITS = {"kg": 1, "kilo": 1, "kilogram": 1, "kuintal": 100, "kwintal": 100, "kw": 100, "ton": 1000}


def parse_produce_grams(text: str) -> int:
    """Produce sent to the hub, as typed (``0``, ``1.500``, ``1.500 kg``, ``2 kuintal``,
    ``1,5 ton``, ``-`` for none), in grams (exact to the gram, rounded half up)."""
    cleaned = _clean(text)
    if cleaned in ("-", "tidak ada", "none", "nihil"):
        return 0
    cleaned = re.sub(r"(?<=\d)(?=[a-z])", " ", cleaned)
    tokens = cleaned.split()
    factor = 1
    if tokens and tokens[-1] in _UNITS:
        factor = _UNITS[tokens.pop()]
    value = number(tokens) if tokens else None
    if value is None or value < 0:
        raise InvalidInput("report.produce")
    kg = value * factor
    if kg > MAX_PRODUCE_KG:
        raise InvalidInput("report.produce_high")
    return int((kg * 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_problems(text: str) -> str:
    """Free text, ``-`` for none; at most :data:`MAX_PROBLEMS` letters."""
    cleaned = " ".join(unicodedata.normalize("NFKC", text or "").split())
    if not cleaned:
        raise InvalidInput("report.problems")
    if len(cleaned) > MAX_PROBLEMS:
        raise InvalidInput("report.problems_long")
    return cleaned


def has_problems(problems: str) -> bool:
    return problems.strip() not in ("-", "")


def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower().strip()


@dataclass(frozen=True)
class Figures:
    members: int
    savings_rupiah: int
    store_sales_rupiah: int
    produce_grams: int


def change(now: int, before: int | None) -> int | None:
    """Now less the month before (None when there was no report before)."""
    return None if before is None else now - before


def change_percent(now: int, before: int | None) -> int | None:
    """The change in whole percent, or None without a base (no report, or zero)."""
    if not before:
        return None
    return int((Decimal(now - before) * 100 / before).quantize(Decimal(1), rounding=ROUND_HALF_UP))
