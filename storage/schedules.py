"""Schedules kept in the database (registered again at every start)."""

from __future__ import annotations

from datetime import time

import aiosqlite

from storage.catalog import Source, fetchall
from storage.db import now_utc
from storage.people import audit

PRICE_DIGEST = "price_digest"


async def local_time(source: Source, name: str) -> time | None:
    rows = await fetchall(source, "SELECT local_time FROM schedules WHERE name = ?", (name,))
    if not rows:
        return None
    hour, minute = rows[0]["local_time"].split(":")
    return time(int(hour), int(minute))


async def set_local_time(conn: aiosqlite.Connection, name: str, at: time) -> None:
    await conn.execute(
        "INSERT INTO schedules (name, local_time, set_at) VALUES (?, ?, ?)"
        " ON CONFLICT (name) DO UPDATE SET local_time = excluded.local_time, set_at = excluded.set_at",
        (name, at.strftime("%H:%M"), now_utc()),
    )
    await audit(conn, None, "schedule.set", f"schedule:{name}", local_time=at.strftime("%H:%M"))
