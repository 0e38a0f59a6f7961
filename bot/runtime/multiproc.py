"""Several bot processes on one database: which process runs which chat (issue 16).

Each process has an identity (``storage.leases.process_identity``). Before an update runs,
:meth:`ChatLeases.admit` makes sure this process holds its chat's lease (storage.leases) and
that the update is the chat's oldest unapplied one:

- another live process holds the chat: the update is *left* in the inbox (it is stored
  already), and that process runs it: it received it too, or its sweep finds it;
- the update was applied meanwhile (by the holder, before this process took the chat): it
  is dropped;
- older updates of the chat are unapplied (received by another process only, or left by a
  process that died): they are queued first and this one after them, so a chat's updates
  run in update_id order whichever process received them;
- the chat came from another process (the lease's epoch changed): its conversation state
  and the person's ``user_data`` are read again from the database first, since this
  process's copy is stale.

A background task renews the leases of chats with updates in flight, and sweeps the inbox
for unapplied updates of chats this process holds or that nobody holds any more (a process
died: SIGKILL; its leases lapse after ``LEASE_SECONDS``). A process that finds a lease held by
a process of its own host whose pid is gone takes it at once (a restart after a crash does
not wait for the lapse).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import json
import logging
import os
import socket
from collections import Counter
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import Application, ConversationHandler

from bot.runtime import quarantine
from bot.runtime.processor import chat_key
from storage import leases, outbox
from storage.db import Database, now_utc

log = logging.getLogger(__name__)

SWEEP_SECONDS = 1.0
# Looking for dead processes reads every live lease and claim: less often than the sweep.
REAP_SECONDS = 5.0
# Claims that lapsed without a known death (another host's process died): rarer still.
LAPSED_SECONDS = 30.0


class Admit(enum.Enum):
    RUN = "run"
    LEAVE = "leave"  # another process holds the chat
    DROP = "drop"  # applied already
    LATER = "later"  # older updates of the chat go first: queued again behind them


def lease_key_of(update: Update) -> str:
    return leases.chat_lease_key(chat_key(update), update.update_id)


def _pid_gone(holder: str) -> bool:
    """Whether ``holder`` is a process of this host that no longer exists."""
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, someone else's
        return False
    return False


class ChatLeases:
    """This process's leases on chats (see the module)."""

    def __init__(
        self,
        db: Database,
        *,
        identity: str | None = None,
        take: Callable[[list[tuple[int, str, int]]], Awaitable[int]],
        reload: Callable[[Update], Awaitable[None]],
    ) -> None:
        self.db = db
        self.identity = identity or leases.process_identity()
        self._take = take  # queues stored updates (id, payload, attempts) found by the sweep
        self._reload = reload
        self._book: dict[str, leases.Held] = {}  # leases held, as last written
        self._active: Counter[str] = Counter()  # updates of each chat admitted, not done
        self._task: asyncio.Task[None] | None = None
        self._reaped_at = self._lapsed_at = 0.0
        self.left = self.dropped = self.reloaded = self.swept = 0

    # -- before an update runs ------------------------------------------------------------
    async def admit(self, update: Update, queued: Callable[[int], bool]) -> Admit:
        """``queued(update_id)``: whether this process has that update queued already."""
        key = lease_key_of(update)
        held = self._book.get(key)
        if held is None or held.until - now_utc() < leases.LEASE_SECONDS / 2:
            fresh = await leases.hold(self.db, key, self.identity)
            if fresh is None:
                self._book.pop(key, None)
                self.left += 1
                return Admit.LEAVE
            self._book[key] = fresh
            if held is None or held.epoch != fresh.epoch:
                await self._reload(update)  # the chat was elsewhere: its state is stale here
                self.reloaded += 1
        unapplied = await leases.unapplied_of(self.db, key, update.update_id)
        if not unapplied or unapplied[-1][0] != update.update_id:
            self.dropped += 1
            return Admit.DROP
        if len(unapplied) > 1:
            earlier = [(uid, payload, 0) for uid, payload in unapplied[:-1] if not queued(uid)]
            if earlier:
                await self._take(earlier)
            return Admit.LATER
        self._active[key] += 1
        return Admit.RUN

    def done(self, update: Update) -> None:
        key = lease_key_of(update)
        self._active[key] -= 1
        if self._active[key] <= 0:
            del self._active[key]

    # -- in the background ------------------------------------------------------------------
    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="chat-leases")

    async def stop(self) -> None:
        """Stop sweeping and give the chats up (another process takes them at once)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        try:
            await leases.release_all(self.db, self.identity)
        except Exception:  # noqa: BLE001 - they lapse by themselves
            log.exception("could not release this process's chats")
        self._book.clear()
        log.info(
            "chat leases: %d update(s) left to other processes, %d applied elsewhere,"
            " %d chat(s) read again, %d update(s) taken by sweeps",
            self.left, self.dropped, self.reloaded, self.swept,
        )  # fmt: skip

    async def _run(self) -> None:
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - try again at the next tick
                log.exception("chat leases: renewal or sweep failed")
            await asyncio.sleep(SWEEP_SECONDS)

    async def tick(self) -> None:
        """Renew what is in flight, take over from dead processes of this host, sweep."""
        now = now_utc()
        renew = [
            key
            for key in self._active
            if key in self._book and self._book[key].until - now < leases.LEASE_SECONDS / 2
        ]
        if renew:
            kept = await leases.renew(self.db, renew, self.identity)
            for key in renew:
                if key in kept:
                    self._book[key] = leases.Held(self._book[key].epoch, now + leases.LEASE_SECONDS)
                else:
                    self._book.pop(key, None)
        for key in [k for k, held in self._book.items() if held.until < now - 60]:
            del self._book[key]  # long lapsed: taken again, it is read again
        clock = asyncio.get_running_loop().time()
        if clock - self._reaped_at >= REAP_SECONDS:
            self._reaped_at = clock
            await self._reap_dead()
        if clock - self._lapsed_at >= LAPSED_SECONDS:
            self._lapsed_at = clock
            await outbox.settle_abandoned(self.db)
        found = await leases.sweepable(self.db, self.identity)
        if found:
            self.swept += await self._take(found)

    async def take_over_dead(self) -> None:
        """At start-up, before any update runs: the chats and outbox rows of this host's
        dead processes (the process this one replaces after a crash) are taken at once."""
        self._reaped_at = asyncio.get_running_loop().time()
        await self._reap_dead()

    async def _reap_dead(self) -> None:
        """Chats and outbox rows of processes of this host that are gone: taken at once
        (a restart after a crash does not wait for their leases and claims to lapse)."""
        for holder in await leases.holders(self.db):
            if holder != self.identity and _pid_gone(holder):
                log.info("chats and outbox rows of %s (gone) taken over", holder)
                await leases.release_all(self.db, holder)
                await outbox.settle_abandoned(self.db, holder)


async def reload_chat(app: Application, persistence: object, update: Update) -> None:
    """Read a chat's conversation states and its person's ``user_data`` from the database
    into PTB's memory (see the module: the chat was processed by another process)."""
    conversations: list[tuple[ConversationHandler, tuple, str]] = []
    for group in app.handlers.values():
        for handler in group:
            if isinstance(handler, ConversationHandler) and handler.persistent and handler.name:
                try:
                    key = handler._get_key(update)
                except RuntimeError:  # no chat or user for this handler's key
                    continue
                conversations.append((handler, key, json.dumps(list(key))))
    user = update.effective_user
    user_id = user.id if user is not None else None
    data, states = await leases.chat_state(
        app.bot_data.db, user_id, [(h.name, encoded) for h, _, encoded in conversations]
    )
    for handler, key, encoded in conversations:
        state = states.get((handler.name, encoded))
        if state is None:
            dict.pop(handler._conversations.data, key, None)  # untracked: nothing to write
        else:
            handler._conversations.update_no_track({key: json.loads(state)})
    if user_id is not None:
        written = getattr(persistence, "_written", None)
        if data is None:
            app._user_data.pop(user_id, None)
            if written is not None:
                written.pop(("user", user_id), None)
        else:
            app._user_data[user_id] = app.context_types.user_data(json.loads(data))
            if written is not None:
                written[("user", user_id)] = data


async def take_stored(
    app: Application, found: list[tuple[int, str, int]], *, queue, processor
) -> int:
    """Queue updates stored in the inbox by another process (or left by a dead one), as
    the start-up queues those of the process before: attempts counted, sent calls known;
    one that cannot be parsed, or no process finished ``inbox.MAX_ATTEMPTS`` times, is set
    aside."""
    db = app.bot_data.db
    fresh = [
        (uid, payload, attempts) for uid, payload, attempts in found if not queue.is_queued(uid)
    ]
    if not fresh:
        return 0
    ready = await quarantine.runnable(db, fresh, app.bot)
    if processor.journal is not None and ready:
        await processor.journal.load([uid for uid, _, _ in ready])
    for update_id, attempts, update in ready:
        processor.requeued.add(update_id)
        if attempts > 0:
            processor.suspects.add(update_id)
        await queue.put_stored(update)
    return len(fresh)
