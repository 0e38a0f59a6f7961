"""Order cycles in storage: suppliers and items of a hub, orders placed, changed, cancelled
and placed again with the stock taken and given back, the race for the last sacks, the close
once, the purchase order and the delivery plan by kecamatan, who is reminded."""

from __future__ import annotations

import asyncio

import pytest

from domain.cycles import OrderRefused, OrderStatus, Status
from domain.people import InvalidInput
from storage import cycles
from storage.db import Database, clock_at, now_utc
from storage.migrate import migrate
from tests.cycles_seed import network_with_cycle, open_cycle
from tests.network_seed import BOYOLALI, KLATEN, villages


@pytest.fixture
async def db(tmp_path):
    async with Database(str(tmp_path / "k.sqlite3")) as database:
        await migrate(database)
        yield database


async def _world(db, **kw):
    ids, cycle, suppliers, items = await network_with_cycle(db, **kw)
    codes = villages(KLATEN, 3) + villages(BOYOLALI, 1)
    kops = [ids[f"kop-{code}"] for code in codes if f"kop-{code}" in ids]
    return ids, cycle, suppliers, items, kops


async def test_orders_placed_changed_cancelled_and_placed_again(db):
    ids, cycle, _s, (beras, minyak, npk), kops = await _world(db)
    first = await db.write(cycles.place, cycle.id, kops[0], {beras.id: 10, minyak.id: 24}, None)
    assert first.status == OrderStatus.OPEN and first.number == "PSN-0001"
    assert (first.totals.goods, first.totals.fees) == (620_000 + 360_000, 20_000 + 12_000)
    assert (await cycles.item(db, beras.id)).left == 30
    # a change gives back what it held before taking again
    changed = await db.write(cycles.place, cycle.id, kops[0], {beras.id: 35}, None)
    assert changed.id == first.id and [(x.item_id, x.quantity) for x in changed.lines] == [
        (beras.id, 35)
    ]
    assert ((await cycles.item(db, beras.id)).left, (await cycles.item(db, minyak.id)).left) == (
        5,
        500,
    )
    # the other cooperative wants 6: 5 are left, and nothing of its order is kept
    with pytest.raises(OrderRefused) as refused:
        await db.write(cycles.place, cycle.id, kops[1], {npk.id: 3, beras.id: 6}, None)
    assert (refused.value.reason, refused.value.left, refused.value.item_id) == (
        "stock",
        5,
        beras.id,
    )
    assert (await cycles.item(db, npk.id)).left == 100 and await cycles.order_of(
        db, cycle.id, kops[1]
    ) is None
    # under the minimum (Rp500.000): what is missing
    with pytest.raises(OrderRefused) as refused:
        await db.write(cycles.place, cycle.id, kops[1], {minyak.id: 10}, None)
    assert (refused.value.reason, refused.value.short) == ("minimum", 500_000 - 155_000)
    # cancelled gives all back; placed again, the same order opens
    cancelled = await db.write(cycles.cancel, cycle.id, kops[0], None)
    assert (
        cancelled.status == OrderStatus.CANCELLED and (await cycles.item(db, beras.id)).left == 40
    )
    with pytest.raises(LookupError):
        await db.write(cycles.cancel, cycle.id, kops[0], None)  # nothing open to cancel
    again = await db.write(cycles.place, cycle.id, kops[0], {beras.id: 8}, None)
    assert again.id == first.id and again.status == OrderStatus.OPEN
    assert (await cycles.item(db, beras.id)).left == 32


async def test_another_hubs_cooperative_and_unknown_items_are_refused(db):
    ids, cycle, _s, (beras, *_), kops = await _world(db)
    for org in (ids["kop-other"], ids["hub"]):  # another network; the hub itself
        with pytest.raises(LookupError):
            await db.write(cycles.place, cycle.id, org, {beras.id: 10}, None)
    other_cycle, *_ = await open_cycle(db, ids["other-hub"], name="Hub lain")
    assert await cycles.open_for(db, kops[0]) == [cycle]
    assert [c.id for c in await cycles.open_for(db, ids["kop-other"])] == [other_cycle.id]
    with pytest.raises(LookupError):  # an item of another cycle
        other_items = await cycles.items(db, other_cycle.id)
        await db.write(cycles.place, cycle.id, kops[0], {other_items[0].id: 10}, None)


async def test_two_officers_race_for_the_last_sacks(db):
    ids, cycle, _s, (beras, *_), kops = await _world(db)
    await db.write(cycles.place, cycle.id, kops[2], {beras.id: 30}, None)  # 10 left
    results = await asyncio.gather(
        db.write(cycles.place, cycle.id, kops[0], {beras.id: 10}, None),
        db.write(cycles.place, cycle.id, kops[1], {beras.id: 10}, None),
        return_exceptions=True,
    )
    won = [r for r in results if not isinstance(r, Exception)]
    lost = [r for r in results if isinstance(r, OrderRefused)]
    assert len(won) == 1 and len(lost) == 1 and lost[0].left == 0
    item = await cycles.item(db, beras.id)
    assert (item.taken, item.left) == (40, 0)


async def test_the_close_runs_once_and_freezes_the_orders(db):
    ids, cycle, (bulog, pupuk), (beras, minyak, npk), kops = await _world(db, days=1)
    await db.write(cycles.place, cycle.id, kops[0], {beras.id: 10, npk.id: 2}, None)
    await db.write(cycles.place, cycle.id, kops[3], {beras.id: 5, minyak.id: 20, npk.id: 1}, None)
    await db.write(cycles.place, cycle.id, kops[1], {npk.id: 4}, None)
    await db.write(cycles.cancel, cycle.id, kops[1], None)
    assert await db.write(cycles.close_due) == []  # not yet
    with clock_at(cycle.closes_at):
        with pytest.raises(OrderRefused, match="closed"):
            await db.write(cycles.place, cycle.id, kops[2], {npk.id: 4}, None)
        with pytest.raises(OrderRefused, match="closed"):
            await db.write(cycles.cancel, cycle.id, kops[0], None)
        assert await db.write(cycles.close_due) == [cycle.id]
        assert await db.write(cycles.close_due) == []
        assert await db.write(cycles.close, cycle.id) is False
    closed = await cycles.get(db, cycle.id)
    assert closed.status == Status.CLOSED and closed.closed_at == cycle.closes_at
    frozen = await cycles.frozen_orders(db, cycle.id)
    assert sorted(o.org_id for o in frozen) == sorted([kops[0], kops[3]])
    assert (await cycles.order_of(db, cycle.id, kops[1])).status == OrderStatus.CANCELLED
    po = await cycles.purchase_order(db, cycle.id, bulog.id)
    assert [(t.item.name, t.ordered, t.orders) for t in po] == [
        ("Beras SPHP 5 kg", 15, 2),
        ("Minyak goreng 1 L", 20, 1),
    ]
    assert [
        (t.item.name, t.ordered) for t in await cycles.purchase_order(db, cycle.id, pupuk.id)
    ] == [("Pupuk NPK 50 kg", 3)]  # the cancelled 4 sacks are not bought
    plan = [r async for r in cycles.plan_rows(db, cycle.id)]
    # Boyolali (33.09) before Klaten (33.10): by kecamatan, desa, then item
    assert [(r.district, r.org_code, r.item_name, r.quantity) for r in plan] == [
        (villages(BOYOLALI, 1)[0][:8], f"kop-{villages(BOYOLALI, 1)[0]}", "Beras SPHP 5 kg", 5),
        (villages(BOYOLALI, 1)[0][:8], f"kop-{villages(BOYOLALI, 1)[0]}", "Minyak goreng 1 L", 20),
        (villages(BOYOLALI, 1)[0][:8], f"kop-{villages(BOYOLALI, 1)[0]}", "Pupuk NPK 50 kg", 1),
        (villages(KLATEN, 1)[0][:8], f"kop-{villages(KLATEN, 1)[0]}", "Beras SPHP 5 kg", 10),
        (villages(KLATEN, 1)[0][:8], f"kop-{villages(KLATEN, 1)[0]}", "Pupuk NPK 50 kg", 2),
    ]
    assert plan[0].total_rupiah == 5 * 64_000


async def test_the_plan_pages_through_many_cooperatives(db, monkeypatch):
    monkeypatch.setattr(cycles, "PLAN_PAGE", 2)
    ids, cycle, _s, (beras, minyak, _n), kops = await _world(db, klaten=5, boyolali=0)
    for n, org in enumerate(kops[:3] + [ids[f"kop-{c}"] for c in villages(KLATEN, 5)[3:]]):
        await db.write(cycles.place, cycle.id, org, {beras.id: 1 + n, minyak.id: 40}, None)
    plan = [r async for r in cycles.plan_rows(db, cycle.id)]
    assert len(plan) == 10 and [r.quantity for r in plan[::2]] == [1, 2, 3, 4, 5]
    assert [r.village_code for r in plan[::2]] == villages(KLATEN, 5)


async def test_what_a_cycle_cannot_be(db):
    ids, cycle, (bulog, _p), _items, _k = await _world(db)
    now = now_utc()
    with pytest.raises(ValueError, match="supplier named"):
        await db.write(cycles.add_supplier, ids["hub"], "Bulog Klaten", None, None)
    with pytest.raises(InvalidInput, match="cycle.price"):
        await db.write(cycles.add_item, cycle_id=cycle.id, supplier_id=bulog.id, name="Gula 1 kg",
                       unit="kg", price_rupiah=20_000_000, fee_rupiah=0, stock=10)  # fmt: skip
    with pytest.raises(ValueError, match="item named"):
        await db.write(cycles.add_item, cycle_id=cycle.id, supplier_id=bulog.id, name="Beras SPHP 5 kg",
                       unit="karung", price_rupiah=1, fee_rupiah=0, stock=10)  # fmt: skip
    other = (await cycles.suppliers(db, ids["hub"]))[0]
    assert other.name == "Bulog Klaten"
    other_hub_supplier = await db.write(
        cycles.add_supplier, ids["other-hub"], "Toko Lain", None, None
    )
    with pytest.raises(ValueError, match="not one of the cycle's hub"):
        await db.write(cycles.add_item, cycle_id=cycle.id, supplier_id=other_hub_supplier.id, name="Gula",
                       unit="kg", price_rupiah=1, fee_rupiah=0, stock=10)  # fmt: skip
    from datetime import date

    with pytest.raises(InvalidInput, match="cycle.closes"):
        await db.write(cycles.open_cycle, hub_id=ids["hub"], name="Lewat", closes_at=now - 60,
                       delivery_on=date(2030, 1, 1), minimum_rupiah=0, timezone="Asia/Jakarta", opened_by=None)  # fmt: skip


async def test_who_is_reminded(db):
    from domain.people import Role
    from storage import people

    ids, cycle, _s, (beras, *_), kops = await _world(db)
    async with db.transaction() as conn:
        made = []
        for n, (org, role) in enumerate([(kops[0], Role.CHAIR), (kops[1], Role.TREASURER),
                                         (kops[1], Role.STORE_MANAGER), (ids["kop-other"], Role.CHAIR),
                                         (ids["hub"], Role.ADMIN)]):  # fmt: skip
            pid = await people.insert_person(
                conn, telegram_user_id=900 + n, chat_id=900 + n, full_name=f"P{n}", phone=f"+6281290000{n:02d}",
                language="id", timezone="Asia/Jakarta", org_id=org,
            )  # fmt: skip
            await people.add_role(conn, pid, role)
            made.append(pid)
    await db.write(cycles.place, cycle.id, kops[0], {beras.id: 10}, None)
    assert [o.person_id for o in await cycles.to_remind(db, cycle)] == made[1:3]
    assert await db.write(cycles.claim_reminder, cycle.id, made[1]) is True
    assert await db.write(cycles.claim_reminder, cycle.id, made[1]) is False
    assert [o.person_id for o in await cycles.to_remind(db, cycle)] == [made[2]]
    assert [o.person_id for o in await cycles.administrators(db, ids["hub"])] == [made[4]]


async def test_the_cycles_panel_shows_each_items_orders_to_its_hub_only(db):
    from storage import orgs
    from storage.dashboard import PANELS, Scope

    ids, cycle, _s, (beras, minyak, npk), kops = await _world(db)
    await db.write(cycles.place, cycle.id, kops[0], {beras.id: 10, npk.id: 2}, None)
    await db.write(cycles.place, cycle.id, kops[1], {beras.id: 5, npk.id: 1}, None)
    scope = Scope(await orgs.below(db, ids["hub"]), "id", "Asia/Jakarta", now_utc())
    rows = await PANELS["cycles"].query(db, scope)
    assert [
        (r["item"], r["supplier"], r["ordered"], r["left"], r["orders"], r["fees"]) for r in rows
    ] == [
        ("Beras SPHP 5 kg", "Bulog Klaten", 15, 25, 2, 30_000),
        ("Minyak goreng 1 L", "Bulog Klaten", 0, 500, 0, 0),
        ("Pupuk NPK 50 kg", "Pupuk Kaltim Solo", 3, 97, 2, 15_000),
    ]
    assert rows[0]["cycle"] == "SP-0001 Sembako Desember"
    other = Scope(await orgs.below(db, ids["other-hub"]), "id", "Asia/Jakarta", now_utc())
    assert await PANELS["cycles"].query(db, other) == []
