"""Every handler that writes, crashed right after its use case committed and before it
answered, then processed again by a new process: no second effect, the same answer.

The writers come from the registry the kit fills (``handlers.kit.WRITERS``): only a
declared handler may write while an update is processed (``Database.write`` refuses the
rest), so a new writing handler cannot escape this test: it fails until a scenario for it
is added below.
"""

from __future__ import annotations

import re
import time

import pytest

import handlers  # noqa: F401  (registers every handler, and so every writer)
from domain.people import Role
from handlers.kit import WRITERS
from storage import deductions, invites, roster
from tests.handlers.flows import FARMER_ID, MEMBER_ID, PHONE, YES_ID, register_farmer
from tests.handlers.test_staff_and_roles import _person_with_roles
from tests.harness import World

TABLES = (
    "people",
    "person_roles",
    "invites",
    "roster",
    "audit_log",
    "areas",
    "org_coverage",
    "offers",
    "offer_alerts",
    "pickups",
    "ledger_entries",
    "ledger_lines",
    "offer_deductions",
    "buying_prices",
    "rafaksi_tables",
    "pickups WHERE cut_rupiah > 0",
    "commodities WHERE active = 1",
    "savings_requests",
    "savings_requests WHERE status = 'approved'",
    "savings_request_alerts",
    "price_subscriptions",
    "broadcasts",
    "outbox",
    "buyers",
    "sales",
    "sale_allocations",
    "deliveries",
    "delivery_pieces",
    "invoices",
    "sale_payments",
    "sales WHERE closed_at IS NOT NULL",
    "sale_allocations WHERE remaining <> '0'",
    "stock_batches WHERE quantity <> '0'",
    "stock_moves",
    "stock_batches",
    "stock_batch_sources",
    "stock_move_inputs",
    "stock_arrivals",
    "buying_windows WHERE state = 'open'",
    "buying_windows WHERE announced_at IS NOT NULL",
    "window_offers",
    "advances",
    "advances WHERE status = 'approved'",
    "loans",
    "loans WHERE status = 'approved'",
    "loans WHERE status = 'disbursed'",
    "loans WHERE status = 'cancelled'",
    "loan_approvals",
    "loan_installments",
    "loan_payments",
    "loan_allocations",
    "loans WHERE status = 'paid'",
    "shu_postings WHERE status = 'posted'",
    "cycle_orders",
    "cycle_orders WHERE status = 'cancelled'",
    "cycle_order_lines",
    "cycle_items WHERE taken > 0",
    "cycle_invoices",
    "cycle_payments",
    "cycle_orders WHERE status = 'paid'",
    "monthly_reports",
    "announcements",
    "announcement_recipients",
    "announcement_recipients WHERE read_at IS NOT NULL",
)


async def _farmer_until_confirm(world):
    budi = world.person(601)
    for step in ("/start",):
        await budi.send(step)
    await budi.press("Bahasa Indonesia")
    await budi.press(FARMER_ID)
    await budi.share_contact(PHONE)
    for answer in ("Budi Santoso", "Jawa Tengah", "Klaten", "Ceper", "Kujon"):
        await budi.send(answer)
    return budi, lambda: budi.press(YES_ID)


async def _member_until_contact(world):
    await world.db.write(
        roster.add, org_id=1, member_number="A-1", full_name="Sri Wahyuni", phone="+6281311112222"
    )
    sri = world.person(602)
    await sri.send("/start")
    await sri.press("Bahasa Indonesia")
    await sri.press(MEMBER_ID)
    return sri, lambda: sri.share_contact("6281311112222")


async def _staff_until_confirm(world):
    invite = await world.db.write(
        invites.create, role=Role.COORDINATOR, org_id=1, valid_hours=24, created_by=None
    )
    andi = world.person(603)
    await andi.send(f"/start {invite.code}")
    await andi.press("Bahasa Indonesia")
    await andi.share_contact("6281200000603")
    await andi.send("Andi Wijaya")
    return andi, lambda: andi.press(YES_ID)


async def _admin_invite(world):
    admin = await _person_with_roles(world, 604, [Role.ADMIN])
    return admin, lambda: admin.send("/invite koordinator")


async def _registered(world):
    budi = world.person(605)
    await register_farmer(budi, phone="6281200000605")
    return budi


async def _language(world):
    budi = await _registered(world)
    await budi.send("/language")
    return budi, lambda: budi.press("English")


async def _timezone(world):
    budi = await _registered(world)
    await budi.send("/settings")
    await budi.press("Zona waktu")
    return budi, lambda: budi.press("WITA")


async def _village(world):
    budi = await _registered(world)
    await budi.send("/settings")
    await budi.press("Desa")
    for answer in ("Bali", "Gianyar", "Ubud"):
        await budi.send(answer)
    return budi, lambda: budi.send("Peliatan")


async def _market(world):
    from tests.handlers.test_offer import _coordinator, _prices

    await _prices(world)
    await world.db.write(deductions.set_rate, org_id=1, kind="transport", rupiah_per_unit=150)
    budi = await _registered(world)
    coordinator = await _coordinator(world, 606, "33.10")
    await budi.send("/jual")
    await budi.send("cabai merah")
    await budi.press("Mutu A")
    await budi.send("250 kg")
    await budi.press("Besok")
    await budi.tap("🏠 Di desa saya, Kujon")
    return budi, coordinator


async def _offer(world):
    budi, _coordinator = await _market(world)
    return budi, lambda: budi.press(YES_ID)


async def _take(world):
    budi, coordinator = await _market(world)
    await budi.press(YES_ID)
    return coordinator, lambda: coordinator.press("✋ Ambil penjemputan ini")


async def _cancel_offer(world):
    budi, _coordinator = await _market(world)
    await budi.press(YES_ID)
    await budi.send("/tawaran")
    label = next(b for b in budi.buttons() if b.startswith("Batalkan TW-"))
    return budi, lambda: budi.press(label)


async def _scheduled(world):
    coordinator, take = await _take(world)
    await take()
    await coordinator.press("📅 Jadwalkan penjemputan")
    await coordinator.press(coordinator.buttons()[-6])  # tomorrow
    return coordinator


async def _schedule(world):
    coordinator, take = await _take(world)
    await take()
    await coordinator.press("📅 Jadwalkan penjemputan")
    await coordinator.press(coordinator.buttons()[-6])
    return coordinator, lambda: coordinator.press("06.00–09.00")


async def _weigh(world):
    coordinator = await _scheduled(world)
    await coordinator.press("06.00–09.00")
    await coordinator.send("/jemput")
    await coordinator.press(next(b for b in coordinator.buttons() if b.startswith("⚖️ Timbang")))
    await coordinator.press("Mutu B")
    await coordinator.send("240 kg")
    return coordinator, lambda: coordinator.press(YES_ID)


async def _weigh_with_rafaksi(world):
    """A gabah weighing where the cooperative has a rafaksi table: the readings, then save."""
    from tests.handlers.test_offer import _coordinator, _prices
    from tests.handlers.test_rafaksi import adopt_government_table

    await _prices(world)
    await adopt_government_table(world)
    budi = await _registered(world)
    coordinator = await _coordinator(world, 606, "33.10")
    for step in ("/jual", "gabah", "1 ton"):
        await budi.send(step)
    await budi.press("Besok")
    await budi.tap("🏠 Di desa saya, Kujon")
    await budi.press(YES_ID)
    await coordinator.press("✋ Ambil penjemputan ini")
    await coordinator.press("📅 Jadwalkan penjemputan")
    await coordinator.press(coordinator.buttons()[-6])
    await coordinator.press("06.00–09.00")
    await coordinator.send("/jemput")
    await coordinator.press(next(b for b in coordinator.buttons() if b.startswith("⚖️ Timbang")))
    await coordinator.press("GKP (gabah kering panen)")
    for answer in ("1.000 kg", "27", "8 %"):
        await coordinator.send(answer)
    return coordinator, lambda: coordinator.press(YES_ID)


async def _receipt_answer(world):
    coordinator, save = await _weigh(world)
    await save()
    budi = world.person(605)
    return budi, lambda: budi.press("⚠️ Tidak sesuai")


async def _pay(world):
    coordinator, save = await _weigh(world)
    await save()
    return coordinator, lambda: coordinator.press("💵 Dibayar tunai")


async def _pay_by_transfer(world):
    coordinator, save = await _weigh(world)
    await save()
    await coordinator.press("🏦 Dibayar lewat transfer")
    return coordinator, lambda: coordinator.send("BRI 240915123456")


async def _ask_for_another_day(world):
    coordinator, schedule = await _schedule(world)
    await schedule()
    budi = world.person(605)
    await budi.press("🔁 Minta hari lain")
    return budi, lambda: budi.press(budi.buttons()[-5])


async def _enter_for_a_farmer(world):
    from tests.handlers.test_offer import _coordinator, _prices

    await _prices(world)
    coordinator = await _coordinator(world, 607, "33.10")
    await coordinator.send("/jualkan")
    for answer in (
        "0857-1111-2222",
        "Darmo",
        "Jawa Tengah",
        "Klaten",
        "Ceper",
        "Kujon",
        "gabah",
        "2 ton",
    ):
        await coordinator.send(answer)
    await coordinator.press("Besok")
    return coordinator, lambda: coordinator.press(YES_ID)


async def _set_price(world):
    admin = await _person_with_roles(world, 608, [Role.ADMIN])
    await admin.send("/setharga")
    await admin.press("💰 Harga beli koperasi")
    await admin.send("kopi")
    await admin.press("Mutu A")
    await admin.send("Rp 62.000")
    return admin, lambda: admin.press(YES_ID)


async def _catalog_toggle(world):
    admin = await _person_with_roles(world, 609, [Role.ADMIN])
    await admin.send("/katalog")
    return admin, lambda: admin.press("✅ Karet")


async def _desk(world):
    from tests.handlers.test_savings_desk import _desk as desk

    _sri, _roster, tono, ani = await desk(world)
    return tono, ani


async def _deposit(world):
    tono, _ani = await _desk(world)
    await tono.send("/setor")
    await tono.send("SP-001")
    await tono.press("Simpanan sukarela")
    await tono.send("75.000")
    return tono, lambda: tono.press(YES_ID)


async def _withdrawal_request(world):
    tono, _ani = await _desk(world)
    await tono.send("/tarik")
    await tono.send("SP-001")
    await tono.send("75.000")
    return tono, lambda: tono.press(YES_ID)


async def _approval(world):
    tono, ani = await _desk(world)
    await tono.send("/tarik")
    await tono.send("SP-001")
    await tono.send("75.000")
    await tono.press(YES_ID)
    return ani, lambda: ani.press("✅ Setujui")


async def _subscribe(world):
    from tests.handlers.test_offer import _prices

    await _prices(world)
    budi = await _registered(world)
    await budi.send("/langganan")
    return budi, lambda: budi.press("🔕 Gabah")


async def _stop_all(world):
    budi, subscribe = await _subscribe(world)
    await subscribe()
    await budi.send("/langganan")
    return budi, lambda: budi.press("🔕 Matikan semua")


async def _tell_price(world):
    from storage import people, subscriptions

    budi = await _registered(world)
    person = await people.by_telegram_id(world.db, 605)
    await world.db.write(subscriptions.subscribe, person.id, "kopi")
    admin, save = await _set_price(world)
    await save()

    async def tell():
        await admin.press("📣 Kirim ke pelanggan sekarang")
        await _broadcasts_done(world)

    assert budi is not None
    return admin, tell


async def _assign(world):
    from tests.handlers.test_offer import _coordinator, _prices

    await _prices(world)
    admin = await _person_with_roles(world, 610, [Role.ADMIN])
    await _coordinator(world, 611, "35")  # of the cooperative, covering elsewhere
    budi = await _registered(world)
    await budi.send("/jual")
    await budi.send("cabai merah")
    await budi.press("Mutu A")
    await budi.send("250 kg")
    await budi.press("Besok")
    await budi.tap("🏠 Di desa saya, Kujon")
    await budi.press(YES_ID)
    await admin.press("👥 Serahkan ke koordinator")
    return admin, lambda: admin.press("Uji Coba")


async def _check_weight(world):
    admin = await _person_with_roles(world, 610, [Role.ADMIN])
    coordinator = await _scheduled(world)
    await coordinator.press("06.00–09.00")
    await coordinator.send("/jemput")
    await coordinator.press(next(b for b in coordinator.buttons() if b.startswith("⚖️ Timbang")))
    await coordinator.press("Mutu B")
    await coordinator.send("1 ton")  # four times the offer: held
    await coordinator.press(YES_ID)
    return admin, lambda: admin.press("✅ Sesuai")


async def _settle(world):
    admin = await _person_with_roles(world, 610, [Role.ADMIN])
    budi, answer = await _receipt_answer(world)
    await answer()
    return admin, lambda: admin.press("🤝 Selesai, tanda terima benar")


async def _sales_admin(world):
    from tests.handlers.test_sales_flow import _admin, _two_dried_batches

    admin, admin_id = await _admin(world, 612)
    await _two_dried_batches(world, admin_id)
    return admin


async def _sales_buyer(world):
    from tests.handlers.test_sales_flow import _new_buyer

    admin = await _sales_admin(world)
    return admin, await _new_buyer(admin)


async def _sales_record(world):
    from tests.handlers.test_sales_flow import _new_sale

    admin, save = await _sales_buyer(world)
    await save()
    _replies, record = await _new_sale(admin)
    return admin, record


async def _sales_card(admin):
    await admin.send("/penjualan")
    await admin.press(next(b for b in admin.buttons() if b.startswith("PJ-")))


async def _sales_deliver(world):
    from tests.handlers.flows import YES_EN
    from tests.handlers.test_rafaksi import adopt_government_table

    admin, record = await _sales_record(world)
    await record()
    await adopt_government_table(world)  # the buyer's readings cut the invoice line
    await _sales_card(admin)
    await admin.press("🚚 Record a delivery")
    for answer in ("400", "380", "kadar air tinggi", "27", "8"):
        await admin.send(answer)
    return admin, lambda: admin.press(YES_EN)


async def _sales_invoice(world):
    admin, deliver = await _sales_deliver(world)
    await deliver()
    await _sales_card(admin)
    return admin, lambda: admin.press("🧾 Make the invoice")


async def _sales_pay(world):
    from tests.handlers.flows import YES_EN

    admin, invoice = await _sales_invoice(world)
    await invoice()
    await _sales_card(admin)
    await admin.press(next(b for b in admin.buttons() if b.startswith("💰 Payment of")))
    await admin.press("🏦 Transfer")
    await admin.send("1.000.000")
    await admin.send("BRI 240915123456")
    return admin, lambda: admin.press(YES_EN)


async def _sales_close(world):
    admin, deliver = await _sales_deliver(world)
    await deliver()
    await _sales_card(admin)
    await admin.press("✖ Close the sale short")
    return admin, lambda: admin.press("✅ Yes, close it")


async def _warehouse_of(world, keeper_user):
    from storage import people, stock

    await _person_with_roles(world, keeper_user, [])
    keeper = await people.by_telegram_id(world.db, keeper_user)
    await world.db.write(stock.add_warehouse, 1, "Gudang Kujon", "33.10.11.2004", keeper.id)
    return world.person(keeper_user)


async def _arrive(world):
    await _warehouse_of(world, 640)
    coordinator, save = await _weigh(world)
    await save()
    await coordinator.press(next(b for b in coordinator.buttons() if b.startswith("📦")))
    await coordinator.send("235")
    return coordinator, lambda: coordinator.press(YES_ID)


async def _stock_work(world):
    keeper = await _warehouse_of(world, 641)
    coordinator, save = await _weigh(world)
    await save()
    await coordinator.press(next(b for b in coordinator.buttons() if b.startswith("📦")))
    await coordinator.send("235")
    await coordinator.press(YES_ID)
    await keeper.send("/gudang")
    await keeper.press("⚙️ Cabai merah B · Gudang Kujon")
    await keeper.press("📉 Hilang (tikus, busuk, tumpah)")
    await keeper.send("5 kg")
    await keeper.send("busuk")
    return keeper, lambda: keeper.press(YES_ID)


async def _close_window(world):
    from datetime import date, timedelta
    from decimal import Decimal

    from domain.windows import deadline_of
    from storage import people, windows

    admin = await _person_with_roles(world, 612, [Role.ADMIN])
    opener = await people.by_telegram_id(world.db, 612)
    await world.db.write(
        windows.open_window, org_id=1, commodity="gabah", grade="GKP", area_prefix="33.10",
        target=Decimal(5000), target_unit="ton", price_rupiah=6500,
        deadline=deadline_of(date.today() + timedelta(days=10), "Asia/Jakarta"), opened_by=opener.id,
    )  # fmt: skip
    await admin.send("/butuh")
    return admin, lambda: admin.press("✖ Tutup #1 sekarang")


async def _open_window(world):
    from datetime import timedelta

    from bot.i18n import format_date, use_locale
    from handlers.kit import today

    admin = await _person_with_roles(world, 613, [Role.ADMIN])
    await admin.send("/butuh")
    await admin.press("➕ Buka kebutuhan pembelian")
    await admin.send("gabah")
    await admin.press("GKP (gabah kering panen)")  # the root: everywhere, no area question
    await admin.send("5 ton")
    await admin.send("6500")
    with use_locale("id"):
        await admin.press(format_date(today("Asia/Jakarta") + timedelta(days=7), "Asia/Jakarta"))
    return admin, lambda: admin.press(YES_ID)


async def _rafaksi_admin(world):
    admin = await _person_with_roles(world, 614, [Role.ADMIN])
    await admin.send("/rafaksi")
    await admin.press("Gabah")
    return admin


async def _set_rafaksi(world):
    admin = await _rafaksi_admin(world)
    await admin.press("🏛 Pakai tabel pemerintah")
    await admin.press("Hari ini")
    return admin, lambda: admin.press(YES_ID)


async def _own_rafaksi(world):
    admin = await _rafaksi_admin(world)
    await admin.press("✏️ Ubah")
    for answer in ("25 30", "10 15", "300", "425", "750"):
        await admin.send(answer)
    await admin.press("Besok")
    return admin, lambda: admin.press(YES_ID)


async def _advance_asked(world):
    from tests.handlers.test_advances import _asked, _desk

    _budi, tono, ani, _farmer = await _desk(world)
    await _asked(tono)
    return tono, ani


async def _advance_request(world):
    tono, _ani = await _advance_asked(world)
    return tono, lambda: tono.press(YES_ID)


async def _advance_approval(world):
    tono, ani = await _advance_asked(world)
    await tono.press(YES_ID)
    return ani, lambda: ani.press("✅ Setujui")


async def _loan_simulated(world):
    from tests.handlers.test_loans import _cooperative, _simulated
    from tests.texts import said

    sri, tono, ani = await _cooperative(world)
    await _simulated(sri)
    await sri.press(said("✅ Apply"))
    return sri, tono, ani


async def _loan_apply(world):
    sri, _tono, _ani = await _loan_simulated(world)
    return sri, lambda: sri.send("biaya sekolah anak")


async def _loan_applied(world):
    sri, tono, ani = await _loan_simulated(world)
    await sri.send("biaya sekolah anak")
    return tono, ani


async def _loan_decide(world):
    from tests.texts import said

    tono, ani = await _loan_applied(world)
    await tono.press(said("✅ Approve"))
    return ani, lambda: ani.press(said("✅ Approve"))


async def _loan_approved(world):
    from tests.texts import said

    tono, ani = await _loan_applied(world)
    await tono.press(said("✅ Approve"))
    await ani.press(said("✅ Approve"))
    return tono, ani


async def _loan_disburse(world):
    from tests.texts import said

    tono, _ani = await _loan_approved(world)
    return tono, lambda: tono.press(said("💵 Cash"))


async def _loan_disburse_transfer(world):
    from tests.texts import said

    tono, _ani = await _loan_approved(world)
    await tono.press(said("🏦 Transfer"))
    return tono, lambda: tono.send("BRI 2026/12/001")


async def _loan_cancel(world):
    from tests.texts import said

    sri, _tono, _ani = await _loan_simulated(world)
    await sri.send("biaya sekolah anak")
    await sri.send("/pinjam")
    return sri, lambda: sri.press(said("✖️ Cancel {number}", number="KP-0001"))


async def _cycle_officer(world):
    from tests.cycles_seed import network_with_cycle
    from tests.handlers.test_network import _someone
    from tests.network_seed import KLATEN, villages

    ids, cycle, _suppliers, items = await network_with_cycle(world.db)
    # the close on a round time: the calm run and the crashed one, seeded a minute apart,
    # say the same close in their messages
    async with world.db.transaction(bookkeeping=True) as conn:
        closes = (int(time.time()) // 86400 + 3) * 86400
        await conn.execute("UPDATE order_cycles SET closes_at = ?", (closes,))
    kop = ids[f"kop-{villages(KLATEN, 1)[0]}"]
    return await _someone(world, 606, kop, [Role.CHAIR]), cycle, items, kop


async def _cycle_order(world):
    ani, _cycle, _items, _kop = await _cycle_officer(world)
    await ani.send("/pesan")
    await ani.press("SP-0001 Sembako Desember")
    await ani.press("Beras SPHP 5 kg")
    await ani.send("10 karung")
    await ani.press("🧾 Lihat ringkasan")
    return ani, lambda: ani.press(YES_ID)


async def _cycle_cancel(world):
    from storage import cycles

    ani, cycle, items, kop = await _cycle_officer(world)
    await world.db.write(cycles.place, cycle.id, kop, {items[0].id: 10}, None)
    await ani.send("/pesan")
    await ani.press("SP-0001 Sembako Desember")
    return ani, lambda: ani.press("❌ Batalkan pesanan")


async def _report_file(world):
    from tests.handlers.test_monthly_report import _file, _network

    _ids, _a, _b, ketua, _wati, _other, _admin = await _network(world)
    await ketua.send("/laporan")
    await _file(ketua, ketua.buttons()[0])
    return ketua, lambda: ketua.press(YES_ID)


async def _announced(world):
    from tests.handlers.test_announcements import _network

    _ids, officers, _joko, _stranger, admin = await _network(world)
    await admin.send("/umumkan")
    await admin.send("33.10")
    await admin.send("Rapat anggota hari Sabtu.")
    return admin, officers


async def _announcement_send(world):
    admin, _officers = await _announced(world)
    return admin, lambda: admin.press(YES_ID)


async def _announcement_read(world):
    admin, officers = await _announced(world)
    await admin.press(YES_ID)
    await world.outbox_sent()
    return officers[0], lambda: officers[0].press("✅ Sudah dibaca")


async def _cycle_delivered(world):
    """Ani's order of 10 karung, the cycle closed: goods on their way."""
    from storage import cycles

    ani, cycle, items, kop = await _cycle_officer(world)
    await world.db.write(cycles.place, cycle.id, kop, {items[0].id: 10}, None)
    await world.db.write(cycles.close, cycle.id)
    return ani, kop


async def _cycle_count(world):
    ani, _kop = await _cycle_delivered(world)
    await ani.send("/pesan")
    await ani.press("📦 Barang sudah datang")
    await ani.press("✏️ Hitung per barang")
    await ani.send("8")
    return ani, lambda: ani.press(YES_ID)


async def _cycle_count_nothing(world):
    """Nothing arrived: no faktur sent, before the crash or after the replay."""
    ani, _kop = await _cycle_delivered(world)
    await ani.send("/pesan")
    await ani.press("📦 Barang sudah datang")
    await ani.press("✏️ Hitung per barang")
    await ani.send("0")
    return ani, lambda: ani.press(YES_ID)


async def _cycle_pay(world):
    from storage import cycle_delivery
    from tests.handlers.test_network import _someone

    _ani, kop = await _cycle_delivered(world)
    await world.db.write(cycle_delivery.count, 1, kop, {}, None)
    hub = (await world.db.fetchone("SELECT hub_id FROM cycle_invoices"))["hub_id"]
    admin = await _someone(world, 607, hub, [Role.ADMIN])
    await admin.send("/pesan")
    await admin.press("💰 Catat pembayaran: PSN-0001")
    await admin.send("300.000")
    await admin.send("BRI 2026120401")
    return admin, lambda: admin.press(YES_ID)


async def _member_shopping(world):
    from tests.handlers.test_member_orders import union_world

    found = await union_world(world)
    # the close on a round time: the calm run and the crashed one say the same close
    # whatever minute each was seeded in
    async with world.db.transaction(bookkeeping=True) as conn:
        closes = (int(time.time()) // 86400 + 3) * 86400
        await conn.execute("UPDATE order_cycles SET closes_at = ?", (closes,))
    sri = found["sri"]
    await sri.send("/belanja")
    await sri.press("SP-0001 Sembako Desember")
    await sri.press("Beras SPHP 5 kg")
    await sri.send("2 karung")
    await sri.press("🧾 Lihat ringkasan")
    return found


async def _member_order(world):
    found = await _member_shopping(world)
    sri = found["sri"]
    await sri.press("💰 Dari simpanan sukarela saya")
    return sri, lambda: sri.press(YES_ID)


async def _member_order_cancel(world):
    sri, confirm = await _member_order(world)
    await confirm()
    await sri.send("/belanja")
    await sri.press("SP-0001 Sembako Desember")
    return sri, lambda: sri.press("❌ Batalkan pesanan")


async def _member_order_pickup(world):
    from storage import cycles

    found = await _member_shopping(world)
    sri, tono = found["sri"], found["tono"]
    await sri.press("💰 Dari simpanan sukarela saya")
    await sri.press(YES_ID)
    await world.db.write(cycles.close, found["cycle"].id)
    await tono.send("/serahkan")
    return tono, lambda: tono.press("✅ Sudah diserahkan")


async def _coop_advance_asked(world):
    from tests.handlers.test_coop_advances import hub_officers

    _ids, code, rina, dedi, _other = await hub_officers(world)
    await rina.send("/talangan")
    await rina.send(code)
    await rina.send("15.000.000")
    await rina.send("modal pupuk musim tanam")
    return rina, dedi


async def _coop_advance_ask(world):
    rina, _dedi = await _coop_advance_asked(world)
    return rina, lambda: rina.press(YES_ID)


async def _coop_advance_decide(world):
    rina, dedi = await _coop_advance_asked(world)
    await rina.press(YES_ID)
    await world.outbox_sent()
    return dedi, lambda: dedi.press("✅ Setujui")


async def _loan_repay(world):
    from tests.handlers.test_repayments import _paid_out
    from tests.texts import said

    _sri, tono, _ani = await _paid_out(world)
    await tono.send("/angsur")
    await tono.send("KP-0001")
    await tono.press(said("💵 Installment"))
    return tono, lambda: tono.send("250.000")


async def _loan_payoff(world):
    from tests.handlers.test_repayments import _paid_out

    _sri, tono, _ani = await _paid_out(world)
    await tono.send("/angsur")
    await tono.send("KP-0001")
    return tono, lambda: tono.press(tono.buttons()[-1])


async def _shu_approve(world):
    from tests.handlers.test_shu import _proposed
    from tests.texts import said

    await _proposed(world)
    checker = world.person(722)
    await checker.send("/shu")
    return checker, lambda: checker.press(said("✅ Approve and post"))


SCENARIOS = {
    "coop_advance.ask": _coop_advance_ask,
    "coop_advance.decide": _coop_advance_decide,
    "member_order.place": _member_order,
    "member_order.cancel": _member_order_cancel,
    "member_order.pickup": _member_order_pickup,
    "loan.repay": _loan_repay,
    "loan.payoff": _loan_payoff,
    "loan.apply": _loan_apply,
    "shu.approve": _shu_approve,
    "loan.cancel": _loan_cancel,
    "loan.decide": _loan_decide,
    "loan.disburse": _loan_disburse,
    "loan.disburse_transfer": _loan_disburse_transfer,
    "cycle.order": _cycle_order,
    "cycle.cancel": _cycle_cancel,
    "cycle.count": _cycle_count,
    "cycle.pay": _cycle_pay,
    "report.file": _report_file,
    "announcement.send": _announcement_send,
    "announcement.read": _announcement_read,
    "advance.ask": _advance_request,
    "advance.decide": _advance_approval,
    "rafaksi.set": _set_rafaksi,
    "sales.buyer": _sales_buyer,
    "sales.record": _sales_record,
    "sales.deliver": _sales_deliver,
    "sales.invoice": _sales_invoice,
    "sales.pay": _sales_pay,
    "sales.close": _sales_close,
    "stock.arrive": _arrive,
    "stock.work": _stock_work,
    "window.close": _close_window,
    "window.open": _open_window,
    "offer.assign": _assign,
    "pickup.check_weight": _check_weight,
    "receipt.settle": _settle,
    "prices.tell": _tell_price,
    "prices.subscribe": _subscribe,
    "prices.stop_all": _stop_all,
    "savings.deposit": _deposit,
    "savings.request": _withdrawal_request,
    "savings.decide": _approval,
    "catalog.toggle": _catalog_toggle,
    "price.set": _set_price,
    "offer.pay_transfer": _pay_by_transfer,
    "pickup.request_change": _ask_for_another_day,
    "offer.enter": _enter_for_a_farmer,
    "offer.pay": _pay,
    "pickup.schedule": _schedule,
    "pickup.record": _weigh,
    "receipt.answer": _receipt_answer,
    "offer.create": _offer,
    "offer.take": _take,
    "offer.cancel": _cancel_offer,
    "registration.farmer": _farmer_until_confirm,
    "registration.member": _member_until_contact,
    "registration.staff": _staff_until_confirm,
    "admin.invite": _admin_invite,
    "settings.language": _language,
    "settings.timezone": _timezone,
    "settings.village": _village,
}


# More scenarios of writers already covered above, for paths of their own (a weighing with
# rafaksi readings writes the cut, the readings and the table on the pickup).
VARIANTS = {
    "pickup.record (rafaksi)": _weigh_with_rafaksi,
    "rafaksi.set (own grid)": _own_rafaksi,
    "cycle.count (nothing arrived)": _cycle_count_nothing,
}


def test_every_writing_handler_has_a_replay_scenario():
    assert set(WRITERS) == set(SCENARIOS), "add a scenario for each new writing handler"


async def _counts(world) -> dict[str, int]:
    rows = {}
    for table in TABLES:
        rows[table] = (await world.db.fetchone(f"SELECT COUNT(*) AS n FROM {table}"))["n"]
    return rows


async def _broadcasts_done(world, within: float = 10.0) -> None:
    """Until the broadcast sender has nothing left to send (it works beside the updates)."""
    import asyncio
    import time

    from storage import outbox

    deadline = time.monotonic() + within
    while await outbox.active(world.db):
        assert time.monotonic() < deadline, "a broadcast did not finish"
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.05)  # the administrator's summary, sent as it finished


def _answers(texts: list[str]) -> list[str]:
    """The chat as the handlers answered it: the broadcast sender's own progress messages
    (📣 …) come when its timing says, and are not what this test compares."""
    return [_same_shape(t) for t in texts if not t.startswith("📣")]


def _same_shape(text: str) -> str:
    return re.sub(r"start=[A-Za-z0-9_-]+", "start=<code>", text)


@pytest.mark.parametrize("writer", sorted(SCENARIOS | VARIANTS))
async def test_a_crash_after_the_commit_gives_the_same_answer_and_no_second_effect(
    tmp_path, writer
):
    # The run nobody interrupts: what the person's chat shows, what the database holds.
    calm = await World(str(tmp_path / "calm.sqlite3")).start()
    try:
        who, act = await (SCENARIOS | VARIANTS)[writer](calm)
        await act()
        expected = _answers(who.texts())
        expected_counts = await _counts(calm)
    finally:
        await calm.stop()

    world = await World(str(tmp_path / "crash.sqlite3")).start()
    try:
        who, act = await (SCENARIOS | VARIANTS)[writer](world)
        world.crash_after_next_write()
        await act()  # dies right after the commit, before the answer
        assert _answers(who.texts()) != expected
        await world.kill()  # a new process: the update is processed again at start
        await _broadcasts_done(world)  # and what it queued is sent
        # the same chat, word for word: the answer arrived once, nothing sent before the
        # crash was sent again (the sent-calls record), and nothing was written twice
        assert _answers(who.texts()) == expected
        assert await _counts(world) == expected_counts
        if writer == "admin.invite":  # the same link as the one committed, not a new one
            code = (await world.db.fetchone("SELECT code FROM invites"))["code"]
            assert f"start={code}" in who.texts()[-1]
    finally:
        await world.stop()
