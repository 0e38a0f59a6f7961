"""Two processes on one database (two ``Database`` objects, each with its own connections):
a use case that reads and then writes in its transaction is never interleaved with another's,
on SQLite (BEGIN IMMEDIATE) and on PostgreSQL (the advisory write lock, storage.postgres)."""

from __future__ import annotations

import asyncio

from storage.db import Database
from storage.migrate import migrate

ROUNDS = 40


async def _take_a_number(conn, who: str) -> int:
    """Read the highest number, then write the next one: a lost update if interleaved."""
    async with conn.execute("SELECT COALESCE(MAX(village), '0') AS n FROM areas") as cur:
        last = int((await cur.fetchone())["n"])
    await asyncio.sleep(0)  # give the other process every chance to come in between
    await conn.execute(
        "INSERT INTO areas (province, regency, district, village, created_at) VALUES (?, ?, ?, ?, 0)",
        (who, who, who, f"{last + 1:06d}"),
    )
    return last + 1


async def test_two_processes_read_and_write_in_turn_and_lose_nothing(tmp_path):
    path = str(tmp_path / "k.sqlite3")
    async with Database(path) as first, Database(path) as second:
        await migrate(first)
        await migrate(second)  # the second process finds it done

        async def process(db, who):
            return [await db.write(_take_a_number, who) for _ in range(ROUNDS)]

        taken = await asyncio.gather(process(first, "a"), process(second, "b"))
        numbers = sorted(taken[0] + taken[1])
        assert numbers == list(range(1, 2 * ROUNDS + 1))  # no number twice, none skipped
        rows = await first.fetchall("SELECT village FROM areas ORDER BY village")
        assert [int(r["village"]) for r in rows] == numbers
