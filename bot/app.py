"""build_application(settings) → the PTB Application, wired: persistence, update queue and
processor, rate limiter, handlers, error handler, start-up and shutdown."""

from __future__ import annotations

import json
import logging

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes
from telegram.request import BaseRequest

import handlers
from bot.config import Settings
from bot.context import BotContext, Services
from bot.domain.commands import public_commands
from bot.domain.people import LANGUAGES
from bot.i18n import gettext, load_catalogs, use_locale
from bot.runtime.http import PooledRequest
from bot.runtime.ratelimit import PriorityRateLimiter, SendLimits
from bot.updates import (
    AppliedRecorder,
    DurableGetUpdatesRequest,
    DurableUpdateQueue,
    ExactlyOnceProcessor,
)
from storage import inbox, people
from storage.db import Database
from storage.migrate import migrate
from storage.persistence import SqlitePersistence

log = logging.getLogger(__name__)


class KoperasiApplication(Application):
    """Opens the database before PTB loads persistence from it, closes it last."""

    @property
    def services(self) -> Services:
        return self.bot_data

    async def initialize(self) -> None:
        if self._initialized:
            return
        db = self.services.db
        await db.open()
        applied = await migrate(db)
        if applied:
            log.info("database migrated: %s", ", ".join(f"{m.version:04d}_{m.name}" for m in applied))
        await inbox.prune(db)
        self.update_queue.db = db
        await super().initialize()
        await self._requeue_unapplied()
        await self._set_public_menus()

    async def _requeue_unapplied(self) -> None:
        # Stored before the last stop but never applied: they go first, in arrival order.
        pending = await inbox.pending(self.services.db)
        for update_id, payload in pending:
            self.update_queue.finished(update_id)
            await self.update_queue.put(Update.de_json(json.loads(payload), self.bot))
        if pending:
            log.info("%d update(s) from before the restart queued again", len(pending))

    async def _set_public_menus(self) -> None:
        try:
            for language in LANGUAGES:
                with use_locale(language):
                    commands = [BotCommand(c.name, gettext(c.description)) for c in public_commands()]
                code = None if language == self.services.settings.default_language else language
                await self.bot.set_my_commands(commands, language_code=code)
        except TelegramError as exc:
            log.warning("could not set the command menus: %s", exc)

    async def shutdown(self) -> None:
        try:
            await super().shutdown()  # flushes persistence
        finally:
            await self.services.db.close()


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    send_limits: SendLimits | None = None,
) -> KoperasiApplication:
    load_catalogs()  # a missing catalog stops start-up here, before any person is served
    db = Database(settings.db_path)
    persistence = SqlitePersistence(db)
    queue = DurableUpdateQueue()
    holder: dict[str, AppliedRecorder] = {}

    async def on_applied(update: Update) -> None:
        await holder["recorder"].record(update)

    async def on_forbidden(chat_id: int | str | None) -> None:
        if isinstance(chat_id, int):
            await people.set_reachable(db, chat_id, False)

    builder = (
        ApplicationBuilder()
        .application_class(KoperasiApplication)
        .token(settings.token)
        .base_url(settings.api_url)
        .base_file_url(settings.file_url)
        .context_types(ContextTypes(context=BotContext, bot_data=Services))
        .persistence(persistence)
        .update_queue(queue)
        .concurrent_updates(ExactlyOnceProcessor(settings.concurrency, on_applied))
        .rate_limiter(PriorityRateLimiter(send_limits, on_forbidden=on_forbidden))
    )
    # A connection for each update being answered, plus room for bulk sends.
    builder = builder.request(request or PooledRequest(settings.concurrency + 16))
    # PTB's own defaults for the poller's connection (one connection, long-poll timeouts).
    builder = builder.get_updates_request(get_updates_request or DurableGetUpdatesRequest(queue, connection_pool_size=1))
    app = builder.build()
    holder["recorder"] = AppliedRecorder(app, db, persistence, queue)
    app.bot_data.db = db
    app.bot_data.settings = settings
    handlers.register(app)
    return app
