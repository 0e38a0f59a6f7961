"""Inbound pipeline: exactly-once processing of updates across crashes and replays.

1. ``DurableUpdateQueue.put`` stores each update in the inbox before it is queued. The
   updater awaits ``put`` before it asks Telegram for more (which confirms the previous
   batch) and the webhook server before it answers 200, so an update Telegram considers
   delivered is always on disk.
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

    async def put(self, item: object) -> None:
        if isinstance(item, Update) and self.db is not None:
            if item.update_id in self._queued:
                return
            payload = json.dumps(item.to_dict(), ensure_ascii=False)
            if not await inbox.store(self.db, item.update_id, payload):
                log.info("update %s was applied before; dropped", item.update_id)
                return
            self._queued.add(item.update_id)
        await super().put(item)

    def finished(self, update_id: int) -> None:
        self._queued.discard(update_id)


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
