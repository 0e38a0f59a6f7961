"""/pesan (issue 18, goods in order cycles): a cycle opened; two village cooperatives order (one
changes its order, one cancels then orders again), a third loses the race for the last sacks
at the confirm; each refusal (bad number, over the stock, under the minimum, after the close,
forged buttons) in words with the question again; the reminder a day before; the close run
twice and after a restart, told once; the hub's totals and papers; English read whole."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from bot.context import BotContext
from domain.cycles import OrderStatus
from domain.people import Role
from handlers import cycles as cycle_handlers
from storage import cycles, job_runs
from storage.db import now_utc
from tests.cycles_seed import open_cycle
from tests.handlers.flows import YES_EN, YES_ID
from tests.handlers.test_network import _someone
from tests.network_seed import BOYOLALI, KLATEN, hub_with_network, villages
from tests.texts import said

NOT_ACTIVE = "This button is no longer active."
PICK = "SP-0001 Sembako Desember"
SUMMARY = "🧾 Lihat ringkasan"
BERAS, MINYAK, NPK = "Beras SPHP 5 kg", "Minyak goreng 1 L", "Pupuk NPK 50 kg"


@pytest.fixture
async def hub(world):
    ids = await hub_with_network(world.db, klaten=3, boyolali=1)
    cycle, suppliers, items = await open_cycle(world.db, ids["hub"], minimum=700_000)
    kops = [ids[f"kop-{c}"] for c in villages(KLATEN, 3) + villages(BOYOLALI, 1)]
    return ids, cycle, items, kops


def _refused(world) -> bool:
    return world.telegram.calls_of("answerCallbackQuery")[-1].params.get("text") == said(NOT_ACTIVE)


async def _order(who, lines: list[tuple[str, str]], *, start: bool = True) -> list[str]:
    """/pesan, the cycle, each item and its quantity, the summary; what the summary said."""
    if start:
        await who.send("/pesan")
        await who.press(PICK)
    for item, quantity in lines:
        await who.press(item)
        await who.send(quantity)
    return await who.press(SUMMARY)


async def test_two_cooperatives_order_change_cancel_and_race_for_the_last_sacks(world, hub):
    ids, cycle, (beras, minyak, npk), kops = hub
    ani = await _someone(world, 801, kops[0], [Role.CHAIR], name="Ani Lestari")
    budi = await _someone(world, 802, kops[1], [Role.TREASURER], name="Budi Hartono")
    citra = await _someone(world, 803, kops[3], [Role.STORE_MANAGER], name="Citra Dewi")
    zone = "Asia/Jakarta"
    from bot.cycle_papers import closing_time
    from bot.i18n import use_locale

    with use_locale("id"):
        close_said = closing_time(cycle, zone)

    assert await ani.send("/pesan") == ["Siklus pesanan yang mana? Pilih salah satu."]
    assert ani.buttons()[-1] == PICK
    (items_text,) = await ani.press(PICK)
    assert items_text.splitlines()[:4] == [
        f"Sembako Desember: barang dari hub, dikirim {items_text.split('dikirim ')[1].splitlines()[0]}",
        "Beras SPHP 5 kg: Rp62.000 + biaya hub Rp2.000 per karung, sisa 40 karung",
        "Minyak goreng 1 L: Rp15.000 + biaya hub Rp500 per liter, sisa 500 liter",
        "Pupuk NPK 50 kg: Rp180.000 + biaya hub Rp5.000 per sak, sisa 100 sak",
    ]
    assert SUMMARY not in ani.buttons()  # nothing ordered yet
    assert await ani.press(BERAS) == [
        "Berapa karung Beras SPHP 5 kg? Sisa 40 karung.\n"
        "Ketik angka bulat, misalnya 10. Ketik 0 untuk mengeluarkannya dari pesanan."
    ]
    # bad numbers and another unit: the reason, the question again
    for typed, reason in (("banyak", "Barang ini dipesan dalam karung."), ("1,5", "Saya tidak bisa membaca angka itu."),
                          ("10 liter", "Barang ini dipesan dalam karung.")):  # fmt: skip
        (answer,) = await ani.send(typed)
        assert answer.startswith(reason) and answer.endswith(
            "Ketik 0 untuk mengeluarkannya dari pesanan."
        )
    (answer,) = await ani.send("50 karung")  # over the stock: what is left
    assert answer.startswith(
        "Sisa Beras SPHP 5 kg tinggal 40 karung. Ketik angka yang lebih kecil."
    )
    (listing,) = await ani.send("10 karung")
    assert "Pesanan Anda sejauh ini:\n10 karung Beras SPHP 5 kg: Rp640.000" in listing
    # under the minimum (Rp700.000): how much more, and the items again
    minimum = await ani.press(SUMMARY)
    assert (
        minimum[0]
        == "Pesanan paling sedikit Rp700.000. Pesanan Anda Rp640.000. Tambah Rp60.000 lagi."
    )
    assert minimum[1].startswith("Sembako Desember: barang dari hub")
    await ani.press(MINYAK)
    await ani.send("24")
    (summary,) = await ani.press(SUMMARY)
    assert summary == (
        "Pesanan Anda di Sembako Desember:\n10 karung Beras SPHP 5 kg: Rp640.000\n"
        "24 liter Minyak goreng 1 L: Rp372.000\nBarang: Rp980.000\nBiaya hub: Rp32.000\n"
        f"Total dibayar: Rp1.012.000\nDikirim: {summary.split('Dikirim: ')[1].split('.')[0]}."
        f" Pesanan ditutup {close_said}.\nApakah sudah benar?"
    )
    (saved,) = await ani.press(YES_ID)
    assert saved == (
        f"Pesanan PSN-0001 sudah disimpan: Rp1.012.000. Anda bisa mengubah atau membatalkannya sampai {close_said}. Kirim /pesan."
    )
    assert (await cycles.item(world.db, beras.id)).left == 30

    # Budi (another cooperative) takes 30 sacks: none are left for others
    await _order(budi, [(BERAS, "30")])
    await budi.press(YES_ID)
    assert (await cycles.item(world.db, beras.id)).left == 0

    # Ani changes: her own 10 sacks count as hers to change, no more
    await ani.send("/pesan")
    (existing,) = await ani.press(PICK)
    assert existing.startswith(
        "Pesanan Anda PSN-0001 di Sembako Desember:\n10 karung Beras SPHP 5 kg: Rp640.000"
    )
    assert existing.endswith(f"Anda bisa mengubah atau membatalkannya sampai {close_said}.")
    await ani.press("✏️ Ubah pesanan")
    assert (await ani.press(BERAS))[0].startswith("Berapa karung Beras SPHP 5 kg? Sisa 10 karung.")
    assert (await ani.send("11"))[0].startswith("Sisa Beras SPHP 5 kg tinggal 10 karung.")
    await ani.send("5")
    await ani.press(NPK)
    await ani.send("1")
    await ani.press(SUMMARY)
    assert (await ani.press(YES_ID))[0].startswith("Pesanan PSN-0001 sudah disimpan: Rp877.000.")
    order = await cycles.order_of(world.db, cycle.id, kops[0])
    assert {x.item_id: x.quantity for x in order.lines} == {beras.id: 5, minyak.id: 24, npk.id: 1}
    assert (await cycles.item(world.db, beras.id)).left == 5

    # Citra (Boyolali) reaches the summary for the 5 sacks left; Budi takes them first
    await _order(citra, [(BERAS, "5"), (NPK, "3")])
    await budi.send("/pesan")
    await budi.press(PICK)
    await budi.press("✏️ Ubah pesanan")
    await budi.press(BERAS)
    await budi.send("35")
    await budi.press(SUMMARY)
    await budi.press(YES_ID)
    lost = await citra.press(YES_ID)
    assert lost == [
        "Sisa Beras SPHP 5 kg sekarang tinggal 0 karung. Koperasi lain memesan lebih dulu. Belum ada yang disimpan.",
        "Berapa karung Beras SPHP 5 kg? Sisa 0 karung.\nKetik angka bulat, misalnya 10. Ketik 0 untuk mengeluarkannya dari pesanan.",
    ]
    assert await cycles.order_of(world.db, cycle.id, kops[3]) is None
    await citra.send("0")
    # 3 sacks of NPK (Rp555.000) are under the minimum: she adds one more
    assert (await citra.press(SUMMARY))[0].startswith(
        "Pesanan paling sedikit Rp700.000. Pesanan Anda Rp555.000."
    )
    await citra.press(NPK)
    await citra.send("4")
    await citra.press(SUMMARY)
    assert (await citra.press(YES_ID))[0].startswith("Pesanan PSN-0003 sudah disimpan: Rp740.000.")

    # Budi cancels, then orders again: the same order opens again
    await budi.send("/pesan")
    await budi.press(PICK)
    (cancelled,) = await budi.press("❌ Batalkan pesanan")
    assert (
        cancelled
        == f"Pesanan PSN-0002 dibatalkan. Anda bisa memesan lagi sampai {close_said}. Kirim /pesan."
    )
    assert (await cycles.order_of(world.db, cycle.id, kops[1])).status == OrderStatus.CANCELLED
    assert (await cycles.item(world.db, beras.id)).left == 35
    await _order(budi, [(BERAS, "20")])
    assert (await budi.press(YES_ID))[0].startswith("Pesanan PSN-0002 sudah disimpan: Rp1.280.000.")
    assert (await cycles.item(world.db, beras.id)).left == 15

    # the hub's administrator sees the totals, and gets the papers
    admin = await _someone(world, 809, ids["hub"], [Role.ADMIN], name="Pak Harjo")
    (totals,) = await admin.send("/pesan")
    assert totals.splitlines()[1:4] == [
        "Beras SPHP 5 kg (Bulog Klaten): 25 karung dari 2 koperasi, sisa 15 karung",
        "Minyak goreng 1 L (Bulog Klaten): 24 liter dari 1 koperasi, sisa 476 liter",
        "Pupuk NPK 50 kg (Pupuk Kaltim Solo): 5 sak dari 2 koperasi, sisa 95 sak",
    ]
    assert admin.buttons()[-3:] == [
        "📄 Pesanan pembelian: Bulog Klaten",
        "📄 Pesanan pembelian: Pupuk Kaltim Solo",
        "📄 Rencana pengiriman",
    ]
    await admin.press("📄 Pesanan pembelian: Bulog Klaten")
    document = world.telegram.calls_of("sendDocument")[-1]
    (name, pdf), *_ = document.files.values()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert (
        name == "po-SP-0001-1.pdf"
        and "25 karung" in text
        and "Rp1.550.000" in text
        and "24 liter" in text
    )


async def test_forged_buttons_and_another_hub(world, hub):
    ids, cycle, (beras, *_), kops = hub
    ani = await _someone(world, 811, kops[0], [Role.CHAIR])
    other_cycle, *_ = await open_cycle(world.db, ids["other-hub"], name="Hub Lain Desember")
    other = await _someone(world, 812, ids["kop-other"], [Role.CHAIR])
    await other.send("/pesan")
    assert other.buttons() == [f"{other_cycle.number} Hub Lain Desember"]  # its own hub's only
    await ani.send("/pesan")
    sent, _data = ani.button(PICK)
    await ani.press_data(sent, f"psc:{other_cycle.id}")  # another hub's cycle
    assert _refused(world)
    await ani.press(PICK)
    sent, _data = ani.button(BERAS)
    other_items = await cycles.items(world.db, other_cycle.id)
    await ani.press_data(sent, f"psi:i{other_items[0].id}")  # an item of another cycle
    assert _refused(world)
    # a hub's papers, to someone of another hub, or by a village officer
    stranger = await _someone(world, 813, ids["other-hub"], [Role.ADMIN])
    await stranger.send("/pesan")
    sent = world.telegram.messages[813][-1]
    for who in (stranger, ani):
        await who.press_data(sent, f"psp:{cycle.id}p")
        assert _refused(world)
    await stranger.press_data(sent, "psp:99999999999999999999")
    assert _refused(world)
    assert not world.telegram.calls_of("sendDocument")
    # someone who is neither: a farmer-less staff member of the hub is told who orders here
    keeper = await _someone(world, 814, ids["hub"], [Role.STORE_MANAGER])
    assert await keeper.send("/pesan") == [
        said("Only officers of a village cooperative order goods here.")
    ]


async def test_after_the_close_an_order_is_refused_with_the_close_time(world, hub):
    ids, cycle, (beras, minyak, _n), kops = hub
    ani = await _someone(world, 821, kops[0], [Role.CHAIR])
    await _order(ani, [(BERAS, "20")])  # at the summary when the clock passes the close
    async with world.db.transaction() as conn:
        await conn.execute(
            "UPDATE order_cycles SET closes_at = ? WHERE id = ?", (now_utc() - 60, cycle.id)
        )
    closed = await cycles.get(world.db, cycle.id)
    from bot.cycle_papers import closing_time
    from bot.i18n import use_locale

    with use_locale("id"):
        expected = f"Pesanan sudah ditutup {closing_time(closed, 'Asia/Jakarta')}. Tidak ada yang disimpan."
    assert await ani.press(YES_ID) == [expected]
    assert await cycles.order_of(world.db, cycle.id, kops[0]) is None
    # an officer still choosing items when the clock passed is told at the next question
    budi = await _someone(world, 822, kops[1], [Role.TREASURER])
    async with world.db.transaction() as conn:
        await conn.execute(
            "UPDATE order_cycles SET closes_at = ? WHERE id = ?", (now_utc() + 3600, cycle.id)
        )
    await budi.send("/pesan")
    await budi.press(PICK)
    async with world.db.transaction() as conn:
        await conn.execute(
            "UPDATE order_cycles SET closes_at = ? WHERE id = ?", (closed.closes_at, cycle.id)
        )
    assert await budi.press(BERAS) == [expected]
    assert (await ani.send("/pesan"))[0].startswith("Belum ada siklus pesanan hub yang dibuka.")


async def test_the_reminder_the_close_once_and_what_each_is_told(world, hub):
    ids, cycle, (beras, minyak, npk), kops = hub
    ani = await _someone(world, 831, kops[0], [Role.CHAIR])
    budi = await _someone(world, 832, kops[1], [Role.TREASURER], language="en")
    dewi = await _someone(world, 833, kops[2], [Role.STORE_MANAGER])
    admin = await _someone(world, 834, ids["hub"], [Role.ADMIN])
    eko = await _someone(world, 835, kops[3], [Role.CHAIR], language="en")  # lives in WITA
    async with world.db.transaction() as conn:
        await conn.execute(
            "UPDATE people SET timezone = 'Asia/Makassar' WHERE telegram_user_id = 835"
        )
    await world.db.write(cycles.place, cycle.id, kops[0], {beras.id: 10, minyak.id: 24}, None)
    await world.db.write(cycles.place, cycle.id, kops[1], {npk.id: 4}, None)
    for who in (ani, budi, dewi, admin, eko):
        who.take_new()

    # a day before the close: those who have not ordered, once
    assert (
        await cycle_handlers.remind(world.db, None, now=cycle.closes_at - 2 * 86400) == 0
    )  # too early
    assert (
        await cycle_handlers.remind(world.db, world.app.bot_data.outbox, now=cycle.closes_at - 3600)
        == 2
    )
    assert (
        await cycle_handlers.remind(world.db, world.app.bot_data.outbox, now=cycle.closes_at - 600)
        == 0
    )
    await world.outbox_sent()
    (reminder,) = dewi.take_new()
    assert reminder.startswith("Koperasi Anda belum memesan di Sembako Desember. Pesanan ditutup ")
    assert reminder.endswith("WIB. Kirim /pesan untuk memesan.")
    (in_english,) = eko.take_new()  # his language, the close in his zone (an hour later in WITA)
    local = datetime.fromtimestamp(cycle.closes_at, UTC).astimezone(ZoneInfo("Asia/Makassar"))
    assert in_english.startswith(
        "Your cooperative has not ordered in Sembako Desember yet. Orders close "
    )
    assert in_english.endswith(f"at {local:%H:%M} WITA. Send /pesan to order.")
    assert ani.take_new() == [] and budi.take_new() == []

    async with world.db.transaction() as conn:  # the closing minute
        await conn.execute(
            "UPDATE order_cycles SET closes_at = ? WHERE id = ?", (now_utc() - 1, cycle.id)
        )
    # two processes run the job at once: one closes; then the one that closed dies before telling
    results = await asyncio.gather(
        world.db.write(cycles.close_due), world.db.write(cycles.close_due)
    )
    assert sorted(results) == [[], [cycle.id]]
    await world.kill()
    jobs = {job.name: job for job in world.app.job_queue.jobs()}
    await jobs["close-cycles"].run(world.app)  # the job as scheduled, after the restart
    await cycle_handlers.close_cycles(BotContext(world.app))  # and once more
    await world.outbox_sent()
    (told,) = ani.take_new()
    assert told.splitlines() == [
        "Pesanan Sembako Desember sudah ditutup. Pesanan Anda PSN-0001 diteruskan ke hub:",
        "10 karung Beras SPHP 5 kg: Rp640.000",
        "24 liter Minyak goreng 1 L: Rp372.000",
        "Barang: Rp980.000",
        "Biaya hub: Rp32.000",
        "Total dibayar: Rp1.012.000",
        told.splitlines()[-1],
    ] and told.splitlines()[-1].startswith("Dikirim: ")
    (told_en,) = budi.take_new()
    assert told_en.startswith(
        "Orders for Sembako Desember are closed. Your order PSN-0002 goes to the hub:\n4 bags Pupuk NPK 50 kg: Rp740,000"
    )
    assert dewi.take_new() == [] and eko.take_new() == []
    (hub_told,) = admin.take_new()
    assert hub_told.splitlines() == [
        "Pesanan Sembako Desember sudah ditutup. 2 koperasi memesan.",
        "Beras SPHP 5 kg: 10 karung",
        "Minyak goreng 1 L: 24 liter",
        "Pupuk NPK 50 kg: 4 sak",
        "Kirim /pesan untuk mengambil pesanan pembelian dan rencana pengiriman.",
    ]
    assert [o.status for o in await cycles.frozen_orders(world.db, cycle.id)] == [
        OrderStatus.FROZEN
    ] * 2
    # the job itself runs once per minute across processes (storage.job_runs)
    assert await job_runs.claim(world.db, "close-cycles", "m1", "a") is True
    assert await job_runs.claim(world.db, "close-cycles", "m1", "b") is False


async def test_an_order_in_english_read_whole(world, hub):
    ids, cycle, (beras, *_), kops = hub
    ann = await _someone(world, 841, kops[2], [Role.CHAIR], language="en")
    assert await ann.send("/pesan") == ["Which order cycle? Pick one."]
    (listing,) = await ann.press(PICK)
    assert (
        listing.splitlines()[1]
        == "Beras SPHP 5 kg: Rp62,000 + hub fee Rp2,000 per sack, 40 sacks left"
    )
    assert await ann.press(BERAS) == [
        "How many sacks of Beras SPHP 5 kg? 40 sacks left.\nType a whole number, for example 10. Type 0 to take it out of the order."
    ]
    await ann.send("12 sacks")
    (summary,) = await ann.press("🧾 See the summary")
    assert summary.startswith(
        "Your order in Sembako Desember:\n12 sacks Beras SPHP 5 kg: Rp768,000\nGoods: Rp744,000\n"
        "Hub fee: Rp24,000\nTotal to pay: Rp768,000\nDelivery: "
    )
    assert summary.endswith("\nIs it right?")
    (saved,) = await ann.press(YES_EN)
    assert saved.startswith(
        "Order PSN-0001 is saved: Rp768,000. You may change or cancel it until "
    )
