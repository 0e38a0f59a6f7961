"""Issue 18's "Done when" as one journey: the hub opens a cycle; two village cooperatives
(their ketua) order in /pesan and a union member orders in /belanja from sukarela; the close
job closes it; the supplier's purchase order (XLSX) is opened and checked; one cooperative
counts a shortfall, gets its invoice (PDF read back) and pays it in two transfers; the other
counts all as ordered and still owes; the member picks up at /serahkan; the ledger's balances
equal the figures worked out by hand below, and /koperasi shows the owed line, then none."""

from __future__ import annotations

import io

import openpyxl
from pypdf import PdfReader

from bot import cycle_papers
from bot.context import BotContext
from bot.i18n import use_locale
from domain import ledger as L
from domain.ledger import SavingsKind
from domain.people import Role
from handlers import cycles as cycle_handlers
from storage import cycles, ledger, orgs, roster
from storage.db import now_utc
from tests.cycles_seed import open_cycle
from tests.handlers.flows import YES_ID, register_member
from tests.handlers.test_network import _someone
from tests.network_seed import KLATEN, hub_with_network, villages
from tests.texts import said

PICK = "SP-0001 Sembako Desember"
SUMMARY = "🧾 Lihat ringkasan"
BERAS, MINYAK, NPK = "Beras SPHP 5 kg", "Minyak goreng 1 L", "Pupuk NPK 50 kg"
ARRIVED, EACH, ALL = "📦 Barang sudah datang", "✏️ Hitung per barang", "✅ Semua sesuai"
PHONE = "+6281377770001"


async def _network(world):
    """The hub, two Klaten village cooperatives (ketua Ani and Budi), the hub's administrator
    Pak Harjo, and Koperasi Buruh Klaten under the hub with Sri (sukarela Rp150.000) and its
    treasurer Tono. The cycle (beras Rp62.000 + fee Rp2.000 a karung, minyak Rp15.000 + Rp500
    a liter, NPK Rp180.000 + Rp5.000 a sak) is opened as the hub's use case."""
    ids = await hub_with_network(world.db, klaten=2, boyolali=0)
    cycle, suppliers, items = await open_cycle(world.db, ids["hub"])
    kops = [ids[f"kop-{c}"] for c in villages(KLATEN, 2)]
    ani = await _someone(world, 601, kops[0], [Role.CHAIR], name="Ani Lestari")
    budi = await _someone(world, 602, kops[1], [Role.CHAIR], name="Budi Santoso")
    admin = await _someone(world, 609, ids["hub"], [Role.ADMIN], name="Pak Harjo")
    buruh = await world.db.write(
        orgs.add, code="kop-buruh", name="Koperasi Buruh Klaten", kind="coop_primary", parent_code="hub"
    )  # fmt: skip
    await world.db.write(roster.add, org_id=buruh, member_number="B-001",
                         full_name="Sri Wahyuni", phone=PHONE, take_home=2_000_000)  # fmt: skip
    member = await world.db.fetchone("SELECT id FROM roster WHERE member_number = 'B-001'")
    await world.db.write(ledger.post, [L.debit(L.cash(buruh), 150_000),
                         L.credit(L.member_savings(member["id"], SavingsKind.SUKARELA), 150_000)],
                         None, "Setoran sukarela")  # fmt: skip
    sri = world.person(681, "Sri")
    await register_member(sri, PHONE[1:])
    tono = await _someone(world, 682, buruh, [Role.TREASURER], name="Tono Wijaya")
    people = {"ani": ani, "budi": budi, "admin": admin, "sri": sri, "tono": tono}
    return ids, cycle, suppliers, kops, member["id"], people


async def _ordered(who, lines):
    await who.send("/pesan")
    await who.press(PICK)
    for item, quantity in lines:
        await who.press(item)
        await who.send(quantity)
    await who.press(SUMMARY)
    return (await who.press(YES_ID))[0]


async def _orders(world, people, roster_id):
    # Ani: 10 × Rp64.000 + 24 × Rp15.500 = Rp640.000 + Rp372.000 = Rp1.012.000
    saved = await _ordered(people["ani"], [(BERAS, "10 karung"), (MINYAK, "24")])
    assert saved.startswith("Pesanan PSN-0001 sudah disimpan: Rp1.012.000.")
    # Budi: 4 × Rp185.000 = Rp740.000
    saved = await _ordered(people["budi"], [(NPK, "4 sak")])
    assert saved.startswith("Pesanan PSN-0002 sudah disimpan: Rp740.000.")
    # Sri: 1 × Rp64.000 + 2 × Rp15.500 = Rp95.000, held from her sukarela
    sri = people["sri"]
    await sri.send("/belanja")
    await sri.press(PICK)
    await sri.press(BERAS)
    await sri.send("1")
    await sri.press(MINYAK)
    await sri.send("2 liter")
    await sri.press(said("🧾 See the summary"))
    await sri.press(said("💰 From my voluntary savings"))
    saved = (await sri.press(YES_ID))[0]
    assert saved.startswith(
        said("Order {number} is saved: {total}.", number="PSN-0003", total="Rp95.000")
    )
    assert await _sukarela(world, roster_id) == 150_000  # held, not taken yet


async def _sukarela(world, roster_id):
    return await ledger.balance(world.db, L.member_savings(roster_id, SavingsKind.SUKARELA))


async def _closed(world, cycle):
    async with world.db.transaction(bookkeeping=True) as conn:
        await conn.execute(
            "UPDATE order_cycles SET closes_at = ? WHERE id = ?", (now_utc() - 60, cycle.id)
        )
    await cycle_handlers.close_cycles(BotContext(world.app))  # the close job, as scheduled
    assert (await cycles.get(world.db, cycle.id)).status == "closed"
    statuses = await world.db.fetchall("SELECT status FROM cycle_orders ORDER BY id")
    assert [r["status"] for r in statuses][:2] == ["frozen", "frozen"]


async def _purchase_order_checked(world, ids, cycle, bulog):
    hub = await orgs.by_id(world.db, ids["hub"])
    with use_locale("id"):
        po = await cycle_papers.purchase_order(
            world.db, hub, await cycles.get(world.db, cycle.id), bulog
        )
        content = cycle_papers.purchase_order_xlsx(po, "Asia/Jakarta")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = [r for r in sheet.iter_rows(values_only=True) if r and r[1] in (BERAS, MINYAK)]
    # the supplier's prices, without the hub's fee: beras 10 + 1 = 11 × Rp62.000 = Rp682.000,
    # minyak 24 + 2 = 26 × Rp15.000 = Rp390.000; the total Rp1.072.000
    assert [r[1:6] for r in rows] == [
        (BERAS, "karung", 11, 62_000, 682_000),
        (MINYAK, "liter", 26, 15_000, 390_000),
    ]
    total = [r for r in sheet.iter_rows(values_only=True) if r and r[1] == "Total"]
    assert total[-1][5] == 1_072_000


def _pdf_text(world):
    (name, data), *_ = world.telegram.calls_of("sendDocument")[-1].files.values()
    return name, "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


async def _counted_with_a_shortfall(world, ani):
    await ani.send("/pesan")
    await ani.press(ARRIVED)
    await ani.press(EACH)
    await ani.send("8 karung")  # 2 karung of beras did not arrive
    summary = (await ani.send("semua"))[0]
    assert summary.splitlines() == [
        "Hitungan pesanan PSN-0001:",
        "Beras SPHP 5 kg: dipesan 10 karung, datang 8 karung",
        "Minyak goreng 1 L: dipesan 24 liter, datang 24 liter",
        "Tidak datang, tidak ditagih: Rp128.000",  # 2 × Rp64.000
        "Total faktur: Rp884.000",  # Rp1.012.000 − Rp128.000
        "Apakah sudah benar?",
    ]
    saved, _caption = await ani.press(YES_ID)
    # goods 8 × 62.000 + 24 × 15.000 = 496.000 + 360.000 = 856.000; fees 8 × 2.000 +
    # 24 × 500 = 16.000 + 12.000 = 28.000
    assert saved.splitlines()[2:6] == [
        "Barang: Rp856.000",
        "Biaya hub: Rp28.000",
        "Tidak datang, tidak ditagih: Rp128.000",
        "Total dibayar: Rp884.000",
    ]
    name, text = _pdf_text(world)
    assert name.startswith("faktur-FKT-") and name.endswith(".pdf")
    assert "Rp884.000" in text and "Rp128.000" in text and "8 karung" in text
    return saved.splitlines()[1].split()[1]  # the invoice number


async def _paid_in_two_transfers(world, admin, ani, invoice):
    await admin.send("/pesan")
    await admin.press("💰 Catat pembayaran: PSN-0001")
    await admin.send("500.000")
    await admin.send("BRI 2026120401")
    paid = (await admin.press(YES_ID))[-1]
    assert paid == f"Pembayaran disimpan: Rp500.000 untuk {invoice}.\nSisa utang: Rp384.000."
    card = (await ani.send("/koperasi"))[-1]
    assert card.splitlines()[-1] == "Utang ke hub: Rp384.000 (1 faktur belum lunas)"
    await admin.send("/pesan")
    await admin.press("💰 Catat pembayaran: PSN-0001")
    await admin.send("384.000")  # 884.000 − 500.000
    await admin.send("BRI 2026120402")
    done = (await admin.press(YES_ID))[-1]
    assert done.endswith("Lunas.")
    await world.outbox_sent()
    assert ani.take_new()[-1].endswith(f"untuk {invoice}.\nLunas.")
    card = (await ani.send("/koperasi"))[-1]
    assert "Utang ke hub" not in card


async def _picked_up(world, tono, sri):
    listing = await tono.send("/serahkan")
    assert listing[1].startswith(said("{number}: {name} ({member_number})", number="PSN-0003",
                                      name="Sri Wahyuni", member_number="B-001"))  # fmt: skip
    assert await tono.press(said("✅ Handed over")) == [
        said("{number} is handed over. {total} is recorded.", number="PSN-0003", total="Rp95.000")
    ]
    await world.outbox_sent()
    assert sri.texts()[-1].startswith(said("You picked up your order {number} at {place}.",
                                           number="PSN-0003", place="Koperasi Buruh Klaten"))  # fmt: skip


async def test_a_cycle_from_opening_to_payment_and_pickup(world):
    ids, cycle, (bulog, pupuk), kops, roster_id, people = await _network(world)
    ani, budi, admin = people["ani"], people["budi"], people["admin"]
    await _orders(world, people, roster_id)
    await _closed(world, cycle)
    await world.outbox_sent()
    (told,) = ani.take_new()  # the ketua is told at the close what goes to the hub
    assert told.splitlines()[:6] == [
        "Pesanan Sembako Desember sudah ditutup. Pesanan Anda PSN-0001 diteruskan ke hub:",
        "10 karung Beras SPHP 5 kg: Rp640.000",
        "24 liter Minyak goreng 1 L: Rp372.000",
        "Barang: Rp980.000",  # 10 × 62.000 + 24 × 15.000
        "Biaya hub: Rp32.000",  # 10 × 2.000 + 24 × 500
        "Total dibayar: Rp1.012.000",
    ]
    assert told.splitlines()[6].startswith("Dikirim: ")  # the cycle's delivery day
    jobs = {job.name: job for job in world.app.job_queue.jobs()}
    await jobs["tell-member-orders"].run(world.app)  # the member's notice, as scheduled
    await world.outbox_sent()
    (told,) = people["sri"].take_new()
    assert told.splitlines()[:7] == [
        "Pesanan Sembako Desember sudah ditutup. Pesanan Anda PSN-0003:",
        "1 karung Beras SPHP 5 kg: Rp64.000",
        "2 liter Minyak goreng 1 L: Rp31.000",
        "Barang: Rp92.000",
        "Biaya hub: Rp3.000",
        "Total dibayar: Rp95.000",
        "Dibayar dari: simpanan sukarela (ditahan sekarang, dipotong saat barang diambil)",
    ]
    await _purchase_order_checked(world, ids, cycle, bulog)
    await admin.send("/pesan")  # the same purchase order as the hub's administrator gets it
    await admin.press("📄 Pesanan pembelian: Bulog Klaten")
    name, text = _pdf_text(world)
    assert name == "po-SP-0001-1.pdf"
    assert "11 karung" in text and "26 liter" in text and "Rp1.072.000" in text

    invoice = await _counted_with_a_shortfall(world, ani)
    card = (await ani.send("/koperasi"))[-1]
    assert card.splitlines()[-1] == "Utang ke hub: Rp884.000 (1 faktur belum lunas)"
    assert await ledger.balance(world.db, L.coop_receivable(kops[0])) == 884_000
    # Budi: all 4 sak arrived, invoiced Rp740.000 (goods 4 × 180.000 = 720.000, fees 20.000)
    await budi.send("/pesan")
    await budi.press(ARRIVED)
    await budi.press(ALL)
    saved, _caption = await budi.press(YES_ID)
    assert "Total dibayar: Rp740.000" in saved
    await _paid_in_two_transfers(world, admin, ani, invoice)
    await _picked_up(world, people["tono"], people["sri"])

    # the ledger at the end, by hand:
    # receivable:coop — Ani's 884.000 − 500.000 − 384.000 = 0; Budi's 740.000 unpaid
    assert await ledger.balance(world.db, L.coop_receivable(kops[0])) == 0
    assert await ledger.balance(world.db, L.coop_receivable(kops[1])) == 740_000
    # payable:supplier — Bulog: Ani's goods 856.000 + Sri's 62.000 + 2 × 15.000 = 948.000;
    # Pupuk Kaltim: Budi's 4 × 180.000 = 720.000
    assert await ledger.balance(world.db, L.supplier_payable(bulog.id)) == 948_000
    assert await ledger.balance(world.db, L.supplier_payable(pupuk.id)) == 720_000
    # hubfees — Ani 28.000 + Budi 4 × 5.000 = 20.000 + Sri 2.000 + 2 × 500 = 3.000 → 51.000
    assert await ledger.balance(world.db, L.hub_fees(ids["hub"])) == 51_000
    # Sri's sukarela: 150.000 − 95.000 = 55.000; the hub's bank got 500.000 + 384.000
    assert await _sukarela(world, roster_id) == 55_000
    assert await ledger.balance(world.db, L.bank(ids["hub"])) == 884_000
    # Budi's card still shows his cooperative's debt, Ani's none
    card = (await budi.send("/koperasi"))[-1]
    assert card.splitlines()[-1] == "Utang ke hub: Rp740.000 (1 faktur belum lunas)"
