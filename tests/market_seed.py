"""A small market for the figures' tests (/rekap, the report, the dashboard's rekap): one
cooperative's November 2026, written straight into the tables and the ledger, with the
numbers every test checks written out here once.

Koperasi Tani Klaten (org 2, under the root) bought in November: gabah GKP 1.500 kg from
Budi (paid) and 2.000,5 kg from Sri (not paid: Rp400.000 deducted), cabai merah A 200 kg
from Budi (paid); in October 1.000 kg of gabah from Budi. Another cooperative (org 3) bought
5.000 kg of gabah from Joko on 11 November: never in org 2's figures. Bulog bought lot 1
(gabah GKP 3.000 kg at Rp7.500): 2.500 kg accepted on 24 November (cost Rp17.000.000),
invoiced on 25 November (Rp18.750.000), Rp5.000.000 of it paid. Gudang Ceper holds 1.000,5 kg
of gabah GKP (Rp6.803.400 at cost) and 200 kg of cabai merah A (Rp6.400.000); a GKG batch is empty.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from domain import ledger as L
from storage import figures, ledger, orgs, people, prices
from storage.db import Database, clock_at
from storage.migrate import migrate

ZONE = ZoneInfo("Asia/Jakarta")
KLATEN = 2
OTHER = 3
KUJON = "33.10.11.2004"
TEMUWANGI = "33.10.12.2001"

# What org 2's November figures must say.
NOV_GABAH_KG = Decimal("3500.5")
NOV_GABAH_RP = 10_200_000 + 13_603_400
NOV_CABAI_RP = 6_400_000
OWED_TO_FARMERS = 13_603_400 - 400_000
SOLD_KG = Decimal(2500)
SOLD_RP = 18_750_000
COST_RP = 17_000_000
OWED_BY_BUYERS = SOLD_RP - 5_000_000
STOCK_RP = 6_803_400 + 6_400_000


def at(day: date, hour: int = 10) -> int:
    return int(datetime.combine(day, time(hour), ZONE).timestamp())


async def _offer(conn, farmer, org, village, commodity, grade, kg, price_id, price, day, status,
                 deductions=0):  # fmt: skip
    when = at(day)
    cur = await conn.execute(
        "INSERT INTO offers (farmer_id, org_id, village_code, commodity, grade, quantity, typed_amount,"
        " typed_unit, price_id, price_rupiah, guaranteed_until, ready_on, status, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, 'kg', ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (farmer, org, village, commodity, grade, kg, kg, price_id, price, when + 86_400,
         day.isoformat(), status, when - 86_400, when),
    )  # fmt: skip
    offer_id = (await cur.fetchone())[0]
    amount = int((Decimal(kg) * price).to_integral_value())
    await conn.execute(
        "INSERT INTO pickups (offer_id, coordinator_id, pickup_on, window_start, window_end, grade,"
        " quantity, price_rupiah, amount_rupiah, picked_up_at, scheduled_at, deductions_rupiah)"
        " VALUES (?, ?, ?, 8, 10, ?, ?, ?, ?, ?, ?, ?)",
        (
            offer_id,
            farmer,
            day.isoformat(),
            grade,
            kg,
            price,
            amount,
            when,
            when - 3600,
            deductions,
        ),
    )
    # what the weighing copies onto the pickup for the figures (storage.pickups._picked_up)
    await figures.record_pickup(conn, offer_id, org_id=org, farmer_id=farmer, village_code=village,
                                commodity=commodity, quantity=Decimal(kg))  # fmt: skip
    return offer_id


async def seed(db) -> dict[str, int]:
    """The market above; returns the people's ids by first name."""
    async with db.transaction(bookkeeping=True) as conn:
        await orgs.add(conn, code="klaten", name="Koperasi Tani Klaten", kind="coop_primary",
                       parent_code="pusat", covers=("33.10",))  # fmt: skip
        await orgs.add(conn, code="boyolali", name="Koperasi Boyolali", kind="coop_primary",
                       parent_code="pusat", covers=("33.09",))  # fmt: skip
        ids = {}
        for n, (name, org, village) in enumerate(
            (("Budi", KLATEN, KUJON), ("Sri", KLATEN, TEMUWANGI), ("Joko", OTHER, "33.09.01.2001"))
        ):
            ids[name] = await people.insert_person(
                conn, telegram_user_id=None, chat_id=None, full_name=f"{name} Santoso",
                phone=f"+62813000000{n}", language="id", timezone="Asia/Jakarta", org_id=org,
                village_code=village,
            )  # fmt: skip
        start = at(date(2026, 1, 1))
        gabah = await prices.set_price(conn, commodity="gabah", grade="GKP", area_prefix="33",
                                       price_rupiah=6800, valid_from=start)  # fmt: skip
        cabai = await prices.set_price(conn, commodity="cabai_merah", grade="A", area_prefix="33",
                                       price_rupiah=32000, valid_from=start)  # fmt: skip
        await prices.set_price(conn, commodity="gabah", grade="GKP", area_prefix="", price_rupiah=6500,
                               valid_from=start, kind=prices.REFERENCE)  # fmt: skip
        budi, sri, joko = ids["Budi"], ids["Sri"], ids["Joko"]
        for farmer, org, village, commodity, grade, kg, price, day, status, cut in (
            (budi, KLATEN, KUJON, "gabah", "GKP", "1500", gabah, date(2026, 11, 10), "paid", 0),
            (sri, KLATEN, TEMUWANGI, "gabah", "GKP", "2000.5", gabah, date(2026, 11, 12), "picked_up", 400_000),
            (budi, KLATEN, KUJON, "cabai_merah", "A", "200", cabai, date(2026, 11, 20), "paid", 0),
            (budi, KLATEN, KUJON, "gabah", "GKP", "1000", gabah, date(2026, 10, 30), "paid", 0),
            (joko, OTHER, "33.09.01.2001", "gabah", "GKP", "5000", gabah, date(2026, 11, 11), "picked_up", 0),
        ):  # fmt: skip
            await _offer(conn, farmer, org, village, commodity, grade, kg, price.id,
                         price.price_rupiah, day, status, cut)  # fmt: skip
        cur = await conn.execute(
            "INSERT INTO buyers (org_id, name, kind, payment_terms_days, created_at)"
            " VALUES (?, 'Bulog Kanwil Jateng', 'bulog', 14, ?) RETURNING id",
            (KLATEN, start),
        )
        buyer = (await cur.fetchone())[0]
        cur = await conn.execute(
            "INSERT INTO sales (org_id, buyer_id, commodity, grade, quantity, price_rupiah, deliver_from,"
            " deliver_until, place, status, created_at, updated_at) VALUES (?, ?, 'gabah', 'GKP', '3000',"
            " 7500, '2026-11-20', '2026-11-30', 'Gudang Bulog Klaten', 'invoiced', ?, ?) RETURNING id",
            (KLATEN, buyer, at(date(2026, 11, 18)), at(date(2026, 11, 25))),
        )
        sale = (await cur.fetchone())[0]
        cur = await conn.execute(
            "INSERT INTO invoices (org_id, sale_id, buyer_id, number, issued_on, due_on, total_rupiah,"
            " paid_rupiah, status, issued_at) VALUES (?, ?, ?, 'FK/2026/0001', '2026-11-25', '2026-12-09',"
            " ?, 5000000, 'part_paid', ?) RETURNING id",
            (KLATEN, sale, buyer, SOLD_RP, at(date(2026, 11, 25))),
        )
        invoice = (await cur.fetchone())[0]
        cur = await conn.execute(
            "INSERT INTO deliveries (org_id, sale_id, number, sent, received, rejected, reject_reason,"
            " cost_rupiah, invoice_id, amount_rupiah, delivered_at) VALUES (?, ?, 'SJ/2026/0001', '2600',"
            " '2500', '100', 'kadar air', ?, ?, ?, ?) RETURNING id",
            (KLATEN, sale, COST_RP, invoice, SOLD_RP, at(date(2026, 11, 24))),
        )
        delivery = (await cur.fetchone())[0]
        cur = await conn.execute(
            "INSERT INTO warehouses (org_id, name, village_code, created_at) VALUES (?, 'Gudang Ceper', ?, ?)"
            " RETURNING id",
            (KLATEN, KUJON, start),
        )
        warehouse = (await cur.fetchone())[0]
        for commodity, grade, kg, cost in (
            ("gabah", "GKP", "1000.5", 6_803_400), ("cabai_merah", "A", "200", 6_400_000), ("gabah", "GKG", "0", 0)
        ):  # fmt: skip
            await conn.execute(
                "INSERT INTO stock_batches (org_id, warehouse_id, commodity, grade, quantity, cost_rupiah,"
                " received_at, origin) VALUES (?, ?, ?, ?, ?, ?, ?, 'pickup')",
                (KLATEN, warehouse, commodity, grade, kg, cost, at(date(2026, 11, 15))),
            )
    for when, lines, reference in (
        (at(date(2026, 11, 15)), [L.debit(L.inventory(KLATEN), 24_000_000),
                                  L.credit(L.purchases(KLATEN), 24_000_000)], "stock:arrival:1"),
        (at(date(2026, 11, 24)), [L.debit(L.cogs(KLATEN), COST_RP),
                                  L.credit(L.inventory(KLATEN), COST_RP)], f"lot:{sale}:delivery:{delivery}"),
        (at(date(2026, 11, 25)), [L.debit(L.buyer_receivable(buyer), SOLD_RP),
                                  L.credit(L.sales(KLATEN), SOLD_RP)], f"lot:{sale}:invoice:{invoice}"),
        (at(date(2026, 11, 27)), [L.debit(L.bank(KLATEN), 5_000_000),
                                  L.credit(L.buyer_receivable(buyer), 5_000_000)], f"invoice:{invoice}:payment:1"),
    ):  # fmt: skip
        with clock_at(when):
            await db.write(ledger.post, lines, None, "Penjualan", reference)
    return ids


@asynccontextmanager
async def seeded(path: str) -> AsyncIterator[Database]:
    """A database at ``path`` (a PostgreSQL schema on that pass), migrated, with the market."""
    async with Database(path) as db:
        await migrate(db)
        await seed(db)
        yield db
