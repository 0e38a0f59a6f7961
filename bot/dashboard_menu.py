"""The chat menu button ``📊 Dasbor`` (a Telegram Mini App, issue 15) for administrators and
treasurers: set in their own chat when they get the role and, at every start, for the officers
already there. Everyone else keeps Telegram's default menu. Nothing when no dashboard URL is
configured (KOPERASI_DASHBOARD_URL)."""

from __future__ import annotations

import logging

from telegram import Bot, MenuButtonWebApp, WebAppInfo
from telegram.error import TelegramError

from bot.i18n import _, use_locale
from domain.people import Role
from storage import dashboard
from storage.db import Database

log = logging.getLogger(__name__)

OFFICER_ROLES = frozenset({Role.ADMIN, Role.TREASURER})


def button(url: str, language: str) -> MenuButtonWebApp:
    with use_locale(language):
        return MenuButtonWebApp(text=_("📊 Dashboard"), web_app=WebAppInfo(url=url))


async def give(bot: Bot, url: str, chat_id: int, language: str) -> bool:
    """The button in one officer's chat; False when Telegram refused (logged, never raised:
    a missing button must not spoil a registration)."""
    if not url:
        return False
    try:
        return await bot.set_chat_menu_button(chat_id=chat_id, menu_button=button(url, language))
    except TelegramError as exc:
        log.warning("could not set the dashboard button in chat %s: %s", chat_id, exc)
        return False


async def give_all(bot: Bot, db: Database, url: str) -> int:
    """Every administrator and treasurer the bot can write to, one after the other (a
    cooperative has few officers); how many got it."""
    if not url:
        return 0
    given = 0
    for chat_id, language in await dashboard.officers(db):
        given += await give(bot, url, chat_id, language)
    return given
