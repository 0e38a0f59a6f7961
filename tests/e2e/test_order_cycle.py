"""The real bot process through an order cycle's close (issue 18): the hub opens a cycle on the
command line; the ketua of two village cooperatives join with invite links and order in
/pesan (one asks for more than the supplier has and is told what is left); the process is
stopped and the closing time passes while it is down; started again, its job closes the cycle
and tells each ketua their order and the hub's administrator the totals, once; SIGKILLed and
started again, nobody is told twice. The purchase order and the delivery plan written by the
command line then hold what was ordered, grouped by kecamatan. Runs on SQLite, and on
PostgreSQL when KOPERASI_TEST_PG_URL is set."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from openpyxl import load_workbook

from storage import cycles, orgs
from storage.db import Database, now_utc
from tests.e2e.botproc import run_cli, wait_until
from tests.e2e.flow import Farmer, Step
from tests.e2e.offtake_steps import join_with_invite
from tests.texts import said

pytestmark = pytest.mark.asyncio

ADMIN_ID, KUJON_ID, JOMBONG_ID = 717_001, 717_002, 717_003
CYCLE = "Sembako Desember"
PICK = f"SP-0001 {CYCLE}"
BERAS, MINYAK = "Beras SPHP 5 kg", "Minyak goreng 1 L"
CLOSED_FOR_OFFICER = "Pesanan Sembako Desember sudah ditutup. Pesanan Anda "
CLOSED_FOR_HUB = "Pesanan Sembako Desember sudah ditutup. 2 koperasi memesan."
YES = "✅ Ya, simpan"


async def _open_cycle(bots) -> None:
    for code, name, village in (
        ("kdkmp-kujon", "KDKMP Kujon", "33.10.11.2004"),  # Kec. Ceper, Kab. Klaten
        ("kdkmp-jombong", "KDKMP Jombong", "33.09.03.2002"),  # Kec. Cepogo, Kab. Boyolali
    ):
        await run_cli(
            bots.db_path, "org", "add", code, name, "--kind", "kdkmp", "--parent", "pusat",
            "--village", village, cwd=bots.dir,
        )  # fmt: skip
    await run_cli(bots.db_path, "supplier", "add", "--org", "pusat", "Bulog Klaten", cwd=bots.dir)
    closes = dt.date.today() + dt.timedelta(days=3)
    await run_cli(
        bots.db_path, "cycle", "open", "--org", "pusat", "--name", CYCLE,
        "--closes", f"{closes} 17:00", "--delivery", str(closes + dt.timedelta(days=4)),
        cwd=bots.dir,
    )  # fmt: skip
    for name, unit, price, fee, stock in (
        (BERAS, "karung", "62000", "2000", "40"),
        (MINYAK, "liter", "15000", "500", "500"),
    ):
        await run_cli(
            bots.db_path, "cycle", "item", "add", "1", "--supplier", "Bulog Klaten", "--name", name,
            "--unit", unit, "--price", price, "--fee", fee, "--stock", stock, cwd=bots.dir,
        )  # fmt: skip


async def _order(ketua: Farmer, lines: list[tuple[str, str]]) -> str:
    """/pesan, the cycle, each item and its quantity, the summary, ✅; the saved answer."""
    await ketua.do(Step("send", "/pesan", "Siklus pesanan yang mana?"))
    await ketua.do(Step("press", PICK, f"{CYCLE}: barang dari hub"))
    for item, quantity in lines:
        await ketua.do(Step("press", item, "Berapa "))
        await ketua.do(Step("send", quantity, ""))
    await ketua.do(Step("press", "🧾 Lihat ringkasan", f"Pesanan Anda di {CYCLE}:"))
    return (await ketua.do(Step("press", YES, "Pesanan PSN-"))).text


async def _move_the_close_into_the_past(bots) -> None:
    """The closing time passed while no process ran (a restart at the closing minute)."""
    async with Database(str(bots.db_path)) as db:
        await db.write_one("UPDATE order_cycles SET closes_at = ? WHERE id = 1", (now_utc() - 5,))


async def _close_job_ran_since(bots, since: int) -> bool:
    async with Database(str(bots.db_path)) as db:
        row = await db.fetchone(
            "SELECT COUNT(*) AS n FROM job_runs WHERE name = 'close-cycles' AND run_at >= ?",
            (since,),
        )
    return row["n"] > 0


async def _check_papers(bots) -> None:
    po = bots.dir / "po.xlsx"
    out = await run_cli(
        bots.db_path, "cycle", "po", "1", "--supplier", "Bulog Klaten", str(po), cwd=bots.dir
    )
    assert "2 items" in out, out
    rows = list(load_workbook(po).active.iter_rows(values_only=True))
    header = rows.index(("No.", "Barang", "Satuan", "Jumlah", "Harga per satuan", "Total"))
    # Kujon 10 karung + 24 liter, Jombong 30 karung: at the supplier's price, no hub fee
    assert rows[header + 1 :] == [
        (1, BERAS, "karung", 40, 62_000, 2_480_000),
        (2, MINYAK, "liter", 24, 15_000, 360_000),
        (None, "Total", None, None, None, 2_840_000),
    ]
    plan = bots.dir / "plan.xlsx"
    await run_cli(bots.db_path, "cycle", "plan", "1", str(plan), cwd=bots.dir)
    cells = [c for row in load_workbook(plan).active.iter_rows(values_only=True) for c in row if c]
    text = " ".join(str(c) for c in cells)
    for expected in ("Ceper", "Cepogo", "KDKMP Kujon", "KDKMP Jombong"):
        assert expected in text, (expected, text)


async def test_a_cycle_ordered_by_two_ketua_closes_once_across_restarts(emu, bots):
    await _open_cycle(bots)
    bot = await bots.start()
    admin = await join_with_invite(emu, bots, "admin", ADMIN_ID, "Dewi Lestari", "6281377770001")
    kujon = await join_with_invite(
        emu, bots, "ketua", KUJON_ID, "Harjono Wibowo", "6281377770002", org="kdkmp-kujon"
    )
    jombong = await join_with_invite(
        emu, bots, "ketua", JOMBONG_ID, "Sumarni Rahayu", "6281377770003", org="kdkmp-jombong"
    )

    saved = await _order(kujon, [(BERAS, "10 karung"), (MINYAK, "24")])
    assert saved.startswith("Pesanan PSN-0001 sudah disimpan: Rp1.012.000."), saved
    # Jombong asks for more than is left (40 − 10): told what is left, asked again
    await jombong.do(Step("send", "/pesan", "Siklus pesanan yang mana?"))
    await jombong.do(Step("press", PICK, f"{CYCLE}: barang dari hub"))
    await jombong.do(Step("press", BERAS, "Berapa karung Beras SPHP 5 kg? Sisa 30 karung."))
    await jombong.do(Step("send", "31", "Sisa Beras SPHP 5 kg tinggal 30 karung."))
    await jombong.do(Step("send", "30 karung", ""))
    await jombong.do(Step("press", "🧾 Lihat ringkasan", f"Pesanan Anda di {CYCLE}:"))
    saved = await jombong.do(Step("press", YES, "Pesanan PSN-0002 sudah disimpan: Rp1.920.000."))
    await bot.stop()

    await _move_the_close_into_the_past(bots)
    bot = await bots.start()  # the close job's first run comes about 25 s after the start
    first = await kujon.expect_reply(CLOSED_FOR_OFFICER, within=90)
    assert first.text.startswith(f"{CLOSED_FOR_OFFICER}PSN-0001 diteruskan ke hub:"), first.text
    assert "10 karung Beras SPHP 5 kg" in first.text and "24 liter Minyak goreng 1 L" in first.text
    assert "30 karung Beras SPHP 5 kg" in (await jombong.expect_reply(CLOSED_FOR_OFFICER)).text
    totals = await admin.expect_reply(CLOSED_FOR_HUB)
    assert "40 karung" in totals.text, totals.text

    # killed at once and started again: its close job runs, tells nobody a second time
    await bot.kill()
    restarted = now_utc()
    bot = await bots.start()
    await wait_until(lambda: _close_job_ran_since(bots, restarted), within=90)
    await asyncio.sleep(2)  # what a second close would send has had time to arrive
    for person, start in ((kujon, CLOSED_FOR_OFFICER), (jombong, CLOSED_FOR_OFFICER),
                          (admin, CLOSED_FOR_HUB)):  # fmt: skip
        assert await person.count_replies(start) == 1, await person.texts()
    # after the close, /pesan shows the order closed: nothing can be changed
    await kujon.do(Step("send", "/pesan", ""))
    assert said("✏️ Change the order") not in (await kujon.bot_messages())[-1].buttons
    await bot.stop()

    async with Database(str(bots.db_path)) as db:
        hub = await orgs.by_code(db, "pusat")
        (cycle,) = await cycles.of_hub(db, hub.id)
        assert cycle.status == "closed"
        orders = await cycles.frozen_orders(db, cycle.id)
        assert sorted(o.number for o in orders) == ["PSN-0001", "PSN-0002"]
    await _check_papers(bots)
