"""The cooperative's buying prices per commodity × grade × area, dated and versioned.

Append-only: :func:`set_price` adds a version, nothing here changes or deletes one, so the
history stays (an offer locks the price in force when the farmer confirms it). For a village
at a moment, :func:`price_in_force` takes among the versions in force
(``valid_from <= at < valid_until``) the one with the most specific area prefix
(``33.10.11`` over ``33.10`` over ``33`` over ``''`` = everywhere), then the latest
``valid_from``, then the latest version set.

Prices are whole rupiah per the commodity's base unit. Times are Unix seconds UTC; a day
named in a CSV file starts at 00:00 in the area's own zone (WIB/WITA/WIT), and its
``valid_until`` day is the last day the price holds (stored as the next day's start,
exclusive).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import aiosqlite

from domain import regions
from domain.money import check_price, parse_rupiah
from domain.people import InvalidInput
from domain.produce import CATALOG, NO_GRADE, Catalog
from storage import catalog
from storage.catalog import Source, fetchall
from storage.db import now_utc
from storage.people import audit


@dataclass(frozen=True)
class BuyingPrice:
    id: int
    commodity: str
    grade: str
    area_prefix: str
    price_rupiah: int
    valid_from: int
    valid_until: int | None
    source: str
    set_by: int | None
    set_at: int
    kind: str = "buying"


# What a price is: the cooperative's buying price (the guarantee farmers sell at), the
# government's reference price (HPP/HAP), or a market price an administrator recorded.
BUYING, REFERENCE, MARKET = "buying", "reference", "market"
KINDS = (BUYING, REFERENCE, MARKET)

_COLUMNS = tuple(BuyingPrice.__dataclass_fields__)


def _price(row: Mapping) -> BuyingPrice:
    return BuyingPrice(**{k: row[k] for k in _COLUMNS})


def timestamp(at: int | datetime) -> int:
    """Unix seconds from seconds or an aware datetime (a naive one is refused: whose 06:00?)."""
    if isinstance(at, datetime):
        if at.tzinfo is None:
            raise ValueError("a price time needs a zone")
        return int(at.timestamp())
    return int(at)


def day_start(day: date, area_prefix: str = "") -> int:
    """00:00 of ``day`` in the area's zone (everywhere: WIB), as Unix seconds."""
    zone = ZoneInfo(regions.timezone_for(area_prefix) if area_prefix else regions.WIB)
    return int(datetime.combine(day, time(0), zone).timestamp())


def valid_area(area_prefix: str) -> bool:
    """'' (everywhere) or the code of a real province, regency, district or village."""
    return area_prefix == "" or regions.region(area_prefix) is not None


def _check_amount(price_rupiah: object) -> None:
    if isinstance(price_rupiah, bool) or not isinstance(price_rupiah, int) or price_rupiah <= 0:
        raise InvalidInput("price.amount")


async def set_price(
    conn: aiosqlite.Connection,
    *,
    commodity: str,
    grade: str,
    area_prefix: str,
    price_rupiah: int,
    valid_from: int | datetime,
    valid_until: int | datetime | None = None,
    source: str = "",
    set_by: int | None = None,
    kind: str = BUYING,
) -> BuyingPrice:
    """A new version of the price of ``commodity`` in ``grade`` for ``area_prefix`` from
    ``valid_from`` (until ``valid_until``, exclusive, or until superseded). Refused with
    InvalidInput: a price that is not a positive whole number of rupiah
    (``price.amount``), an unknown commodity (``price.commodity``) or grade
    (``price.grade``), an area that is neither '' nor a real code (``price.area``), an end
    not after the start (``price.dates``)."""
    _check_amount(price_rupiah)
    if kind not in KINDS:
        raise ValueError(f"no such kind of price: {kind!r}")
    if not valid_area(area_prefix):
        raise InvalidInput("price.area")
    start = timestamp(valid_from)
    end = None if valid_until is None else timestamp(valid_until)
    if end is not None and end <= start:
        raise InvalidInput("price.dates")
    if not await catalog.commodity_exists(conn, commodity):
        raise InvalidInput("price.commodity")
    if not await catalog.grade_exists(conn, commodity, grade):
        raise InvalidInput("price.grade")
    known = CATALOG.get(commodity)
    check_price(price_rupiah, known.base_unit if known else "")
    set_at = now_utc()
    cur = await conn.execute(
        "INSERT INTO buying_prices (commodity, grade, area_prefix, price_rupiah, valid_from,"
        " valid_until, source, set_by, set_at, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " RETURNING id",
        (commodity, grade, area_prefix, price_rupiah, start, end, source, set_by, set_at, kind),
    )
    price = BuyingPrice(
        (await cur.fetchone())[0],
        commodity,
        grade,
        area_prefix,
        price_rupiah,
        start,
        end,
        source,
        set_by,
        set_at,
        kind,
    )
    await audit(
        conn, set_by, "price.set", f"price:{price.id}", kind=kind, commodity=commodity, grade=grade,
        area=area_prefix, price=price_rupiah, valid_from=start, valid_until=end,
    )  # fmt: skip
    return price


# The versions in force at :at for the place :code, most specific area first. A prefix
# covers a code when it is '' or the code itself or the code continues it after a dot
# (prefixes hold digits and dots only, so LIKE sees no wildcard in them).
_IN_FORCE = (
    "kind = :kind AND (area_prefix = '' OR area_prefix = :code OR :code LIKE area_prefix || '.%')"
    " AND valid_from <= :at AND (valid_until IS NULL OR valid_until > :at)"
)
_PRECEDENCE = "LENGTH(area_prefix) DESC, valid_from DESC, id DESC"


async def get(source: Source, price_id: int) -> BuyingPrice | None:
    rows = await fetchall(source, "SELECT * FROM buying_prices WHERE id = ?", (price_id,))
    return _price(rows[0]) if rows else None


async def price_in_force(
    source: Source,
    commodity: str,
    grade: str,
    village_code: str,
    at: int | datetime,
    kind: str = BUYING,
) -> BuyingPrice | None:
    """The buying price of ``commodity`` in ``grade`` for ``village_code`` at ``at``, or None
    when no price is set there (see the module docstring for which version wins)."""
    rows = await fetchall(
        source,
        f"SELECT * FROM buying_prices WHERE commodity = :commodity AND grade = :grade AND {_IN_FORCE}"
        f" ORDER BY {_PRECEDENCE} LIMIT 1",
        {
            "commodity": commodity,
            "grade": grade,
            "code": village_code,
            "at": timestamp(at),
            "kind": kind,
        },
    )
    return _price(rows[0]) if rows else None


async def prices_in_force(
    source: Source,
    village_code: str,
    at: int | datetime,
    commodity: str | None = None,
    kind: str = BUYING,
) -> list[BuyingPrice]:
    """Every commodity × grade with a price for ``village_code`` at ``at`` (one version
    each, as :func:`price_in_force` chooses), by commodity and grade."""
    # (the filters are written out rather than ":commodity IS NULL OR …": PostgreSQL cannot
    # type a parameter that is only compared with NULL)
    only = " AND commodity = :commodity" if commodity is not None else ""
    rows = await fetchall(
        source,
        "SELECT * FROM (SELECT p.*, ROW_NUMBER() OVER (PARTITION BY commodity, grade"
        f" ORDER BY {_PRECEDENCE}) AS pick FROM buying_prices p WHERE {_IN_FORCE}{only}) AS ranked"
        " WHERE pick = 1 ORDER BY commodity, grade",
        {"code": village_code, "at": timestamp(at), "commodity": commodity, "kind": kind},
    )
    return [_price(row) for row in rows]


async def history(
    source: Source, commodity: str, grade: str | None = None, kind: str = BUYING
) -> list[BuyingPrice]:
    """Every version ever set for ``commodity`` (one grade, or all), oldest first."""
    only = " AND grade = ?" if grade is not None else ""
    params = (kind, commodity, grade) if grade is not None else (kind, commodity)
    rows = await fetchall(
        source,
        f"SELECT * FROM buying_prices WHERE kind = ? AND commodity = ?{only} ORDER BY id",
        params,
    )
    return [_price(row) for row in rows]


@dataclass(frozen=True)
class DayPrice:
    """The price in force for a village at the end of ``day`` (its own zone): the one a
    change during the day leaves in force. ``price_rupiah`` and ``price_id`` are None on a
    day with no price."""

    day: date
    price_rupiah: int | None
    price_id: int | None


def _wins(candidate: BuyingPrice, best: BuyingPrice | None) -> bool:
    """``candidate`` takes precedence over ``best`` as in _PRECEDENCE."""
    if best is None:
        return True
    mine = (len(candidate.area_prefix), candidate.valid_from, candidate.id)
    return mine > (len(best.area_prefix), best.valid_from, best.id)


async def series(
    source: Source,
    commodity: str,
    grade: str,
    village_code: str,
    start: date,
    end: date,
    kind: str = BUYING,
) -> list[DayPrice]:
    """The price of ``kind`` (the cooperative's buying price; REFERENCE for HPP, MARKET) of
    ``commodity`` in ``grade`` for ``village_code`` on every day from ``start`` to ``end``
    (both included), as :func:`price_in_force` would answer at the end of each day in the
    village's zone (a day with two prices shows the later one). One query for the whole
    period; the versions are then chosen per day."""
    if end < start:
        return []
    zone = ZoneInfo(regions.timezone_for(village_code) if village_code else regions.WIB)
    ends = [
        int(datetime.combine(start + timedelta(days=n + 1), time(0), zone).timestamp()) - 1
        for n in range((end - start).days + 1)
    ]
    rows = await fetchall(
        source,
        "SELECT * FROM buying_prices WHERE kind = :kind AND commodity = :commodity"
        " AND grade = :grade AND (area_prefix = '' OR area_prefix = :code OR :code LIKE area_prefix || '.%')"
        " AND valid_from <= :last AND (valid_until IS NULL OR valid_until > :first)"
        " ORDER BY valid_from, id",
        {"kind": kind, "commodity": commodity, "grade": grade, "code": village_code,
         "first": ends[0], "last": ends[-1]},
    )  # fmt: skip
    versions = [_price(row) for row in rows]
    days = []
    for n, at in enumerate(ends):
        best = None
        for v in versions:
            if v.valid_from > at:
                break  # ordered by valid_from: none later is in force yet
            if (v.valid_until is None or v.valid_until > at) and _wins(v, best):
                best = v
        days.append(
            DayPrice(
                start + timedelta(days=n),
                best.price_rupiah if best else None,
                best.id if best else None,
            )
        )
    return days


# --- importing a CSV file (the command line reads the file; rows come here) -----------

# The optional "kind" column: the cooperative's buying price (empty), the government's
# reference price (HPP) or a market price, in the words people put in a sheet.
_KIND_WORDS = {
    "": BUYING, "buying": BUYING, "beli": BUYING, "koperasi": BUYING,
    "reference": REFERENCE, "hpp": REFERENCE, "hap": REFERENCE, "acuan": REFERENCE,
    "market": MARKET, "pasar": MARKET,
}  # fmt: skip
REQUIRED = ("commodity", "price", "valid_from")
_EVERYWHERE = {"", "-", "*", "semua", "all", "everywhere", "nasional"}


@dataclass(frozen=True)
class RowError:
    """A refused cell: ``line`` in the file (1 is the header), ``column``, ``reason`` a key of
    ``domain.quantity.PRICE_REASONS``."""

    line: int
    column: str
    reason: str


class PriceImportRefused(Exception):
    """At least one row is wrong: nothing was imported. ``errors`` lists every wrong cell."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} error(s), first: {errors[0]}")
        self.errors = tuple(errors)


@dataclass(frozen=True)
class PriceRow:
    commodity: str
    grade: str
    area_prefix: str
    price_rupiah: int
    valid_from: int
    valid_until: int | None
    source: str
    kind: str = BUYING


_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def parse_day(text: str) -> date:
    """``2025-12-31`` or, as Indonesians write it, ``31/12/2025`` (also with - or .)."""
    text = text.strip()
    try:
        if match := _DMY.match(text):
            return date(int(match[3]), int(match[2]), int(match[1]))
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("price.date") from None


def read_rows(rows: Iterable[Mapping[str, str | None]], known: Catalog) -> list[PriceRow]:
    """Every row checked (against the catalog ``known``) before anything is written: the
    rows as prices, or PriceImportRefused naming each wrong cell. Column names are
    case-insensitive; ``grade`` may be empty for a commodity with one grade; ``area`` empty
    or ``-`` means everywhere; ``price`` as written in Indonesia (``6.500``, ``Rp6.500``)."""
    errors: list[RowError] = []
    parsed: list[PriceRow] = []
    seen: dict[tuple[str, str, str, int, str], int] = {}
    for line, raw in enumerate(rows, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        if line == 2:
            errors.extend(RowError(1, c, "price.column") for c in REQUIRED if c not in row)
            if errors:
                raise PriceImportRefused(errors)
        bad = len(errors)

        def refuse(column: str, reason: str, line: int = line) -> None:
            errors.append(RowError(line, column, reason))

        for column in REQUIRED:
            if not row.get(column):
                refuse(column, "price.missing")
        match = known.exact(row.get("commodity", "")) if row.get("commodity") else None
        commodity = known.get(row.get("commodity", "")) or (match.commodity if match else None)
        if row.get("commodity") and commodity is None:
            refuse("commodity", "price.commodity")
        grade = None
        if commodity is not None:
            typed = row.get("grade", "")
            if typed in ("", NO_GRADE):
                grade = (
                    match.grade if match and match.grade
                    else commodity.grades[0] if not commodity.graded else None
                )  # fmt: skip
            else:
                grade = next((g for g in commodity.grades if g.code.lower() == typed.lower()), None)
            if grade is None:
                refuse("grade", "price.grade")
        area = row.get("area", "")
        area = "" if area.lower() in _EVERYWHERE else area
        if not valid_area(area):
            refuse("area", "price.area")
        price = None
        if row.get("price"):
            try:
                price = parse_rupiah(row["price"])
                if commodity is not None:
                    check_price(price, commodity.base_unit)
            except InvalidInput as exc:
                refuse("price", exc.reason)
        start = end = None
        for column in ("valid_from", "valid_until"):
            if row.get(column):
                try:
                    day = parse_day(row[column])
                except InvalidInput as exc:
                    refuse(column, exc.reason)
                    continue
                zone_area = area if valid_area(area) else ""
                if column == "valid_from":
                    start = day_start(day, zone_area)
                else:  # the last day the price holds: it ends when the next day starts
                    end = day_start(day + timedelta(days=1), zone_area)
        if start is not None and end is not None and end <= start:
            refuse("valid_until", "price.dates")
        kind = _KIND_WORDS.get(row.get("kind", "").lower())
        if kind is None:
            refuse("kind", "price.kind")
        if len(errors) > bad:
            continue
        assert (
            commodity is not None and grade is not None and price is not None and start is not None
        )
        key = (commodity.code, grade.code, area, start, kind)
        if key in seen:
            refuse("valid_from", "price.duplicate")
            continue
        seen[key] = line
        parsed.append(
            PriceRow(
                commodity.code, grade.code, area, price, start, end, row.get("source", ""), kind
            )
        )
    if errors:
        raise PriceImportRefused(errors)
    return parsed


async def import_prices(
    conn: aiosqlite.Connection, rows: Iterable[Mapping[str, str | None]], *,
    set_by: int | None = None, source: str = "",
) -> list[BuyingPrice]:  # fmt: skip
    """A use case: every row of a price file checked against the stored catalog, then all
    set in this one transaction, or none (PriceImportRefused). ``source`` fills rows that
    name none (e.g. the file's name)."""
    known = await catalog.load(conn)
    checked = read_rows(list(rows), known)
    return [
        await set_price(
            conn, commodity=r.commodity, grade=r.grade, area_prefix=r.area_prefix,
            price_rupiah=r.price_rupiah, valid_from=r.valid_from, valid_until=r.valid_until,
            source=r.source or source, set_by=set_by, kind=r.kind,
        )
        for r in checked
    ]  # fmt: skip
