"""Inbound pipeline: exactly-once processing of updates across crashes and replays.

1. Every update is in the inbox before Telegram considers it delivered: a polling batch is
   stored by ``DurableGetUpdatesRequest`` before PTB sees it (PTB confirms a batch only with
   its next getUpdates), a webhook update by ``DurableUpdateQueue.put`` before the webhook
   server answers 200.
2. ``ExactlyOnceProcessor`` runs updates of one chat in order and different chats
   concurrently, and after the handlers writes the conversation state and marks the update
   applied in one transaction (group commit: see AppliedRecorder). A handler's own write transaction marks it too (see
   ``storage.db``), so its effects and the mark commit together.
3. At start-up, stored but unapplied updates are queued again; applied ones are dropped
   whenever they come back.
4. Each update is parsed on its own where it arrives (the poller's transport, the webhook
   handler, the start-up queue): one PTB cannot parse is set aside (``bot.runtime.quarantine``) and
   the others go on. An update stored before a restart counts its attempts; one that no
   process finished ``inbox.MAX_ATTEMPTS`` times is set aside too, and those that were
   started before without finishing (suspects) run one at a time, so that an update that
   brings the process down does not take others with it.
5. Bot API calls made for an update are numbered and recorded once Telegram accepts them
   (``bot.runtime.outgoing``): processed again, the update does not send them again.
6. A stop takes seconds, whatever the backlog (``ExactlyOnceProcessor.stop_quickly``):
   nothing new starts, updates in flight get a short grace and are then cancelled; they
   stay in the inbox and are processed after the restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from http import HTTPStatus
from typing import Any

import tornado.web
from telegram import Bot, Update
from telegram.ext import Application, ExtBot, Updater
from telegram.ext._utils.webhookhandler import TelegramHandler
from telegram.request import BaseRequest, HTTPXRequest

from bot.runtime import quarantine
from bot.runtime.batch import Batcher
from bot.runtime.multiproc import Admit, ChatLeases, lease_key_of
from bot.runtime.outgoing import SentCall, SentCallJournal
from bot.runtime.processor import PerChatUpdateProcessor
from bot.runtime.ratelimit import first_in_line
from storage import inbox, sent_calls
from storage.db import Database, current_update_id
from storage.persistence import SqlitePersistence

log = logging.getLogger(__name__)


class DurableUpdateQueue(asyncio.Queue):
    def __init__(self) -> None:
        super().__init__()
        self.db: Database | None = None
        self.bot: Bot | None = None  # parses updates as PTB will (set by bot.app.assemble)
        self._queued: set[int] = set()  # in the queue or being processed: never twice at once
        self._stored: set[int] = set()  # stored with their polling batch, not queued yet
        self._replayed: set[int] = set()  # in a polling batch but applied before
        self._set_aside: set[int] = set()  # quarantined: the poller passes an empty stand-in
        self._parsed: dict[int, Update] = {}  # parsed by the poller's transport, PTB gets stand-ins

    def stored_batch(
        self,
        update_ids: list[int],
        applied_before: set[int],
        set_aside: set[int] = frozenset(),
        parsed: dict[int, Update] | None = None,
    ) -> None:
        """The poller stored these (see DurableGetUpdatesRequest): no write per update."""
        self._stored.update(update_ids)
        self._replayed.update(applied_before - set_aside)
        self._set_aside.update(set_aside)
        if parsed:
            self._parsed.update(parsed)

    async def quarantine_raw(self, raw: dict[str, Any], error: BaseException) -> None:
        """A webhook update PTB cannot parse: stored as received, then set aside."""
        assert self.db is not None
        update_id = raw["update_id"]
        payload = json.dumps(raw, ensure_ascii=False)
        if await inbox.store(self.db, update_id, payload):
            await quarantine.set_aside(
                self.db, [(update_id, payload, quarantine.describe(error))], "cannot be parsed"
            )

    async def put(self, item: object) -> None:
        if isinstance(item, Update):  # the stand-in PTB parsed for the poller: the update itself
            item = self._parsed.pop(item.update_id, item)
        if isinstance(item, Update) and self.db is not None:
            update_id = item.update_id
            if update_id in self._queued:
                return
            # taken before the store's await: a sweep (bot.runtime.multiproc) finding the
            # row meanwhile must not queue it a second time
            self._queued.add(update_id)
            try:
                queue_it = await self._should_queue(item)
            except BaseException:
                self._queued.discard(update_id)
                raise
            if not queue_it:
                self._queued.discard(update_id)
                return
        await super().put(item)

    async def put_stored(self, update: Update) -> None:
        """Queue an update already in the inbox (found by a sweep, or queued again behind
        older updates of its chat): no second store."""
        self._stored.add(update.update_id)
        await self.put(update)

    def is_queued(self, update_id: int) -> bool:
        return update_id in self._queued

    async def _should_queue(self, update: Update) -> bool:
        update_id = update.update_id
        if update_id in self._set_aside:
            self._set_aside.discard(update_id)
            self._stored.discard(update_id)
            return False
        if update_id in self._replayed:
            self._replayed.discard(update_id)
            self._stored.discard(update_id)
            log.info("update %s was applied before; dropped", update_id)
            return False
        if update_id in self._stored:
            self._stored.discard(update_id)
            return True
        payload = json.dumps(update.to_dict(), ensure_ascii=False)  # webhook: one at a time
        if not await inbox.store(self.db, update_id, payload, lease_key_of(update)):
            log.info("update %s was applied before; dropped", update_id)
            return False
        return True

    def finished(self, update_id: int) -> None:
        self._queued.discard(update_id)


class DurableGetUpdatesRequest(HTTPXRequest):
    """The poller's transport: stores each getUpdates batch in the inbox, in one
    transaction and as Telegram sent it, before PTB sees it; PTB confirms a batch only
    with its next getUpdates call, so what Telegram considers delivered is on disk."""

    def __init__(
        self, queue: DurableUpdateQueue, *, transport: BaseRequest | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self._queue = queue
        self._transport = transport  # tests: a fake Bot API instead of HTTP

    async def do_request(
        self, url: str, method: str, request_data: Any = None, **kwargs: Any
    ) -> tuple[int, bytes]:
        if self._transport is not None:
            code, body = await self._transport.do_request(url, method, request_data, **kwargs)
        else:
            code, body = await super().do_request(url, method, request_data, **kwargs)
        if code == 200 and url.endswith("/getUpdates") and self._queue.db is not None:
            answer = json.loads(body)
            updates = answer.get("result") or []
            if updates:
                stand_ins, batch, parsed, bad = self._parse_each(updates)
                # A stop cancels the poller whenever it likes: never in the middle of a
                # transaction (the batch comes again with the next getUpdates anyway).
                await asyncio.shield(self._store(batch, parsed, bad))
                body = json.dumps({**answer, "result": stand_ins}).encode()
        return code, body

    async def _store(
        self,
        batch: list[tuple[int, str]],
        parsed: dict[int, Update],
        bad: list[tuple[int, str, str]],
    ) -> None:
        db = self._queue.db
        assert db is not None
        keys = {uid: lease_key_of(update) for uid, update in parsed.items()}
        applied = await inbox.store_batch(db, batch, keys) if batch else set()
        fresh = [(uid, payload, error) for uid, payload, error in bad if uid not in applied]
        await quarantine.set_aside(db, fresh, "cannot be parsed")
        self._queue.stored_batch(
            [uid for uid, _ in batch], applied, {uid for uid, _, _ in bad}, parsed
        )

    def _parse_each(
        self, updates: list[Any]
    ) -> tuple[
        list[dict[str, int]], list[tuple[int, str]], dict[int, Update], list[tuple[int, str, str]]
    ]:
        """(what PTB gets, what the inbox stores, the updates parsed, what is set aside).

        Each update is parsed here, on its own; PTB gets a stand-in with just its id (PTB
        parses a whole batch at once, and one update it cannot parse fails the batch), and
        the queue swaps the parsed update back in. One that cannot be parsed is stored and
        set aside; its stand-in makes PTB confirm it with the next getUpdates."""
        stand_ins, batch, parsed, bad = [], [], {}, []
        bot = self._queue.bot
        for raw in updates:
            update_id = raw.get("update_id") if isinstance(raw, dict) else None
            if not isinstance(update_id, int):  # nothing to store it under, nothing to confirm
                log.warning("an update without update_id was dropped (%s)", type(raw).__name__)
                continue
            payload = json.dumps(raw, ensure_ascii=False)
            batch.append((update_id, payload))
            stand_ins.append({"update_id": update_id})
            update = quarantine.parse(raw, bot)
            if isinstance(update, BaseException):
                bad.append((update_id, payload, quarantine.describe(update)))
                continue
            if isinstance(bot, ExtBot):
                bot.insert_callback_data(update)  # what ExtBot.get_updates does with each
            parsed[update_id] = update
        return stand_ins, batch, parsed, bad


class QuarantiningTelegramHandler(TelegramHandler):
    """PTB's webhook handler, except that an update it cannot parse is stored and set aside
    and Telegram gets 200 (PTB answers 400, and Telegram would deliver it again forever)."""

    async def post(self) -> None:
        self._validate_post()
        data = json.loads(self.request.body.decode())
        self.set_status(HTTPStatus.OK)
        parsed = quarantine.parse(data, self.bot)
        if isinstance(parsed, BaseException):
            queue = self.update_queue
            if (
                isinstance(queue, DurableUpdateQueue)
                and isinstance(data, dict)
                and isinstance(data.get("update_id"), int)
            ):
                await queue.quarantine_raw(data, parsed)
                return
            raise tornado.web.HTTPError(
                HTTPStatus.BAD_REQUEST, reason="Update could not be processed"
            )
        if isinstance(self.bot, ExtBot):
            self.bot.insert_callback_data(parsed)
        await self.update_queue.put(parsed)


class DurableUpdater(Updater):
    """Serves the webhook with :class:`QuarantiningTelegramHandler`."""

    async def _start_webhook(self, *args: Any, **kwargs: Any) -> None:
        await super()._start_webhook(*args, **kwargs)
        # PTB builds its tornado app inside _start_webhook; the server started listening
        # just now, without yielding to the event loop, so no request was served before
        # this rule (added ahead of PTB's own) is in place.
        server = getattr(getattr(self, "_httpd", None), "_http_server", None)
        app = getattr(server, "request_callback", None)
        if not isinstance(app, tornado.web.Application) or not hasattr(app, "shared_objects"):
            log.warning("webhook: cannot install the quarantining handler; PTB's handles updates")
            return
        url_path = kwargs.get("url_path") or (args[2] if len(args) > 2 else "")
        url_path = url_path if url_path.startswith("/") else f"/{url_path}"
        app.add_handlers(
            r".*", [(rf"{url_path}/?", QuarantiningTelegramHandler, app.shared_objects)]
        )


class AppliedRecorder:
    """Group commit of what updates leave behind: the conversation states and user data
    PTB collected, and the marks saying these updates are applied, in one transaction;
    with them the records of Bot API calls Telegram accepted for updates still running
    (``bot.runtime.outgoing``; a record whose update is marked applied in the same commit is
    dropped: nobody will replay that update).

    Updates that finish while a commit is running go together in the next one, so under
    load one transaction serves many updates; an update counts as done (and the next one
    of its chat starts) only once its commit is on disk.
    """

    def __init__(
        self,
        app: Application,
        db: Database,
        persistence: SqlitePersistence,
        queue: DurableUpdateQueue,
    ) -> None:
        self._app, self._db, self._persistence, self._queue = app, db, persistence, queue
        self._waiting: list[tuple[int, asyncio.Future[None]]] = []
        self._calls: list[SentCall] = []
        self._committer: asyncio.Task[None] | None = None

    async def record(self, update: Update) -> None:
        done = asyncio.get_running_loop().create_future()
        self._waiting.append((update.update_id, done))
        self._start()
        await done

    def sent_call(self, call: SentCall) -> None:
        """A call Telegram accepted: written with the next commit (not waited for)."""
        self._calls.append(call)
        self._start()

    def _start(self) -> None:
        if self._committer is None or self._committer.done():
            self._committer = asyncio.create_task(self._commit_all())

    async def settle(self) -> None:
        """Until the commits under way (and those they picked up) are done."""
        while self._committer is not None and not self._committer.done():
            await asyncio.shield(self._committer)

    async def _commit_all(self) -> None:
        while self._waiting or self._calls:
            batch, self._waiting = self._waiting, []
            calls, self._calls = self._calls, []
            ids = [update_id for update_id, _ in batch]
            done_ids = set(ids)
            calls = [call for call in calls if call[0] not in done_ids]
            try:
                if ids:
                    await self._commit(ids, calls)
                else:
                    await sent_calls.record(self._db, calls)
            except Exception:  # they stay unapplied in the inbox; retried after a restart
                log.exception(
                    "could not record updates %s as applied (%d call records)", ids, len(calls)
                )
            finally:
                for update_id, done in batch:
                    self._queue.finished(update_id)
                    if not done.done():
                        done.set_result(None)

    async def _commit(self, update_ids: list[int], calls: list[SentCall]) -> None:
        async with self._persistence.lock:
            await self._app.update_persistence()
            async with self._db.transaction(bookkeeping=True) as conn:
                await self._persistence.write_pending(conn)
                await inbox.mark_done(conn, update_ids)
                if calls:
                    await sent_calls.record_in(conn, calls)


class ExactlyOnceProcessor(PerChatUpdateProcessor):
    """Runs each update with its id in ``current_update_id`` and its Bot API calls numbered
    (``bot.runtime.outgoing``), then has it recorded as applied (``on_applied``).

    Updates stored before this process started (``requeued``) count an attempt, on disk,
    before they run; ``suspects`` (started before and never finished) run one at a time.
    :meth:`stop_quickly` is the stop: nothing new starts, what runs gets a grace period.
    """

    def __init__(
        self,
        max_concurrent_updates: int,
        on_applied: Callable[[Update], Awaitable[None]],
        *,
        journal: SentCallJournal | None = None,
        db: Database | None = None,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self._on_applied = on_applied
        self.journal = journal
        self._db = db
        self.requeued: set[int] = set()  # stored before this process: attempts are counted
        self.suspects: set[int] = set()  # of those, started before and never finished
        self._one_at_a_time = asyncio.Lock()
        self._attempts: Batcher[int] | None = None
        self._counted: set[int] = set()  # attempts this process counted
        self._running: dict[int, asyncio.Task[Any]] = {}
        self._stopping = False
        self.interrupted = 0  # updates a stop cut off
        # several processes on one database (bot.runtime.multiproc): set by the wiring
        self.leases: ChatLeases | None = None
        self.queue: DurableUpdateQueue | None = None

    def slot(self, update: object) -> contextlib.AbstractAsyncContextManager[Any]:
        if isinstance(update, Update) and update.update_id in self.suspects:
            return self._alone()
        return super().slot(update)

    @contextlib.asynccontextmanager
    async def _alone(self) -> AsyncIterator[None]:
        async with self._one_at_a_time, self._semaphore:
            yield

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if not isinstance(update, Update):
            await coroutine
            return
        update_id = update.update_id
        if self._stopping:  # not started: it stays in the inbox for the next process
            getattr(coroutine, "close", lambda: None)()
            return
        if self.leases is not None and self.queue is not None:
            try:
                verdict = await self.leases.admit(update, self.queue.is_queued)
            except Exception:  # noqa: BLE001 - the database is busy, say: a sweep retakes it
                log.exception("update %s: could not take its chat; left in the inbox", update_id)
                verdict = Admit.LEAVE
            if verdict is not Admit.RUN:
                getattr(coroutine, "close", lambda: None)()
                self.queue.finished(update_id)
                if verdict is Admit.LATER:  # behind the older updates of its chat
                    await self.queue.put_stored(update)
                return
            try:
                await self._run(update, coroutine)
            finally:
                self.leases.done(update)
            return
        await self._run(update, coroutine)

    async def _run(self, update: Update, coroutine: Awaitable[Any]) -> None:
        update_id = update.update_id
        if update_id in self.requeued and self._db is not None:
            self.requeued.discard(update_id)
            await self._count_attempt(update_id)  # on disk before it runs: a crash counts
        token = current_update_id.set(update_id)
        try:
            with (
                self.journal.update(update_id) if self.journal else contextlib.nullcontext(),
                # run alone (a suspect): its replies go first, so it is soon done
                first_in_line() if update_id in self.suspects else contextlib.nullcontext(),
            ):
                if self.max_concurrent_updates > 1:  # PTB gave the update a task of its own
                    self._running[update_id] = asyncio.current_task()  # type: ignore[assignment]
                    await coroutine
                else:  # PTB runs it in its fetcher task, which a stop must not cancel
                    task = asyncio.ensure_future(coroutine)
                    self._running[update_id] = task
                    try:
                        await task
                    except asyncio.CancelledError:
                        if not task.cancelled() or asyncio.current_task().cancelling():  # type: ignore[union-attr]
                            raise
                        return  # interrupted by stop_quickly: it stays unapplied
        finally:
            current_update_id.reset(token)
            self._running.pop(update_id, None)
            self.suspects.discard(update_id)
        await self._on_applied(update)

    async def _count_attempt(self, update_id: int) -> None:
        assert self._db is not None
        if self._attempts is None:
            db = self._db
            self._attempts = Batcher(lambda ids: inbox.count_attempts(db, ids), "attempt counts")
        self._counted.add(update_id)
        await self._attempts.submit(update_id)

    async def stop_quickly(self, grace: float, calls_grace: float) -> list[int]:
        """Start nothing more and give the updates being processed ``grace`` seconds. Then
        cancel those waiting for a send token; any other (a call on the wire, a database
        write under way) goes on to its next Bot API call, which ends it there
        (``SentCallJournal.stopping``): what Telegram was given is answered and recorded,
        and no transaction is cut half-way. After ``calls_grace`` more seconds whatever is
        left is cancelled. Returns the ids of the updates interrupted: they stay unapplied
        in the inbox (an attempt counted for them is taken back: the stop was not their
        fault)."""
        self._stopping = True
        running = set(self._running.values())
        if running:
            await asyncio.wait(running, timeout=grace)
        left = {uid: task for uid, task in self._running.items() if not task.done()}
        journal = self.journal
        if journal is not None:
            journal.stopping = True
        for update_id, task in left.items():
            if journal is None or journal.waiting_for_a_token(update_id):
                task.cancel()
        if left:
            _, late = await asyncio.wait(left.values(), timeout=calls_grace)
            for task in late:  # neither answered nor at its next call: cut off after all
                task.cancel()
            if late:
                log.warning(
                    "stopping: %d update(s) cut off after %.0f s more", len(late), calls_grace
                )
                await asyncio.wait(late, timeout=0.5)
        interrupted = sorted(uid for uid, task in left.items() if task.done() and task.cancelled())
        if journal is not None:
            await journal.flush()
        self.interrupted += len(interrupted)
        uncount = sorted(set(interrupted) & self._counted)
        if uncount and self._db is not None:
            try:
                await inbox.count_attempts(self._db, uncount, step=-1)
            except Exception:  # noqa: BLE001 - they then count once more; no harm done
                log.exception(
                    "could not take back the attempts of %d interrupted update(s)", len(uncount)
                )
        return interrupted
