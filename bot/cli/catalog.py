"""``koperasi-bot catalog list|add|grade|alias|activate|deactivate``: the produce the
cooperative buys. A running bot picks the edits up within five minutes (or at restart)."""

from __future__ import annotations

import argparse

from bot.cli.common import CliError, on_database
from bot.config import Settings
from domain.people import InvalidInput
from domain.produce import CATALOG_REASONS, KINDS, STANDARD_UNITS, NewCommodity
from storage import catalog
from storage.db import Database


def add_parser(sub) -> None:
    cat = sub.add_parser("catalog", help="the produce the cooperative buys")
    cat_sub = cat.add_subparsers(dest="action", required=True)
    show = cat_sub.add_parser("list", help="every commodity with its units and grades")
    show.add_argument("--all", action="store_true", help="also those no longer bought")
    add = cat_sub.add_parser("add", help="a new commodity (ungraded until grades are added)")
    add.add_argument("code", help="short code, e.g. singkong")
    add.add_argument("--name-id", required=True, help="Indonesian name, e.g. Singkong")
    add.add_argument("--name-en", required=True, help="English name, e.g. Cassava")
    add.add_argument("--kind", required=True, choices=KINDS)
    add.add_argument(
        "--base", required=True, choices=sorted(STANDARD_UNITS), help="the unit prices are per"
    )
    add.add_argument(
        "--units", default="", help="other units, comma-separated: kuintal,ton,ons or rak"
    )
    add.add_argument("--max", type=int, required=True, help="most per offer, in the base unit")
    add.add_argument(
        "--example", type=int, required=True, help="a typical amount, in the base unit"
    )
    grade = cat_sub.add_parser("grade", help="add a grade (add them best first)")
    grade.add_argument("commodity")
    grade.add_argument("code", help="e.g. A, B, super")
    grade.add_argument("--label", required=True, help="as shown, e.g. 'Mutu A'")
    grade.add_argument("--criteria", default="", help="in words, for farmers and coordinators")
    alias = cat_sub.add_parser("alias", help="a word people type for a commodity")
    alias.add_argument("commodity")
    alias.add_argument("word")
    alias.add_argument("--grade", default=None, help="the word names this grade too")
    for action, text in (("activate", "buy it again"), ("deactivate", "no longer buy it")):
        toggle = cat_sub.add_parser(action, help=text)
        toggle.add_argument("commodity")
    cat.set_defaults(handler=on_database(catalog_command))


def _refused(exc: InvalidInput) -> CliError:
    return CliError(f"refused: {CATALOG_REASONS.get(exc.reason, exc.reason)}")


async def catalog_command(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    try:
        return await _ACTIONS[args.action](args, db)
    except InvalidInput as exc:
        raise _refused(exc) from None


async def _list(args: argparse.Namespace, db: Database) -> int:
    for c in await catalog.load(db, include_inactive=args.all):
        units = ", ".join(u.code for u in c.units)
        grades = ", ".join(g.code for g in c.grades)
        state = "" if c.active else "  (no longer bought)"
        print(
            f"{c.code}\t{c.name_id} / {c.name_en}\t{c.kind}\tunits: {units}\tgrades: {grades}{state}"
        )
    return 0


async def _add(args: argparse.Namespace, db: Database) -> int:
    new = NewCommodity(
        code=args.code, kind=args.kind, name_id=args.name_id, name_en=args.name_en, base_unit=args.base,
        units=tuple(u.strip() for u in args.units.split(",") if u.strip()),
        max_per_offer=args.max, example=args.example,
    )  # fmt: skip
    await db.write(catalog.add_commodity, new)
    print(
        f"added {new.code} ({new.name_id}); set its price: koperasi-bot price set {new.code} RUPIAH"
    )
    return 0


async def _grade(args: argparse.Namespace, db: Database) -> int:
    await db.write(catalog.add_grade, args.commodity, args.code, args.label, args.criteria)
    print(f"added grade {args.code} to {args.commodity}")
    return 0


async def _alias(args: argparse.Namespace, db: Database) -> int:
    key = await db.write(catalog.add_alias, args.commodity, args.word, args.grade)
    print(f"people typing {key!r} now find {args.commodity}")
    return 0


async def _toggle(args: argparse.Namespace, db: Database) -> int:
    active = args.action == "activate"
    if not await db.write(catalog.set_active, args.commodity, active):
        raise CliError(f"no commodity {args.commodity!r}")
    print(f"{args.commodity}: {'bought again' if active else 'no longer bought'}")
    return 0


_ACTIONS = {
    "list": _list, "add": _add, "grade": _grade, "alias": _alias,
    "activate": _toggle, "deactivate": _toggle,
}  # fmt: skip
