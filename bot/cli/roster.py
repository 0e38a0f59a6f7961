"""``koperasi-bot roster add``: a cooperative's member roster."""

from __future__ import annotations

import argparse

from bot.cli.common import CliError, on_database
from bot.cli.savings_settings import _amount
from bot.config import Settings
from domain.people import InvalidInput, clean_name, normalise_phone
from storage import orgs, roster
from storage.db import Database
from storage.savings_sheets import CellError, parse_member_number


def add_parser(sub) -> None:
    ros = sub.add_parser("roster", help="member roster")
    ros_sub = ros.add_subparsers(dest="action", required=True)
    radd = ros_sub.add_parser("add", help="add a member to a cooperative's roster")
    radd.add_argument("--org", required=True)
    radd.add_argument("--number", required=True, help="member number")
    radd.add_argument("--name", required=True)
    radd.add_argument("--phone", required=True)
    radd.add_argument("--take-home", type=_amount, help="take-home pay per month (loans)")
    ros.set_defaults(handler=on_database(roster_command))


async def roster_command(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    org = await orgs.by_code(db, args.org)
    if org is None:
        raise CliError(f"no organisation with code {args.org!r}")
    try:
        number = parse_member_number(args.number)
    except CellError:
        raise CliError(f"not a member number: {args.number!r} (letters, digits, - / . _)") from None
    try:
        name = clean_name(args.name, max_length=100)
    except InvalidInput:
        raise CliError(f"not a name: {args.name!r} (it starts with a letter)") from None
    try:
        await db.write(
            roster.add,
            org_id=org.id,
            member_number=number,
            full_name=name,
            phone=normalise_phone(args.phone),
            take_home=args.take_home,
        )
    except InvalidInput:
        raise CliError(f"not a phone number: {args.phone!r}") from None
    except Exception as exc:  # sqlite3.IntegrityError: duplicate number or phone
        raise CliError(f"roster entry refused: {exc}") from None
    print(f"added member {args.number} to {org.code}")
    return 0
