"""A member asks what they have saved: /saldo, /mutasi (paged), /tagihan and the statement
as a PDF, read back. Figures come from the ledger, to the rupiah."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from pypdf import PdfReader

from domain import ledger as L
from domain.ledger import SavingsKind
from domain.people import Role
from domain.savings import Month
from storage import ledger, roster
from storage import savings as stored
from tests.handlers.flows import register_member
from tests.handlers.test_staff_and_roles import _person_with_roles

PHONE = "+6281377770001"


async def _member(world, joined=date(2026, 9, 1)):
    """Sri: on the root cooperative's roster since September, pokok Rp100.000 and wajib
    Rp50.000 a month from September; she paid pokok and two months of wajib."""
    await world.db.write(
        roster.add, org_id=1, member_number="SP-001", full_name="Sri Wahyuni", phone=PHONE
    )
    row = await world.db.fetchone("SELECT id FROM roster WHERE member_number = 'SP-001'")
    roster_id = row["id"]
    async with world.db.transaction(bookkeeping=True) as conn:
        await conn.execute(
            "UPDATE roster SET joined_on = ? WHERE id = ?", (joined.isoformat(), roster_id)
        )
        await stored.set_rate(conn, 1, Month(2026, 9), pokok=100_000, wajib=50_000)
    for kind, amount, reason in (
        (SavingsKind.POKOK, 100_000, "Simpanan pokok"),
        (
            SavingsKind.WAJIB,
            50_000,
            L.coded_reason(L.REASON_DEPOSIT_MONTH, kind="wajib", month="2026-09"),
        ),
        (
            SavingsKind.WAJIB,
            50_000,
            L.coded_reason(L.REASON_DEPOSIT_MONTH, kind="wajib", month="2026-10"),
        ),
        (SavingsKind.SUKARELA, 250_000, "Setoran sukarela"),
    ):
        await world.db.write(
            ledger.post,
            [L.debit(L.cash(1), amount), L.credit(L.member_savings(roster_id, kind), amount)],
            None,
            reason,
        )
    sri = world.person(981, "Sri")
    await register_member(sri, PHONE[1:])
    return sri, roster_id


async def test_saldo_is_the_sum_of_the_entries_per_kind(world):
    sri, roster_id = await _member(world)
    balance = (await sri.send("/saldo"))[0].splitlines()
    assert balance[0].startswith("Simpanan Anda di ") and " pukul " in balance[0]
    assert balance[1:] == [
        "Simpanan pokok: Rp100.000",
        "Simpanan wajib: Rp100.000",
        "Simpanan sukarela: Rp250.000",
        "Total: Rp450.000",
    ]
    assert sri.buttons()[-3:] == ["📜 Mutasi", "🧾 Tagihan", "📄 Laporan simpanan (PDF)"]
    ledger_total = await world.db.fetchone(
        "SELECT -SUM(l.amount) AS saved FROM ledger_lines l JOIN ledger_accounts a"
        " ON a.id = l.account_id WHERE a.roster_id = ?",
        (roster_id,),
    )
    assert ledger_total["saved"] == 450_000


async def test_mutasi_pages_back_through_the_movements(world):
    sri, roster_id = await _member(world)
    for n in range(9):  # 13 entries in all
        await world.db.write(
            ledger.post,
            [
                L.debit(L.cash(1), 10_000),
                L.credit(L.member_savings(roster_id, SavingsKind.SUKARELA), 10_000),
            ],
            None,
            f"Setoran sukarela {n + 1}",
        )
    first = (await sri.send("/mutasi"))[0].splitlines()
    assert first[0].startswith("Mutasi simpanan di ") and first[0].endswith("terbaru di atas:")
    assert len(first) == 9  # the title and eight movements
    assert "+Rp10.000 sukarela, Setoran sukarela 9 (saldo Rp340.000)" in first[1]
    earlier = (await sri.press("◀ Sebelumnya"))[0].splitlines()
    assert earlier[0].startswith("Mutasi sebelumnya di ")
    assert len(earlier) == 6
    assert "+Rp100.000 pokok, Simpanan pokok (saldo Rp100.000)" in earlier[-1]


async def test_tagihan_shows_months_paid_and_due(world):
    sri, _roster = await _member(world)
    dues = (await sri.send("/tagihan"))[0].splitlines()
    this_month = Month.of(datetime.now().date())
    unpaid = this_month.minus(Month(2026, 10))  # months after October up to now
    assert dues[0].startswith("Simpanan wajib di ")
    assert dues[1] == "Sudah dibayar sampai: Oktober 2026"
    if unpaid:
        assert dues[2].startswith("Belum dibayar: November 2026 (Rp50.000)")
        assert dues[3] == "Total tagihan: Rp" + f"{50_000 * unpaid:,}".replace(",", ".")


async def test_the_statement_pdf_holds_the_figures(world):
    sri, _roster = await _member(world)
    await sri.send("/saldo")
    assert await sri.press("📄 Laporan simpanan (PDF)") == ["Periode yang mana?"]
    await sri.press("12 bulan terakhir")
    call = world.telegram.calls_of("sendDocument")[-1]
    name, content = call.files["document"]
    assert name.startswith("laporan-simpanan-SP-001-") and name.endswith(".pdf")
    assert content.startswith(b"%PDF")
    text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
    for expected in (
        "Laporan simpanan",
        "Sri Wahyuni (SP-001)",
        "Saldo awal",
        "Setoran simpanan wajib bulan Oktober 2026",
        "+Rp250.000",
        "Saldo akhir",
        "Rp450.000",
    ):
        assert expected in text, expected


async def test_someone_else_s_buttons_and_non_members_are_refused(world):
    sri, roster_id = await _member(world)
    await sri.send("/saldo")
    sent = world.telegram.messages[981][-1]
    other = await _person_with_roles(world, 982, [Role.MEMBER])
    for data in (f"mts:{roster_id}", f"tgh:{roster_id}", f"stm:{roster_id}m12", "stm:1m7"):
        await other.press_data(sent, data)
    assert world.telegram.calls_of("sendDocument") == []
    assert all("Simpanan" not in m.text for m in world.telegram.messages.get(982, []))
    farmer = await _person_with_roles(world, 983, [Role.FARMER])
    assert (await farmer.send("/saldo")) == ["Maaf, Anda tidak bisa memakai ini."]
    assert (await other.send("/saldo")) == [
        "Anda belum ada di daftar anggota koperasi. Silakan tanya koperasi Anda."
    ]


@pytest.mark.parametrize("command", ["/saldo", "/tagihan"])
async def test_in_english(world, command):
    _sri, _roster = await _member(world)
    from storage import people

    person = (await world.db.fetchone("SELECT person_id FROM roster"))["person_id"]
    await world.db.write(people.set_language, person, "en")
    sri = world.person(981, "Sri", language_code="en")
    reply = (await sri.send(command))[0]
    if command == "/saldo":
        assert "Principal savings (pokok): Rp100,000" in reply and "Total: Rp450,000" in reply
    else:
        assert "Paid up to: October 2026" in reply


async def _moves_by_the_use_cases(world, roster_id):
    """A deposit at the desk, a payroll batch for October 2026 and a cancelled entry, each
    written by its own use case (as the treasurer's commands and the import write them)."""
    from storage import people, savings_desk
    from storage.savings_import import Batch, import_deposits
    from storage.savings_sheets import DepositRow, Layout

    await _person_with_roles(world, 990, [Role.TREASURER])
    treasurer = (await people.by_telegram_id(world.db, 990)).id
    await world.db.write(savings_desk.deposit, roster_id, SavingsKind.SUKARELA, 20_000, treasurer)
    row = DepositRow(2, "SP-001", Month(2026, 10), 30_000, SavingsKind.WAJIB)
    batch = Batch(1, "deposits:root:gaji-2026-10", "gaji.xlsx", "0" * 64)
    await world.db.write(import_deposits, batch, [row], [], Layout({}, {}), "receivable")
    entry = await world.db.write(
        ledger.post,
        [L.debit(L.cash(1), 5_000), L.credit(L.member_savings(roster_id, SavingsKind.SUKARELA), 5_000)],
        None, "Setoran sukarela lama",
    )  # fmt: skip
    await world.db.write(
        ledger.reverse, entry.id, None, L.coded_reason(L.REASON_CANCELLED, why="salah ketik")
    )


async def test_mutasi_reads_the_ledger_reasons_in_the_reader_s_language(world):
    from storage import people

    sri, roster_id = await _member(world)
    await _moves_by_the_use_cases(world, roster_id)
    indonesian = (await sri.send("/mutasi"))[0]
    assert "Setoran simpanan wajib bulan Oktober 2026" in indonesian
    assert "Setoran simpanan sukarela di loket" in indonesian
    assert "Dibatalkan: salah ketik" in indonesian
    assert "Setoran sukarela lama" in indonesian  # a reason written before codes, as it was
    assert "2026-10" not in indonesian and "{" not in indonesian

    person = (await world.db.fetchone("SELECT person_id FROM roster"))["person_id"]
    await world.db.write(people.set_language, person, "en")
    english = (await world.person(981, "Sri", language_code="en").send("/mutasi"))[0]
    assert "for October 2026" in english and "at the desk" in english
    assert "Cancelled: salah ketik" in english
    for indonesian_word in ("Setoran simpanan", "bulan", "loket", "Dibatalkan", "2026-10"):
        assert indonesian_word not in english, indonesian_word
