"""``koperasi-bot buyer add|list``: a cooperative's buyers (Bulog, SPPG kitchens, canteens,
traders, shops), who need not use the bot."""

from __future__ import annotations

import argparse

from bot.cli.common import CliError, on_database
from bot.config import Settings
from domain.people import display_phone
from domain.sales import REASONS, BuyerKind, SaleRefused
from storage import orgs, sales
from storage.db import Database


def add_parser(sub) -> None:
    buyer = sub.add_parser("buyer", help="the cooperative's buyers")
    buyer_sub = buyer.add_subparsers(dest="action", required=True)
    add = buyer_sub.add_parser("add", help="add a buyer (the same name again changes nothing)")
    add.add_argument("--org", required=True, help="the cooperative's code")
    add.add_argument("--name", required=True, help='e.g. "Bulog Kancab Klaten"')
    add.add_argument("--kind", required=True, choices=[k.value for k in BuyerKind])
    add.add_argument("--phone", help="e.g. 0812-3456-7890")
    add.add_argument("--contact", help="the person to ask for")
    add.add_argument("--terms", type=int, default=0, help="days to pay an invoice (0-90)")
    listing = buyer_sub.add_parser("list", help="print the cooperative's buyers")
    listing.add_argument("--org", required=True, help="the cooperative's code")
    buyer.set_defaults(handler=on_database(buyer_command))


async def org_of(db: Database, code: str):
    found = await orgs.by_code(db, code)
    if found is None:
        raise CliError(f"no organisation with code {code!r}")
    return found


def refused(exc: SaleRefused) -> CliError:
    """The rule's own words (English msgid), placeholders filled plainly."""
    given = {k: f"Rp{v:,}" if isinstance(v, int) else v for k, v in exc.fields.items()}
    fields = {"unit": "kg", "example": "2026-12-20", **given}
    return CliError(f"refused: {REASONS.get(exc.reason, exc.reason).format(**fields)}")


async def buyer_command(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    org = await org_of(db, args.org)
    if args.action == "add":
        try:
            found = await db.write(
                sales.add_buyer, org.id, args.name, args.kind, phone=args.phone,
                contact=args.contact, terms_days=args.terms,
            )  # fmt: skip
        except SaleRefused as exc:
            raise refused(exc) from None
        print(
            f"buyer {found.id}: {found.name} ({found.kind}), pays in {found.payment_terms_days} days"
        )
        return 0
    for b in await sales.buyers(db, org.id):
        phone = display_phone(b.phone) if b.phone else "-"
        print(
            f"{b.id}\t{b.name}\t{b.kind}\t{phone}\t{b.contact or '-'}\t{b.payment_terms_days} days"
        )
    return 0
