"""``koperasi-bot backup FILE`` (while the bot runs) and ``koperasi-bot restore FILE``.

SQLite: the database file is copied with SQLite's online backup API, checked, and written
with mode 0600; a restore copies it back the same way and then checks the ledger's chain.
PostgreSQL (``KOPERASI_DB_URL``): ``pg_dump --format=custom`` and ``pg_restore`` do it.
A restore refuses to replace a database that holds people unless ``--force``.
"""

from __future__ import annotations

import argparse
import asyncio

from bot.cli.common import CliError
from bot.config import Settings
from storage import backup as store
from storage import ledger
from storage.db import Database

EXIT_BROKEN = 1


def add_parser(sub) -> None:
    taken = sub.add_parser(
        "backup", help="copy the whole database to FILE, while the bot runs (mode 0600)"
    )
    taken.add_argument("file", metavar="FILE", help="the backup file to write (replaced)")
    taken.set_defaults(handler=backup_command)
    back = sub.add_parser(
        "restore", help="replace the database with the backup FILE (stop the bot first)"
    )
    back.add_argument("file", metavar="FILE", help="a file written by koperasi-bot backup")
    back.add_argument(
        "--force",
        action="store_true",
        help="replace the database even though people are registered in it",
    )
    back.set_defaults(handler=restore_command)


def db_url(settings: Settings) -> str:
    """The PostgreSQL URL when the database is one (``KOPERASI_DB_URL``, or a
    ``postgresql://`` URL as ``KOPERASI_DB_PATH`` / ``--db``), else empty: SQLite."""
    for candidate in (settings.db_url, settings.db_path):
        if store.is_postgres(candidate):
            return candidate
    return ""


def backup_command(args: argparse.Namespace, settings: Settings) -> int:
    url = db_url(settings)
    try:
        copied = asyncio.run(store.backup(settings.db_path, args.file, url or None))
    except store.BackupError as exc:
        raise CliError(str(exc)) from None
    if url:
        print(f"backup written: {copied.path} ({copied.size:,} bytes, pg_dump custom format)")
    else:
        print(
            f"backup written: {copied.path} ({copied.size:,} bytes): {copied.people} people,"
            f" {copied.ledger_entries} ledger entries, integrity ok"
        )
    return 0


def _refuse(where: str, people: int) -> None:
    raise CliError(
        f"{where} already holds {people} registered people: a restore replaces all of it."
        " Stop the bot, then run restore again with --force to overwrite it,"
        " or restore into a fresh database (another KOPERASI_DB_PATH / --db)"
    )


def restore_command(args: argparse.Namespace, settings: Settings) -> int:
    url = db_url(settings)
    if url:
        return _restore_postgres(args, url)
    people = store.sqlite_people(settings.db_path)
    if people and not args.force:
        _refuse(settings.db_path, people)
    try:
        copied = store.sqlite_restore(args.file, settings.db_path)
    except store.BackupError as exc:
        raise CliError(str(exc)) from None
    report = asyncio.run(_examine(settings.db_path))
    print(
        f"restored {args.file} into {copied.path}: {copied.people} people,"
        f" {copied.ledger_entries} ledger entries"
    )
    if report.broken is not None:
        print(f"ledger broken at entry {report.broken.entry_id}: {report.broken.problem}")
        return EXIT_BROKEN
    print(f"ledger intact: {report.entries} entries, last hash {report.last_hash}")
    return 0


async def _examine(path: str) -> ledger.ChainReport:
    # Not migrated: the restored file stays as it was backed up; the bot migrates it at start.
    async with Database(path) as db:
        return await ledger.examine(db)


def _postgres_people(url: str) -> int:
    try:
        return store.pg_people(url)
    except store.BackupError as exc:
        raise CliError(str(exc)) from None


def _restore_postgres(args: argparse.Namespace, url: str) -> int:
    people = _postgres_people(url)
    if people and not args.force:
        _refuse("the PostgreSQL database (KOPERASI_DB_URL)", people)
    try:
        store.pg_restore(args.file, url)
    except store.BackupError as exc:
        raise CliError(str(exc)) from None
    print(
        f"restored {args.file} into the PostgreSQL database: {_postgres_people(url)} people;"
        " check the ledger with: koperasi-bot audit verify"
    )
    return 0
