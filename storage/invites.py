"""Single-use, expiring invite codes for staff roles."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from bot.domain.invites import new_code
from bot.domain.people import Role
from storage.db import Database, now_utc


@dataclass(frozen=True)
class Invite:
    code: str
    role: Role
    org_id: int
    expires_at: int


async def create(
    db: Database, *, role: Role, org_id: int, valid_hours: int, created_by: int | None
) -> Invite:
    invite = Invite(new_code(), role, org_id, now_utc() + valid_hours * 3600)
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO invites (code, role, org_id, created_by, created_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (invite.code, role.value, org_id, created_by, now_utc(), invite.expires_at),
        )
    return invite


async def usable(db: Database, code: str) -> Invite | None:
    """The invite if it exists, is unused and has not expired."""
    row = await db.fetchone(
        "SELECT code, role, org_id, expires_at FROM invites"
        " WHERE code = ? AND used_by IS NULL AND expires_at > ?",
        (code, now_utc()),
    )
    return Invite(row["code"], Role(row["role"]), row["org_id"], row["expires_at"]) if row else None


async def get(db: Database, code: str) -> Invite | None:
    """The invite, used or not."""
    row = await db.fetchone("SELECT code, role, org_id, expires_at FROM invites WHERE code = ?", (code,))
    return Invite(row["code"], Role(row["role"]), row["org_id"], row["expires_at"]) if row else None


async def consume(conn: aiosqlite.Connection, code: str, person_id: int) -> Invite | None:
    """Use the code once: a single conditional UPDATE decides who wins a race."""
    cur = await conn.execute(
        "UPDATE invites SET used_by = ?, used_at = ?"
        " WHERE code = ? AND used_by IS NULL AND expires_at > ?",
        (person_id, now_utc(), code, now_utc()),
    )
    if cur.rowcount == 0:
        return None
    async with conn.execute("SELECT code, role, org_id, expires_at FROM invites WHERE code = ?", (code,)) as c:
        row = await c.fetchone()
    return Invite(row["code"], Role(row["role"]), row["org_id"], row["expires_at"])
