"""`SandboxClient`: drive the emulator's simulated people over HTTP (`/control/...`).

Method names and arguments mirror `BotApiEmulator`'s in-process methods, so a test
helper can take either.  Messages come back as `MessageView`s: dicts that also allow
attribute access (`msg.text`, `msg["text"]`), like the emulator's `StoredMessage`.
"""

# Waits take an explicit `timeout`: it bounds a server-side long-poll as well, which
# a caller's asyncio.timeout() could not convey over HTTP.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable, Sequence
from typing import Any

import httpx


class SandboxError(Exception):
    """The control API refused a request (unknown chat, no such button...)."""


class MessageView(dict):
    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class SandboxClient:
    def __init__(
        self, base_url: str, *, timeout: float = 10.0, http: httpx.AsyncClient | None = None
    ):
        """`base_url`: the emulator root, its control URL or its Bot API base URL."""
        url = base_url.rstrip("/")
        for suffix in ("/control", "/bot"):
            if url.endswith(suffix):
                url = url[: -len(suffix)]
        self.root_url = url
        self.control_url = f"{url}/control"
        self._timeout = timeout
        # trust_env=False: never route loopback calls through an environment proxy
        self._http = http or httpx.AsyncClient(timeout=timeout, trust_env=False)
        self._own_http = http is None

    async def aclose(self) -> None:
        if self._own_http:
            await self._http.aclose()

    async def __aenter__(self) -> SandboxClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def _call(self, action: str, wait: float = 0.0, **kwargs: Any) -> Any:
        response = await self._http.post(
            f"{self.control_url}/{action}", json=kwargs, timeout=self._timeout + wait
        )
        try:
            data = response.json()
        except ValueError:
            raise SandboxError(f"{action}: HTTP {response.status_code}") from None
        if response.status_code == 408:
            raise TimeoutError(data.get("error") or "timeout")
        if not data.get("ok"):
            raise SandboxError(data.get("error") or f"{action}: HTTP {response.status_code}")
        return data["result"]

    @staticmethod
    def _views(items: list[dict[str, Any]]) -> list[MessageView]:
        return [MessageView(m) for m in items]

    # ------------------------------------------------------------ people
    async def add_user(
        self,
        user_id: int,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        open_chat: bool = False,
    ) -> dict[str, Any]:
        return await self._call(
            "add_user",
            user_id=user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            open_chat=open_chat,
        )

    async def send_message(self, user_id: int, text: str, **kwargs: Any) -> int | None:
        """kwargs: chat_id, chat_title, reply_to_message_id, first_name, last_name,
        username, language_code."""
        return await self._call("send_message", user_id=user_id, text=text, **kwargs)

    async def send_command(
        self, user_id: int, command: str, args: str = "", **kwargs: Any
    ) -> int | None:
        return await self._call(
            "send_command", user_id=user_id, command=command, args=args, **kwargs
        )

    async def press_button(
        self,
        chat_id: int,
        label: str | None = None,
        *,
        message_id: int | None = None,
        callback_data: str | None = None,
        user_id: int | None = None,
    ) -> str:
        return await self._call(
            "press_button",
            chat_id=chat_id,
            label=label,
            message_id=message_id,
            callback_data=callback_data,
            user_id=user_id,
        )

    async def share_contact(self, user_id: int, phone_number: str, **kwargs: Any) -> int | None:
        """kwargs: contact_first_name, contact_last_name, contact_user_id, chat_id, profile."""
        return await self._call(
            "share_contact", user_id=user_id, phone_number=phone_number, **kwargs
        )

    async def share_location(
        self, user_id: int, latitude: float, longitude: float, **kwargs: Any
    ) -> int | None:
        return await self._call(
            "share_location", user_id=user_id, latitude=latitude, longitude=longitude, **kwargs
        )

    async def send_photo(self, user_id: int, photo: bytes, **kwargs: Any) -> int | None:
        return await self._call(
            "send_photo", user_id=user_id, photo_base64=base64.b64encode(photo).decode(), **kwargs
        )

    async def send_document(self, user_id: int, data: bytes, **kwargs: Any) -> int | None:
        return await self._call(
            "send_document", user_id=user_id, data_base64=base64.b64encode(data).decode(), **kwargs
        )

    async def block(self, user_id: int) -> None:
        await self._call("block", user_id=user_id)

    async def unblock(self, user_id: int) -> None:
        await self._call("unblock", user_id=user_id)

    async def web_app_init_data(self, user_id: int, **kwargs: Any) -> str:
        """kwargs: auth_date, query_id. The Mini App initData, signed like Telegram's."""
        return await self._call("web_app_init_data", user_id=user_id, **kwargs)

    # ------------------------------------------------------------ reading
    async def transcript(self, chat_id: int, *, include_user: bool = False) -> dict[str, Any]:
        result = await self._call("messages", chat_id=chat_id, include_user=include_user)
        result["messages"] = self._views(result["messages"])
        return result

    async def messages(self, chat_id: int, *, include_user: bool = False) -> list[MessageView]:
        return (await self.transcript(chat_id, include_user=include_user))["messages"]

    async def wait_for_messages(
        self, chat_id: int, count: int, *, timeout: float = 5.0, include_user: bool = False
    ) -> list[MessageView]:
        result = await self._call(
            "wait_for_messages",
            wait=timeout,
            chat_id=chat_id,
            count=count,
            timeout=timeout,
            include_user=include_user,
        )
        return self._views(result)

    async def wait_change(
        self, chat_id: int, version: int, *, timeout: float = 5.0, include_user: bool = False
    ) -> dict[str, Any]:
        result = await self._call(
            "wait_change",
            wait=timeout,
            chat_id=chat_id,
            version=version,
            timeout=timeout,
            include_user=include_user,
        )
        result["messages"] = self._views(result["messages"])
        return result

    async def wait_for(
        self,
        chat_id: int,
        predicate: Callable[[Sequence[MessageView]], bool],
        *,
        timeout: float = 5.0,
        include_user: bool = False,
    ) -> list[MessageView]:
        """Client-side predicate, re-checked whenever the chat changes (server long-poll)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        state = await self.transcript(chat_id, include_user=include_user)
        while not predicate(state["messages"]):
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"chat {chat_id}: condition not met within {timeout}s")
            state = await self.wait_change(
                chat_id, state["version"], timeout=remaining, include_user=include_user
            )
        return state["messages"]

    async def chats(self) -> list[dict[str, Any]]:
        return await self._call("chats")

    async def chat(self, chat_id: int) -> dict[str, Any]:
        return await self._call("chat", chat_id=chat_id)

    async def callback_answer(self, callback_query_id: str) -> dict[str, Any]:
        return await self._call("callback_answer", callback_query_id=callback_query_id)

    async def wait_callback_answer(
        self, callback_query_id: str, *, timeout: float = 5.0
    ) -> dict[str, Any]:
        return await self._call(
            "wait_callback_answer",
            wait=timeout,
            callback_query_id=callback_query_id,
            timeout=timeout,
        )

    async def pending_updates(self) -> list[dict[str, Any]]:
        return await self._call("pending_updates")

    async def commands(
        self, scope: dict[str, Any] | None = None, language_code: str | None = None
    ) -> list[dict[str, str]]:
        return await self._call("commands", scope=scope, language_code=language_code)

    async def all_commands(self) -> list[dict[str, Any]]:
        return await self._call("all_commands")

    async def webhook(self) -> dict[str, Any] | None:
        return await self._call("webhook")

    # ------------------------------------------------------------ knobs
    async def set_latency(self, seconds: float) -> None:
        await self._call("set_latency", seconds=seconds)

    async def set_flood_limits(self, enabled: bool = True, **overrides: Any) -> dict[str, Any]:
        return await self._call("set_flood_limits", enabled=enabled, **overrides)

    async def stats(self) -> dict[str, Any]:
        return await self._call("stats")

    async def reset_stats(self) -> None:
        await self._call("reset_stats")

    async def reset(self, *, bot_config: bool = False) -> None:
        await self._call("reset", bot_config=bot_config)
