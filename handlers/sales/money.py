"""🧾 Make the invoice (a sale's card): every accepted kilo not yet billed, the faktur as a
PDF. 💰 Payment of an invoice: cash or transfer → the amount → the transfer's reference →
a summary → saved (never beyond what is owed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from telegram import Update
from telegram.ext import ConversationHandler

from bot.context import BotContext
from bot.i18n import _, format_date, format_money, gettext
from domain import N_
from domain.money import parse_rupiah, record_id
from domain.people import InvalidInput
from domain.sales import PaymentMethod, SaleRefused, check_payment, check_payment_reference
from handlers.kit import (
    END,
    Buttons,
    Choice,
    Confirm,
    Draft,
    answer_query,
    close_buttons,
    conversation,
    for_command,
    need,
    refuse_button,
    reply,
    start_over,
    stored_in,
    writes,
)
from handlers.menus import cancel
from handlers.sales.common import COMMAND, INVOICE_BUTTONS, PAYMENT_BUTTONS, Ask, refusal, says
from handlers.sales.listing import own_sale
from handlers.sales.papers import send_invoice
from storage import sales

METHOD, AMOUNT, REFERENCE, CONFIRM = "pay.method", "pay.amount", "pay.reference", "pay.confirm"
METHOD_BUTTONS = Buttons("jlcara", value=r"[a-z]", max_length=8)
METHOD_LABELS = {PaymentMethod.CASH: N_("💵 Cash"), PaymentMethod.TRANSFER: N_("🏦 Transfer")}


@for_command(COMMAND)
@writes("sales.invoice")
async def make_invoice(update: Update, context: BotContext) -> None:
    sale = await own_sale(update, context, INVOICE_BUTTONS)
    if sale is None:
        return
    try:
        invoice = await context.db.write(
            sales.issue_invoice, context.person.org_id, sale.id, context.person.id
        )
    except SaleRefused as refused:  # pressed twice: already billed
        await answer_query(update)
        await reply(update, refusal(refused, sale.commodity))
        return
    await close_buttons(update)
    await reply(update, _("Invoice {number}: {total}, due {due}. The faktur follows: send it to the buyer.").format(
        number=invoice.number, total=format_money(invoice.total_rupiah),
        due=format_date(date.fromisoformat(invoice.due_on), context.person.timezone),
    ))  # fmt: skip
    await send_invoice(update, context, invoice)


@dataclass
class PaymentDraft(Draft):
    key = "sale_payment"
    invoice_id: int | None = None
    method: str | None = None
    amount: int | None = None
    reference: str | None = None
    offered: list[str] | None = None


async def _invoice(context: BotContext) -> sales.Invoice:
    return await sales.invoice(
        context.db, context.person.org_id, need(PaymentDraft.load(context).invoice_id)
    )


async def start(update: Update, context: BotContext) -> str | int:
    try:
        invoice = await sales.invoice(
            context.db, context.person.org_id, record_id(PAYMENT_BUTTONS.value(update)) or 0
        )
    except SaleRefused:
        await refuse_button(update)
        return END
    await answer_query(update)
    if invoice.owed_rupiah <= 0:
        await reply(update, refusal(SaleRefused("invoice.paid")))
        return END
    PaymentDraft(invoice_id=invoice.id).save(context)
    return await METHOD_STEP.ask(update, context)


_method_chosen = stored_in(PaymentDraft, "method", lambda: AMOUNT_STEP)


METHOD_STEP = Choice(
    METHOD, METHOD_BUTTONS, lambda: _("How did the buyer pay?"),
    lambda context: [(gettext(label), method.value) for method, label in METHOD_LABELS.items()],
    _method_chosen, PaymentDraft,
)  # fmt: skip


async def _amount_question(context: BotContext) -> str:
    invoice = await _invoice(context)
    return _("How much was paid for {number}? Still owed: {owed}.").format(
        number=invoice.number, owed=format_money(invoice.owed_rupiah)
    )


async def _amount(context: BotContext, text: str) -> int:
    try:
        amount = parse_rupiah(text, reason="payment.amount", too_high="payment.amount")
    except InvalidInput as refused:
        raise SaleRefused(refused.reason) from None
    invoice = await _invoice(context)
    return check_payment(invoice.total_rupiah, invoice.paid_rupiah, amount)


async def _amount_kept(update: Update, context: BotContext, value: int) -> str:
    draft = PaymentDraft.load(context)
    draft.amount = value
    draft.save(context)
    if draft.method == PaymentMethod.TRANSFER.value:
        return await REFERENCE_STEP.ask(update, context)
    return await CONFIRM_STEP.ask(update, context)


async def _reference(context: BotContext, text: str) -> str:
    return check_payment_reference(PaymentMethod.TRANSFER, text)


AMOUNT_STEP = Ask(AMOUNT, _amount_question, _amount, _amount_kept)
REFERENCE_STEP = Ask(
    REFERENCE, says(lambda: _("Type the transfer's reference, for example BRI 240915123456.")),
    _reference, stored_in(PaymentDraft, "reference", lambda: CONFIRM_STEP),
)  # fmt: skip


async def _summary(context: BotContext) -> str:
    draft = PaymentDraft.load(context)
    invoice = await _invoice(context)
    lines = [
        _("Please check the payment of {number}:").format(number=invoice.number),
        _("Amount: {amount}").format(amount=format_money(need(draft.amount))),
        _("Paid by: {method}").format(
            method=gettext(METHOD_LABELS[PaymentMethod(need(draft.method))])
        ),
    ]
    if draft.reference:
        lines.append(_("Reference: {reference}").format(reference=draft.reference))
    lines.append(
        _("Still owed after it: {owed}").format(
            owed=format_money(invoice.owed_rupiah - need(draft.amount))
        )
    )
    return "\n".join(lines) + "\n\n" + _("Is this right?")


@writes("sales.pay")
async def save(update: Update, context: BotContext) -> int:
    draft = PaymentDraft.load(context)
    try:
        invoice, _payment = await context.db.write(
            sales.pay, context.person.org_id, need(draft.invoice_id), need(draft.amount),
            need(draft.method), draft.reference, context.person.id,
        )  # fmt: skip
    except SaleRefused as refused:  # paid meanwhile by someone else
        PaymentDraft.drop(context)
        await reply(update, refusal(refused) + "\n" + _("Nothing was saved."))
        return END
    PaymentDraft.drop(context)
    text = (
        _("Saved. Invoice {number} is paid in full.")
        if invoice.owed_rupiah == 0
        else _("Saved. Invoice {number}: {owed} still owed.")
    )
    await reply(update, text.format(number=invoice.number, owed=format_money(invoice.owed_rupiah)))
    return END


change = start_over(METHOD_STEP, lambda c: PaymentDraft(invoice_id=PaymentDraft.load(c).invoice_id))


CONFIRM_STEP = Confirm(CONFIRM, _summary, save, change)


def conversation_handler() -> ConversationHandler:
    return conversation(
        "sales_payment", COMMAND, entry_points=[PAYMENT_BUTTONS.handler(start)],
        steps=[METHOD_STEP, AMOUNT_STEP, REFERENCE_STEP, CONFIRM_STEP], cancel=cancel,
    )  # fmt: skip
