"""What every command group shares: the one-line error, the exit code, database access."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable

from bot.config import Settings
from domain.people import ROLE_WORDS, STAFF_ROLES
from storage.db import Database
from storage.migrate import migrate

EXIT_USAGE = 2

#: What a group's sub-parser sets as ``handler``: parsed arguments and settings in, exit code out.
Handler = Callable[[argparse.Namespace, Settings], int]
DbCommand = Callable[[argparse.Namespace, Settings, Database], Awaitable[int]]


class CliError(Exception):
    """A mistake the person at the keyboard can fix; printed as one line."""


def parse_role(word: str, staff_only: bool = False):
    role = ROLE_WORDS.get(word.lower().replace("-", " "))
    if role is None or (staff_only and role not in STAFF_ROLES):
        allowed = (
            "coordinator, treasurer (bendahara), admin, keeper, ketua, pengelola-gerai"
            if staff_only
            else "farmer, member, coordinator, treasurer, admin, keeper, ketua, pengelola-gerai"
        )
        raise CliError(f"unknown role {word!r}; one of: {allowed}")
    return role


async def _with_db(
    settings: Settings, work: Callable[[Database], Awaitable[int]], *, migrate_first: bool
) -> int:
    async with Database(settings.database) as db:
        if migrate_first:
            await migrate(db)
        return await work(db)


def on_database(command: DbCommand, *, migrate_first: bool = True) -> Handler:
    """A handler that opens the database (migrated first, unless told not to) and runs ``command``."""

    def handler(args: argparse.Namespace, settings: Settings) -> int:
        return asyncio.run(
            _with_db(settings, lambda db: command(args, settings, db), migrate_first=migrate_first)
        )

    return handler
