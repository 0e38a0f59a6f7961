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
    offer_id: int | None = None
    warehouse_id: int | None = None
    quantity: str | None = None  # weighed at the warehouse, base units
    places: list[list[str]] | None = None  # [label, warehouse id] offered
    offered: list[str] | None = None


async def _pickup(context: BotContext) -> stock.OnTheWay | None:
    """The draft's pickup, while it is still on its way and the person's to bring in."""
    offer_id = ArrivalDraft.load(context).offer_id
    person = context.person
    way = await stock.on_the_way(context.db, person.id, person.org_id, person.roles)
    return next((p for p in way if p.offer_id == offer_id), None)


async def start_arrival(update: Update, context: BotContext) -> str | int:
    offer_id = int(ARRIVE_BUTTONS.value(update))
    ArrivalDraft(offer_id=offer_id).save(context)
    pickup = await _pickup(context)
    if pickup is None:  # in a warehouse already, someone else's, or forged
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
    if await _pickup(context) is None:  # brought in meanwhile (by the keeper, say)
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
    """The weight at the warehouse, as people write it; not above the pickup's."""

    state = WEIGHT

    async def _question(self, context: BotContext, pickup: stock.OnTheWay) -> str:
        place = await stock.warehouse(context.db, need(ArrivalDraft.load(context).warehouse_id))
        return _("What does {number} weigh at {warehouse}? At the pickup it weighed {amount}.").format(
            number=pickup.offer_number, warehouse=place.name,
            amount=format_quantity(pickup.quantity, CATALOG[pickup.commodity].base_unit),
        )  # fmt: skip

    async def ask(self, update: Update, context: BotContext) -> str:
        pickup = need(await _pickup(context))
        await reply(update, await self._question(context, pickup))
        return WEIGHT

    async def on_text(self, update: Update, context: BotContext) -> str | int:
        pickup = await _pickup(context)
        if pickup is None:
            return await _gone(update, context)
        try:
            weighed = read_quantity(update.effective_message.text, pickup.commodity)
            rules.shrink(pickup.quantity, weighed)
        except InvalidInput as exc:
            await refused_quantity(
                update, exc, pickup.commodity, await self._question(context, pickup)
            )
            return WEIGHT
        draft = ArrivalDraft.load(context)
        draft.quantity = rules.text(weighed)
        draft.save(context)
        return await CONFIRM_STEP.ask(update, context)

    def handlers(self) -> list:
        return [MessageHandler(TEXT, self.on_text)]


WEIGHT_STEP = WeightStep()


async def _gone(update: Update, context: BotContext) -> int:
    ArrivalDraft.drop(context)
    await reply(update, _("This pickup is already in a warehouse. Nothing was saved."))
    return END


async def _summary(context: BotContext) -> str:
    draft = ArrivalDraft.load(context)
    pickup = need(await _pickup(context))
    place = await stock.warehouse(context.db, need(draft.warehouse_id))
    unit = CATALOG[pickup.commodity].base_unit
    weighed = Decimal(need(draft.quantity))
    shrink = pickup.quantity - weighed
    return "\n".join([
        _("Please check the arrival of {number} at {warehouse}:").format(number=pickup.offer_number, warehouse=place.name),
        _("At the pickup: {amount}").format(amount=amount(pickup.quantity, pickup.commodity, pickup.grade)),
        _("At the warehouse: {amount}").format(amount=format_quantity(weighed, unit)),
        _("Shrink (susut): {amount} ({percent})").format(amount=format_quantity(shrink, unit), percent=percent(shrink / pickup.quantity)),
        "", _("Is this right?"),
    ])  # fmt: skip


@writes("stock.arrive")
async def save_arrival(update: Update, context: BotContext) -> int:
    draft = ArrivalDraft.load(context)
    person = context.person
    try:
        arrival = await context.db.write(
            stock.arrive, [need(draft.offer_id)], need(draft.warehouse_id), person.id,
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
        "stock_arrival", "gudang", entry_points=[ARRIVE_BUTTONS.handler(start_arrival)],
        steps=[PLACE_STEP, WEIGHT_STEP, CONFIRM_STEP], cancel=cancel,
    )  # fmt: skip
