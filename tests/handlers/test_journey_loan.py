"""Issue 19's "Done when" as one journey: Sri simulates a loan → applies → is refused for a
too-large installment → applies smaller → two officers approve → /cairkan pays it out → two
payroll months (exported, then imported; the second deducted short) → the arrears class on
/pinjaman and /tunggakan and the reminder before the next due date → early payoff at /angsur →
/pinjaman says the loan is paid; the ledger holds no receivable and the jasa paid; then the
cooperative's SHU for 2027 computed by hand, equal to the rupiah to storage.shu.compute."""

from __future__ import annotations

import argparse
import contextvars
from datetime import UTC, date, datetime

from bot.cli.shu import shu_command
from bot.context import BotContext
from bot.i18n import format_money, use_locale
from domain import ledger as L
from domain.savings import Month
from handlers import kit
from handlers.loans.repay import send_loan_reminders
from storage import db, ledger, loans, payroll, savings
from storage import shu as stored
from tests.handlers.test_loans import _cooperative, _months, _most
from tests.handlers.test_repayments import _payroll, plural
from tests.shu_seed import BYLAWS, wib
from tests.texts import said

LOAN = 1


def _on_day(world, monkeypatch, year, month, day):
    """The bot's day (kit.clock), the use cases' clock (what the ledger stamps; in the
    application's own tasks too, where clock_at does not reach) and the outbox's, at 10.00
    WIB that day."""
    monkeypatch.setattr(kit, "clock", lambda: datetime(year, month, day, 3, tzinfo=UTC))
    at = wib(year, month, day, 10)
    monkeypatch.setattr(db, "_pinned_now", contextvars.ContextVar("pinned_now", default=at))
    monkeypatch.setattr(world.app.bot_data.outbox, "_clock", lambda: float(at))


async def _applied_after_a_refusal(world):
    """Sri asks Rp15.000.000: its installment is over 30 % of her Rp2.500.000; she then
    applies for Rp5.000.000 over 12 months (flat 1 %: Rp416.666 pokok + Rp50.000 jasa)."""
    sri, tono, ani = await _cooperative(world)
    await sri.send("/pinjam")
    await sri.press(next(b for b in sri.buttons() if b.startswith("Pinjaman Umum")))
    await sri.send("15 juta")
    refused = await sri.send("12 bulan")
    with use_locale("id"):
        most = format_money(_most())
    assert refused == [
        "Angsurannya terlalu besar untuk gaji Anda. Paling banyak Rp8.000.000"
        " untuk 12 bulan dengan gaji Anda.\nKetik jumlah yang lebih kecil."
    ]
    assert most == "Rp8.000.000"
    simulation = (await sri.send("5 juta"))[0].splitlines()
    assert simulation[:6] == [
        "Simulasi: Pinjaman Umum",
        "Pokok pinjaman: Rp5.000.000",
        "Tenor: 12 bulan, jasa 1 % per bulan (flat)",
        "Angsuran: Rp466.666 bulan pertama, Rp466.674 bulan terakhir",
        "Biaya administrasi: Rp60.000. Anda menerima Rp4.940.000.",
        "Total dibayar kembali: Rp5.600.000",
    ]
    await sri.press("✅ Ajukan")
    assert await sri.send("biaya sekolah anak") == [
        said("Your application {number} is sent. Two officers of the cooperative will check it. I will tell you their decision.", number="KP-0001")
    ]  # fmt: skip
    return sri, tono, ani


async def _approved_and_paid_out(world, sri, tono, ani):
    assert (await tono.press("✅ Setujui"))[-1] == said(
        "Your approval of {number} is recorded. A second officer must approve it too.",
        number="KP-0001",
    )
    assert (await ani.press("✅ Setujui"))[-1].startswith(
        "Pinjaman KP-0001 sudah disetujui dua petugas"
    )
    await tono.send("/cairkan")
    paid = await tono.press("💵 Tunai")
    assert paid[-1] == said(
        "Loan {number} is paid out: {received}. I sent the member the schedule.",
        number="KP-0001", received="Rp4.940.000",
    )  # fmt: skip
    await world.outbox_sent()
    notice = [t for t in sri.take_new() if "KP-0001" in t][-1]
    assert "Rp4.940.000" in notice and "Rp466.666" in notice
    assert (await loans.get(world.db, LOAN)).status == "disbursed"
    assert await ledger.balance(world.db, L.loan_receivable(LOAN)) == 5_000_000
    assert await ledger.balance(world.db, L.loan_fees(1)) == 60_000


async def _exported(world, month):
    return [row async for row in payroll.export_rows(world.db, 1, month)]


async def _two_payroll_months(world, monkeypatch):
    """January deducted whole (wajib Rp50.000 + installment Rp466.666); February short:
    Rp300.000 = wajib Rp50.000 + jasa Rp50.000 + pokok Rp200.000, Rp216.666 pokok overdue."""
    await world.db.write(savings.set_rate, 1, Month(2025, 1), pokok=100_000, wajib=50_000)
    january = Month(2027, 1)
    # the file HR gets: SP-001, wajib, installment, no arrears, no goods, the total
    assert await _exported(world, january) == [
        ("SP-001", "Sri Wahyuni", "2027-01", 50_000, 466_666, 0, 0, 516_666, None)
    ]
    _on_day(world, monkeypatch, 2027, 1, 25)
    done = await _payroll(world, january, 516_666)
    assert (done.wajib, done.interest, done.principal, done.short) == (50_000, 50_000, 416_666, 0)
    _on_day(world, monkeypatch, 2027, 2, 25)
    short = await _payroll(world, Month(2027, 2), 300_000)
    assert (short.wajib, short.interest, short.principal, short.short) == (
        50_000, 50_000, 200_000, 1)  # fmt: skip
    # pokok left: 5.000.000 − 416.666 − 200.000 = 4.383.334
    assert await ledger.balance(world.db, L.loan_receivable(LOAN)) == 4_383_334


async def _arrears_and_reminder(world, monkeypatch, sri, tono):
    _on_day(world, monkeypatch, 2027, 3, 1)
    context = BotContext(world.app)
    # three days before the 4 March installment, where Sri lives (Asia/Jakarta), once
    assert await send_loan_reminders(context, "Asia/Jakarta", date(2027, 2, 28)) == 0
    assert await send_loan_reminders(context, "Asia/Jakarta", date(2027, 3, 1)) == 1
    assert await send_loan_reminders(context, "Asia/Jakarta", date(2027, 3, 1)) == 0
    await world.outbox_sent()
    assert sri.take_new() == [said(
        "Reminder: the installment of your loan {number}, {amount}, is due on {date}. It is deducted from your pay, or pay it at the treasurer's desk.",
        number="KP-0001", amount="Rp466.666", date="Kamis, 4 Maret 2027",
    )]  # fmt: skip
    shown = (await sri.send("/pinjaman"))[0].splitlines()
    assert shown[:4] == [
        said("Loan {number}: {amount}, {months}", number="KP-0001", amount="Rp5.000.000",
             months=_months(12)),
        "Sisa pokok pinjaman: Rp4.383.334",
        "Sisa jasa: Rp500.000",  # 10 months × Rp50.000 not yet paid
        said("Next installment: {amount} on {date}", amount="Rp216.666", date="4 Feb 2027"),
    ]  # fmt: skip
    # 4 February → 1 March: 25 days overdue, dalam perhatian khusus
    assert shown[4] == plural("Overdue {n} day ({status}).", "Overdue {n} days ({status}).", 25,
                              status=said("special mention (dalam perhatian khusus)"))  # fmt: skip
    arrears = (await tono.send("/tunggakan"))[0]
    assert arrears.splitlines()[0] == said(
        "Loans in arrears: {n}, {amount} overdue in all", n=1, amount="Rp216.666"
    )
    assert plural("{number} {name}: {amount} overdue, {n} day",
                  "{number} {name}: {amount} overdue, {n} days", 25, number="KP-0001",
                  name="Sri Wahyuni", amount="Rp216.666") in arrears  # fmt: skip


async def _paid_off(world, sri, tono):
    await tono.send("/angsur")
    assert (await tono.send("SP-001"))[0].startswith("Sri Wahyuni")
    # flat: the pokok left Rp4.383.334 + all the jasa left Rp500.000 = Rp4.883.334
    payoff = said("🏁 Pay off: {amount}", amount="Rp4.883.334")
    assert payoff in tono.buttons()
    done = await tono.press(payoff)
    assert done[-1].startswith(
        said(
            "Loan {number} is paid off: {amount} received.", number="KP-0001", amount="Rp4.883.334"
        )
    )
    assert (await loans.get(world.db, LOAN)).status == "paid"
    await world.outbox_sent()
    assert "Pinjaman KP-0001 Anda sudah lunas. Terima kasih!" in sri.take_new()
    assert await sri.send("/pinjaman") == [
        "Anda tidak punya pinjaman yang berjalan. Untuk meminjam, kirim /pinjam."
    ]


async def _shu_by_the_command(world, capsys) -> str:
    """`koperasi-bot shu compute --org pusat --year 2027`, run on the test's database."""
    args = argparse.Namespace(org="pusat", action="compute", year=2027, xlsx=None, pdf=None,
                              quiet=False, lang="id")  # fmt: skip
    capsys.readouterr()
    assert await shu_command(args, None, world.db) == 0
    return capsys.readouterr().out


async def test_a_loan_from_simulation_to_payoff_and_its_share_of_the_shu(
    world, monkeypatch, capsys
):
    _on_day(world, monkeypatch, 2026, 12, 4)
    sri, tono, ani = await _applied_after_a_refusal(world)
    await _approved_and_paid_out(world, sri, tono, ani)
    await _two_payroll_months(world, monkeypatch)
    await _arrears_and_reminder(world, monkeypatch, sri, tono)
    await _paid_off(world, sri, tono)

    # the ledger: nothing left to receive; jasa paid 50.000 (Jan) + 50.000 (Feb) + 500.000
    # (payoff) = 600.000, no penalty was charged
    assert await ledger.balance(world.db, L.loan_receivable(LOAN)) == 0
    assert await ledger.balance(world.db, L.loan_interest(1)) == 600_000
    assert await ledger.balance(world.db, L.loan_penalties(1)) == 0

    # SHU 2027 (bylaws: reserve 40 %, jasa modal 20 %, jasa usaha 20 %, funds 20 %): income is
    # the jasa 600.000 (the Rp60.000 fee was 2026's), no costs, so SHU = 600.000; Sri is the
    # only member with business (her jasa 600.000) and with savings, so jasa usaha
    # 600.000 × 20 % = 120.000 is all hers, and so is jasa modal 600.000 × 20 % = 120.000.
    await world.db.write(stored.set_rules, 1, BYLAWS, date(2026, 1, 1))
    computed = await stored.compute(world.db, 1, 2027)
    split = computed.split
    assert (split.income, split.costs, split.shu) == (600_000, 0, 600_000)
    assert (split.reserve, split.modal, split.usaha) == (240_000, 120_000, 120_000)
    member = await world.db.fetchone("SELECT id FROM roster WHERE member_number = 'SP-001'")
    share = next(m for m in split.members if m.roster_id == member["id"])
    assert (share.business, share.usaha, share.modal) == (600_000, 120_000, 120_000)
    # the command prints the same figures, and Sri's line: 120.000 + 120.000 = Rp240.000
    out = await _shu_by_the_command(world, capsys)
    assert "income Rp600.000, costs Rp0, SHU Rp600.000" in out
    assert "reserve Rp240.000, jasa modal Rp120.000, jasa usaha Rp120.000" in out
    (line,) = [x.split("\t") for x in out.splitlines() if x.startswith("SP-001")]
    assert line[-1] == "SHU Rp240.000"
