"""Backups of the whole database, taken while the bot runs, and their restore.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies a consistent snapshot
page by page while the bot keeps writing (WAL: readers never block the writer); the copy is
written to a private temporary file beside the target (mode 0600 from its creation: it holds
phone numbers), checked with ``PRAGMA integrity_check`` and only then renamed into place, so
a backup file is never half written. A restore copies back with the same API.

PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean --if-exists``, run as
programs (their argv is built by :func:`pg_dump_argv` / :func:`pg_restore_argv`).

Blocking work (the copy, the checks, the programs) runs in a thread: ``asyncio.to_thread``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

PRIVATE_MODE = 0o600
# Pages copied per step of the SQLite backup: -1 copies all in one step, under one read
# snapshot, so a writer meanwhile never makes the copy start over.
PAGES_PER_STEP = -1


class BackupError(Exception):
    """A backup or restore cannot be done; the message is one line a person can act on."""


@dataclass(frozen=True)
class Copied:
    """What a backup or restore produced: the file, its size, and what it holds."""

    path: str
    size: int
    people: int
    ledger_entries: int


def is_postgres(url: str | None) -> bool:
    return bool(url) and str(url).startswith(("postgresql://", "postgres://"))


# -- SQLite ------------------------------------------------------------------------------------


def _private_temp(target: Path) -> Path:
    """An empty file beside ``target``, mode 0600 (``os.open`` applies the umask, which only
    narrows it), for the copy to be written into before it is renamed."""
    temp = target.with_name(f".{target.name}.{os.getpid()}.{time.monotonic_ns()}.part")
    os.close(os.open(temp, os.O_RDWR | os.O_CREAT | os.O_EXCL, PRIVATE_MODE))
    return temp


def _counts(conn: sqlite3.Connection) -> tuple[int, int]:
    """(people, ledger entries); a file without the tables is not a koperasi-bot database."""
    try:
        people = conn.execute("SELECT COUNT(*) FROM people").fetchone()[0]
        entries = conn.execute("SELECT COUNT(*) FROM ledger_entries").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"not a koperasi-bot database ({exc})") from None
    return people, entries


def _check(conn: sqlite3.Connection, what: str) -> None:
    try:
        result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{what} is not a readable SQLite database: {exc}") from None
    if result != ["ok"]:
        raise BackupError(f"{what} fails the integrity check: {'; '.join(result[:3])}")


def _copy(source: str, target: str, what: str, *, replaces_database: bool = False) -> Copied:
    """Source → a private temporary file → checked → renamed to ``target``. Replacing a
    database, its ``-wal`` and ``-shm`` go just before: SQLite would apply a stale WAL to the
    new file. Until then (a failed copy, a damaged source) the old database is untouched."""
    final = Path(target)
    if not final.parent.is_dir():
        raise BackupError(f"folder does not exist: {final.parent}")
    temp = _private_temp(final)
    try:
        src = sqlite3.connect(source)
        try:
            dst = sqlite3.connect(temp)
            try:
                src.backup(dst, pages=PAGES_PER_STEP)
                # One self-contained file: no -wal beside it to lose when it is copied away.
                dst.execute("PRAGMA journal_mode = DELETE")
                _check(dst, what)
                people, entries = _counts(dst)
            finally:
                dst.close()
        finally:
            src.close()
        if replaces_database:
            for leftover in (f"{final}-wal", f"{final}-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(leftover)
        os.replace(temp, final)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    return Copied(str(final), final.stat().st_size, people, entries)


def sqlite_backup(db_path: str, file: str) -> Copied:
    """Copy the live database ``db_path`` to ``file`` (replaced if it exists)."""
    if not Path(db_path).is_file():
        raise BackupError(f"no database at {db_path}")
    try:
        return _copy(db_path, file, f"the copy {file}")
    except sqlite3.Error as exc:
        raise BackupError(f"backup failed: {exc}") from None


def sqlite_people(db_path: str) -> int:
    """People registered in the database at ``db_path``; 0 when it is missing or new."""
    if not Path(db_path).is_file():
        return 0
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute("SELECT COUNT(*) FROM people").fetchone()[0]
    except sqlite3.OperationalError:  # no such table: created, never migrated
        return 0
    finally:
        conn.close()


def sqlite_restore(file: str, db_path: str) -> Copied:
    """Copy the backup ``file`` to ``db_path`` (checked first: a damaged backup never
    replaces anything). The caller decides whether ``db_path`` may be overwritten."""
    if not Path(file).is_file():
        raise BackupError(f"no backup file at {file}")
    conn = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
    try:
        _check(conn, f"the backup {file}")
        _counts(conn)
    finally:
        conn.close()
    try:
        return _copy(file, db_path, f"the restored {db_path}", replaces_database=True)
    except sqlite3.Error as exc:
        raise BackupError(f"restore failed: {exc}") from None


# -- PostgreSQL --------------------------------------------------------------------------------


def pg_dump_argv(url: str, file: str) -> list[str]:
    """``pg_dump``'s command line: the custom format (compressed, restorable table by table)."""
    return ["pg_dump", "--format=custom", "--file", file, url]


def pg_restore_argv(url: str, file: str) -> list[str]:
    """``pg_restore``'s command line: objects dropped first if they exist, owned by the
    connecting role (the backup may come from a server with other role names)."""
    return ["pg_restore", "--no-owner", "--clean", "--if-exists", "--dbname", url, file]


def _run(argv: list[str], url: str) -> None:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(
            f"{argv[0]} is not installed (Debian: apt-get install postgresql-client)"
        ) from None
    if done.returncode != 0:
        # Its message may quote the URL: never its password.
        said = " ".join((done.stderr or done.stdout).split()) or f"exit code {done.returncode}"
        text = said.replace(url, "<url>")
        raise BackupError(f"{argv[0]} failed: {text[:300]}")


def pg_people(url: str) -> int:
    """People registered in the PostgreSQL database (``psql``, which comes with pg_restore);
    0 when it has no tables yet."""
    argv = ["psql", "--no-psqlrc", "-tAc", "SELECT COUNT(*) FROM people", url]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(
            "psql is not installed (Debian: apt-get install postgresql-client)"
        ) from None
    if done.returncode == 0:
        return int(done.stdout.strip() or 0)
    if "does not exist" in done.stderr:  # a fresh database: no people table yet
        return 0
    raise BackupError(f"cannot read the database: {done.stderr.strip().replace(url, '<url>')}")


def pg_backup(url: str, file: str) -> Copied:
    final = Path(file)
    if not final.parent.is_dir():
        raise BackupError(f"folder does not exist: {final.parent}")
    temp = _private_temp(final)
    try:
        _run(pg_dump_argv(url, str(temp)), url)
        os.chmod(temp, PRIVATE_MODE)  # pg_dump may have created it anew
        os.replace(temp, final)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    return Copied(str(final), final.stat().st_size, -1, -1)


def pg_restore(file: str, url: str) -> None:
    if not Path(file).is_file():
        raise BackupError(f"no backup file at {file}")
    _run(pg_restore_argv(url, file), url)


# -- asyncio ----------------------------------------------------------------------------------


async def backup(db_path: str, file: str, url: str | None = None) -> Copied:
    """The database (SQLite at ``db_path``, or PostgreSQL at ``url``) to ``file``, off the loop."""
    if is_postgres(url):
        return await asyncio.to_thread(pg_backup, str(url), file)
    return await asyncio.to_thread(sqlite_backup, db_path, file)
