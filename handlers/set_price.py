"""/setharga: an administrator sets the cooperative's buying price from the phone.

produce (buttons, or its name typed) → grade (skipped where there is one; each with the
price in force) → area (the cooperative's own areas; skipped where there is one) → the new
price, typed as people write money → a summary with the old price beside the new → saved as
a new version from now. Offers already made keep the price they locked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial

from telegram import Update
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler

from bot.context import BotContext
from bot.i18n import _, format_money, gettext, unit_name
from domain import N_, regions
from domain.money import check_price, parse_rupiah
from domain.people import InvalidInput, short_text
from domain.produce import CATALOG, Commodity
from handlers import produce_pick
from handlers.kit import (
    END,
    TEXT,
    Buttons,
    Choice,
    Confirm,
    Draft,
    Step,
    Typed,
    conversation,
    keyboard,
    need,
    reply,
    start_over,
    stored_in,
    writes,
)
from handlers.menus import cancel
from handlers.wording import produce_with_grade
from storage import orgs, prices

KIND, PRODUCE, GRADE, AREA, AMOUNT, SOURCE, CONFIRM = (
    "setprice.kind",
    "setprice.produce",
    "setprice.grade",
    "setprice.area",
    "setprice.amount",
    "setprice.source",
    "setprice.confirm",
)
KIND_BUTTONS = Buttons("hjenis", value=r"[a-z]", max_length=9)
KIND_LABELS = {
    prices.BUYING: N_("💰 The cooperative's buying price"),
    prices.REFERENCE: N_("🏛 Government purchase price (HPP)"),
    prices.MARKET: N_("🏪 Market price"),
}
PRODUCE_BUTTONS = Buttons("hprd", value=r"[a-z0-9_]", max_length=16)
GRADE_BUTTONS = Buttons("hgrd", value=r"[A-Za-z0-9_+-]", max_length=8)
AREA_BUTTONS = Buttons("harea", value=r"[0-9.a]", max_length=13)
TELL_BUTTONS = Buttons("kabar", value=r"[0-9]", max_length=12)
EVERYWHERE = "all"  # the area button for '' (every village), when the cooperative is the root


@dataclass
class PriceDraft(Draft):
    key = "set_price"
    kind: str = prices.BUYING
    source: str | None = None  # typed for HPP and market prices; the cooperative's own: its name
    commodity: str | None = None
    grade: str | None = None
    area: str | None = None  # a Kemendagri code prefix, '' for everywhere
    price: int | None = None
    offered: list[str] | None = None


def _commodity(context: BotContext) -> Commodity:
    return CATALOG[need(PriceDraft.load(context).commodity)]


def area_name(prefix: str) -> str:
    if not prefix:
        return _("every area")
    region = regions.region(prefix)
    return region.name if region else prefix


async def _areas(context: BotContext) -> list[str]:
    """Where this administrator's cooperative buys: its coverage; everywhere for the root."""
    covered = await orgs.coverage(context.db, context.person.org_id)
    return covered if covered else [""]


async def _now_price(context: BotContext, commodity: str, grade: str, area: str) -> int | None:
    found = await prices.price_in_force(
        context.db,
        commodity,
        grade,
        area,
        datetime.now().astimezone(),
        PriceDraft.load(context).kind,
    )
    return found.price_rupiah if found else None


# --- produce, grade, area -----------------------------------------------------------------


async def start(update: Update, context: BotContext) -> str:
    PriceDraft().save(context)
    return await KIND_STEP.ask(update, context)


async def _kind_chosen(update: Update, context: BotContext, kind: str) -> str:
    PriceDraft(kind=kind).save(context)
    return await PRODUCE_STEP.ask(update, context)


KIND_STEP = Choice(
    KIND, KIND_BUTTONS, lambda: _("Which price do you want to set?"),
    lambda context: [(gettext(label), kind) for kind, label in KIND_LABELS.items()], _kind_chosen, PriceDraft,
)  # fmt: skip


async def _produce_chosen(
    update: Update, context: BotContext, code: str, grade: str | None = None
) -> str:
    draft = PriceDraft.load(context)
    draft.commodity = code
    draft.save(context)
    commodity = CATALOG[code]
    if grade or not commodity.graded:
        return await _grade_chosen(update, context, grade or commodity.grades[0].code)
    return await GRADE_STEP.ask(update, context)


PRODUCE_STEP = Choice(
    PRODUCE, PRODUCE_BUTTONS, lambda: _("Which produce is the price for? Tap it, or type its name."),
    produce_pick.options(PriceDraft), _produce_chosen, PriceDraft,
)  # fmt: skip
_produce_typed = produce_pick.typed(PriceDraft, lambda: PRODUCE_STEP, _produce_chosen)


class GradeChoice(Choice):
    """The grades with the price in force in the cooperative's first area."""

    async def text(self, context: BotContext) -> str:
        commodity = _commodity(context)
        area = (await _areas(context))[0]
        lines = [_("Which grade? The price now in {area}, per {unit}:").format(
            area=area_name(area), unit=unit_name(commodity.base_unit))]  # fmt: skip
        for grade in commodity.grades:
            now = await _now_price(context, commodity.code, grade.code, area)
            shown = format_money(now) if now else _("no price")
            lines.append(f"{gettext(grade.label)}: {shown}")
        return "\n".join(lines)


async def _grade_chosen(update: Update, context: BotContext, grade: str) -> str:
    draft = PriceDraft.load(context)
    draft.grade = grade
    draft.save(context)
    areas = await _areas(context)
    if len(areas) == 1:
        return await _area_chosen(update, context, areas[0] or EVERYWHERE)
    return await AREA_STEP.ask(update, context)


GRADE_STEP = GradeChoice(
    GRADE, GRADE_BUTTONS, lambda: "",
    lambda context: [(gettext(g.label), g.code) for g in _commodity(context).grades],
    _grade_chosen, PriceDraft,
)  # fmt: skip


async def _area_chosen(update: Update, context: BotContext, value: str) -> str:
    draft = PriceDraft.load(context)
    draft.area = "" if value == EVERYWHERE else value
    draft.save(context)
    return await AMOUNT_STEP.ask(update, context)


class AreaChoice(Choice):
    async def ask(self, update: Update, context: BotContext, page: int = 0) -> str:
        draft = PriceDraft.load(context)
        draft.offered = [a or EVERYWHERE for a in await _areas(context)]
        draft.save(context)
        return await super().ask(update, context, page)


AREA_STEP = AreaChoice(
    AREA, AREA_BUTTONS, lambda: _("For which area?"),
    lambda context: [(area_name("" if a == EVERYWHERE else a), a) for a in PriceDraft.load(context).offered or []],
    _area_chosen, PriceDraft,
)  # fmt: skip


# --- the price and the summary ------------------------------------------------------------


class AmountStep(Step):
    """The new price per base unit, as people write money (``6.800``, ``Rp6.800``, ``6,8 rb``)."""

    state = AMOUNT

    def _question(self, context: BotContext) -> str:
        commodity = _commodity(context)
        return _("Type the new price per {unit}, for example {example}.").format(
            unit=unit_name(commodity.base_unit), example=format_money(6500)
        )

    async def ask(self, update: Update, context: BotContext) -> str:
        await reply(update, self._question(context))
        return AMOUNT

    async def on_text(self, update: Update, context: BotContext) -> str:
        try:
            price = check_price(
                parse_rupiah(update.effective_message.text), _commodity(context).base_unit
            )
        except InvalidInput as refused:
            reason = produce_pick.price_refusal(refused.reason, _commodity(context).base_unit)
            await reply(update, reason + "\n" + self._question(context))
            return AMOUNT
        draft = PriceDraft.load(context)
        draft.price = price
        draft.save(context)
        if draft.kind != prices.BUYING:
            return await SOURCE_STEP.ask(update, context)
        return await CONFIRM_STEP.ask(update, context)

    def handlers(self) -> list:
        return [MessageHandler(TEXT, self.on_text)]


AMOUNT_STEP = AmountStep()


SOURCE_STEP = Typed(
    SOURCE, lambda: _("Where is this price from? For example: Perbadan 2025, Pasar Induk Klaten."),
    partial(short_text, low=3, high=80, reason="setprice.source"), stored_in(PriceDraft, "source", lambda: CONFIRM_STEP),
    reasons={"setprice.source": lambda: _("Type the source in 3 to 80 letters.")},
)  # fmt: skip


async def _summary(context: BotContext) -> str:
    draft = PriceDraft.load(context)
    commodity = _commodity(context)
    unit = unit_name(commodity.base_unit)
    old = await _now_price(context, commodity.code, need(draft.grade), need(draft.area))
    lines = [
        _("Please check the new price:"),
        _("Kind: {kind}").format(kind=gettext(KIND_LABELS[draft.kind])),
        _("Produce: {produce}").format(produce=produce_with_grade(commodity, need(draft.grade))),
        _("Area: {area}").format(area=area_name(need(draft.area))),
        _("Price now: {price} per {unit}").format(price=format_money(old), unit=unit)
        if old
        else _("Price now: none"),
        _("New price: {price} per {unit}, from now on").format(
            price=format_money(need(draft.price)), unit=unit
        ),
        *([_("Source: {source}").format(source=draft.source)] if draft.source else []),
        *([_("Offers already made keep their price.")] if draft.kind == prices.BUYING else []),
    ]
    return "\n".join(lines) + "\n\n" + _("Is this right?")


@writes("price.set")
async def save(update: Update, context: BotContext) -> int:
    draft = PriceDraft.load(context)
    commodity = _commodity(context)
    try:
        price = await context.db.write(
            prices.set_price, commodity=commodity.code, grade=need(draft.grade), area_prefix=need(draft.area),
            price_rupiah=need(draft.price), valid_from=datetime.now().astimezone(), set_by=context.person.id,
            source=draft.source or (await orgs.by_id(context.db, context.person.org_id)).name,
            kind=draft.kind,
        )  # fmt: skip
    except InvalidInput as refused:
        PriceDraft.drop(context)
        await reply(update, produce_pick.price_refusal(refused.reason, commodity.base_unit))
        return END
    PriceDraft.drop(context)
    tell = (
        keyboard([[TELL_BUTTONS.button(_("📣 Send it to the subscribers now"), str(price.id))]])
        if price.kind == prices.BUYING
        else None
    )
    saved = (
        _("Saved. Farmers in {area} now see {price} per {unit} for {produce}.")
        if draft.kind == prices.BUYING
        else _(
            "Saved: {price} per {unit} for {produce} in {area}. /harga shows it beside the cooperative's price."
        )
    )
    await reply(update, saved.format(
        area=area_name(need(draft.area)), price=format_money(need(draft.price)),
        unit=unit_name(commodity.base_unit), produce=produce_with_grade(commodity, need(draft.grade)),
    ), tell)  # fmt: skip
    return END


change = start_over(KIND_STEP, lambda _context: PriceDraft())


CONFIRM_STEP = Confirm(CONFIRM, _summary, save, change)


def conversation_handler() -> ConversationHandler:
    return conversation(
        "set_price", "setharga", entry_points=[CommandHandler("setharga", start)],
        steps=[KIND_STEP, PRODUCE_STEP, GRADE_STEP, AREA_STEP, AMOUNT_STEP, SOURCE_STEP, CONFIRM_STEP],
        states={PRODUCE: [MessageHandler(TEXT, _produce_typed)]}, cancel=cancel,
    )  # fmt: skip
