"""Typed PTB context: the services every handler needs, and the person being served."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import Settings
from domain.people import Person
from storage.db import Database

if TYPE_CHECKING:
    from bot.runtime.broadcast import OutboxSender


@dataclass
class Services:
    """Held as ``bot_data`` (never persisted); the database is opened in
    ``KoperasiApplication.initialize`` and closed in its ``shutdown``."""

    db: Database | None = None
    settings: Settings | None = None
    # The broadcast sender (bot.runtime.broadcast): wake() it after enqueuing a broadcast.
    outbox: OutboxSender | None = None


class BotContext(CallbackContext[ExtBot, dict, dict, Services]):
    def __init__(
        self, application: Application, chat_id: int | None = None, user_id: int | None = None
    ):
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        # Loaded once per update by handlers.menus.load_person (group -100).
        self.person: Person | None = None

    @property
    def db(self) -> Database:
        return self.bot_data.db

    @property
    def settings(self) -> Settings:
        return self.bot_data.settings
