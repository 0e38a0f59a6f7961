"""The baseline: a bare python-telegram-bot echo bot with PTB's DEFAULT settings.

``ApplicationBuilder().token(...).base_url(...)`` and nothing else: updates are handled one
at a time (no ``concurrent_updates``), no rate limiter, no persistence, default HTTPX pool.

* one MessageHandler: sends the text back (a shared contact is answered "contact <phone>");
* one CallbackQueryHandler: answers the query and sends "pressed <data>".

Every message carries the same inline keyboard, so the benchmark people can press the
same buttons ("Bahasa Indonesia", "🌾 Saya petani", "✅ Ya, simpan") they press on the real
bot, and both bots get the very same workload.

Run: ``TELEGRAM_BOT_TOKEN=... python -m bench.echo_bot --api-url http://127.0.0.1:PORT/bot``
(stops on SIGTERM / Ctrl-C).  Also importable: :func:`build` makes the Application for an
in-process run over any transport (``bench/cost.py``).
"""

from __future__ import annotations

import argparse
import os

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

# (label, callback_data): the labels the registration workload presses.
BUTTONS = [
    ("Bahasa Indonesia", "lang:id"),
    ("🌾 Saya petani", "kind:farmer"),
    ("✅ Ya, simpan", "ok:yes"),
]
KEYBOARD = InlineKeyboardMarkup(
    [[InlineKeyboardButton(label, callback_data=data)] for label, data in BUTTONS]
)


def echo_text(message_text: str | None, contact_phone: str | None) -> str:
    if message_text:
        return message_text
    if contact_phone:
        return f"contact {contact_phone}"
    return "ok"


async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    phone = message.contact.phone_number if message.contact else None
    await context.bot.send_message(
        update.effective_chat.id, echo_text(message.text, phone), reply_markup=KEYBOARD
    )


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer()
    await context.bot.send_message(
        update.effective_chat.id, f"pressed {query.data}", reply_markup=KEYBOARD
    )


def add_handlers(app: Application) -> Application:
    app.add_handler(MessageHandler(filters.ALL, on_message))
    app.add_handler(CallbackQueryHandler(on_button))
    return app


def build(
    token: str, base_url: str | None = None, builder: ApplicationBuilder | None = None
) -> Application:
    builder = builder or ApplicationBuilder()
    builder = builder.token(token)
    if base_url:
        builder = builder.base_url(base_url)
    return add_handlers(builder.build())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.echo_bot",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--api-url", required=True, help="Bot API base URL, e.g. http://127.0.0.1:8081/bot"
    )
    parser.add_argument("--token", default=os.environ.get("TELEGRAM_BOT_TOKEN"))
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("set TELEGRAM_BOT_TOKEN or pass --token")
    build(args.token, args.api_url).run_polling()  # PTB defaults throughout


if __name__ == "__main__":
    main()
