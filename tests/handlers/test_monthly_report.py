"""Monthly reports of village cooperatives (issue 18, mentoring): reminded from the 1st in the
officer's zone once a day until filed, filed on the kit (each answer parsed as people write
it, asked again when wrong), filed again as a new version, colleagues told, the hub's card
and dashboard panel; forged month buttons refused; the texts in Indonesian and English."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.context import BotContext
from domain.people import Role
from domain.savings import Month
from handlers import kit
from handlers.monthly_report import send_report_reminders
from storage import dashboard, orgs, people
from storage import monthly_reports as stored
from tests.handlers.flows import YES_ID
from tests.handlers.test_network import _someone
from tests.network_seed import KLATEN, hub_with_network, villages
from tests.texts import said

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)  # Rabu, 2 Desember 2026, 10.00 WIB
NOVEMBER = Month(2026, 11)


@pytest.fixture
def december(monkeypatch):
    monkeypatch.setattr(kit, "clock", lambda: NOW)


async def _network(world):
    """Two village cooperatives A and B of the hub: A with a ketua (Harjono) and a bendahara
    (Wati, WITA), B with a ketua; the hub's administrator."""
    ids = await hub_with_network(world.db, klaten=2, boyolali=0)
    a, b = (ids[f"kop-{v}"] for v in villages(KLATEN, 2))
    ketua = await _someone(world, 801, a, [Role.CHAIR], name="Harjono")
    wati = await _someone(world, 802, a, [Role.TREASURER], name="Wati")
    wati_person = await people.by_telegram_id(world.db, 802)
    await world.db.write(people.set_timezone, wati_person.id, "Asia/Makassar")
    other = await _someone(world, 803, b, [Role.CHAIR], name="Slamet")
    admin = await _someone(world, 804, ids["hub"], [Role.ADMIN], name="Bu Hub")
    return ids, a, b, ketua, wati, other, admin


async def _file(ketua, month_label="November 2026", answers=None):
    await ketua.send("/laporan")
    await ketua.press(month_label)
    replies = []
    for answer in answers or ("245", "Rp 1,5 juta", "12.500.000", "1.500 kg", "Pupuk terlambat"):
        replies = await ketua.send(answer)
    return replies


async def test_reminded_then_filed_then_refiled_and_seen_by_the_hub(world, december):
    ids, a, b, ketua, wati, other, admin = await _network(world)
    context = BotContext(world.app)
    for who in (ketua, wati, other):
        who.take_new()

    # before the 1st nothing; on the 1st each officer in WIB once, Wati (WITA) in her own run
    assert await send_report_reminders(context, "Asia/Jakarta", date(2026, 11, 30)) == 0
    assert await send_report_reminders(context, "Asia/Jakarta", date(2026, 12, 1)) == 2
    assert await send_report_reminders(context, "Asia/Jakarta", date(2026, 12, 1)) == 0
    await world.outbox_sent()
    coop_a = await orgs.by_id(world.db, a)
    (reminder,) = ketua.take_new()
    assert reminder == said(
        "Reminder: the monthly report of {cooperative} for {month} is not filed yet. Send /laporan to file it. It takes two minutes.",
        cooperative=coop_a.name, month="November 2026",
    )  # fmt: skip
    assert wati.take_new() == [] and len(other.take_new()) == 1
    assert await send_report_reminders(context, "Asia/Makassar", date(2026, 12, 1)) == 1
    await world.outbox_sent()
    assert len(wati.take_new()) == 1

    # the ketua files, every answer as people type it, a wrong one asked again
    assert await ketua.send("/laporan") == [said("Which month do you report? Pick it below.")]
    assert ketua.buttons() == ["November 2026", "Oktober 2026"]
    await ketua.press("November 2026")
    assert (await ketua.send("banyak"))[0].startswith(said("Type the number of members, for example 245."))  # fmt: skip
    await ketua.send("245")
    assert (await ketua.send("satu koma"))[0].startswith("Ketik jumlah dalam rupiah")
    await ketua.send("Rp 1,5 juta")
    assert (await ketua.send("999.999.999.999.999"))[0].startswith(
        said("That amount is too large. Check the number of zeros.")
    )
    await ketua.send("12.500.000")
    await ketua.send("1,5 ton")
    (summary,) = await ketua.send("Pupuk terlambat datang")
    assert summary.splitlines() == [
        f"Laporan bulanan {coop_a.name} untuk November 2026:", "Anggota: 245",
        "Simpanan terkumpul: Rp1.500.000", "Penjualan gerai: Rp12.500.000",
        "Hasil panen dikirim ke hub: 1.500 kg", "Masalah: Pupuk terlambat datang", "Apakah sudah benar?",
    ]  # fmt: skip
    assert await ketua.press(YES_ID) == [
        said("Saved. Thank you. The hub sees the report for {month} now.", month="November 2026")
    ]
    await world.outbox_sent()
    assert wati.take_new() == [
        said(
            "{name} filed the monthly report for {month}. Send /koperasi to see it.",
            name="Harjono",
            month="November 2026",
        )  # fmt: skip
    ]
    report = await stored.latest(world.db, a, NOVEMBER)
    assert (report.members, report.savings_rupiah, report.store_sales_rupiah, report.produce_grams,
            report.version) == (245, 1_500_000, 12_500_000, 1_500_000, 1)  # fmt: skip

    # filed: no reminder the next day for A's officers, B's ketua still reminded
    assert await send_report_reminders(context, "Asia/Jakarta", date(2026, 12, 2)) == 1
    await world.outbox_sent()
    assert ketua.take_new() == [] and len(other.take_new()) == 1
    # the 10th is the last reminder, and says so; the 11th none
    (last,) = [await send_report_reminders(context, "Asia/Jakarta", date(2026, 12, 10))]
    await world.outbox_sent()
    assert last == 1 and other.take_new()[0].endswith("Ini pengingat terakhir untuk November 2026.")
    assert await send_report_reminders(context, "Asia/Jakarta", date(2026, 12, 11)) == 0
    # the job, as scheduled: once per zone and local day across processes and restarts
    assert {f"report-reminders-{zone}" for zone in ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")} <= {
        job.name for job in world.app.job_queue.jobs()
    }  # fmt: skip
    await world.kill()
    assert (
        await send_report_reminders(BotContext(world.app), "Asia/Jakarta", date(2026, 12, 10)) == 0
    )

    # Wati files again: a new version, the first kept
    await wati.send("/laporan")
    replaced = await wati.press("November 2026")
    assert replaced[0].startswith("Harjono sudah mengirim laporan November 2026 pada")
    for answer in ("250", "2 juta", "0", "-", "-"):
        summary = await wati.send(answer)
    assert "Masalah: tidak ada" in summary[0]
    assert await wati.press(YES_ID) == [
        said(
            "Saved. The report for {month} is replaced. The earlier one is kept.",
            month="November 2026",
        )  # fmt: skip
    ]
    history = await stored.versions(world.db, a, NOVEMBER)
    assert [(r.version, r.members, r.filer_name) for r in history] == [(1, 245, "Harjono"), (2, 250, "Wati")]  # fmt: skip

    # the hub's card shows the last report line; B's card none
    await admin.send("/koperasi")
    await admin.press("Kab. Klaten (2)")
    number = str(sorted([a, b]).index(a) + 1)
    (card,) = await admin.press(number)
    assert card.splitlines()[-1] == (
        "Laporan bulanan November 2026 (dikirim oleh Wati): 250 anggota, simpanan Rp2.000.000,"
        " penjualan gerai Rp0, 0 kg ke hub"
    )

    # the panel: the month due per kabupaten, the change from the month before, the viewer's network only
    scope = dashboard.Scope(await orgs.below(world.db, ids["hub"]), "id", "Asia/Jakarta", int(NOW.timestamp()))  # fmt: skip
    rows = await dashboard.rows(world.db, "monthly_reports", scope)
    assert rows == [
        {"regency": "Kab. Klaten", "filed": 1, "not_filed": 1, "members": 250, "savings": 2_000_000,
         "savings_change": 2_000_000, "store_sales": 0, "store_sales_change": 0, "produce_kg": 0},
    ]  # fmt: skip
    other_hub = dashboard.Scope(await orgs.below(world.db, ids["other-hub"]), "id", "Asia/Jakarta", int(NOW.timestamp()))  # fmt: skip
    assert [(r["filed"], r["not_filed"]) for r in await dashboard.rows(world.db, "monthly_reports", other_hub)] == [(0, 1)]  # fmt: skip


async def test_a_forged_month_and_an_officer_elsewhere_are_refused(world, december):
    ids, a, b, ketua, wati, other, admin = await _network(world)
    await ketua.send("/laporan")
    sent = world.telegram.messages[801][-1]
    for data in ("lpb:202609", "lpb:202612", "lpb:x"):
        assert await ketua.press_data(sent, data) == [], data
    assert world.telegram.calls_of("answerCallbackQuery")[-1].params.get("text") == said(
        "This button is no longer active."
    )
    # the hub's administrator is no officer of a village cooperative: no /laporan
    assert await admin.send("/laporan") == [said("Sorry, this command is not available to you.")]
    # a treasurer of the hub itself holds the role, but the hub is no village cooperative
    hub_treasurer = await _someone(world, 805, ids["hub"], [Role.TREASURER])
    assert await hub_treasurer.send("/laporan") == [
        said(
            "Monthly reports are filed by the officers of a village cooperative. Your cooperative is not one."
        )  # fmt: skip
    ]
    # B's ketua files for B only, whatever A filed
    await _file(ketua)
    await ketua.press(YES_ID)
    await _file(other)
    await other.press(YES_ID)
    assert (await stored.latest(world.db, b, NOVEMBER)).filer_name == "Slamet"
    assert len(await stored.versions(world.db, a, NOVEMBER)) == 1


async def test_a_report_started_is_ended_by_another_conversation_and_back(world, december):
    """/laporan cannot be paired in test_one_conversation (its person holds every role of the
    root, no village cooperative): a bendahara of a village cooperative holds both."""
    _ids, a, _b, _ketua, wati, _other, _admin = await _network(world)
    await wati.send("/laporan")
    await wati.press("November 2026")
    started = await wati.send("/setor")
    assert started[0] == said("/{command} is stopped. Nothing of it was saved.", command="laporan")
    started = await wati.send("/laporan")
    assert started[0] == said("/{command} is stopped. Nothing of it was saved.", command="setor")
    assert await wati.send("/cancel")
    assert await stored.versions(world.db, a, NOVEMBER) == []


async def test_the_conversation_reads_in_english(world, december):
    _ids, a, _b, _ketua, _wati, _other, _admin = await _network(world)
    tom = await _someone(world, 806, a, [Role.STORE_MANAGER], language="en", name="Tom")
    coop = await orgs.by_id(world.db, a)
    assert await tom.send("/laporan") == ["Which month do you report? Pick it below."]
    assert tom.buttons() == ["November 2026", "October 2026"]
    assert await tom.press("October 2026") == [
        "How many members does the cooperative have? Type a number, for example 245."
    ]
    assert await tom.send("245") == [
        "How much savings did the cooperative collect this month? Type it in rupiah, for example 1,5 juta. Type 0 for none."
    ]
    assert await tom.send("1,500,000") == [
        "How much did the store (gerai) sell this month? Type it in rupiah, for example 12.500.000. Type 0 for none."
    ]
    assert await tom.send("0") == [
        "How much produce did the cooperative send to the hub this month? Type it in kg, for example 1.500 kg or 2 ton. Type 0 for none."
    ]
    assert await tom.send("2 kuintal") == [
        "What problems did the cooperative have this month? Type them in a few words. Type - for none."
    ]
    assert await tom.send("-") == [
        f"Monthly report of {coop.name} for October 2026:\nMembers: 245\nSavings collected: Rp1,500,000\n"
        "Store sales: Rp0\nProduce sent to the hub: 200 kg\nProblems: none\nIs this correct?"
    ]
    assert await tom.press("✅ Yes, save") == [
        "Saved. Thank you. The hub sees the report for October 2026 now."
    ]
