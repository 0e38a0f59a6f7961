"""PTB persistence on aiosqlite: conversation states and per-person data survive a restart.

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


def _encode_key(key: tuple) -> str:
    return json.dumps(list(key))


def _decode_key(text: str) -> tuple:
    return tuple(json.loads(text))


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
        self._written: dict[tuple[str, int], str] = {}  # last stored json, to skip no-op writes
        self.lock = asyncio.Lock()

    # --- reading (once, at start-up) ---------------------------------------------------
    async def get_user_data(self) -> dict[int, dict]:
        rows = await self.db.fetchall("SELECT id, data FROM ptb_data WHERE kind = 'user'")
        for row in rows:
            self._written[("user", row["id"])] = row["data"]
        return {row["id"]: UserData(json.loads(row["data"])) for row in rows}

    async def get_chat_data(self) -> dict[int, dict]:
        return {}

    async def get_bot_data(self) -> dict:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def get_conversations(self, name: str) -> dict:
        rows = await self.db.fetchall(
            "SELECT key, state FROM ptb_conversations WHERE name = ?", (name,)
        )
        return {_decode_key(row["key"]): json.loads(row["state"]) for row in rows}

    # --- changes from PTB: held until commit ---------------------------------------------
    async def update_user_data(self, user_id: int, data: dict) -> None:
        text = data if isinstance(data, Encoded) else _encode(data)
        if self._written.get(("user", user_id), "{}") != text:
            self._data[("user", user_id)] = text

    async def drop_user_data(self, user_id: int) -> None:
        self._data[("user", user_id)] = _DELETE

    async def update_conversation(self, name: str, key: tuple, new_state: object | None) -> None:
        self._conversations[(name, _encode_key(key))] = (
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

    @property
    def has_pending(self) -> bool:
        return bool(self._data or self._conversations)

    async def flush(self) -> None:
        async with self.lock:
            if self.has_pending:
                async with self.db.transaction(bookkeeping=True) as conn:
                    await self.write_pending(conn)
