"""Outgoing Bot API calls of an update: numbered, recorded as soon as Telegram accepts them,
and not made again when the update is processed again.

An update not yet done when the process dies is processed again at the next start. Its
handlers decide the same way (use-case results are stored, see ``storage.db.Database.write``),
so they make the same calls in the same order. :class:`JournaledRateLimiter` numbers the
calls of each update (``UpdateCalls``, set per update by ``bot.runtime.updates.ExactlyOnceProcessor``),
records ``(update_id, seq, method, result, chat)`` once Telegram answered 200
(``storage.sent_calls``), and on the replay answers a recorded call from the record (the same
method to the same chat only), as if Telegram had answered, without sending it or waiting for
a send token.

What no bot can avoid remains: a call on its way to Telegram when the process is killed
(Telegram has it, the bot never heard back). A *stop* cuts nothing half-way: updates waiting
for a send token are cancelled; any other (a call on the wire, a database write) is let go on
to its next call, which the journal refuses (``stopping``), so the update ends there with
what Telegram accepted recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from telegram.ext import BaseRateLimiter

from bot.runtime.batch import Batcher
from storage import sent_calls
from storage.db import Database

log = logging.getLogger(__name__)

SentCall = tuple[int, int, str, str, int | None]  # (update_id, seq, method, result JSON, chat)
Recorded = tuple[str, str, int | None]  # (method, result JSON, chat_id)


@dataclass
class UpdateCalls:
    """The calls of one update being processed: the next number, what was recorded for this
    update before (when it is being processed again), and how many are on the wire."""

    update_id: int
    recorded: dict[int, Recorded] = field(default_factory=dict)
    next_seq: int = 0
    in_limiter: int = 0  # calls handed to the rate limiter: waiting for a token, or on the wire
    on_the_wire: int = 0


_current: contextvars.ContextVar[UpdateCalls | None] = contextvars.ContextVar(
    "update_calls", default=None
)


class SentCallJournal:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._recorded: dict[int, dict[int, Recorded]] = {}
        self._active: dict[int, UpdateCalls] = {}
        # Where records go: a group commit of their own, unless the pipeline's commit of
        # applied updates takes them (see use_commit): then a record whose update is marked
        # applied in the same commit is not written at all.
        batch: Batcher[SentCall] = Batcher(self._write, "sent-call records")
        self._submit: Callable[[SentCall], object] = batch.submit
        self._flush: Callable[[], Awaitable[None]] = batch.flush
        self.stopping = False  # a stop: updates make no further call (interrupted at the next)
        self.replayed = 0  # calls answered from the record in this process

    async def load(self, update_ids: list[int]) -> None:
        """Before updates stored by an earlier process are processed again: their records."""
        # update, not replace: a sweep (bot.runtime.multiproc) loads more while others run
        self._recorded.update(await sent_calls.recorded(self._db, update_ids))

    @contextlib.contextmanager
    def update(self, update_id: int) -> Iterator[UpdateCalls]:
        """The calls made inside the block belong to ``update_id``."""
        calls = self._active[update_id] = UpdateCalls(update_id, self._recorded.pop(update_id, {}))
        token = _current.set(calls)
        try:
            yield calls
        finally:
            _current.reset(token)
            self._active.pop(update_id, None)

    def waiting_for_a_token(self, update_id: int) -> bool:
        """Whether this update waits in the rate limiter for its turn to send, and nothing
        of it is on the wire: then cancelling it loses nothing and leaves nothing half done."""
        calls = self._active.get(update_id)
        return calls is not None and calls.in_limiter > 0 and calls.on_the_wire == 0

    def accepted(
        self, calls: UpdateCalls, seq: int, method: str, result: Any, chat_id: int | None = None
    ) -> None:
        """Telegram accepted this call: written in the next group commit, not waited for."""
        self._submit((calls.update_id, seq, method, json.dumps(result), chat_id))

    def use_commit(
        self, submit: Callable[[SentCall], object], flush: Callable[[], Awaitable[None]]
    ) -> None:
        """Records go to this group commit (``bot.runtime.updates.AppliedRecorder``)."""
        self._submit, self._flush = submit, flush

    async def flush(self) -> None:
        """Until every record submitted so far is written."""
        await self._flush()

    async def _write(self, calls: list[SentCall]) -> None:
        await sent_calls.record(self._db, calls)


def _chat_of(data: dict[str, Any]) -> int | None:
    chat_id = data.get("chat_id")
    if isinstance(chat_id, str):
        try:
            return int(chat_id)
        except ValueError:
            return None  # an @channel name: not a chat id
    return chat_id if isinstance(chat_id, int) else None


class JournaledRateLimiter(BaseRateLimiter[Any]):
    """Wraps the rate limiter PTB calls for every Bot API request (but getUpdates): inside an
    update, each call is numbered; a recorded one is answered from the record, any other is
    passed on and recorded once Telegram accepts it."""

    def __init__(self, inner: BaseRateLimiter[Any], journal: SentCallJournal) -> None:
        self.inner = inner
        self.journal = journal

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def process_request(
        self,
        callback: Any,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Any,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        calls = _current.get()
        if calls is None:  # start-up, jobs, the command line: nothing to number
            return await self.inner.process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        journal = self.journal
        if journal.stopping:  # the process is stopping: this update ends here, unapplied
            raise asyncio.CancelledError(
                f"stopping before call #{calls.next_seq} of update {calls.update_id}"
            )
        seq = calls.next_seq
        calls.next_seq += 1
        chat_id = _chat_of(data)
        recorded = calls.recorded.pop(seq, None)
        if recorded is not None:
            method, result, recorded_chat = recorded
            # The same call to the same chat (a record without a chat is from before chats
            # were recorded): else the record answers for another call, and must not.
            if method == endpoint and (recorded_chat is None or recorded_chat == chat_id):
                journal.replayed += 1
                log.debug(
                    "update %d: call #%d (%s) answered from the record",
                    calls.update_id,
                    seq,
                    method,
                )
                return json.loads(result)
            # The handler took another path than before: the record no longer matches.
            log.warning(
                "update %d: call #%d was %s to chat %s before, now %s to chat %s;"
                " sending from here on",
                calls.update_id, seq, method, recorded_chat, endpoint, chat_id,
            )  # fmt: skip
            calls.recorded.clear()

        async def send(*call_args: Any, **call_kwargs: Any) -> Any:
            calls.on_the_wire += 1
            try:
                result = await callback(*call_args, **call_kwargs)
            finally:
                calls.on_the_wire -= 1
            journal.accepted(calls, seq, endpoint, result, chat_id)
            return result

        calls.in_limiter += 1
        try:
            return await self.inner.process_request(
                send, args, kwargs, endpoint, data, rate_limit_args
            )
        finally:
            calls.in_limiter -= 1
