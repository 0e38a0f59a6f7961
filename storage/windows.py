"""Buying windows (domain.windows): opened by an administrator (or a sale contract), filled by
the offers farmers confirm (:func:`count_offer`, inside the offer's own transaction), closed
at the target, at the deadline (:func:`close_due`, a job) or by hand; the close told to its
farmers once (:func:`unannounced`, :func:`announce`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import aiosqlite

from domain import N_, regions
from domain import windows as rules
from domain.money import check_price
from domain.people import InvalidInput
from domain.produce import CATALOG
from domain.windows import State
from storage import outbox
from storage.catalog import Source, fetchall
from storage.dashboard import Column, Scope, _local_day, _marks, _number, panel
from storage.db import Database, now_utc
from storage.people import audit

ANNOUNCE_KEY = "window-closed:"
WINDOW_CLOSED = "window_closed"  # the outbox's kind of a window's close notices


@dataclass(frozen=True)
class BuyingWindow:
    id: int
    org_id: int
    commodity: str
    grade: str
    area_prefix: str
    target: str  # base units, exact decimal
    target_unit: str
    price_rupiah: int
    deadline: int
    state: State
    opened_by: int | None
    sale_id: int | None
    created_at: int
    closed_at: int | None
    closed_by: int | None
    announced_at: int | None

    @property
    def number(self) -> str:
        return rules.window_number(self.id)

    def facts(self) -> rules.Window:
        return rules.Window(
            self.org_id, self.commodity, self.grade, self.area_prefix, Decimal(self.target),
            self.deadline, self.state, self.created_at, self.price_rupiah,
        )  # fmt: skip


@dataclass(frozen=True)
class Progress:
    window: BuyingWindow
    collected: Decimal  # base units


@dataclass(frozen=True)
class Seller:
    """A farmer whose offer counts toward a window, with what it brings."""

    person_id: int
    chat_id: int | None
    language: str
    timezone: str
    quantity: Decimal


_COLUMNS = ", ".join(BuyingWindow.__dataclass_fields__)


def _window(row) -> BuyingWindow:
    values = {k: row[k] for k in BuyingWindow.__dataclass_fields__}
    return BuyingWindow(**{**values, "state": State(values["state"])})


async def get(source: Source, window_id: int) -> BuyingWindow | None:
    rows = await fetchall(
        source, f"SELECT {_COLUMNS} FROM buying_windows WHERE id = ?", (window_id,)
    )
    return _window(rows[0]) if rows else None


# --- opening ------------------------------------------------------------------------------


async def _covers(conn: aiosqlite.Connection, org_id: int, area: str) -> bool:
    """Whether the cooperative buys in ``area``: it overlaps its coverage (none: anywhere)."""
    rows = await fetchall(conn, "SELECT prefix FROM org_coverage WHERE org_id = ?", (org_id,))
    prefixes = [r["prefix"] for r in rows]
    return not prefixes or any(regions.within(area, p) or regions.within(p, area) for p in prefixes)


async def open_window(
    conn: aiosqlite.Connection, *, org_id: int, commodity: str, grade: str, area_prefix: str,
    target: Decimal, target_unit: str, price_rupiah: int, deadline: int,
    opened_by: int | None, sale_id: int | None = None,
) -> BuyingWindow:  # fmt: skip
    """A use case: a new open window. InvalidInput (domain.windows.REASONS, or a price
    reason of domain.quantity.PRICE_REASONS) when a part of it cannot be."""
    known = CATALOG.get(commodity)
    if known is None:
        raise InvalidInput("price.commodity")
    rules.check_grade(known, grade)
    if area_prefix and (not regions.is_code(area_prefix) or regions.region(area_prefix) is None):
        raise InvalidInput("window.area")
    if not await _covers(conn, org_id, area_prefix):
        raise InvalidInput("window.area")
    if price_rupiah <= 0:
        raise InvalidInput("price.amount")
    check_price(price_rupiah, known.base_unit)
    if target <= 0:
        raise InvalidInput("window.target")
    now = now_utc()
    if deadline <= now:
        raise InvalidInput("window.deadline_past")
    cur = await conn.execute(
        "INSERT INTO buying_windows (org_id, commodity, grade, area_prefix, target, target_unit,"
        " price_rupiah, deadline, state, opened_by, sale_id, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?) RETURNING id",
        (org_id, commodity, grade, area_prefix, str(target), target_unit, price_rupiah,
         deadline, opened_by, sale_id, now),
    )  # fmt: skip
    window_id = (await cur.fetchone())[0]
    await audit(
        conn, opened_by, "window.open", f"window:{window_id}", commodity=commodity, grade=grade,
        area=area_prefix, target=str(target), price=price_rupiah, deadline=deadline,
    )  # fmt: skip
    return await get(conn, window_id)


# --- what fills it ------------------------------------------------------------------------


async def collected(source: Source, window_id: int) -> Decimal:
    """What the window's offers bring now (domain.windows.brings)."""
    rows = await fetchall(
        source,
        "SELECT w.quantity, o.status, k.quantity AS weighed FROM window_offers w"
        " JOIN offers o ON o.id = w.offer_id LEFT JOIN pickups k ON k.offer_id = o.id"
        " WHERE w.window_id = ?",
        (window_id,),
    )
    return sum(
        (rules.brings(r["status"], Decimal(r["quantity"]), Decimal(r["weighed"]) if r["weighed"] else None)
         for r in rows),
        Decimal(0),
    )  # fmt: skip


async def _close(
    conn: aiosqlite.Connection, window: BuyingWindow, to: State, by: int | None
) -> BuyingWindow | None:
    """A conditional close: only from open (a second closer, a replay, finds it done)."""
    cur = await conn.execute(
        "UPDATE buying_windows SET state = ?, closed_at = ?, closed_by = ? WHERE id = ?"
        " AND state = 'open'",
        (to.value, now_utc(), by, window.id),
    )
    if cur.rowcount == 0:
        return None
    await audit(conn, by, f"window.{to.value}", f"window:{window.id}")
    return await get(conn, window.id)


async def matching(
    source: Source, org_id: int, commodity: str, grade: str, village_code: str, at: int
) -> BuyingWindow | None:
    """The window an offer confirmed at ``at`` counts toward: the oldest open one it matches."""
    rows = await fetchall(
        source,
        f"SELECT {_COLUMNS} FROM buying_windows WHERE state = 'open' AND org_id = ?"
        " AND commodity = ? ORDER BY created_at, id",
        (org_id, commodity),
    )
    return next(
        (w for w in map(_window, rows)
         if rules.counts(w.facts(), org_id=org_id, commodity=commodity, grade=grade,
                         village_code=village_code, at=at)),
        None,
    )  # fmt: skip


async def count_offer(
    conn: aiosqlite.Connection, offer_id: int, window: BuyingWindow, quantity: Decimal, at: int
) -> BuyingWindow:
    """Inside the offer's transaction: the offer counts toward ``window`` (:func:`matching`),
    which closes as filled when it reaches its target. The window as it is now."""
    await conn.execute(
        "INSERT INTO window_offers (window_id, offer_id, quantity) VALUES (?, ?, ?)"
        " ON CONFLICT (offer_id) DO NOTHING",
        (window.id, offer_id, str(quantity)),
    )
    if rules.closing_state(window.facts(), await collected(conn, window.id), at) == State.FILLED:
        return await _close(conn, window, State.FILLED, None) or window
    return window


async def price_of_offer(
    source: Source, org_id: int, commodity: str, grade: str, village_code: str,
    buying_price: int, at: int,
) -> tuple[int, BuyingWindow | None]:  # fmt: skip
    """The price an offer confirmed now locks (domain.windows.offer_price) and the window
    it counts toward, if any."""
    window = await matching(source, org_id, commodity, grade, village_code, at)
    facts = window.facts() if window else None
    return rules.offer_price(buying_price, facts, grade), window


async def window_of_offer(source: Source, offer_id: int) -> int | None:
    rows = await fetchall(
        source, "SELECT window_id FROM window_offers WHERE offer_id = ?", (offer_id,)
    )
    return rows[0]["window_id"] if rows else None


async def windows_of_offers(source: Source, offer_ids: list[int]) -> dict[int, int]:
    """The window each of ``offer_ids`` counts toward (offer id → window id; an offer that
    counts toward none is absent), in one query for a whole list."""
    if not offer_ids:
        return {}
    ids = tuple(dict.fromkeys(offer_ids))
    rows = await fetchall(
        source,
        f"SELECT offer_id, window_id FROM window_offers WHERE offer_id IN ({_marks(ids)})",
        ids,
    )
    return {r["offer_id"]: r["window_id"] for r in rows}


# --- what people see ------------------------------------------------------------------------


async def open_here(
    source: Source, org_id: int, village_code: str, commodity: str | None = None,
    grade: str | None = None, at: int | None = None,
) -> list[Progress]:  # fmt: skip
    """The open windows an offer from ``village_code`` (of ``commodity``, ``grade``: any when
    None) would count toward now, oldest first, with what they collected."""
    at = now_utc() if at is None else at
    rows = await fetchall(
        source,
        f"SELECT {_COLUMNS} FROM buying_windows WHERE state = 'open' AND org_id = ?"
        " AND deadline > ? ORDER BY created_at, id",
        (org_id, at),
    )
    result = []
    for w in map(_window, rows):
        if commodity is not None and w.commodity != commodity:
            continue
        if grade is not None and w.grade not in (rules.ANY_GRADE, grade):
            continue
        if not regions.within(village_code, w.area_prefix):
            continue
        result.append(Progress(w, await collected(source, w.id)))
    return result


async def of_org(source: Source, org_id: int | None, include_closed: bool = True) -> list[Progress]:
    """A cooperative's windows (every one when ``org_id`` is None), newest first."""
    where, params = ("WHERE org_id = ?", [org_id]) if org_id is not None else ("WHERE 1 = 1", [])
    if not include_closed:
        where += " AND state = 'open'"
    rows = await fetchall(
        source, f"SELECT {_COLUMNS} FROM buying_windows {where} ORDER BY id DESC LIMIT 200", tuple(params)
    )  # fmt: skip
    return [Progress(w, await collected(source, w.id)) for w in map(_window, rows)]


# --- closing -------------------------------------------------------------------------------


async def close_due(conn: aiosqlite.Connection) -> list[BuyingWindow]:
    """A use case (a job): every open window whose deadline passed closes, closed short or
    filled; one whose offers reached the target otherwise than by a new offer (a weighing
    found more) closes filled before its deadline."""
    now = now_utc()
    rows = await fetchall(
        conn, f"SELECT {_COLUMNS} FROM buying_windows WHERE state = 'open' ORDER BY id"
    )
    closed = []
    for w in map(_window, rows):
        to = rules.closing_state(w.facts(), await collected(conn, w.id), now)
        if to is not None and (done := await _close(conn, w, to, None)) is not None:
            closed.append(done)
    return closed


async def close(
    conn: aiosqlite.Connection, window_id: int, by: int | None, org_ids: tuple[int, ...] | None,
    cancel: bool = False,
) -> BuyingWindow:  # fmt: skip
    """A use case: the cooperative closes its window now (filled when its target is reached,
    else closed short), or cancels it. ``org_ids``: the cooperatives the closer may act for
    (None: any, the command line). InvalidInput("window.closed") when it is not open."""
    window = await get(conn, window_id)
    if window is None or (org_ids is not None and window.org_id not in org_ids):
        raise LookupError(window_id)
    if window.state != State.OPEN:
        raise InvalidInput("window.closed")
    if cancel:
        to = State.CANCELLED
    else:
        full = await collected(conn, window_id) >= Decimal(window.target)
        to = State.FILLED if full else State.CLOSED_SHORT
    done = await _close(conn, window, to, by)
    if done is None:
        raise InvalidInput("window.closed")
    return done


# --- telling its farmers, once ----------------------------------------------------------------


def announce_key(window_id: int) -> str:
    return f"{ANNOUNCE_KEY}{window_id}"


async def unannounced(source: Source) -> list[BuyingWindow]:
    """Closed windows whose close was not queued to their farmers yet."""
    rows = await fetchall(
        source,
        f"SELECT {_COLUMNS} FROM buying_windows WHERE state <> 'open' AND announced_at IS NULL"
        " ORDER BY id",
    )
    return [_window(r) for r in rows]


async def sellers(source: Source, window_id: int) -> list[Seller]:
    """The farmers of the offers that still bring something to the window (one line per
    farmer, their offers summed)."""
    rows = await fetchall(
        source,
        "SELECT p.id, p.chat_id, p.reachable, p.language, p.timezone, w.quantity, o.status,"
        " k.quantity AS weighed FROM window_offers w JOIN offers o ON o.id = w.offer_id"
        " JOIN people p ON p.id = o.farmer_id LEFT JOIN pickups k ON k.offer_id = o.id"
        " WHERE w.window_id = ? ORDER BY p.id, o.id",
        (window_id,),
    )
    found: dict[int, Seller] = {}
    for r in rows:
        weighed = Decimal(r["weighed"]) if r["weighed"] else None
        brought = rules.brings(r["status"], Decimal(r["quantity"]), weighed)
        if not brought:
            continue
        chat = r["chat_id"] if r["reachable"] == 1 else None
        before = found.get(r["id"])
        total = brought + (before.quantity if before else 0)
        found[r["id"]] = Seller(r["id"], chat, r["language"], r["timezone"], total)
    return list(found.values())


async def announce(
    conn: aiosqlite.Connection, window_id: int, messages: list[outbox.OutgoingMessage]
) -> outbox.Enqueued | None:
    """A use case: the close notices of a window queued in the outbox under its key, and the
    window marked told, in one transaction (a second run, another process, adds nothing).
    None when it was told before."""
    cur = await conn.execute(
        "UPDATE buying_windows SET announced_at = ? WHERE id = ? AND announced_at IS NULL"
        " AND state <> 'open'",
        (now_utc(), window_id),
    )
    if cur.rowcount == 0:
        return None
    if not messages:  # nobody to tell (no farmer sold into it, its closer knows)
        return outbox.Enqueued(0, False, 0)
    return await outbox.enqueue(
        conn, key=announce_key(window_id), kind=WINDOW_CLOSED, messages=messages,
        priority=outbox.NOTICE,
    )  # fmt: skip


async def openers(source: Source, window: BuyingWindow) -> list[Seller]:
    """Who hears of a window's close besides its farmers: the person who opened it; the
    cooperative's administrators when the command line (or a contract) did. Never the one
    who closed it by hand (their answer said so)."""
    if window.opened_by is not None:
        who, params = "p.id = ?", (window.opened_by,)
    else:
        who, params = (
            "p.org_id = ? AND EXISTS (SELECT 1 FROM person_roles r WHERE r.person_id = p.id"
            " AND r.role = 'admin')",
            (window.org_id,),
        )
    rows = await fetchall(
        source,
        "SELECT p.id, p.chat_id, p.language, p.timezone FROM people p"
        f" WHERE {who} AND p.chat_id IS NOT NULL AND p.reachable = 1 ORDER BY p.id",
        params,
    )
    rows = [r for r in rows if r["id"] != window.closed_by]
    return [Seller(r["id"], r["chat_id"], r["language"], r["timezone"], Decimal(0)) for r in rows]


# --- the dashboard --------------------------------------------------------------------------


@panel(
    "windows", N_("Buying windows"),
    (Column("number", N_("Window")), Column("commodity", N_("Produce")),
     Column("area", N_("Area")),
     Column("state", N_("State"), labels=tuple(rules.STATE_LABELS.items())),
     Column("target", N_("Target (base unit)"), "number"),
     Column("collected", N_("Collected (base unit)"), "number"),
     Column("price", N_("Price"), "money"), Column("deadline", N_("Deadline"), "date")),
)  # fmt: skip
async def windows_panel(db: Database, scope: Scope) -> list[dict]:
    """The viewer's cooperatives' windows, open ones first, with what they collected."""
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM buying_windows WHERE org_id IN ({_marks(scope.org_ids)})"
        " ORDER BY CASE WHEN state = 'open' THEN 0 ELSE 1 END, deadline, id LIMIT 200",
        scope.org_ids,
    )
    result = []
    for w in map(_window, rows):
        known = CATALOG.get(w.commodity)
        name = (
            (known.name_en if scope.language == "en" else known.name_id) if known else w.commodity
        )
        result.append({
            "number": w.number, "commodity": f"{name} {w.grade}".strip(),
            "area": w.area_prefix or "*", "state": w.state.value,
            "target": _number(Decimal(w.target)), "collected": _number(await collected(db, w.id)),
            "price": w.price_rupiah, "deadline": _local_day(w.deadline - 1, scope.timezone).isoformat(),
        })  # fmt: skip
    return result
