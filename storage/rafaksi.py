"""Rafaksi tables per cooperative × commodity, dated like prices and append-only.

:func:`set_table` adds a version from ``valid_from``; :func:`in_force` gives the version of a
cooperative's own table in force at a moment (latest ``valid_from``, then latest set), or
None when it has none (or its latest says "no rafaksi"). Government tables (``org_id``
NULL, seeded by migration 0020) are templates a cooperative adopts (:func:`government`);
they never apply by themselves: the cooperative sets its own buying price, and the cut is
part of its terms.

Which table a weighing uses: the one in force at the weighing (storage.pickups.record reads
it in the weighing's transaction and keeps its id, the readings and the cut on the pickup).
The readings are taken at the scale, so the rules of that day apply, as Bulog applies the
decree in force on the day it buys; once recorded, the receipt never changes with the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import aiosqlite

from domain.people import InvalidInput
from domain.produce import CATALOG
from domain.rafaksi import FOREIGN, MEASURES, MOISTURE, Table, check_table
from storage import catalog
from storage.catalog import Source, fetchall
from storage.db import now_utc
from storage.people import audit


@dataclass(frozen=True)
class StoredTable:
    id: int
    org_id: int | None
    commodity: str
    valid_from: int
    source: str
    table: Table | None  # None: "no rafaksi from valid_from"


async def _load(source: Source, row) -> StoredTable:
    limits = await fetchall(
        source, "SELECT measure, band, up_to FROM rafaksi_limits WHERE table_id = ? ORDER BY measure, band",
        (row["id"],),
    )  # fmt: skip
    cuts = await fetchall(
        source, "SELECT moisture_band, foreign_band, cut_rupiah FROM rafaksi_cuts WHERE table_id = ?",
        (row["id"],),
    )  # fmt: skip
    table = None
    if limits:
        by = {m: [Decimal(r["up_to"]) for r in limits if r["measure"] == m] for m in MEASURES}
        grid = [[0] * len(by[FOREIGN]) for _ in by[MOISTURE]]
        for cell in cuts:
            grid[cell["moisture_band"]][cell["foreign_band"]] = cell["cut_rupiah"]
        table = Table(tuple(by[MOISTURE]), tuple(by[FOREIGN]), tuple(map(tuple, grid)))
    return StoredTable(
        row["id"], row["org_id"], row["commodity"], row["valid_from"], row["source"], table
    )


_COLUMNS = "id, org_id, commodity, valid_from, source"


async def in_force(source: Source, org_id: int, commodity: str, at: int) -> StoredTable | None:
    """The cooperative's own table of ``commodity`` in force at ``at``; None when it has
    none, or the one in force says "no rafaksi"."""
    rows = await fetchall(
        source,
        f"SELECT {_COLUMNS} FROM rafaksi_tables WHERE org_id = ? AND commodity = ? AND valid_from <= ?"
        " ORDER BY valid_from DESC, id DESC LIMIT 1",
        (org_id, commodity, at),
    )
    if not rows:
        return None
    found = await _load(source, rows[0])
    return found if found.table is not None else None


async def by_id(source: Source, table_id: int) -> StoredTable | None:
    rows = await fetchall(
        source, f"SELECT {_COLUMNS} FROM rafaksi_tables WHERE id = ?", (table_id,)
    )
    return await _load(source, rows[0]) if rows else None


async def government(source: Source, commodity: str, at: int | None = None) -> StoredTable | None:
    """The latest government table (a template) of ``commodity`` valid at ``at`` (now)."""
    rows = await fetchall(
        source,
        f"SELECT {_COLUMNS} FROM rafaksi_tables WHERE org_id IS NULL AND commodity = ? AND valid_from <= ?"
        " ORDER BY valid_from DESC, id DESC LIMIT 1",
        (commodity, now_utc() if at is None else at),
    )
    return await _load(source, rows[0]) if rows else None


async def history(source: Source, org_id: int, commodity: str) -> list[StoredTable]:
    """Every version of the cooperative's table, newest first."""
    rows = await fetchall(
        source,
        f"SELECT {_COLUMNS} FROM rafaksi_tables WHERE org_id = ? AND commodity = ?"
        " ORDER BY valid_from DESC, id DESC",
        (org_id, commodity),
    )
    return [await _load(source, row) for row in rows]


async def commodities(source: Source, org_id: int) -> list[str]:
    """The commodities the cooperative has a table of (any version) or the government has a
    template of: those /rafaksi shows."""
    rows = await fetchall(
        source,
        "SELECT DISTINCT commodity FROM rafaksi_tables WHERE org_id = ? OR org_id IS NULL"
        " ORDER BY commodity",
        (org_id,),
    )
    return [row["commodity"] for row in rows]


async def set_table(
    conn: aiosqlite.Connection, *, org_id: int, commodity: str, table: Table | None,
    valid_from: int, source: str = "", set_by: int | None = None,
) -> StoredTable:  # fmt: skip
    """A new version of the cooperative's table of ``commodity`` from ``valid_from`` (None:
    no rafaksi from then). The table is checked again here (domain.rafaksi.check_table), so
    a forged one never lands; InvalidInput("rafaksi.commodity") for an unknown commodity."""
    if not await catalog.commodity_exists(conn, commodity):
        raise InvalidInput("rafaksi.commodity")
    if table is not None:
        known = CATALOG.get(commodity)
        table = check_table(
            table.moisture, table.foreign, table.cuts, known.base_unit if known else "kg"
        )
    now = now_utc()
    cur = await conn.execute(
        "INSERT INTO rafaksi_tables (org_id, commodity, valid_from, source, set_by, set_at)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        (org_id, commodity, valid_from, source, set_by, now),
    )
    table_id = (await cur.fetchone())[0]
    if table is not None:
        for measure in MEASURES:
            for band, up_to in enumerate(table.limits(measure)):
                await conn.execute(
                    "INSERT INTO rafaksi_limits (table_id, measure, band, up_to) VALUES (?, ?, ?, ?)",
                    (table_id, measure, band, str(up_to)),
                )
        for i, row in enumerate(table.cuts):
            for j, cut in enumerate(row):
                await conn.execute(
                    "INSERT INTO rafaksi_cuts (table_id, moisture_band, foreign_band, cut_rupiah)"
                    " VALUES (?, ?, ?, ?)",
                    (table_id, i, j, cut),
                )
    await audit(
        conn, set_by, "rafaksi.set", f"org:{org_id}", commodity=commodity, valid_from=valid_from,
        table_id=table_id, off=table is None,
    )  # fmt: skip
    return await by_id(conn, table_id)
