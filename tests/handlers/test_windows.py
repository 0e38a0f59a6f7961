"""Buying windows, end to end through the real Application: a window fills from the offers
farmers confirm in /jual (one from outside its area does not count) and closes, its farmers
and its opener are told once; another closes short at its deadline and says so; /harga and
the /jual amount question show what the cooperative needs; coordinators see which need an
offer fills; /butuh closes one by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from bot.context import BotContext
from bot.i18n import format_date, use_locale
from domain import windows as rules
from domain.people import Role
from domain.windows import State
from handlers import windows as window_handlers
from handlers.kit import today
from storage import offers, orgs, outbox, people, prices, windows
from storage.db import now_utc
from tests.handlers.flows import register_farmer
from tests.handlers.test_staff_and_roles import _person_with_roles
from tests.texts import said

START = datetime(2025, 1, 1, tzinfo=UTC)
PLACES = {  # (province, regency, district, village): Kujon and Pokak in Klaten, Cirahab outside
    "Kujon": ("Jawa Tengah", "Klaten", "Ceper", "Kujon"),
    "Pokak": ("Jawa Tengah", "Klaten", "Ceper", "Pokak"),
    "Cirahab": ("Jawa Tengah", "Banyumas", "Lumbir", "Cirahab"),
}


async def _farmer(world, user_id: int, name: str, village: str):
    who = world.person(user_id, name)
    province, *place = PLACES[village]
    await register_farmer(
        who, name=name, phone=f"62812000{user_id:05d}", province=province, place=tuple(place)
    )
    who.take_new()
    return who


async def _sells(who, village: str, amount: str) -> list[str]:
    """/jual gabah (one grade bought here: no grade question) → amount → tomorrow → home."""
    replies = await who.send("/jual")
    replies += await who.send("gabah")
    replies += await who.send(amount)
    replies += await who.press("Besok")
    replies += await who.tap(f"🏠 Di desa saya, {village}")
    replies += await who.press("✅ Ya, simpan")
    return replies


async def _open(world, opener_id: int | None, target="5000", days=16, grade="GKP", area="33.10"):
    return await world.db.write(
        windows.open_window, org_id=1, commodity="gabah", grade=grade, area_prefix=area,
        target=Decimal(target), target_unit="ton", price_rupiah=6500,
        deadline=rules.deadline_of(date.today() + timedelta(days=days), "Asia/Jakarta"),
        opened_by=opener_id,
    )  # fmt: skip


async def _person_id(world, user_id: int) -> int:
    return (await people.by_telegram_id(world.db, user_id)).id


@pytest.fixture
async def market(world):
    await world.db.write(
        prices.set_price, commodity="gabah", grade="GKP", area_prefix="33", price_rupiah=6500,
        valid_from=START,
    )  # fmt: skip
    admin = await _person_with_roles(world, 950, [Role.ADMIN])
    andi = await _person_with_roles(world, 951, [Role.COORDINATOR])
    await world.db.write(offers.set_coverage, await _person_id(world, 951), ("33",))
    return admin, andi


def _day(window) -> str:
    return rules.last_day(window.deadline, "Asia/Jakarta")


async def test_a_window_fills_from_offers_closes_and_its_farmers_are_told(world, market):
    admin, andi = market
    window = await _open(world, await _person_id(world, 950))
    budi = await _farmer(world, 961, "Budi", "Kujon")
    sari = await _farmer(world, 962, "Sari", "Pokak")
    joko = await _farmer(world, 963, "Joko", "Cirahab")  # outside 33.10

    # the amount question says what the cooperative needs, in Indonesian, with its price
    await budi.send("/jual")
    question = (await budi.send("gabah"))[-1]
    until = _said_day(window)
    assert question.startswith(
        f"Koperasi sedang butuh 5 ton gabah, GKP (gabah kering panen) sampai {until}."
        f" Sudah terkumpul 0 ton (#{window.id}). Harga dijamin koperasi: Rp6.500 per kg.\n"
    ), question
    await budi.send("/cancel")

    await _sells(budi, "Kujon", "3 ton")
    await _sells(joko, "Cirahab", "3 ton")  # does not count: outside the area
    found = await windows.open_here(world.db, 1, "33.10.11.2005", "gabah", "GKP")
    assert [f.collected for f in found] == [Decimal(3000)]
    assert "Sudah terkumpul 3 ton" in (await sari.send("/harga"))[0]
    assert (await windows.get(world.db, window.id)).state == State.OPEN

    # the coordinator's alert says which need the offer fills; Joko's says nothing of it
    budi_offer = (await offers.of_farmer(world.db, await _person_id(world, 961)))[0]
    joko_offer = (await offers.of_farmer(world.db, await _person_id(world, 963)))[0]
    alerts = {m.text.splitlines()[0]: m.text for m in world.telegram.messages[951]}
    assert f"Untuk kebutuhan koperasi #{window.id}" in alerts[f"Tawaran baru {budi_offer.number}"]
    assert "kebutuhan" not in alerts[f"Tawaran baru {joko_offer.number}"]

    await _sells(sari, "Pokak", "25 kuintal")  # 3 + 2,5 ton: filled
    await world.outbox_sent()
    closed = await windows.get(world.db, window.id)
    assert closed.state == State.FILLED and closed.announced_at is not None
    for who, amount in ((budi, "3.000 kg"), (sari, "2.500 kg")):  # once each, in any order
        told = [t for t in who.texts() if t.startswith("Kebutuhan koperasi")]
        assert told == [
            f"Kebutuhan koperasi #{window.id} untuk 5 ton gabah, GKP (gabah kering panen) sudah"
            f" terpenuhi. {amount} dari Anda ikut di dalamnya. Terima kasih."
        ]
    assert not [t for t in joko.texts() if "Kebutuhan" in t]
    told = [t for t in admin.texts() if t.startswith(f"Kebutuhan #{window.id}")]
    assert len(told) == 1 and told[0].startswith(
        f"Kebutuhan #{window.id} sudah terpenuhi. Terkumpul 5,5 ton dari 5 ton"
    )
    for who in (budi, sari, joko, admin):
        who.take_new()

    # the job later, twice, and a restart: nobody is told again
    await window_handlers.close_windows(BotContext(world.app))
    await world.restart()
    await window_handlers.close_windows(BotContext(world.app))
    await world.outbox_sent()
    for who in (budi, sari, admin):  # (the morning prices may come: a restart catches up on them)
        assert not [t for t in who.take_new() if "Kebutuhan" in t]
    notices = await outbox.by_key(world.db, windows.announce_key(window.id))
    assert notices.total == 3  # two farmers and the opener

    # a later offer no longer counts toward it
    await _sells(budi, "Kujon", "1 ton")
    assert len(await windows.sellers(world.db, window.id)) == 2


async def test_a_window_past_its_deadline_closes_short_once_and_says_so(world, market):
    admin, _andi = market
    window = await _open(world, None, target="5000")  # the command line: administrators hear
    budi = await _farmer(world, 971, "Budi", "Kujon")
    await _sells(budi, "Kujon", "32 kuintal")
    assert (await windows.get(world.db, window.id)).state == State.OPEN

    await window_handlers.close_windows(BotContext(world.app))  # not yet due
    assert (await windows.get(world.db, window.id)).state == State.OPEN
    async with world.db.transaction() as conn:  # its day is over
        await conn.execute(
            "UPDATE buying_windows SET deadline = ? WHERE id = ?", (now_utc() - 60, window.id)
        )
    # the close commits, then the process dies before telling anyone
    closed = await world.db.write(windows.close_due)
    assert [w.state for w in closed] == [State.CLOSED_SHORT]
    await world.kill()
    for _run in range(2):  # the job after the restart, and once more
        await window_handlers.close_windows(BotContext(world.app))
    await world.outbox_sent()
    with_budi = [t for t in budi.take_new() if "ditutup kurang" in t]
    assert with_budi == [
        f"Kebutuhan koperasi #{window.id} untuk gabah, GKP (gabah kering panen) ditutup kurang"
        f" pada {_said_day(await windows.get(world.db, window.id))}. Terkumpul 3,2 ton dari 5 ton. Tawaran Anda 3.200 kg tetap"
        " berlaku."
    ]
    told_admin = [t for t in admin.take_new() if "ditutup kurang" in t]
    assert told_admin == [
        f"Kebutuhan #{window.id} ditutup kurang. Terkumpul 3,2 ton dari 5 ton gabah, GKP (gabah"
        " kering panen) dari 1 petani sampai batas waktu."
    ]
    assert (await outbox.by_key(world.db, windows.announce_key(window.id))).total == 2


def _said_day(window) -> str:
    with use_locale("id"):
        return format_date(_day(window), "Asia/Jakarta")


async def test_an_offer_withdrawn_stops_counting_and_the_weighed_one_replaces_it(world, market):
    window = await _open(world, None, target="5000")
    budi = await _farmer(world, 981, "Budi", "Kujon")
    await _sells(budi, "Kujon", "2 ton")
    await _sells(budi, "Kujon", "1 ton")
    mine = await offers.of_farmer(world.db, await _person_id(world, 981))
    assert await windows.collected(world.db, window.id) == 3000
    await world.db.write(offers.cancel, mine[0].id, await _person_id(world, 981))  # the 1 ton
    assert await windows.collected(world.db, window.id) == 2000
    async with world.db.transaction() as conn:  # weighed at 1.950 kg (as the scale found it)
        await conn.execute(
            "INSERT INTO pickups (offer_id, coordinator_id, pickup_on, window_start, window_end,"
            " scheduled_at, quantity, amount_rupiah, picked_up_at) VALUES (?, ?, ?, 8, 10, ?, ?, ?, ?)",
            (
                mine[1].id,
                await _person_id(world, 951),
                date.today().isoformat(),
                now_utc(),
                "1950",
                1950 * 6500,
                now_utc(),
            ),
        )
        await conn.execute("UPDATE offers SET status = 'picked_up' WHERE id = ?", (mine[1].id,))
    assert await windows.collected(world.db, window.id) == 1950
    budi.take_new()

    # the scale found far more than offered: the job closes the window filled before its day
    async with world.db.transaction() as conn:
        await conn.execute("UPDATE pickups SET quantity = '5000' WHERE offer_id = ?", (mine[1].id,))
    await window_handlers.close_windows(BotContext(world.app))
    await world.outbox_sent()
    assert (await windows.get(world.db, window.id)).state == State.FILLED
    assert [t for t in budi.take_new() if "sudah terpenuhi. 5.000 kg dari Anda" in t]


async def test_butuh_lists_the_windows_and_closes_one_of_its_own_cooperative_only(world, market):
    admin, _andi = market
    window = await _open(world, await _person_id(world, 950))
    budi = await _farmer(world, 991, "Budi", "Kujon")
    await _sells(budi, "Kujon", "1 ton")
    listing = (await admin.send("/butuh"))[0]
    assert f"#{window.id}: 1 ton dari 5 ton gabah" in listing
    assert budi.take_new() == []
    assert "/butuh" not in (await budi.send("/help"))[0]  # administrators only

    # a forged button for another cooperative's window is refused politely
    lain = await world.db.write(
        orgs.add, code="lain", name="KDKMP Lain", kind="kdkmp", parent_code=None, covers=("35",)
    )
    other = await world.db.write(
        windows.open_window, org_id=lain, commodity="gabah", grade="", area_prefix="35",
        target=Decimal(1000), target_unit="ton", price_rupiah=6500,
        deadline=now_utc() + 86400, opened_by=None,
    )  # fmt: skip
    sent = world.telegram.messages[950][-1]
    await admin.press_data(sent, f"btutup:{other.id}")
    assert (await windows.get(world.db, other.id)).state == State.OPEN

    await admin.press(f"✖ Tutup #{window.id} sekarang")
    assert (await windows.get(world.db, window.id)).state == State.CLOSED_SHORT
    await world.outbox_sent()
    assert [t for t in budi.take_new() if f"#{window.id}" in t and "ditutup kurang" in t]
    await admin.press_data(sent, f"btutup:{window.id}")  # pressed again: already closed
    assert (await windows.get(world.db, window.id)).state == State.CLOSED_SHORT
    assert said("This buying window is closed already.") in [
        c.params.get("text") for c in world.telegram.calls_of("answerCallbackQuery")
    ]


async def _klaten_admin(world, user_id: int):
    """An administrator of a village cooperative covering Kab. Klaten and Kab. Sukoharjo."""
    klaten = await world.db.write(
        orgs.add, code="klaten", name="KDKMP Klaten", kind="kdkmp", parent_code=None,
        covers=("33.10", "33.11"),
    )  # fmt: skip
    admin = await _person_with_roles(world, user_id, [Role.ADMIN])
    async with world.db.transaction() as conn:
        await conn.execute(
            "UPDATE people SET org_id = ? WHERE telegram_user_id = ?", (klaten, user_id)
        )
    return admin, klaten


async def test_an_administrator_opens_a_window_in_the_bot_and_farmers_fill_it(world, market):
    admin, klaten = await _klaten_admin(world, 1001)
    first = (await admin.send("/butuh"))[0]
    assert first == said(
        "Your cooperative has no open buying window. Tap ➕ Open a buying window to say what it needs."
    )
    assert (await admin.press("➕ Buka kebutuhan pembelian"))[-1].startswith(
        "Hasil panen apa yang dibutuhkan koperasi?"
    )
    await admin.send("gabah")  # typed: gabah has grades
    assert admin.buttons()[-1] == "Mutu apa saja"
    await admin.press("GKP (gabah kering panen)")
    await admin.press("Kabupaten Klaten")
    refused = await admin.send("banyak sekali")  # bad input: the reason and the question again
    assert refused[-1].startswith("Saya tidak bisa membaca jumlah itu.")
    assert "Berapa banyak gabah yang dibutuhkan koperasi?" in refused[-1]
    price_question = (await admin.send("5 ton"))[-1]
    assert price_question.startswith("Harga beli koperasi di sana sekarang: Rp6.500 per kg.")
    assert (await admin.send("0"))[-1].startswith("Ketik harga dalam rupiah")  # zero refused
    await admin.send("6.500")
    assert (await admin.send("20 Desember"))[0] == said(
        "I could not read that date. Type it as 2026-12-20."
    )
    last_day = today("Asia/Jakarta") + timedelta(days=14)  # where the cooperative is
    with use_locale("id"):
        label = format_date(last_day, "Asia/Jakarta")
    summary = (await admin.press(label))[-1]
    assert "Hasil panen: Gabah, GKP (gabah kering panen)" in summary
    assert "Wilayah: Kabupaten Klaten" in summary and "Dibutuhkan: 5 ton" in summary
    assert "Harga: Rp6.500 per kg" in summary and f"Sampai: {label}" in summary
    saved = (await admin.press("✅ Ya, simpan"))[-1]
    (window,) = [p.window for p in await windows.of_org(world.db, klaten)]
    assert saved.startswith(f"Sudah disimpan: kebutuhan #{window.id}.")
    assert (window.commodity, window.grade, window.area_prefix, window.target, window.price_rupiah) == (
        "gabah", "GKP", "33.10", "5000", 6500,
    )  # fmt: skip
    assert rules.last_day(window.deadline, "Asia/Jakarta") == last_day
    assert window.opened_by == await _person_id(world, 1001)

    budi = await _farmer(world, 1002, "Budi", "Kujon")  # his village's cooperative: Klaten
    await _sells(budi, "Kujon", "5 ton")
    assert (await windows.get(world.db, window.id)).state == State.FILLED
    assert [t for t in admin.take_new() if t.startswith(f"Kebutuhan #{window.id} sudah terpenuhi")]


async def test_the_morning_prices_say_what_the_cooperative_needs_there(world, market):
    from handlers.prices import enqueue_digest
    from storage import subscriptions

    window = await _open(world, None)
    budi = await _farmer(world, 1011, "Budi", "Kujon")
    joko = await _farmer(world, 1012, "Joko", "Cirahab")  # outside the window's area
    for user_id in (1011, 1012):
        await world.db.write(subscriptions.subscribe, await _person_id(world, user_id), "gabah")
    assert await enqueue_digest(BotContext(world.app), "Asia/Jakarta", date(2026, 12, 5)) == 2
    await world.outbox_sent()
    (morning,) = budi.take_new()
    lines = morning.splitlines()
    assert lines[1].startswith("Gabah, GKP (gabah kering panen): Rp6.500 per kg")
    assert lines[2].startswith(
        f"Koperasi sedang butuh 5 ton gabah, GKP (gabah kering panen) sampai {_said_day(window)}."
    )
    assert lines[-1] == "Untuk menjual, kirim /jual."
    (elsewhere,) = joko.take_new()
    assert "butuh" not in elsewhere


async def test_the_dashboard_panel_shows_only_the_viewers_cooperatives(world, market):
    from storage import dashboard

    window = await _open(world, None)  # the root's
    _admin, klaten = await _klaten_admin(world, 1021)
    theirs = await world.db.write(
        windows.open_window, org_id=klaten, commodity="jagung", grade="", area_prefix="33.10",
        target=Decimal(2000), target_unit="ton", price_rupiah=5500,
        deadline=now_utc() + 86400, opened_by=None,
    )  # fmt: skip
    budi = await _farmer(world, 1022, "Budi", "Kujon")  # Klaten's farmer now
    await world.db.write(
        prices.set_price, commodity="jagung", grade="-", area_prefix="33",
        price_rupiah=5500, valid_from=START,
    )  # fmt: skip
    await budi.send("/jual")
    await budi.send("jagung")
    await budi.send("1,5 ton")
    await budi.press("Besok")
    await budi.tap("🏠 Di desa saya, Kujon")
    await budi.press("✅ Ya, simpan")

    scope = dashboard.Scope((klaten,), "id", "Asia/Jakarta", now_utc())
    rows = await dashboard.rows(world.db, "windows", scope)
    assert rows == [{
        "number": theirs.number, "commodity": "Jagung", "area": "33.10", "state": "open",
        "target": 2000, "collected": 1500, "price": 5500,
        "deadline": rules.last_day(theirs.deadline, "Asia/Jakarta").isoformat(),
    }]  # fmt: skip
    everyone = dashboard.Scope((1, klaten), "id", "Asia/Jakarta", now_utc())
    numbers = {r["number"] for r in await dashboard.rows(world.db, "windows", everyone)}
    assert numbers == {window.number, theirs.number}
    assert (
        await dashboard.rows(world.db, "windows", dashboard.Scope((), "id", "Asia/Jakarta", 0))
        == []
    )


async def test_a_farmer_who_reads_english_is_told_in_english(world, market):
    window = await _open(world, None, target="1000")
    mary = world.person(1031, "Mary", "en")
    await register_farmer(mary, name="Mary Wijaya", phone="6281200001031", language="English")
    mary.take_new()
    await mary.send("/jual")
    question = (await mary.send("gabah"))[-1]
    assert question.startswith("The cooperative needs 1 ton unhusked rice, GKP")
    await mary.send("1 ton")
    await mary.press("Tomorrow")
    await mary.tap("🏠 In my village, Kujon")
    await mary.press("✅ Yes, save")
    await world.outbox_sent()
    assert (await windows.get(world.db, window.id)).state == State.FILLED
    (told,) = [t for t in mary.texts() if t.startswith("The cooperative's need")]
    assert told.startswith(f"The cooperative's need #{window.id} for 1 ton unhusked rice")
    assert "is filled. Your 1,000 kg is part of it." in told


async def test_jemput_says_which_need_each_offer_fills(world, market):
    """/jemput (and the offer's 🔎 Details) shows "Untuk kebutuhan koperasi #N" on the offer
    that counts toward a window, not on the one outside its area."""
    _admin, andi = market
    window = await _open(world, await _person_id(world, 950))
    budi = await _farmer(world, 1041, "Budi", "Kujon")
    joko = await _farmer(world, 1042, "Joko", "Cirahab")  # outside 33.10: counts toward none
    await _sells(budi, "Kujon", "2 ton")
    await _sells(joko, "Cirahab", "1 ton")
    numbers, ids = {}, {}
    for user_id, who in ((1041, "budi"), (1042, "joko")):
        offer = (await offers.of_farmer(world.db, await _person_id(world, user_id)))[0]
        numbers[who], ids[who] = offer.number, offer.id
        alert = next(
            m
            for m in world.telegram.messages[951]
            if m.text.startswith(f"Tawaran baru {offer.number}")
        )
        take = next(b["callback_data"] for row in alert.reply_markup["inline_keyboard"] for b in row
                    if b["text"] == "✋ Ambil penjemputan ini")  # fmt: skip
        await andi.press_data(alert, take)
    assert await windows.windows_of_offers(world.db, []) == {}

    listing = (await andi.send("/jemput"))[0].splitlines()
    budi_at = next(i for i, line in enumerate(listing) if line.startswith(numbers["budi"]))
    assert any(line.startswith(numbers["joko"]) for line in listing)  # listed all the same
    need = f"   Untuk kebutuhan koperasi #{window.id}"
    assert listing[budi_at + 1] == need  # under Budi's offer, the need it fills
    assert [line for line in listing if "kebutuhan" in line] == [need]  # Joko's: nothing

    details = {}
    for who in ("budi", "joko"):  # the taker opens the offer's card
        sent = world.telegram.messages[951][-1]
        details[who] = (await andi.press_data(sent, f"rinci:{ids[who]}"))[-1]
    assert f"Untuk kebutuhan koperasi #{window.id}" in details["budi"]
    assert "kebutuhan" not in details["joko"]


@pytest.mark.parametrize(("language", "state"), [("id", "ditutup kurang"), ("en", "closed short")])
async def test_the_dashboard_panel_says_the_state_in_the_viewers_language(
    world, market, language, state
):
    import httpx

    from bot.web.dashboard import dashboard_routes
    from bot.web.initdata import sign_init_data
    from bot.web.server import start_web_server

    admin, _andi = market
    window = await _open(world, None)
    await world.db.write(windows.close, window.id, None, None)  # nothing offered: closed short
    async with world.db.transaction() as conn:
        await conn.execute(
            "UPDATE people SET language = ? WHERE telegram_user_id = 950", (language,)
        )
    token = "123456:dashboard-test"
    server = await start_web_server(dashboard_routes(world.db, token), listen="127.0.0.1", port=0)
    try:
        data = sign_init_data(
            token, {"id": 950, "first_name": "A"}, auth_date=int(datetime.now(UTC).timestamp())
        )
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as client:
            headers = {"Authorization": f"tma {data}"}
            found = (await client.get("/dasbor/api/panel/windows", headers=headers)).json()
            sheet = (await client.get("/dasbor/api/panel/windows.csv", headers=headers)).text
    finally:
        await server.stop()
    assert [r["state"] for r in found["rows"]] == ["closed_short"]  # the code, for sorting
    assert [r["state"] for r in found["display"]] == [state]
    assert f",{state}," in sheet and "closed_short" not in sheet
