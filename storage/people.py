"""People and their roles, settings and reachability."""

from __future__ import annotations

import json

import aiosqlite

from domain.people import Person, Role
from storage.db import Database, now_utc

_PERSON_COLUMNS = (
    "id, telegram_user_id, chat_id, full_name, phone, language, timezone, org_id, area_id,"
    " village_code, reachable"
)


class PersonExists(Exception):
    """Someone with this Telegram account or phone is already registered."""


async def _person(db: Database, where: str, value: object) -> Person | None:
    # One query with the roles folded in: this runs for every update (handlers.menus).
    row = await db.fetchone(
        f"SELECT {_PERSON_COLUMNS}, (SELECT group_concat(role) FROM person_roles r"
        f" WHERE r.person_id = people.id) AS role_list FROM people WHERE {where} = ?",
        (value,),
    )
    if row is None:
        return None
    fields = {key: row[key] for key in row.keys() if key != "role_list"}
    fields["reachable"] = bool(fields["reachable"])
    roles = frozenset(Role(r) for r in (row["role_list"] or "").split(",") if r)
    return Person(**fields, roles=roles)


async def by_telegram_id(db: Database, telegram_user_id: int) -> Person | None:
    return await _person(db, "telegram_user_id", telegram_user_id)


async def by_phone(db: Database, phone: str) -> Person | None:
    return await _person(db, "phone", phone)


async def by_id(db: Database, person_id: int) -> Person | None:
    return await _person(db, "id", person_id)


async def audit(
    conn: aiosqlite.Connection, actor_id: int | None, action: str, subject: str, **detail: object
) -> None:
    await conn.execute(
        "INSERT INTO audit_log (at, actor_id, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
        (
            now_utc(),
            actor_id,
            action,
            subject,
            json.dumps(detail, ensure_ascii=False) if detail else None,
        ),
    )


async def insert_person(
    conn: aiosqlite.Connection,
    *,
    telegram_user_id: int | None,
    chat_id: int | None,
    full_name: str,
    phone: str | None,
    language: str,
    timezone: str,
    org_id: int,
    area_id: int | None = None,
    village_code: str | None = None,
) -> int:
    """Insert inside the caller's transaction; refuses duplicates of account or phone."""
    async with conn.execute(
        "SELECT 1 FROM people WHERE telegram_user_id = ? OR phone = ?", (telegram_user_id, phone)
    ) as cur:
        if await cur.fetchone():
            raise PersonExists
    now = now_utc()
    cur = await conn.execute(
        "INSERT INTO people (telegram_user_id, chat_id, full_name, phone, language, timezone,"
        " org_id, area_id, village_code, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            telegram_user_id,
            chat_id,
            full_name,
            phone,
            language,
            timezone,
            org_id,
            area_id,
            village_code,
            now,
            now,
        ),
    )
    return (await cur.fetchone())[0]


async def add_role(
    conn: aiosqlite.Connection, person_id: int, role: Role, granted_by: int | None = None
) -> bool:
    cur = await conn.execute(
        "INSERT INTO person_roles (person_id, role, granted_by, granted_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (person_id, role.value, granted_by, now_utc()),
    )
    if cur.rowcount:
        await audit(conn, granted_by, "role.grant", f"person:{person_id}", role=role.value)
    return cur.rowcount > 0


async def grant_role(
    conn: aiosqlite.Connection, person_id: int, role: Role, granted_by: int | None
) -> bool:
    return await add_role(conn, person_id, role, granted_by)


async def revoke_role(
    conn: aiosqlite.Connection, person_id: int, role: Role, revoked_by: int | None
) -> bool:
    cur = await conn.execute(
        "DELETE FROM person_roles WHERE person_id = ? AND role = ?", (person_id, role.value)
    )
    if cur.rowcount:
        await audit(conn, revoked_by, "role.revoke", f"person:{person_id}", role=role.value)
    return cur.rowcount > 0


async def _set(conn: aiosqlite.Connection, person_id: int, column: str, value: object) -> None:
    # column names come from this module only, never from input
    await conn.execute(
        f"UPDATE people SET {column} = ?, updated_at = ? WHERE id = ?",
        (value, now_utc(), person_id),
    )
    await audit(conn, person_id, f"person.{column}", f"person:{person_id}", value=value)


async def set_language(conn: aiosqlite.Connection, person_id: int, language: str) -> None:
    await _set(conn, person_id, "language", language)


async def set_timezone(conn: aiosqlite.Connection, person_id: int, timezone: str) -> None:
    await _set(conn, person_id, "timezone", timezone)


async def set_village(
    conn: aiosqlite.Connection, person_id: int, village_code: str, timezone: str
) -> None:
    """A person's village by code; their time zone follows it."""
    await _set(conn, person_id, "village_code", village_code)
    await conn.execute("UPDATE people SET timezone = ? WHERE id = ?", (timezone, person_id))


async def set_reachable(db: Database, chat_id: int, reachable: bool) -> None:
    """Telegram refused a message (blocked), or the person wrote again: bookkeeping, not
    a use case of the update being handled."""
    async with db.transaction(bookkeeping=True) as conn:
        await conn.execute(
            "UPDATE people SET reachable = ?, updated_at = ? WHERE chat_id = ? AND reachable <> ?",
            (int(reachable), now_utc(), chat_id, int(reachable)),
        )
