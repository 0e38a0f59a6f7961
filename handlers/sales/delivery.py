"""🚚 Record a delivery (a sale's card): kilos sent → kilos the buyer accepted → why the rest
was rejected (only when some was) → where the cooperative's rafaksi table for the produce is
in force and the buyer accepted something, the buyer's readings (kadar air, hampa/kotoran:
the weighing's questions, handlers.quality) → a summary with the cut → saved; the surat
jalan comes as a PDF. Buyers pay by the same measurements farmers are paid by."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from telegram import Update
from telegram.ext import ConversationHandler

from bot.context import BotContext
from bot.i18n import _, format_money, unit_name
from bot.quality_words import rafaksi_line
from bot.quality_words import refusal as quality_refusal
from domain import rafaksi
from domain.produce import CATALOG
from domain.quantity import QuantityRefused, amount_rupiah, parse_quantity
from domain.sales import SaleRefused, check_reason, price_less_cut, sale_commodity, sale_number
from handlers.kit import (
    END,
    Confirm,
    Draft,
    answer_query,
    conversation,
    need,
    reply,
    start_over,
    stored_in,
    writes,
)
from handlers.menus import cancel
from handlers.quality import reading_steps, readings
from handlers.sales.common import (
    COMMAND,
    DELIVER_BUTTONS,
    Ask,
    quantity_text,
    refusal,
    says,
    unit_of,
)
from handlers.sales.listing import own_sale
from handlers.sales.papers import send_delivery_note
from storage import sales
from storage.rafaksi import StoredTable

SENT, RECEIVED, REASON, MOISTURE, FOREIGN, CONFIRM = (
    "delivery.sent",
    "delivery.received",
    "delivery.reason",
    "delivery.moisture",
    "delivery.foreign",
    "delivery.confirm",
)


@dataclass
class DeliveryDraft(Draft):
    key = "delivery"
    sale_id: int | None = None
    commodity: str | None = None
    sent: str | None = None
    received: str | None = None
    reason: str | None = None
    moisture: str | None = None  # the buyer's readings, percent as exact decimal text
    foreign: str | None = None


def _commodity(context: BotContext) -> str | None:
    return DeliveryDraft.load(context).commodity


async def _sale(context: BotContext) -> sales.Sale:
    return await sales.sale(
        context.db, context.person.org_id, need(DeliveryDraft.load(context).sale_id)
    )


async def _table(context: BotContext) -> StoredTable | None:
    """The cooperative's rafaksi table for the sale's produce in force now, if any."""
    return await sales.quality_table(context.db, context.person.org_id, need(_commodity(context)))


async def start(update: Update, context: BotContext) -> str | int:
    sale = await own_sale(update, context, DELIVER_BUTTONS)
    if sale is None:
        return END
    await answer_query(update)
    if Decimal(sale.remaining) <= 0:
        await reply(update, refusal(SaleRefused("delivery.nothing")))
        return END
    DeliveryDraft(sale_id=sale.id, commodity=sale.commodity).save(context)
    return await SENT_STEP.ask(update, context)


def _read(context: BotContext, text: str) -> Decimal:
    return parse_quantity(text, sale_commodity(CATALOG[need(_commodity(context))])).value


async def _sent_question(context: BotContext) -> str:
    sale = await _sale(context)
    return _("How much was sent to {buyer}? The lot holds {quantity}.").format(
        buyer=sale.buyer_name, quantity=quantity_text(sale.remaining, sale.commodity)
    )


async def _sent(context: BotContext, text: str) -> str:
    value = _read(context, text)
    remaining = Decimal((await _sale(context)).remaining)
    if value > remaining:
        raise SaleRefused("delivery.too_heavy", remaining=remaining)
    return str(value)


async def _received_question(context: BotContext) -> str:
    sent = quantity_text(need(DeliveryDraft.load(context).sent), need(_commodity(context)))
    return _("How much did the buyer accept after weighing? Type {sent} if all of it.").format(
        sent=sent
    )


async def _received(context: BotContext, text: str) -> str:
    try:
        value = _read(context, text)
    except QuantityRefused as refused:
        if refused.reason != "quantity.zero":
            raise
        value = Decimal(0)  # the buyer took nothing: all of it is rejected
    sent = Decimal(need(DeliveryDraft.load(context).sent))
    if value > sent:
        raise SaleRefused("delivery.received", sent=sent)
    return str(value)


async def _received_kept(update: Update, context: BotContext, value: str) -> str:
    draft = DeliveryDraft.load(context)
    draft.received = value
    draft.reason = draft.moisture = draft.foreign = None  # asked again with every weight
    draft.save(context)
    if Decimal(value) < Decimal(need(draft.sent)):
        return await REASON_STEP.ask(update, context)
    return await _quality_or_summary(update, context)


async def _reason_kept(update: Update, context: BotContext, value: str) -> str:
    draft = DeliveryDraft.load(context)
    draft.reason = value
    draft.save(context)
    return await _quality_or_summary(update, context)


async def _quality_or_summary(update: Update, context: BotContext) -> str:
    """The buyer's readings where a table applies to kilos accepted; else the summary."""
    if Decimal(need(DeliveryDraft.load(context).received)) > 0 and await _table(context):
        return await READING_STEPS[0].ask(update, context)
    return await CONFIRM_STEP.ask(update, context)


def _buyer_questions() -> tuple[str, str]:
    return (
        _("What moisture (kadar air) did the buyer measure? Type the percentage, for example 24 or 24,5. The contract price holds up to {base} %."),
        _("How much empty grain and dirt (hampa/kotoran) did the buyer find? Type the percentage, for example 8 or 8,5. The contract price holds up to {base} %."),
    )  # fmt: skip


async def _reason(context: BotContext, text: str) -> str:
    return check_reason(text)


SENT_STEP = Ask(
    SENT, _sent_question, _sent, stored_in(DeliveryDraft, "sent", lambda: RECEIVED_STEP), _commodity
)
RECEIVED_STEP = Ask(RECEIVED, _received_question, _received, _received_kept, _commodity)
REASON_STEP = Ask(
    REASON, says(lambda: _("Why did the buyer reject part of it? For example kadar air tinggi.")),
    _reason, _reason_kept, _commodity,
)  # fmt: skip
READING_STEPS = reading_steps(
    (MOISTURE, FOREIGN), DeliveryDraft, _table, lambda: CONFIRM_STEP.ask, _buyer_questions
)


async def _summary(context: BotContext) -> str:
    draft = DeliveryDraft.load(context)
    code = need(draft.commodity)
    sent, received = Decimal(need(draft.sent)), Decimal(need(draft.received))
    lines = [
        _("Please check the delivery of {number}:").format(number=sale_number(need(draft.sale_id))),
        _("Sent: {quantity}").format(quantity=quantity_text(sent, code)),
        _("Accepted by the buyer: {quantity}").format(quantity=quantity_text(received, code)),
    ]
    if received < sent:
        lines.append(_("Rejected: {quantity} ({reason}). It goes back to stock.").format(
            quantity=quantity_text(sent - received, code), reason=need(draft.reason)))  # fmt: skip
    measured, table = readings(draft), await _table(context)
    if measured is not None and table is not None:
        try:
            cut = rafaksi.cut_for(table.table, *measured)
        except rafaksi.RafaksiRefused as refused:  # the table changed since the readings
            return quality_refusal(refused)
        price = (await _sale(context)).price_rupiah
        paid = price_less_cut(price, cut.rupiah_per_unit)
        if paid == 0:  # refused at ✅: say it now, and ✏️ records it again as rejected
            lines.append(refusal(SaleRefused("delivery.cut_above_price"), draft.commodity))
            return "\n".join(lines)
        lines += [
            rafaksi_line(*measured, cut.rupiah_per_unit, unit_of(code)),
            _("To invoice: {quantity} × {price} per {unit} = {amount} (the contract's {contract} less the cut)").format(
                quantity=quantity_text(received, code), price=format_money(paid),
                unit=unit_name(unit_of(code)), amount=format_money(amount_rupiah(paid, received)),
                contract=format_money(price)),
        ]  # fmt: skip
    return "\n".join(lines) + "\n\n" + _("Is this right?")


@writes("sales.deliver")
async def save(update: Update, context: BotContext) -> int:
    draft = DeliveryDraft.load(context)
    org = context.person.org_id
    try:
        delivery = await context.db.write(
            sales.deliver, org, need(draft.sale_id), Decimal(need(draft.sent)),
            Decimal(need(draft.received)), draft.reason, context.person.id, readings(draft),
        )  # fmt: skip
    except (SaleRefused, rafaksi.RafaksiRefused) as refused:
        # another delivery took the lot, or the quality table changed, meanwhile
        DeliveryDraft.drop(context)
        said = (
            quality_refusal(refused)
            if isinstance(refused, rafaksi.RafaksiRefused)
            else refusal(refused, draft.commodity)
        )
        await reply(update, said + "\n" + _("Nothing was saved. Send /penjualan to start again."))
        return END
    DeliveryDraft.drop(context)
    sale = await sales.sale(context.db, org, delivery.sale_id)
    await reply(update, _("Saved. Delivery note {number}: {quantity} accepted. The surat jalan follows.").format(
        number=delivery.number, quantity=quantity_text(delivery.received, sale.commodity)))  # fmt: skip
    await send_delivery_note(update, context, delivery)
    return END


def _fresh_delivery(context: BotContext) -> DeliveryDraft:
    draft = DeliveryDraft.load(context)
    return DeliveryDraft(sale_id=draft.sale_id, commodity=draft.commodity)


change = start_over(SENT_STEP, _fresh_delivery)


CONFIRM_STEP = Confirm(CONFIRM, _summary, save, change)


def conversation_handler() -> ConversationHandler:
    return conversation(
        "sales_delivery", COMMAND, entry_points=[DELIVER_BUTTONS.handler(start)],
        steps=[SENT_STEP, RECEIVED_STEP, REASON_STEP, *READING_STEPS, CONFIRM_STEP], cancel=cancel,
    )  # fmt: skip
