"""The issue's flow after the payout: two payroll months (one short) → /pinjaman shows what is
left and the arrears → /tunggakan by class → /angsur refuses more than owed → early payoff;
/pinjaman without a loan; forged repayment buttons of another cooperative's loan refused."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.context import BotContext
from bot.i18n import ngettext, use_locale
from domain.people import Role
from domain.savings import Month
from handlers import kit
from handlers.loans.repay import send_loan_reminders
from storage import loans, orgs, payroll, savings
from storage.savings_import import Batch
from storage.savings_sheets import Layout
from tests.handlers.test_loans import _cooperative, _months, _simulated
from tests.handlers.test_staff_and_roles import _person_with_roles
from tests.texts import said


def plural(singular, plural_, n, **values):
    with use_locale("id"):
        return ngettext(singular, plural_, n).format(n=n, **values)


@pytest.fixture
def on_day(monkeypatch):
    def move(year, month, day):
        monkeypatch.setattr(kit, "clock", lambda: datetime(year, month, day, 3, tzinfo=UTC))

    move(2026, 12, 4)
    return move


async def _paid_out(world):
    """Sri's KP-0001: Rp5.000.000 over 12 months, flat 1 % (Rp416.666 + Rp50.000 a month,
    the last Rp416.674), paid out on 4 December 2026; wajib Rp50.000 a month."""
    sri, tono, ani = await _cooperative(world)
    await _simulated(sri)
    await sri.press(said("✅ Apply"))
    await sri.send("biaya sekolah anak")
    await tono.press(said("✅ Approve"))
    await ani.press(said("✅ Approve"))
    await tono.press(said("💵 Cash"))
    await world.db.write(savings.set_rate, 1, Month(2025, 1), pokok=100_000, wajib=50_000)
    for person in (sri, tono, ani):
        person.take_new()
    return sri, tono, ani


async def _payroll(world, month, deducted):
    rows = [payroll.PayrollRow(2, "SP-001", month, deducted)]
    content = payroll.content_hash(rows)
    batch = Batch(1, f"payroll:pusat:{content[:16]}", "gaji.xlsx", content)
    layout = Layout({"member_number": 0, "month": 1, "deducted": 2}, {})
    return await world.db.write(payroll.import_payroll, batch, content[:16], rows, [], layout)


async def test_two_payroll_months_one_short_arrears_then_payoff(world, on_day):
    sri, tono, ani = await _paid_out(world)
    january = await _payroll(world, Month(2027, 1), 516_666)  # wajib + the whole installment
    assert (january.wajib, january.principal, january.interest, january.short) == (
        50_000, 416_666, 50_000, 0)  # fmt: skip
    february = await _payroll(world, Month(2027, 2), 300_000)  # short
    assert (february.interest, february.principal, february.short) == (50_000, 200_000, 1)

    # three days before 4 March, where Sri lives, once whichever process runs the job
    context = BotContext(world.app)
    assert await send_loan_reminders(context, "Asia/Jakarta", date(2027, 2, 28)) == 0
    assert await send_loan_reminders(context, "Asia/Jakarta", date(2027, 3, 1)) == 1
    assert await send_loan_reminders(context, "Asia/Jakarta", date(2027, 3, 1)) == 0
    assert await send_loan_reminders(context, "Asia/Makassar", date(2027, 3, 1)) == 0
    await world.outbox_sent()
    assert sri.take_new() == [said(
        "Reminder: the installment of your loan {number}, {amount}, is due on {date}. It is deducted from your pay, or pay it at the treasurer's desk.",
        number="KP-0001", amount="Rp466.666", date="Kamis, 4 Maret 2027",
    )]  # fmt: skip

    on_day(2027, 3, 1)
    shown = await sri.send("/pinjaman")
    assert shown[0].splitlines() == [
        said("Loan {number}: {amount}, {months}", number="KP-0001", amount="Rp5.000.000",
             months=_months(12)),
        said("Loan principal left: {amount}", amount="Rp4.383.334"),
        said("Interest left: {amount}", amount="Rp500.000"),
        said("Next installment: {amount} on {date}", amount="Rp216.666", date="4 Feb 2027"),
        plural("Overdue {n} day ({status}).", "Overdue {n} days ({status}).", 25,
               status=said("special mention (dalam perhatian khusus)")),
        said("Please pay the overdue installment at the treasurer's desk."),
    ]  # fmt: skip
    assert said("📄 Schedule PDF") in sri.buttons()

    arrears = (await tono.send("/tunggakan"))[0]
    assert arrears.splitlines()[0] == said(
        "Loans in arrears: {n}, {amount} overdue in all", n=1, amount="Rp216.666"
    )
    assert plural("{number} {name}: {amount} overdue, {n} day",
                  "{number} {name}: {amount} overdue, {n} days", 25, number="KP-0001",
                  name="Sri Wahyuni", amount="Rp216.666") in arrears  # fmt: skip

    await tono.send("/angsur")
    card = await tono.send("kp-1")
    assert card[0].startswith("Sri Wahyuni")
    await tono.press(said("💵 Installment"))
    assert await tono.send("banyak") == [
        said("I could not read that amount.") + "\n"
        + said("How much did the member pay? For example 500.000 or 1,5 juta.")
    ]  # fmt: skip
    too_much = await tono.send("10 juta")
    assert too_much == [
        said("That is more than is owed: {owed}.", owed="Rp4.883.334") + "\n"
        + said("How much did the member pay? For example 500.000 or 1,5 juta.")
    ]  # fmt: skip
    got = await tono.send("216.666")
    assert got[0].startswith(said("{amount} received for loan {number}.", amount="Rp216.666",
                                  number="KP-0001"))  # fmt: skip
    assert got[0].splitlines()[1] == "Pokok Rp216.666."  # only the parts paid
    assert (await sri.send("/pinjaman"))[-1].count("\n") == 3  # no longer overdue

    await tono.send("/angsur")
    await tono.send("SP-001")
    payoff = next(
        b for b in tono.buttons() if b.startswith(said("🏁 Pay off: {amount}", amount=""))
    )
    # flat: all the jasa left (10 months × Rp50.000) with the pokok left
    assert payoff == said("🏁 Pay off: {amount}", amount="Rp4.666.668")
    done = await tono.press(payoff)
    assert done[-1].startswith(said("Loan {number} is paid off: {amount} received.",
                                    number="KP-0001", amount="Rp4.666.668"))  # fmt: skip
    assert (await loans.get(world.db, 1)).status == "paid"
    await world.outbox_sent()
    assert said("Your loan {number} is paid off. Thank you!", number="KP-0001") in sri.take_new()
    assert await sri.send("/pinjaman") == [
        said("You have no loan to repay. To borrow, send /pinjam.")
    ]


async def test_a_member_cannot_pay_own_loan_and_forged_buttons_are_refused(world, on_day):
    sri, tono, ani = await _paid_out(world)
    other = await world.db.write(orgs.add, code="puk-lain", name="PUK Lain", kind="puk",
                                 parent_code="pusat")  # fmt: skip
    joko = await _person_with_roles(world, 995, [Role.TREASURER])
    async with world.db.transaction(bookkeeping=True) as conn:
        await conn.execute("UPDATE people SET org_id = ? WHERE telegram_user_id = 995", (other,))
    assert await joko.send("/tunggakan") == [said("No loan is overdue. All are current (lancar).")]
    message = world.telegram.messages[995][-1]
    for data in ("pjn:p1", "pjn:a1"):
        replies = await joko.press_data(message, data)
        assert not any("KP-0001" in r for r in replies)
    assert (await loans.get(world.db, 1)).status == "disbursed"
    # a page of /tunggakan is always the presser's own cooperative's
    assert await joko.press_data(message, "pjt:0") == [
        said("No loan is overdue. All are current (lancar).")
    ]
    assert await joko.send("/angsur") and await joko.send("KP-0001") == [
        said("No loan being repaid has that number.") + "\n"
        + said("Type the loan number (for example KP-0007) or the member number.")
    ]  # fmt: skip
