"""assemble(settings, register=…) → the PTB Application, wired: persistence, update queue and
processor, rate limiter, handlers, error handler, start-up and shutdown."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import time

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes
from telegram.request import BaseRequest

from bot import dashboard_menu
from bot.config import Settings
from bot.context import BotContext, Services
from bot.i18n import gettext, load_catalogs, use_locale
from bot.runtime import quarantine
from bot.runtime.backups import schedule as schedule_backups
from bot.runtime.broadcast import CONCURRENCY, PAID_CONCURRENCY, OutboxSender
from bot.runtime.bulk import AsyncioBulkTransport, BulkTransport, RequestTransport
from bot.runtime.http import PooledRequest
from bot.runtime.metrics import instrument as instrument_metrics
from bot.runtime.multiproc import ChatLeases, reload_chat, take_stored
from bot.runtime.outgoing import JournaledRateLimiter, SentCallJournal
from bot.runtime.people_state import PeopleState
from bot.runtime.ratelimit import PriorityRateLimiter, SendLimits
from bot.runtime.updates import (
    AppliedRecorder,
    DurableGetUpdatesRequest,
    DurableUpdateQueue,
    DurableUpdater,
    ExactlyOnceProcessor,
)
from domain.commands import public_commands
from domain.people import LANGUAGES
from domain.produce import CATALOG
from storage import catalog, inbox, people, schedules
from storage.db import Database
from storage.leases import process_identity
from storage.migrate import migrate
from storage.persistence import SqlitePersistence, UserData

log = logging.getLogger(__name__)

# A stop: updates being processed get this long to finish before they are cancelled (they
# are processed again after the restart), then calls already on their way to Telegram get
# CALLS_GRACE_SECONDS to come back (and be recorded as sent).
STOP_GRACE_SECONDS = 3.0
CALLS_GRACE_SECONDS = 1.0


class KoperasiApplication(Application):
    """Opens the database before PTB loads persistence from it, closes it last; stops in
    seconds whatever the backlog."""

    applied_recorder: AppliedRecorder
    people_state: PeopleState  # people's data and conversation states, loaded as they write
    chat_leases: ChatLeases | None = None  # other processes on the database (assemble's shared)
    digest_time: time = time(6, 0)  # the morning price digest, local (schedules, else the setting)
    # set by the handlers' register(): scheduled work lives with the conversations it serves
    schedule_jobs: Callable[[KoperasiApplication], None] | None = None

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
            log.info(
                "database migrated: %s", ", ".join(f"{m.version:04d}_{m.name}" for m in applied)
            )
        await inbox.prune(db)
        CATALOG.replace_with(await catalog.load(db, include_inactive=True))
        self.update_queue.db = db
        await super().initialize()
        if self.chat_leases is not None:
            # Before the updates of the process before run: its chats are free at once,
            # instead of being left to a dead holder until the first sweep.
            await self.chat_leases.take_over_dead()
        await self._requeue_unapplied()
        await self._set_public_menus()
        # Administrators and treasurers: the 📊 Dasbor menu button (none without a URL).
        await dashboard_menu.give_all(self.bot, db, self.services.settings.dashboard_url)
        stored = await schedules.local_time(db, schedules.PRICE_DIGEST)
        self.digest_time = stored or self.services.settings.digest_time
        self._schedule_jobs()

    async def process_update(self, update: object) -> None:
        """PTB's, with the person's stored data and their chat's conversation states read
        first (nothing of them is loaded at start: bot.runtime.people_state)."""
        held = await self.people_state.prepare(update)
        try:
            await super().process_update(update)
        finally:
            self.people_state.release(held)

    def _schedule_jobs(self) -> None:
        """Scheduled work, registered at every start (APScheduler keeps nothing on disk) by
        the hook the handlers' register() left (handlers.jobs)."""
        if self.job_queue is not None and self.schedule_jobs is not None:
            self.schedule_jobs(self)
        schedule_backups(self)  # the daily backup, when KOPERASI_BACKUP_DIR is set

    async def _requeue_unapplied(self) -> None:
        """Stored before the last stop but never applied: they go first, in arrival order.
        One that cannot be parsed, or that no process finished MAX_ATTEMPTS times, is set
        aside instead (bot.runtime.quarantine): start-up never fails on an update."""
        db = self.services.db
        processor = self.update_processor
        queued = await quarantine.runnable(db, await inbox.pending_attempts(db), self.bot)
        if isinstance(processor, ExactlyOnceProcessor):
            if processor.journal is not None:
                await processor.journal.load([update_id for update_id, _, _ in queued])
            processor.requeued = {update_id for update_id, _, _ in queued}
            processor.suspects = {update_id for update_id, attempts, _ in queued if attempts > 0}
        for update_id, _, update in queued:
            self.update_queue.finished(update_id)
            await self.update_queue.put(update)
        if queued:
            log.info("%d update(s) from before the restart queued again", len(queued))

    async def _set_public_menus(self) -> None:
        try:
            for language in LANGUAGES:
                with use_locale(language):
                    commands = [
                        BotCommand(c.name, gettext(c.description)) for c in public_commands()
                    ]
                code = None if language == self.services.settings.default_language else language
                await self.bot.set_my_commands(commands, language_code=code)
        except TelegramError as exc:
            log.warning("could not set the command menus: %s", exc)

    async def start(self) -> None:
        await super().start()
        # Broadcasts left unfinished by the last process go on from where they stopped.
        if self.services.outbox is not None:
            await self.services.outbox.start()
        if self.chat_leases is not None:
            self.chat_leases.start()

    async def stop(self) -> None:
        """PTB's stop waits until every queued update is processed: under the flood limit a
        backlog of replies takes as long as Telegram's budget needs. Here nothing new starts,
        updates being processed get STOP_GRACE_SECONDS, and those still running are
        cancelled; they stay unapplied and are processed after the restart, where calls
        Telegram accepted are not made again (bot.runtime.outgoing). The broadcast sender stops
        meanwhile: messages waiting for their turn stay queued, those on the wire get
        CALLS_GRACE_SECONDS (bot.runtime.broadcast)."""
        processor = self.update_processor
        sender = self.services.outbox
        if self.running:
            stopping = [sender.stop(CALLS_GRACE_SECONDS)] if sender is not None else []
            if isinstance(processor, ExactlyOnceProcessor):
                stopping.append(self._stop_updates(processor))
            await asyncio.gather(*stopping)
            if self.chat_leases is not None:  # after the updates: their chats are free now
                await self.chat_leases.stop()
        await super().stop()

    async def _stop_updates(self, processor: ExactlyOnceProcessor) -> None:
        interrupted = await processor.stop_quickly(STOP_GRACE_SECONDS, CALLS_GRACE_SECONDS)
        await self.applied_recorder.settle()
        if interrupted:
            log.info(
                "stopping: %d update(s) interrupted; processed again at the next start",
                len(interrupted),
            )

    async def shutdown(self) -> None:
        try:
            await super().shutdown()  # flushes persistence
        finally:
            await self.services.db.close()


def assemble(
    settings: Settings,
    *,
    shared: bool = False,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    send_limits: SendLimits | None = None,
    poll_transport: BaseRequest | None = None,
    register: Callable[[Application], None],
) -> KoperasiApplication:
    """``register`` adds the handlers and their jobs (the wiring passes handlers.register:
    the runtime never imports the floor above it). ``request``/``get_updates_request`` replace
    the Bot API connections; ``poll_transport`` only the poller's HTTP under the
    inbox-storing transport (tests). ``shared``: other processes may serve the same
    database (``koperasi-bot run``): chats are leased, the outbox claimed, jobs run once
    (bot.runtime.multiproc)."""
    load_catalogs()  # a missing catalog stops start-up here, before any person is served
    db = Database(settings.database)
    persistence = SqlitePersistence(db)
    queue = DurableUpdateQueue()
    journal = SentCallJournal(db)
    holder: dict[str, AppliedRecorder] = {}

    async def on_applied(update: Update) -> None:
        await holder["recorder"].record(update)

    async def on_forbidden(chat_id: int | str | None) -> None:
        if isinstance(chat_id, int):
            await people.set_reachable(db, chat_id, False)

    processor = ExactlyOnceProcessor(settings.concurrency, on_applied, journal=journal, db=db)
    builder = (
        ApplicationBuilder()
        .application_class(KoperasiApplication)
        .token(settings.token)
        .base_url(settings.api_url)
        .base_file_url(settings.file_url)
        .context_types(ContextTypes(context=BotContext, bot_data=Services, user_data=UserData))
        .persistence(persistence)
        .update_queue(queue)
        .concurrent_updates(processor)
        .rate_limiter(
            JournaledRateLimiter(
                PriorityRateLimiter(send_limits, on_forbidden=on_forbidden), journal
            )
        )
    )
    # A connection for each update being answered, plus room for bulk sends (alerts, the
    # broadcast's progress message). The broadcast sender posts through connections of its
    # own (bot.runtime.bulk), one per message it has in flight: a message it marks as
    # leaving must not then wait for a connection (a crash there would count it as sent).
    broadcasting = PAID_CONCURRENCY if settings.paid_broadcast else CONCURRENCY
    builder = builder.request(request or PooledRequest(settings.concurrency + 16))
    # PTB's own defaults for the poller's connection (one connection, long-poll timeouts).
    builder = builder.get_updates_request(
        get_updates_request
        or DurableGetUpdatesRequest(queue, transport=poll_transport, connection_pool_size=1)
    )
    app = builder.build()
    # PTB's updater, but its webhook server sets aside updates PTB cannot parse.
    app.updater = DurableUpdater(bot=app.bot, update_queue=queue)
    queue.bot = app.bot
    app.people_state = PeopleState(app, persistence)
    holder["recorder"] = app.applied_recorder = AppliedRecorder(app, db, persistence, queue)
    journal.use_commit(app.applied_recorder.sent_call, app.applied_recorder.settle)
    app.bot_data.db = db
    app.bot_data.settings = settings
    identity = process_identity()
    if shared:

        async def take(found: list[tuple[int, str, int]]) -> int:
            return await take_stored(app, found, queue=queue, processor=processor)

        async def reload(update: Update) -> None:
            await reload_chat(app, persistence, update)

        app.chat_leases = ChatLeases(db, identity=identity, take=take, reload=reload)
        processor.leases, processor.queue = app.chat_leases, queue
    bulk: BulkTransport = (
        AsyncioBulkTransport(app.bot.base_url, broadcasting)
        if request is None
        else RequestTransport(request, app.bot.base_url)  # tests: the fake Telegram
    )
    app.bot_data.outbox = OutboxSender(
        app.bot,
        db,
        paid=settings.paid_broadcast,
        concurrency=broadcasting,
        identity=identity if shared else None,
        transport=bulk,
    )
    register(app)
    app.metrics = instrument_metrics(app) if settings.metrics_port else None  # after the handlers
    return app
