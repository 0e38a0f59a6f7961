"""``koperasi-bot report network --org HUB --month 2026-11 FILE.xlsx``: the hub's village
cooperatives and their monthly reports (issue 18, mentoring) as a workbook: one row per
cooperative of the network, grouped by kabupaten (ordered by desa code), filed or not, the
figures, the change from the month before and the problems text.

Streamed: the cooperatives are read a page at a time (storage.monthly_reports.network) into
openpyxl's write-only workbook, so a hub of 80,000 never sits in memory (bench/network_export.py
measures it)."""

from __future__ import annotations

import argparse
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from bot.cli.common import CliError
from bot.cli.members import org_id_of
from bot.cli.sheets import xlsx_cell
from bot.config import Settings
from bot.i18n import gettext, use_locale
from domain import N_, regions
from domain import monthly_reports as rules
from domain.savings import Month
from storage import monthly_reports as stored
from storage.db import Database

HEADER = (
    N_("Regency or city"), N_("Cooperative"), N_("Village"), N_("Village code"), N_("Filed"),
    N_("Filed by"), N_("Members"), N_("Savings collected (Rp)"), N_("Store sales (Rp)"),
    N_("Produce sent to the hub (kg)"), N_("Members, change"), N_("Savings, change (Rp)"),
    N_("Store sales, change (Rp)"), N_("Produce, change (kg)"), N_("Problems"),
)  # fmt: skip


def add_parser(rep_sub) -> None:
    from bot.cli.common import on_database

    net = rep_sub.add_parser("network", help="the network's monthly reports of a month, to XLSX")
    net.add_argument("file", type=Path, help="network.xlsx")
    net.add_argument("--org", required=True, help="the hub's code (its village cooperatives)")
    net.add_argument("--month", required=True, help="YYYY-MM, the month reported")
    net.add_argument("--lang", default="id", choices=("id", "en"), help="language of the headers")
    net.set_defaults(handler=on_database(network_command))


def _month(text: str) -> Month:
    try:
        return Month.parse(text)
    except ValueError:
        raise CliError(f"--month {text!r}: write it as YYYY-MM, e.g. 2026-11") from None


@lru_cache(maxsize=1024)
def _regency(code: str) -> str:
    found = regions.region(code)
    return found.short_name if found else code


def _village(code: str) -> str:
    found = regions.region(code)
    return found.name if found else code


def _kg(grams: int) -> int | float:
    kg = Decimal(grams) / 1000
    return int(kg) if kg == int(kg) else float(kg)


def row_of(item: stored.NetworkRow) -> list:
    """The sheet's row of one cooperative (the figures empty when it has not filed)."""
    now, before = item.now, item.before
    head = [
        _regency(item.village_code[:5]),
        item.name,
        _village(item.village_code),
        item.village_code,
    ]
    if now is None:
        return [*head, gettext("No"), None, None, None, None, None, None, None, None, None, None]
    figures = (now.members, now.savings_rupiah, now.store_sales_rupiah)
    earlier = (
        (before.members, before.savings_rupiah, before.store_sales_rupiah)
        if before
        else (None,) * 3
    )
    changes = [rules.change(n, b) for n, b in zip(figures, earlier, strict=True)]
    produce = rules.change(now.produce_grams, before.produce_grams if before else None)
    return [
        *head, gettext("Yes"), now.filer_name, *figures, _kg(now.produce_grams), *changes,
        None if produce is None else _kg(produce),
        now.problems if rules.has_problems(now.problems) else "",
    ]  # fmt: skip


async def write_book(
    db: Database, root_id: int, month: Month, path: Path, language: str
) -> tuple[int, int]:
    """Write the workbook; (cooperatives, filed)."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    with use_locale(language):
        sheet = book.create_sheet(gettext("Monthly reports")[:31])
        sheet.append([gettext(h) for h in HEADER])
        total = filed = 0
        async for item in stored.network(db, root_id, month):
            sheet.append([xlsx_cell(sheet, v) for v in row_of(item)])
            total += 1
            filed += item.now is not None
    book.save(path)
    return total, filed


async def network_command(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    month = _month(args.month)
    if not args.file.parent.is_dir():
        raise CliError(f"{args.file.name}: cannot write it: no folder {str(args.file.parent)!r}")
    root_id = await org_id_of(db, args.org)
    try:
        total, filed = await write_book(db, root_id, month, args.file, args.lang)
    except OSError as exc:
        raise CliError(f"{args.file.name}: cannot write it ({exc.strerror or exc})") from None
    print(f"{args.file.name}: {total} cooperatives, {filed} filed {month}")
    return 0
