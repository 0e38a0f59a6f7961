"""What each cooperative takes off the amount for transport and handling, per unit of
produce: dated, append-only rates (like buying prices), locked into an offer when the farmer
confirms it, so the receipt deducts what the farmer was shown."""

from __future__ import annotations

from collections.abc import Mapping

import aiosqlite

from domain.people import InvalidInput
from domain.pickups import DeductionKind, Rate
from storage import catalog
from storage.catalog import Source, fetchall
from storage.db import now_utc
from storage.people import audit
from storage.prices import timestamp


async def set_rate(
    conn: aiosqlite.Connection, *, org_id: int, kind: DeductionKind | str, rupiah_per_unit: int,
    commodity: str = "", valid_from: int | None = None, set_by: int | None = None,
) -> int:  # fmt: skip
    """A new rate from ``valid_from`` (default now); 0 ends a rate. ``commodity`` '' is the
    rate for every commodity without one of its own. InvalidInput: ``price.amount`` for a
    rate that is not a whole number ≥ 0, ``price.commodity`` for an unknown commodity."""
    if (
        isinstance(rupiah_per_unit, bool)
        or not isinstance(rupiah_per_unit, int)
        or rupiah_per_unit < 0
    ):
        raise InvalidInput("price.amount")
    if commodity and not await catalog.commodity_exists(conn, commodity):
        raise InvalidInput("price.commodity")
    kind = DeductionKind(kind)
    now = now_utc()
    cur = await conn.execute(
        "INSERT INTO deduction_rates (org_id, commodity, kind, rupiah_per_unit, valid_from, set_by, set_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (org_id, commodity, kind.value, rupiah_per_unit, now if valid_from is None else valid_from, set_by, now),
    )  # fmt: skip
    rate_id = (await cur.fetchone())[0]
    await audit(
        conn, set_by, "deduction.set", f"org:{org_id}", kind=kind.value, commodity=commodity,
        rupiah_per_unit=rupiah_per_unit,
    )  # fmt: skip
    return rate_id


def _rate(row: Mapping) -> Rate:
    return Rate(DeductionKind(row["kind"]), row["rupiah_per_unit"])


async def in_force(source: Source, org_id: int, commodity: str, at: int) -> tuple[Rate, ...]:
    """The rates of ``org_id`` for ``commodity`` at ``at``: per kind, the commodity's own
    rate before the one for all, then the latest; a rate of 0 means none."""
    rows = await fetchall(
        source,
        "SELECT kind, rupiah_per_unit FROM (SELECT r.*, ROW_NUMBER() OVER (PARTITION BY kind"
        " ORDER BY LENGTH(commodity) DESC, valid_from DESC, id DESC) AS pick FROM deduction_rates r"
        " WHERE org_id = :org AND commodity IN ('', :commodity) AND valid_from <= :at) AS ranked"
        " WHERE pick = 1 AND rupiah_per_unit > 0 ORDER BY kind",
        {"org": org_id, "commodity": commodity, "at": timestamp(at)},
    )
    return tuple(_rate(row) for row in rows)


async def lock(conn: aiosqlite.Connection, offer_id: int, rates: tuple[Rate, ...]) -> None:
    await conn.executemany(
        "INSERT INTO offer_deductions (offer_id, kind, rupiah_per_unit) VALUES (?, ?, ?)",
        [(offer_id, r.kind.value, r.rupiah_per_unit) for r in rates],
    )


async def locked(source: Source, offer_id: int) -> tuple[Rate, ...]:
    """The rates the farmer was shown when confirming ``offer_id``."""
    rows = await fetchall(
        source,
        "SELECT kind, rupiah_per_unit FROM offer_deductions WHERE offer_id = ? ORDER BY kind",
        (offer_id,),
    )
    return tuple(_rate(row) for row in rows)
