"""Cost per update: CPU time per 10,000 updates on a fake transport, and peak RSS.

No HTTP, no latency. Both bots are built exactly as they run - default transports, the real
PTB ``Updater`` long polling - and only ``telegram.request.HTTPXRequest.do_request`` (the
socket I/O at the bottom of PTB's request stack) is replaced by an in-process fake
Telegram (answers from ``tests.harness.FakeTelegram``; sent messages are not kept, so memory
is the bot's, not the fake's). Every layer above the socket is measured: PTB's request
building and JSON parsing, the bot's own getUpdates transport and inbox, handlers, SQLite.

Workload: P people (default 5,000) each send ``/start`` then ``/help`` (2P updates), served
as getUpdates pages of 100: 50 people's /help (their /start was in an earlier page) and 50
new people's /start; the next page is served once the previous one is handled (people
answer after the reply).

* koperasi-bot: ``bot.app.build_application(settings, send_limits=...)`` with the send
  budget lifted as in tests/harness.py (no update waits for tokens), fresh SQLite file.
  /start -> language question, /help -> "Anda belum terdaftar ..." + command list.
* echo: ``bench/echo_bot.py`` (PTB defaults).

Each variant runs in its OWN subprocess (so peak RSS, ``ru_maxrss``, is its own),
``--repeat`` times alternately; the figure is the median. CPU = ``time.process_time()``
(all threads: the event loop AND the aiosqlite worker threads) from the start of polling
to the last update handled (start-up excluded). The per-thread split comes from /proc.

``--profile`` adds one more koperasi run under cProfile (event-loop thread only; the
aiosqlite threads' share is the "other threads" column) and prints the top 15 functions by
own and by cumulative time, plus aiosqlite round trips per update. ``--ablate`` adds
diagnostic koperasi runs without the inbox store / without the per-update commit of
state + applied mark / without both (monkeypatched in the benchmark child only).

    python -m bench.cost                       # full run (~3 min)
    python -m bench.cost --quick               # smoke run
    python -m bench.cost --profile --ablate    # + where the time goes (~+2 min)
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import json
import os
import pstats
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.common import (
    REPO,
    load_caveat,
    machine_info,
    print_table,
    ratio,
    workdir,
    write_json,
)

FIRST_USER_ID = 700_001
BATCH = 100  # updates per "getUpdates page"


# ------------------------------------------------------------------ child side
def _thread_cpu() -> dict[str, float]:
    """CPU seconds per thread of this process: the main (event loop) thread vs the rest."""
    tck = os.sysconf("SC_CLK_TCK")
    pid = os.getpid()
    main = other = 0.0
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        cpu = (int(fields[11]) + int(fields[12])) / tck
        if int(tid) == pid:
            main += cpu
        else:
            other += cpu
    return {"main": main, "other": other}


def _updates(people: int) -> list[dict[str, Any]]:
    now = int(time.time())
    out = []
    update_id = 10_000
    for i in range(people):
        uid = FIRST_USER_ID + i
        user = {"id": uid, "is_bot": False, "first_name": "Petani", "language_code": "id"}
        chat = {"id": uid, "type": "private", "first_name": "Petani"}
        for text in ("/start", "/help"):
            update_id += 1
            out.append(
                {
                    "update_id": update_id,
                    "message": {
                        "message_id": update_id,
                        "date": now,
                        "chat": chat,
                        "from": user,
                        "text": text,
                        "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
                    },
                }
            )
    return out


def _order_for_batches(updates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pages of 100 as Telegram would hand them while people answer: chunks of 50 in the
    order S0 S1 H0 S2 H1 S3 ... (S = 50 people's /start, H = the same people's /help), so
    pages are (S0 S1) (H0 S2) (H1 S3) ...: a /help arrives in a later page than its /start,
    and both variants see the same interleaving."""
    half = BATCH // 2
    starts, helps = updates[0::2], updates[1::2]
    s_chunks = [starts[i : i + half] for i in range(0, len(starts), half)]
    h_chunks = [helps[i : i + half] for i in range(0, len(helps), half)]
    out: list[dict[str, Any]] = list(s_chunks[0])
    for j in range(1, len(s_chunks)):
        out += s_chunks[j]
        out += h_chunks[j - 1]
    out += h_chunks[-1]
    return out


def _count_db_calls(counts: Counter) -> None:
    """Count aiosqlite thread round trips (and SQL verbs): diagnostic runs only."""
    import aiosqlite.core

    original = aiosqlite.core.Connection._execute

    async def counting(self, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        name = getattr(fn, "__name__", "?").lstrip("_")
        if name in ("execute", "execute_fetchall", "execute_insert") and args:
            name = f"{name} {str(args[0]).split(None, 1)[0].upper()}"
        counts[name] += 1
        return await original(self, fn, *args, **kwargs)

    aiosqlite.core.Connection._execute = counting


def _ablate_inbox(fake_do_request: Any) -> None:
    """Diagnostic: incoming updates are NOT stored in the SQLite inbox (neither the polling
    batch store nor the per-update store in DurableUpdateQueue.put)."""
    import bot.runtime.updates

    if not hasattr(bot.runtime.updates, "DurableUpdateQueue"):
        raise SystemExit("ablation 'inbox' does not fit this version of bot/runtime/updates.py")

    async def put(self, item):  # type: ignore[no-untyped-def]
        await asyncio.Queue.put(self, item)

    bot.runtime.updates.DurableUpdateQueue.put = put
    if hasattr(bot.runtime.updates, "DurableGetUpdatesRequest"):
        bot.runtime.updates.DurableGetUpdatesRequest.do_request = fake_do_request


async def _child(
    variant: str,
    people: int,
    db_path: str,
    profile_path: str | None,
    ablate: str = "none",
    count_db: bool = False,
) -> dict[str, Any]:
    """One measured run. Both bots are built exactly as they run (default transports,
    real Updater long polling); only ``HTTPXRequest.do_request`` - the socket I/O at the
    bottom of PTB's request stack - is replaced by an in-process fake Telegram, so every
    layer above it (the bot's own getUpdates transport included) is measured."""
    from telegram import Update
    from telegram.request import HTTPXRequest

    from tests.harness import TOKEN, UNLIMITED, FakeTelegram

    pages = [
        json.dumps({"ok": True, "result": updates[i : i + BATCH]}).encode()
        for updates in [_order_for_batches(_updates(people))]
        for i in range(0, len(updates), BATCH)
    ]
    n = sum(len(json.loads(page)["result"]) for page in pages)
    empty = json.dumps({"ok": True, "result": []}).encode()
    fake = FakeTelegram()
    counts: Counter[str] = Counter()
    sample: list[str] = []
    feed = {"next": 0, "app": None, "all_done": asyncio.Event()}

    async def fake_do_request(
        self: Any, url: str, method: str, request_data: Any = None, **_: object
    ):
        api_method = url.rsplit("/", 1)[-1]
        counts[api_method] += 1
        if api_method == "getUpdates":
            app = feed["app"]
            if app is None or feed["all_done"].is_set():
                await asyncio.sleep(0.05)
                return 200, empty
            if feed["next"]:
                # The next page exists once people got their answers: all handled so far.
                await app.update_queue.join()
            if feed["next"] >= len(pages):
                feed["all_done"].set()
                return 200, empty
            feed["next"] += 1
            return 200, pages[feed["next"] - 1]
        params = request_data.parameters if request_data else {}
        result = fake._answer(api_method, params)
        if api_method == "sendMessage":
            chat_id = int(params["chat_id"])
            fake.messages.pop(chat_id, None)  # keep memory the bot's, not the fake's
            if chat_id == FIRST_USER_ID:
                sample.append(params.get("text", ""))
        return 200, json.dumps({"ok": True, "result": result}).encode()

    HTTPXRequest.do_request = fake_do_request
    db_counts: Counter[str] = Counter()
    if count_db:
        _count_db_calls(db_counts)
    if ablate in ("inbox", "both"):
        _ablate_inbox(fake_do_request)
    if variant == "koperasi":
        from bot.config import Settings
        from bot.wiring import build_application

        settings = Settings.load(
            environ={}, env_file=None, token=TOKEN, db_path=db_path, concurrency=64
        )
        app = build_application(settings, send_limits=UNLIMITED)  # default transports, as deployed
        if ablate in ("applied", "both"):
            # Diagnostic: no commit of conversation state + "applied" mark after each
            # update (ExactlyOnceProcessor's on_applied); only the queue bookkeeping is kept.
            if not hasattr(app.update_processor, "_on_applied"):
                raise SystemExit(
                    "ablation 'applied' does not fit this version of bot/runtime/updates.py"
                )

            async def finished_only(update: Update) -> None:
                app.update_queue.finished(update.update_id)

            app.update_processor._on_applied = finished_only
    else:
        from bench import echo_bot

        app = echo_bot.build(TOKEN)  # PTB defaults

    await app.initialize()
    await app.start()
    counts.clear()
    db_counts.clear()
    gc.collect()
    rss_ready = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Default (wall-clock) timer: a CPU timer costs a syscall per call and distorts
    # call-heavy code; idle time shows up as select.epoll.poll.
    prof = cProfile.Profile() if profile_path else None
    threads0 = _thread_cpu()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    if prof:
        prof.enable()
    feed["app"] = app
    await app.updater.start_polling(poll_interval=0.0, timeout=10)
    await feed["all_done"].wait()
    if prof:
        prof.disable()
    cpu1, wall1 = time.process_time(), time.perf_counter()
    threads1 = _thread_cpu()
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    await app.updater.stop()
    await app.stop()
    await app.shutdown()
    if prof:
        prof.dump_stats(profile_path)
    api_counts = dict(counts)
    return {
        "variant": variant,
        "people": people,
        "updates": n,
        "cpu_s": cpu1 - cpu0,
        "cpu_us_per_update": 1e6 * (cpu1 - cpu0) / n,
        "cpu_s_per_10k_updates": 1e4 * (cpu1 - cpu0) / n,
        "cpu_main_thread_s": threads1["main"] - threads0["main"],
        "cpu_other_threads_s": threads1["other"] - threads0["other"],
        "wall_s": wall1 - wall0,
        "updates_per_s_wall": n / (wall1 - wall0),
        "rss_after_start_kib": rss_ready,
        "rss_peak_kib": rss_peak,
        "bot_api_calls": api_counts,
        "sample_replies": [t[:60] for t in sample],
        "profiled": bool(prof),
        "ablate": ablate,
        "db_calls_per_update": {k: v / n for k, v in sorted(db_counts.items())}
        if count_db
        else None,
    }


def child_main(args: argparse.Namespace) -> int:
    result = asyncio.run(
        _child(
            args.variant, args.people, args.db, args.profile_out, args.ablate_mode, args.count_db
        )
    )
    print("RESULT " + json.dumps(result))
    return 0


# ------------------------------------------------------------------ parent side
def run_child(
    variant: str,
    people: int,
    wd: Path,
    run: int,
    profile_out: str | None = None,
    ablate: str = "none",
    count_db: bool = False,
) -> dict[str, Any]:
    db = wd / f"cost-{variant}-{run}-{time.monotonic_ns()}.sqlite3"
    cmd = [
        sys.executable,
        "-m",
        "bench.cost",
        "--child",
        variant,
        "--people",
        str(people),
        "--db",
        str(db),
        "--ablate-mode",
        ablate,
    ]
    if profile_out:
        cmd += ["--profile-out", profile_out]
    if count_db:
        cmd += ["--count-db"]
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    raise RuntimeError(
        f"{variant} run failed (exit {proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    )


def check_replies(r: dict[str, Any]) -> str | None:
    sample = r["sample_replies"]
    if r["variant"] == "koperasi":
        ok = (
            len(sample) == 2
            and sample[0].startswith("Selamat datang di bot koperasi. Pilih bahasa Anda:")
            and sample[1].startswith("Anda belum terdaftar. Kirim /start untuk mulai.")
        )
    else:
        ok = sample == ["/start", "/help"]
    sends = r["bot_api_calls"].get("sendMessage", 0)  # counted from the start of polling
    if not ok or sends != r["updates"]:
        return f"unexpected replies: {sample}, {sends} sendMessage for {r['updates']} updates"
    return None


def top_functions(profile_path: str, sort: str, limit: int = 15) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profile_path, stream=out)
    stats.strip_dirs().sort_stats(sort).print_stats(limit)
    text = out.getvalue()
    start = text.find("   ncalls")
    return text[start:] if start >= 0 else text


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="python -m bench.cost",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--quick", action="store_true", help="smoke run: 300 people, 1 repeat")
    ap.add_argument(
        "--people", type=int, help="people, each /start then /help (default 5000; quick 300)"
    )
    ap.add_argument("--repeat", type=int, help="runs per variant, alternating (default 3; quick 1)")
    ap.add_argument(
        "--profile", action="store_true", help="one more koperasi run under cProfile: top 15"
    )
    ap.add_argument(
        "--workdir", help="where databases and the .prof file go (default: new temp dir)"
    )
    ap.add_argument("--json", help="write the results as JSON to this path")
    ap.add_argument(
        "--ablate",
        action="store_true",
        help="diagnostic: also run the bot without the inbox store / without the "
        "per-update persistence commit / without both (monkeypatched in the "
        "benchmark child only) and print what each costs",
    )
    ap.add_argument("--child", choices=["koperasi", "echo"], help=argparse.SUPPRESS)
    ap.add_argument(
        "--ablate-mode",
        default="none",
        choices=["none", "inbox", "applied", "both"],
        help=argparse.SUPPRESS,
    )
    ap.add_argument("--count-db", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    ap.add_argument("--profile-out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    args.people = args.people or (300 if args.quick else 5000)
    args.repeat = args.repeat or (1 if args.quick else 3)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        args.variant = args.child
        return child_main(args)
    wd = workdir(args.workdir, "koperasi-bench-cost-")
    info = machine_info()
    print(
        f"cost benchmark: {args.people} people x (/start, /help) = {2 * args.people} updates per run, "
        f"{args.repeat} run(s) per variant; workdir {wd}"
    )
    print(
        f"machine: {info['cpus']} CPUs, load {info['loadavg_at_start']}, python {info['python']}, PTB {info['ptb']}; "
        f"bot at commit {info['git_head']}"
        + (f" + uncommitted {info['git_modified_files']}" if info["git_modified_files"] else "")
    )
    runs: dict[str, list[dict[str, Any]]] = {"koperasi": [], "echo": []}
    problems = []
    for i in range(args.repeat):
        for variant in ("koperasi", "echo"):
            print(f"  run {i + 1}/{args.repeat}: {variant} ...", flush=True)
            r = run_child(variant, args.people, wd, i)
            runs[variant].append(r)
            if (msg := check_replies(r)) is not None:
                problems.append(f"{variant}: {msg}")

    def med(variant: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[variant])

    summary: dict[str, Any] = {}
    rows = []
    for variant in ("koperasi", "echo"):
        rs = runs[variant]
        cpu_main = statistics.median(r["cpu_main_thread_s"] / r["updates"] * 1e6 for r in rs)
        cpu_other = statistics.median(r["cpu_other_threads_s"] / r["updates"] * 1e6 for r in rs)
        summary[variant] = {
            "cpu_us_per_update_median": med(variant, "cpu_us_per_update"),
            "cpu_us_per_update_runs": [round(r["cpu_us_per_update"], 1) for r in rs],
            "cpu_s_per_10k_updates_median": med(variant, "cpu_s_per_10k_updates"),
            "cpu_us_per_update_main_thread": cpu_main,
            "cpu_us_per_update_other_threads": cpu_other,
            "updates_per_s_wall_median": med(variant, "updates_per_s_wall"),
            "rss_after_start_mib": med(variant, "rss_after_start_kib") / 1024,
            "rss_peak_mib": med(variant, "rss_peak_kib") / 1024,
            "bot_api_calls_per_update": {
                k: v / rs[0]["updates"] for k, v in rs[0]["bot_api_calls"].items()
            },
        }
        s = summary[variant]
        rows.append(
            [
                variant,
                s["cpu_us_per_update_median"],
                s["cpu_s_per_10k_updates_median"],
                " / ".join(str(x) for x in s["cpu_us_per_update_runs"]),
                cpu_main,
                cpu_other,
                s["updates_per_s_wall_median"],
                s["rss_after_start_mib"],
                s["rss_peak_mib"],
            ]
        )
    print_table(
        "CPU per update on the fake transport (median of runs)",
        [
            "variant",
            "CPU us/upd",
            "CPU s/10k upd",
            "runs (us/upd)",
            "loop thread us",
            "other threads us",
            "upd/s (wall)",
            "RSS start MiB",
            "RSS peak MiB",
        ],
        rows,
    )
    k, e = summary["koperasi"], summary["echo"]
    summary["cpu_ratio_bot_over_echo"] = ratio(
        k["cpu_us_per_update_median"], e["cpu_us_per_update_median"]
    )
    summary["rss_peak_ratio_bot_over_echo"] = ratio(k["rss_peak_mib"], e["rss_peak_mib"])
    print_table(
        "Summary",
        ["figure", "value"],
        [
            ["CPU per update, bot / echo", summary["cpu_ratio_bot_over_echo"]],
            ["peak RSS, bot / echo", summary["rss_peak_ratio_bot_over_echo"]],
            [
                "bot Bot API calls per update",
                json.dumps({m: round(v, 3) for m, v in k["bot_api_calls_per_update"].items()}),
            ],
        ],
    )
    if problems:
        print("\nPROBLEMS: " + "; ".join(problems))
    result: dict[str, Any] = {
        "benchmark": "cost",
        "args": {k2: v for k2, v in vars(args).items() if k2 != "child"},
        "machine": info,
        "summary": summary,
        "runs": runs,
        "problems": problems,
    }
    if args.ablate:
        base = summary["koperasi"]["cpu_us_per_update_median"]
        abl_rows, abl = [], {}
        for mode in ("inbox", "applied", "both"):
            print(f"  diagnostic run: koperasi without {mode} ...", flush=True)
            try:
                r = run_child("koperasi", args.people, wd, 50, ablate=mode)
            except RuntimeError as exc:
                print(f"    skipped: {str(exc).strip().splitlines()[-1]}")
                continue
            abl[mode] = r
            abl_rows.append(
                [
                    f"without {mode}",
                    r["cpu_us_per_update"],
                    base - r["cpu_us_per_update"],
                    100 * (base - r["cpu_us_per_update"]) / base,
                    r["updates_per_s_wall"],
                ]
            )
        print_table(
            "Diagnostic: what the bot's durability costs (monkeypatched child runs, 1 run each)",
            ["koperasi", "CPU us/upd", "saved us/upd", "saved %", "upd/s (wall)"],
            abl_rows,
        )
        print(
            "  inbox   = storing incoming updates in the SQLite inbox (per getUpdates page, or per update in\n"
            "            DurableUpdateQueue.put: Update.to_dict() + json.dumps + 1 write each)\n"
            "  applied = ExactlyOnceProcessor's on_applied: update_persistence + the commit of conversation\n"
            "            state and the applied mark (grouped when updates finish together)"
        )
        result["ablation"] = {
            m: {
                k: r[k]
                for k in (
                    "cpu_us_per_update",
                    "updates_per_s_wall",
                    "cpu_main_thread_s",
                    "cpu_other_threads_s",
                )
            }
            for m, r in abl.items()
        }
    if args.profile:
        prof_path = str(wd / "koperasi.prof")
        print("\n  profiled run: koperasi ...", flush=True)
        pr = run_child("koperasi", args.people, wd, 99, profile_out=prof_path, count_db=True)
        by_self = top_functions(prof_path, "tottime")
        by_cum = top_functions(prof_path, "cumulative")
        print(
            f"\ncProfile of the koperasi run (event-loop thread only, wall-clock timer: "
            f"select.epoll.poll = idle/waiting for aiosqlite threads; {pr['cpu_us_per_update']:.0f} us CPU/update "
            f"under the profiler), top 15 by own time:\n{by_self}"
        )
        print(f"top 15 by cumulative time:\n{by_cum}")
        print(
            "aiosqlite round trips per update (thread hand-offs, by kind): "
            + json.dumps({k: round(v, 2) for k, v in (pr["db_calls_per_update"] or {}).items()})
        )
        print(f"profile saved to {prof_path} (python -m pstats {prof_path})")
        result["profile"] = {
            "path": prof_path,
            "run": pr,
            "top_by_tottime": by_self,
            "top_by_cumulative": by_cum,
        }
    caveat = load_caveat()
    print(f"\nload: {caveat}")
    result["load_caveat"] = caveat
    write_json(args.json, result)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
