"""After an order cycle's close (issue 18): a ketua counts what arrived with a shortfall, the
invoice comes back (PDF opened: total, shortfall credited), the ledger holds one entry; a
second count answers with the first; the hub records a partial then a full payment (more
than owed refused with the figure, the same transfer twice recorded once); /koperasi shows
what is owed, then nothing; forged count and pay buttons refused; the command line counts for
a cooperative with no phone and pays a supplier; the dashboard panel."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from domain import ledger as L
from domain.people import Role
from storage import cycle_delivery, cycles, dashboard, ledger
from storage.dashboard import Scope
from tests.cycles_seed import open_cycle
from tests.handlers.flows import YES_ID
from tests.handlers.test_network import _someone
from tests.network_seed import KLATEN, hub_with_network, villages
from tests.texts import said

NOT_ACTIVE = "This button is no longer active."
ARRIVED = "📦 Barang sudah datang"
EACH = "✏️ Hitung per barang"
ALL = "✅ Semua sesuai"


@pytest.fixture
async def closed(world):
    """Two Klaten cooperatives ordered (Ani's: 10 karung beras, 24 liter minyak = Rp1.012.000;
    Budi's: 4 sak NPK), then the cycle closed."""
    ids = await hub_with_network(world.db, klaten=2, boyolali=0)
    cycle, suppliers, items = await open_cycle(world.db, ids["hub"], minimum=0)
    kops = [ids[f"kop-{c}"] for c in villages(KLATEN, 2)]
    beras, minyak, npk = items
    await world.db.write(cycles.place, cycle.id, kops[0], {beras.id: 10, minyak.id: 24}, None)
    await world.db.write(cycles.place, cycle.id, kops[1], {npk.id: 4}, None)
    assert await world.db.write(cycles.close, cycle.id)
    return ids, cycle, suppliers, items, kops


def _refused(world) -> bool:
    return world.telegram.calls_of("answerCallbackQuery")[-1].params.get("text") == said(NOT_ACTIVE)


def _pdf_text(world) -> tuple[str, str]:
    call = world.telegram.calls_of("sendDocument")[-1]
    (name, data), *_ = call.files.values()
    return name, "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


async def test_count_with_a_shortfall_invoice_payments_and_what_is_owed(world, closed):
    ids, cycle, (bulog, pupuk), (beras, minyak, npk), kops = closed
    ani = await _someone(world, 901, kops[0], [Role.CHAIR], name="Ani Lestari")
    wati = await _someone(world, 902, kops[0], [Role.TREASURER], name="Wati")
    admin = await _someone(world, 909, ids["hub"], [Role.ADMIN], name="Pak Harjo")

    shown = await ani.send("/pesan")
    assert (
        shown[0].splitlines()[0].startswith("Pesanan PSN-0001 (Sembako Desember) sedang dikirim.")
    )
    assert "10 karung Beras SPHP 5 kg" in shown[0] and ARRIVED in ani.buttons()
    (how,) = await ani.press(ARRIVED)
    assert how.startswith("Apa saja yang datang dari pesanan PSN-0001?")
    assert ani.buttons()[-2:] == [ALL, EACH]
    (ask,) = await ani.press(EACH)
    assert ask.startswith("Beras SPHP 5 kg: dipesan 10 karung. Berapa yang datang?")
    # more than ordered: refused with the ordered number, the question again
    (answer,) = await ani.send("12")
    assert answer.startswith("Hanya 10 karung yang dipesan. Ketik paling banyak 10 karung")
    (answer,) = await ani.send("banyak")
    assert answer.startswith("Barang ini dipesan dalam karung.")
    (ask,) = await ani.send("8 karung")
    assert ask.startswith("Minyak goreng 1 L: dipesan 24 liter.")
    (summary,) = await ani.send("semua")
    assert summary.splitlines() == [
        "Hitungan pesanan PSN-0001:",
        "Beras SPHP 5 kg: dipesan 10 karung, datang 8 karung",
        "Minyak goreng 1 L: dipesan 24 liter, datang 24 liter",
        "Tidak datang, tidak ditagih: Rp128.000",
        "Total faktur: Rp884.000",
        "Apakah sudah benar?",
    ]
    saved, caption = await ani.press(YES_ID)
    lines = saved.splitlines()
    assert caption == lines[1].split(" untuk")[0]  # the PDF's caption: Faktur FKT/…
    assert lines[:6] == [
        "Terima kasih. Hitungan sudah disimpan.",
        lines[1],
        "Barang: Rp856.000",
        "Biaya hub: Rp28.000",
        "Tidak datang, tidak ditagih: Rp128.000",
        "Total dibayar: Rp884.000",
    ]
    assert lines[1].startswith("Faktur FKT/") and lines[1].endswith("untuk pesanan PSN-0001:")
    name, text = _pdf_text(world)
    assert name.startswith("faktur-FKT-") and name.endswith("-0001.pdf")
    assert "Rp884.000" in text and "Rp128.000" in text and "8 karung" in text
    assert "delapan ratus delapan puluh empat ribu rupiah" in text.lower()
    # one ledger entry: the cooperative owes the total, Bulog its goods, the hub its fee
    entry = await ledger.by_reference(world.db, "cycle-order:1:invoiced")
    assert {x.account: x.amount for x in entry.lines} == {
        L.coop_receivable(kops[0]): 884_000,
        L.supplier_payable(bulog.id): -856_000,
        L.hub_fees(ids["hub"]): -28_000,
    }
    assert (await cycles.order(world.db, 1)).status == "invoiced"
    await world.outbox_sent()
    (told,) = wati.take_new()
    assert told.startswith("Ani Lestari menghitung barang pesanan PSN-0001.")
    (short,) = admin.take_new()
    assert short == "KDKMP " + short.split("KDKMP ")[1].split(" menghitung")[0] + (
        " menghitung pesanan PSN-0001: barang senilai Rp128.000 tidak datang dan tidak ditagih."
    )

    # a second count (an old button) answers with the first one's result
    (again,) = await ani.press(ARRIVED)
    assert again.startswith("Pesanan PSN-0001 sudah dihitung.") and "Rp884.000" in again
    assert len(await world.db.fetchall("SELECT id FROM ledger_entries")) == 1

    # the cooperative's card shows what it owes
    (card,) = await ani.send("/koperasi")
    assert card.splitlines()[-1] == "Utang ke hub: Rp884.000 (1 faktur belum lunas)"

    # the hub records a partial payment, then the rest
    shown = await admin.send("/pesan")
    assert (
        shown[0]
        .splitlines()[1]
        .startswith("Beras SPHP 5 kg (Bulog Klaten): 10 karung dari 1 koperasi")
    )
    assert any(t.startswith("Faktur yang belum dibayar:") for t in shown)
    (ask,) = await admin.press("💰 Catat pembayaran: PSN-0001")
    assert "Rp884.000" in ask
    (answer,) = await admin.send("Rp 900.000")
    assert answer.startswith("Itu lebih dari utangnya. Utangnya hanya Rp884.000.")
    await admin.send("500.000")
    (summary,) = await admin.send("BRI 2026120401")
    assert summary.splitlines()[1:4] == [
        "Jumlah: Rp500.000",
        "Transfer: BRI 2026120401",
        "Sisa tagihan sesudahnya: Rp384.000",
    ]
    (paid,) = await admin.press(YES_ID)
    assert (
        paid
        == "Pembayaran disimpan: Rp500.000 untuk "
        + lines[1].split()[1]
        + ".\nSisa utang: Rp384.000."
    )
    await world.outbox_sent()
    assert ani.take_new()[-1].startswith("Hub sudah menerima pembayaran Anda sebesar Rp500.000")
    (card,) = await ani.send("/koperasi")
    assert card.splitlines()[-1] == "Utang ke hub: Rp384.000 (1 faktur belum lunas)"
    # the same transfer again (for this order): recorded once
    await admin.send("/pesan")
    await admin.press("💰 Catat pembayaran: PSN-0001")
    await admin.send("384.000")
    await admin.send("BRI 2026120401")
    (again,) = await admin.press(YES_ID)
    assert again.startswith("Transfer BRI 2026120401 sudah dicatat sebelumnya: Rp500.000.")
    await admin.send("/pesan")
    await admin.press("💰 Catat pembayaran: PSN-0001")
    await admin.send("384.000")
    await admin.send("BRI 2026120402")
    (done,) = await admin.press(YES_ID)
    assert done.endswith("Lunas.")
    assert (await cycles.order(world.db, 1)).status == "paid"
    assert await ledger.balance(world.db, L.coop_receivable(kops[0])) == 0
    assert await ledger.balance(world.db, L.bank(ids["hub"])) == 884_000
    await world.outbox_sent()
    assert ani.take_new()[-1].endswith("untuk " + lines[1].split()[1] + ".\nLunas.")
    (card,) = await ani.send("/koperasi")
    assert "Utang ke hub" not in card
    rows = await dashboard.rows(
        world.db, "cycle_money", Scope((ids["hub"],), "id", "Asia/Jakarta", 0)
    )
    assert rows == [
        {
            "debtor": "Koperasi Hub Jateng",
            "creditor": "Bulog Klaten",
            "invoices": 0,
            "owed": 856_000,
        }
    ]


async def test_all_as_ordered_and_forged_buttons(world, closed):
    ids, cycle, _suppliers, (beras, minyak, npk), kops = closed
    await _someone(world, 911, kops[0], [Role.CHAIR])
    budi = await _someone(world, 912, kops[1], [Role.STORE_MANAGER])
    admin = await _someone(world, 919, ids["hub"], [Role.ADMIN])
    stranger = await _someone(world, 918, ids["other-hub"], [Role.ADMIN])
    await budi.send("/pesan")
    sent, _data = budi.button(ARRIVED)
    await budi.press_data(sent, "pdt:1")  # another cooperative's order
    assert _refused(world)
    await admin.press_data(sent, "pdt:2")  # the hub's admin counts nothing in the chat
    assert _refused(world)
    await budi.press(ARRIVED)
    (summary,) = await budi.press(ALL)
    assert "Pupuk NPK 50 kg: dipesan 4 sak, datang 4 sak" in summary
    assert "tidak ditagih" not in summary
    saved, _caption = await budi.press(YES_ID)
    assert "Total dibayar: Rp740.000" in saved
    # payment buttons: another hub's admin, a village officer, a forged order
    await admin.send("/pesan")
    sent, data = admin.button("💰 Catat pembayaran: PSN-0002")
    for who in (stranger, budi):
        await who.press_data(sent, data)
        assert _refused(world)
    await admin.press_data(sent, "pdb:1")  # Ani's order: not counted, no invoice
    assert _refused(world)
    assert await world.db.fetchone("SELECT 1 FROM cycle_payments") is None
    # the hub records the count for a cooperative with no phone (as `cycle count` does)
    from domain.cycle_delivery import PaymentRefused
    from domain.people import InvalidInput

    with pytest.raises(InvalidInput):
        await world.db.write(cycle_delivery.count, 1, kops[0], {beras.id: 12}, None)
    done = await world.db.write(cycle_delivery.count, 1, kops[0], {beras.id: 9}, None)
    assert done.first and done.invoice.credited_rupiah == 64_000
    assert done.invoice.total_rupiah == 9 * 64_000 + 24 * 15_500
    with pytest.raises(LookupError):  # another cooperative's order
        await world.db.write(cycle_delivery.count, 1, kops[1], {}, None)
    with pytest.raises(LookupError):  # another hub
        await world.db.write(cycle_delivery.pay, 1, ids["other-hub"], 1000, "BNI 1", None)
    owed = await cycle_delivery.owed_to_supplier(world.db, _suppliers[0].id)
    assert owed == 9 * 62_000 + 24 * 15_000
    with pytest.raises(PaymentRefused) as refused:
        await world.db.write(cycle_delivery.pay_supplier, _suppliers[0].id, owed + 1, "BRI 9", None)
    assert refused.value.owed == owed


async def test_the_delivery_day_notice_once_with_the_button(world, closed):
    ids, cycle, _suppliers, _items, kops = closed
    ani = await _someone(world, 921, kops[0], [Role.CHAIR])
    eko = await _someone(world, 922, kops[1], [Role.TREASURER], language="en")
    day = await world.db.fetchone("SELECT delivery_on FROM order_cycles WHERE id = ?", (cycle.id,))
    from datetime import date, datetime, time
    from zoneinfo import ZoneInfo

    from handlers import cycle_delivery as handler

    delivery = date.fromisoformat(day["delivery_on"])
    morning = int(datetime.combine(delivery, time(6), ZoneInfo("Asia/Jakarta")).timestamp())
    sender = world.app.bot_data.outbox
    assert (
        await handler.tell_delivery_day(world.db, sender, now=morning - 86400) == 0
    )  # the day before
    assert await handler.tell_delivery_day(world.db, sender, now=morning) == 2
    assert await handler.tell_delivery_day(world.db, sender, now=morning + 600) == 0  # once
    await world.outbox_sent()
    (told,) = ani.take_new()
    assert (
        told
        == "Barang pesanan PSN-0001 (Sembako Desember) datang hari ini. Tekan 📦 Barang sudah datang saat barang tiba."
    )
    (told_en,) = eko.take_new()
    assert told_en.startswith("The goods of order PSN-0002 (Sembako Desember) come today.")
    (how,) = await ani.press(ARRIVED)  # the notice's own button starts the count
    assert how.startswith("Apa saja yang datang dari pesanan PSN-0001?")
    jobs = {job.name for job in world.app.job_queue.jobs()}
    assert "delivery-day" in jobs


async def test_a_count_in_english_read_whole(world, closed):
    from tests.handlers.flows import YES_EN

    ids, cycle, _suppliers, _items, kops = closed
    eko = await _someone(world, 931, kops[1], [Role.CHAIR], language="en", name="Eko Prasetyo")
    shown = await eko.send("/pesan")
    assert shown[0].splitlines()[1:] == [
        "4 bags Pupuk NPK 50 kg",
        "When the goods arrive, press 📦 Goods have arrived.",
    ]
    (how,) = await eko.press("📦 Goods have arrived")
    assert how == (
        "What arrived of order PSN-0002? It ordered:\n4 bags Pupuk NPK 50 kg\n"
        "If everything arrived as ordered, press ✅ All as ordered. Otherwise press ✏️ Count each item."
    )
    assert await eko.press("✏️ Count each item") == [
        "Pupuk NPK 50 kg: 4 bags ordered. How many arrived?\n"
        "Type how many arrived, for example 8. Type all if everything came, 0 if none came."
    ]
    (summary,) = await eko.send("3 bags")
    assert summary == (
        "Count of order PSN-0002:\nPupuk NPK 50 kg: ordered 4 bags, arrived 3 bags\n"
        "Did not arrive, credited: Rp185,000\nInvoice total: Rp555,000\nIs it right?"
    )
    saved, caption = await eko.press(YES_EN)
    assert saved.splitlines()[0] == "Thank you. The count is saved."
    assert saved.splitlines()[2:6] == [
        "Goods: Rp540,000", "Hub fee: Rp15,000", "Did not arrive, credited: Rp185,000",
        "Total to pay: Rp555,000",
    ]  # fmt: skip
    assert saved.splitlines()[6].startswith("Pay by ") and caption.startswith("Invoice FKT/")
    (card,) = await eko.send("/koperasi")
    assert card.splitlines()[-1] == "Owed to the hub: Rp555,000 (1 unpaid invoice)"
