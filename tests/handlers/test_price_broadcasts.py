"""The morning price digest (one message per person, in their zone and language, queued once
per day and zone) and a price change told now to the subscribers of its area."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime, timedelta

from bot.context import BotContext
from domain.people import Role
from handlers.prices import enqueue_digest
from storage import outbox, people, subscriptions
from tests.handlers.flows import YES_ID, register_farmer
from tests.handlers.test_offer import _prices
from tests.handlers.test_staff_and_roles import _person_with_roles


async def _done(world, key, within=10.0):
    deadline = time.monotonic() + within
    while True:
        found = await outbox.by_key(world.db, key)
        if found and found.status == "done":
            return found
        assert time.monotonic() < deadline, (
            await outbox.rows_of(world.db, found.id) if found else key
        )
        await asyncio.sleep(0.02)


async def _farmer(
    world, user_id, commodities, place=("Klaten", "Ceper", "Kujon"), province="Jawa Tengah"
):
    who = world.person(user_id, "Budi")
    await register_farmer(who, phone=f"62812000{user_id:05d}", place=place, province=province)
    person = await people.by_telegram_id(world.db, user_id)
    for code in commodities:
        await world.db.write(subscriptions.subscribe, person.id, code)
    who.take_new()
    return who


def test_the_digest_runs_at_the_digest_time_in_each_zone(world):
    jobs = {job.name: job for job in world.app.job_queue.jobs()}
    utc = {
        zone: jobs[f"price-digest-{zone}"].next_t.astimezone(UTC).time()
        for zone in ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
    }
    assert [t.hour for t in utc.values()] == [23, 22, 21]  # 06:00 WIB, WITA, WIT
    wit = jobs["price-digest-Asia/Jayapura"].next_t
    assert (wit.astimezone(UTC) + timedelta(hours=9)).hour == 6  # 21:00 UTC the day before


async def test_one_digest_message_per_person_in_their_zone_queued_once(world):
    await _prices(world)
    budi = await _farmer(world, 1201, ["gabah", "cabai_merah"])
    sari = await _farmer(world, 1202, ["gabah"])
    bali = await _farmer(
        world, 1203, ["gabah"], place=("Gianyar", "Ubud", "Peliatan"), province="Bali"
    )
    nobody = await _farmer(world, 1204, [])
    context = BotContext(world.app)
    day = date(2026, 11, 29)

    assert await enqueue_digest(context, "Asia/Jakarta", day) == 2
    await _done(world, f"digest:{day.isoformat()}:Asia/Jakarta")
    mine = budi.take_new()
    assert len(mine) == 1
    lines = mine[0].splitlines()
    assert lines[0] == "Harga koperasi hari ini di Kujon, Minggu, 29 November 2026:"
    assert lines[1].startswith("Cabai merah, Mutu A: Rp32.000 per kg")
    assert lines[4].startswith("Gabah, GKP")  # three grades of chilli, then gabah: four
    assert len(lines) == 6
    assert lines[-1] == "Untuk menjual, kirim /jual."
    assert len(lines) <= 7
    assert budi.buttons()[-1] == "🔕 Jangan kirim harga pagi lagi"
    assert sari.take_new()[0].splitlines()[1].startswith("Gabah, GKP (gabah kering panen): Rp6.500")
    assert bali.take_new() == [] and nobody.take_new() == []

    assert await enqueue_digest(context, "Asia/Jakarta", day) == 0  # a job run again: nothing
    await asyncio.sleep(0.1)
    assert budi.take_new() == []
    # the one-tap stop under the digest
    await budi.press("🔕 Jangan kirim harga pagi lagi")
    assert (
        await subscriptions.of_person(world.db, (await people.by_telegram_id(world.db, 1201)).id)
        == []
    )
    assert await enqueue_digest(context, "Asia/Makassar", day) == 0  # Bali: no gabah price there


async def test_an_administrator_tells_a_new_price_to_its_area_now(world):
    await _prices(world)
    budi = await _farmer(world, 1211, ["gabah"])
    bali = await _farmer(
        world, 1212, ["gabah"], place=("Gianyar", "Ubud", "Peliatan"), province="Bali"
    )
    admin = await _person_with_roles(world, 1213, [Role.ADMIN])
    await admin.send("/setharga")
    await admin.press("💰 Harga beli koperasi")
    await admin.send("gabah")
    await admin.press("GKP (gabah kering panen)")
    await admin.send("7.000")
    saved = await admin.press(YES_ID)
    assert saved[-1].startswith("Sudah disimpan. Petani di semua wilayah sekarang melihat Rp7.000")
    replies = await admin.press("📣 Kirim ke pelanggan sekarang")
    # Budi's Jawa Tengah has its own price, which still holds there: only Bali is told
    # (the sender's progress message may come before or after this answer: timing)
    assert "Sedang dikirim ke 1 pelanggan. Pesan di bawah menunjukkan perkembangannya." in replies
    found = await outbox.active(world.db) or []
    key = "price:" + str((await world.db.fetchone("SELECT MAX(id) AS id FROM buying_prices"))["id"])
    await _done(world, key)
    assert budi.take_new() == []
    told = bali.take_new()[-1]
    assert told.startswith("Harga koperasi baru mulai ")
    assert "Gabah, GKP (gabah kering panen): Rp7.000 per kg (" in told and "HPP Rp6.500" in told
    assert "💰 Jual gabah dengan harga ini" in bali.buttons()
    assert found is not None
    # pressed again: the same broadcast, nobody told twice
    sent = world.telegram.messages[1213][-3]
    await admin.press_data(sent, f"kabar:{key.split(':')[1]}")
    await asyncio.sleep(0.2)
    assert bali.take_new() == []
    assert datetime.now(UTC).year >= 2026


async def test_a_digest_the_bot_was_down_for_goes_out_at_start_once(world):
    from datetime import time as clock

    from handlers.prices import catch_up_digests

    await _prices(world)
    budi = await _farmer(world, 1221, ["gabah"])
    context = BotContext(world.app)
    six = clock(6, 0)
    # 05:59 WIB is 06:59 WITA and 07:59 WIT: those two are due, Jakarta not yet
    early = datetime(2026, 11, 28, 22, 59, tzinfo=UTC)
    assert await catch_up_digests(context, early, six) == ["Asia/Makassar", "Asia/Jayapura"]
    assert budi.take_new() == []  # a WIB farmer
    queued = await catch_up_digests(context, datetime(2026, 11, 29, 0, 30, tzinfo=UTC), six)
    assert queued == ["Asia/Jakarta"]  # 07:30 WIB; the others were queued already
    await _done(world, "digest:2026-11-29:Asia/Jakarta")
    assert len(budi.take_new()) == 1
    assert await catch_up_digests(context, datetime(2026, 11, 29, 1, 0, tzinfo=UTC), six) == []
    # more than six hours late: tomorrow's will come instead
    assert await catch_up_digests(context, datetime(2026, 11, 30, 6, 0, tzinfo=UTC), six) == []


def test_the_digest_time_is_kept_in_the_database(tmp_path, monkeypatch, capsys):
    from bot.cli import main
    from tests.harness import World

    for key in ("TELEGRAM_BOT_TOKEN", "KOPERASI_DB_PATH", "KOPERASI_DIGEST_TIME"):
        monkeypatch.delenv(key, raising=False)
    db_path = str(tmp_path / "k.sqlite3")
    cli = ["--env-file", "/nonexistent.env", "--db", db_path, "schedule", "digest"]
    assert main([*cli, "5.30"]) == 0
    assert main([*cli, "25:00"]) == 2
    assert main(cli) == 0
    assert "price digest: 05:30 in each person's zone (set)" in capsys.readouterr().out

    async def registered() -> int:
        world = await World(db_path).start()
        try:
            job = next(
                j for j in world.app.job_queue.jobs() if j.name == "price-digest-Asia/Jakarta"
            )
            return job.next_t.astimezone(UTC).hour * 60 + job.next_t.astimezone(UTC).minute
        finally:
            await world.stop()

    assert asyncio.run(registered()) == 22 * 60 + 30  # 05:30 WIB
