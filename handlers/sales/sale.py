"""➕ New sale (from /penjualan): buyer (buttons) → produce (typed) → grade (buttons, with
what is in stock) → quantity as people write it → price per unit → deliver by (a date) →
place → a summary → saved, with its lot allocated from stock oldest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from telegram import Update
from telegram.ext import ConversationHandler

from bot.context import BotContext
from bot.i18n import _, format_date, format_money, gettext, unit_name
from domain.money import max_price, parse_rupiah
from domain.people import InvalidInput
from domain.produce import CATALOG, NO_GRADE
from domain.quantity import parse_quantity
from domain.sales import SaleRefused, check_sale_price, parse_date, sale_commodity, sale_number
from handlers.kit import (
    END,
    Buttons,
    Choice,
    Confirm,
    Draft,
    answer_query,
    conversation,
    need,
    reply,
    start_over,
    stored_in,
    today,
    writes,
)
from handlers.menus import cancel
from handlers.sales.common import COMMAND, NEW_BUTTONS, Ask, quantity_text, refusal, says, unit_of
from handlers.wording import produce_with_grade
from storage import sales, stock

BUYER, PRODUCE, GRADE, QUANTITY, PRICE, UNTIL, PLACE, CONFIRM = (
    "sale.buyer", "sale.produce", "sale.grade", "sale.quantity", "sale.price", "sale.until",
    "sale.place", "sale.confirm",
)  # fmt: skip
BUYER_BUTTONS = Buttons("jlbl", value=r"[0-9]", max_length=12)
GRADE_BUTTONS = Buttons("jlgrd", value=r"[A-Za-z0-9_+-]", max_length=8)


@dataclass
class SaleDraft(Draft):
    key = "sale"
    buyer_id: int | None = None
    commodity: str | None = None
    grade: str | None = None
    quantity: str | None = None
    price: int | None = None
    until: str | None = None  # ISO date
    place: str | None = None
    offered: list[str] | None = None
    labels: list[str] | None = None  # the buyers' names, beside offered


def _commodity(context: BotContext) -> str | None:
    return SaleDraft.load(context).commodity


async def start(update: Update, context: BotContext) -> str | int:
    await answer_query(update)
    if not await sales.buyers(context.db, context.person.org_id):
        await reply(update, _("Add a buyer first: send /penjualan and tap ➕ New buyer."))
        return END
    SaleDraft().save(context)
    return await BUYER_STEP.ask(update, context)


async def _buyers(context: BotContext) -> list[tuple[str, str]]:
    return [(b.name, str(b.id)) for b in await sales.buyers(context.db, context.person.org_id)]


class BuyerChoice(Choice):
    """The cooperative's buyers (read from the database, so options are kept in the draft)."""

    async def ask(self, update: Update, context: BotContext, page: int = 0) -> str:
        options = await _buyers(context)
        draft = SaleDraft.load(context)
        draft.offered = [value for _label, value in options]
        draft.save(context)
        draft.labels = [label for label, _value in options]
        draft.save(context)
        await reply(update, self.question(), self._markup(options, page))
        return self.state


async def _buyer_chosen(update: Update, context: BotContext, value: str) -> str:
    draft = SaleDraft.load(context)
    draft.buyer_id = int(value)
    draft.save(context)
    return await PRODUCE_STEP.ask(update, context)


BUYER_STEP = BuyerChoice(
    BUYER, BUYER_BUTTONS, lambda: _("Who is buying? Tap the buyer."),
    lambda context: list(zip(SaleDraft.load(context).labels or [], SaleDraft.load(context).offered or [], strict=False)),
    _buyer_chosen, SaleDraft,
)  # fmt: skip


async def _produce(context: BotContext, text: str) -> tuple[str, str | None]:
    found = CATALOG.search(text)
    if not found:
        raise InvalidInput("sale.produce")
    best = found[0]
    return best.commodity.code, best.grade.code if best.grade else None


async def _produce_chosen(
    update: Update, context: BotContext, value: tuple[str, str | None]
) -> str:
    code, grade = value
    draft = SaleDraft.load(context)
    draft.commodity = code
    draft.save(context)
    commodity = CATALOG[code]
    if grade or not commodity.graded:
        return await _grade_chosen(update, context, grade or commodity.grades[0].code)
    return await GRADE_STEP.ask(update, context)


PRODUCE_STEP = Ask(
    PRODUCE, says(lambda: _("Which produce is sold? Type its name, for example gabah.")),
    _produce, _produce_chosen,
)  # fmt: skip


async def _in_stock(context: BotContext, grade: str) -> Decimal:
    batches = await stock.available(
        context.db, context.person.org_id, need(_commodity(context)), grade
    )
    return sum((b.quantity for b in batches), Decimal(0))


class GradeChoice(Choice):
    """The grades, each with what the cooperative's warehouses hold of it."""

    async def text(self, context: BotContext) -> str:
        code = need(_commodity(context))
        lines = [_("Which grade? In stock now:")]
        for grade in CATALOG[code].grades:
            lines.append(
                f"{gettext(grade.label)}: {quantity_text(await _in_stock(context, grade.code), code)}"
            )
        return "\n".join(lines)


_grade_chosen = stored_in(SaleDraft, "grade", lambda: QUANTITY_STEP)


GRADE_STEP = GradeChoice(
    GRADE, GRADE_BUTTONS, lambda: "",
    lambda context: [(gettext(g.label), g.code) for g in CATALOG[need(_commodity(context))].grades],
    _grade_chosen, SaleDraft,
)  # fmt: skip


async def _quantity_question(context: BotContext) -> str:
    draft = SaleDraft.load(context)
    code = need(draft.commodity)
    held = await _in_stock(context, need(draft.grade))
    return _("How much is sold? In stock: {stock}. Type the amount, for example {example}.").format(
        stock=quantity_text(held, code), example=quantity_text(CATALOG[code].example, code)
    )


async def _quantity(context: BotContext, text: str) -> str:
    draft = SaleDraft.load(context)
    value = parse_quantity(text, sale_commodity(CATALOG[need(draft.commodity)])).value
    held = await _in_stock(context, need(draft.grade))
    if value > held:  # told now; the saving checks again inside its transaction
        raise SaleRefused("sale.stock", available=held)
    return str(value)


async def _unit_price_question(context: BotContext) -> str:
    unit = unit_name(unit_of(need(_commodity(context))))
    return _("Type the contract price per {unit}, for example {example}.").format(
        unit=unit, example=format_money(8000)
    )


async def _price(context: BotContext, text: str) -> int:
    try:
        amount = parse_rupiah(text, reason="sale.price", too_high="sale.price_too_high")
    except InvalidInput as refused:
        raise SaleRefused(refused.reason) from None
    return check_sale_price(amount, max_price(unit_of(need(_commodity(context)))))


async def _until(context: BotContext, text: str) -> str:
    return parse_date(text, today(context.person.timezone)).isoformat()


async def _place(context: BotContext, text: str) -> str:
    cleaned = " ".join((text or "").split())
    if not 3 <= len(cleaned) <= 120:
        raise SaleRefused("sale.place")
    return cleaned


QUANTITY_STEP = Ask(
    QUANTITY,
    _quantity_question,
    _quantity,
    stored_in(SaleDraft, "quantity", lambda: PRICE_STEP),
    _commodity,
)
PRICE_STEP = Ask(
    PRICE,
    _unit_price_question,
    _price,
    stored_in(SaleDraft, "price", lambda: UNTIL_STEP),
    _commodity,
)
UNTIL_STEP = Ask(
    UNTIL, says(lambda: _("Deliver by which day? Type the date, for example {example}.").format(example="20-12-2026")),
    _until, stored_in(SaleDraft, "until", lambda: PLACE_STEP),
)  # fmt: skip
PLACE_STEP = Ask(
    PLACE, says(lambda: _("Where is it delivered? For example Gudang Bulog Ceper.")),
    _place, stored_in(SaleDraft, "place", lambda: CONFIRM_STEP),
)  # fmt: skip


async def _summary(context: BotContext) -> str:
    draft = SaleDraft.load(context)
    code, zone = need(draft.commodity), context.person.timezone
    buyer = await sales.buyer(context.db, context.person.org_id, need(draft.buyer_id))
    quantity = Decimal(need(draft.quantity))
    lines = [
        _("Please check the sale:"),
        _("Buyer: {buyer}").format(buyer=buyer.name),
        _("Produce: {produce}").format(
            produce=produce_with_grade(CATALOG[code], need(draft.grade))
        ),
        _("Quantity: {quantity}").format(quantity=quantity_text(quantity, code)),
        _("Price: {price} per {unit}").format(
            price=format_money(need(draft.price)), unit=unit_name(unit_of(code))
        ),
        _("Deliver by: {day}, {place}").format(
            day=format_date(date.fromisoformat(need(draft.until)), zone), place=need(draft.place)
        ),
        _("The oldest stock is set aside for it first."),
    ]
    return "\n".join(lines) + "\n\n" + _("Is this right?")


@writes("sales.record")
async def save(update: Update, context: BotContext) -> int:
    draft = SaleDraft.load(context)
    code = need(draft.commodity)
    try:
        sale = await context.db.write(
            sales.record_sale, context.person.org_id, need(draft.buyer_id), code,
            draft.grade or NO_GRADE, Decimal(need(draft.quantity)), need(draft.price),
            today(context.person.timezone), date.fromisoformat(need(draft.until)), need(draft.place),
            context.person.id, price_ceiling=max_price(unit_of(code)),
        )  # fmt: skip
    except SaleRefused as refused:  # the stock changed since the question
        SaleDraft.drop(context)
        await reply(
            update,
            refusal(refused, code) + "\n" + _("Nothing was saved. Send /penjualan to start again."),
        )
        return END
    SaleDraft.drop(context)
    await reply(update, _("Saved. Sale {number}: {quantity} set aside for {buyer}. Send /penjualan to record its delivery.").format(
        number=sale_number(sale.id), quantity=quantity_text(sale.quantity, code), buyer=sale.buyer_name))  # fmt: skip
    return END


change = start_over(BUYER_STEP, lambda _context: SaleDraft())


CONFIRM_STEP = Confirm(CONFIRM, _summary, save, change)


def conversation_handler() -> ConversationHandler:
    return conversation(
        "sales_sale", COMMAND, entry_points=[NEW_BUTTONS.handler(start, only="s")],
        steps=[BUYER_STEP, PRODUCE_STEP, GRADE_STEP, QUANTITY_STEP, PRICE_STEP, UNTIL_STEP, PLACE_STEP, CONFIRM_STEP],
        cancel=cancel,
    )  # fmt: skip
