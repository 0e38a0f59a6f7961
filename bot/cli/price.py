"""``koperasi-bot price set|import|list``: the cooperative's buying prices (the guaranteed
prices farmers see in /jual), per commodity × grade × area (a Kemendagri code prefix)."""

from __future__ import annotations

import argparse
import csv
from datetime import UTC, datetime
from pathlib import Path

from bot.cli.common import CliError, on_database
from bot.config import Settings
from domain.money import parse_rupiah, rupiah
from domain.people import InvalidInput
from domain.pickups import DeductionKind
from domain.produce import CATALOG, NO_GRADE, Catalog
from domain.quantity import PRICE_REASONS
from storage import catalog, deductions, orgs, prices
from storage.db import Database


def _rupiah(text: str) -> int:
    """Whole rupiah as people write them (the one parser): 6500, 6.500, Rp6.500. A
    negative figure goes on to be refused with the use case's own reason."""
    if text.startswith("-") and text[1:].isdigit() and len(text) < 17:
        return int(text)
    try:
        return parse_rupiah(text, allow_zero=True)
    except InvalidInput:
        raise argparse.ArgumentTypeError(
            f"not whole rupiah: {text!r} (write 6500 or 6.500)"
        ) from None


def add_parser(sub) -> None:
    price = sub.add_parser("price", help="buying prices per commodity, grade and area")
    price_sub = price.add_subparsers(dest="action", required=True)
    put = price_sub.add_parser(
        "set", help="set a price from now on (a new version; history is kept)"
    )
    put.add_argument("commodity", help=f"one of: {', '.join(c.code for c in CATALOG)}")
    put.add_argument(
        "rupiah", type=_rupiah, help="whole rupiah per base unit (kg, ekor, butir, liter)"
    )
    put.add_argument(
        "--grade", default=None, help="grade code, e.g. A or GKP (omit where there is one)"
    )
    put.add_argument(
        "--area", default="", help="Kemendagri code prefix, e.g. 33 or 33.10 (default: everywhere)"
    )
    put.add_argument(
        "--source", default="", help="where the price comes from, e.g. 'HPP Bapanas 2025'"
    )
    put.add_argument(
        "--kind", default=prices.BUYING, choices=prices.KINDS,
        help="buying: the cooperative's guaranteed price (default); reference: HPP/HAP; market",
    )  # fmt: skip
    imp = price_sub.add_parser(
        "import",
        help="import a CSV file: commodity,grade,area,price,valid_from[,valid_until,source]",
    )
    imp.add_argument("file", type=Path)
    cut = price_sub.add_parser(
        "deduction",
        help="what the cooperative takes off per unit for a service (shown before the farmer commits)",
    )
    cut.add_argument("kind", choices=[k.value for k in DeductionKind])
    cut.add_argument(
        "rupiah", type=_rupiah, help="whole rupiah per base unit; 0 ends the deduction"
    )
    cut.add_argument("--org", required=True, help="the cooperative's code")
    cut.add_argument("--commodity", default="", help="only for this commodity (default: every one)")
    show = price_sub.add_parser("list", help="the prices in force for a village")
    show.add_argument("village", help="a village code, e.g. 33.10.11.2004")
    price.set_defaults(handler=on_database(price_command))


def _grade(stored: Catalog, commodity: str, grade: str | None) -> str:
    known = stored.get(commodity)
    if known is None:
        raise CliError(
            f"unknown commodity {commodity!r}; one of: {', '.join(c.code for c in stored)}"
        )
    if grade is None:
        if known.graded:
            raise CliError(
                f"{commodity} has grades: pass --grade ({', '.join(g.code for g in known.grades)})"
            )
        return NO_GRADE
    return grade


async def price_command(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    if args.action == "set":
        try:
            price = await db.write(
                prices.set_price, commodity=args.commodity, grade=_grade(await catalog.load(db, include_inactive=True), args.commodity, args.grade),
                area_prefix=args.area, price_rupiah=args.rupiah, valid_from=datetime.now(UTC), source=args.source, kind=args.kind,
            )  # fmt: skip
        except InvalidInput as exc:
            raise CliError(f"price refused: {PRICE_REASONS.get(exc.reason, exc.reason)}") from None
        print(
            f"{price.commodity} {price.grade} in {price.area_prefix or 'everywhere'}: {rupiah(price.price_rupiah)} from now (version {price.id})"
        )
    elif args.action == "deduction":
        org = await orgs.by_code(db, args.org)
        if org is None:
            raise CliError(f"no organisation with code {args.org!r}")
        try:
            await db.write(
                deductions.set_rate, org_id=org.id, kind=args.kind, rupiah_per_unit=args.rupiah,
                commodity=args.commodity,
            )  # fmt: skip
        except InvalidInput as exc:
            raise CliError(
                f"deduction refused: {PRICE_REASONS.get(exc.reason, exc.reason)}"
            ) from None
        what = args.commodity or "every commodity"
        print(f"{org.code}: {args.kind} {rupiah(args.rupiah)} per unit of {what} from now on")
    elif args.action == "import":
        try:
            with args.file.open(newline="", encoding="utf-8-sig") as fh:
                rows = list(csv.DictReader(fh))
        except OSError as exc:
            raise CliError(f"cannot read {args.file}: {exc.strerror}") from None
        try:
            done = await db.write(prices.import_prices, rows, source=args.file.name)
        except prices.PriceImportRefused as refused:
            for error in refused.errors:
                print(
                    f"{args.file.name}: line {error.line}, column {error.column}: {PRICE_REASONS.get(error.reason, error.reason)}"
                )
            raise CliError(
                f"{len(refused.errors)} error(s) in {args.file.name}; nothing was imported"
            ) from None
        print(f"imported {len(done)} price(s) from {args.file.name}")
    else:
        for price in await prices.prices_in_force(db, args.village, datetime.now(UTC)):
            print(
                f"{price.commodity}\t{price.grade}\t{price.area_prefix or '*'}\t{rupiah(price.price_rupiah)}\t{price.source}"
            )
    return 0
