"""The database: one SQLite file opened with aiosqlite (the default), or PostgreSQL
(``postgresql://…``, storage.postgres) for networks that outgrow one machine.

Writes go through a single connection guarded by a lock, each use case in one
``BEGIN IMMEDIATE`` transaction (SQLite allows one writer; taking the lock early
avoids SQLITE_BUSY upgrades half-way; PostgreSQL takes the same one-writer lock, see
storage.postgres). Reads use a second connection so they never see another
coroutine's uncommitted transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import hashlib
import logging
import os
import sqlite3
import stat
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from storage import effects

T = TypeVar("T")

BUSY_TIMEOUT_MS = 5000

# The update being processed: its use cases run once (see Database.write).
current_update_id: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "current_update_id", default=None
)
# The handler that may write for this update (set by handlers.kit.writes): a write from
# any other code while an update is processed is a programming error, so that every
# writing handler is declared and covered by the replay-after-crash test.
current_writer: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "current_writer", default=None
)
# (update id, number of writes so far): the n-th write of an update is the same use case
# on a replay, because handlers decide from the same stored state and stored results.
_write_seq: contextvars.ContextVar[tuple[int, int]] = contextvars.ContextVar(
    "write_seq", default=(-1, 0)
)


POSTGRES_SCHEMES = ("postgresql://", "postgres://")
# The test suite's PostgreSQL pass (.ci/run): every SQLite file path a test (or a bot process it
# starts) opens becomes its own schema of this PostgreSQL database, so the same tests run there.
TEST_POSTGRES_ENV = "KOPERASI_TEST_PG_URL"


def is_postgres_url(target: str) -> bool:
    return target.startswith(POSTGRES_SCHEMES)


def test_schema_for(path: str) -> str:
    """The schema a file path stands for in the PostgreSQL test pass (a fresh one for
    ``:memory:``, which is never shared either)."""
    if path == ":memory:":
        return f"t_{uuid.uuid4().hex[:20]}"
    digest = hashlib.sha1(os.path.realpath(path).encode()).hexdigest()[:20]
    return f"t_{digest}"


def is_integrity_error(exc: BaseException) -> bool:
    """A constraint refused the write (either database's exception)."""
    if isinstance(exc, sqlite3.IntegrityError):
        return True
    return any(
        cls.__name__ == "IntegrityError" and cls.__module__.startswith("psycopg")
        for cls in type(exc).__mro__
    )


class DatabaseError(Exception):
    """The database file cannot be opened or used."""


class WriteOutsideUseCase(RuntimeError):
    """A write while an update is processed that does not go through Database.write from a
    declared writing handler: it would escape the exactly-once guarantee."""


UseCase = Callable[..., Awaitable[T]]


async def _to_the_end(statement: Awaitable[Any]) -> None:
    """Await a BEGIN, COMMIT or ROLLBACK even when the caller is cancelled meanwhile: the
    statement runs on the connection's thread anyway, and the transaction state must be
    known when the cancellation goes on (else a BEGIN left open blocks every later write)."""
    running = asyncio.ensure_future(statement)
    try:
        await asyncio.shield(running)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await running
        raise


# The use cases' clock: None is the time now. A replay of past activity (the demo's seed,
# bot.cli.demo_seed) runs the same use cases at moments of its history (see clock_at).
_pinned_now: contextvars.ContextVar[int | None] = contextvars.ContextVar("pinned_now", default=None)


def now_utc() -> int:
    """Unix seconds, UTC: the one time format stored."""
    pinned = _pinned_now.get()
    return int(time.time()) if pinned is None else pinned


@contextlib.contextmanager
def clock_at(at: int) -> Iterator[None]:
    """Within it (this task and what it awaits) every use case reads ``now_utc()`` as
    ``at``: what they write is what the bot would have written at that moment."""
    token = _pinned_now.set(int(at))
    try:
        yield
    finally:
        _pinned_now.reset(token)


# The file holds phone numbers, unused invite codes and whole updates: its owner only.
PRIVATE_MODE = 0o600
_log = logging.getLogger(__name__)


def _make_private(path: str) -> None:
    """Create the database file with mode 0600 before SQLite opens it (``os.open`` applies the
    umask, which can only narrow 0600), or tighten an existing file that is wider, with a
    warning. SQLite creates ``-wal`` and ``-shm`` with the main file's mode; older ones left
    wider are tightened too."""
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_MODE))
    for name in (path, f"{path}-wal", f"{path}-shm"):
        try:
            mode = stat.S_IMODE(os.stat(name).st_mode)
        except FileNotFoundError:
            continue
        if mode & ~PRIVATE_MODE:
            try:
                os.chmod(name, PRIVATE_MODE)
            except OSError as exc:
                _log.warning(
                    "%s is readable by others (mode %04o) and cannot be tightened: %s",
                    name,
                    mode,
                    exc,
                )
            else:
                _log.warning(
                    "%s was readable by others (mode %04o): now %04o", name, mode, PRIVATE_MODE
                )


async def _open(path: str) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None)
    try:
        conn.row_factory = aiosqlite.Row
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute("PRAGMA synchronous = NORMAL")
        # Sorts and DISTINCTs (the market's figures count a month's farmers among ~80,000
        # pickups) in memory, not in temporary files: half the time on bench.market.
        await conn.execute("PRAGMA temp_store = MEMORY")
    except BaseException:
        await conn.close()  # else its worker thread outlives the failed start
        raise
    return conn


async def open_reader(path: str) -> aiosqlite.Connection:
    """A SQLite connection of its own, for a long read (WAL: it reads beside the bot's reader
    without making the bot's short reads queue behind it). Close it after."""
    return await _open(path)


class Database:
    """``Database(path)`` is the SQLite file; ``Database("postgresql://…")`` is a
    :class:`storage.postgres.PostgresDatabase` with the same methods."""

    dialect = "sqlite"

    def __new__(cls, target: str, *args: Any, **kwargs: Any) -> Database:
        if cls is Database and (is_postgres_url(target) or os.environ.get(TEST_POSTGRES_ENV)):
            from storage.postgres import PostgresDatabase  # psycopg only when it is used

            return super().__new__(PostgresDatabase)
        return super().__new__(cls)

    def __init__(self, path: str) -> None:
        self.path = path
        self.url = path
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()
        # Tests set this to simulate a crash right after a use case committed.
        self.after_write: Callable[[int, int], Awaitable[None]] | None = None

    async def open(self) -> Database:
        if self.path != ":memory:":
            parent = Path(self.path).expanduser().resolve().parent  # noqa: ASYNC240 - once, at start-up
            if not parent.is_dir():
                raise DatabaseError(f"database folder does not exist: {parent}")
            try:
                _make_private(self.path)
            except OSError as exc:
                raise DatabaseError(
                    f"cannot open database {self.path}: {exc.strerror or exc}"
                ) from exc
        try:
            self._writer = await _open(self.path)
            self._reader = await _open(self.path) if self.path != ":memory:" else self._writer
            await self._writer.execute("SELECT 1")
        except Exception as exc:  # sqlite3 raises several kinds here
            await self.close()
            raise DatabaseError(f"cannot open database {self.path}: {exc}") from exc
        return self

    async def after_migrations(self, conn: Any) -> None:
        """What the database needs once migrations ran (PostgreSQL: identity counters)."""

    async def close(self) -> None:
        for conn in {id(c): c for c in (self._reader, self._writer) if c}.values():
            await conn.close()
        self._writer = self._reader = None

    async def __aenter__(self) -> Database:
        return await self.open()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @asynccontextmanager
    async def transaction(
        self, *, bookkeeping: bool = False
    ) -> AsyncIterator[aiosqlite.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT`` on the writer; rolls back on any error.

        Use cases go through :meth:`write`: opening a transaction directly while an update
        is processed is refused, unless it is the runtime's own ``bookkeeping=True`` (the
        inbox, conversation state, the outbox sender), which is no effect of the update.
        """
        if not bookkeeping and current_update_id.get() is not None:
            raise WriteOutsideUseCase("while an update is processed, write through Database.write")
        async with self._begin() as conn:
            yield conn

    @asynccontextmanager
    async def _begin(self) -> AsyncIterator[aiosqlite.Connection]:
        assert self._writer is not None, "database is not open"
        async with self._write_lock:
            conn = self._writer
            try:
                await _to_the_end(conn.execute("BEGIN IMMEDIATE"))
                yield conn
            except BaseException:
                if conn.in_transaction:  # BEGIN went through: undo whatever followed
                    await _to_the_end(conn.execute("ROLLBACK"))
                raise
            else:
                await _to_the_end(conn.execute("COMMIT"))

    async def write(self, use_case: UseCase[T], /, *args: Any, **kwargs: Any) -> T:
        """Run ``use_case(conn, *args, **kwargs)`` in one ``BEGIN IMMEDIATE`` transaction.

        While an update is processed this is its unit of work: the n-th write of the
        update commits together with its result, and when the update is processed again
        (after a crash) the stored result is returned and nothing is written twice; a
        stored result of another use case raises ``effects.ReplayMismatch``. The use case
        reads its preconditions through ``conn``, inside the transaction.
        An exception from the use case rolls everything back and stores nothing.
        """
        update_id = current_update_id.get()
        if update_id is None:  # the command line, a scheduled job: a plain transaction
            async with self._begin() as conn:
                return await use_case(conn, *args, **kwargs)
        if current_writer.get() is None:
            raise WriteOutsideUseCase(
                f"{use_case.__qualname__} wrote during update {update_id} from a handler"
                " not declared with handlers.kit.writes"
            )
        seq_update, seq = _write_seq.get()
        seq = seq if seq_update == update_id else 0
        _write_seq.set((update_id, seq + 1))
        name = effects.use_case_name(use_case)
        async with self._begin() as conn:
            result = await effects.recall(conn, update_id, seq, name)
            if result is effects.MISSING:
                result = await use_case(conn, *args, **kwargs)
                await effects.record(conn, update_id, seq, result, now_utc(), name)
        if self.after_write is not None:
            await self.after_write(update_id, seq)
        return result

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
