"""``koperasi-bot report offtake --org CODE --from 2026-11-01 --to 2026-11-30 FILE.xlsx``: the
market's figures of a period as a workbook (issue 17), for the cooperative and every node
below it: purchases by village and commodity, sales by buyer, lots with their margin (from
the ledger), stock on hand, receipts not yet paid to farmers, and the weekly volume bought
and sold with its chart (a PNG in the last sheet).

Written as it is read: openpyxl's write-only workbook, the receipts a page at a time, so a
year of a million pickups never sits in memory (the other sheets have a row per village ×
produce, buyer, lot or warehouse). Headers in ``--lang``; text cells are never formulas (bot.cli.sheets)."""

from __future__ import annotations

import argparse
import datetime as dt
import io
from pathlib import Path

from bot.cli.common import CliError, on_database
from bot.cli.members import org_id_of
from bot.cli.sheets import xlsx_cell
from bot.config import Settings
from bot.i18n import gettext, use_locale
from domain import N_, regions
from domain.offers import offer_number
from domain.people import DEFAULT_LANGUAGE, LANGUAGES
from domain.periods import MAX_DAYS
from storage import figures, orgs
from storage.db import Database

SHEETS = {
    "purchases": (N_("Purchases"), (N_("Village"), N_("Village code"), N_("Produce"), N_("Grade"),
                  N_("Quantity"), N_("Unit"), N_("Amount (Rp)"), N_("Average price (Rp)"),
                  N_("HPP (Rp)"), N_("Farmers"), N_("Pickups"))),
    "sales": (N_("Sales by buyer"), (N_("Buyer"), N_("Invoices"), N_("Quantity accepted"),
              N_("Amount (Rp)"), N_("Unpaid (Rp)"))),
    "lots": (N_("Lots and margin"), (N_("Lot"), N_("Buyer"), N_("Produce"), N_("Grade"),
             N_("Quantity contracted"), N_("Revenue (Rp)"), N_("Cost (Rp)"), N_("Margin (Rp)"))),
    "stock": (N_("Stock"), (N_("Warehouse"), N_("Produce"), N_("Grade"), N_("Quantity"),
              N_("Cost (Rp)"))),
    "payables": (N_("Owed to farmers"), (N_("Offer"), N_("Farmer"), N_("Village"), N_("Produce"),
                 N_("Grade"), N_("Quantity"), N_("Owed (Rp)"), N_("Weighed on"))),
    "weeks": (N_("Weekly volume"), (N_("Week of"), N_("Bought"), N_("Sold"))),
}  # fmt: skip


def add_parser(sub) -> None:
    rep = sub.add_parser("report", help="reports for the cooperative's books")
    rep_sub = rep.add_subparsers(dest="report", required=True)
    off = rep_sub.add_parser("offtake", help="the market's figures of a period, to XLSX")
    off.add_argument("file", type=Path, help="offtake.xlsx")
    off.add_argument(
        "--org", required=True, help="the cooperative's code (with every node below it)"
    )
    off.add_argument(
        "--from", dest="first", required=True, type=dt.date.fromisoformat, help="YYYY-MM-DD"
    )
    off.add_argument(
        "--to", dest="last", required=True, type=dt.date.fromisoformat, help="YYYY-MM-DD, inclusive"
    )
    off.add_argument("--zone", default=regions.WIB, choices=(regions.WIB, regions.WITA, regions.WIT),
                     help=f"time zone of the dates (default {regions.WIB})")  # fmt: skip
    off.add_argument("--lang", default=DEFAULT_LANGUAGE, choices=LANGUAGES,
                     help=f"language of the headers (default {DEFAULT_LANGUAGE})")  # fmt: skip
    off.set_defaults(handler=on_database(offtake_command))
    from bot.cli import report_network  # the hub's monthly reports (issue 18)

    report_network.add_parser(rep_sub)


def _village(code: str | None) -> str:
    found = regions.region(code) if code else None
    return found.name if found else (code or "")


def _number(value) -> int | float:
    return int(value) if value == int(value) else float(value)


class _Book:
    def __init__(self) -> None:
        import openpyxl

        self.book = openpyxl.Workbook(write_only=True)
        self.counts: dict[str, int] = {}

    def sheet(self, key: str):
        title, header = SHEETS[key]
        sheet = self.book.create_sheet(gettext(title)[:31])
        sheet.append([gettext(h) for h in header])
        self.counts[key] = 0

        def append(row) -> None:
            sheet.append([xlsx_cell(sheet, v) for v in row])
            self.counts[key] += 1

        return sheet, append


async def offtake_command(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    if args.last < args.first:
        raise CliError("--to is before --from")
    if (args.last - args.first).days + 1 > MAX_DAYS:
        raise CliError(f"the period is longer than {MAX_DAYS} days")
    if not args.file.parent.is_dir():
        raise CliError(f"{args.file.name}: cannot write it: no folder {str(args.file.parent)!r}")
    org_ids = await orgs.below(db, await org_id_of(db, args.org))
    period = figures.Period(args.first, args.last, args.zone)
    book = _Book()
    with use_locale(args.lang):
        await _write(book, db, org_ids, period, args.lang)
    try:
        book.book.save(args.file)
    except OSError as exc:
        raise CliError(f"{args.file.name}: cannot write it ({exc.strerror or exc})") from None
    counts = ", ".join(f"{key} {n}" for key, n in book.counts.items())
    print(f"{args.file.name}: {counts} rows")
    return 0


async def _write(
    book: _Book, db: Database, org_ids: tuple[int, ...], period: figures.Period, language: str
) -> None:
    from bot.charts import volume_png
    from domain.produce import CATALOG

    def unit(code: str) -> str:
        found = CATALOG.get(code)
        return found.base_unit if found else "kg"

    hpp = await figures.reference_prices(db, period.end - 1)
    _sheet, append = book.sheet("purchases")
    async for p in figures.purchases_by_village(db, org_ids, period):
        average = int((p.amount / p.quantity).to_integral_value()) if p.quantity else None
        append((_village(p.village_code), p.village_code, p.commodity, p.grade, _number(p.quantity),
                unit(p.commodity), p.amount, average, hpp.get((p.commodity, p.grade)), p.farmers, p.pickups))  # fmt: skip

    _sheet, append = book.sheet("sales")
    for b in await figures.sales_by_buyer(db, org_ids, period):
        append((b.buyer, b.invoices, _number(b.quantity), b.amount, b.unpaid))

    _sheet, append = book.sheet("lots")
    async for lot in figures.lots(db, org_ids, period):
        append((lot.lot, lot.buyer, lot.commodity, lot.grade, _number(figures.quantity(lot.quantity)),
                lot.revenue, lot.cost, lot.margin))  # fmt: skip

    _sheet, append = book.sheet("stock")
    for s in await figures.stock(db, org_ids) or []:
        append((s.warehouse, s.commodity, s.grade, _number(s.quantity), s.cost))

    _sheet, append = book.sheet("payables")
    zone = period.timezone
    async for r in figures.unpaid_receipts(db, org_ids):
        weighed = dt.datetime.fromtimestamp(r.weighed_at, dt.UTC).astimezone(_zoneinfo(zone)).date()
        append((offer_number(r.offer_id), r.farmer, _village(r.village_code), r.commodity, r.grade,
                _number(r.quantity), r.owed, weighed))  # fmt: skip

    sheet, append = book.sheet("weeks")
    weeks = await figures.weekly_volume(db, org_ids, period)
    for monday, bought, sold in weeks:
        append((monday, _number(bought), _number(sold)))
    from openpyxl.drawing.image import Image

    png = volume_png([(d, float(b), float(s)) for d, b, s in weeks], language)
    image = Image(io.BytesIO(png))
    image.anchor = "E2"
    sheet.add_image(image)


def _zoneinfo(zone: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(zone)
