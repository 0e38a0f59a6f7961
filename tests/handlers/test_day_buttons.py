"""Day buttons carry the date their label shows: a press after midnight books the day the
person saw, a summary confirmed after midnight saves the day it showed, and a day gone by is
refused with the question again (the farmer's offer, the coordinator's schedule, the farmer
asking for another day)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import format_date, use_locale
from handlers import kit
from storage import offers, people
from tests.handlers.flows import YES_ID, register_farmer
from tests.handlers.test_offer import _coordinator, _prices
from tests.handlers.test_offtake_field import HOME, _offer_of
from tests.texts import said

JAKARTA = ZoneInfo("Asia/Jakarta")
PASSED = said("That day has already passed. Please pick the day again.")


class Clock:
    def __init__(self) -> None:
        self.day = datetime.now(JAKARTA).date()
        self.at = datetime.combine(self.day, time(23, 59), JAKARTA)

    def __call__(self) -> datetime:
        return self.at

    def past_midnight(self) -> None:
        self.at = datetime.combine(self.day + timedelta(days=1), time(0, 1), JAKARTA)


@pytest.fixture
async def market(world):
    await _prices(world)  # gabah GKP in Jawa Tengah
    budi = world.person(701, "Budi")
    await register_farmer(budi)  # Desa Kujon, Kec. Ceper, Kab. Klaten
    return budi


@pytest.fixture
def clock(monkeypatch):
    found = Clock()
    monkeypatch.setattr(kit, "clock", found)
    return found


def _shown(day: date) -> str:
    with use_locale("id"):
        return format_date(day)


async def _to_the_day_question(budi):
    await budi.send("/jual")
    await budi.press("Gabah")
    await budi.send("1 ton")


async def test_tomorrow_pressed_after_midnight_is_the_day_the_label_showed(world, market, clock):
    budi = market
    await _to_the_day_question(budi)  # at 23:59: "Besok" is the next day
    clock.past_midnight()
    await budi.press("Besok")
    summary = (await budi.tap(HOME))[-1]
    tomorrow = clock.day + timedelta(days=1)
    assert f"Siap dijemput: {_shown(tomorrow)}" in summary
    await budi.press(YES_ID)
    assert (await _offer_of(world, 701)).ready_on == tomorrow.isoformat()


async def test_a_summary_confirmed_after_midnight_saves_the_day_it_showed(world, market, clock):
    budi = market
    await _to_the_day_question(budi)
    await budi.press("Besok")
    summary = (await budi.tap(HOME))[-1]
    tomorrow = clock.day + timedelta(days=1)
    assert f"Siap dijemput: {_shown(tomorrow)}" in summary
    clock.past_midnight()  # "Besok" is now today: the day shown is kept
    await budi.press(YES_ID)
    assert (await _offer_of(world, 701)).ready_on == tomorrow.isoformat()


async def test_today_confirmed_after_midnight_is_refused_and_asked_again(world, market, clock):
    budi = market
    await _to_the_day_question(budi)
    await budi.press("Hari ini")
    await budi.tap(HOME)
    clock.past_midnight()
    replies = await budi.press(YES_ID)
    assert replies[-2:] == [PASSED, said("When is it ready for pickup?")]
    farmer = await people.by_telegram_id(world.db, 701)
    assert await offers.of_farmer(world.db, farmer.id) == []
    await budi.press("Hari ini")  # the new today
    summary = (await budi.tap(HOME))[-1]
    assert f"Siap dijemput: {_shown(clock.day + timedelta(days=1))}" in summary


async def test_a_day_pressed_after_it_passed_is_refused_and_asked_again(world, market, clock):
    budi = market
    await _to_the_day_question(budi)
    clock.past_midnight()
    replies = await budi.press("Hari ini")  # shown at 23:59: yesterday by now
    assert replies[-2:] == [PASSED, said("When is it ready for pickup?")]
    assert budi.buttons()[-7] == said("Today")


async def _schedule_keyboard(world, budi):
    sari = await _coordinator(world, 751, "33.10")
    await budi.send("/jual")
    await budi.press("Gabah")
    await budi.send("1 ton")
    await budi.press("Besok")
    await budi.tap(HOME)
    await budi.press(YES_ID)
    offer = await _offer_of(world, 701)
    await sari.press("✋ Ambil penjemputan ini")
    await sari.press("📅 Jadwalkan penjemputan")
    return sari, offer


async def test_the_coordinator_schedules_the_day_the_label_showed(world, market, clock):
    sari, offer = await _schedule_keyboard(world, market)
    tomorrow = clock.day + timedelta(days=1)
    clock.past_midnight()
    await sari.press(_shown(tomorrow))
    await sari.press("09.00–12.00")
    pickup = await world.db.fetchone(
        "SELECT pickup_on FROM pickups WHERE offer_id = ?", (offer.id,)
    )
    assert pickup["pickup_on"] == tomorrow.isoformat()


async def test_the_coordinator_is_asked_again_for_a_day_gone_by(world, market, clock):
    sari, offer = await _schedule_keyboard(world, market)
    await sari.press(_shown(clock.day))  # today, at 23:59
    clock.past_midnight()
    replies = await sari.press("09.00–12.00")
    assert replies[-2:] == [PASSED, said("Which day will you pick it up?")]
    assert await world.db.fetchone("SELECT * FROM pickups WHERE offer_id = ?", (offer.id,)) is None
    assert sari.buttons()[-7] == _shown(clock.day + timedelta(days=1))


async def test_the_farmer_asking_for_another_day_is_asked_again_for_a_day_gone_by(
    world, market, clock
):
    budi = market
    sari, offer = await _schedule_keyboard(world, budi)
    await sari.press(_shown(clock.day + timedelta(days=2)))
    await sari.press("09.00–12.00")
    await budi.press("🔁 Minta hari lain")  # at 23:59: today first
    clock.past_midnight()
    replies = await budi.press(_shown(clock.day))
    assert replies[-2] == PASSED
    assert replies[-1].startswith("Hari apa yang lebih cocok")
    assert budi.buttons()[-7] == _shown(clock.day + timedelta(days=1))
    pickup = await world.db.fetchone(
        "SELECT requested_on FROM pickups WHERE offer_id = ?", (offer.id,)
    )
    assert pickup["requested_on"] is None
