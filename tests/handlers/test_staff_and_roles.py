"""Invite links for staff, /help per role, and the whole role × command access matrix."""

from __future__ import annotations

import pytest

from domain.commands import COMMANDS
from domain.people import Role
from storage import invites, people
from storage.db import now_utc
from tests.handlers.flows import register_farmer
from tests.texts import said

USED_OR_EXPIRED = said(
    "This invite link has already been used or has expired. Please ask your administrator for a new one."
)


async def _join_with_invite(world, user_id, code, phone, name="Andi Wijaya"):
    who = world.person(user_id)
    replies = await who.send(f"/start {code}")
    if replies != ["Selamat datang di bot koperasi. Pilih bahasa Anda:"]:
        return replies
    await who.press("Bahasa Indonesia")
    await who.share_contact(phone)
    replies = await who.send(name)
    replies += await who.press("✅ Ya, simpan")
    return replies


async def test_invite_link_makes_a_coordinator_once(world):
    invite = await world.db.write(
        invites.create, role=Role.COORDINATOR, org_id=1, valid_hours=24, created_by=None
    )
    replies = await _join_with_invite(world, 301, invite.code, "6281200000301")
    assert replies[0] == (
        "Periksa data Anda:\nNama: Andi Wijaya\nNomor HP: 0812-0000-0301\nJabatan: koordinator\n"
        "Organisasi: Koperasi Merah Putih\n\nApakah sudah benar?"
    )
    assert replies[1].startswith(
        "Selamat datang, Andi Wijaya! Anda sekarang koordinator di Koperasi Merah Putih."
    )
    assert (await people.by_telegram_id(world.db, 301)).roles == {Role.COORDINATOR}

    # the same link, a second person
    assert await _join_with_invite(world, 302, invite.code, "6281200000302") == [USED_OR_EXPIRED]
    assert await people.by_telegram_id(world.db, 302) is None


async def test_invite_used_by_someone_else_while_registering_adds_nothing(world):
    invite = await world.db.write(
        invites.create, role=Role.TREASURER, org_id=1, valid_hours=24, created_by=None
    )
    late = world.person(303)
    await late.send(f"/start {invite.code}")
    await late.press("Bahasa Indonesia")
    await late.share_contact("6281200000303")
    await late.send("Lambat Sekali")
    # meanwhile another person uses the link first
    await _join_with_invite(world, 304, invite.code, "6281200000304")
    assert await late.press("✅ Ya, simpan") == [USED_OR_EXPIRED]
    assert await people.by_telegram_id(world.db, 303) is None


async def test_expired_invite_is_refused(world):
    invite = await world.db.write(
        invites.create, role=Role.ADMIN, org_id=1, valid_hours=1, created_by=None
    )
    async with world.db.transaction(bookkeeping=True) as conn:
        await conn.execute(
            "UPDATE invites SET expires_at = ? WHERE code = ?", (now_utc() - 1, invite.code)
        )
    assert await world.person(305).send(f"/start {invite.code}") == [USED_OR_EXPIRED]


async def test_registered_farmer_who_opens_an_invite_gains_the_role(world):
    await register_farmer(world.person(306))
    invite = await world.db.write(
        invites.create, role=Role.COORDINATOR, org_id=1, valid_hours=24, created_by=None
    )
    replies = await world.person(306).send(f"/start {invite.code}")
    assert replies[0].startswith("Selamat datang, Budi Santoso! Anda sekarang koordinator")
    assert (await people.by_telegram_id(world.db, 306)).roles == {Role.FARMER, Role.COORDINATOR}
    menu = world.telegram.calls_of("setMyCommands")[-1].params
    assert menu["scope"] == {"type": "chat", "chat_id": 306}


async def _person_with_roles(world, user_id, roles):
    """A registered person holding ``roles``."""
    async with world.db.transaction(bookkeeping=True) as conn:
        person_id = await people.insert_person(
            conn, telegram_user_id=user_id, chat_id=user_id, full_name="Uji Coba", phone=f"+62812{user_id:07d}",
            language="id", timezone="Asia/Jakarta", org_id=1,
        )  # fmt: skip
        for role in roles:
            await people.add_role(conn, person_id, role)
    return world.person(user_id)


async def test_help_lists_the_commands_of_each_role(world):
    farmer = await _person_with_roles(world, 310, [Role.FARMER])
    admin = await _person_with_roles(world, 311, [Role.ADMIN])
    assert "/invite" not in (await farmer.send("/help"))[0]
    admin_help = (await admin.send("/help"))[0]
    assert admin_help.startswith("Yang bisa Anda lakukan:\n/start — Daftar atau mulai lagi")
    assert "/invite — Buat tautan undangan untuk petugas koperasi" in admin_help
    stranger_help = (await world.person(312).send("/help"))[0]
    assert stranger_help.startswith("Anda belum terdaftar. Kirim /start untuk mulai.")


ROLE_SETS = [None, *([role] for role in Role)]
NOT_FOR_YOU = said("Sorry, this command is not available to you.")


@pytest.mark.parametrize(
    "roles", ROLE_SETS, ids=lambda r: "unregistered" if r is None else r[0].value
)
async def test_role_command_matrix(world, roles):
    """Every command × every role: allowed commands answer, others are refused politely."""
    user_id = 400 + (0 if roles is None else list(Role).index(roles[0]) + 1)
    who = (
        world.person(user_id) if roles is None else await _person_with_roles(world, user_id, roles)
    )
    for command in COMMANDS:
        replies = await who.send(f"/{command.name}")
        await who.send("/cancel")  # leave whatever the command started
        allowed = command.roles is None or (roles is not None and command.allowed(frozenset(roles)))
        refused = replies in ([NOT_FOR_YOU], [said("Please register first: send /start.")])
        assert replies, f"/{command.name} gave no answer"
        assert refused is not allowed, f"/{command.name} for {roles}: {replies}"


async def test_admin_makes_an_invite_link_in_the_chat(world):
    admin = await _person_with_roles(world, 320, [Role.ADMIN])
    assert (await admin.send("/invite"))[0].startswith("Undangan ini untuk jabatan apa?")
    replies = await admin.send("/invite koordinator")
    assert replies[0].startswith(
        "Tautan undangan untuk jabatan koordinator. Hanya bisa dipakai sekali, sampai "
    )
    assert " pukul " in replies[0] and " WIB:" in replies[0]
    link = replies[0].rsplit("\n", 1)[1]
    assert link.startswith("https://t.me/koperasi_test_bot?start=")
    code = link.split("start=", 1)[1]
    assert (await invites.usable(world.db, code)).role == Role.COORDINATOR
