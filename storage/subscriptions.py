"""Which commodities' prices a person receives each morning. A farmer is subscribed to what
they offer (storage.offers); anyone can stop any time."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from storage.catalog import Source, fetchall
from storage.db import now_utc
from storage.people import audit


async def subscribe(conn: aiosqlite.Connection, person_id: int, commodity: str) -> bool:
    """True when it is new."""
    cur = await conn.execute(
        "INSERT INTO price_subscriptions (person_id, commodity, created_at) VALUES (?, ?, ?)"
        " ON CONFLICT (person_id, commodity) DO NOTHING",
        (person_id, commodity, now_utc()),
    )
    return cur.rowcount == 1


async def set_subscribed(
    conn: aiosqlite.Connection, person_id: int, commodity: str, on: bool
) -> bool:
    """Subscribe or stop; True when it changed something."""
    if on:
        changed = await subscribe(conn, person_id, commodity)
    else:
        cur = await conn.execute(
            "DELETE FROM price_subscriptions WHERE person_id = ? AND commodity = ?",
            (person_id, commodity),
        )
        changed = cur.rowcount == 1
    if changed:
        await audit(
            conn,
            person_id,
            "prices.subscribe" if on else "prices.unsubscribe",
            f"person:{person_id}",
            commodity=commodity,
        )
    return changed


async def stop_all(conn: aiosqlite.Connection, person_id: int) -> int:
    cur = await conn.execute("DELETE FROM price_subscriptions WHERE person_id = ?", (person_id,))
    if cur.rowcount:
        await audit(conn, person_id, "prices.unsubscribe_all", f"person:{person_id}")
    return cur.rowcount


async def of_person(source: Source, person_id: int) -> list[str]:
    rows = await fetchall(
        source,
        "SELECT commodity FROM price_subscriptions WHERE person_id = ? ORDER BY commodity",
        (person_id,),
    )
    return [r["commodity"] for r in rows]


@dataclass(frozen=True)
class Subscriber:
    person_id: int
    chat_id: int
    language: str
    timezone: str
    village_code: str
    commodities: tuple[str, ...]


async def subscribers(source: Source, timezone: str | None = None) -> list[Subscriber]:
    """Reachable people with a village and at least one subscription (of one zone, or all),
    each with their commodities: the daily digest's list, one message per person."""
    zone = " AND p.timezone = ?" if timezone is not None else ""
    rows = await fetchall(
        source,
        "SELECT p.id, p.chat_id, p.language, p.timezone, p.village_code, s.commodity FROM people p"
        " JOIN price_subscriptions s ON s.person_id = p.id WHERE p.chat_id IS NOT NULL AND p.reachable = 1"
        f" AND p.village_code IS NOT NULL{zone} ORDER BY p.id, s.commodity",
        (timezone,) if timezone is not None else (),
    )
    found: dict[int, Subscriber] = {}
    for r in rows:
        known = found.get(r["id"])
        commodities = (*known.commodities, r["commodity"]) if known else (r["commodity"],)
        found[r["id"]] = Subscriber(
            r["id"], r["chat_id"], r["language"], r["timezone"], r["village_code"], commodities
        )
    return list(found.values())
