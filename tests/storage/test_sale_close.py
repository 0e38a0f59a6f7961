"""A sale closed short (storage.sales.close_sale): the kilos still in the lot go back to the
batches they came from with their cost (no ledger entry), the sale says closed short with
what was delivered, nothing more is delivered on it, its invoice stands; a second close, a
lot all delivered and another cooperative's sale are refused; the inventory account still
equals the cost the batches hold."""

from decimal import Decimal as D
from types import SimpleNamespace

import pytest

from domain import ledger as L
from domain.sales import SaleRefused
from storage import ledger, people, sales, stock
from storage.db import Database
from storage.migrate import migrate
from tests.storage.test_sales import ORG, WINDOW, _count, _sale, _two_batches


@pytest.fixture
async def db(tmp_path):
    async with Database(str(tmp_path / "k.sqlite3")) as database:
        await migrate(database)
        yield database


async def _close(db, sale_id, org=ORG):
    async with db.transaction() as conn:
        return await sales.close_sale(conn, org, sale_id, None)


async def test_the_undelivered_kilos_go_back_to_their_batches_once(db):
    older, newer, bulog, other = await _two_batches(db)
    sale = await _sale(db, bulog)  # 600 kg of the older batch, 200 of the newer
    async with db.transaction() as conn:
        await sales.deliver(conn, ORG, sale.id, D("500"), D("450"), "kadar air tinggi")
        bill = await sales.issue_invoice(conn, ORG, sale.id)
    # the lot still holds 100 kg of the older piece (its 50 kg rejected are back already)
    # and the newer piece's 200 kg
    assert (await stock.batch(db, older)).quantity == 50
    assert (await stock.batch(db, newer)).quantity == 200
    entries = await _count(db, "ledger_entries")

    with pytest.raises(SaleRefused) as refused:  # another cooperative's: not there
        await _close(db, sale.id, org=other)
    assert refused.value.reason == "sale.unknown"

    closed = await _close(db, sale.id)
    assert closed.closed_at is not None and D(closed.returned) == 300 and D(closed.remaining) == 0
    assert closed.status == "invoiced"  # the invoice stands as issued, still owed
    back_older, back_newer = await stock.batch(db, older), await stock.batch(db, newer)
    assert (back_older.quantity, back_newer.quantity) == (150, 400)
    # every rupiah of cost is somewhere: in the batches, or delivered (cost of goods sold)
    delivered = sum(d.cost_rupiah for d in await sales.deliveries_of(db, ORG, sale.id))
    assert back_older.cost_rupiah + back_newer.cost_rupiah + delivered == 3_900_000 + 2_600_000
    assert back_older.cost_rupiah == 975_000  # 150 of the 600 kg at Rp3.900.000
    assert await _count(db, "ledger_entries") == entries  # no entry: never left inventory
    left = await db.fetchall("SELECT remaining, remaining_cost FROM sale_allocations")
    assert {(D(r["remaining"]), r["remaining_cost"]) for r in left} == {(0, 0)}
    assert (await sales.invoice(db, ORG, bill.id)).total_rupiah == 450 * 8_000

    # once: a second close returns nothing, and nothing more is delivered on it
    with pytest.raises(SaleRefused) as refused:
        await _close(db, sale.id)
    assert refused.value.reason == "sale.closed"
    with pytest.raises(SaleRefused) as refused:
        async with db.transaction() as conn:
            await sales.deliver(conn, ORG, sale.id, D("10"), D("10"))
    assert refused.value.reason == "delivery.nothing"
    assert (await stock.batch(db, older)).quantity == 150
    assert (await stock.batch(db, newer)).quantity == 400
    audit = await db.fetchall("SELECT action FROM audit_log WHERE action = 'sale.close'")
    assert len(audit) == 1


async def test_a_sale_all_delivered_has_nothing_to_close(db):
    _older, _newer, bulog, _other = await _two_batches(db)
    sale = await _sale(db, bulog, "100")
    async with db.transaction() as conn:
        await sales.deliver(conn, ORG, sale.id, D("100"), D("100"))
    with pytest.raises(SaleRefused) as refused:
        await _close(db, sale.id)
    assert refused.value.reason == "sale.all_delivered"
    assert (await sales.sale(db, ORG, sale.id)).closed_at is None


async def test_the_inventory_account_equals_the_batches_cost_after_a_close(db):
    from tests.handlers.test_sales_flow import _two_dried_batches

    async with db.transaction() as conn:
        keeper = await people.insert_person(
            conn, telegram_user_id=900, chat_id=900, full_name="Bu Dewi", phone="+6281200000900",
            language="id", timezone="Asia/Jakarta", org_id=ORG,
        )  # fmt: skip
    await _two_dried_batches(SimpleNamespace(db=db), keeper)  # arrivals post the inventory
    async with db.transaction() as conn:
        bulog = await sales.add_buyer(conn, ORG, "Bulog Kancab Klaten", "bulog")
        sale = await sales.record_sale(
            conn, ORG, bulog.id, "gabah", "GKG", D("500"), 8_000, *WINDOW, "Gudang Bulog Ceper"
        )
        await sales.deliver(conn, ORG, sale.id, D("400"), D("380"), "kadar air tinggi")

    async def held() -> int:
        rows = await db.fetchall("SELECT cost_rupiah FROM stock_batches WHERE org_id = ?", (ORG,))
        return sum(r["cost_rupiah"] for r in rows)

    lot = await db.fetchall("SELECT remaining_cost FROM sale_allocations")
    in_lot = sum(r["remaining_cost"] for r in lot)
    assert in_lot > 0
    assert await ledger.balance(db, L.inventory(ORG)) == await held() + in_lot
    await _close(db, sale.id)
    assert await ledger.balance(db, L.inventory(ORG)) == await held()
    assert (await ledger.examine(db)).broken is None
