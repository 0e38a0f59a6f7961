"""``koperasi-bot warehouse add|list``: the cooperatives' warehouses (gudang) and keepers."""

from __future__ import annotations

import argparse

from bot.cli.common import CliError, on_database
from bot.config import Settings
from domain import regions
from domain.people import InvalidInput, normalise_phone
from storage import orgs, people, stock
from storage.db import Database


def add_parser(sub) -> None:
    warehouse = sub.add_parser("warehouse", help="warehouses (gudang) and their keepers")
    warehouse_sub = warehouse.add_subparsers(dest="action", required=True)
    add = warehouse_sub.add_parser("add", help="add a warehouse to a cooperative")
    add.add_argument("--org", required=True, help="the cooperative's code")
    add.add_argument("--name", required=True, help='e.g. "Gudang Kujon"')
    add.add_argument(
        "--village", required=True, help="its Kemendagri village code, e.g. 33.10.11.2004"
    )
    add.add_argument("--keeper", help="the keeper's phone (a registered person of the cooperative)")
    keeper = warehouse_sub.add_parser("keeper", help="give a warehouse a new keeper")
    keeper.add_argument("id", type=int, help="the warehouse's number (warehouse list)")
    keeper.add_argument("--phone", required=True, help="the keeper's phone")
    listing = warehouse_sub.add_parser("list", help="print the warehouses with their stock")
    listing.add_argument("--org", help="only this cooperative's (its code)")
    warehouse.set_defaults(handler=on_database(warehouse_command))


async def _org(db: Database, code: str):
    found = await orgs.by_code(db, code)
    if found is None:
        raise CliError(f"no organisation with code {code!r}")
    return found


async def warehouse_command(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    if args.action == "add":
        return await _add(args, db)
    if args.action == "keeper":
        keeper = await _keeper(db, args.phone)
        try:
            place = await db.write(stock.set_keeper, args.id, keeper.id)
        except stock.WarehouseError as exc:
            raise CliError(str(exc)) from None
        print(f"warehouse {place.id} {place.name!r} is kept by {keeper.full_name}")
        return 0
    org = await _org(db, args.org) if args.org else None
    names = {o.id: o.code for _, o in await orgs.tree(db)}
    held = await stock.on_hand(db, [org.id] if org else None)
    for place in await stock.warehouses(db, org.id if org else None):
        keeper = await people.by_id(db, place.keeper_id) if place.keeper_id else None
        village = regions.region(place.village_code)
        print(
            f"{place.id}  {names.get(place.org_id, place.org_id)}  {place.name}  {place.village_code}"
            f" {village.name if village else ''}  keeper: {keeper.full_name if keeper else '-'}"
        )
        for line in (h for h in held if h.warehouse_id == place.id):
            print(
                f"    {line.commodity} {line.grade}: {line.quantity} at cost Rp{line.cost_rupiah}"
            )
    return 0


async def _keeper(db: Database, phone: str):
    try:
        found = await people.by_phone(db, normalise_phone(phone))
    except InvalidInput:
        raise CliError(f"not a phone number: {phone!r}") from None
    if found is None:
        raise CliError("no registered person with that phone (they register with /start first)")
    return found


async def _add(args: argparse.Namespace, db: Database) -> int:
    org = await _org(db, args.org)
    village = regions.region(args.village)
    if village is None or village.level != regions.VILLAGE:
        raise CliError(f"not a Kemendagri village code: {args.village!r} (e.g. 33.10.11.2004)")
    keeper = await _keeper(db, args.keeper) if args.keeper else None
    try:
        place = await db.write(
            stock.add_warehouse, org.id, args.name, village.code, keeper.id if keeper else None
        )
    except stock.WarehouseError as exc:
        raise CliError(str(exc)) from None
    print(
        f"added warehouse {place.id} {place.name!r} of {org.code} in {village.code} {village.name}"
        + (f", kept by {keeper.full_name}" if keeper else "")
    )
    return 0
