"""Registering people: each use case runs in one transaction (``Database.write``) and reads
what it depends on (the roster, the invite) inside it."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from domain import regions
from domain.people import Role
from storage import invites, orgs, roster
from storage.db import now_utc
from storage.people import PersonExists, add_role, audit, insert_person


@dataclass(frozen=True)
class Applicant:
    """What a person told the bot about themselves while registering."""

    telegram_user_id: int
    chat_id: int
    phone: str
    language: str
    full_name: str = ""


@dataclass(frozen=True)
class Registered:
    """The result of a registration, kept for a replay: who, as what, where."""

    person_id: int
    full_name: str
    role: Role
    org_name: str


class InviteUnusable(Exception):
    """The invite was used (perhaps a moment ago by someone else) or has expired."""


class NotOnRoster(Exception):
    """No cooperative has this phone number on its member roster."""


async def _find_or_insert(
    conn: aiosqlite.Connection, who: Applicant, *, org_id: int, timezone: str,
    village_code: str | None,
) -> int:  # fmt: skip
    """The person with this Telegram account or phone, created if new.

    A person entered for them earlier (no Telegram yet) is claimed by phone; a phone
    held by another Telegram account is refused.
    """
    async with conn.execute(
        "SELECT id, telegram_user_id FROM people WHERE telegram_user_id = ? OR phone = ?"
        " ORDER BY telegram_user_id IS NULL",
        (who.telegram_user_id, who.phone),
    ) as cur:
        row = await cur.fetchone()
    if row is None:
        return await insert_person(
            conn, telegram_user_id=who.telegram_user_id, chat_id=who.chat_id,
            full_name=who.full_name, phone=who.phone, language=who.language,
            timezone=timezone, org_id=org_id, village_code=village_code,
        )  # fmt: skip
    if row["telegram_user_id"] not in (None, who.telegram_user_id):
        raise PersonExists
    await conn.execute(
        "UPDATE people SET telegram_user_id = ?, chat_id = ?, language = ?,"
        " village_code = COALESCE(?, village_code), updated_at = ? WHERE id = ?",
        (who.telegram_user_id, who.chat_id, who.language, village_code, now_utc(), row["id"]),
    )
    return row["id"]


async def _org_name(conn: aiosqlite.Connection, org_id: int) -> str:
    async with conn.execute("SELECT name FROM organisations WHERE id = ?", (org_id,)) as cur:
        return (await cur.fetchone())["name"]


async def register_farmer(
    conn: aiosqlite.Connection, who: Applicant, village_code: str
) -> Registered:
    org_id = await orgs.for_village(conn, village_code)
    person_id = await _find_or_insert(
        conn,
        who,
        org_id=org_id,
        timezone=regions.timezone_for(village_code),
        village_code=village_code,
    )
    await add_role(conn, person_id, Role.FARMER)
    await audit(conn, person_id, "register.farmer", f"person:{person_id}", village=village_code)
    return Registered(person_id, who.full_name, Role.FARMER, await _org_name(conn, org_id))


async def register_member(conn: aiosqlite.Connection, who: Applicant) -> Registered:
    """Link the person to every roster entry carrying their phone; NotOnRoster if none."""
    entries = await roster.unlinked_by_phone(conn, who.phone)
    if not entries:
        raise NotOnRoster
    org_id = entries[0].org_id
    named = Applicant(**{**who.__dict__, "full_name": who.full_name or entries[0].full_name})
    async with conn.execute(
        "SELECT prefix FROM org_coverage WHERE org_id = ? ORDER BY prefix LIMIT 1", (org_id,)
    ) as cur:
        covered = await cur.fetchone()
    zone = regions.timezone_for(covered["prefix"]) if covered else regions.WIB
    person_id = await _find_or_insert(conn, named, org_id=org_id, timezone=zone, village_code=None)
    await roster.link(conn, [entry.id for entry in entries], person_id)
    await add_role(conn, person_id, Role.MEMBER)
    await audit(conn, person_id, "register.member", f"person:{person_id}")
    return Registered(person_id, named.full_name, Role.MEMBER, await _org_name(conn, org_id))


async def register_staff(conn: aiosqlite.Connection, who: Applicant, code: str) -> Registered:
    """Create (or find) the person and use the invite, atomically: a used code adds nothing."""
    invite = await invites.usable_in(conn, code)
    if invite is None:
        raise InviteUnusable
    person_id = await _find_or_insert(
        conn, who, org_id=invite.org_id, timezone=regions.WIB, village_code=None
    )
    if await invites.consume(conn, code, person_id) is None:
        raise InviteUnusable  # rolls back the person too
    await add_role(conn, person_id, invite.role)
    await audit(conn, person_id, "register.staff", f"person:{person_id}", role=invite.role.value)
    return Registered(person_id, who.full_name, invite.role, await _org_name(conn, invite.org_id))
