"""The year-end SHU at scale: 100,000 members, a year of ledger, 20,000 loans' jasa.

1. ``org add`` a cooperative and ``shu rules set`` its bylaws (40/20/20 and two funds), each
   as the operator types it (``python -m bot`` = ``koperasi-bot``).
2. A year is written straight into the SQLite file (``sqlite3`` executemany, one
   transaction; the SHU reads amounts and times, not the hash chain, so the entries carry a
   placeholder hash and ``audit verify`` is not run): the roster (``--members``, default
   100,000), every member's pokok Rp100.000 in December of the year before, wajib Rp50.000
   in each of the 12 months (1.2 M entries), ``--loans`` (default 20,000) loans with jasa
   paid monthly (240,000 entries, references ``loan:<id>:i:<month>``), produce bought from
   ``--farmers`` farmers (half on the roster), sales and goods taken on payroll. Each entry
   has two lines (the member's or income account, and cash).
3. ``shu compute --org … --year 2026 --xlsx FILE`` as a subprocess: wall time, CPU and peak
   RSS of that child alone (``os.wait4``); its 100,000 member lines go to the log.
   ``--quiet`` (totals only) is timed too, and ``shu compute`` without the workbook.

Baselines in the same run: the CLI's start-up (``shu rules show``: interpreter, imports,
migration check), and in a child process one ``SELECT SUM(amount)`` over every line of the
year joined to its entry (the floor of "read the year's ledger once").

    python -m bench.shu               # 100,000 members, 20,000 loans
    python -m bench.shu --quick       # 5,000 members, 1,000 loans
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.common import fmt, load_caveat, machine_info, print_table, ratio, workdir
from bench.savings import cli

ORG = "kop-shu"
YEAR = 2026
WIB = ZoneInfo("Asia/Jakarta")
HASH = "0" * 64


def _at(month: int, day: int, year: int = YEAR) -> int:
    return int(dt.datetime(year, month, day, 10, tzinfo=WIB).timestamp())


class _Writer:
    """Entries of two lines each, appended in id order, accounts created on first use."""

    def __init__(self, conn: sqlite3.Connection, org_id: int) -> None:
        self.conn, self.org_id = conn, org_id
        self.accounts: dict[str, int] = {}
        self.entries: list[tuple] = []
        self.lines: list[tuple] = []
        self.next_id = 1

    def account(self, code: str, kind: str, *, person=None, org=None, roster=None) -> int:
        if code not in self.accounts:
            cur = self.conn.execute(
                "INSERT INTO ledger_accounts (code, kind, person_id, org_id, roster_id, created_at)"
                " VALUES (?, ?, ?, ?, ?, 0)",
                (code, kind, person, org, roster),
            )
            self.accounts[code] = cur.lastrowid
        return self.accounts[code]

    def entry(self, at: int, debit: int, credit: int, amount: int, reference=None) -> None:
        n = self.next_id
        self.next_id += 1
        self.entries.append((n, at, "bench", reference, HASH))
        self.lines.append((n, 1, debit, amount, 0))
        self.lines.append((n, 2, credit, -amount, 0))
        if len(self.entries) >= 50_000:
            self.flush()

    def flush(self) -> None:
        self.conn.executemany(
            "INSERT INTO ledger_entries (id, at, reason, reference, hash) VALUES (?, ?, ?, ?, ?)",
            self.entries,
        )
        self.conn.executemany(
            "INSERT INTO ledger_lines (entry_id, line_no, account_id, amount, balance_after)"
            " VALUES (?, ?, ?, ?, ?)",
            self.lines,
        )
        self.entries, self.lines = [], []


def seed(db: Path, members: int, loans: int, farmers: int, seed_: int) -> dict[str, int]:
    rng = random.Random(seed_)
    conn = sqlite3.connect(db)
    org_id = conn.execute("SELECT id FROM organisations WHERE code = ?", (ORG,)).fetchone()[0]
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO people (full_name, phone, language, timezone, org_id, created_at, updated_at)"
        " VALUES (?, ?, 'id', 'Asia/Jakarta', ?, 0, 0)",
        [(f"Petani {i}", f"+62819{i:08d}", org_id) for i in range(farmers)],
    )
    people = [
        r[0] for r in conn.execute("SELECT id FROM people WHERE phone LIKE '+62819%' ORDER BY id")
    ]
    conn.executemany(
        "INSERT INTO roster (org_id, member_number, full_name, phone, person_id, created_at)"
        " VALUES (?, ?, ?, ?, ?, 0)",
        [(org_id, f"A-{i:06d}", f"Anggota {i}", f"+62818{i:08d}",
          people[i] if i < farmers // 2 else None) for i in range(members)],
    )  # fmt: skip
    roster = [
        r[0] for r in conn.execute("SELECT id FROM roster WHERE org_id = ? ORDER BY id", (org_id,))
    ]
    conn.execute(
        "INSERT INTO loan_products (org_id, code, version, name, max_amount, max_tenor, rate_bp,"
        " method, max_share_bp, set_at) VALUES (?, 'umum', 1, 'Umum', 20000000, 24, 100,"
        " 'flat', 3000, 0)",
        (org_id,),
    )
    product = conn.execute("SELECT MAX(id) FROM loan_products").fetchone()[0]
    borrowers = rng.sample(roster, loans)
    conn.executemany(
        "INSERT INTO loans (org_id, roster_id, person_id, product_id, amount_rupiah, tenor_months,"
        " rate_bp, method, fee_rupiah, purpose, status, applied_at) VALUES (?, ?, ?, ?, 5000000,"
        " 12, 100, 'flat', 0, 'bench', 'disbursed', 0)",
        [(org_id, r, people[0], product) for r in borrowers],
    )
    loan_ids = [
        r[0] for r in conn.execute("SELECT id FROM loans WHERE org_id = ? ORDER BY id", (org_id,))
    ]
    w = _Writer(conn, org_id)
    cash = w.account(f"cash:{org_id}", "cash", org=org_id)
    for r in roster:
        pokok = w.account(f"member:{r}:pokok", "savings_pokok", org=org_id, roster=r)
        w.entry(_at(12, 15, YEAR - 1), cash, pokok, 100_000)
    for month in range(1, 13):
        for r in roster:
            wajib = w.account(f"member:{r}:wajib", "savings_wajib", org=org_id, roster=r)
            w.entry(_at(month, 25), cash, wajib, 50_000)
        interest = w.account(f"loaninterest:{org_id}", "loan_interest", org=org_id)
        for loan in loan_ids:
            w.entry(_at(month, 26), cash, interest, 50_000, f"loan:{loan}:i:{month}")
        purchases = w.account(f"purchases:{org_id}", "purchases", org=org_id)
        bought = 0
        for person in people:
            payable = w.account(f"payable:farmer:{person}", "payable_farmer", person=person)
            amount = rng.randrange(100_000, 2_000_000)
            w.entry(_at(month, 5), purchases, payable, amount)
            bought += amount
        sales = w.account(f"sales:{org_id}", "sales", org=org_id)
        # sold on at a margin, so that the year has an SHU to share at any size (a loss
        # shares nothing, and the split per member would not be measured)
        w.entry(_at(month, 28), cash, sales, bought + 300_000_000)
        for r in rng.sample(roster, min(1_000, len(roster))):
            goods = w.account(f"receivable:member:{r}", "receivable_member", org=org_id, roster=r)
            w.entry(_at(month, 15), goods, sales, 250_000)
    w.flush()
    conn.commit()
    counts = {
        "entries": conn.execute("SELECT COUNT(*) FROM ledger_entries").fetchone()[0],
        "lines": conn.execute("SELECT COUNT(*) FROM ledger_lines").fetchone()[0],
    }
    conn.close()
    return counts


_BASELINE = """
import resource, sqlite3, sys, time
t0 = time.perf_counter()
conn = sqlite3.connect(sys.argv[1])
total = conn.execute("SELECT SUM(l.amount), COUNT(*) FROM ledger_lines l JOIN ledger_entries e"
                     " ON e.id = l.entry_id WHERE e.at >= ? AND e.at < ?",
                     (int(sys.argv[2]), int(sys.argv[3]))).fetchone()
print(time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, total[1])
"""


def baseline(db: Path) -> dict[str, float]:
    start, end = _at(1, 1) - 10 * 3600, int(dt.datetime(YEAR + 1, 1, 1, tzinfo=WIB).timestamp())
    out = subprocess.run(
        [sys.executable, "-c", _BASELINE, str(db), str(start), str(end)],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    return {"wall_s": float(out[0]), "rss_peak_kib": int(out[1]), "lines": int(out[2])}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--members", type=int, default=100_000)
    p.add_argument("--loans", type=int, default=20_000)
    p.add_argument("--farmers", type=int, default=2_000)
    p.add_argument("--quick", action="store_true", help="5,000 members, 1,000 loans")
    p.add_argument("--workdir", help="keep the files here (default: a new temporary folder)")
    p.add_argument("--seed", type=int, default=19)
    p.add_argument("--reuse", action="store_true", help="the workdir's database as it is")
    args = p.parse_args(argv)
    if args.quick:
        args.members, args.loans, args.farmers = 5_000, 1_000, 200
    return args


async def _estimate_taps(db: Path) -> dict:
    from statistics import median

    from storage import shu
    from storage.db import Database

    async with Database(str(db)) as database:
        row = await database.fetchone(
            "SELECT o.id, MIN(r.id) AS r FROM organisations o JOIN roster r ON r.org_id = o.id"
            " WHERE o.code = ? GROUP BY o.id", (ORG,),
        )  # fmt: skip
        now = int(dt.datetime(YEAR, 12, 20, 12, tzinfo=WIB).timestamp())
        t0 = time.perf_counter()
        first = await shu.estimate(database, row["id"], row["r"], now)
        first_s = time.perf_counter() - t0
        if pending := list(shu._PENDING.values()):
            await asyncio.wait(pending)
        ready_s = time.perf_counter() - t0 - first_s
        cached, lookup = [], []
        for n in range(200):
            t1 = time.perf_counter()
            await shu.estimate(database, row["id"], row["r"] + n, now)
            cached.append(time.perf_counter() - t1)
            t1 = time.perf_counter()
            await database.fetchone("SELECT 1 FROM roster WHERE id = ?", (row["r"] + n,))
            lookup.append(time.perf_counter() - t1)
    return {"first": first, "first_s": first_s, "ready_s": ready_s,
            "cached_ms": median(cached) * 1000, "lookup_ms": median(lookup) * 1000}  # fmt: skip


def _fill(wd: Path, db: Path, args: argparse.Namespace) -> None:
    cli(wd, db, "org", "add", ORG, "Koperasi Karyawan Bench", "--kind", "coop_primary")
    cli(wd, db, "shu", "rules", "set", "--org", ORG, "--reserve", "40", "--modal", "20",
        "--usaha", "20", "--fund", "pengurus=10", "--fund", "pendidikan=10", "--from", "2026-01-01")  # fmt: skip
    t0 = time.perf_counter()
    counts = seed(db, args.members, args.loans, args.farmers, args.seed)
    seeded = time.perf_counter() - t0
    print(f"seeded {counts['entries']:,} entries, {counts['lines']:,} lines in {seeded:.1f} s;"
          f" file {os.path.getsize(db) / 2**20:.0f} MiB")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    wd = workdir(args.workdir, "bench-shu-")
    db = wd / "shu.sqlite3"
    (wd / "none.env").write_text("")
    print(f"SHU benchmark in {wd}: {args.members} members, {args.loans} loans; {load_caveat()}")
    if not (args.reuse and db.exists()):
        _fill(wd, db, args)
    start = cli(wd, db, "shu", "rules", "show", "--org", ORG)
    base = baseline(db)
    compute = ["shu", "compute", "--org", ORG, "--year", str(YEAR)]
    quiet = cli(wd, db, *compute, "--quiet", expect="SHU")
    lines = cli(wd, db, *compute, expect="SHU")
    sheet = cli(wd, db, *compute, "--quiet", "--xlsx", str(wd / "shu.xlsx"), expect="written")
    rows = [
        ["CLI start-up (shu rules show)", fmt(start["wall_s"]), fmt(start["cpu_s"]),
         fmt(start["rss_peak_kib"] / 1024, 1), ""],
        [f"baseline: one SUM over the year's {base['lines']:,} lines", fmt(base["wall_s"]), "",
         fmt(base["rss_peak_kib"] / 1024, 1), "1"],
    ]  # fmt: skip
    for name, r in (("shu compute --quiet", quiet), ("shu compute (a line per member)", lines),
                    ("shu compute --quiet --xlsx", sheet)):  # fmt: skip
        rows.append([name, fmt(r["wall_s"]), fmt(r["cpu_s"]), fmt(r["rss_peak_kib"] / 1024, 1),
                     fmt(ratio(r["wall_s"], base["wall_s"]), 1)])  # fmt: skip
    print_table("SHU for the year", ["run", "wall s", "CPU s", "peak RSS MiB", "x baseline"], rows)
    taps = asyncio.run(_estimate_taps(db))
    print(f"/saldo estimate: the first tap waits {taps['first_s']:.2f} s and has"
          f" {'no figure yet' if taps['first'] is None else 'its figure'}; the day's split is"
          f" ready {taps['ready_s']:.1f} s later (in the background); then a tap takes"
          f" {taps['cached_ms']:.2f} ms (median of 200; the rules' lookup) against"
          f" {taps['lookup_ms']:.2f} ms for one row by primary key")  # fmt: skip
    print("\n".join(quiet["output"]))
    print(machine_info())
    for name, r in (("compute", lines), ("compute with the workbook", sheet)):
        ok = r["wall_s"] <= 60 and r["rss_peak_kib"] <= 200 * 1024
        print(f"{name}: {'within' if ok else 'OVER'} the budget (60 s, 200 MiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
