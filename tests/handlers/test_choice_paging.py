""" "More ▶" pages every family of Choice buttons, whatever values the family takes: 20 values
for each family found in the conversations, paged through to the last one."""

from __future__ import annotations

import string
import warnings
from dataclasses import dataclass

from telegram.ext import CommandHandler

from domain.people import Role
from handlers import kit
from handlers.kit import END, Choice, Draft, reply
from handlers.menus import cancel
from storage import orgs
from tests.handlers.test_staff_and_roles import _person_with_roles
from tests.texts import said


@dataclass
class PagingDraft(Draft):
    key = "paging"
    offered: list[str] | None = None


def _choice_families(world) -> dict[str, kit.Buttons]:
    """Every Buttons family a Choice step of a registered conversation asks with."""
    found = {}
    for conversation in kit._kit_conversations(world.app):
        for handlers in conversation.states.values():
            for handler in handlers:
                step = getattr(getattr(handler.callback, "__wrapped__", None), "__self__", None)
                if isinstance(step, Choice):
                    found[step.buttons.prefix] = step.buttons
    return found


def _add(world, conversation):
    """A test conversation, first of group 0 (added after start: PTB warns)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        world.app.add_handler(conversation)
    world.app.handlers[0].remove(conversation)
    world.app.handlers[0].insert(0, conversation)


def _twenty(family: kit.Buttons) -> list[str]:
    """20 distinct values the family accepts (numbers, letters or codes)."""
    letters = string.ascii_lowercase
    for make in (
        lambda i: str(101 + i),
        lambda i: letters[i // 26] + letters[i % 26],
        lambda i: f"{letters[i // 26]}{letters[i % 26]}_1",
        lambda i: f"33.{10 + i}",
        lambda i: f"{8 + i // 12:02d}{10 + i % 12:02d}",
    ):
        values = [make(i) for i in range(20)]
        try:
            [family.data(value) for value in values]
        except ValueError:
            continue
        return values
    raise AssertionError(f"no 20 values found for the {family.prefix!r} family")


async def test_more_pages_every_choice_family_to_its_last_value(world):
    families = _choice_families(world)
    assert {"day", "harea", "anggt", "prd", "pl", "jwin", "entri"} <= set(families)
    who = await _person_with_roles(world, 981, [])
    for prefix, family in families.items():
        values = _twenty(family)

        async def picked(update, context, value):
            await reply(update, f"picked {value}")
            return END

        step = Choice(
            f"paging.{prefix}", family, lambda prefix=prefix: f"pick from {prefix}",
            lambda context, values=values: [(f"label {v}", v) for v in values], picked, PagingDraft,
        )  # fmt: skip
        _add(world, kit.conversation(
            f"paging_{prefix}", "start", entry_points=[CommandHandler(f"paging{prefix}", step.ask)],
            steps=[step], cancel=cancel,
        ))  # fmt: skip
        assert await who.send(f"/paging{prefix}") == [f"pick from {prefix}"]
        assert who.buttons()[-1] == said("More ▶")
        await who.press(said("More ▶"))
        await who.press(said("More ▶"))
        assert who.buttons()[-4:] == [f"label {v}" for v in values[-4:]], prefix
        assert await who.press(f"label {values[-1]}") == [f"picked {values[-1]}"], prefix


async def test_a_forged_page_is_refused(world):
    who = await _person_with_roles(world, 982, [])
    family = _choice_families(world)["harea"]
    values = _twenty(family)

    async def picked(update, context, value):
        return END

    step = Choice("paging.forged", family, lambda: "pick", lambda context: [(v, v) for v in values],
                  picked, PagingDraft)  # fmt: skip
    _add(world, kit.conversation("paging_forged", "start", steps=[step], cancel=cancel,
                                 entry_points=[CommandHandler("pagingforged", step.ask)]))  # fmt: skip
    await who.send("/pagingforged")
    sent = world.telegram.messages[982][-1]
    assert await who.press_data(sent, "page:9") == []
    assert world.telegram.calls_of("answerCallbackQuery")[-1].params["text"] == said(
        "This button is no longer active."
    )


async def test_setharga_pages_the_areas_of_a_cooperative_covering_many(world):
    """The reproduction: 9 or more areas ended in "Maaf, ada gangguan" ('p1' is not an area)."""
    regencies = tuple(f"33.{n:02d}" for n in range(1, 13))  # 12 regencies of Jawa Tengah
    async with world.db.transaction(bookkeeping=True) as conn:
        org_id = await orgs.add(
            conn, code="kop-jateng", name="Koperasi Jateng", kind="coop_primary",
            parent_code=None, covers=regencies,
        )  # fmt: skip
    admin = await _person_with_roles(world, 983, [Role.ADMIN])
    async with world.db.transaction(bookkeeping=True) as conn:
        await conn.execute("UPDATE people SET org_id = ? WHERE telegram_user_id = 983", (org_id,))
    await admin.send("/setharga")
    await admin.press("💰 Harga beli koperasi")
    await admin.send("gabah")
    await admin.press("GKP (gabah kering panen)")
    await admin.press(said("More ▶"))
    last = admin.buttons()[-1]
    assert last.startswith("Kabupaten")
    assert (await admin.press(last)) == ["Ketik harga baru per kg, misalnya Rp6.500."]
