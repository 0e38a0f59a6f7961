"""The market's figures on a year of a busy cooperative (issue 17, "Done when"): 1,000,000
pickups and 20,000 sales in the database; ``/rekap`` for a month (p99 ≤ 300 ms asked) and
``report offtake`` for a year (≤ 60 s, peak RSS ≤ 200 MB asked), beside baselines measured
in the same run on the same database.

Set-up (``fill``), one cooperative holding it all (the worst case for its officers' figures):
50,000 farmers in the villages of Kab. Klaten, 1,000,000 offers weighed through 2026 (gabah
GKP/GKG, jagung, cabai merah A/B; a quarter of the last ten days' not paid yet), 1,825 stock batches in 8 warehouses
(one per day and produce), 40 buyers and 20,000 sales, each with its lot, one delivery
(some kilos rejected), its invoice (85 % paid) and, in the ledger, the entries the market
posts: ``stock:arrival:<batch>``, ``lot:<sale>:delivery:<id>``, ``lot:<sale>:invoice:<id>``,
``invoice:<id>:payment:1`` (posted with storage.ledger.post_many, dated by day: the chain
and the balances are real). The pickups' own offer entries are left out: no figure reads
them (owed to farmers is the unpaid receipts), and their lines are other accounts' ranges of
the ledger's indexes. Rows go in with ``executemany`` in ``--chunk``-row transactions,
``?`` placeholders: the same on PostgreSQL (``--db-url``, a fresh schema per run).

Measured:

* ``/rekap`` for a month: storage.figures.figures for the cooperative and a month, then the
  message handlers.figures.render writes, in Indonesian; ``--rounds`` times over the twelve
  months, p50/p99/max. Baselines: a one-row lookup by primary key, and one account's
  balance (storage.ledger.balance: what /saldo reads per kind).
* ``report offtake`` for the year: ``python -m bot report offtake`` as a child process, its
  wall time and peak RSS (``wait4``'s ru_maxrss); baseline: the same command for one day.

    python -m bench.market [--pickups N] [--sales N] [--db FILE | --db-url URL] [--rounds N]
                           [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.common import REPO, machine_info, percentile, print_table, workdir, write_json

ZONE = ZoneInfo("Asia/Jakarta")
YEAR = 2026
ORG_CODE = "bench"
FARMERS = 50_000
COORDINATORS = 20
WAREHOUSES = 8
BUYERS = 40
# (commodity, grade, share of pickups, kg low–high, price per kg)
PRODUCE = (
    ("gabah", "GKP", 0.40, (200, 3000), 6800),
    ("gabah", "GKG", 0.10, (200, 2000), 8200),
    ("jagung", "-", 0.25, (200, 2000), 5600),
    ("cabai_merah", "A", 0.10, (20, 300), 32000),
    ("cabai_merah", "B", 0.15, (20, 300), 28000),
)
SALE_PRICE = {"gabah": 7600, "jagung": 6300, "cabai_merah": 36000}


def _at(day: date, hour: int, minute: int = 0) -> int:
    return int(datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE).timestamp())


def n_days_left(day: date) -> int:
    return (date(YEAR, 12, 31) - day).days


def _klaten_villages() -> list[str]:
    from domain import regions

    return [v.code for d in regions.children("33.10") for v in regions.children(d.code)]


def open_database(target: str):
    from storage.db import Database

    return Database(target)


async def _setup(db) -> dict[str, Any]:
    """The cooperative, its people, prices, warehouses and buyers (small)."""
    from storage import orgs, prices
    from storage.db import now_utc

    start = _at(date(YEAR, 1, 1), 0)
    async with db.transaction(bookkeeping=True) as conn:
        org = await orgs.add(conn, code=ORG_CODE, name="Koperasi Bench Klaten", kind="coop_primary",
                             parent_code="pusat", covers=("33.10",))  # fmt: skip
        price_ids = {}
        for commodity, grade, _share, _kg, price in PRODUCE:
            made = await prices.set_price(conn, commodity=commodity, grade=grade, area_prefix="33",
                                          price_rupiah=price, valid_from=start)  # fmt: skip
            price_ids[(commodity, grade)] = made.id
        await prices.set_price(conn, commodity="gabah", grade="GKP", area_prefix="", price_rupiah=6500,
                               valid_from=start, kind=prices.REFERENCE)  # fmt: skip
        now = now_utc()
        people = [
            (
                i,
                None,
                None,
                f"Petani {i}",
                f"+6285{i:09d}",
                "id",
                "Asia/Jakarta",
                org,
                None,
                now,
                now,
            )
            for i in range(1, FARMERS + COORDINATORS + 1)
        ]
        await conn.executemany(
            "INSERT INTO people (id, telegram_user_id, chat_id, full_name, phone, language, timezone,"
            " org_id, village_code, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            people,
        )
        await conn.executemany(
            "INSERT INTO warehouses (id, org_id, name, village_code, created_at) VALUES (?, ?, ?, ?, ?)",
            [(w, org, f"Gudang {w}", "33.10.11.2004", start) for w in range(1, WAREHOUSES + 1)],
        )
        await conn.executemany(
            "INSERT INTO buyers (id, org_id, name, kind, payment_terms_days, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(b, org, f"Pembeli {b}", ("bulog", "sppg", "canteen", "trader", "retail")[b % 5], 14, start)
             for b in range(1, BUYERS + 1)],
        )  # fmt: skip
    return {"org": org, "price_ids": price_ids}


async def _fill_pickups(
    db, org: int, price_ids: dict, count: int, chunk: int, rng: random.Random
) -> None:
    villages = _klaten_villages()
    farmer_village = {f: rng.choice(villages) for f in range(1, FARMERS + 1)}
    weights = [p[2] for p in PRODUCE]
    first = date(YEAR, 1, 1)
    t0 = time.monotonic()
    for start in range(0, count, chunk):
        offers, pickups = [], []
        for offer_id in range(start + 1, min(start + chunk, count) + 1):
            commodity, grade, _share, (low, high), price = rng.choices(PRODUCE, weights)[0]
            farmer = rng.randrange(1, FARMERS + 1)
            day = first + timedelta(
                days=(offer_id * 365) // (count + 1)
            )  # spread evenly over the year
            weighed = _at(day, rng.randrange(7, 16), rng.randrange(60))
            kg = Decimal(rng.randrange(low, high + 1)) + (
                Decimal("0.5") if rng.random() < 0.2 else 0
            )
            amount = int((kg * price).to_integral_value())
            unpaid = (
                n_days_left(day) < 10 and rng.random() < 0.25
            )  # receipts not paid: the last days' ones
            cut = int(kg) * 100 if rng.random() < 0.5 else 0
            offers.append((offer_id, farmer, org, farmer_village[farmer], commodity, grade, str(kg), str(kg), "kg",
                           price_ids[(commodity, grade)], price, weighed + 86_400, day.isoformat(),
                           "picked_up" if unpaid else "paid", weighed - 86_400, weighed))  # fmt: skip
            pickups.append((offer_id, FARMERS + 1 + offer_id % COORDINATORS, day.isoformat(), grade, str(kg),
                            price, amount, weighed, weighed - 7200, cut, None if unpaid else "cash",
                            org, farmer, farmer_village[farmer], commodity, int(kg * 1000)))  # fmt: skip
        async with db.transaction(bookkeeping=True) as conn:
            await conn.executemany(
                "INSERT INTO offers (id, farmer_id, org_id, village_code, commodity, grade, quantity, typed_amount,"
                " typed_unit, price_id, price_rupiah, guaranteed_until, ready_on, status, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                offers,
            )
            await conn.executemany(
                "INSERT INTO pickups (offer_id, coordinator_id, pickup_on, window_start, window_end, grade,"
                " quantity, price_rupiah, amount_rupiah, picked_up_at, scheduled_at, deductions_rupiah, paid_by,"
                " org_id, farmer_id, village_code, commodity, quantity_milli)"
                " VALUES (?, ?, ?, 8, 10, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                pickups,
            )
        done = min(start + chunk, count)
        print(f"  {done:,} of {count:,} pickups ({time.monotonic() - t0:.0f} s)", flush=True)


async def _fill_sales(db, org: int, count: int, rng: random.Random) -> None:
    """Stock batches, sales with their lot, delivery, invoice and payment, and the ledger's
    entries of each day (post_many under that day's clock)."""
    from domain import ledger as L
    from storage import ledger
    from storage.db import clock_at
    from storage.ledger import Posting

    kinds = sorted({(c, g) for c, g, *_ in PRODUCE})
    first = date(YEAR, 1, 1)
    batch_id, by_day = 0, {}
    batches, allocations, deliveries, invoices, payments, sales = [], [], [], [], [], []
    for n in range(365):
        day = first + timedelta(days=n)
        postings = by_day.setdefault(day, [])
        for commodity, grade in kinds:
            batch_id += 1
            kg = rng.randrange(5_000, 40_000)
            cost = kg * dict(((c, g), p) for c, g, _s, _k, p in PRODUCE)[(commodity, grade)]
            left = kg if n >= 335 else 0  # the last month's batches are still in the warehouses
            batches.append((batch_id, org, 1 + batch_id % WAREHOUSES, commodity, grade, str(left),
                            cost if left else 0, _at(day, 17), "pickup"))  # fmt: skip
            postings.append(Posting((L.debit(L.inventory(org), cost), L.credit(L.purchases(org), cost)),
                                    "Stok masuk gudang", f"stock:arrival:{batch_id}"))  # fmt: skip
    for sale in range(1, count + 1):
        day = first + timedelta(days=(sale * 365) // (count + 1))
        commodity, grade = rng.choice(kinds)
        kg = rng.randrange(2_000, 20_000)
        rejected = rng.randrange(0, 200) if rng.random() < 0.3 else 0
        received = kg - rejected
        price = SALE_PRICE[commodity] + rng.randrange(-300, 300)
        cost = received * (SALE_PRICE[commodity] - 900)
        total = received * price
        paid = rng.random() < 0.85
        buyer = rng.randrange(1, BUYERS + 1)
        at = _at(day, 11)
        sales.append((sale, org, buyer, commodity, grade, str(kg), price, day.isoformat(), day.isoformat(),
                      "Gudang pembeli", "paid" if paid else "invoiced", at, at))  # fmt: skip
        allocations.append((sale, sale, rng.randrange(1, batch_id + 1), str(kg), cost, "0", 0, at))
        invoices.append((sale, org, sale, buyer, f"FK/{YEAR}/{sale:05d}", day.isoformat(),
                         (day + timedelta(days=14)).isoformat(), total, total if paid else 0,
                         "paid" if paid else "unpaid", at))  # fmt: skip
        deliveries.append((sale, org, sale, f"SJ/{YEAR}/{sale:05d}", str(kg), str(received), str(rejected),
                           "kadar air" if rejected else None, cost, sale, total, at - 3600))  # fmt: skip
        postings = by_day.setdefault(day, [])
        postings.append(Posting((L.debit(L.cogs(org), cost), L.credit(L.inventory(org), cost)),
                                "Pengiriman", f"lot:{sale}:delivery:{sale}"))  # fmt: skip
        postings.append(Posting((L.debit(L.buyer_receivable(buyer), total), L.credit(L.sales(org), total)),
                                "Faktur", f"lot:{sale}:invoice:{sale}"))  # fmt: skip
        if paid:
            payments.append((sale, sale, 1, total, "transfer", f"BRI {sale}", at + 600))
            postings.append(Posting((L.debit(L.bank(org), total), L.credit(L.buyer_receivable(buyer), total)),
                                    "Pembayaran", f"invoice:{sale}:payment:1"))  # fmt: skip
    async with db.transaction(bookkeeping=True) as conn:
        await conn.executemany(
            "INSERT INTO stock_batches (id, org_id, warehouse_id, commodity, grade, quantity, cost_rupiah,"
            " received_at, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            batches,
        )
        await conn.executemany(
            "INSERT INTO sales (id, org_id, buyer_id, commodity, grade, quantity, price_rupiah, deliver_from,"
            " deliver_until, place, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            sales,
        )
        await conn.executemany(
            "INSERT INTO sale_allocations (id, sale_id, batch_id, quantity, cost_rupiah, remaining,"
            " remaining_cost, allocated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            allocations,
        )
        await conn.executemany(
            "INSERT INTO invoices (id, org_id, sale_id, buyer_id, number, issued_on, due_on, total_rupiah,"
            " paid_rupiah, status, issued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            invoices,
        )
        await conn.executemany(
            "INSERT INTO deliveries (id, org_id, sale_id, number, sent, received, rejected, reject_reason,"
            " cost_rupiah, invoice_id, amount_rupiah, delivered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            deliveries,
        )
        await conn.executemany(
            "INSERT INTO sale_payments (id, invoice_id, n, amount_rupiah, method, reference, paid_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            payments,
        )
    t0 = time.monotonic()
    for day, postings in sorted(by_day.items()):
        with clock_at(_at(day, 18)):
            async with db.transaction(bookkeeping=True) as conn:
                await ledger.post_many(conn, postings, None)
    print(f"  {count:,} sales and {sum(len(p) for p in by_day.values()):,} ledger entries"
          f" ({time.monotonic() - t0:.0f} s for the ledger)", flush=True)  # fmt: skip


async def fill(target: str, pickups: int, sales: int, chunk: int) -> dict[str, Any]:
    from storage.migrate import migrate

    db = open_database(target)
    await db.open()
    try:
        await migrate(db)
        found = await db.fetchone("SELECT id FROM organisations WHERE code = ?", (ORG_CODE,))
        if found is not None:
            return {"org": found["id"], "fill_s": 0.0}
        rng = random.Random(2026)
        t0 = time.monotonic()
        made = await _setup(db)
        await _fill_pickups(db, made["org"], made["price_ids"], pickups, chunk, rng)
        await _fill_sales(db, made["org"], sales, rng)
        async with db.transaction(bookkeeping=True) as conn:  # statistics, as a live database has
            await conn.execute("ANALYZE")
        counts = {}
        for table in (
            "pickups",
            "offers",
            "sales",
            "invoices",
            "ledger_entries",
            "ledger_lines",
            "stock_batches",
        ):
            counts[table] = (await db.fetchone(f"SELECT COUNT(*) AS n FROM {table}"))["n"]
        return {"org": made["org"], "fill_s": time.monotonic() - t0, "rows": counts}
    finally:
        await db.close()


async def measure_rekap(target: str, org: int, rounds: int) -> dict[str, Any]:
    from bot.i18n import load_catalogs, use_locale
    from handlers.figures import render
    from storage import figures, ledger

    load_catalogs()
    rng = random.Random(7)
    db = open_database(target)
    await db.open()
    try:
        cpu: dict[str, list[float]] = {}

        async def timed(work, n):
            times = cpu.setdefault(work.__name__, [])
            walls = []
            for i in range(n):
                t0, c0 = time.perf_counter(), time.process_time()
                await work(i)
                walls.append(time.perf_counter() - t0)
                times.append(
                    time.process_time() - c0
                )  # this process's CPU, its database thread too
            return walls

        async def lookup(_i):
            await db.fetchone(
                "SELECT full_name FROM people WHERE id = ?", (rng.randrange(1, FARMERS),)
            )

        async def balance(_i):
            await ledger.balance(db, L_SALES.format(org=org))

        texts = []

        async def rekap(i):
            period = figures.Period.month_of(date(YEAR, 1 + i % 12, 1), "Asia/Jakarta")
            found = await figures.figures(db, (org,), period)
            with use_locale("id"):
                texts.append(render(found, "Koperasi Bench Klaten", 1))

        await timed(rekap, 2)  # warm the caches as a running bot's would be
        result = {
            "lookup": await timed(lookup, max(200, rounds)),
            "balance": await timed(balance, max(200, rounds)),
            "rekap_month": await timed(rekap, rounds),
        }
        year = figures.Period(date(YEAR, 1, 1), date(YEAR, 12, 31), "Asia/Jakarta")
        t0 = time.perf_counter()
        await figures.figures(db, (org,), year)
        result["rekap_year_s"] = time.perf_counter() - t0
        result["sample"] = texts[-1]
        result["cpu"] = cpu
        result["load"] = os.getloadavg()
        return result
    finally:
        await db.close()


L_SALES = "sales:{org}"


def run_report(target: str, first: date, last: date, out: Path) -> dict[str, Any]:
    """``python -m bot report offtake`` as a child: wall time and peak RSS (ru_maxrss, KiB)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KOPERASI_", "TELEGRAM_"))}
    argv = [sys.executable, "-m", "bot"]
    if target.startswith("postgres"):
        env["KOPERASI_DB_URL"] = target
    else:
        argv += ["--db", target]
    argv += [
        "report",
        "offtake",
        "--org",
        ORG_CODE,
        "--from",
        first.isoformat(),
        "--to",
        last.isoformat(),
        str(out),
    ]
    t0 = time.monotonic()
    child = subprocess.Popen(
        argv, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    _pid, status, usage = os.wait4(child.pid, 0)
    wall = time.monotonic() - t0
    out_text = child.stdout.read().decode()
    err_text = child.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"report offtake failed: {err_text}")
    return {"wall_s": wall, "peak_rss_mib": usage.ru_maxrss / 1024, "printed": out_text.strip(),
            "bytes": out.stat().st_size}  # fmt: skip


def _ms(values: list[float], p: float) -> float:
    return percentile(values, p) * 1000


def report(res: dict[str, Any]) -> None:
    r = res["rekap"]
    print_table(
        f"/rekap for a month ({len(r['rekap_month'])} runs over the 12 months; storage.figures + the message)",
        ["figure", "p50 ms", "p99 ms", "max ms"],
        [
            ["/rekap, a month", _ms(r["rekap_month"], 50), _ms(r["rekap_month"], 99), max(r["rekap_month"]) * 1000],
            ["  its CPU time (the machine's load left out)", _ms(r["cpu"]["rekap"][2:], 50),
             _ms(r["cpu"]["rekap"][2:], 99), max(r["cpu"]["rekap"][2:]) * 1000],
            ["baseline: one row by primary key", _ms(r["lookup"], 50), _ms(r["lookup"], 99), max(r["lookup"]) * 1000],
            ["baseline: one account's balance (/saldo's read)", _ms(r["balance"], 50), _ms(r["balance"], 99),
             max(r["balance"]) * 1000],
        ],
    )  # fmt: skip
    print(
        f"  the same figures for the whole year: {r['rekap_year_s'] * 1000:.0f} ms;"
        f" load average after: {' '.join(f'{x:.1f}' for x in r['load'])} on {os.cpu_count()} cores"
    )
    y, d = res["report_year"], res["report_day"]
    print_table(
        "report offtake (a child process)",
        ["period", "wall s", "peak RSS MiB", "file KiB"],
        [["the year", y["wall_s"], y["peak_rss_mib"], y["bytes"] / 1024],
         ["baseline: one day", d["wall_s"], d["peak_rss_mib"], d["bytes"] / 1024]],
    )  # fmt: skip
    print(f"  {y['printed']}")
    print("\nThe /rekap of the last month measured, as sent:\n")
    print(r["sample"])


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.market", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--pickups", type=int, default=1_000_000)
    parser.add_argument("--sales", type=int, default=20_000)
    parser.add_argument("--db", help="SQLite file to fill (or reuse when filled)")
    parser.add_argument("--db-url", help="PostgreSQL URL: a fresh schema of it is filled")
    parser.add_argument("--rounds", type=int, default=120, help="/rekap runs (default 120)")
    parser.add_argument("--chunk", type=int, default=20_000, help="rows per transaction")
    parser.add_argument("--workdir")
    parser.add_argument("--json")
    return parser.parse_args(argv)


async def amain(args: argparse.Namespace, wd: Path) -> dict[str, Any]:
    if args.db_url:
        from bench.common import fresh_postgres_url

        target = fresh_postgres_url(args.db_url, "market")
    else:
        target = args.db or str(wd / "market.sqlite3")
    print(f"filling {target.split('?')[0]} …", flush=True)
    filled = await fill(target, args.pickups, args.sales, args.chunk)
    print(f"  filled in {filled['fill_s']:.0f} s: {filled.get('rows', '(reused)')}", flush=True)
    rekap = await measure_rekap(target, filled["org"], args.rounds)
    year = run_report(target, date(YEAR, 1, 1), date(YEAR, 12, 31), wd / "offtake-year.xlsx")
    day = run_report(target, date(YEAR, 6, 1), date(YEAR, 6, 1), wd / "offtake-day.xlsx")
    return {"machine": machine_info(), "database": "postgresql" if args.db_url else "sqlite",
            "filled": filled, "rekap": rekap, "report_year": year, "report_day": day}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    wd = workdir(args.workdir, "market")
    res = asyncio.run(amain(args, wd))
    report(res)
    write_json(args.json, res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
