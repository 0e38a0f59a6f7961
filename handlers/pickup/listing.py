"""/jemput: a coordinator's pickups with what to do next (schedule, weigh, pay), and a
treasurer's receipts waiting for payment."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal

from telegram import Update

from bot.context import BotContext
from bot.i18n import (
    _,
    format_date,
    format_quantity,
)
from domain.offers import Action
from domain.people import Role
from domain.produce import CATALOG
from handlers.kit import (
    for_command,
    keyboard,
    reply,
)
from handlers.pickup.common import (
    SCHEDULE_BUTTONS,
    WEIGH_BUTTONS,
    may,
    pay_buttons,
    receipt_text,
    window_label,
)
from handlers.windows import window_of_offer_line
from handlers.wording import (
    produce_in_sentence,
)
from storage import pickups, windows

log = logging.getLogger(__name__)

# --- /jemput ---------------------------------------------------------------------------------------


@for_command("jemput")
async def show_pickups(update: Update, context: BotContext) -> None:
    if Role.TREASURER in context.person.roles:  # the cooperative's receipts to pay
        await show_to_pay(update, context)
        if Role.COORDINATOR not in context.person.roles:
            return
    mine = await pickups.of_coordinator(context.db, context.person.id)
    if not mine:
        await reply(update, _("You have no pickups now. New offers in your area come as messages."))
        return
    lines, rows = [_("Your pickups:")], []
    # which buying window each offer fills, read for the whole list at once
    needs = await windows.windows_of_offers(context.db, [offer.id for offer, _p in mine])
    for offer, pickup in mine:
        commodity = CATALOG[offer.commodity]
        when = (
            _("{date}, {window}").format(date=format_date(date.fromisoformat(pickup.pickup_on)), window=window_label((pickup.window_start, pickup.window_end)))
            if pickup else _("not scheduled yet")
        )  # fmt: skip
        lines.append(_("{number}: {amount} {produce} — {when}").format(
            number=offer.number, amount=format_quantity(Decimal(offer.quantity), commodity.base_unit),
            produce=produce_in_sentence(commodity), when=when,
        ))  # fmt: skip
        if pickup and pickup.requested_on:
            lines.append(
                _("   the farmer asks for {date}").format(
                    date=format_date(date.fromisoformat(pickup.requested_on))
                )
            )
        lines += [f"   {line}" for line in window_of_offer_line(needs.get(offer.id))]
        row = [
            SCHEDULE_BUTTONS.button(
                _("📅 Schedule the pickup of {number}").format(number=offer.number), str(offer.id)
            )
        ]
        if await may(context, offer, Action.CONFIRM):  # not while a weighing waits
            row.append(
                WEIGH_BUTTONS.button(
                    _("⚖️ Weigh {number}").format(number=offer.number), str(offer.id)
                )
            )
        rows.append(row)
    await reply(update, "\n".join(lines), keyboard(rows))


# --- under /jemput, a treasurer pays the farmers of the cooperative -----------------------


async def show_to_pay(update: Update, context: BotContext) -> None:
    found = await pickups.to_pay(context.db, context.person.id)
    if not found:
        await reply(update, _("No picked-up produce waits for payment now."))
        return
    await reply(update, _("Picked up, not paid yet:"))
    for offer, pickup in found:
        await reply(update, await receipt_text(context, offer, pickup), pay_buttons(offer))
