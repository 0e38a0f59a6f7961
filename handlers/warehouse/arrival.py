"""📦 A weighed pickup reaches the warehouse: the taker (or the keeper) picks the warehouse
when the cooperative has several, types the weight there; the difference is transport
shrink (susut). Each pickup arrives once."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from telegram import Update
from telegram.ext import ConversationHandler, MessageHandler

from bot.context import BotContext
from bot.i18n import _, format_quantity
from domain import stock as rules
from domain.people import InvalidInput
from domain.produce import CATALOG
from handlers.kit import (
    END,
    TEXT,
    Choice,
    Confirm,
    Draft,
    Step,
    answer_query,
    conversation,
    need,
    refuse_button,
    reply,
    writes,
)
from handlers.menus import cancel
from handlers.warehouse.common import (
    ARRIVE_ALL_BUTTONS,
    ARRIVE_BUTTONS,
    WAREHOUSE_BUTTONS,
    amount,
    percent,
    read_quantity,
    refused_quantity,
)
from storage import stock

PLACE, WEIGHT, CONFIRM = "arrival_place", "arrival_weight", "arrival_confirm"


@dataclass
class ArrivalDraft(Draft):
    key = "arrival"
    offer_ids: list[int] | None = None  # one pickup, or all of a produce on their way
    warehouse_id: int | None = None
    quantity: str | None = None  # weighed at the warehouse, base units
    places: list[list[str]] | None = None  # [label, warehouse id] offered
    offered: list[str] | None = None


@dataclass(frozen=True)
class Load:
    """The pickups brought in together: one produce and grade (one batch)."""

    pickups: list[stock.OnTheWay]

    @property
    def numbers(self) -> str:
        return ", ".join(p.offer_number for p in self.pickups)

    @property
    def quantity(self) -> Decimal:
        return sum((p.quantity for p in self.pickups), rules.ZERO)

    @property
    def commodity(self) -> str:
        return self.pickups[0].commodity

    @property
    def grade(self) -> str:
        return self.pickups[0].grade


async def _load(context: BotContext) -> Load | None:
    """The draft's pickups, while every one is still on its way and the person's to bring
    in; None as soon as one is not (brought in meanwhile, someone else's, or forged)."""
    wanted = ArrivalDraft.load(context).offer_ids or []
    person = context.person
    way = {p.offer_id: p for p in await stock.on_the_way(context.db, person.id, person.org_id, person.roles)}  # fmt: skip
    if not wanted or any(offer_id not in way for offer_id in wanted):
        return None
    return Load([way[offer_id] for offer_id in wanted])


async def start_arrival(update: Update, context: BotContext) -> str | int:
    ArrivalDraft(offer_ids=[int(ARRIVE_BUTTONS.value(update))]).save(context)
    return await _start(update, context)


async def start_arrival_of_all(update: Update, context: BotContext) -> str | int:
    """📦 All the pickups of one produce and grade on their way, into one batch."""
    commodity, _dot, grade = (ARRIVE_ALL_BUTTONS.value(update) or "").partition(".")
    person = context.person
    way = await stock.on_the_way(context.db, person.id, person.org_id, person.roles)
    ids = [p.offer_id for p in way if (p.commodity, p.grade) == (commodity, grade)]
    ArrivalDraft(offer_ids=ids).save(context)
    return await _start(update, context)


async def _start(update: Update, context: BotContext) -> str | int:
    if await _load(context) is None:  # in a warehouse already, someone else's, or forged
        ArrivalDraft.drop(context)
        await refuse_button(update)
        return END
    await answer_query(update)
    person = context.person
    places = await stock.kept_by(context.db, person.id, person.org_id, person.roles)
    if not places:
        ArrivalDraft.drop(context)
        await reply(update, _("Your cooperative has no warehouse in the bot yet. Please ask the administrator to add one."))  # fmt: skip
        return END
    if len(places) == 1:
        return await _place_chosen(update, context, str(places[0].id))
    draft = ArrivalDraft.load(context)
    draft.places = [[f"🏠 {p.name}", str(p.id)] for p in places]
    draft.save(context)
    return await PLACE_STEP.ask(update, context)


def _places(context: BotContext) -> list[tuple[str, str]]:
    """The warehouses read when the arrival started, kept in the draft."""
    return [(label, value) for label, value in ArrivalDraft.load(context).places or []]


async def _place_chosen(update: Update, context: BotContext, value: str) -> str | int:
    if await _load(context) is None:  # brought in meanwhile (by the keeper, say)
        return await _gone(update, context)
    draft = ArrivalDraft.load(context)
    draft.warehouse_id = int(value)
    draft.save(context)
    return await WEIGHT_STEP.ask(update, context)


PLACE_STEP = Choice(
    PLACE,
    WAREHOUSE_BUTTONS,
    lambda: _("Which warehouse did it go to?"),
    _places,
    _place_chosen,
    ArrivalDraft,
)


class WeightStep(Step):
    """The weight at the warehouse, as people write it; not above the pickups'."""

    state = WEIGHT

    async def _question(self, context: BotContext, load: Load) -> str:
        place = await stock.warehouse(context.db, need(ArrivalDraft.load(context).warehouse_id))
        question = (
            _("What does {number} weigh at {warehouse}? At the pickup it weighed {amount}.")
            if len(load.pickups) == 1
            else _("What do {number} weigh together at {warehouse}? At the pickups they weighed {amount}.")
        )  # fmt: skip
        return question.format(
            number=load.numbers, warehouse=place.name,
            amount=format_quantity(load.quantity, CATALOG[load.commodity].base_unit),
        )  # fmt: skip

    async def ask(self, update: Update, context: BotContext) -> str:
        await reply(update, await self._question(context, need(await _load(context))))
        return WEIGHT

    async def on_text(self, update: Update, context: BotContext) -> str | int:
        load = await _load(context)
        if load is None:
            return await _gone(update, context)
        try:
            weighed = read_quantity(update.effective_message.text, load.commodity)
            rules.shrink(load.quantity, weighed)
        except InvalidInput as exc:
            await refused_quantity(update, exc, load.commodity, await self._question(context, load))
            return WEIGHT
        draft = ArrivalDraft.load(context)
        draft.quantity = rules.text(weighed)
        draft.save(context)
        return await CONFIRM_STEP.ask(update, context)

    def handlers(self) -> list:
        return [MessageHandler(TEXT, self.on_text)]


WEIGHT_STEP = WeightStep()


async def _gone(update: Update, context: BotContext) -> int:
    several = len(ArrivalDraft.load(context).offer_ids or []) > 1
    ArrivalDraft.drop(context)
    await reply(update, _("One of these pickups is already in a warehouse. Nothing was saved.") if several
                else _("This pickup is already in a warehouse. Nothing was saved."))  # fmt: skip
    return END


async def _summary(context: BotContext) -> str:
    draft = ArrivalDraft.load(context)
    load = need(await _load(context))
    place = await stock.warehouse(context.db, need(draft.warehouse_id))
    unit = CATALOG[load.commodity].base_unit
    weighed = Decimal(need(draft.quantity))
    shrink = load.quantity - weighed
    return "\n".join([
        _("Please check the arrival of {number} at {warehouse}:").format(number=load.numbers, warehouse=place.name),
        _("At the pickup: {amount}").format(amount=amount(load.quantity, load.commodity, load.grade)),
        _("At the warehouse: {amount}").format(amount=format_quantity(weighed, unit)),
        _("Shrink (susut): {amount} ({percent})").format(amount=format_quantity(shrink, unit), percent=percent(shrink / load.quantity)),
        "", _("Is this right?"),
    ])  # fmt: skip


@writes("stock.arrive")
async def save_arrival(update: Update, context: BotContext) -> int:
    draft = ArrivalDraft.load(context)
    person = context.person
    try:
        arrival = await context.db.write(
            stock.arrive, need(draft.offer_ids), need(draft.warehouse_id), person.id,
            person.org_id, person.roles, Decimal(need(draft.quantity)),
        )  # fmt: skip
    except stock.AlreadyArrived:
        return await _gone(update, context)
    except (stock.NotYours, rules.StockRefused):
        ArrivalDraft.drop(context)
        await reply(update, _("This arrival cannot be recorded. Please call the cooperative."))
        return END
    ArrivalDraft.drop(context)
    unit = CATALOG[arrival.commodity].base_unit
    await reply(update, "\n".join([
        _("Saved. {amount} is in {warehouse}.").format(amount=amount(arrival.arrived, arrival.commodity, arrival.grade), warehouse=arrival.warehouse.name),
        _("Shrink (susut): {amount} ({percent})").format(amount=format_quantity(arrival.shrink, unit), percent=percent(arrival.shrink / arrival.picked)),
    ]))  # fmt: skip
    return END


async def weigh_again(update: Update, context: BotContext) -> str:
    return await WEIGHT_STEP.ask(update, context)


CONFIRM_STEP = Confirm(CONFIRM, _summary, save_arrival, weigh_again)


def arrival_conversation() -> ConversationHandler:
    return conversation(
        "stock_arrival", "gudang", entry_points=[ARRIVE_BUTTONS.handler(start_arrival), ARRIVE_ALL_BUTTONS.handler(start_arrival_of_all)],
        steps=[PLACE_STEP, WEIGHT_STEP, CONFIRM_STEP], cancel=cancel,
    )  # fmt: skip
