"""/butuh ➕: an administrator opens a buying window from the phone.

produce (buttons, or its name typed) → grade, or any (skipped where there is one) → area (the
cooperative's own areas; skipped where there is one) → the volume needed, as people write it
("5 ton") → the price per unit (the buying price in force there is shown) → the last day
(buttons, or a date typed) → a summary → saved. Farmers see it at once in /harga and /jual.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from telegram import Update
from telegram.ext import ConversationHandler, MessageHandler

from bot.context import BotContext
from bot.i18n import _, format_date, format_money, format_quantity, gettext, unit_name
from domain import regions
from domain import windows as rules
from domain.money import check_price, max_price, parse_rupiah
from domain.people import InvalidInput
from domain.produce import CATALOG, Commodity
from domain.quantity import PRICE_REASONS
from handlers import produce_pick
from handlers.kit import (
    END,
    TEXT,
    Buttons,
    Choice,
    Confirm,
    Draft,
    Step,
    conversation,
    day_value,
    need,
    parse_day,
    reply,
    start_over,
    today,
    writes,
)
from handlers.menus import cancel
from handlers.set_price import area_name
from handlers.wording import produce_name, produce_with_grade
from storage import orgs, prices, windows

PRODUCE, GRADE, AREA, TARGET, PRICE, UNTIL, CONFIRM = (
    "window.produce",
    "window.grade",
    "window.area",
    "window.target",
    "window.price",
    "window.until",
    "window.confirm",
)
OPEN_BUTTONS = Buttons("bbuka", value=r"[a-z]", max_length=3)
PRODUCE_BUTTONS = Buttons("bprd", value=r"[a-z0-9_]", max_length=16)
GRADE_BUTTONS = Buttons("bgrd", value=r"[A-Za-z0-9_+-]", max_length=8)
AREA_BUTTONS = Buttons("barea", value=r"[0-9.a]", max_length=13)
UNTIL_BUTTONS = Buttons("bhari", value=r"[0-9]", max_length=8)
ANY, EVERYWHERE = "any", "all"  # the values of "any grade" and of '' (the root's everywhere)
UNTIL_DAYS = (3, 7, 14, 30)  # the last-day buttons, from today


@dataclass
class WindowDraft(Draft):
    key = "window_open"
    commodity: str | None = None
    grade: str | None = None  # '' any
    area: str | None = None  # '' everywhere
    target: str | None = None  # base units, exact decimal
    unit: str | None = None  # the unit it reads in
    price: int | None = None
    until: str | None = None  # YYYYMMDD, the last day
    areas: list[str] | None = None  # the cooperative's areas, offered at the area question
    offered: list[str] | None = None


def _commodity(context: BotContext) -> Commodity:
    return CATALOG[need(WindowDraft.load(context).commodity)]


def _zone(context: BotContext) -> str:
    """The deadline's zone: the area's (a cooperative's villages share one), else the
    administrator's own."""
    area = WindowDraft.load(context).area
    return regions.timezone_for(area) if area else context.person.timezone


def _produce_line(commodity: Commodity, grade: str) -> str:
    if grade == rules.ANY_GRADE:
        return _("{produce}, any grade").format(produce=produce_name(commodity))
    return produce_with_grade(commodity, grade)


async def start(update: Update, context: BotContext) -> str:
    WindowDraft().save(context)
    if update.callback_query:
        await update.callback_query.answer()
    return await PRODUCE_STEP.ask(update, context)


# --- produce, grade, area ------------------------------------------------------------------


async def _produce_chosen(
    update: Update, context: BotContext, code: str, grade: str | None = None
) -> str:
    draft = WindowDraft.load(context)
    draft.commodity = code
    draft.save(context)
    if grade or not CATALOG[code].graded:
        return await _grade_chosen(update, context, grade or ANY)
    return await GRADE_STEP.ask(update, context)


PRODUCE_STEP = Choice(
    PRODUCE, PRODUCE_BUTTONS, lambda: _("Which produce does the cooperative need? Tap it, or type its name."),
    produce_pick.options(WindowDraft), _produce_chosen, WindowDraft,
)  # fmt: skip
_produce_typed = produce_pick.typed(WindowDraft, lambda: PRODUCE_STEP, _produce_chosen)


async def _grade_chosen(update: Update, context: BotContext, grade: str) -> str:
    draft = WindowDraft.load(context)
    draft.grade = rules.ANY_GRADE if grade == ANY else grade
    draft.save(context)
    draft.areas = await orgs.coverage(context.db, context.person.org_id) or [""]
    draft.save(context)
    if len(draft.areas) == 1:
        return await _area_chosen(update, context, draft.areas[0] or EVERYWHERE)
    return await AREA_STEP.ask(update, context)


GRADE_STEP = Choice(
    GRADE, GRADE_BUTTONS, lambda: _("Which grade is needed? Tap Any grade if every grade will do."),
    lambda context: [*((gettext(g.label), g.code) for g in _commodity(context).grades), (_("Any grade"), ANY)],
    _grade_chosen, WindowDraft,
)  # fmt: skip


async def _area_chosen(update: Update, context: BotContext, value: str) -> str:
    draft = WindowDraft.load(context)
    draft.area = "" if value == EVERYWHERE else value
    draft.save(context)
    return await TARGET_STEP.ask(update, context)


AREA_STEP = Choice(
    AREA, AREA_BUTTONS, lambda: _("From which area?"),
    lambda context: [(area_name(a), a or EVERYWHERE) for a in WindowDraft.load(context).areas or []],
    _area_chosen, WindowDraft,
)  # fmt: skip


# --- the volume, the price, the last day ------------------------------------------------------


class TargetStep(Step):
    """How much is needed, as people write it ("5 ton", "50 kuintal")."""

    state = TARGET

    def _question(self, context: BotContext) -> str:
        commodity = _commodity(context)
        return _("How much {produce} does the cooperative need? Type the amount and unit, for example {example}.").format(
            produce=produce_name(commodity).lower(), example=format_quantity(Decimal(5), "ton")
            if commodity.unit("ton") else format_quantity(commodity.example * 10, commodity.base_unit),
        )  # fmt: skip

    async def ask(self, update: Update, context: BotContext) -> str:
        await reply(update, self._question(context))
        return TARGET

    async def on_text(self, update: Update, context: BotContext) -> str:
        commodity = _commodity(context)
        try:
            target = rules.parse_target(update.effective_message.text, commodity)
        except InvalidInput as refused:
            reason = gettext(rules.REASONS[refused.reason]).format(
                example=format_quantity(Decimal(5), "ton")
                if commodity.unit("ton")
                else format_quantity(commodity.example, commodity.base_unit)
            )
            await reply(update, reason + "\n" + self._question(context))
            return TARGET
        draft = WindowDraft.load(context)
        draft.target = str(target.value)
        draft.unit = (
            target.unit if target.unit != commodity.base_unit
            else rules.display_unit(target.value, commodity).code
        )  # fmt: skip
        draft.save(context)
        return await PRICE_STEP.ask(update, context)

    def handlers(self) -> list:
        return [MessageHandler(TEXT, self.on_text)]


TARGET_STEP = TargetStep()


class PriceStep(Step):
    """The price per base unit; the buying price in force in the area is shown beside."""

    state = PRICE

    async def _question(self, context: BotContext) -> str:
        commodity = _commodity(context)
        draft = WindowDraft.load(context)
        unit = unit_name(commodity.base_unit)
        lines = [
            _("Type the price per {unit}, for example {example}.").format(
                unit=unit, example=format_money(6500)
            )
        ]
        if draft.grade:
            now = await prices.price_in_force(
                context.db,
                commodity.code,
                draft.grade,
                need(draft.area),
                datetime.now().astimezone(),
            )
            if now is not None:
                lines.insert(0, _("The cooperative's buying price there now: {price} per {unit}.").format(
                    price=format_money(now.price_rupiah), unit=unit))  # fmt: skip
        return "\n".join(lines)

    async def ask(self, update: Update, context: BotContext) -> str:
        await reply(update, await self._question(context))
        return PRICE

    async def on_text(self, update: Update, context: BotContext) -> str:
        unit = _commodity(context).base_unit
        try:
            price = check_price(parse_rupiah(update.effective_message.text), unit)
        except InvalidInput as refused:
            reason = produce_pick.price_refusal(refused.reason, unit)
            await reply(update, reason + "\n" + await self._question(context))
            return PRICE
        draft = WindowDraft.load(context)
        draft.price = price
        draft.save(context)
        return await UNTIL_STEP.ask(update, context)

    def handlers(self) -> list:
        return [MessageHandler(TEXT, self.on_text)]


PRICE_STEP = PriceStep()


def _until_options(context: BotContext) -> list[tuple[str, str]]:
    first = today(_zone(context))
    days = (first + timedelta(days=d) for d in UNTIL_DAYS)
    return [(format_date(day, _zone(context)), day_value(day)) for day in days]


async def _until_chosen(update: Update, context: BotContext, value: str) -> str:
    draft = WindowDraft.load(context)
    draft.until = value
    draft.save(context)
    return await CONFIRM_STEP.ask(update, context)


async def _until_typed(update: Update, context: BotContext) -> str:
    """A last day typed as 2026-12-20 instead of a button."""
    try:
        day = rules.check_deadline(
            rules.parse_day(update.effective_message.text), today(_zone(context))
        )
    except InvalidInput as refused:
        await reply(update, gettext(rules.REASONS[refused.reason]))
        return await UNTIL_STEP.ask(update, context)
    return await _until_chosen(update, context, day_value(day))


UNTIL_STEP = Choice(
    UNTIL, UNTIL_BUTTONS, lambda: _("Until which day? Tap a day, or type a date such as 2026-12-20."),
    _until_options, _until_chosen, WindowDraft,
)  # fmt: skip


# --- the summary ------------------------------------------------------------------------------


def _amount(context: BotContext) -> str:
    draft = WindowDraft.load(context)
    unit = _commodity(context).unit(need(draft.unit))
    return format_quantity(rules.in_unit(Decimal(need(draft.target)), unit), unit.code)


async def _summary(context: BotContext) -> str:
    draft = WindowDraft.load(context)
    commodity = _commodity(context)
    lines = [
        _("Please check the buying window:"),
        _("Produce: {produce}").format(produce=_produce_line(commodity, need(draft.grade))),
        _("Area: {area}").format(area=area_name(need(draft.area))),
        _("Needed: {amount}").format(amount=_amount(context)),
        _("Price: {price} per {unit}").format(price=format_money(need(draft.price)), unit=unit_name(commodity.base_unit)),
        _("Until: {date}").format(date=format_date(need(parse_day(draft.until)), _zone(context))),
    ]  # fmt: skip
    return "\n".join(lines) + "\n\n" + _("Is this right?")


@writes("window.open")
async def save(update: Update, context: BotContext) -> int:
    draft = WindowDraft.load(context)
    commodity = _commodity(context)
    try:
        window = await context.db.write(
            windows.open_window, org_id=context.person.org_id, commodity=commodity.code,
            grade=need(draft.grade), area_prefix=need(draft.area), target=Decimal(need(draft.target)),
            target_unit=need(draft.unit), price_rupiah=need(draft.price),
            deadline=rules.deadline_of(need(parse_day(draft.until)), _zone(context)),
            opened_by=context.person.id,
        )  # fmt: skip
    except InvalidInput as refused:
        WindowDraft.drop(context)
        text = rules.REASONS.get(refused.reason) or PRICE_REASONS.get(refused.reason, "")
        await reply(update, gettext(text).format(
            unit=unit_name(commodity.base_unit), most=format_money(max_price(commodity.base_unit)),
            example=_amount(context) if draft.target else "",
        ))  # fmt: skip
        return END
    WindowDraft.drop(context)
    await reply(update, _("Saved: need {number}. Farmers in {area} see it in /harga and when they sell. I will tell you when it closes.").format(
        number=window.number, area=area_name(window.area_prefix)))  # fmt: skip
    return END


change = start_over(PRODUCE_STEP, lambda _context: WindowDraft())


CONFIRM_STEP = Confirm(CONFIRM, _summary, save, change)


def conversation_handler() -> ConversationHandler:
    return conversation(
        "window_open", "butuh", entry_points=[OPEN_BUTTONS.handler(start)],
        steps=[PRODUCE_STEP, GRADE_STEP, AREA_STEP, TARGET_STEP, PRICE_STEP, UNTIL_STEP, CONFIRM_STEP],
        states={PRODUCE: [MessageHandler(TEXT, _produce_typed)], UNTIL: [MessageHandler(TEXT, _until_typed)]},
        cancel=cancel,
    )  # fmt: skip
