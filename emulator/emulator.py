"""`BotApiEmulator`: a loopback Telegram Bot API server plus the people who talk to the bot.

The bot under test reaches it over HTTP (`base_url`); tests drive the simulated people
either in-process (the async methods below, no HTTP round trip) or through the
`/control/...` endpoints (see `SandboxClient`).  All methods must be called from the
event loop the emulator runs on.
"""

# Waits take an explicit `timeout`: it bounds a server-side long-poll as well, which
# a caller's asyncio.timeout() could not convey over HTTP.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import asdict, replace
from typing import Any
from urllib.parse import quote, urlencode

from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets

from .errors import ApiError, ControlError
from .formatting import command_entities
from .limits import FloodLimiter, FloodLimits
from .methods import BotApiMethods, Described, Params
from .state import (
    CallbackQueryRecord,
    Chat,
    SandboxState,
    StoredMessage,
    UserProfile,
    scope_key,
)
from .webhook import WebhookDeliverer

TOKEN_RE = re.compile(r"(\d+):[A-Za-z0-9_-]{30,}")
_JSON_SEPARATORS = (",", ":")
_UNAUTHORIZED = {"ok": False, "error_code": 401, "description": "Unauthorized"}

MessagePredicate = Callable[[Sequence[StoredMessage]], bool]


class BotApiEmulator:
    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_id: int = 7_000_000_001,
        bot_username: str = "koperasi_test_bot",
        bot_first_name: str = "Koperasi Test Bot",
        latency: float = 0.0,
        flood_limits: FloodLimits | None = None,
        flood_enabled: bool = False,
        clock: Callable[[], float] = time.monotonic,
        first_update_id: int = 1,
        callback_query_timeout: float | None = None,
        webhook_retry_initial: float = 0.1,
        webhook_retry_max: float = 5.0,
        webhook_timeout: float = 10.0,
        max_body_size: int = 60 * 1024 * 1024,
        valid_tokens: Collection[str] | None = None,
    ):
        self.host = host
        self._requested_port = port
        self.port: int | None = None
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self._default_latency = latency
        self.latency = latency
        self._default_limits = flood_limits or FloodLimits()
        self._default_flood_enabled = flood_enabled
        self.flood_enabled = flood_enabled
        self.limiter = FloodLimiter(self._default_limits, clock)
        # None: a callback query can be answered any time (Telegram: ~seconds).
        self.callback_query_timeout = callback_query_timeout
        self.state = SandboxState(first_update_id)
        self.api = BotApiMethods(self)
        self._deliverer = WebhookDeliverer(
            self,
            retry_initial=webhook_retry_initial,
            retry_max=webhook_retry_max,
            timeout=webhook_timeout,
        )
        self._max_body_size = max_body_size
        self._server: HTTPServer | None = None
        self._deliverer_task: asyncio.Task | None = None
        self.closing = False
        # None: any well-formed token is accepted (the bot is whoever the token says); else
        # only these, and any other answers 401 Unauthorized as Telegram does.
        self.valid_tokens: frozenset[str] | None = (
            None if valid_tokens is None else frozenset(valid_tokens)
        )
        self.bot_token: str | None = None  # the token of the bot's last accepted call

    # ------------------------------------------------------------ lifecycle
    async def start(self) -> BotApiEmulator:
        from .server import build_app  # tornado app wiring lives apart from the logic

        sockets = bind_sockets(self._requested_port, self.host)
        self.port = sockets[0].getsockname()[1]
        self._server = HTTPServer(build_app(self), max_body_size=self._max_body_size)
        self._server.add_sockets(sockets)
        self.closing = False
        self._deliverer_task = asyncio.create_task(self._deliverer.run())
        return self

    async def stop(self) -> None:
        self.closing = True
        # Wake every long-poll / wait so their handlers finish instead of lingering.
        self.state.updates.changed.fire()
        self.state.chat_created.fire()
        for chat in self.state.chats.values():
            chat.changed.fire()
        for record in self.state.callbacks.values():
            record.answered_signal.fire()
        if self._deliverer_task is not None:
            self._deliverer_task.cancel()
            try:
                await self._deliverer_task
            except asyncio.CancelledError:
                pass
            self._deliverer_task = None
        if self._server is not None:
            self._server.stop()
            await asyncio.sleep(0)
            await self._server.close_all_connections()
            self._server = None

    async def __aenter__(self) -> BotApiEmulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ------------------------------------------------------------ addresses
    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("emulator not started")
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For PTB `base_url` / the bot's `--api-url` (PTB appends the token)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    @property
    def control_url(self) -> str:
        return f"{self.url}/control"

    @property
    def token_for_tests(self) -> str:
        return f"{self.bot_id}:AAH_sandbox-token-for-local-tests-0123456789"

    # ------------------------------------------------------------ the bot itself
    @property
    def bot_sender(self) -> dict[str, Any]:
        """The `from` of the bot's messages."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    @property
    def bot_user(self) -> dict[str, Any]:
        """getMe result."""
        return {
            **self.bot_sender,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def accepts_token(self, token: str) -> bool:
        return TOKEN_RE.fullmatch(token) is not None and (
            self.valid_tokens is None or token in self.valid_tokens
        )

    async def handle_api_call(self, token: str, method: str, params: Params) -> tuple[int, bytes]:
        """One Bot API request -> (HTTP status, JSON body)."""
        match = TOKEN_RE.fullmatch(token)
        if match is None or not self.accepts_token(token):
            return 401, dump_json(_UNAUTHORIZED)
        self.bot_id = int(match.group(1))  # the bot is whoever the token says
        self.bot_token = token
        stats = self.state.stats
        stats.requests[self.api.canonical(method)] += 1
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        try:
            result = await self.api.call(method, params)
        except ApiError as exc:
            stats.errors[exc.error_code] += 1
            if exc.error_code == 429:
                stats.refused_429 += 1
            elif exc.error_code == 403:
                stats.refused_403 += 1
            self._record_refusal(method, params, exc)
            return exc.error_code, dump_json(exc.to_api())
        if isinstance(result, Described):
            return 200, dump_json(
                {"ok": True, "result": result.result, "description": result.description}
            )
        return 200, dump_json({"ok": True, "result": result})

    def _record_refusal(self, method: str, params: Params, exc: ApiError) -> None:
        """A refused call to a chat, kept with that chat so a chat page can show it."""
        raw = params.values.get("chat_id")
        try:
            chat_id = int(raw) if raw is not None else None
        except (TypeError, ValueError):
            chat_id = None
        chat = self.state.chats.get(chat_id) if chat_id is not None else None
        if chat is not None:
            chat.refuse(
                self.api.canonical(method), exc.error_code, exc.description, exc.retry_after
            )

    # ------------------------------------------------------------ Mini Apps
    async def web_app_init_data(
        self, user_id: int, auth_date: int | None = None, query_id: str | None = None
    ) -> str:
        """The ``initData`` Telegram hands a Mini App opened by ``user_id``: the person as
        JSON, ``auth_date``, ``query_id`` and ``hash`` = hex HMAC-SHA256 of the sorted
        ``key=value`` lines, keyed by HMAC-SHA256("WebAppData", bot token). Signed with the
        token of the bot that talks to this emulator (else the test token)."""
        user = self._user(user_id)
        person: dict[str, Any] = {"id": user.id, "first_name": user.first_name}
        if user.last_name:
            person["last_name"] = user.last_name
        if user.username:
            person["username"] = user.username
        person["language_code"] = user.language_code or "id"
        person["allows_write_to_pm"] = True
        fields = {
            "query_id": query_id or f"AAE{user.id:x}emu",
            "user": json.dumps(person, ensure_ascii=False, separators=_JSON_SEPARATORS),
            "auth_date": str(int(time.time()) if auth_date is None else int(auth_date)),
        }
        token = self.bot_token or self.token_for_tests
        secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
        check = "\n".join(f"{k}={fields[k]}" for k in sorted(fields))
        fields["hash"] = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
        return urlencode(fields, quote_via=quote)

    def file_by_id(self, file_id: str) -> tuple[bytes, str, str | None] | None:
        """A stored file's bytes, MIME type and name (for a chat page), or None."""
        stored = self.state.files.get(file_id)
        if stored is None:
            return None
        mime = stored.mime_type or ("image/jpeg" if stored.kind == "photo" else None)
        return stored.data, mime or "application/octet-stream", stored.file_name

    # ------------------------------------------------------------ people: helpers
    def _user(
        self,
        user_id: int,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> UserProfile:
        if not isinstance(user_id, int) or user_id <= 0:
            raise ControlError("user_id must be a positive integer")
        user = self.state.users.get(user_id)
        if user is None:
            user = UserProfile(
                user_id, first_name or f"User {user_id}", last_name, username, language_code
            )
            self.state.users[user_id] = user
            return user
        if first_name is not None:
            user.first_name = first_name
        if last_name is not None:
            user.last_name = last_name
        if username is not None:
            user.username = username
        if language_code is not None:
            user.language_code = language_code
        return user

    def _chat_for(self, user: UserProfile, chat_id: int | None, chat_title: str | None) -> Chat:
        cid = user.id if chat_id is None else chat_id
        if cid > 0 and cid != user.id:
            raise ControlError("a private chat's id is the user's id; groups use negative ids")
        chat = self.state.chats.get(cid)
        if chat is None:
            chat = Chat(cid, user=user) if cid > 0 else Chat(cid, title=chat_title)
            self.state.chats[cid] = chat
            self.state.chat_created.fire()
        elif chat_title and chat.type != "private":
            chat.title = chat_title
        return chat

    def _existing_chat(self, chat_id: int) -> Chat:
        chat = self.state.chats.get(chat_id)
        if chat is None:
            raise ControlError(f"chat {chat_id} not found")
        return chat

    def _push(self, kind: str, payload: dict[str, Any], chat_id: int | None) -> int | None:
        update_id = self.state.updates.push(kind, payload, chat_id)
        if update_id is not None:
            self.state.stats.updates += 1
        return update_id

    def _incoming(
        self,
        user_id: int,
        chat_id: int | None,
        chat_title: str | None,
        profile: dict[str, Any],
        reply_to_message_id: int | None = None,
        **fields: Any,
    ) -> StoredMessage:
        """Store a message written by a person and queue its `message` update."""
        user = self._user(user_id, **profile)
        chat = self._chat_for(user, chat_id, chat_title)
        if chat.type == "private" and user.id in self.state.blocked:
            # Writing to a blocked bot means pressing "Restart" first.
            self._set_blocked(user, False)
        if reply_to_message_id is not None and chat.live_message(reply_to_message_id) is None:
            raise ControlError(f"message {reply_to_message_id} to reply to not found")
        now = time.time()
        msg = StoredMessage(
            message_id=chat.next_message_id(),
            chat_id=chat.id,
            from_bot=False,
            sender=user.to_api(),
            date=int(now),
            sent_at=now,
            reply_to_message_id=reply_to_message_id,
            **fields,
        )
        chat.add(msg)
        msg.update_id = self._push("message", msg.to_api(chat), chat.id)
        return msg

    def _set_blocked(self, user: UserProfile, blocked: bool) -> None:
        if (user.id in self.state.blocked) == blocked:
            return
        if blocked:
            self.state.blocked.add(user.id)
        else:
            self.state.blocked.discard(user.id)
        chat = self.state.chats.get(user.id)
        if chat is None:
            return
        chat.touch()  # a chat page shows the blocked state at once
        # Telegram tells the bot with a my_chat_member update.
        kicked = {"user": self.bot_sender, "status": "kicked", "until_date": 0}
        member = {"user": self.bot_sender, "status": "member"}
        old, new = (member, kicked) if blocked else (kicked, member)
        self._push(
            "my_chat_member",
            {
                "chat": chat.to_api(),
                "from": user.to_api(),
                "date": int(time.time()),
                "old_chat_member": old,
                "new_chat_member": new,
            },
            chat.id,
        )

    # ------------------------------------------------------------ people: actions
    async def add_user(
        self,
        user_id: int,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        open_chat: bool = False,
    ) -> dict[str, Any]:
        """Register or update a person (without writing to the bot). ``open_chat``: they
        started the bot some time ago, so it may write to them; no update is queued."""
        user = self._user(user_id, first_name, last_name, username, language_code)
        if open_chat:
            self._chat_for(user, None, None)
        return user.to_dict()

    async def send_message(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        chat_title: str | None = None,
        reply_to_message_id: int | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> int | None:
        """A person writes `text`; returns the update_id (None if allowed_updates drops it)."""
        if not text:
            raise ControlError("text must be non-empty")
        profile = dict(
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        msg = self._incoming(
            user_id,
            chat_id,
            chat_title,
            profile,
            reply_to_message_id,
            kind="text",
            text=text,
            entities=command_entities(text),
        )
        return msg.update_id

    async def send_command(
        self, user_id: int, command: str, args: str = "", **kwargs: Any
    ) -> int | None:
        """`send_command(1, "start", "ref42")` sends "/start ref42"."""
        text = command if command.startswith("/") else f"/{command}"
        if args:
            text = f"{text} {args}"
        return await self.send_message(user_id, text, **kwargs)

    async def press_button(
        self,
        chat_id: int,
        label: str | None = None,
        *,
        message_id: int | None = None,
        callback_data: str | None = None,
        user_id: int | None = None,
    ) -> str:
        """Press an inline button; returns the callback query id.

        Without `message_id` the newest bot message whose keyboard has a matching button
        is used.  A button matches by `label` and/or `callback_data`.
        """
        if label is None and callback_data is None:
            raise ControlError("give label or callback_data")
        chat = self._existing_chat(chat_id)
        if user_id is None:
            if chat.type != "private" or chat.user is None:
                raise ControlError("user_id is required for group chats")
            user = chat.user
        else:
            user = self._user(user_id)
        if chat.type == "private" and user.id in self.state.blocked:
            raise ControlError("the user blocked the bot; unblock first")

        if message_id is not None:
            msg = chat.live_message(message_id)
            if msg is None or not msg.from_bot:
                raise ControlError(f"bot message {message_id} not found in chat {chat_id}")
            candidates: Any = (msg,)
        else:
            candidates = (chat.messages[m] for m in reversed(chat.keyboard_ids))
        for msg in candidates:
            if msg.deleted or msg.reply_markup is None:
                continue
            for row in msg.reply_markup.get("inline_keyboard", ()):
                for button in row:
                    if label is not None and button.get("text") != label:
                        continue
                    if callback_data is not None and button.get("callback_data") != callback_data:
                        continue
                    data = button.get("callback_data")
                    if data is None:
                        raise ControlError(f"button {button.get('text')!r} sends no callback")
                    return self._callback(chat, msg, user, data)
        raise ControlError(f"no inline button {label or callback_data!r} in chat {chat_id}")

    def _callback(self, chat: Chat, msg: StoredMessage, user: UserProfile, data: str) -> str:
        state = self.state
        query_id = state.next_callback_id()
        update_id = self._push(
            "callback_query",
            {
                "id": query_id,
                "from": user.to_api(),
                "message": msg.to_api(chat),
                "chat_instance": chat.chat_instance,
                "data": data,
            },
            chat.id,
        )
        state.callbacks[query_id] = CallbackQueryRecord(
            id=query_id,
            chat_id=chat.id,
            message_id=msg.message_id,
            user_id=user.id,
            data=data,
            update_id=update_id,
            created_at=time.monotonic(),
        )
        state.stats.callback_queries += 1
        return query_id

    async def share_contact(
        self,
        user_id: int,
        phone_number: str,
        *,
        contact_first_name: str | None = None,
        contact_last_name: str | None = None,
        contact_user_id: int | None = None,
        chat_id: int | None = None,
        **profile: Any,
    ) -> int | None:
        """Share a contact. By default the sender's own (user_id = sender); pass another
        `contact_user_id` to forward someone else's, or 0 for a contact with no account."""
        user = self._user(user_id, **profile)
        contact: dict[str, Any] = {
            "phone_number": phone_number,
            "first_name": contact_first_name or user.first_name,
        }
        last = contact_last_name if contact_first_name else (contact_last_name or user.last_name)
        if last:
            contact["last_name"] = last
        cuid = user.id if contact_user_id is None else contact_user_id
        if cuid:
            contact["user_id"] = cuid
        msg = self._incoming(
            user_id, chat_id, None, {}, kind="contact", payload={"contact": contact}
        )
        return msg.update_id

    async def share_location(
        self,
        user_id: int,
        latitude: float,
        longitude: float,
        *,
        chat_id: int | None = None,
        **profile: Any,
    ) -> int | None:
        location = {"latitude": float(latitude), "longitude": float(longitude)}
        msg = self._incoming(
            user_id, chat_id, None, profile, kind="location", payload={"location": location}
        )
        return msg.update_id

    async def send_photo(
        self,
        user_id: int,
        photo: bytes,
        *,
        caption: str | None = None,
        chat_id: int | None = None,
        **profile: Any,
    ) -> int | None:
        if not photo:
            raise ControlError("photo must be non-empty bytes")
        sizes = self.state.files.add_photo(bytes(photo))
        msg = self._incoming(
            user_id,
            chat_id,
            None,
            profile,
            kind="photo",
            caption=caption,
            payload={"photo": [s.to_api() for s in sizes]},
        )
        return msg.update_id

    async def send_document(
        self,
        user_id: int,
        data: bytes,
        *,
        file_name: str = "document.bin",
        mime_type: str | None = None,
        caption: str | None = None,
        chat_id: int | None = None,
        **profile: Any,
    ) -> int | None:
        if not data:
            raise ControlError("document must be non-empty bytes")
        stored = self.state.files.add_document(bytes(data), file_name, mime_type)
        msg = self._incoming(
            user_id,
            chat_id,
            None,
            profile,
            kind="document",
            caption=caption,
            payload={"document": stored.to_api()},
        )
        return msg.update_id

    async def block(self, user_id: int) -> None:
        """The person blocks the bot: sends to them fail with 403 until unblocked."""
        self._set_blocked(self._user(user_id), True)

    async def unblock(self, user_id: int) -> None:
        self._set_blocked(self._user(user_id), False)

    # ------------------------------------------------------------ reading the chats
    async def messages(self, chat_id: int, *, include_user: bool = False) -> list[StoredMessage]:
        """The bot's messages in a chat, in order (with people's too if include_user)."""
        chat = self.state.chats.get(chat_id)
        if chat is None:
            return []
        return list(chat.transcript if include_user else chat.bot_transcript)

    async def transcript(self, chat_id: int, *, include_user: bool = False) -> dict[str, Any]:
        """Messages plus the chat `version` (bumped on every change), for `wait_change`."""
        chat = self.state.chats.get(chat_id)
        if chat is None:
            return {"chat_id": chat_id, "version": 0, "messages": [], "blocked": False}
        msgs = chat.transcript if include_user else chat.bot_transcript
        return {
            **chat.summary(),
            "chat_id": chat_id,
            "version": chat.version,
            "messages": list(msgs),
            "blocked": chat.id in self.state.blocked,
        }

    async def wait_for(
        self,
        chat_id: int,
        predicate: MessagePredicate,
        *,
        timeout: float = 5.0,
        include_user: bool = False,
    ) -> list[StoredMessage]:
        """Wait until `predicate(messages)` holds; raises TimeoutError.

        The predicate sees the live list (do not mutate it); it is re-checked on every
        change of the chat, so it should be cheap.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        state = self.state
        while True:
            chat = state.chats.get(chat_id)
            if chat is not None:
                msgs = chat.transcript if include_user else chat.bot_transcript
                if predicate(msgs):
                    return list(msgs)
                signal = chat.changed
            else:
                signal = state.chat_created
            remaining = deadline - loop.time()
            if remaining <= 0 or self.closing:
                count = 0 if chat is None else len(chat.bot_transcript)
                raise TimeoutError(
                    f"chat {chat_id}: condition not met within {timeout}s ({count} bot messages)"
                )
            await signal.wait(remaining)

    async def wait_for_messages(
        self, chat_id: int, count: int, *, timeout: float = 5.0, include_user: bool = False
    ) -> list[StoredMessage]:
        """Wait until the chat has at least `count` bot messages (all, if include_user)."""
        return await self.wait_for(
            chat_id, lambda msgs: len(msgs) >= count, timeout=timeout, include_user=include_user
        )

    async def wait_change(
        self, chat_id: int, version: int, *, timeout: float = 5.0, include_user: bool = False
    ) -> dict[str, Any]:
        """Long-poll: return the transcript once the chat version exceeds `version`
        (or at timeout, with ``changed: False``)."""

        def newer(_: Sequence[StoredMessage]) -> bool:
            return self.state.chats[chat_id].version > version

        try:
            await self.wait_for(chat_id, newer, timeout=timeout, include_user=include_user)
            changed = True
        except TimeoutError:
            changed = False
        result = await self.transcript(chat_id, include_user=include_user)
        result["changed"] = changed
        return result

    async def chats(self) -> list[dict[str, Any]]:
        return [chat.summary() for chat in self.state.chats.values()]

    async def chat(self, chat_id: int) -> dict[str, Any]:
        return self._existing_chat(chat_id).summary()

    async def callback_answer(self, callback_query_id: str) -> CallbackQueryRecord:
        """What the bot answered to a button press (`answered` False if not yet)."""
        # A query string gives the id as a number: ids are strings, as in the Bot API.
        record = self.state.callbacks.get(str(callback_query_id))
        if record is None:
            raise ControlError(f"callback query {callback_query_id} not found")
        return record

    async def wait_callback_answer(
        self, callback_query_id: str, *, timeout: float = 5.0
    ) -> CallbackQueryRecord:
        record = await self.callback_answer(callback_query_id)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not record.answered:
            remaining = deadline - loop.time()
            if remaining <= 0 or self.closing:
                raise TimeoutError(f"callback query {callback_query_id} not answered in {timeout}s")
            await record.answered_signal.wait(remaining)
        return record

    async def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by the bot."""
        return [u.to_api() for u in self.state.updates.peek(len(self.state.updates))]

    # ------------------------------------------------------------ bot configuration
    async def commands(
        self, scope: dict[str, Any] | None = None, language_code: str | None = None
    ) -> list[dict[str, str]]:
        """Commands set via setMyCommands for one scope (default scope) and language."""
        return list(self.state.commands.get(scope_key(scope, language_code), []))

    async def all_commands(self) -> list[dict[str, Any]]:
        return [
            {"scope": json.loads(scope), "language_code": lang or None, "commands": cmds}
            for (scope, lang), cmds in self.state.commands.items()
        ]

    async def webhook(self) -> dict[str, Any] | None:
        """The webhook the bot set (incl. secret_token), or None."""
        hook = self.state.webhook
        if hook is None:
            return None
        return {**asdict(hook), "pending_update_count": len(self.state.updates)}

    # ------------------------------------------------------------ knobs & stats
    async def set_latency(self, seconds: float) -> None:
        """Delay before every Bot API answer (not the control API)."""
        self.latency = max(0.0, float(seconds))

    async def set_flood_limits(self, enabled: bool = True, **overrides: Any) -> dict[str, Any]:
        """Switch flood control; keyword overrides change `FloodLimits` fields."""
        try:
            limits = replace(self.limiter.limits, **overrides) if overrides else None
        except TypeError as exc:
            raise ControlError(f"unknown flood limit: {exc}") from None
        if limits is not None or enabled != self.flood_enabled:
            self.limiter.reset(limits)  # fresh buckets when switching
        self.flood_enabled = bool(enabled)
        return {"enabled": self.flood_enabled, **asdict(self.limiter.limits)}

    async def stats(self) -> dict[str, Any]:
        return {
            **self.state.stats.to_dict(),
            "pending_updates": len(self.state.updates),
            "chats": len(self.state.chats),
            "latency": self.latency,
            "flood_enabled": self.flood_enabled,
        }

    async def reset_stats(self) -> None:
        self.state.stats = type(self.state.stats)()

    async def reset(self, *, bot_config: bool = False) -> None:
        """Forget people, chats, files, pending updates and stats; restore latency and
        flood settings.  The bot's own configuration (webhook, commands, menu button)
        survives unless `bot_config` - a running bot would not re-send it."""
        for chat in self.state.chats.values():
            chat.changed.fire()
        self.state.reset_people()
        if bot_config:
            self.state.reset_bot_config()
            self.state.updates.changed.fire()
        self.latency = self._default_latency
        self.flood_enabled = self._default_flood_enabled
        self.limiter.reset(self._default_limits)


def dump_json(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=_JSON_SEPARATORS).encode("utf-8")
