"""An offer's draft and what the steps, the summary and the coordinator's /jualkan read from
it: the village, the prices bought there, the commodity, the ready day, refusals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.context import BotContext
from bot.i18n import format_quantity, gettext, unit_name
from domain.pickups import DeductionKind, Rate
from domain.produce import CATALOG, Commodity
from domain.quantity import REASONS
from handlers.kit import (
    Buttons,
    Draft,
    need,
    parse_day,
    today,
)
from handlers.wording import produce_in_sentence
from storage import catalog, orgs, prices
from storage.offers import Shown

PRODUCE, GRADE, QUANTITY, DAY, PLACE, CONFIRM = (
    "offer.produce",
    "offer.grade",
    "offer.quantity",
    "offer.day",
    "offer.place",
    "offer.confirm",
)
PRODUCE_BUTTONS = Buttons("prd", value=r"[a-z0-9_]", max_length=16)
GRADE_BUTTONS = Buttons("grd", value=r"[A-Za-z0-9_-]", max_length=8)
DAY_BUTTONS = Buttons("day", value=r"[0-9]", max_length=8)  # the date: 20261204
DAYS_AHEAD = 7


@dataclass
class OfferDraft(Draft):
    key = "offer"
    commodity: str | None = None
    grade: str | None = None
    quantity: str | None = None  # base units
    amount: str | None = None  # as typed …
    unit: str | None = None  # … in this unit
    ready_on: str | None = None  # the day the pressed button showed, 20261204
    price_id: int | None = None  # the price the summary showed …
    rates: list[list] | None = None  # … and the deductions: [kind, rupiah per unit]
    price_rupiah: int | None = None  # … and the price per unit it locks (a window may pay more)
    window_id: int | None = None  # the buying window the offer would count toward
    village_code: str | None = None  # where the produce is: the farmer's village
    org_id: int | None = None  # the farmer's cooperative (its deductions)
    latitude: float | None = None  # a shared location, if the farmer sent one
    longitude: float | None = None
    photo_file_id: str | None = None
    # entered by a coordinator for a farmer without Telegram (handlers.proxy_offer)
    farmer_name: str | None = None
    farmer_phone: str | None = None
    place: list[str] | None = None  # the farmer's village as it is being picked
    offered: list[str] | None = None

    @property
    def for_someone_else(self) -> bool:
        return self.farmer_phone is not None

    def shown(self) -> Shown:
        return Shown(
            need(self.price_id),
            tuple(Rate(DeductionKind(k), r) for k, r in self.rates or []),
            self.price_rupiah,
        )


def today_here(context: BotContext) -> date:
    return today(context.person.timezone)


def village_of(context: BotContext) -> str:
    return OfferDraft.load(context).village_code or need(context.person.village_code)


async def prices_here(
    context: BotContext, commodity: str | None = None
) -> list[prices.BuyingPrice]:
    """The prices in force in the village, of the commodities the cooperative still buys."""
    found = await prices.prices_in_force(
        context.db, village_of(context), datetime.now().astimezone(), commodity
    )
    stops = await catalog.stopped(
        context.db, await orgs.for_village(context.db, village_of(context))
    )
    return [
        p for p in found
        if (c := CATALOG.get(p.commodity)) is not None and c.active and c.code not in stops
    ]  # fmt: skip


def commodity_of(context: BotContext) -> Commodity:
    return CATALOG[need(OfferDraft.load(context).commodity)]


def refusal(reason: str, commodity: Commodity) -> str:
    return gettext(REASONS[reason]).format(
        commodity=produce_in_sentence(commodity),
        unit=unit_name(commodity.base_unit),
        example=format_quantity(commodity.example, commodity.base_unit),
        maximum=format_quantity(commodity.max_per_offer, commodity.base_unit),
    )


def ready_day(draft: OfferDraft) -> date:
    return need(parse_day(draft.ready_on))
