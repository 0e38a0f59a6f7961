"""Leases on chats: several bot processes on one database (issue 16).

Why chats and not single updates: a chat's updates must run in order, and its conversation
state lives in the memory of the process that runs them (PTB's ConversationHandler). A lease
on the chat gives both at once: while one process holds chat C, it alone processes C's
updates, in update_id order, with its own up-to-date copy of C's state; another process that
receives an update of C stores it in the inbox and leaves it, and the holder's sweep
(:func:`sweepable`) takes it from there. The lease is renewed while the holder works on the
chat and lapses ``LEASE_SECONDS`` after its last update, so a process that dies (SIGKILL)
holds its chats for at most that long; then any live process takes them over, with the
updates the dead one left unapplied. An update of no chat and no user has a lease of its own.

``epoch`` counts changes of holder: a process that takes a chat with another epoch than the
one it last saw knows someone else processed the chat meanwhile, and reads the chat's
conversation state again before running its update.

Each claim is one statement (an upsert whose WHERE decides the winner), so it needs nothing
but the database's own serialization of writes: ``BEGIN IMMEDIATE`` on SQLite, the row lock
of ``INSERT … ON CONFLICT DO UPDATE`` on PostgreSQL.
"""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass

from storage.db import Database, now_utc

# How long a chat stays with its process after the last renewal: the longest a dead
# process's chats wait before another process takes them.
LEASE_SECONDS = 10
# An unapplied update whose chat nobody holds is left this long to the process that just
# received it before a sweep of another process takes it.
SWEEP_GRACE_SECONDS = 2


_IDENTITY: list[str] = []


def process_identity() -> str:
    """This process among others, on this host and on others (``host:pid:random``; random
    so that a restart with the same pid is another holder); the same for its whole life."""
    if not _IDENTITY or not _IDENTITY[0].split(":")[1] == str(os.getpid()):
        _IDENTITY[:] = [f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"]
    return _IDENTITY[0]


def chat_lease_key(chat_key: object, update_id: int) -> str:
    """The lease an update runs under: its chat's (``bot.runtime.processor.chat_key``), or
    its own when it has no chat."""
    return f"c:{chat_key}" if chat_key is not None else f"u:{update_id}"


@dataclass(frozen=True)
class Held:
    epoch: int
    until: int


_HOLD = (
    "INSERT INTO leases (lease_key, holder, lease_until, epoch) VALUES (?, ?, ?, 1)"
    " ON CONFLICT (lease_key) DO UPDATE SET"
    " epoch = CASE WHEN leases.holder = excluded.holder THEN leases.epoch ELSE leases.epoch + 1 END,"
    " holder = excluded.holder, lease_until = excluded.lease_until"
    " WHERE leases.holder = excluded.holder OR leases.lease_until < ?"
    " RETURNING epoch"
)


async def hold(
    db: Database, key: str, holder: str, *, seconds: int = LEASE_SECONDS, now: int | None = None
) -> Held | None:
    """Take or renew the lease ``key`` for ``holder``; None while another holder's lease
    runs. The caller processes the chat's updates only with a lease in hand."""
    now = now_utc() if now is None else now
    rows = await db.write_one(_HOLD, (key, holder, now + seconds, now))
    return Held(rows[0]["epoch"], now + seconds) if rows else None


async def renew(
    db: Database, keys: list[str], holder: str, *, seconds: int = LEASE_SECONDS
) -> set[str]:
    """Renew the leases of the chats this process works on; the keys still held (a key
    missing: the lease lapsed and another process took it)."""
    if not keys:
        return set()
    until = now_utc() + seconds
    marks = ",".join("?" * len(keys))
    rows = await db.write_one(
        f"UPDATE leases SET lease_until = ? WHERE holder = ? AND lease_key IN ({marks})"
        " RETURNING lease_key",
        (until, holder, *keys),
    )
    return {row["lease_key"] for row in rows}


async def release_all(db: Database, holder: str) -> None:
    """A clean stop: this process's chats may be taken at once (expired, not deleted: the
    epoch goes on)."""
    await db.write_one(
        "UPDATE leases SET lease_until = 0 WHERE holder = ? AND lease_until > 0", (holder,)
    )


async def holder_of(db: Database, key: str) -> tuple[str, int, int] | None:
    """(holder, lease_until, epoch) of a lease, for tests and the command line."""
    row = await db.fetchone(
        "SELECT holder, lease_until, epoch FROM leases WHERE lease_key = ?", (key,)
    )
    return None if row is None else (row["holder"], row["lease_until"], row["epoch"])


async def sweepable(
    db: Database, holder: str, *, limit: int = 200, now: int | None = None
) -> list[tuple[int, str, int]]:
    """Unapplied updates this process may take, oldest first, as (id, payload, attempts):
    those of chats it holds (stored by another process that received them), and those of
    chats nobody holds (their process died, or stopped) received more than
    ``SWEEP_GRACE_SECONDS`` ago."""
    now = now_utc() if now is None else now
    rows = await db.fetchall(
        "SELECT i.update_id, i.payload, i.attempts FROM inbox i"
        " LEFT JOIN leases l ON l.lease_key = i.lease_key"
        " WHERE i.applied_at IS NULL AND i.payload IS NOT NULL"
        " AND (l.holder = ? OR ((l.lease_key IS NULL OR l.lease_until < ?) AND i.received_at <= ?))"
        " ORDER BY i.update_id LIMIT ?",
        (holder, now, now - SWEEP_GRACE_SECONDS, limit),
    )
    return [(row["update_id"], row["payload"], row["attempts"]) for row in rows]


async def unapplied_of(db: Database, key: str, up_to: int) -> list[tuple[int, str]]:
    """The unapplied updates of one chat before ``up_to``, and ``up_to`` itself unless it
    was applied (whatever its stored key: one stored before leases has none), oldest
    first: an update runs only when none before it is left (their order across processes)."""
    rows = await db.fetchall(
        "SELECT update_id, payload FROM inbox WHERE applied_at IS NULL AND payload IS NOT NULL"
        " AND ((lease_key = ? AND update_id < ?) OR update_id = ?) ORDER BY update_id",
        (key, up_to, up_to),
    )
    return [(row["update_id"], row["payload"]) for row in rows]


async def chat_state(
    db: Database, user_id: int | None, conversations: list[tuple[str, str]]
) -> tuple[str | None, dict[tuple[str, str], str]]:
    """What a chat's conversation state is on disk: the person's ``user_data`` JSON (None:
    none) and the state JSON of each ``(conversation name, encoded key)`` that has one.
    Read when a chat comes to this process from another (see the module's epoch)."""
    data = None
    if user_id is not None:
        row = await db.fetchone(
            "SELECT data FROM ptb_data WHERE kind = 'user' AND id = ?", (user_id,)
        )
        data = None if row is None else row["data"]
    states: dict[tuple[str, str], str] = {}
    if conversations:
        where = " OR ".join("(name = ? AND key = ?)" for _ in conversations)
        params = tuple(part for pair in conversations for part in pair)
        for row in await db.fetchall(
            f"SELECT name, key, state FROM ptb_conversations WHERE {where}", params
        ):
            states[(row["name"], row["key"])] = row["state"]
    return data, states


async def holders(db: Database, now: int | None = None) -> set[str]:
    """The processes holding a live lease or an outbox claim (to find dead ones)."""
    now = now_utc() if now is None else now
    rows = await db.fetchall(
        "SELECT holder FROM leases WHERE lease_until >= ?"
        " UNION SELECT claimed_by AS holder FROM outbox"
        " WHERE claimed_by IS NOT NULL AND state IN ('queued', 'sending')",
        (now,),
    )
    return {row["holder"] for row in rows}
