"""``koperasi-bot inbox list-failed | retry ID|--all | drop ID|--all``: quarantined updates.

An update the bot cannot parse, or that no process finished in three attempts, is set aside
(``bot.runtime.quarantine``) so that it stops nobody. Here the operator sees them (id, when it came,
the error, a few words of what it was, without phone numbers) and either puts them back in
the queue (processed at the bot's next start, e.g. after an upgrade) or drops them.
"""

from __future__ import annotations

import argparse
import datetime as dt

from bot.cli.common import CliError, on_database
from bot.config import Settings
from bot.runtime.quarantine import excerpt
from storage import dead_letters
from storage.db import Database


def add_parser(sub) -> None:
    inbox = sub.add_parser("inbox", help="updates set aside because they could not be processed")
    inbox_sub = inbox.add_subparsers(dest="action", required=True)
    inbox_sub.add_parser("list-failed", help="list the quarantined updates")
    for verb, what in (("retry", "queue again for the next start"), ("drop", "forget for good")):
        p = inbox_sub.add_parser(verb, help=f"{what}: one update or all of them")
        which = p.add_mutually_exclusive_group(required=True)
        which.add_argument("update_id", nargs="?", type=int, help="update id (from list-failed)")
        which.add_argument("--all", action="store_true", help="every quarantined update")
    inbox.set_defaults(handler=on_database(inbox_command))


def _when(seconds: int) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


async def inbox_command(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    if args.action == "list-failed":
        letters = await dead_letters.listed(db)
        if not letters:
            print("no quarantined updates")
            return 0
        for letter in letters:
            tries = f", {letter.attempts} attempts" if letter.attempts else ""
            print(
                f"update {letter.update_id} (received {_when(letter.received_at)}{tries}): {letter.error}"
            )
            print(f"  {excerpt(letter.payload)}")
        noun = "update" if len(letters) == 1 else "updates"
        print(f"{len(letters)} quarantined {noun}; `koperasi-bot inbox retry ID|--all` queues again"
              " for the next start, `koperasi-bot inbox drop ID|--all` forgets")  # fmt: skip
        return 0
    wanted = None if args.all else [args.update_id]
    change = dead_letters.retry if args.action == "retry" else dead_letters.drop
    done = await change(db, wanted)
    if wanted and not done:
        raise CliError(
            f"no quarantined update {args.update_id} (see `koperasi-bot inbox list-failed`)"
        )
    what = f"update {done[0]}" if wanted else f"{len(done)} update(s)"
    if args.action == "retry":
        print(f"{what} queued again: processed when the bot next starts")
    else:
        print(f"{what} dropped")
    return 0
