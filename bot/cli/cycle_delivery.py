"""``koperasi-bot cycle count|pay|invoice`` and ``koperasi-bot supplier pay``: after an order
cycle's close, the hub's administrator records the count for a cooperative with no phone,
a cooperative's transfer, the invoice PDF, and the hub's payment to a supplier
(domain.cycle_delivery). Refusals in one line, as the bot says them."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from bot.cli.common import CliError
from bot.i18n import use_locale
from domain import cycle_delivery as rules
from domain.cycle_delivery import PaymentRefused
from domain.money import parse_rupiah, rupiah
from domain.people import InvalidInput
from storage import cycle_delivery, cycles
from storage.db import Database

_ORDER = re.compile(r"^(?:PSN-)?0*([1-9][0-9]{0,11})$", re.IGNORECASE)


def add_cycle_actions(cycle_sub) -> None:
    count = cycle_sub.add_parser("count", help="record what arrived of a cooperative's order")
    count.add_argument("--order", required=True, help="PSN-0001")
    count.add_argument(
        "--received", action="append", default=[],
        help='"ITEM=UNITS" per line short, e.g. "Beras SPHP 5 kg=8"; a line not named arrived whole',
    )  # fmt: skip
    pay = cycle_sub.add_parser("pay", help="record a cooperative's transfer for an order's invoice")
    pay.add_argument("--order", required=True, help="PSN-0001")
    pay.add_argument("--amount", required=True, help="rupiah, e.g. 500.000")
    pay.add_argument("--ref", required=True, help="the transfer reference as the bank shows it")
    bill = cycle_sub.add_parser("invoice", help="an order's invoice (faktur) as PDF")
    bill.add_argument("--order", required=True, help="PSN-0001")
    bill.add_argument("file", type=Path, help="FILE.pdf")
    bill.add_argument("--language", default="id", choices=("id", "en"))


def add_supplier_actions(supplier_sub) -> None:
    pay = supplier_sub.add_parser("pay", help="record the hub's payment to a supplier")
    pay.add_argument("--org", required=True, help="the hub's code")
    pay.add_argument("--supplier", required=True, help="the supplier's name or number")
    pay.add_argument("--amount", required=True, help="rupiah, e.g. 1.500.000")
    pay.add_argument("--ref", required=True, help="the transfer reference")


def _reason(code: str) -> str:
    return rules.REASONS.get(code, code)


async def _order(db: Database, text: str) -> cycles.Order:
    match = _ORDER.match(text.strip())
    found = await cycles.order(db, int(match[1])) if match else None
    if found is None:
        raise CliError(f"no order {text!r}")
    return found


def _amount(text: str) -> int:
    try:
        return parse_rupiah(text, reason="pay.amount", too_high="pay.amount")
    except InvalidInput:
        raise CliError(f"amount refused: {_reason('pay.amount')}") from None


async def _wanted(db: Database, order: cycles.Order, given: list[str]) -> dict[int, int]:
    items = {i.name.casefold(): i for i in await cycles.items(db, order.cycle_id)}
    ordered = {x.item_id: x.quantity for x in order.lines}
    wanted = {}
    for pair in given:
        name, _sep, figure = pair.rpartition("=")
        item = items.get(name.strip().casefold())
        if item is None or item.id not in ordered:
            raise CliError(f"order {order.number} has no line {name.strip()!r}")
        try:
            wanted[item.id] = rules.parse_received(figure, item.unit, ordered[item.id])
        except InvalidInput as exc:
            said = _reason(exc.reason).format(ordered=ordered[item.id], unit=item.unit)
            raise CliError(f"{item.name}: {said}") from None
    return wanted


async def count_command(args: argparse.Namespace, db: Database) -> None:
    order = await _order(db, args.order)
    wanted = await _wanted(db, order, args.received)
    try:
        done = await db.write(cycle_delivery.count, order.id, order.org_id, wanted, None)
    except LookupError:
        raise CliError(f"order {order.number} cannot be counted: its cycle is not closed") from None
    bill = done.invoice
    first = "" if done.first else " (counted before: nothing changed)"
    print(
        f"{order.number} counted{first}: invoice {bill.number}, goods {rupiah(bill.goods_rupiah)},"
        f" hub fee {rupiah(bill.fees_rupiah)}, credited {rupiah(bill.credited_rupiah)},"
        f" total {rupiah(bill.total_rupiah)}, due {bill.due_on}"
    )


async def _invoiced(db: Database, text: str):
    order = await _order(db, text)
    bill = await cycle_delivery.invoice(db, order.id)
    if bill is None:
        raise CliError(f"order {order.number} has no invoice yet: count it first")
    return order, bill


async def _paid(db: Database, use_case, *args):
    """A payment use case run, its refusal said in one line."""
    try:
        return await db.write(use_case, *args)
    except InvalidInput as exc:
        raise CliError(f"payment refused: {_reason(exc.reason)}") from None
    except PaymentRefused as exc:
        raise CliError(_refusal(exc)) from None


def _said(done, what: str, owed: int) -> None:
    first = "" if done.first else " (this transfer was recorded before: nothing changed)"
    print(
        f"{what} {rupiah(done.amount_rupiah)} by {done.reference}{first}; still owed {rupiah(owed)}"
    )


async def pay_command(args: argparse.Namespace, db: Database) -> None:
    order, bill = await _invoiced(db, args.order)
    amount = _amount(args.amount)
    done = await _paid(db, cycle_delivery.pay, order.id, bill.hub_id, amount, args.ref, None)
    _said(done, f"{done.invoice.number}:", done.invoice.owed)


def _refusal(exc: PaymentRefused) -> str:
    if exc.reason == "more":
        return f"payment refused: more than is owed ({rupiah(exc.owed)})"
    if exc.reason == "reference":
        return "payment refused: that transfer reference is recorded for another invoice"
    return "payment refused: nothing is owed"


async def invoice_command(args: argparse.Namespace, db: Database) -> None:
    from bot import cycle_invoice

    order, bill = await _invoiced(db, args.order)
    with use_locale(args.language):
        args.file.write_bytes(await cycle_invoice.invoice_pdf(db, order.id, "Asia/Jakarta"))
    print(f"invoice {bill.number} of {order.number} -> {args.file}")


async def supplier_pay_command(args: argparse.Namespace, db: Database, hub_id: int) -> None:
    found = next(
        (s for s in await cycles.suppliers(db, hub_id)
         if args.supplier == str(s.id) or args.supplier.casefold() == s.name.casefold()),
        None,
    )  # fmt: skip
    if found is None:
        raise CliError(f"the hub has no supplier {args.supplier!r} (see: supplier list --org …)")
    amount = _amount(args.amount)
    done = await _paid(db, cycle_delivery.pay_supplier, found.id, amount, args.ref, None)
    _said(done, f"paid {found.name}", done.owed_after)
