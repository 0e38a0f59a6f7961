"""The ``koperasi-bot`` command: run the bot, manage the database, organisations, the
member roster, invites and roles. Mistakes end with one clear line and exit code 2."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable

from bot.config import SETTINGS, ConfigError, Settings
from bot.domain.invites import deep_link
from bot.domain.people import ROLE_WORDS, STAFF_ROLES, InvalidInput, normalise_phone
from bot.i18n import CatalogMissing
from storage import invites, orgs, people, roster
from storage.db import Database, DatabaseError
from storage.migrate import applied_versions, available, migrate

EXIT_USAGE = 2


class CliError(Exception):
    """A mistake the person at the keyboard can fix; printed as one line."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="koperasi-bot", description="Telegram bot for union cooperatives.")
    parser.add_argument("--env-file", default=".env", help="settings file (default: .env)")
    parser.add_argument("--db", dest="db_path", help=f"SQLite file (default: {SETTINGS['db_path'].default})")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the bot (long polling, or webhook with --webhook-url)")
    run.add_argument("--api-url", help="Bot API base URL, e.g. http://127.0.0.1:8081/bot")
    run.add_argument("--webhook-url", help="public URL Telegram posts updates to")
    run.add_argument("--listen", dest="webhook_listen", help="address the webhook server binds to")
    run.add_argument("--port", dest="webhook_port", type=int, help="port of the webhook server")
    run.add_argument("--secret", dest="webhook_secret", help="webhook secret token")

    db = sub.add_parser("db", help="database")
    db_sub = db.add_subparsers(dest="action", required=True)
    db_sub.add_parser("migrate", help="apply pending migrations")
    db_sub.add_parser("status", help="list migrations and whether they are applied")

    org = sub.add_parser("org", help="organisation tree")
    org_sub = org.add_subparsers(dest="action", required=True)
    add = org_sub.add_parser("add", help="add a node")
    add.add_argument("code", help="short unique code, e.g. fspmi-bekasi")
    add.add_argument("name")
    add.add_argument("--kind", required=True, choices=orgs.KINDS)
    add.add_argument("--parent", default="pusat", help="parent code (default: pusat, the root)")
    add.add_argument("--province")
    org_sub.add_parser("list", help="print the tree")

    ros = sub.add_parser("roster", help="member roster")
    ros_sub = ros.add_subparsers(dest="action", required=True)
    radd = ros_sub.add_parser("add", help="add a member to a cooperative's roster")
    radd.add_argument("--org", required=True)
    radd.add_argument("--number", required=True, help="member number")
    radd.add_argument("--name", required=True)
    radd.add_argument("--phone", required=True)

    inv = sub.add_parser("invite", help="print a single-use invite link for a staff role")
    inv.add_argument("role", help="coordinator, treasurer or admin")
    inv.add_argument("--org", required=True, help="organisation code")
    inv.add_argument("--hours", type=int, help="hours the link stays valid")
    inv.add_argument("--bot-username", help="bot username (else KOPERASI_BOT_USERNAME or asked from Telegram)")

    person = sub.add_parser("person", help="roles of registered people")
    person_sub = person.add_subparsers(dest="action", required=True)
    for verb in ("grant", "revoke"):
        p = person_sub.add_parser(verb, help=f"{verb} a role")
        p.add_argument("role")
        who = p.add_mutually_exclusive_group(required=True)
        who.add_argument("--phone")
        who.add_argument("--telegram-id", type=int)
    return parser


def _role(word: str, staff_only: bool = False):
    role = ROLE_WORDS.get(word.lower())
    if role is None or (staff_only and role not in STAFF_ROLES):
        allowed = "coordinator, treasurer, admin" if staff_only else "farmer, member, coordinator, treasurer, admin"
        raise CliError(f"unknown role {word!r}; one of: {allowed}")
    return role


async def _with_db(settings: Settings, work: Callable[[Database], Awaitable[int]], *, migrate_first: bool) -> int:
    async with Database(settings.db_path) as db:
        if migrate_first:
            await migrate(db)
        return await work(db)


async def _db_command(args: argparse.Namespace, db: Database) -> int:
    if args.action == "status":
        done = await applied_versions(db)
        for m in available():
            print(f"{m.version:04d}_{m.name}: {'applied' if m.version in done else 'pending'}")
    else:
        applied = await migrate(db)
        print(f"applied {len(applied)} migration(s); the database is up to date")
    return 0


async def _org_command(args: argparse.Namespace, db: Database) -> int:
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


async def _roster_command(args: argparse.Namespace, db: Database) -> int:
    org = await orgs.by_code(db, args.org)
    if org is None:
        raise CliError(f"no organisation with code {args.org!r}")
    try:
        await roster.add(db, org_id=org.id, member_number=args.number, full_name=args.name, phone=normalise_phone(args.phone))
    except InvalidInput:
        raise CliError(f"not a phone number: {args.phone!r}") from None
    except Exception as exc:  # sqlite3.IntegrityError: duplicate number or phone
        raise CliError(f"roster entry refused: {exc}") from None
    print(f"added member {args.number} to {org.code}")
    return 0


async def _bot_username(settings: Settings, given: str | None) -> str:
    if given or settings.bot_username:
        return (given or settings.bot_username).lstrip("@")
    if not settings.token:
        raise CliError("set KOPERASI_BOT_USERNAME or pass --bot-username (or set TELEGRAM_BOT_TOKEN to ask Telegram)")
    from telegram import Bot

    async with Bot(settings.token, base_url=settings.api_url) as bot:
        return bot.username


async def _invite_command(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    role = _role(args.role, staff_only=True)
    org = await orgs.by_code(db, args.org)
    if org is None:
        raise CliError(f"no organisation with code {args.org!r}")
    username = await _bot_username(settings, args.bot_username)
    invite = await invites.create(db, role=role, org_id=org.id, valid_hours=args.hours or settings.invite_hours, created_by=None)
    print(deep_link(username, invite.code))
    return 0


async def _person_command(args: argparse.Namespace, db: Database) -> int:
    role = _role(args.role)
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
    changed = await change(db, found.id, role, None)
    print(f"{args.action} {role.value} for {found.full_name}: {'done' if changed else 'nothing to change'}")
    return 0


def _run(settings: Settings) -> int:
    from bot.app import build_application

    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request URL, and the URL holds the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    app = build_application(settings)
    if settings.webhook_url:
        app.run_webhook(
            listen=settings.webhook_listen, port=settings.webhook_port, webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret or None, allowed_updates=["message", "callback_query"],
        )  # fmt: skip
    else:
        app.run_polling(allowed_updates=["message", "callback_query"])
    return 0


def _dispatch(args: argparse.Namespace) -> int:
    flags = {k: getattr(args, k, None) for k in ("db_path", "api_url", "webhook_url", "webhook_listen", "webhook_port", "webhook_secret")}
    needs_token = args.command == "run"
    settings = Settings.load(env_file=args.env_file, require_token=needs_token, **flags)
    if args.command == "run":
        return _run(settings)
    handlers = {
        "db": lambda db: _db_command(args, db),
        "org": lambda db: _org_command(args, db),
        "roster": lambda db: _roster_command(args, db),
        "invite": lambda db: _invite_command(args, settings, db),
        "person": lambda db: _person_command(args, db),
    }
    migrate_first = args.command != "db"  # `db status` must show what is pending
    return asyncio.run(_with_db(settings, handlers[args.command], migrate_first=migrate_first))


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _dispatch(args)
    except (ConfigError, CliError, DatabaseError, CatalogMissing) as exc:
        print(f"koperasi-bot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - last resort: one line, not a traceback
        from telegram.error import InvalidToken, NetworkError

        if isinstance(exc, InvalidToken):
            print("koperasi-bot: Telegram refused the token (TELEGRAM_BOT_TOKEN): check it with @BotFather", file=sys.stderr)
            return EXIT_USAGE
        if isinstance(exc, NetworkError):
            print(f"koperasi-bot: cannot reach the Bot API: {exc}", file=sys.stderr)
            return 1
        raise
