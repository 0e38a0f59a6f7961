"""/tawaran: a farmer's offers with their status; cancel one nobody took."""

from __future__ import annotations

from decimal import Decimal

from telegram import Update

from bot.context import BotContext
from bot.i18n import _, format_money, format_quantity, gettext, unit_name
from domain.offers import (
    STATUS_LABELS,
    Action,
    Actor,
    OfferActionRefused,
    allowed,
)
from domain.produce import CATALOG
from handlers import advances, alerts
from handlers.kit import (
    Buttons,
    for_command,
    in_background,
    keyboard,
    refuse_button,
    reply,
    writes,
)
from handlers.wording import produce_in_sentence
from storage import advances as stored_advances
from storage import offers

WITHDRAW_BUTTONS = Buttons("batal", value=r"[0-9]", max_length=12)


# --- /tawaran -------------------------------------------------------------------------------------------


@for_command("tawaran")
async def show_offers(update: Update, context: BotContext) -> None:
    mine = await offers.of_farmer(context.db, context.person.id)
    if not mine:
        await reply(update, _("You have no offers yet. Send /jual to sell your harvest."))
        return
    lines = [_("Your offers:")]
    rows = []
    for offer in mine:
        commodity = CATALOG[offer.commodity]
        lines.append(_("{number}: {amount} {produce}, {price} per {unit} — {status}").format(
            number=offer.number, amount=format_quantity(Decimal(offer.quantity), commodity.base_unit),
            produce=produce_in_sentence(commodity), price=format_money(offer.price_rupiah),
            unit=unit_name(commodity.base_unit), status=gettext(STATUS_LABELS[offer.status]),
        ))  # fmt: skip
        if allowed(offer.facts(), Action.CANCEL, Actor(context.person.id, context.person.roles)):
            rows.append(
                [
                    WITHDRAW_BUTTONS.button(
                        _("Cancel {number}").format(number=offer.number), str(offer.id)
                    )
                ]
            )
    if owed := advances.tawaran_line(
        await stored_advances.outstanding(context.db, context.person.id)
    ):
        lines.append(owed)
    await reply(update, "\n".join(lines), keyboard(rows) if rows else None)


@for_command("tawaran")
@writes("offer.cancel")
async def withdraw(update: Update, context: BotContext) -> None:
    offer_id = int(WITHDRAW_BUTTONS.value(update))
    try:
        offer = await context.db.write(offers.cancel, offer_id, context.person.id)
    except OfferActionRefused:
        await refuse_button(update)
        return
    await update.callback_query.answer()
    await reply(update, _("Offer {number} is cancelled.").format(number=offer.number))
    in_background(context, alerts.offer_closed(context, offer), f"closed-{offer.id}")
