"""Start-up time and resident memory of the bot with an empty database, against a bare PTB
echo bot started the same way in the same run, and the import cost of the heavy libraries.

Set-up: the loopback Bot API emulator runs in THIS process (``--latency``, default 100 ms
per call as in ``bench.throughput``). Each round starts, one after the other, the echo bot
(``python -m bench.echo_bot``) and the bot as deployed (``python -m bot run``, a new empty
SQLite file each time: the migrations run inside the measured start), alternating their
order, ``--rounds`` times (default 5, median reported):

* **start-up**: process spawned -> its first ``getUpdates`` at the emulator (the bot is then
  ready to take updates: migrations done, getMe, the commands set, webhook deleted);
* **RSS**: the process's resident memory ``--settle`` seconds (default 1) after that first
  getUpdates, and its peak (VmHWM), nobody using it.

Bytecode is cached as on a deployed machine (``pip install`` compiles site-packages and the
bot writes its own ``__pycache__`` at its first start): the children run with
``PYTHONPYCACHEPREFIX`` in the work directory (``PYTHONDONTWRITEBYTECODE`` cleared) after one
warm-up import that is not counted; ``--no-bytecode-cache`` measures every start compiling
the project's sources instead.

Then, each in a fresh interpreter (median of 3): the time and memory one ``import`` of each
heavy library takes (``matplotlib.pyplot``, ``openpyxl``, ``fpdf``, ``tqdm``, ``rapidfuzz``,
``lokal``, ``telegram.ext``) and of the bot's runtime (``bot.wiring``), and which of those
libraries importing the runtime drags in (the drawing, spreadsheet and PDF libraries should
wait until a chart, a spreadsheet or a statement is asked for).

    python -m bench.startup [--quick] [--rounds N] [--latency S] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import (
    REPO,
    BotProcess,
    load_caveat,
    machine_info,
    print_table,
    ratio,
    workdir,
    write_json,
)
from emulator import BotApiEmulator

HEAVY = ("matplotlib", "openpyxl", "fpdf", "tqdm", "rapidfuzz", "lokal", "numpy", "PIL")
IMPORTS = (
    "matplotlib.pyplot",
    "openpyxl",
    "fpdf",
    "tqdm",
    "rapidfuzz",
    "lokal",
    "telegram.ext",
    "bot.wiring",
    "bot.cli",
)
BOTS = {"echo": "echo", "koperasi": "koperasi"}


def proc_rss_kib(pid: int) -> dict[str, int]:
    out: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    out[line.split(":")[0]] = int(line.split()[1])
    except OSError:
        pass
    return out


async def one_start(kind: str, wd: Path, latency: float, settle: float) -> dict[str, Any]:
    async with BotApiEmulator(latency=latency) as emu:
        t0 = time.monotonic()
        bot = BotProcess(kind, emu.base_url, emu.token_for_tests, wd, log_level="INFO")
        try:
            while emu.state.stats.requests.get("getUpdates", 0) == 0:
                if not bot.alive():
                    raise RuntimeError(f"{kind} exited at start-up:\n{bot.log_tail()}")
                if time.monotonic() - t0 > 120:
                    raise RuntimeError(f"{kind} did not poll in 120 s:\n{bot.log_tail()}")
                await asyncio.sleep(0.005)
            startup = time.monotonic() - t0
            calls_before = dict(emu.state.stats.requests)
            await asyncio.sleep(settle)
            mem = proc_rss_kib(bot.pid)
            cpu = bot.cpu_seconds()
        finally:
            await bot.stop()
    return {
        "startup_s": startup,
        "rss_mib": mem.get("VmRSS", 0) / 1024,
        "rss_peak_mib": mem.get("VmHWM", 0) / 1024,
        "cpu_s": cpu,
        "api_calls_before_polling": calls_before,
    }


_PROBE = """
import json, sys, time
t = time.perf_counter()
import {module}
dt = time.perf_counter() - t
heavy = {heavy!r}
rss = [int(x.split()[1]) for x in open("/proc/self/status") if x.startswith("VmRSS:")][0]
print(json.dumps({{"s": dt, "rss_mib": rss / 1024,
    "heavy": sorted(h for h in heavy if h in sys.modules)}}))
"""


def import_probe(module: str) -> dict[str, Any]:
    runs = []
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-c", _PROBE.format(module=module, heavy=HEAVY)],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    base = subprocess.run(
        [sys.executable, "-c", _PROBE.format(module="sys", heavy=HEAVY)],
        capture_output=True,
        text=True,
        check=True,
    )
    bare = json.loads(base.stdout)["rss_mib"]
    return {
        "import_s": statistics.median(r["s"] for r in runs),
        "rss_added_mib": statistics.median(r["rss_mib"] for r in runs) - bare,
        "drags_in": runs[0]["heavy"],
    }


def cache_bytecode(wd: Path) -> None:
    """The children write and read their .pyc under ``wd`` (the checkout stays clean); one
    import of everything the two bots load compiles it before anything is timed."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(wd / "pycache")
    subprocess.run(
        [sys.executable, "-c", "import bot.cli, bot.wiring, bench.echo_bot, bench.run_bot"],
        cwd=REPO,
        check=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


async def amain(args: argparse.Namespace) -> dict[str, Any]:
    wd = workdir(args.workdir, "bench-startup-")
    info = machine_info()
    if not args.no_bytecode_cache:
        cache_bytecode(wd)
    print(
        f"start-up: {args.rounds} round(s) of echo + koperasi, latency "
        f"{args.latency * 1000:.0f} ms, load {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    runs: dict[str, list[dict[str, Any]]] = {"echo": [], "koperasi": []}
    for n in range(args.rounds):
        order = ["echo", "koperasi"] if n % 2 == 0 else ["koperasi", "echo"]
        for kind in order:
            r = await one_start(kind, wd, args.latency, args.settle)
            runs[kind].append(r)
            print(
                f"  round {n + 1} {kind:9s} start {r['startup_s']:.2f} s  RSS {r['rss_mib']:.0f} MiB",
                flush=True,
            )
    med = {
        kind: {
            key: statistics.median(r[key] for r in rs)
            for key in ("startup_s", "rss_mib", "rss_peak_mib", "cpu_s")
        }
        for kind, rs in runs.items()
    }
    imports: dict[str, Any] = {}
    if not args.skip_imports:
        print("import probes (fresh interpreter each, median of 3) ...", flush=True)
        for module in IMPORTS:
            imports[module] = import_probe(module)
    return {
        "machine": info,
        "settings": vars(args),
        "runs": runs,
        "median": med,
        "ratios": {
            "startup_koperasi_over_echo": ratio(
                med["koperasi"]["startup_s"], med["echo"]["startup_s"]
            ),
            "rss_koperasi_over_echo": ratio(med["koperasi"]["rss_mib"], med["echo"]["rss_mib"]),
        },
        "imports": imports,
        "loadavg_at_end": os.getloadavg(),
    }


def report(res: dict[str, Any]) -> None:
    med, ratios = res["median"], res["ratios"]
    print_table(
        "Start-up with an empty database (median; spawn -> first getUpdates; RSS after settling)",
        ["bot", "start-up s", "RSS MiB", "peak RSS MiB", "CPU s"],
        [
            [k, med[k]["startup_s"], med[k]["rss_mib"], med[k]["rss_peak_mib"], med[k]["cpu_s"]]
            for k in ("echo", "koperasi")
        ],
    )
    print_table(
        "Summary",
        ["figure", "value", "target"],
        [
            ["koperasi start-up s", med["koperasi"]["startup_s"], "<= 1.5"],
            ["koperasi RSS MiB (empty database)", med["koperasi"]["rss_mib"], "<= 80"],
            ["start-up koperasi / echo", ratios["startup_koperasi_over_echo"], "-"],
            ["RSS koperasi / echo", ratios["rss_koperasi_over_echo"], "-"],
        ],
    )
    if res["imports"]:
        print_table(
            "Import of one module in a fresh interpreter (median of 3)",
            ["module", "import s", "RSS added MiB", "heavy libraries it imports"],
            [
                [m, r["import_s"], r["rss_added_mib"], ", ".join(r["drags_in"]) or "-"]
                for m, r in res["imports"].items()
            ],
        )
    print(f"\n{load_caveat()}; commit {res['machine'].get('git_head')}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench.startup",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--rounds", type=int, default=5, help="starts of each bot (default 5)")
    p.add_argument("--latency", type=float, default=0.1, help="emulator latency per call, s")
    p.add_argument(
        "--settle", type=float, default=1.0, help="s after the first getUpdates before RSS is read"
    )
    p.add_argument("--skip-imports", action="store_true", help="no import probes")
    p.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="as the environment says (PYTHONDONTWRITEBYTECODE=1: every start compiles the sources)",
    )
    p.add_argument("--quick", action="store_true", help="smoke run: 1 round, no import probes")
    p.add_argument("--workdir", help="keep logs and databases here")
    p.add_argument("--json", help="write every figure here")
    args = p.parse_args(argv)
    if args.quick:
        args.rounds, args.skip_imports = 1, True
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("tornado.access").setLevel(logging.ERROR)
    res = asyncio.run(amain(args))
    report(res)
    write_json(args.json, res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
