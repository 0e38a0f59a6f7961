"""✖ Close the sale short, through the bot: an administrator closes a sale the buyer needs no
more of after a partial delivery; the Ya/Tidak question names the kilos that go back to
stock; they go back once (a second press is refused with its reason); the card says closed
short, offers no delivery, keeps the invoice button; another cooperative's buttons are
refused."""

from __future__ import annotations

from decimal import Decimal as D

from storage import sales, stock
from tests.handlers.flows import YES_EN
from tests.handlers.test_sales_flow import ORG, _admin, _new_buyer, _new_sale, _two_dried_batches


async def _sale_delivered_in_part(world, user_id, language="en"):
    admin, admin_id = await _admin(world, user_id)
    dried, other = await _two_dried_batches(world, admin_id)
    await (await _new_buyer(admin))()
    await (await _new_sale(admin))[1]()  # 500 kg of GKG: 260 of the older batch, 240 of the newer
    sale = (await sales.sales_of(world.db, ORG))[0]
    await _card(admin, sale)
    await admin.press("🚚 Record a delivery")
    for answer in ("400", "380", "kadar air tinggi"):
        await admin.send(answer)
    await admin.press(YES_EN)
    if language != "en":
        async with world.db.transaction() as conn:
            await conn.execute(
                "UPDATE people SET language = ? WHERE telegram_user_id = ?", (language, user_id)
            )
    return admin, sale, dried, other


async def _card(admin, sale):
    await admin.send("/penjualan")
    return (await admin.press(f"{sale.number} · Bulog Kancab Klaten"))[-1]


async def _held(world, batches) -> list[tuple[D, int]]:
    found = [await stock.batch(world.db, b.id) for b in batches]
    return [(b.quantity, b.cost_rupiah) for b in found]


async def test_an_administrator_closes_a_sale_short(world):
    admin, sale, dried, other = await _sale_delivered_in_part(world, 721)
    before = await _held(world, dried)
    await _card(admin, sale)
    question = (await admin.press("✖ Close the sale short"))[-1]
    assert question.startswith(f"Close {sale.number} short? 100 kg still in the lot")
    assert (await admin.press("✖️ No"))[-1] == f"Fine. Sale {sale.number} stays open."
    assert (await sales.sale(world.db, ORG, sale.id)).closed_at is None
    assert await _held(world, dried) == before

    await _card(admin, sale)
    await admin.press("✖ Close the sale short")
    sent, data = admin.button("✅ Yes, close it")  # kept: pressed again below
    said = await admin.press_data(sent, data)
    assert said[0] == f"Sale {sale.number} is closed short. 100 kg went back to stock."
    card = said[1]
    assert "Closed short on" in card and "100 kg went back to stock" in card
    assert "Accepted by the buyer: 380 kg" in card
    closed = await sales.sale(world.db, ORG, sale.id)
    assert closed.closed_at is not None and D(closed.returned) == 100 and D(closed.remaining) == 0
    after = await _held(world, dried)
    assert sum(q for q, _c in after) == sum(q for q, _c in before) + 100
    # the lot's cost left in it went back whole to the batches
    assert sum(c for _q, c in after) - sum(c for _q, c in before) == closed.cost_rupiah - sum(
        d.cost_rupiah for d in await sales.deliveries_of(world.db, ORG, sale.id)
    ) - sum(p["cost_rupiah"] for p in await world.db.fetchall(
        "SELECT cost_rupiah FROM delivery_pieces WHERE accepted = 0"))  # fmt: skip

    labels = admin.buttons()
    card = await _card(admin, sale)
    assert "closed short, not invoiced" in (await admin.send("/penjualan"))[0]
    new = admin.buttons()[len(labels) :]
    assert "🚚 Record a delivery" not in new and "✖ Close the sale short" not in new
    assert "🧾 Make the invoice" in new  # the accepted kilos are still billed

    # the question's Ya pressed again (an old message): refused with its reason, once
    answer = (await admin.press_data(sent, data))[-1]
    assert answer == "This sale is closed already. Nothing more can be delivered on it."
    assert await _held(world, dried) == after
    await admin.press("🧾 Make the invoice")
    bill = (await sales.invoices_of(world.db, ORG, sale.id))[0]
    assert bill.total_rupiah == 380 * 8_000
    assert "closed short, invoiced, not paid" in (await admin.send("/penjualan"))[0]

    # another cooperative's administrator: both buttons refused, nothing done
    stranger, _id = await _admin(world, 722, org_id=other)
    for data in (f"jltutup:{sale.id}", f"jltt:ok{sale.id}"):
        before_texts = len(stranger.texts())
        await stranger.press_data(sent, data)
        assert len(stranger.texts()) == before_texts  # only the polite pop-up
    assert await _held(world, dried) == after


async def test_closing_is_asked_in_indonesian_and_refused_when_all_delivered(world):
    admin, sale, _dried, _other = await _sale_delivered_in_part(world, 723, language="id")
    await admin.send("/penjualan")
    await admin.press(f"{sale.number} · Bulog Kancab Klaten")
    question = (await admin.press("✖ Tutup penjualan sebelum terkirim semua"))[-1]
    assert question.startswith(f"Tutup {sale.number} sebelum terkirim semua? 100 kg")
    assert "✅ Ya, tutup" in admin.buttons() and "✖️ Tidak" in admin.buttons()
    # the rest is delivered meanwhile: a close has nothing left to give back
    async with world.db.transaction() as conn:
        await sales.deliver(conn, ORG, sale.id, D("100"), D("100"))
    said = (await admin.press("✅ Ya, tutup"))[-1]
    assert said == "Semua kilo penjualan ini sudah terkirim. Tidak ada yang perlu ditutup."
    assert (await sales.sale(world.db, ORG, sale.id)).closed_at is None
