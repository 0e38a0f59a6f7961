"""The outbox of broadcasts: every message of a broadcast, rendered and queued in one
transaction, then sent one by one by ``bot.runtime.broadcast.OutboxSender``, each with its fate.

A row's life: ``queued`` (due at ``next_attempt_at``) → ``sending`` (written *before* its
request leaves for Telegram) → ``sent`` with Telegram's message id; or back to ``queued``
later after a refusal that may pass (429, 5xx, no connection); or ``failed`` (refused for
good, or too many attempts); or ``gone`` (the person blocked the bot: every queued message to
them is dropped and they are marked unreachable).

A row found ``sending`` when a process starts was on its way when the last one died: Telegram
may or may not have delivered it, and Telegram has no idempotency key to ask. It is counted
as sent (at most once: possibly missed, never twice): :func:`settle_in_flight`.

Several processes may send from one outbox (issue 16): a sender *claims* rows
(:func:`claim_due`: ``claimed_by``, ``claim_until``, one UPDATE whose WHERE decides), marks a
row ``sending`` only while its claim is its own, and gives back what it did not send when it
stops. A claim that lapses (its process died) lets another sender take the row; a row left
``sending`` by a dead process counts as sent (:func:`settle_abandoned`), as at a restart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import aiosqlite

from domain.broadcasts import Progress
from storage.db import Database, now_utc

UNCONFIRMED = "unconfirmed: the request was on its way to Telegram and no answer came"
WITHDRAWN = "withdrawn: no longer true (e.g. the offer was taken) before it was sent"
# The priority of alerts and notices to one person or a few (a coordinator's alert, a
# dispute for the administrators): they go before the rows of a broadcast's backlog.
NOTICE = 10
# How long a claimed row stays with its sender (claimed rows wait in its rate limiter; a
# dead sender's rows wait this long), and a row being sent (longer than any request).
CLAIM_SECONDS = 60
SENDING_SECONDS = 120


@dataclass(frozen=True)
class OutgoingMessage:
    """One message of a broadcast, already written in the recipient's language.
    ``reply_markup`` is an inline keyboard as Bot API JSON text (or None)."""

    person_id: int
    chat_id: int
    text: str
    reply_markup: str | None = None


@dataclass(frozen=True)
class Enqueued:
    broadcast_id: int
    created: bool  # False: a broadcast with this key was enqueued before (nothing added)
    total: int


@dataclass(frozen=True)
class OutboxRow:
    id: int
    broadcast_id: int
    person_id: int
    chat_id: int
    text: str
    reply_markup: str | None
    attempts: int


@dataclass(frozen=True)
class Broadcast:
    id: int
    broadcast_key: str
    kind: str
    started_by: int | None
    created_at: int
    status: str
    total: int
    progress_message_id: int | None
    progress_at: int | None
    finished_at: int | None


_BROADCAST_COLUMNS = tuple(Broadcast.__dataclass_fields__)
_ROW_COLUMNS = tuple(OutboxRow.__dataclass_fields__)


def _broadcast(row) -> Broadcast:
    return Broadcast(**{k: row[k] for k in _BROADCAST_COLUMNS})


async def enqueue(
    conn: aiosqlite.Connection,
    *,
    key: str,
    kind: str,
    messages: Iterable[OutgoingMessage],
    started_by: int | None = None,
    at: int | None = None,
    priority: int = 0,
) -> Enqueued:
    """A use case: the broadcast ``key`` with all its messages, due now (or at ``at``), in
    this one transaction. Idempotent: a key enqueued before returns that broadcast and adds
    nothing. A person named twice gets the first message only (one per person). Rows of a
    higher ``priority`` (alerts and notices: :data:`NOTICE`) go before those of broadcasts
    queued earlier."""
    now = now_utc()
    async with conn.execute(
        "SELECT id, total FROM broadcasts WHERE broadcast_key = ?", (key,)
    ) as cur:
        found = await cur.fetchone()
    if found is not None:
        return Enqueued(found["id"], False, found["total"])
    cur = await conn.execute(
        "INSERT INTO broadcasts (broadcast_key, kind, started_by, created_at, total)"
        " VALUES (?, ?, ?, ?, 0) RETURNING id",
        (key, kind, started_by, now),
    )
    broadcast_id = (await cur.fetchone())[0]
    due = now if at is None else at
    seen: set[int] = set()
    rows = []
    for m in messages:
        if m.person_id in seen:
            continue
        seen.add(m.person_id)
        rows.append((broadcast_id, m.person_id, m.chat_id, m.text, m.reply_markup, due, priority))
    await conn.executemany(
        "INSERT INTO outbox (broadcast_id, person_id, chat_id, text, reply_markup, next_attempt_at,"
        " priority) VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    await conn.execute("UPDATE broadcasts SET total = ? WHERE id = ?", (len(rows), broadcast_id))
    return Enqueued(broadcast_id, True, len(rows))


async def get(db: Database, broadcast_id: int) -> Broadcast | None:
    row = await db.fetchone("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,))
    return _broadcast(row) if row else None


async def by_key(db: Database, key: str) -> Broadcast | None:
    row = await db.fetchone("SELECT * FROM broadcasts WHERE broadcast_key = ?", (key,))
    return _broadcast(row) if row else None


async def active(db: Database) -> list[Broadcast]:
    """Broadcasts still sending, oldest first."""
    rows = await db.fetchall("SELECT * FROM broadcasts WHERE status = 'sending' ORDER BY id")
    return [_broadcast(row) for row in rows]


# --- the sender's bookkeeping (not use cases of an update: bookkeeping=True) --------------


async def settle_in_flight(db: Database, at: int | None = None, *, shared: bool = False) -> int:
    """At start: rows left ``sending`` by the process before were on their way to Telegram
    when it died. They count as sent, unconfirmed (at most once). Returns how many.
    ``shared``: other senders may be alive: only rows whose claim lapsed (or that were
    never claimed)."""
    at = now_utc() if at is None else at
    lapsed = " AND (claim_until IS NULL OR claim_until < ?)" if shared else ""
    async with db.transaction(bookkeeping=True) as conn:
        cur = await conn.execute(
            f"UPDATE outbox SET state = 'sent', done_at = ?, error = ? WHERE state = 'sending'{lapsed}",
            (at, UNCONFIRMED, at) if shared else (at, UNCONFIRMED),
        )
        return cur.rowcount


async def settle_abandoned(db: Database, holder: str | None = None) -> int:
    """Rows of a sender that died: those ``sending`` count as sent (unconfirmed, at most
    once), those merely claimed go back to the queue. ``holder``: that sender's at once (it
    is known dead); None: any whose claim lapsed. Returns how many were settled as sent."""
    now = now_utc()
    whose, params = ("claimed_by = ?", (holder,)) if holder else ("claim_until < ?", (now,))
    async with db.transaction(bookkeeping=True) as conn:
        cur = await conn.execute(
            f"UPDATE outbox SET state = 'sent', done_at = ?, error = ? WHERE state = 'sending' AND {whose}",
            (now, UNCONFIRMED, *params),
        )
        await conn.execute(
            f"UPDATE outbox SET claimed_by = NULL, claim_until = NULL WHERE state = 'queued' AND {whose}",
            params,
        )
        return cur.rowcount


async def release(db: Database, holder: str) -> None:
    """A sender stops: the rows it claimed and did not send are anyone's again."""
    await db.write_one(
        "UPDATE outbox SET claimed_by = NULL, claim_until = NULL"
        " WHERE state = 'queued' AND claimed_by = ?",
        (holder,),
    )


_CLAIM_FREE = (
    "state = 'queued' AND next_attempt_at <= ? AND (claimed_by IS NULL OR claim_until < ?)"
)


async def _claim(db: Database, now: int, limit: int, holder: str) -> list:
    """Claim up to ``limit`` due rows for ``holder`` in one statement. The conditions are
    repeated outside the subquery: on PostgreSQL a concurrent claim of the same rows waits
    for the row lock and then re-checks them against the committed row, so it skips rows
    the first one took (no row is claimed twice); SQLite serializes the writes anyway."""
    cols = ", ".join(_ROW_COLUMNS)
    return await db.write_one(
        f"UPDATE outbox SET claimed_by = ?, claim_until = ? WHERE id IN (SELECT id FROM outbox"
        f" WHERE {_CLAIM_FREE} ORDER BY priority DESC, id LIMIT ?) AND {_CLAIM_FREE}"
        f" RETURNING {cols}, priority",
        (holder, now + CLAIM_SECONDS, now, now, limit, now, now),
    )


async def claim_due(
    db: Database, now: int, limit: int, busy: Iterable[int] = (), *, holder: str | None = None
) -> list[OutboxRow]:
    """Up to ``limit`` queued rows due at ``now``, in the order they were enqueued, leaving
    out the ``busy`` ones (being sent by this process). A row whose person blocked the bot
    meanwhile is dropped (gone) instead: nothing more is tried for them. ``holder``: claimed
    in the table for that sender (other senders skip them; see the module)."""
    if holder is not None:
        return await _claim_for(db, now, limit, holder)
    busy = set(busy)
    rows = await db.fetchall(
        f"SELECT {', '.join('o.' + c for c in _ROW_COLUMNS)}, p.reachable FROM outbox o"
        " JOIN people p ON p.id = o.person_id"
        " WHERE o.state = 'queued' AND o.next_attempt_at <= ? ORDER BY o.priority DESC, o.id LIMIT ?",
        (now, limit + len(busy)),
    )
    unreachable = [row["id"] for row in rows if not row["reachable"] and row["id"] not in busy]
    if unreachable:
        async with db.transaction(bookkeeping=True) as conn:
            await conn.execute(
                "UPDATE outbox SET state = 'gone', done_at = ?, error = 'unreachable'"
                f" WHERE state = 'queued' AND id IN ({', '.join('?' * len(unreachable))})",
                (now, *unreachable),
            )
    found = [
        OutboxRow(**{k: row[k] for k in _ROW_COLUMNS})
        for row in rows
        if row["reachable"] and row["id"] not in busy
    ]
    return found[:limit]


async def _claim_for(db: Database, now: int, limit: int, holder: str) -> list[OutboxRow]:
    rows = sorted(await _claim(db, now, limit, holder), key=lambda r: (-r["priority"], r["id"]))
    if not rows:
        return []
    marks = ", ".join("?" * len(rows))
    reachable = {
        row["id"]
        for row in await db.fetchall(
            f"SELECT id FROM people WHERE reachable <> 0 AND id IN ({marks})",
            tuple(r["person_id"] for r in rows),
        )
    }
    unreachable = [r["id"] for r in rows if r["person_id"] not in reachable]
    if unreachable:
        await db.write_one(
            "UPDATE outbox SET state = 'gone', done_at = ?, error = 'unreachable'"
            f" WHERE state = 'queued' AND id IN ({', '.join('?' * len(unreachable))})",
            (now, *unreachable),
        )
    return [
        OutboxRow(**{k: r[k] for k in _ROW_COLUMNS}) for r in rows if r["person_id"] in reachable
    ]


async def next_due_at(db: Database, after: int | None = None) -> int | None:
    """When the earliest queued row is due (only those due later than ``after``, if given);
    None: nothing queued."""
    later = "" if after is None else " AND next_attempt_at > ?"
    row = await db.fetchone(
        f"SELECT MIN(next_attempt_at) AS due FROM outbox WHERE state = 'queued'{later}",
        () if after is None else (after,),
    )
    return None if row is None else row["due"]


async def mark_sending(
    db: Database, row_id: int, at: int | None = None, *, holder: str | None = None
) -> bool:
    """Right before the request leaves: one statement, committed before it returns, so a
    crash from here on finds the row ``sending`` (and never sends it again). False: the row
    is no longer to be sent (withdrawn meanwhile, or ``holder``'s claim lapsed and another
    sender took it): the request must not leave."""
    at = now_utc() if at is None else at
    if holder is None:
        rows = await db.write_one(
            "UPDATE outbox SET state = 'sending', sending_at = ?"
            " WHERE id = ? AND state IN ('queued', 'sending') RETURNING id",
            (at, row_id),
        )
    else:
        rows = await db.write_one(
            "UPDATE outbox SET state = 'sending', sending_at = ?, claimed_by = ?, claim_until = ?"
            " WHERE id = ? AND state IN ('queued', 'sending')"
            " AND (claimed_by = ? OR claimed_by IS NULL) RETURNING id",
            (at, holder, at + SENDING_SECONDS, row_id, holder),
        )
    return bool(rows)


async def mark_sending_many(
    db: Database, row_ids: list[int], at: int | None = None, *, holder: str | None = None
) -> set[int]:
    """:func:`mark_sending` for several rows whose requests are about to leave, in one
    statement (one commit): the ids marked. A row left out was withdrawn meanwhile, or
    ``holder``'s claim on it lapsed and another sender took it: its request must not leave."""
    if not row_ids:
        return set()
    at = now_utc() if at is None else at
    marks = ", ".join("?" * len(row_ids))
    if holder is None:
        rows = await db.write_one(
            "UPDATE outbox SET state = 'sending', sending_at = ?"
            f" WHERE id IN ({marks}) AND state IN ('queued', 'sending') RETURNING id",
            (at, *row_ids),
        )
    else:
        rows = await db.write_one(
            "UPDATE outbox SET state = 'sending', sending_at = ?, claimed_by = ?, claim_until = ?"
            f" WHERE id IN ({marks}) AND state IN ('queued', 'sending')"
            " AND (claimed_by = ? OR claimed_by IS NULL) RETURNING id",
            (at, holder, at + SENDING_SECONDS, *row_ids, holder),
        )
    return {row["id"] for row in rows}


async def withdraw(db: Database, key: str) -> int:
    """The rows of broadcast ``key`` not sent yet are no longer true (an offer's alerts once
    it is taken): never sent (``failed``, :data:`WITHDRAWN`). Returns how many."""
    rows = await db.write_one(
        "UPDATE outbox SET state = 'failed', error = ?, done_at = ? WHERE state = 'queued'"
        " AND broadcast_id = (SELECT id FROM broadcasts WHERE broadcast_key = ?) RETURNING id",
        (WITHDRAWN, now_utc(), key),
    )
    return len(rows)


async def mark_sent(db: Database, sent: list[tuple[int, int | None, str | None]]) -> None:
    """Telegram answered (``(row id, message id, None)``), or no answer came and the request
    may have been delivered (``(row id, None, reason)``): sent, never again."""
    now = now_utc()
    async with db.transaction(bookkeeping=True) as conn:
        await conn.executemany(
            "UPDATE outbox SET state = 'sent', message_id = ?, error = ?, done_at = ?"
            " WHERE id = ? AND state IN ('queued', 'sending')",
            [(message_id, error, now, row_id) for row_id, message_id, error in sent],
        )


async def retry_later(
    db: Database, row_id: int, due: int, error: str, *, failure: bool = True
) -> None:
    """Telegram did not take it, for a reason that may pass: queued again, due at ``due``.
    ``failure=False`` (a 429: not the message's fault) does not count an attempt."""
    await db.write_one(
        "UPDATE outbox SET state = 'queued', next_attempt_at = ?, error = ?,"
        " attempts = attempts + ?, claimed_by = NULL, claim_until = NULL"
        " WHERE id = ? AND state IN ('queued', 'sending')",
        (due, error[:500], 1 if failure else 0, row_id),
    )


async def mark_failed(db: Database, row_id: int, error: str, *, failure: bool = True) -> None:
    """Given up: refused for good, or too many attempts."""
    await db.write_one(
        "UPDATE outbox SET state = 'failed', error = ?, done_at = ?, attempts = attempts + ?"
        " WHERE id = ? AND state IN ('queued', 'sending')",
        (error[:500], now_utc(), 1 if failure else 0, row_id),
    )


async def mark_gone(db: Database, row_id: int, person_id: int, error: str) -> int:
    """The person blocked the bot: this row and every other queued one to them are gone, and
    they are marked unreachable (any update from them marks them reachable again). Returns
    how many rows were dropped."""
    now = now_utc()
    async with db.transaction(bookkeeping=True) as conn:
        cur = await conn.execute(
            "UPDATE outbox SET state = 'gone', error = ?, done_at = ?"
            " WHERE (id = ? AND state IN ('queued', 'sending'))"
            " OR (person_id = ? AND state = 'queued')",
            (error[:500], now, row_id, person_id),
        )
        await conn.execute(
            "UPDATE people SET reachable = 0, updated_at = ? WHERE id = ? AND reachable <> 0",
            (now, person_id),
        )
        return cur.rowcount


async def progress(db: Database, broadcast_id: int) -> Progress:
    """The counts of one broadcast, as stored now."""
    head = await db.fetchone("SELECT total FROM broadcasts WHERE id = ?", (broadcast_id,))
    if head is None:
        raise KeyError(broadcast_id)
    counts = {
        row["state"]: (row["n"], row["unconfirmed"])
        for row in await db.fetchall(
            "SELECT state, COUNT(*) AS n,"
            " SUM(CASE WHEN state = 'sent' AND message_id IS NULL THEN 1 ELSE 0 END) AS unconfirmed"
            " FROM outbox WHERE broadcast_id = ? GROUP BY state",
            (broadcast_id,),
        )
    }
    return Progress(
        total=head["total"],
        sent=counts.get("sent", (0, 0))[0],
        failed=counts.get("failed", (0, 0))[0],
        gone=counts.get("gone", (0, 0))[0],
        unconfirmed=counts.get("sent", (0, 0))[1] or 0,
    )


async def finish(db: Database, broadcast_id: int, at: int | None = None) -> bool:
    """Marks the broadcast done once no row is queued or sending. True only for the one call
    that finished it (the summary is sent after it: at most once)."""
    rows = await db.write_one(
        "UPDATE broadcasts SET status = 'done', finished_at = ? WHERE id = ? AND status = 'sending'"
        " AND NOT EXISTS (SELECT 1 FROM outbox WHERE broadcast_id = ?"
        " AND state IN ('queued', 'sending')) RETURNING id",
        (now_utc() if at is None else at, broadcast_id, broadcast_id),
    )
    return bool(rows)


async def begin_progress_message(db: Database, broadcast_id: int) -> bool:
    """Before the progress message is sent: 0 stands for it, so that a crash before its id
    is stored does not lead to a second one. True only if none was begun before."""
    rows = await db.write_one(
        "UPDATE broadcasts SET progress_message_id = 0 WHERE id = ?"
        " AND progress_message_id IS NULL RETURNING id",
        (broadcast_id,),
    )
    return bool(rows)


async def set_progress(db: Database, broadcast_id: int, message_id: int | None, at: int) -> None:
    """The progress message's id (once sent) and the time of its last edit."""
    if message_id is None:
        await db.write_one("UPDATE broadcasts SET progress_at = ? WHERE id = ?", (at, broadcast_id))
    else:
        await db.write_one(
            "UPDATE broadcasts SET progress_message_id = ?, progress_at = ? WHERE id = ?",
            (message_id, at, broadcast_id),
        )


async def rows_of(db: Database, broadcast_id: int) -> list[dict]:
    """Every row of a broadcast with its fate (for the command line and tests)."""
    rows = await db.fetchall(
        "SELECT id, person_id, chat_id, state, attempts, message_id, error FROM outbox"
        " WHERE broadcast_id = ? ORDER BY id",
        (broadcast_id,),
    )
    return [dict(row) for row in rows]
