"""Every dashboard panel for a viewer at the top of a large network: a federation's officer
over 80,000 village cooperatives sees them all. The panels pass the scope's ids as
parameters: more than PostgreSQL's server-side limit of 65,535 per statement. They pass
because parameters are bound client-side (psycopg's ClientCursor, storage.postgres) and
Python's SQLite takes 250,000; this test keeps it so if either changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.cli.demo_seed import seed_demo
from storage import dashboard
from storage.dashboard import PANELS, Scope
from storage.db import Database
from storage.migrate import migrate

WIDE = 70_000


NOW = datetime(2026, 12, 3, 4, 0, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path):
    async with Database(str(tmp_path / "k.sqlite3")) as database:
        await migrate(database)
        yield database


async def test_every_panel_answers_for_a_scope_wider_than_the_parameter_limit(db):
    await seed_demo(db, now=NOW)  # a year of three organisations: every panel has rows
    real = await db.fetchall("SELECT id FROM organisations ORDER BY id")
    narrow = tuple(row["id"] for row in real)
    # the real organisations, then ids of cooperatives this small database does not hold
    wide = (*narrow, *range(narrow[-1] + 1, narrow[-1] + WIDE))
    shown = 0
    for name, panel in sorted(PANELS.items()):
        at = int(NOW.timestamp())
        rows = await panel.query(db, Scope(wide, "id", "Asia/Jakarta", at))
        assert rows == await panel.query(db, Scope(narrow, "id", "Asia/Jakarta", at)), name
        shown += bool(rows)
    assert shown >= len(PANELS) // 2  # the comparison is of real rows, not of empty lists


async def test_organisations_of_a_wide_scope(db):
    real = await db.fetchall("SELECT id FROM organisations ORDER BY id")
    narrow = tuple(row["id"] for row in real)
    found = await dashboard.organisations(db, (*narrow, *range(narrow[-1] + 1, narrow[-1] + WIDE)))
    assert [org.id for org in found] == list(narrow)
