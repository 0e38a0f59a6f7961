"""``koperasi-bot org add|list``: the organisation tree."""

from __future__ import annotations

import argparse

from bot.cli.common import CliError, on_database
from bot.config import Settings
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
    add.add_argument("--province")
    org_sub.add_parser("list", help="print the tree")
    org.set_defaults(handler=on_database(org_command))


async def org_command(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    if args.action == "add":
        try:
            node = await orgs.add(db, code=args.code, name=args.name, kind=args.kind, parent_code=args.parent, province=args.province)
        except orgs.OrgError as exc:
            raise CliError(str(exc)) from None
        print(f"added {node.code} ({node.kind}) under {args.parent}")
    else:
        for depth, node in await orgs.tree(db):
            print(f"{'  ' * depth}{node.code}  {node.name}  [{node.kind}]")
    return 0
