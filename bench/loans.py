"""Loans at scale: 100,000 members, 20,000 loans being repaid. How long the month's payroll
export and import take, and how fast /pinjaman reads a loan.

Setup (not timed, in this process, straight into one SQLite file in the workdir): a
cooperative (``kop-bench``; wajib Rp50.000 a month), ``--members`` roster entries, one loan
product (flat 1 % a month, 12 months), ``--loans`` loans of Rp1.000.000–Rp20.000.000 paid out
between June and November 2026 (their schedules, and the payouts posted through
``storage.ledger.post_many``: one real hash chain). Loans paid out before November are behind:
their earlier installments show as arrears.

Timed, each command as its own process exactly as an operator types it (``python -m bot`` =
``koperasi-bot``; wall time, CPU and the child's own peak RSS):

1. ``payroll export --org kop-bench --month 2026-12 FILE.xlsx`` (every member: wajib; the
   borrowers: installments and arrears).
2. ``payroll import --org kop-bench FILE.csv``: what HR deducted (the export's totals, every
   tenth member short by half), split per member into wajib, installments, sukarela.
3. /pinjaman's reads for ``--queries`` random loans (in this process, after a warm-up): the
   loan (``storage.loans.get``) and its standing (``storage.repayments.standing``: the
   installments with what is paid of each).

Baselines in the same run: for the export, ``members export``-like floor: the roster read in
one query and written to an XLSX of the same size by openpyxl's write-only mode (in this
process); for the import, ``deposits import`` of one wajib row per member for 2027-01 (an entry
per row through the same ledger path); for the reads, ``SELECT 1 FROM roster WHERE id = ?``
through the same ``Database``. No timing is asserted.

4. The year's SHU for as many members and loans: ``python -m bench.shu`` run after the rest
   (a year of ledger of its own; ``--skip-shu`` leaves it out).

    python -m bench.loans                  # 100,000 members, 20,000 loans
    python -m bench.loans --quick          # 5,000 members, 1,000 loans
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import random
import sys
import time
from pathlib import Path

from bench import shu
from bench.common import load_caveat, machine_info, percentile, print_table, ratio, workdir
from bench.savings import cli

ORG = "kop-bench"


async def _setup(db_path: Path, members: int, loans: int) -> None:
    from domain import ledger as L
    from domain import loans as rules
    from domain.savings import Month
    from storage import ledger, orgs, savings
    from storage import loans as stored
    from storage.db import Database, now_utc
    from storage.migrate import migrate

    async with Database(str(db_path)) as db:
        await migrate(db)
        org_id = await db.write(orgs.add, code=ORG, name="Koperasi Bench", kind="puk",
                                parent_code="pusat")  # fmt: skip
        await db.write(savings.set_rate, org_id, Month(2026, 1), pokok=100_000, wajib=50_000)
        product = await db.write(stored.add_product, org_id, "umum", rules.Product(
            "Pinjaman Umum", 50_000_000, 24, 100, rules.Method.FLAT, 0, 0, 0, 5_000))  # fmt: skip
        rng, now = random.Random(19), now_utc()

        async def fill(conn):
            await conn.executemany(
                "INSERT INTO roster (org_id, member_number, full_name, phone, joined_on,"
                " created_at, take_home_rupiah) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(org_id, f"B-{n:06d}", f"Anggota {n}", f"+62813{n:08d}", "2024-01-15", now,
                  5_000_000) for n in range(members)],
            )  # fmt: skip
            await conn.executemany(
                "INSERT INTO people (telegram_user_id, chat_id, full_name, phone, org_id,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(10**9 + n, 10**9 + n, f"Anggota {n}", f"+62813{n:08d}", org_id, now, now)
                 for n in range(loans)],
            )  # fmt: skip
            roster = {r[0]: r[1] for r in await conn.execute_fetchall(
                "SELECT phone, id FROM roster WHERE org_id = ?", (org_id,))}  # fmt: skip
            people = await conn.execute_fetchall(
                "SELECT id, phone FROM people WHERE telegram_user_id >= ?", (10**9,)
            )
            rows, schedule, postings = [], [], []
            for n, (person_id, phone) in enumerate(people, start=1):
                amount = rng.randrange(10, 201) * 100_000
                paid_out = dt.date(2026, rng.randrange(6, 12), 5)
                first = rules.first_due(paid_out)
                rows.append((n, org_id, roster[phone], person_id, product.id, amount, 12, 100,
                             "flat", 0, "bench", "disbursed", now, now, now, "cash",
                             first.isoformat()))  # fmt: skip
                schedule += [(n, i.number, i.due_on.isoformat(), i.principal, i.interest)
                             for i in rules.schedule(amount, 12, 100, "flat", first)]  # fmt: skip
                postings.append(ledger.Posting(
                    (L.debit(L.loan_receivable(n), amount), L.credit(L.cash(org_id), amount)),
                    "loan.disbursed", f"loan:{n}:disbursed"))  # fmt: skip
            await conn.executemany(
                "INSERT INTO loans (id, org_id, roster_id, person_id, product_id, amount_rupiah,"
                " tenor_months, rate_bp, method, fee_rupiah, purpose, status, applied_at,"
                " decided_at, disbursed_at, disbursed_via, first_due)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            await conn.executemany(
                "INSERT INTO loan_installments (loan_id, number, due_on, principal_rupiah,"
                " interest_rupiah) VALUES (?, ?, ?, ?, ?)",
                schedule,
            )
            await ledger.post_many(conn, postings, None)

        await db.write(fill)


def _deducted(export: Path, out: Path) -> int:
    """The CSV HR sends back: the export's totals, every tenth member short by half."""
    import openpyxl

    book = openpyxl.load_workbook(export, read_only=True)
    rows = book.worksheets[0].iter_rows(values_only=True)
    header = next(rows)
    number, month, total = (header.index(h) for h in ("No Anggota", "Bulan", "Total Potongan"))
    count = 0
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["No Anggota", "Bulan", "Jumlah"])
        for n, row in enumerate(rows):
            amount = row[total] // 2 if n % 10 == 0 else row[total]
            writer.writerow([row[number], row[month], amount])
            count += 1
    book.close()
    return count


async def _export_floor(db_path: Path, out: Path) -> float:
    """Read the roster in one query and write the same number of rows and columns to XLSX."""
    import openpyxl

    from storage.db import Database

    t0 = time.perf_counter()
    async with Database(str(db_path)) as db:
        rows = await db.fetchall(
            "SELECT member_number, full_name FROM roster r JOIN organisations o ON o.id = r.org_id"
            " WHERE o.code = ? ORDER BY member_number",
            (ORG,),
        )
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("floor")
    sheet.append(["No Anggota", "Nama", "Bulan", "a", "b", "c", "d", "e", "f"])
    for r in rows:
        sheet.append([r["member_number"], r["full_name"], "2026-12", 50_000, 0, 0, 0, 50_000, None])
    book.save(out)
    return time.perf_counter() - t0


async def _reads(db_path: Path, queries: int, warmup: int) -> dict[str, list[float]]:
    from storage import loans as stored
    from storage import repayments
    from storage.db import Database

    today = dt.date(2026, 12, 10)
    found: dict[str, list[float]] = {"pinjaman": [], "baseline": []}
    async with Database(str(db_path)) as db:
        ids = [r["id"] for r in await db.fetchall("SELECT id, roster_id FROM loans")]
        rng = random.Random(7)
        picks = rng.sample(ids, min(len(ids), queries + warmup))
        for n, loan_id in enumerate(picks):
            t0 = time.perf_counter()
            loan = await stored.get(db, loan_id)
            await repayments.standing(db, loan, today)
            t1 = time.perf_counter()
            await db.fetchall("SELECT 1 FROM roster WHERE id = ?", (loan.roster_id,))
            t2 = time.perf_counter()
            if n >= warmup:
                found["pinjaman"].append(t1 - t0)
                found["baseline"].append(t2 - t1)
    return found


def _ms(values: list[float], p: float) -> float:
    return round(percentile(values, p) * 1000, 3)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.loans", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--loans", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--workdir")
    parser.add_argument("--quick", action="store_true", help="5,000 members, 1,000 loans")
    parser.add_argument("--skip-shu", action="store_true", help="not the year's SHU (bench.shu)")
    args = parser.parse_args(argv)
    if args.quick:
        args.members, args.loans, args.queries = 5_000, 1_000, 300
    wd = workdir(args.workdir, "bench-loans-")
    (wd / "none.env").write_text("")
    db_path = wd / "loans.sqlite3"
    print(f"workdir {wd}; {machine_info()}; {load_caveat()}", file=sys.stderr)
    t0 = time.perf_counter()
    asyncio.run(_setup(db_path, args.members, args.loans))
    print(f"setup: {args.members} members, {args.loans} loans in {time.perf_counter() - t0:.1f} s",
          file=sys.stderr)  # fmt: skip

    export = cli(wd, db_path, "payroll", "export", "--org", ORG, "--month", "2026-12",
                 str(wd / "gaji-2026-12.xlsx"), expect="members to deduct")  # fmt: skip
    floor = asyncio.run(_export_floor(db_path, wd / "floor.xlsx"))
    rows = _deducted(wd / "gaji-2026-12.xlsx", wd / "dipotong-2026-12.csv")
    imported = cli(wd, db_path, "payroll", "import", "--org", ORG, str(wd / "dipotong-2026-12.csv"),
                   expect="loans paid off")  # fmt: skip
    wajib = wd / "wajib-2027-01.csv"
    with wajib.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["No Anggota", "Bulan", "Jumlah"])
        writer.writerows([f"B-{n:06d}", "2027-01", 50_000] for n in range(args.members))
    deposits = cli(wd, db_path, "deposits", "import", str(wajib), "--org", ORG,
                   expect="recorded")  # fmt: skip
    reads = asyncio.run(_reads(db_path, args.queries, args.warmup))

    print_table(
        f"payroll, {args.members} members, {args.loans} loans ({rows} rows deducted)",
        ["step", "wall s", "CPU s", "peak RSS MiB", "baseline wall s", "ratio"],
        [
            ["payroll export (xlsx)", round(export["wall_s"], 2), round(export["cpu_s"], 2),
             round(export["rss_peak_kib"] / 1024, 1), round(floor, 2), ratio(export["wall_s"], floor)],
            ["payroll import (csv)", round(imported["wall_s"], 2), round(imported["cpu_s"], 2),
             round(imported["rss_peak_kib"] / 1024, 1), round(deposits["wall_s"], 2),
             ratio(imported["wall_s"], deposits["wall_s"])],
        ],
    )  # fmt: skip
    print(f"  export: {export['output'][-1]}\n  import: {imported['output'][-1]}")
    print_table(
        f"/pinjaman reads, {len(reads['pinjaman'])} random loans",
        ["query", "p50 ms", "p99 ms"],
        [["loan + standing", _ms(reads["pinjaman"], 50), _ms(reads["pinjaman"], 99)],
         ["baseline: SELECT 1 by id", _ms(reads["baseline"], 50), _ms(reads["baseline"], 99)]],
    )  # fmt: skip
    if not args.skip_shu:  # the fourth figure: the year's SHU for the same cooperative size
        shu_args = ["--members", str(args.members), "--loans", str(args.loans)]
        shu.main([*shu_args, "--workdir", str(wd / "shu")])
    return 0


if __name__ == "__main__":
    sys.exit(main())
