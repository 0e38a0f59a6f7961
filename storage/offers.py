"""Offers of produce: made by a farmer at the price in force (locked in), listed, cancelled,
and taken by the first covering coordinator; the alerts sent about each offer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import aiosqlite

from domain import offers as rules
from domain import regions
from domain.offers import Action, Actor, OfferFacts, Status, offer_number
from domain.people import Role
from domain.pickups import Rate
from storage import deductions, orgs, prices, subscriptions, windows
from storage.catalog import Source, fetchall, stopped
from storage.db import Database, now_utc
from storage.people import add_role, audit, insert_person


@dataclass(frozen=True)
class Offer:
    id: int
    farmer_id: int
    org_id: int
    village_code: str
    commodity: str
    grade: str
    quantity: str  # base units, exact decimal
    typed_amount: str
    typed_unit: str
    price_rupiah: int
    guaranteed_until: int
    ready_on: str
    status: Status
    taker_id: int | None
    created_at: int
    entered_by: int | None = None  # the coordinator who entered it for a farmer without Telegram
    latitude: float | None = None  # the pickup place, when the farmer shared a location
    longitude: float | None = None
    photo_file_id: str | None = None

    @property
    def number(self) -> str:
        return offer_number(self.id)

    def facts(self) -> OfferFacts:
        return OfferFacts(self.status, self.farmer_id, self.taker_id, self.entered_by)


@dataclass(frozen=True)
class NewOffer:
    """What the farmer chose, checked by the domain (quantity parsed, date in range)."""

    commodity: str
    grade: str
    quantity: Decimal
    typed_amount: Decimal
    typed_unit: str
    ready_on: date
    latitude: float | None = None
    longitude: float | None = None
    photo_file_id: str | None = None


@dataclass(frozen=True)
class ProxyFarmer:
    """A farmer without Telegram, as the coordinator entering their offer typed them."""

    full_name: str
    phone: str
    village_code: str | None  # None: known already by this phone


@dataclass(frozen=True)
class Recipient:
    """Someone to alert about an offer: a covering coordinator, else an administrator."""

    person_id: int
    chat_id: int
    language: str
    timezone: str
    assigns: bool = False  # an administrator: gives the offer to a coordinator, never takes it


class NoPrice(Exception):
    """No buying price is in force for this produce, grade and village."""


class PriceChanged(Exception):
    """The price (or a deduction) in force is not the one the farmer was shown: show the
    new one first."""


class FarmerUsesTelegram(Exception):
    """The phone belongs to someone registered in the bot: they offer for themselves."""


_COLUMNS = ", ".join(Offer.__dataclass_fields__)


def _offer(row) -> Offer:
    values = {k: row[k] for k in Offer.__dataclass_fields__}
    return Offer(**{**values, "status": Status(values["status"])})


async def _one(conn: aiosqlite.Connection, offer_id: int) -> Offer | None:
    async with conn.execute(f"SELECT {_COLUMNS} FROM offers WHERE id = ?", (offer_id,)) as cur:
        row = await cur.fetchone()
    return _offer(row) if row else None


async def _place(conn: aiosqlite.Connection, farmer_id: int) -> tuple[int, str]:
    async with conn.execute(
        "SELECT org_id, village_code FROM people WHERE id = ?", (farmer_id,)
    ) as cur:
        farmer = await cur.fetchone()
    return farmer["org_id"], farmer["village_code"]


async def _insert(
    conn: aiosqlite.Connection, farmer_id: int, new: NewOffer, shown: Shown,
    entered_by: int | None = None,
) -> Offer:  # fmt: skip
    """The offer at the price and deductions in force now, locked in; NoPrice when there is
    no price, PriceChanged when either is not what the farmer saw. An offer entered by a
    coordinator is theirs to pick up at once (taken)."""
    org_id, village_code = await _place(conn, farmer_id)
    now = now_utc()
    price = await prices.price_in_force(conn, new.commodity, new.grade, village_code, now)
    if price is None or new.commodity in await stopped(conn, org_id):  # /katalog
        raise NoPrice
    rates = await deductions.in_force(conn, org_id, new.commodity, now)
    locked, window = await windows.price_of_offer(
        conn, org_id, new.commodity, new.grade, village_code, price.price_rupiah, now
    )
    if price.id != shown.price_id or rates != shown.rates:
        raise PriceChanged
    if shown.price_rupiah is not None and shown.price_rupiah != locked:
        raise PriceChanged  # a window opened, closed or filled since the summary
    until = rules.guaranteed_until(price.valid_until, now)
    status = Status.OPEN if entered_by is None else Status.TAKEN
    cur = await conn.execute(
        "INSERT INTO offers (farmer_id, org_id, village_code, commodity, grade, quantity, typed_amount,"
        " typed_unit, price_id, price_rupiah, guaranteed_until, ready_on, status, taker_id, entered_by,"
        " latitude, longitude, photo_file_id, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (farmer_id, org_id, village_code, new.commodity, new.grade, str(new.quantity),
         str(new.typed_amount), new.typed_unit, price.id, locked, until,
         new.ready_on.isoformat(), status.value, entered_by, entered_by, new.latitude,
         new.longitude, new.photo_file_id, now, now),
    )  # fmt: skip
    offer_id = (await cur.fetchone())[0]
    await deductions.lock(conn, offer_id, rates)
    await subscriptions.subscribe(conn, farmer_id, new.commodity)  # its price, every morning
    if window is not None:  # it counts toward the buying window it matches (it may fill it)
        await windows.count_offer(conn, offer_id, window, new.quantity, now)
    await audit(
        conn, entered_by or farmer_id, "offer.create", f"offer:{offer_id}",
        price=locked, farmer=farmer_id,
    )  # fmt: skip
    return await _one(conn, offer_id)


@dataclass(frozen=True)
class Shown:
    """What the summary showed the farmer: the price version and the deduction rates."""

    price_id: int
    rates: tuple[Rate, ...] = ()
    # The price per unit it showed, when it knew of buying windows (a window may offer more
    # than the price version): PriceChanged when the offer would lock another.
    price_rupiah: int | None = None


async def create(conn: aiosqlite.Connection, farmer_id: int, new: NewOffer, shown: Shown) -> Offer:
    """The farmer's own offer (see :func:`_insert`)."""
    return await _insert(conn, farmer_id, new, shown)


async def create_for(
    conn: aiosqlite.Connection,
    coordinator_id: int,
    farmer: ProxyFarmer,
    new: NewOffer,
    shown: Shown,
) -> tuple[Offer, int]:
    """An offer a coordinator enters for a farmer without Telegram, and the farmer's person
    id. The farmer is found by phone (entered before) or added without a Telegram account;
    registering later with that phone links them to it (storage.registration)."""
    async with conn.execute(
        "SELECT id, telegram_user_id FROM people WHERE phone = ?", (farmer.phone,)
    ) as cur:
        row = await cur.fetchone()
    if row is not None and row["telegram_user_id"] is not None:
        raise FarmerUsesTelegram
    if row is not None:
        farmer_id = row["id"]
    else:
        village = need_village(farmer.village_code)
        farmer_id = await insert_person(
            conn, telegram_user_id=None, chat_id=None, full_name=farmer.full_name,
            phone=farmer.phone, language="id", timezone=regions.timezone_for(village),
            org_id=await orgs.for_village(conn, village), village_code=village,
        )  # fmt: skip
        await add_role(conn, farmer_id, Role.FARMER, granted_by=coordinator_id)
    return await _insert(conn, farmer_id, new, shown, entered_by=coordinator_id), farmer_id


def need_village(village_code: str | None) -> str:
    if not village_code:
        raise ValueError("a farmer entered for the first time needs a village")
    return village_code


async def proxy_farmer(source: Source, phone: str) -> tuple[int, str, str | None] | None:
    """(id, name, village code) of the person holding ``phone``, telegram or not; None when
    nobody does. Used to skip asking again for a farmer entered before."""
    rows = await fetchall(
        source,
        "SELECT id, full_name, village_code, telegram_user_id FROM people WHERE phone = ?",
        (phone,),
    )
    if not rows:
        return None
    if rows[0]["telegram_user_id"] is not None:
        raise FarmerUsesTelegram
    return rows[0]["id"], rows[0]["full_name"], rows[0]["village_code"]


async def get(db: Database, offer_id: int) -> Offer | None:
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM offers WHERE id = ?", (offer_id,))
    return _offer(row) if row else None


async def of_farmer(db: Database, farmer_id: int, limit: int = 10) -> list[Offer]:
    """The farmer's latest offers, newest first."""
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM offers WHERE farmer_id = ? ORDER BY id DESC LIMIT ?",
        (farmer_id, limit),
    )
    return [_offer(row) for row in rows]


async def cancel(conn: aiosqlite.Connection, offer_id: int, person_id: int) -> Offer:
    """The farmer withdraws an offer nobody has taken; OfferActionRefused otherwise."""
    offer = await _one(conn, offer_id)
    if offer is None:
        raise rules.OfferActionRefused("offer.not_allowed", Action.CANCEL, Status.CANCELLED)
    rules.next_status(offer.facts(), Action.CANCEL, Actor(person_id))
    await _move(conn, offer, Status.CANCELLED)
    await audit(conn, person_id, "offer.cancel", f"offer:{offer_id}")
    return await _one(conn, offer_id)


_COVERS = (
    "EXISTS (SELECT 1 FROM person_coverage c WHERE c.person_id = :person"
    " AND (c.prefix = :village OR :village LIKE c.prefix || '.%'))"
)


async def _same_cooperative(source: Source, person_id: int, offer: Offer) -> bool:
    """The person belongs to the offer's cooperative, or to the root that oversees all."""
    rows = await fetchall(source, "SELECT org_id FROM people WHERE id = ?", (person_id,))
    return bool(rows) and rows[0]["org_id"] in (offer.org_id, orgs.ROOT_ID)


async def actor(source: Source, offer: Offer, person_id: int, roles: frozenset[Role]) -> Actor:
    """Who ``person_id`` is to ``offer``, for domain.offers: whether their coverage holds
    its village and whether they belong to its cooperative."""
    covers = await fetchall(
        source, f"SELECT {_COVERS} AS covers", {"person": person_id, "village": offer.village_code}
    )
    return Actor(
        person_id, roles, covers_village=bool(covers[0]["covers"]),
        same_cooperative=await _same_cooperative(source, person_id, offer),
    )  # fmt: skip


async def take(
    conn: aiosqlite.Connection, offer_id: int, person_id: int, roles: frozenset[Role]
) -> Offer:
    """The first covering coordinator to take an open offer gets it: one conditional UPDATE
    decides between two who press at once. OfferActionRefused for everyone else (an
    administrator assigns, :func:`assign`; the offer's own farmer never takes it)."""
    offer = await _one(conn, offer_id)
    if offer is None:
        raise rules.OfferActionRefused("offer.not_allowed", Action.TAKE, Status.OPEN)
    rules.next_status(offer.facts(), Action.TAKE, await actor(conn, offer, person_id, roles))
    return await _give(conn, offer, person_id, person_id, "offer.take")


async def _give(
    conn: aiosqlite.Connection, offer: Offer, taker_id: int, by: int, what: str
) -> Offer:
    cur = await conn.execute(
        "UPDATE offers SET status = 'taken', taker_id = ?, updated_at = ? WHERE id = ? AND status = 'open'",
        (taker_id, now_utc(), offer.id),
    )
    if cur.rowcount == 0:  # someone else a moment earlier (a second writer, after PostgreSQL)
        raise rules.OfferActionRefused("offer.already_taken", Action.TAKE, Status.TAKEN)
    await audit(conn, by, what, f"offer:{offer.id}", taker=taker_id)
    return await _one(conn, offer.id)


async def coordinators_for(source: Source, offer: Offer) -> list[tuple[int, str]]:
    """(id, name) of the coordinators an administrator may give ``offer`` to: those of its
    cooperative, never its own farmer."""
    rows = await fetchall(
        source,
        "SELECT p.id, p.full_name FROM people p JOIN person_roles r ON r.person_id = p.id"
        " AND r.role = 'coordinator' WHERE p.org_id = ? AND p.id <> ? ORDER BY p.full_name, p.id",
        (offer.org_id, offer.farmer_id),
    )
    return [(r["id"], r["full_name"]) for r in rows]


async def assign(
    conn: aiosqlite.Connection, offer_id: int, person_id: int, roles: frozenset[Role],
    coordinator_id: int,
) -> Offer:  # fmt: skip
    """An administrator of the offer's cooperative gives an open offer to one of its
    coordinators (no coordinator covers the village); OfferActionRefused otherwise."""
    offer = await _one(conn, offer_id)
    if offer is None:
        raise rules.OfferActionRefused("offer.not_allowed", Action.ASSIGN, Status.OPEN)
    rules.next_status(offer.facts(), Action.ASSIGN, await actor(conn, offer, person_id, roles))
    if coordinator_id not in {c for c, _name in await coordinators_for(conn, offer)}:
        raise rules.OfferActionRefused("offer.not_allowed", Action.ASSIGN, offer.status)
    return await _give(conn, offer, coordinator_id, person_id, "offer.assign")


async def _move(conn: aiosqlite.Connection, offer: Offer, to: Status) -> None:
    """A conditional status change: it happens only from the status the rules were checked on."""
    cur = await conn.execute(
        "UPDATE offers SET status = ?, updated_at = ? WHERE id = ? AND status = ?",
        (to.value, now_utc(), offer.id, offer.status.value),
    )
    if cur.rowcount == 0:
        raise rules.OfferActionRefused("offer.status", Action.CANCEL, offer.status)


async def expire_due(conn: aiosqlite.Connection, open_seconds: int) -> list[Offer]:
    """Offers nobody took within ``open_seconds`` expire (the price guarantee with them)."""
    now = now_utc()
    async with conn.execute(
        f"SELECT {_COLUMNS} FROM offers WHERE status = 'open' AND created_at <= ? ORDER BY id",
        (now - open_seconds,),
    ) as cur:
        due = [_offer(row) for row in await cur.fetchall()]
    for offer in due:
        rules.next_status(offer.facts(), Action.EXPIRE, rules.SYSTEM_ACTOR)
        await _move(conn, offer, Status.EXPIRED)
        await audit(conn, None, "offer.expire", f"offer:{offer.id}")
    return [await _one(conn, offer.id) for offer in due]


async def recipients(db: Database, offer: Offer) -> list[Recipient]:
    """Coordinators covering the offer's village; if none, the administrators of the
    farmer's cooperative, who assign it (an offer is never silently lost). Never the
    offer's own farmer, whatever other role he holds."""
    covering = await db.fetchall(
        "SELECT DISTINCT p.id, p.chat_id, p.language, p.timezone FROM people p"
        " JOIN person_roles r ON r.person_id = p.id AND r.role = 'coordinator'"
        " JOIN person_coverage c ON c.person_id = p.id"
        " WHERE (c.prefix = ? OR ? LIKE c.prefix || '.%') AND p.chat_id IS NOT NULL AND p.reachable = 1"
        " AND p.id <> ? ORDER BY p.id",
        (offer.village_code, offer.village_code, offer.farmer_id),
    )
    if covering:
        return [Recipient(r["id"], r["chat_id"], r["language"], r["timezone"]) for r in covering]
    return [
        Recipient(a.person_id, a.chat_id, a.language, a.timezone, assigns=True)
        for a in await administrators(db, offer.org_id)
        if rules.may_receive(offer.facts(), a.person_id)
    ]


async def administrators(db: Database, org_id: int) -> list[Recipient]:
    """The administrators of a cooperative (and of the root), who hear of what nobody covers
    and of disputes."""
    rows = await db.fetchall(
        "SELECT p.id, p.chat_id, p.language, p.timezone FROM people p"
        " JOIN person_roles r ON r.person_id = p.id AND r.role = 'admin'"
        " WHERE p.org_id IN (?, 1) AND p.chat_id IS NOT NULL AND p.reachable = 1 ORDER BY p.org_id DESC, p.id",
        (org_id,),
    )
    return [Recipient(r["id"], r["chat_id"], r["language"], r["timezone"]) for r in rows]


async def record_alerts(
    conn: aiosqlite.Connection, offer_id: int, sent: list[tuple[int, int, int]]
) -> int:
    """(person_id, chat_id, message_id) of each alert sent about ``offer_id``."""
    await conn.executemany(
        "INSERT INTO offer_alerts (offer_id, person_id, chat_id, message_id) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (offer_id, person_id) DO NOTHING",
        [(offer_id, *row) for row in sent],
    )
    return len(sent)


_ALERT_KEY = "offer-alert:"


def alert_key(offer_id: int) -> str:
    """The outbox key of an offer's alerts (one message per person: storage.outbox)."""
    return f"{_ALERT_KEY}{offer_id}"


async def unalerted(db: Database, older_than: int) -> list[Offer]:
    """Open offers older than ``older_than`` seconds whose alerts were never queued (the bot
    stopped between saving the offer and queuing them): alerted by a job."""
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM offers o WHERE status = 'open' AND created_at <= ?"
        " AND NOT EXISTS (SELECT 1 FROM offer_alerts a WHERE a.offer_id = o.id)"
        " AND NOT EXISTS (SELECT 1 FROM broadcasts b WHERE b.broadcast_key = ? || o.id)"
        " ORDER BY id",
        (now_utc() - older_than, _ALERT_KEY),
    )
    return [_offer(row) for row in rows]


async def alerts(db: Database, offer_id: int) -> list[tuple[int, int, int]]:
    """``(person_id, chat_id, message_id)`` of each alert Telegram took about this offer
    (through the outbox; offer_alerts holds those sent before it)."""
    rows = await db.fetchall(
        "SELECT person_id, chat_id, message_id FROM offer_alerts WHERE offer_id = ?"
        " UNION SELECT o.person_id, o.chat_id, o.message_id FROM outbox o"
        " JOIN broadcasts b ON b.id = o.broadcast_id"
        " WHERE b.broadcast_key = ? AND o.message_id IS NOT NULL ORDER BY person_id",
        (offer_id, alert_key(offer_id)),
    )
    return [(r["person_id"], r["chat_id"], r["message_id"]) for r in rows]


async def set_coverage(
    conn: aiosqlite.Connection, person_id: int, prefixes: tuple[str, ...]
) -> None:
    """A coordinator's area, replaced as a whole."""
    await conn.execute("DELETE FROM person_coverage WHERE person_id = ?", (person_id,))
    await conn.executemany(
        "INSERT INTO person_coverage (person_id, prefix) VALUES (?, ?)",
        [(person_id, p) for p in prefixes],
    )
    await audit(conn, None, "person.coverage", f"person:{person_id}", prefixes=list(prefixes))
