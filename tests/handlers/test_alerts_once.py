"""Alerts and notices to other people never twice (issue 14, section 3): a stop in the middle
of a new offer's alerts, a restart on the same file and the missed-alerts job leave every
coordinator with exactly one alert, and every alert is edited when the offer is taken."""

from __future__ import annotations

import asyncio
import time

from bot.context import BotContext
from handlers import alerts
from storage import offers, people
from tests.handlers.flows import YES_ID
from tests.handlers.test_offer import _coordinator
from tests.handlers.test_offtake_field import HOME, _offer_of, market  # noqa: F401
from tests.harness import World
from tests.texts import said

SLOW = 0.3  # seconds per Bot API call to a coordinator, as on a slow day


def _slow_to(world: World, chats: set[int]) -> None:
    """Calls to these chats take SLOW seconds (the fake Telegram answers at once otherwise)."""
    telegram = world.telegram
    answer = telegram.do_request

    async def slow(url, method, request_data=None, **kwargs):
        params = dict(request_data.parameters) if request_data else {}
        if int(params.get("chat_id") or 0) in chats:
            await asyncio.sleep(SLOW)
        return await answer(url, method, request_data, **kwargs)

    telegram.do_request = slow


def _blocked_by(world: World, chat: int) -> None:
    """Telegram answers 403 to every send to this chat."""
    telegram = world.telegram
    answer = telegram.do_request

    async def refuse(url, method, request_data=None, **kwargs):
        params = dict(request_data.parameters) if request_data else {}
        if url.endswith("/sendMessage") and int(params.get("chat_id") or 0) == chat:
            telegram.fail_next("sendMessage", status=403)
        return await answer(url, method, request_data, **kwargs)

    telegram.do_request = refuse


def _alerts_to(world: World, chat_id: int, number: str) -> list:
    def first(m) -> str:  # as it was sent, before any edit
        return m.edits[0] if m.edits else m.text

    return [
        m for m in world.telegram.messages.get(chat_id, [])
        if first(m).startswith("Tawaran baru") and number in first(m)
    ]  # fmt: skip


async def _until(condition, within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "not reached in time"
        await asyncio.sleep(0.01)


async def test_a_stop_in_the_middle_of_the_alerts_alerts_nobody_twice(world, market):  # noqa: F811
    budi = market
    chats = list(range(9001, 9031))
    coordinators = [await _coordinator(world, user_id, "33.10") for user_id in chats]
    _slow_to(world, set(chats))
    await budi.send("/jual")
    await budi.press("Gabah")
    await budi.send("1 ton")
    await budi.press("Besok")
    await budi.tap(HOME)
    saving = asyncio.create_task(budi.press(YES_ID))

    def alerted() -> int:
        return sum(bool(world.telegram.messages.get(chat)) for chat in chats)

    await _until(lambda: alerted() >= 7)
    await world.stop()  # SIGTERM: the alerts are on their way
    await asyncio.gather(saving, return_exceptions=True)
    first = {chat: len(world.telegram.messages.get(chat, [])) for chat in chats}
    assert 7 <= sum(map(bool, first.values())) < 30, first

    await world.start()  # the same SQLite file, a new process
    offer = await _offer_of(world, 701)
    async with world.db.transaction(bookkeeping=True) as conn:  # the job runs minutes later
        await conn.execute(
            "UPDATE offers SET created_at = created_at - 300 WHERE id = ?", (offer.id,)
        )
    await alerts.alert_missed(BotContext(world.app))
    await _until(lambda: alerted() == 30)
    await asyncio.sleep(3 * SLOW)  # nothing more is on its way
    await alerts.alert_missed(BotContext(world.app))
    await asyncio.sleep(3 * SLOW)
    assert {chat: len(_alerts_to(world, chat, offer.number)) for chat in chats} == dict.fromkeys(
        chats, 1
    )

    await coordinators[0].press("✋ Ambil penjemputan ini")
    assert (await offers.get(world.db, offer.id)).taker_id == (
        await people.by_telegram_id(world.db, chats[0])
    ).id
    taken = said("Offer {number} was taken by another coordinator.").format(number=offer.number)
    await _until(lambda: all(_alerts_to(world, chat, offer.number)[0].edits for chat in chats[1:]))
    assert {chat: _alerts_to(world, chat, offer.number)[0].text for chat in chats[1:]} == (
        dict.fromkeys(chats[1:], taken)
    )


async def test_the_alert_task_writes_nothing_under_the_farmers_update(world, market):  # noqa: F811
    """Background work runs in a fresh context: its writes are not numbered as the update's
    (after /jual ✅ the table held (update, 0) = the offer and (update, 1) = the alerts)."""
    budi = market
    await _coordinator(world, 9101, "33.10")
    await budi.send("/jual")
    await budi.press("Gabah")
    await budi.send("1 ton")
    await budi.press("Besok")
    await budi.tap(HOME)
    await budi.press(YES_ID)
    saved = world.last_update_id
    rows = await world.db.fetchall(
        "SELECT seq, use_case FROM update_effects WHERE update_id = ? ORDER BY seq", (saved,)
    )
    assert [(r["seq"], r["use_case"]) for r in rows] == [(0, "storage.offers.create")]
    offer = await _offer_of(world, 701)
    assert len(await offers.alerts(world.db, offer.id)) == 1


async def test_a_dispute_reaches_every_reachable_administrator_once(world, market):  # noqa: F811
    """A dispute goes to the administrators through the outbox: one who blocked the bot is
    marked unreachable and the others still get it (the 403 ended the farmer's update with
    "an error" and the next administrators heard nothing); a replay sends nobody a second."""
    from domain.people import Role
    from tests.handlers.test_offtake_field import _picked_up
    from tests.handlers.test_staff_and_roles import _person_with_roles

    blocked = await _person_with_roles(world, 9201, [Role.ADMIN])
    told = await _person_with_roles(world, 9202, [Role.ADMIN])
    _, offer = await _picked_up(world, market)
    market.take_new()
    _blocked_by(world, 9201)  # the first administrator blocked the bot
    assert await market.press("⚠️ Tidak sesuai") == [
        said("The cooperative's administrators are told. They will call you.")
    ]
    assert len([t for t in told.texts() if offer.number in t]) == 1
    assert not any(offer.number in t for t in blocked.texts())
    assert not (await people.by_telegram_id(world.db, 9201)).reachable


async def test_the_morning_digest_run_twice_reaches_each_coordinator_once(world, market):  # noqa: F811
    """The 06:00 pickup digest goes through the outbox under its day and zone: run again
    (after a crash half-way, a restart), nobody gets it twice."""
    from datetime import date as Date

    from handlers.pickup import schedule as pickup
    from tests.handlers.test_offtake_field import _offer_gabah

    sari = await _coordinator(world, 9301, "33.10")
    await _offer_gabah(market)
    offer = await _offer_of(world, 701)
    await sari.press("✋ Ambil penjemputan ini")
    await sari.press("📅 Jadwalkan penjemputan")
    await sari.press(sari.buttons()[-6])
    await sari.press("09.00–12.00")
    row = await world.db.fetchone("SELECT pickup_on FROM pickups WHERE offer_id = ?", (offer.id,))
    day = Date.fromisoformat(row["pickup_on"])
    context = BotContext(world.app)
    await pickup.send_digest(context, "Asia/Jakarta", day)
    await pickup.send_digest(context, "Asia/Jakarta", day)  # the job again, after a restart
    await world.outbox_sent()
    digests = [
        t for t in sari.texts() if offer.number in t and t.startswith("Penjemputan hari ini")
    ]
    assert len(digests) == 1, digests


async def test_the_maker_who_blocked_the_bot_does_not_stop_the_member_being_told(world):
    """The maker hears of the decision through the outbox: a 403 from them marks them
    unreachable and the member still hears of the withdrawal (it ended the update there)."""
    from tests.handlers.flows import YES_ID as YES
    from tests.handlers.test_savings_desk import _desk

    sri, _roster_id, tono, ani = await _desk(world)
    await tono.send("/tarik")
    await tono.send("SP-001")
    await tono.send("Rp100.000")
    await tono.press(YES)
    _blocked_by(world, tono.user_id)
    sri.take_new()
    assert (await ani.press("✅ Setujui"))[-1] == "Permintaan 1 disetujui."
    assert sri.take_new()[-1].startswith("Penarikan Rp100.000 dari simpanan sukarela Anda")
    assert not (await people.by_telegram_id(world.db, tono.user_id)).reachable


async def test_a_farmer_who_blocked_the_bot_does_not_leave_the_payer_stuck(world, market):  # noqa: F811
    """The farmer hears of the payment through the outbox: a 403 from them (they blocked the
    bot) no longer ends the payer's transfer conversation half-way, so the payer's next
    message is not taken as a transfer reference again."""
    from tests.handlers.test_offtake_field import _picked_up

    sari, offer = await _picked_up(world, market)
    _blocked_by(world, 701)
    await sari.press("🏦 Dibayar lewat transfer")
    assert (await sari.send("BRI 240915123456"))[0].startswith(
        f"Baik. {offer.number} sudah dibayar"
    )
    # the conversation ended: "halo" is just not understood, not a lost transfer reference
    (answer,) = await sari.send("halo")
    assert "/help" in answer and "/start" not in answer
    assert not (await people.by_telegram_id(world.db, 701)).reachable


async def test_a_farmer_who_blocked_the_bot_does_not_leave_the_coordinator_stuck(world, market):  # noqa: F811
    """The farmer hears of the pickup's day and gets the receipt through the outbox: a 403
    from them ended the coordinator's scheduling and weighing half-way (the next message
    was answered "your earlier answer was lost")."""
    from tests.handlers.test_offtake_field import _offer_gabah

    sari = await _coordinator(world, 9401, "33.10")
    await _offer_gabah(market)
    offer = await _offer_of(world, 701)
    await sari.press("✋ Ambil penjemputan ini")
    _blocked_by(world, 701)
    await sari.press("📅 Jadwalkan penjemputan")
    await sari.press(sari.buttons()[-6])
    assert offer.number in (await sari.press("09.00–12.00"))[0]
    (answer,) = await sari.send("halo")
    assert "/help" in answer and "/start" not in answer
    await sari.send("/jemput")
    await sari.press(f"⚖️ Timbang {offer.number}")
    await sari.press("GKP (gabah kering panen)")
    await sari.send("1.000 kg")
    assert offer.number in (await sari.press(YES_ID))[0]
    (answer,) = await sari.send("halo")
    assert "/help" in answer and "/start" not in answer
    assert not (await people.by_telegram_id(world.db, 701)).reachable
