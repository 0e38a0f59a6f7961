"""register(app): the one ordered list of every handler. Groups run in order; within a
group the first matching handler wins."""

from __future__ import annotations

import warnings

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from handlers import admin, help, settings, start
from handlers.common import cancel, load_person
from handlers.errors import on_error

# Our conversations mix buttons and typed answers per chat (per_message=False) on purpose;
# PTB warns about that combination at every start.
warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)


def register(app: Application) -> None:
    # -100: who is writing and in which language, before anything answers them.
    app.add_handler(TypeHandler(Update, load_person), group=-100)

    # 0: conversations first, so their steps take text and buttons before the commands below.
    app.add_handler(start.conversation())
    app.add_handler(settings.area_conversation())

    # Commands outside conversations.
    app.add_handler(CommandHandler("help", help.show_help))
    app.add_handler(CommandHandler("settings", settings.show_settings))
    app.add_handler(CommandHandler("language", settings.ask_language))
    app.add_handler(CommandHandler("invite", admin.make_invite))
    app.add_handler(CommandHandler("cancel", cancel))

    # Buttons that live outside conversations (any time, from /settings and /language).
    app.add_handler(CallbackQueryHandler(settings.on_language, pattern=r"^setlang:"))
    app.add_handler(CallbackQueryHandler(settings.on_timezone, pattern=r"^settz:"))
    app.add_handler(CallbackQueryHandler(settings.on_setting, pattern=r"^set:(lang|tz)$"))

    # Last: whatever nothing above understood gets a polite answer, never silence.
    app.add_handler(CallbackQueryHandler(help.stale_button))
    # (private chats only: in a group the bot must not answer every message)
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE, help.not_understood))

    app.add_error_handler(on_error)
