"""The produce catalog as stored (seeded by migration 0004 from
``domain.produce.COMMODITIES``, edited by administrators afterwards), read back into a
``domain.produce.Catalog`` for matching typed names and reading quantities."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import aiosqlite

from domain.people import InvalidInput
from domain.produce import (
    GRADE_CODE,
    NO_GRADE,
    Catalog,
    Commodity,
    Grade,
    Limit,
    NewCommodity,
    Unit,
    check_new_commodity,
    match_key,
    units_of,
)
from storage.db import Database, now_utc
from storage.people import audit

Source = Database | aiosqlite.Connection


async def fetchall(source: Source, sql: str, params: tuple | dict = ()) -> list[Any]:
    """Rows from the reader of a Database, or inside a use case's transaction."""
    if isinstance(source, Database):
        return await source.fetchall(sql, params)
    return list(await source.execute_fetchall(sql, params))


def decimal(value: object) -> Decimal | None:
    """A NUMERIC as SQLite returns it (int or float: 0.1, 12.5) as the exact Decimal it was
    written as; str() of a float is its shortest round-trip form."""
    return None if value is None else Decimal(str(value))


async def load(source: Source, *, include_inactive: bool = False) -> Catalog:
    """Every commodity (the active ones unless asked), in their order, with units, grades,
    limits and aliases."""
    where = "" if include_inactive else " WHERE active = 1"
    commodities = await fetchall(
        source, f"SELECT * FROM commodities{where} ORDER BY position, code"
    )
    units = await fetchall(
        source, "SELECT * FROM commodity_units ORDER BY commodity, position, unit"
    )
    grades = await fetchall(source, "SELECT * FROM grades ORDER BY commodity, position, code")
    limits = await fetchall(
        source, "SELECT * FROM grade_limits ORDER BY commodity, grade, position, measure"
    )
    aliases = await fetchall(
        source, "SELECT * FROM commodity_aliases ORDER BY commodity, position, alias"
    )

    def of(rows: list[Any], commodity: str, grade: str | None = None) -> list[Any]:
        return [
            r for r in rows
            if r["commodity"] == commodity and (grade is None or r["grade"] == grade)
        ]  # fmt: skip

    built = []
    for c in commodities:
        code = c["code"]
        grade_list = tuple(
            Grade(
                g["code"], g["label"], g["criteria"],
                tuple(
                    Limit(lim["measure"], decimal(lim["low"]), decimal(lim["high"]))
                    for lim in of(limits, code, g["code"])
                ),
                tuple(a["alias"] for a in of(aliases, code, g["code"])),
            )
            for g in of(grades, code)
        )  # fmt: skip
        built.append(
            Commodity(
                code, c["kind"], c["name_id"], c["name_en"], c["base_unit"],
                tuple(Unit(u["unit"], decimal(u["factor"])) for u in of(units, code)),
                grade_list,
                max_per_offer=c["max_per_offer"], example=c["example"],
                aliases=tuple(a["alias"] for a in of(aliases, code) if a["grade"] is None),
                active=bool(c["active"]),
            )
        )  # fmt: skip
    return Catalog(tuple(built))


async def grade_exists(source: Source, commodity: str, grade: str) -> bool:
    rows = await fetchall(
        source, "SELECT 1 FROM grades WHERE commodity = ? AND code = ?", (commodity, grade)
    )
    return bool(rows)


async def commodity_exists(source: Source, commodity: str) -> bool:
    rows = await fetchall(source, "SELECT 1 FROM commodities WHERE code = ?", (commodity,))
    return bool(rows)


# --- administrators' edits (the command line and /katalog) --------------------------------
# Each is a use case (``db.write(catalog.add_commodity, …)``); the bot reloads the catalog
# afterwards (handlers.jobs refresh_catalog). InvalidInput reasons are in CATALOG_REASONS.


async def _exists(conn: aiosqlite.Connection, sql: str, params: tuple) -> bool:
    async with conn.execute(sql, params) as cur:
        return await cur.fetchone() is not None


async def add_commodity(
    conn: aiosqlite.Connection, new: NewCommodity, *, by: int | None = None
) -> None:
    """A commodity with its units (standard factors) and, until grades are added, no grading."""
    check_new_commodity(new)
    if await _exists(conn, "SELECT 1 FROM commodities WHERE code = ?", (new.code,)):
        raise InvalidInput("catalog.code_taken")
    async with conn.execute(
        "SELECT COALESCE(MAX(position), 0) + 1 AS next FROM commodities"
    ) as cur:
        position = (await cur.fetchone())["next"]
    await conn.execute(
        "INSERT INTO commodities (code, kind, name_id, name_en, base_unit, max_per_offer, example, position)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (new.code, new.kind, new.name_id, new.name_en, new.base_unit, new.max_per_offer, new.example, position),
    )  # fmt: skip
    await conn.executemany(
        "INSERT INTO commodity_units (commodity, unit, factor, position) VALUES (?, ?, ?, ?)",
        [
            (new.code, unit, str(factor), i)
            for i, (unit, factor) in enumerate(units_of(new), start=1)
        ],
    )
    await conn.execute(
        "INSERT INTO grades (commodity, code, label, criteria, position) VALUES (?, ?, ?, ?, 1)",
        (new.code, NO_GRADE, "ungraded", new.criteria or "no grading"),
    )
    await audit(conn, by, "catalog.add", f"commodity:{new.code}", name=new.name_id)


async def add_grade(
    conn: aiosqlite.Connection, commodity: str, code: str, label: str, criteria: str, *, by: int | None = None
) -> None:  # fmt: skip
    """A grade, after the others (best first: add them best first). The placeholder '-' of
    an ungraded commodity goes once it has a real grade and no price or offer names it."""
    if not await _exists(conn, "SELECT 1 FROM commodities WHERE code = ?", (commodity,)):
        raise InvalidInput("price.commodity")
    if not GRADE_CODE.fullmatch(code) or code == NO_GRADE or not label.strip():
        raise InvalidInput("catalog.grade")
    if await _exists(
        conn, "SELECT 1 FROM grades WHERE commodity = ? AND code = ?", (commodity, code)
    ):
        raise InvalidInput("catalog.code_taken")
    async with conn.execute(
        "SELECT COALESCE(MAX(position), 0) + 1 AS next FROM grades WHERE commodity = ?",
        (commodity,),
    ) as cur:
        position = (await cur.fetchone())["next"]
    await conn.execute(
        "INSERT INTO grades (commodity, code, label, criteria, position) VALUES (?, ?, ?, ?, ?)",
        (commodity, code, label.strip(), criteria.strip(), position),
    )
    used = await _exists(
        conn, "SELECT 1 FROM buying_prices WHERE commodity = ? AND grade = ? UNION ALL"
        " SELECT 1 FROM offers WHERE commodity = ? AND grade = ?", (commodity, NO_GRADE, commodity, NO_GRADE),
    )  # fmt: skip
    if not used:
        await conn.execute(
            "DELETE FROM commodity_aliases WHERE commodity = ? AND grade = ?", (commodity, NO_GRADE)
        )
        await conn.execute(
            "DELETE FROM grades WHERE commodity = ? AND code = ?", (commodity, NO_GRADE)
        )
    await audit(conn, by, "catalog.grade", f"commodity:{commodity}", grade=code)


async def add_alias(
    conn: aiosqlite.Connection, commodity: str, alias: str, grade: str | None = None, *, by: int | None = None
) -> str:  # fmt: skip
    """A word people type for the commodity (or for one of its grades); returns its match key."""
    key = match_key(alias)
    if len(key) < 2:
        raise InvalidInput("catalog.alias")
    if grade is not None and not await grade_exists(conn, commodity, grade):
        raise InvalidInput("price.grade")
    if not await _exists(conn, "SELECT 1 FROM commodities WHERE code = ?", (commodity,)):
        raise InvalidInput("price.commodity")
    async with conn.execute(
        "SELECT COALESCE(MAX(position), 0) + 1 AS next FROM commodity_aliases WHERE commodity = ?",
        (commodity,),
    ) as cur:
        position = (await cur.fetchone())["next"]
    await conn.execute(
        "INSERT INTO commodity_aliases (commodity, grade, alias, position) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (commodity, alias) DO NOTHING",
        (commodity, grade, key, position),
    )
    await audit(conn, by, "catalog.alias", f"commodity:{commodity}", alias=key)
    return key


async def set_active(
    conn: aiosqlite.Connection, commodity: str, active: bool, *, by: int | None = None
) -> bool:
    """Buy a commodity again, or no longer (offers naming it keep it); False if unknown."""
    cur = await conn.execute(
        "UPDATE commodities SET active = ? WHERE code = ?", (1 if active else 0, commodity)
    )
    if cur.rowcount:
        await audit(
            conn, by, "catalog.active" if active else "catalog.inactive", f"commodity:{commodity}"
        )
    return bool(cur.rowcount)


async def stopped(source: Source, org_id: int) -> frozenset[str]:
    """The commodities a cooperative no longer buys (/katalog), for its own farmers only."""
    rows = await fetchall(
        source, "SELECT commodity FROM org_commodity_stops WHERE org_id = ?", (org_id,)
    )
    return frozenset(row["commodity"] for row in rows)


async def set_stopped(
    conn: aiosqlite.Connection, org_id: int, commodity: str, stop: bool, *, by: int | None = None
) -> bool:
    """A cooperative stops buying a commodity, or buys it again (offers naming it keep it);
    the other cooperatives are not touched. False if the commodity is unknown."""
    if not await commodity_exists(conn, commodity):
        return False
    if stop:
        await conn.execute(
            "INSERT INTO org_commodity_stops (org_id, commodity, stopped_by, stopped_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (org_id, commodity) DO NOTHING",
            (org_id, commodity, by, now_utc()),
        )
    else:
        await conn.execute(
            "DELETE FROM org_commodity_stops WHERE org_id = ? AND commodity = ?",
            (org_id, commodity),
        )
    await audit(
        conn, by, "catalog.stopped" if stop else "catalog.bought", f"commodity:{commodity}",
        org=org_id,
    )  # fmt: skip
    return True
