"""What every handler shares: the person behind an update and their language, what they
may do (/help, the command menu), and /cancel."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat, ReplyKeyboardRemove, Update
from telegram.error import TelegramError

from bot.context import BotContext
from bot.i18n import _, gettext, set_language, use_locale
from domain.commands import commands_for
from domain.people import LANGUAGES, ROLE_LABELS, Person, Role
from handlers.kit import END, close_buttons, end_all, reply
from storage import people

log = logging.getLogger(__name__)

# Where a person who has not registered yet keeps the language they picked.
PICKED_LANGUAGE = "lang"


async def load_person(update: Update, context: BotContext) -> None:
    """Group -100: find who is writing and speak their language for this update. Anyone who
    writes can be reached again, even after blocking the bot once."""
    user = update.effective_user
    context.person = await people.by_telegram_id(context.db, user.id) if user else None
    if context.person:
        set_language(context.person.language)
        if not context.person.reachable and context.person.chat_id:
            await people.set_reachable(context.db, context.person.chat_id, True)
        return
    picked = (context.user_data or {}).get(PICKED_LANGUAGE) if user else None
    client = (user.language_code or "")[:2] if user else ""
    set_language(picked or (client if client in LANGUAGES else context.settings.default_language))


def role_label(role: Role) -> str:
    return gettext(ROLE_LABELS[role])


def help_text(roles: frozenset[Role]) -> str:
    lines = [f"/{command.name} — {gettext(command.description)}" for command in commands_for(roles)]
    return _("Here is what you can do:") + "\n" + "\n".join(lines)


async def set_person_menu(context: BotContext, person: Person) -> None:
    """Give this person's chat the menu of their roles in their language."""
    if not person.chat_id:
        return
    with use_locale(person.language):
        commands = [BotCommand(c.name, gettext(c.description)) for c in commands_for(person.roles)]
    try:
        await context.bot.set_my_commands(commands, scope=BotCommandScopeChat(person.chat_id))
    except TelegramError as exc:  # a menu is a convenience: never fail the person's step for it
        log.warning("could not set the command menu for chat %s: %s", person.chat_id, exc)


async def cancel(update: Update, context: BotContext) -> int:
    """/cancel from any step of any conversation: every conversation of the chat ends,
    every draft goes, nothing half-done is kept; the language an unregistered person picked
    stays."""
    end_all(update, context)
    for key in [k for k in context.user_data if k != PICKED_LANGUAGE]:
        context.user_data.pop(key, None)
    if update.callback_query:
        await close_buttons(update)
    await reply(
        update,
        _("Cancelled. Nothing was changed. Send /help to see what you can do."),
        ReplyKeyboardRemove(),
    )
    return END
