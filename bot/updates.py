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
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import Application
from telegram.request import HTTPXRequest

from bot.runtime.processor import PerChatUpdateProcessor
from storage import inbox
from storage.db import Database, current_update_id
from storage.persistence import SqlitePersistence

log = logging.getLogger(__name__)


class DurableUpdateQueue(asyncio.Queue):
    def __init__(self) -> None:
        super().__init__()
        self.db: Database | None = None
        self._queued: set[int] = set()  # in the queue or being processed: never twice at once
        self._stored: set[int] = set()  # stored with their polling batch, not queued yet
        self._replayed: set[int] = set()  # in a polling batch but applied before

    def stored_batch(self, update_ids: list[int], applied_before: set[int]) -> None:
        """The poller stored these (see DurableGetUpdatesRequest): no write per update."""
        self._stored.update(update_ids)
        self._replayed.update(applied_before)

    async def put(self, item: object) -> None:
        if isinstance(item, Update) and self.db is not None:
            if not await self._should_queue(item):
                return
            self._queued.add(item.update_id)
        await super().put(item)

    async def _should_queue(self, update: Update) -> bool:
        update_id = update.update_id
        if update_id in self._queued:
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
        if not await inbox.store(self.db, update_id, payload):
            log.info("update %s was applied before; dropped", update_id)
            return False
        return True

    def finished(self, update_id: int) -> None:
        self._queued.discard(update_id)


class DurableGetUpdatesRequest(HTTPXRequest):
    """The poller's transport: stores each getUpdates batch in the inbox, in one
    transaction and as Telegram sent it, before PTB sees it; PTB confirms a batch only
    with its next getUpdates call, so what Telegram considers delivered is on disk."""

    def __init__(self, queue: DurableUpdateQueue, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._queue = queue

    async def do_request(self, url: str, method: str, request_data: Any = None, **kwargs: Any) -> tuple[int, bytes]:
        code, body = await super().do_request(url, method, request_data, **kwargs)
        if code == 200 and url.endswith("/getUpdates") and self._queue.db is not None:
            updates = json.loads(body).get("result") or []
            if updates:
                batch = [(raw["update_id"], json.dumps(raw, ensure_ascii=False)) for raw in updates]
                applied = await inbox.store_batch(self._queue.db, batch)
                self._queue.stored_batch([update_id for update_id, _ in batch], applied)
        return code, body


class AppliedRecorder:
    """Group commit of what updates leave behind: the conversation states and user data
    PTB collected, and the marks saying these updates are applied, in one transaction.

    Updates that finish while a commit is running go together in the next one, so under
    load one transaction serves many updates; an update counts as done (and the next one
    of its chat starts) only once its commit is on disk.
    """

    def __init__(self, app: Application, db: Database, persistence: SqlitePersistence, queue: DurableUpdateQueue) -> None:
        self._app, self._db, self._persistence, self._queue = app, db, persistence, queue
        self._waiting: list[tuple[int, asyncio.Future[None]]] = []
        self._committer: asyncio.Task[None] | None = None

    async def record(self, update: Update) -> None:
        done = asyncio.get_running_loop().create_future()
        self._waiting.append((update.update_id, done))
        if self._committer is None or self._committer.done():
            self._committer = asyncio.create_task(self._commit_all())
        await done

    async def _commit_all(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            ids = [update_id for update_id, _ in batch]
            try:
                await self._commit(ids)
            except Exception:  # they stay unapplied in the inbox; retried after a restart
                log.exception("could not record updates %s as applied", ids)
            finally:
                for update_id, done in batch:
                    self._queue.finished(update_id)
                    if not done.done():
                        done.set_result(None)

    async def _commit(self, update_ids: list[int]) -> None:
        async with self._persistence.lock:
            await self._app.update_persistence()
            async with self._db.transaction(mark_update=False) as conn:
                await self._persistence.write_pending(conn)
                await inbox.mark_done(conn, update_ids)


class ExactlyOnceProcessor(PerChatUpdateProcessor):
    def __init__(
        self, max_concurrent_updates: int, on_applied: Callable[[Update], Awaitable[None]]
    ) -> None:
        super().__init__(max_concurrent_updates)
        self._on_applied = on_applied

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if not isinstance(update, Update):
            await coroutine
            return
        token = current_update_id.set(update.update_id)
        try:
            await coroutine
        finally:
            current_update_id.reset(token)
        await self._on_applied(update)
