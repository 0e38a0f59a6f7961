"""``koperasi-bot audit verify``: recompute the ledger's hash chain and every balance.

Exit 0 and ``ledger intact: N entries, last hash …`` when all holds; exit 1 naming the first
broken entry otherwise. Keep the printed last hash somewhere else (a notebook, the board's
minutes): ``--anchor HASH`` later checks that the ledger still passes through it, which
catches entries cut off the end, the one change the chain alone cannot show.
"""

from __future__ import annotations

import argparse
import re

from bot.cli.common import CliError, on_database
from bot.config import Settings
from storage import ledger
from storage.db import Database

EXIT_BROKEN = 1


def add_parser(sub) -> None:
    audit = sub.add_parser(
        "audit", help="check the ledger has not been changed behind the bot's back"
    )
    audit_sub = audit.add_subparsers(dest="action", required=True)
    verify = audit_sub.add_parser(
        "verify", help="recompute the hash chain and balances of every ledger entry"
    )
    verify.add_argument(
        "--anchor",
        metavar="HASH",
        help="a last hash printed earlier: the ledger must still pass through it",
    )
    audit.set_defaults(handler=on_database(audit_command))


async def audit_command(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    anchor = args.anchor.strip().lower() if args.anchor else None
    if anchor is not None and not re.fullmatch(r"[0-9a-f]{64}", anchor):
        raise CliError(
            "--anchor is a hash of 64 hexadecimal characters, as audit verify printed it"
        )
    report = await ledger.examine(db, anchor=anchor)
    if report.broken is not None:
        print(f"ledger broken at entry {report.broken.entry_id}: {report.broken.problem}")
        if report.last_id:
            print(f"entries 1 to {report.last_id} are intact (last good hash {report.last_hash})")
        return EXIT_BROKEN
    if anchor is not None and not report.anchor_found:
        print(
            f"ledger broken: the anchor {anchor} is not in it (entries removed from the end, or rewritten)"
        )
        return EXIT_BROKEN
    print(f"ledger intact: {report.entries} entries, last hash {report.last_hash}")
    return 0
