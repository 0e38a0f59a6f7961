"""A union member registers: their phone number links them to their cooperative's roster."""

from __future__ import annotations

from telegram import ReplyKeyboardRemove, Update

from bot.context import BotContext
from bot.i18n import _
from domain.people import display_phone
from handlers.kit import reply, writes
from handlers.registration.common import Registration, applicant, phone_taken, welcome_registered
from storage import registration
from storage.people import PersonExists


@writes("registration.member")
async def link_to_roster(update: Update, context: BotContext, phone: str) -> int:
    try:
        done = await context.db.write(registration.register_member, applicant(update, context))
    except registration.NotOnRoster:
        Registration.drop(context)
        await reply(
            update,
            _(
                "The number {phone} is not on the member list of any cooperative. Please ask your cooperative's administrator to add it. Then send /start again."
            ).format(phone=display_phone(phone)),
            ReplyKeyboardRemove(),
        )
        return -1
    except PersonExists:
        return await phone_taken(update, context)
    return await welcome_registered(
        update,
        context,
        _("Welcome, {name}! You are registered as a member of {org}.").format(
            name=done.full_name, org=done.org_name
        ),
    )
