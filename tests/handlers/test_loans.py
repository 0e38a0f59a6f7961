"""/pinjam end to end: simulate → apply → refused for a too-large installment → apply smaller
→ two approvals (the applicant and the same officer twice refused) → paid out → the member
gets the schedule; the PDF read back; forged buttons of another cooperative's loan refused."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from bot.i18n import format_money, format_short_date, use_locale
from domain import ledger as L
from domain import loans as rules
from domain.people import Role
from handlers.loans.common import months
from storage import ledger, loans, orgs, people, roster
from tests.handlers.flows import register_member
from tests.handlers.test_staff_and_roles import _person_with_roles
from tests.texts import said

PHONE = "+6281377770001"
UMUM = rules.Product("Pinjaman Umum", 20_000_000, 24, 100, rules.Method.FLAT, 10_000, 100, 6, 3_000)
SRI, TONO, ANI = 981, 991, 992


async def _cooperative(world, take_home=2_500_000, language="Bahasa Indonesia"):
    """A product, Sri the member (take-home Rp2.500.000: 30 % is Rp750.000 an installment),
    Tono the treasurer and Ani the administrator."""
    await world.db.write(loans.add_product, 1, "umum", UMUM)
    await world.db.write(roster.add, org_id=1, member_number="SP-001", full_name="Sri Wahyuni",
                         phone=PHONE, take_home=take_home)  # fmt: skip
    async with world.db.transaction(bookkeeping=True) as conn:
        await conn.execute("UPDATE roster SET joined_on = '2025-01-02'")
    sri = world.person(SRI, "Sri")
    await register_member(sri, PHONE[1:], language)
    tono = await _person_with_roles(world, TONO, [Role.TREASURER])
    ani = await _person_with_roles(world, ANI, [Role.ADMIN])
    sri.take_new()
    return sri, tono, ani


def _months(n):
    with use_locale("id"):
        return months(n)


def _most(tenor=12, take_home=2_500_000):
    room = rules.installment_room(take_home, UMUM.max_share_bp, 0)
    return rules.most_for_pay(UMUM, tenor, room, dt.date.today())


async def _simulated(sri, amount="5 juta", tenor="1 tahun", language="id"):
    await sri.send("/pinjam")
    await sri.press(next(b for b in sri.buttons() if b.startswith("Pinjaman Umum")))
    await sri.send(amount)
    return await sri.send(tenor)


async def test_a_loan_simulated_refused_applied_approved_twice_and_paid_out(world):
    sri, tono, ani = await _cooperative(world)
    # too large for her pay: the largest amount for 12 months, and the amount asked again
    refused = await _simulated(sri, "15 juta", "12 bulan")
    with use_locale("id"):
        most, twelve = format_money(_most()), months(12)
    assert refused == [
        said("The installment is more than your pay allows. At most {most} for {months} with your pay.",
             most=most, months=twelve) + "\n" + said("Type a smaller amount.")
    ]  # fmt: skip
    assert most == "Rp8.000.000"  # 30 % of Rp2.500.000 = Rp750.000 ≥ Rp8.000.000 / 12 + 1 %
    simulation = (await sri.send("Rp5.000.000"))[0]
    assert simulation.splitlines()[:6] == [
        said("Simulation: {product}", product="Pinjaman Umum"),
        said("Loan principal: {amount}", amount="Rp5.000.000"),
        said("Tenor: {months}, interest {rate} ({method})", months=twelve, rate=said("{rate} % a month", rate="1"), method=said("flat")),
        said("Installment: {first} the first month, {last} the last", first="Rp466.666", last="Rp466.674"),
        said("Admin fee: {fee}. You receive {received}.", fee="Rp60.000", received="Rp4.940.000"),
        said("Total to pay back: {total}", total="Rp5.600.000"),
    ]  # fmt: skip
    # the whole schedule as a PDF, read back
    await sri.press(said("📄 Schedule PDF"))
    name, content = world.telegram.calls_of("sendDocument")[-1].files["document"]
    assert name.endswith(".pdf") and content.startswith(b"%PDF")
    text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
    for expected in ("Sri Wahyuni (SP-001)", "Rp416.666", "Rp416.674",
                     "Rp50.000", "Rp5.600.000", said("Installment {number}", number=12)):  # fmt: skip
        assert expected in text, expected
    await sri.press(said("✅ Apply"))
    sent = await sri.send("biaya sekolah anak")
    assert sent == [said("Your application {number} is sent. Two officers of the cooperative will check it. I will tell you their decision.", number="KP-0001")]  # fmt: skip
    loan = await loans.get(world.db, 1)
    assert (loan.status, loan.amount_rupiah, loan.tenor_months, loan.purpose) == (
        "applied", 5_000_000, 12, "biaya sekolah anak")  # fmt: skip

    # the officers' card: the member's savings, wajib and loans beside the application
    card = tono.take_new()[-1]
    assert card.startswith(said("Loan application {number} from {name} (member {member_number})",
                                number="KP-0001", name="Sri Wahyuni", member_number="SP-001"))  # fmt: skip
    assert said("Purpose: {purpose}", purpose="biaya sekolah anak") in card
    assert ani.take_new()[-1] == card
    assert not any("KP-0001" in t for t in sri.take_new())  # never to the applicant

    # the applicant (a treasurer too) cannot approve her own loan, even with a forged button
    person = await people.by_telegram_id(world.db, SRI)
    async with world.db.transaction(bookkeeping=True) as conn:
        await people.add_role(conn, person.id, Role.TREASURER)
    assert await sri.press_data(world.telegram.messages[SRI][-1], "pjk:ok1") == [
        said("You cannot decide on your own loan. Other officers will.")
    ]
    first, data = tono.button(said("✅ Approve"))
    assert await tono.press_data(first, data) == [
        said("Your approval of {number} is recorded. A second officer must approve it too.", number="KP-0001")
    ]  # fmt: skip
    assert await tono.press_data(first, data) == [
        said("You already decided on this loan. A second officer must decide.")
    ]
    assert (await loans.get(world.db, 1)).status == "applied"
    assert await ani.press(said("✅ Approve")) == [
        said(
            "Loan {number} is approved by two officers. Pay it out: {received}.",
            number="KP-0001",
            received="Rp4.940.000",
        )
    ]
    assert (
        said("Your loan {number} is approved. The treasurer will pay it out.", number="KP-0001")
        in sri.take_new()
    )

    # the payout, once: Tono pays in cash, Ani's payout button is then refused
    assert (await tono.press(said("💵 Cash")))[-1] == said(
        "Loan {number} is paid out: {received}. I sent the member the schedule.",
        number="KP-0001", received="Rp4.940.000")  # fmt: skip
    assert (await ani.press(said("💵 Cash")))[-1] == said("This loan is already decided.")
    assert await ledger.balance(world.db, L.loan_receivable(1)) == 5_000_000
    assert await ledger.balance(world.db, L.loan_fees(1)) == 60_000
    notice = sri.take_new()[-1]
    assert notice.startswith(said("Your loan {number} is paid out: {received} ({amount} less the admin fee {fee}).",
                                  number="KP-0001", received="Rp4.940.000", amount="Rp5.000.000", fee="Rp60.000"))  # fmt: skip
    assert "Rp466.666" in notice

    # "Pinjaman saya" on /pinjam, and its schedule as a PDF
    mine = (await sri.send("/pinjam"))[0]
    assert mine.startswith(said("Your loans:") + "\n" + "KP-0001")
    await sri.press(said("📄 Schedule {number}", number="KP-0001"))
    name, content = world.telegram.calls_of("sendDocument")[-1].files["document"]
    assert "KP-0001" in name


async def test_a_transfer_payout_asks_for_its_reference(world):
    sri, tono, ani = await _cooperative(world)
    await _simulated(sri)
    await sri.press(said("✅ Apply"))
    await sri.send("renovasi rumah")
    await tono.press(said("✅ Approve"))
    await ani.press(said("✅ Approve"))
    await ani.send("/cairkan")
    assert await ani.press(said("🏦 Transfer")) == [
        said("Type the transfer reference from the bank receipt, for example 240915123456.")
    ]
    await ani.send("BRI 2026/12/001")
    found = await loans.get(world.db, 1)
    assert (found.status, found.disbursed_via, found.transfer_ref) == (
        "disbursed",
        "transfer",
        "BRI 2026/12/001",
    )
    assert await ledger.balance(world.db, L.bank(1)) == -4_940_000


async def test_a_reference_typed_after_another_officer_paid_it_out_is_refused_in_words(world):
    """Found by the hub fuzz: the refusal of a typed reference closed the buttons of a press
    that was not there, and the officer got "something went wrong"."""
    sri, tono, ani = await _cooperative(world)
    await _simulated(sri)
    await sri.press(said("✅ Apply"))
    await sri.send("renovasi rumah")
    await tono.press(said("✅ Approve"))
    await ani.press(said("✅ Approve"))
    await ani.send("/cairkan")
    await ani.press(said("🏦 Transfer"))  # Ani goes to fetch the bank receipt …
    await tono.send("/cairkan")
    await tono.press(said("💵 Cash"))  # … while Tono pays it out in cash
    assert await ani.send("BRI 2026/12/001") == [said("This loan is already decided.")]
    found = await loans.get(world.db, 1)
    assert (found.disbursed_via, found.transfer_ref) == ("cash", None)
    assert await ledger.balance(world.db, L.cash(1)) == -4_940_000


async def test_a_payout_the_ledger_refuses_is_said_so_and_stays_to_pay(world, monkeypatch):
    """Not "already decided": nothing moved, the loan is still there to pay out."""
    sri, tono, ani = await _cooperative(world)
    await _simulated(sri)
    await sri.press(said("✅ Apply"))
    await sri.send("renovasi rumah")
    await tono.press(said("✅ Approve"))
    await ani.press(said("✅ Approve"))

    async def refused(*_args, **_kwargs):
        raise L.InvalidAmount("an amount must be positive: -1")

    monkeypatch.setattr(loans, "disburse", refused)
    answer = await ani.press(said("💵 Cash"))
    assert answer[-1] == said(
        "Loan {number} could not be paid out: nothing was recorded. Tell the cooperative's administrator.",
        number="KP-0001",
    )
    monkeypatch.undo()
    assert (await loans.get(world.db, 1)).status == "approved"
    assert await ledger.balance(world.db, L.cash(1)) == 0


@pytest.mark.parametrize(
    ("take_home", "reply"),
    [(None, "The cooperative does not know your take-home pay, so I cannot check the installment. Ask the treasurer to record it.")],
)  # fmt: skip
async def test_an_unknown_pay_is_said_to_the_member(world, take_home, reply):
    sri, _tono, _ani = await _cooperative(world, take_home=take_home)
    await sri.send("/pinjam")  # said at once: no amount could pass
    assert (await sri.press(next(b for b in sri.buttons() if b.startswith("Pinjaman Umum"))))[
        -1
    ] == said(reply)


async def test_refusals_say_what_is_allowed_and_ask_again(world):
    sri, _tono, _ani = await _cooperative(world)
    await sri.send("/pinjam")
    await sri.press(next(b for b in sri.buttons() if b.startswith("Pinjaman Umum")))
    assert await sri.send("25 juta") == [
        said("That is more than this loan lends. You may borrow at most {most}.", most="Rp20.000.000")
        + "\n" + said("How much do you want to borrow? Type the amount, for example 5 juta or 5.000.000.")
    ]  # fmt: skip
    await sri.send("2 juta")
    assert (await sri.send("3 tahun"))[0].startswith(
        said("The longest tenor of this loan is {months}.", months=_months(24))
    )
    assert (await sri.send("lama sekali"))[0].startswith(said("I could not read that tenor."))
    assert (await sri.send("6 bulan"))[0].startswith(
        said("Simulation: {product}", product="Pinjaman Umum")
    )


async def test_another_cooperatives_officer_cannot_touch_the_loan(world):
    sri, tono, ani = await _cooperative(world)
    await _simulated(sri)
    await sri.press(said("✅ Apply"))
    await sri.send("biaya sekolah")
    other = await world.db.write(
        orgs.add, code="puk-lain", name="PUK Lain", kind="puk", parent_code="pusat"
    )
    stranger = await _person_with_roles(world, 995, [Role.TREASURER])
    async with world.db.transaction(bookkeeping=True) as conn:
        await conn.execute("UPDATE people SET org_id = ? WHERE telegram_user_id = 995", (other,))
    await stranger.send("/help")
    sent = world.telegram.messages[995][-1]
    for data in ("pjk:ok1", "pjc:c1"):
        await stranger.press_data(sent, data)
        assert world.telegram.calls_of("answerCallbackQuery")[-1].params["text"] == said(
            "This button is no longer active."
        )
    assert (await loans.get(world.db, 1)).approvals == 0
    # the member's schedule button is the member's own: an officer, or another member, is refused
    assert await stranger.press_data(sent, "pjj:1") == [
        said("Sorry, this command is not available to you.")
    ]
    await tono.press(said("✅ Approve"))
    await ani.press(said("✅ Approve"))
    await tono.press(said("💵 Cash"))
    await world.db.write(
        roster.add, org_id=1, member_number="SP-002", full_name="Dewi", phone="+6281377770002"
    )
    dewi = world.person(982, "Dewi")
    await register_member(dewi, "6281377770002")
    await dewi.press_data(world.telegram.messages[982][-1], "pjj:1")
    assert world.telegram.calls_of("answerCallbackQuery")[-1].params["text"] == said(
        "This button is no longer active."
    )
    assert world.telegram.calls_of("sendDocument") == []


async def test_the_simulation_and_the_card_read_in_indonesian(world, monkeypatch):
    """One whole conversation word for word (LANGUAGE.md: pokok pinjaman, jasa, angsuran, tenor)."""
    monkeypatch.setattr("handlers.kit.today", lambda zone: dt.date(2026, 12, 4))
    monkeypatch.setattr("handlers.loans.apply.today", lambda zone: dt.date(2026, 12, 4))
    sri, tono, _ani = await _cooperative(world)
    deposit = L.coded_reason(L.REASON_DEPOSIT_MONTH, kind="wajib", month="2026-11")
    member = await world.db.fetchone("SELECT id FROM roster WHERE member_number = 'SP-001'")
    await world.db.write(ledger.post, [L.debit(L.cash(1), 50_000),
                         L.credit(L.member_savings(member["id"], "wajib"), 50_000)], None, deposit)  # fmt: skip
    assert (await _simulated(sri))[0] == "\n".join([
        "Simulasi: Pinjaman Umum",
        "Pokok pinjaman: Rp5.000.000",
        "Tenor: 12 bulan, jasa 1 % per bulan (flat)",
        "Angsuran: Rp466.666 bulan pertama, Rp466.674 bulan terakhir",
        "Biaya administrasi: Rp60.000. Anda menerima Rp4.940.000.",
        "Total dibayar kembali: Rp5.600.000",
        "",
        "Bulan-bulan pertama:",
        "1. 4 Jan 2027: Rp466.666 (pokok Rp416.666, jasa Rp50.000)",
        "2. 4 Feb 2027: Rp466.666 (pokok Rp416.666, jasa Rp50.000)",
        "3. 4 Mar 2027: Rp466.666 (pokok Rp416.666, jasa Rp50.000)",
        "… dan 9 bulan lagi.",
    ])  # fmt: skip
    assert sri.buttons()[-3:] == ["📄 Jadwal PDF", "✅ Ajukan", "✏️ Ubah"]
    await sri.press("✅ Ajukan")
    await sri.send("biaya sekolah anak")
    with use_locale("id"):  # the deposit's day where Tono lives
        deposited = format_short_date(dt.datetime.now(dt.UTC), "Asia/Jakarta")
    assert tono.take_new()[-1] == "\n".join([
        "Permohonan pinjaman KP-0001 dari Sri Wahyuni (anggota SP-001)",
        "Rp5.000.000, 12 bulan, jasa 1 % per bulan (flat)",
        "Angsuran: Rp466.666 bulan pertama, Rp466.674 bulan terakhir",
        "Keperluan: biaya sekolah anak",
        "Gaji bersih: Rp2.500.000",
        "Simpanan: Rp50.000 (pokok Rp0, wajib Rp50.000, sukarela Rp0)",
        f"Setoran terakhir: Rp50.000 pada {deposited}",
        "Simpanan wajib: lunas sampai bulan ini",
        "Pinjaman lain: tidak ada",
        "Dua petugas harus menyetujuinya.",
    ])  # fmt: skip
    assert tono.buttons()[-2:] == ["✅ Setujui", "❌ Tolak"]


async def test_the_member_reads_it_in_english(world):
    sri, _tono, _ani = await _cooperative(world, language="English")
    await sri.send("/pinjam")
    await sri.press(next(b for b in sri.buttons() if b.startswith("Pinjaman Umum")))
    assert await sri.send("15 juta") == [
        "Over how many months? Type the tenor, for example 12 bulan or 1 tahun."
    ]
    assert await sri.send("1 year") == [
        "The installment is more than your pay allows. At most Rp8,000,000 for 12 months with"
        " your pay.\nType a smaller amount."
    ]
    simulation = (await sri.send("Rp5,000,000"))[0].splitlines()
    assert simulation[:4] == [
        "Simulation: Pinjaman Umum",
        "Loan principal: Rp5,000,000",
        "Tenor: 12 months, interest 1 % a month (flat)",
        "Installment: Rp466,666 the first month, Rp466,674 the last",
    ]


async def test_cairkan_lists_the_applications_to_decide_then_the_payouts(world):
    sri, tono, ani = await _cooperative(world)
    assert await tono.send("/cairkan") == [said("No approved loan is waiting to be paid out.")]
    await _simulated(sri)
    await sri.press(said("✅ Apply"))
    await sri.send("biaya sekolah")
    listed = await tono.send("/cairkan")
    assert listed[0].startswith(said("Loan application {number} from {name} (member {member_number})",
                                     number="KP-0001", name="Sri Wahyuni", member_number="SP-001"))  # fmt: skip
    await tono.press(said("✅ Approve"))
    assert (await tono.send("/cairkan")) == [said("No approved loan is waiting to be paid out.")]
    await ani.send("/cairkan")
    await ani.press(said("✅ Approve"))
    assert (await tono.send("/cairkan"))[-1].startswith("KP-0001: Sri Wahyuni")


async def test_the_member_cancels_an_application_not_paid_out(world):
    sri, tono, _ani = await _cooperative(world)
    await _simulated(sri)
    await sri.press(said("✅ Apply"))
    await sri.send("biaya sekolah")
    await sri.send("/pinjam")
    assert await sri.press(said("✖️ Cancel {number}", number="KP-0001")) == [
        said("Your application {number} is cancelled.", number="KP-0001")
    ]
    assert (await loans.get(world.db, 1)).status == "cancelled"
    assert (await tono.press(said("✅ Approve")))[-1] == said("This loan is already decided.")
    # cancelled, so another may be asked for (one at a time counts open loans only)
    await sri.send("/pinjam")
    await sri.press(next(b for b in sri.buttons() if b.startswith("Pinjaman Umum")))
    assert (await sri.send("2 juta")) == [
        said("Over how many months? Type the tenor, for example 12 bulan or 1 tahun.")
    ]


async def test_a_tenor_no_amount_fits_asks_for_a_longer_one(world):
    sri, _tono, _ani = await _cooperative(world, take_home=300_000)  # Rp90.000 an installment
    assert await _simulated(sri, "1 juta", "1 bulan") == [
        said("Even the smallest loan is too much for your pay over this tenor. Try a longer tenor.")
        + "\n" + said("Over how many months? Type the tenor, for example 12 bulan or 1 tahun.")
    ]  # fmt: skip
    assert (await sri.send("24 bulan"))[0].startswith(
        said("Simulation: {product}", product="Pinjaman Umum")
    )
