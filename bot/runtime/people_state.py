"""People's state in memory only while they use the bot: flat memory at any number of people.

PTB keeps every person's ``user_data`` in ``Application.user_data`` and every conversation's
state in its ConversationHandler, and its persistence loads all of them at start-up. Here the
persistence loads nothing at start (``storage.persistence``); instead, right before an update's
handlers run, :meth:`PeopleState.prepare` reads that person's row and their chat's conversation
states (one query) into PTB's own dicts, where handlers find them as usual. At most ``keep``
people stay cached; the least recently seen are evicted once they are idle and everything of
theirs is on disk (their next update reads it again).

A cached person is taken as is: a process alone on its database is the only writer of those
rows, and with several processes (``bot.runtime.multiproc``) a chat that comes from another
process is read again when its lease moves (``reload_chat``). ``revalidate=True`` reads the
rows at every update instead (a primary-key lookup, ~0.1 ms of CPU), keeping what is in memory
only if the row is what this process last read or wrote. What an update in flight changed, or
what waits for its commit, is never replaced nor evicted.
"""

from __future__ import annotations

import json
from collections import Counter, OrderedDict
from collections.abc import Hashable, Iterator
from typing import Any

from telegram import Update
from telegram.ext import Application, ConversationHandler

from storage.persistence import SqlitePersistence, UserData, encode_key

# People (and their chats) kept in memory after their update: ~1 KiB each.
KEEP = 10_000


class PeopleState:
    def __init__(
        self,
        app: Application,
        persistence: SqlitePersistence,
        *,
        keep: int = KEEP,
        revalidate: bool = False,
    ) -> None:
        """``revalidate``: read a cached person's rows again at each of their updates, for
        processes sharing a database without chat leases."""
        self._app = app
        self._persistence = persistence
        self.keep = keep
        self.revalidate = revalidate
        self._users: OrderedDict[int, None] = OrderedDict()  # cached, least recent first
        self._keys: OrderedDict[tuple, None] = OrderedDict()  # conversation keys cached
        self._busy: Counter[Hashable] = Counter()  # ("u", id) / ("c", key): updates in flight
        self._handlers: list[ConversationHandler] = []
        self._handlers_for: int = -1  # len(app._conversation_handler_conversations) they match
        self.loads = 0  # queries made (tests)

    # --- around one update -------------------------------------------------------------
    async def prepare(self, update: object) -> list[Hashable]:
        """Load this update's person and conversation keys; returns what it holds busy
        (give it back to :meth:`release`)."""
        if not isinstance(update, Update):
            return []
        user = update.effective_user
        user_id = user.id if user is not None else None
        by_key: dict[tuple, list[ConversationHandler]] = {}
        for handler in self._conversation_handlers():
            try:
                key = handler._get_key(update)  # noqa: SLF001 - PTB's own key for the update
            except RuntimeError:  # no chat or user for this handler's kind of key
                continue
            by_key.setdefault(key, []).append(handler)
        held: list[Hashable] = []
        if user_id is not None:
            held.append(("u", user_id))
        held += [("c", key) for key in by_key]
        query_user = user_id is not None and self._busy[("u", user_id)] == 0
        encoded = {key: encode_key(key) for key in by_key if self._busy[("c", key)] == 0}
        if not self.revalidate:  # what is cached is taken as is
            if query_user and user_id in self._users:
                self._users.move_to_end(user_id)
                query_user = False
            for key in [key for key in encoded if key in self._keys]:
                self._keys.move_to_end(key)
                del encoded[key]
        query_keys = {encoded[key]: [h.name for h in by_key[key]] for key in encoded}
        for item in held:
            self._busy[item] += 1
        try:
            if query_user or query_keys:
                text, states = await self._persistence.load(
                    user_id if query_user else None, query_keys
                )
                self.loads += 1
                if query_user:
                    self._take_user(user_id, text)  # type: ignore[arg-type]
                for key, as_stored in encoded.items():
                    self._take_conversations(key, as_stored, by_key[key], states)
        except BaseException:
            self.release(held)
            raise
        return held

    def release(self, held: list[Hashable]) -> None:
        for item in held:
            self._busy[item] -= 1
            if self._busy[item] <= 0:
                del self._busy[item]
        self.evict()

    # --- loading -----------------------------------------------------------------------
    def _take_user(self, user_id: int, text: str | None) -> None:
        user_data = self._app._user_data  # noqa: SLF001 - PTB's dict behind app.user_data
        self._users[user_id] = None
        self._users.move_to_end(user_id)
        if self._user_dirty(user_id):
            return  # its own change, not yet on disk, is newer
        if user_id in user_data and self._persistence.written_user(user_id) == text:
            return  # unchanged since this process read or wrote it
        if text is None:
            user_data.pop(user_id, None)  # PTB makes a fresh one when a handler asks
        else:
            user_data[user_id] = UserData(json.loads(text))
        self._persistence.loaded_user(user_id, text)

    def _take_conversations(
        self,
        key: tuple,
        encoded: str,
        handlers: list[ConversationHandler],
        states: dict[tuple[str, str], str],
    ) -> None:
        cached = key in self._keys
        self._keys[key] = None
        self._keys.move_to_end(key)
        seen = self._persistence.conversations_written
        for handler in handlers:
            name = handler.name
            tracking = handler._conversations  # noqa: SLF001 - PTB's TrackingDict
            if self._conversation_dirty(handler, key, encoded):
                continue
            text = states.get((name, encoded))
            if cached and seen.get((name, encoded)) == text:
                continue
            if text is None:
                tracking.data.pop(key, None)  # untracked: nothing to write
                seen.pop((name, encoded), None)
                continue
            state = json.loads(text)
            seen[(name, encoded)] = text
            if state == ConversationHandler.END:  # as PTB does at start: ended, row deleted
                tracking.data.pop(key, None)
                tracking.mark_as_accessed(key)
            else:
                tracking.data[key] = state

    # --- evicting ----------------------------------------------------------------------
    def evict(self) -> None:
        """Forget the least recently seen people past ``keep``, if idle and on disk."""
        _evict(self._users, self.keep, self._user_evictable, self._drop_user)
        _evict(self._keys, self.keep, self._key_evictable, self._drop_key)

    def _user_dirty(self, user_id: int) -> bool:
        """Changed in memory and not yet on disk. PTB marks a person after each of their
        updates and tasks; marked but equal to what is stored is clean."""
        app = self._app
        if user_id in app._user_ids_to_be_deleted_in_persistence:  # noqa: SLF001
            return True
        if self._persistence.user_pending(user_id):
            return True
        if user_id in app._user_ids_to_be_updated_in_persistence:  # noqa: SLF001
            data = app._user_data.get(user_id)  # noqa: SLF001
            return data is not None and self._persistence.user_differs(user_id, data)
        return False

    def _user_evictable(self, user_id: int) -> bool:
        return self._busy[("u", user_id)] == 0 and not self._user_dirty(user_id)

    def _drop_user(self, user_id: int) -> None:
        # clean: PTB need not write it (it would find an empty one and skip it anyway)
        self._app._user_ids_to_be_updated_in_persistence.discard(user_id)  # noqa: SLF001
        self._app._user_data.pop(user_id, None)  # noqa: SLF001
        self._persistence.loaded_user(user_id, None)

    def _conversation_dirty(self, handler: ConversationHandler, key: tuple, encoded: str) -> bool:
        tracking = handler._conversations  # noqa: SLF001
        return key in tracking._write_access_keys or self._persistence.conversation_pending(  # noqa: SLF001
            handler.name, encoded
        )

    def _key_evictable(self, key: tuple) -> bool:
        if self._busy[("c", key)]:
            return False
        encoded = encode_key(key)
        return not any(
            self._conversation_dirty(h, key, encoded) for h in self._conversation_handlers()
        )

    def _drop_key(self, key: tuple) -> None:
        encoded = encode_key(key)
        for handler in self._conversation_handlers():
            handler._conversations.data.pop(key, None)  # noqa: SLF001
            self._persistence.conversations_written.pop((handler.name, encoded), None)

    # --- the persistent conversations ----------------------------------------------------
    def _conversation_handlers(self) -> list[ConversationHandler]:
        """Every persistent ConversationHandler PTB tracks (one added later included)."""
        tracked = self._app._conversation_handler_conversations  # noqa: SLF001
        if len(tracked) != self._handlers_for:
            found = {
                h.name: h
                for h in _walk(self._app)
                if h.persistent and h.name in tracked and h._conversations is tracked[h.name]  # noqa: SLF001
            }
            self._handlers = list(found.values())
            self._handlers_for = len(tracked)
        return self._handlers

    @property
    def cached_people(self) -> int:
        return len(self._users)


def _evict(order: OrderedDict, limit: int, evictable: Any, drop: Any) -> None:
    skipped = []
    while order and len(order) + len(skipped) > limit:
        item, _ = order.popitem(last=False)
        if evictable(item):
            drop(item)
        else:
            skipped.append(item)  # busy or awaiting its commit: kept, tried next time
    for item in reversed(skipped):
        order[item] = None
        order.move_to_end(item, last=False)


def _walk(app: Application) -> Iterator[ConversationHandler]:
    stack = [h for handlers in app.handlers.values() for h in handlers]
    while stack:
        handler = stack.pop()
        if isinstance(handler, ConversationHandler):
            yield handler
            stack.extend(handler._child_conversations)  # noqa: SLF001
