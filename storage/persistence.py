"""PTB persistence on aiosqlite: conversation states and per-person data survive a restart.

Nothing is loaded at start: PTB's ``get_user_data``/``get_conversations`` find nothing, and a
person's row and their chat's conversation states are read by :meth:`SqlitePersistence.load`
when one of their updates is about to be processed (``bot.runtime.people_state``), so memory
stays flat whatever the number of registered people.

PTB hands over changed data in batches; we hold it until :meth:`write_pending` writes it in
the same transaction that marks the update applied (``bot.runtime.updates.AppliedRecorder``), so a crash never leaves a conversation
one step ahead of (or behind) the updates it has seen.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiosqlite
from telegram.ext import BasePersistence, PersistenceInput

from storage.db import Database

# ≤ 5 s as the foundation asks; in practice every update commits its own changes.
FLUSH_INTERVAL_SECONDS = 5.0

_DELETE = object()


def encode_key(key: tuple) -> str:
    """A conversation key as stored: its JSON array (read at every update: ints spelled
    out directly, as json.dumps writes them)."""
    if all(type(part) is int for part in key):
        return "[" + ", ".join(map(str, key)) + "]"
    return json.dumps(list(key))


def _encode(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


class Encoded(str):
    """A person's ``user_data`` as the JSON it is stored as."""


class UserData(dict):
    """A person's ``user_data`` (``ContextTypes(user_data=UserData)``). PTB deep-copies it at
    every commit before handing it over, so that later changes cannot leak into what is being
    written; this persistence only writes its JSON, so that copy *is* the JSON, taken at the
    same moment (a deepcopy of the drafts cost more than encoding them)."""

    def __deepcopy__(self, memo: dict) -> Encoded:
        return Encoded(_encode(self))


class SqlitePersistence(BasePersistence[dict, dict, dict]):
    def __init__(self, db: Database, update_interval: float = FLUSH_INTERVAL_SECONDS) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=True, callback_data=False
            ),
            update_interval=update_interval,
        )
        self.db = db
        self._data: dict[tuple[str, int], object] = {}  # pending writes: json text or _DELETE
        self._conversations: dict[tuple[str, str], object] = {}
        # The JSON last read or written, of the people in memory: skips no-op writes, and
        # tells whether another process changed a row since (bot.runtime.people_state).
        self._written: dict[tuple[str, int], str] = {}
        self.conversations_written: dict[tuple[str, str], str] = {}  # (name, key) -> state JSON
        self.lock = asyncio.Lock()

    # --- reading: one person at a time, when they write ----------------------------------
    async def load(
        self, user_id: int | None, conversations: dict[str, list[str]]
    ) -> tuple[str | None, dict[tuple[str, str], str]]:
        """A person's stored ``user_data`` JSON (None: no row) and the stored conversation
        states of the given keys (encoded key -> conversation names), in one round trip."""
        parts, params = [], []
        if user_id is not None:
            parts.append(
                "SELECT 'user' AS name, '' AS key, data AS state FROM ptb_data"
                " WHERE kind = 'user' AND id = ?"
            )
            params.append(user_id)
        for key, names in conversations.items():
            # (name, key) is the primary key: one index probe per name
            marks = ", ".join("?" * len(names))
            parts.append(
                "SELECT name, key, state FROM ptb_conversations"
                f" WHERE key = ? AND name IN ({marks})"
            )
            params += [key, *names]
        if not parts:
            return None, {}
        rows = await self.db.fetchall(" UNION ALL ".join(parts), tuple(params))
        data, states = None, {}
        for row in rows:
            if row["key"] == "" and row["name"] == "user":
                data = row["state"]
            else:
                states[(row["name"], row["key"])] = row["state"]
        return data, states

    def loaded_user(self, user_id: int, text: str | None) -> None:
        if text is None:
            self._written.pop(("user", user_id), None)
        else:
            self._written[("user", user_id)] = text

    def written_user(self, user_id: int) -> str | None:
        return self._written.get(("user", user_id))

    def user_differs(self, user_id: int, data: dict) -> bool:
        """``data`` is not what was last read or written for this person."""
        return _encode(data) != self._written.get(("user", user_id), "{}")

    def user_pending(self, user_id: int) -> bool:
        return ("user", user_id) in self._data

    def conversation_pending(self, name: str, key: str) -> bool:
        return (name, key) in self._conversations

    # PTB reads these once at start-up: nothing then (see load).
    async def get_user_data(self) -> dict[int, dict]:
        return {}

    async def get_chat_data(self) -> dict[int, dict]:
        return {}

    async def get_bot_data(self) -> dict:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def get_conversations(self, name: str) -> dict:
        return {}

    # --- changes from PTB: held until commit ---------------------------------------------
    async def update_user_data(self, user_id: int, data: dict) -> None:
        text = data if isinstance(data, Encoded) else _encode(data)
        if self._written.get(("user", user_id), "{}") != text:
            self._data[("user", user_id)] = text

    async def drop_user_data(self, user_id: int) -> None:
        self._data[("user", user_id)] = _DELETE

    async def update_conversation(self, name: str, key: tuple, new_state: object | None) -> None:
        self._conversations[(name, encode_key(key))] = (
            _DELETE if new_state is None else json.dumps(new_state)
        )

    async def update_chat_data(self, chat_id: int, data: dict) -> None:
        pass

    async def drop_chat_data(self, chat_id: int) -> None:
        pass

    async def update_bot_data(self, data: dict) -> None:
        pass

    async def update_callback_data(self, data: Any) -> None:
        pass

    async def refresh_user_data(self, user_id: int, user_data: dict) -> None:
        pass

    async def refresh_chat_data(self, chat_id: int, chat_data: dict) -> None:
        pass

    async def refresh_bot_data(self, bot_data: dict) -> None:
        pass

    # --- writing -----------------------------------------------------------------------
    async def write_pending(self, conn: aiosqlite.Connection) -> None:
        """Write held changes inside the caller's transaction (a few statements, whatever
        the number of people: this runs for every batch of updates)."""
        data, self._data = self._data, {}
        conversations, self._conversations = self._conversations, {}
        upserts = [
            (kind, ident, text) for (kind, ident), text in data.items() if text is not _DELETE
        ]
        drops = [(kind, ident) for (kind, ident), text in data.items() if text is _DELETE]
        if upserts:
            await conn.executemany(
                "INSERT INTO ptb_data (kind, id, data) VALUES (?, ?, ?)"
                " ON CONFLICT (kind, id) DO UPDATE SET data = excluded.data",
                upserts,
            )
        if drops:
            await conn.executemany("DELETE FROM ptb_data WHERE kind = ? AND id = ?", drops)
        states = [
            (name, key, state)
            for (name, key), state in conversations.items()
            if state is not _DELETE
        ]
        ended = [(name, key) for (name, key), state in conversations.items() if state is _DELETE]
        if states:
            await conn.executemany(
                "INSERT INTO ptb_conversations (name, key, state) VALUES (?, ?, ?)"
                " ON CONFLICT (name, key) DO UPDATE SET state = excluded.state",
                states,
            )
        if ended:
            await conn.executemany(
                "DELETE FROM ptb_conversations WHERE name = ? AND key = ?", ended
            )
        for kind, ident, text in upserts:
            self._written[(kind, ident)] = text
        for key in drops:
            self._written.pop(key, None)
        for name, key, state in states:
            self.conversations_written[(name, key)] = state
        for key in ended:
            self.conversations_written.pop(key, None)

    @property
    def has_pending(self) -> bool:
        return bool(self._data or self._conversations)

    async def flush(self) -> None:
        async with self.lock:
            if self.has_pending:
                async with self.db.transaction(bookkeeping=True) as conn:
                    await self.write_pending(conn)
