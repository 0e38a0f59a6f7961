"""``koperasi-bot invite ROLE --org CODE``: a single-use invite link for a staff role."""

from __future__ import annotations

import argparse

from bot.cli.common import CliError, on_database, parse_role
from bot.config import Settings
from domain.invites import deep_link
from domain.network import role_fits
from storage import invites, orgs
from storage.db import Database


def add_parser(sub) -> None:
    inv = sub.add_parser("invite", help="print a single-use invite link for a staff role")
    inv.add_argument(
        "role", help="coordinator, treasurer (bendahara), admin, keeper, ketua or pengelola-gerai"
    )
    inv.add_argument("--org", required=True, help="organisation code")
    inv.add_argument("--hours", type=int, help="hours the link stays valid")
    inv.add_argument(
        "--bot-username", help="bot username (else KOPERASI_BOT_USERNAME or asked from Telegram)"
    )
    inv.set_defaults(handler=on_database(invite_command))


async def _bot_username(settings: Settings, given: str | None) -> str:
    if given or settings.bot_username:
        return (given or settings.bot_username).lstrip("@")
    if not settings.token:
        raise CliError(
            "set KOPERASI_BOT_USERNAME or pass --bot-username (or set TELEGRAM_BOT_TOKEN to ask Telegram)"
        )
    from telegram import Bot

    async with Bot(settings.token, base_url=settings.api_url) as bot:
        return bot.username


async def invite_command(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    role = parse_role(args.role, staff_only=True)
    org = await orgs.by_code(db, args.org)
    if org is None:
        raise CliError(f"no organisation with code {args.org!r}")
    if not role_fits(role, org.kind):
        raise CliError(f"only a village cooperative (kdkmp, kmp) has a {role.value}")
    username = await _bot_username(settings, args.bot_username)
    invite = await db.write(
        invites.create,
        role=role,
        org_id=org.id,
        valid_hours=args.hours or settings.invite_hours,
        created_by=None,
    )
    print(deep_link(username, invite.code))
    return 0
