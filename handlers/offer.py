"""/jual: a farmer offers produce at the cooperative's buying price; /tawaran: their offers.

produce (buttons, or its name typed) → grade (skipped where there is one; each with its
price) → quantity as Indonesians write it → ready day → summary with the locked price →
the offer number, and an alert to every coordinator covering the village (else the
cooperative's administrators).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler

from bot.context import BotContext
from bot.domain import regions
from bot.domain.offers import STATUS_LABELS, OfferActionRefused, Status
from bot.domain.produce import CATALOG, NO_GRADE, Commodity
from bot.domain.quantity import REASONS, QuantityRefused, amount_rupiah, parse_quantity
from bot.i18n import _, format_date, format_money, format_quantity, gettext, unit_name
from handlers import alerts
from handlers.kit import (
    END,
    TEXT,
    Buttons,
    Choice,
    Confirm,
    Draft,
    Step,
    conversation,
    for_command,
    keyboard,
    need,
    refuse_button,
    reply,
    writes,
)
from handlers.menus import cancel
from handlers.settings import ask_village_again
from storage import offers, prices
from storage.offers import NewOffer, NoPrice

PRODUCE, GRADE, QUANTITY, DAY, CONFIRM = (
    "offer.produce",
    "offer.grade",
    "offer.quantity",
    "offer.day",
    "offer.confirm",
)
PRODUCE_BUTTONS = Buttons("prd", value=r"[a-z0-9_]", max_length=16)
GRADE_BUTTONS = Buttons("grd", value=r"[A-Za-z0-9_-]", max_length=8)
DAY_BUTTONS = Buttons("day", value=r"[0-9]", max_length=1)
WITHDRAW_BUTTONS = Buttons("batal", value=r"[0-9]", max_length=12)
DAYS_AHEAD = 7


@dataclass
class OfferDraft(Draft):
    key = "offer"
    commodity: str | None = None
    grade: str | None = None
    quantity: str | None = None  # base units
    amount: str | None = None  # as typed …
    unit: str | None = None  # … in this unit
    ready_in_days: int | None = None
    price_id: int | None = None  # the price the summary showed
    offered: list[str] | None = None


def _name(commodity: Commodity) -> str:
    return gettext(commodity.name_en)


def _today(context: BotContext) -> date:
    return datetime.now(ZoneInfo(context.person.timezone)).date()


async def _prices(context: BotContext, commodity: str | None = None) -> list[prices.BuyingPrice]:
    return await prices.prices_in_force(
        context.db, context.person.village_code, datetime.now().astimezone(), commodity
    )


# --- produce ---------------------------------------------------------------------------------


async def start(update: Update, context: BotContext) -> str | int:
    if context.person.needs_village:
        return await ask_village_again(update, context)
    bought = await _prices(context)
    if not bought:
        await reply(
            update,
            _(
                "The cooperative does not buy produce in your village yet. Please ask your cooperative."
            ),
        )
        return END
    OfferDraft(offered=list(dict.fromkeys(p.commodity for p in bought))).save(context)
    return await PRODUCE_STEP.ask(update, context)


def _produce_options(context: BotContext) -> list[tuple[str, str]]:
    offered = OfferDraft.load(context).offered or []
    return [(_name(CATALOG[code]), code) for code in offered if CATALOG.get(code)]


async def _produce_typed(update: Update, context: BotContext) -> str | int:
    """A name typed at the produce question: taken when it names one the cooperative buys."""
    draft = OfferDraft.load(context)
    bought = {p.commodity for p in await _prices(context)}
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
    graded = [p.grade for p in await _prices(context, code)]
    if grade in graded:
        return await _grade_chosen(update, context, grade)
    if len(graded) == 1:
        return await _grade_chosen(update, context, graded[0])
    draft.offered = graded
    draft.save(context)
    return await GRADE_STEP.ask(update, context)


PRODUCE_STEP = Choice(
    PRODUCE, PRODUCE_BUTTONS, lambda: _("What do you want to sell? Tap it, or type its name."),
    _produce_options, _produce_chosen, OfferDraft,
)  # fmt: skip


# --- grade ------------------------------------------------------------------------------------


def _grade_question_for(context: BotContext) -> str:
    draft = OfferDraft.load(context)
    commodity = CATALOG[need(draft.commodity)]
    return _("Which grade is your {produce}? The cooperative pays per {unit}:").format(
        produce=_name(commodity), unit=unit_name(commodity.base_unit)
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
        for price in await _prices(context, commodity.code):
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


def _commodity(context: BotContext) -> Commodity:
    return CATALOG[need(OfferDraft.load(context).commodity)]


class QuantityStep(Step):
    """The amount in any unit people use; the reason and the question again when it is not."""

    state = QUANTITY

    def _question(self, context: BotContext) -> str:
        commodity = _commodity(context)
        return _(
            "How much {produce} do you want to sell? Type the amount and unit, for example {example}."
        ).format(
            produce=_name(commodity),
            example=format_quantity(commodity.example, commodity.base_unit),
        )

    async def ask(self, update: Update, context: BotContext) -> str:
        await reply(update, self._question(context))
        return QUANTITY

    async def on_text(self, update: Update, context: BotContext) -> str:
        commodity = _commodity(context)
        try:
            quantity = parse_quantity(update.effective_message.text, commodity)
        except QuantityRefused as refused:
            await reply(
                update, _refusal(refused.reason, commodity) + "\n" + self._question(context)
            )
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


def _refusal(reason: str, commodity: Commodity) -> str:
    return gettext(REASONS[reason]).format(
        commodity=_name(commodity),
        unit=unit_name(commodity.base_unit),
        example=format_quantity(commodity.example, commodity.base_unit),
        maximum=format_quantity(commodity.max_per_offer, commodity.base_unit),
    )


QUANTITY_STEP = QuantityStep()


# --- ready day -----------------------------------------------------------------------------------


def _day_label(context: BotContext, days: int) -> str:
    if days == 0:
        return _("Today")
    if days == 1:
        return _("Tomorrow")
    return format_date(_today(context) + timedelta(days=days), context.person.timezone)


async def _day_chosen(update: Update, context: BotContext, days: str) -> str:
    draft = OfferDraft.load(context)
    draft.ready_in_days = int(days)
    price = await prices.price_in_force(
        context.db,
        need(draft.commodity),
        need(draft.grade),
        context.person.village_code,
        datetime.now().astimezone(),
    )
    if price is None:
        return await _no_price(update, context)
    draft.price_id = price.id
    draft.save(context)
    return await CONFIRM_STEP.ask(update, context)


DAY_STEP = Choice(
    DAY, DAY_BUTTONS, lambda: _("When is it ready for pickup?"),
    lambda context: [(_day_label(context, d), str(d)) for d in range(DAYS_AHEAD)], _day_chosen, OfferDraft,
)  # fmt: skip


# --- summary and saving ------------------------------------------------------------------------------


async def _summary(context: BotContext) -> str:
    draft = OfferDraft.load(context)
    commodity = CATALOG[need(draft.commodity)]
    price = await prices.price_in_force(
        context.db,
        commodity.code,
        need(draft.grade),
        context.person.village_code,
        datetime.now().astimezone(),
    )
    place = regions.place(context.person.village_code)
    return _offer_text(
        _("Please check your offer:"), commodity, need(draft.grade), Decimal(need(draft.quantity)),
        need(draft.unit), Decimal(need(draft.amount)), need(price).price_rupiah,
        _today(context) + timedelta(days=need(draft.ready_in_days)), place, context.person.timezone,
    ) + "\n\n" + _("Is this right?")  # fmt: skip


def _offer_text(title: str, commodity: Commodity, grade: str, quantity: Decimal, unit: str, amount: Decimal,
                price: int, ready: date, place: regions.Place, timezone: str) -> str:  # fmt: skip
    produce = (
        _name(commodity)
        if grade == NO_GRADE
        else f"{_name(commodity)}, {gettext(commodity.grade(grade).label)}"
    )
    typed = format_quantity(amount, unit)
    whole = format_quantity(quantity, commodity.base_unit)
    return "\n".join([
        title,
        _("Produce: {produce}").format(produce=produce),
        _("Amount: {amount}").format(amount=typed if typed == whole else f"{typed} ({whole})"),
        _("Cooperative's buying price: {price} per {unit}").format(price=format_money(price), unit=unit_name(commodity.base_unit)),
        _("Estimated total: {total}").format(total=format_money(amount_rupiah(price, quantity))),
        _("Ready for pickup: {date}").format(date=format_date(ready, timezone)),
        _("Pickup at: {village}, {district}, {regency}").format(village=place.village, district=place.district, regency=place.regency),
    ])  # fmt: skip


async def _no_price(update: Update, context: BotContext) -> int:
    OfferDraft.drop(context)
    await reply(
        update,
        _(
            "The cooperative has no buying price for this produce in your village now. Nothing was saved."
        ),
    )
    return END


@writes("offer.create")
async def save(update: Update, context: BotContext) -> int:
    draft = OfferDraft.load(context)
    new = NewOffer(
        commodity=need(draft.commodity), grade=need(draft.grade), quantity=Decimal(need(draft.quantity)),
        typed_amount=Decimal(need(draft.amount)), typed_unit=need(draft.unit),
        ready_on=_today(context) + timedelta(days=need(draft.ready_in_days)),
    )  # fmt: skip
    try:
        offer = await context.db.write(offers.create, context.person.id, new, need(draft.price_id))
    except NoPrice:
        return await _no_price(update, context)
    except offers.PriceChanged:
        await reply(update, _("The cooperative's price changed a moment ago. Please check again."))
        return await _day_chosen(update, context, str(draft.ready_in_days))
    OfferDraft.drop(context)
    until = datetime.fromtimestamp(offer.guaranteed_until).astimezone(
        ZoneInfo(context.person.timezone)
    )
    await reply(update, _("Your offer is saved. Its number is {number}.\nThe price is guaranteed until {date}.\nA coordinator will contact you to agree the pickup. Send /tawaran to follow it.").format(
        number=offer.number, date=format_date(until, context.person.timezone)
    ))  # fmt: skip
    await alerts.new_offer(context, offer)
    return END


async def change(update: Update, context: BotContext) -> str:
    OfferDraft(offered=[p.commodity for p in await _prices(context)]).save(context)
    await reply(update, _("Let us go through it again."))
    return await PRODUCE_STEP.ask(update, context)


CONFIRM_STEP = Confirm(CONFIRM, _summary, save, change)


def conversation_handler() -> ConversationHandler:
    entry = CommandHandler("jual", start)
    return conversation(
        "offer", "jual", entry_points=[entry],
        steps=[PRODUCE_STEP, GRADE_STEP, QUANTITY_STEP, DAY_STEP, CONFIRM_STEP],
        states={PRODUCE: [MessageHandler(TEXT, _produce_typed)]}, cancel=cancel,
    )  # fmt: skip


# --- /tawaran -------------------------------------------------------------------------------------------


@for_command("tawaran")
async def show_offers(update: Update, context: BotContext) -> None:
    mine = await offers.of_farmer(context.db, context.person.id)
    if not mine:
        await reply(update, _("You have no offers yet. Send /jual to sell your harvest."))
        return
    lines = [_("Your offers:")]
    rows = []
    for offer in mine:
        commodity = CATALOG[offer.commodity]
        lines.append(_("{number}: {amount} {produce}, {price} per {unit} — {status}").format(
            number=offer.number, amount=format_quantity(Decimal(offer.quantity), commodity.base_unit),
            produce=_name(commodity), price=format_money(offer.price_rupiah),
            unit=unit_name(commodity.base_unit), status=gettext(STATUS_LABELS[offer.status]),
        ))  # fmt: skip
        if offer.status is Status.OPEN:
            rows.append(
                [
                    WITHDRAW_BUTTONS.button(
                        _("Cancel {number}").format(number=offer.number), str(offer.id)
                    )
                ]
            )
    await reply(update, "\n".join(lines), keyboard(rows) if rows else None)


@for_command("tawaran")
@writes("offer.cancel")
async def withdraw(update: Update, context: BotContext) -> None:
    offer_id = int(WITHDRAW_BUTTONS.value(update))
    try:
        offer = await context.db.write(offers.cancel, offer_id, context.person.id)
    except OfferActionRefused:
        await refuse_button(update)
        return
    await update.callback_query.answer()
    await reply(update, _("Offer {number} is cancelled.").format(number=offer.number))
    await alerts.offer_closed(context, offer)
