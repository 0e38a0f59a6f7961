"""Quarantine: an update the bot cannot process is set aside, not retried forever.

Two kinds end here (``storage.dead_letters``):

* **unparseable**: Telegram sent something this PTB refuses (a newer Bot API field it
  requires, say). Each update is parsed on its own where the pipeline receives it (the
  poller's transport, the webhook handler, the start-up queue), so one bad update never
  takes its batch, the poller or the start-up down with it;
* **never finished**: processes started it ``inbox.MAX_ATTEMPTS`` times after a restart and
  none finished it (a crash, a hang the supervisor killed).

Each is logged once, at WARNING, with its update_id and the error class; its payload never
reaches the log. ``koperasi-bot inbox list-failed | retry | drop`` lets the operator look.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from telegram import Bot, Update

from bot.logsafe import scrub
from storage import dead_letters, inbox
from storage.db import Database

log = logging.getLogger(__name__)

ERROR_CHARS = 200
EXCERPT_CHARS = 60
# Any run of 7+ digits (with separators) in an excerpt: a phone number of any country.
_LONG_NUMBER = re.compile(r"\+?\d(?:[ .-]?\d){6,}")
_CONTENT_KEYS = (
    "text", "caption", "data", "poll", "contact", "location", "photo", "document", "sticker",
    "voice", "video", "audio", "venue", "dice", "new_chat_members", "left_chat_member",
)  # fmt: skip


def parse(raw: Any, bot: Bot | None) -> Update | BaseException:
    """The update, or the exception PTB raises for it."""
    try:
        if not isinstance(raw, dict):
            raise TypeError(f"an update is a JSON object, not {type(raw).__name__}")
        update = Update.de_json(raw, bot)
        if update is None:
            raise TypeError("empty update")
        return update
    except Exception as exc:  # noqa: BLE001 - whatever PTB raises, the update is set aside
        return exc


def describe(exc: BaseException) -> str:
    """One short line: the exception class and the start of its message, without the token
    or phone numbers."""
    message = " ".join(scrub(str(exc)).split())
    if len(message) > ERROR_CHARS:
        message = message[: ERROR_CHARS - 1] + "…"
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def excerpt(payload: str) -> str:
    """What the update was, in a few words and without phone numbers:
    ``message poll in chat 1001: "Harga gabah minggu ini?"``."""
    try:
        raw = json.loads(payload)
    except ValueError:
        return "(not JSON)"
    if not isinstance(raw, dict):
        return "(not an object)"
    kind = next((key for key in raw if key != "update_id"), "(empty)")
    try:
        return _words(kind, raw.get(kind))
    except (AttributeError, TypeError):  # a shape nobody expected: its kind says enough
        return kind


def _words(kind: str, body: Any) -> str:
    if not isinstance(body, dict):
        return kind
    content = next((key for key in _CONTENT_KEYS if key in body), None)
    chat = (body.get("chat") or body.get("message", {}).get("chat") or body.get("from") or {}).get(
        "id"
    )
    words = kind + (f" {content}" if content and content not in ("text", "data") else "")
    if chat is not None:
        words += f" in chat {chat}"
    value = body.get(content) if content else None
    if isinstance(value, dict):
        value = value.get("question")  # a poll's; a contact's or location's fields are not shown
    if isinstance(value, str) and value:
        value = _LONG_NUMBER.sub("<number>", scrub(" ".join(value.split())))
        if len(value) > EXCERPT_CHARS:
            value = value[: EXCERPT_CHARS - 1] + "…"
        words += f": {json.dumps(value, ensure_ascii=False)}"
    return words


async def set_aside(db: Database, letters: list[tuple[int, str, str]], why: str) -> None:
    """Quarantine ``(update_id, payload, error)`` each and log each once."""
    if not letters:
        return
    await dead_letters.quarantine(db, letters)
    for update_id, _, error in letters:
        log.warning(
            "update %d quarantined (%s, %s): skipped; see `koperasi-bot inbox list-failed`",
            update_id, error.partition(":")[0], why,
        )  # fmt: skip


async def runnable(
    db: Database, stored: list[tuple[int, str, int]], bot: Bot
) -> list[tuple[int, int, Update]]:
    """Stored updates ``(id, payload, attempts)`` to run again, as ``(id, attempts, update)``;
    one that cannot be parsed, or that no process finished ``inbox.MAX_ATTEMPTS`` times, is
    set aside instead (at start-up, or taken over from another process)."""
    ready: list[tuple[int, int, Update]] = []
    unparseable, unfinished = [], []
    for update_id, payload, attempts in stored:
        if attempts >= inbox.MAX_ATTEMPTS:
            error = f"Unfinished: started by {attempts} processes, none finished it (crash, kill or hang)"
            unfinished.append((update_id, payload, error))
            continue
        try:
            parsed = parse(json.loads(payload), bot)
        except ValueError as exc:
            parsed = exc
        if isinstance(parsed, BaseException):
            unparseable.append((update_id, payload, describe(parsed)))
        else:
            ready.append((update_id, attempts, parsed))
    await set_aside(db, unparseable, "cannot be parsed")
    await set_aside(db, unfinished, f"not finished in {inbox.MAX_ATTEMPTS} attempts")
    return ready
