"""``koperasi-bot backup`` / ``restore``: a round trip on the demo's year while a writer keeps
writing, the refusal to overwrite people, damaged files, and the PostgreSQL path (its
command lines; a real server's round trip when KOPERASI_TEST_PG_URL is set)."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
from datetime import UTC, datetime

import pytest

from bot.cli import main
from bot.cli.demo_seed import BEKASI, CAST, seed_demo
from domain import ledger as L
from domain.ledger import SavingsKind
from storage import backup as store
from storage import ledger, orgs, people, savings, savings_desk
from storage.db import Database
from storage.migrate import migrate

NOW = datetime(2026, 12, 3, 4, 0, tzinfo=UTC)
PEOPLE_TABLES = ("people", "person_roles", "roster", "organisations")


@pytest.fixture
def cli(monkeypatch, tmp_path):
    """``koperasi-bot …`` with no settings but the flags given (no .env, no environment)."""
    for key in list(os.environ):
        if key.startswith("KOPERASI_") or key == "TELEGRAM_BOT_TOKEN":
            monkeypatch.delenv(key)

    def run(*args: str) -> int:
        return main(["--env-file", str(tmp_path / "none.env"), *args])

    return run


def _rows(path: str, table: str, where: str = "") -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT * FROM {table} {where} ORDER BY 1, 2").fetchall()
    finally:
        conn.close()


async def _all_balances(db: Database) -> dict[str, int]:
    codes = [r["code"] for r in await db.fetchall("SELECT code FROM ledger_accounts")]
    return await ledger.balances(db, codes)


async def _seeded(path: str) -> Database:
    db = await Database(path).open()
    await migrate(db)
    await seed_demo(db, now=NOW)
    return db


@pytest.mark.sqlite_file  # the SQLite file copied by the backup API
async def test_a_backup_taken_while_writing_restores_people_balances_and_chain(
    tmp_path, cli, capsys
):
    live = str(tmp_path / "live.sqlite3")
    db = await _seeded(live)
    treasurer = next(p for p in CAST if p.role == "treasurer")
    author = (await people.by_telegram_id(db, treasurer.user_id)).id
    org = (await orgs.by_code(db, BEKASI)).id
    member = (await savings.member_by_number(db, org, "KKB-0001")).id
    seeded_entries = (await ledger.examine(db)).entries

    written: list[int] = []
    stop = asyncio.Event()
    goal = {"count": 5, "reached": asyncio.Event()}

    async def writer() -> None:  # the treasurer keeps recording deposits meanwhile
        while not stop.is_set():
            entry, _ = await db.write(
                savings_desk.deposit, member, SavingsKind.SUKARELA, 10_000, author
            )
            written.append(entry.id)
            if len(written) >= goal["count"]:
                goal["reached"].set()

    async def until_written(count: int) -> None:
        goal["count"], goal["reached"] = count, asyncio.Event()
        if len(written) < count:
            await goal["reached"].wait()

    writing = asyncio.create_task(writer())
    await until_written(5)  # the writer is well under way before the copy starts
    copy = str(tmp_path / "copy.sqlite3")
    copied = await store.backup(live, copy)
    await until_written(copied.ledger_entries - seeded_entries + 5)  # and goes on after it
    stop.set()
    await writing

    assert stat.S_IMODE(os.stat(copy).st_mode) == 0o600
    # The copy is one consistent moment: the seed and a prefix of the writer's entries.
    in_copy = copied.ledger_entries
    assert seeded_entries + 5 <= in_copy < seeded_entries + len(written)

    fresh = str(tmp_path / "fresh" / "restored.sqlite3")
    os.mkdir(tmp_path / "fresh")
    capsys.readouterr()
    assert await asyncio.to_thread(cli, "--db", fresh, "restore", copy) == 0
    out = capsys.readouterr().out
    assert f"{copied.people} people, {in_copy} ledger entries" in out
    assert "ledger intact" in out
    assert stat.S_IMODE(os.stat(fresh).st_mode) == 0o600

    # People identical; the ledger identical up to the moment of the copy.
    for table in PEOPLE_TABLES:
        assert _rows(fresh, table) == _rows(live, table), table
    for table in ("ledger_entries", "ledger_lines"):
        key = "id" if table == "ledger_entries" else "entry_id"
        cut = f"WHERE {key} <= {in_copy}"
        assert _rows(fresh, table) == _rows(live, table, cut), table
    assert len(_rows(fresh, "people")) == copied.people > 10

    restored = await Database(fresh).open()
    try:
        report = await ledger.examine(restored)
        assert report.broken is None and report.entries == in_copy
        # Balances: the live ones minus what the writer added after the copy.
        after_copy = sum(1 for entry_id in written if entry_id > in_copy)
        live_balances = await _all_balances(db)
        sukarela = L.member_savings(member, SavingsKind.SUKARELA)
        expected = dict(live_balances)
        expected[sukarela] -= 10_000 * after_copy
        cash = L.cash(org)
        expected[cash] -= 10_000 * after_copy
        assert await _all_balances(restored) == expected
    finally:
        await restored.close()
        await db.close()

    # The CLI's audit agrees on the restored file.
    capsys.readouterr()
    assert await asyncio.to_thread(cli, "--db", fresh, "audit", "verify") == 0
    assert f"ledger intact: {in_copy} entries" in capsys.readouterr().out


@pytest.mark.sqlite_file  # the SQLite file copied by the backup API
async def test_restore_refuses_a_database_with_people_unless_forced(tmp_path, cli, capsys):
    source = str(tmp_path / "a.sqlite3")
    other = str(tmp_path / "b.sqlite3")
    for path in (source, other):
        await (await _seeded(path)).close()
    # The other one gets an extra person: the restore must bring back the backup's people.
    conn = sqlite3.connect(other)
    conn.execute("UPDATE people SET full_name = 'Bukan Siapa-siapa' WHERE id = 1")
    conn.commit()
    conn.close()
    assert await asyncio.to_thread(cli, "--db", source, "backup", str(tmp_path / "a.bak")) == 0

    capsys.readouterr()
    assert await asyncio.to_thread(cli, "--db", other, "restore", str(tmp_path / "a.bak")) == 2
    err = capsys.readouterr().err
    assert "already holds" in err and "registered people" in err and "--force" in err
    assert _rows(other, "people", "WHERE id = 1")[0][3] == "Bukan Siapa-siapa"  # untouched

    assert (
        await asyncio.to_thread(cli, "--db", other, "restore", "--force", str(tmp_path / "a.bak"))
        == 0
    )
    assert _rows(other, "people") == _rows(source, "people")


@pytest.mark.sqlite_file  # the SQLite file copied by the backup API
def test_a_damaged_or_foreign_backup_replaces_nothing(tmp_path, cli, capsys):
    target = str(tmp_path / "t.sqlite3")
    (tmp_path / "junk.bak").write_bytes(b"SQLite format 3\x00" + b"\x07" * 5000)
    conn = sqlite3.connect(tmp_path / "other.sqlite3")
    conn.execute("CREATE TABLE notes (x)")
    conn.close()
    for bad in ("junk.bak", "other.sqlite3", "missing.bak"):
        capsys.readouterr()
        assert cli("--db", target, "restore", str(tmp_path / bad)) == 2, bad
        assert capsys.readouterr().err.startswith("koperasi-bot: ")
    assert not os.path.exists(target)
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".part")]


@pytest.mark.sqlite_file  # the SQLite file copied by the backup API
def test_backup_of_a_missing_database_is_one_line(tmp_path, cli, capsys):
    assert cli("--db", str(tmp_path / "nope.sqlite3"), "backup", str(tmp_path / "x")) == 2
    assert "no database at" in capsys.readouterr().err


@pytest.mark.sqlite_file  # the SQLite file copied by the backup API
def test_backup_file_is_private_whatever_the_umask(tmp_path, cli):
    sqlite3.connect(tmp_path / "k.sqlite3").execute("CREATE TABLE people (id)").connection.close()
    sqlite3.connect(tmp_path / "k.sqlite3").execute(
        "CREATE TABLE ledger_entries (id)"
    ).connection.close()
    old = os.umask(0)
    try:
        assert cli("--db", str(tmp_path / "k.sqlite3"), "backup", str(tmp_path / "k.bak")) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "k.bak").st_mode) == 0o600


# -- PostgreSQL ---------------------------------------------------------------------------------

PG_URL = os.environ.get("KOPERASI_TEST_PG_URL", "")


def test_postgres_backup_and_restore(tmp_path, monkeypatch, cli, capsys):
    """What runs on PostgreSQL, checked on every run: the argv handed to the programs, the
    file left private, and a failure reported without the URL's password; then, with
    KOPERASI_TEST_PG_URL (lane pg's CI), the round trip on that real server."""
    url = "postgresql://koperasi:s3cret@db.example:5432/koperasi"
    assert store.pg_dump_argv(url, "/b/k.dump") == [
        "pg_dump", "--format=custom", "--file", "/b/k.dump", url,
    ]  # fmt: skip
    assert store.pg_restore_argv(url, "/b/k.dump") == [
        "pg_restore", "--no-owner", "--clean", "--if-exists", "--dbname", url, "/b/k.dump",
    ]  # fmt: skip

    ran: list[list[str]] = []

    class Done:
        def __init__(self, code: int, err: str = "") -> None:
            self.returncode, self.stdout, self.stderr = code, "", err

    def fake_run(argv, **kwargs):
        ran.append(argv)
        if argv[0] == "pg_dump":
            path = argv[argv.index("--file") + 1]
            with open(path, "wb") as f:  # noqa: ASYNC230 - a stand-in for the program
                f.write(b"PGDMP")
            return Done(0)
        return Done(1, f'pg_restore: error: connection to "{url}" failed')

    monkeypatch.setattr(store.subprocess, "run", fake_run)
    target = tmp_path / "k.dump"
    copied = asyncio.run(store.backup("ignored.sqlite3", str(target), url))
    assert ran[0][:3] == ["pg_dump", "--format=custom", "--file"] and ran[0][-1] == url
    assert copied.path == str(target) and target.read_bytes() == b"PGDMP"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    with pytest.raises(store.BackupError) as failed:
        store.pg_restore(str(target), url)
    assert ran[1] == store.pg_restore_argv(url, str(target))
    assert "s3cret" not in str(failed.value) and "<url>" in str(failed.value)

    # The people count a restore checks first, by psql.
    def fake_psql(argv, **kwargs):
        ran.append(argv)
        return next(answers)

    monkeypatch.setattr(store.subprocess, "run", fake_psql)
    first = Done(0)
    first.stdout = "12\n"
    answers = iter([first, Done(1, 'ERROR:  relation "people" does not exist')])
    assert store.pg_people(url) == 12
    assert ran[-1] == ["psql", "--no-psqlrc", "-tAc", "SELECT COUNT(*) FROM people", url]
    assert store.pg_people(url) == 0
    monkeypatch.undo()
    if PG_URL:
        _round_trip_on_a_real_server(tmp_path, cli, capsys)


def _round_trip_on_a_real_server(tmp_path, cli, capsys) -> None:
    """pg_dump, then the table emptied, then pg_restore: the rows are back. In a database of
    its own: a restore with --clean acts on the whole database."""
    import subprocess
    from urllib.parse import urlsplit, urlunsplit

    def psql(sql: str, url: str) -> str:
        done = subprocess.run(
            ["psql", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-tAc", sql, url],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        return done.stdout.strip()

    name = f"ops_backup_{os.getpid()}"
    psql(f"DROP DATABASE IF EXISTS {name}", PG_URL)
    psql(f"CREATE DATABASE {name}", PG_URL)
    try:
        url = urlunsplit(urlsplit(PG_URL)._replace(path=f"/{name}"))
        _round_trip(tmp_path, url, psql)
        _cli_round_trip(tmp_path, url, cli, capsys)
    finally:
        psql(f"DROP DATABASE IF EXISTS {name}", PG_URL)


def _round_trip(tmp_path, url: str, psql) -> None:

    psql("CREATE TABLE people (id INTEGER PRIMARY KEY, full_name TEXT NOT NULL)", url)
    psql("INSERT INTO people VALUES (1, 'Siti'), (2, 'Darto')", url)
    dump = str(tmp_path / "k.dump")
    store.pg_backup(url, dump)
    assert stat.S_IMODE(os.stat(dump).st_mode) == 0o600
    psql("DELETE FROM people WHERE id = 1", url)
    psql("INSERT INTO people VALUES (3, 'Wati')", url)
    assert store.pg_people(url) == 2
    store.pg_restore(dump, url)
    assert psql("SELECT full_name FROM people ORDER BY id", url) == "Siti\nDarto"


@pytest.mark.sqlite_file  # the SQLite file copied by the backup API
def test_a_forced_restore_from_a_damaged_file_leaves_the_database_and_its_wal(tmp_path, cli):
    """--force with a bad backup: refused before anything is touched, even what the old
    database holds only in its -wal file so far."""
    target = str(tmp_path / "k.sqlite3")
    writer = sqlite3.connect(target)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("PRAGMA wal_autocheckpoint = 0")  # the row stays in the -wal file
    writer.execute("CREATE TABLE people (id INTEGER PRIMARY KEY, full_name TEXT)")
    writer.execute("INSERT INTO people VALUES (1, 'Siti Aminah')")
    writer.commit()
    assert os.path.getsize(f"{target}-wal") > 0
    (tmp_path / "junk.bak").write_bytes(b"SQLite format 3\x00" + b"\x07" * 5000)
    try:
        assert cli("--db", target, "restore", "--force", str(tmp_path / "junk.bak")) == 2
        assert os.path.exists(f"{target}-wal")
        reader = sqlite3.connect(target)
        assert reader.execute("SELECT full_name FROM people").fetchall() == [("Siti Aminah",)]
        reader.close()
    finally:
        writer.close()


def _cli_round_trip(tmp_path, url: str, cli, capsys) -> None:
    """The commands on PostgreSQL (``--db postgresql://…``): backup, a refused restore over
    people, a forced one."""
    dump = str(tmp_path / "cli.dump")
    capsys.readouterr()
    assert cli("--db", url, "backup", dump) == 0
    assert "pg_dump custom format" in capsys.readouterr().out
    assert cli("--db", url, "restore", dump) == 2
    assert "already holds 2 registered people" in capsys.readouterr().err
    assert cli("--db", url, "restore", "--force", dump) == 0
    assert "restored" in capsys.readouterr().out
    os.environ["KOPERASI_DB_URL"] = url  # the setting, as an operator sets it
    try:
        assert cli("backup", str(tmp_path / "env.dump")) == 0
    finally:
        del os.environ["KOPERASI_DB_URL"]
    assert (tmp_path / "env.dump").read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
