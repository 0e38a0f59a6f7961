"""A real telegram.ext.Application with both runtime parts, talking to a fake Bot API."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, ExtBot, MessageHandler, filters
from telegram.request import BaseRequest, RequestData

from bot.runtime import BULK, INTERACTIVE, PerChatUpdateProcessor, PriorityRateLimiter

pytestmark = pytest.mark.asyncio

TOKEN = "123:" + "A" * 35
BOT_USER = {
    "id": 123,
    "is_bot": True,
    "first_name": "Koperasi",
    "username": "koperasi_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


class FakeBotApi(BaseRequest):
    """Answers like the Bot API would, after ``latency`` seconds; records every call."""

    def __init__(self, latency: float = 0.05) -> None:
        self.latency = latency
        self.calls: list[tuple[str, dict]] = []
        self._message_id = 1000

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout=None,
        write_timeout=None,
        connect_timeout=None,
        pool_timeout=None,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        self.calls.append((endpoint, params))
        await asyncio.sleep(self.latency)
        if endpoint == "getMe":
            result: object = BOT_USER
        elif endpoint == "sendMessage":
            result = self._message(params)
        else:
            result = True
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _message(self, params: dict) -> dict:
        self._message_id += 1
        chat_id = int(params["chat_id"])
        chat = {"id": chat_id, "type": "private", "first_name": "Petani", "username": "petani"}
        return {
            "message_id": self._message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": {k: BOT_USER[k] for k in ("id", "is_bot", "first_name", "username")},
            "text": params["text"],
        }

    def sent(self, chat_id: int) -> list[str]:
        return [p["text"] for e, p in self.calls if e == "sendMessage" and p["chat_id"] == chat_id]


def incoming(update_id: int, chat_id: int, text: str) -> dict:
    person = {"id": chat_id, "is_bot": False, "first_name": "Petani", "language_code": "id"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Petani"},
            "from": person,
            "text": text,
        },
    }


async def test_application_keeps_chat_order_and_runs_chats_concurrently() -> None:
    api = FakeBotApi(latency=0.05)
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .updater(None)
        .request(api)
        .get_updates_request(FakeBotApi())
        .concurrent_updates(PerChatUpdateProcessor(8))  # PTB has no .update_processor()
        .rate_limiter(PriorityRateLimiter())
        .build()
    )
    seen: dict[int, list[str]] = {}
    running = {"now": 0, "max": 0}

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat_id, text = update.effective_chat.id, update.effective_message.text
        seen.setdefault(chat_id, []).append(text)
        running["now"] += 1
        running["max"] = max(running["max"], running["now"])
        try:
            if text == "1":
                await asyncio.sleep(0.1)  # the first message of each chat is slow to handle
            await update.effective_message.reply_text(f"echo {text}")
        finally:
            running["now"] -= 1

    app.add_handler(MessageHandler(filters.TEXT, echo))
    chats = [1001, 1002, 1003, 1004, 1005]
    async with app:
        await app.start()
        started = time.perf_counter()
        update_id = 0
        for text in ["1", "2", "3"]:
            for chat_id in chats:
                update_id += 1
                await app.update_queue.put(
                    Update.de_json(incoming(update_id, chat_id, text), app.bot)
                )
        # PTB marks an update done only after its handler (and its reply) finished
        await asyncio.wait_for(app.update_queue.join(), timeout=10)
        elapsed = time.perf_counter() - started
        await app.stop()

    for chat_id in chats:
        assert seen[chat_id] == ["1", "2", "3"]
        assert api.sent(chat_id) == ["echo 1", "echo 2", "echo 3"]
    assert running["max"] >= 3  # chats overlapped
    # One at a time this would take 15 x 50 ms latency + 5 x 100 ms = 1.25 s at least.
    assert elapsed < 1.0
    assert app.update_processor.active_chats == 0


class RecordingLimiter(PriorityRateLimiter):
    """Remembers the lane each request was put in."""

    def __init__(self) -> None:
        super().__init__()
        self.lanes: list[tuple[str, str]] = []

    def _parse_args(self, rate_limit_args):
        lane, retries = super()._parse_args(rate_limit_args)
        self.lanes.append((lane.value, str(rate_limit_args)))
        return lane, retries


async def test_lane_reaches_the_limiter_through_ext_bot() -> None:
    limiter = RecordingLimiter()
    async with ExtBot(TOKEN, request=FakeBotApi(0), rate_limiter=limiter) as bot:
        limiter.lanes.clear()  # getMe during initialize
        await bot.send_message(1, "reply")
        await bot.send_message(2, "broadcast", rate_limit_args={"lane": "bulk"})
        await bot.send_message(3, "broadcast", rate_limit_args=BULK)
        await bot.send_message(5, "reply", rate_limit_args=INTERACTIVE)
    assert [lane for lane, _ in limiter.lanes] == [
        "interactive",
        "bulk",
        "bulk",
        "interactive",
    ]
