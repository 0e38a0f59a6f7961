"""The daily backup job: registered only with KOPERASI_BACKUP_DIR, writes a private,
restorable copy named by its time, and keeps the newest KOPERASI_BACKUP_KEEP of its files."""

from __future__ import annotations

import os
import re
import sqlite3
import stat
from datetime import UTC, datetime

import pytest

from bot.runtime import backups
from tests.harness import World


async def test_no_backup_dir_no_job(world):
    assert world.app.job_queue.get_jobs_by_name(backups.JOB_NAME) == ()


@pytest.mark.sqlite_file  # the SQLite file copied by the backup API
async def test_the_daily_backup_writes_a_copy_and_keeps_the_newest(tmp_path):
    folder = tmp_path / "cadangan"
    world = await World(
        str(tmp_path / "k.sqlite3"), backup_dir=str(folder), backup_keep="3"
    ).start()
    try:
        siti = world.person(1001)
        await siti.send("/start")  # something in the database: her person row, her update
        (job,) = world.app.job_queue.get_jobs_by_name(backups.JOB_NAME)
        assert job.trigger.fields[5].expressions[0].first == 2  # hour 2 (WIB: the job's zone)
        assert str(job.trigger.timezone) == "Asia/Jakarta"
        # Three older backups of this job and a file of someone else's.
        older = [f"koperasi-2026110{d}-190000.sqlite3" for d in (1, 2, 3)]
        for name in [*older, "catatan.txt"]:
            (folder / name).write_bytes(b"x")
        await job.run(world.app)
        copies = []  # another process sharing the database runs it the same day: no copy
        world_backup = backups.store.backup
        backups.store.backup = lambda *a: copies.append(a) or world_backup(*a)
        try:
            await job.run(world.app)
        finally:
            backups.store.backup = world_backup
        assert copies == []
    finally:
        await world.stop()

    names = sorted(os.listdir(folder))
    new = [n for n in names if n not in older and n != "catatan.txt"]
    assert len(new) == 1 and re.fullmatch(r"koperasi-\d{8}-\d{6}\.sqlite3", new[0])
    assert new[0][9:17] == f"{datetime.now(UTC):%Y%m%d}"
    # keep = 3: the oldest of the four went; the other file stays.
    assert names == sorted([*older[1:], new[0], "catatan.txt"])
    copy = folder / new[0]
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    conn = sqlite3.connect(copy)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT COUNT(*) FROM inbox").fetchone()[0] >= 1
    finally:
        conn.close()


def test_rotate_touches_only_its_own_files(tmp_path):
    for name in ("koperasi-20260101-000000.dump", "koperasi-20260102-000000.dump",
                 "koperasi-20260103-000000.sqlite3", "koperasi.sqlite3", "koperasi-x.dump"):  # fmt: skip
        (tmp_path / name).write_bytes(b"")
    assert backups.rotate(tmp_path, 1) == [
        "koperasi-20260101-000000.dump", "koperasi-20260102-000000.dump",
    ]  # fmt: skip
    assert sorted(os.listdir(tmp_path)) == [
        "koperasi-20260103-000000.sqlite3", "koperasi-x.dump", "koperasi.sqlite3",
    ]  # fmt: skip
    assert backups.backup_name(datetime(2026, 12, 3, 19, 0, 5, tzinfo=UTC), True) == (
        "koperasi-20261203-190005.dump"
    )


async def test_on_postgresql_the_daily_backup_is_a_pg_dump(tmp_path, monkeypatch):
    """With a PostgreSQL database (lane pg's Database: ``dialect``, ``url``) the job writes
    ``koperasi-….dump`` with pg_dump; on a real server when KOPERASI_TEST_PG_URL is set."""
    from types import SimpleNamespace

    from storage import backup as store

    url = os.environ.get("KOPERASI_TEST_PG_URL", "")
    if not url:
        url = "postgresql://koperasi@127.0.0.1:5432/koperasi"

        def fake_run(argv, **kwargs):
            assert argv[:3] == ["pg_dump", "--format=custom", "--file"] and argv[-1] == url
            with open(argv[3], "wb") as f:  # noqa: ASYNC230 - a stand-in for the program
                f.write(b"PGDMP")
            return SimpleNamespace(returncode=0, stdout="", stderr="")

        monkeypatch.setattr(store.subprocess, "run", fake_run)

    async def claimed(*args):  # one process alone: it takes the day (test_the_daily_backup…)
        return True

    monkeypatch.setattr(backups.job_runs, "claim", claimed)
    (tmp_path / "koperasi-20260101-000000.dump").write_bytes(b"old")
    settings = SimpleNamespace(backup_dir=str(tmp_path), backup_keep=1)
    db = SimpleNamespace(dialect="postgresql", url=url, path="")
    await backups.daily_backup(SimpleNamespace(bot_data=SimpleNamespace(settings=settings, db=db)))
    (name,) = os.listdir(tmp_path)
    assert (
        re.fullmatch(r"koperasi-\d{8}-\d{6}\.dump", name)
        and name != "koperasi-20260101-000000.dump"
    )
    assert (tmp_path / name).read_bytes().startswith(b"PGDMP")
    assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
