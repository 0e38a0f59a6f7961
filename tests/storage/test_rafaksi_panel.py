"""The dashboard's rafaksi panel: this month's cuts per produce, of the viewer's
cooperatives only, from what the weighings recorded."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from domain.people import Role
from storage import dashboard, offers, pickups, prices, rafaksi
from storage.db import Database, now_utc
from storage.offers import NewOffer, ProxyFarmer, Shown
from tests.web import dashdata as d


async def _weighed(db, coordinator_user, farmer, kg, readings):
    coordinator = await db.fetchone(
        "SELECT id FROM people WHERE telegram_user_id = ?", (coordinator_user,)
    )
    roles = frozenset({Role.COORDINATOR})
    price = await prices.price_in_force(db, "gabah", "GKP", farmer.village_code, now_utc())
    new = NewOffer(commodity="gabah", grade="GKP", quantity=Decimal(kg), typed_amount=Decimal(kg),
                   typed_unit="kg", ready_on=dt.date.today())  # fmt: skip
    offer, _ = await db.write(
        offers.create_for, coordinator["id"], farmer, new, Shown(price.id, ())
    )
    await db.write(pickups.schedule, offer.id, coordinator["id"], roles, dt.date.today(), (6, 9))
    await db.write(pickups.record, offer.id, coordinator["id"], roles, "GKP", Decimal(kg), readings)


async def test_the_panel_sums_this_months_cuts_of_the_viewers_cooperatives(tmp_path):
    async with Database(str(tmp_path / "k.sqlite3")) as db:
        seeded = await d.seed(db)
        template = await rafaksi.government(db, "gabah")
        for org_id in (seeded.a_id, seeded.b_id):
            await db.write(rafaksi.set_table, org_id=org_id, commodity="gabah", table=template.table,
                           valid_from=now_utc() - 60)  # fmt: skip
        a = ProxyFarmer("Pak Slamet", "+6281299990011", d.KUJON)
        await _weighed(db, d.COORDINATOR_A, a, 200, (Decimal(27), Decimal(8)))  # Rp425
        await _weighed(
            db, d.COORDINATOR_A, a, Decimal("100.5"), (Decimal(20), Decimal(12))
        )  # Rp300
        await _weighed(db, d.COORDINATOR_A, a, 300, (Decimal(20), Decimal(5)))  # no cut
        b = ProxyFarmer("Bu Tini", "+6281299990012", d.SETIA_ASIH)
        await _weighed(db, d.TREASURER_B, b, 1000, (Decimal(28), Decimal(14)))  # Rp750

        viewer = await dashboard.viewer(db, d.ADMIN_A)
        scope = dashboard.Scope(viewer.org_ids, "id", "Asia/Jakarta", now_utc())
        assert await dashboard.rows(db, "rafaksi", scope) == [{
            "commodity": "Gabah", "weighings": 3, "quantity": 600.5, "cut_quantity": 300.5,
            "cut": 200 * 425 + 30150,  # 100,5 kg × Rp300
        }]  # fmt: skip
        other = dashboard.Scope((seeded.b_id,), "en", "Asia/Jakarta", now_utc())
        assert [(r["weighings"], r["cut"]) for r in await dashboard.rows(db, "rafaksi", other)] == [
            (1, 750_000)
        ]
        # next month: nothing yet
        later = dashboard.Scope(viewer.org_ids, "id", "Asia/Jakarta", now_utc() + 40 * 86400)
        assert await dashboard.rows(db, "rafaksi", later) == []
