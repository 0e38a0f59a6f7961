"""The Bot API methods the emulator answers, with Telegram's validation and errors.

`Params` hides the three wire formats: JSON bodies keep their types, while form and
multipart bodies (what PTB sends) carry every value as a string - numbers as digits,
objects/arrays as JSON text - so each accessor converts by the type the field has in
the Bot API.
"""

from __future__ import annotations

import bisect
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import ApiError, bad_request, forbidden
from .formatting import render
from .limits import retry_after_seconds
from .state import Chat, SandboxState, StoredFile, StoredMessage, WebhookConfig, scope_key

if TYPE_CHECKING:
    from .emulator import BotApiEmulator

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64  # bytes, UTF-8
MAX_ALERT_TEXT = 200
MAX_DOWNLOAD = 20 * 1024 * 1024  # getFile refuses bigger files

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
# An inline button must do something besides showing text.
_INLINE_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


@dataclass(slots=True)
class Upload:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str | None
    data: bytes


@dataclass(slots=True)
class Described:
    """A result that Telegram accompanies with a `description` (setWebhook & co)."""

    result: Any
    description: str


class Params:
    __slots__ = ("values", "files")

    def __init__(self, values: dict[str, Any], files: dict[str, Upload] | None = None):
        self.values = values
        self.files = files or {}

    def has(self, name: str) -> bool:
        return self.values.get(name) not in (None, "") or name in self.files

    def str(self, name: str, default: str | None = None) -> str | None:
        v = self.values.get(name)
        if v is None:
            return default
        if isinstance(v, str):
            return v
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int | float):
            return str(v)
        return json.dumps(v)

    def int(self, name: str, default: int | None = None) -> int | None:
        v = self.values.get(name)
        if v is None or v == "":
            return default
        if isinstance(v, bool):
            raise bad_request(f'field "{name}" must be of type Integer')
        if isinstance(v, int):
            return v
        if isinstance(v, float) and v.is_integer():
            return int(v)
        try:
            return int(str(v).strip())
        except ValueError:
            raise bad_request(f'field "{name}" must be of type Integer') from None

    def float(self, name: str, default: float | None = None) -> float | None:
        v = self.values.get(name)
        if v is None or v == "":
            return default
        try:
            return float(v)
        except (TypeError, ValueError):
            raise bad_request(f'field "{name}" must be of type Number') from None

    def bool(self, name: str, default: bool = False) -> bool:
        v = self.values.get(name)
        if v is None or v == "":
            return default
        if isinstance(v, str):
            return v.strip().lower() in ("true", "1", "yes")
        return bool(v)

    def json(self, name: str, what: str | None = None) -> Any:
        v = self.values.get(name)
        if v is None or v == "":
            return None
        if isinstance(v, str):
            try:
                return json.loads(v)
            except ValueError:
                raise bad_request(f"can't parse {what or name} JSON object") from None
        return v

    def chat_id(self) -> int | str:
        v = self.values.get("chat_id")
        if v is None or v == "":
            raise bad_request("chat_id is empty")
        if isinstance(v, int) and not isinstance(v, bool):
            return v
        s = str(v).strip()
        try:
            return int(s)
        except ValueError:
            return s  # '@username'; only resolvable for known public chats

    def file(self, name: str) -> Upload | str | None:
        """An uploaded file, or a file_id / URL string, or None."""
        if name in self.files:
            return self.files[name]
        ref = self.str(name)
        if not ref:
            return None
        if ref.startswith("attach://"):
            upload = self.files.get(ref[len("attach://") :])
            if upload is None:
                raise bad_request(f"file {ref} not found in the request")
            return upload
        return ref


Handler = Callable[[Params], Awaitable[Any]]


class BotApiMethods:
    """Implements each Bot API method against the emulator's state."""

    def __init__(self, emu: BotApiEmulator):
        self.emu = emu
        table: dict[str, Handler] = {
            "getMe": self.get_me,
            "logOut": self.ok,
            "close": self.ok,
            "getUpdates": self.get_updates,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "sendMessage": self.send_message,
            "sendPhoto": self.send_photo,
            "sendDocument": self.send_document,
            "editMessageText": self.edit_message_text,
            "editMessageCaption": self.edit_message_caption,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "deleteMessages": self.delete_messages,
            "answerCallbackQuery": self.answer_callback_query,
            "sendChatAction": self.send_chat_action,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "setChatMenuButton": self.set_chat_menu_button,
            "getChatMenuButton": self.get_chat_menu_button,
            "setMyName": self._bot_text_setter("name"),
            "setMyDescription": self._bot_text_setter("description"),
            "setMyShortDescription": self._bot_text_setter("short_description"),
            "getFile": self.get_file,
            "getChat": self.get_chat,
        }
        # Telegram matches method names case-insensitively.
        self._handlers = {name.lower(): (name, fn) for name, fn in table.items()}

    def canonical(self, method: str) -> str:
        entry = self._handlers.get(method.lower())
        return entry[0] if entry else method

    async def call(self, method: str, params: Params) -> Any:
        entry = self._handlers.get(method.lower())
        if entry is None:
            raise ApiError(404, "Not Found")
        return await entry[1](params)

    # ------------------------------------------------------------ helpers
    @property
    def state(self) -> SandboxState:
        return self.emu.state

    def _chat(self, p: Params) -> Chat:
        chat_id = p.chat_id()
        chat = self.state.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            if isinstance(chat_id, int) and chat_id in self.state.users:
                # Known person who never wrote to the bot.
                raise forbidden("bot can't initiate conversation with a user")
            raise bad_request("chat not found")
        return chat

    def _not_blocked(self, chat: Chat) -> None:
        if chat.type == "private" and chat.id in self.state.blocked:
            raise forbidden("bot was blocked by the user")

    def _flood(self, chat: Chat, p: Params) -> None:
        """A send's place in the flood limits (a paid broadcast's in its own budget)."""
        paid = p.bool("allow_paid_broadcast")
        if self.emu.flood_enabled:
            wait = self.emu.limiter.acquire(chat.id, paid=paid)
            if wait > 0:
                seconds = retry_after_seconds(wait)
                raise ApiError(
                    429, f"Too Many Requests: retry after {seconds}", retry_after=seconds
                )
        if paid:
            self.state.stats.paid_broadcasts += 1

    @staticmethod
    def _text(
        p: Params, name: str, entities_name: str, limit: int, too_long: str, required: bool
    ) -> tuple[str | None, list[dict[str, Any]], str | None]:
        raw = p.str(name)
        if raw is None or raw == "":
            if required:
                raise bad_request("message text is empty")
            return None, [], None
        entities = p.json(entities_name, "entities")
        if entities is not None and not isinstance(entities, list):
            raise bad_request("can't parse entities JSON object")
        text, entities = render(raw, p.str("parse_mode"), entities)
        if required and not text.strip():
            raise bad_request("message text is empty")
        if len(text) > limit:
            raise bad_request(too_long)
        return text, entities, raw

    def _message_text(self, p: Params):
        return self._text(p, "text", "entities", MAX_TEXT, "message is too long", True)

    def _caption(self, p: Params):
        return self._text(
            p, "caption", "caption_entities", MAX_CAPTION, "message caption is too long", False
        )

    def _reply_target(self, chat: Chat, p: Params) -> int | None:
        rp = p.json("reply_parameters", "reply parameters")
        if rp is not None:
            if not isinstance(rp, dict):
                raise bad_request("can't parse reply parameters JSON object")
            mid, allow = rp.get("message_id"), bool(rp.get("allow_sending_without_reply"))
        else:
            mid, allow = p.int("reply_to_message_id"), p.bool("allow_sending_without_reply")
        if mid is None:
            return None
        if chat.live_message(int(mid)) is None:
            if allow:
                return None
            raise bad_request("message to be replied not found")
        return int(mid)

    @staticmethod
    def _markup(p: Params, inline_only: bool = False) -> dict[str, Any] | None:
        markup = p.json("reply_markup", "reply keyboard markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise bad_request(
                    'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays'
                )
            for row in rows:
                for button in row:
                    _check_inline_button(button)
            return {"inline_keyboard": rows}
        if inline_only:
            raise bad_request("inline keyboard expected")
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise bad_request(
                    'field "keyboard" of the ReplyKeyboardMarkup should be an Array of Arrays'
                )
            normalized = []
            for row in rows:
                out_row = []
                for button in row:
                    if isinstance(button, str):  # Telegram accepts bare strings
                        button = {"text": button}
                    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                        raise bad_request(
                            "can't parse keyboard button: KeyboardButton must be a String or an Object"
                        )
                    out_row.append(button)
                normalized.append(out_row)
            return {**markup, "keyboard": normalized}
        if markup.get("remove_keyboard") or markup.get("force_reply"):
            return markup
        raise bad_request("can't parse reply keyboard markup JSON object")

    def _new_bot_message(self, chat: Chat, **fields: Any) -> StoredMessage:
        now = time.time()
        msg = StoredMessage(
            message_id=chat.next_message_id(),
            chat_id=chat.id,
            from_bot=True,
            sender=self.emu.bot_sender,
            date=int(now),
            sent_at=now,
            update_id=chat.last_update_id,
            **fields,
        )
        chat.add(msg)
        self.state.stats.sends += 1
        return msg

    def _edit_target(self, p: Params, missing: str) -> tuple[Chat, StoredMessage]:
        if p.has("inline_message_id") and not p.has("chat_id"):
            raise bad_request("MESSAGE_ID_INVALID")  # inline mode is not emulated
        chat = self._chat(p)
        mid = p.int("message_id")
        if mid is None:
            raise bad_request("message identifier is not specified")
        msg = chat.live_message(mid)
        if msg is None:
            raise bad_request(missing)
        return chat, msg

    @staticmethod
    def _apply_edit(chat: Chat, msg: StoredMessage, **fields: Any) -> None:
        msg.history.append(msg.snapshot())
        for key, value in fields.items():
            setattr(msg, key, value)
        msg.edit_date = int(time.time())
        markup = msg.reply_markup
        if markup and "inline_keyboard" in markup:
            # keep keyboard_ids sorted by message_id so "latest message" stays correct
            i = bisect.bisect_left(chat.keyboard_ids, msg.message_id)
            if i == len(chat.keyboard_ids) or chat.keyboard_ids[i] != msg.message_id:
                chat.keyboard_ids.insert(i, msg.message_id)
        chat.touch()

    def _existing_file(self, value: Upload | str, kind: str) -> list[StoredFile] | None:
        """Validate a file input; return the stored file for a file_id, else None
        (a new upload or URL, stored only once the send is accepted)."""
        if isinstance(value, Upload):
            if not value.data:
                raise bad_request("file must be non-empty")
            return None
        if value.startswith(("http://", "https://")):
            return None
        stored = self.state.files.get(value)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != kind:
            raise bad_request("type of file mismatch")
        return list(stored.group) if stored.group else [stored]

    def _store_file(self, value: Upload | str, kind: str) -> list[StoredFile]:
        files = self.state.files
        if isinstance(value, Upload):
            if kind == "photo":
                return files.add_photo(value.data)
            return [files.add_document(value.data, value.filename, value.content_type)]
        # Offline emulator: URLs are accepted but not fetched (empty content).
        if kind == "photo":
            return files.add_photo(b"")
        return [files.add_document(b"", value.rsplit("/", 1)[-1] or "file", None)]

    # ------------------------------------------------------------ bot & updates
    async def ok(self, p: Params) -> bool:
        return True

    async def get_me(self, p: Params) -> dict[str, Any]:
        return self.emu.bot_user

    async def get_updates(self, p: Params) -> list[dict[str, Any]]:
        state = self.state
        if state.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        queue = state.updates
        offset = p.int("offset")
        limit = min(max(p.int("limit", 100) or 100, 1), 100)
        timeout = max(p.float("timeout", 0.0) or 0.0, 0.0)
        allowed = p.json("allowed_updates", "allowed updates")
        if allowed is not None:
            queue.set_allowed(allowed)
        # Newest getUpdates wins; an older one still waiting gets 409 (as in Telegram).
        queue.poll_generation += 1
        generation = queue.poll_generation
        queue.changed.fire()
        if offset:
            queue.confirm(offset)
        deadline = time.monotonic() + timeout
        while True:
            if self.emu.closing:
                return []
            if generation != queue.poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure "
                    "that only one bot instance is running",
                )
            if state.webhook is not None:
                raise ApiError(409, "Conflict: terminated by setWebhook request")
            items = queue.peek(limit)
            remaining = deadline - time.monotonic()
            if items or remaining <= 0:
                break
            await queue.changed.wait(remaining)
        for update in items:
            chat = state.chats.get(update.chat_id) if update.chat_id is not None else None
            if chat is not None:
                chat.last_update_id = update.update_id
        return [u.to_api() for u in items]

    async def set_webhook(self, p: Params) -> Described:
        state = self.state
        url = p.str("url", "") or ""
        if not url:
            return await self.delete_webhook(p)
        if not url.startswith(("http://", "https://")):
            # Real Telegram insists on HTTPS; a loopback emulator also takes plain HTTP.
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = p.str("secret_token")
        if secret is not None and not _SECRET_RE.fullmatch(secret):
            raise bad_request("secret token contains unallowed characters")
        max_connections = min(max(p.int("max_connections", 40) or 40, 1), 100)
        allowed = p.json("allowed_updates", "allowed updates")
        if allowed is not None:
            state.updates.set_allowed(allowed)
        if p.bool("drop_pending_updates"):
            state.updates.clear()
        old = state.webhook
        same = (
            old is not None
            and old.url == url
            and old.secret_token == secret
            and old.max_connections == max_connections
        )
        state.webhook = WebhookConfig(
            url=url,
            secret_token=secret,
            max_connections=max_connections,
            allowed_updates=allowed,
            ip_address=p.str("ip_address"),
        )
        state.updates.changed.fire()  # wake the deliverer and any waiting getUpdates
        return Described(True, "Webhook is already set" if same else "Webhook was set")

    async def delete_webhook(self, p: Params) -> Described:
        state = self.state
        had = state.webhook is not None
        state.webhook = None
        if p.bool("drop_pending_updates"):
            state.updates.clear()
        state.updates.changed.fire()
        return Described(True, "Webhook was deleted" if had else "Webhook is already deleted")

    async def get_webhook_info(self, p: Params) -> dict[str, Any]:
        state = self.state
        pending = len(state.updates)
        if state.webhook is None:
            return {"url": "", "has_custom_certificate": False, "pending_update_count": pending}
        return state.webhook.to_api(pending)

    # ------------------------------------------------------------ sending
    async def send_message(self, p: Params) -> dict[str, Any]:
        chat = self._chat(p)
        self._not_blocked(chat)
        text, entities, raw = self._message_text(p)
        reply_to = self._reply_target(chat, p)
        markup = self._markup(p)
        self._flood(chat, p)
        msg = self._new_bot_message(
            chat,
            kind="text",
            text=text,
            entities=entities,
            raw_text=raw,
            parse_mode=p.str("parse_mode"),
            reply_markup=markup,
            reply_to_message_id=reply_to,
        )
        return msg.to_api(chat)

    async def _send_file(self, p: Params, kind: str, field: str) -> dict[str, Any]:
        chat = self._chat(p)
        self._not_blocked(chat)
        caption, entities, raw = self._caption(p)
        reply_to = self._reply_target(chat, p)
        markup = self._markup(p)
        value = p.file(field)
        if value is None:
            raise bad_request(f"there is no {field} in the request")
        stored = self._existing_file(value, kind)
        self._flood(chat, p)  # after validation, before storing: a refused send leaves no trace
        if stored is None:
            stored = self._store_file(value, kind)
        payload = (
            {"photo": [s.to_api() for s in stored]}
            if kind == "photo"
            else {"document": stored[0].to_api()}
        )
        msg = self._new_bot_message(
            chat,
            kind=kind,
            caption=caption,
            entities=entities,
            raw_text=raw,
            parse_mode=p.str("parse_mode"),
            reply_markup=markup,
            reply_to_message_id=reply_to,
            payload=payload,
        )
        return msg.to_api(chat)

    async def send_photo(self, p: Params) -> dict[str, Any]:
        return await self._send_file(p, "photo", "photo")

    async def send_document(self, p: Params) -> dict[str, Any]:
        return await self._send_file(p, "document", "document")

    async def send_chat_action(self, p: Params) -> bool:
        chat = self._chat(p)
        self._not_blocked(chat)
        action = p.str("action")
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        chat.last_action = (action, time.time())
        chat.touch()  # a chat page shows "typing…" at once
        return True

    # ------------------------------------------------------------ editing
    async def edit_message_text(self, p: Params) -> dict[str, Any]:
        chat, msg = self._edit_target(p, "message to edit not found")
        if not msg.from_bot:
            raise bad_request("message can't be edited")
        if msg.text is None:
            raise bad_request("there is no text in the message to edit")
        text, entities, raw = self._message_text(p)
        markup = self._markup(p, inline_only=True)
        old_inline = _inline_of(msg.reply_markup)
        if text == msg.text and entities == msg.entities and markup == old_inline:
            raise bad_request(NOT_MODIFIED)
        # Without reply_markup Telegram drops the inline keyboard; a reply keyboard stays.
        new_markup = markup if markup is not None else _non_inline_of(msg.reply_markup)
        self._apply_edit(
            chat,
            msg,
            text=text,
            entities=entities,
            raw_text=raw,
            parse_mode=p.str("parse_mode"),
            reply_markup=new_markup,
        )
        return msg.to_api(chat)

    async def edit_message_caption(self, p: Params) -> dict[str, Any]:
        chat, msg = self._edit_target(p, "message to edit not found")
        if not msg.from_bot:
            raise bad_request("message can't be edited")
        if msg.kind not in ("photo", "document"):
            raise bad_request("there is no caption in the message to edit")
        caption, entities, raw = self._caption(p)
        markup = self._markup(p, inline_only=True)
        if (
            caption == msg.caption
            and entities == msg.entities
            and markup == _inline_of(msg.reply_markup)
        ):
            raise bad_request(NOT_MODIFIED)
        new_markup = markup if markup is not None else _non_inline_of(msg.reply_markup)
        self._apply_edit(
            chat,
            msg,
            caption=caption,
            entities=entities,
            raw_text=raw,
            parse_mode=p.str("parse_mode"),
            reply_markup=new_markup,
        )
        return msg.to_api(chat)

    async def edit_message_reply_markup(self, p: Params) -> dict[str, Any]:
        chat, msg = self._edit_target(p, "message to edit not found")
        if not msg.from_bot:
            raise bad_request("message can't be edited")
        markup = self._markup(p, inline_only=True)
        if markup == _inline_of(msg.reply_markup):
            raise bad_request(NOT_MODIFIED)
        new_markup = markup if markup is not None else _non_inline_of(msg.reply_markup)
        self._apply_edit(chat, msg, reply_markup=new_markup)
        return msg.to_api(chat)

    async def delete_message(self, p: Params) -> bool:
        chat = self._chat(p)
        mid = p.int("message_id")
        msg = chat.live_message(mid) if mid is not None else None
        if msg is None:
            raise bad_request("message to delete not found")
        msg.deleted = True
        chat.touch()
        return True

    async def delete_messages(self, p: Params) -> bool:
        chat = self._chat(p)
        ids = p.json("message_ids", "message identifiers")
        if not isinstance(ids, list) or not ids:
            raise bad_request("message identifiers are not specified")
        for mid in ids:
            msg = chat.live_message(int(mid))
            if msg is not None:  # missing ones are skipped silently, like Telegram
                msg.deleted = True
        chat.touch()
        return True

    # ------------------------------------------------------------ callbacks
    async def answer_callback_query(self, p: Params) -> bool:
        state = self.state
        record = state.callbacks.get(p.str("callback_query_id") or "")
        ttl = self.emu.callback_query_timeout
        if (
            record is None
            or record.answered
            or (ttl is not None and time.monotonic() - record.created_at > ttl)
        ):
            raise bad_request(QUERY_TOO_OLD)
        text = p.str("text")
        if text is not None and len(text) > MAX_ALERT_TEXT:
            raise bad_request("MESSAGE_TOO_LONG")
        record.answered = True
        record.answer_text = text
        record.show_alert = p.bool("show_alert")
        record.url = p.str("url")
        record.cache_time = p.int("cache_time")
        record.answered_at = time.monotonic()
        record.answered_signal.fire()
        state.stats.callback_answers += 1
        return True

    # ------------------------------------------------------------ commands & menu
    async def set_my_commands(self, p: Params) -> bool:
        commands = p.json("commands", "commands")
        if commands is None:
            commands = []
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        clean = []
        for c in commands:
            if not isinstance(c, dict):
                raise bad_request("can't parse BotCommand: BotCommand must be an Object")
            if "description" not in c:
                raise bad_request("can't parse BotCommand: Can't find field \"description\"")
            command = str(c.get("command", "")).removeprefix("/")
            if not _COMMAND_RE.fullmatch(command):
                raise bad_request("BOT_COMMAND_INVALID")
            description = str(c["description"])
            if not description.strip():
                raise bad_request("command description must be non-empty")
            clean.append({"command": command, "description": description})
        key = scope_key(p.json("scope", "scope"), p.str("language_code"))
        if clean:
            self.state.commands[key] = clean
        else:
            self.state.commands.pop(key, None)
        return True

    async def get_my_commands(self, p: Params) -> list[dict[str, str]]:
        key = scope_key(p.json("scope", "scope"), p.str("language_code"))
        return list(self.state.commands.get(key, []))

    async def delete_my_commands(self, p: Params) -> bool:
        key = scope_key(p.json("scope", "scope"), p.str("language_code"))
        self.state.commands.pop(key, None)
        return True

    async def set_chat_menu_button(self, p: Params) -> bool:
        button = p.json("menu_button", "menu button") or {"type": "default"}
        if p.has("chat_id"):
            self._chat(p).menu_button = button
        else:
            self.state.default_menu_button = button
        return True

    async def get_chat_menu_button(self, p: Params) -> dict[str, Any]:
        if p.has("chat_id"):
            button = self._chat(p).menu_button
            if button is not None:
                return button
        return self.state.default_menu_button or {"type": "default"}

    def _bot_text_setter(self, field: str) -> Handler:
        async def setter(p: Params) -> bool:
            texts = self.state.bot_texts.setdefault(field, {})
            texts[p.str("language_code") or ""] = p.str(field) or ""
            return True

        return setter

    # ------------------------------------------------------------ files & chats
    async def get_file(self, p: Params) -> dict[str, Any]:
        stored = self.state.files.get(p.str("file_id") or "")
        if stored is None:
            raise bad_request("invalid file_id")
        if len(stored.data) > MAX_DOWNLOAD:
            raise bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    async def get_chat(self, p: Params) -> dict[str, Any]:
        chat = self._chat(p)
        # ChatFullInfo has a few always-present fields PTB requires.
        return {
            **chat.to_api(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    if not isinstance(button.get("text"), str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA:
            raise bad_request("BUTTON_DATA_INVALID")
    elif not any(k in button for k in _INLINE_ACTIONS):
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )


def _inline_of(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    return markup if markup is not None and "inline_keyboard" in markup else None


def _non_inline_of(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    return markup if markup is not None and "inline_keyboard" not in markup else None
