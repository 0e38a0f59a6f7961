"""Throughput under Bot API latency: koperasi-bot vs a bare PTB echo bot, same workload.

Set-up (every phase): the loopback Bot API emulator runs in THIS process (tornado) and plays
N people; the bot runs as its OWN process long-polling it, as in production. Each Bot API
request is answered after ``--latency`` seconds (default 100 ms).

The workload: each person does the farmer registration (10 updates)::

    /start  -> press "Bahasa Indonesia" -> press "🌾 Saya petani"       (one at a time)
    contact, name, province, regency, district, village               (a BURST: sent back to
                                                                       back, no waiting)
    press "✅ Ya, simpan"                                               (one at a time)

The places are real Kemendagri villages (``--places`` of them, spread over all provinces,
people assigned round robin; ``bench.common.real_villages``), each level typed as an exact
name, so the bot says each one back with the next question ("✅ Kabupaten Klaten\nKetik
nama kecamatan Anda.") and the village brings the summary.

Both bots get the identical actions (the echo bot shows the same button labels). Every
update gets exactly one new bot message, so the k-th bot message in a chat answers the
k-th update of that chat.

Per-chat order check: for each chat the k-th reply must be the answer to the k-th update -
the echo of its text for the echo bot; for koperasi-bot the prompt of the next step, each
place answer said back by name ("✅ <that place>"), and the final "Periksa data Anda" must
carry the burst's name/phone/village/district/regency/province in the right fields. If two updates of a burst were handled out of order (or concurrently against the
same conversation state) the replies come out in a different order or the wrong step
answers, and the check counts a violation. (Checked on the text as first sent: the bot
later edits a question to show the chosen button.)

Phases:
  koperasi_unlimited  flood limits OFF; the bot with its send budget lifted
                      (``python -m bench.run_bot --send-limits unlimited``): what the bot
                      can PROCESS. The ratio to the echo bot is the headline figure.
  koperasi_default    flood limits OFF; the bot exactly as deployed (``python -m bot run``):
                      its own limiter keeps it at 29 sends/s and ~1/s per chat anyway.
  echo                flood limits OFF; ``python -m bench.echo_bot`` (PTB defaults).
  koperasi_flood      flood limits ON (30/s, 1/s per chat); ``python -m bot run``: share of
                      the 30/s used (after ``--flood-warmup``), 429 refusals.

Figures per phase: updates answered per second (answered within the window / window; the
window runs from the first update to the last reply, capped by the phase duration), reply
latency p50/p95 (person's update -> the bot's reply in that chat, emulator clock, including
the emulated latency), order violations, the bot process's CPU use, updates waiting at the
emulator (fetched by nobody yet), the bot's peak RSS and how long SIGTERM -> exit took (the
bot handles every update it already fetched before it exits).

    python -m bench.throughput            # full run (~4-5 min)
    python -m bench.throughput --quick    # smoke run (< 30 s; skips koperasi_default)
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.common import (
    BotProcess,
    RealVillage,
    fmt,
    fmt_ms,
    fresh_postgres_url,
    latency_summary,
    load_caveat,
    machine_info,
    print_table,
    ratio,
    real_villages,
    workdir,
    write_json,
)
from bench.echo_bot import BUTTONS
from emulator import BotApiEmulator

FIRST_USER_ID = 500_001
Check = Callable[[str], bool]


# ------------------------------------------------------------------ the workload
@dataclass
class Action:
    kind: str  # "text" | "press" | "contact"
    arg: str
    check: Check  # does a reply text answer this action (for this bot)?
    step: str


@dataclass
class Person:
    user_id: int
    name: str
    place: RealVillage
    phone: str  # as shared: 62812…
    phone_shown: str  # as the summary shows it: 0812-….-….
    sent_at: list[float] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    done: bool = False
    error: str | None = None


def make_person(i: int, places: list[RealVillage]) -> Person:
    uid = FIRST_USER_ID + i
    digits = f"{uid % 100_000_000:08d}"
    # Names and phones unique per person; villages from the pool, round robin.
    return Person(
        user_id=uid,
        name=f"Petani Uji {i:05d}",
        place=places[i % len(places)],
        phone=f"62812{digits}",
        phone_shown=f"0812-{digits[:4]}-{digits[4:]}",
    )


def _starts(*prefixes: str) -> Check:
    return lambda text: (text or "").startswith(prefixes)


def _equals(expected: str) -> Check:
    return lambda text: text == expected


def koperasi_script(p: Person) -> list[list[Action]]:
    """Groups of actions; a group is sent back to back, then its replies are awaited."""

    province, regency, district, village = p.place.shown

    def confirm(text: str) -> bool:
        text = text or ""
        return text.startswith("Periksa data Anda:\n") and all(
            line in text.splitlines()
            for line in (
                f"Nama: {p.name}",
                f"Nomor HP: {p.phone_shown}",
                f"Desa/kelurahan: {village}",
                f"Kecamatan: {district}",
                f"Kabupaten/kota: {regency}",
                f"Provinsi: {province}",
                f"Zona waktu: {p.place.zone}",
            )
        )

    typed = p.place.typed
    return [
        [
            Action(
                "text",
                "/start",
                _starts("Selamat datang di bot koperasi. Pilih bahasa Anda:"),
                "start",
            )
        ],
        [Action("press", "Bahasa Indonesia", _starts("Anda mendaftar sebagai apa?"), "language")],
        [
            Action(
                "press",
                "🌾 Saya petani",
                _starts("Tekan tombol 📱 Kirim nomor HP saya di bawah."),
                "kind",
            )
        ],
        [
            Action("contact", p.phone, _equals("Siapa nama lengkap Anda?"), "contact"),
            Action(
                "text", p.name, _equals("Ketik nama provinsi Anda. Contoh: Jawa Tengah."), "name"
            ),
            Action(
                "text",
                typed[0],
                _equals(f"✅ {province}\nKetik nama kabupaten atau kota Anda. Contoh: Klaten."),
                "province",
            ),
            Action(
                "text", typed[1], _equals(f"✅ {regency}\nKetik nama kecamatan Anda."), "regency"
            ),
            Action(
                "text",
                typed[2],
                _equals(f"✅ {district}\nKetik nama desa atau kelurahan Anda."),
                "district",
            ),
            Action("text", typed[3], confirm, "village"),
        ],
        [
            Action(
                "press",
                "✅ Ya, simpan",
                _starts(f"Terima kasih, {p.name}! Anda sudah terdaftar sebagai petani."),
                "confirm",
            )
        ],
    ]


def echo_script(p: Person) -> list[list[Action]]:
    """The same actions; the echo bot's answers are the echo / "pressed <data>"."""
    script = koperasi_script(p)
    data = dict(BUTTONS)  # the labels the echo bot shows, with their callback data
    out = []
    for group in script:
        new = []
        for a in group:
            if a.kind == "press":
                expect = f"pressed {data[a.arg]}"
            elif a.kind == "contact":
                expect = f"contact {a.arg}"
            else:
                expect = a.arg
            new.append(Action(a.kind, a.arg, _equals(expect), a.step))
        out.append(new)
    return out


SCRIPTS = {
    "koperasi": koperasi_script,
    "koperasi-unlimited": koperasi_script,
    "koperasi-unordered": koperasi_script,
    "echo": echo_script,
}


async def play(emu: BotApiEmulator, p: Person, script: list[list[Action]], deadline: float) -> None:
    loop = asyncio.get_running_loop()
    try:
        for group in script:
            for action in group:
                p.sent_at.append(time.time())
                p.actions.append(action)
                if action.kind == "text":
                    await emu.send_message(p.user_id, action.arg, first_name="Petani")
                elif action.kind == "press":
                    await emu.press_button(p.user_id, action.arg)
                else:
                    await emu.share_contact(p.user_id, action.arg, first_name="Petani")
            expected = len(p.sent_at)
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            await emu.wait_for(
                p.user_id, lambda msgs, n=expected: len(msgs) >= n, timeout=remaining
            )
        p.done = True
    except TimeoutError:
        return  # the window closed
    except Exception as exc:  # e.g. no such button: the bot answered something unexpected
        p.error = f"{type(exc).__name__}: {exc}"


# ------------------------------------------------------------------ one phase
def original_text(msg: Any) -> str:
    """The text as first sent (the bot later edits a question to show the chosen button)."""
    return (msg.history[0].get("text") if msg.history else msg.text) or ""


async def wait_ready(emu: BotApiEmulator, bot: BotProcess, limit: float = 60.0) -> None:
    """Until the bot long-polls (getUpdates seen)."""
    deadline = time.monotonic() + limit
    while emu.state.stats.requests.get("getUpdates", 0) == 0:
        if not bot.alive():
            raise RuntimeError(f"{bot.kind} bot exited at start-up:\n{bot.log_tail()}")
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"{bot.kind} bot did not start polling in {limit}s:\n{bot.log_tail()}"
            )
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)


async def run_phase(
    kind: str,
    people: int,
    duration: float,
    *,
    latency: float,
    flood: bool,
    args: argparse.Namespace,
    wd: Any,
    measure_from: float = 0.0,
    db_url: str | None = None,
) -> dict[str, Any]:
    label = f"{kind}{' (flood ON)' if flood else ''}{' on PostgreSQL' if db_url else ''}"
    print(
        f"  running {label}: {people} people, latency {latency * 1000:.0f} ms, window <= {duration:.0f} s ...",
        flush=True,
    )
    t_begin = time.monotonic()
    async with BotApiEmulator(latency=latency, flood_enabled=flood) as emu:
        profile_out = (
            str(wd / f"{kind}-bot.prof")
            if args.profile_bot and kind == "koperasi-unlimited"
            else None
        )
        bot = BotProcess(
            kind,
            emu.base_url,
            emu.token_for_tests,
            wd,
            concurrency=args.concurrency,
            log_level=args.log_level,
            profile_out=profile_out,
            pool_size=args.bot_pool_size if kind == "koperasi-unlimited" else 0,
            db_url=db_url,
            shared=args.shared and kind == "koperasi-unlimited",
        )
        try:
            await wait_ready(emu, bot)
            startup_s = time.monotonic() - t_begin
            await emu.reset_stats()
            places = real_villages(min(args.places, people))
            persons = [make_person(i, places) for i in range(people)]
            make_script = SCRIPTS[kind]
            loop = asyncio.get_running_loop()
            cpu_bot0, cpu_me0, threads0 = bot.cpu_seconds(), time.process_time(), bot.thread_cpu()
            load0 = os.getloadavg()[0]
            t0 = time.time()
            deadline = loop.time() + duration
            tasks = [asyncio.create_task(play(emu, p, make_script(p), deadline)) for p in persons]
            pending: list[int] = []
            sampler = asyncio.create_task(sample_pending(emu, pending))
            await asyncio.wait(tasks, timeout=duration + 5)
            sampler.cancel()
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            t_stop = time.time()
            cpu_bot1, cpu_me1, threads1 = bot.cpu_seconds(), time.process_time(), bot.thread_cpu()
            load1 = os.getloadavg()[0]
            rss = bot.rss_peak_kib()
            stats = await emu.stats()
            transcripts = {p.user_id: await emu.messages(p.user_id) for p in persons}
        finally:
            t_shutdown = time.monotonic()
            # The echo bot handles its fetched backlog one by one before it exits: don't wait.
            # Our bot drains every update it fetched before it exits (graceful SIGTERM):
            # measured as bot_shutdown_s.
            rc = await bot.stop(grace=2.0 if kind == "echo" else 90.0)
            shutdown_s = time.monotonic() - t_shutdown
        errors = bot.log_errors()
        backoffs = bot.log_count("Telegram asked to wait")

    cutoff = t0 + duration
    answered = 0
    latencies: list[float] = []
    per_step: dict[str, list[float]] = {}
    violations: list[dict[str, Any]] = []
    reply_times: list[float] = []
    last_reply = t0
    for p in persons:
        msgs = transcripts[p.user_id]
        for k, msg in enumerate(msgs):
            if k >= len(p.actions):
                violations.append(
                    {
                        "chat": p.user_id,
                        "reply": k,
                        "why": "reply without an update",
                        "text": msg.text,
                    }
                )
                continue
            action = p.actions[k]
            if not action.check(original_text(msg)):
                violations.append(
                    {
                        "chat": p.user_id,
                        "reply": k,
                        "step": action.step,
                        "why": "reply does not answer the k-th update",
                        "text": original_text(msg)[:120],
                    }
                )
            if msg.sent_at > cutoff:
                continue
            answered += 1
            lat = msg.sent_at - p.sent_at[k]
            latencies.append(lat)
            per_step.setdefault(action.step, []).append(lat)
            reply_times.append(msg.sent_at)
            last_reply = max(last_reply, msg.sent_at)
    window = max(1e-9, min(cutoff, last_reply) - t0)
    result: dict[str, Any] = {
        "bot": kind,
        "flood_limits": flood,
        "people": people,
        "latency_s": latency,
        "window_s": window,
        "updates_sent": sum(len(p.sent_at) for p in persons),
        "updates_answered": answered,
        "updates_per_s": answered / window,
        "registrations_completed": sum(p.done for p in persons),
        "people_errors": sorted({p.error for p in persons if p.error})[:5],
        "reply_latency": latency_summary(latencies),
        "reply_latency_by_step_p50_s": {
            s: latency_summary(v)["p50_s"] for s, v in per_step.items()
        },
        "order_violations": len(violations),
        "order_violation_samples": violations[:5],
        "bot_cpu_s": None if cpu_bot0 is None or cpu_bot1 is None else cpu_bot1 - cpu_bot0,
        "harness_cpu_s": cpu_me1 - cpu_me0,
        "wall_s": t_stop - t0,
        "emulator": {
            k: stats[k] for k in ("requests", "requests_total", "sends", "refused_429", "errors")
        },
        "bot_429_backoffs_logged": backoffs,
        "bot_exit_code": rc,
        "bot_profile": profile_out,
        "bot_killed_after_grace": bot.killed,
        "bot_startup_s": startup_s,
        "bot_shutdown_s": shutdown_s,
        "bot_log_errors": errors[:5],
        "bot_rss_peak_mib": None if rss is None else rss / 1024,
        "emulator_pending_updates": {
            "mean": sum(pending) / len(pending) if pending else None,
            "max": max(pending) if pending else None,
        },
    }
    wall = result["wall_s"]
    result["bot_cpu_util"] = None if result["bot_cpu_s"] is None else result["bot_cpu_s"] / wall
    if threads0 and threads1:
        result["bot_loop_thread_cpu_util"] = (threads1["main"] - threads0["main"]) / wall
        result["bot_other_threads_cpu_util"] = (threads1["other"] - threads0["other"]) / wall
    result["loadavg_1min_start_end"] = [round(load0, 2), round(load1, 2)]
    result["updates_per_bot_cpu_s"] = (
        answered / result["bot_cpu_s"] if result["bot_cpu_s"] else None
    )
    result["harness_cpu_util"] = result["harness_cpu_s"] / wall
    result["bot_cpu_ms_per_update"] = (
        None
        if not answered or result["bot_cpu_s"] is None
        else 1000 * result["bot_cpu_s"] / answered
    )
    if flood:
        result.update(send_rate(transcripts, t0 + measure_from, min(cutoff, t_stop)))
        result["refused_429"] = stats["refused_429"]
    return result


async def sample_pending(emu: BotApiEmulator, out: list[int], every: float = 0.5) -> None:
    """Updates waiting at the emulator (not yet fetched/confirmed by the bot's getUpdates)."""
    while True:
        out.append(len(emu.state.updates))
        await asyncio.sleep(every)


def send_rate(transcripts: dict[int, list], start: float, end: float) -> dict[str, Any]:
    """Successful sends per second in [start, end], and per-1-s-bucket spread."""
    stamps = [m.sent_at for msgs in transcripts.values() for m in msgs if start <= m.sent_at < end]
    span = max(1e-9, end - start)
    buckets = [0] * max(1, int(span))
    for s in stamps:
        i = int(s - start)
        if i < len(buckets):
            buckets[i] += 1
    full = sorted(buckets[: int(span)]) or [0]
    return {
        "send_window_s": span,
        "sends_in_window": len(stamps),
        "send_rate_per_s": len(stamps) / span,
        "send_rate_per_1s_bucket": {
            "min": full[0],
            "median": full[len(full) // 2],
            "max": full[-1],
        },
        "limit_per_s": 30.0,
        "limit_used": len(stamps) / span / 30.0,
    }


# ------------------------------------------------------------------ main
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="python -m bench.throughput",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--quick", action="store_true", help="short smoke run (< 30 s)")
    ap.add_argument("--people", type=int, help="simulated people (default 500; quick 20)")
    ap.add_argument(
        "--latency", type=float, default=0.1, help="seconds per Bot API request (default 0.1)"
    )
    ap.add_argument(
        "--duration",
        type=float,
        help="max window for koperasi-bot with send limits lifted, s (default 90; quick 4)",
    )
    ap.add_argument(
        "--default-duration",
        type=float,
        help="window for koperasi-bot with its default send limits, s (default 15; --quick skips this phase)",
    )
    ap.add_argument(
        "--echo-duration", type=float, help="window for the echo bot, s (default 45; quick 3)"
    )
    ap.add_argument(
        "--flood-duration", type=float, help="window with flood limits on, s (default 35; quick 4)"
    )
    ap.add_argument(
        "--flood-warmup",
        type=float,
        help="seconds excluded from the send-rate window (default 5; quick 1)",
    )
    ap.add_argument(
        "--places",
        type=int,
        default=60,
        help="distinct real villages the people live in, round robin (default 60)",
    )
    ap.add_argument(
        "--concurrency", type=int, default=64, help="KOPERASI_CONCURRENCY for the bot (default 64)"
    )
    ap.add_argument(
        "--log-level",
        default="INFO",
        help="KOPERASI_LOG_LEVEL for the bot (default INFO, as deployed)",
    )
    ap.add_argument(
        "--skip",
        choices=["default", "echo", "flood"],
        action="append",
        default=[],
        help="skip a phase (repeatable)",
    )
    ap.add_argument(
        "--order-control",
        action="store_true",
        help="also run a NEGATIVE CONTROL: the bot with PTB's plain concurrent_updates "
        "(no per-chat ordering); the order check must report violations there",
    )
    ap.add_argument(
        "--bot-pool-size",
        type=int,
        default=0,
        help="diagnostic what-if: HTTPX connection pool size of the koperasi_unlimited bot "
        "(default 0 = as built, PTB's 256)",
    )
    ap.add_argument(
        "--profile-bot",
        action="store_true",
        help="diagnostic: run the koperasi_unlimited bot process under cProfile and print its "
        "top 20 functions (slows the bot: not for the ratio)",
    )
    ap.add_argument(
        "--postgres",
        metavar="URL",
        help="also run the unlimited phase with the bot on this PostgreSQL database (a fresh"
        " schema of it): throughput per token PostgreSQL / SQLite",
    )
    ap.add_argument(
        "--shared",
        action="store_true",
        help="the koperasi_unlimited bot as `koperasi-bot run` runs it: ready for other "
        "processes on its database (chat leases; bot.runtime.multiproc)",
    )
    ap.add_argument("--workdir", help="where bot logs and databases go (default: a new temp dir)")
    ap.add_argument("--json", help="write the results as JSON to this path")
    args = ap.parse_args(argv)
    args.default_duration_given = args.default_duration is not None
    q = args.quick
    args.people = args.people or (20 if q else 500)
    args.duration = args.duration or (4.0 if q else 90.0)
    args.default_duration = args.default_duration or (3.0 if q else 15.0)
    args.echo_duration = args.echo_duration or (3.0 if q else 45.0)
    args.flood_duration = args.flood_duration or (4.0 if q else 35.0)
    if q and "default" not in args.skip and not args.default_duration_given:
        args.skip.append("default")  # same code path as the flood phase; keeps --quick < 30 s
    args.flood_warmup = args.flood_warmup if args.flood_warmup is not None else (1.0 if q else 5.0)
    return args


async def amain(args: argparse.Namespace) -> dict[str, Any]:
    wd = workdir(args.workdir, "koperasi-bench-throughput-")
    info = machine_info()
    print(
        f"throughput benchmark: {args.people} people, latency {args.latency * 1000:.0f} ms; workdir {wd}"
    )
    print(
        f"machine: {info['cpus']} CPUs, load {info['loadavg_at_start']}, python {info['python']}, PTB {info['ptb']}; "
        f"bot at commit {info['git_head']}"
        + (f" + uncommitted {info['git_modified_files']}" if info["git_modified_files"] else "")
    )
    phases: dict[str, Any] = {}
    phases["koperasi_unlimited"] = await run_phase(
        "koperasi-unlimited",
        args.people,
        args.duration,
        latency=args.latency,
        flood=False,
        args=args,
        wd=wd,
    )
    if "default" not in args.skip:
        phases["koperasi_default"] = await run_phase(
            "koperasi",
            args.people,
            args.default_duration,
            latency=args.latency,
            flood=False,
            args=args,
            wd=wd,
        )
    if args.order_control:
        phases["control_unordered"] = await run_phase(
            "koperasi-unordered",
            args.people,
            args.default_duration,
            latency=args.latency,
            flood=False,
            args=args,
            wd=wd,
        )
    if args.postgres:  # the same phase with the database on PostgreSQL: the ratio per token
        phases["koperasi_unlimited_postgres"] = await run_phase(
            "koperasi-unlimited",
            args.people,
            args.duration,
            latency=args.latency,
            flood=False,
            args=args,
            wd=wd,
            db_url=fresh_postgres_url(args.postgres, "throughput"),
        )
    if "echo" not in args.skip:
        phases["echo"] = await run_phase(
            "echo",
            args.people,
            args.echo_duration,
            latency=args.latency,
            flood=False,
            args=args,
            wd=wd,
        )
    if "flood" not in args.skip:
        phases["koperasi_flood"] = await run_phase(
            "koperasi",
            args.people,
            args.flood_duration,
            latency=args.latency,
            flood=True,
            args=args,
            wd=wd,
            measure_from=args.flood_warmup,
        )
    k, d = phases["koperasi_unlimited"], phases.get("koperasi_default")
    pg = phases.get("koperasi_unlimited_postgres")
    e, f = phases.get("echo"), phases.get("koperasi_flood")
    summary = {
        "throughput_ratio_bot_over_echo": ratio(k["updates_per_s"], e["updates_per_s"])
        if e
        else None,
        "throughput_ratio_if_bot_had_one_full_core": (
            ratio(k["updates_per_bot_cpu_s"], e["updates_per_s"]) if e else None
        ),
        "throughput_ratio_default_limits_over_echo": (
            ratio(d["updates_per_s"], e["updates_per_s"]) if e and d else None
        ),
        "target_ratio": 10.0,
        "throughput_ratio_postgres_over_sqlite": (
            ratio(pg["updates_per_s"], k["updates_per_s"]) if pg else None
        ),
        "order_violations_bot": sum(
            r["order_violations"]
            for n, r in phases.items()
            if n not in ("echo", "control_unordered")
        ),
        "order_violations_negative_control": (
            phases["control_unordered"]["order_violations"]
            if "control_unordered" in phases
            else None
        ),
        "order_violations_echo": e["order_violations"] if e else None,
        "flood_limit_used": f["limit_used"] if f else None,
        "flood_target_used": 0.9,
        "flood_refused_429": f["refused_429"] if f else None,
    }
    report(phases, summary)
    caveat = load_caveat()
    print(f"\nload: {caveat}")
    return {
        "benchmark": "throughput",
        "args": vars(args),
        "machine": info,
        "load_caveat": caveat,
        "phases": phases,
        "summary": summary,
    }


def report(phases: dict[str, Any], summary: dict[str, Any]) -> None:
    rows = []
    for name, r in phases.items():
        lat = r["reply_latency"]
        rows.append(
            [
                name,
                r["window_s"],
                r["updates_answered"],
                r["updates_per_s"],
                fmt_ms(lat["p50_s"]),
                fmt_ms(lat["p95_s"]),
                r["registrations_completed"],
                r["order_violations"],
                f"{fmt(r['bot_cpu_util'], 2)} ({fmt(r.get('bot_loop_thread_cpu_util'), 2)})",
                r["bot_cpu_ms_per_update"],
                r["harness_cpu_util"],
                r["emulator_pending_updates"]["mean"],
                r["bot_rss_peak_mib"],
                r["bot_shutdown_s"],
            ]
        )
    print_table(
        "Phases (same people, same emulator, bot in its own process)",
        [
            "phase",
            "window s",
            "answered",
            "upd/s",
            "p50",
            "p95",
            "regs done",
            "order viol.",
            "bot CPU (loop thr.)",
            "bot CPU ms/upd",
            "harness CPU",
            "unfetched (mean)",
            "bot RSS MiB",
            "SIGTERM->exit s",
        ],
        rows,
    )
    print(
        "  bot CPU = bot process CPU-seconds per wall second (1.0 = one core busy); in brackets the\n"
        "  event-loop thread alone. unfetched = updates waiting at the emulator for the bot's getUpdates."
    )
    f = phases.get("koperasi_flood")
    if f:
        b = f["send_rate_per_1s_bucket"]
        print_table(
            "Flood limits ON (koperasi-bot)",
            ["send window s", "sends", "sends/s", "of 30/s", "1-s buckets min/med/max", "429s"],
            [
                [
                    f["send_window_s"],
                    f["sends_in_window"],
                    f["send_rate_per_s"],
                    f"{100 * f['limit_used']:.1f}%",
                    f"{b['min']}/{b['median']}/{b['max']}",
                    f["refused_429"],
                ]
            ],
        )
    s = summary
    print_table(
        "Summary",
        ["figure", "value", "target"],
        [
            [
                "throughput ratio bot (limits lifted)/echo",
                s["throughput_ratio_bot_over_echo"],
                ">= 10",
            ],
            [
                "  same, bot CPU-normalised (upd per bot CPU-s / echo upd/s)",
                s["throughput_ratio_if_bot_had_one_full_core"],
                "(load-robust estimate)",
            ],
            [
                "throughput ratio bot (default limits)/echo",
                s["throughput_ratio_default_limits_over_echo"],
                "(capped ~29/s)",
            ],
            [
                "throughput per token, PostgreSQL / SQLite (limits lifted)",
                s["throughput_ratio_postgres_over_sqlite"],
                ">= 0.9 (--postgres URL)",
            ],
            ["order violations (bot, all phases)", s["order_violations_bot"], "0"],
            ["order violations (echo)", s["order_violations_echo"], "-"],
            [
                "order violations (negative control)",
                s["order_violations_negative_control"],
                "> 0 (check works)",
            ],
            [
                "flood: share of 30/s used",
                None if s["flood_limit_used"] is None else f"{100 * s['flood_limit_used']:.1f}%",
                ">= 90%",
            ],
            ["flood: 429 refusals", s["flood_refused_429"], "~0"],
        ],
    )
    for name, r in phases.items():
        if r["order_violation_samples"]:
            print(f"\n{name}: order violation samples: {r['order_violation_samples'][:3]}")
        if r["people_errors"]:
            print(f"{name}: people errors: {r['people_errors']}")
        if r["bot_log_errors"]:
            print(f"{name}: bot log errors: {r['bot_log_errors'][:3]}")


def print_bot_profiles(phases: dict[str, Any]) -> None:
    import io
    import pstats

    for r in phases.values():
        if r.get("bot_profile") and os.path.exists(r["bot_profile"]):
            out = io.StringIO()
            pstats.Stats(r["bot_profile"], stream=out).strip_dirs().sort_stats(
                "tottime"
            ).print_stats(20)
            text = out.getvalue()
            print(
                f"\ncProfile of the {r['bot']} bot process (wall-clock timer; epoll = idle), top 20 by own time:"
            )
            print(text[text.find("   ncalls") :])
            print(f"profile: {r['bot_profile']}  (python -m pstats ...)")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("tornado.access").setLevel(logging.ERROR)
    results = asyncio.run(amain(args))
    print_bot_profiles(results["phases"])
    write_json(args.json, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
