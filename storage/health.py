"""What operations watch (``/metrics``, ``/healthz``): does the database answer, and what
waits in it."""

from __future__ import annotations

from storage.db import Database


async def answers(db: Database) -> bool:
    """Whether the database answers a query now (closed, gone or locked up: False)."""
    try:
        row = await db.fetchone("SELECT 1 AS ok")
    except Exception:  # noqa: BLE001 - any failure means: not answering
        return False
    return row is not None and row["ok"] == 1


async def outbox_backlog(db: Database) -> int:
    """Outbox messages not yet sent: queued (due now or later) or on their way."""
    row = await db.fetchone("SELECT COUNT(*) AS n FROM outbox WHERE state IN ('queued', 'sending')")
    return row["n"] if row else 0


async def quarantined(db: Database) -> int:
    """Updates set aside and not yet retried or dropped."""
    row = await db.fetchone("SELECT COUNT(*) AS n FROM dead_letters")
    return row["n"] if row else 0
