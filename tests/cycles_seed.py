"""An order cycle for the tests: the network seed's hub with two suppliers and an open cycle
of three items (Beras SPHP 5 kg, Minyak goreng 1 L, Pupuk NPK), closing in ``days``."""

from __future__ import annotations

from datetime import timedelta

from domain import cycles as rules
from storage import cycles
from storage.db import now_utc
from tests.network_seed import hub_with_network

ZONE = "Asia/Jakarta"


async def open_cycle(
    db, hub_id: int, days: float = 3, minimum: int = 500_000, name="Sembako Desember"
):
    closes_at = now_utc() + int(days * 86400)
    delivery = rules.local_day(closes_at, ZONE) + timedelta(days=4)
    cycle = await db.write(
        cycles.open_cycle, hub_id=hub_id, name=name, closes_at=closes_at, delivery_on=delivery,
        minimum_rupiah=minimum, timezone=ZONE, opened_by=None,
    )  # fmt: skip
    bulog = await db.write(
        cycles.add_supplier, hub_id, "Bulog Klaten", "+6281100000001", "Pak Joko"
    )
    pupuk = await db.write(cycles.add_supplier, hub_id, "Pupuk Kaltim Solo", "+6281100000002", None)
    beras = await db.write(
        cycles.add_item, cycle_id=cycle.id, supplier_id=bulog.id, name="Beras SPHP 5 kg",
        unit="karung", price_rupiah=62_000, fee_rupiah=2_000, stock=40,
    )  # fmt: skip
    minyak = await db.write(
        cycles.add_item, cycle_id=cycle.id, supplier_id=bulog.id, name="Minyak goreng 1 L",
        unit="liter", price_rupiah=15_000, fee_rupiah=500, stock=500,
    )  # fmt: skip
    npk = await db.write(
        cycles.add_item, cycle_id=cycle.id, supplier_id=pupuk.id, name="Pupuk NPK 50 kg",
        unit="sak", price_rupiah=180_000, fee_rupiah=5_000, stock=100,
    )  # fmt: skip
    return cycle, (bulog, pupuk), (beras, minyak, npk)


async def network_with_cycle(db, klaten: int = 3, boyolali: int = 1, **kw):
    ids = await hub_with_network(db, klaten=klaten, boyolali=boyolali)
    cycle, suppliers, items = await open_cycle(db, ids["hub"], **kw)
    return ids, cycle, suppliers, items
