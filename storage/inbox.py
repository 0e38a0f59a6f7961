"""The update inbox: every update is stored before Telegram is told it arrived, so a crash
loses none. Its use cases' results are kept with it (``storage.db.Database.write``), so none
is written twice; ``applied_at`` is set when the update is wholly done, and updates without it
are processed again after a restart. A replay of an applied update is dropped."""

from __future__ import annotations

import aiosqlite

from storage import effects, sent_calls
from storage.db import Database, now_utc

KEEP_APPLIED_SECONDS = 7 * 24 * 3600
# Processes that may start an update stored before them and die (or be stopped) before it
# is done; the next one sets it aside (storage.dead_letters) instead of trying again.
MAX_ATTEMPTS = 3


async def store(db: Database, update_id: int, payload: str, lease_key: str | None = None) -> bool:
    """Remember an incoming update (with the lease its chat runs under: storage.leases);
    False when it was applied before (drop it)."""
    rows = await db.write_one(
        "INSERT INTO inbox (update_id, payload, received_at, lease_key) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (update_id) DO UPDATE SET payload = COALESCE(inbox.payload, excluded.payload),"
        " lease_key = COALESCE(inbox.lease_key, excluded.lease_key)"
        " RETURNING applied_at",
        (update_id, payload, now_utc(), lease_key),
    )
    return rows[0]["applied_at"] is None


async def store_batch(
    db: Database, updates: list[tuple[int, str]], lease_keys: dict[int, str] | None = None
) -> set[int]:
    """Remember a batch of incoming updates in one transaction; returns the ids of those
    applied before (replays to drop)."""
    now = now_utc()
    keys = lease_keys or {}
    async with db.transaction(bookkeeping=True) as conn:
        await conn.executemany(
            "INSERT INTO inbox (update_id, payload, received_at, lease_key) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (update_id) DO UPDATE SET payload = COALESCE(inbox.payload, excluded.payload),"
            " lease_key = COALESCE(inbox.lease_key, excluded.lease_key)",
            [(update_id, payload, now, keys.get(update_id)) for update_id, payload in updates],
        )
        ids = [update_id for update_id, _ in updates]
        marks = ",".join("?" * len(ids))
        async with conn.execute(
            f"SELECT update_id FROM inbox WHERE applied_at IS NOT NULL AND update_id IN ({marks})",
            ids,
        ) as cur:
            return {row["update_id"] for row in await cur.fetchall()}


async def pending(db: Database) -> list[tuple[int, str]]:
    """Updates received but not applied (the process stopped first), oldest first."""
    rows = await db.fetchall(
        "SELECT update_id, payload FROM inbox"
        " WHERE applied_at IS NULL AND payload IS NOT NULL ORDER BY update_id"
    )
    return [(row["update_id"], row["payload"]) for row in rows]


_MARK_DONE = (
    "INSERT INTO inbox (update_id, received_at, applied_at) VALUES (?, ?, ?)"
    " ON CONFLICT (update_id) DO UPDATE SET applied_at = COALESCE(inbox.applied_at, excluded.applied_at)"
)


async def mark_done(conn: aiosqlite.Connection, update_ids: list[int]) -> None:
    """Mark applied inside the caller's transaction (a no-op where a handler already did)."""
    now = now_utc()
    await conn.executemany(_MARK_DONE, [(update_id, now, now) for update_id in update_ids])


async def pending_attempts(db: Database) -> list[tuple[int, str, int]]:
    """Like :func:`pending`, with how many processes started each one: (id, payload, attempts)."""
    rows = await db.fetchall(
        "SELECT update_id, payload, attempts FROM inbox"
        " WHERE applied_at IS NULL AND payload IS NOT NULL ORDER BY update_id"
    )
    return [(row["update_id"], row["payload"], row["attempts"]) for row in rows]


async def count_attempts(db: Database, update_ids: list[int], step: int = 1) -> None:
    """This process starts these updates (``step=1``), or stopped them itself (``-1``: a
    stop that interrupts an update is not the update's fault)."""
    marks = ",".join("?" * len(update_ids))
    await db.write_one(
        f"UPDATE inbox SET attempts = CASE WHEN attempts + ? > 0 THEN attempts + ? ELSE 0 END"
        f" WHERE update_id IN ({marks})",
        (step, step, *update_ids),
    )


async def is_applied(db: Database, update_id: int) -> bool:
    row = await db.fetchone("SELECT applied_at FROM inbox WHERE update_id = ?", (update_id,))
    return bool(row and row["applied_at"] is not None)


async def prune(db: Database) -> None:
    """Forget payloads of long-applied updates (ids are kept small; Telegram never replays them)."""
    async with db.transaction(bookkeeping=True) as conn:
        await conn.execute(
            "DELETE FROM inbox WHERE applied_at IS NOT NULL AND applied_at < ?",
            (now_utc() - KEEP_APPLIED_SECONDS,),
        )
        await effects.forget_before(conn, now_utc() - KEEP_APPLIED_SECONDS)
        await sent_calls.forget_before(conn, now_utc() - KEEP_APPLIED_SECONDS)
        await conn.execute(  # scheduled jobs' runs (storage.job_runs)
            "DELETE FROM job_runs WHERE run_at < ?", (now_utc() - KEEP_APPLIED_SECONDS,)
        )
