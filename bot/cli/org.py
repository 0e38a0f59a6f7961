"""``koperasi-bot org add|address|list``: the organisation tree."""

from __future__ import annotations

import argparse

from bot.cli import advances, savings_settings
from bot.cli.common import CliError, on_database
from bot.config import Settings
from domain import regions
from storage import orgs
from storage.db import Database


def add_parser(sub) -> None:
    org = sub.add_parser("org", help="organisation tree")
    org_sub = org.add_subparsers(dest="action", required=True)
    add = org_sub.add_parser("add", help="add a node")
    add.add_argument("code", help="short unique code, e.g. fspmi-bekasi")
    add.add_argument("name")
    add.add_argument("--kind", required=True, choices=orgs.KINDS)
    add.add_argument("--parent", default="pusat", help="parent code (default: pusat, the root)")
    add.add_argument(
        "--province", help='the province it covers, e.g. "Jawa Barat" (same as --covers 32)'
    )
    add.add_argument(
        "--covers",
        action="append",
        default=[],
        metavar="CODE",
        help="a village-code prefix it covers, e.g. 33.10 (Kab. Klaten); repeatable",
    )
    add.add_argument(
        "--village",
        metavar="CODE",
        help="the desa a village cooperative (kdkmp, kmp) serves, e.g. 33.10.11.2004; one per desa",
    )
    address = org_sub.add_parser("address", help="set the postal address shown on statements")
    address.add_argument("code")
    address.add_argument("address", help='e.g. "Jl. Raya Ceper No. 12, Ceper, Klaten 57465"')
    org_sub.add_parser("list", help="print the tree")
    savings_settings.add_parser(org_sub)
    advances.add_parser(org_sub)
    org.set_defaults(handler=on_database(org_command))


def _coverage(province: str | None, prefixes: list[str]) -> tuple[str, ...]:
    covers = list(prefixes)
    if province:
        found = regions.exact_match(province, regions.PROVINCE)
        if found is None:
            raise CliError(f"unknown province {province!r}")
        covers.append(found.code)
    for code in covers:
        if regions.region(code) is None:
            raise CliError(f"not a Kemendagri code: {code!r} (e.g. 33, 33.10, 33.10.11)")
    return tuple(dict.fromkeys(covers))


async def org_command(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    if args.action == "savings":
        return await savings_settings.savings_command(args, db)
    if args.action == "advances":
        return await advances.advances_command(args, db)
    if args.action == "address":
        text = " ".join(args.address.split())
        if len(text) > 200:
            raise CliError("an address is at most 200 characters")
        if not await db.write(orgs.set_address, args.code, text):
            raise CliError(f"no organisation with code {args.code!r}")
        print(f"{args.code}: address {text!r}" if text else f"{args.code}: no address")
        return 0
    if args.action == "add":
        covers = _coverage(args.province, args.covers)
        try:
            await db.write(
                orgs.add,
                code=args.code,
                name=args.name,
                kind=args.kind,
                parent_code=args.parent,
                covers=covers,
                village=args.village,
            )
        except orgs.OrgError as exc:
            raise CliError(str(exc)) from None
        org = await orgs.by_code(db, args.code)
        covers = tuple(await orgs.coverage(db, org.id))
        where = ", ".join(f"{c} {regions.region(c).name}" for c in covers) or "nothing yet"
        print(f"added {args.code} ({args.kind}) under {args.parent}, covering {where}")
    else:
        for depth, node in await orgs.tree(db):
            village = f"  desa {node.village_code}" if node.village_code else ""
            print(f"{'  ' * depth}{node.code}  {node.name}  [{node.kind}]{village}")
    return 0
