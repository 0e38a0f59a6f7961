"""Savings on a real SQLite file: imports all or nothing and idempotent, batches once, and the
queries the bot will answer /saldo, /mutasi and /tagihan and the statement with."""

import datetime as dt

import pytest

from domain import ledger as L
from domain import regions
from domain.ledger import SavingsKind
from domain.savings import Month
from storage import ledger, orgs, savings
from storage.db import Database
from storage.migrate import migrate
from storage.people import insert_person
from storage.savings_import import (
    Batch,
    BatchAlreadyRecorded,
    ImportRefused,
    import_deposits,
    import_members,
)
from storage.savings_sheets import (
    DEPOSIT_COLUMNS,
    MEMBER_COLUMNS,
    batch_hash,
    match_header,
    read_deposit,
    read_member,
)

POKOK, WAJIB, SUKARELA = SavingsKind
TODAY = dt.date(2025, 12, 10)
MEMBER_HEADER = ["No Anggota", "Nama", "HP", "Koperasi", "Tanggal Masuk", "Pokok", "Wajib",
                 "Sukarela"]  # fmt: skip
CLEAN = [
    ["B-1", "Sri Wahyuni", "0813-1111-0001", "kop-a", "2025-05-15", "100.000", "300.000", "250.000"],
    ["B-2", "Budi Santoso", "0813-1111-0002", "kop-a", "01/10/2025", "100.000", "", ""],
    ["B-3", "Siti Aminah", "0813-1111-0003", "kop-a", "2025-11-02", "", "", ""],
]  # fmt: skip


@pytest.fixture
async def db(tmp_path):
    async with Database(str(tmp_path / "k.sqlite3")) as database:
        await migrate(database)
        await database.write(orgs.add, code="kop-a", name="Koperasi A", kind="coop_primary",
                             parent_code=None)  # fmt: skip
        yield database


async def _org(db):
    return (await orgs.by_code(db, "kop-a")).id


def _members(rows):
    layout, problems = match_header(MEMBER_HEADER, MEMBER_COLUMNS)
    assert problems == []
    read, errors = [], []
    for number, values in enumerate(rows, start=2):
        row, wrong = read_member(number, values, layout, default_cooperative=None, today=TODAY)
        read += [row] if row else []
        errors += wrong
    return read, errors, layout


async def _import_members(db, rows):
    read, errors, layout = _members(rows)
    return await db.write(import_members, read, errors, layout, "anggota.csv")


async def _count(db, table):
    return (await db.fetchone(f"SELECT COUNT(*) AS n FROM {table}"))["n"]


async def _counts(db):
    return [await _count(db, t) for t in ("roster", "ledger_entries", "ledger_lines", "audit_log")]


# --- members import ---------------------------------------------------------------------


async def test_errors_write_nothing_then_clean_writes_all_then_again_nothing(db):
    bad = [
        CLEAN[0],
        ["B-2", "Budi Santoso", "0813", "kop-a", "01/10/2025", "100.000,5", "", ""],
        ["B-3", "Siti Aminah", "0813-1111-0003", "kop-x", "2025-11-02", "", "", ""],
        ["B-1", "Sri Lagi", "0813-1111-0009", "kop-a", "2025-05-15", "", "", ""],
    ]
    before = await _counts(db)
    with pytest.raises(ImportRefused) as refused:
        await _import_members(db, bad)
    assert [str(e) for e in refused.value.errors] == [
        "row 3, column HP (C): not a phone number: '0813'",
        "row 3, column Pokok (F): not whole rupiah: '100.000,5' (write 1.500.000 or 1500000)",
        "row 4, column Koperasi (D): no cooperative 'kop-x'",
        "row 5, column No Anggota (A): also in row 2",
    ]
    assert await _counts(db) == before

    done = await _import_members(db, CLEAN)
    assert (done.new, done.completed, done.unchanged, done.linked) == (3, 0, 0, 0)
    assert done.opening == {POKOK: 200_000, WAJIB: 300_000, SUKARELA: 250_000}
    after = await _counts(db)
    assert after[:3] == [3, 2, 6]  # two opening entries: B-3 brought nothing
    assert await ledger.verify(db) is None

    again = await _import_members(db, CLEAN)
    assert (again.new, again.completed, again.unchanged) == (0, 0, 3)
    assert (await _counts(db))[:3] == after[:3]


async def test_a_member_stored_otherwise_is_reported_not_overwritten(db):
    await _import_members(db, CLEAN)
    changed = [
        ["B-1", "Sri W.", "0813-1111-0001", "kop-a", "2025-05-16", "100.000", "350.000", "250.000"],
        ["B-4", "Dewi", "0813-1111-0002", "kop-a", "2025-11-02", "", "", ""],  # B-2's phone
    ]  # fmt: skip
    with pytest.raises(ImportRefused) as refused:
        await _import_members(db, changed)
    assert [str(e) for e in refused.value.errors] == [
        "row 2, column Nama (B): member B-1 is stored with name 'Sri Wahyuni'",
        "row 2, column Tanggal Masuk (E): member B-1 is stored with join date 2025-05-15",
        "row 2, column Wajib (G): member B-1 is stored with opening wajib Rp300.000 (ledger entry 1)",
        "row 3, column HP (C): this phone is member B-2's in kop-a",
    ]
    member = await savings.member_by_number(db, await _org(db), "B-1")
    assert member.full_name == "Sri Wahyuni"


async def test_registered_phones_are_linked_and_known_members_completed(db):
    async with db.transaction() as conn:
        person = await insert_person(
            conn, telegram_user_id=501, chat_id=501, full_name="Budi", phone="+6281311110002",
            language="id", timezone=regions.WIB, org_id=1,
        )  # fmt: skip
        await conn.execute(
            "INSERT INTO roster (org_id, member_number, full_name, phone, created_at)"
            " VALUES (?, 'B-3', 'Siti Aminah', '+6281311110003', 0)",
            (await _org(db),),
        )
    done = await _import_members(db, CLEAN)
    # B-3 was on the roster already (no join date): completed; Budi registered: linked
    assert (done.new, done.completed, done.unchanged, done.linked) == (2, 1, 0, 1)
    [budi] = await savings.memberships(db, person)
    assert budi.member_number == "B-2"
    roles = await db.fetchall("SELECT role FROM person_roles WHERE person_id = ?", (person,))
    assert [r["role"] for r in roles] == ["member"]
    siti = await savings.member_by_number(db, await _org(db), "B-3")
    assert siti.joined_on == dt.date(2025, 11, 2)


# --- the member's savings ---------------------------------------------------------------


async def _sri(db):
    await _import_members(db, CLEAN)
    return await savings.member_by_number(db, await _org(db), "B-1")


async def _post(db, sri, kind, amount, reason="Setoran"):
    """A deposit (amount > 0) or a withdrawal (< 0) of ``kind`` in cash."""
    cash, saved = L.cash(sri.org_id), L.member_savings(sri.id, kind)
    if amount > 0:
        lines = [L.debit(cash, amount), L.credit(saved, amount)]
    else:
        lines = [L.debit(saved, -amount), L.credit(cash, -amount)]
    return await db.write(ledger.post, lines, None, reason)


async def test_balances_equal_the_sum_of_the_entries(db):
    sri = await _sri(db)
    await _post(db, sri, WAJIB, 50_000)
    await _post(db, sri, SUKARELA, 75_000)
    await _post(db, sri, SUKARELA, -100_000, "Tarik tunai")
    saved = await savings.balances(db, sri.id)
    assert saved.by_kind == {POKOK: 100_000, WAJIB: 350_000, SUKARELA: 225_000}
    assert saved.total == 675_000
    sums = await db.fetchall(
        "SELECT a.code, -SUM(l.amount) AS total FROM ledger_lines l JOIN ledger_accounts a"
        " ON a.id = l.account_id WHERE a.roster_id = ? GROUP BY a.code",
        (sri.id,),
    )
    assert {r["code"]: r["total"] for r in sums} == {
        L.member_savings(sri.id, kind): saved[kind] for kind in SavingsKind
    }


async def test_recent_entries_page_back_without_splitting_an_entry(db):
    sri = await _sri(db)
    for n in range(1, 6):
        await _post(db, sri, SUKARELA, n * 1_000, f"Setoran {n}")
    first = await savings.recent(db, sri.id, limit=3)
    assert [line.reason for line in first] == ["Setoran 5", "Setoran 4", "Setoran 3"]
    assert first[0].change == 5_000 and first[0].balance == 265_000
    second = await savings.recent(db, sri.id, limit=3, before=first[-1].entry_id)
    # the opening balance is one entry with three lines: all on the same page
    assert [(line.reason[:9], line.kind) for line in second] == [
        ("Setoran 2", SUKARELA), ("Setoran 1", SUKARELA),
        ("savings.o", POKOK), ("savings.o", SUKARELA), ("savings.o", WAJIB),
    ]  # fmt: skip
    assert await savings.recent(db, sri.id, before=second[-1].entry_id) == []


async def test_a_statement_opens_where_the_last_one_closed(db, monkeypatch):
    sri = await _sri(db)  # opening balances posted now
    clock = {"now": 2_000_000_000}
    monkeypatch.setattr("storage.ledger.now_utc", lambda: clock["now"])
    for at, kind, amount in ((100, WAJIB, 50_000), (200, SUKARELA, -50_000), (300, WAJIB, 50_000)):
        clock["now"] = 2_000_000_000 + at
        await _post(db, sri, kind, amount)
    period = await savings.statement(db, sri.id, 2_000_000_000 + 150, 2_000_000_000 + 301)
    assert period.opening.by_kind == {POKOK: 100_000, WAJIB: 350_000, SUKARELA: 250_000}
    assert [(line.kind, line.change) for line in period.lines] == [
        (SUKARELA, -50_000), (WAJIB, 50_000),
    ]  # fmt: skip
    assert period.closing.by_kind == {POKOK: 100_000, WAJIB: 400_000, SUKARELA: 200_000}
    assert period.closing == await savings.balances(db, sri.id)
    later = await savings.statement(db, sri.id, 2_000_000_000 + 301, 2_000_000_000 + 999)
    assert later.opening == period.closing and later.lines == []


async def test_tagihan_months_paid_and_due_since_joining(db):
    sri = await _sri(db)  # joined 2025-05, opening wajib 300.000
    await db.write(savings.set_rate, sri.org_id, Month(2025, 1), 100_000, 50_000)
    await db.write(savings.set_rate, sri.org_id, Month(2025, 10), None, 75_000)
    assert [r.wajib for r in await savings.rates(db, sri.org_id)] == [50_000, 75_000]
    owed = await savings.tagihan(db, sri.id, Month(2025, 12))
    # May-Sep 5 x 50.000 = 250.000, Oct-Dec 3 x 75.000: 300.000 pays May-Sep and 50.000 of Oct
    assert [str(m) for m in owed.paid_months] == [
        "2025-05",
        "2025-06",
        "2025-07",
        "2025-08",
        "2025-09",
    ]
    assert [str(m.month) for m in owed.unpaid] == ["2025-10", "2025-11", "2025-12"]
    assert owed.owed == 175_000
    await _post(db, sri, WAJIB, 175_000)
    assert (await savings.tagihan(db, sri.id, Month(2025, 12))).owed == 0
    unknown = await savings.member_by_number(db, sri.org_id, "B-3")
    async with db.transaction() as conn:
        await conn.execute("UPDATE roster SET joined_on = NULL WHERE id = ?", (unknown.id,))
    assert await savings.tagihan(db, unknown.id, Month(2025, 12)) is None


async def test_settings_of_a_cooperative(db):
    org_id = await _org(db)
    with pytest.raises(savings.NoRate):
        await db.write(savings.set_rate, org_id, Month(2025, 1), None, 50_000)
    assert await savings.reminder(db, org_id) is None
    await db.write(savings.set_reminder, org_id, 25, "09:00")
    await db.write(savings.set_reminder, org_id, 20, "08:30")
    assert await savings.reminder(db, org_id) == (20, "08:30")


# --- deposits ---------------------------------------------------------------------------


def _deposits(rows):
    layout, _ = match_header(["No Anggota", "Bulan", "Jumlah", "Jenis"], DEPOSIT_COLUMNS)
    read, errors = [], []
    for number, values in enumerate(rows, start=2):
        row, wrong = read_deposit(number, values, layout)
        read += [row] if row else []
        errors += wrong
    return read, errors, layout


async def _import_deposits(db, rows, name=None, paid_into="receivable"):
    read, errors, layout = _deposits(rows)
    content = batch_hash(read)
    batch = Batch(await _org(db), f"deposits:kop-a:{name or content[:16]}", "potongan.csv", content)
    return await db.write(import_deposits, batch, read, errors, layout, paid_into)


PAYROLL = [["B-1", "2025-11", "50.000", ""], ["B-2", "2025-11", "50.000", "wajib"],
           ["B-3", "2025-11", "25.000", "sukarela"]]  # fmt: skip


async def test_a_batch_is_recorded_once(db):
    await _import_members(db, CLEAN)
    done = await _import_deposits(db, PAYROLL)
    assert (done.batch.row_count, done.batch.total) == (3, 125_000)
    assert done.by_kind == {POKOK: 0, WAJIB: 100_000, SUKARELA: 25_000}
    assert await ledger.balance(db, L.receivable(await _org(db))) == 125_000
    b2 = await savings.member_by_number(db, await _org(db), "B-2")
    assert (await savings.balances(db, b2.id))[WAJIB] == 50_000
    entries = await _count(db, "ledger_entries")
    for name in (None, "payroll-2025-11"):  # the same file, or the same rows under a name
        with pytest.raises(BatchAlreadyRecorded) as refused:
            await _import_deposits(db, list(reversed(PAYROLL)), name)
        assert refused.value.recorded.reference == done.batch.reference
    assert await _count(db, "ledger_entries") == entries
    assert await ledger.verify(db) is None


async def test_a_bad_batch_reports_every_row_and_writes_nothing(db):
    await _import_members(db, CLEAN)
    await _import_deposits(db, PAYROLL)
    before = await _counts(db)
    bad = [
        ["B-1", "2025-11", "50.000", ""],  # wajib November of B-1: paid by the first batch
        ["B-9", "2025-12", "50.000", ""],  # nobody
        ["B-3", "2025-10", "50.000", ""],  # before B-3 joined (2025-11-02)
        ["B-2", "2025-12", "12,5", "emas"],
        ["B-2", "2025-12", "25.000", "sukarela"],  # fine on its own
    ]
    with pytest.raises(ImportRefused) as refused:
        await _import_deposits(db, bad)
    assert [str(e) for e in refused.value.errors] == [
        "row 2, column Bulan (B): wajib 2025-11 of member B-1 is already recorded"
        " (batch deposits:kop-a:"
        + refused.value.errors[0].message.split("batch deposits:kop-a:")[1],
        "row 3, column No Anggota (A): no such member",
        "row 4, column Bulan (B): before the member joined (2025-11-02)",
        "row 5, column Jumlah (C): not whole rupiah: '12,5' (write 1.500.000 or 1500000)",
        "row 5, column Jenis (D): not a kind of savings: 'emas' (pokok, wajib or sukarela)",
    ]
    assert await _counts(db) == before


async def test_a_reversed_deposit_frees_its_month(db):
    await _import_members(db, CLEAN)
    done = await _import_deposits(db, PAYROLL[:1], paid_into="bank")
    await db.write(ledger.reverse, done.batch.first_entry, None, "Salah potong")
    again = await _import_deposits(db, [["B-1", "2025-11", "50000", "wajib"]], "fixed")
    assert again.batch.reference == "deposits:kop-a:fixed"
    assert await ledger.balance(db, L.bank(await _org(db))) == 0
    assert await ledger.balance(db, L.receivable(await _org(db))) == 50_000


# --- exports ----------------------------------------------------------------------------


async def test_exports_read_the_balances_and_the_lines(db):
    await _import_members(db, CLEAN)
    await _import_deposits(db, PAYROLL)
    found = await savings.member_balances(db, await _org(db))
    assert [(m.member.member_number, m.savings.total) for m in found] == [
        ("B-1", 700_000), ("B-2", 150_000), ("B-3", 25_000),
    ]  # fmt: skip
    assert await savings.member_balances(db, 1) == []  # the root has no roster
    lines = [line async for line in savings.ledger_lines(db, await _org(db))]
    assert len({line.entry_id for line in lines}) == 5
    assert sum(line.amount for line in lines) == 0
    assert lines[0].account == "opening:2" and lines[0].amount == 650_000
    assert [line async for line in savings.ledger_lines(db, 1)] == []
