"""``koperasi-bot rafaksi set|show``: a cooperative's quality-cut table (rafaksi) per
commodity, dated like prices (a new version from a day on; history is kept).

    koperasi-bot rafaksi set --org KOP --commodity gabah --moisture 25 30 --foreign 10 15 \\
        --cut 0 300 --cut 425 750 [--from 2026-12-05] [--source "…"]
    koperasi-bot rafaksi set --org KOP --commodity gabah --government   (adopt the decree's)
    koperasi-bot rafaksi set --org KOP --commodity gabah --off          (no cut from then)
    koperasi-bot rafaksi show --org KOP --commodity gabah

``--moisture`` and ``--foreign`` are the upper limits of each band in percent (the first is
the quality the buying price is for); one ``--cut`` per moisture band, one rupiah figure per
hampa/kotoran band."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime

from bot.cli.common import CliError, on_database
from bot.cli.price import _rupiah
from bot.config import Settings
from domain.money import rupiah
from domain.people import InvalidInput
from domain.rafaksi import RafaksiRefused, Table, check_table, parse_percent, percent_text
from storage import orgs, prices, rafaksi
from storage.db import Database


def _percent(text: str):
    try:
        return parse_percent(text)
    except RafaksiRefused:
        raise argparse.ArgumentTypeError(f"not a percentage: {text!r} (write 25 or 25,5)") from None


def add_parser(sub) -> None:
    cmd = sub.add_parser("rafaksi", help="quality cuts (rafaksi) per cooperative and commodity")
    cmd_sub = cmd.add_subparsers(dest="action", required=True)
    put = cmd_sub.add_parser("set", help="a new table from a day on (history is kept)")
    put.add_argument("--org", required=True, help="the cooperative's code")
    put.add_argument("--commodity", required=True, help="e.g. gabah")
    how = put.add_mutually_exclusive_group(required=True)
    how.add_argument("--moisture", nargs="+", type=_percent, metavar="PCT",
                     help="upper limits of the kadar air bands, e.g. 25 30")  # fmt: skip
    how.add_argument("--government", action="store_true",
                     help="adopt the government's table of the commodity (the decree seeded)")  # fmt: skip
    how.add_argument("--off", action="store_true", help="no rafaksi from then on")
    put.add_argument("--foreign", nargs="+", type=_percent, metavar="PCT",
                     help="upper limits of the hampa/kotoran bands, e.g. 10 15")  # fmt: skip
    put.add_argument("--cut", nargs="+", type=_rupiah, action="append", metavar="RUPIAH",
                     help="one per kadar air band: the cut per kg for each hampa/kotoran band")  # fmt: skip
    put.add_argument("--from", dest="valid_from", type=date.fromisoformat, default=None,
                     help="the first day (YYYY-MM-DD, 00:00 WIB); default: now")  # fmt: skip
    put.add_argument("--source", default="", help="where the table comes from")
    show = cmd_sub.add_parser("show", help="the table in force and its versions")
    show.add_argument("--org", required=True, help="the cooperative's code")
    show.add_argument("--commodity", required=True, help="e.g. gabah")
    cmd.set_defaults(handler=on_database(rafaksi_command))


def grid(table: Table) -> list[str]:
    """The table as lines: kadar air bands down, hampa/kotoran bands across."""
    head = ["kadar air \\ hampa"] + [f"≤{percent_text(f)} %" for f in table.foreign]
    rows = [head] + [
        [f"≤{percent_text(m)} %"] + [rupiah(c) for c in row]
        for m, row in zip(table.moisture, table.cuts, strict=True)
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    return ["  ".join(cell.rjust(w) for cell, w in zip(r, widths, strict=True)) for r in rows]


async def _table(args: argparse.Namespace, db: Database) -> tuple[Table | None, str]:
    if args.off:
        return None, args.source
    if args.government:
        found = await rafaksi.government(db, args.commodity)
        if found is None or found.table is None:
            raise CliError(f"no government table for {args.commodity!r}")
        return found.table, args.source or found.source
    if not args.foreign or not args.cut:
        raise CliError("--moisture needs --foreign and one --cut per kadar air band")
    try:
        return check_table(args.moisture, args.foreign, args.cut), args.source
    except RafaksiRefused:
        raise CliError(
            "table refused: limits rising, from above 0 up to 100; one --cut per kadar air band"
            " with one figure per hampa/kotoran band; the first cut 0; worse quality never cut less"
        ) from None


async def rafaksi_command(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    org = await orgs.by_code(db, args.org)
    if org is None:
        raise CliError(f"no organisation with code {args.org!r}")
    if args.action == "set":
        table, source = await _table(args, db)
        start = (
            prices.day_start(args.valid_from)
            if args.valid_from
            else int(datetime.now(UTC).timestamp())
        )
        try:
            stored = await db.write(
                rafaksi.set_table, org_id=org.id, commodity=args.commodity, table=table,
                valid_from=start, source=source,
            )  # fmt: skip
        except InvalidInput as exc:
            raise CliError(f"rafaksi refused: {exc.reason} ({args.commodity!r})") from None
        when = args.valid_from.isoformat() if args.valid_from else "now"
        what = "no rafaksi" if table is None else "this table"
        print(f"{org.code} {args.commodity}: {what} from {when} (version {stored.id})")
        if table is not None:
            print("\n".join(grid(table)))
        return 0
    now = int(datetime.now(UTC).timestamp())
    found = await rafaksi.in_force(db, org.id, args.commodity, now)
    if found is None:
        print(f"{org.code} {args.commodity}: no rafaksi now")
        template = await rafaksi.government(db, args.commodity)
        if template is not None and template.table is not None:
            print(f"the government's table ({template.source}), adopt it with --government:")
            print("\n".join(grid(template.table)))
    else:
        day = datetime.fromtimestamp(found.valid_from, UTC).date().isoformat()
        print(f"{org.code} {args.commodity}: in force since {day} (version {found.id}) {found.source}".rstrip())  # fmt: skip
        print("\n".join(grid(found.table)))
    versions = await rafaksi.history(db, org.id, args.commodity)
    if versions:
        print(f"{len(versions)} version(s); newest first: " + ", ".join(
            f"{datetime.fromtimestamp(v.valid_from, UTC).date().isoformat()}{'' if v.table else ' (off)'}"
            for v in versions))  # fmt: skip
    return 0
