"""The 📊 Dasbor menu button (a Telegram Mini App): administrators' and treasurers' chats get
it, at start-up and when an invite makes them one; farmers and others never; nobody without
KOPERASI_DASHBOARD_URL."""

from __future__ import annotations

import json

import pytest

from domain.people import Role
from storage import invites
from storage.people import add_role, insert_person
from tests.handlers.flows import register_farmer
from tests.handlers.test_staff_and_roles import _join_with_invite
from tests.harness import World

URL = "https://koperasi.example/dasbor/"


@pytest.fixture
async def dash_world(tmp_path):
    w = await World(str(tmp_path / "koperasi.sqlite3"), dashboard_url=URL).start()
    yield w
    await w.stop()


def _buttons(world) -> dict[int, dict]:
    found = {}
    for call in world.telegram.calls_of("setChatMenuButton"):
        button = call.params["menu_button"]
        found[int(call.params["chat_id"])] = (
            json.loads(button) if isinstance(button, str) else button
        )
    return found


async def _officer(world, user_id, role, language="id") -> None:
    async def add(conn):
        person_id = await insert_person(
            conn, telegram_user_id=user_id, chat_id=user_id, full_name=f"Orang {user_id}",
            phone=f"+6281300{user_id:06d}", language=language, timezone="Asia/Jakarta", org_id=1,
        )  # fmt: skip
        await add_role(conn, person_id, role)

    await world.db.write(add)


async def test_officers_get_the_button_at_start_up_and_a_farmer_does_not(dash_world):
    await _officer(dash_world, 401, Role.ADMIN)
    await _officer(dash_world, 402, Role.TREASURER, "en")
    await _officer(dash_world, 403, Role.COORDINATOR)
    await register_farmer(dash_world.person(404))
    dash_world.telegram.calls.clear()
    await dash_world.restart()
    buttons = _buttons(dash_world)
    assert set(buttons) == {401, 402}
    assert buttons[401]["type"] == "web_app" and buttons[401]["web_app"]["url"] == URL
    assert buttons[401]["text"] != buttons[402]["text"]  # in each officer's language
    assert "Dasbor" in buttons[401]["text"]


async def test_an_invite_to_administrator_sets_the_button_in_that_chat(dash_world):
    invite = await dash_world.db.write(
        invites.create, role=Role.ADMIN, org_id=1, valid_hours=24, created_by=None
    )
    dash_world.telegram.calls.clear()
    replies = await _join_with_invite(dash_world, 501, invite.code, "6281200000501")
    assert replies[-1].startswith("Selamat datang")
    assert set(_buttons(dash_world)) == {501}
    assert _buttons(dash_world)[501]["web_app"]["url"] == URL


async def test_an_invite_to_coordinator_and_a_farmer_get_no_button(dash_world):
    invite = await dash_world.db.write(
        invites.create, role=Role.COORDINATOR, org_id=1, valid_hours=24, created_by=None
    )
    dash_world.telegram.calls.clear()
    await _join_with_invite(dash_world, 502, invite.code, "6281200000502")
    await register_farmer(dash_world.person(503))
    assert _buttons(dash_world) == {}


async def test_no_button_without_a_dashboard_url(world):
    await _officer(world, 601, Role.ADMIN)
    invite = await world.db.write(
        invites.create, role=Role.TREASURER, org_id=1, valid_hours=24, created_by=None
    )
    await _join_with_invite(world, 602, invite.code, "6281200000602")
    await world.restart()
    assert world.telegram.calls_of("setChatMenuButton") == []


async def test_a_refused_button_does_not_spoil_the_registration(dash_world):
    invite = await dash_world.db.write(
        invites.create, role=Role.TREASURER, org_id=1, valid_hours=24, created_by=None
    )
    dash_world.telegram.fail_next("setChatMenuButton", status=400, description="Bad Request: nope")
    replies = await _join_with_invite(dash_world, 503, invite.code, "6281200000503")
    assert replies[-1].startswith("Selamat datang")
