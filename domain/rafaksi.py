"""Rafaksi: the price cut for grain that falls outside the quality the buying price is for.

Bulog buys gabah by a table: the price in force holds up to a moisture (*kadar air*) and an
empty or foreign grain (*hampa/kotoran*) share, and below that quality a fixed cut in rupiah
per kg comes off, by band. The decree's table is a grid, not a sum of two cuts: Kepbadan
2/2025 cut GKP at the farm gate by Rp300 for hampa 11–15 %, Rp425 for moisture 26–30 %, but
Rp750 (not Rp725) for both. So a :class:`Table` holds the upper limits of each measure's
bands and one cut per cell.

- Band ``i`` of a measure holds the readings above limit ``i-1`` up to and including limit
  ``i``; the first band starts at 0 %. Readings above the last limit are outside the table:
  refused with a reason (:class:`RafaksiRefused`), the cooperative does not buy at that
  quality by this table.
- The first cell (both measures in their first band) cuts nothing: it is the quality the
  buying price is for. A worse band never cuts less than a better one.
- Measurements are exact decimals as people type them (``14``, ``14,5``, ``14,5 %``),
  at most two decimals, from 0 to 100.

Tables are data (dated, per cooperative and commodity, storage.rafaksi); the figures of a
decree are seeded in the database, never written here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from domain import N_
from domain.money import max_price
from domain.people import InvalidInput
from domain.quantity import numeral
from domain.sales import parse_date

# The measures a table may cut by, in the order the weighing asks them.
MOISTURE, FOREIGN = "moisture", "foreign"
MEASURES = (MOISTURE, FOREIGN)
MEASURE_LABELS = {MOISTURE: N_("Moisture"), FOREIGN: N_("Empty grain/dirt")}

HUNDRED = Decimal(100)

# What was wrong and what to do; placeholders: {measure} the measure's label, {highest} the
# table's highest reading in percent.
REASONS = {
    "rafaksi.unreadable": N_("I could not read that. Type the percentage, for example 14 or 14,5."),
    "rafaksi.range": N_("A percentage is from 0 to 100. Type the reading, for example 14 or 14,5."),
    "rafaksi.out_of_table": N_("{measure} above {highest} is outside the cooperative's table: it does not buy at that quality. Check the reading and type it again, or send /cancel."),
    "rafaksi.not_measured": N_("The cooperative's quality table changed during the weighing. Send /jemput and weigh it again."),
    "rafaksi.cut_above_price": N_("The cut for that quality is as high as the price. The cooperative does not buy at that quality. Send /cancel and call the cooperative."),
    # an administrator's own table, typed in /rafaksi; {most} the ceiling, {least} the cut of
    # the better cell beside
    "rafaksi.limits": N_("Type 1 to 4 limits above 0, from small to large, with a space between. For example: 25 30."),
    "rafaksi.cut": N_("I could not read that. Type the cut in rupiah per {unit}, for example 300. Type 0 for no cut."),
    "rafaksi.cut_high": N_("That cut is too high. A cut is below {most} per {unit}."),
    "rafaksi.cut_less": N_("Worse quality never gets a smaller cut. Type {least} or more."),
    "rafaksi.day": N_("I could not read that day. Type a date from today on, for example 20-12-2026."),
}  # fmt: skip


class RafaksiRefused(InvalidInput):
    """A reading or a table the rules refuse; ``reason`` is a key of :data:`REASONS` (or
    ``rafaksi.table`` for a malformed table); ``measure`` and ``highest`` fill the text."""

    def __init__(self, reason: str, measure: str | None = None, highest: Decimal | None = None,
                 least: int | None = None):  # fmt: skip
        super().__init__(reason)
        self.measure, self.highest, self.least = measure, highest, least


_PERCENT = re.compile(r"\s*(%|persen|percent|pct)\s*$")


def parse_percent(text: str) -> Decimal:
    """A reading as typed: ``14``, ``14,5``, ``14.5``, ``14,5 %``, ``14,5 persen``; exact,
    at most two decimals, 0 to 100; else RafaksiRefused (``rafaksi.unreadable`` or
    ``rafaksi.range``)."""
    cleaned = unicodedata.normalize("NFKC", text or "").lower().strip()
    cleaned = _PERCENT.sub("", cleaned).strip()
    if cleaned.startswith("-") and numeral(cleaned[1:]) is not None:
        raise RafaksiRefused("rafaksi.range")
    value = numeral(cleaned) if cleaned else None
    if value is None or value.as_tuple().exponent < -2:
        raise RafaksiRefused("rafaksi.unreadable")
    if value > HUNDRED:
        raise RafaksiRefused("rafaksi.range")
    return plain(value)


def plain(value: Decimal) -> Decimal:
    """The same figure, plain: 30 (never 3E+1 nor 30.00), 14.5 (never 14.50)."""
    return Decimal(int(value)) if value == value.to_integral_value() else value.normalize()


def percent_text(value: Decimal) -> str:
    """``27``, ``14,5``: a reading the Indonesian way (the caller adds `` %``)."""
    return format(plain(value), "f").replace(".", ",")


# An administrator's own table (/rafaksi): at most this many bands per measure, so the grid
# stays a handful of questions and reads on a small phone.
MAX_BANDS = 4
_BETWEEN = re.compile(r"\s*(?:;|/|\bdan\b|\band\b|\s)\s*")


def parse_limits(text: str) -> tuple[Decimal, ...]:
    """A measure's band limits as typed, smallest first: ``25 30``, ``25 % dan 30 %``,
    ``14,5; 20`` (a comma is a decimal mark, so a space or ``;`` separates); each read by
    :func:`parse_percent`; 1 to :data:`MAX_BANDS`, above 0, rising, else RafaksiRefused
    (``rafaksi.limits``, or the reading's own reason)."""
    cleaned = unicodedata.normalize("NFKC", text or "").lower().replace("%", " ")
    words = [w for w in _BETWEEN.split(cleaned.strip()) if w]
    if not 1 <= len(words) <= MAX_BANDS:
        raise RafaksiRefused("rafaksi.limits")
    limits = tuple(parse_percent(w) for w in words)
    if limits[0] <= 0 or any(b <= a for a, b in zip(limits, limits[1:], strict=False)):
        raise RafaksiRefused("rafaksi.limits")
    return limits


def check_cut(cut: int, better: list[int], base_unit: str = "kg") -> int:
    """One cell's cut typed in /rafaksi: below the commodity's price ceiling
    (``rafaksi.cut_high``) and never less than the cuts of the better cells beside it,
    ``better`` (``rafaksi.cut_less``, with ``least``), as :func:`check_table` wants."""
    if cut >= max_price(base_unit):
        raise RafaksiRefused("rafaksi.cut_high")
    least = max(better, default=0)
    if cut < least:
        raise RafaksiRefused("rafaksi.cut_less", least=least)
    return cut


def parse_start(text: str, today: date) -> date:
    """The first day of a new table, typed as a delivery date is (``20-12-2026``,
    ``2026-12-20``, ``20-12``): from ``today`` on, at most a year ahead; else
    RafaksiRefused("rafaksi.day")."""
    try:
        return parse_date(text, today)
    except InvalidInput:
        raise RafaksiRefused("rafaksi.day") from None


def starts_at(day: date, today: date, now: int, zone: str) -> int:
    """When a table chosen for ``day`` applies (unix seconds): from now when it is today
    (the next weighing uses it), else from 00:00 of that day where the cooperative is."""
    if day <= today:
        return now
    return int(datetime.combine(day, time(0), ZoneInfo(zone)).timestamp())


@dataclass(frozen=True)
class Table:
    """Upper limits (percent) of each measure's bands, ascending, and the cut per base unit
    for each cell: ``cuts[i][j]`` for moisture band ``i`` and foreign band ``j``."""

    moisture: tuple[Decimal, ...]
    foreign: tuple[Decimal, ...]
    cuts: tuple[tuple[int, ...], ...]

    def limits(self, measure: str) -> tuple[Decimal, ...]:
        return self.moisture if measure == MOISTURE else self.foreign

    def band(self, measure: str, value: Decimal) -> int:
        """The band a reading falls in; RafaksiRefused("rafaksi.out_of_table") above the last."""
        for i, limit in enumerate(self.limits(measure)):
            if value <= limit:
                return i
        raise RafaksiRefused("rafaksi.out_of_table", measure, self.limits(measure)[-1])

    def base(self, measure: str) -> Decimal:
        """The highest reading the buying price is for (no cut)."""
        return self.limits(measure)[0]


def check_table(moisture, foreign, cuts, base_unit: str = "kg") -> Table:
    """A table from its figures, or RafaksiRefused("rafaksi.table"): limits ascending above 0
    and at most 100; one row of cuts per moisture band, one cut per foreign band; whole
    rupiah from 0 up to the commodity's price ceiling; the first cell 0; a worse band never
    cuts less."""
    try:
        m = tuple(plain(Decimal(str(x))) for x in moisture)
        f = tuple(plain(Decimal(str(x))) for x in foreign)
    except ArithmeticError:
        raise RafaksiRefused("rafaksi.table") from None
    grid = tuple(tuple(row) for row in cuts)
    ceiling = max_price(base_unit)
    for limits in (m, f):
        if not limits or any(not 0 < x <= HUNDRED for x in limits):
            raise RafaksiRefused("rafaksi.table")
        if any(b <= a for a, b in zip(limits, limits[1:], strict=False)):
            raise RafaksiRefused("rafaksi.table")
    if len(grid) != len(m) or any(len(row) != len(f) for row in grid):
        raise RafaksiRefused("rafaksi.table")
    for row in grid:
        for cut in row:
            if isinstance(cut, bool) or not isinstance(cut, int) or not 0 <= cut < ceiling:
                raise RafaksiRefused("rafaksi.table")
    if grid[0][0] != 0:
        raise RafaksiRefused("rafaksi.table")
    for i, row in enumerate(grid):
        for j, cut in enumerate(row):
            if (i and cut < grid[i - 1][j]) or (j and cut < row[j - 1]):
                raise RafaksiRefused("rafaksi.table")
    return Table(m, f, grid)


@dataclass(frozen=True)
class Cut:
    """The readings and the cut they give, per base unit."""

    moisture: Decimal
    foreign: Decimal
    rupiah_per_unit: int


def cut_for(table: Table, moisture: Decimal, foreign: Decimal) -> Cut:
    """The cut for the readings; RafaksiRefused("rafaksi.out_of_table") for a reading above
    its measure's last band."""
    i = table.band(MOISTURE, moisture)
    j = table.band(FOREIGN, foreign)
    return Cut(moisture, foreign, table.cuts[i][j])


def price_after(price_rupiah: int, cut: Cut) -> int:
    """The price per base unit the farmer is paid: the locked price less the cut; refused
    (``rafaksi.cut_above_price``) when nothing would be left: the farmer never sells for
    nothing."""
    if cut.rupiah_per_unit >= price_rupiah:
        raise RafaksiRefused("rafaksi.cut_above_price")
    return price_rupiah - cut.rupiah_per_unit
