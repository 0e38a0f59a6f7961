"""Bot API calls Telegram accepted while an update was processed, numbered per update.

When an update is processed again (the process died before it was done), the calls recorded
here are not made again: their stored results stand in for Telegram's answers (``bot.outgoing``).
"""

from __future__ import annotations

import aiosqlite

from storage.db import Database, now_utc

# Rows per INSERT statement (5 parameters each; SQLite allows 32,766 per statement).
_ROWS_PER_STATEMENT = 500


async def record(db: Database, calls: list[tuple[int, int, str, str]]) -> None:
    """Remember ``(update_id, seq, method, result JSON)`` each, as one statement per 500:
    atomic on its own, no transaction round trips. A call recorded before is kept."""
    now = now_utc()
    for start in range(0, len(calls), _ROWS_PER_STATEMENT):
        chunk = calls[start : start + _ROWS_PER_STATEMENT]
        values = ",".join(["(?, ?, ?, ?, ?)"] * len(chunk))
        params = tuple(v for call in chunk for v in (*call, now))
        await db.write_one(
            f"INSERT INTO sent_calls (update_id, seq, method, result, sent_at) VALUES {values}"
            " ON CONFLICT (update_id, seq) DO NOTHING",
            params,
        )


async def record_in(conn: aiosqlite.Connection, calls: list[tuple[int, int, str, str]]) -> None:
    """The same inside the caller's transaction."""
    now = now_utc()
    await conn.executemany(
        "INSERT INTO sent_calls (update_id, seq, method, result, sent_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (update_id, seq) DO NOTHING",
        [(*call, now) for call in calls],
    )


async def recorded(db: Database, update_ids: list[int]) -> dict[int, dict[int, tuple[str, str]]]:
    """``{update_id: {seq: (method, result JSON)}}`` for these updates (those with any)."""
    found: dict[int, dict[int, tuple[str, str]]] = {}
    for start in range(0, len(update_ids), _ROWS_PER_STATEMENT):
        chunk = update_ids[start : start + _ROWS_PER_STATEMENT]
        rows = await db.fetchall(
            "SELECT update_id, seq, method, result FROM sent_calls"
            f" WHERE update_id IN ({','.join('?' * len(chunk))})",
            tuple(chunk),
        )
        for row in rows:
            found.setdefault(row["update_id"], {})[row["seq"]] = (row["method"], row["result"])
    return found


async def forget_before(conn: aiosqlite.Connection, before: int) -> None:
    """Inside the inbox's prune: calls older than ``before``, except those of updates still
    waiting to be processed again."""
    await conn.execute(
        "DELETE FROM sent_calls WHERE sent_at < ?"
        " AND update_id NOT IN (SELECT update_id FROM inbox WHERE applied_at IS NULL)",
        (before,),
    )
