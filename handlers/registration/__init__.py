"""/start: registration of farmers, members and staff, as one conversation.

language → what they register as → own phone (share contact) →
  farmer: name → village (province, regency, district, village) → confirm
  member: linked to the roster by phone
invite link → language → phone → name → confirm (role and organisation from the invite)

A registered person who sends /start is welcomed back; one who opens an invite link only
gains the invite's role.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, ConversationHandler, filters

from bot.context import BotContext
from bot.i18n import _
from domain.invites import looks_like_code
from handlers.kit import END, Buttons, Choice, conversation, reply
from handlers.menus import cancel, help_text
from handlers.registration import farmer, member, staff
from handlers.registration.common import (
    FARMER,
    KIND,
    MEMBER,
    PICKED_LANGUAGE,
    STAFF,
    ContactStep,
    Registration,
    language_step,
)
from handlers.settings import ask_village_again
from storage import invites

KIND_BUTTONS = Buttons("kind", value=r"[a-z]", max_length=6)


async def start(update: Update, context: BotContext) -> str | int:
    payload = context.args[0] if context.args else ""
    if looks_like_code(payload):
        return await _start_with_invite(update, context, payload)
    if context.person and not context.person.needs_village:
        await reply(
            update,
            _("Welcome back, {name}!").format(name=context.person.full_name)
            + "\n\n"
            + help_text(context.person.roles),
        )
        return END
    if context.person:  # a farmer whose village was typed before codes: pick it once
        return await ask_village_again(update, context)
    Registration().save(context)
    return await LANGUAGE_STEP.ask(update, context)


async def _start_with_invite(update: Update, context: BotContext, code: str) -> str | int:
    if context.person:  # already known: the invite only adds the role
        person = context.person
        Registration(kind=STAFF, invite=code, phone=person.phone, name=person.full_name).save(
            context
        )
        context.user_data[PICKED_LANGUAGE] = person.language
        return await staff.save(update, context)
    if await invites.usable(context.db, code) is None:
        return await staff.invite_gone(update, context)
    Registration(kind=STAFF, invite=code).save(context)
    return await LANGUAGE_STEP.ask(update, context)


async def _language_chosen(update: Update, context: BotContext, language: str) -> str:
    if Registration.load(context).kind == STAFF:
        return await CONTACT_STEP.ask(update, context)
    return await KIND_STEP.ask(update, context)


async def _kind_chosen(update: Update, context: BotContext, kind: str) -> str:
    draft = Registration.load(context)
    draft.kind = kind
    draft.save(context)
    return await CONTACT_STEP.ask(update, context)


async def _phone_shared(update: Update, context: BotContext, phone: str) -> str | int:
    kind = Registration.load(context).kind
    if kind == MEMBER:
        return await member.link_to_roster(update, context, phone)
    if kind == STAFF:
        return await staff.NAME_STEP.ask(update, context)
    return await farmer.ask_name(update, context)


LANGUAGE_STEP = language_step(_language_chosen)
KIND_STEP = Choice(
    KIND, KIND_BUTTONS,
    lambda: _("What do you want to register as?\n🌾 Farmer: you sell your harvest to the cooperative.\n👷 Union member: you save with your union's cooperative."),
    lambda context: [(_("🌾 I am a farmer"), FARMER), (_("👷 I am a union member"), MEMBER)],
    _kind_chosen, Registration,
)  # fmt: skip
CONTACT_STEP = ContactStep(_phone_shared)


def conversation_handler() -> ConversationHandler:
    entry = CommandHandler("start", start, filters.ChatType.PRIVATE)
    return conversation(
        "registration", "start",
        entry_points=[entry],
        steps=[LANGUAGE_STEP, KIND_STEP, CONTACT_STEP, farmer.NAME_STEP, farmer.CONFIRM_STEP,
               staff.NAME_STEP, staff.CONFIRM_STEP],
        states=farmer.PLACE.states(),
        fallbacks=[entry],
        cancel=cancel,
    )  # fmt: skip
