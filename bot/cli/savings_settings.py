"""``koperasi-bot org savings --org CODE``: what a cooperative charges (simpanan pokok, the
monthly simpanan wajib, from a month on) and when members are reminded of wajib.

Without settings it prints what is set. Rates keep their history: the dues of a month are
what was in force then, and months before the first rate are not billed (``--from``).
"""

from __future__ import annotations

import argparse
import datetime as dt

from bot.cli.common import CliError
from bot.cli.sheets import rupiah
from domain.people import InvalidInput
from domain.savings import CellError, Month, check_reminder, parse_rupiah
from storage import orgs, savings, savings_desk
from storage.db import Database
from storage.savings_sheets import parse_month


def _amount(text: str) -> int:
    try:
        return parse_rupiah(text)
    except CellError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _month(text: str) -> Month:
    try:
        return parse_month(text)
    except CellError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_parser(org_sub) -> None:
    sav = org_sub.add_parser("savings", help="a cooperative's pokok, wajib and wajib reminder")
    sav.add_argument("--org", required=True, help="the cooperative code")
    sav.add_argument("--pokok", type=_amount, help="simpanan pokok, once on joining (100000)")
    sav.add_argument("--wajib", type=_amount, help="simpanan wajib a month (50000)")
    sav.add_argument(
        "--from",
        dest="from_month",
        type=_month,
        help="in force from this month (default: this month)",
    )
    sav.add_argument("--reminder-day", type=int, help="day of the month to remind (1-28)")
    sav.add_argument(
        "--desk-limit", type=_amount, help="the most one deposit or withdrawal moves (100.000.000)"
    )
    sav.add_argument("--reminder-time", help="time of the reminder where each member lives (09:00)")


async def _change(db: Database, args: argparse.Namespace, org_id: int) -> None:
    reminder = None
    if args.reminder_day is not None or args.reminder_time is not None:
        if args.reminder_day is None or args.reminder_time is None:
            raise CliError("give both --reminder-day and --reminder-time")
        try:
            reminder = check_reminder(args.reminder_day, args.reminder_time)
        except InvalidInput as exc:
            raise CliError(str(exc)) from None
    month = args.from_month or Month.of(dt.date.today())

    async def change(conn):
        if args.pokok is not None or args.wajib is not None:
            await savings.set_rate(conn, org_id, month, args.pokok, args.wajib)
        if reminder is not None:
            await savings.set_reminder(conn, org_id, *reminder)
        if args.desk_limit:
            await savings_desk.set_limit(conn, org_id, args.desk_limit)

    try:
        await db.write(change)
    except savings.NoRate as exc:
        raise CliError(f"{exc}: give --pokok and --wajib") from None


async def savings_command(args: argparse.Namespace, db: Database) -> int:
    org = await orgs.by_code(db, args.org)
    if org is None:
        raise CliError(f"no organisation with code {args.org!r}")
    await _change(db, args, org.id)
    rates = await savings.rates(db, org.id)
    if not rates:
        print(f"{org.code}: no pokok or wajib set")
    for rate in rates:
        print(
            f"{org.code}: from {rate.from_month}: pokok {rupiah(rate.pokok)},"
            f" wajib {rupiah(rate.wajib)} a month"
        )
    reminder = await savings.reminder(db, org.id)
    if reminder is None:
        print(f"{org.code}: no wajib reminder set")
    else:
        print(
            f"{org.code}: wajib reminder on day {reminder[0]} at {reminder[1]} where each member lives"
        )
    print(
        f"{org.code}: at most {rupiah(await savings_desk.limit(db, org.id))} an entry at the desk"
    )
    return 0
