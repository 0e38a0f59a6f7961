"""What every handler shares: the person behind an update, their language, access
checks, keyboards and replies."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import TelegramError

from bot.context import BotContext
from bot.domain.commands import commands_for
from bot.domain.people import DEFAULT_LANGUAGE, LANGUAGES, ROLE_LABELS, Person, Role
from bot.i18n import _, gettext, set_language, use_locale
from storage import people
from storage.db import UpdateAlreadyApplied

log = logging.getLogger(__name__)
T = TypeVar("T")

Callback = Callable[[Update, BotContext], Awaitable[object]]
Buttons = Sequence[Sequence[tuple[str, str]]]  # rows of (label, callback_data)

# Where a person who has not finished registering keeps the language they picked.
DRAFT = "draft"


async def load_person(update: Update, context: BotContext) -> None:
    """Group -100: find who is writing and speak their language for this update."""
    user = update.effective_user
    context.person = await people.by_telegram_id(context.db, user.id) if user else None
    if context.person:
        set_language(context.person.language)
        return
    picked = (context.user_data or {}).get(DRAFT, {}).get("lang") if user else None
    client = (user.language_code or "")[:2] if user else ""
    set_language(picked or (client if client in LANGUAGES else context.settings.default_language))


def inline(rows: Buttons) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


async def reply(update: Update, text: str, markup: object = None) -> None:
    """Answer in the chat the update came from (message or button press)."""
    await update.effective_chat.send_message(text, reply_markup=markup)


async def close_buttons(update: Update, chosen: str | None = None) -> None:
    """Answer a button press and take its buttons away, showing what was chosen, so the
    same question cannot be answered twice."""
    query = update.callback_query
    text = query.message.text if query.message else None
    try:
        # Processed again after a crash, the query may be too old to answer: go on anyway.
        await query.answer()
        if chosen and text:
            await query.edit_message_text(f"{text}\n\n✅ {chosen}")
        else:
            await query.edit_message_reply_markup(None)
    except TelegramError as exc:  # the message is gone or already edited: nothing to close
        log.debug("could not close buttons: %s", exc)


async def once(write: Awaitable[T]) -> T | None:
    """Run a write use case; when this update's effects were committed before (it is being
    processed again after a crash), skip it and return None so the handler still answers."""
    try:
        return await write
    except UpdateAlreadyApplied:
        return None


def requires(*roles: Role) -> Callable[[Callback], Callback]:
    """Let a handler run only for people holding one of ``roles``: the one access check."""
    allowed = frozenset(roles)

    def wrap(callback: Callback) -> Callback:
        @functools.wraps(callback)
        async def guarded(update: Update, context: BotContext) -> object:
            person = context.person
            if person is None:
                await reply(update, _("Please register first: send /start."))
                return None
            if not person.has_any(allowed):
                await reply(update, _("Sorry, this command is not available to you."))
                return None
            return await callback(update, context)

        guarded.required_roles = allowed
        return guarded

    return wrap


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
    """/cancel from any step of any conversation: nothing half-done is kept."""
    draft_language = context.user_data.get(DRAFT, {}).get("lang") if context.user_data else None
    context.user_data.clear()
    if draft_language and context.person is None:
        context.user_data[DRAFT] = {"lang": draft_language}
    if update.callback_query:
        await close_buttons(update)
    await reply(
        update,
        _("Cancelled. Nothing was changed. Send /help to see what you can do."),
        ReplyKeyboardRemove(),
    )
    return -1  # ConversationHandler.END


def language_of(context: BotContext) -> str:
    if context.person:
        return context.person.language
    return context.user_data.get(DRAFT, {}).get("lang", DEFAULT_LANGUAGE)
