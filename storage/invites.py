"""Single-use, expiring invite codes for staff roles."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from domain.invites import new_code
from domain.people import Role
from storage.db import Database, now_utc


@dataclass(frozen=True)
class Invite:
    code: str
    role: Role
    org_id: int
    expires_at: int


_USABLE = (
    "SELECT code, role, org_id, expires_at FROM invites"
    " WHERE code = ? AND used_by IS NULL AND expires_at > ?"
)


def _invite(row: aiosqlite.Row) -> Invite:
    return Invite(row["code"], Role(row["role"]), row["org_id"], row["expires_at"])


async def create(
    conn: aiosqlite.Connection, *, role: Role, org_id: int, valid_hours: int, created_by: int | None
) -> Invite:
    invite = Invite(new_code(), role, org_id, now_utc() + valid_hours * 3600)
    await conn.execute(
        "INSERT INTO invites (code, role, org_id, created_by, created_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (invite.code, role.value, org_id, created_by, now_utc(), invite.expires_at),
    )
    return invite


async def usable(db: Database, code: str) -> Invite | None:
    """The invite if it exists, is unused and has not expired (to show it; using it
    checks again inside the transaction, see consume)."""
    row = await db.fetchone(_USABLE, (code, now_utc()))
    return _invite(row) if row else None


async def usable_in(conn: aiosqlite.Connection, code: str) -> Invite | None:
    """``usable`` read inside the caller's transaction."""
    async with conn.execute(_USABLE, (code, now_utc())) as cur:
        row = await cur.fetchone()
    return _invite(row) if row else None


async def consume(conn: aiosqlite.Connection, code: str, person_id: int) -> Invite | None:
    """Use the code once: a single conditional UPDATE decides who wins a race."""
    cur = await conn.execute(
        "UPDATE invites SET used_by = ?, used_at = ?"
        " WHERE code = ? AND used_by IS NULL AND expires_at > ?",
        (person_id, now_utc(), code, now_utc()),
    )
    if cur.rowcount == 0:
        return None
    async with conn.execute(
        "SELECT code, role, org_id, expires_at FROM invites WHERE code = ?", (code,)
    ) as c:
        return _invite(await c.fetchone())
