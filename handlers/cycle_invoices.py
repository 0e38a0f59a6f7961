"""A village cooperative's own invoices from its hub (issue 18): under /pesan a 🧾 Invoices
button when the cooperative has any; pressed, the list (number, total, paid, left, due date,
overdue said) with a 📄 button each that sends the faktur PDF again. Only the cooperative's
own officers: a button of another cooperative's invoice is refused."""

from __future__ import annotations

from datetime import date

from telegram import Update

from bot import cycle_invoice
from bot.context import BotContext
from bot.i18n import _, format_date, format_money
from domain.cycles import local_day
from domain.money import record_id
from handlers.kit import Buttons, answer_query, for_command, keyboard, refuse_button, reply
from storage import cycle_delivery
from storage.cycle_delivery import BOOKS_ZONE, Invoice
from storage.db import now_utc

INVOICE_BUTTONS = Buttons(
    "pdi", value=r"[0-9l]", max_length=12
)  # "l": the list; an order id: its PDF
LIST = "l"


async def offer_invoices(update: Update, context: BotContext) -> None:
    """Under /pesan of a village officer: the 🧾 button, when the cooperative has invoices."""
    if not await cycle_delivery.invoices_of(context.db, context.person.org_id, limit=1):
        return
    await reply(
        update,
        _("Your cooperative's invoices from the hub: press 🧾 Invoices."),
        keyboard([[invoices_button()]]),
    )


def invoices_button():
    """🧾 Invoices: the cooperative's own list (under /pesan, on its /koperasi card)."""
    return INVOICE_BUTTONS.button(_("🧾 Invoices"), LIST)


def _line(bill: Invoice, today: date, zone: str) -> str:
    head = _("{number} (order {order}): total {total}, paid {paid}").format(
        number=bill.number, order=bill.order_number,
        total=format_money(bill.total_rupiah), paid=format_money(bill.paid_rupiah),
    )  # fmt: skip
    if bill.owed <= 0:
        return head + ". " + _("Paid in full.")
    due = date.fromisoformat(bill.due_on)
    left = _("still to pay {owed}, due {day}.").format(
        owed=format_money(bill.owed), day=format_date(due, zone)
    )
    text = f"{head}, {left}"
    return text + " " + _("⚠️ Past due!") if today > due else text


async def _show_list(update: Update, context: BotContext) -> None:
    found = await cycle_delivery.invoices_of(context.db, context.person.org_id)
    if not found:
        await reply(update, _("Your cooperative has no invoice from the hub."))
        return
    today = local_day(now_utc(), BOOKS_ZONE)
    text = [_("Your cooperative's invoices from the hub:")]
    text += [_line(bill, today, context.person.timezone) for bill in found]
    text.append(_("Press 📄 to get an invoice again as a PDF."))
    rows = [[INVOICE_BUTTONS.button(f"📄 {bill.number}", str(bill.order_id))] for bill in found]
    await reply(update, "\n".join(text), keyboard(rows))


@for_command("pesan")
async def on_invoices(update: Update, context: BotContext) -> None:
    value = INVOICE_BUTTONS.value(update) or ""
    if value == LIST:
        await answer_query(update)
        await _show_list(update, context)
        return
    order_id = record_id(value) if value.isdigit() else None
    bill = await cycle_delivery.invoice(context.db, order_id) if order_id else None
    if bill is None or bill.org_id != context.person.org_id or not bill.total_rupiah:
        await refuse_button(update)
        return
    await answer_query(update)
    data = await cycle_invoice.invoice_pdf(context.db, bill.order_id, context.person.timezone)
    await update.effective_chat.send_document(
        data, filename=cycle_invoice.file_name(bill),
        caption=_("Invoice {number}").format(number=bill.number),
    )  # fmt: skip
