"""The close of an order cycle at the scale of the national network (issue 18, "Done when"):
80,000 village cooperatives under one hub (one per desa, real Kemendagri codes such as
33.10.11.2004), a cycle of 20 items from 4 suppliers ordered by 10,000 of them; the close
(orders frozen, a purchase order per supplier as XLSX and PDF, the delivery plan by
kecamatan as XLSX and PDF) asked ≤ 30 s with a peak RSS ≤ 200 MB.

Set-up (``fill``): the hub, the 80,000 cooperatives (``executemany`` in chunks), the cycle, its
suppliers and items through the storage use cases (storage.cycles.open_cycle, add_item), then
10,000 orders of 2 to 8 items each (some 50,000 lines) written straight into cycle_orders and
cycle_order_lines with each item's ``taken`` set to what they hold, as /pesan leaves them.

Measured, each in its own child process (``os.wait4``: wall time and peak RSS, ru_maxrss):

* **the close**: storage.cycles.close, then every paper the hub gets (bot.cycle_papers: the 4
  purchase orders as XLSX and PDF, the delivery plan as XLSX and PDF, the plan streamed from
  storage.cycles.plan_rows a page of orders at a time), then the notices (handlers.cycles.
  announce_closed: each ordering cooperative's ketua, one per cooperative, gets their order,
  queued in the outbox in one transaction), each part timed inside;
* **baseline**: the same child that opens the same database and reads the same order lines
  once with a plain SELECT (orders, cooperatives, items joined), summing the quantities.

    python -m bench.hub [--cooperatives N] [--ordering N] [--items N] [--db FILE | --db-url URL]
                        [--workdir DIR] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.common import REPO, machine_info, print_table, workdir, write_json

HUB_CODE = "bench-hub"
SUPPLIERS = ("Bulog Divre Jateng", "Pupuk Kaltim Solo", "Wilmar Minyak Goreng", "Gula Rajawali")
UNITS = ("karung", "sak", "liter", "bungkus", "kg")


def _villages(n: int) -> list[str]:
    """The first ``n`` desa codes of the country, by code (province, regency, district)."""
    from domain import regions

    found: list[str] = []
    for province in regions.children(""):
        for regency in regions.children(province.code):
            for district in regions.children(regency.code):
                found += [v.code for v in regions.children(district.code)]
                if len(found) >= n:
                    return found[:n]
    return found


async def fill(target: str, cooperatives: int, ordering: int, items: int) -> dict[str, Any]:
    from domain import cycles as rules
    from storage import cycles, orgs
    from storage.db import Database, now_utc
    from storage.migrate import migrate

    db = Database(target)
    await db.open()
    t0 = time.monotonic()
    try:
        await migrate(db)
        found = await db.fetchone("SELECT id FROM order_cycles WHERE name = 'Bench'")
        if found is not None:
            return {"cycle": found["id"], "fill_s": 0.0}
        hub = await db.write(orgs.add, code=HUB_CODE, name="Koperasi Hub Nasional", kind="coop_secondary",
                             parent_code="pusat", covers=("11",))  # fmt: skip
        codes = _villages(cooperatives)
        now = now_utc()
        first_id = (await db.fetchone("SELECT MAX(id) AS m FROM organisations"))["m"] + 1
        rows = [
            (first_id + n, hub, "kdkmp", f"kop-{code}", f"KDKMP {code}", code, now)
            for n, code in enumerate(codes)
        ]
        for start in range(0, len(rows), 20_000):
            async with db.transaction(bookkeeping=True) as conn:
                await conn.executemany(
                    "INSERT INTO organisations (id, parent_id, kind, code, name, village_code, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    rows[start : start + 20_000],
                )
        closes = now + 3 * 86400
        cycle = await db.write(
            cycles.open_cycle, hub_id=hub, name="Bench", closes_at=closes,
            delivery_on=rules.local_day(closes, "Asia/Jakarta") + timedelta(days=3), minimum_rupiah=0,
            timezone="Asia/Jakarta", opened_by=None,
        )  # fmt: skip
        suppliers = [
            await db.write(cycles.add_supplier, hub, name, None, None) for name in SUPPLIERS
        ]
        rng = random.Random(2026)
        made = []
        for n in range(items):
            made.append(await db.write(
                cycles.add_item, cycle_id=cycle.id, supplier_id=suppliers[n % len(suppliers)].id,
                name=f"Barang {n + 1:02d}", unit=UNITS[n % len(UNITS)], price_rupiah=rng.randrange(10, 300) * 1000,
                fee_rupiah=rng.randrange(0, 10) * 500, stock=rules.MAX_STOCK,
            ))  # fmt: skip
        chosen = sorted(rng.sample(range(len(codes)), ordering))
        taken = {i.id: 0 for i in made}
        orders, lines = [], []
        first_order = 1
        for k, n in enumerate(chosen):
            order_id = first_order + k
            orders.append((order_id, cycle.id, first_id + n, now, now))
            for item in rng.sample(made, rng.randrange(2, 9)):
                quantity = rng.randrange(1, 50)
                taken[item.id] += quantity
                lines.append((order_id, item.id, quantity, item.price_rupiah, item.fee_rupiah))
        # one ketua on Telegram per ordering cooperative: the close tells each their order
        first_person = ((await db.fetchone("SELECT MAX(id) AS m FROM people"))["m"] or 0) + 1
        officers = [(first_person + k, 8_000_000_000 + k, 8_000_000_000 + k, f"Ketua {k}", f"+6281{k:09d}", "id",
                     "Asia/Jakarta", first_id + n, now, now) for k, n in enumerate(chosen)]  # fmt: skip
        async with db.transaction(bookkeeping=True) as conn:
            await conn.executemany(
                "INSERT INTO people (id, telegram_user_id, chat_id, full_name, phone, language, timezone,"
                " org_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                officers,
            )
            await conn.executemany(
                "INSERT INTO person_roles (person_id, role, granted_at) VALUES (?, 'chair', ?)",
                [(o[0], now) for o in officers],
            )
            await conn.executemany(
                "INSERT INTO cycle_orders (id, cycle_id, orderer_kind, org_id, status, placed_at, changed_at)"
                " VALUES (?, ?, 'org', ?, 'open', ?, ?)",
                orders,
            )
            await conn.executemany(
                "INSERT INTO cycle_order_lines (order_id, item_id, quantity, price_rupiah, fee_rupiah)"
                " VALUES (?, ?, ?, ?, ?)",
                lines,
            )
            await conn.executemany(
                "UPDATE cycle_items SET taken = ? WHERE id = ?", [(v, k) for k, v in taken.items()]
            )
            await conn.execute("ANALYZE")
        return {"cycle": cycle.id, "fill_s": time.monotonic() - t0,
                "rows": {"cooperatives": len(codes), "orders": len(orders), "lines": len(lines)}}  # fmt: skip
    finally:
        await db.close()


# --- the children -----------------------------------------------------------------------------


async def child_close(target: str, cycle_id: int, out: Path) -> dict[str, Any]:
    from bot import cycle_papers as papers
    from bot.i18n import load_catalogs, use_locale
    from storage import cycles, orgs
    from storage.db import Database

    load_catalogs()
    parts: dict[str, float] = {}
    db = Database(target)
    await db.open()
    try:
        t = time.perf_counter()
        closed = await db.write(cycles.close, cycle_id)
        parts["close (orders frozen)"] = time.perf_counter() - t
        cycle = await cycles.get(db, cycle_id)
        hub = await orgs.by_id(db, cycle.hub_id)
        with use_locale("id"):
            t = time.perf_counter()
            sizes = {}
            for supplier in await cycles.suppliers(db, hub.id):
                po = await papers.purchase_order(db, hub, cycle, supplier)
                for suffix, render in (
                    ("xlsx", papers.purchase_order_xlsx),
                    ("pdf", papers.purchase_order_pdf),
                ):
                    path = out / f"po-{supplier.id}.{suffix}"
                    path.write_bytes(render(po, "Asia/Jakarta"))
                    sizes[path.name] = path.stat().st_size
            parts["4 purchase orders, XLSX + PDF"] = time.perf_counter() - t
            t = time.perf_counter()
            lines = await papers.plan_xlsx(db, hub, cycle, "Asia/Jakarta", out / "plan.xlsx")
            parts["delivery plan, XLSX"] = time.perf_counter() - t
            t = time.perf_counter()
            data, _count = await papers.plan_pdf(db, hub, cycle)
            (out / "plan.pdf").write_bytes(data)
            parts["delivery plan, PDF"] = time.perf_counter() - t
        from handlers.cycles import announce_closed  # the wiring's side: the bench may

        t = time.perf_counter()
        told = await announce_closed(db, None)
        parts["each officer told their order (outbox)"] = time.perf_counter() - t
        queued = (await db.fetchone("SELECT COUNT(*) AS n FROM outbox"))["n"]
        sizes.update({p: (out / p).stat().st_size for p in ("plan.xlsx", "plan.pdf")})
        return {"closed": closed, "parts": parts, "plan_lines": lines, "sizes": sizes, "told": told,
                "notices": queued}  # fmt: skip
    finally:
        await db.close()


async def child_baseline(target: str, cycle_id: int) -> dict[str, Any]:
    from storage.db import Database

    db = Database(target)
    await db.open()
    try:
        t = time.perf_counter()
        rows = await db.fetchall(
            "SELECT g.village_code, g.name, i.name AS item, l.quantity FROM cycle_orders o"
            " JOIN organisations g ON g.id = o.org_id JOIN cycle_order_lines l ON l.order_id = o.id"
            " JOIN cycle_items i ON i.id = l.item_id WHERE o.cycle_id = ? ORDER BY g.village_code, o.id",
            (cycle_id,),
        )
        total = sum(r["quantity"] for r in rows)
        return {
            "lines": len(rows),
            "units": total,
            "parts": {"one SELECT of the lines": time.perf_counter() - t},
        }
    finally:
        await db.close()


def run_child(kind: str, target: str, cycle_id: int, out: Path) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KOPERASI_", "TELEGRAM_"))}
    argv = [sys.executable, "-m", "bench.hub", "--child", kind, "--target", target, "--cycle", str(cycle_id),
            "--workdir", str(out)]  # fmt: skip
    t0 = time.monotonic()
    child = subprocess.Popen(
        argv, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    _pid, status, usage = os.wait4(child.pid, 0)
    wall = time.monotonic() - t0
    out_text, err_text = child.stdout.read().decode(), child.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{kind} failed: {err_text}")
    result = json.loads(out_text.strip().splitlines()[-1])
    return {**result, "wall_s": wall, "peak_rss_mib": usage.ru_maxrss / 1024}


def report(res: dict[str, Any]) -> None:
    close, base = res["close"], res["baseline"]
    print_table(
        f"the close of a cycle: {res['filled'].get('rows', '(reused)')} on {res['database']}",
        ["child process", "wall s", "peak RSS MiB", "× baseline wall"],
        [["the close: frozen + papers", close["wall_s"], close["peak_rss_mib"], close["wall_s"] / base["wall_s"]],
         ["baseline: one SELECT of the same lines", base["wall_s"], base["peak_rss_mib"], 1.0]],
    )  # fmt: skip
    print_table(
        "inside the close (s)",
        ["part", "s"],
        [[k, v] for k, v in {**close["parts"], **base["parts"]}.items()],
    )
    print(f"  {close['notices']:,} notices queued in the outbox (cycles told: {close['told']})")
    print(f"  the plan: {close['plan_lines']:,} lines; files: "
          + ", ".join(f"{k} {v // 1024} KiB" for k, v in sorted(close["sizes"].items())))  # fmt: skip
    print("  asked: the close ≤ 30 s, peak RSS ≤ 200 MB")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.hub", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--cooperatives", type=int, default=80_000, help="village cooperatives (one per desa)"
    )
    parser.add_argument("--ordering", type=int, default=10_000, help="how many of them order")
    parser.add_argument("--items", type=int, default=20, help="items in the cycle")
    parser.add_argument("--db", help="SQLite file (kept; reused when filled)")
    parser.add_argument("--db-url", help="postgresql://… (a fresh schema per run)")
    parser.add_argument(
        "--quick", action="store_true", help="2,000 cooperatives, 500 ordering: a smoke run"
    )
    parser.add_argument("--workdir")
    parser.add_argument("--json")
    parser.add_argument("--child", choices=("close", "baseline"), help=argparse.SUPPRESS)
    parser.add_argument("--target", help=argparse.SUPPRESS)
    parser.add_argument("--cycle", type=int, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    wd = workdir(args.workdir, "hub")
    if args.child:
        work = (
            child_close(args.target, args.cycle, wd)
            if args.child == "close"
            else child_baseline(args.target, args.cycle)
        )
        print(json.dumps(asyncio.run(work)))
        return 0
    if args.quick:
        args.cooperatives, args.ordering = 2_000, 500
    if args.db_url:
        from bench.common import fresh_postgres_url

        target = fresh_postgres_url(args.db_url, "hub")
    else:
        target = args.db or str(wd / "hub.sqlite3")
    print(f"filling {target.split('?')[0]} …", flush=True)
    filled = asyncio.run(fill(target, args.cooperatives, args.ordering, args.items))
    print(f"  filled in {filled['fill_s']:.0f} s: {filled.get('rows', '(reused)')}", flush=True)
    baseline = run_child("baseline", target, filled["cycle"], wd)
    close = run_child("close", target, filled["cycle"], wd)
    res = {"machine": machine_info(), "database": "postgresql" if args.db_url else "sqlite",
           "filled": filled, "close": close, "baseline": baseline}  # fmt: skip
    report(res)
    write_json(args.json, res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
