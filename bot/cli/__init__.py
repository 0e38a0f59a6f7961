"""The ``koperasi-bot`` command: run the bot, manage the database, organisations, the
member roster, savings from and to spreadsheets, invites and roles. Mistakes end with one
clear line and exit code 2.

Each command group is one module here with ``add_parser(sub)``, which adds its sub-command and
sets ``handler`` (``(args, settings) -> exit code``; ``common.on_database`` opens and migrates
the database for it) and, if it needs one, ``needs_token=True``. A new group is a new module
listed in ``GROUPS``.
"""

from __future__ import annotations

import argparse
import logging
import sys
import traceback

from bot.cli import (
    audit,
    backup,
    buyers,
    catalog,
    cycles,
    db,
    demo,
    deposits,
    inbox,
    invite,
    ledger,
    loans,
    members,
    org,
    payroll,
    person,
    price,
    rafaksi,
    report,
    roster,
    run,
    sales,
    schedule,
    shu,
    warehouse,
    windows,
)
from bot.cli.common import EXIT_USAGE, CliError
from bot.config import SETTINGS, ConfigError, Settings
from bot.i18n import CatalogMissing
from bot.logsafe import scrub
from storage.db import DatabaseError

__all__ = ["EXIT_USAGE", "GROUPS", "CliError", "main"]

#: The command groups, in the order ``--help`` lists them. A new group: a module, added here.
GROUPS = (
    run, db, org, roster, members, deposits, loans, payroll, invite, person, catalog, price, rafaksi, schedule, windows,
    warehouse, buyers, sales, cycles, inbox, ledger, audit, backup, report, shu, demo,
)  # fmt: skip

#: Command-line flags that override settings (each group's parser may define some of them).
_SETTING_FLAGS = (
    "db_path",
    "api_url",
    "webhook_url",
    "webhook_listen",
    "webhook_port",
    "webhook_secret",
    "dashboard_port",
    "metrics_port",
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="koperasi-bot", description="Telegram bot for union cooperatives."
    )
    parser.add_argument("--env-file", default=".env", help="settings file (default: .env)")
    parser.add_argument(
        "--db", dest="db_path", help=f"SQLite file (default: {SETTINGS['db_path'].default})"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for group in GROUPS:
        group.add_parser(sub)
    return parser


def _dispatch(args: argparse.Namespace) -> int:
    if getattr(args, "own_settings", False):  # `demo`: never reads the token or production settings
        return args.handler(args, None)
    flags = {k: getattr(args, k, None) for k in _SETTING_FLAGS}
    settings = Settings.load(
        env_file=args.env_file, require_token=getattr(args, "needs_token", False), **flags
    )
    return args.handler(args, settings)


def _one_line(exc: Exception) -> str | None:
    """What went wrong, for the person at the keyboard; None: a bug (then the traceback)."""
    if isinstance(exc, ConfigError | CliError | DatabaseError | CatalogMissing):
        return str(exc)
    from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError

    if isinstance(exc, InvalidToken):  # 401 or 404 from getMe; the exception names the token
        return "Telegram refused the token (TELEGRAM_BOT_TOKEN): check it with @BotFather"
    if isinstance(exc, NetworkError) and not isinstance(exc, BadRequest):  # PTB: BadRequest is one
        return f"cannot reach the Bot API: {exc}"
    if isinstance(exc, TelegramError):  # e.g. setWebhook refused: only a start gets them here
        return f"the Bot API refused: {exc}"
    return None


def main(argv: list[str] | None = None) -> int:
    """Run one command. A failure the operator can fix (settings, the database, the token, the
    network) is one line on stderr and exit code 2; the traceback only when logging is at DEBUG,
    and then through the log filters (no token, no phone numbers)."""
    args = _parser().parse_args(argv)
    try:
        return _dispatch(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - every failure ends here: one line, not a traceback
        line = _one_line(exc)
        if line is None:
            print(scrub(traceback.format_exc()), file=sys.stderr, end="")
            return 1
        logging.getLogger(__name__).debug("%s: the traceback", type(exc).__name__, exc_info=exc)
        print(f"koperasi-bot: {scrub(line)}", file=sys.stderr)
        return EXIT_USAGE
