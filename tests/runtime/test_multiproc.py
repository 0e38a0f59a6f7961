"""Two Applications on one SQLite file, both ready for other processes (``shared=True``, as
``koperasi-bot run`` builds them): a chat is run by the process holding its lease, and a
chat that moves to the other process carries on its conversation there."""

from __future__ import annotations

import asyncio

import pytest

from bot.wiring import build_application
from storage.leases import process_identity
from tests.e2e.flow import FARMER_BUTTON, SHARE_PHONE, WELCOME, WHO
from tests.harness import UNLIMITED, World

pytestmark = pytest.mark.asyncio

USER = 555_001


class SharedWorld(World):
    """A bot process of its own: in this one test process, with an identity of its own."""

    def __init__(self, db_path: str, name: str) -> None:
        super().__init__(db_path)
        self.identity = f"{process_identity()}:{name}"

    async def start(self) -> SharedWorld:
        self.app = build_application(
            self.settings,
            request=self.telegram,
            get_updates_request=self.telegram,
            send_limits=UNLIMITED,
            shared=True,
        )
        self.app.chat_leases.identity = self.app.bot_data.outbox.identity = self.identity
        await self.app.initialize()
        await self.app.start()
        await self.app.update_queue.join()
        return self


@pytest.fixture
async def two(tmp_path):
    path = str(tmp_path / "shared.sqlite3")
    first = await SharedWorld(path, "first").start()
    second = await SharedWorld(path, "second").start()
    yield first, second
    for world in (first, second):
        if world.app.running:
            await world.stop()


async def test_a_chat_moving_to_the_other_process_carries_on_its_conversation(two):
    first, second = two
    here, there = first.person(USER), second.person(USER)
    assert any(t.startswith(WELCOME) for t in await here.send("/start"))
    assert any(t.startswith(WHO) for t in await here.press("Bahasa Indonesia"))
    await first.stop()  # its chats are given up: the next update goes to the other process
    sent, data = here.button(FARMER_BUTTON)  # the button the person sees, sent by the first
    replies = await there.press_data(sent, data)
    # the second read the chat's conversation state again: the registration goes on
    assert any(t.startswith(SHARE_PHONE) for t in replies), replies
    assert second.app.chat_leases.reloaded >= 1


async def test_an_update_of_a_chat_the_other_process_holds_is_left_to_it(two):
    first, second = two
    here, there = first.person(USER), second.person(USER)
    assert any(t.startswith(WELCOME) for t in await here.send("/start"))
    assert await there.press_data(*here.button("Bahasa Indonesia")) == []  # stored, left
    assert second.app.chat_leases.left == 1
    # the holder's sweep finds it in the inbox and answers in its turn, once
    for _ in range(100):
        if any(t.startswith(WHO) for t in here.texts()):
            break
        await asyncio.sleep(0.1)
    assert sum(t.startswith(WHO) for t in here.texts()) == 1
    assert not any(t.startswith(WHO) for t in there.texts())
