"""The monthly simpanan wajib reminder: at the cooperative's day and time in each member's
own zone (WIB, WITA, WIT), never to a member who has paid the month, never twice (also
not after a restart)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.context import BotContext
from domain import ledger as L
from domain.ledger import SavingsKind
from domain.savings import Month
from handlers.savings import send_wajib_reminders
from storage import ledger, people, roster
from storage import savings as stored
from tests.handlers.flows import register_member
from tests.handlers.test_savings_member import _member


async def _another(world, user_id, number, phone, zone, wajib_paid):
    await world.db.write(
        roster.add, org_id=1, member_number=number, full_name=f"Anggota {number}", phone=phone
    )
    roster_id = (
        await world.db.fetchone("SELECT id FROM roster WHERE member_number = ?", (number,))
    )["id"]
    async with world.db.transaction(bookkeeping=True) as conn:
        await conn.execute("UPDATE roster SET joined_on = '2026-09-01' WHERE id = ?", (roster_id,))
    if wajib_paid:
        await world.db.write(
            ledger.post,
            [L.debit(L.cash(1), wajib_paid), L.credit(L.member_savings(roster_id, SavingsKind.WAJIB), wajib_paid)],
            None, "Simpanan wajib",
        )  # fmt: skip
    who = world.person(user_id)
    await register_member(who, phone[1:])
    person = await people.by_telegram_id(world.db, user_id)
    await world.db.write(people.set_timezone, person.id, zone)
    return who


def _at(*args):
    return datetime(*args, tzinfo=UTC)


async def test_reminders_land_at_local_time_in_each_zone_and_skip_who_paid(world):
    sri, _roster = await _member(world)  # WIB; paid September and October, not November
    async with world.db.transaction(bookkeeping=True) as conn:
        await stored.set_reminder(conn, 1, 25, "09:00")
    yosef = await _another(world, 1001, "SP-010", "+6281377770010", "Asia/Jayapura", 0)  # WIT
    made = await _another(
        world, 1002, "SP-011", "+6281377770011", "Asia/Makassar", 150_000
    )  # WITA, paid
    for who in (sri, yosef, made):
        who.take_new()
    context = BotContext(world.app)

    assert await send_wajib_reminders(context, _at(2026, 11, 24, 23, 59)) == 0  # 08:59 WIT
    assert await send_wajib_reminders(context, _at(2026, 11, 25, 0, 0)) == 1  # 09:00 WIT
    await world.outbox_sent()
    reminder = yosef.take_new()
    assert reminder == [
        "Pengingat: simpanan wajib bulan November 2026 sebesar Rp50.000 belum dibayar. "
        "Total tagihan Anda Rp150.000. Silakan bayar ke bendahara koperasi. "
        "Kirim /tagihan untuk melihat rinciannya."
    ]
    assert (
        await send_wajib_reminders(context, _at(2026, 11, 25, 1, 0)) == 0
    )  # 09:00 WITA: Made paid
    assert await send_wajib_reminders(context, _at(2026, 11, 25, 1, 59)) == 0  # 08:59 WIB
    assert await send_wajib_reminders(context, _at(2026, 11, 25, 2, 0)) == 1  # 09:00 WIB: Sri
    await world.outbox_sent()
    assert "November 2026 sebesar Rp50.000" in sri.take_new()[-1]
    assert made.take_new() == []
    assert await send_wajib_reminders(context, _at(2026, 11, 27, 8, 0)) == 0  # never twice

    await world.kill()  # a restart remembers whom it reminded
    assert await send_wajib_reminders(BotContext(world.app), _at(2026, 11, 28, 8, 0)) == 0
    rows = await world.db.fetchall("SELECT month FROM savings_reminders_sent ORDER BY roster_id")
    assert [r["month"] for r in rows] == ["2026-11", "2026-11"]
    # December: due for all three (Made's Rp150.000 covered September to November)
    assert await send_wajib_reminders(BotContext(world.app), _at(2026, 12, 25, 3, 0)) == 3


async def test_no_reminder_without_a_setting_or_a_join_date(world):
    await _member(world, joined=date(2026, 9, 1))
    context = BotContext(world.app)
    assert await send_wajib_reminders(context, _at(2026, 11, 25, 5, 0)) == 0  # none set
    async with world.db.transaction(bookkeeping=True) as conn:
        await stored.set_reminder(conn, 1, 25, "09:00")
        await conn.execute("UPDATE roster SET joined_on = NULL")
    assert await send_wajib_reminders(context, _at(2026, 11, 25, 5, 0)) == 0
    assert Month(2026, 11) == Month.of(date(2026, 11, 25))
