"""The ``koperasi-bot`` command: run the bot, manage the database, organisations, the
member roster, invites and roles. Mistakes end with one clear line and exit code 2.

Each command group is one module here with ``add_parser(sub)``, which adds its sub-command and
sets ``handler`` (``(args, settings) -> exit code``; ``common.on_database`` opens and migrates
the database for it) and, if it needs one, ``needs_token=True``. A new group is a new module
listed in ``GROUPS``.
"""

from __future__ import annotations

import argparse
import sys

from bot.cli import db, invite, org, person, roster, run
from bot.cli.common import EXIT_USAGE, CliError
from bot.config import SETTINGS, ConfigError, Settings
from bot.i18n import CatalogMissing
from storage.db import DatabaseError

__all__ = ["EXIT_USAGE", "GROUPS", "CliError", "main"]

#: The command groups, in the order ``--help`` lists them. A new group: a module, added here.
GROUPS = (run, db, org, roster, invite, person)

#: Command-line flags that override settings (each group's parser may define some of them).
_SETTING_FLAGS = ("db_path", "api_url", "webhook_url", "webhook_listen", "webhook_port", "webhook_secret")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="koperasi-bot", description="Telegram bot for union cooperatives.")
    parser.add_argument("--env-file", default=".env", help="settings file (default: .env)")
    parser.add_argument("--db", dest="db_path", help=f"SQLite file (default: {SETTINGS['db_path'].default})")
    sub = parser.add_subparsers(dest="command", required=True)
    for group in GROUPS:
        group.add_parser(sub)
    return parser


def _dispatch(args: argparse.Namespace) -> int:
    flags = {k: getattr(args, k, None) for k in _SETTING_FLAGS}
    settings = Settings.load(env_file=args.env_file, require_token=getattr(args, "needs_token", False), **flags)
    return args.handler(args, settings)


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
