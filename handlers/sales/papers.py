"""Sending a sale's papers to the administrator as PDF documents: the surat jalan of a
delivery, the faktur of an invoice (bot.sales_pdf lays them out, in a thread)."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.context import BotContext
from bot.i18n import _
from storage import orgs, sales, stock


async def send_delivery_note(update: Update, context: BotContext, sale, delivery) -> None:
    from bot import sales_pdf  # fpdf2: loaded with the first paper

    org = await orgs.by_id(context.db, sale.org_id)
    buyer = await sales.buyer(context.db, sale.org_id, sale.buyer_id)
    sources = await stock.trace(context.db, await sales.delivery_batches(context.db, delivery.id))
    paper = sales_pdf.delivery_note(
        cooperative=org.name, address=org.address, sale=sale, delivery=delivery, buyer=buyer,
        sources=sources, zone=context.person.timezone,
    )  # fmt: skip
    pdf = await asyncio.to_thread(sales_pdf.render, paper)
    stem = _("delivery-note")  # the file's name: plain letters and hyphens
    name = f"{stem}-{delivery.number}.pdf".replace("/", "-")
    await update.effective_chat.send_document(
        pdf, filename=name, caption=_("Delivery note {number}").format(number=delivery.number)
    )


async def send_invoice(update: Update, context: BotContext, sale, invoice) -> None:
    from bot import sales_pdf

    org = await orgs.by_id(context.db, sale.org_id)
    buyer = await sales.buyer(context.db, sale.org_id, sale.buyer_id)
    paper = sales_pdf.invoice(
        cooperative=org.name, address=org.address,
        bank_account=await sales.bank_account(context.db, sale.org_id), sale=sale, invoice=invoice,
        lines=await sales.invoice_deliveries(context.db, invoice.id), buyer=buyer,
        zone=context.person.timezone,
    )  # fmt: skip
    pdf = await asyncio.to_thread(sales_pdf.render, paper)
    stem = _("invoice")  # the file's name: plain letters and hyphens
    name = f"{stem}-{invoice.number}.pdf".replace("/", "-")
    await update.effective_chat.send_document(
        pdf, filename=name, caption=_("Invoice {number}").format(number=invoice.number)
    )
