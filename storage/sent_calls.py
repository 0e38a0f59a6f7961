"""Bot API calls Telegram accepted while an update was processed, numbered per update, with
the chat each went to.

When an update is processed again (the process died before it was done), the calls recorded
here are not made again: their stored results stand in for Telegram's answers (``bot.runtime.outgoing``).
"""

from __future__ import annotations

import aiosqlite

from storage.db import Database, now_utc

# Rows per INSERT statement (5 parameters each; SQLite allows 32,766 per statement).
_ROWS_PER_STATEMENT = 500


# (update_id, seq, method, result JSON, chat_id or None)
Call = tuple[int, int, str, str, int | None]
Recorded = tuple[str, str, int | None]  # (method, result JSON, chat_id or None)


def _row(call: tuple, now: int) -> tuple:
    update_id, seq, method, result, *chat = call
    return (update_id, seq, method, result, chat[0] if chat else None, now)


async def record(db: Database, calls: list[Call]) -> None:
    """Remember ``(update_id, seq, method, result JSON, chat_id)`` each, as one statement per
    500: atomic on its own, no transaction round trips. A call recorded before is kept."""
    now = now_utc()
    for start in range(0, len(calls), _ROWS_PER_STATEMENT):
        chunk = calls[start : start + _ROWS_PER_STATEMENT]
        values = ",".join(["(?, ?, ?, ?, ?, ?)"] * len(chunk))
        params = tuple(v for call in chunk for v in _row(call, now))
        await db.write_one(
            "INSERT INTO sent_calls (update_id, seq, method, result, chat_id, sent_at)"
            f" VALUES {values} ON CONFLICT (update_id, seq) DO NOTHING",
            params,
        )


async def record_in(conn: aiosqlite.Connection, calls: list[Call]) -> None:
    """The same inside the caller's transaction."""
    now = now_utc()
    await conn.executemany(
        "INSERT INTO sent_calls (update_id, seq, method, result, chat_id, sent_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (update_id, seq) DO NOTHING",
        [_row(call, now) for call in calls],
    )


async def recorded(db: Database, update_ids: list[int]) -> dict[int, dict[int, Recorded]]:
    """``{update_id: {seq: (method, result JSON, chat_id)}}`` for these updates (those with
    any)."""
    found: dict[int, dict[int, Recorded]] = {}
    for start in range(0, len(update_ids), _ROWS_PER_STATEMENT):
        chunk = update_ids[start : start + _ROWS_PER_STATEMENT]
        rows = await db.fetchall(
            "SELECT update_id, seq, method, result, chat_id FROM sent_calls"
            f" WHERE update_id IN ({','.join('?' * len(chunk))})",
            tuple(chunk),
        )
        for row in rows:
            found.setdefault(row["update_id"], {})[row["seq"]] = (
                row["method"], row["result"], row["chat_id"],
            )  # fmt: skip
    return found


async def forget_before(conn: aiosqlite.Connection, before: int) -> None:
    """Inside the inbox's prune: calls older than ``before``, except those of updates still
    waiting to be processed again."""
    await conn.execute(
        "DELETE FROM sent_calls WHERE sent_at < ?"
        " AND update_id NOT IN (SELECT update_id FROM inbox WHERE applied_at IS NULL)",
        (before,),
    )
