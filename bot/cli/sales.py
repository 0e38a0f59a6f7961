"""``koperasi-bot sale add|list|deliver|invoice|pay|close|bank``: sale contracts from the
office computer, the same use cases as /penjualan. ``deliver`` and ``invoice`` write the surat jalan
or the faktur as PDF with ``--pdf FILE`` (Indonesian; ``--lang en`` for English). Where the
cooperative's rafaksi table for the produce is in force, ``deliver`` needs the buyer's
readings (``--moisture``, ``--foreign``) and the invoice line is cut by them."""

from __future__ import annotations

import argparse
import asyncio
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

from bot.cli.buyers import org_of, refused
from bot.cli.common import CliError, on_database
from bot.config import Settings
from bot.i18n import use_locale
from domain.money import max_price, parse_rupiah
from domain.people import InvalidInput
from domain.produce import CATALOG, NO_GRADE
from domain.quantity import parse_quantity
from domain.rafaksi import MEASURE_LABELS, REASONS, RafaksiRefused, parse_percent
from domain.sales import PaymentMethod, SaleRefused, sale_commodity
from storage import sales
from storage.db import Database

ZONE = "Asia/Jakarta"


def add_parser(sub) -> None:
    sale = sub.add_parser("sale", help="sales to buyers: contracts, deliveries, invoices, payments")
    sale_sub = sale.add_subparsers(dest="action", required=True)
    add = sale_sub.add_parser(
        "add", help="a sale contract, its lot allocated from stock oldest first"
    )
    add.add_argument("--org", required=True, help="the cooperative's code")
    add.add_argument("--buyer", required=True, type=int, help="the buyer's id (buyer list)")
    add.add_argument("--commodity", required=True, help="e.g. gabah")
    add.add_argument("--grade", default=NO_GRADE, help="e.g. GKG")
    add.add_argument("--quantity", required=True, help='as people write it: "5 kuintal", "2 ton"')
    add.add_argument("--price", required=True, help="per base unit, e.g. 8000")
    add.add_argument(
        "--from", dest="start", type=date.fromisoformat, default=None, help="YYYY-MM-DD"
    )
    add.add_argument(
        "--until", required=True, type=date.fromisoformat, help="deliver by, YYYY-MM-DD"
    )
    add.add_argument("--place", required=True, help='e.g. "Gudang Bulog Ceper"')
    listing = sale_sub.add_parser("list", help="print the cooperative's sales")
    listing.add_argument("--org", required=True)
    deliver = sale_sub.add_parser("deliver", help="a delivery of a sale's lot")
    deliver.add_argument("sale", help="PJ-0007 or 7")
    deliver.add_argument("--org", required=True)
    deliver.add_argument("--sent", required=True, help='e.g. "400 kg"')
    deliver.add_argument("--received", help="accepted by the buyer (default: all sent)")
    deliver.add_argument("--reason", help="why the rest was rejected")
    deliver.add_argument(
        "--moisture",
        help="the buyer's kadar air in percent, e.g. 14,5 (where a rafaksi table applies)",
    )
    deliver.add_argument(
        "--foreign",
        help="the buyer's hampa/kotoran in percent, e.g. 3 (where a rafaksi table applies)",
    )
    invoice = sale_sub.add_parser("invoice", help="invoice the accepted kilos not yet billed")
    invoice.add_argument("sale", help="PJ-0007 or 7")
    invoice.add_argument("--org", required=True)
    for command in (deliver, invoice):
        command.add_argument("--pdf", type=Path, help="write the paper to this file")
        command.add_argument("--lang", choices=("id", "en"), default="id")
    pay = sale_sub.add_parser("pay", help="a payment of an invoice")
    pay.add_argument("invoice", help="FKT/2026/0001 or the invoice id")
    pay.add_argument("--org", required=True)
    pay.add_argument("--amount", required=True, help="e.g. 1.500.000")
    pay.add_argument("--transfer", metavar="REFERENCE", help="paid by transfer with this reference")
    close = sale_sub.add_parser(
        "close", help="close a sale short: what is still in its lot goes back to stock"
    )
    close.add_argument("sale", help="PJ-0007 or 7")
    close.add_argument("--org", required=True)
    bank = sale_sub.add_parser("bank", help="the bank account printed on the invoices")
    bank.add_argument("--org", required=True)
    bank.add_argument(
        "account", nargs="?", default="", help='e.g. "BRI 0123-01-000123-30-1 a.n. …"; empty: cash'
    )
    sale.set_defaults(handler=on_database(sale_command))


def _sale_id(text: str) -> int:
    found = re.fullmatch(r"(?:PJ-?)?0*([1-9][0-9]{0,17})", text.strip(), re.IGNORECASE)
    if not found:
        raise CliError(f"not a sale: {text!r} (PJ-0007 or 7)")
    return int(found[1])


async def _invoice_id(db: Database, org_id: int, text: str) -> int:
    if text.isdigit():
        return int(text)
    found = await sales.invoice_by_number(db, org_id, text)
    if found is None:
        raise CliError(f"no invoice {text!r} in this cooperative")
    return found.id


def _quantity(text: str, commodity: str) -> Decimal:
    found = CATALOG.get(commodity)
    if found is None:
        raise CliError(f"no produce {commodity!r} (catalog list)")
    try:
        return parse_quantity(text, sale_commodity(found)).value
    except InvalidInput as exc:
        raise CliError(f"cannot read the quantity {text!r} ({exc.reason})") from None


async def sale_command(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    org = await org_of(db, args.org)
    try:
        return await _ACTIONS[args.action](args, db, org.id)
    except SaleRefused as exc:
        raise refused(exc) from None
    except RafaksiRefused as exc:
        raise _quality_refused(exc) from None


def _quality_refused(exc: RafaksiRefused) -> CliError:
    """The rule's own words (English msgid), the measure and the table's highest plainly."""
    text = REASONS.get(exc.reason, REASONS["rafaksi.unreadable"])
    if exc.measure is not None:
        text = text.format(measure=MEASURE_LABELS[exc.measure], highest=f"{exc.highest} %")
    return CliError(f"refused: {text}")


async def _readings(args, db: Database, org_id: int, sale, received: Decimal):
    """The buyer's readings from ``--moisture`` and ``--foreign``: required where the
    cooperative's rafaksi table for the produce is in force (and something was accepted),
    refused where there is none."""
    given = args.moisture is not None or args.foreign is not None
    table = await sales.quality_table(db, org_id, sale.commodity)
    if table is None:
        if given:
            raise CliError(
                f"refused: the cooperative has no rafaksi table in force for {sale.commodity}:"
                " record the delivery without --moisture and --foreign"
            )
        return None
    if received <= 0 and not given:
        return None
    if args.moisture is None or args.foreign is None:
        raise CliError(
            f"refused: the cooperative cuts {sale.commodity} by its rafaksi table: give the buyer's"
            " readings with --moisture and --foreign (percent, e.g. 14,5)"
        )
    return parse_percent(args.moisture), parse_percent(args.foreign)


async def _add(args, db: Database, org_id: int) -> int:
    commodity = CATALOG.get(args.commodity)
    if commodity is None:
        raise CliError(f"no produce {args.commodity!r} (catalog list)")
    try:
        price = parse_rupiah(args.price, reason="sale.price", too_high="sale.price_too_high")
    except InvalidInput as exc:
        raise SaleRefused(exc.reason, most=max_price(commodity.base_unit)) from None
    found = await db.write(
        sales.record_sale, org_id, args.buyer, commodity.code, args.grade,
        _quantity(args.quantity, commodity.code), price, args.start or sales.books_today(),
        args.until, args.place, price_ceiling=max_price(commodity.base_unit),
    )  # fmt: skip
    print(f"sale {found.number}: {found.quantity} {commodity.base_unit} {found.commodity} {found.grade}"
          f" for {found.buyer_name} at Rp{found.price_rupiah}, lot cost Rp{found.cost_rupiah}")  # fmt: skip
    return 0


async def _list(args, db: Database, org_id: int) -> int:
    for s in await sales.sales_of(db, org_id, limit=1000):
        margin = await sales.margin(db, s.id)
        status = f"{s.status}, closed short" if s.closed_at is not None else s.status
        print(f"{s.number}\t{s.buyer_name}\t{s.commodity} {s.grade}\t{s.quantity}\tleft {s.remaining}"
              f"\tRp{s.price_rupiah}\t{status}\tmargin Rp{margin.margin}")  # fmt: skip
    return 0


async def _write_pdf(path: Path | None, language: str, make) -> None:
    if path is None:
        return
    with use_locale(language):
        pdf = await make()
    await asyncio.to_thread(path.write_bytes, pdf)
    print(f"wrote {path}")


async def _deliver(args, db: Database, org_id: int) -> int:
    from bot import sales_pdf

    sale = await sales.sale(db, org_id, _sale_id(args.sale))
    sent = _quantity(args.sent, sale.commodity)
    received = _quantity(args.received, sale.commodity) if args.received else sent
    readings = await _readings(args, db, org_id, sale, received)
    found = await db.write(
        sales.deliver, org_id, sale.id, sent, received, args.reason, None, readings
    )
    quality = (
        f"; moisture {found.moisture} %, foreign {found.foreign_matter} %:"
        f" cut Rp{found.cut_rupiah} per {CATALOG[sale.commodity].base_unit}"
        if found.measured
        else ""
    )
    print(
        f"delivery {found.number}: sent {found.sent}, accepted {found.received}, rejected {found.rejected}"
        + quality
    )
    await _write_pdf(
        args.pdf, args.lang, lambda: sales_pdf.delivery_note_pdf(db, org_id, found.id, ZONE)
    )
    return 0


async def _invoice(args, db: Database, org_id: int) -> int:
    from bot import sales_pdf

    found = await db.write(sales.issue_invoice, org_id, _sale_id(args.sale))
    print(f"invoice {found.number}: Rp{found.total_rupiah}, due {found.due_on}")
    await _write_pdf(args.pdf, args.lang, lambda: sales_pdf.invoice_pdf(db, org_id, found.id, ZONE))
    return 0


async def _pay(args, db: Database, org_id: int) -> int:
    try:
        amount = parse_rupiah(args.amount, reason="payment.amount", too_high="payment.amount")
    except InvalidInput as exc:
        raise SaleRefused(exc.reason) from None
    method = PaymentMethod.TRANSFER if args.transfer else PaymentMethod.CASH
    invoice_id = await _invoice_id(db, org_id, args.invoice)
    bill, payment = await db.write(sales.pay, org_id, invoice_id, amount, method, args.transfer)
    print(
        f"payment {payment.n} of {bill.number}: Rp{payment.amount_rupiah}; owed Rp{bill.owed_rupiah}"
    )
    return 0


async def _close(args, db: Database, org_id: int) -> int:
    found = await db.write(sales.close_sale, org_id, _sale_id(args.sale))
    print(f"sale {found.number} closed short: {found.returned} {found.commodity} {found.grade}"
          f" back to stock; status {found.status}")  # fmt: skip
    return 0


async def _bank(args, db: Database, org_id: int) -> int:
    await db.write(sales.set_bank_account, org_id, args.account)
    print(f"invoices say: {args.account or 'pay in cash'}")
    return 0


_ACTIONS = {
    "add": _add,
    "list": _list,
    "deliver": _deliver,
    "invoice": _invoice,
    "pay": _pay,
    "close": _close,
    "bank": _bank,
}
