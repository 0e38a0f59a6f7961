"""Flow-test harness: the real PTB Application over a fake Bot API transport.

``FakeTelegram`` answers Bot API calls the way Telegram does (realistic JSON, message ids
per chat), records every call, and fails on demand (403, 429 with retry_after, timeout).
``Someone`` plays a person: send text, press the button labelled X, share a contact;
then tests read what the bot sent and what the database holds.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

from bot.config import Settings
from bot.runtime.ratelimit import SendLimits, leaving
from bot.wiring import build_application
from handlers.kit import background_done

BOT_ID = 7000000001
BOT_USERNAME = "koperasi_test_bot"
# A person in a flow test answers instantly, far faster than a thumb: lift the per-chat
# pacing (tests/runtime covers the limiter itself).
UNLIMITED = SendLimits(overall_rate=1e6, overall_burst=1e6, private_rate=1e6, private_burst=1e6)
TOKEN = f"{BOT_ID}:AAFakeTokenForFlowTests_0123456789abc"
BOT_USER = {
    "id": BOT_ID, "is_bot": True, "first_name": "Koperasi", "username": BOT_USERNAME,
    "can_join_groups": False, "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}  # fmt: skip


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # name → (file name, content)


@dataclass
class Sent:
    """A message as the bot left it in a chat (edits applied)."""

    message_id: int
    chat_id: int
    text: str
    reply_markup: dict | None = None
    edits: list[str] = field(default_factory=list)


class SimulatedCrash(BaseException):
    """The process died (BaseException: no handler or error handler catches it)."""


class FakeTelegram(BaseRequest):
    announces_leaving = True  # like bot.runtime.http: the outbox marks a row as it leaves

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.messages: dict[int, list[Sent]] = {}
        self._ids = itertools.count(1)
        self._failures: dict[str, list[object]] = {}

    # -- failure injection ------------------------------------------------------------------
    def fail_next(
        self, method: str, *, status: int = 0, retry_after: int = 1, description: str = ""
    ) -> None:
        """Make the next call of ``method`` fail: 403, 429 (with retry_after) or 0 = timeout."""
        self._failures.setdefault(method, []).append((status, retry_after, description))

    # -- BaseRequest -------------------------------------------------------------------------
    @property
    def read_timeout(self) -> float:
        return 1.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, **_: object
    ) -> tuple[int, bytes]:
        await leaving()  # the request leaves now
        api_method = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        files = {
            name: (part[0], part[1]) for name, part in (request_data.multipart_data if request_data else {}).items()
        }  # fmt: skip
        self.calls.append(Call(api_method, params, files))
        failures = self._failures.get(api_method)
        if failures:
            status, retry_after, description = failures.pop(0)
            return self._failure(status, retry_after, description)
        result = self._answer(api_method, params)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _failure(self, status: int, retry_after: int, description: str) -> tuple[int, bytes]:
        if status == 0:
            raise TimedOut("fake timeout")
        body: dict[str, Any] = {"ok": False, "error_code": status}
        if status == 429:
            body.update(
                description=f"Too Many Requests: retry after {retry_after}",
                parameters={"retry_after": retry_after},
            )
        else:
            body["description"] = description or {
                403: "Forbidden: bot was blocked by the user"
            }.get(status, "Bad Request")
        return status, json.dumps(body).encode()

    def _answer(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "getUpdates":
            return []
        if method in ("sendMessage", "sendPhoto", "sendDocument"):
            return self._send(params)
        if method == "sendLocation":  # kept as a text, so tests read it like the rest
            return self._send(
                {**params, "text": f"[location {params['latitude']}, {params['longitude']}]"}
            )
        if method == "editMessageText":
            return self._edit(params)
        if method == "editMessageReplyMarkup":
            sent = self._find(int(params["chat_id"]), int(params["message_id"]))
            sent.reply_markup = params.get("reply_markup")
            return self._message_json(sent)
        return True  # answerCallbackQuery, setMyCommands, sendChatAction, deleteWebhook, …

    def _send(self, params: dict[str, Any]) -> dict:
        chat_id = int(params["chat_id"])
        sent = Sent(
            next(self._ids),
            chat_id,
            params.get("text") or params.get("caption") or "",
            params.get("reply_markup"),
        )
        self.messages.setdefault(chat_id, []).append(sent)
        return self._message_json(sent)

    def _edit(self, params: dict[str, Any]) -> dict:
        sent = self._find(int(params["chat_id"]), int(params["message_id"]))
        sent.edits.append(sent.text)
        sent.text = params["text"]
        sent.reply_markup = params.get("reply_markup")
        return self._message_json(sent)

    def _find(self, chat_id: int, message_id: int) -> Sent:
        return next(m for m in self.messages[chat_id] if m.message_id == message_id)

    @staticmethod
    def _message_json(sent: Sent) -> dict:
        message = {
            "message_id": sent.message_id, "date": int(time.time()), "from": BOT_USER,
            "chat": {"id": sent.chat_id, "type": "private", "first_name": "Someone"},
            "text": sent.text,
        }  # fmt: skip
        if sent.reply_markup and "inline_keyboard" in sent.reply_markup:
            message["reply_markup"] = sent.reply_markup
        return message

    def calls_of(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]


_update_ids = itertools.count(1000)


class Someone:
    """A person talking to the bot from their phone."""

    def __init__(
        self, world: World, user_id: int, first_name: str = "Siti", language_code: str = "id"
    ) -> None:
        self.world = world
        self.user_id = user_id
        self.user = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language_code,
        }
        self._seen = len(self.texts())  # only what the bot sends from now on

    @property
    def chat(self) -> dict:
        return {"id": self.user_id, "type": "private", "first_name": self.user["first_name"]}

    def _message(self, **content: Any) -> dict:
        return {
            "message_id": next(self.world.message_ids),
            "date": int(time.time()),
            "chat": self.chat,
            "from": self.user,
            **content,
        }

    async def send(self, text: str) -> list[str]:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return await self.world.deliver({"message": self._message(**content)}, self)

    async def share_contact(self, phone: str, user_id: int | None = None) -> list[str]:
        contact = {
            "phone_number": phone,
            "first_name": self.user["first_name"],
            "user_id": self.user_id if user_id is None else user_id,
        }
        return await self.world.deliver({"message": self._message(contact=contact)}, self)

    async def share_location(self, latitude: float, longitude: float) -> list[str]:
        location = {"latitude": latitude, "longitude": longitude}
        return await self.world.deliver({"message": self._message(location=location)}, self)

    async def send_photo(self, file_id: str, caption: str | None = None) -> list[str]:
        photo = [
            {
                "file_id": f"{file_id}-small",
                "file_unique_id": f"{file_id}s",
                "width": 90,
                "height": 90,
            },
            {"file_id": file_id, "file_unique_id": f"{file_id}l", "width": 1280, "height": 960},
        ]
        content = {"photo": photo, **({"caption": caption} if caption else {})}
        return await self.world.deliver({"message": self._message(**content)}, self)

    async def tap(self, label: str) -> list[str]:
        """A reply-keyboard button: Telegram sends its label as a message."""
        labels = [button["text"] for button in self.reply_keyboard()]
        assert label in labels, f"no keyboard button {label!r}; keyboard: {labels}"
        return await self.send(label)

    def button(self, label: str) -> tuple[Sent, str]:
        """The newest message in this chat with an inline button labelled ``label``."""
        for sent in reversed(self.world.telegram.messages.get(self.user_id, [])):
            for row in (sent.reply_markup or {}).get("inline_keyboard", []):
                for button in row:
                    if button["text"] == label:
                        return sent, button["callback_data"]
        raise AssertionError(f"no button {label!r}; buttons: {self.buttons()}")

    def buttons(self) -> list[str]:
        labels = []
        for sent in self.world.telegram.messages.get(self.user_id, []):
            for row in (sent.reply_markup or {}).get("inline_keyboard", []):
                labels += [button["text"] for button in row]
        return labels

    def reply_keyboard(self) -> list[dict]:
        """Buttons of the newest reply keyboard sent to this chat."""
        for sent in reversed(self.world.telegram.messages.get(self.user_id, [])):
            if sent.reply_markup and "keyboard" in sent.reply_markup:
                return [button for row in sent.reply_markup["keyboard"] for button in row]
        return []

    async def press(self, label: str) -> list[str]:
        sent, data = self.button(label)
        return await self.press_data(sent, data)

    async def press_data(self, sent: Sent, data: str) -> list[str]:
        message = {
            "message_id": sent.message_id,
            "date": int(time.time()),
            "chat": self.chat,
            "from": BOT_USER,
            "text": sent.text,
        }
        query = {
            "id": str(next(self.world.message_ids)),
            "from": self.user,
            "chat_instance": f"ci{self.user_id}",
            "data": data,
            "message": message,
        }
        return await self.world.deliver({"callback_query": query}, self)

    def texts(self) -> list[str]:
        return [m.text for m in self.world.telegram.messages.get(self.user_id, [])]

    def take_new(self) -> list[str]:
        texts = self.texts()
        new, self._seen = texts[self._seen :], len(texts)
        return new


class World:
    """One bot (a real PTB Application on a SQLite file) and the fake Telegram it talks to."""

    def __init__(self, db_path: str, **settings: Any) -> None:
        self.db_path = db_path
        self.settings = Settings.load(
            environ={}, env_file=None, token=TOKEN, db_path=db_path, **settings
        )
        self.telegram = FakeTelegram()
        self.message_ids = itertools.count(1)
        self.app = None
        self.last_update_id = 0

    async def start(self) -> World:
        self.app = build_application(
            self.settings,
            request=self.telegram,
            get_updates_request=self.telegram,
            send_limits=UNLIMITED,
        )
        await self.app.initialize()
        await self.app.start()
        await self.app.update_queue.join()  # updates re-queued from before a restart
        return self

    async def stop(self) -> None:
        await self.app.stop()
        await self.app.shutdown()

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    def crash_after_next_write(self) -> None:
        """The process dies right after the next use case commits: nothing after it runs,
        no reply is sent, the update is not marked done (see kill)."""

        async def die(update_id: int, seq: int) -> None:
            self.db.after_write = None
            raise SimulatedCrash(update_id)

        self.db.after_write = die

    async def kill(self) -> None:
        """Stop as a SIGKILL would: nothing more reaches the database (conversation state
        and drafts held in memory are lost), then start a new process on the same file."""

        async def nothing(*_: object) -> None:
            return None

        self.app.update_persistence = nothing
        self.app.persistence.flush = nothing
        await self.stop()
        await self.start()

    @property
    def db(self):
        return self.app.bot_data.db

    async def outbox_sent(self) -> None:
        """Until the alerts and notices queued in the outbox are sent (and recorded)."""
        await self.app.bot_data.outbox.idle(within=10)

    def person(self, user_id: int, first_name: str = "Siti", language_code: str = "id") -> Someone:
        return Someone(self, user_id, first_name, language_code)

    async def deliver(
        self, body: dict, who: Someone | None = None, update_id: int | None = None
    ) -> list[str]:
        """Hand an update to the bot as Telegram would, wait until it is handled, and
        return what the bot newly sent to that person."""
        self.last_update_id = update_id or next(_update_ids)
        await self.app.update_queue.put(
            Update.de_json({"update_id": self.last_update_id, **body}, self.app.bot)
        )
        await asyncio.wait_for(self.app.update_queue.join(), timeout=10)
        await asyncio.wait_for(background_done(), timeout=10)  # alerts queued after the reply
        await self.outbox_sent()
        return who.take_new() if who else []
