"""Migrations, transactions, the inbox and the PTB persistence on a real SQLite file."""

import json

import pytest

from storage import effects, inbox
from storage import migrate as migrations
from storage.db import (
    Database,
    WriteOutsideUseCase,
    current_update_id,
    current_writer,
    is_integrity_error,
)
from storage.invites import Invite
from storage.migrate import Migration, applied_versions, migrate
from storage.persistence import SqlitePersistence, encode_key
from tests.dbcheck import column_names, table_exists


@pytest.fixture
async def db(tmp_path):
    async with Database(str(tmp_path / "k.sqlite3")) as database:
        await migrate(database)
        yield database


async def test_fresh_database_is_migrated_once(db):
    assert set(await applied_versions(db)) >= {1, 2}
    assert await migrate(db) == []  # nothing pending the second time
    if db.dialect == "sqlite":
        assert (await db.fetchone("PRAGMA journal_mode"))[0] == "wal"
    with pytest.raises(Exception) as refused:  # foreign keys are enforced
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO person_roles (person_id, role, granted_at) VALUES (999, 'farmer', 0)"
            )
    assert is_integrity_error(refused.value)


async def test_older_database_upgrades_in_place(tmp_path, monkeypatch):
    path = str(tmp_path / "old.sqlite3")
    first = migrations.available()
    monkeypatch.setattr(migrations, "available", lambda: first)
    async with Database(path) as db:
        await migrate(db)
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO areas (province, regency, district, village, created_at) VALUES ('Bali', 'Gianyar', 'Ubud', 'Peliatan', 0)"
            )
    newer = [
        *first,
        Migration(
            99,
            "add_nickname",
            "ALTER TABLE people ADD COLUMN nickname TEXT;\nCREATE INDEX people_nick ON people (nickname);",
        ),
    ]
    monkeypatch.setattr(migrations, "available", lambda: newer)
    async with Database(path) as db:
        assert [m.version for m in await migrate(db)] == [99]
        assert (await db.fetchone("SELECT village FROM areas"))["village"] == "Peliatan"
        assert "nickname" in await column_names(db, "people")


async def test_a_failing_migration_leaves_no_trace(db, monkeypatch):
    broken = [
        *migrations.available(),
        Migration(50, "broken", "CREATE TABLE half (id INTEGER);\nTHIS IS NOT SQL;"),
    ]
    monkeypatch.setattr(migrations, "available", lambda: broken)
    with pytest.raises(Exception, match="syntax error"):
        await migrate(db)
    assert 50 not in await applied_versions(db)
    assert not await table_exists(db, "half")


async def test_transaction_rolls_back_on_error(db):
    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO areas (province, regency, district, village, created_at) VALUES ('A', 'B', 'C', 'D', 0)"
            )
            raise RuntimeError
    assert (await db.fetchone("SELECT COUNT(*) AS n FROM areas"))["n"] == 0


async def _insert_area(conn, village):
    await conn.execute(
        "INSERT INTO areas (province, regency, district, village, created_at) VALUES ('A', 'B', 'C', ?, 0)",
        (village,),
    )
    return village


async def test_an_update_applies_each_write_once_and_a_replay_gets_the_same_results(db):
    update, writer = current_update_id.set(42), current_writer.set("test")
    try:
        assert await db.write(_insert_area, "D") == "D"
        assert await db.write(_insert_area, "E") == "E"  # several writes in one update
        # processed again after a crash: the same writes in the same order
        from storage import db as db_module

        db_module._write_seq.set((-1, 0))
        assert await db.write(_insert_area, "X") == "D"  # the stored result, nothing written
        assert await db.write(_insert_area, "Y") == "E"
    finally:
        current_update_id.reset(update)
        current_writer.reset(writer)
    rows = await db.fetchall("SELECT village FROM areas ORDER BY village")
    assert [row["village"] for row in rows] == ["D", "E"]


async def test_writes_during_an_update_must_come_from_a_declared_handler(db):
    token = current_update_id.set(43)
    try:
        with pytest.raises(WriteOutsideUseCase):
            await db.write(_insert_area, "D")
        with pytest.raises(WriteOutsideUseCase):
            async with db.transaction():
                pass
    finally:
        current_update_id.reset(token)
    assert (await db.fetchone("SELECT COUNT(*) AS n FROM areas"))["n"] == 0


def test_use_case_results_survive_the_trip_through_the_database():
    from domain.people import Role

    value = (Invite("abc", Role.ADMIN, 1, 99), frozenset({Role.FARMER}), [1, "x", None], {"k": 2})
    assert effects.decode(effects.encode(value)) == (value[0], value[1], value[2], value[3])
    with pytest.raises(effects.ResultNotStorable):
        effects.encode(object())


async def test_inbox_keeps_unapplied_updates_and_drops_applied_ones(db):
    assert await inbox.store(db, 1, '{"update_id": 1}')
    assert await inbox.store(db, 2, '{"update_id": 2}')
    async with db.transaction(bookkeeping=True) as conn:
        await inbox.mark_done(conn, [1])
    assert await inbox.pending(db) == [(2, '{"update_id": 2}')]
    assert not await inbox.store(db, 1, '{"update_id": 1}')  # a replay of an applied update


async def test_persistence_round_trip(db):
    persistence = SqlitePersistence(db)
    await persistence.update_user_data(7, {"draft": {"lang": "en", "name": "Ketut"}})
    await persistence.update_conversation("registration", (7, 7), "name")
    await persistence.update_conversation("registration", (8, 8), "kind")
    await persistence.update_conversation("registration", (8, 8), None)  # ended
    assert await persistence.load(7, {"[7, 7]": ["registration"]}) == (None, {})  # until commit
    await persistence.flush()

    again = SqlitePersistence(db)
    # nothing at start (people are read as they write), one person's rows on demand
    assert await again.get_user_data() == {}
    assert await again.get_conversations("registration") == {}
    keys = {"[7, 7]": ["registration", "offer"], "[8, 8]": ["registration"]}
    text, states = await again.load(7, keys)
    assert json.loads(text) == {"draft": {"lang": "en", "name": "Ketut"}}
    assert states == {("registration", "[7, 7]"): '"name"'}
    await again.drop_user_data(7)
    await again.flush()
    assert await SqlitePersistence(db).load(7, {}) == (None, {})


@pytest.mark.sqlite_file
async def test_unreadable_database_path_is_a_clear_error(tmp_path):
    from storage.db import DatabaseError

    with pytest.raises(DatabaseError, match="does not exist"):
        await Database(str(tmp_path / "missing" / "k.sqlite3")).open()


async def test_a_write_cancelled_at_its_begin_leaves_no_transaction_open(db):
    import asyncio

    async def slow(conn):
        await asyncio.sleep(10)

    for _ in range(20):  # cancel at every early moment: during BEGIN, during the use case
        task = asyncio.create_task(db.write(slow))
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert await db.write(_insert_area, "after") == "after"  # the writer is usable
    assert (await db.fetchone("SELECT COUNT(*) AS n FROM areas"))["n"] == 1


def test_conversation_keys_are_stored_as_before():
    """Rows written before the fast path must still be found: the same JSON text."""
    for key in [(123, 123), (-1001234567890, 42), (7,), ("inline", 5)]:
        assert encode_key(key) == json.dumps(list(key))
