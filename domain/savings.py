"""Savings rules (pure): months, the wajib dues of a member, whole rupiah as treasurers write
them, the monthly reminder. Reading the cells of a members or deposits spreadsheet is
``storage.savings_sheets``.

Amounts are whole rupiah (``int``); a month is :class:`Month`; times are Unix seconds UTC.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from domain.ledger import MAX_AMOUNT
from domain.money import parse_rupiah as parse_typed_rupiah
from domain.people import InvalidInput

# --- months -----------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not (1 <= self.month <= 12 and 1900 <= self.year <= 9999):
            raise ValueError(f"no such month: {self.year}-{self.month}")

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, text: str) -> Month:
        """``2025-11`` (as stored)."""
        found = re.fullmatch(r"(\d{4})-(\d{2})", text)
        if not found:
            raise ValueError(f"not a month: {text!r}")
        return cls(int(found[1]), int(found[2]))

    def plus(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def minus(self, other: Month) -> int:
        """How many months from ``other`` to this one."""
        return (self.year - other.year) * 12 + self.month - other.month

    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)


def months(first: Month, last: Month) -> list[Month]:
    """``first`` … ``last`` inclusive (empty when last is before first)."""
    return [first.plus(n) for n in range(last.minus(first) + 1)]


def period_bounds(first: Month, last: Month, zone: str) -> tuple[int, int]:
    """The months ``first`` … ``last`` where the member lives, as UTC seconds [start, end)."""
    tz = ZoneInfo(zone)
    start = dt.datetime.combine(first.first_day(), dt.time(), tz)
    end = dt.datetime.combine(last.plus(1).first_day(), dt.time(), tz)
    return int(start.timestamp()), int(end.timestamp())


# --- what a cooperative charges ---------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """Pokok and monthly wajib in force from ``from_month`` until the next rate."""

    from_month: Month
    pokok: int
    wajib: int


def rate_in(rates: Iterable[Rate], month: Month) -> Rate | None:
    """The rate in force in ``month``, or None (nothing was set then: nothing is billed)."""
    earlier = [r for r in rates if r.from_month <= month]
    return max(earlier, key=lambda r: r.from_month) if earlier else None


def wajib_in(rates: Iterable[Rate], month: Month) -> int:
    rate = rate_in(rates, month)
    return rate.wajib if rate else 0


@dataclass(frozen=True)
class MonthDue:
    month: Month
    amount: int  # wajib billed for the month
    paid: int  # of it, covered by what was saved

    @property
    def settled(self) -> bool:
        return self.paid >= self.amount


@dataclass(frozen=True)
class Dues:
    """The tagihan: wajib billed from the month of joining to ``through``, and what the wajib
    saved covers, oldest month first (arrears are paid before the current month)."""

    billed: tuple[MonthDue, ...]  # months with something to pay, oldest first
    saved: int  # the wajib balance
    ahead: tuple[MonthDue, ...]  # later months already covered by what is left over

    @property
    def owed(self) -> int:
        return sum(m.amount - m.paid for m in self.billed)

    @property
    def unpaid(self) -> tuple[MonthDue, ...]:
        return tuple(m for m in self.billed if not m.settled)

    @property
    def paid_months(self) -> tuple[Month, ...]:
        return tuple(m.month for m in (*self.billed, *self.ahead) if m.settled)

    def is_paid(self, month: Month) -> bool:
        return month in self.paid_months


#: How far ahead a surplus is spread over future months (a wajib of Rp0 would never end).
MAX_MONTHS_AHEAD = 120


def dues(joined: Month, through: Month, rates: Sequence[Rate], saved: int) -> Dues:
    """What a member who joined in ``joined`` owes up to and including ``through``, given the
    wajib they have saved (``saved``, the balance: reversals and opening balances included).
    A month with no rate in force is not billed."""
    left, billed = saved, []
    for month in months(joined, through):
        amount = wajib_in(rates, month)
        if amount:
            paid = min(left, amount)
            left -= paid
            billed.append(MonthDue(month, amount, paid))
    ahead, month = [], through.plus(1)
    while left > 0 and len(ahead) < MAX_MONTHS_AHEAD:
        amount = wajib_in(rates, month)
        if amount == 0:
            break
        paid = min(left, amount)
        left -= paid
        ahead.append(MonthDue(month, amount, paid))
        month = month.plus(1)
    return Dues(tuple(billed), saved, tuple(ahead))


# --- settings ---------------------------------------------------------------------------


def check_reminder(day: int, local_time: str) -> tuple[int, str]:
    """A day of the month every month has (1-28) and a time ``HH:MM`` (``9:00`` → ``09:00``)."""
    if not 1 <= day <= 28:
        raise InvalidInput("reminder day is 1 to 28 (every month has it)")
    found = re.fullmatch(r"([01]?\d|2[0-3])[:.]([0-5]\d)", local_time.strip())
    if not found:
        raise InvalidInput(f"not a time of day (HH:MM): {local_time!r}")
    return day, f"{int(found[1]):02d}:{found[2]}"


# --- reading cells ----------------------------------------------------------------------


class CellError(ValueError):
    """A cell that cannot be read; the message says why, for the person who typed it."""


def parse_rupiah(value: object, *, required: bool = True) -> int:
    """Whole rupiah: ``1.500.000``, ``1500000``, ``Rp1.500.000``, ``Rp 1.500.000,-`` or a
    spreadsheet number. Refused: decimals (``1.500,50``, ``12,5``), negatives, a dot that is not
    a thousands group (``1.5``). Empty is 0 unless ``required``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise CellError("empty")
        return 0
    if isinstance(value, bool):
        raise CellError(f"not an amount: {value!r}")
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(f"not whole rupiah: {value}")
        value = int(value)
    if isinstance(value, int):
        amount = value
    else:
        text = str(value).strip().lower().replace(" ", "")
        if text.startswith("-"):
            raise CellError(f"negative: {value!r}")
        try:  # the one parser of typed rupiah
            amount = parse_typed_rupiah(text, allow_zero=True)
        except InvalidInput:
            raise CellError(f"not whole rupiah: {value!r} (write 1.500.000 or 1500000)") from None
    if amount < 0:
        raise CellError(f"negative: {amount}")
    if amount > MAX_AMOUNT:
        raise CellError(f"too large: {amount}")
    return amount


# --- the monthly wajib reminder ---------------------------------------------------------


def reminder_month(now_local: dt.datetime, day: int, local_time: str) -> Month | None:
    """The month whose wajib reminder is due at ``now_local`` (the member's own clock): from
    ``day`` at ``local_time`` until the month ends, so a bot that was down on the day still
    reminds later that month; None before it."""
    hour, minute = (int(part) for part in local_time.split(":"))
    due = now_local.replace(day=day, hour=hour, minute=minute, second=0, microsecond=0)
    return Month.of(now_local.date()) if now_local >= due else None
