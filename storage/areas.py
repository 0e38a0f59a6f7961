"""Villages people have named (the area tree: province > regency > district > village)."""

from __future__ import annotations

import aiosqlite

from bot.domain.regions import Area
from storage.db import Database, now_utc

_COLUMNS = "id, province, regency, district, village"


async def get_or_create(conn: aiosqlite.Connection, area: Area) -> int:
    await conn.execute(
        "INSERT OR IGNORE INTO areas (province, regency, district, village, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (area.province, area.regency, area.district, area.village, now_utc()),
    )
    async with conn.execute(
        "SELECT id FROM areas WHERE province = ? AND regency = ? AND district = ? AND village = ?",
        (area.province, area.regency, area.district, area.village),
    ) as cur:
        row = await cur.fetchone()
    return row["id"]


async def by_id(db: Database, area_id: int) -> Area | None:
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM areas WHERE id = ?", (area_id,))
    return Area(**dict(row)) if row else None


async def known_in_province(db: Database, province: str, limit: int = 6) -> list[Area]:
    """The villages of a province where most people live, to offer as buttons."""
    rows = await db.fetchall(
        f"SELECT {', '.join('a.' + c.strip() for c in _COLUMNS.split(','))}"
        " FROM areas a LEFT JOIN people p ON p.area_id = a.id"
        " WHERE a.province = ? GROUP BY a.id ORDER BY COUNT(p.id) DESC, a.village LIMIT ?",
        (province, limit),
    )
    return [Area(**dict(row)) for row in rows]


async def set_person_area(db: Database, person_id: int, area: Area) -> int:
    async with db.transaction() as conn:
        area_id = await get_or_create(conn, area)
        await conn.execute(
            "UPDATE people SET area_id = ?, timezone = ?, updated_at = ? WHERE id = ?",
            (area_id, area.timezone, now_utc(), person_id),
        )
    return area_id
