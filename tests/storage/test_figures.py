"""The period figures (storage.figures) on the small market of tests/market_seed.py: every
figure equals what the seed put in, another cooperative's business never counts, and the
sections without their tables yet are None."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from storage import figures
from storage.db import Database
from storage.migrate import migrate
from tests import market_seed as m

NOVEMBER = figures.Period(date(2026, 11, 1), date(2026, 11, 30), "Asia/Jakarta")


@pytest.fixture
async def db(tmp_path):
    async with m.seeded(str(tmp_path / "figures.sqlite3")) as database:
        yield database


async def test_a_month_of_one_cooperative(db):
    found = await figures.figures(db, (m.KLATEN,), NOVEMBER)
    assert [
        (b.commodity, b.grade, b.quantity, b.amount, b.pickups, b.hpp) for b in found.bought
    ] == [
        ("cabai_merah", "A", Decimal(200), m.NOV_CABAI_RP, 1, None),
        ("gabah", "GKP", m.NOV_GABAH_KG, m.NOV_GABAH_RP, 2, 6500),
    ]
    assert found.bought[1].average_price == 6800
    assert (found.farmers, found.villages) == (2, 2)
    assert found.sold == [figures.Sold("gabah", m.SOLD_KG, m.SOLD_RP)]
    assert found.margin == [figures.Margin("gabah", m.SOLD_RP, m.COST_RP)]
    assert found.margin[0].margin == 1_750_000
    assert [(s.warehouse, s.commodity, s.grade, s.quantity, s.cost) for s in found.stock] == [
        ("Gudang Ceper", "cabai_merah", "A", Decimal(200), 6_400_000),
        ("Gudang Ceper", "gabah", "GKP", Decimal("1000.5"), 6_803_400),
    ]
    assert found.owed_to_farmers == figures.Owed(1, m.OWED_TO_FARMERS)
    assert found.owed_by_buyers == figures.Owed(1, m.OWED_BY_BUYERS)


async def test_margin_equals_the_ledgers_lines_of_the_lot(db):
    rows = await db.fetchall(
        "SELECT a.kind, SUM(l.amount) AS amount FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id"
        " JOIN ledger_accounts a ON a.id = l.account_id WHERE e.reference LIKE 'lot:1:%'"
        " AND a.kind IN ('sales', 'cogs') GROUP BY a.kind"
    )
    ledger = {r["kind"]: r["amount"] for r in rows}
    assert await figures.lot_margins(db, (m.KLATEN,), NOVEMBER) == {
        1: (-ledger["sales"], ledger["cogs"])
    }


async def test_other_periods_and_cooperatives_stay_apart(db):
    october = figures.Period.month_of(date(2026, 10, 5), "Asia/Jakarta")
    found = await figures.figures(db, (m.KLATEN,), october)
    assert [(b.commodity, b.quantity) for b in found.bought] == [("gabah", Decimal(1000))]
    assert found.sold == [] and found.margin == []
    other = await figures.figures(db, (m.OTHER,), NOVEMBER)
    assert [(b.quantity, b.amount) for b in other.bought] == [(Decimal(5000), 34_000_000)]
    assert other.sold == [] and other.owed_by_buyers == figures.Owed(0, 0)
    both = await figures.figures(db, (m.KLATEN, m.OTHER), NOVEMBER)
    assert both.bought[1].quantity == m.NOV_GABAH_KG + 5000
    assert (await figures.figures(db, (), NOVEMBER)).bought == []


async def test_weeks_and_report_rows(db):
    weeks = await figures.weekly_volume(db, (m.KLATEN,), NOVEMBER)
    assert weeks[0][0] == date(2026, 10, 26) and weeks[-1][0] == date(2026, 11, 30)
    by_week = {w: (b, s) for w, b, s in weeks}
    assert by_week[date(2026, 11, 9)] == (m.NOV_GABAH_KG, 0)
    assert by_week[date(2026, 11, 23)] == (0, m.SOLD_KG)
    villages = [v async for v in figures.purchases_by_village(db, (m.KLATEN,), NOVEMBER)]
    assert [(v.village_code, v.commodity, v.quantity) for v in villages] == [
        (m.KUJON, "cabai_merah", Decimal(200)), (m.KUJON, "gabah", Decimal(1500)),
        (m.TEMUWANGI, "gabah", Decimal("2000.5")),
    ]  # fmt: skip
    receipts = [r async for r in figures.unpaid_receipts(db, (m.KLATEN,))]
    assert [(r.farmer, r.quantity, r.owed) for r in receipts] == [
        ("Sri Santoso", Decimal("2000.5"), m.OWED_TO_FARMERS)
    ]
    lots = [lot async for lot in figures.lots(db, (m.KLATEN,), NOVEMBER)]
    assert [(x.lot, x.buyer, x.revenue, x.cost, x.margin) for x in lots] == [
        (1, "Bulog Kanwil Jateng", m.SOLD_RP, m.COST_RP, 1_750_000)
    ]
    buyers = await figures.sales_by_buyer(db, (m.KLATEN,), NOVEMBER)
    assert buyers == [
        figures.BuyerSales("Bulog Kanwil Jateng", 1, m.SOLD_KG, m.SOLD_RP, m.OWED_BY_BUYERS)
    ]


async def test_the_weighing_copies_what_figures_group_by(tmp_path):
    """On the demo's year, written through the bot's own use cases (pickups weighed,
    re-weighed, disputed), the figures read from the pickups alone equal the same sums
    joined to the offers."""
    from datetime import UTC, datetime

    from bot.cli.demo_seed import seed_demo

    async with Database(str(tmp_path / "demo.sqlite3")) as demo:
        await migrate(demo)
        await seed_demo(demo, now=datetime(2026, 12, 3, 4, tzinfo=UTC))
        year = figures.Period(date(2025, 12, 1), date(2026, 11, 30), "Asia/Jakarta")
        checked = 0
        for org in await demo.fetchall("SELECT id FROM organisations"):
            joined = await demo.fetchall(
                "SELECT o.commodity, k.grade, k.quantity, k.amount_rupiah FROM pickups k JOIN offers o"
                " ON o.id = k.offer_id WHERE o.org_id = ? AND k.picked_up_at >= ? AND k.picked_up_at < ?",
                (org["id"], year.start, year.end),
            )
            sums: dict = {}
            for r in joined:
                item = sums.setdefault((r["commodity"], r["grade"]), [Decimal(0), 0])
                item[0] += Decimal(r["quantity"])
                item[1] += r["amount_rupiah"]
            found = await figures.bought(demo, (org["id"],), year)
            assert {(b.commodity, b.grade): [b.quantity, b.amount] for b in found} == sums
            checked += len(joined)
        assert checked > 10  # the demo weighed a year of receipts


async def test_migration_0023_fills_the_pickups_weighed_before_it(db):
    from storage.migrate import _statements, available

    before = await figures.figures(db, (m.KLATEN,), NOVEMBER)
    async with db.transaction(bookkeeping=True) as conn:
        await conn.execute(
            "UPDATE pickups SET org_id = NULL, farmer_id = NULL, village_code = NULL, commodity = NULL,"
            " quantity_milli = NULL"
        )
    assert (await figures.figures(db, (m.KLATEN,), NOVEMBER)).bought == []
    sql = next(x.sql for x in available() if x.version == 23)
    backfill = [s for s in _statements(sql, db.dialect) if "UPDATE pickups SET" in s]
    assert len(backfill) == 1
    async with db.transaction(bookkeeping=True) as conn:
        for statement in backfill:
            await conn.execute(statement)
    assert await figures.figures(db, (m.KLATEN,), NOVEMBER) == before
