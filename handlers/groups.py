"""The group policy: the bot serves people in private chats. In a group it answers a command
with a pointer to the private chat and nothing else; every other group update is ignored.

And whether a person can be reached: Telegram tells the bot when someone blocks it or comes
back (``my_chat_member``); any update from them also says they are back (handlers.menus)."""

from __future__ import annotations

import logging

from telegram import Chat, ChatMember, Update
from telegram.constants import MessageEntityType
from telegram.ext import ApplicationHandlerStop

from bot.context import BotContext
from bot.i18n import _
from handlers.kit import answer_query, reply
from storage import people

log = logging.getLogger(__name__)


def _is_command_for_us(update: Update, username: str) -> bool:
    """A command at the start of the message, bare or addressed to this bot
    (``/start@koperasi_bot``); ``/start@other_bot`` is another bot's business."""
    message = update.message
    if not (message and message.entities and message.entities[0].type == MessageEntityType.BOT_COMMAND
            and message.entities[0].offset == 0):  # fmt: skip
        return False
    command = message.text[: message.entities[0].length]
    _name, at, addressee = command.partition("@")
    return not at or addressee.lower() == (username or "").lower()


async def private_only(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    if chat is None or chat.type == Chat.PRIVATE:
        return
    if update.my_chat_member:
        raise ApplicationHandlerStop
    if update.callback_query:
        await answer_query(update)
    elif _is_command_for_us(update, context.bot.username):
        await reply(
            update,
            _(
                "I only help people in a private chat. Open a chat with me: https://t.me/{bot}"
            ).format(bot=context.bot.username),
        )
    raise ApplicationHandlerStop


async def on_blocked_or_back(update: Update, context: BotContext) -> None:
    change = update.my_chat_member
    if change.chat.type != Chat.PRIVATE:
        raise ApplicationHandlerStop
    blocked = change.new_chat_member.status in (ChatMember.BANNED, ChatMember.LEFT)
    await people.set_reachable(context.db, change.chat.id, not blocked)
    log.info("chat %s %s the bot", change.chat.id, "blocked" if blocked else "unblocked")
    raise ApplicationHandlerStop
