"""The database file holds phone numbers, unused invite codes and whole updates: it and its
-wal / -shm companions are readable by the owner only, whatever the umask."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from storage.db import Database, DatabaseError
from storage.migrate import migrate

pytestmark = pytest.mark.sqlite_file  # the file's mode: SQLite's alone


@pytest.fixture
def umask_022():
    old = os.umask(0o022)  # the usual default: new files world-readable
    try:
        yield
    finally:
        os.umask(old)


def modes(path: Path) -> dict[str, int]:
    found = {}
    for suffix in ("", "-wal", "-shm"):
        name = Path(f"{path}{suffix}")
        if name.exists():
            found[suffix or "db"] = stat.S_IMODE(name.stat().st_mode)
    return found


async def test_new_database_and_its_wal_and_shm_are_0600(tmp_path, umask_022):
    path = tmp_path / "k.sqlite3"
    async with Database(str(path)) as db:
        await migrate(db)  # writes: the WAL holds them until a checkpoint
        assert modes(path) == {"db": 0o600, "-wal": 0o600, "-shm": 0o600}
    assert modes(path)["db"] == 0o600


async def test_a_wider_existing_file_is_tightened_with_a_warning(tmp_path, umask_022, caplog):
    path = tmp_path / "k.sqlite3"
    sqlite3.connect(path).close()  # as an older version (or a copy) left it: 0644
    assert modes(path) == {"db": 0o644}
    with caplog.at_level(logging.WARNING, logger="storage.db"):
        async with Database(str(path)) as db:
            await migrate(db)
            assert modes(path) == {"db": 0o600, "-wal": 0o600, "-shm": 0o600}
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert "was readable by others (mode 0644): now 0600" in caplog.text


async def test_a_private_file_opens_without_a_warning(tmp_path, umask_022, caplog):
    path = tmp_path / "k.sqlite3"
    for _ in range(2):
        with caplog.at_level(logging.WARNING, logger="storage.db"):
            async with Database(str(path)):
                pass
    assert caplog.records == [] and modes(path)["db"] == 0o600


async def test_a_folder_in_place_of_the_file_is_a_clear_error(tmp_path):
    with pytest.raises(DatabaseError, match="cannot open database .*: Is a directory"):
        await Database(str(tmp_path)).open()
