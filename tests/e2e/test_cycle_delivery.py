"""The real bot process after an order cycle's close (issue 18): a ketua orders, the hub closes
the cycle on the command line, the ketua counts what arrived in /pesan with a shortfall (more
than ordered refused), the invoice comes back as a PDF, the hub's administrator records a
partial payment by transfer reference in the bot and the ketua is told what is still owed;
the ledger holds what the cooperative owes and what the hub owes its supplier. Runs on SQLite,
and on PostgreSQL when KOPERASI_TEST_PG_URL is set."""

from __future__ import annotations

import pytest

from domain import ledger as L
from storage import cycles, ledger, orgs
from storage.db import Database
from tests.e2e.botproc import run_cli
from tests.e2e.flow import Step
from tests.e2e.offtake_steps import join_with_invite
from tests.e2e.test_order_cycle import BERAS, CYCLE, MINYAK, YES, _open_cycle, _order

pytestmark = pytest.mark.asyncio

ADMIN_ID, KUJON_ID = 718_001, 718_002


async def test_a_ketua_counts_a_shortfall_and_the_hub_records_a_payment(emu, bots):
    await _open_cycle(bots)
    bot = await bots.start()
    admin = await join_with_invite(emu, bots, "admin", ADMIN_ID, "Dewi Lestari", "6281377780001")
    kujon = await join_with_invite(
        emu, bots, "ketua", KUJON_ID, "Harjono Wibowo", "6281377780002", org="kdkmp-kujon"
    )
    saved = await _order(kujon, [(BERAS, "10 karung"), (MINYAK, "24")])
    assert saved.startswith("Pesanan PSN-0001 sudah disimpan: Rp1.012.000."), saved
    await run_cli(bots.db_path, "cycle", "close", "1", cwd=bots.dir)

    await kujon.do(Step("send", "/pesan", f"Pesanan PSN-0001 ({CYCLE}) sedang dikirim."))
    await kujon.expect_reply("Belum ada siklus pesanan hub yang dibuka.")
    await kujon.do(Step("press", "📦 Barang sudah datang", "Apa saja yang datang dari pesanan"))
    await kujon.do(Step("press", "✏️ Hitung per barang", f"{BERAS}: dipesan 10 karung."))
    await kujon.do(Step("send", "12", "Hanya 10 karung yang dipesan."))
    await kujon.do(Step("send", "8 karung", f"{MINYAK}: dipesan 24 liter."))
    summary = await kujon.do(Step("send", "semua", "Hitungan pesanan PSN-0001:"))
    assert "Tidak datang, tidak ditagih: Rp128.000" in summary.text, summary.text
    counted = await kujon.do(Step("press", YES, "Terima kasih. Hitungan sudah disimpan."))
    assert "Total dibayar: Rp884.000" in counted.text, counted.text
    document = await kujon.expect_reply("")
    assert document.kind == "document" and (document.caption or "").startswith("Faktur FKT/")

    await admin.expect_reply("KDKMP Kujon menghitung pesanan PSN-0001: barang senilai Rp128.000")
    totals = await admin.do(Step("send", "/pesan", f"SP-0001 {CYCLE}"))
    assert "10 karung dari 1 koperasi" in totals.text, totals.text  # counted: still ordered
    await admin.expect_reply("Faktur yang belum dibayar:")
    await admin.do(Step("press", "💰 Catat pembayaran: PSN-0001", "Faktur FKT/"))
    await admin.do(Step("send", "500.000", "Ketik referensi transfer"))
    await admin.do(Step("send", "BRI 2026120401", "Pembayaran dari KDKMP Kujon"))
    paid = await admin.do(Step("press", YES, "Pembayaran disimpan: Rp500.000"))
    assert paid.text.endswith("Sisa utang: Rp384.000."), paid.text
    told = await kujon.expect_reply("Hub sudah menerima pembayaran Anda sebesar Rp500.000")
    assert told.text.endswith("Sisa utang: Rp384.000."), told.text
    await bot.stop()

    async with Database(str(bots.db_path)) as db:
        kop, hub = await orgs.by_code(db, "kdkmp-kujon"), await orgs.by_code(db, "pusat")
        assert await ledger.balance(db, L.coop_receivable(kop.id)) == 384_000
        assert await ledger.balance(db, L.bank(hub.id)) == 500_000
        assert await ledger.balance(db, L.hub_fees(hub.id)) == 8 * 2_000 + 24 * 500
        (supplier,) = await cycles.suppliers(db, hub.id)
        assert await ledger.balance(db, L.supplier_payable(supplier.id)) == 8 * 62_000 + 24 * 15_000
        assert (await cycles.order(db, 1)).status == "invoiced"
