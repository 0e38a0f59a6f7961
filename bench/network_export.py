"""``python -m bench.network_export [--cooperatives N] [--filed F] [--workdir DIR] [--json out.json]``

The hub's monthly-report export (issue 18, mentoring) at the scale of Indonesia's village
cooperatives: a hub with ``--cooperatives`` (default 80,000) KDKMP, one per real desa code,
``--filed`` of them (default 0.5) with a report for the month and the month before (each filed
by its own ketua), seeded straight into SQLite through ``Database.transaction`` + executemany.
Then ``python -m bot report network --org hub --month 2026-11 FILE.xlsx`` as its own process:
wall time and peak RSS (``os.wait4``'s ru_maxrss), the rows it wrote. Baseline in the same run:
``python -m bot org list`` on the same database (the CLI's start-up every command pays) and
the same export for a hub of 100 cooperatives."""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from typing import Any

from bench.common import REPO, machine_info, print_table, workdir, write_json

MONTH, BEFORE = "2026-11", "2026-10"


def desa_codes(n: int) -> list[str]:
    from domain import regions

    found: list[str] = []
    for province in regions.provinces():
        for regency in regions.children(province.code):
            for district in regions.children(regency.code):
                found += [v.code for v in regions.children(district.code)]
                if len(found) >= n:
                    return found[:n]
    return found


async def seed(path: str, hub: str, codes: list[str], filed: float) -> None:
    from storage import orgs
    from storage.db import Database, now_utc
    from storage.migrate import migrate

    async with Database(path) as db:
        await migrate(db)
        await db.write(
            orgs.add, code=hub, name=f"Hub {hub}", kind="coop_secondary", parent_code="pusat"
        )
        hub_id = (await db.fetchone("SELECT id FROM organisations WHERE code = ?", (hub,)))["id"]
        now = now_utc()
        every = max(1, round(1 / filed)) if filed else 0
        for start in range(0, len(codes), 10_000):
            chunk = codes[start : start + 10_000]
            async with db.transaction(bookkeeping=True) as conn:
                await conn.executemany(
                    "INSERT INTO organisations (parent_id, kind, code, name, village_code, created_at)"
                    " VALUES (?, 'kdkmp', ?, ?, ?, ?)",
                    [(hub_id, f"{hub}-{c}", f"KDKMP {c}", c, now) for c in chunk],
                )
                rows = await conn.execute_fetchall(
                    "SELECT id, village_code FROM organisations WHERE code LIKE ? AND village_code IN"
                    f" ({', '.join('?' * len(chunk))})", (f"{hub}-%", *chunk),
                )  # fmt: skip
                people, reports = [], []
                for k, row in enumerate(sorted(rows, key=lambda r: r["village_code"])):
                    if not every or (start + k) % every:
                        continue
                    people.append((row["id"], f"Ketua {row['village_code']}", now))
                await conn.executemany(
                    "INSERT INTO people (org_id, full_name, language, timezone, created_at, updated_at)"
                    " VALUES (?, ?, 'id', 'Asia/Jakarta', ?, ?)", [(*p, p[-1]) for p in people],
                )  # fmt: skip
                found = await conn.execute_fetchall(
                    "SELECT id, org_id FROM people WHERE full_name LIKE 'Ketua %' AND org_id IN"
                    f" ({', '.join('?' * len(people))})", tuple(p[0] for p in people),
                ) if people else []  # fmt: skip
                for person in found:
                    for month, base in ((BEFORE, 200), (MONTH, 210)):
                        reports.append((person["org_id"], month, base, base * 5000, base * 50_000,
                                        base * 1000, "Pupuk terlambat" if base == 210 else "-", person["id"], now))  # fmt: skip
                await conn.executemany(
                    "INSERT INTO monthly_reports (org_id, month, version, members, savings_rupiah,"
                    " store_sales_rupiah, produce_grams, problems, filed_by, filed_at)"
                    " VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?)", reports,
                )  # fmt: skip


def run_cli(db: str, *args: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KOPERASI_", "TELEGRAM_"))}
    # the output goes to files: a pipe nobody reads while waiting would fill and block the child
    with tempfile.TemporaryFile() as out_file, tempfile.TemporaryFile() as err_file:
        t0 = time.monotonic()
        child = subprocess.Popen([sys.executable, "-m", "bot", "--db", db, *args], cwd=REPO, env=env,
                                 stdout=out_file, stderr=err_file)  # fmt: skip
        _pid, status, usage = os.wait4(child.pid, 0)
        wall = time.monotonic() - t0
        out_file.seek(0)
        err_file.seek(0)
        out, err = out_file.read().decode(), err_file.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{args}: {err}")
    printed = (
        out.strip().splitlines()[-1] if args[0] == "report" else f"{len(out.splitlines())} lines"
    )
    return {"wall_s": wall, "peak_rss_mib": usage.ru_maxrss / 1024, "printed": printed}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cooperatives", type=int, default=80_000)
    parser.add_argument("--filed", type=float, default=0.5)
    parser.add_argument("--quick", action="store_true", help="2,000 cooperatives")
    parser.add_argument("--workdir")
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    n = 2_000 if args.quick else args.cooperatives
    wd = workdir(args.workdir, "network-export-")
    if True:  # (one block: the work directory is kept for inspection)
        codes = desa_codes(n + 100)
        db = str(wd / "network.sqlite3")
        t0 = time.monotonic()
        asyncio.run(seed(db, "hub", codes[:n], args.filed))
        asyncio.run(seed(db, "small", codes[n : n + 100], args.filed))
        seeded = time.monotonic() - t0
        startup = run_cli(db, "org", "list")
        small = run_cli(
            db, "report", "network", "--org", "small", "--month", MONTH, str(wd / "small.xlsx")
        )
        big = run_cli(
            db, "report", "network", "--org", "hub", "--month", MONTH, str(wd / "network.xlsx")
        )
        big["bytes"] = (wd / "network.xlsx").stat().st_size
    print_table(
        f"report network, {n} cooperatives ({args.filed:.0%} filed), seeded in {seeded:.0f} s",
        ["run", "wall s", "peak RSS MiB", "printed"],
        [["baseline: org list (CLI start-up)", startup["wall_s"], startup["peak_rss_mib"], ""],
         ["baseline: export of 100 cooperatives", small["wall_s"], small["peak_rss_mib"], small["printed"]],
         [f"export of {n} cooperatives", big["wall_s"], big["peak_rss_mib"], big["printed"]]],
    )  # fmt: skip
    write_json(args.json, {"machine": machine_info(), "cooperatives": n, "seed_s": seeded,
                           "startup": startup, "small": small, "export": big})  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
