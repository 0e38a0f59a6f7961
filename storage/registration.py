"""Registering people: each use case is one transaction."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from bot.domain.people import Person, Role
from bot.domain.regions import WIB, Area, timezone_for
from storage import areas, invites, orgs, roster
from storage.db import Database, now_utc
from storage.people import PersonExists, add_role, audit, by_id, insert_person


@dataclass(frozen=True)
class Applicant:
    """What a person told the bot about themselves while registering."""

    telegram_user_id: int
    chat_id: int
    phone: str
    language: str
    full_name: str = ""


class InviteUnusable(Exception):
    """The invite was used (perhaps a moment ago by someone else) or has expired."""


class NotOnRoster(Exception):
    """No cooperative has this phone number on its member roster."""


async def _find_or_insert(
    conn: aiosqlite.Connection, who: Applicant, *, org_id: int, timezone: str, area_id: int | None
) -> int:
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
            timezone=timezone, org_id=org_id, area_id=area_id,
        )  # fmt: skip
    if row["telegram_user_id"] not in (None, who.telegram_user_id):
        raise PersonExists
    await conn.execute(
        "UPDATE people SET telegram_user_id = ?, chat_id = ?, language = ?,"
        " area_id = COALESCE(?, area_id), updated_at = ? WHERE id = ?",
        (who.telegram_user_id, who.chat_id, who.language, area_id, now_utc(), row["id"]),
    )
    return row["id"]


async def register_farmer(db: Database, who: Applicant, area: Area) -> Person:
    org_id = await orgs.for_province(db, area.province)
    async with db.transaction() as conn:
        area_id = await areas.get_or_create(conn, area)
        person_id = await _find_or_insert(
            conn, who, org_id=org_id, timezone=area.timezone, area_id=area_id
        )
        await add_role(conn, person_id, Role.FARMER)
        await audit(conn, person_id, "register.farmer", f"person:{person_id}", area_id=area_id)
    return await by_id(db, person_id)


async def register_member(db: Database, who: Applicant) -> Person:
    """Link the person to every roster entry carrying their phone; NotOnRoster if none."""
    async with db.transaction() as conn:
        entries = await roster.unlinked_by_phone(conn, who.phone)
        if not entries:
            raise NotOnRoster
        named = Applicant(**{**who.__dict__, "full_name": who.full_name or entries[0].full_name})
        org = await orgs.by_id(db, entries[0].org_id)
        zone = timezone_for(org.province) if org.province else WIB
        person_id = await _find_or_insert(
            conn, named, org_id=entries[0].org_id, timezone=zone, area_id=None
        )
        await roster.link(conn, [entry.id for entry in entries], person_id)
        await add_role(conn, person_id, Role.MEMBER)
        await audit(conn, person_id, "register.member", f"person:{person_id}")
    return await by_id(db, person_id)


async def register_staff(db: Database, who: Applicant, code: str) -> tuple[Person, Role]:
    """Create (or find) the person and use the invite, atomically: a used code adds nothing."""
    invite = await invites.usable(db, code)
    if invite is None:
        raise InviteUnusable
    async with db.transaction() as conn:
        person_id = await _find_or_insert(
            conn, who, org_id=invite.org_id, timezone=WIB, area_id=None
        )
        if await invites.consume(conn, code, person_id) is None:
            raise InviteUnusable  # rolls back the person too
        await add_role(conn, person_id, invite.role)
        await audit(conn, person_id, "register.staff", f"person:{person_id}", role=invite.role.value)
    return await by_id(db, person_id), invite.role
