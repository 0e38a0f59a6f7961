"""✖ Close the sale short (a sale's card): the buyer needs no more. A Ya/Tidak question naming
the kilos that go back to stock, then the close (storage.sales.close_sale): nothing more is
delivered on the sale, its invoices stand."""

from __future__ import annotations

from decimal import Decimal

from telegram import Update

from bot.context import BotContext
from bot.i18n import _
from domain.sales import SaleRefused
from handlers.kit import (
    answer_query,
    close_buttons,
    for_command,
    keyboard,
    reply,
    writes,
    yes_no_press,
)
from handlers.sales.common import (
    CLOSE_ANSWER_BUTTONS,
    CLOSE_BUTTONS,
    COMMAND,
    quantity_text,
    refusal,
)
from handlers.sales.listing import own_sale, own_sale_of, sale_card
from storage import sales


def _refused_now(sale: sales.Sale) -> SaleRefused | None:
    """Why the sale cannot be closed now (the use case decides again when it closes)."""
    if sale.closed_at is not None:
        return SaleRefused("sale.closed")
    if Decimal(sale.remaining) <= 0:
        return SaleRefused("sale.all_delivered")
    return None


@for_command(COMMAND)
async def ask_close(update: Update, context: BotContext) -> None:
    sale = await own_sale(update, context, CLOSE_BUTTONS)
    if sale is None:
        return
    if (refused := _refused_now(sale)) is not None:
        await answer_query(update, refusal(refused))
        return
    await answer_query(update)
    text = _(
        "Close {number} short? {quantity} still in the lot goes back to stock. Nothing more"
        " can be delivered on this sale. Its invoices stay as they are."
    ).format(number=sale.number, quantity=quantity_text(sale.remaining, sale.commodity))
    buttons = keyboard([[CLOSE_ANSWER_BUTTONS.button(_("✅ Yes, close it"), f"ok{sale.id}"),
                         CLOSE_ANSWER_BUTTONS.button(_("✖️ No"), f"no{sale.id}")]])  # fmt: skip
    await reply(update, text, buttons)


@for_command(COMMAND)
@writes("sales.close")
async def on_close_answer(update: Update, context: BotContext) -> None:
    yes, sale_id = yes_no_press(CLOSE_ANSWER_BUTTONS, update)
    sale = await own_sale_of(update, context, sale_id)  # a forged one: refused
    if sale is None:
        return
    if not yes:
        await close_buttons(update, _("✖️ No"))
        if sale.closed_at is None:
            await reply(update, _("Fine. Sale {number} stays open.").format(number=sale.number))
        else:  # someone closed it meanwhile
            await reply(update, refusal(SaleRefused("sale.closed")))
        return
    try:  # a replay gets the stored result; a second close is refused by the use case
        closed = await context.db.write(
            sales.close_sale, context.person.org_id, sale.id, context.person.id
        )
    except SaleRefused as refused:
        await close_buttons(update)
        await reply(update, refusal(refused))
        return
    await close_buttons(update, _("✅ Yes, close it"))
    await reply(update, _("Sale {number} is closed short. {quantity} went back to stock.").format(
        number=closed.number, quantity=quantity_text(closed.returned or "0", closed.commodity)))  # fmt: skip
    text, markup = await sale_card(context, closed)
    await reply(update, text, markup)
