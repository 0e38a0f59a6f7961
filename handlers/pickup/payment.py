"""Paying the farmer for a receipt: in cash, or by transfer with its reference."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ConversationHandler

from bot.context import BotContext
from bot.i18n import (
    _,
    format_money,
    use_locale,
)
from domain.ledger import LedgerError
from domain.offers import Action, OfferActionRefused
from domain.pickups import (
    transfer_reference,
)
from handlers.kit import (
    END,
    Typed,
    close_buttons,
    conversation,
    need,
    refuse_button,
    reply,
    tell,
    writes,
)
from handlers.menus import cancel
from handlers.pickup.common import (
    PAY_BUTTONS,
    TRANSFER,
    TRANSFER_BUTTONS,
    PickupDraft,
    refuse,
)
from storage import offers, people, pickups
from storage.offers import Offer

log = logging.getLogger(__name__)


@writes("offer.pay")
async def on_paid(update: Update, context: BotContext) -> None:
    """The taker (or a treasurer) paid the farmer in cash: settled once, the farmer told."""
    if context.person is None:
        await refuse_button(update)
        return
    offer_id = int(PAY_BUTTONS.value(update))
    try:
        offer, pickup = await context.db.write(
            pickups.pay, offer_id, context.person.id, context.person.roles
        )
    except OfferActionRefused as refused:
        await refuse(update, context, refused, offer_id)
        return
    except LedgerError:
        await refuse_button(update)
        return
    await close_buttons(update, _("💵 Paid in cash"))
    await _tell_farmer_paid(context, offer, pickup)


async def _tell_farmer_paid(context: BotContext, offer: Offer, pickup: pickups.Pickup) -> None:
    farmer = await people.by_id(context.db, offer.farmer_id)
    if not (farmer and farmer.chat_id):
        return
    with use_locale(farmer.language):
        if pickup.net_rupiah == 0 and pickup.advance_rupiah:  # the harvest repaid an advance
            text = _("Offer {number} is settled: all of {amount} went to your input advance. You still owe {left}.").format(
                number=offer.number, amount=format_money(pickup.advance_rupiah), left=format_money(pickup.advance_left_rupiah))  # fmt: skip
        else:
            text = (
            _("Offer {number} is paid by transfer: {total}, reference {reference}. Thank you for selling to the cooperative.")
            if pickup.paid_by == "transfer"
            else _("Offer {number} is paid: {total} in cash. Thank you for selling to the cooperative.")
            ).format(number=offer.number, total=format_money(pickup.net_rupiah), reference=pickup.payment_reference)  # fmt: skip
    await tell(context, key=f"paid:{offer.id}", kind="paid", person_id=farmer.id,
               chat_id=farmer.chat_id, text=text)  # fmt: skip


async def start_transfer(update: Update, context: BotContext) -> str | int:
    offer = await offers.get(context.db, int(TRANSFER_BUTTONS.value(update)))
    if offer is None:
        await refuse_button(update)
        return END
    try:
        await pickups.may_or_refuse(
            context.db, offer, Action.PAY, context.person.id, context.person.roles
        )
    except OfferActionRefused as refused:
        await refuse(update, context, refused, offer.id)
        return END
    await close_buttons(update, _("🏦 Paid by transfer"))
    PickupDraft(offer_id=offer.id).save(context)
    return await TRANSFER_STEP.ask(update, context)


@writes("offer.pay_transfer")
async def _transfer_typed(update: Update, context: BotContext, reference: str) -> int:
    draft = PickupDraft.load(context)
    try:
        offer, pickup = await context.db.write(
            pickups.pay, need(draft.offer_id), context.person.id, context.person.roles,
            pickups.Payment("transfer", reference),
        )  # fmt: skip
    except (OfferActionRefused, LedgerError):
        PickupDraft.drop(context)
        await reply(
            update, _("That is no longer possible: this offer is already paid or not yours.")
        )
        return END
    PickupDraft.drop(context)
    await reply(update, _("OK. {number} is paid by transfer, reference {reference}. I told the farmer.").format(
        number=offer.number, reference=reference))  # fmt: skip
    await _tell_farmer_paid(context, offer, pickup)
    return END


TRANSFER_STEP = Typed(
    TRANSFER, lambda: _("Type the transfer reference from the bank receipt, for example 240915123456."),
    transfer_reference, _transfer_typed,
    reasons={"payment.reference": lambda: _("A reference is 4 to 40 letters or digits.")},
)  # fmt: skip


def transfer_conversation() -> ConversationHandler:
    return conversation(
        "pickup_transfer", "jemput", entry_points=[TRANSFER_BUTTONS.handler(start_transfer)],
        steps=[TRANSFER_STEP], cancel=cancel,
    )  # fmt: skip
