"""Places typed as free text before village codes existed (the ``areas`` table), and their
move to codes: matched where every level names exactly one region, else left for the person
to pick again (``Person.needs_village``)."""

from __future__ import annotations

from dataclasses import dataclass

from domain import regions
from storage.db import Database, now_utc


@dataclass(frozen=True)
class TypedPlace:
    province: str
    regency: str
    district: str
    village: str


async def by_id(db: Database, area_id: int) -> TypedPlace | None:
    row = await db.fetchone(
        "SELECT province, regency, district, village FROM areas WHERE id = ?", (area_id,)
    )
    return TypedPlace(**dict(row)) if row else None


async def match_typed_places(db: Database) -> tuple[int, int]:
    """Give people whose place was typed the code it names without doubt.

    Returns (matched, left for the person to pick again). Runs at every start; cheap when
    there is nothing left to match.
    """
    rows = await db.fetchall(
        "SELECT p.id, a.province, a.regency, a.district, a.village FROM people p"
        " JOIN areas a ON a.id = p.area_id WHERE p.village_code IS NULL"
    )
    matched = []
    for row in rows:
        code = regions.find_code(row["province"], row["regency"], row["district"], row["village"])
        if code:
            matched.append((code, regions.timezone_for(code), now_utc(), row["id"]))
    if matched:
        async with db.transaction(bookkeeping=True) as conn:
            await conn.executemany(
                "UPDATE people SET village_code = ?, timezone = ?, updated_at = ? WHERE id = ?",
                matched,
            )
    return len(matched), len(rows) - len(matched)
