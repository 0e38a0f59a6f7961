"""``koperasi-bot supplier add|list`` and ``koperasi-bot cycle open|item add|list|show|close|po|plan``:
a hub's suppliers and its order cycles (domain.cycles) from the command line. ``cycle close``
is the close the bot's job runs at the closing time; the bot tells the officers and the hub's
administrators within a minute (handlers.cycles)."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from bot import cycle_papers as papers
from bot.cli import cycle_delivery as delivery
from bot.cli.common import CliError, on_database
from bot.config import Settings
from bot.i18n import use_locale
from domain import cycles as rules
from domain import regions
from domain.cycles import OrderRefused
from domain.money import parse_rupiah, rupiah
from domain.people import InvalidInput, display_phone, normalise_phone
from storage import cycles, orgs
from storage.db import Database


def add_parser(sub) -> None:
    supplier = sub.add_parser("supplier", help="a hub's suppliers for its order cycles")
    supplier_sub = supplier.add_subparsers(dest="action", required=True)
    put = supplier_sub.add_parser("add", help="add a supplier of the hub")
    put.add_argument("--org", required=True, help="the hub's code")
    put.add_argument("name", help='the supplier\'s name, e.g. "Bulog Klaten"')
    put.add_argument("--phone", default=None, help="phone number, e.g. 0812-3456-7890")
    put.add_argument("--contact", default=None, help="the person to call there")
    show = supplier_sub.add_parser("list", help="the hub's suppliers")
    show.add_argument("--org", required=True, help="the hub's code")
    delivery.add_supplier_actions(supplier_sub)
    supplier.set_defaults(handler=on_database(supplier_command))

    cycle = sub.add_parser(
        "cycle", help="order cycles: goods the village cooperatives order from the hub"
    )
    cycle_sub = cycle.add_subparsers(dest="action", required=True)
    put = cycle_sub.add_parser("open", help="open an order cycle")
    put.add_argument("--org", required=True, help="the hub's code")
    put.add_argument("--name", required=True, help='e.g. "Sembako Desember"')
    put.add_argument(
        "--closes", required=True, help='closing time where the hub is, e.g. "2026-12-10 17:00"'
    )
    put.add_argument("--delivery", required=True, help="delivery day, e.g. 2026-12-14")
    put.add_argument(
        "--minimum", default="0", help="minimum order per cooperative in rupiah (default: none)"
    )
    item = cycle_sub.add_parser("item", help="the items of a cycle")
    item_sub = item.add_subparsers(dest="item_action", required=True)
    add = item_sub.add_parser("add", help="add an item to an open cycle")
    add.add_argument("cycle", type=int, help="the cycle's number (SP-0003: 3)")
    add.add_argument("--supplier", required=True, help="the supplier's name or number")
    add.add_argument("--name", required=True, help='as people say it, e.g. "Beras SPHP 5 kg"')
    add.add_argument("--unit", required=True, help="karung, sak, bungkus, liter or kg")
    add.add_argument(
        "--price", required=True, help="the goods' price per unit (the supplier's), rupiah"
    )
    add.add_argument("--fee", default="0", help="the hub's fee per unit, rupiah, shown openly")
    add.add_argument(
        "--stock", required=True, type=int, help="units the supplier holds for the cycle"
    )
    listing = cycle_sub.add_parser("list", help="a hub's cycles")
    listing.add_argument("--org", default=None, help="the hub's code (default: all)")
    one = cycle_sub.add_parser("show", help="a cycle's items with what is ordered")
    one.add_argument("cycle", type=int)
    shut = cycle_sub.add_parser(
        "close", help="close a cycle now (as its job does at the closing time)"
    )
    shut.add_argument("cycle", type=int)
    po = cycle_sub.add_parser("po", help="a supplier's purchase order as .xlsx or .pdf")
    po.add_argument("cycle", type=int)
    po.add_argument("--supplier", required=True, help="the supplier's name or number")
    po.add_argument("file", type=Path, help="FILE.xlsx or FILE.pdf")
    po.add_argument("--language", default="id", choices=("id", "en"))
    plan = cycle_sub.add_parser("plan", help="the delivery plan by kecamatan as .xlsx or .pdf")
    plan.add_argument("cycle", type=int)
    plan.add_argument("file", type=Path, help="FILE.xlsx or FILE.pdf")
    plan.add_argument("--language", default="id", choices=("id", "en"))
    delivery.add_cycle_actions(cycle_sub)
    cycle.set_defaults(handler=on_database(cycle_command))


DELIVERY_ACTIONS = {
    "count": delivery.count_command,
    "pay": delivery.pay_command,
    "invoice": delivery.invoice_command,
}


def _reason(exc: InvalidInput) -> str:
    return rules.REASONS.get(exc.reason, exc.reason)


async def _hub(db: Database, code: str) -> orgs.Organisation:
    org = await orgs.by_code(db, code)
    if org is None:
        raise CliError(f"no organisation with code {code!r}")
    return org


async def hub_zone(db: Database, hub: orgs.Organisation) -> str:
    """The zone a hub's times are said in: where it covers (WIB without coverage)."""
    prefixes = await orgs.coverage(db, hub.id)
    return regions.timezone_for(prefixes[0] if prefixes else (hub.village_code or ""))


async def supplier_command(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    hub = await _hub(db, args.org)
    if args.action == "pay":
        await delivery.supplier_pay_command(args, db, hub.id)
    elif args.action == "add":
        phone = None
        if args.phone:
            try:
                phone = normalise_phone(args.phone)
            except InvalidInput:
                raise CliError(f"not an Indonesian phone number: {args.phone!r}") from None
        try:
            made = await db.write(cycles.add_supplier, hub.id, args.name, phone, args.contact)
        except InvalidInput as exc:
            raise CliError(f"supplier refused: {_reason(exc)}") from None
        except ValueError as exc:
            raise CliError(str(exc)) from None
        print(f"supplier {made.id} added to {hub.code}: {made.name}")
    else:
        for found in await cycles.suppliers(db, hub.id):
            phone = display_phone(found.phone) if found.phone else "-"
            print(f"{found.id}\t{found.name}\t{phone}\t{found.contact or '-'}")
    return 0


async def _cycle(db: Database, cycle_id: int) -> cycles.Cycle:
    found = await cycles.get(db, cycle_id)
    if found is None:
        raise CliError(f"no cycle {cycle_id}")
    return found


async def _supplier(db: Database, cycle: cycles.Cycle, named: str) -> cycles.Supplier:
    for found in await cycles.suppliers(db, cycle.hub_id):
        if named == str(found.id) or named.casefold() == found.name.casefold():
            return found
    raise CliError(f"the cycle's hub has no supplier {named!r} (see: supplier list --org …)")


async def _open(args: argparse.Namespace, db: Database) -> None:
    hub = await _hub(db, args.org)
    zone = await hub_zone(db, hub)
    try:
        closes_at = rules.parse_local_time(args.closes, zone)
        try:
            delivery = date.fromisoformat(args.delivery)
        except ValueError:
            raise InvalidInput("cycle.delivery") from None
        minimum = parse_rupiah(
            args.minimum, allow_zero=True, reason="cycle.minimum", too_high="cycle.minimum"
        )
        made = await db.write(
            cycles.open_cycle, hub_id=hub.id, name=args.name, closes_at=closes_at, delivery_on=delivery,
            minimum_rupiah=minimum, timezone=zone, opened_by=None,
        )  # fmt: skip
    except InvalidInput as exc:
        raise CliError(f"cycle refused: {_reason(exc)}") from None
    print(
        f"cycle {made.number} ({made.id}) open for {hub.code}: {made.name}, closes {args.closes} {zone},"
        f" delivery {made.delivery_on}, minimum {rupiah(made.minimum_rupiah)}"
    )


async def _item(args: argparse.Namespace, db: Database) -> None:
    cycle = await _cycle(db, args.cycle)
    found = await _supplier(db, cycle, args.supplier)
    try:
        price = parse_rupiah(args.price, reason="cycle.price", too_high="cycle.price")
        fee = parse_rupiah(args.fee, allow_zero=True, reason="cycle.price", too_high="cycle.price")
        made = await db.write(
            cycles.add_item, cycle_id=cycle.id, supplier_id=found.id, name=args.name, unit=args.unit,
            price_rupiah=price, fee_rupiah=fee, stock=args.stock,
        )  # fmt: skip
    except InvalidInput as exc:
        raise CliError(f"item refused: {_reason(exc)}") from None
    except ValueError as exc:
        raise CliError(str(exc)) from None
    print(
        f"item {made.id} in {cycle.number}: {made.name} from {found.name}, {rupiah(made.price_rupiah)}"
        f" + fee {rupiah(made.fee_rupiah)} per {made.unit}, stock {made.stock}"
    )


async def _show(db: Database, cycle: cycles.Cycle) -> None:
    print(f"{cycle.number}\t{cycle.name}\t{cycle.status.value}\tdelivery {cycle.delivery_on}")
    for t in await cycles.item_totals(db, cycle.id):
        print(
            f"{t.item.id}\t{t.supplier}\t{t.item.name}\t{t.item.unit}\t{rupiah(t.item.price_rupiah)}"
            f"\t+{rupiah(t.item.fee_rupiah)}\tordered {t.ordered}/{t.item.stock}\torders {t.orders}"
        )


async def _paper(args: argparse.Namespace, db: Database) -> None:
    cycle = await _cycle(db, args.cycle)
    suffix = args.file.suffix.lower()
    if suffix not in (".xlsx", ".pdf"):
        raise CliError(f"{args.file.name}: the file is .xlsx or .pdf")
    hub = await orgs.by_id(db, cycle.hub_id)
    zone = await hub_zone(db, hub)
    with use_locale(args.language):
        if args.action == "po":
            po = await papers.purchase_order(
                db, hub, cycle, await _supplier(db, cycle, args.supplier)
            )
            data = (
                papers.purchase_order_pdf(po, zone)
                if suffix == ".pdf"
                else papers.purchase_order_xlsx(po, zone)
            )
            args.file.write_bytes(data)
            print(
                f"purchase order of {po.supplier.name}: {len(po.lines)} items, {rupiah(po.total)} -> {args.file}"
            )
            return
        if suffix == ".pdf":
            data, count = await papers.plan_pdf(db, hub, cycle)
            args.file.write_bytes(data)
        else:
            count = await papers.plan_xlsx(db, hub, cycle, zone, args.file)
    print(f"delivery plan of {cycle.number}: {count} lines -> {args.file}")


async def cycle_command(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    if args.action == "open":
        await _open(args, db)
    elif args.action == "item":
        await _item(args, db)
    elif args.action == "list":
        hub_id = (await _hub(db, args.org)).id if args.org else None
        for found in await cycles.of_hub(db, hub_id):
            print(
                f"{found.number}\t{found.status.value}\t{found.name}\tdelivery {found.delivery_on}"
            )
    elif args.action == "show":
        await _show(db, await _cycle(db, args.cycle))
    elif args.action in DELIVERY_ACTIONS:
        await DELIVERY_ACTIONS[args.action](args, db)
    elif args.action == "close":
        cycle = await _cycle(db, args.cycle)
        try:
            closed = await db.write(cycles.close, cycle.id)
        except OrderRefused as exc:  # pragma: no cover - close refuses nothing but "closed"
            raise CliError(str(exc)) from None
        if not closed:
            raise CliError(f"cycle {cycle.number} is closed already")
        print(f"cycle {cycle.number} closed; the bot tells its officers and the hub")
    else:
        await _paper(args, db)
    return 0
