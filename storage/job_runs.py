"""Scheduled jobs run once across the processes on one database (issue 16).

Every process schedules every job (APScheduler keeps nothing on disk); a run first inserts
its slot (the digest of day D in zone Z, the expiry sweep of a ten-minute window, …): the
one insert that gets the row runs, the others skip. One statement, decided by the primary
key, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from storage.db import Database, now_utc

KEEP_SECONDS = 7 * 24 * 3600


async def claim(db: Database, name: str, slot: str, holder: str) -> bool:
    """True for the one caller that gets to run job ``name`` for ``slot``."""
    rows = await db.write_one(
        "INSERT INTO job_runs (name, slot, run_by, run_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (name, slot) DO NOTHING RETURNING name",
        (name, slot, holder, now_utc()),
    )
    return bool(rows)


async def who_ran(db: Database, name: str) -> list[tuple[str, str]]:
    """(slot, process) of each run of ``name``, oldest first (tests, the command line)."""
    rows = await db.fetchall(
        "SELECT slot, run_by FROM job_runs WHERE name = ? ORDER BY run_at, slot", (name,)
    )
    return [(row["slot"], row["run_by"]) for row in rows]


async def prune(db: Database) -> None:
    await db.write_one("DELETE FROM job_runs WHERE run_at < ?", (now_utc() - KEEP_SECONDS,))
