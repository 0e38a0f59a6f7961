"""One SQLite file, opened with aiosqlite.

Writes go through a single connection guarded by a lock, each use case in one
``BEGIN IMMEDIATE`` transaction (SQLite allows one writer; taking the lock early
avoids SQLITE_BUSY upgrades half-way). Reads use a second connection so they never
see another coroutine's uncommitted transaction.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

BUSY_TIMEOUT_MS = 5000

# The update being processed, so that the first write transaction of an update
# records it as applied (exactly-once effects, see storage.inbox).
current_update_id: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "current_update_id", default=None
)


class DatabaseError(Exception):
    """The database file cannot be opened or used."""


class UpdateAlreadyApplied(Exception):
    """This update's effects were committed before (it is being processed again after a
    crash, or replayed); nothing more is written. Handlers may still answer."""


def now_utc() -> int:
    """Unix seconds, UTC: the one time format stored."""
    return int(time.time())


async def _open(path: str) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = aiosqlite.Row
    await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await conn.execute("PRAGMA foreign_keys = ON")
    await conn.execute("PRAGMA journal_mode = WAL")
    await conn.execute("PRAGMA synchronous = NORMAL")
    return conn


class Database:
    def __init__(self, path: str) -> None:
        self.path = path
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()

    async def open(self) -> Database:
        if self.path != ":memory:":
            parent = Path(self.path).expanduser().resolve().parent  # noqa: ASYNC240 - once, at start-up
            if not parent.is_dir():
                raise DatabaseError(f"database folder does not exist: {parent}")
        try:
            self._writer = await _open(self.path)
            self._reader = await _open(self.path) if self.path != ":memory:" else self._writer
            await self._writer.execute("SELECT 1")
        except Exception as exc:  # sqlite3 raises several kinds here
            await self.close()
            raise DatabaseError(f"cannot open database {self.path}: {exc}") from exc
        return self

    async def close(self) -> None:
        for conn in {id(c): c for c in (self._reader, self._writer) if c}.values():
            await conn.close()
        self._writer = self._reader = None

    async def __aenter__(self) -> Database:
        return await self.open()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @asynccontextmanager
    async def transaction(self, *, mark_update: bool = True) -> AsyncIterator[aiosqlite.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT`` on the writer; rolls back on any error.

        When an update is being processed, its effects are recorded inside the same
        transaction; if they were recorded before, :class:`UpdateAlreadyApplied` is raised
        and nothing is written.
        """
        assert self._writer is not None, "database is not open"
        async with self._write_lock:
            conn = self._writer
            await conn.execute("BEGIN IMMEDIATE")
            try:
                update_id = current_update_id.get()
                if mark_update and update_id is not None:
                    if not await claim_effects(conn, update_id):
                        raise UpdateAlreadyApplied(update_id)
                yield conn
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            else:
                await conn.execute("COMMIT")

    async def write_one(self, sql: str, params: tuple | dict = ()) -> list[aiosqlite.Row]:
        """One statement that is a whole use case by itself (atomic on its own): no
        BEGIN/COMMIT round trips. Returns the rows of a RETURNING clause."""
        assert self._writer is not None, "database is not open"
        async with self._write_lock:
            return list(await self._writer.execute_fetchall(sql, params))

    # Reads: one round trip to the connection's thread each (execute_fetchall).
    async def fetchone(self, sql: str, params: tuple | dict = ()) -> aiosqlite.Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: tuple | dict = ()) -> list[aiosqlite.Row]:
        assert self._reader is not None, "database is not open"
        return list(await self._reader.execute_fetchall(sql, params))


async def claim_effects(conn: aiosqlite.Connection, update_id: int) -> bool:
    """Record that ``update_id``'s effects are being written; False when they were before."""
    cur = await conn.execute(
        """
        INSERT INTO inbox (update_id, payload, received_at, effects_at) VALUES (?, NULL, ?, ?)
        ON CONFLICT (update_id) DO UPDATE SET effects_at = excluded.effects_at
        WHERE inbox.effects_at IS NULL
        """,
        (update_id, now_utc(), now_utc()),
    )
    return cur.rowcount > 0
