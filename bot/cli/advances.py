"""``koperasi-bot org advances --org CODE [--max 5000000]``: the cooperative's rule for input
advances (what one farmer may owe at once), and who owes what."""

from __future__ import annotations

import argparse

from bot.cli.common import CliError
from bot.cli.savings_settings import _amount
from bot.cli.sheets import rupiah
from storage import advances, coop_advances, orgs
from storage.db import Database


def add_parser(org_sub) -> None:
    adv = org_sub.add_parser("advances", help="a cooperative's rule for input advances to farmers")
    adv.add_argument("--org", required=True, help="the cooperative code")
    adv.add_argument(
        "--max", type=_amount, help="the most one farmer may owe in advances at once (5000000)"
    )
    adv.add_argument(
        "--coop-max", type=_amount,
        help="a hub: the most one village cooperative may owe it at once (50000000)",
    )  # fmt: skip


async def advances_command(args: argparse.Namespace, db: Database) -> int:
    org = await orgs.by_code(db, args.org)
    if org is None:
        raise CliError(f"no organisation with code {args.org!r}")
    if args.max:
        await db.write(advances.set_limit, org.id, args.max)
    print(
        f"{org.code}: at most {rupiah(await advances.limit(db, org.id))} owed in advances per farmer"
    )
    if args.coop_max:
        await db.write(coop_advances.set_limit, org.id, args.coop_max)
    if org.kind == "coop_secondary":
        most = rupiah(await coop_advances.limit(db, org.id))
        print(f"{org.code}: at most {most} owed to the hub per village cooperative")
    for row in await advances.owed_in(db, [org.id]):
        print(f"{org.code}: {row.full_name} ({row.phone or '-'}) owes {rupiah(row.left)}")
    return 0
