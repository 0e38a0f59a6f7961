"""The ledger on a real SQLite file: balanced entries only, whole rupiah, reversals once,
references posted once, balances and statements, and ``verify`` / ``audit verify`` finding a
row edited or removed behind the bot's back."""

import asyncio
import sqlite3
import time
from decimal import Decimal

import pytest

from bot.cli import main
from domain import ledger as L
from domain import regions
from domain.ledger import (
    AlreadyReversed,
    DuplicateReference,
    EntryNotFound,
    InvalidAccount,
    InvalidAmount,
    InvalidEntry,
    Line,
    Overdrawn,
    SavingsWithdrawalRefused,
    UnbalancedEntry,
)
from storage import effects, ledger
from storage.db import Database
from storage.ledger import Break
from storage.migrate import applied_versions, migrate
from storage.people import insert_person

ORG = 1  # the root cooperative every database has


async def _person(db, n):
    """A registered person who is also on the root cooperative's roster. Savings accounts are
    keyed by the roster entry; here its id equals the person's, so one number names both."""
    phone = f"+62812000{n:05d}"
    async with db.transaction() as conn:
        person = await insert_person(
            conn, telegram_user_id=1000 + n, chat_id=1000 + n, full_name=f"Orang {n}", phone=phone,
            language="id", timezone=regions.WIB, org_id=ORG,
        )  # fmt: skip
        cur = await conn.execute(
            "INSERT INTO roster (org_id, member_number, full_name, phone, person_id, created_at)"
            " VALUES (?, ?, ?, ?, ?, 0) RETURNING id",
            (ORG, f"A-{n}", f"Orang {n}", phone, person),
        )
        assert (await cur.fetchone())[0] == person
    return person


@pytest.fixture
async def db(tmp_path):
    async with Database(str(tmp_path / "k.sqlite3")) as database:
        await migrate(database)
        yield database


@pytest.fixture
async def people(db):
    return [await _person(db, n) for n in range(1, 4)]


def deposit(person, amount, kind="sukarela"):
    return [L.debit(L.cash(ORG), amount), L.credit(L.member_savings(person, kind), amount)]


def withdrawal(person, amount, kind="sukarela"):
    return [L.debit(L.member_savings(person, kind), amount), L.credit(L.cash(ORG), amount)]


async def _post(db, lines, author=None, reason="Setoran", reference=None):
    return await db.write(ledger.post, lines, author, reason, reference)


async def _count(db, table):
    return (await db.fetchone(f"SELECT COUNT(*) AS n FROM {table}"))["n"]


async def _behind_the_bots_back(db, *statements):
    """What someone with the file and the sqlite3 shell could do (foreign keys off, as the
    shell has them): drop the guards and edit. On PostgreSQL: a superuser's session with
    triggers and foreign keys off (session_replication_role)."""
    if db.dialect == "postgresql":
        async with db.transaction() as conn:
            await conn.execute("SET LOCAL session_replication_role = replica")
            for sql in statements:
                await conn.execute(sql)
        return
    conn = sqlite3.connect(db.path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        for table in ("ledger_accounts", "ledger_entries", "ledger_lines"):
            for what in ("update", "delete"):
                conn.execute(f"DROP TRIGGER IF EXISTS {table}_no_{what}")
        for sql in statements:
            conn.execute(sql)
        conn.execute("COMMIT")
    finally:
        conn.close()


# --- the schema -------------------------------------------------------------------------


async def test_the_migration_creates_an_empty_intact_ledger(db):
    assert 6 in await applied_versions(db)
    for table in ("ledger_accounts", "ledger_entries", "ledger_lines"):
        assert await _count(db, table) == 0
    assert await ledger.verify(db) is None
    report = await ledger.examine(db)
    assert (report.entries, report.last_hash) == (0, L.GENESIS_HASH)


# --- posting ----------------------------------------------------------------------------


async def test_a_balanced_entry_is_posted_with_author_time_reason_and_hash(db, people):
    treasurer, member = people[0], people[1]
    before = int(time.time())
    entry = await _post(
        db,
        deposit(member, 50_000, "wajib"),
        treasurer,
        "Simpanan wajib Desember 2025",
        "wajib:2:2025-12",
    )
    assert (entry.id, entry.author, entry.reason, entry.reference, entry.reverses) == (
        1, treasurer, "Simpanan wajib Desember 2025", "wajib:2:2025-12", None,
    )  # fmt: skip
    assert before <= entry.at <= int(time.time())
    assert entry.lines == (
        L.Posted("cash:1", 50_000, 50_000), L.Posted(f"member:{member}:wajib", -50_000, -50_000),
    )  # fmt: skip
    assert entry.hash == L.chain_hash(L.GENESIS_HASH, entry)
    assert await ledger.get(db, 1) == entry
    # accounts made on first use, owned by whom the code names (savings: the roster entry,
    # in its cooperative)
    rows = await db.fetchall(
        "SELECT code, kind, person_id, org_id, roster_id FROM ledger_accounts ORDER BY id"
    )
    assert [tuple(r) for r in rows] == [
        ("cash:1", "cash", None, 1, None), (f"member:{member}:wajib", "savings_wajib", None, 1, member),
    ]  # fmt: skip
    # balances on the normal side: the member saved 50.000, the cash holds 50.000
    assert await ledger.balance(db, L.member_savings(member, "wajib")) == 50_000
    assert await ledger.balance(db, L.cash(ORG)) == 50_000
    assert await ledger.balance(db, L.member_savings(member, "pokok")) == 0  # never used
    second = await _post(db, deposit(member, 25_000, "wajib"))
    assert second.id == 2 and second.hash == L.chain_hash(entry.hash, second)
    assert second.lines[1].balance_after == -75_000
    assert await ledger.balance(db, L.member_savings(member, "wajib")) == 75_000
    assert await _count(db, "ledger_accounts") == 2


@pytest.mark.parametrize(
    ("lines", "error"),
    [
        ([Line("cash:1", 50_000), Line("member:2:sukarela", -40_000)], UnbalancedEntry),
        ([Line("cash:1", 50_000.0), Line("member:2:sukarela", -50_000.0)], InvalidAmount),
        ([Line("cash:1", 0.5), Line("member:2:sukarela", -0.5)], InvalidAmount),
        ([Line("cash:1", True), Line("member:2:sukarela", -1)], InvalidAmount),
        ([Line("cash:1", 50_000)], InvalidEntry),
        ([Line("cash:1", 50_000), Line("kas:1", -50_000)], InvalidAccount),
        ([Line("cash:1", 50_000), Line("member:999:sukarela", -50_000)], InvalidAccount),  # nobody
    ],
)
async def test_a_bad_entry_is_refused_and_nothing_is_written(db, people, lines, error):
    with pytest.raises(error):
        await _post(db, lines)
    with pytest.raises(InvalidAmount):
        await _post(
            db, [Line("cash:1", Decimal(50_000)), Line("member:2:sukarela", Decimal(-50_000))]
        )
    with pytest.raises(InvalidEntry):
        await _post(db, deposit(people[1], 1_000), reason="  ")
    for table in ("ledger_accounts", "ledger_entries", "ledger_lines"):
        assert await _count(db, table) == 0
    assert await ledger.verify(db) is None


async def test_the_database_itself_refuses_updates_and_deletes(db, people):
    await _post(db, deposit(people[1], 50_000))
    for sql in (
        "UPDATE ledger_lines SET amount = 60000 WHERE line_no = 1",
        "DELETE FROM ledger_lines",
        "UPDATE ledger_entries SET reason = 'x'",
        "DELETE FROM ledger_entries",
        "UPDATE ledger_accounts SET code = 'cash:2'",
    ):
        with pytest.raises(Exception, match="append-only"):
            async with db.transaction() as conn:
                await conn.execute(sql)
    assert await ledger.verify(db) is None


async def test_an_entry_is_a_storable_use_case_result(db, people):
    """A handler's db.write(ledger.post, …) is replayed from its stored result."""
    entry = await _post(db, deposit(people[1], 50_000))
    assert effects.decode(effects.encode(entry)) == entry


# --- references: a batch posted once ----------------------------------------------------


async def test_a_reference_is_posted_once_until_its_entry_is_reversed(db, people):
    batch = [L.debit(L.cash(ORG), 100_000)] + [
        L.credit(L.member_savings(p, "wajib"), 50_000) for p in people[1:]
    ]
    first = await _post(
        db, batch, reason="Potongan gaji Desember 2025", reference="batch:payroll-2025-12"
    )
    with pytest.raises(DuplicateReference) as refused:
        await _post(
            db, batch, reason="Potongan gaji Desember 2025", reference="batch:payroll-2025-12"
        )
    assert refused.value.entry_id == first.id and "already posted as entry 1" in str(refused.value)
    assert await ledger.balance(db, L.member_savings(people[1], "wajib")) == 50_000
    assert await ledger.by_reference(db, "batch:payroll-2025-12") == first
    await db.write(ledger.reverse, first.id, None, "wrong file")
    assert await ledger.by_reference(db, "batch:payroll-2025-12") is None
    again = await _post(
        db, batch, reason="Potongan gaji Desember 2025", reference="batch:payroll-2025-12"
    )
    assert await ledger.by_reference(db, "batch:payroll-2025-12") == again
    assert await ledger.balance(db, L.member_savings(people[2], "wajib")) == 50_000
    assert await ledger.verify(db) is None


# --- reversals --------------------------------------------------------------------------


async def test_a_reversal_restores_the_balances_and_cannot_be_done_twice(db, people):
    treasurer, member = people[0], people[1]
    await _post(db, deposit(member, 100_000))
    wrong = await _post(db, deposit(member, 75_000, "wajib"), treasurer, "Setoran wajib")
    assert await ledger.balance(db, L.cash(ORG)) == 175_000
    undo = await db.write(ledger.reverse, wrong.id, treasurer, "typed the wrong member")
    assert (undo.reverses, undo.reason, undo.author, undo.reference) == (
        wrong.id,
        "typed the wrong member",
        treasurer,
        None,
    )
    assert [(p.account, p.amount) for p in undo.lines] == [
        (p.account, -p.amount) for p in wrong.lines
    ]
    assert await ledger.balance(db, L.cash(ORG)) == 100_000
    assert await ledger.balance(db, L.member_savings(member, "wajib")) == 0
    assert await ledger.balance(db, L.member_savings(member, "sukarela")) == 100_000
    assert await ledger.reversal_of(db, wrong.id) == undo.id
    with pytest.raises(AlreadyReversed) as twice:
        await db.write(ledger.reverse, wrong.id, treasurer, "again")
    assert twice.value.by == undo.id
    with pytest.raises(InvalidEntry, match="is a reversal"):
        await db.write(ledger.reverse, undo.id, treasurer, "undo the undo")
    with pytest.raises(EntryNotFound):
        await db.write(ledger.reverse, 99, treasurer, "no such")
    with pytest.raises(InvalidEntry):
        await db.write(ledger.reverse, 1, treasurer, "")
    assert await _count(db, "ledger_entries") == 3
    assert await ledger.verify(db) is None


async def test_a_deposit_already_withdrawn_cannot_be_reversed_first(db, people):
    member = people[1]
    paid_in = await _post(db, deposit(member, 100_000))
    taken = await _post(db, withdrawal(member, 100_000))
    with pytest.raises(Overdrawn):
        await db.write(ledger.reverse, paid_in.id, None, "wrong member")
    await db.write(ledger.reverse, taken.id, None, "wrong member")
    await db.write(ledger.reverse, paid_in.id, None, "wrong member")
    assert await ledger.balance(db, L.member_savings(member, "sukarela")) == 0


# --- the savings rules with stored balances ---------------------------------------------


async def test_sukarela_withdrawal_beyond_the_balance_is_refused(db, people):
    member = people[1]
    await _post(db, deposit(member, 100_000))
    held = await ledger.balance(db, L.member_savings(member, "sukarela"))
    L.check_savings_withdrawal("sukarela", held, 100_000, member=True)
    with pytest.raises(
        SavingsWithdrawalRefused
    ) as refused:  # the pure rule, before anything is posted
        L.check_savings_withdrawal("sukarela", held, 100_001, member=True)
    assert refused.value.reason == "savings.insufficient"
    with pytest.raises(Overdrawn):  # and the ledger holds the line itself
        await _post(db, withdrawal(member, 100_001))
    await _post(db, withdrawal(member, 40_000))
    assert await ledger.balance(db, L.member_savings(member, "sukarela")) == 60_000


async def test_pokok_and_wajib_stay_while_a_member(db, people):
    member = people[1]
    await _post(db, deposit(member, 100_000, "pokok"))
    held = await ledger.balance(db, L.member_savings(member, "pokok"))
    with pytest.raises(SavingsWithdrawalRefused, match="while one is a member"):
        L.check_savings_withdrawal("pokok", held, 100_000, member=True)
    L.check_savings_withdrawal("pokok", held, 100_000, member=False)  # membership ended
    await _post(db, withdrawal(member, 100_000, "pokok"), reason="Keluar dari keanggotaan")
    assert await ledger.balance(db, L.member_savings(member, "pokok")) == 0


# --- offtake: owed on pickup, then paid --------------------------------------------------


async def test_offtake_owed_on_pickup_then_paid_once(db, people):
    coordinator, farmer = people[0], people[2]
    gross, deductions = (
        1_500 * 6_500,
        1_500 * 200,
    )  # 1.500 kg gabah GKP at Rp6.500, transport Rp200/kg
    owed = await _post(
        db,
        [L.debit(L.purchases(ORG), gross), L.credit(L.fees(ORG), deductions),
         L.credit(L.farmer_payable(farmer), gross - deductions)],
        coordinator, "Jemput TW-0042: 1.500 kg gabah GKP", "offer:42:owed",
    )  # fmt: skip
    assert await ledger.balance(db, L.farmer_payable(farmer)) == 9_450_000
    assert await ledger.by_reference(db, "offer:42:paid") is None  # /tawaran: unpaid
    paid_lines = [L.debit(L.farmer_payable(farmer), 9_450_000), L.credit(L.cash(ORG), 9_450_000)]
    await _post(db, paid_lines, coordinator, "Dibayar tunai TW-0042", "offer:42:paid")
    assert await ledger.balance(db, L.farmer_payable(farmer)) == 0
    assert await ledger.balance(db, L.cash(ORG)) == -9_450_000  # no cash was brought in here
    assert await ledger.balance(db, L.purchases(ORG)) == 9_750_000
    assert await ledger.balance(db, L.fees(ORG)) == 300_000
    with pytest.raises(DuplicateReference):  # the same payment again
        await _post(db, paid_lines, coordinator, "Dibayar tunai TW-0042", "offer:42:paid")
    with pytest.raises(Overdrawn):  # or under another reference: never paid beyond what is owed
        await _post(db, paid_lines, coordinator, "Transfer TW-0042", "offer:42:paid-again")
    assert (await ledger.by_reference(db, "offer:42:owed")) == owed
    assert await ledger.verify(db) is None


# --- balances over time and statements --------------------------------------------------


async def test_balance_as_of_a_time_and_statement_pages(db, people, monkeypatch):
    member = people[1]
    account = L.member_savings(member, "sukarela")
    for day, amount in enumerate((10_000, 20_000, 30_000, 40_000, 50_000), start=1):
        monkeypatch.setattr(ledger, "now_utc", lambda day=day: 1_764_720_000 + day * 86_400)
        await _post(db, deposit(member, amount), reason=f"Setoran {day}")
    monkeypatch.setattr(ledger, "now_utc", lambda: 1_764_720_000 + 6 * 86_400)
    await _post(db, withdrawal(member, 15_000), reason="Penarikan")
    await db.write(ledger.reverse, 2, None, "salah ketik")
    assert await ledger.balance(db, account) == 150_000 - 15_000 - 20_000
    assert await ledger.balance(db, account, at=1_764_720_000) == 0
    assert await ledger.balance(db, account, at=1_764_720_000 + 2 * 86_400) == 30_000
    assert await ledger.balance(db, account, at=1_764_720_000 + 2 * 86_400 - 1) == 10_000
    assert await ledger.balances(db, [account, L.cash(ORG)], at=1_764_720_000 + 3 * 86_400) == {
        account: 60_000, "cash:1": 60_000,
    }  # fmt: skip

    page = await ledger.entries(db, account, limit=3)
    assert [(s.entry_id, s.change, s.balance) for s in page] == [
        (7, -20_000, 115_000),
        (6, -15_000, 135_000),
        (5, 50_000, 150_000),
    ]
    assert page[0].reverses == 2 and page[0].reason == "salah ketik"
    rest = await ledger.entries(db, account, limit=3, before=page[-1].entry_id)
    assert [(s.entry_id, s.change, s.balance, s.reversed_by) for s in rest] == [
        (4, 40_000, 100_000, None), (3, 30_000, 60_000, None), (2, 20_000, 30_000, 7),
    ]  # fmt: skip
    assert [s.entry_id for s in await ledger.entries(db, account, limit=3, before=2)] == [1]
    assert await ledger.entries(db, L.member_savings(member, "pokok"), limit=3) == []


# --- tampering --------------------------------------------------------------------------


async def _five_entries(db, people):
    for n in range(1, 6):
        await _post(db, deposit(people[n % 3], n * 10_000), reason=f"Setoran {n}")
    assert await ledger.verify(db) is None


async def test_an_amount_edited_behind_the_bots_back_is_named(db, people):
    await _five_entries(db, people)
    await _behind_the_bots_back(
        db, "UPDATE ledger_lines SET amount = 35000 WHERE entry_id = 3 AND line_no = 1"
    )
    assert await ledger.verify(db) == Break(3, "lines sum to 5000, not 0")


async def test_both_lines_edited_alike_are_found_by_the_running_balance(db, people):
    await _five_entries(db, people)
    await _behind_the_bots_back(
        db, "UPDATE ledger_lines SET amount = amount * 2 WHERE entry_id = 3",
    )  # fmt: skip
    broken = await ledger.verify(db)
    assert broken.entry_id == 3 and "balance after is" in broken.problem


async def test_an_edited_balance_or_account_breaks_the_hash(db, people):
    await _five_entries(db, people)
    await _behind_the_bots_back(
        db,
        "UPDATE ledger_lines SET balance_after = balance_after + 1 WHERE entry_id = 4 AND line_no = 1",
    )
    assert (await ledger.verify(db)).entry_id == 4


async def test_an_account_renamed_breaks_the_first_entry_using_it(db, people):
    await _five_entries(db, people)
    await _behind_the_bots_back(
        db,
        f"UPDATE ledger_accounts SET code = 'member:{people[0]}:wajib' WHERE code = 'member:{people[0]}:sukarela'",
    )
    broken = await ledger.verify(db)
    assert broken.entry_id == 3 and "hash does not match" in broken.problem  # entry 3: n % 3 == 0


async def test_a_reason_edited_behind_the_bots_back_is_named(db, people):
    await _five_entries(db, people)
    await _behind_the_bots_back(db, "UPDATE ledger_entries SET reason = 'Setoran 20' WHERE id = 2")
    broken = await ledger.verify(db)
    assert broken.entry_id == 2 and "hash does not match" in broken.problem
    report = await ledger.examine(db)
    assert (report.entries, report.last_id) == (1, 1)  # entry 1 still holds


async def test_a_middle_entry_deleted_behind_the_bots_back_is_named(db, people):
    await _five_entries(db, people)
    await _behind_the_bots_back(
        db, "DELETE FROM ledger_lines WHERE entry_id = 3", "DELETE FROM ledger_entries WHERE id = 3"
    )
    assert await ledger.verify(db) == Break(3, "missing: entry 4 follows entry 2")


async def test_a_middle_entry_deleted_and_the_rest_renumbered_still_breaks(db, people):
    await _five_entries(db, people)
    await _behind_the_bots_back(
        db, "DELETE FROM ledger_lines WHERE entry_id = 3",
        "DELETE FROM ledger_entries WHERE id = 3", "UPDATE ledger_lines SET entry_id = entry_id - 1 WHERE entry_id > 3",
        "UPDATE ledger_entries SET id = id - 1 WHERE id > 3",
    )  # fmt: skip
    broken = await ledger.verify(db)
    assert (
        broken.entry_id == 3
    )  # now the old entry 4, under a new number and the wrong running balance


async def test_lines_of_an_entry_removed_are_found(db, people):
    await _five_entries(db, people)
    await _behind_the_bots_back(db, "DELETE FROM ledger_lines WHERE entry_id = 5")
    assert await ledger.verify(db) == Break(5, "has no lines")


# --- the command line -------------------------------------------------------------------


def _cli(monkeypatch, tmp_path, *args):
    monkeypatch.chdir(tmp_path)
    for key in ("TELEGRAM_BOT_TOKEN", "KOPERASI_DB_PATH", "KOPERASI_BOT_USERNAME"):
        monkeypatch.delenv(key, raising=False)
    return main(["--db", str(tmp_path / "k.sqlite3"), "audit", "verify", *args])


def _in_database(tmp_path, work):
    async def run():
        async with Database(str(tmp_path / "k.sqlite3")) as database:
            await migrate(database)
            people = [r["id"] for r in await database.fetchall("SELECT id FROM people ORDER BY id")]
            return await work(database, people or [await _person(database, n) for n in range(1, 4)])

    return asyncio.run(run())


def test_audit_verify_on_a_clean_then_a_tampered_database(monkeypatch, tmp_path, capsys):
    assert _cli(monkeypatch, tmp_path) == 0
    assert capsys.readouterr().out == f"ledger intact: 0 entries, last hash {L.GENESIS_HASH}\n"

    async def five(db, people):
        await _five_entries(db, people)
        return (await ledger.examine(db)).last_hash

    last = _in_database(tmp_path, five)
    assert _cli(monkeypatch, tmp_path) == 0
    assert capsys.readouterr().out == f"ledger intact: 5 entries, last hash {last}\n"
    assert _cli(monkeypatch, tmp_path, "--anchor", last.upper()) == 0
    capsys.readouterr()

    async def tamper(db, people):
        await _behind_the_bots_back(
            db, "UPDATE ledger_entries SET reason = 'Setoran 30' WHERE id = 3"
        )

    _in_database(tmp_path, tamper)
    assert _cli(monkeypatch, tmp_path) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("ledger broken at entry 3: its hash does not match")
    assert out[1].startswith("entries 1 to 2 are intact (last good hash ")


def test_audit_verify_with_an_anchor_sees_entries_cut_off_the_end(monkeypatch, tmp_path, capsys):
    async def five(db, people):
        await _five_entries(db, people)
        return (await ledger.examine(db)).last_hash

    last = _in_database(tmp_path, five)

    async def cut(db, people):
        await _behind_the_bots_back(
            db,
            "DELETE FROM ledger_lines WHERE entry_id = 5",
            "DELETE FROM ledger_entries WHERE id = 5",
        )

    _in_database(tmp_path, cut)
    assert _cli(monkeypatch, tmp_path) == 0  # the chain alone cannot tell
    assert "ledger intact: 4 entries" in capsys.readouterr().out
    assert _cli(monkeypatch, tmp_path, "--anchor", last) == 1
    assert f"the anchor {last} is not in it" in capsys.readouterr().out
    assert _cli(monkeypatch, tmp_path, "--anchor", "abc") == 2
    assert "64 hexadecimal characters" in capsys.readouterr().err


# --- many entries -----------------------------------------------------------------------


async def test_two_thousand_entries_verify_in_reasonable_time(db, people):
    started = time.perf_counter()
    async with db.transaction() as conn:
        for n in range(2_000):
            member = people[n % 3]
            lines = deposit(member, 1_000 + n) if n % 4 else deposit(member, 5_000 + n, "wajib")
            await ledger.post(conn, lines, None, f"Setoran {n}", f"test:{n}")
    posted = time.perf_counter() - started
    started = time.perf_counter()
    report = await ledger.examine(db)
    checked = time.perf_counter() - started
    print(f"\nledger: posted 2000 entries in {posted:.2f}s, verified in {checked:.3f}s")
    assert report.broken is None and report.entries == 2_000 and report.last_id == 2_000
    saved = await ledger.balances(
        db, [L.member_savings(p, k) for p in people for k in ("wajib", "sukarela")]
    )
    total = sum(saved.values())
    assert (
        total
        == await ledger.balance(db, L.cash(ORG))
        == sum(1_000 + n if n % 4 else 5_000 + n for n in range(2_000))
    )
    await _behind_the_bots_back(db, "UPDATE ledger_entries SET at = at + 1 WHERE id = 1999")
    assert (await ledger.verify(db)).entry_id == 1_999


async def test_post_many_chains_like_post_one_by_one(db, people):
    """An import posts thousands of entries at once: the same chain, balances and checks."""
    postings = [
        ledger.Posting(tuple(deposit(people[n % 3], 1_000 + n)), f"Setoran {n}", f"bulk:{n}")
        for n in range(2_500)
    ]
    steps = []
    async with db.transaction() as conn:
        posted = await ledger.post_many(conn, postings, None, progress=steps.append)
    assert [e.id for e in posted] == list(range(1, 2_501)) and sum(steps) == 2_500
    assert await ledger.verify(db) is None
    assert await ledger.balance(db, L.cash(ORG)) == sum(1_000 + n for n in range(2_500))
    assert await ledger.get(db, 2_500) == posted[-1]
    # a reference already live, twice in one batch, or an overdraft anywhere: nothing written
    for bad in (
        [postings[0]],
        [ledger.Posting(tuple(deposit(people[1], 5)), "x", "new"),
         ledger.Posting(tuple(deposit(people[1], 5)), "y", "new")],
        [ledger.Posting(tuple(deposit(people[1], 5)), "ok", "fine"),
         ledger.Posting(tuple(withdrawal(people[1], 10**9)), "too much", None)],
    ):  # fmt: skip
        with pytest.raises((DuplicateReference, InvalidEntry, Overdrawn)):
            async with db.transaction() as conn:
                await ledger.post_many(conn, bad, None)
    assert await _count(db, "ledger_entries") == 2_500
