"""``koperasi-bot person grant|revoke ROLE``: roles of registered people."""

from __future__ import annotations

import argparse

from bot.cli.common import CliError, on_database, parse_role
from bot.config import Settings
from domain import regions
from domain.people import InvalidInput, normalise_phone
from storage import offers, people
from storage.db import Database


def add_parser(sub) -> None:
    person = sub.add_parser("person", help="roles of registered people")
    person_sub = person.add_subparsers(dest="action", required=True)
    for verb in ("grant", "revoke", "cover"):
        p = person_sub.add_parser(
            verb, help="the area a coordinator covers" if verb == "cover" else f"{verb} a role"
        )
        if verb == "cover":
            p.add_argument(
                "prefixes",
                nargs="+",
                metavar="CODE",
                help="Kemendagri code prefixes, e.g. 33.10 33.11.02",
            )
        else:
            p.add_argument("role")
        who = p.add_mutually_exclusive_group(required=True)
        who.add_argument("--phone")
        who.add_argument("--telegram-id", type=int)
    person.set_defaults(handler=on_database(person_command))


async def _find(args: argparse.Namespace, db: Database):
    if args.phone:
        try:
            found = await people.by_phone(db, normalise_phone(args.phone))
        except InvalidInput:
            raise CliError(f"not a phone number: {args.phone!r}") from None
    else:
        found = await people.by_telegram_id(db, args.telegram_id)
    if found is None:
        raise CliError(
            "no registered person with that phone / Telegram id (they register with /start first, or use an invite link)"
        )
    return found


async def person_command(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    found = await _find(args, db)
    if args.action == "cover":
        return await _cover(args, db, found)
    role = parse_role(args.role)
    change = people.grant_role if args.action == "grant" else people.revoke_role
    changed = await db.write(change, found.id, role, None)
    print(
        f"{args.action} {role.value} for {found.full_name}: {'done' if changed else 'nothing to change'}"
    )
    return 0


async def _cover(args: argparse.Namespace, db: Database, found) -> int:
    for code in args.prefixes:
        if regions.region(code) is None:
            raise CliError(f"not a Kemendagri code: {code!r} (e.g. 33, 33.10, 33.10.11)")
    await db.write(offers.set_coverage, found.id, tuple(args.prefixes))
    names = ", ".join(f"{code} {regions.region(code).name}" for code in args.prefixes)
    print(f"{found.full_name} covers {names}")
    return 0
