"""Member loans in storage (both databases): products versioned, an application checked again
in its transaction, two approvals (never the applicant, never one officer twice, never another
cooperative's), the payout posted once whatever the taps, racers or crashes."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from domain import ledger as L
from domain import loans as rules
from domain.people import Role
from storage import ledger, loans, orgs, roster
from storage.db import Database
from storage.migrate import migrate
from storage.people import add_role, insert_person

TODAY = "2026-12-04"
UMUM = rules.Product("Pinjaman Umum", 20_000_000, 24, 100, rules.Method.FLAT, 10_000, 100, 6, 3_000)
OFFICER = frozenset({Role.TREASURER})


@pytest.fixture
async def db(tmp_path):
    async with Database(str(tmp_path / "k.sqlite3")) as database:
        await migrate(database)
        yield database


async def _person(db, n, name, roles, org_id=1):
    async def make(conn):
        person_id = await insert_person(
            conn, telegram_user_id=900 + n, chat_id=900 + n, full_name=name,
            phone=f"+62813000000{n:02d}", language="id", timezone="Asia/Jakarta", org_id=org_id,
        )  # fmt: skip
        for role in roles:
            await add_role(conn, person_id, role)
        return person_id

    return await db.write(make)


async def _member(db, take_home=4_000_000, joined="2025-01-02"):
    """Sri, a member of the root cooperative with her take-home pay on the roster."""
    person_id = await _person(db, 1, "Sri Wahyuni", [Role.MEMBER])
    await db.write(roster.add, org_id=1, member_number="A-1", full_name="Sri Wahyuni",
                   phone="+6281300000001", take_home=take_home)  # fmt: skip

    async def link(conn):
        await conn.execute("UPDATE roster SET person_id = ?, joined_on = ?", (person_id, joined))

    await db.write(link)
    return person_id, await loans.membership(db, person_id, 1)


async def _apply(db, amount=5_000_000, tenor=12):
    person_id, member = await _member(db)
    product = await db.write(loans.add_product, 1, "umum", UMUM)
    loan = await db.write(
        loans.apply, member.id, person_id, product.id, amount, tenor, "biaya sekolah", TODAY
    )
    return person_id, member, loan


async def test_products_are_versioned_and_a_loan_keeps_its_version(db):
    first = await db.write(loans.add_product, 1, "umum", UMUM)
    person_id, member = await _member(db)
    loan = await db.write(
        loans.apply, member.id, person_id, first.id, 5_000_000, 12, "sekolah", TODAY
    )
    second = await db.write(
        loans.add_product, 1, "umum", rules.Product(**(UMUM.__dict__ | {"rate_bp": 150}))
    )
    assert (first.version, second.version) == (1, 2)
    assert [p.id for p in await loans.products(db, 1)] == [second.id]
    assert len(await loans.products(db, 1, history=True)) == 2
    assert (await loans.get(db, loan.id)).rate_bp == 100  # the version applied under
    with pytest.raises(rules.LoanRefused) as old:  # the old version takes no new loans
        await db.write(loans.apply, member.id, person_id, first.id, 1_000_000, 6, "sekolah", TODAY)
    assert old.value.reason == "loan.no_product"


async def test_an_application_is_checked_again_in_its_transaction(db):
    person_id, member, loan = await _apply(db)
    assert (loan.status, loan.fee_rupiah, loan.number) == ("applied", 60_000, f"KP-{loan.id:04d}")
    with pytest.raises(rules.LoanRefused) as second:  # one loan at a time
        await db.write(
            loans.apply, member.id, person_id, loan.product_id, 1_000_000, 6, "lagi", TODAY
        )
    assert second.value.reason == "loan.one_at_a_time"
    await db.write(roster.set_take_home, member.id, None)
    await db.write(loans.cancel, loan.id, person_id)
    with pytest.raises(rules.LoanRefused) as unknown:  # the pay is no longer known
        await db.write(
            loans.apply, member.id, person_id, loan.product_id, 1_000_000, 6, "lagi", TODAY
        )
    assert unknown.value.reason == "loan.pay_unknown"
    other = await _person(db, 2, "Tono", [Role.MEMBER])
    with pytest.raises(rules.LoanRefused):  # someone else's roster entry
        await db.write(loans.apply, member.id, other, loan.product_id, 1_000_000, 6, "x y z", TODAY)


async def test_two_officers_approve_never_the_applicant_nor_one_twice(db):
    person_id, member, loan = await _apply(db)
    tono = await _person(db, 2, "Tono", [Role.TREASURER])
    ani = await _person(db, 3, "Ani", [Role.ADMIN])
    await db.write(add_role, person_id, Role.TREASURER)  # a member who is also a treasurer
    refusals = []
    for officer, roles in ((person_id, OFFICER), (tono, frozenset({Role.MEMBER}))):
        with pytest.raises(loans.DecisionRefused) as refused:
            await db.write(loans.decide, loan.id, officer, 1, roles, True)
        refusals.append(refused.value.reason)
    assert refusals == ["loan.own", "loan.not_officer"]
    first = await db.write(loans.decide, loan.id, tono, 1, OFFICER, True)
    assert (first.final, first.loan.status, first.loan.approvals) == (False, "applied", 1)
    with pytest.raises(loans.DecisionRefused) as twice:
        await db.write(loans.decide, loan.id, tono, 1, OFFICER, True)
    assert twice.value.reason == "loan.twice"
    second = await db.write(loans.decide, loan.id, ani, 1, frozenset({Role.ADMIN}), True)
    assert (second.final, second.loan.status) == (True, "approved")
    assert await loans.deciders(db, loan.id) == [tono, ani]


async def test_another_cooperatives_officer_cannot_decide_or_pay(db):
    _, _, loan = await _apply(db)
    other = await db.write(
        orgs.add, code="puk-lain", name="PUK Lain", kind="puk", parent_code="pusat"
    )
    stranger = await _person(db, 4, "Joko", [Role.TREASURER], org_id=other)
    for use_case, args in ((loans.decide, (True,)), (loans.disburse, ("cash", None, TODAY))):
        with pytest.raises(loans.DecisionRefused) as refused:
            await db.write(use_case, loan.id, stranger, other, OFFICER, *args)
        assert refused.value.reason == "loan.not_officer"


async def _approved(db):
    person_id, member, loan = await _apply(db)
    tono = await _person(db, 2, "Tono", [Role.TREASURER])
    ani = await _person(db, 3, "Ani", [Role.ADMIN])
    await db.write(loans.decide, loan.id, tono, 1, OFFICER, True)
    await db.write(loans.decide, loan.id, ani, 1, OFFICER, True)
    return loan, tono, ani


async def test_the_payout_posts_the_receivable_and_the_fee_once(db):
    loan, tono, ani = await _approved(db)
    paid = await db.write(loans.disburse, loan.id, tono, 1, OFFICER, "transfer", "BRI 12345", TODAY)
    assert (paid.status, paid.disbursed_via, paid.first_due) == (
        "disbursed",
        "transfer",
        "2027-01-04",
    )
    balances = await ledger.balances(db, [L.loan_receivable(loan.id), L.bank(1), L.loan_fees(1)])
    assert balances == {
        L.loan_receivable(loan.id): 5_000_000,
        L.bank(1): -4_940_000,
        L.loan_fees(1): 60_000,
    }
    rows = await loans.installments(db, loan.id)
    assert len(rows) == 12 and sum(r.principal for r in rows) == 5_000_000
    assert rows[0].due_on == dt.date(2027, 1, 4) and rows[0].total == 416_666 + 50_000
    for officer in (tono, ani):  # a double tap, the other officer: refused, nothing posted
        with pytest.raises(loans.DecisionRefused) as again:
            await db.write(loans.disburse, loan.id, officer, 1, OFFICER, "cash", None, TODAY)
        assert again.value.reason == "loan.decided"
    assert (await ledger.balances(db, [L.loan_receivable(loan.id)]))[
        L.loan_receivable(loan.id)
    ] == 5_000_000


async def test_two_officers_paying_out_at_once_pay_once(db):
    loan, tono, ani = await _approved(db)
    results = await asyncio.gather(
        db.write(loans.disburse, loan.id, tono, 1, OFFICER, "cash", None, TODAY),
        db.write(loans.disburse, loan.id, ani, 1, OFFICER, "cash", None, TODAY),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["DecisionRefused", "Loan"]
    assert (await ledger.balances(db, [L.cash(1)]))[L.cash(1)] == -4_940_000
    assert len(await loans.installments(db, loan.id)) == 12


async def test_a_crash_while_paying_out_leaves_it_approved_and_it_is_paid_once_after(
    db, monkeypatch
):
    loan, tono, _ = await _approved(db)
    real_post = ledger.post

    async def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(ledger, "post", crash)
    with pytest.raises(RuntimeError):
        await db.write(loans.disburse, loan.id, tono, 1, OFFICER, "cash", None, TODAY)
    assert (await loans.get(db, loan.id)).status == "approved"
    assert await loans.installments(db, loan.id) == []
    monkeypatch.setattr(ledger, "post", real_post)
    await db.write(loans.disburse, loan.id, tono, 1, OFFICER, "cash", None, TODAY)
    assert (await ledger.balances(db, [L.cash(1)]))[L.cash(1)] == -4_940_000


async def test_one_refusal_refuses_the_loan(db):
    _, _, loan = await _apply(db)
    tono = await _person(db, 2, "Tono", [Role.TREASURER])
    decided = await db.write(loans.decide, loan.id, tono, 1, OFFICER, False)
    assert (decided.final, decided.loan.status) == (True, "refused")
    with pytest.raises(loans.DecisionRefused):
        await db.write(loans.disburse, loan.id, tono, 1, OFFICER, "cash", None, TODAY)


async def test_the_take_home_pay_comes_with_the_roster_import(db):
    from storage.savings_import import import_members
    from storage.savings_sheets import MEMBER_COLUMNS, match_header, read_member

    header = ["No Anggota", "Nama", "HP", "Koperasi", "Tanggal Masuk", "Gaji Bersih"]
    layout, problems = match_header(header, MEMBER_COLUMNS)
    assert problems == []

    async def run(pay):
        values = ["A-7", "Sri Rahayu", "0813-7777-0007", "pusat", "2025-01-02", pay]
        row, errors = read_member(
            2, values, layout, default_cooperative=None, today=dt.date(2026, 12, 4)
        )
        assert errors == []
        return await db.write(import_members, [row], [], layout, "anggota.xlsx")

    assert (await run("4.500.000")).new == 1
    entry = await db.fetchone("SELECT id FROM roster WHERE member_number = 'A-7'")
    assert await loans.take_home(db, entry["id"]) == 4_500_000
    assert (await run("4.500.000")).unchanged == 1  # the same file again changes nothing
    assert (await run("5.000.000")).completed == 1  # the next payroll's figure replaces it
    assert await loans.take_home(db, entry["id"]) == 5_000_000
    assert (await run("")).unchanged == 1  # an empty cell keeps what is known


async def test_the_dashboard_panel_shows_open_loans_of_the_viewers_cooperatives(db):
    from storage import dashboard
    from storage.db import now_utc

    _, _, loan = await _apply(db)
    rows = await dashboard.rows(db, "loans", dashboard.Scope((1,), "id", "Asia/Jakarta", now_utc()))
    assert [(r["number"], r["member"], r["amount"], r["status"]) for r in rows] == [
        (loan.number, "Sri Wahyuni", 5_000_000, "applied")
    ]
    other = await dashboard.rows(
        db, "loans", dashboard.Scope((2,), "id", "Asia/Jakarta", now_utc())
    )
    assert other == []


async def test_three_officers_approving_at_once_approve_it_once(db):
    person_id, _, loan = await _apply(db)
    officers = [await _person(db, n, f"Petugas {n}", [Role.TREASURER]) for n in (2, 3, 4)]
    results = await asyncio.gather(
        *(db.write(loans.decide, loan.id, o, 1, OFFICER, True) for o in officers),
        return_exceptions=True,
    )
    decisions = [r for r in results if isinstance(r, loans.Decision)]
    refused = [r.reason for r in results if isinstance(r, loans.DecisionRefused)]
    assert (len(decisions), refused) == (2, ["loan.decided"])
    assert sorted(d.final for d in decisions) == [False, True]
    found = await loans.get(db, loan.id)
    assert (found.status, found.approvals) == ("approved", 2)
