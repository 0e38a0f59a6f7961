"""Pushes pending updates to the bot's webhook, one at a time and in order.

Telegram keeps an update until the webhook answers 2xx and retries failures with a
growing pause; `last_error_date`/`last_error_message` of getWebhookInfo report the most
recent failure.  (Telegram may use up to `max_connections` parallel requests; strict
ordering is more useful for tests, so delivery here is sequential.)
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import TYPE_CHECKING

import httpx

from .state import PendingUpdate, WebhookConfig

if TYPE_CHECKING:
    from .emulator import BotApiEmulator

log = logging.getLogger(__name__)


class WebhookDeliverer:
    def __init__(
        self, emu: BotApiEmulator, *, retry_initial: float, retry_max: float, timeout: float
    ):
        self.emu = emu
        self.retry_initial = retry_initial
        self.retry_max = retry_max
        self.timeout = timeout

    async def run(self) -> None:
        # trust_env=False: a proxy from the environment must never see loopback traffic.
        async with httpx.AsyncClient(timeout=self.timeout, trust_env=False) as client:
            delay = self.retry_initial
            while not self.emu.closing:
                state = self.emu.state
                hook, update = state.webhook, state.updates.first()
                if hook is None or update is None:
                    await state.updates.changed.wait(None)
                    continue
                error = await self._post(client, hook, update)
                if error is None:
                    state.updates.pop_if_first(update.update_id)
                    state.stats.webhook_deliveries += 1
                    chat = state.chats.get(update.chat_id) if update.chat_id is not None else None
                    if chat is not None:
                        chat.last_update_id = update.update_id
                    delay = self.retry_initial
                    continue
                hook.last_error_date = int(time.time())
                hook.last_error_message = error
                state.stats.webhook_failures += 1
                log.debug("webhook delivery of update %s failed: %s", update.update_id, error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.retry_max)

    @staticmethod
    async def _post(
        client: httpx.AsyncClient, hook: WebhookConfig, update: PendingUpdate
    ) -> str | None:
        """POST one update; None on success, else Telegram-style error text."""
        headers = {"Content-Type": "application/json"}
        if hook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
        body = json.dumps(update.to_api(), ensure_ascii=False).encode("utf-8")
        try:
            response = await client.post(hook.url, content=body, headers=headers)
        except httpx.ConnectError:
            return "Connection refused"
        except httpx.TimeoutException:
            return "Read timeout expired"
        except httpx.HTTPError as exc:
            return f"Failed to deliver: {exc.__class__.__name__}"
        if 200 <= response.status_code < 300:
            return None
        return f"Wrong response from the webhook: {response.status_code} {response.reason_phrase}"
