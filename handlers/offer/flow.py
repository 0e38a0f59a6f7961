"""/jual, step by step: produce → grade → quantity → ready day → pickup place → summary → saved
(and the coordinator's alerts). handlers.proxy_offer reuses these steps."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler, filters

from bot.context import BotContext
from bot.i18n import _, format_date, format_money, format_quantity, gettext, unit_name
from domain import regions
from domain.produce import CATALOG
from domain.quantity import QuantityRefused, parse_quantity
from handlers import alerts, windows
from handlers.kit import (
    END,
    TEXT,
    Buttons,
    Callback,
    Choice,
    Confirm,
    Step,
    answer_query,
    conversation,
    day_gone,
    day_value,
    in_background,
    need,
    parse_day,
    reply,
    writes,
)
from handlers.menus import cancel
from handlers.offer.draft import (
    CONFIRM,
    DAY,
    DAY_BUTTONS,
    DAYS_AHEAD,
    GRADE,
    GRADE_BUTTONS,
    PLACE,
    PRODUCE,
    PRODUCE_BUTTONS,
    QUANTITY,
    OfferDraft,
    commodity_of,
    prices_here,
    ready_day,
    refusal,
    today_here,
    village_of,
)
from handlers.offer.summary import summary
from handlers.settings import ask_village_again
from handlers.wording import produce_in_sentence, produce_name
from storage import deductions as deduction_rates
from storage import offers, prices
from storage import windows as buying_windows
from storage.offers import NewOffer, NoPrice


async def offer_produce(update: Update, context: BotContext, draft: OfferDraft) -> str | int:
    """The first question, for ``draft``'s village: what the cooperative buys there."""
    draft.save(context)
    bought = await prices_here(context)
    if not bought:
        OfferDraft.drop(context)
        await reply(
            update,
            _(
                "The cooperative does not buy produce in your village yet. Please ask your cooperative."
            ),
        )
        return END
    draft.offered = list(dict.fromkeys(p.commodity for p in bought))
    draft.save(context)
    return await PRODUCE_STEP.ask(update, context)


# --- produce ---------------------------------------------------------------------------------


async def start(update: Update, context: BotContext) -> str | int:
    if context.person.needs_village:
        return await ask_village_again(update, context)
    person = context.person
    return await offer_produce(
        update, context, OfferDraft(village_code=person.village_code, org_id=person.org_id)
    )


async def start_selling(update: Update, context: BotContext) -> str | int:
    """The "sell at this price" button of /harga: the offer starts with its produce chosen."""
    code = Buttons.registry["jualh"].value(update)
    state = await start(update, context)
    await answer_query(update)
    if state != PRODUCE or code not in (OfferDraft.load(context).offered or []):
        return state  # not bought here (any more): the produce question stands
    return await _produce_chosen(update, context, code)


def _produce_options(context: BotContext) -> list[tuple[str, str]]:
    offered = OfferDraft.load(context).offered or []
    return [(produce_name(CATALOG[code]), code) for code in offered if CATALOG.get(code)]


async def _produce_typed(update: Update, context: BotContext) -> str | int:
    """A name typed at the produce question: taken when it names one the cooperative buys."""
    draft = OfferDraft.load(context)
    bought = {p.commodity for p in await prices_here(context)}
    found = [m for m in CATALOG.search(update.effective_message.text) if m.commodity.code in bought]
    if len(found) == 1:
        grade = found[0].grade.code if found[0].grade else None
        return await _produce_chosen(update, context, found[0].commodity.code, grade)
    if found:
        draft.offered = [m.commodity.code for m in found]
        draft.save(context)
    else:
        await reply(
            update, _("The cooperative does not buy that in your village. Tap one of the buttons.")
        )
        draft.offered = list(
            dict.fromkeys(code for code in (draft.offered or []) if code in bought)
        ) or sorted(bought)
        draft.save(context)
    return await PRODUCE_STEP.ask(update, context)


async def _produce_chosen(
    update: Update, context: BotContext, code: str, grade: str | None = None
) -> str | int:
    draft = OfferDraft.load(context)
    draft.commodity, draft.offered = code, []
    draft.save(context)
    graded = [p.grade for p in await prices_here(context, code)]
    if grade in graded:
        return await _grade_chosen(update, context, grade)
    if len(graded) == 1:
        return await _grade_chosen(update, context, graded[0])
    draft.offered = graded
    draft.save(context)
    return await GRADE_STEP.ask(update, context)


class ProduceChoice(Choice):
    """What to sell: asked of the farmer, or of the coordinator about the farmer (/jualkan)."""

    async def text(self, context: BotContext) -> str:
        draft = OfferDraft.load(context)
        if draft.for_someone_else:
            return _("What does {name} want to sell? Tap it, or type its name.").format(
                name=draft.farmer_name
            )
        return self.question()


PRODUCE_STEP = ProduceChoice(
    PRODUCE, PRODUCE_BUTTONS, lambda: _("What do you want to sell? Tap it, or type its name."),
    _produce_options, _produce_chosen, OfferDraft,
)  # fmt: skip


# --- grade ------------------------------------------------------------------------------------


def _grade_question_for(context: BotContext) -> str:
    draft = OfferDraft.load(context)
    commodity = CATALOG[need(draft.commodity)]
    if draft.for_someone_else:
        return _("Which grade is the {produce} of {name}? The cooperative pays per {unit}:").format(
            produce=produce_in_sentence(commodity), name=draft.farmer_name, unit=unit_name(commodity.base_unit)
        )  # fmt: skip
    return _("Which grade is your {produce}? The cooperative pays per {unit}:").format(
        produce=produce_in_sentence(commodity), unit=unit_name(commodity.base_unit)
    )


def _grade_options(context: BotContext) -> list[tuple[str, str]]:
    draft = OfferDraft.load(context)
    commodity = CATALOG[need(draft.commodity)]
    return [
        (gettext(commodity.grade(code).label), code)
        for code in draft.offered or []
        if commodity.grade(code)
    ]


class GradeChoice(Choice):
    """The grades with their criteria and price, so the farmer knows before choosing."""

    async def text(self, context: BotContext) -> str:
        draft = OfferDraft.load(context)
        commodity = CATALOG[need(draft.commodity)]
        lines = [_grade_question_for(context)]
        for price in await prices_here(context, commodity.code):
            grade = commodity.grade(price.grade)
            lines.append(_("{grade} ({criteria}): {price}").format(
                grade=gettext(grade.label), criteria=gettext(grade.criteria), price=format_money(price.price_rupiah)
            ))  # fmt: skip
        return "\n".join(lines)


async def _grade_chosen(update: Update, context: BotContext, grade: str) -> str:
    draft = OfferDraft.load(context)
    draft.grade = grade
    draft.save(context)
    return await QUANTITY_STEP.ask(update, context)


GRADE_STEP = GradeChoice(
    GRADE, GRADE_BUTTONS, lambda: "", _grade_options, _grade_chosen, OfferDraft
)


# --- quantity ---------------------------------------------------------------------------------


class QuantityStep(Step):
    """The amount in any unit people use; the reason and the question again when it is not."""

    state = QUANTITY

    def _question(self, context: BotContext) -> str:
        commodity = commodity_of(context)
        draft = OfferDraft.load(context)
        question = (
            _("How much {produce} does {name} want to sell? Type the amount and unit, for example {example}.")
            if draft.for_someone_else
            else _("How much {produce} do you want to sell? Type the amount and unit, for example {example}.")
        )  # fmt: skip
        return question.format(
            produce=produce_in_sentence(commodity), name=draft.farmer_name,
            example=format_quantity(commodity.example, commodity.base_unit),
        )  # fmt: skip

    async def ask(self, update: Update, context: BotContext) -> str:
        draft = OfferDraft.load(context)
        needs = await windows.need_lines(
            context.db, need(draft.org_id), village_of(context), context.person.timezone,
            need(draft.commodity), need(draft.grade),
        )  # fmt: skip  # a buying window this offer would fill: said before the amount
        await reply(update, "\n".join([*needs, self._question(context)]))
        return QUANTITY

    async def on_text(self, update: Update, context: BotContext) -> str:
        commodity = commodity_of(context)
        try:
            quantity = parse_quantity(update.effective_message.text, commodity)
        except QuantityRefused as refused:
            await reply(update, refusal(refused.reason, commodity) + "\n" + self._question(context))
            return QUANTITY
        draft = OfferDraft.load(context)
        draft.quantity, draft.amount, draft.unit = (
            str(quantity.value),
            str(quantity.amount),
            quantity.unit,
        )
        draft.save(context)
        return await DAY_STEP.ask(update, context)

    def handlers(self) -> list:
        return [MessageHandler(TEXT, self.on_text)]


QUANTITY_STEP = QuantityStep()


# --- ready day -----------------------------------------------------------------------------------


def _day_label(context: BotContext, day: date) -> str:
    if day == today_here(context):
        return _("Today")
    if day == today_here(context) + timedelta(days=1):
        return _("Tomorrow")
    return format_date(day, context.person.timezone)


async def _day_chosen(update: Update, context: BotContext, value: str) -> str:
    if await day_gone(update, context, parse_day(value)):
        return await DAY_STEP.ask(update, context)
    draft = OfferDraft.load(context)
    draft.ready_on = value
    draft.save(context)
    if draft.for_someone_else:  # the coordinator is with the farmer: their village it is
        return await _to_summary(update, context)
    return await PLACE_STEP.ask(update, context)


async def _to_summary(update: Update, context: BotContext) -> str | int:
    """Fix what the summary shows (the price and deductions in force now), then show it."""
    draft = OfferDraft.load(context)
    now = datetime.now().astimezone()
    price = await prices.price_in_force(
        context.db, need(draft.commodity), need(draft.grade), village_of(context), now
    )
    if price is None:
        return await _no_price(update, context)
    rates = await deduction_rates.in_force(
        context.db, need(draft.org_id), need(draft.commodity), now
    )
    draft.price_id, draft.rates = price.id, [[r.kind.value, r.rupiah_per_unit] for r in rates]
    draft.price_rupiah, window = await buying_windows.price_of_offer(
        context.db, need(draft.org_id), need(draft.commodity), need(draft.grade),
        village_of(context), price.price_rupiah, int(now.timestamp()),
    )  # fmt: skip
    draft.window_id = window.id if window else None
    draft.save(context)
    return await CONFIRM_STEP.ask(update, context)


DAY_STEP = Choice(
    DAY, DAY_BUTTONS, lambda: _("When is it ready for pickup?"),
    lambda context: [(_day_label(context, day), day_value(day))
                     for day in (today_here(context) + timedelta(days=d) for d in range(DAYS_AHEAD))],
    _day_chosen, OfferDraft,
)  # fmt: skip


# --- pickup place ---------------------------------------------------------------------------------


class PickupPlaceStep(Step):
    """At the farmer's village, or where a shared location says (a field, a drying floor)."""

    state = PLACE

    def _home(self, context: BotContext) -> str:
        place = regions.place(village_of(context))
        return _("🏠 In my village, {village}").format(village=place.village if place else "")

    async def ask(self, update: Update, context: BotContext) -> str:
        markup = ReplyKeyboardMarkup(
            [[KeyboardButton(self._home(context))],
             [KeyboardButton(_("📍 Send the location"), request_location=True)]],
            resize_keyboard=True, one_time_keyboard=True,
        )  # fmt: skip
        await reply(
            update, _("Where should the coordinator pick it up? Tap a button below."), markup
        )
        return PLACE

    async def on_location(self, update: Update, context: BotContext) -> str | int:
        location = update.effective_message.location
        draft = OfferDraft.load(context)
        draft.latitude, draft.longitude = location.latitude, location.longitude
        draft.save(context)
        await reply(update, _("📍 Location received."), ReplyKeyboardRemove())
        return await _to_summary(update, context)

    async def on_text(self, update: Update, context: BotContext) -> str | int:
        if update.effective_message.text.strip() != self._home(context):
            await reply(update, _("Please tap one of the buttons below, or send /cancel to stop."))
            return await self.ask(update, context)
        draft = OfferDraft.load(context)
        draft.latitude = draft.longitude = None
        draft.save(context)
        await reply(update, _("🏠 Pickup in your village."), ReplyKeyboardRemove())
        return await _to_summary(update, context)

    def handlers(self) -> list:
        return [
            MessageHandler(filters.LOCATION, self.on_location),
            MessageHandler(TEXT, self.on_text),
        ]


PLACE_STEP = PickupPlaceStep()


async def photo_added(update: Update, context: BotContext) -> str:
    """A photo sent at the summary goes with the offer (the largest size Telegram made)."""
    draft = OfferDraft.load(context)
    draft.photo_file_id = update.effective_message.photo[-1].file_id
    draft.save(context)
    await reply(update, _("📷 The photo will go with your offer."))
    return await CONFIRM_STEP.ask(update, context)


async def _no_price(update: Update, context: BotContext) -> int:
    OfferDraft.drop(context)
    await reply(
        update,
        _(
            "The cooperative has no buying price for this produce in your village now. Nothing was saved."
        ),
    )
    return END


def new_offer(draft: OfferDraft, context: BotContext) -> NewOffer:
    return NewOffer(
        commodity=need(draft.commodity), grade=need(draft.grade), quantity=Decimal(need(draft.quantity)),
        typed_amount=Decimal(need(draft.amount)), typed_unit=need(draft.unit),
        ready_on=ready_day(draft),
        latitude=draft.latitude, longitude=draft.longitude, photo_file_id=draft.photo_file_id,
    )  # fmt: skip


def saving(write_offer: Callback) -> Callback:
    """``write_offer`` at the summary's ✅, with what to say when the price moved meanwhile."""

    async def save(update: Update, context: BotContext) -> int | str:
        if await day_gone(update, context, parse_day(OfferDraft.load(context).ready_on)):
            return await DAY_STEP.ask(update, context)  # the summary showed a day now past
        try:
            return await write_offer(update, context)
        except NoPrice:
            return await _no_price(update, context)
        except offers.PriceChanged:
            await reply(
                update, _("The price or the deductions changed a moment ago. Please check again.")
            )
            return await _to_summary(update, context)

    return save


@writes("offer.create")
async def _save_own(update: Update, context: BotContext) -> int:
    draft = OfferDraft.load(context)
    offer = await context.db.write(
        offers.create, context.person.id, new_offer(draft, context), draft.shown()
    )
    OfferDraft.drop(context)
    until = datetime.fromtimestamp(offer.guaranteed_until).astimezone(
        ZoneInfo(context.person.timezone)
    )
    await reply(update, _("Your offer is saved. Its number is {number}.\nThe price is guaranteed until {date}.\nA coordinator will contact you to agree the pickup. Send /tawaran to follow it.").format(
        number=offer.number, date=format_date(until, context.person.timezone)
    ))  # fmt: skip
    in_background(context, alerts.new_offer(context, offer), f"alerts-{offer.id}")
    in_background(context, windows.after_offer(context), f"windows-{offer.id}")
    return END


async def change(update: Update, context: BotContext) -> str:
    draft = OfferDraft.load(context)
    draft.offered = [p.commodity for p in await prices_here(context)]
    draft.save(context)
    await reply(update, _("Let us go through it again."))
    return await PRODUCE_STEP.ask(update, context)


CONFIRM_STEP = Confirm(CONFIRM, summary, saving(_save_own), change)
STEPS = [PRODUCE_STEP, GRADE_STEP, QUANTITY_STEP, DAY_STEP, PLACE_STEP, CONFIRM_STEP]
PRODUCE_STEPS = STEPS[:4]  # what someone entering an offer for a farmer asks too
# what a person may type or send at a question besides its buttons
EXTRA_STATES = {
    PRODUCE: lambda: [MessageHandler(TEXT, _produce_typed)],
    CONFIRM: lambda: [MessageHandler(filters.PHOTO, photo_added)],
}


def conversation_handler() -> ConversationHandler:
    entry = CommandHandler("jual", start)
    selling = Buttons.registry["jualh"].handler(start_selling)  # handlers.prices' button
    return conversation(
        "offer", "jual", entry_points=[entry, selling],
        steps=STEPS, states={state: make() for state, make in EXTRA_STATES.items()}, cancel=cancel,
    )  # fmt: skip
