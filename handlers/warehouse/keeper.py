"""/gudang: the stock of the person's warehouses by commodity × grade (kilos and cost), the
pickups on their way in, and the keeper's work on a stock line: drying or processing with
its yield (rendemen), sorting into another grade, a loss with its reason."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from telegram import Update
from telegram.ext import ConversationHandler, MessageHandler

from bot.context import BotContext
from bot.i18n import _, format_money, format_quantity, gettext, unit_name
from domain import stock as rules
from domain.people import InvalidInput
from domain.produce import CATALOG, NO_GRADE
from handlers.kit import (
    END,
    TEXT,
    Choice,
    Confirm,
    Draft,
    Step,
    Typed,
    answer_query,
    conversation,
    for_command,
    keyboard,
    need,
    refuse_button,
    reply,
    stored_in,
    writes,
)
from handlers.menus import cancel
from handlers.warehouse.common import (
    ARRIVE_ALL_BUTTONS,
    ARRIVE_BUTTONS,
    LINE_BUTTONS,
    OUT_GRADE_BUTTONS,
    WORK_BUTTONS,
    amount,
    held_line,
    keeps,
    line_value,
    parse_line,
    percent,
    produce,
    read_quantity,
    refused_quantity,
)
from handlers.wording import produce_name
from storage import stock

ACTION, OUT_GRADE, QUANTITY_IN, QUANTITY_OUT, FEE, REASON, CONFIRM = (
    "stock_action", "stock_out_grade", "stock_in", "stock_out", "stock_fee", "stock_reason",
    "stock_confirm",
)  # fmt: skip
Kind = rules.MoveKind

# --- /gudang ----------------------------------------------------------------------------


@for_command("gudang")
async def show_warehouse(update: Update, context: BotContext) -> None:
    person = context.person
    places = await stock.kept_by(context.db, person.id, person.org_id, person.roles)
    kept = [p for p in places if keeps(p, context)]
    lines, rows = [], []
    held = await stock.on_hand(context.db, [person.org_id]) if kept else []
    for place in kept:
        lines.append(_("🏠 {warehouse}").format(warehouse=place.name))
        mine = [h for h in held if h.warehouse_id == place.id]
        lines += [held_line(h) for h in mine] or [_("Empty.")]
        rows += [
            [LINE_BUTTONS.button(_line_label(h, place), line_value(place.id, h.commodity, h.grade))]
            for h in mine
        ]  # fmt: skip
    way = await stock.on_the_way(context.db, person.id, person.org_id, person.roles)
    if way:
        lines += ["", _("Picked up, not in a warehouse yet:")]
        for p in way:
            lines.append(_("{number}: {amount}, {name}").format(
                number=p.offer_number, amount=amount(p.quantity, p.commodity, p.grade), name=p.farmer_name))  # fmt: skip
            rows.append([ARRIVE_BUTTONS.button(
                _("📦 In the warehouse: {number}").format(number=p.offer_number), str(p.offer_id))])  # fmt: skip
        kinds = Counter((p.commodity, p.grade) for p in way)
        rows += [
            [ARRIVE_ALL_BUTTONS.button(
                _("📦 All {count} of {produce} in the warehouse").format(count=n, produce=produce(c, g)),
                f"{c}.{g}")]
            for (c, g), n in kinds.items() if n > 1
        ]  # fmt: skip
    if not places:
        await reply(update, _("Your cooperative has no warehouse in the bot yet. Please ask the administrator to add one."))  # fmt: skip
        return
    if not lines:
        await reply(update, _("No pickup of yours waits to go to a warehouse."))
        return
    if rows:
        lines += ["", _("Tap a ⚙️ button to record drying, sorting or a loss.") if kept else _("Tap 📦 once it is in the warehouse.")]  # fmt: skip
    await reply(update, "\n".join(lines).strip(), keyboard(rows) if rows else None)


def _line_label(held: stock.OnHand, place: stock.Warehouse) -> str:
    """``⚙️ Gabah GKP · Gudang Kujon`` (the grade's code: labels are too long for a button)."""
    grade = "" if held.grade == NO_GRADE else f" {held.grade}"
    return f"⚙️ {produce_name(CATALOG[held.commodity])}{grade} · {place.name}"


# --- the keeper's work on a stock line ---------------------------------------------------


@dataclass
class WorkDraft(Draft):
    key = "stock_work"
    warehouse_id: int | None = None
    commodity: str | None = None
    grade: str | None = None
    kind: str | None = None
    out_grade: str | None = None
    quantity_in: str | None = None
    quantity_out: str | None = None
    reason: str | None = None
    fee: int | None = None  # rupiah paid in cash for drying or processing
    offered: list[str] | None = None


async def _line(context: BotContext) -> tuple[stock.Warehouse, Decimal] | None:
    """The draft's warehouse and what its line holds now, when the person keeps it."""
    draft = WorkDraft.load(context)
    place = await stock.warehouse(context.db, need(draft.warehouse_id))
    if place is None or not keeps(place, context):
        return None
    batches = await stock.available(context.db, place.org_id, need(draft.commodity), need(draft.grade), place.id)  # fmt: skip
    held = sum((b.quantity for b in batches), rules.ZERO)
    return (place, held) if held > 0 else None


async def start_work(update: Update, context: BotContext) -> str | int:
    found = parse_line(LINE_BUTTONS.value(update))
    if found is None or CATALOG.get(found[1]) is None:
        await refuse_button(update)
        return END
    WorkDraft(warehouse_id=found[0], commodity=found[1], grade=found[2]).save(context)
    if await _line(context) is None:  # another keeper's, another cooperative's, or empty now
        WorkDraft.drop(context)
        await refuse_button(update)
        return END
    await answer_query(update)
    return await ACTION_STEP.ask(update, context)


def _other_grades(commodity: str, grade: str) -> list:
    return [g for g in CATALOG[commodity].grades if g.code not in (grade, NO_GRADE)]


def _actions(context: BotContext) -> list[tuple[str, str]]:
    draft = WorkDraft.load(context)
    commodity, grade = need(draft.commodity), need(draft.grade)
    options = []
    if _other_grades(commodity, grade):
        options.append((_("☀️ Drying (another grade)"), Kind.DRYING.value))
    made = rules.PROCESSED_INTO.get(commodity)
    if made and CATALOG.get(made):
        options.append((_("🏭 Processing into {produce}").format(produce=produce_name(CATALOG[made]).lower()), Kind.PROCESSING.value))  # fmt: skip
    if _other_grades(commodity, grade):
        options.append((_("🔀 Sorting into another grade"), Kind.SORTING.value))
    options.append((_("📉 Loss (rats, rot, spilled)"), Kind.LOSS.value))
    return options


class ActionStep(Choice):
    async def text(self, context: BotContext) -> str:
        draft = WorkDraft.load(context)
        place, held = need(await _line(context))
        return _("{warehouse} holds {amount}. Choose what happened to it.").format(
            warehouse=place.name, amount=amount(held, need(draft.commodity), need(draft.grade)))  # fmt: skip


async def _action_chosen(update: Update, context: BotContext, value: str) -> str:
    draft = WorkDraft.load(context)
    draft.kind = value
    draft.save(context)
    if value == Kind.LOSS.value:
        return await QUANTITY_IN_STEP.ask(update, context)
    made = rules.output_commodity(Kind(value), need(draft.commodity))
    if not CATALOG[made].graded:
        return await _grade_chosen(update, context, NO_GRADE)
    return await OUT_GRADE_STEP.ask(update, context)


ACTION_STEP = ActionStep(ACTION, WORK_BUTTONS, lambda: "", _actions, _action_chosen, WorkDraft)


def _out_grades(context: BotContext) -> list[tuple[str, str]]:
    draft = WorkDraft.load(context)
    kind = Kind(need(draft.kind))
    made = rules.output_commodity(kind, need(draft.commodity))
    grades = CATALOG[made].grades if kind is Kind.PROCESSING else _other_grades(made, need(draft.grade))  # fmt: skip
    return [(gettext(g.label), g.code) for g in grades if g.code != NO_GRADE]


async def _grade_chosen(update: Update, context: BotContext, value: str) -> str:
    draft = WorkDraft.load(context)
    draft.out_grade = value
    draft.save(context)
    return await QUANTITY_IN_STEP.ask(update, context)


OUT_GRADE_STEP = Choice(
    OUT_GRADE,
    OUT_GRADE_BUTTONS,
    lambda: _("Which grade is it after that?"),
    _out_grades,
    _grade_chosen,
    WorkDraft,
)


class QuantityStep(Step):
    """A typed amount of the stock line: what goes in (or is lost), then what came out."""

    def __init__(self, state: str, field: str) -> None:
        self.state, self.field = state, field

    async def _question(self, context: BotContext) -> str:
        draft = WorkDraft.load(context)
        kind = Kind(need(draft.kind))
        commodity, grade = need(draft.commodity), need(draft.grade)
        if self.field == "quantity_out":
            made = rules.output_commodity(kind, commodity)
            return _("How much {produce} came out? It was {amount} before. Type the weight, for example 850.").format(
                produce=produce(made, need(draft.out_grade)),
                amount=format_quantity(Decimal(need(draft.quantity_in)), CATALOG[commodity].base_unit))  # fmt: skip
        _place, held = need(await _line(context))
        question = {
            Kind.DRYING: _("How much {produce} went into the drying? The warehouse holds {amount}."),
            Kind.PROCESSING: _("How much {produce} went into processing? The warehouse holds {amount}."),
            Kind.SORTING: _("How much {produce} is sorted into the other grade? The warehouse holds {amount}."),
            Kind.LOSS: _("How much {produce} was lost? The warehouse holds {amount}."),
        }[kind]  # fmt: skip
        return question.format(produce=produce(commodity, grade), amount=format_quantity(held, CATALOG[commodity].base_unit))  # fmt: skip

    async def ask(self, update: Update, context: BotContext) -> str:
        await reply(update, await self._question(context))
        return self.state

    async def on_text(self, update: Update, context: BotContext) -> str | int:
        draft = WorkDraft.load(context)
        line = await _line(context)
        if line is None:
            return await _gone(update, context)
        try:
            typed = read_quantity(update.effective_message.text, need(draft.commodity))
            if self.field == "quantity_in" and typed > line[1]:
                raise rules.StockRefused("stock.not_enough")
            if self.field == "quantity_out":
                rules.yield_of(Decimal(need(draft.quantity_in)), typed)
        except InvalidInput as exc:
            await refused_quantity(
                update, exc, need(draft.commodity), await self._question(context)
            )
            return self.state
        setattr(draft, self.field, rules.text(typed))
        draft.save(context)
        kind = Kind(need(draft.kind))
        if self.field == "quantity_in" and kind in (Kind.DRYING, Kind.PROCESSING):
            return await QUANTITY_OUT_STEP.ask(update, context)
        if kind is Kind.LOSS:
            return await REASON_STEP.ask(update, context)
        if kind in (Kind.DRYING, Kind.PROCESSING):
            return await FEE_STEP.ask(update, context)
        return await CONFIRM_STEP.ask(update, context)

    def handlers(self) -> list:
        return [MessageHandler(TEXT, self.on_text)]


QUANTITY_IN_STEP = QuantityStep(QUANTITY_IN, "quantity_in")
QUANTITY_OUT_STEP = QuantityStep(QUANTITY_OUT, "quantity_out")


FEE_STEP = Typed(
    FEE, lambda: _("Was a fee paid in cash for it? Type the amount, for example 150.000, or 0 if none."),
    rules.parse_fee, stored_in(WorkDraft, "fee", lambda: CONFIRM_STEP),
    reasons={r: (lambda r=r: gettext(rules.REASONS[r])) for r in ("stock.fee", "stock.fee_too_high")},
)  # fmt: skip

REASON_STEP = Typed(
    REASON,
    lambda: _("Why was it lost? Type a few words, for example: dimakan tikus."),
    rules.check_reason,
    stored_in(WorkDraft, "reason", lambda: CONFIRM_STEP),
    reasons={"stock.reason": lambda: gettext(rules.REASONS["stock.reason"])},
)


async def _summary(context: BotContext) -> str:
    draft = WorkDraft.load(context)
    place, _held = need(await _line(context))
    kind = Kind(need(draft.kind))
    commodity, grade = need(draft.commodity), need(draft.grade)
    taken = Decimal(need(draft.quantity_in))
    if kind is Kind.LOSS:
        lines = [
            _("Please check the loss at {warehouse}:").format(warehouse=place.name),
            _("Lost: {amount}").format(amount=amount(taken, commodity, grade)),
            _("Reason: {reason}").format(reason=need(draft.reason)),
        ]
    elif kind is Kind.SORTING:
        lines = [
            _("Please check the sorting at {warehouse}:").format(warehouse=place.name),
            _("From: {amount}").format(amount=amount(taken, commodity, grade)),
            _("Into: {produce}").format(produce=produce(commodity, need(draft.out_grade))),
        ]
    else:
        made = rules.output_commodity(kind, commodity)
        out = Decimal(need(draft.quantity_out))
        lines = [
            (_("Please check the drying at {warehouse}:") if kind is Kind.DRYING else _("Please check the processing at {warehouse}:")).format(warehouse=place.name),
            _("In: {amount}").format(amount=amount(taken, commodity, grade)),
            _("Out: {amount}").format(amount=amount(out, made, need(draft.out_grade))),
            _("Yield (rendemen): {percent}").format(percent=percent(out / taken)),
        ]  # fmt: skip
        if draft.fee:
            lines.append(_("Fee paid in cash: {fee}").format(fee=format_money(draft.fee)))
    return "\n".join([*lines, "", _("Is this right?")])


async def _gone(update: Update, context: BotContext) -> int:
    WorkDraft.drop(context)
    await reply(update, _("That stock is no longer there. Nothing was saved. Send /gudang to see it now."))  # fmt: skip
    return END


@writes("stock.work")
async def save_work(update: Update, context: BotContext) -> int:
    draft = WorkDraft.load(context)
    person = context.person
    kind = Kind(need(draft.kind))
    common = (need(draft.warehouse_id), person.id, person.org_id, person.roles)
    commodity, grade = need(draft.commodity), need(draft.grade)
    taken = Decimal(need(draft.quantity_in))
    try:
        if kind is Kind.LOSS:
            loss = await context.db.write(stock.lose, *common, commodity, grade, taken, need(draft.reason))  # fmt: skip
        else:
            out = Decimal(need(draft.quantity_out)) if draft.quantity_out else None
            made = await context.db.write(
                stock.transform, *common, kind, commodity, grade, taken, need(draft.out_grade), out,
                draft.fee or 0)  # fmt: skip
    except (stock.NotEnoughStock, stock.NotYours, rules.StockRefused):
        return await _gone(update, context)
    WorkDraft.drop(context)
    if kind is Kind.LOSS:
        text = _("Saved. {amount} is written off: {cost}.").format(
            amount=amount(loss.quantity, commodity, grade), cost=format_money(loss.cost_rupiah))  # fmt: skip
    elif kind is Kind.SORTING:
        text = _("Saved. {amount} is now {grade}.").format(
            amount=amount(made.quantity_out, commodity, grade), grade=gettext(CATALOG[commodity].grade(made.out_grade).label))  # fmt: skip
    else:
        per_unit = rules.cost_per_unit(made.cost_rupiah, made.quantity_out)
        text = "\n".join([
            _("Saved. {amount} is in the warehouse.").format(amount=amount(made.quantity_out, made.out_commodity, made.out_grade)),
            _("Yield (rendemen): {percent}").format(percent=percent(made.yield_fraction)),
            _("Cost now: {cost} per {unit}").format(cost=format_money(per_unit), unit=unit_name(CATALOG[made.out_commodity].base_unit)),
        ])  # fmt: skip
    await reply(update, text)
    return END


async def change(update: Update, context: BotContext) -> str:
    return await ACTION_STEP.ask(update, context)


CONFIRM_STEP = Confirm(CONFIRM, _summary, save_work, change)


def work_conversation() -> ConversationHandler:
    return conversation(
        "stock_work", "gudang", entry_points=[LINE_BUTTONS.handler(start_work)],
        steps=[ACTION_STEP, OUT_GRADE_STEP, QUANTITY_IN_STEP, QUANTITY_OUT_STEP, FEE_STEP, REASON_STEP, CONFIRM_STEP],
        cancel=cancel,
    )  # fmt: skip
