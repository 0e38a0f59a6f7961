"""Dead letters: updates set aside because they cannot be processed (Telegram sent something
this PTB cannot parse, or processing never finished in ``inbox.MAX_ATTEMPTS`` processes).

A quarantined update leaves the queue: its payload moves here with the reason, and its inbox
row stays, marked applied, so that Telegram delivering it again changes nothing. The operator
lists them, puts them back in the queue (processed at the next start) or drops them.
"""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from storage.db import Database, now_utc


@dataclass(frozen=True)
class DeadLetter:
    update_id: int
    payload: str
    received_at: int
    failed_at: int
    attempts: int
    error: str


_STASH = (
    "INSERT INTO dead_letters (update_id, payload, received_at, failed_at, attempts, error)"
    " VALUES (?, ?, COALESCE((SELECT received_at FROM inbox WHERE update_id = ?), ?), ?,"
    " COALESCE((SELECT attempts FROM inbox WHERE update_id = ?), 0), ?)"
    " ON CONFLICT (update_id) DO UPDATE SET payload = excluded.payload,"
    " failed_at = excluded.failed_at, attempts = excluded.attempts, error = excluded.error"
)
# The inbox keeps the id, applied (a delivery again is dropped), without the payload.
_SET_ASIDE = (
    "INSERT INTO inbox (update_id, payload, received_at, applied_at) VALUES (?, NULL, ?, ?)"
    " ON CONFLICT (update_id) DO UPDATE SET payload = NULL, applied_at = excluded.applied_at"
)


async def quarantine(db: Database, letters: list[tuple[int, str, str]]) -> None:
    """Set these updates aside: ``(update_id, payload as received, error)`` each."""
    if not letters:
        return
    now = now_utc()
    async with db.transaction(bookkeeping=True) as conn:
        await conn.executemany(
            _STASH,
            [(uid, payload, uid, now, now, uid, error) for uid, payload, error in letters],
        )
        await conn.executemany(_SET_ASIDE, [(uid, now, now) for uid, _, _ in letters])


async def listed(db: Database) -> list[DeadLetter]:
    rows = await db.fetchall(
        "SELECT update_id, payload, received_at, failed_at, attempts, error FROM dead_letters"
        " ORDER BY update_id"
    )
    return [DeadLetter(**dict(row)) for row in rows]


async def count(db: Database) -> int:
    row = await db.fetchone("SELECT COUNT(*) AS n FROM dead_letters")
    return row["n"] if row else 0


async def _ids(conn: aiosqlite.Connection, update_ids: list[int] | None) -> list[int]:
    if update_ids is None:
        async with conn.execute("SELECT update_id FROM dead_letters ORDER BY update_id") as cur:
            return [row["update_id"] for row in await cur.fetchall()]
    marks = ",".join("?" * len(update_ids))
    async with conn.execute(
        f"SELECT update_id FROM dead_letters WHERE update_id IN ({marks}) ORDER BY update_id",
        update_ids,
    ) as cur:
        return [row["update_id"] for row in await cur.fetchall()]


async def retry(db: Database, update_ids: list[int] | None) -> list[int]:
    """Back into the queue (``None``: all): processed at the next start, attempts from zero.
    Returns the ids that were dead letters."""
    async with db.transaction(bookkeeping=True) as conn:
        found = await _ids(conn, update_ids)
        await conn.executemany(
            "INSERT INTO inbox (update_id, payload, received_at, applied_at, attempts)"
            " SELECT update_id, payload, received_at, NULL, 0 FROM dead_letters WHERE update_id = ?"
            " ON CONFLICT (update_id) DO UPDATE SET payload = excluded.payload,"
            " applied_at = NULL, attempts = 0",
            [(uid,) for uid in found],
        )
        await conn.executemany(
            "DELETE FROM dead_letters WHERE update_id = ?", [(uid,) for uid in found]
        )
    return found


async def drop(db: Database, update_ids: list[int] | None) -> list[int]:
    """Forget them for good (``None``: all); their inbox rows stay applied. Returns the ids
    that were dead letters."""
    async with db.transaction(bookkeeping=True) as conn:
        found = await _ids(conn, update_ids)
        await conn.executemany(
            "DELETE FROM dead_letters WHERE update_id = ?", [(uid,) for uid in found]
        )
    return found
