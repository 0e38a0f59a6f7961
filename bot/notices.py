"""Telling people other than the one being answered: through the outbox, once per key.

The runtime's sender (bot.runtime.broadcast) drains it; this is all a handler needs of it."""

from __future__ import annotations

from typing import Protocol

from storage import outbox
from storage.db import Database


class Sender(Protocol):
    def wake(self) -> None: ...


async def notify(
    db: Database,
    sender: Sender | None,
    *,
    key: str,
    kind: str,
    messages: list[outbox.OutgoingMessage],
) -> outbox.Enqueued:
    """Alerts and notices to people other than the one being answered (a dispute for the
    administrators, a decision for its maker, the morning pickup digest) go this one way:
    queued in the outbox under ``key`` (once: a replay or a job run again adds nothing),
    ahead of broadcasts, then sent with the outbox's handling (403: the person is marked
    unreachable, the others still get theirs; 429 and 5xx retried; resumed after a stop or a
    crash, never twice). Inside an update this is one of its writes (replay-safe)."""
    enqueued = await db.write(
        outbox.enqueue, key=key, kind=kind, messages=messages, priority=outbox.NOTICE
    )
    if sender is not None:
        sender.wake()
    return enqueued
