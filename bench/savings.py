"""Savings at scale: 100,000 members and 1,000,000 ledger entries. How long the roster import
of 100,000 rows takes, how large the database gets, and how fast /saldo and /mutasi read.

Everything goes through the deployed code paths, each command as its own process exactly as
an operator types it (``python -m bot`` = ``koperasi-bot``), into one SQLite file in the
workdir:

1. ``org add`` one cooperative (``kmp-bench``, kind kmp) and ``org savings`` its rates
   (pokok Rp100.000, wajib Rp50.000 a month).
2. A members file (CSV, ``--members`` rows, default 100,000) as a cooperative's books give it:
   No Anggota, Nama, HP, Koperasi, Tanggal Masuk, Pokok, Wajib, Sukarela. Phones written every
   Indonesian way (``0812-3456-7890``, ``+62 812 3456 7890``, ``62812…``, ``812…`` (a number
   cell that lost its 0), ``(0812) 3456 7890``), join dates ISO or day first (``15/03/2019``,
   ``15-03-2019``), amounts as ``100000``, ``100.000`` or ``Rp 1.500.000,-``; every member has
   an opening balance (pokok, wajib for the months since joining, sukarela for 70 %).
   ``members import FILE`` is timed as a subprocess: wall time, CPU, and its peak RSS
   (``ru_maxrss`` of that very child, ``os.wait4``). It posts one opening entry per member.
3. ``--batches`` (default 9) payroll files of one row per member (months 2026-01 …; wajib
   Rp50.000, every fifth member a sukarela deposit instead), each ``deposits import FILE --org
   kmp-bench --batch payroll-…`` timed the same way: one entry per row. 100,000 + 9 x 100,000
   = 1,000,000 entries, all posted by ``storage.ledger.post_many``: one real hash chain.
4. ``audit verify`` recomputes the whole chain and every balance (timed; it must print
   ``ledger intact: <all> entries``, else the run fails).
5. The file size (after the last connection closed: no WAL left), bytes per entry, and the
   space per table and index (SQLite's ``dbstat``).
6. Queries, in a fresh process that only opens the ``Database`` (as the bot does: aiosqlite,
   WAL, the reader connection): for ``--queries`` (default 2,000) distinct random members,
   after ``--warmup`` (default 100) others, in a random order per member:
   ``storage.savings.balances`` (what /saldo reads: one index lookup per kind),
   ``handlers.savings.balance_text`` (the whole /saldo text: balances, the cooperative's
   name, dates and money formatted in Indonesian), ``storage.savings.recent(limit=8)`` (a
   /mutasi page) and the page after it (the ◀ button, ``before=``), ``storage.savings.tagihan``
   (/tagihan). The process's RSS after opening and its peak (VmHWM) after the queries.

Baselines measured in the same run (the machine is shared: compare ratios):

* import: reading the same CSV with the ``csv`` module alone, and reading it plus
  ``executemany`` of the raw cells into a bare SQLite table (one transaction, WAL) - the
  floor of "read a file into SQLite"; median of 3, in this process. Also the CLI's start-up
  (``org list``: interpreter, imports, migration check), which every command pays.
* queries: ``SELECT 1 FROM roster WHERE id = ?`` through the same ``Database`` (one
  aiosqlite round trip, one index lookup), interleaved with the others, for the same members.

No timing is asserted. ``--quick``: 2,000 members, 9 batches (20,000 entries), 300 queries.

    python -m bench.savings                  # full run: 100,000 members, 1,000,000 entries
    python -m bench.savings --quick          # smoke run (< 30 s)
    python -m bench.savings --members 20000 --batches 4 --queries 500
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from bench.common import (
    REPO,
    load_caveat,
    machine_info,
    percentile,
    print_table,
    ratio,
    workdir,
    write_json,
)

ORG = "kmp-bench"
DB_NAME = "savings.sqlite3"
WAJIB = 50_000
POKOK = 100_000
FIRST_MONTH = (2026, 1)  # the first payroll batch; openings are the books at the end of 2025
BOOKS_CLOSED = dt.date(2025, 12, 31)

FIRST_NAMES = (
    "Budi", "Siti", "Agus", "Dewi", "Joko", "Sri", "Ahmad", "Nur", "Eko", "Rina", "Wahyu",
    "Ratna", "Bambang", "Yuni", "Hendra", "Lestari", "Dedi", "Indah", "Rudi", "Wulan", "Slamet",
    "Fitri", "Arif", "Putri", "Teguh", "Ayu", "Iwan", "Maya", "Andi", "Dian", "Muh.", "I Made",
    "Ni Luh", "Yohanes", "Maria", "Fransiska", "Ketut", "Haji Abdul", "Rahmat", "Suparman",
)  # fmt: skip
LAST_NAMES = (
    "Santoso", "Wijaya", "Saputra", "Lestari", "Hidayat", "Kurniawan", "Setiawan", "Rahayu",
    "Susanto", "Pratama", "Nugroho", "Siregar", "Simanjuntak", "Nasution", "Harahap", "Sihombing",
    "Wibowo", "Purnomo", "Hartono", "Gunawan", "Sulistyo", "Suryani", "Handayani", "Maulana",
    "Firmansyah", "Ramadhan", "Permana", "Sembiring", "Tarigan", "Ginting", "Manurung", "Daeng",
    "Pattimura", "Wenda", "Kogoya", "O'Neil", "Al-Habsyi", "Sitompul", "",
)  # fmt: skip
# Mobile prefixes after 08 (Telkomsel, Indosat, XL, Tri, Smartfren, Axis).
OPERATORS = ("11", "12", "13", "21", "22", "23", "51", "52", "53", "55", "56", "57", "58",
             "59", "77", "78", "81", "82", "83", "95", "96", "97", "98", "99")  # fmt: skip


# ------------------------------------------------------------------ the files
def _phone(i: int, rng: random.Random) -> str:
    """A unique mobile number for member ``i`` (08xx + 8 digits), written one of the ways
    Indonesians write it."""
    op = OPERATORS[i % len(OPERATORS)]
    sub = f"{(i // len(OPERATORS)) * 7 + rng.randrange(7):08d}"  # unique per (op, i)
    national = f"08{op}{sub}"  # 12 digits
    a, b, c = national[:4], national[4:8], national[8:]
    return rng.choice((
        f"{a}-{b}-{c}", f"{a} {b} {c}", national, f"+62 {a[1:]} {b} {c}", f"+62{national[1:]}",
        f"62{national[1:]}", national[1:], f"({a}) {b}{c}", f"+62-{a[1:]}-{b}-{c}",
    ))  # fmt: skip


def _rupiah_text(amount: int, rng: random.Random) -> str:
    dotted = f"{amount:,}".replace(",", ".")
    return rng.choice((str(amount), dotted, f"Rp{dotted}", f"Rp {dotted},-", f"Rp. {dotted}"))


def _date_text(day: dt.date, rng: random.Random) -> str:
    return rng.choice((
        day.isoformat(), f"{day.day:02d}/{day.month:02d}/{day.year}",
        f"{day.day}-{day.month}-{day.year}",
    ))  # fmt: skip


def member_number(i: int) -> str:
    return f"KMP-{i:06d}"


def write_members(path: Path, n: int, seed: int) -> dict[str, int]:
    """The members file; returns the opening totals per kind (what the import must report)."""
    rng = random.Random(seed)
    totals = {"pokok": 0, "wajib": 0, "sukarela": 0}
    start = dt.date(2012, 1, 1).toordinal()
    end = dt.date(2025, 6, 30).toordinal()
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(("No Anggota", "Nama", "HP", "Koperasi", "Tanggal Masuk", "Pokok", "Wajib",
                      "Sukarela"))  # fmt: skip
        for i in range(1, n + 1):
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}".strip()
            if rng.random() < 0.05:
                name = name.lower()  # typed in small letters: stored capitalised
            joined = dt.date.fromordinal(rng.randrange(start, end))
            months = (BOOKS_CLOSED.year - joined.year) * 12 + BOOKS_CLOSED.month - joined.month + 1
            wajib = WAJIB * max(1, months - rng.choice((0, 0, 0, 1, 2, 6)))  # some in arrears
            sukarela = 0 if rng.random() < 0.3 else rng.randrange(1, 5_000) * 1_000
            totals["pokok"] += POKOK
            totals["wajib"] += wajib
            totals["sukarela"] += sukarela
            out.writerow((
                member_number(i), name, _phone(i, rng), ORG, _date_text(joined, rng),
                _rupiah_text(POKOK, rng), _rupiah_text(wajib, rng),
                _rupiah_text(sukarela, rng) if sukarela or rng.random() < 0.5 else "",
            ))  # fmt: skip
    return totals


def month_of(batch: int) -> tuple[int, int]:
    months = FIRST_MONTH[0] * 12 + FIRST_MONTH[1] - 1 + batch
    return months // 12, months % 12 + 1


_MONTH_WORDS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")


def write_deposits(path: Path, n: int, batch: int, seed: int) -> int:
    """Payroll batch ``batch``: one row per member (wajib, or every fifth member sukarela);
    returns its total."""
    rng = random.Random(seed * 1000 + batch)
    year, month = month_of(batch)
    written = rng.choice((f"{year}-{month:02d}", f"{month:02d}/{year}",
                          f"{_MONTH_WORDS[month - 1]} {year}"))  # fmt: skip
    total = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(("No Anggota", "Bulan", "Jumlah", "Jenis"))
        for i in range(1, n + 1):
            if (i + batch) % 5 == 0:
                amount, kind = rng.randrange(1, 500) * 1_000, "sukarela"
            else:
                amount, kind = WAJIB, rng.choice(("wajib", "Simpanan Wajib", "SW", ""))
            total += amount
            out.writerow((member_number(i), written, _rupiah_text(amount, rng), kind))
    return total


# ------------------------------------------------------------------ baselines
def csv_parse_s(path: Path) -> float:
    t0 = time.perf_counter()
    with path.open(newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    elapsed = time.perf_counter() - t0
    assert len(rows) > 1
    return elapsed


def csv_to_sqlite_s(path: Path, db_path: Path) -> float:
    """Read the CSV and executemany its raw cells into a bare table, one transaction (WAL,
    synchronous NORMAL, as the bot's database)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    t0 = time.perf_counter()
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        cols = ", ".join(f"c{i} TEXT" for i in range(len(header)))
        conn.execute(f"CREATE TABLE raw (id INTEGER PRIMARY KEY, {cols})")
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(f"INSERT INTO raw VALUES (NULL, {', '.join('?' * len(header))})", reader)
        conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - t0


def baselines(path: Path, wd: Path, repeat: int = 3) -> dict[str, float]:
    parse = [csv_parse_s(path) for _ in range(repeat)]
    store = [csv_to_sqlite_s(path, wd / "baseline.sqlite3") for _ in range(repeat)]
    return {
        "csv_parse_s": statistics.median(parse),
        "csv_to_sqlite_s": statistics.median(store),
        "csv_parse_runs_s": parse,
        "csv_to_sqlite_runs_s": store,
    }


# ------------------------------------------------------------------ subprocesses
class CommandFailed(RuntimeError):
    pass


def cli(wd: Path, db: Path, *args: str, expect: str | None = None) -> dict[str, Any]:
    """Run ``python -m bot --db DB ARGS`` (= ``koperasi-bot``) and time it: wall seconds,
    user+sys CPU and peak RSS of that child alone (``os.wait4``)."""
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.pop("KOPERASI_DB_PATH", None)
    cmd = [sys.executable, "-m", "bot", "--env-file", str(wd / "none.env"), "--db", str(db), *args]
    log = wd / "cli.log"
    with log.open("ab") as out:
        out.write(f"\n$ {' '.join(cmd)}\n".encode())
        out.flush()
        start = out.tell()
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    with log.open("rb") as fh:
        fh.seek(start)
        output = fh.read().decode(errors="replace")
    if proc.returncode != 0 or (expect is not None and expect not in output):
        raise CommandFailed(
            f"{' '.join(args[:2])} exited {proc.returncode}"
            + (f", no {expect!r} in its output" if expect else "")
            + f":\n{output[-3000:]}"
        )
    return {
        "args": list(args),
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "rss_peak_kib": usage.ru_maxrss,  # KiB on Linux
        "output": output.strip().splitlines()[-3:],
    }


# ------------------------------------------------------------------ queries (child process)
def _vm(field: str) -> int | None:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


async def _queries(db_path: str, n: int, warmup: int, seed: int) -> dict[str, Any]:
    from handlers.savings import PAGE, balance_text
    from storage import savings as stored
    from storage.db import Database

    async with Database(db_path) as db:
        rss_open = _vm("VmRSS")
        ids = [r["id"] for r in await db.fetchall("SELECT id FROM roster ORDER BY id")]
        rng = random.Random(seed)
        picked = rng.sample(ids, min(len(ids), n + warmup))
        context = SimpleNamespace(db=db, person=SimpleNamespace(timezone="Asia/Jakarta"))
        this_month = stored.Month.of(dt.date.today())
        times: dict[str, list[float]] = {
            k: [] for k in ("baseline", "saldo", "saldo_text", "mutasi", "mutasi_page2", "tagihan")
        }
        checks = {"members": 0, "empty_pages": 0, "lines_page1": 0, "total_saved": 0}

        async def timed(name: str, work, keep: bool):
            t0 = time.perf_counter()
            result = await work
            if keep:
                times[name].append(time.perf_counter() - t0)
            return result

        for k, roster_id in enumerate(picked):
            keep = k >= warmup
            member = await stored.member(db, roster_id)  # /saldo has it from memberships()
            page1: list = []

            async def mutasi(roster_id=roster_id, page1=page1, keep=keep):
                page1 += await timed("mutasi", stored.recent(db, roster_id, limit=PAGE), keep)
                before = min(line.entry_id for line in page1) if page1 else None
                await timed(
                    "mutasi_page2", stored.recent(db, roster_id, limit=PAGE, before=before), keep
                )

            steps = [
                lambda rid=roster_id, keep=keep: timed(
                    "baseline", db.fetchall("SELECT 1 FROM roster WHERE id = ?", (rid,)), keep
                ),
                lambda rid=roster_id, keep=keep: timed("saldo", stored.balances(db, rid), keep),
                lambda m=member, keep=keep: timed("saldo_text", balance_text(context, m), keep),
                mutasi,
                lambda rid=roster_id, keep=keep: timed(
                    "tagihan", stored.tagihan(db, rid, this_month), keep
                ),
            ]
            rng.shuffle(steps)
            for step in steps:
                result = await step()
                if isinstance(result, stored.Savings) and keep:
                    checks["total_saved"] += result.total
            if keep:
                checks["members"] += 1
                checks["empty_pages"] += not page1
                checks["lines_page1"] += len(page1)
        return {
            "times_s": times,
            "checks": checks,
            "rss_after_open_kib": rss_open,
            "rss_now_kib": _vm("VmRSS"),
            "rss_peak_kib": _vm("VmHWM"),
            "members_in_roster": len(ids),
        }


def run_queries(wd: Path, db: Path, n: int, warmup: int, seed: int) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    cmd = [sys.executable, "-m", "bench.savings", "--child-queries", str(db),
           "--queries", str(n), "--warmup", str(warmup), "--seed", str(seed)]  # fmt: skip
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        raise CommandFailed(f"query process exited {done.returncode}:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_s"] = wall
    return result


# ------------------------------------------------------------------ the database
def database_size(db: Path) -> dict[str, Any]:
    files = {s or "main": Path(f"{db}{s}") for s in ("", "-wal", "-shm")}
    sizes = {k: p.stat().st_size for k, p in files.items() if p.exists()}
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        count = {
            t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("ledger_entries", "ledger_lines", "ledger_accounts", "roster")
        }
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        try:
            per_object = dict(
                conn.execute(
                    "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"
                ).fetchall()
            )
        except sqlite3.OperationalError:  # no dbstat in this SQLite build
            per_object = {}
    finally:
        conn.close()
    return {
        "files_bytes": sizes,
        "rows": count,
        "page_size": page_size,
        "objects_bytes": per_object,
    }


# ------------------------------------------------------------------ the run
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="python -m bench.savings",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: 2,000 members, 9 batches (20,000 entries), 300 queries")  # fmt: skip
    ap.add_argument("--members", type=int, help="members in the file (default 100,000)")
    ap.add_argument(
        "--batches", type=int, default=9,
        help="payroll batches of one row per member (default 9: members x 10 entries)",
    )  # fmt: skip
    ap.add_argument("--queries", type=int, help="members queried (default 2,000; quick 300)")
    ap.add_argument("--warmup", type=int, help="members queried first, not counted (default 100)")
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--skip-verify", action="store_true", help="do not run audit verify")
    ap.add_argument("--json", help="write the results as JSON to this path")
    ap.add_argument(
        "--workdir",
        help="keep the files here (CSV files, the SQLite file, cli.log); an earlier"
        " savings.sqlite3 in it is replaced (default: a new temporary directory)",
    )
    ap.add_argument("--child-queries", metavar="DB", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    args.members = args.members or (2_000 if args.quick else 100_000)
    args.queries = args.queries or (300 if args.quick else 2_000)
    args.warmup = args.warmup if args.warmup is not None else (20 if args.quick else 100)
    return args


def _rp(amount: int) -> str:
    return f"Rp{amount:,}".replace(",", ".")


def _mib(kib: int | None) -> float | None:
    return None if kib is None else kib / 1024


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child_queries:
        result = asyncio.run(_queries(args.child_queries, args.queries, args.warmup, args.seed))
        print(json.dumps(result))
        return 0
    wd = workdir(args.workdir, "koperasi-bench-savings-")
    (wd / "none.env").touch()
    db = wd / DB_NAME
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    info = machine_info()
    n, batches = args.members, args.batches
    expected_entries = n * (1 + batches)
    print(
        f"savings benchmark: {n:,} members, {batches} payroll batches -> {expected_entries:,}"
        f" ledger entries; {args.queries:,} members queried; workdir {wd}"
    )
    print(
        f"machine: {info['cpus']} CPUs, load {info['loadavg_at_start']}, python {info['python']};"
        f" commit {info['git_head']}"
        + (f" + uncommitted {info['git_modified_files']}" if info["git_modified_files"] else "")
    )
    result: dict[str, Any] = {
        "machine": info,
        "config": {k: v for k, v in vars(args).items() if k != "child_queries"},
        "workdir": str(wd),
    }
    t_run = time.perf_counter()

    # 1. the cooperative, the members file, the import
    t0 = time.perf_counter()
    members_csv = wd / "members.csv"
    opening = write_members(members_csv, n, args.seed)
    print(f"  members file written ({members_csv.stat().st_size:,} bytes,"
          f" {time.perf_counter() - t0:.1f} s)", flush=True)  # fmt: skip
    cli(wd, db, "org", "add", ORG, "Koperasi Merah Putih Bench", "--kind", "kmp",
        "--province", "Jawa Barat")  # fmt: skip
    cli(wd, db, "org", "savings", "--org", ORG, "--pokok", str(POKOK), "--wajib", str(WAJIB),
        "--from", "2012-01")  # fmt: skip
    startup = [cli(wd, db, "org", "list", expect=ORG) for _ in range(3)]
    startup_s = statistics.median(r["wall_s"] for r in startup)
    base_members = baselines(members_csv, wd)
    print(f"  importing {n:,} members ...", flush=True)
    expect = "opening balances: " + ", ".join(f"{k} {_rp(v)}" for k, v in opening.items())
    imp = cli(wd, db, "members", "import", str(members_csv), expect=f"{n} new")
    if expect not in "\n".join(imp["output"]):  # every amount read as written
        raise CommandFailed(f"members import: expected {expect!r}, got {imp['output']}")
    print(f"    {imp['output'][-2] if len(imp['output']) > 1 else imp['output'][-1]}"
          f" ({imp['wall_s']:.1f} s)", flush=True)  # fmt: skip
    rupiah_total = _rp(sum(opening.values()))
    result["members_import"] = {**imp, "rows": n, "opening_total": opening,
                                "baseline": base_members}  # fmt: skip

    # 2. payroll batches up to members x (1 + batches) entries
    deposits = []
    base_deposits = None
    for b in range(batches):
        path = wd / f"deposits-{b + 1:02d}.csv"
        total = write_deposits(path, n, b, args.seed)
        if b == 0:
            base_deposits = baselines(path, wd)
        year, month = month_of(b)
        name = f"payroll-{year}-{month:02d}"
        r = cli(wd, db, "deposits", "import", str(path), "--org", ORG, "--batch", name,
                expect=f"{n} deposits")  # fmt: skip
        r["rows"], r["total"] = n, total
        deposits.append(r)
        print(f"  batch {b + 1}/{batches} {name}: {n:,} deposits in {r['wall_s']:.1f} s,"
              f" peak RSS {_mib(r['rss_peak_kib']):.0f} MiB", flush=True)  # fmt: skip
        path.unlink()  # a batch file is 2-3 MB per 100,000 rows; the first is regenerable
    result["deposits_imports"] = deposits
    result["deposits_baseline"] = base_deposits

    # 3. the chain
    verify = None
    if not args.skip_verify:
        print(f"  audit verify over {expected_entries:,} entries ...", flush=True)
        verify = cli(wd, db, "audit", "verify", expect=f"ledger intact: {expected_entries} entries")
        print(f"    {verify['output'][-1][:60]}… ({verify['wall_s']:.1f} s)", flush=True)
    result["audit_verify"] = verify

    # 4. size
    size = database_size(db)
    result["database"] = size
    entries, lines = size["rows"]["ledger_entries"], size["rows"]["ledger_lines"]
    if entries != expected_entries:
        raise CommandFailed(f"{entries} entries in the ledger, expected {expected_entries}")
    file_bytes = sum(size["files_bytes"].values())

    # 5. queries
    print(f"  queries for {args.queries:,} members (+{args.warmup} warm-up) ...", flush=True)
    q = run_queries(wd, db, args.queries, args.warmup, args.seed)
    result["queries"] = {k: v for k, v in q.items() if k != "times_s"}
    if q["checks"]["empty_pages"]:
        raise CommandFailed(f"{q['checks']['empty_pages']} members had an empty /mutasi page")
    result["run_wall_s"] = time.perf_counter() - t_run

    # ---- tables
    dep_wall = statistics.median(r["wall_s"] for r in deposits) if deposits else None
    dep_rss = max(r["rss_peak_kib"] for r in deposits) if deposits else None
    bm, bd = base_members, base_deposits or {}
    rows = [
        ["members import (CLI)", n, imp["wall_s"], n / imp["wall_s"], imp["cpu_s"],
         _mib(imp["rss_peak_kib"]), bm["csv_to_sqlite_s"], ratio(imp["wall_s"], bm["csv_to_sqlite_s"]),
         ratio(imp["wall_s"], bm["csv_parse_s"])],
        ["deposits import, median of batches", n, dep_wall, n / dep_wall if dep_wall else None,
         statistics.median(r["cpu_s"] for r in deposits) if deposits else None, _mib(dep_rss),
         bd.get("csv_to_sqlite_s"), ratio(dep_wall, bd.get("csv_to_sqlite_s")),
         ratio(dep_wall, bd.get("csv_parse_s"))],
        ["audit verify (whole chain)", entries, verify and verify["wall_s"],
         verify and entries / verify["wall_s"], verify and verify["cpu_s"],
         verify and _mib(verify["rss_peak_kib"]), None, None, None],
        ["CLI start-up (org list, median of 3)", None, startup_s, None,
         statistics.median(r["cpu_s"] for r in startup), _mib(max(r["rss_peak_kib"] for r in startup)),
         None, None, None],
    ]  # fmt: skip
    print_table(
        f"Import and ledger build ({n:,} members, {entries:,} entries)",
        ["step", "rows", "wall s", "rows/s", "CPU s", "peak RSS MiB", "base s",
         "x csv+sqlite", "x csv parse"],
        rows,
    )  # fmt: skip
    print(f"  baselines (same file, median of 3): csv parse {bm['csv_parse_s']:.3f} s,"
          f" csv + executemany into a bare table {bm['csv_to_sqlite_s']:.3f} s (members);"
          f" {bd.get('csv_parse_s', 0):.3f} s / {bd.get('csv_to_sqlite_s', 0):.3f} s (one batch)")  # fmt: skip
    net = imp["wall_s"] - startup_s
    result["members_import"]["wall_minus_startup_s"] = net
    print(f"  members import without the CLI start-up: {net:.2f} s ="
          f" {ratio(net, bm['csv_to_sqlite_s']):.1f} x csv+sqlite;"
          f" opening balances imported and reported: {rupiah_total}")  # fmt: skip

    objects = sorted(size["objects_bytes"].items(), key=lambda kv: -kv[1])
    db_rows = [
        ["database file (+ WAL)", file_bytes, file_bytes / 2**20, file_bytes / entries],
        *[[f"  {name}", b, b / 2**20, b / entries] for name, b in objects[:8]],
    ]
    print_table(
        f"Database: {entries:,} entries, {lines:,} lines, {size['rows']['ledger_accounts']:,}"
        f" accounts, {size['rows']['roster']:,} members",
        ["file / table or index", "bytes", "MiB", "bytes/entry"],
        db_rows,
    )

    times = q["times_s"]
    base = times["baseline"]
    b50, b99 = percentile(base, 50), percentile(base, 99)
    labels = {
        "baseline": "baseline: SELECT 1 FROM roster WHERE id=?",
        "saldo": "/saldo: savings.balances",
        "saldo_text": "/saldo text: balance_text",
        "mutasi": "/mutasi: savings.recent(limit=8)",
        "mutasi_page2": "/mutasi ◀ page 2 (before=)",
        "tagihan": "/tagihan: savings.tagihan",
    }
    q_rows, q_summary = [], {}
    for key, label in labels.items():
        v = times[key]
        p50, p99 = percentile(v, 50), percentile(v, 99)
        q_summary[key] = {"n": len(v), "p50_ms": p50 * 1e3, "p99_ms": p99 * 1e3,
                          "max_ms": max(v) * 1e3, "mean_ms": statistics.fmean(v) * 1e3,
                          "p50_x_baseline": ratio(p50, b50), "p99_x_baseline": ratio(p99, b99)}  # fmt: skip
        s = q_summary[key]
        q_rows.append([label, s["n"], s["p50_ms"], s["p99_ms"], s["max_ms"],
                       s["p50_x_baseline"], s["p99_x_baseline"]])  # fmt: skip
    result["queries"]["summary"] = q_summary
    result["queries"]["times_ms"] = {k: [round(x * 1e3, 4) for x in v] for k, v in times.items()}
    print_table(
        f"Queries: {len(base):,} random members of {q['members_in_roster']:,}, one process,"
        " storage.db.Database (aiosqlite reader)",
        ["query", "n", "p50 ms", "p99 ms", "max ms", "p50 x base", "p99 x base"],
        q_rows,
    )
    print(
        f"  query process RSS: {_mib(q['rss_after_open_kib']):.0f} MiB after imports + open,"
        f" peak (VmHWM) {_mib(q['rss_peak_kib']):.0f} MiB after the queries;"
        f" {q['checks']['lines_page1'] / max(1, q['checks']['members']):.1f} lines per first"
        " /mutasi page"
    )
    print(f"  whole run {result['run_wall_s']:.0f} s")
    caveat = load_caveat()
    print(f"  {caveat}")
    result["load_caveat"] = caveat
    write_json(args.json, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
