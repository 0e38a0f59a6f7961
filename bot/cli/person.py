"""``koperasi-bot person grant|revoke ROLE``: roles of registered people."""

from __future__ import annotations

import argparse

from bot.cli.common import CliError, on_database, parse_role
from bot.config import Settings
from bot.domain.people import InvalidInput, normalise_phone
from storage import people
from storage.db import Database


def add_parser(sub) -> None:
    person = sub.add_parser("person", help="roles of registered people")
    person_sub = person.add_subparsers(dest="action", required=True)
    for verb in ("grant", "revoke"):
        p = person_sub.add_parser(verb, help=f"{verb} a role")
        p.add_argument("role")
        who = p.add_mutually_exclusive_group(required=True)
        who.add_argument("--phone")
        who.add_argument("--telegram-id", type=int)
    person.set_defaults(handler=on_database(person_command))


async def person_command(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    role = parse_role(args.role)
    if args.phone:
        try:
            found = await people.by_phone(db, normalise_phone(args.phone))
        except InvalidInput:
            raise CliError(f"not a phone number: {args.phone!r}") from None
    else:
        found = await people.by_telegram_id(db, args.telegram_id)
    if found is None:
        raise CliError("no registered person with that phone / Telegram id (they register with /start first, or use an invite link)")
    change = people.grant_role if args.action == "grant" else people.revoke_role
    changed = await db.write(change, found.id, role, None)
    print(f"{args.action} {role.value} for {found.full_name}: {'done' if changed else 'nothing to change'}")
    return 0
