"""The member roster of each cooperative; a member links to it by phone number."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from storage.db import now_utc


@dataclass(frozen=True)
class RosterEntry:
    id: int
    org_id: int
    member_number: str
    full_name: str
    phone: str
    person_id: int | None


async def add(
    conn: aiosqlite.Connection, *, org_id: int, member_number: str, full_name: str, phone: str,
    take_home: int | None = None,
) -> None:  # fmt: skip
    await conn.execute(
        "INSERT INTO roster (org_id, member_number, full_name, phone, created_at, take_home_rupiah)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (org_id, member_number, full_name, phone, now_utc(), take_home),
    )


async def set_take_home(conn: aiosqlite.Connection, roster_id: int, take_home: int | None) -> None:
    """The member's take-home pay per month (whole rupiah; None: unknown), which caps a loan's
    installment (domain.loans); the payroll's figure replaces the one before."""
    await conn.execute(
        "UPDATE roster SET take_home_rupiah = ? WHERE id = ?", (take_home, roster_id)
    )


async def unlinked_by_phone(conn: aiosqlite.Connection, phone: str) -> list[RosterEntry]:
    async with conn.execute(
        "SELECT id, org_id, member_number, full_name, phone, person_id FROM roster"
        " WHERE phone = ? AND person_id IS NULL ORDER BY id",
        (phone,),
    ) as cur:
        return [RosterEntry(**dict(row)) for row in await cur.fetchall()]


async def link(conn: aiosqlite.Connection, entry_ids: list[int], person_id: int) -> None:
    await conn.executemany(
        "UPDATE roster SET person_id = ? WHERE id = ? AND person_id IS NULL",
        [(person_id, entry_id) for entry_id in entry_ids],
    )
