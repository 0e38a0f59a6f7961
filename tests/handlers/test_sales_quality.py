"""Buyers pay by the same measurements (issue 17, rafaksi): a delivery of gabah, whose
cooperative cuts it by a rafaksi table, asks the buyer's kadar air and hampa/kotoran after
the kilos (a reading above the table refused and asked again); the summary, the surat jalan,
the sale card, the invoice in figures and in words and the faktur carry the cut, and the
lot's margin read from the ledger has the lower revenue."""

from __future__ import annotations

import io
from decimal import Decimal as D

from pypdf import PdfReader

from domain.terbilang import in_words
from storage import sales
from tests.handlers.flows import YES_EN
from tests.handlers.test_rafaksi import adopt_government_table
from tests.handlers.test_sales_flow import (
    ORG,
    _admin,
    _new_buyer,
    _new_sale,
    _two_dried_batches,
    margin_from_ledger,
)
from tests.texts import said

QUALITY = "Moisture 27 %, empty grain/dirt 8 %: cut Rp425 per kg"


def _pdf_text(world) -> str:
    paper = world.telegram.calls_of("sendDocument")[-1].files["document"][1]
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(paper)).pages)


async def test_a_gabah_delivery_asks_the_buyers_readings_and_the_invoice_is_cut(world):
    admin, admin_id = await _admin(world, 711)
    await _two_dried_batches(world, admin_id)
    await (await _new_buyer(admin))()
    _refused, save = await _new_sale(admin)  # 500 kg of gabah GKG at Rp8.000
    await save()
    sale = (await sales.sales_of(world.db, ORG))[0]
    await adopt_government_table(world)  # kadar air up to 25 %, hampa/kotoran up to 10 %

    await admin.send("/penjualan")
    await admin.press(f"{sale.number} · Bulog Kancab Klaten")
    await admin.press("🚚 Record a delivery")
    await admin.send("400")
    await admin.send("380")
    moisture = await admin.send("kadar air tinggi")  # the readings come after the kilos
    assert moisture == [said(
        "What moisture (kadar air) did the buyer measure? Type the percentage, for example 24 or 24,5. The contract price holds up to {base} %.",
        "en", base="25",
    )]  # fmt: skip
    out = await admin.send("35")  # wetter than the table's last band: refused, asked again
    assert out == [said(
        "{measure} above {highest} is outside the cooperative's table: it does not buy at that quality. Check the reading and type it again, or send /cancel.",
        "en", measure="Moisture", highest="30 %",
    ) + "\n" + moisture[0]]  # fmt: skip
    foreign = await admin.send("27 %")
    assert "hampa/kotoran" in foreign[0] and "up to 10 %" in foreign[0]
    summary = (await admin.send("8"))[-1]
    assert QUALITY in summary
    assert "To invoice: 380 kg × Rp7,575 per kg = Rp2,878,500 (the contract's Rp8,000 less the cut)" in summary  # fmt: skip
    await admin.press(YES_EN)

    delivery = (await sales.deliveries_of(world.db, ORG, sale.id))[0]
    assert (delivery.moisture, delivery.foreign_matter, delivery.cut_rupiah) == ("27", "8", 425)
    assert delivery.rafaksi_table_id is not None
    note = _pdf_text(world)
    assert "Quality (buyer)" in note and QUALITY in note

    await admin.send("/penjualan")
    card = (await admin.press(f"{sale.number} · Bulog Kancab Klaten"))[-1]
    assert f"{delivery.number}: {QUALITY}" in card
    await admin.press("🧾 Make the invoice")
    bill = (await sales.invoices_of(world.db, ORG, sale.id))[0]
    assert bill.total_rupiah == 380 * (8_000 - 425) == 2_878_500
    assert any(t.startswith("Invoice FKT/") and "Rp2,878,500" in t for t in admin.texts())
    faktur = _pdf_text(world)
    row = next(r for r in faktur.splitlines() if r.startswith(delivery.number))
    assert "380 kg" in row and "Rp7,575" in row and "Rp2,878,500" in row
    assert QUALITY in faktur and "The contract price of Rp8,000 per kg less the cut" in faktur
    words = in_words(2_878_500, "en")
    assert words[:1].upper() + words[1:] in faktur
    assert "Two million eight hundred" in faktur

    # the lot's margin is read from the ledger, with the lower revenue
    revenue, cost = await margin_from_ledger(world, sale.id)
    assert revenue == 2_878_500 and 0 < cost


async def test_a_delivery_of_all_rejected_gabah_asks_no_readings(world):
    """Nothing accepted, nothing to cut: the summary follows the reason."""
    admin, admin_id = await _admin(world, 712)
    await _two_dried_batches(world, admin_id)
    await (await _new_buyer(admin))()
    _refused, save = await _new_sale(admin)
    await save()
    sale = (await sales.sales_of(world.db, ORG))[0]
    await adopt_government_table(world)
    await admin.send("/penjualan")
    await admin.press(f"{sale.number} · Bulog Kancab Klaten")
    await admin.press("🚚 Record a delivery")
    await admin.send("100")
    await admin.send("0")
    summary = (await admin.send("busuk semua"))[-1]
    assert summary.startswith("Please check the delivery of") and "Moisture" not in summary
    await admin.press(YES_EN)
    delivery = (await sales.deliveries_of(world.db, ORG, sale.id))[0]
    assert (D(delivery.received), delivery.measured) == (0, False)


async def test_a_cut_as_high_as_the_contract_price_is_said_at_the_summary_and_refused(world):
    admin, admin_id = await _admin(world, 715)
    await _two_dried_batches(world, admin_id)
    await (await _new_buyer(admin))()
    _refused, save = await _new_sale(admin)
    await save()
    sale = (await sales.sales_of(world.db, ORG))[0]
    await adopt_government_table(world)
    async with world.db.transaction() as conn:  # a contract at Rp750: the top cut takes it all
        await conn.execute("UPDATE sales SET price_rupiah = 750 WHERE id = ?", (sale.id,))

    await admin.send("/penjualan")
    await admin.press(f"{sale.number} · Bulog Kancab Klaten")
    await admin.press("🚚 Record a delivery")
    for answer in ("400", "400", "27"):
        await admin.send(answer)
    summary = (await admin.send("12"))[-1]
    refusal = said(
        "The buyer's cut for that quality is as high as the contract price: nothing would be paid for it. Record those kilos as rejected, with the reason.",
        "en",
    )  # fmt: skip
    assert summary.endswith(refusal) and "To invoice" not in summary
    told = await admin.press(YES_EN)
    assert told[0].startswith(refusal)
    assert await sales.deliveries_of(world.db, ORG, sale.id) == []  # nothing written
