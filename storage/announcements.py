"""Announcements of a hub to the officers of its village cooperatives in an area (issue 18):
who an area reaches, the announcement with one recipient row per officer (written in one
transaction with it), a read recorded once per recipient, and the counts the sender sees."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from domain.network import VILLAGE_KINDS
from domain.people import VILLAGE_OFFICERS
from storage.catalog import Source, fetchall
from storage.dashboard import _marks
from storage.db import now_utc
from storage.network import _BELOW
from storage.people import audit

_OFFICER_ROLES = tuple(role.value for role in VILLAGE_OFFICERS)
LISTED = 5  # the last announcements /umumkan shows with their counts
#: The sender's status message is edited at most once in this many seconds (Telegram limits
#: edits of one chat; the last read of all always edits it).
STATUS_EDIT_EVERY = 5


@dataclass(frozen=True)
class Officer:
    person_id: int
    chat_id: int
    language: str


def _reached_sql() -> str:
    """Officers of the village cooperatives below the root (a parameter) whose desa code lies
    in the area (a LIKE pattern, '%' for all), who can be sent to: the count "Dibaca 3 dari
    40" is of those the announcement reached."""
    return (
        f"{_BELOW}SELECT DISTINCT p.id, p.chat_id, p.language FROM people p"
        " JOIN person_roles r ON r.person_id = p.id JOIN organisations o ON o.id = p.org_id"
        " JOIN below b ON b.id = o.id"
        f" WHERE r.role IN ({_marks(_OFFICER_ROLES)}) AND o.kind IN ({_marks(VILLAGE_KINDS)})"
        " AND o.village_code LIKE ? AND p.chat_id IS NOT NULL AND p.reachable = 1 ORDER BY p.id"
    )


def _pattern(area: str) -> str:
    return f"{area}.%" if area else "%"


async def reached(source: Source, root_id: int, area: str) -> list[Officer]:
    """The officers an announcement to ``area`` ('' for the whole network) reaches."""
    rows = await fetchall(
        source, _reached_sql(), (root_id, *_OFFICER_ROLES, *VILLAGE_KINDS, _pattern(area))
    )
    return [Officer(r["id"], r["chat_id"], r["language"]) for r in rows]


@dataclass(frozen=True)
class Announcement:
    id: int
    org_id: int
    area: str
    body: str
    sent_by: int
    sent_at: int
    recipients: int = 0
    read_count: int = 0
    status_chat_id: int | None = None
    status_message_id: int | None = None


async def send(
    conn: aiosqlite.Connection, org_id: int, area: str, body: str, person_id: int
) -> tuple[Announcement, list[Officer]]:
    """A use case: the announcement and its recipients (read inside the transaction), to be
    queued in the outbox by the caller."""
    cur = await conn.execute(
        "INSERT INTO announcements (org_id, area, body, sent_by, sent_at) VALUES (?, ?, ?, ?, ?)"
        " RETURNING id",
        (org_id, area, body, person_id, now_utc()),
    )
    announcement_id = (await cur.fetchone())[0]
    officers = await reached(conn, org_id, area)
    await conn.executemany(
        "INSERT INTO announcement_recipients (announcement_id, person_id) VALUES (?, ?)",
        [(announcement_id, o.person_id) for o in officers],
    )
    await audit(conn, person_id, "announcement.send", f"announcement:{announcement_id}", area=area)
    made = await get(conn, announcement_id)
    return made, officers


_SELECT = (
    "SELECT a.id, a.org_id, a.area, a.body, a.sent_by, a.sent_at, a.status_chat_id,"
    " a.status_message_id,"
    " (SELECT COUNT(*) FROM announcement_recipients r WHERE r.announcement_id = a.id) AS recipients,"
    " (SELECT COUNT(*) FROM announcement_recipients r WHERE r.announcement_id = a.id"
    "  AND r.read_at IS NOT NULL) AS read_count FROM announcements a"
)


def _announcement(row) -> Announcement:
    return Announcement(**{k: row[k] for k in Announcement.__dataclass_fields__})


async def get(source: Source, announcement_id: int) -> Announcement | None:
    rows = await fetchall(source, f"{_SELECT} WHERE a.id = ?", (announcement_id,))
    return _announcement(rows[0]) if rows else None


async def last_of(source: Source, org_id: int, limit: int = LISTED) -> list[Announcement]:
    """The organisation's last announcements, the newest first, with their counts."""
    rows = await fetchall(
        source, f"{_SELECT} WHERE a.org_id = ? ORDER BY a.id DESC LIMIT ?", (org_id, limit)
    )
    return [_announcement(r) for r in rows]


class NotAddressed(Exception):
    """The presser was not sent this announcement (a forged button)."""


async def mark_read(conn: aiosqlite.Connection, announcement_id: int, person_id: int) -> bool:
    """A use case: True when this press recorded the read, False when it was read before;
    NotAddressed when the announcement was never sent to ``person_id``."""
    cur = await conn.execute(
        "UPDATE announcement_recipients SET read_at = ?"
        " WHERE announcement_id = ? AND person_id = ? AND read_at IS NULL",
        (now_utc(), announcement_id, person_id),
    )
    if cur.rowcount == 1:
        return True
    rows = await fetchall(
        conn,
        "SELECT 1 FROM announcement_recipients WHERE announcement_id = ? AND person_id = ?",
        (announcement_id, person_id),
    )
    if not rows:
        raise NotAddressed
    return False


async def remember_status(
    conn: aiosqlite.Connection, announcement_id: int, chat_id: int, message_id: int
) -> None:
    """A use case: where the sender's "Sent to …" message is, to edit it as officers read."""
    await conn.execute(
        "UPDATE announcements SET status_chat_id = ?, status_message_id = ? WHERE id = ?",
        (chat_id, message_id, announcement_id),
    )


@dataclass(frozen=True)
class Read:
    recorded: bool  # False: read before (a double tap)
    status: Announcement | None  # the counts to edit the sender's message with, if it is due


async def record_read(conn: aiosqlite.Connection, announcement_id: int, person_id: int) -> Read:
    """A use case: the read (NotAddressed for a forged button) and, in the same transaction, the
    claim on editing the sender's message: due when it was not edited in the last
    STATUS_EDIT_EVERY seconds, or when this read is the last one (the final count is always
    shown)."""
    if not await mark_read(conn, announcement_id, person_id):
        return Read(False, None)
    now = now_utc()
    cur = await conn.execute(
        "UPDATE announcements SET status_edited_at = ? WHERE id = ? AND status_message_id IS NOT NULL"
        " AND (status_edited_at IS NULL OR status_edited_at <= ? OR NOT EXISTS ("
        "  SELECT 1 FROM announcement_recipients r WHERE r.announcement_id = announcements.id"
        "  AND r.read_at IS NULL))",
        (now, announcement_id, now - STATUS_EDIT_EVERY),
    )
    return Read(True, await get(conn, announcement_id) if cur.rowcount == 1 else None)
