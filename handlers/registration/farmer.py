"""A farmer registers: name, village (by code), a summary to confirm."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.i18n import _, ngettext
from domain import regions
from domain.people import display_phone
from handlers.kit import Confirm, need, reply, writes
from handlers.place import PlaceSteps
from handlers.registration.common import (
    Registration,
    applicant,
    name_step,
    phone_taken,
    welcome_registered,
)
from storage import offers, registration
from storage.people import PersonExists


async def _named(update: Update, context: BotContext, name: str) -> str:
    draft = Registration.load(context)
    draft.name = name
    draft.save(context)
    return await PLACE.ask(update, context)


NAME, CONFIRM = "farmer.name", "farmer.confirm"
NAME_STEP = name_step(NAME, _named)


async def ask_name(update: Update, context: BotContext) -> str:
    return await NAME_STEP.ask(update, context)


async def _summary(context: BotContext) -> str:
    draft = Registration.load(context)
    place = regions.place(need(draft.place)[-1])
    return _(
        "Please check your details:\n"
        "Name: {name}\nPhone number: {phone}\nVillage: {village}\nDistrict: {district}\n"
        "Regency/city: {regency}\nProvince: {province}\nTime zone: {zone}\n\nIs this right?"
    ).format(
        name=need(draft.name), phone=display_phone(need(draft.phone)), village=place.village,
        district=place.district, regency=place.regency, province=place.province,
        zone=regions.TIMEZONES[place.timezone],
    )  # fmt: skip


@writes("registration.farmer")
async def save(update: Update, context: BotContext) -> int:
    draft = Registration.load(context)
    try:
        done = await context.db.write(
            registration.register_farmer, applicant(update, context), need(draft.place)[-1]
        )
    except PersonExists:
        return await phone_taken(update, context)
    text = _("Thank you, {name}! You are registered as a farmer.").format(name=done.full_name)
    entered = await offers.of_farmer(context.db, done.person_id)
    if entered:  # a coordinator entered offers for them before they had Telegram
        text += "\n" + ngettext(
            "A coordinator has already entered {count} offer for you. Send /tawaran to see it.",
            "A coordinator has already entered {count} offers for you. Send /tawaran to see them.",
            len(entered),
        ).format(count=len(entered))
    return await welcome_registered(update, context, text)


async def change(update: Update, context: BotContext) -> str:
    await reply(update, _("Let us go through it again."))
    return await ask_name(update, context)


async def _village_chosen(update: Update, context: BotContext, code: str) -> str:
    return await CONFIRM_STEP.ask(update, context)


PLACE = PlaceSteps(Registration, _village_chosen)
CONFIRM_STEP = Confirm(CONFIRM, _summary, save, change)
