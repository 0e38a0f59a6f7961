"""The real bot process in webhook mode, with a secret: Telegram's deliveries are served,
updates posted by anyone else are refused and leave no trace."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from emulator import BotApiEmulator
from storage.db import Database
from tests.e2e.botproc import Webhook, free_port
from tests.e2e.flow import (
    STEPS,
    WELCOME,
    WELCOME_BACK,
    Farmer,
    Step,
    check_registered,
    check_reply_details,
    db_snapshot,
)

pytestmark = pytest.mark.asyncio

SECRET = "e2e_Webhook-Secret_0123456789"
INTRUDER_ID = 666_013
FORGED_UPDATE_ID = 900_001
CONTROL_UPDATE_ID = 900_002


def _start_update(update_id: int, user_id: int) -> dict:
    """A well-formed Bot API update: a private "/start" from ``user_id``."""
    user = {"id": user_id, "is_bot": False, "first_name": "Mallory", "language_code": "id"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 9_000 + update_id % 1_000,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "Mallory"},
            "from": user,
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


async def _post(url: str, update: dict, secret: str | None) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    async with httpx.AsyncClient(timeout=10.0, trust_env=False) as client:
        return await client.post(url, content=json.dumps(update).encode(), headers=headers)


async def _inbox_has(path, update_id: int) -> bool:
    async with Database(str(path)) as db:
        row = await db.fetchone("SELECT 1 FROM inbox WHERE update_id = ?", (update_id,))
    return row is not None


async def _stored_payloads(path, update_ids: list[int]) -> dict[int, dict]:
    """The updates as the bot stored them in its inbox (what Telegram had sent)."""
    async with Database(str(path)) as db:
        rows = await db.fetchall(
            f"SELECT update_id, payload FROM inbox WHERE update_id IN"
            f" ({', '.join('?' * len(update_ids))})",
            tuple(update_ids),
        )
    payloads = {row["update_id"]: json.loads(row["payload"]) for row in rows}
    assert set(payloads) == set(update_ids)
    return payloads


async def test_farmer_registers_over_webhook_and_forged_posts_are_refused(
    emu: BotApiEmulator, bots
):
    hook = Webhook(port=free_port(), secret=SECRET)
    bot = await bots.start(webhook=hook)
    info = await emu.webhook()
    assert info is not None
    assert info["url"] == hook.url
    assert info["secret_token"] == SECRET
    assert set(info["allowed_updates"] or ()) == {"message", "callback_query", "my_chat_member"}

    farmer = Farmer(emu)
    update_ids = []
    for index, step in enumerate(STEPS):
        update_ids.append(await farmer.act(step))
        check_reply_details(index, await farmer.expect_reply(step.reply))
    stats = await emu.stats()
    assert stats["requests"].get("getUpdates", 0) == 0  # everything came by webhook
    assert stats["webhook_deliveries"] >= len(STEPS)

    # Telegram delivers again what the bot has already applied (as after a lost 200):
    # each is acknowledged and dropped, nothing is done twice.
    payloads = await _stored_payloads(bots.db_path, update_ids)
    for update_id in update_ids:
        response = await _post(hook.url, payloads[update_id], SECRET)
        assert response.status_code == 200, (update_id, response.text)

    # Someone else has talked to the bot before (so a reply to them would land), then
    # posts a /start of their own straight to the bot's port.
    intruder = Farmer(emu, INTRUDER_ID, "Mallory")
    await intruder.act(Step("send", "/help", ""))
    await intruder.next_reply()
    sends_before = (await emu.stats())["sends"]

    forged = _start_update(FORGED_UPDATE_ID, INTRUDER_ID)
    for secret in (None, "wrong-secret", SECRET.lower()):
        response = await _post(hook.url, forged, secret)
        assert response.status_code == 403, (secret, response.status_code, response.text)
    assert not await _inbox_has(bots.db_path, FORGED_UPDATE_ID)

    # Control: the same kind of update with the right secret is taken. Same chat, so had
    # a forged one been queued, it would have been answered before this one.
    response = await _post(hook.url, _start_update(CONTROL_UPDATE_ID, INTRUDER_ID), SECRET)
    assert response.status_code == 200, response.text
    await intruder.expect_reply(WELCOME)

    # Budi is still known; his /start by the regular path is answered as before.
    update_ids.append(await farmer.act(Step("send", "/start", WELCOME_BACK)))
    await farmer.expect_reply(WELCOME_BACK)
    await bot.stop()

    assert await intruder.count_replies(WELCOME) == 1, await intruder.texts()
    assert len(await intruder.texts()) == 2
    assert (await emu.stats())["sends"] == sends_before + 2  # the control's reply + Budi's
    snap = await db_snapshot(bots.db_path)
    assert FORGED_UPDATE_ID not in {uid for uid, _ in snap.inbox}
    assert CONTROL_UPDATE_ID in {uid for uid, _ in snap.inbox}
    intruder_snap = await db_snapshot(bots.db_path, INTRUDER_ID)
    assert intruder_snap.person is None
    check_registered(snap, update_ids)
    assert len(await farmer.texts()) == len(STEPS) + 1
    info = await emu.webhook()
    assert info["pending_update_count"] == 0


async def test_webhook_url_with_a_path_is_served_at_that_path_only(emu: BotApiEmulator, bots):
    """``--webhook-url https://host/hook``: behind a reverse proxy that forwards the path as
    is, the bot's server must answer POST /hook (and nothing at /)."""
    hook = Webhook(port=free_port(), secret=SECRET, path="/koperasi/hook")
    bot = await bots.start(webhook=hook)
    assert (await emu.webhook())["url"] == hook.url  # Telegram is given the whole URL

    # Telegram's delivery (the emulator posts to the URL's path) is served.
    farmer = Farmer(emu)
    await farmer.act(Step("send", "/start", WELCOME))
    await farmer.expect_reply(WELCOME)

    intruder = Farmer(emu, INTRUDER_ID, "Mallory")
    await intruder.act(Step("send", "/help", ""))
    await intruder.next_reply()
    root = f"http://127.0.0.1:{hook.port}/"
    response = await _post(root, _start_update(FORGED_UPDATE_ID, INTRUDER_ID), SECRET)
    assert response.status_code == 404, response.text  # right secret, wrong path
    response = await _post(hook.url, _start_update(FORGED_UPDATE_ID, INTRUDER_ID), "wrong-secret")
    assert response.status_code == 403, response.text  # the secret is still checked there
    assert not await _inbox_has(bots.db_path, FORGED_UPDATE_ID)

    response = await _post(hook.url, _start_update(CONTROL_UPDATE_ID, INTRUDER_ID), SECRET)
    assert response.status_code == 200, response.text
    await intruder.expect_reply(WELCOME)  # posted to the path, handled
    await bot.stop()
    assert await _inbox_has(bots.db_path, CONTROL_UPDATE_ID)
    assert await intruder.count_replies(WELCOME) == 1
