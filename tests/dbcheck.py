"""What tests ask the database about its own schema, on either database."""

from __future__ import annotations

import os
import sqlite3

from storage.db import TEST_POSTGRES_ENV, test_schema_for
from storage.dialect import placeholders


async def table_exists(db, name: str) -> bool:
    if db.dialect == "postgresql":
        sql = "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?"
    else:
        sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
    return await db.fetchone(sql, (name,)) is not None


async def column_names(db, table: str) -> list[str]:
    if db.dialect == "postgresql":
        rows = await db.fetchall(
            "SELECT column_name AS name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
            (table,),
        )
    else:
        rows = await db.fetchall(f"SELECT name FROM pragma_table_info('{table}')")
    return [row["name"] for row in rows]


def run_sql(path, sql: str, params=()) -> list[tuple]:
    """One statement, committed, on the database a test's bot or command line uses at ``path``
    (the SQLite file, or its schema on the PostgreSQL pass), from synchronous test code."""
    url = os.environ.get(TEST_POSTGRES_ENV)
    if url:
        import psycopg

        options = f"-c search_path={test_schema_for(str(path))}"
        with psycopg.connect(url, autocommit=True, options=options) as conn:
            cur = conn.execute(placeholders(sql) if params else sql, params or None)
            return cur.fetchall() if cur.description else []
    conn = sqlite3.connect(path)
    try:
        with conn:
            return conn.execute(sql, params).fetchall()
    finally:
        conn.close()
