"""Staff join through a single-use invite link: language, phone, name, confirm. The role and
the organisation come from the invite."""

from __future__ import annotations

from telegram import ReplyKeyboardRemove, Update

from bot import dashboard_menu
from bot.context import BotContext
from bot.i18n import _, current_language
from domain.people import display_phone
from handlers.kit import Confirm, need, reply, start_over, writes
from handlers.menus import role_label
from handlers.registration.common import (
    Registration,
    applicant,
    name_step,
    phone_taken,
    welcome_registered,
)
from storage import invites, orgs, registration
from storage.people import PersonExists

NAME, CONFIRM = "staff.name", "staff.confirm"


async def invite_gone(update: Update, context: BotContext) -> int:
    Registration.drop(context)
    await reply(
        update,
        _(
            "This invite link has already been used or has expired. Please ask your administrator for a new one."
        ),
        ReplyKeyboardRemove(),
    )
    return -1


async def _named(update: Update, context: BotContext, name: str) -> str | int:
    draft = Registration.load(context)
    draft.name = name
    draft.save(context)
    if await invites.usable(context.db, need(draft.invite)) is None:
        return await invite_gone(update, context)
    return await CONFIRM_STEP.ask(update, context)


NAME_STEP = name_step(NAME, _named)


async def _summary(context: BotContext) -> str:
    draft = Registration.load(context)
    # Read to show it; saving checks the invite again inside its transaction.
    invite = need(await invites.usable(context.db, need(draft.invite)))
    org = await orgs.by_id(context.db, invite.org_id)
    return _(
        "Please check your details:\nName: {name}\nPhone number: {phone}\nRole: {role}\nOrganisation: {org}\n\nIs this right?"
    ).format(
        name=need(draft.name),
        phone=display_phone(need(draft.phone)),
        role=role_label(invite.role),
        org=org.name,
    )


@writes("registration.staff")
async def save(update: Update, context: BotContext) -> int:
    code = need(Registration.load(context).invite)
    try:
        done = await context.db.write(registration.register_staff, applicant(update, context), code)
    except registration.InviteUnusable:
        return await invite_gone(update, context)
    except PersonExists:
        return await phone_taken(update, context)
    if done.role in dashboard_menu.OFFICER_ROLES:
        await dashboard_menu.give(
            context.bot,
            context.settings.dashboard_url,
            update.effective_chat.id,
            current_language(),
        )
    return await welcome_registered(
        update,
        context,
        _("Welcome, {name}! You are now {role} of {org}.").format(
            name=done.full_name, role=role_label(done.role), org=done.org_name
        ),
    )


change = start_over(NAME_STEP)


CONFIRM_STEP = Confirm(CONFIRM, _summary, save, change)
