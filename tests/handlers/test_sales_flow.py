"""The market's selling half driven through the bot (issue 17, done when): gabah picked up,
brought to the warehouse with transport shrink, dried GKP → GKG twice (two batches), then an
administrator adds a buyer, records a sale allocated from both batches, a partial delivery
with a rejection (the surat jalan comes as a PDF), the invoice (the faktur), two payments;
the margin of the lot equals what the ledger's lines say. Forged buttons of another
cooperative's sale or invoice are refused, and nobody of another cooperative sees this one."""

from __future__ import annotations

import io
from decimal import Decimal as D

from pypdf import PdfReader

from domain import ledger as L
from domain import stock as stock_rules
from domain.people import Role
from storage import ledger, people, sales, stock
from tests.handlers.flows import YES_EN, YES_ID
from tests.storage.test_stock import _setup

ORG = 1


async def _admin(world, user_id, org_id=ORG, language="en"):
    async with world.db.transaction(bookkeeping=True) as conn:
        person_id = await people.insert_person(
            conn, telegram_user_id=user_id, chat_id=user_id, full_name="Bu Dewi", phone=f"+62812{user_id:07d}",
            language=language, timezone="Asia/Jakarta", org_id=org_id,
        )  # fmt: skip
        await people.add_role(conn, person_id, Role.ADMIN)
    return world.person(user_id), person_id


async def _two_dried_batches(world, admin_id):
    """Two pickups of gabah GKP (600 and 400 kg) reach the warehouse (weighed 990 kg: 10 kg
    shrink), then 300 kg and 600 kg are dried into two GKG batches."""
    _farmer, offers, warehouses, other = await _setup(world.db)
    roles = frozenset({Role.ADMIN})
    async with world.db.transaction() as conn:
        await stock.arrive(conn, offers, warehouses[0], admin_id, ORG, roles, weighed=D("990"))
        for into, out in (("300", "260"), ("600", "515")):
            await stock.transform(
                conn, warehouses[0], admin_id, ORG, roles, stock_rules.MoveKind.DRYING, "gabah",
                "GKP", D(into), "GKG", D(out),
            )  # fmt: skip
    dried = await stock.available(world.db, ORG, "gabah", "GKG")
    assert [b.quantity for b in dried] == [260, 515]
    return dried, other


async def _new_buyer(admin, yes=YES_EN):
    await admin.send("/penjualan")
    await admin.press("➕ New buyer")
    await admin.send("Bulog Kancab Klaten")
    await admin.press("Bulog")
    await admin.send("0812-3456-7890")
    await admin.send("14")
    return lambda: admin.press(yes)


async def _new_sale(admin):
    await admin.send("/penjualan")
    await admin.press("➕ New sale")
    await admin.press("Bulog Kancab Klaten")
    await admin.send("gabah")
    await admin.press("GKG (dried)")
    replies = await admin.send("10 kuintal")  # more than the stock: refused, asked again
    await admin.send("5 kuintal")
    await admin.send("8.000")
    await admin.send("31-12")
    await admin.send("Gudang Bulog Ceper")
    return replies, lambda: admin.press(YES_EN)


async def margin_from_ledger(world, sale_id):
    """The lot's revenue and cost summed from the ledger's lines of ``lot:<id>:…`` here, and
    storage.sales.margin agreeing with them."""
    margin = await sales.margin(world.db, sale_id)
    lines = await world.db.fetchall(
        "SELECT a.code, l.amount FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id"
        " JOIN ledger_accounts a ON a.id = l.account_id WHERE e.reference LIKE ?",
        (f"lot:{sale_id}:%",),
    )
    revenue = -sum(r["amount"] for r in lines if r["code"] == L.sales(ORG))
    cost = sum(r["amount"] for r in lines if r["code"] == L.cogs(ORG))
    assert (margin.revenue, margin.cost, margin.margin) == (revenue, cost, revenue - cost)
    return revenue, cost


async def test_a_sale_from_two_dried_batches_delivered_invoiced_and_paid(world):
    admin, admin_id = await _admin(world, 701)
    dried, other = await _two_dried_batches(world, admin_id)
    save = await _new_buyer(admin)
    assert "Pays within: 14 days" in admin.texts()[-1]
    await save()
    assert (await sales.buyers(world.db, ORG))[0].phone == "+6281234567890"

    refused, save = await _new_sale(admin)
    assert "Only 775 kg is there" in refused[0]
    await save()
    sale = (await sales.sales_of(world.db, ORG))[0]
    assert (D(sale.quantity), sale.price_rupiah, sale.place) == (500, 8_000, "Gudang Bulog Ceper")
    lot = await world.db.fetchall("SELECT batch_id, quantity FROM sale_allocations ORDER BY id")
    assert [(r["batch_id"], D(r["quantity"])) for r in lot] == [
        (dried[0].id, 260),
        (dried[1].id, 240),
    ]

    # a partial delivery: 400 kg sent, 380 kg accepted, 20 kg rejected (back to stock)
    await admin.send("/penjualan")
    await admin.press(f"{sale.number} · Bulog Kancab Klaten")
    await admin.press("🚚 Record a delivery")
    assert "more than the lot still holds" in (await admin.send("600 kg"))[0]
    await admin.send("400")
    await admin.send("380")
    await admin.send("kadar air tinggi")
    await admin.press(YES_EN)
    documents = world.telegram.calls_of("sendDocument")
    note = documents[-1].files["document"][1]
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(note)).pages)
    assert "Pak Sarno" in text and "Kujon" in text and "kadar air tinggi" in text
    delivery = (await sales.deliveries_of(world.db, ORG, sale.id))[0]
    assert (D(delivery.sent), D(delivery.received)) == (400, 380)

    await admin.send("/penjualan")
    await admin.press(f"{sale.number} · Bulog Kancab Klaten")
    await admin.press("🧾 Make the invoice")
    bill = (await sales.invoices_of(world.db, ORG, sale.id))[0]
    assert bill.total_rupiah == 380 * 8_000
    faktur = world.telegram.calls_of("sendDocument")[-1].files["document"][1]
    words = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(faktur)).pages)
    assert "Three million forty thousand rupiah" in words

    for method, amount, reference in (
        ("🏦 Transfer", "1.000.000", "BRI 240915123456"),
        ("💵 Cash", "2.040.000", None),
    ):
        await admin.send("/penjualan")
        await admin.press(f"{sale.number} · Bulog Kancab Klaten")
        await admin.press(f"💰 Payment of {bill.number}")
        await admin.press(method)
        await admin.send(amount)
        if reference:
            await admin.send(reference)
        await admin.press(YES_EN)
    assert "paid in full" in admin.texts()[-1]
    assert (await sales.invoice(world.db, ORG, bill.id)).status == "paid"
    assert await ledger.balance(world.db, L.buyer_receivable(bill.buyer_id)) == 0

    # the margin of the lot is what the ledger's lines of lot:<id>:… say
    revenue, cost = await margin_from_ledger(world, sale.id)
    assert revenue == 3_040_000 and 0 < cost < revenue
    assert (await ledger.examine(world.db)).broken is None

    # another cooperative's administrator sees nothing of it, and its buttons are refused
    stranger, _ = await _admin(world, 702, org_id=other)
    assert "No sales yet" in (await stranger.send("/penjualan"))[0]
    sent, _data = admin.button("➕ New sale")
    for data in (f"jlp:{sale.id}", f"jlkirim:{sale.id}", f"jlfkt:{sale.id}", f"jlbyr:{bill.id}"):
        before = len(stranger.texts())
        await stranger.press_data(sent, data)
        assert len(stranger.texts()) == before  # only the polite pop-up, nothing done
    assert len(await sales.deliveries_of(world.db, ORG, sale.id)) == 1
    refusals = [c for c in world.telegram.calls_of("answerCallbackQuery") if c.params.get("text")]
    assert len(refusals) >= 4


async def test_a_buyer_added_in_indonesian(world):
    """One conversation read whole in Indonesian: the words of LANGUAGE.md (pembeli, nomor HP,
    Sudah disimpan), a bad answer told why and asked again."""
    admin, _admin_id = await _admin(world, 703, language="id")
    first = (await admin.send("/penjualan"))[0]
    assert first.startswith("Belum ada penjualan.") and "➕ Pembeli baru" in first
    assert (await admin.press("➕ Pembeli baru"))[
        -1
    ] == "Ketik nama pembeli, misalnya Bulog Kancab Klaten."
    assert (await admin.send("SPPG Ceper"))[-1] == "Pembeli ini jenisnya apa?"
    await admin.press("Dapur makan bergizi (SPPG)")
    await admin.send("0856-5555-6666")
    refused = (await admin.send("seratus hari"))[-1]
    assert refused.startswith("Ketik lama pembayaran dalam hari, dari 0 sampai 90")
    summary = (await admin.send("7"))[-1]
    assert summary.splitlines()[1:5] == [
        "Nama: SPPG Ceper", "Jenis: Dapur makan bergizi (SPPG)", "Nomor HP: 0856-5555-6666",
        "Membayar dalam: 7 hari",
    ]  # fmt: skip
    assert (await admin.press(YES_ID))[-1].startswith(
        "Sudah disimpan. SPPG Ceper masuk daftar pembeli Anda."
    )
    farmer = world.person(704)
    assert "daftar" in (await farmer.send("/penjualan"))[0].lower()  # not registered: told to


async def test_no_change_at_the_summary_starts_the_buyer_and_the_sale_over(world):
    admin, admin_id = await _admin(world, 731)
    await _two_dried_batches(world, admin_id)
    await _new_buyer(admin)
    replies = await admin.press("✏️ No, change")
    assert replies[-2:] == [
        "Let us go through it again.",
        "Type the buyer's name, for example Bulog Kancab Klaten.",
    ]
    await admin.send("SPPG Ceper")
    await admin.press("School-meal kitchen (SPPG)")
    await admin.send("0812-3456-7891")
    await admin.send("7")
    await admin.press(YES_EN)
    assert [b.name for b in await sales.buyers(world.db, ORG)] == [
        "SPPG Ceper"
    ]  # the first dropped

    await admin.send("/penjualan")
    await admin.press("➕ New sale")
    await admin.press("SPPG Ceper")
    await admin.send("gabah")
    await admin.press("GKG (dried)")
    for answer in ("5 kuintal", "8.000", "31-12", "Dapur SPPG Ceper"):
        await admin.send(answer)
    replies = await admin.press("✏️ No, change")
    assert replies[-2] == "Let us go through it again." and "SPPG Ceper" in admin.buttons()
    assert await sales.sales_of(world.db, ORG) == []
