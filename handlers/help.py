"""/help, and what the bot says to anything it does not understand."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.i18n import _
from handlers.kit import refuse_button, reply
from handlers.menus import help_text


async def show_help(update: Update, context: BotContext) -> None:
    roles = context.person.roles if context.person else frozenset()
    text = help_text(roles)
    if context.person is None:
        text = _("You are not registered yet. Send /start to begin.") + "\n\n" + text
    await reply(update, text)


async def not_understood(update: Update, context: BotContext) -> None:
    await reply(update, _("Sorry, I did not understand that. Send /help to see what I can do."))


# A button from an old message, or a forged one: refuse politely, change nothing.
stale_button = refuse_button
