"""/help, and what the bot says to anything it does not understand."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.i18n import _
from handlers.common import help_text, reply


async def show_help(update: Update, context: BotContext) -> None:
    roles = context.person.roles if context.person else frozenset()
    text = help_text(roles)
    if context.person is None:
        text = _("You are not registered yet: send /start to begin.") + "\n\n" + text
    await reply(update, text)


async def not_understood(update: Update, context: BotContext) -> None:
    await reply(update, _("Sorry, I did not understand that. Send /help to see what I can do."))


async def stale_button(update: Update, context: BotContext) -> None:
    """A button from an old message, or a forged one: refuse politely, change nothing."""
    await update.callback_query.answer(_("This button is no longer active."), show_alert=False)
