"""In-memory world of the emulator: people, chats, messages, pending updates, files.

Everything is keyed per chat / per id so that a benchmark with hundreds of simulated
people stays O(1) per operation.  Waiters are woken through lazily created
`asyncio.Event`s that are swapped on every change (no event is allocated unless
somebody waits).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import time
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# Update kinds Telegram sends when allowed_updates is empty / not specified.
DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
#: Refusals remembered per chat (the newest).
REFUSALS_KEPT = 50


class Signal:
    """A broadcast 'something changed' notification (wake every current waiter)."""

    __slots__ = ("_event",)

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None

    def fire(self) -> None:
        if self._event is not None:
            self._event.set()
            self._event = None

    async def wait(self, limit: float | None) -> bool:
        """Wait for the next `fire` at most `limit` seconds (None: forever); False on expiry."""
        if self._event is None:
            self._event = asyncio.Event()
        event = self._event
        if limit is None:
            await event.wait()
            return True
        if limit <= 0:
            return False
        try:
            await asyncio.wait_for(event.wait(), limit)
        except TimeoutError:
            return False
        return True


@dataclass(slots=True)
class UserProfile:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    def to_api(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            d["last_name"] = self.last_name
        if self.username:
            d["username"] = self.username
        if self.language_code:
            d["language_code"] = self.language_code
        return d

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "username": self.username,
            "language_code": self.language_code,
        }


def _inline_rows(markup: dict[str, Any] | None) -> list[list[dict[str, Any]]] | None:
    if not markup or "inline_keyboard" not in markup:
        return None
    return [
        [{k: v for k, v in b.items() if k in ("text", "callback_data", "url")} for b in row]
        for row in markup["inline_keyboard"]
    ]


def _reply_keyboard(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    if not markup or "keyboard" not in markup:
        return None
    return {
        "rows": [
            [
                {
                    "text": b["text"],
                    "request_contact": bool(b.get("request_contact")),
                    "request_location": bool(b.get("request_location")),
                }
                for b in row
            ]
            for row in markup["keyboard"]
        ],
        "resize_keyboard": bool(markup.get("resize_keyboard")),
        "one_time_keyboard": bool(markup.get("one_time_keyboard")),
        "is_persistent": bool(markup.get("is_persistent")),
        "input_field_placeholder": markup.get("input_field_placeholder"),
    }


@dataclass(slots=True, eq=False)
class StoredMessage:
    """One message in a chat, sent by the bot or by a simulated person.

    `text`/`caption` hold the rendered text (markup removed) exactly as Telegram
    returns it; `raw_text`/`parse_mode` keep what the bot actually sent.
    """

    message_id: int
    chat_id: int
    from_bot: bool
    sender: dict[str, Any]
    date: int
    sent_at: float
    kind: str = "text"  # text | photo | document | contact | location
    text: str | None = None
    caption: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    payload: dict[str, Any] = field(default_factory=dict)  # photo/document/contact/location
    reply_to_message_id: int | None = None
    # For people's messages: the update that carried it.  For the bot's messages: the
    # latest update of this chat handed to the bot before it sent (best guess).
    update_id: int | None = None
    raw_text: str | None = None
    parse_mode: str | None = None
    edit_date: int | None = None
    deleted: bool = False
    history: list[dict[str, Any]] = field(default_factory=list)  # versions before each edit

    # -- views -----------------------------------------------------------
    def to_api(self, chat: Chat, with_reply: bool = True) -> dict[str, Any]:
        """The Bot API `Message` object."""
        d: dict[str, Any] = {
            "message_id": self.message_id,
            "from": self.sender,
            "chat": chat.to_api(),
            "date": self.date,
        }
        if self.edit_date is not None:
            d["edit_date"] = self.edit_date
        if with_reply and self.reply_to_message_id is not None:
            target = chat.messages.get(self.reply_to_message_id)
            if target is not None and not target.deleted:
                d["reply_to_message"] = target.to_api(chat, with_reply=False)
        if self.text is not None:
            d["text"] = self.text
            if self.entities:
                d["entities"] = self.entities
        if self.payload:
            d.update(self.payload)
        if self.caption is not None:
            d["caption"] = self.caption
            if self.entities:
                d["caption_entities"] = self.entities
        # Telegram echoes only inline keyboards back in the Message object.
        if self.reply_markup is not None and "inline_keyboard" in self.reply_markup:
            d["reply_markup"] = self.reply_markup
        return d

    @property
    def inline_keyboard(self) -> list[list[dict[str, Any]]] | None:
        return _inline_rows(self.reply_markup)

    @property
    def reply_keyboard(self) -> dict[str, Any] | None:
        return _reply_keyboard(self.reply_markup)

    @property
    def remove_keyboard(self) -> bool:
        return bool(self.reply_markup and self.reply_markup.get("remove_keyboard"))

    @property
    def force_reply(self) -> bool:
        return bool(self.reply_markup and self.reply_markup.get("force_reply"))

    @property
    def buttons(self) -> list[str]:
        """Labels of all inline buttons, row by row (handy in assertions)."""
        rows = self.inline_keyboard or []
        return [b["text"] for row in rows for b in row]

    @property
    def edited(self) -> bool:
        return bool(self.history)

    def snapshot(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "caption": self.caption,
            "entities": self.entities,
            "reply_markup": self.reply_markup,
            "date": self.edit_date or self.date,
        }

    @property
    def versions(self) -> list[dict[str, Any]]:
        """Edit history: every version in order, the current one last."""
        return [*self.history, self.snapshot()]

    @property
    def file(self) -> dict[str, Any] | None:
        if "document" in self.payload:
            return self.payload["document"]
        if "photo" in self.payload:
            return self.payload["photo"][-1]
        return None

    def to_dict(self) -> dict[str, Any]:
        """The control-API view (JSON-serialisable)."""
        return {
            "message_id": self.message_id,
            "chat_id": self.chat_id,
            "from_bot": self.from_bot,
            "sender": self.sender,
            "kind": self.kind,
            "text": self.text,
            "caption": self.caption,
            "entities": self.entities,
            "raw_text": self.raw_text,
            "parse_mode": self.parse_mode,
            "reply_markup": self.reply_markup,
            "inline_keyboard": self.inline_keyboard,
            "reply_keyboard": self.reply_keyboard,
            "remove_keyboard": self.remove_keyboard,
            "force_reply": self.force_reply,
            "buttons": self.buttons,
            "payload": self.payload,
            "file": self.file,
            "reply_to_message_id": self.reply_to_message_id,
            "update_id": self.update_id,
            "date": self.date,
            "sent_at": self.sent_at,
            "edit_date": self.edit_date,
            "edited": self.edited,
            "versions": self.versions,
            "deleted": self.deleted,
        }


class Chat:
    """A private chat (id == user id) or a group (negative id) and its messages."""

    __slots__ = (
        "id",
        "type",
        "title",
        "user",
        "messages",
        "transcript",
        "bot_transcript",
        "keyboard_ids",
        "_next_message_id",
        "version",
        "changed",
        "chat_instance",
        "last_update_id",
        "reply_keyboard",
        "last_action",
        "menu_button",
        "refusals",
    )

    def __init__(self, chat_id: int, *, user: UserProfile | None = None, title: str | None = None):
        self.id = chat_id
        if chat_id > 0:
            self.type = "private"
        else:
            # -100xxxxxxxxxx ids are supergroups in Telegram; shorter negatives are groups.
            self.type = "supergroup" if chat_id <= -1_000_000_000_000 else "group"
        self.title = title
        self.user = user
        self.messages: dict[int, StoredMessage] = {}
        self.transcript: list[StoredMessage] = []  # everybody's messages, in order
        self.bot_transcript: list[StoredMessage] = []  # the bot's messages only
        self.keyboard_ids: list[int] = []  # bot messages that carried an inline keyboard
        self._next_message_id = 1
        self.version = 0
        self.changed = Signal()
        self.chat_instance = str(secrets.randbits(62))
        self.last_update_id: int | None = None
        self.reply_keyboard: dict[str, Any] | None = None
        self.last_action: tuple[str, float] | None = None
        self.menu_button: dict[str, Any] | None = None
        # What the emulator refused the bot in this chat (429, 403, 400), newest last.
        self.refusals: deque[dict[str, Any]] = deque(maxlen=REFUSALS_KEPT)

    def to_api(self) -> dict[str, Any]:
        if self.type == "private" and self.user is not None:
            d = {"id": self.id, "type": "private", "first_name": self.user.first_name}
            if self.user.last_name:
                d["last_name"] = self.user.last_name
            if self.user.username:
                d["username"] = self.user.username
            return d
        return {"id": self.id, "type": self.type, "title": self.title or f"Group {self.id}"}

    def next_message_id(self) -> int:
        mid = self._next_message_id
        self._next_message_id += 1
        return mid

    def add(self, msg: StoredMessage) -> None:
        self.messages[msg.message_id] = msg
        self.transcript.append(msg)
        if msg.from_bot:
            self.bot_transcript.append(msg)
            if msg.reply_markup is not None:
                if "inline_keyboard" in msg.reply_markup:
                    self.keyboard_ids.append(msg.message_id)
                elif "keyboard" in msg.reply_markup:
                    self.reply_keyboard = msg.reply_markup
                elif msg.reply_markup.get("remove_keyboard"):
                    self.reply_keyboard = None
        self.touch()

    def touch(self) -> None:
        self.version += 1
        self.changed.fire()

    def live_message(self, message_id: int) -> StoredMessage | None:
        msg = self.messages.get(message_id)
        return None if msg is None or msg.deleted else msg

    def summary(self) -> dict[str, Any]:
        return {
            "chat": self.to_api(),
            "version": self.version,
            "messages": len(self.transcript),
            "bot_messages": len(self.bot_transcript),
            "reply_keyboard": _reply_keyboard(self.reply_keyboard),
            "last_action": self.last_action[0] if self.last_action else None,
            "last_action_at": self.last_action[1] if self.last_action else None,
            "menu_button": self.menu_button,
            "refusals": list(self.refusals),
        }

    def refuse(
        self, method: str, error_code: int, description: str, retry_after: int | None
    ) -> None:
        """Remember a refused call (shown by a chat page) and wake the watchers."""
        self.refusals.append(
            {
                "method": method,
                "error_code": error_code,
                "description": description,
                "retry_after": retry_after,
                "at": time.time(),
            }
        )
        self.touch()


@dataclass(slots=True)
class PendingUpdate:
    update_id: int
    kind: str
    payload: dict[str, Any]
    chat_id: int | None

    def to_api(self) -> dict[str, Any]:
        return {"update_id": self.update_id, self.kind: self.payload}


class UpdateQueue:
    """Updates waiting for the bot, kept until confirmed (getUpdates offset / webhook 2xx)."""

    def __init__(self, first_update_id: int = 1):
        self._items: deque[PendingUpdate] = deque()
        self._next_id = first_update_id
        self.allowed: frozenset[str] | None = None  # None: Telegram's default set
        self.changed = Signal()  # new update, new poller or webhook change
        self.poll_generation = 0  # bumped by every getUpdates call (newest wins)

    def __len__(self) -> int:
        return len(self._items)

    def set_allowed(self, allowed: Iterable[str] | None) -> None:
        allowed = frozenset(allowed or ())
        self.allowed = allowed or None

    def accepts(self, kind: str) -> bool:
        if self.allowed is None:
            return kind not in DEFAULT_EXCLUDED_UPDATES
        return kind in self.allowed

    def push(self, kind: str, payload: dict[str, Any], chat_id: int | None) -> int | None:
        """Queue an update; None if the bot's allowed_updates filter drops it."""
        if not self.accepts(kind):
            return None
        update_id = self._next_id
        self._next_id += 1
        self._items.append(PendingUpdate(update_id, kind, payload, chat_id))
        self.changed.fire()
        return update_id

    def confirm(self, offset: int) -> None:
        items = self._items
        if offset < 0:
            # Negative offset: keep only the last -offset updates, forget the rest.
            while len(items) > -offset:
                items.popleft()
            return
        while items and items[0].update_id < offset:
            items.popleft()

    def peek(self, limit: int) -> list[PendingUpdate]:
        return list(itertools.islice(self._items, limit))

    def first(self) -> PendingUpdate | None:
        return self._items[0] if self._items else None

    def pop_if_first(self, update_id: int) -> None:
        if self._items and self._items[0].update_id == update_id:
            self._items.popleft()

    def clear(self) -> None:
        self._items.clear()


@dataclass(slots=True, eq=False)
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    kind: str  # photo | document
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    group: list[StoredFile] | None = None  # all sizes of a photo

    def to_api(self) -> dict[str, Any]:
        """PhotoSize / Document fields."""
        d: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
        }
        if self.kind == "photo":
            d["width"] = self.width
            d["height"] = self.height
        else:
            if self.file_name:
                d["file_name"] = self.file_name
            if self.mime_type:
                d["mime_type"] = self.mime_type
        return d


_PHOTO_SIDES = (90, 320, 800, 1280)
_MIME_EXT = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf", "text/plain": "txt"}


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width/height from a PNG, GIF or JPEG header; None if unrecognised."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (
                0xC0,
                0xC1,
                0xC2,
                0xC3,
                0xC5,
                0xC6,
                0xC7,
                0xC9,
                0xCA,
                0xCB,
                0xCD,
                0xCE,
                0xCF,
            ):
                return int.from_bytes(data[i + 7 : i + 9], "big"), int.from_bytes(
                    data[i + 5 : i + 7], "big"
                )
            i += 2 + int.from_bytes(data[i + 2 : i + 4], "big")
    return None


class FileStore:
    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._counter = itertools.count(1)

    def _new(self, data: bytes, kind: str, ext: str, **kw: Any) -> StoredFile:
        n = next(self._counter)
        # Shapes loosely follow real ids: opaque, url-safe, different per file.
        prefix = "AgACAgIAAxkBAA" if kind == "photo" else "BQACAgIAAxkBAA"
        stored = StoredFile(
            file_id=f"{prefix}{n:06d}{secrets.token_urlsafe(12)}",
            file_unique_id=f"AQAD{n:06d}{secrets.token_hex(2)}",
            file_path=f"{'photos' if kind == 'photo' else 'documents'}/file_{n}.{ext}",
            data=data,
            kind=kind,
            **kw,
        )
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def add_document(self, data: bytes, file_name: str | None, mime_type: str | None) -> StoredFile:
        ext = "bin"
        if file_name and "." in file_name:
            ext = file_name.rsplit(".", 1)[1][:8] or "bin"
        elif mime_type in _MIME_EXT:
            ext = _MIME_EXT[mime_type]
        return self._new(data, "document", ext, file_name=file_name, mime_type=mime_type)

    def add_photo(self, data: bytes) -> list[StoredFile]:
        """Photo sizes like Telegram's (thumbnails up to the original).

        No image library is available, so every size serves the original bytes; only
        the reported width/height differ.
        """
        width, height = image_size(data) or (1280, 960)
        longest = max(width, height, 1)
        sizes: list[StoredFile] = []
        for side in _PHOTO_SIDES:
            if side < longest:
                scale = side / longest
                sizes.append(
                    self._new(
                        data,
                        "photo",
                        "jpg",
                        width=max(1, round(width * scale)),
                        height=max(1, round(height * scale)),
                    )
                )
        sizes.append(self._new(data, "photo", "jpg", width=width, height=height))
        for s in sizes:
            s.group = sizes
        return sizes

    def get(self, file_id: str) -> StoredFile | None:
        return self._by_id.get(file_id)

    def by_path(self, path: str) -> StoredFile | None:
        return self._by_path.get(path)

    def clear(self) -> None:
        self._by_id.clear()
        self._by_path.clear()


@dataclass(slots=True, eq=False)
class CallbackQueryRecord:
    id: str
    chat_id: int
    message_id: int
    user_id: int
    data: str
    update_id: int | None
    created_at: float  # time.monotonic()
    answered: bool = False
    answer_text: str | None = None
    show_alert: bool = False
    url: str | None = None
    cache_time: int | None = None
    answered_at: float | None = None
    answered_signal: Signal = field(default_factory=Signal, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "user_id": self.user_id,
            "data": self.data,
            "update_id": self.update_id,
            "answered": self.answered,
            "text": self.answer_text,
            "show_alert": self.show_alert,
            "url": self.url,
            "cache_time": self.cache_time,
            "answer_delay": (
                None if self.answered_at is None else self.answered_at - self.created_at
            ),
        }


@dataclass(slots=True)
class WebhookConfig:
    url: str
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    ip_address: str | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None

    def to_api(self, pending: int) -> dict[str, Any]:
        d: dict[str, Any] = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": pending,
            "max_connections": self.max_connections,
            "ip_address": self.ip_address or "127.0.0.1",
        }
        if self.allowed_updates:
            d["allowed_updates"] = self.allowed_updates
        if self.last_error_date is not None:
            d["last_error_date"] = self.last_error_date
            d["last_error_message"] = self.last_error_message
        return d


@dataclass
class Stats:
    requests: Counter = field(default_factory=Counter)  # per Bot API method
    errors: Counter = field(default_factory=Counter)  # per error_code
    sends: int = 0  # successful sendMessage/sendPhoto/sendDocument
    paid_broadcasts: int = 0  # of them, with allow_paid_broadcast (0.1 Star each)
    refused_429: int = 0
    refused_403: int = 0
    updates: int = 0
    callback_queries: int = 0
    callback_answers: int = 0
    webhook_deliveries: int = 0
    webhook_failures: int = 0
    started_at: float = field(default_factory=time.monotonic)

    def to_dict(self) -> dict[str, Any]:
        return {
            "requests": dict(self.requests),
            "requests_total": sum(self.requests.values()),
            "errors": {str(k): v for k, v in self.errors.items()},
            "sends": self.sends,
            "paid_broadcasts": self.paid_broadcasts,
            "refused_429": self.refused_429,
            "refused_403": self.refused_403,
            "updates": self.updates,
            "callback_queries": self.callback_queries,
            "callback_answers": self.callback_answers,
            "webhook_deliveries": self.webhook_deliveries,
            "webhook_failures": self.webhook_failures,
            "uptime": time.monotonic() - self.started_at,
        }


def scope_key(scope: dict[str, Any] | None, language_code: str | None) -> tuple[str, str]:
    """Commands are stored per (BotCommandScope, language_code), as Telegram does."""
    return json.dumps(scope or {"type": "default"}, sort_keys=True), language_code or ""


class SandboxState:
    """All mutable data of one emulator; `reset_people` wipes the simulated side."""

    def __init__(self, first_update_id: int = 1):
        self.users: dict[int, UserProfile] = {}
        self.chats: dict[int, Chat] = {}
        self.chat_created = Signal()
        self.blocked: set[int] = set()
        self.updates = UpdateQueue(first_update_id)
        self.files = FileStore()
        self.callbacks: dict[str, CallbackQueryRecord] = {}
        self._callback_ids = itertools.count(1)
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.default_menu_button: dict[str, Any] | None = None
        self.bot_texts: dict[str, dict[str, str]] = {}  # setMyName/Description per language
        self.webhook: WebhookConfig | None = None
        self.stats = Stats()

    def next_callback_id(self) -> str:
        # Real ids are long decimal strings; uniqueness is all that matters.
        return str(4_000_000_000_000_000 + next(self._callback_ids))

    def reset_people(self) -> None:
        """Forget people, chats, messages, files, pending updates and stats.

        Update ids keep increasing: a running bot remembers its getUpdates offset and
        would otherwise ignore the new updates.
        """
        self.users.clear()
        self.chats.clear()
        self.blocked.clear()
        self.updates.clear()
        self.files.clear()
        self.callbacks.clear()
        self.stats = Stats()

    def reset_bot_config(self) -> None:
        self.commands.clear()
        self.default_menu_button = None
        self.bot_texts.clear()
        self.webhook = None
        self.updates.set_allowed(None)
