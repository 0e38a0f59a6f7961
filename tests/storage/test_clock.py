"""storage.db.clock_at: the use cases' clock pinned to a past moment (the demo's seed), and
orgs.set_name (the root's name)."""

from __future__ import annotations

import asyncio
import time

import pytest

from domain import ledger as L
from storage import ledger, orgs
from storage.db import Database, clock_at, now_utc
from storage.migrate import migrate

PAST = 1_733_000_000  # 30 November 2024


@pytest.fixture
async def db(tmp_path):
    async with Database(str(tmp_path / "k.sqlite3")) as database:
        await migrate(database)
        yield database


def test_the_clock_is_pinned_inside_and_runs_again_after():
    with clock_at(PAST):
        assert now_utc() == PAST
        with clock_at(PAST + 60):
            assert now_utc() == PAST + 60
        assert now_utc() == PAST
    assert abs(now_utc() - time.time()) < 5


async def test_a_pinned_clock_is_the_task_s_own():
    seen = {}

    async def elsewhere():
        await asyncio.sleep(0.01)
        seen["other"] = now_utc()

    other = asyncio.create_task(elsewhere())  # started outside: the clock runs for it
    with clock_at(PAST):
        await asyncio.sleep(0.02)
        seen["pinned"] = now_utc()
    await other
    assert seen["pinned"] == PAST and seen["other"] > PAST + 10**7


async def test_a_use_case_run_at_a_past_moment_writes_that_moment(db):
    with clock_at(PAST):
        entry = await db.write(
            ledger.post, [L.debit(L.cash(1), 5_000), L.credit(L.bank(1), 5_000)], None, "move"
        )
    later = await db.write(
        ledger.post, [L.debit(L.bank(1), 5_000), L.credit(L.cash(1), 5_000)], None, "back"
    )
    assert (entry.at, (await ledger.get(db, entry.id)).at) == (PAST, PAST)
    assert later.at > PAST + 10**7
    assert await ledger.verify(db) is None


async def test_the_root_is_renamed_and_an_empty_name_refused(db):
    assert await db.write(orgs.set_name, "pusat", "  Federasi   Koperasi  ") is True
    assert (await orgs.by_code(db, "pusat")).name == "Federasi Koperasi"
    assert await db.write(orgs.set_name, "nowhere", "X") is False
    with pytest.raises(orgs.OrgError):
        await db.write(orgs.set_name, "pusat", "   ")
    assert (await orgs.by_code(db, "pusat")).name == "Federasi Koperasi"
