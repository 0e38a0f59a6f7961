"""The demo's seed (bot.cli.demo_seed): a year of three organisations written through the
bot's own use cases. The facts the demo and the dashboard show are there, the ledger's
chain holds, and the seeded people are registered users the real bot answers."""

from __future__ import annotations

import argparse
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date as babel_date

from bot.cli import demo_seed
from bot.cli.audit import audit_command
from bot.cli.demo_seed import CAST, DemoPerson, demo_cast, seed_demo
from domain import regions
from domain.ledger import SavingsKind, farmer_receivable
from domain.people import normalise_phone
from domain.savings import Month
from storage import ledger, offers, orgs, people, pickups, prices, savings
from storage.db import Database
from storage.migrate import migrate
from tests.handlers.flows import YES_ID

NOW = datetime(2026, 12, 3, 4, 0, tzinfo=UTC)  # Thursday 3 December 2026, 11:00 WIB
TODAY = NOW.astimezone(ZoneInfo(regions.WIB)).date()


async def _seeded(path) -> tuple[Database, tuple[DemoPerson, ...]]:
    db = await Database(str(path)).open()
    await migrate(db)
    return db, await seed_demo(db, now=NOW)


@pytest.fixture
async def seeded(tmp_path):
    db, cast = await _seeded(tmp_path / "demo.sqlite3")
    yield db, cast
    await db.close()


ROLE_WORDS = {
    "admin": "pengurus", "treasurer": "bendahara", "coordinator": "koordinator",
    "farmer": "petani", "member": "anggota koperasi", "keeper": "penjaga gudang", "chair": "ketua",
}  # fmt: skip


def _by_role(cast, role):
    return [p for p in cast if p.role == role]


async def _person(db, who: DemoPerson):
    return await people.by_telegram_id(db, who.user_id)


async def test_the_ledger_of_the_seed_verifies(seeded, capsys):
    db, _ = seeded
    args = argparse.Namespace(action="verify", anchor=None)
    assert await audit_command(args, None, db) == 0
    assert "ledger intact" in capsys.readouterr().out
    report = await ledger.examine(db)
    assert report.broken is None and report.entries > 150
    times = [r["at"] for r in await db.fetchall("SELECT at FROM ledger_entries ORDER BY id")]
    assert times == sorted(times) and times[-1] <= NOW.timestamp()  # in time order, none later


async def test_the_cast_are_registered_people_with_their_roles_and_organisations(seeded):
    db, cast = seeded
    assert cast == CAST
    assert len({p.user_id for p in cast}) == len(cast) == 19
    assert all(7_000_001 <= p.user_id < 7_001_000 for p in cast)
    assert Counter(p.role for p in cast) == {
        "admin": 3, "treasurer": 3, "coordinator": 1, "farmer": 5, "member": 4, "keeper": 1,
        "chair": 2,
    }  # fmt: skip
    assert [p.language for p in cast if p.language != "id"] == ["en"]
    assert _by_role(cast, "farmer")[3].language == "en"
    for who in cast:
        person = await _person(db, who)
        assert person is not None, who
        assert person.full_name == who.full_name
        assert person.phone == who.phone == normalise_phone(who.phone)
        assert person.language == who.language
        assert person.chat_id == who.user_id
        assert who.role in {r.value for r in person.roles}
        assert (await orgs.by_id(db, person.org_id)).code == who.org_slug
        assert ROLE_WORDS[who.role] in who.title  # the switcher says who they are
    for farmer in _by_role(cast, "farmer"):
        village = (await _person(db, farmer)).village_code
        assert regions.within(village, demo_seed.CEPER) and regions.region(village) is not None
    # the treasurers are members too (the roster's import linked them by phone)
    for treasurer in _by_role(cast, "treasurer")[:2]:  # Bekasi's
        assert {"treasurer", "member"} <= {r.value for r in (await _person(db, treasurer)).roles}


async def test_the_organisation_tree_with_coverage_and_addresses(seeded):
    db, _ = seeded
    tree = {node.code: (depth, node) for depth, node in await orgs.tree(db)}
    assert tree["pusat"][1].name == "Federasi Koperasi Serikat Pekerja"
    bekasi, klaten = tree[demo_seed.BEKASI], tree[demo_seed.KLATEN]
    assert bekasi[0] == klaten[0] == 1
    assert (bekasi[1].kind, klaten[1].kind) == ("coop_primary", "kdkmp")
    assert await orgs.coverage(db, bekasi[1].id) == ["32.16", "32.75"]
    assert await orgs.coverage(db, klaten[1].id) == ["33.10.11"]
    assert bekasi[1].address and "Bekasi" in bekasi[1].address
    assert klaten[1].address and "Klaten" in klaten[1].address
    assert await orgs.for_village(db, "33.10.11.2004") == klaten[1].id


async def test_savings_a_year_of_payroll_and_desk_with_members_behind(seeded):
    db, cast = seeded
    org = (await orgs.by_code(db, demo_seed.BEKASI)).id
    balances = {b.member.member_number: b for b in await savings.member_balances(db, org)}
    assert len(balances) == 12
    assert all(b.savings[SavingsKind.POKOK] == 100_000 for b in balances.values())
    siti = balances["KKB-0001"]
    assert siti.member.person_id == (await _person(db, cast[4])).id
    # wajib 13 months (joined a year ago, this month included); sukarela less one withdrawal
    assert siti.savings.by_kind == {
        SavingsKind.POKOK: 100_000, SavingsKind.WAJIB: 650_000, SavingsKind.SUKARELA: 3_150_000,
    }  # fmt: skip
    this_month = Month.of(TODAY)
    owed = {
        number: (await savings.tagihan(db, b.member.id, this_month)).owed
        for number, b in balances.items()
    }
    assert {n: o for n, o in owed.items() if o} == {
        "KKB-0002": 100_000, "KKB-0003": 50_000, "KKB-0004": 150_000,
    }  # fmt: skip
    withdrawals = await db.fetchall(
        "SELECT maker_id, checker_id, status, amount FROM savings_requests"
    )
    treasurers = [(await _person(db, p)).id for p in _by_role(cast, "treasurer")[:2]]
    assert [tuple(r) for r in withdrawals] == [(*treasurers, "approved", 750_000)]
    batches = await db.fetchall("SELECT reference, recorded_at FROM savings_batches ORDER BY id")
    assert len(batches) == 13 and batches[-1]["reference"].endswith(str(this_month))
    assert batches[0]["recorded_at"] < (NOW - timedelta(days=360)).timestamp()


async def test_prices_three_months_of_weekly_versions_beside_hpp_and_market(seeded):
    db, _ = seeded
    history = await prices.history(db, "gabah", "GKP")
    buying = [p for p in history if p.area_prefix == demo_seed.CEPER]
    assert len(buying) == demo_seed.HISTORY_WEEKS
    span = max(p.valid_from for p in buying) - min(p.valid_from for p in buying)
    assert span >= 90 * 86_400
    assert min(p.valid_from for p in buying) <= (NOW - timedelta(days=90)).timestamp()
    assert all(6_500 <= p.price_rupiah <= 7_200 for p in buying)
    kujon = "33.10.11.2004"
    at = int(NOW.timestamp())
    hpp = await prices.price_in_force(db, "gabah", "GKP", kujon, at, prices.REFERENCE)
    market = await prices.price_in_force(db, "gabah", "GKP", kujon, at, prices.MARKET)
    now = await prices.price_in_force(db, "gabah", "GKP", kujon, at)
    assert hpp.price_rupiah == 6_500 and now.price_rupiah >= hpp.price_rupiah
    assert market.price_rupiah > now.price_rupiah
    for commodity, grade in (("cabai_merah", "A"), ("cabai_merah", "C"), ("jagung", "-")):
        assert await prices.price_in_force(db, commodity, grade, kujon, at), (commodity, grade)
    series = await prices.series(db, "gabah", "GKP", kujon, TODAY - timedelta(days=90), TODAY)
    assert all(day.price_rupiah for day in series)  # the 90-day chart has a line all along


async def test_offtake_purchases_paid_and_owed_an_open_offer_and_a_scheduled_pickup(seeded):
    db, cast = seeded
    rows = await db.fetchall("SELECT id, status FROM offers ORDER BY id")
    status = Counter(r["status"] for r in rows)
    assert status["open"] == 1 and status["scheduled"] == 1
    assert status["paid"] >= 8 and status["picked_up"] >= 2
    wulan = await _person(db, cast[13])
    waiting = await offers.get(db, next(r["id"] for r in rows if r["status"] == "open"))
    assert (waiting.farmer_id, waiting.taker_id, waiting.commodity) == (
        wulan.id,
        None,
        "cabai_merah",
    )
    assert waiting.created_at > (NOW - timedelta(hours=12)).timestamp()
    joko = await _person(db, cast[9])
    scheduled = [
        (o, p)
        for o, p in await pickups.of_coordinator(db, joko.id)
        if o.status.value == "scheduled"
    ]
    assert len(scheduled) == 1
    offer, pickup = scheduled[0]
    assert offer.farmer_id == (await _person(db, cast[10])).id
    assert pickup.pickup_on == (TODAY + timedelta(days=1)).isoformat()
    assert (pickup.window_start, pickup.window_end) == (6, 9)
    proxy = [await offers.get(db, r["id"]) for r in rows]
    proxy = [o for o in proxy if o.entered_by is not None]
    assert [(o.entered_by, o.status.value) for o in proxy] == [(joko.id, "paid")]
    entered_for = await people.by_id(db, proxy[0].farmer_id)
    assert entered_for.telegram_user_id is None and "farmer" in {r.value for r in entered_for.roles}
    # owed to farmers: the payable accounts hold exactly the unpaid receipts' net amounts
    unpaid = [await pickups.get(db, r["id"]) for r in rows if r["status"] == "picked_up"]
    farmers = {r["farmer_id"] for r in await db.fetchall("SELECT farmer_id FROM offers")}
    from domain import ledger as L

    owed = await ledger.balances(db, [L.farmer_payable(f) for f in farmers])
    assert sum(abs(v) for v in owed.values()) == sum(p.net_rupiah for p in unpaid) > 0
    # the purchases span several weeks, and gabah paid its transport deduction
    days = {
        date.fromisoformat(r["pickup_on"])
        for r in await db.fetchall("SELECT pickup_on FROM pickups WHERE picked_up_at IS NOT NULL")
    }
    assert (max(days) - min(days)).days >= 28
    gabah = await db.fetchall(
        "SELECT p.deductions_rupiah FROM pickups p JOIN offers o ON o.id = p.offer_id"
        " WHERE o.commodity = 'gabah' AND p.picked_up_at IS NOT NULL"
    )
    assert gabah and all(r["deductions_rupiah"] > 0 for r in gabah)
    # Klaten adopted the government's rafaksi table three weeks ago: gabah weighed since
    # carries its readings and, below the full-price quality, the cut
    measured = await db.fetchall(
        "SELECT p.moisture, p.cut_rupiah, p.price_rupiah + p.cut_rupiah AS locked FROM pickups p"
        " JOIN offers o ON o.id = p.offer_id WHERE o.commodity = 'gabah' AND p.picked_up_at IS NOT NULL"
        " AND p.moisture IS NOT NULL"
    )
    assert 0 < len(measured) < len(gabah)
    assert any(r["cut_rupiah"] > 0 for r in measured)
    assert all(r["cut_rupiah"] in (0, 300, 425, 750) for r in measured)


async def test_a_price_digest_was_delivered_to_the_subscribed_farmers(seeded):
    db, cast = seeded
    rows = await db.fetchall(
        "SELECT b.kind, b.status, b.total, o.state, o.person_id, o.message_id FROM broadcasts b"
        " JOIN outbox o ON o.broadcast_id = b.id"
    )
    farmers = {(await _person(db, p)).id for p in _by_role(cast, "farmer")}
    assert {r["person_id"] for r in rows} == farmers
    assert {(r["kind"], r["status"], r["state"]) for r in rows} == {
        ("price_digest", "done", "sent")
    }
    assert all(r["message_id"] for r in rows)
    assert await db.fetchone("SELECT 1 FROM outbox WHERE state IN ('queued', 'sending')") is None


async def test_the_seed_is_the_same_every_time_and_only_on_a_fresh_database(seeded, tmp_path):
    db, _ = seeded
    other, _ = await _seeded(tmp_path / "again.sqlite3")
    try:
        assert (await ledger.examine(other)).last_hash == (await ledger.examine(db)).last_hash
    finally:
        await other.close()
    with pytest.raises(ValueError, match="fresh"):
        await seed_demo(db, now=NOW)


async def test_demo_cast_finds_the_same_people_again(seeded, tmp_path):
    db, cast = seeded
    assert await demo_cast(db) == cast
    empty = await Database(str(tmp_path / "empty.sqlite3")).open()
    try:
        await migrate(empty)
        with pytest.raises(LookupError):
            await demo_cast(empty)
    finally:
        await empty.close()


# --- the real bot answers the seeded people --------------------------------------------------


@pytest.fixture
async def demo_world(world):
    await seed_demo(world.db, now=datetime.now(UTC))
    return world


def _chat(world, who: DemoPerson):
    return world.person(who.user_id, who.first_name, who.language)


async def test_a_seeded_farmer_sees_the_seeded_price_beside_hpp(demo_world):
    darto = CAST[10]
    price = await prices.price_in_force(
        demo_world.db, "gabah", "GKP", "33.10.11.2004", datetime.now(UTC)
    )
    lines = (await _chat(demo_world, darto).send("/harga"))[0].splitlines()
    assert lines[0].startswith("Harga beli koperasi di Kujon")
    gkp = next(line for line in lines if line.startswith("Gabah, GKP"))
    shown = f"Rp{price.price_rupiah:,}".replace(",", ".")
    assert f": {shown} per kg" in gkp and "HPP Rp6.500" in gkp and "pasar Rp" in gkp


async def test_a_seeded_member_sees_the_seeded_balances(demo_world):
    lines = (await _chat(demo_world, CAST[4]).send("/saldo"))[0].splitlines()
    assert "Koperasi Karyawan Sejahtera Bekasi" in lines[0]
    assert lines[1:5] == [
        "Simpanan pokok: Rp100.000",
        "Simpanan wajib: Rp650.000",
        "Simpanan sukarela: Rp3.150.000",
        "Total: Rp3.900.000",
    ]


async def test_the_seeded_coordinator_lists_the_scheduled_pickup(demo_world):
    joko = await people.by_telegram_id(demo_world.db, CAST[9].user_id)
    offer, _ = next(
        (o, p)
        for o, p in await pickups.of_coordinator(demo_world.db, joko.id)
        if o.status.value == "scheduled"
    )
    listing = (await _chat(demo_world, CAST[9]).send("/jemput"))[0]
    assert f"{offer.number}: 1.500 kg gabah" in listing
    tomorrow = datetime.now(ZoneInfo(regions.WIB)).date() + timedelta(days=1)
    assert babel_date(tomorrow, "d MMMM y", locale="id") in listing
    assert "06.00–09.00" in listing


async def test_the_klaten_treasurer_sees_what_is_owed_to_farmers(demo_world):
    tri = await people.by_telegram_id(demo_world.db, CAST[15].user_id)
    owed = await pickups.to_pay(demo_world.db, tri.id)
    assert len(owed) >= 2
    replies = await _chat(demo_world, CAST[15]).send("/jemput")
    assert len(replies) == 1 + len(owed)  # the heading, then one receipt each
    assert all(offer.number in text for (offer, _), text in zip(owed, replies[1:], strict=True))


async def test_the_seeded_administrator_sets_a_price(demo_world):
    bambang = _chat(demo_world, CAST[8])
    await bambang.send("/setharga")
    await bambang.press("💰 Harga beli koperasi")
    await bambang.send("cabai merah")
    await bambang.press("Mutu A")  # one area (Kec. Ceper): not asked
    summary = (await bambang.send("41.000"))[0]
    assert "Rp41.000 per kg" in summary and "Ceper" in summary
    await bambang.press(YES_ID)
    at = datetime.now(UTC) + timedelta(seconds=1)
    price = await prices.price_in_force(demo_world.db, "cabai_merah", "A", "33.10.11.2004", at)
    admin = await people.by_telegram_id(demo_world.db, CAST[8].user_id)
    assert (price.price_rupiah, price.area_prefix, price.set_by) == (41_000, "33.10.11", admin.id)


async def test_the_warehouse_holds_gabah_with_a_keeper_and_one_pickup_on_its_way(seeded):
    from storage import stock

    db, cast = seeded
    keeper = await _person(db, cast[demo_seed.KEEPER])
    org = (await orgs.by_code(db, demo_seed.KLATEN)).id
    (place,) = await stock.warehouses(db, org)
    assert (place.name, place.keeper_id) == (demo_seed.WAREHOUSE_NAME, keeper.id)
    held = {(h.commodity, h.grade) for h in await stock.on_hand(db, [org])}
    assert held == {("gabah", "GKP"), ("gabah", "GKG")}
    coordinator = await _person(db, cast[demo_seed.COORDINATOR])
    way = await stock.on_the_way(db, coordinator.id, org, coordinator.roles)
    assert [p.commodity for p in way if p.commodity == "gabah"] == ["gabah"]


async def test_two_buyers_one_sale_delivered_and_invoiced_one_open(seeded):
    from storage import sales

    db, _cast = seeded
    org = (await orgs.by_code(db, demo_seed.KLATEN)).id
    assert [b.name for b in await sales.buyers(db, org)] == ["Bulog Kancab Klaten", "SPPG Ceper"]
    found = {s.buyer_name: s for s in await sales.sales_of(db, org)}
    assert found["Bulog Kancab Klaten"].status == "invoiced"
    assert found["SPPG Ceper"].status == "open"
    margin = await sales.margin(db, found["Bulog Kancab Klaten"].id)
    assert margin.revenue > margin.cost > 0
    (delivered,) = await sales.deliveries_of(db, org, found["Bulog Kancab Klaten"].id)
    assert (delivered.moisture, delivered.foreign_matter, delivered.cut_rupiah) == ("24", "11", 300)
    (owed,) = await sales.receivables(db, [org])
    assert owed.buyer == "Bulog Kancab Klaten" and owed.owed == margin.revenue


async def test_the_hubs_network_of_two_village_cooperatives(seeded):
    """/koperasi for the federation's administrator: Kujon (Klaten) with its ketua, bendahara
    and pengurus, Jombong (Boyolali) with its ketua."""
    from storage import network

    db, _ = seeded
    assert await network.regencies(db, orgs.ROOT_ID) == [("33.09", 1), ("33.10", 1)]
    (kujon,) = await network.in_regency(db, orgs.ROOT_ID, "33.10", 0)
    assert kujon.org.code == demo_seed.KLATEN and kujon.org.village_code == demo_seed.KUJON
    assert [(o.full_name, o.role.value) for o in kujon.officers] == [
        ("Harjono Wibowo", "chair"), ("Tri Handayani", "treasurer"), ("Bambang Sutrisno", "admin"),
    ]  # fmt: skip
    (jombong,) = await network.in_regency(db, orgs.ROOT_ID, "33.09", 0)
    assert [(o.full_name, o.role.value) for o in jombong.officers] == [("Sumarni", "chair")]


async def test_one_advance_partly_repaid_by_a_harvest(seeded):
    from bot.cli.demo_seed import ADVANCE_RP, WULAN
    from storage import advances

    db, cast = seeded
    wulan = await people.by_telegram_id(db, cast[WULAN].user_id)
    (given,) = await advances.of_farmer(db, wulan.id)
    assert given.status == "approved" and given.maker_id != given.checker_id
    assert 0 < given.repaid_rupiah < ADVANCE_RP  # partly repaid by her last harvest
    assert await ledger.balance(db, farmer_receivable(wulan.id)) == given.left
    assert await ledger.verify(db) is None


async def test_a_loan_product_and_one_application_waiting(seeded):
    from bot.cli.demo_seed import LOAN_RP, SITI
    from storage import loans

    db, cast = seeded
    siti = await people.by_telegram_id(db, cast[SITI].user_id)
    member = await loans.membership(db, siti.id, siti.org_id)
    (applied,) = await loans.of_member(db, member.id)
    assert (applied.status, applied.amount_rupiah) == ("applied", LOAN_RP)
    assert [p.name for p in await loans.products(db, applied.org_id)] == ["Pinjaman Umum"]
    assert await loans.take_home(db, member.id) > 0  # imported with the roster


async def test_an_open_order_cycle_kujon_ordered_jombong_not_yet(seeded):
    from storage import cycles

    db, _cast = seeded
    (cycle,) = await cycles.of_hub(db, orgs.ROOT_ID)
    assert cycle.name == demo_seed.CYCLE_NAME and cycle.status == "open"
    kujon, jombong = [await orgs.by_code(db, code) for code in (demo_seed.KLATEN, demo_seed.CEPOGO)]
    assert [c.id for c in await cycles.open_for(db, jombong.id, now=int(NOW.timestamp()))] == [
        cycle.id
    ]
    order = await cycles.order_of(db, cycle.id, kujon.id)
    names = {i.id: i.name for i in await cycles.items(db, cycle.id)}
    assert {names[x.item_id]: x.quantity for x in order.lines} == demo_seed.KUJON_ORDER
    assert await cycles.order_of(db, cycle.id, jombong.id) is None
    assert [o.person_id for o in await cycles.to_remind(db, cycle)] != []  # Jombong's ketua


async def test_the_seeded_ketua_sees_the_cycle_in_pesan(demo_world):
    from bot.cli.demo_seed import KLATEN_CHAIR

    ketua = _chat(demo_world, CAST[KLATEN_CHAIR])
    await ketua.send("/pesan")
    (existing,) = await ketua.press(f"SP-0001 {demo_seed.CYCLE_NAME}")
    assert existing.startswith(
        f"Pesanan Anda PSN-0001 di {demo_seed.CYCLE_NAME}:\n20 karung Beras SPHP 5 kg"
    )


async def test_kujon_filed_last_month_jombong_not_and_one_announcement(seeded):
    from bot.cli.demo_seed import ANNOUNCEMENT, CEPOGO, KLATEN, REPORT_FIGURES
    from domain.savings import Month
    from storage import announcements, monthly_reports

    db, _cast = seeded
    kujon, jombong = await orgs.by_code(db, KLATEN), await orgs.by_code(db, CEPOGO)
    report = await monthly_reports.last_filed(db, kujon.id)
    assert report.filer_name == "Harjono Wibowo" and report.version == 1
    assert (report.members, report.savings_rupiah, report.store_sales_rupiah, report.produce_grams) == REPORT_FIGURES  # fmt: skip
    assert Month.parse(report.month) < Month.of(datetime.now(UTC).date())
    assert await monthly_reports.last_filed(db, jombong.id) is None
    (made,) = await announcements.last_of(db, orgs.ROOT_ID)
    # Kujon's ketua and bendahara, Jombong's ketua; Kujon's ketua read it
    assert (made.body, made.recipients, made.read_count) == (ANNOUNCEMENT, 3, 1)
