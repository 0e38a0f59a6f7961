"""The real bot process through one sale (issue 17, done when), every step driven through the
bot's own conversations, none seeded: a warehouse and a price set from the command line, a
farmer registers and offers cabai merah, a coordinator takes, weighs and pays it, then brings
it into the gudang with its susut (📦 in /gudang). An administrator (English) adds a buyer and
a sale from that stock in /penjualan (a sale larger than the stock refused first), records the
delivery with the buyer's received weight (part rejected: back to stock; the surat jalan
arrives as a PDF naming the buyer, the farmer and his village), makes the invoice (the faktur
arrives as a PDF naming the buyer and the total) and records the payment. The database then holds the lot and the
ledger entries lot:…:delivery, lot:…:invoice, invoice:…:payment; ``audit verify`` passes;
``report offtake`` writes a workbook whose sheets hold the sale's buyer, kilos and rupiah and
the purchase. Runs on SQLite, and on PostgreSQL when KOPERASI_TEST_PG_URL is set."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from bot.i18n import gettext, use_locale
from domain import ledger as L
from storage import ledger, offers, orgs, people, sales, stock
from storage.db import Database
from tests.e2e.botproc import run_cli
from tests.e2e.flow import USER_ID, Farmer, Step
from tests.e2e.offtake_steps import join_with_invite, weighed_and_paid

pytestmark = pytest.mark.asyncio

COORDINATOR_ID, ADMIN_ID = 636_363, 646_464
BUYER = "CV Sambal Nusantara"
WIB = ZoneInfo("Asia/Jakarta")
# Budi's 195,5 kg at Rp32.000: the farmer's price × weight (no deductions on cabai).
BOUGHT = 6_256_000
# 150 kg sold at Rp45.000/kg; the buyer accepts 148 kg: 2 kg rejected go back to stock.
PRICE, ACCEPTED = 45_000, 148
TOTAL = PRICE * ACCEPTED  # 6.660.000


async def _into_the_gudang(sari: Farmer, number: str) -> None:
    """/gudang lists it on its way; 📦: the one warehouse is asked at once; 194 kg there (1,5 kg
    susut). (The receipt's 📦 went with its buttons when Sari pressed 💵.)"""
    await sari.do(Step("send", "/gudang", ""))
    await sari.do(
        Step("press", f"📦 Sudah di gudang: {number}", f"Berapa berat {number} di Gudang Kujon?")
    )
    summary = await sari.do(Step("send", "194 kg", ""))
    assert "Susut: 1,5 kg" in summary.text, summary.text
    await sari.do(Step("press", "✅ Ya, simpan", "Sudah disimpan. 194 kg cabai merah"))


async def _document(emu, person: Farmer) -> tuple[bytes, str]:
    """The bot's next message to ``person`` is a document: its bytes and file name."""
    msg = await person.next_reply()
    assert msg.kind == "document", (msg.kind, msg.text)
    data, _mime, name = emu.file_by_id(msg.file["file_id"])
    return data, name or ""


def _pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-"), data[:20]
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


async def _sell_deliver_invoice_pay(emu, admin: Farmer) -> None:
    await admin.do(Step("send", "/penjualan", "No sales yet."))
    await admin.do(Step("press", "➕ New buyer", "Type the buyer's name"))
    await admin.do(Step("send", BUYER, "What kind of buyer is it?"))
    await admin.do(Step("press", "Trader", "Type the buyer's phone number"))
    await admin.do(Step("send", "0812-7777-8888", "In how many days does the buyer pay"))
    await admin.do(Step("send", "14", "Please check the new buyer:"))
    await admin.do(Step("press", "✅ Yes, save", f"Saved. {BUYER} is in your list of buyers."))

    await admin.do(Step("send", "/penjualan", "No sales yet."))
    await admin.do(Step("press", "➕ New sale", "Who is buying?"))
    await admin.do(Step("press", BUYER, "Which produce is sold?"))
    await admin.do(Step("send", "cabai merah", "Which grade? In stock now:"))
    await admin.do(Step("press", "Grade A", "How much is sold? In stock: 194 kg."))
    refused = await admin.do(Step("send", "3 kuintal", "There is not that much in stock."))
    assert "Only 194 kg is there" in refused.text, refused.text
    assert "\nHow much is sold?" in refused.text  # the question again
    await admin.do(Step("send", "150 kg", "Type the contract price per kg"))
    await admin.do(Step("send", "45.000", "Deliver by which day?"))
    until = (dt.datetime.now(WIB).date() + dt.timedelta(days=10)).strftime("%d-%m-%Y")
    await admin.do(Step("send", until, "Where is it delivered?"))
    await admin.do(Step("send", "Pasar Induk Klaten", "Please check the sale:"))
    saved = await admin.do(Step("press", "✅ Yes, save", "Saved. Sale "))
    sale_number = saved.text.split("Sale ", 1)[1].split(":", 1)[0]

    await admin.do(Step("send", "/penjualan", "Sales of your cooperative:"))
    await admin.do(Step("press", f"{sale_number} · {BUYER}", ""))
    await admin.do(Step("press", "🚚 Record a delivery", f"How much was sent to {BUYER}?"))
    await admin.do(Step("send", "150 kg", "How much did the buyer accept after weighing?"))
    await admin.do(Step("send", f"{ACCEPTED} kg", "Why did the buyer reject part of it?"))
    await admin.do(Step("send", "busuk sebagian", f"Please check the delivery of {sale_number}:"))
    await admin.do(Step("press", "✅ Yes, save", "Saved. Delivery note "))
    note, _name = await _document(emu, admin)
    text = _pdf_text(note)
    assert BUYER in text and "Budi Santoso" in text and "Kujon" in text, text

    await admin.do(Step("send", "/penjualan", "Sales of your cooperative:"))
    await admin.do(Step("press", f"{sale_number} · {BUYER}", ""))
    made = await admin.do(Step("press", "🧾 Make the invoice", "Invoice "))
    assert "Rp6,660,000" in made.text, made.text  # English: thousands with commas
    invoice_number = made.text.split("Invoice ", 1)[1].split(":", 1)[0]
    faktur, name = await _document(emu, admin)
    assert name.endswith(".pdf"), name
    text = _pdf_text(faktur)
    assert BUYER in text and "6,660,000" in text, text

    await admin.do(Step("send", "/penjualan", "Sales of your cooperative:"))
    await admin.do(Step("press", f"{sale_number} · {BUYER}", ""))
    await admin.do(Step("press", f"💰 Payment of {invoice_number}", "How did the buyer pay?"))
    await admin.do(Step("press", "💵 Cash", f"How much was paid for {invoice_number}?"))
    await admin.do(Step("send", "6.660.000", f"Please check the payment of {invoice_number}:"))
    await admin.do(
        Step("press", "✅ Yes, save", f"Saved. Invoice {invoice_number} is paid in full.")
    )


async def _check_database(db_path) -> tuple[int, int]:
    """The lot, its ledger entries, the stock left; the chain intact. (org id, sale id)."""
    async with Database(str(db_path)) as db:
        org = await orgs.by_code(db, "pusat")
        (sale,) = await sales.sales_of(db, org.id)
        assert (sale.buyer_name, sale.commodity, sale.grade) == (BUYER, "cabai_merah", "A")
        lot = await db.fetchall(
            "SELECT batch_id, quantity FROM sale_allocations WHERE sale_id = ?", (sale.id,)
        )
        assert len(lot) == 1 and float(lot[0]["quantity"]) == 150, lot
        (delivery,) = await sales.deliveries_of(db, org.id, sale.id)
        assert (float(delivery.sent), float(delivery.received)) == (150, ACCEPTED)
        (bill,) = await sales.invoices_of(db, org.id, sale.id)
        assert bill.total_rupiah == TOTAL and bill.status == "paid"
        references = {
            r["reference"]
            for r in await db.fetchall("SELECT reference FROM ledger_entries")
            if r["reference"]
        }
        for expected in (
            f"lot:{sale.id}:delivery:{delivery.id}",
            f"lot:{sale.id}:invoice:{bill.id}",
            f"invoice:{bill.id}:payment:1",
        ):
            assert expected in references, (expected, sorted(references))
        assert await ledger.balance(db, L.buyer_receivable(bill.buyer_id)) == 0
        # The arrival moved the purchase into inventory at cost (stock:arrival:<batch>); the
        # delivery moved the accepted kilos' share on to the cost of goods; the cost is whole.
        assert any(r.startswith("stock:arrival:") for r in references), sorted(references)
        assert await ledger.balance(db, L.purchases(org.id)) == 0
        inventory = await ledger.balance(db, L.inventory(org.id))
        cogs = await ledger.balance(db, L.cogs(org.id))
        assert inventory + cogs == BOUGHT and 0 < cogs < BOUGHT, (inventory, cogs)
        margin = await sales.margin(db, sale.id)
        assert (margin.revenue, margin.cost, margin.margin) == (TOTAL, cogs, TOTAL - cogs)
        # 194 kg came in, 150 kg went out, 2 kg came back: 46 kg left in the gudang.
        left = await stock.available(db, org.id, "cabai_merah", "A")
        assert sum(float(b.quantity) for b in left) == 46
        (offer,) = await offers.of_farmer(db, (await people.by_telegram_id(db, USER_ID)).id)
        assert offer.status == "paid"
        assert await ledger.verify(db) is None
    return org.id, sale.id


def _rows(book, title: str) -> list[tuple]:
    return [tuple(row) for row in book[title].iter_rows(values_only=True)]


async def _check_report(bots) -> None:
    today = dt.datetime.now(WIB).date()
    path = bots.dir / "offtake.xlsx"
    await run_cli(
        bots.db_path, "report", "offtake", "--org", "pusat",
        "--from", (today - dt.timedelta(days=1)).isoformat(),
        "--to", (today + dt.timedelta(days=1)).isoformat(),
        str(path), cwd=bots.dir,
    )  # fmt: skip
    book = load_workbook(path, read_only=True)
    with use_locale("id"):  # the default --lang
        titles = {
            key: gettext(name)
            for key, name in (
                ("purchases", "Purchases"),
                ("sales", "Sales by buyer"),
                ("lots", "Lots and margin"),
                ("stock", "Stock"),
                ("payables", "Owed to farmers"),
                ("weeks", "Weekly volume"),
            )
        }
    assert set(titles.values()) <= set(book.sheetnames), book.sheetnames
    purchases = _rows(book, titles["purchases"])[1:]
    assert [(r[1], r[2], r[3], r[4], r[6]) for r in purchases] == [
        ("33.10.11.2004", "cabai_merah", "A", 195.5, BOUGHT)
    ], purchases
    buyers = _rows(book, titles["sales"])[1:]
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in buyers] == [(BUYER, 1, ACCEPTED, TOTAL, 0)]
    lots = _rows(book, titles["lots"])[1:]
    assert len(lots) == 1 and lots[0][1] == BUYER and lots[0][5] == TOTAL, lots
    assert lots[0][7] == lots[0][5] - lots[0][6]  # margin = revenue − cost
    stock_rows = _rows(book, titles["stock"])[1:]
    assert [(r[0], r[1], r[2], r[3]) for r in stock_rows] == [
        ("Gudang Kujon", "cabai_merah", "A", 46)
    ], stock_rows
    assert _rows(book, titles["payables"])[1:] == []  # Budi was paid
    book.close()


async def test_one_sale_through_the_real_process_then_the_offtake_report(emu, bots):
    await run_cli(
        bots.db_path, "price", "set", "cabai_merah", "32000", "--grade", "A", "--area", "33.10",
        cwd=bots.dir,
    )  # fmt: skip
    await run_cli(
        bots.db_path, "warehouse", "add", "--org", "pusat", "--name", "Gudang Kujon",
        "--village", "33.10.11.2004", cwd=bots.dir,
    )  # fmt: skip
    bot = await bots.start()
    _budi, sari, number, _receipt = await weighed_and_paid(
        emu, bots, COORDINATOR_ID, "6281355550002"
    )
    await _into_the_gudang(sari, number)
    admin = await join_with_invite(
        emu, bots, "admin", ADMIN_ID, "Dewi Lestari", "6281366660003", english=True
    )
    await _sell_deliver_invoice_pay(emu, admin)
    await bot.stop()

    await _check_database(bots.db_path)
    verified = await run_cli(bots.db_path, "audit", "verify", cwd=bots.dir)
    assert "ledger intact" in verified, verified
    await _check_report(bots)
