"""``koperasi-bot db migrate|status``."""

from __future__ import annotations

import argparse

from bot.cli.common import on_database
from bot.config import Settings
from storage.db import Database
from storage.migrate import applied_versions, available, migrate


def add_parser(sub) -> None:
    db = sub.add_parser("db", help="database")
    db_sub = db.add_subparsers(dest="action", required=True)
    db_sub.add_parser("migrate", help="apply pending migrations")
    db_sub.add_parser("status", help="list migrations and whether they are applied")
    # Not migrated first: `db status` must show what is pending.
    db.set_defaults(handler=on_database(db_command, migrate_first=False))


async def db_command(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    if args.action == "status":
        done = await applied_versions(db)
        for m in available():
            print(f"{m.version:04d}_{m.name}: {'applied' if m.version in done else 'pending'}")
    else:
        applied = await migrate(db)
        print(f"applied {len(applied)} migration(s); the database is up to date")
    return 0
