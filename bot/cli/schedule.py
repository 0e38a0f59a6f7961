"""``koperasi-bot schedule digest HH:MM``: when the morning price digest goes out, in each
person's own zone. A running bot takes it at its next start."""

from __future__ import annotations

import argparse

from bot.cli.common import CliError, on_database
from bot.config import ConfigError, Settings, parse_clock
from storage import schedules
from storage.db import Database


def add_parser(sub) -> None:
    sched = sub.add_parser("schedule", help="when scheduled broadcasts go out")
    sched_sub = sched.add_subparsers(dest="action", required=True)
    digest = sched_sub.add_parser("digest", help="the morning price digest's local time")
    digest.add_argument("local_time", nargs="?", help="HH:MM (06:00); leave out to show it")
    sched.set_defaults(handler=on_database(schedule_command))


async def schedule_command(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    if args.local_time is None:
        stored = await schedules.local_time(db, schedules.PRICE_DIGEST)
        shown = stored or settings.digest_time
        print(
            f"price digest: {shown:%H:%M} in each person's zone ({'set' if stored else 'the default'})"
        )
        return 0
    try:
        at = parse_clock(args.local_time)
    except ConfigError:
        raise CliError(f"not a time of day: {args.local_time!r} (write 06:00)") from None
    await db.write(schedules.set_local_time, schedules.PRICE_DIGEST, at)
    print(f"price digest: {at:%H:%M} in each person's zone, from the bot's next start")
    return 0
