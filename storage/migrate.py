"""Numbered SQL migrations (``migrations/NNNN_name.sql``), each applied atomically
together with its row in ``schema_migrations``."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from importlib import resources

from storage.db import Database, now_utc
from storage.dialect import migration_statements

log = logging.getLogger(__name__)

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def available() -> list[Migration]:
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text("utf-8")))
    return sorted(found, key=lambda m: m.version)


def _statements(sql: str, dialect: str = "sqlite") -> list[str]:
    # Triggers are one line each (see 0006), so splitting on ';' at line ends is safe.
    statements = [s.strip() for s in re.split(r";\s*$", sql, flags=re.M) if s.strip()]
    if dialect == "postgresql":
        return [pg for statement in statements for pg in migration_statements(statement)]
    return statements


async def _ensure_table(db: Database) -> None:
    async with db.transaction(bookkeeping=True) as conn:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
        )


async def applied_versions(db: Database) -> dict[int, int]:
    await _ensure_table(db)
    rows = await db.fetchall("SELECT version, applied_at FROM schema_migrations")
    return {row["version"]: row["applied_at"] for row in rows}


async def pending(db: Database) -> list[Migration]:
    done = await applied_versions(db)
    return [m for m in available() if m.version not in done]


async def migrate(db: Database) -> list[Migration]:
    """Apply every pending migration in order; returns what was applied."""
    applied = []
    for migration in await pending(db):
        async with db.transaction(bookkeeping=True) as conn:
            # Another process sharing the database may have applied it meanwhile: the check
            # is inside the transaction, under the one write lock.
            async with conn.execute(
                "SELECT 1 FROM schema_migrations WHERE version = ?", (migration.version,)
            ) as cur:
                if await cur.fetchone():
                    continue
            for statement in _statements(migration.sql, db.dialect):
                await conn.execute(statement)
            await conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, now_utc()),
            )
        applied.append(migration)
    if applied:
        async with db.transaction(bookkeeping=True) as conn:
            await db.after_migrations(conn)
    await _move_data(db)
    return applied


async def _move_data(db: Database) -> None:
    """Data moves SQL alone cannot do: places typed as text become Kemendagri codes where
    they name one region for sure (see storage.areas and storage.orgs)."""
    from storage import areas, orgs  # they import this module's neighbours, not it

    await orgs.backfill_coverage(db)
    matched, flagged = await areas.match_typed_places(db)
    if matched or flagged:
        log.info(
            "typed places: %d matched to village codes, %d left for people to pick again",
            matched,
            flagged,
        )
