"""/penjualan: the cooperative's sales for its administrators, newest open ones first, with
buttons to add a buyer or a sale; a sale's card (its lot, deliveries, invoices, margin so
far from the ledger) with what can be done next."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from telegram import Update

from bot.context import BotContext
from bot.i18n import _, format_date, format_money, unit_name
from bot.quality_words import rafaksi_line
from domain.money import record_id
from domain.sales import SaleRefused
from handlers.kit import answer_query, for_command, keyboard, refuse_button, reply
from handlers.sales.common import (
    CLOSE_BUTTONS,
    COMMAND,
    DELIVER_BUTTONS,
    INVOICE_BUTTONS,
    NEW_BUTTONS,
    PAYMENT_BUTTONS,
    SALE_BUTTONS,
    quantity_text,
    sale_line,
    unit_of,
    window_text,
)
from storage import sales

SHOWN = 8


@for_command(COMMAND)
async def show_sales(update: Update, context: BotContext) -> None:
    org = context.person.org_id
    found = await sales.sales_of(context.db, org, limit=SHOWN)
    lines = [_("Sales of your cooperative:")] if found else [_("No sales yet.")]
    lines += [sale_line(sale) for sale in found]
    if not await sales.buyers(context.db, org):
        lines.append(_("Add a buyer first: tap ➕ New buyer."))
    rows = [
        [SALE_BUTTONS.button(f"{sale.number} · {sale.buyer_name}", str(sale.id))] for sale in found
    ]
    rows.append(
        [NEW_BUTTONS.button(_("➕ New sale"), "s"), NEW_BUTTONS.button(_("➕ New buyer"), "b")]
    )
    await reply(update, "\n".join(lines), keyboard(rows))


async def own_sale(update: Update, context: BotContext, buttons) -> sales.Sale | None:
    """The sale a button names, when it is of the presser's cooperative; a forged or stale
    button (another cooperative's sale, an id that is not there) is refused politely."""
    return await own_sale_of(update, context, record_id(buttons.value(update)))


async def own_sale_of(
    update: Update, context: BotContext, sale_id: int | None
) -> sales.Sale | None:
    """:func:`own_sale` for an id read from a button of another shape (Ya/Tidak)."""
    try:
        return await sales.sale(context.db, context.person.org_id, sale_id or 0)
    except SaleRefused:
        await refuse_button(update)
        return None


@for_command(COMMAND)
async def show_sale(update: Update, context: BotContext) -> None:
    sale = await own_sale(update, context, SALE_BUTTONS)
    if sale is None:
        return
    await answer_query(update)
    text, markup = await sale_card(context, sale)
    await reply(update, text, markup)


async def sale_card(context: BotContext, sale: sales.Sale):
    org, zone = context.person.org_id, context.person.timezone
    deliveries = await sales.deliveries_of(context.db, org, sale.id)
    invoices = await sales.invoices_of(context.db, org, sale.id)
    accepted = sum((Decimal(d.received) for d in deliveries), Decimal(0))
    uninvoiced = sum((Decimal(d.received) for d in deliveries if d.invoice_id is None), Decimal(0))
    margin = await sales.margin(context.db, sale.id)
    lines = [
        sale_line(sale),
        _("Price: {price} per {unit}").format(
            price=format_money(sale.price_rupiah), unit=unit_name(unit_of(sale.commodity))
        ),
        _("Delivery: {window}, {place}").format(window=window_text(sale, zone), place=sale.place),
        _("Still in the lot: {quantity}").format(
            quantity=quantity_text(sale.remaining, sale.commodity)
        )
        if sale.closed_at is None
        else _("Closed short on {date}: {quantity} went back to stock.").format(
            date=format_date(datetime.fromtimestamp(sale.closed_at, ZoneInfo(zone)), zone),
            quantity=quantity_text(sale.returned or "0", sale.commodity),
        ),
        _("Accepted by the buyer: {quantity}").format(
            quantity=quantity_text(accepted, sale.commodity)
        ),
    ]
    lines += [  # the buyer's readings: what cut each delivery's price
        _("{number}: {quality}").format(
            number=d.number,
            quality=rafaksi_line(
                Decimal(d.moisture),
                Decimal(d.foreign_matter),
                d.cut_rupiah,
                unit_of(sale.commodity),
            ),
        )  # fmt: skip
        for d in deliveries
        if d.measured
    ]
    for bill in invoices:
        lines.append(
            _("Invoice {number}: {total}, owed {owed}").format(
                number=bill.number,
                total=format_money(bill.total_rupiah),
                owed=format_money(bill.owed_rupiah),
            )
        )
    if margin.revenue:  # before the first invoice it would show only the cost
        lines.append(_("Margin so far: {margin}").format(margin=format_money(margin.margin)))
    rows = []
    if Decimal(sale.remaining) > 0:
        rows.append([DELIVER_BUTTONS.button(_("🚚 Record a delivery"), str(sale.id))])
    if uninvoiced > 0:
        rows.append([INVOICE_BUTTONS.button(_("🧾 Make the invoice"), str(sale.id))])
    for bill in invoices:
        if bill.owed_rupiah > 0:
            rows.append(
                [
                    PAYMENT_BUTTONS.button(
                        _("💰 Payment of {number}").format(number=bill.number), str(bill.id)
                    )
                ]
            )
    if Decimal(sale.remaining) > 0 and sale.closed_at is None:  # the buyer needs no more
        rows.append([CLOSE_BUTTONS.button(_("✖ Close the sale short"), str(sale.id))])
    return "\n".join(lines), keyboard(rows) if rows else None
