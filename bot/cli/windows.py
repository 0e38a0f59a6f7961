"""``koperasi-bot window open|list|close``: buying windows (domain.windows) from the command
line. The bot's job tells the farmers of a window closed here (within a minute)."""

from __future__ import annotations

import argparse
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.cli.common import CliError, on_database
from bot.config import Settings
from domain import regions
from domain import windows as rules
from domain.money import parse_rupiah, rupiah
from domain.people import InvalidInput
from domain.produce import CATALOG
from domain.quantity import PRICE_REASONS
from storage import catalog, orgs, windows
from storage.db import Database


def add_parser(sub) -> None:
    window = sub.add_parser("window", help="buying windows: what the cooperative needs, by when")
    window_sub = window.add_subparsers(dest="action", required=True)
    put = window_sub.add_parser("open", help="open a buying window")
    put.add_argument("--org", required=True, help="the cooperative's code")
    put.add_argument("--commodity", required=True, help="commodity code, e.g. gabah")
    put.add_argument("--grade", default="", help="grade code, e.g. GKP (default: any grade)")
    put.add_argument(
        "--area", default="", help="Kemendagri code prefix, e.g. 33.10 (default: everywhere)"
    )
    put.add_argument("--target", required=True, help='volume as people write it, e.g. "5 ton"')
    put.add_argument("--price", required=True, help="whole rupiah per base unit, e.g. 6500")
    put.add_argument("--until", required=True, help="last day, e.g. 2026-12-20 (the area's zone)")
    show = window_sub.add_parser("list", help="a cooperative's windows with what they collected")
    show.add_argument("--org", default=None, help="the cooperative's code (default: all)")
    shut = window_sub.add_parser("close", help="close a window now (filled or short), or cancel it")
    shut.add_argument("window", type=int, help="the window's number")
    shut.add_argument("--cancel", action="store_true", help="cancel it instead")
    window.set_defaults(handler=on_database(window_command))


def _reason(exc: InvalidInput) -> str:
    text = rules.REASONS.get(exc.reason) or PRICE_REASONS.get(exc.reason, exc.reason)
    return (
        text.replace("{example}", "5 ton")
        .replace("{unit}", "base unit")
        .replace("{most}", "its ceiling")
    )


async def _open(args: argparse.Namespace, db: Database) -> None:
    org = await orgs.by_code(db, args.org)
    if org is None:
        raise CliError(f"no organisation with code {args.org!r}")
    stored = await catalog.load(db, include_inactive=True)
    commodity = stored.get(args.commodity)
    if commodity is None:
        raise CliError(
            f"unknown commodity {args.commodity!r}; one of: {', '.join(c.code for c in stored)}"
        )
    try:
        target = rules.parse_target(args.target, commodity)
        price = parse_rupiah(args.price)
        zone = regions.timezone_for(args.area)
        today = datetime.now(ZoneInfo(zone)).date()
        day = rules.check_deadline(rules.parse_day(args.until), today)
        unit = (
            target.unit if target.unit != commodity.base_unit
            else rules.display_unit(target.value, commodity).code
        )  # fmt: skip
        window = await db.write(
            windows.open_window, org_id=org.id, commodity=commodity.code, grade=args.grade,
            area_prefix=args.area, target=target.value, target_unit=unit, price_rupiah=price,
            deadline=rules.deadline_of(day, zone), opened_by=None,
        )  # fmt: skip
    except InvalidInput as exc:
        raise CliError(f"window refused: {_reason(exc)}") from None
    print(
        f"window {window.number} open: {target.value} {commodity.base_unit} of {commodity.code}"
        f" {window.grade or '(any grade)'} in {window.area_prefix or 'everywhere'} at"
        f" {rupiah(window.price_rupiah)} until {day.isoformat()}"
    )


async def window_command(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    if args.action == "open":
        await _open(args, db)
    elif args.action == "list":
        org_id = None
        if args.org:
            org = await orgs.by_code(db, args.org)
            if org is None:
                raise CliError(f"no organisation with code {args.org!r}")
            org_id = org.id
        for found in await windows.of_org(db, org_id):
            w = found.window
            zone = regions.timezone_for(w.area_prefix)
            base = CATALOG[w.commodity].base_unit if CATALOG.get(w.commodity) else ""
            print(
                f"{w.number}\t{w.state.value}\t{w.commodity}\t{w.grade or '*'}\t{w.area_prefix or '*'}"
                f"\t{found.collected}/{Decimal(w.target)} {base}\t{rupiah(w.price_rupiah)}"
                f"\tuntil {rules.last_day(w.deadline, zone).isoformat()}"
            )
    else:
        try:
            done = await db.write(windows.close, args.window, None, None, cancel=args.cancel)
        except LookupError:
            raise CliError(f"no window {args.window}") from None
        except InvalidInput as exc:
            raise CliError(f"window {args.window}: {_reason(exc)}") from None
        print(f"window {done.number}: {done.state.value}; its farmers are told by the bot")
    return 0
