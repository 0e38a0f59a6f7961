"""The produce catalog as stored (seeded by migration 0004 from
``bot.domain.produce.COMMODITIES``, edited by administrators afterwards), read back into a
``bot.domain.produce.Catalog`` for matching typed names and reading quantities."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import aiosqlite

from bot.domain.produce import Catalog, Commodity, Grade, Limit, Unit
from storage.db import Database

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
