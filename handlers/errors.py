"""The last line: log with context, tell the person in their language, never a traceback."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError

from bot.i18n import _

log = logging.getLogger("koperasi.errors")


async def on_error(update: object, context) -> None:
    error = context.error
    if isinstance(error, Forbidden):
        log.info(
            "cannot reach %s: %s",
            getattr(getattr(update, "effective_chat", None), "id", "?"),
            error,
        )
        return
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("error while handling update %s", update_id, exc_info=error)
    if isinstance(update, Update) and update.effective_chat:
        try:
            await update.effective_chat.send_message(
                _("Sorry, something went wrong on our side. Please try again in a moment.")
            )
        except TelegramError:
            log.warning("could not tell chat %s about the error", update.effective_chat.id)
