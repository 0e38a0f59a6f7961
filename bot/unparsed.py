"""Bot API calls whose answer nobody reads, left as Telegram's JSON.

PTB turns every answer to ``sendMessage``/``editMessageText`` into a ``Message`` (with its
``Chat``, ``User`` and keyboard objects): about a third of the CPU of an update of the
``/jual`` flow (``python -m bench.offtake --skip flood --profile``), for answers that
``handlers.kit.reply`` and ``close_buttons`` never read. These helpers post the same
request through PTB's public ``Bot.do_api_request`` without a ``return_type``, so the answer comes back as the dict
Telegram sent. The request takes the very same way as ``bot.send_message`` (``ExtBot`` →
the rate limiter → ``bot.outgoing.JournaledRateLimiter``): it waits for a send token, is
numbered and recorded once Telegram accepts it, and is answered from the record on a replay;
errors are the same ``TelegramError`` subclasses.
"""

from __future__ import annotations

import warnings
from typing import Any

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.ext import ExtBot
from telegram.warnings import PTBUserWarning

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None

# do_api_request advises the typed method for an endpoint PTB knows; here the typed method
# is what is being avoided on purpose (only these endpoints, only that advice).
warnings.filterwarnings(
    "ignore",
    message=r"Please use 'Bot\.(sendMessage|editMessageText|editMessageReplyMarkup)'",
    category=PTBUserWarning,
)


# A button of text and callback data (or a link) is written as that dict here, not by
# ``to_dict``, which inspects every attribute of every button (most of what sending a
# keyboard costs).
_PLAIN_FIELDS = ("text", "callback_data", "url")
_OTHER_FIELDS = tuple(f for f in InlineKeyboardButton.__slots__ if f not in _PLAIN_FIELDS)


def _button(button: InlineKeyboardButton) -> dict[str, Any]:
    if button.api_kwargs or any(getattr(button, f) is not None for f in _OTHER_FIELDS):
        return button.to_dict()
    return {f: v for f in _PLAIN_FIELDS if (v := getattr(button, f)) is not None}


def markup_json(markup: Markup) -> dict[str, Any] | Markup:
    """What Telegram gets for ``markup``: the same as PTB's ``markup.to_dict()``."""
    if type(markup) is not InlineKeyboardMarkup or markup.api_kwargs:
        return markup
    return {"inline_keyboard": [[_button(b) for b in row] for row in markup.inline_keyboard]}


async def _call(bot: Bot, endpoint: str, params: dict[str, Any], rate_limit_args: Any) -> Any:
    if "reply_markup" in params:
        params["reply_markup"] = markup_json(params["reply_markup"])
    if isinstance(bot, ExtBot):
        return await bot.do_api_request(endpoint, params, rate_limit_args=rate_limit_args)
    return await bot.do_api_request(endpoint, params)


async def send_message(
    bot: Bot,
    chat_id: int | str,
    text: str,
    markup: Markup | dict[str, Any] = None,
    *,
    allow_paid_broadcast: bool | None = None,
    rate_limit_args: Any = None,
) -> dict[str, Any]:
    """``bot.send_message(chat_id, text, reply_markup=markup, ...)``; the sent message as a
    dict. ``markup`` may also be the keyboard as JSON already (an outbox row's)."""
    params: dict[str, Any] = {"chat_id": chat_id, "text": text}
    if allow_paid_broadcast is not None:
        params["allow_paid_broadcast"] = allow_paid_broadcast
    if markup is not None:
        params["reply_markup"] = markup
    return await _call(bot, "sendMessage", params, rate_limit_args)


async def edit_message_text(
    bot: Bot, chat_id: int | str, message_id: int, text: str, markup: Markup = None
) -> dict[str, Any] | bool:
    """``bot.edit_message_text(text, chat_id, message_id, reply_markup=markup)``."""
    params: dict[str, Any] = {"chat_id": chat_id, "message_id": message_id, "text": text}
    if markup is not None:
        params["reply_markup"] = markup
    return await _call(bot, "editMessageText", params, None)


async def edit_message_reply_markup(
    bot: Bot, chat_id: int | str, message_id: int, markup: Markup = None
) -> dict[str, Any] | bool:
    """``bot.edit_message_reply_markup(chat_id, message_id, reply_markup=markup)``: ``None``
    takes the inline buttons away."""
    params: dict[str, Any] = {"chat_id": chat_id, "message_id": message_id}
    if markup is not None:
        params["reply_markup"] = markup
    return await _call(bot, "editMessageReplyMarkup", params, None)
