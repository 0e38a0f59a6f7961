"""Replies during a bulk send: how long people wait while a broadcast drains.

Set-up (per variant): the Bot API emulator runs as ITS OWN process
(``python -m emulator --port 0 --flood --latency L``: Telegram's flood limits enforced);
koperasi-bot runs IN THIS process (``bot.app.build_application`` with its default
``SendLimits``, real HTTP to the emulator, long polling) so the benchmark can enqueue the
bulk sends itself; people are played over HTTP with ``SandboxClient``.

1. ``--bulk`` people (default 3,000) each write to the bot once before it starts (so their
   chats exist - Telegram refuses a chat the bot never talked to); the bot starts with
   ``drop_pending_updates=True``.
2. At t=0 the bot enqueues one message to each of those 3,000 chats, all at once, as a
   broadcast job would: ``app.bot.send_message(chat, text, rate_limit_args={"lane": LANE})``.
   They drain at the flood limit (~29/s) for ~100 s.
3. Meanwhile ``--people`` (default 50) people use the bot for ``--window`` seconds, each
   repeating /start -> press "Bahasa Indonesia" -> press "🌾 Saya petani" -> /help with a
   think time of 2-6 s between actions (waiting for each reply first).  Each action gets
   exactly one new bot message; latency = person's update -> that reply (emulator clock,
   includes the emulated Bot API latency of every call the handler makes).
4. After the window, the outstanding replies are awaited (so the baseline's slow replies
   are measured, not censored), then the bot stops (remaining bulk sends are cancelled).

Variants:
  * ``lane``:     bulk sends marked ``{"lane": "bulk"}`` - replies overtake the backlog.
  * ``baseline``: the same bulk sends in the interactive lane, i.e. ONE FIFO queue in the
                  same PriorityRateLimiter (what a single-queue limiter does; PTB's
                  AIORateLimiter is also one FIFO per budget).

Target: p95 < 1.5 s with the lane.

    python -m bench.priority            # full run (~4 min: the baseline waits for its replies)
    python -m bench.priority --quick    # smoke run (< 30 s)
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import os
import random
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.common import (
    REPO,
    fmt_ms,
    latency_summary,
    load_caveat,
    machine_info,
    print_table,
    proc_cpu_seconds,
    ratio,
    workdir,
    write_json,
)
from emulator import SandboxClient

BULK_FIRST_ID = 800_001
PEOPLE_FIRST_ID = 900_001
BULK_TEXT = "Pengumuman koperasi: rapat anggota hari Sabtu pukul 09.00 di balai desa."

# (kind, argument, prefix of the expected reply)
CYCLE = [
    ("text", "/start", "Selamat datang di bot koperasi. Pilih bahasa Anda:"),
    ("press", "Bahasa Indonesia", "Anda mendaftar sebagai apa?"),
    ("press", "🌾 Saya petani", "Tekan tombol 📱 Kirim nomor HP saya di bawah."),
    ("text", "/help", "Anda belum terdaftar. Kirim /start untuk mulai."),
]


class EmulatorProcess:
    """``python -m emulator`` in its own process; URL and token parsed from its banner."""

    def __init__(self, latency: float, wd: Path) -> None:
        self.log_path = wd / f"emulator-{time.monotonic_ns()}.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "emulator", "--port", "0", "--latency", str(latency), "--flood"],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
        )
        self.base_url = self.file_url = self.token = ""

    async def started(self, limit: float = 30.0) -> EmulatorProcess:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while not self.token:
            if loop.time() > deadline or self.proc.poll() is not None:
                raise RuntimeError(f"emulator did not start; see {self.log_path}")
            line = await loop.run_in_executor(None, self.proc.stdout.readline)
            if m := re.match(r"Bot API base URL\s*:\s*(\S+)", line):
                self.base_url = m.group(1)
            elif m := re.match(r"File base URL\s*:\s*(\S+)", line):
                self.file_url = m.group(1)
            elif m := re.match(r"Token for tests\s*:\s*(\S+)", line):
                self.token = m.group(1)
        return self

    def cpu_seconds(self) -> float | None:
        return proc_cpu_seconds(self.proc.pid)

    async def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                await asyncio.to_thread(self.proc.wait, 5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                await asyncio.to_thread(self.proc.wait, 5)
        if self.proc.stdout:
            self.proc.stdout.close()
        self._log.close()


class ErrorLog(logging.Handler):
    """ERROR records of the in-process bot (a broken bot must show, not just hang)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        exc = f" ({record.exc_info[1]!r})" if record.exc_info else ""
        self.messages.append(f"{record.name}: {record.getMessage()}{exc}"[:300])


async def probe_loop_lag(out: list[tuple[float, float]], every: float = 0.01) -> None:
    """How late a 10 ms timer fires: the event loop (shared by the bot and the people
    driver) being blocked, e.g. while thousands of bulk sends are being enqueued."""
    loop = asyncio.get_running_loop()
    while True:
        before = loop.time()
        await asyncio.sleep(every)
        out.append((time.time(), loop.time() - before - every))


class RetryAfterLog(logging.Handler):
    """When the bot's limiter was told 429 ("Telegram asked to wait")."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.times: list[float] = []

    def emit(self, record: logging.LogRecord) -> None:
        if "asked to wait" in record.getMessage():
            self.times.append(record.created)


async def create_chats(client: SandboxClient, user_ids: list[int], concurrency: int = 64) -> None:
    """Each person writes once, so the bot may write to them later."""
    it = iter(user_ids)

    async def worker() -> None:
        for uid in it:
            await client.send_message(uid, "halo", first_name="Anggota")

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def person(
    client: SandboxClient,
    uid: int,
    rng: random.Random,
    t_end: float,
    reply_cap: float,
    samples: list[dict[str, Any]],
    problems: Counter,
) -> None:
    loop = asyncio.get_running_loop()
    n = 0
    await asyncio.sleep(rng.uniform(0.0, 4.0))  # people do not all start at the same instant
    for kind, arg, expected in itertools.cycle(CYCLE):
        if loop.time() >= t_end:
            return
        t_sent = time.time()
        try:
            if kind == "text":
                await client.send_message(uid, arg, first_name="Petani")
            else:
                await client.press_button(uid, arg)
        except Exception as exc:  # the previous reply did not come or was not what we expected
            problems[f"{kind} {arg}: {type(exc).__name__}"] += 1
            return
        n += 1
        try:
            msgs = await client.wait_for_messages(uid, n, timeout=reply_cap)
        except TimeoutError:
            samples.append({"chat": uid, "action": arg, "sent": t_sent, "latency": None})
            return
        reply = msgs[n - 1]
        text = (reply["versions"][0]["text"] if reply.get("versions") else reply["text"]) or ""
        if not text.startswith(expected):
            problems[f"unexpected reply to {arg}: {text[:40]!r}"] += 1
        samples.append(
            {"chat": uid, "action": arg, "sent": t_sent, "latency": reply["sent_at"] - t_sent}
        )
        if loop.time() >= t_end:
            return
        await asyncio.sleep(rng.uniform(2.0, 6.0))


async def run_variant(variant: str, args: argparse.Namespace, wd: Path) -> dict[str, Any]:
    from bot.config import Settings
    from bot.wiring import build_application

    lane = "bulk" if variant == "lane" else "interactive"
    print(
        f"  {variant}: bulk sends in the {lane!r} lane; starting emulator process ...", flush=True
    )
    emu = await EmulatorProcess(args.latency, wd).started()
    client = SandboxClient(emu.base_url, timeout=30.0)
    app = None
    errors = ErrorLog()
    logging.getLogger().addHandler(errors)
    stop_problem = None
    try:
        bulk_ids = [BULK_FIRST_ID + i for i in range(args.bulk)]
        t_setup = time.monotonic()
        await create_chats(client, bulk_ids)
        setup_s = time.monotonic() - t_setup
        db_path = wd / f"priority-{variant}-{time.monotonic_ns()}.sqlite3"
        settings = Settings.load(
            environ={},
            env_file=None,
            token=emu.token,
            db_path=str(db_path),
            api_url=emu.base_url,
            file_api_url=emu.file_url,
            concurrency=64,
        )
        app = build_application(settings)  # default SendLimits: 29/s overall, 0.95/s per chat
        await app.initialize()
        await app.updater.start_polling(
            drop_pending_updates=True, allowed_updates=["message", "callback_query"]
        )
        await app.start()
        await asyncio.sleep(0.5)
        await client.reset_stats()
        print(
            f"  {variant}: {args.bulk} chats ready ({setup_s:.1f} s); broadcasting + {args.people} people "
            f"for {args.window:.0f} s ...",
            flush=True,
        )

        loop = asyncio.get_running_loop()
        bulk_sent: list[float] = []
        bulk_errors: Counter = Counter()

        async def bulk_send(chat_id: int) -> None:
            try:
                await app.bot.send_message(chat_id, BULK_TEXT, rate_limit_args={"lane": lane})
                bulk_sent.append(time.time())
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                bulk_errors[type(exc).__name__] += 1

        retry_after = RetryAfterLog()
        limiter_log = logging.getLogger("bot.runtime.ratelimit")
        limiter_log.addHandler(retry_after)
        old_level, old_propagate = limiter_log.level, limiter_log.propagate
        limiter_log.setLevel(logging.INFO)
        limiter_log.propagate = False
        cpu0, emu_cpu0 = time.process_time(), emu.cpu_seconds()
        lags: list[tuple[float, float]] = []
        lag_probe = asyncio.create_task(probe_loop_lag(lags))
        t0 = time.time()
        bulk_tasks = [asyncio.create_task(bulk_send(cid)) for cid in bulk_ids]
        t_end = loop.time() + args.window
        rng = random.Random(args.seed)
        samples: list[dict[str, Any]] = []
        problems: Counter = Counter()
        reply_cap = args.bulk / 25.0 + 30.0  # the baseline's replies wait behind the whole backlog
        people = [
            asyncio.create_task(
                person(
                    client,
                    PEOPLE_FIRST_ID + i,
                    random.Random(rng.random()),
                    t_end,
                    reply_cap,
                    samples,
                    problems,
                )
            )
            for i in range(args.people)
        ]
        await asyncio.gather(*people)
        t_people_done = time.time()
        bulk_in_window = sum(1 for t in bulk_sent if t <= t0 + args.window)
        bulk_done_total = len(bulk_sent)
        cpu1, emu_cpu1 = time.process_time(), emu.cpu_seconds()
        for t in bulk_tasks:
            t.cancel()
        await asyncio.gather(*bulk_tasks, return_exceptions=True)
        stats = await client.stats()
        lag_probe.cancel()
        limiter_log.removeHandler(retry_after)
        limiter_log.setLevel(old_level)
        limiter_log.propagate = old_propagate
    finally:
        if app is not None:
            try:
                async with asyncio.timeout(60):
                    if app.updater.running:
                        await app.updater.stop()
                    if app.running:
                        await app.stop()
                    await app.shutdown()
            except TimeoutError:
                stop_problem = "the bot did not stop within 60 s (updates stuck in processing?)"
                print(f"  {variant}: {stop_problem}", flush=True)
        logging.getLogger().removeHandler(errors)
        await client.aclose()
        await emu.stop()

    lat = [s["latency"] for s in samples if s["latency"] is not None]
    missing = sum(1 for s in samples if s["latency"] is None)
    by_action: dict[str, list[float]] = {}
    for s in samples:
        if s["latency"] is not None:
            by_action.setdefault(s["action"], []).append(s["latency"])
    elapsed = t_people_done - t0
    return {
        "variant": variant,
        "bulk_lane": lane,
        "bulk_messages": args.bulk,
        "people": args.people,
        "latency_s": args.latency,
        "window_s": args.window,
        "chat_setup_s": setup_s,
        "replies": latency_summary(lat),
        "replies_missing": missing,
        "reply_p50_by_action_s": {a: latency_summary(v)["p50_s"] for a, v in by_action.items()},
        "reply_p95_by_action_s": {a: latency_summary(v)["p95_s"] for a, v in by_action.items()},
        "people_problems": dict(problems),
        "bulk_sent_in_window": bulk_in_window,
        "bulk_rate_in_window_per_s": bulk_in_window / args.window,
        "bulk_sent_until_people_done": bulk_done_total,
        "bulk_errors": dict(bulk_errors),
        "measured_s": elapsed,
        "emulator_sends": stats["sends"],
        "send_rate_per_s": stats["sends"] / max(1e-9, elapsed),
        "refused_429": stats["refused_429"],
        "bot_429_backoffs_at_s": [round(t - t0, 2) for t in retry_after.times],
        "event_loop_lag_max_first_2s_ms": 1000
        * max((lag for t, lag in lags if t - t0 <= 2.0), default=0.0),
        "event_loop_lag_max_after_2s_ms": 1000
        * max((lag for t, lag in lags if t - t0 > 2.0), default=0.0),
        "bot_errors_logged": len(errors.messages),
        "bot_error_samples": errors.messages[:3],
        "bot_stop_problem": stop_problem,
        "emulator_errors": stats["errors"],
        "bench_process_cpu_util": (cpu1 - cpu0) / max(1e-9, elapsed),
        "emulator_process_cpu_util": (
            None
            if emu_cpu0 is None or emu_cpu1 is None
            else (emu_cpu1 - emu_cpu0) / max(1e-9, elapsed)
        ),
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="python -m bench.priority",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument(
        "--quick", action="store_true", help="smoke run: 200 bulk, 10 people, 5 s window"
    )
    ap.add_argument(
        "--bulk", type=int, help="bulk messages, one per distinct chat (default 3000; quick 200)"
    )
    ap.add_argument("--people", type=int, help="interactive people (default 50; quick 10)")
    ap.add_argument(
        "--window", type=float, help="seconds the people keep acting (default 40; quick 5)"
    )
    ap.add_argument(
        "--latency", type=float, default=0.1, help="seconds per Bot API request (default 0.1)"
    )
    ap.add_argument("--variants", default="lane,baseline", help="comma list of lane,baseline")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--workdir", help="where the emulator logs and databases go (default: new temp dir)"
    )
    ap.add_argument("--json", help="write the results as JSON to this path")
    args = ap.parse_args(argv)
    args.bulk = args.bulk or (200 if args.quick else 3000)
    args.people = args.people or (10 if args.quick else 50)
    args.window = args.window or (5.0 if args.quick else 40.0)
    return args


async def amain(args: argparse.Namespace) -> dict[str, Any]:
    wd = workdir(args.workdir, "koperasi-bench-priority-")
    info = machine_info()
    print(
        f"priority benchmark: {args.bulk} bulk messages, {args.people} people, window {args.window:.0f} s, "
        f"latency {args.latency * 1000:.0f} ms, flood limits ON; workdir {wd}"
    )
    print(
        f"machine: {info['cpus']} CPUs, load {info['loadavg_at_start']}, python {info['python']}, PTB {info['ptb']}; "
        f"bot at commit {info['git_head']}"
        + (f" + uncommitted {info['git_modified_files']}" if info["git_modified_files"] else "")
    )
    results = {}
    for variant in [v.strip() for v in args.variants.split(",") if v.strip()]:
        results[variant] = await run_variant(variant, args, wd)
    rows = []
    for name, r in results.items():
        rep = r["replies"]
        rows.append(
            [
                name,
                r["bulk_lane"],
                rep["n"],
                r["replies_missing"],
                fmt_ms(rep["p50_s"]),
                fmt_ms(rep["p95_s"]),
                fmt_ms(rep["max_s"]),
                r["bulk_sent_in_window"],
                r["bulk_rate_in_window_per_s"],
                r["send_rate_per_s"],
                r["refused_429"],
                fmt_ms(r["event_loop_lag_max_first_2s_ms"] / 1000),
            ]
        )
    print_table(
        "Reply latency while the broadcast drains (flood limits ON)",
        [
            "variant",
            "bulk lane",
            "replies",
            "missing",
            "p50",
            "p95",
            "max",
            "bulk sent in window",
            "bulk/s",
            "all sends/s",
            "429s",
            "loop stall 0-2 s",
        ],
        rows,
    )
    lane, base = results.get("lane"), results.get("baseline")
    summary: dict[str, Any] = {"target_p95_s": 1.5}
    if lane:
        summary["lane_p95_s"] = lane["replies"]["p95_s"]
        summary["lane_meets_target"] = (
            lane["replies"]["p95_s"] is not None and lane["replies"]["p95_s"] < 1.5
        )
    if lane and base:
        summary["p95_baseline_over_lane"] = ratio(
            base["replies"]["p95_s"], lane["replies"]["p95_s"]
        )
        summary["p50_baseline_over_lane"] = ratio(
            base["replies"]["p50_s"], lane["replies"]["p50_s"]
        )
    print_table(
        "Summary",
        ["figure", "value", "target"],
        [
            ["p95 with the bulk lane", fmt_ms(summary.get("lane_p95_s")), "< 1500 ms"],
            ["p95 baseline / p95 lane", summary.get("p95_baseline_over_lane"), "-"],
            ["p50 baseline / p50 lane", summary.get("p50_baseline_over_lane"), "-"],
        ],
    )
    for name, r in results.items():
        extra = {
            k: r[k]
            for k in (
                "people_problems",
                "bulk_errors",
                "emulator_errors",
                "bot_429_backoffs_at_s",
                "bot_errors_logged",
                "bot_error_samples",
                "bot_stop_problem",
            )
            if r[k]
        }
        if extra:
            print(f"{name}: {extra}")
        print(
            f"{name}: p95 by action {{{', '.join(f'{a}: {fmt_ms(v)}' for a, v in r['reply_p95_by_action_s'].items())}}}"
        )
    caveat = load_caveat()
    print(f"\nload: {caveat}")
    return {
        "benchmark": "priority",
        "args": vars(args),
        "machine": info,
        "load_caveat": caveat,
        "variants": results,
        "summary": summary,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    results = asyncio.run(amain(args))
    write_json(args.json, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
