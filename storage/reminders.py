"""Whom the monthly simpanan wajib reminder is for, and a record of whom it reached: a
member is claimed for a month before the message goes, so a restart never reminds anyone
twice (a crash between the claim and the send loses that one reminder: at most once)."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from domain.savings import Month
from storage import savings as stored
from storage.catalog import Source, fetchall
from storage.db import now_utc


@dataclass(frozen=True)
class Reminder:
    org_id: int
    day: int
    local_time: str


@dataclass(frozen=True)
class Recipient:
    member: stored.Member
    chat_id: int
    language: str


async def settings(source: Source) -> list[Reminder]:
    rows = await fetchall(
        source, "SELECT org_id, reminder_day, local_time FROM savings_reminders ORDER BY org_id"
    )
    return [Reminder(r["org_id"], r["reminder_day"], r["local_time"]) for r in rows]


async def zones(source: Source, org_id: int) -> list[str]:
    """The time zones the registered members of ``org_id`` live in."""
    rows = await fetchall(
        source,
        "SELECT DISTINCT p.timezone FROM roster r JOIN people p ON p.id = r.person_id WHERE r.org_id = ?",
        (org_id,),
    )
    return [r["timezone"] for r in rows]


async def not_yet_reminded(
    source: Source, org_id: int, timezone: str, month: Month
) -> list[Recipient]:
    """Registered, reachable members of ``org_id`` living in ``timezone`` not reminded of
    ``month`` yet (whether they have paid is the caller's question)."""
    rows = await fetchall(
        source,
        f"SELECT {', '.join('r.' + c for c in _MEMBER_COLUMNS)}, p.chat_id, p.language FROM roster r"
        " JOIN people p ON p.id = r.person_id"
        " WHERE r.org_id = ? AND p.timezone = ? AND p.chat_id IS NOT NULL AND p.reachable = 1"
        " AND NOT EXISTS (SELECT 1 FROM savings_reminders_sent s WHERE s.roster_id = r.id AND s.month = ?)"
        " ORDER BY r.id",
        (org_id, timezone, str(month)),
    )
    return [Recipient(stored.member_of(r), r["chat_id"], r["language"]) for r in rows]


_MEMBER_COLUMNS = ("id", "org_id", "member_number", "full_name", "phone", "person_id", "joined_on")


async def claim(conn: aiosqlite.Connection, roster_id: int, month: Month) -> bool:
    """Mark ``roster_id`` reminded of ``month``; False when someone already did."""
    cur = await conn.execute(
        "INSERT INTO savings_reminders_sent (roster_id, month, sent_at) VALUES (?, ?, ?)"
        " ON CONFLICT (roster_id, month) DO NOTHING",
        (roster_id, str(month), now_utc()),
    )
    return cur.rowcount == 1
