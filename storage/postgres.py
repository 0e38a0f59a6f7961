"""PostgreSQL behind the same :class:`storage.db.Database` methods (psycopg 3).

The storage functions were written for SQLite, where one writer at a time is the rule: a use
case reads its preconditions and writes in one transaction and nobody can interleave (two
coordinators pressing "take" on one offer, two officers approving one withdrawal). Here every
write transaction takes one transaction-scoped advisory lock first, so the same code keeps the
same guarantee across several bot processes, without auditing each use case for READ COMMITTED
anomalies; reads take no lock and run concurrently on a small pool. A write is a few
milliseconds, so one writer at a time is also what SQLite gives a whole federation today.

Statements are adapted by storage.dialect; parameters are bound on the client side (psycopg's
ClientCursor), which types them from the statement the way SQLite does instead of failing on
``? IS NULL``. Rows read like ``sqlite3.Row`` (by index and by name), whole NUMERIC sums come
back as ``int`` (SUM of BIGINT is NUMERIC here) and Python booleans are written as 0/1.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any

import psycopg
from psycopg import AsyncClientCursor, AsyncConnection
from psycopg.adapt import Dumper, Loader
from psycopg.pq import TransactionStatus
from psycopg.rows import RowMaker
from psycopg_pool import AsyncConnectionPool

from storage import db as base
from storage.dialect import functions, placeholders

# The one write lock of a koperasi database (pg_advisory_xact_lock's key): any 64-bit number
# nothing else on the server uses; "KOPERASI" in ASCII.
WRITE_LOCK_KEY = 0x4B4F5045524153
READ_POOL_SIZE = 4
_BEGIN_WRITE = f"BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})"


class Row(tuple):
    """A result row read like ``sqlite3.Row``: ``row[0]``, ``row["name"]``, ``row.keys()``."""

    _index: dict[str, int] = {}

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


@lru_cache(maxsize=1024)
def _row_class(names: tuple[str, ...]) -> type[Row]:
    return type("Row", (Row,), {"_index": {name: i for i, name in enumerate(names)}})


def _row_factory(cursor: Any) -> RowMaker[Row]:
    if cursor.description is None:
        return tuple  # type: ignore[return-value]
    cls = _row_class(tuple(column.name for column in cursor.description))
    return cls


class _WholeNumberLoader(Loader):
    """NUMERIC (SUM of BIGINT, AVG) as SQLite returns it: int when whole, else float."""

    def load(self, data: Any) -> int | float:
        text = bytes(data).decode()
        return float(text) if "." in text else int(text)


class _BoolAsIntDumper(Dumper):
    """Flags are INTEGER 0/1 columns, as in SQLite."""

    oid = psycopg.adapters.types["int8"].oid

    def dump(self, obj: bool) -> bytes:
        return b"1" if obj else b"0"

    def quote(self, obj: bool) -> bytes:
        return self.dump(obj)


def _configure_types(conn: AsyncConnection) -> None:
    conn.adapters.register_loader("numeric", _WholeNumberLoader)
    conn.adapters.register_dumper(bool, _BoolAsIntDumper)


def _adapt(sql: str, params: Any) -> tuple[str, Any]:
    sql = functions(sql)
    if not params:
        return sql, None  # no parameters: psycopg leaves '%' alone
    return placeholders(sql), params


class Cursor:
    """What storage code uses of an aiosqlite cursor."""

    def __init__(self, cursor: AsyncClientCursor) -> None:
        self._cursor = cursor

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int:
        raise NotImplementedError("PostgreSQL has no lastrowid: use RETURNING id")

    async def fetchone(self) -> Row | None:
        if self._cursor.description is None:
            return None
        return await self._cursor.fetchone()

    async def fetchall(self) -> list[Row]:
        if self._cursor.description is None:
            return []
        return await self._cursor.fetchall()

    async def close(self) -> None:
        await self._cursor.close()


class _Result:
    """``await conn.execute(…)`` and ``async with conn.execute(…) as cur``, as aiosqlite."""

    def __init__(self, running: Any) -> None:
        self._running = running
        self._cursor: Cursor | None = None

    def __await__(self) -> Any:
        return self._running.__await__()

    async def __aenter__(self) -> Cursor:
        self._cursor = await self._running
        return self._cursor

    async def __aexit__(self, *exc: object) -> None:
        if self._cursor is not None:
            await self._cursor.close()


class Connection:
    """The aiosqlite connection methods storage code calls, on a psycopg connection."""

    dialect = "postgresql"

    def __init__(self, raw: AsyncConnection) -> None:
        self.raw = raw

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> _Result:
        return _Result(self._execute(sql, params))

    async def _execute(self, sql: str, params: Any) -> Cursor:
        cursor = self.raw.cursor()
        await cursor.execute(*_adapt(sql, params))
        return Cursor(cursor)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Cursor:
        cursor = self.raw.cursor()
        await cursor.executemany(placeholders(functions(sql)), list(rows))
        return Cursor(cursor)

    async def execute_fetchall(self, sql: str, params: Any = ()) -> list[Row]:
        async with self.execute(sql, params) as cursor:
            return await cursor.fetchall()

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != TransactionStatus.IDLE


async def _connect(url: str, schema: str | None) -> AsyncConnection:
    options = {"options": f"-c search_path={schema}"} if schema else {}
    raw = await AsyncConnection.connect(
        url,
        autocommit=True,  # transactions are BEGIN … COMMIT statements, as on SQLite
        cursor_factory=AsyncClientCursor,
        row_factory=_row_factory,
        **options,
    )
    _configure_types(raw)
    return raw


class PostgresDatabase(base.Database):
    dialect = "postgresql"

    def __init__(self, path: str) -> None:
        super().__init__(path)
        test_url = base.os.environ.get(base.TEST_POSTGRES_ENV)
        if base.is_postgres_url(path):
            self.url, self.schema = path, None
        else:  # the test suite's PostgreSQL pass: this file path is a schema of its database
            assert test_url, "a PostgreSQL database needs a postgresql:// URL"
            self.url, self.schema = test_url, base.test_schema_for(path)
        self._conn: Connection | None = None
        self._pool: AsyncConnectionPool | None = None

    async def open(self) -> PostgresDatabase:
        try:
            if self.schema:
                setup = await _connect(self.url, None)
                async with setup:
                    await setup.execute(f"CREATE SCHEMA IF NOT EXISTS {self.schema}")
                    # Which file it stands for: the test run drops its own schemas by it.
                    path = base.os.path.realpath(self.path).replace("'", "''")
                    await setup.execute(f"COMMENT ON SCHEMA {self.schema} IS '{path}'")
            self._conn = Connection(await _connect(self.url, self.schema))
            self._pool = AsyncConnectionPool(
                self.url,
                min_size=1,
                max_size=READ_POOL_SIZE,
                open=False,
                connection_class=AsyncConnection,
                kwargs={
                    "autocommit": True,
                    "cursor_factory": AsyncClientCursor,
                    "row_factory": _row_factory,
                    **({"options": f"-c search_path={self.schema}"} if self.schema else {}),
                },
                configure=self._configure_reader,
            )
            await self._pool.open(wait=True, timeout=10)
        except Exception as exc:
            await self.close()
            reason = " ".join(str(exc).split())  # libpq's message spans lines: one line here
            raise base.DatabaseError(f"cannot open database {_safe(self.url)}: {reason}") from exc
        return self

    @staticmethod
    async def _configure_reader(raw: AsyncConnection) -> None:
        _configure_types(raw)

    async def after_migrations(self, conn: Connection) -> None:
        """Rows a migration inserted with their id (the federation, id 1) leave an identity
        counter behind them: move each past its table's largest id."""
        columns = await conn.execute_fetchall(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND is_identity = 'YES'"
        )
        for table, column in columns:
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'),"
                f" COALESCE(MAX({column}), 0) + 1, false) FROM {table}"
            )

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
        if self._conn is not None:
            await self._conn.raw.close()
        self._conn = self._pool = None

    @asynccontextmanager
    async def _begin(self) -> AsyncIterator[Connection]:
        assert self._conn is not None, "database is not open"
        async with self._write_lock:
            conn = self._conn
            try:
                # One round trip (no parameters: the simple protocol takes both statements).
                await base._to_the_end(conn.execute(_BEGIN_WRITE))
                yield conn
            except BaseException:
                if conn.in_transaction:
                    with contextlib.suppress(Exception):
                        await base._to_the_end(conn.execute("ROLLBACK"))
                raise
            else:
                await base._to_the_end(conn.execute("COMMIT"))

    async def write_one(self, sql: str, params: tuple | dict = ()) -> list[Row]:
        async with self._begin() as conn:
            return await conn.execute_fetchall(sql, params)

    async def fetchall(self, sql: str, params: tuple | dict = ()) -> list[Row]:
        assert self._pool is not None, "database is not open"
        async with self._pool.connection() as raw:
            cursor = raw.cursor()
            await cursor.execute(*_adapt(sql, params))
            return [] if cursor.description is None else await cursor.fetchall()


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    head, at, tail = url.rpartition("@")
    if not at:
        return url
    scheme, _, credentials = head.partition("://")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}@{tail}"
