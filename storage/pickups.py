"""Scheduling and recording pickups of taken offers; the farmer's answer to the receipt."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

import aiosqlite

from domain import ledger as L
from domain import pickups as rules
from domain import rafaksi as quality
from domain import windows as window_rules
from domain.offers import Action, OfferActionRefused, OfferFacts, Status, allowed, next_status
from domain.people import Role
from domain.quantity import amount_rupiah
from storage import advances, deductions, figures, ledger, offers, prices, rafaksi, windows
from storage.catalog import fetchall
from storage.db import Database, now_utc
from storage.offers import _COLUMNS as OFFER_COLUMNS
from storage.offers import Offer, _offer, _one
from storage.people import audit


@dataclass(frozen=True)
class Pickup:
    offer_id: int
    coordinator_id: int
    pickup_on: str
    window_start: int
    window_end: int
    grade: str | None
    quantity: str | None
    price_rupiah: int | None
    amount_rupiah: int | None
    picked_up_at: int | None
    farmer_answer: str | None
    deductions_rupiah: int = 0
    paid_by: str | None = None  # 'cash' or 'transfer'
    payment_reference: str | None = None
    requested_on: str | None = None  # the day the farmer asked to move it to
    held_at: int | None = None  # weighed far above the offer: waits for a second person
    settled_at: int | None = None  # an administrator settled the farmer's dispute
    moisture: str | None = None  # rafaksi readings (percent, exact), where the table asks them
    foreign_matter: str | None = None
    cut_rupiah: int = 0  # rafaksi per base unit: price_rupiah is the locked price less it
    rafaksi_table_id: int | None = None
    advance_rupiah: int = 0  # input advances repaid from this harvest (storage.advances)
    advance_left_rupiah: int = 0  # what the farmer still owed on advances after it

    @property
    def measured(self) -> bool:
        return self.moisture is not None and self.foreign_matter is not None

    @property
    def held(self) -> bool:
        return self.held_at is not None and self.picked_up_at is None

    @property
    def disputed(self) -> bool:
        """The farmer disputes the receipt and no administrator has settled it yet."""
        return self.farmer_answer == "disputed" and self.settled_at is None

    @property
    def net_rupiah(self) -> int:
        """What the farmer is paid: the amount less the deductions and the advances repaid."""
        return (self.amount_rupiah or 0) - self.deductions_rupiah - self.advance_rupiah


_COLUMNS = ", ".join(Pickup.__dataclass_fields__)


async def _pickup(conn: aiosqlite.Connection, offer_id: int) -> Pickup | None:
    async with conn.execute(
        f"SELECT {_COLUMNS} FROM pickups WHERE offer_id = ?", (offer_id,)
    ) as cur:
        row = await cur.fetchone()
    return Pickup(**dict(row)) if row else None


async def get(db: Database, offer_id: int) -> Pickup | None:
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM pickups WHERE offer_id = ?", (offer_id,))
    return Pickup(**dict(row)) if row else None


def facts(offer: Offer, pickup: Pickup | None) -> OfferFacts:
    """What domain.offers needs to know, the pickup's state included."""
    return replace(
        offer.facts(),
        held=pickup is not None and pickup.held,
        disputed=pickup is not None and pickup.disputed,
    )


async def may(source, offer: Offer, action: Action, person_id: int, roles: frozenset[Role]) -> bool:
    """Whether ``person_id`` may do ``action`` to ``offer`` now: the one rule buttons ask
    before they show a step (domain.offers.allowed)."""
    rows = await fetchall(source, f"SELECT {_COLUMNS} FROM pickups WHERE offer_id = ?", (offer.id,))
    pickup = Pickup(**dict(rows[0])) if rows else None
    return allowed(
        facts(offer, pickup), action, await offers.actor(source, offer, person_id, roles)
    )


async def may_or_refuse(
    source, offer: Offer, action: Action, person_id: int, roles: frozenset[Role]
) -> None:
    """OfferActionRefused (with its reason) unless :func:`may`."""
    rows = await fetchall(source, f"SELECT {_COLUMNS} FROM pickups WHERE offer_id = ?", (offer.id,))
    pickup = Pickup(**dict(rows[0])) if rows else None
    next_status(facts(offer, pickup), action, await offers.actor(source, offer, person_id, roles))


async def checkers(db: Database, offer: Offer) -> list[offers.Recipient]:
    """Who may confirm a held weighing of ``offer``: the administrators of its cooperative
    (and of the root) and its other coordinators; never the taker nor the farmer."""
    rows = await db.fetchall(
        "SELECT DISTINCT p.id, p.chat_id, p.language, p.timezone FROM people p"
        " JOIN person_roles r ON r.person_id = p.id"
        " WHERE ((r.role = 'admin' AND p.org_id IN (?, 1)) OR (r.role = 'coordinator' AND p.org_id = ?))"
        " AND p.id NOT IN (?, ?) AND p.chat_id IS NOT NULL AND p.reachable = 1 ORDER BY p.id",
        (offer.org_id, offer.org_id, offer.taker_id or 0, offer.farmer_id),
    )
    return [offers.Recipient(r["id"], r["chat_id"], r["language"], r["timezone"]) for r in rows]


async def _offer_for(
    conn: aiosqlite.Connection,
    offer_id: int,
    action: Action,
    person_id: int,
    roles: frozenset[Role],
) -> Offer:
    """The offer, when ``person_id`` may do ``action`` to it now; OfferActionRefused else."""
    offer = await _one(conn, offer_id)
    if offer is None:
        raise OfferActionRefused("offer.not_allowed", action, Status.OPEN)
    actor = await offers.actor(conn, offer, person_id, roles)
    next_status(facts(offer, await _pickup(conn, offer_id)), action, actor)
    return offer


async def schedule(conn: aiosqlite.Connection, offer_id: int, person_id: int, roles: frozenset[Role],
                   day: date, window: tuple[int, int]) -> tuple[Offer, Pickup]:  # fmt: skip
    """The taker agrees a day and time window (again, if it changes)."""
    offer = await _one(conn, offer_id)
    action = (
        Action.RESCHEDULE
        if offer is not None and offer.status is Status.SCHEDULED
        else Action.SCHEDULE
    )
    offer = await _offer_for(conn, offer_id, action, person_id, roles)
    now = now_utc()
    await conn.execute(
        "INSERT INTO pickups (offer_id, coordinator_id, pickup_on, window_start, window_end, scheduled_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (offer_id) DO UPDATE SET pickup_on = excluded.pickup_on,"
        " window_start = excluded.window_start, window_end = excluded.window_end, scheduled_at = excluded.scheduled_at,"
        " requested_on = NULL",
        (offer_id, person_id, day.isoformat(), window[0], window[1], now),
    )
    await conn.execute(
        "UPDATE offers SET status = 'scheduled', updated_at = ? WHERE id = ? AND status IN ('taken', 'scheduled')",
        (now, offer_id),
    )
    await audit(
        conn,
        person_id,
        "offer.schedule",
        f"offer:{offer_id}",
        day=day.isoformat(),
        window=list(window),
    )
    return await _one(conn, offer_id), await _pickup(conn, offer_id)


async def locked_price(source, offer: Offer, grade: str) -> int | None:
    """The price of ``grade`` locked into ``offer``: the offer's own for its grade, else the
    price of the grade found that was in force when the farmer confirmed (or its buying
    window's, where the window takes that grade and pays more)."""
    if grade == offer.grade:
        return offer.price_rupiah
    price = await prices.price_in_force(
        source, offer.commodity, grade, offer.village_code, offer.created_at
    )
    if price is None:
        return None
    window_id = await windows.window_of_offer(source, offer.id)
    window = await windows.get(source, window_id) if window_id else None
    return window_rules.offer_price(price.price_rupiah, window.facts() if window else None, grade)


class NoPriceForGrade(Exception):
    """The grade found had no price when the offer was made: the cooperative must decide."""


async def record(conn: aiosqlite.Connection, offer_id: int, person_id: int, roles: frozenset[Role],
                 grade: str, quantity: Decimal,
                 readings: tuple[Decimal, Decimal] | None = None) -> tuple[Offer, Pickup]:  # fmt: skip
    """The weighing: the grade and weight found, the amount at the locked price less the
    rafaksi for ``readings`` (moisture, hampa/kotoran percent) where the cooperative has a
    table for the commodity in force now (storage.rafaksi). Far above the offer
    (domain.pickups.needs_second_look) it is held: nothing is owed and the offer stays
    scheduled until a second person confirms it (:func:`check_weight`). Refused with
    domain.rafaksi.RafaksiRefused: readings outside the table, a cut as high as the price,
    or no readings where a table asks them (``rafaksi.not_measured``)."""
    offer = await _offer_for(conn, offer_id, Action.CONFIRM, person_id, roles)
    price = await locked_price(conn, offer, grade)
    if price is None:
        raise NoPriceForGrade
    now = now_utc()
    table = await rafaksi.in_force(conn, offer.org_id, offer.commodity, now)
    cut = None
    if table is not None:
        if readings is None:
            raise quality.RafaksiRefused("rafaksi.not_measured")
        cut = quality.cut_for(table.table, *readings)
        price = quality.price_after(price, cut)
    held = rules.needs_second_look(offer.commodity, Decimal(offer.quantity), quantity)
    await conn.execute(
        "UPDATE pickups SET grade = ?, quantity = ?, price_rupiah = ?, amount_rupiah = ?, held_at = ?,"
        " requested_on = NULL, moisture = ?, foreign_matter = ?, cut_rupiah = ?, rafaksi_table_id = ?"
        " WHERE offer_id = ?",
        (
            grade,
            str(quantity),
            price,
            amount_rupiah(price, quantity),
            now if held else None,
            str(cut.moisture) if cut else None,
            str(cut.foreign) if cut else None,
            cut.rupiah_per_unit if cut else 0,
            table.id if table else None,
            offer_id,
        ),
    )
    if held:
        await audit(
            conn, person_id, "offer.weighing_held", f"offer:{offer_id}", grade=grade,
            quantity=str(quantity), offered=offer.quantity,
        )  # fmt: skip
        return offer, await _pickup(conn, offer_id)
    return await _picked_up(conn, offer, person_id, grade, quantity, price, now)


async def check_weight(
    conn: aiosqlite.Connection, offer_id: int, person_id: int, roles: frozenset[Role], ok: bool
) -> tuple[Offer, Pickup]:
    """A second person (an administrator or another coordinator of the cooperative, never
    the weigher nor the farmer) confirms a held weighing, which is then owed as any other;
    or refuses it, and the taker weighs again."""
    offer = await _offer_for(conn, offer_id, Action.CHECK_WEIGHT, person_id, roles)
    pickup = await _pickup(conn, offer_id)
    if not ok:
        await conn.execute(
            "UPDATE pickups SET grade = NULL, quantity = NULL, price_rupiah = NULL, amount_rupiah = NULL,"
            " held_at = NULL, moisture = NULL, foreign_matter = NULL, cut_rupiah = 0,"
            " rafaksi_table_id = NULL WHERE offer_id = ?",
            (offer_id,),
        )
        await audit(conn, person_id, "offer.weighing_refused", f"offer:{offer_id}")
        return offer, await _pickup(conn, offer_id)
    await conn.execute(
        "UPDATE pickups SET checked_by = ? WHERE offer_id = ?", (person_id, offer_id)
    )
    quantity = Decimal(pickup.quantity)
    return await _picked_up(
        conn, offer, person_id, pickup.grade, quantity, pickup.price_rupiah, now_utc()
    )


async def _picked_up(
    conn: aiosqlite.Connection, offer: Offer, person_id: int, grade: str, quantity: Decimal,
    price: int, now: int,
) -> tuple[Offer, Pickup]:  # fmt: skip
    offer_id = offer.id
    await conn.execute("UPDATE pickups SET picked_up_at = ? WHERE offer_id = ?", (now, offer_id))
    await figures.record_pickup(conn, offer_id, org_id=offer.org_id, farmer_id=offer.farmer_id,
                                village_code=offer.village_code, commodity=offer.commodity, quantity=quantity)  # fmt: skip
    cur = await conn.execute(
        "UPDATE offers SET status = 'picked_up', updated_at = ? WHERE id = ? AND status = 'scheduled'",
        (now, offer_id),
    )
    if cur.rowcount == 0:
        raise OfferActionRefused("offer.status", Action.CONFIRM, offer.status)
    gross = amount_rupiah(price, quantity)
    taken = rules.deductions(await deductions.locked(conn, offer_id), quantity, gross)
    await conn.execute(
        "UPDATE pickups SET deductions_rupiah = ? WHERE offer_id = ?",
        (gross - rules.net_amount(gross, taken), offer_id),
    )
    # The price board's deductions come off first; what is left repays the farmer's input
    # advances, oldest first, never more than it (storage.advances, domain.advances.netting).
    net = rules.net_amount(gross, taken)
    repaid, left = await advances.repay_at_weighing(conn, offer.farmer_id, offer_id, net, now)
    await conn.execute(
        "UPDATE pickups SET advance_rupiah = ?, advance_left_rupiah = ? WHERE offer_id = ?",
        (repaid, left, offer_id),
    )
    # What the cooperative now owes the farmer: the gross less its services and the advances
    # repaid, itemised (the repayment in this entry: a weighing done again reverses it too).
    await ledger.post(
        conn, [
            L.debit(L.purchases(offer.org_id), gross),
            *([L.credit(L.fees(offer.org_id), gross - net)] if taken else []),
            *([L.credit(L.farmer_payable(offer.farmer_id), net - repaid)] if net > repaid else []),
            *([L.credit(L.farmer_receivable(offer.farmer_id), repaid)] if repaid else []),
        ],
        person_id, L.coded_reason(L.REASON_PICKED_UP, number=offer.number, quantity=str(quantity), produce=offer.commodity, grade=grade), f"offer:{offer_id}:owed",
    )  # fmt: skip
    await audit(
        conn, person_id, "offer.picked_up", f"offer:{offer_id}", grade=grade, quantity=str(quantity)
    )
    return await _one(conn, offer_id), await _pickup(conn, offer_id)


@dataclass(frozen=True)
class Payment:
    """How the farmer was paid: in cash in the field, or by a transfer with its reference."""

    by: str  # 'cash' or 'transfer'
    reference: str | None = None


CASH = Payment("cash")


async def pay(
    conn: aiosqlite.Connection, offer_id: int, person_id: int, roles: frozenset[Role],
    payment: Payment = CASH,
) -> tuple[Offer, Pickup]:  # fmt: skip
    """Paid by the taker or a treasurer of the farmer's cooperative: the payable is settled
    in the ledger (once: a second payment would overdraw it), from cash or the bank. Never
    by the farmer himself, nor while the receipt is disputed."""
    offer = await _offer_for(conn, offer_id, Action.PAY, person_id, roles)
    pickup = await _pickup(conn, offer_id)
    by_transfer = payment.by == "transfer"
    source = L.bank(offer.org_id) if by_transfer else L.cash(offer.org_id)
    reason = (
        L.coded_reason(L.REASON_PAID_TRANSFER, transfer=payment.reference, number=offer.number)
        if by_transfer
        else L.coded_reason(L.REASON_PAID_CASH, number=offer.number)
    )
    if pickup.net_rupiah > 0:  # nothing to pay when the advances took the whole harvest
        await ledger.post(
            conn, [L.debit(L.farmer_payable(offer.farmer_id), pickup.net_rupiah), L.credit(source, pickup.net_rupiah)],
            person_id, reason, f"offer:{offer_id}:paid",
        )  # fmt: skip
    cur = await conn.execute(
        "UPDATE offers SET status = 'paid', updated_at = ? WHERE id = ? AND status = 'picked_up'",
        (now_utc(), offer_id),
    )
    if cur.rowcount == 0:
        raise OfferActionRefused("offer.status", Action.PAY, offer.status)
    await conn.execute(
        "UPDATE pickups SET paid_by = ?, payment_reference = ? WHERE offer_id = ?",
        (payment.by, payment.reference, offer_id),
    )
    await audit(
        conn, person_id, "offer.paid", f"offer:{offer_id}", amount=pickup.net_rupiah, by=payment.by,
        reference=payment.reference,
    )  # fmt: skip
    return await _one(conn, offer_id), await _pickup(conn, offer_id)


async def settle(
    conn: aiosqlite.Connection, offer_id: int, person_id: int, roles: frozenset[Role],
    stands: bool = True,
) -> tuple[Offer, Pickup]:  # fmt: skip
    """An administrator of the offer's cooperative settles the farmer's dispute: the receipt
    stands and may be paid; or it is weighed again (:func:`_weigh_again`)."""
    if not stands:
        return await _weigh_again(conn, offer_id, person_id, roles)
    offer = await _offer_for(conn, offer_id, Action.SETTLE, person_id, roles)
    cur = await conn.execute(
        "UPDATE pickups SET settled_by = ?, settled_at = ? WHERE offer_id = ?"
        " AND farmer_answer = 'disputed' AND settled_at IS NULL",
        (person_id, now_utc(), offer_id),
    )
    if cur.rowcount == 0:
        raise OfferActionRefused("offer.status", Action.SETTLE, offer.status)
    await audit(conn, person_id, "offer.dispute_settled", f"offer:{offer_id}")
    return offer, await _pickup(conn, offer_id)


async def _weigh_again(
    conn: aiosqlite.Connection, offer_id: int, person_id: int, roles: frozenset[Role]
) -> tuple[Offer, Pickup]:
    """The disputed weighing is undone: what it made the cooperative owe is reversed in the
    ledger, the pickup is scheduled again and its taker weighs anew (a new receipt follows)."""
    offer = await _offer_for(conn, offer_id, Action.REWEIGH, person_id, roles)
    owed = await ledger.by_reference(conn, f"offer:{offer_id}:owed")
    if owed is not None:
        await ledger.reverse(conn, owed.id, person_id, f"Keberatan {offer.number}: timbang ulang")
    await advances.undo_repayments(conn, offer_id, now_utc())
    cur = await conn.execute(
        "UPDATE offers SET status = 'scheduled', updated_at = ? WHERE id = ? AND status = 'picked_up'",
        (now_utc(), offer_id),
    )
    if cur.rowcount == 0:
        raise OfferActionRefused("offer.status", Action.REWEIGH, offer.status)
    await conn.execute(
        "UPDATE pickups SET grade = NULL, quantity = NULL, price_rupiah = NULL, amount_rupiah = NULL,"
        " deductions_rupiah = 0, advance_rupiah = 0, advance_left_rupiah = 0, picked_up_at = NULL, held_at = NULL, farmer_answer = NULL,"
        " answered_at = NULL, moisture = NULL, foreign_matter = NULL, cut_rupiah = 0,"
        " rafaksi_table_id = NULL WHERE offer_id = ?",
        (offer_id,),
    )
    await audit(conn, person_id, "offer.dispute_reweigh", f"offer:{offer_id}")
    return await _one(conn, offer_id), await _pickup(conn, offer_id)


async def to_pay(db: Database, person_id: int) -> list[tuple[Offer, Pickup]]:
    """Picked-up offers a treasurer may pay: of their cooperative (every one for the root's),
    not disputed, not their own; oldest first."""
    rows = await db.fetchall(
        f"SELECT {', '.join('o.' + c.strip() for c in OFFER_COLUMNS.split(','))} FROM offers o"
        " JOIN pickups p ON p.offer_id = o.id JOIN people t ON t.id = ?"
        " WHERE o.status = 'picked_up' AND (t.org_id = o.org_id OR t.org_id = 1) AND o.farmer_id <> t.id"
        " AND NOT (COALESCE(p.farmer_answer, '') = 'disputed' AND p.settled_at IS NULL)"
        " ORDER BY p.picked_up_at, o.id LIMIT 20",
        (person_id,),
    )
    return [(offer, await get(db, offer.id)) for offer in map(_offer, rows)]


async def request_change(
    conn: aiosqlite.Connection, offer_id: int, farmer_id: int, day: date
) -> tuple[Offer, Pickup]:
    """The farmer asks to move a scheduled pickup to ``day``; the taker decides (reschedules)."""
    offer = await _offer_for(conn, offer_id, Action.REQUEST_CHANGE, farmer_id, frozenset())
    await conn.execute(
        "UPDATE pickups SET requested_on = ? WHERE offer_id = ?", (day.isoformat(), offer_id)
    )
    await audit(conn, farmer_id, "offer.change_requested", f"offer:{offer_id}", day=day.isoformat())
    return offer, await _pickup(conn, offer_id)


async def answer(
    conn: aiosqlite.Connection, offer_id: int, farmer_id: int, agreed: bool
) -> tuple[Offer, Pickup]:
    """The farmer agrees with the receipt, or disputes it (once)."""
    offer = await _one(conn, offer_id)
    if offer is None or offer.farmer_id != farmer_id:
        raise OfferActionRefused("offer.not_allowed", Action.CONFIRM, Status.PICKED_UP)
    cur = await conn.execute(
        "UPDATE pickups SET farmer_answer = ?, answered_at = ? WHERE offer_id = ? AND picked_up_at IS NOT NULL"
        " AND farmer_answer IS NULL",
        ("agreed" if agreed else "disputed", now_utc(), offer_id),
    )
    if cur.rowcount == 0:
        raise OfferActionRefused("offer.status", Action.CONFIRM, offer.status)
    await audit(
        conn,
        farmer_id,
        "offer.receipt." + ("agreed" if agreed else "disputed"),
        f"offer:{offer_id}",
    )
    return offer, await _pickup(conn, offer_id)


async def of_coordinator(db: Database, person_id: int) -> list[tuple[Offer, Pickup | None]]:
    """A coordinator's pickups to do: taken (to schedule) and scheduled, soonest first."""
    rows = await db.fetchall(
        f"SELECT {', '.join('o.' + c.strip() for c in OFFER_COLUMNS.split(','))} FROM offers o"
        " LEFT JOIN pickups p ON p.offer_id = o.id"
        " WHERE o.taker_id = ? AND o.status IN ('taken', 'scheduled')"
        " ORDER BY COALESCE(p.pickup_on, o.ready_on), p.window_start, o.id",
        (person_id,),
    )
    found = []
    for row in rows:
        offer = _offer(row)
        found.append((offer, await get(db, offer.id)))
    return found


async def due_on(db: Database, day: date, timezone: str) -> dict[int, list[tuple[Offer, Pickup]]]:
    """The pickups scheduled for ``day`` of the coordinators living in ``timezone``, by
    coordinator (person id), earliest window first: the morning digest."""
    rows = await db.fetchall(
        f"SELECT {', '.join('o.' + c.strip() for c in OFFER_COLUMNS.split(','))} FROM offers o"
        " JOIN pickups p ON p.offer_id = o.id JOIN people c ON c.id = p.coordinator_id"
        " WHERE o.status = 'scheduled' AND p.pickup_on = ? AND c.timezone = ?"
        " ORDER BY p.coordinator_id, p.window_start, o.id",
        (day.isoformat(), timezone),
    )
    found: dict[int, list[tuple[Offer, Pickup]]] = {}
    for row in rows:
        offer = _offer(row)
        pickup = await get(db, offer.id)
        found.setdefault(pickup.coordinator_id, []).append((offer, pickup))
    return found
