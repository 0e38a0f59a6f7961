"""Update processor: different chats run concurrently, each chat strictly in arrival order.

PTB's default processes one update at a time; ``concurrent_updates(N)`` lifts that but lets two
updates of the same chat race, which breaks ConversationHandler state and message order.
:class:`PerChatUpdateProcessor` gives both: a FIFO turn per chat, and a bound on how many chats
are being worked on at once.

How an update flows through :meth:`PerChatUpdateProcessor.process_update`:

1. It joins its chat's FIFO queue. Only the *head* of each chat's queue goes further, so a chat
   with a long backlog holds at most one place in line for a concurrency slot and cannot crowd
   out other chats.
2. The head takes one of ``max_concurrent_updates`` slots (the base class semaphore, so
   :attr:`current_concurrent_updates` stays meaningful), runs, and releases the slot.
3. It hands the turn to the next update of the same chat, or forgets the chat when its queue is
   empty, so memory is proportional to the chats that have work right now.

Arrival order is kept because PTB starts one task per update in the order the updates arrive, and
everything up to joining the chat queue runs without yielding to the event loop.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from contextlib import AbstractAsyncContextManager
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

__all__ = ["PerChatUpdateProcessor", "chat_key"]

ChatKey = Callable[[object], Hashable | None]


def chat_key(update: object) -> Hashable | None:
    """The ordering key of an update: its chat, else its user, else ``None`` (no ordering).

    In a private chat the chat id equals the user id, so a callback query from an inline message
    (no chat) still lines up behind the same person's messages.
    """
    if not isinstance(update, Update):
        return None
    chat = update.effective_chat
    if chat is not None:
        return chat.id
    user = update.effective_user
    return user.id if user is not None else None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Processes updates of different chats concurrently and updates of one chat in order.

    Args:
        max_concurrent_updates: How many updates may be processed at the same time.
        key: Maps an update to its ordering key; updates with the key ``None`` are only bounded
            by ``max_concurrent_updates``. Defaults to :func:`chat_key`.
    """

    __slots__ = ("_drained", "_in_flight", "_key", "_turns")

    def __init__(self, max_concurrent_updates: int, *, key: ChatKey = chat_key) -> None:
        super().__init__(max_concurrent_updates)
        self._key = key
        # chat key -> updates of that chat waiting for their turn. A key is present exactly
        # while one update of the chat holds the turn.
        self._turns: dict[Hashable, deque[asyncio.Future[None]]] = {}
        self._in_flight = 0
        self._drained: asyncio.Future[None] | None = None

    @property
    def active_chats(self) -> int:
        """Number of chats that have an update being processed or waiting."""
        return len(self._turns)

    @property
    def pending_updates(self) -> int:
        """Number of updates handed to this processor that have not finished yet."""
        return self._in_flight

    # The base class marks process_update final only to keep the semaphore in place; the
    # semaphore is still used below, just after the per-chat turn instead of before it.
    async def process_update(  # type: ignore[misc]
        self, update: object, coroutine: Awaitable[Any]
    ) -> None:
        """Waits for the chat's turn, then for a concurrency slot, then processes the update."""
        key = self._key(update)
        self._in_flight += 1
        started = False
        try:
            if key is not None:
                await self._wait_for_turn(key)
            try:
                async with self.slot(update):
                    started = True
                    await self.do_process_update(update, coroutine)
            finally:
                if key is not None:
                    self._pass_turn(key)
        finally:
            if not started:
                _close(coroutine)  # cancelled while waiting: avoid "never awaited" warnings
            self._in_flight -= 1
            if self._in_flight == 0 and self._drained is not None:
                _resolve(self._drained)

    def slot(self, update: object) -> AbstractAsyncContextManager[Any]:
        """What an update holds while it is processed, once it has its chat's turn: one of
        the concurrency slots. A subclass may wrap it (run some updates one at a time, say)."""
        return self._semaphore

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Runs the update's handlers; ordering and bounding already happened."""
        await coroutine

    async def initialize(self) -> None:
        """Nothing to allocate: per-chat state is created on demand."""

    async def shutdown(self) -> None:
        """Waits until every update handed to the processor has finished.

        ``Application.stop()`` already waits for update tasks, so after it this returns at once.
        """
        if self._in_flight == 0:
            return
        if self._drained is None or self._drained.done():
            self._drained = asyncio.get_running_loop().create_future()
        await asyncio.shield(self._drained)

    async def _wait_for_turn(self, key: Hashable) -> None:
        """Returns once this update holds its chat's turn."""
        waiters = self._turns.get(key)
        if waiters is None:
            self._turns[key] = deque()  # nobody of this chat is running: our turn right away
            return
        turn = asyncio.get_running_loop().create_future()
        waiters.append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self._pass_turn(key)  # the turn reached us just as we were cancelled
            raise  # otherwise the cancelled future stays queued and _pass_turn skips it

    def _pass_turn(self, key: Hashable) -> None:
        """Gives the chat's turn to its next waiting update, or forgets the idle chat."""
        waiters = self._turns[key]
        while waiters:
            turn = waiters.popleft()
            if not turn.done():
                turn.set_result(None)
                return
        del self._turns[key]


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _close(coroutine: Awaitable[Any]) -> None:
    close = getattr(coroutine, "close", None)
    if close is not None:
        close()
