"""Sending a sale's papers to the administrator as PDF documents: the surat jalan of a
delivery, the faktur of an invoice (bot.sales_pdf makes them, in a thread)."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.i18n import _


async def send_delivery_note(update: Update, context: BotContext, delivery) -> None:
    from bot import sales_pdf  # fpdf2: loaded with the first paper

    pdf = await sales_pdf.delivery_note_pdf(
        context.db, context.person.org_id, delivery.id, context.person.timezone
    )
    stem = _("delivery-note")  # the file's name: plain letters and hyphens
    await update.effective_chat.send_document(
        pdf, filename=f"{stem}-{delivery.number}.pdf".replace("/", "-"),
        caption=_("Delivery note {number}").format(number=delivery.number),
    )  # fmt: skip


async def send_invoice(update: Update, context: BotContext, invoice) -> None:
    from bot import sales_pdf

    pdf = await sales_pdf.invoice_pdf(
        context.db, context.person.org_id, invoice.id, context.person.timezone
    )
    stem = _("invoice")  # the file's name: plain letters and hyphens
    await update.effective_chat.send_document(
        pdf, filename=f"{stem}-{invoice.number}.pdf".replace("/", "-"),
        caption=_("Invoice {number}").format(number=invoice.number),
    )  # fmt: skip
