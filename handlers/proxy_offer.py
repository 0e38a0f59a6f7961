"""/jualkan: a coordinator enters an offer for a farmer without Telegram.

phone (typed; a farmer entered before is found by it) → name and village (first time only) →
the farmer's own offer steps (handlers.offer: produce, grade, quantity, ready day, summary).
The offer is the coordinator's to pick up at once (no alerts), the receipt comes to them,
and the farmer who registers later with this phone finds their offers in /tawaran.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, ConversationHandler

from bot.context import BotContext
from bot.i18n import _
from domain import regions
from domain.people import clean_name, display_phone, normalise_phone
from handlers import windows
from handlers.kit import (
    END,
    Buttons,
    Confirm,
    Typed,
    conversation,
    in_background,
    keyboard,
    need,
    reply,
    writes,
)
from handlers.menus import cancel
from handlers.offer import flow as offer
from handlers.offer.draft import OfferDraft
from handlers.offer.summary import summary
from handlers.place import PlaceSteps
from storage import offers, orgs
from storage.offers import FarmerUsesTelegram, ProxyFarmer

PHONE, NAME = "proxy.phone", "proxy.name"


async def start(update: Update, context: BotContext) -> str:
    OfferDraft.drop(context)
    return await PHONE_STEP.ask(update, context)


async def _phone_typed(update: Update, context: BotContext, phone: str) -> str | int:
    try:
        known = await offers.proxy_farmer(context.db, phone)
    except FarmerUsesTelegram:
        await reply(update, _("{phone} belongs to a farmer who uses this bot. They can offer with /jual themselves.").format(
            phone=display_phone(phone)))  # fmt: skip
        return END
    if known is None:
        OfferDraft(farmer_phone=phone).save(context)
        return await NAME_STEP.ask(update, context)
    _person_id, name, village = known
    place = regions.place(village or "")
    await reply(
        update,
        _("Farmer: {name}, {village}.").format(name=name, village=place.village if place else "?"),
    )
    draft = OfferDraft(farmer_phone=phone, farmer_name=name, village_code=village,
                       org_id=await orgs.for_village(context.db, need(village)))  # fmt: skip
    return await offer.offer_produce(update, context, draft)


async def _name_typed(update: Update, context: BotContext, name: str) -> str:
    draft = OfferDraft.load(context)
    draft.farmer_name = name
    draft.save(context)
    await reply(update, _("Where does {name} live?").format(name=name))
    return await VILLAGE.ask(update, context)


async def _village_chosen(update: Update, context: BotContext, code: str) -> str | int:
    draft = OfferDraft.load(context)
    draft.village_code, draft.org_id = code, await orgs.for_village(context.db, code)
    return await offer.offer_produce(update, context, draft)


PHONE_STEP = Typed(
    PHONE, lambda: _("Selling for a farmer without Telegram. Type the farmer's phone number, for example 0812-3456-7890."),
    normalise_phone, _phone_typed,
    reasons={"phone": lambda: _("That is not an Indonesian phone number.")},
)  # fmt: skip
NAME_STEP = Typed(
    NAME, lambda: _("What is the farmer's full name?"), clean_name, _name_typed,
    reasons={"name": lambda: _("Please type the name in letters, 2 to 60 of them.")},
)  # fmt: skip
VILLAGE = PlaceSteps(OfferDraft, _village_chosen, farmer=True)


@writes("offer.enter")
async def save_for_farmer(update: Update, context: BotContext) -> int:
    draft = OfferDraft.load(context)
    farmer = ProxyFarmer(need(draft.farmer_name), need(draft.farmer_phone), draft.village_code)
    made, _farmer_id = await context.db.write(
        offers.create_for, context.person.id, farmer, offer.new_offer(draft, context), draft.shown()
    )
    OfferDraft.drop(context)
    schedule = keyboard(
        [[Buttons.registry["jdw"].button(_("📅 Schedule the pickup"), str(made.id))]]
    )
    await reply(update, _("Offer {number} is saved for {name} ({phone}). It is yours to pick up: schedule it when you have agreed a time. If they register in the bot with this number, they will see it in /tawaran.").format(
        number=made.number, name=farmer.full_name, phone=display_phone(farmer.phone)), schedule)  # fmt: skip
    in_background(context, windows.after_offer(context), f"windows-{made.id}")  # it may fill one
    return END


CONFIRM_STEP = Confirm(offer.CONFIRM, summary, offer.saving(save_for_farmer), offer.change)


def conversation_handler() -> ConversationHandler:
    return conversation(
        "proxy_offer", "jualkan", entry_points=[CommandHandler("jualkan", start)],
        steps=[PHONE_STEP, NAME_STEP, *offer.PRODUCE_STEPS, CONFIRM_STEP],
        states={**VILLAGE.states(), **{state: make() for state, make in offer.EXTRA_STATES.items()}},
        cancel=cancel,
    )  # fmt: skip
