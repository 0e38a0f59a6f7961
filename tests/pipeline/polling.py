"""A World whose updates come through the real poller: PTB's Updater long-polls a fake Bot
API, through the bot's inbox-storing transport (``DurableGetUpdatesRequest``), so what
Telegram sends (raw JSON, whatever it holds) takes the path it takes in production."""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

from bot.wiring import build_application
from tests.harness import UNLIMITED, FakeTelegram, World

_ids = itertools.count(50_000)
_message_ids = itertools.count(1)


async def wait_until(condition, within: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError("condition not reached")
        await asyncio.sleep(0.01)


class PollingTelegram(FakeTelegram):
    """Answers getUpdates with ``inbound`` from the poller's offset on, as Telegram does
    (an offset confirms and forgets everything before it)."""

    def __init__(self) -> None:
        super().__init__()
        self.inbound: list[dict[str, Any]] = []
        self.offsets: list[int] = []

    def push(self, body: dict[str, Any]) -> int:
        update_id = next(_ids)
        self.inbound.append({"update_id": update_id, **body})
        return update_id

    async def do_request(
        self, url: str, method: str, request_data: Any = None, **kwargs: Any
    ) -> tuple[int, bytes]:
        if url.endswith("/getUpdates"):
            offset = int((request_data.parameters if request_data else {}).get("offset") or 0)
            self.offsets.append(offset)
            self.inbound = [u for u in self.inbound if u["update_id"] >= offset]
            if not self.inbound:
                await asyncio.sleep(0.01)  # a long poll with nothing to say, briefly
        return await super().do_request(url, method, request_data, **kwargs)

    def _answer(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getUpdates":
            return list(self.inbound)
        return super()._answer(method, params)


class PollingWorld(World):
    def __init__(self, db_path: str, **settings: Any) -> None:
        super().__init__(db_path, **settings)
        self.telegram = PollingTelegram()

    async def start(self) -> PollingWorld:
        self.app = build_application(
            self.settings,
            request=self.telegram,
            poll_transport=self.telegram,
            send_limits=UNLIMITED,
        )
        await self.app.initialize()
        await self.app.updater.start_polling(poll_interval=0.0, timeout=0)
        await self.app.start()
        return self

    async def stop(self) -> None:
        if self.app.updater.running:
            await self.app.updater.stop()
        await super().stop()

    async def confirmed(self, update_id: int, within: float = 10.0) -> None:
        """Until the poller has confirmed ``update_id`` (asked for a later offset) and the
        queue is idle."""
        await wait_until(
            lambda: self.telegram.offsets and self.telegram.offsets[-1] > update_id, within
        )
        await asyncio.wait_for(self.app.update_queue.join(), within)


def private_message(user_id: int, **content: Any) -> dict[str, Any]:
    user = {"id": user_id, "is_bot": False, "first_name": "Siti", "language_code": "id"}
    chat = {"id": user_id, "type": "private", "first_name": "Siti"}
    return {
        "message": {
            "message_id": next(_message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": user,
            **content,
        }
    }


def start_command(user_id: int) -> dict[str, Any]:
    return private_message(
        user_id, text="/start", entities=[{"type": "bot_command", "offset": 0, "length": 6}]
    )


def poll_without_persistent_ids(user_id: int) -> dict[str, Any]:
    """A message with a poll whose options lack ``persistent_id``: PTB 22.8 refuses it
    (``Update.de_json`` raises TypeError), as it would a newer Bot API's update."""
    poll = {
        "id": "5001", "question": "Harga gabah minggu ini? Hubungi 0812-3456-7890",
        "options": [{"text": "Naik", "voter_count": 0}, {"text": "Turun", "voter_count": 0}],
        "total_voter_count": 0, "is_closed": False, "is_anonymous": True, "type": "regular",
        "allows_multiple_answers": False,
    }  # fmt: skip
    return private_message(user_id, poll=poll)
