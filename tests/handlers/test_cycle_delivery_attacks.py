"""Issue 18 from the outside: the count, the invoice and the hub's payments attacked with
inputs and timings nobody planned for: two officers counting at once, the order counted by the
command line under an open count, amounts in odd forms, one transfer reference for two
cooperatives, pay after paid in full, forged buttons, nothing arrived at all."""

from __future__ import annotations

import asyncio

import pytest

from domain import ledger as L
from domain.people import Role
from storage import cycle_delivery, cycles, ledger
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


async def _entries(world) -> int:
    return len(await world.db.fetchall("SELECT id FROM ledger_entries"))


async def test_two_officers_count_at_the_same_moment(world, closed):
    ids, _cycle, _suppliers, _items, kops = closed
    ani = await _someone(world, 951, kops[0], [Role.CHAIR], name="Ani")
    wati = await _someone(world, 952, kops[0], [Role.TREASURER], name="Wati")
    for who in (ani, wati):
        await who.send("/pesan")
        await who.press(ARRIVED)
        await who.press(ALL)
    answers = await asyncio.gather(ani.press(YES_ID), wati.press(YES_ID))
    await world.outbox_sent()
    answers = [a + who.take_new() for a, who in zip(answers, (ani, wati), strict=True)]
    heads = sorted(next(t for t in a if "dihitung" in t or "disimpan" in t).splitlines()[0]
                   for a in answers)  # fmt: skip
    assert heads == ["Pesanan PSN-0001 sudah dihitung.", "Terima kasih. Hitungan sudah disimpan."]
    assert await _entries(world) == 1
    assert len(await world.db.fetchall("SELECT number FROM cycle_invoices")) == 1
    assert await ledger.balance(world.db, L.coop_receivable(kops[0])) == 1_012_000


async def test_a_count_open_while_the_command_line_counts(world, closed):
    ids, _cycle, _suppliers, (beras, _minyak, _npk), kops = closed
    ani = await _someone(world, 953, kops[0], [Role.CHAIR])
    await ani.send("/pesan")
    await ani.press(ARRIVED)
    await ani.press(EACH)
    await ani.send("5")
    # an item the order has no line of (nobody ordered NPK here) is refused, not ignored
    with pytest.raises(LookupError):
        await world.db.write(cycle_delivery.count, 1, kops[0], {_npk.id: 3}, None)
    # meanwhile the hub counts the same order on the command line
    await world.db.write(cycle_delivery.count, 1, kops[0], {beras.id: 9}, None)
    (summary,) = await ani.send("semua")
    assert summary.startswith("Hitungan pesanan PSN-0001:")
    (saved, _caption) = await ani.press(YES_ID)
    assert saved.startswith("Pesanan PSN-0001 sudah dihitung.")
    assert "Tidak datang, tidak ditagih: Rp64.000" in saved  # the command line's count holds
    assert await _entries(world) == 1


async def test_a_count_while_the_order_was_cancelled(world, closed):
    ids, _cycle, _suppliers, _items, kops = closed
    ani = await _someone(world, 954, kops[0], [Role.CHAIR])
    await ani.send("/pesan")
    await ani.press(ARRIVED)
    await ani.press(ALL)
    async with world.db.transaction() as conn:
        await conn.execute("UPDATE cycle_orders SET status = 'cancelled' WHERE id = 1")
    (answer,) = await ani.press(YES_ID)
    assert answer == "Pesanan ini tidak bisa dihitung sekarang. Tidak ada yang disimpan."
    assert await _entries(world) == 0


async def test_nothing_arrived_at_all(world, closed):
    ids, _cycle, _suppliers, _items, kops = closed
    budi = await _someone(world, 955, kops[1], [Role.CHAIR], name="Budi")
    admin = await _someone(world, 956, ids["hub"], [Role.ADMIN])
    await budi.send("/pesan")
    await budi.press(ARRIVED)
    await budi.press(EACH)
    (summary,) = await budi.send("0")
    assert summary.splitlines()[1:] == [
        "Pupuk NPK 50 kg: dipesan 4 sak, datang 0 sak",
        "Tidak datang, tidak ditagih: Rp740.000",
        "Total faktur: Rp0",
        "Apakah sudah benar?",
    ]
    replies = await budi.press(YES_ID)
    assert replies == [
        "Terima kasih. Hitungan sudah disimpan.\n"
        "Tidak ada barang pesanan PSN-0002 yang datang, jadi tidak ada yang perlu dibayar. "
        "Hub sudah diberi tahu."
    ]
    assert world.telegram.calls_of("sendDocument") == []  # no invoice of Rp0
    assert await _entries(world) == 0
    await world.outbox_sent()
    (short,) = admin.take_new()
    assert "barang senilai Rp740.000 tidak datang" in short
    (again,) = await budi.press(ARRIVED)  # the old button: the same answer, no invoice
    assert again.startswith("Pesanan PSN-0002 sudah dihitung.")
    assert "tidak ada yang perlu dibayar" in again
    assert world.telegram.calls_of("sendDocument") == []


async def _counted(world, kops, ids):
    await world.db.write(cycle_delivery.count, 1, kops[0], {}, None)  # Rp1.012.000
    await world.db.write(cycle_delivery.count, 2, kops[1], {}, None)  # Rp740.000
    return await _someone(world, 960, ids["hub"], [Role.TREASURER])


async def test_amounts_in_odd_forms(world, closed):
    ids, _cycle, _suppliers, _items, kops = closed
    admin = await _counted(world, kops, ids)
    await admin.send("/pesan")
    await admin.press("💰 Catat pembayaran: PSN-0001")
    for typed in ("-500000", "12345678901234567890", "0", "abc", "Rp", "1.5.0,0"):
        (answer,) = await admin.send(typed)
        assert answer.splitlines()[-1] == said(
            "Type the amount paid in whole rupiah, for example 500.000."
        ), typed
        assert not answer.startswith("Traceback"), typed
    (more,) = await admin.send("1,5 jt")
    assert more.startswith("Itu lebih dari utangnya. Utangnya hanya Rp1.012.000.")
    (ask,) = await admin.send("Rp 1.000.000,-")
    assert ask.startswith("Ketik referensi transfer")
    await admin.send("/batal")
    await admin.send("/pesan")
    await admin.press("💰 Catat pembayaran: PSN-0001")
    (ask,) = await admin.send("satu juta")  # words are read too
    assert ask.startswith("Ketik referensi transfer")
    (summary,) = await admin.send("BRI 77")
    assert "Jumlah: Rp1.000.000" in summary
    await admin.press(YES_ID)
    assert (await cycle_delivery.invoice(world.db, 1)).paid_rupiah == 1_000_000


async def test_one_reference_for_two_cooperatives_and_pay_after_paid(world, closed):
    ids, _cycle, _suppliers, _items, kops = closed
    admin = await _counted(world, kops, ids)
    await admin.send("/pesan")
    await admin.press("💰 Catat pembayaran: PSN-0001")
    await admin.send("1.012.000")
    await admin.send("BRI 100")
    (paid,) = await admin.press(YES_ID)
    assert paid.endswith("Lunas.")
    # the same reference typed for the other cooperative's invoice
    await admin.send("/pesan")
    await admin.press("💰 Catat pembayaran: PSN-0002")
    await admin.send("740.000")
    await admin.send("BRI 100")
    (refused,) = await admin.press(YES_ID)
    assert refused == (
        "Referensi transfer itu sudah dicatat untuk faktur lain. Tidak ada yang disimpan."
    )
    # an old 💰 button of the paid invoice
    sent, _data = admin.button("💰 Catat pembayaran: PSN-0002")
    (answer,) = await admin.press_data(sent, "pdb:1")
    assert answer.startswith("Faktur ") and answer.endswith(" sudah lunas.")
    assert await ledger.balance(world.db, L.bank(ids["hub"])) == 1_012_000


async def test_the_bot_and_the_command_line_pay_at_once(world, closed):
    ids, _cycle, _suppliers, _items, kops = closed
    admin = await _counted(world, kops, ids)
    await admin.send("/pesan")
    await admin.press("💰 Catat pembayaran: PSN-0002")
    await admin.send("740.000")
    await admin.send("BNI 5")
    # the command line records the whole invoice first (another transfer)
    await world.db.write(cycle_delivery.pay, 2, ids["hub"], 740_000, "BNI 6", None)
    (answer,) = await admin.press(YES_ID)
    assert answer == "Faktur ini sudah lunas. Tidak ada yang disimpan."
    assert (await cycle_delivery.invoice(world.db, 2)).paid_rupiah == 740_000
    assert await ledger.balance(world.db, L.bank(ids["hub"])) == 740_000


@pytest.mark.parametrize(
    "data", ["pdt:abc", "pdt:99999999999", "pdt:-1", "pdh:zzz", "pdb:abc", "pdb:999999999999"]
)
async def test_forged_values(world, closed, data):
    ids, _cycle, _suppliers, _items, kops = closed
    ani = await _someone(world, 961, kops[0], [Role.CHAIR])
    await ani.send("/pesan")
    sent, _data = ani.button(ARRIVED)
    await ani.press_data(sent, data)
    assert _refused(world)
    assert await world.db.fetchone("SELECT 1 FROM cycle_invoices") is None


async def test_a_ketua_presses_the_hubs_pay_button(world, closed):
    ids, _cycle, _suppliers, _items, kops = closed
    admin = await _counted(world, kops, ids)
    ani = await _someone(world, 962, kops[0], [Role.CHAIR])
    other = await _someone(world, 963, ids["other-hub"], [Role.TREASURER])
    await admin.send("/pesan")
    sent, data = admin.button("💰 Catat pembayaran: PSN-0001")
    for who in (ani, other):
        await who.press_data(sent, data)
        assert _refused(world)
    assert await world.db.fetchone("SELECT 1 FROM cycle_payments") is None


async def test_the_cooperatives_own_invoices(world, closed):
    ids, _cycle, _suppliers, _items, kops = closed
    ani = await _someone(world, 970, kops[0], [Role.TREASURER])
    budi = await _someone(world, 971, kops[1], [Role.CHAIR])
    shown = await ani.send("/pesan")
    assert "🧾 Faktur" not in ani.buttons()  # nothing counted yet: no button
    await world.db.write(cycle_delivery.count, 1, kops[0], {}, None)  # Rp1.012.000
    await world.db.write(cycle_delivery.count, 2, kops[1], {}, None)
    await world.db.write(cycle_delivery.pay, 1, ids["hub"], 12_000, "BRI 1", None)
    shown = await ani.send("/pesan")
    assert "Tekan 🧾 Faktur untuk melihat faktur koperasi Anda dari hub." in shown
    (card,) = await ani.send("/koperasi")  # the card's owed line has the button too
    assert card.splitlines()[-1] == "Utang ke hub: Rp1.000.000 (1 faktur belum lunas)"
    assert ani.button("🧾 Faktur")[0].text == card
    (listed,) = await ani.press("🧾 Faktur")
    number = (await cycle_delivery.invoice(world.db, 1)).number
    lines = listed.splitlines()
    assert lines[0] == "Faktur koperasi Anda dari hub:"
    assert lines[1].startswith(
        f"{number} (pesanan PSN-0001): total Rp1.012.000, sudah dibayar Rp12.000, "
        "sisa Rp1.000.000, jatuh tempo "
    )
    assert "PSN-0002" not in listed  # only its own
    before = len(world.telegram.calls_of("sendDocument"))
    sent, data = ani.button(f"📄 {number}")
    await ani.press(f"📄 {number}")
    assert len(world.telegram.calls_of("sendDocument")) == before + 1
    # forged: another cooperative's invoice, letters, a huge id; Budi presses Ani's
    for forged in ("pdi:2", "pdi:x", "pdi:999999999999", "pdi:0"):
        await ani.press_data(sent, forged)
        assert _refused(world), forged
    await budi.press_data(sent, data)
    assert _refused(world)
    assert len(world.telegram.calls_of("sendDocument")) == before + 1
    # past due: said so
    async with world.db.transaction() as conn:
        await conn.execute("UPDATE cycle_invoices SET due_on = '2020-01-01' WHERE order_id = 1")
    (listed,) = await ani.press("🧾 Faktur")
    assert listed.splitlines()[1].endswith("⚠️ Sudah lewat jatuh tempo!")


async def test_a_members_order_is_not_counted_by_the_cooperative(world, closed):
    ids, cycle, _suppliers, (beras, _minyak, _npk), kops = closed
    ani = await _someone(world, 975, kops[0], [Role.CHAIR])
    async with world.db.transaction() as conn:  # a member's order picked up at Ani's cooperative
        cur = await conn.execute(
            "INSERT INTO cycle_orders (cycle_id, orderer_kind, org_id, person_id, status,"
            " placed_at, changed_at) VALUES (?, 'person', ?, ?, 'frozen', 0, 0) RETURNING id",
            (cycle.id, kops[0], None),
        )
        order_id = (await cur.fetchone())[0]
        await conn.execute(
            "INSERT INTO cycle_order_lines (order_id, item_id, quantity, price_rupiah, fee_rupiah)"
            " VALUES (?, ?, 1, 64000, 2000)",
            (order_id, beras.id),
        )
    await ani.send("/pesan")
    sent, _data = ani.button(ARRIVED)
    await ani.press_data(sent, f"pdt:{order_id}")
    assert _refused(world)
    assert await world.db.fetchone("SELECT 1 FROM cycle_invoices") is None


async def test_the_delivery_day_job_in_two_processes_and_after_a_restart(world, closed):
    from datetime import date, datetime, time
    from zoneinfo import ZoneInfo

    from bot.context import BotContext
    from handlers import cycle_delivery as handler

    ids, cycle, _suppliers, _items, kops = closed
    ani = await _someone(world, 976, kops[0], [Role.CHAIR])
    wati = await _someone(world, 977, kops[0], [Role.TREASURER])
    day = await world.db.fetchone("SELECT delivery_on FROM order_cycles WHERE id = ?", (cycle.id,))
    noon = datetime.combine(
        date.fromisoformat(day["delivery_on"]), time(12), ZoneInfo("Asia/Jakarta")
    )
    at = int(noon.timestamp())
    sender = world.app.bot_data.outbox
    queued = await asyncio.gather(
        handler.tell_delivery_day(world.db, sender, now=at),
        handler.tell_delivery_day(world.db, sender, now=at),
    )
    assert sorted(queued) == [0, 2]  # Budi's cooperative has no officer here: Ani and Wati
    await world.kill()  # a restart on the same day: the job runs again, nobody told twice
    await handler.tell_delivery_day(world.db, world.app.bot_data.outbox, now=at + 60)
    await handler.delivery_day(BotContext(world.app))
    await world.outbox_sent()
    assert [t for t in ani.take_new() if "datang hari ini" in t] == [
        "Barang pesanan PSN-0001 (Sembako Desember) datang hari ini. "
        "Tekan 📦 Barang sudah datang saat barang tiba."
    ]
    assert len([t for t in wati.take_new() if "datang hari ini" in t]) == 1


async def test_an_english_officer_reads_the_invoices_and_an_empty_count(world, closed):
    ids, _cycle, _suppliers, _items, kops = closed
    eko = await _someone(world, 980, kops[1], [Role.STORE_MANAGER], language="en")
    await eko.send("/pesan")
    await eko.press("📦 Goods have arrived")
    await eko.press("✏️ Count each item")
    await eko.send("0 bags")
    (saved,) = await eko.press("✅ Yes, save")
    assert saved.splitlines()[1] == (
        "Nothing of order PSN-0002 arrived, so there is nothing to pay. The hub has been told."
    )
    await world.db.write(cycle_delivery.count, 1, kops[0], {}, None)
    shown = await eko.send("/pesan")
    assert "🧾 Invoices" not in eko.buttons()  # a count of Rp0 is no invoice to list
    assert not any("invoices from the hub" in t for t in shown)


async def test_paid_in_full_while_the_amount_is_asked(world, closed):
    ids, _cycle, _suppliers, _items, kops = closed
    admin = await _counted(world, kops, ids)
    await admin.send("/pesan")
    await admin.press("💰 Catat pembayaran: PSN-0002")
    await world.db.write(cycle_delivery.pay, 2, ids["hub"], 740_000, "BNI 6", None)
    (answer,) = await admin.send("100.000")  # not "more than the Rp0 owed", asked forever
    number = (await cycle_delivery.invoice(world.db, 2)).number
    assert answer == f"Faktur {number} sudah lunas. Tidak ada yang disimpan."
    (after,) = await admin.send("BRI 8")  # the conversation ended: a stray text
    assert "Rp" not in after


async def test_one_reference_for_two_invoices_at_the_same_moment(world, closed):
    ids, _cycle, _suppliers, _items, kops = closed
    await _counted(world, kops, ids)
    results = await asyncio.gather(
        world.db.write(cycle_delivery.pay, 1, ids["hub"], 1_000, "BRI 55", None),
        world.db.write(cycle_delivery.pay, 2, ids["hub"], 1_000, "BRI 55", None),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["Payment", "PaymentRefused"]
    assert await ledger.balance(world.db, L.bank(ids["hub"])) == 1_000


async def test_forged_choices_inside_the_count(world, closed):
    ids, _cycle, _suppliers, _items, kops = closed
    ani = await _someone(world, 985, kops[0], [Role.CHAIR])
    await ani.send("/pesan")
    await ani.press(ARRIVED)
    sent, _data = ani.button(ALL)
    for forged in ("pdh:zzz", "pdh:alls", "pdt:2", "pdt:1"):
        answers = await ani.press_data(sent, forged)
        assert not any("Traceback" in a for a in answers)
    (summary,) = await ani.press(ALL)  # the count goes on
    assert summary.startswith("Hitungan pesanan PSN-0001:")
    saved, _caption = await ani.press(YES_ID)
    assert saved.startswith("Terima kasih. Hitungan sudah disimpan.")
    assert await _entries(world) == 1
