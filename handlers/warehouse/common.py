"""What the warehouse conversations share: their buttons, the quantity question and the
way a stock line reads."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from telegram import Update

from bot.context import BotContext
from bot.i18n import _, format_money, format_number, format_quantity, gettext, unit_name
from domain import stock as rules
from domain.people import Role
from domain.produce import CATALOG, Commodity
from domain.quantity import QuantityRefused, parse_quantity
from handlers.kit import Buttons, reply
from handlers.offer.draft import refusal
from handlers.wording import produce_with_grade_in_sentence
from storage import stock

# 📦 under a receipt and in /gudang: the offer id of a weighed pickup to bring in.
ARRIVE_BUTTONS = Buttons("gdg", value=r"[0-9]", max_length=12)
# 📦 every pickup of one produce and grade on its way: "<commodity>.<grade>".
ARRIVE_ALL_BUTTONS = Buttons("gdgsm", value=r"[A-Za-z0-9_.-]", max_length=40)
WAREHOUSE_BUTTONS = Buttons("gdgw", value=r"[0-9]", max_length=12)
# A stock line of a warehouse: "<warehouse id>.<commodity>.<grade>".
LINE_BUTTONS = Buttons("stok", value=r"[A-Za-z0-9_.-]", max_length=48)
WORK_BUTTONS = Buttons("kerja", value=r"[a-z]", max_length=10)
OUT_GRADE_BUTTONS = Buttons("gdgmutu", value=r"[A-Za-z0-9_-]", max_length=8)


def line_value(warehouse_id: int, commodity: str, grade: str) -> str:
    return f"{warehouse_id}.{commodity}.{grade}"


def parse_line(value: str | None) -> tuple[int, str, str] | None:
    parts = (value or "").split(".")
    if len(parts) != 3 or not parts[0].isdigit():
        return None
    return int(parts[0]), parts[1], parts[2]


def produce(commodity: str, grade: str) -> str:
    """``gabah, GKP (gabah kering panen)`` as it stands after a quantity."""
    return produce_with_grade_in_sentence(CATALOG[commodity], grade)


def amount(quantity: Decimal, commodity: str, grade: str) -> str:
    """``985 kg gabah, GKP (gabah kering panen)``."""
    return f"{format_quantity(quantity, CATALOG[commodity].base_unit)} {produce(commodity, grade)}"


def percent(fraction: Decimal) -> str:
    return f"{format_number(rules.percent(fraction))} %"


def held_line(line: stock.OnHand) -> str:
    """One stock line: kilos, cost and cost per unit."""
    unit = CATALOG[line.commodity].base_unit
    per_unit = rules.cost_per_unit(line.cost_rupiah, line.quantity)
    return _("{amount}: cost {cost} ({per_unit} per {unit})").format(
        amount=amount(line.quantity, line.commodity, line.grade), cost=format_money(line.cost_rupiah),
        per_unit=format_money(per_unit), unit=unit_name(unit),
    )  # fmt: skip


def keeps(place: stock.Warehouse, context: BotContext) -> bool:
    """Whether the person keeps this warehouse's stock (its keeper, or an administrator of
    its cooperative): coordinators only bring pickups in."""
    person = context.person
    if place.org_id != person.org_id:
        return False
    return Role.ADMIN in person.roles or (
        Role.KEEPER in person.roles and place.keeper_id == person.id
    )


def warehouse_commodity(commodity: str) -> Commodity:
    """The catalog's commodity with no ceiling of one offer: a warehouse holds more than one
    farmer sells (domain.stock.MAX_MOVE is the ceiling of a move)."""
    return dataclasses.replace(CATALOG[commodity], max_per_offer=int(rules.MAX_MOVE))


def read_quantity(text: str, commodity: str) -> Decimal:
    """A typed amount in base units: QuantityRefused or StockRefused (both InvalidInput)."""
    return rules.check_quantity(parse_quantity(text, warehouse_commodity(commodity)).value)


async def refused_quantity(update: Update, exc: Exception, commodity: str, question: str) -> None:
    """What was wrong with a typed amount, and the question again."""
    if isinstance(exc, QuantityRefused):
        why = refusal(exc.reason, warehouse_commodity(commodity))
    else:
        why = gettext(rules.REASONS[exc.reason])
    await reply(update, why + "\n" + question)
