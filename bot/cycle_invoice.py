"""A cycle order's invoice (*faktur*) from the hub to a village cooperative, as PDF laid out as
bot.sales_pdf: one row per item with what was ordered and what arrived, the goods' price and
the hub's fee per unit apart, the shortfall said under the table as credited (not billed), the total in
figures and words, the due date and where to pay. Made in the reader's language (call inside
``use_locale``); drawn in a thread."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from bot.cycle_papers import units
from bot.i18n import _, current_language, format_date, format_money
from bot.sales_pdf import Column, Paper, render
from domain.terbilang import in_words
from storage import cycle_delivery, cycles, orgs, sales
from storage.cycle_delivery import Invoice
from storage.db import Database


def shortfall_lines(order, offered, received: dict[int, int]) -> list[str]:
    """ "2 karung Beras SPHP 5 kg did not arrive: Rp128.000 credited" per line short."""
    text = []
    for line in order.lines:
        got = received.get(line.item_id, line.quantity)
        if got < line.quantity:
            item = offered[line.item_id]
            text.append(_("{missing} {name} did not arrive: {amount} credited, not billed.").format(
                missing=units(line.quantity - got, item.unit), name=item.name,
                amount=format_money((line.quantity - got) * (line.price_rupiah + line.fee_rupiah)),
            ))  # fmt: skip
    return text


def paper(*, hub, bank_account: str | None, coop, cycle, order, offered, received,
          bill: Invoice, zone: str) -> Paper:  # fmt: skip
    facts = [
        (_("Number"), bill.number),
        (_("Date"), format_date(datetime.fromtimestamp(bill.issued_at, UTC), zone)),
        (_("Due date"), format_date(date.fromisoformat(bill.due_on), zone)),
        (_("To"), coop.name),
        (_("Order"), f"{order.number}, {cycle.number} {cycle.name}"),
    ]
    columns = [
        Column(_("Item"), 46), Column(_("Ordered"), 22, True), Column(_("Received"), 22, True),
        Column(_("Goods price"), 26, True), Column(_("Hub fee"), 22, True),
        Column(_("Amount"), 28, True),
    ]  # fmt: skip
    rows = []
    for line in order.lines:
        item, got = offered[line.item_id], received.get(line.item_id, line.quantity)
        rows.append((
            item.name, units(line.quantity, item.unit), units(got, item.unit),
            format_money(line.price_rupiah), format_money(line.fee_rupiah),
            format_money(got * (line.price_rupiah + line.fee_rupiah)),
        ))  # fmt: skip
    words = in_words(bill.total_rupiah, current_language())
    notes = [_("In words: {words}").format(words=words[:1].upper() + words[1:])]
    notes += shortfall_lines(order, offered, received)
    notes.append(
        _("Please pay by transfer to {account}, quoting {number}.").format(
            account=bank_account, number=bill.number
        )
        if bank_account
        else _("Please pay the hub by transfer, quoting {number}.").format(number=bill.number)
    )
    totals = [
        (_("Goods"), format_money(bill.goods_rupiah)),
        (_("Hub fee"), format_money(bill.fees_rupiah)),
    ]
    totals.append((_("Total to pay"), format_money(bill.total_rupiah)))
    return Paper(
        cooperative=hub.name, address=hub.address, title=_("INVOICE (FAKTUR)"), facts=facts,
        columns=columns, rows=rows, totals=totals, notes=notes, signatures=[_("For the hub")],
    )  # fmt: skip


async def invoice_pdf(db: Database, order_id: int, zone: str) -> bytes:
    """The faktur of a counted order, in the language in use."""
    bill = await cycle_delivery.invoice(db, order_id)
    order = await cycles.order(db, order_id)
    cycle = await cycles.get(db, order.cycle_id)
    made = paper(
        hub=await orgs.by_id(db, bill.hub_id), bank_account=await sales.bank_account(db, bill.hub_id),
        coop=await orgs.by_id(db, bill.org_id), cycle=cycle, order=order,
        offered={i.id: i for i in await cycles.items(db, cycle.id)},
        received=await cycle_delivery.received(db, order_id), bill=bill, zone=zone,
    )  # fmt: skip
    return await asyncio.to_thread(render, made)


def file_name(bill: Invoice) -> str:
    return f"faktur-{bill.number.replace('/', '-')}.pdf"
