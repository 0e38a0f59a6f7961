"""``koperasi-bot ledger export FILE``: the journal for the cooperative's books, a row per
line (entry, time, author, reason, reference, the entry it reverses, account, debit, credit),
as CSV or XLSX by the file's extension (reasons in ``--lang``, months in words); one cooperative's entries with ``--org``, a period
with ``--from``/``--to`` (dates where the cooperative is, ``--zone``)."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.cli.common import CliError, on_database
from bot.cli.members import org_id_of
from bot.cli.sheets import rupiah, sheet_writer
from bot.config import Settings
from bot.i18n import use_locale
from bot.ledger_reasons import reason_text
from domain import regions
from domain.people import DEFAULT_LANGUAGE, LANGUAGES
from storage import savings
from storage.db import Database

HEADER = (
    "Entry", "Time", "Author", "Reason", "Reference", "Reverses", "Line", "Account", "Debit",
    "Credit",
)  # fmt: skip


def add_parser(sub) -> None:
    led = sub.add_parser("ledger", help="the ledger for the books")
    led_sub = led.add_subparsers(dest="action", required=True)
    exp = led_sub.add_parser("export", help="every ledger line, to CSV or XLSX")
    exp.add_argument("file", type=Path, help="ledger.csv or ledger.xlsx")
    exp.add_argument("--org", help="only entries touching this cooperative's accounts")
    exp.add_argument("--from", dest="first", type=dt.date.fromisoformat, help="YYYY-MM-DD")
    exp.add_argument("--to", dest="last", type=dt.date.fromisoformat, help="YYYY-MM-DD, inclusive")
    exp.add_argument(
        "--zone",
        default=regions.WIB,
        choices=(regions.WIB, regions.WITA, regions.WIT),
        help=f"time zone of the times and dates (default {regions.WIB})",
    )
    exp.add_argument(
        "--lang",
        default=DEFAULT_LANGUAGE,
        choices=LANGUAGES,
        help=f"language of the reasons (default {DEFAULT_LANGUAGE})",
    )
    led.set_defaults(handler=on_database(ledger_command))


def _bound(day: dt.date | None, zone: ZoneInfo) -> int | None:
    return None if day is None else int(dt.datetime.combine(day, dt.time(), zone).timestamp())


async def ledger_command(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    zone = ZoneInfo(args.zone)
    if args.first and args.last and args.last < args.first:
        raise CliError("--to is before --from")
    start = _bound(args.first, zone)
    end = _bound(args.last + dt.timedelta(days=1) if args.last else None, zone)
    xlsx = args.file.suffix.lower() != ".csv"
    entries, debits, credits = set(), 0, 0
    lines = savings.ledger_lines(db, await org_id_of(db, args.org), start, end)
    with sheet_writer(args.file, HEADER) as append, use_locale(args.lang):
        async for line in lines:
            at = dt.datetime.fromtimestamp(line.at, zone).replace(tzinfo=None)
            append((
                line.entry_id, at if xlsx else at.isoformat(sep=" "), line.author or "",
                reason_text(line.reason), line.reference or "", line.reverses or "", line.line_no,
                line.account, max(line.amount, 0) or "", max(-line.amount, 0) or "",
            ))  # fmt: skip
            entries.add(line.entry_id)
            debits += max(line.amount, 0)
            credits += max(-line.amount, 0)
    print(
        f"{args.file.name}: {len(entries)} entries, debits {rupiah(debits)},"
        f" credits {rupiah(credits)}"
    )
    return 0
