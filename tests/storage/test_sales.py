"""Sales as stored (storage.sales) on the stock contract: a sale allocated from two batches
oldest first, a partial delivery with a rejection back to stock, the invoice, payments (the
second beyond the total refused), the margin of the lot read from the ledger, and every
refusal leaving nothing half-written."""

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest

from domain import ledger as L
from domain.sales import SaleRefused
from storage import ledger, sales, stock
from storage.db import Database
from storage.migrate import migrate
from tests.storage.test_stock import _batch, _setup

ORG = 1
WINDOW = (date(2026, 12, 20), date(2026, 12, 27))


@pytest.fixture
async def db(tmp_path):
    async with Database(str(tmp_path / "k.sqlite3")) as database:
        await migrate(database)
        yield database


async def _two_batches(db):
    _farmer, offers, warehouses, other = await _setup(db)
    older = await _batch(db, warehouses[0], "600", 3_900_000, 100, {offers[0]: D("600")})
    newer = await _batch(db, warehouses[0], "400", 2_600_000, 200, {offers[1]: D("400")})
    async with db.transaction() as conn:
        bulog = await sales.add_buyer(conn, ORG, "Bulog Kancab Klaten", "bulog",
                                      phone="0812-3456-7890", terms_days=14)  # fmt: skip
    return older, newer, bulog, other


async def _sale(db, buyer, quantity="800", price=8_000):
    async with db.transaction() as conn:
        return await sales.record_sale(
            conn, ORG, buyer.id, "gabah", "GKP", D(quantity), price, *WINDOW, "Gudang Bulog Ceper"
        )


async def _count(db, table):
    return (await db.fetchone(f"SELECT COUNT(*) AS n FROM {table}"))["n"]


async def test_a_sale_from_two_batches_delivered_in_part_invoiced_and_paid(db):
    older, newer, bulog, _other = await _two_batches(db)
    assert bulog.phone == "+6281234567890" and bulog.payment_terms_days == 14

    sale = await _sale(db, bulog)
    assert sale.number == f"PJ-{sale.id:04d}" and sale.status == "open"
    assert D(sale.remaining) == 800 and sale.cost_rupiah == 3_900_000 + 1_300_000
    # the oldest batch is emptied, the newer one keeps 200 kg and their cost
    assert (await stock.batch(db, older)).quantity == 0
    assert (await stock.batch(db, newer)).quantity == 200
    assert (await stock.batch(db, newer)).cost_rupiah == 1_300_000

    async with db.transaction() as conn:
        first = await sales.deliver(conn, ORG, sale.id, D("500"), D("450"), "kadar air tinggi")
    assert first.number.startswith("SJ/") and first.number.endswith("/0001")
    assert (D(first.sent), D(first.received), D(first.rejected)) == (500, 450, 50)
    assert first.cost_rupiah == 2_925_000  # 450 of the first 600 kg at Rp3.900.000
    # the 50 kg rejected go back to the batch they came from, with their cost
    back = await stock.batch(db, older)
    assert back.quantity == 50 and back.cost_rupiah == 325_000
    entry = await ledger.by_reference(db, f"lot:{sale.id}:delivery:{first.id}")
    assert {(line.account, line.amount) for line in entry.lines} == {
        (L.cogs(ORG), 2_925_000), (L.inventory(ORG), -2_925_000)
    }  # fmt: skip
    assert D((await sales.sale(db, ORG, sale.id)).remaining) == 300

    async with db.transaction() as conn:
        bill = await sales.issue_invoice(conn, ORG, sale.id)
    assert bill.total_rupiah == 450 * 8_000 and bill.number.endswith("/0001")
    assert bill.number.startswith("FKT/")
    assert date.fromisoformat(bill.due_on) - date.fromisoformat(bill.issued_on) == (
        date(2026, 1, 15) - date(2026, 1, 1)
    )
    assert await ledger.balance(db, L.buyer_receivable(bulog.id)) == 3_600_000
    with pytest.raises(SaleRefused) as refused:  # nothing more to bill
        async with db.transaction() as conn:
            await sales.issue_invoice(conn, ORG, sale.id)
    assert refused.value.reason == "invoice.nothing"

    async with db.transaction() as conn:
        bill, part = await sales.pay(conn, ORG, bill.id, 1_000_000, "transfer", "BRI 240915123456")
    assert part.n == 1 and bill.status == "part_paid" and bill.owed_rupiah == 2_600_000
    with pytest.raises(SaleRefused) as refused:
        async with db.transaction() as conn:
            await sales.pay(conn, ORG, bill.id, 2_600_001, "cash")
    assert refused.value.reason == "invoice.overpaid" and refused.value.fields == {
        "owed": 2_600_000
    }
    async with db.transaction() as conn:
        bill, last = await sales.pay(conn, ORG, bill.id, 2_600_000, "cash")
    assert bill.status == "paid" and last.n == 2
    entries = before = await _count(db, "ledger_entries")
    with pytest.raises(SaleRefused) as refused:  # the invoice paid twice: refused
        async with db.transaction() as conn:
            await sales.pay(conn, ORG, bill.id, 3_600_000, "cash")
    assert refused.value.reason == "invoice.paid"
    assert await _count(db, "ledger_entries") == entries == before
    assert await ledger.balance(db, L.buyer_receivable(bulog.id)) == 0
    assert await ledger.balance(db, L.bank(ORG)) == 1_000_000
    assert await ledger.balance(db, L.cash(ORG)) == 2_600_000

    # the margin of the lot is what the ledger's lines of lot:<id>:… say
    margin = await sales.margin(db, sale.id)
    assert (margin.revenue, margin.cost, margin.margin) == (3_600_000, 2_925_000, 675_000)
    sales_lines = await db.fetchall(
        "SELECT l.amount FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id"
        " JOIN ledger_accounts a ON a.id = l.account_id WHERE e.reference LIKE ? AND a.code IN (?, ?)",
        (f"lot:{sale.id}:%", L.sales(ORG), L.cogs(ORG)),
    )
    assert -sum(r["amount"] for r in sales_lines) == margin.margin
    assert (await ledger.examine(db)).broken is None

    # the rest of the lot is delivered whole, then billed: the sale is paid when that is
    async with db.transaction() as conn:
        second = await sales.deliver(conn, ORG, sale.id, D("300"), D("300"))
        assert second.number.endswith("/0002")
        assert (await sales.sale(conn, ORG, sale.id)).status == "delivered"
        bill2 = await sales.issue_invoice(conn, ORG, sale.id)
        assert (await sales.sale(conn, ORG, sale.id)).status == "invoiced"
        await sales.pay(conn, ORG, bill2.id, bill2.total_rupiah, "cash")
    assert (await sales.sale(db, ORG, sale.id)).status == "paid"
    owed = await sales.receivables(db, [ORG], today=date(2027, 6, 1))
    assert [(r.buyer, r.invoiced, r.paid, r.owed, r.overdue) for r in owed] == [
        ("Bulog Kancab Klaten", 6_000_000, 6_000_000, 0, 0)
    ]


async def test_refusals_write_nothing(db):
    older, newer, bulog, other = await _two_batches(db)
    tables = ("sales", "sale_allocations", "deliveries", "invoices", "ledger_entries")
    before = [await _count(db, t) for t in tables]
    with pytest.raises(SaleRefused) as refused:  # larger than stock: with what there is
        await _sale(db, bulog, "1000.5")
    assert refused.value.reason == "sale.stock" and refused.value.fields == {"available": 1000}
    with pytest.raises(SaleRefused) as refused:
        await _sale(db, bulog, "100", price=0)
    assert refused.value.reason == "sale.price"
    assert [await _count(db, t) for t in tables] == before
    assert (await stock.batch(db, older)).quantity == 600  # nothing taken

    sale = await _sale(db, bulog, "100")
    with pytest.raises(SaleRefused) as refused:  # heavier than the lot
        async with db.transaction() as conn:
            await sales.deliver(conn, ORG, sale.id, D("101"), D("101"))
    assert refused.value.reason == "delivery.too_heavy"
    with pytest.raises(SaleRefused) as refused:  # a rejection needs its reason
        async with db.transaction() as conn:
            await sales.deliver(conn, ORG, sale.id, D("100"), D("90"), "")
    assert refused.value.reason == "delivery.reason"
    # another cooperative's sale and buyer are not there for this one
    async with db.transaction() as conn:
        theirs = await sales.add_buyer(conn, other, "Pedagang Lain", "trader")
    for attempt in (
        lambda conn: sales.deliver(conn, other, sale.id, D("10"), D("10")),
        lambda conn: sales.issue_invoice(conn, other, sale.id),
        lambda conn: sales.record_sale(
            conn, ORG, theirs.id, "gabah", "GKP", D("1"), 8000, *WINDOW, "Ceper"
        ),
    ):
        with pytest.raises(SaleRefused) as refused:
            async with db.transaction() as conn:
                await attempt(conn)
        assert refused.value.reason in ("sale.unknown", "buyer.unknown")
    assert await _count(db, "deliveries") == 0


async def test_a_buyer_added_twice_is_one_buyer(db):
    async with db.transaction() as conn:
        one = await sales.add_buyer(conn, ORG, "SPPG Ceper", "sppg", terms_days=30)
        again = await sales.add_buyer(conn, ORG, "SPPG  Ceper", "sppg", terms_days=30)
    assert one == again and len(await sales.buyers(db, ORG)) == 1
    for bad in ({"name": "x"}, {"kind": "bank"}, {"terms_days": 91}, {"phone": "12"}):
        with pytest.raises(SaleRefused):
            async with db.transaction() as conn:
                await sales.add_buyer(
                    conn, ORG, **{"name": "Kantin PT Maju", "kind": "canteen", **bad}
                )


async def test_the_receivables_panel_shows_the_viewers_cooperative_only(db):
    from storage import dashboard

    _older, _newer, bulog, other = await _two_batches(db)
    sale = await _sale(db, bulog, "300")
    async with db.transaction() as conn:
        await sales.deliver(conn, ORG, sale.id, D("300"), D("300"))
        bill = await sales.issue_invoice(conn, ORG, sale.id)
        await sales.pay(conn, ORG, bill.id, 400_000, "cash")
    due = date.fromisoformat(bill.due_on)
    later = int(datetime(due.year, due.month, due.day, 12, tzinfo=UTC).timestamp()) + 86_400
    rows = await dashboard.rows(
        db, "receivables", dashboard.Scope((ORG,), "id", "Asia/Jakarta", later)
    )
    assert rows == [{"buyer": "Bulog Kancab Klaten", "invoiced": 2_400_000, "paid": 400_000,
                     "owed": 2_000_000, "overdue": 2_000_000}]  # fmt: skip
    on_time = await dashboard.rows(
        db, "receivables", dashboard.Scope((ORG,), "id", "Asia/Jakarta", later - 2 * 86_400)
    )
    assert on_time[0]["overdue"] == 0
    assert (
        await dashboard.rows(
            db, "receivables", dashboard.Scope((other,), "id", "Asia/Jakarta", later)
        )
        == []
    )


async def _adopt_gkp_table(db, valid_from=None):
    """The cooperative adopts the government's GKP table (migration 0020's template)."""
    from storage import rafaksi
    from storage.db import now_utc

    template = await rafaksi.government(db, "gabah")
    async with db.transaction() as conn:
        return await rafaksi.set_table(
            conn, org_id=ORG, commodity="gabah", table=template.table,
            valid_from=now_utc() - 60 if valid_from is None else valid_from,
        )  # fmt: skip


async def test_a_delivery_cut_by_the_buyers_readings_is_invoiced_at_the_lower_price(db):
    """Buyers pay by the same measurements: the table in force at the delivery gives the cut,
    kept on the delivery with its readings and table; the invoice line and the ledger's
    revenue are the lower; a delivery recorded before the table keeps its full price."""
    from domain.rafaksi import RafaksiRefused

    _older, _newer, bulog, _other = await _two_batches(db)
    sale = await _sale(db, bulog)
    async with db.transaction() as conn:  # before the cooperative had a table: as it was
        before = await sales.deliver(conn, ORG, sale.id, D("100"), D("100"))
    with pytest.raises(SaleRefused) as refused:  # readings where no table applies
        async with db.transaction() as conn:
            await sales.deliver(conn, ORG, sale.id, D("100"), D("100"), readings=(D("27"), D("8")))
    assert refused.value.reason == "delivery.no_quality"
    table = await _adopt_gkp_table(db)
    assert before.cut_rupiah == 0 and not before.measured

    with pytest.raises(SaleRefused) as refused:  # the table asks readings
        async with db.transaction() as conn:
            await sales.deliver(conn, ORG, sale.id, D("400"), D("380"), "kadar air tinggi")
    assert refused.value.reason == "delivery.quality"
    with pytest.raises(RafaksiRefused) as out:  # wetter than the table's last band
        async with db.transaction() as conn:
            await sales.deliver(conn, ORG, sale.id, D("400"), D("380"), "kadar air tinggi",
                                readings=(D("31"), D("8")))  # fmt: skip
    assert (out.value.reason, out.value.highest) == ("rafaksi.out_of_table", D("30"))
    async with db.transaction() as conn:  # a contract at Rp425: the cut would take it all
        await conn.execute("UPDATE sales SET price_rupiah = 425 WHERE id = ?", (sale.id,))
    with pytest.raises(SaleRefused) as refused:
        async with db.transaction() as conn:
            await sales.deliver(conn, ORG, sale.id, D("400"), D("380"), "kadar air tinggi",
                                readings=(D("27"), D("8")))  # fmt: skip
    assert refused.value.reason == "delivery.cut_above_price"
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE sales SET price_rupiah = ? WHERE id = ?", (sale.price_rupiah, sale.id)
        )
    assert await _count(db, "deliveries") == 1  # the refusals wrote nothing
    async with db.transaction() as conn:
        cut = await sales.deliver(conn, ORG, sale.id, D("400"), D("380"), "kadar air tinggi",
                                  readings=(D("27"), D("8")))  # fmt: skip
    assert (cut.moisture, cut.foreign_matter, cut.cut_rupiah) == ("27", "8", 425)
    assert cut.rafaksi_table_id == table.id and cut.measured
    async with db.transaction() as conn:  # the buyer accepted nothing: no readings needed
        await sales.deliver(conn, ORG, sale.id, D("50"), D("0"), "busuk")

    async with db.transaction() as conn:
        bill = await sales.issue_invoice(conn, ORG, sale.id)
    lines = {d.id: d.amount_rupiah for d in await sales.invoice_deliveries(db, bill.id)}
    assert lines[before.id] == 100 * 8_000 and lines[cut.id] == 380 * (8_000 - 425)
    assert bill.total_rupiah == 800_000 + 2_878_500
    entry = await ledger.by_reference(db, f"lot:{sale.id}:invoice:{bill.id}")
    assert {(line.account, line.amount) for line in entry.lines} == {
        (L.buyer_receivable(bulog.id), 3_678_500), (L.sales(ORG), -3_678_500)
    }  # fmt: skip
    assert (await sales.margin(db, sale.id)).revenue == 3_678_500
