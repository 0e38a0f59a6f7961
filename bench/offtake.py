"""Offtake: what the /jual offer flow costs per update, and how long 1,000 offers take to
alert the coordinators under Telegram's flood limits while farmers keep getting replies.

The people (both parts) are put straight into the SQLite file before the bot starts
(storage use cases: ``orgs.add``, ``prices.set_price``, ``people.insert_person`` +
``add_role`` + ``offers.set_coverage``, ``registration.register_farmer``), so that only the
offer flow is measured:

* a cooperative covering Jawa Tengah (``33``) and buying prices there: red chilli grades
  A/B/C, paddy GKP only (so paddy's grade question is skipped);
* *areas*: real districts (kecamatan) of Jawa Tengah; ``--coordinators`` (default 50)
  coordinators, ``--per-offer`` (default 5) of them covering each area, so every offer
  alerts exactly ``--per-offer`` coordinators (``--per-offer 50``: every offer alerts all 50);
* farmers in real villages of those areas (round robin). Farmer i sells red chilli (even i:
  grade A, B or C, typed "2 kuintal") or paddy (odd i: "1,5 ton").

A farmer answers whatever the bot asks, as a person would, from the bot's last message:
``/jual`` -> the produce button -> the grade button (chilli) -> the typed quantity -> "Besok"
-> the pickup-place button of the reply keyboard (the village) -> "✅ Ya, simpan"; an offer
is made when a message with its number (``TW-…``) comes. (The answers are chosen from the
buttons and questions the bot actually sends, so a changed flow is followed, not scripted.)

Part 1, CPU per update (like ``bench/cost.py``): the bot built in-process as deployed
(``bot.app.build_application``, default transports, real PTB ``Updater`` long polling, send
budget lifted as in tests/harness.py), with only ``HTTPXRequest.do_request`` replaced by a
fake Telegram that plays the farmers: each getUpdates page (<= 100 updates) holds every
farmer's answer to the bot's last question plus new farmers' ``/jual``, and is served once
the previous page is wholly handled (alerts included). ``--cpu-farmers`` (default 500)
farmers each make one offer. CPU = ``time.process_time()`` (all threads: event loop and
aiosqlite's) from the start of polling to the last update handled; the fake Telegram's own
work (JSON, and in the bot runs choosing the farmers' answers, a few us) is in it. Baseline:
the echo bot (``bench/echo_bot.py``, PTB defaults: one reply per update) fed the very same
pages (recorded in the first bot run). Each run in its own subprocess, ``--repeat``
alternating runs, median; a bot run must end with every offer in the database and
``--per-offer`` alerts each.

Part 2, 1,000 offers under the flood limits: the Bot API emulator in its own process with
Telegram's flood limits ON (``python -m emulator --port 0 --flood --latency 0.1``: 30 sends/s
overall, 1/s per chat) and koperasi-bot as deployed in its own process (``python -m bot run``,
default send budget: 29/s, 0.95/s per chat, alerts in the bulk lane) long-polling it, on the
seeded SQLite file. The coordinators write /help first (Telegram refuses a chat the bot
never talked to). Then two phases, farmers played over HTTP (``SandboxClient``), each farmer
making one offer with a think time of ``--think`` (default 1-3 s) before each answer:

* ``baseline``: ``--baseline-farmers`` (default 100) farmers in an area NO coordinator
  covers (and the cooperative has no administrator): the same flow, nobody is alerted, so
  nothing drains in the bulk lane - the farmers' reply latency at the same pace;
* ``alerts``: ``--offers`` (default 1,000) farmers in the covered areas; ``--offers`` x
  ``--per-offer`` alerts. Farmers start at a steady rate, ``--load`` (default 1.2) times what
  the flood budget can carry (29/s / (sends per offer: the replies, measured in part 1, +
  ``--per-offer`` alerts)), but never so fast that the replies alone would take more than
  75 % of it; so a backlog of alerts builds up and drains in the bulk lane while farmers are
  still talking to the bot (the baseline uses the same rate: the same reply traffic).

Measured per phase: the time from the first farmer's /jual to the last alert delivered
(``sent_at`` of the alert messages in the coordinators' chats at the emulator); the
theoretical minimum = all sends the emulator accepted in the phase / 30 per s (its flood
limit); sends/s and the alerts' drain rate (after the last farmer finished) / 30; 429
refusals; farmer reply latency (a farmer's update -> the bot's first message after it,
emulator clock, 100 ms emulated latency per Bot API call included) p50/p95/max, per step;
the most updates the bot held unfinished (its SQLite inbox, sampled every second) and that
waited unfetched at the emulator. ``--concurrency N`` (what-if) runs the part 2 bot with
``KOPERASI_CONCURRENCY=N`` instead of the deployed 64.

Why 5 coordinators per offer (10 areas of 5, 100 alerts each) and not all 50: the flood
limit is the clock. One offer costs 7.5 counted sends of replies (one per step, two at the
place step), so 1,000 offers need 7,500 replies (>= 4.2 min at 30/s) before any alert;
every offer alerting all 50 coordinators adds 50,000 alerts (>= 28 min more:
``--per-offer 50``, the literal reading of "1,000 offers alert 50 coordinators"). With 5,
12,500 sends take >= 7 min, and the alerts (5 per offer) outgrow what the replies leave of
the budget, so a real backlog drains in the bulk lane while farmers talk to the bot; with 2
per offer the farmers' pace (replies <= 75 % of the budget) never exceeds the budget and
nothing backs up.

    python -m bench.offtake                 # full run (~9 min: the flood limit's 7 min + part 1)
    python -m bench.offtake --quick         # smoke run (< 30 s)
    python -m bench.offtake --per-offer 50  # the literal reading (~35 min)
    python -m bench.offtake --skip cpu --offers 300 --baseline-farmers 0 --concurrency 1024
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import (
    REPO,
    BotProcess,
    fmt_ms,
    latency_summary,
    load_caveat,
    machine_info,
    print_table,
    proc_thread_cpu,
    ratio,
    workdir,
    write_json,
)

REGION = "33"  # Jawa Tengah: the cooperative's area and where its prices hold
PRICES = (("cabai_merah", "A", 32000), ("cabai_merah", "B", 28000), ("cabai_merah", "C", 20000),
          ("gabah", "GKP", 6500))  # fmt: skip
PRICES_FROM = datetime(2025, 1, 1, tzinfo=UTC)
COORDINATOR_FIRST_ID = 500_001
FARMER_FIRST_ID = 600_001  # part 1; part 2 uses 610_001 (alerts) and 680_001 (baseline)
ALERTS_FARMER_FIRST_ID = 610_001
BASELINE_FARMER_FIRST_ID = 680_001
BATCH = 100  # updates per getUpdates page (part 1)
MAX_STEPS = 15  # answers before a farmer gives up (a loop: the bot asking the same again)
TELEGRAM_RATE = 30.0  # the emulator's (Telegram's) overall flood limit, sends per second
BOT_RATE = 29.0  # the bot's own send budget (bot.runtime.ratelimit.SendLimits)
DEFAULT_REPLIES_PER_OFFER = 7.5  # when part 1 did not measure it
OFFER_NUMBER = re.compile(r"\bTW-[0-9A-Z]{3,}\b")
DONE = "done"


# ------------------------------------------------------------------ the people
@dataclass(frozen=True)
class Someone:
    uid: int
    name: str
    phone: str
    area: str  # district code (kecamatan)
    village: str = ""  # farmers: their village's code
    produce: str = ""  # farmers: commodity code
    grade: str = ""
    quantity: str = ""  # as typed


@dataclass(frozen=True)
class Plan:
    coordinators: list[Someone]
    farmers: list[Someone]  # in covered areas: every offer alerts ``per_offer`` coordinators
    baseline_farmers: list[Someone]  # in an area nobody covers
    per_offer: int
    areas: list[str]


def areas_of_region(n: int) -> list[str]:
    """The first ``n`` districts of Jawa Tengah that have villages, regency by regency."""
    from domain import regions

    out: list[str] = []
    for regency in regions.children(REGION):
        for district in regions.children(regency.code):
            if regions.children(district.code):
                out.append(district.code)
                if len(out) == n:
                    return out
    raise SystemExit(f"Jawa Tengah has fewer than {n} districts")


def make_plan(
    farmers: int,
    coordinators: int,
    per_offer: int,
    first_farmer: int,
    baseline_farmers: int = 0,
    first_baseline: int = BASELINE_FARMER_FIRST_ID,
) -> Plan:
    from domain import regions

    if per_offer < 1 or coordinators % per_offer:
        raise SystemExit(
            f"--coordinators ({coordinators}) must be a multiple of --per-offer ({per_offer})"
        )
    groups = coordinators // per_offer
    areas = areas_of_region(groups + 1)  # the last one: nobody covers it (baseline)
    villages = {a: [v.code for v in regions.children(a)] for a in areas}
    coords = [
        Someone(COORDINATOR_FIRST_ID + i, f"Koordinator {i + 1}", f"+62811{COORDINATOR_FIRST_ID + i:07d}",
                areas[i // per_offer])
        for i in range(coordinators)
    ]  # fmt: skip

    def farmer(i: int, uid: int, area: str, k: int) -> Someone:
        chilli = i % 2 == 0
        return Someone(
            uid, f"Petani {uid}", f"+62812{uid:07d}", area,
            village=villages[area][k % len(villages[area])],
            produce="cabai_merah" if chilli else "gabah",
            grade="ABC"[(i // 2) % 3] if chilli else "GKP",
            quantity="2 kuintal" if chilli else "1,5 ton",
        )  # fmt: skip

    return Plan(
        coordinators=coords,
        farmers=[
            farmer(i, first_farmer + i, areas[i % groups], i // groups) for i in range(farmers)
        ],
        baseline_farmers=[
            farmer(i, first_baseline + i, areas[groups], i) for i in range(baseline_farmers)
        ],
        per_offer=per_offer,
        areas=areas,
    )


async def seed(path: Path, plan: Plan) -> None:
    """A migrated SQLite file with the cooperative, its prices, the coordinators and the
    registered farmers (one transaction; no update is involved)."""
    from domain.people import Role
    from storage import offers, orgs, people, prices, registration
    from storage.db import Database
    from storage.migrate import migrate

    async with Database(str(path)) as db:
        await migrate(db)
        async with db.transaction(bookkeeping=True) as conn:
            org_id = await orgs.add(
                conn,
                code="bench-jateng",
                name="Koperasi Tani Jawa Tengah",
                kind="coop_primary",
                parent_code="pusat",
                covers=(REGION,),
            )
            for commodity, grade, price in PRICES:
                await prices.set_price(
                    conn,
                    commodity=commodity,
                    grade=grade,
                    area_prefix=REGION,
                    price_rupiah=price,
                    valid_from=PRICES_FROM,
                )
            for c in plan.coordinators:
                person_id = await people.insert_person(
                    conn, telegram_user_id=c.uid, chat_id=c.uid, full_name=c.name, phone=c.phone,
                    language="id", timezone="Asia/Jakarta", org_id=org_id,
                )  # fmt: skip
                await people.add_role(conn, person_id, Role.COORDINATOR)
                await offers.set_coverage(conn, person_id, (c.area,))
            for f in [*plan.farmers, *plan.baseline_farmers]:
                who = registration.Applicant(f.uid, f.uid, f.phone, "id", f.name)
                await registration.register_farmer(conn, who, f.village)


# ------------------------------------------------------------------ what a farmer answers
@dataclass(frozen=True)
class Say:
    step: str  # the question answered (per-step latencies)
    kind: str  # "text" | "press"
    text: str  # typed, or the label of the button pressed
    data: str | None = None  # callback data of the pressed button


JUAL = Say("/jual", "text", "/jual")


def _before_field(text: str) -> str:
    return text.split("{", 1)[0]


class Answers:
    """A farmer's answers, from the bot's message: the labels in Indonesian, as the bot says
    them (``bot.i18n``), so a reworded catalog does not break the benchmark."""

    def __init__(self) -> None:
        from bot.i18n import gettext, load_catalogs, use_locale
        from domain.produce import CATALOG

        load_catalogs()
        with use_locale("id"):
            self.produce = {c: gettext(CATALOG[c].name_en) for c in ("cabai_merah", "gabah")}
            self.grade = {
                (c, g.code): gettext(g.label)
                for c in ("cabai_merah", "gabah")
                for g in CATALOG[c].grades
            }
            self.tomorrow = gettext("Tomorrow")
            self.yes = gettext("✅ Yes, save")
            self.how_much = _before_field(
                gettext(
                    "How much {produce} do you want to sell? Type the amount and unit, for example {example}."
                )
            )
            self.alert = _before_field(gettext("New offer {number}"))

    def reply_to(self, farmer: Someone, text: str | None, markup: dict | None) -> Say | str | None:
        """The farmer's next step; DONE when the message gives the offer's number; None
        for a message that asks nothing (read it and wait for the question)."""
        markup = markup or {}
        inline = markup.get("inline_keyboard")
        if inline:
            wanted = {
                self.produce[farmer.produce]: "produce",
                self.grade[(farmer.produce, farmer.grade)]: "grade",
                self.tomorrow: "day",
                self.yes: "confirm",
            }
            for row in inline:
                for button in row:
                    step = wanted.get(button.get("text"))
                    if step and button.get("callback_data"):
                        return Say(step, "press", button["text"], button["callback_data"])
            return None
        keyboard = markup.get("keyboard")
        if keyboard:  # the pickup place: "in my village" (never the location button)
            for row in keyboard:
                for button in row:
                    label = button if isinstance(button, str) else button.get("text")
                    if isinstance(button, dict) and (
                        button.get("request_location") or button.get("request_contact")
                    ):
                        continue
                    if label:
                        return Say("place", "text", label)
            return None
        if text and self.how_much and self.how_much in text:
            return Say("quantity", "text", farmer.quantity)
        if text and OFFER_NUMBER.search(text):
            return DONE
        return None


# ================================================================== part 1: CPU per update
def _user(uid: int) -> dict[str, Any]:
    return {"id": uid, "is_bot": False, "first_name": "Petani", "language_code": "id"}


def _chat(uid: int) -> dict[str, Any]:
    return {"id": uid, "type": "private", "first_name": "Petani"}


async def _cpu_child(
    args: argparse.Namespace, replay: list[list[dict[str, Any]]] | None
) -> tuple[dict[str, Any], list[list[dict[str, Any]]]]:
    """One measured run: koperasi plays the farmers (and returns the pages it served);
    echo replays ``replay``, the pages of a koperasi run."""
    from telegram.request import HTTPXRequest

    from tests.harness import BOT_USER, TOKEN, UNLIMITED

    variant = args.child
    plan = make_plan(args.cpu_farmers, args.coordinators, args.per_offer, FARMER_FIRST_ID)
    farmers = {f.uid: f for f in plan.farmers}
    coordinators = {c.uid for c in plan.coordinators}
    answers = Answers()
    if variant == "koperasi":
        await seed(Path(args.db), plan)
        replay = None
    recorded: list[list[dict[str, Any]]] = []
    empty = json.dumps({"ok": True, "result": []}).encode()
    counts: Counter[str] = Counter()
    sends = Counter()  # "farmer" / "coordinator" / "other"
    pending: dict[int, dict[str, Any]] = {}  # farmer -> their answer to the bot's last question
    done: set[int] = set()
    last_text: dict[int, str] = {}
    alerts_ok = Counter()
    ids = {"update": 10_000, "message": 1, "query": 1}
    feed: dict[str, Any] = {"next": 0, "started": 0, "app": None, "all_done": asyncio.Event()}
    now = int(time.time())

    def message_json(chat_id: int, message_id: int, text: str, markup: Any) -> dict[str, Any]:
        message = {"message_id": message_id, "date": now, "from": BOT_USER, "chat": _chat(chat_id),
                   "text": text}  # fmt: skip
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        return message

    def farmer_update(uid: int, say: Say, bot_message: dict[str, Any] | None) -> dict[str, Any]:
        ids["update"] += 1
        if say.kind == "press":
            ids["query"] += 1
            return {
                "update_id": ids["update"],
                "callback_query": {
                    "id": str(ids["query"]),
                    "from": _user(uid),
                    "chat_instance": str(uid),
                    "data": say.data,
                    "message": bot_message,
                },
            }
        ids["message"] += 1
        message = {"message_id": ids["message"], "date": now, "chat": _chat(uid), "from": _user(uid),
                   "text": say.text}  # fmt: skip
        if say.text.startswith("/"):
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(say.text.split()[0])}
            ]
        return {"update_id": ids["update"], "message": message}

    def next_page() -> list[dict[str, Any]]:
        if replay is not None:
            page = replay[feed["next"]] if feed["next"] < len(replay) else []
        else:
            page = list(pending.values())
            pending.clear()
            while len(page) < BATCH and feed["started"] < len(plan.farmers):
                uid = plan.farmers[feed["started"]].uid
                feed["started"] += 1
                page.append(farmer_update(uid, JUAL, None))
            recorded.append(page)
        return page

    def on_send(params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        text = params.get("text") or params.get("caption") or ""
        markup = params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        ids["message"] += 1
        message = message_json(chat_id, ids["message"], text, markup)
        if chat_id in farmers:
            sends["farmer"] += 1
            if replay is None:
                last_text[chat_id] = text[:80]
                say = answers.reply_to(farmers[chat_id], text, markup)
                if say == DONE:
                    done.add(chat_id)
                elif isinstance(say, Say):
                    pending[chat_id] = farmer_update(chat_id, say, message)
        elif chat_id in coordinators:
            sends["coordinator"] += 1
            alerts_ok[text.startswith(answers.alert)] += 1
        else:
            sends["other"] += 1
        return message

    def answer(api_method: str, params: dict[str, Any]) -> Any:
        if api_method == "getMe":
            return BOT_USER
        if api_method in ("sendMessage", "sendPhoto", "sendDocument", "sendLocation"):
            return on_send(params)
        if api_method in ("editMessageText", "editMessageReplyMarkup"):
            return message_json(
                int(params["chat_id"]),
                int(params["message_id"]),
                params.get("text") or "",
                params.get("reply_markup"),
            )
        return True  # answerCallbackQuery, setMyCommands, deleteWebhook, ...

    async def fake_do_request(
        self: Any, url: str, method: str, request_data: Any = None, **_: object
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        counts[api_method] += 1
        if api_method == "getUpdates":
            app = feed["app"]
            if app is None or feed["all_done"].is_set():
                await asyncio.sleep(0.05)
                return 200, empty
            if feed["next"]:
                await app.update_queue.join()  # the farmers answer what the bot asked
                outbox = getattr(app.bot_data, "outbox", None)
                if outbox is not None:  # the alerts leave through the outbox: theirs too
                    await outbox.idle(within=120)
            page = next_page()
            if not page:
                feed["all_done"].set()
                return 200, empty
            feed["next"] += 1
            return 200, json.dumps({"ok": True, "result": page}).encode()
        if variant == "koperasi":
            # the real transport announces a request as it leaves (httpcore's trace): the
            # outbox marks a row 'sending' only then, else it sends the row again and again
            from bot.runtime.ratelimit import leaving

            await leaving()
        params = request_data.parameters if request_data else {}
        return 200, json.dumps({"ok": True, "result": answer(api_method, params)}).encode()

    HTTPXRequest.do_request = fake_do_request
    if variant == "koperasi":
        from bot.config import Settings
        from bot.wiring import build_application

        settings = Settings.load(
            environ={}, env_file=None, token=TOKEN, db_path=args.db, concurrency=64
        )
        app = build_application(settings, send_limits=UNLIMITED)  # default transports
    else:
        from bench import echo_bot

        app = echo_bot.build(TOKEN)  # PTB defaults
    await app.initialize()
    await app.start()
    counts.clear()
    sends.clear()
    me = os.getpid()
    threads0 = proc_thread_cpu(me) or {"main": 0.0, "other": 0.0}
    cpu0, wall0 = time.process_time(), time.perf_counter()
    feed["app"] = app
    prof = None
    if args.profile_out:  # diagnostic (--profile): the event-loop thread's CPU under cProfile
        import cProfile

        prof = cProfile.Profile(time.thread_time)  # CPU, not waiting
        prof.enable()
    await app.updater.start_polling(poll_interval=0.0, timeout=10)
    await feed["all_done"].wait()
    if prof is not None:
        prof.disable()
        prof.dump_stats(args.profile_out)
    cpu1, wall1 = time.process_time(), time.perf_counter()
    threads1 = proc_thread_cpu(me) or {"main": 0.0, "other": 0.0}
    await app.updater.stop()
    await app.stop()
    await app.shutdown()
    pages = recorded if replay is None else replay
    n = sum(len(p) for p in pages)
    offers_in_db = None
    if variant == "koperasi":
        with sqlite3.connect(args.db) as conn:
            offers_in_db = conn.execute("SELECT count(*) FROM offers").fetchone()[0]
    stuck = [f"{uid}: {last_text.get(uid, '')!r}" for uid in farmers if uid not in done]
    return {
        "variant": variant,
        "farmers": len(plan.farmers),
        "updates": n,
        "pages": len(pages),
        "cpu_s": cpu1 - cpu0,
        "cpu_us_per_update": 1e6 * (cpu1 - cpu0) / n,
        "cpu_main_thread_s": threads1["main"] - threads0["main"],
        "cpu_other_threads_s": threads1["other"] - threads0["other"],
        "wall_s": wall1 - wall0,
        "updates_per_s_wall": n / (wall1 - wall0),
        "bot_api_calls": dict(counts),
        "sends": dict(sends),
        "offers_made": len(done) if variant == "koperasi" else None,
        "offers_in_db": offers_in_db,
        "alerts_sent": sends["coordinator"],
        "alerts_with_alert_text": alerts_ok[True],
        "stuck_farmers": len(stuck) if variant == "koperasi" else 0,
        "stuck_samples": stuck[:3] if variant == "koperasi" else [],
    }, recorded


def run_cpu_child(
    variant: str, args: argparse.Namespace, wd: Path, run: int, pages: Path, profile: str = ""
) -> dict:
    db = wd / f"offtake-cpu-{variant}-{run}-{time.monotonic_ns()}.sqlite3"
    cmd = [
        sys.executable, "-m", "bench.offtake", "--child", variant,
        "--cpu-farmers", str(args.cpu_farmers), "--coordinators", str(args.coordinators),
        "--per-offer", str(args.per_offer), "--db", str(db), "--pages", str(pages),
    ]  # fmt: skip
    if profile:
        cmd += ["--profile-out", profile]
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=1200)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    raise RuntimeError(
        f"{variant} run failed (exit {proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    )


def check_cpu_run(r: dict[str, Any], per_offer: int) -> str | None:
    if r["variant"] == "koperasi":
        f = r["farmers"]
        if r["offers_made"] != f or r["offers_in_db"] != f:
            return (
                f"{r['offers_made']} offers confirmed to farmers, {r['offers_in_db']} in the "
                f"database, for {f} farmers; stuck e.g. {r['stuck_samples']}"
            )
        if r["alerts_sent"] != f * per_offer or r["alerts_with_alert_text"] != r["alerts_sent"]:
            return f"{r['alerts_sent']} alerts for {f} offers x {per_offer} coordinators"
        return None
    sends = r["bot_api_calls"].get("sendMessage", 0)
    return None if sends == r["updates"] else f"echo sent {sends} for {r['updates']} updates"


def part_cpu(args: argparse.Namespace, wd: Path) -> dict[str, Any]:
    pages = wd / "offtake-cpu-pages.json"
    print(
        f"\npart 1 - CPU per update: {args.cpu_farmers} farmers, one offer each, each alerting "
        f"{args.per_offer} of {args.coordinators} coordinators; {args.repeat} run(s) per variant",
        flush=True,
    )
    runs: dict[str, list[dict[str, Any]]] = {"koperasi": [], "echo": []}
    problems = []
    for i in range(args.repeat):
        for variant in ("koperasi", "echo"):  # koperasi first: it records the pages
            print(f"  run {i + 1}/{args.repeat}: {variant} ...", flush=True)
            r = run_cpu_child(variant, args, wd, i, pages)
            runs[variant].append(r)
            if (msg := check_cpu_run(r, args.per_offer)) is not None:
                problems.append(f"{variant}: {msg}")

    def med(variant: str, fn: Any) -> float:
        return statistics.median(fn(r) for r in runs[variant])

    summary: dict[str, Any] = {}
    rows = []
    for variant in ("koperasi", "echo"):
        rs = runs[variant]
        n = rs[0]["updates"]
        s = summary[variant] = {
            "updates_per_run": n,
            "cpu_us_per_update_median": med(variant, lambda r: r["cpu_us_per_update"]),
            "cpu_us_per_update_runs": [round(r["cpu_us_per_update"], 1) for r in rs],
            "cpu_us_per_update_main_thread": med(
                variant, lambda r: 1e6 * r["cpu_main_thread_s"] / r["updates"]
            ),
            "cpu_us_per_update_other_threads": med(
                variant, lambda r: 1e6 * r["cpu_other_threads_s"] / r["updates"]
            ),
            "updates_per_s_wall_median": med(variant, lambda r: r["updates_per_s_wall"]),
            "sends_per_update": rs[0]["bot_api_calls"].get("sendMessage", 0) / n,
            "bot_api_calls_per_update": {
                k: round(v / n, 3) for k, v in sorted(rs[0]["bot_api_calls"].items())
            },
        }
        rows.append(
            [
                variant,
                n,
                s["cpu_us_per_update_median"],
                " / ".join(str(x) for x in s["cpu_us_per_update_runs"]),
                s["cpu_us_per_update_main_thread"],
                s["cpu_us_per_update_other_threads"],
                s["updates_per_s_wall_median"],
                s["sends_per_update"],
            ]
        )
    print_table(
        "Part 1 - CPU per update of the offer flow, fake transport (median of runs)",
        ["variant", "updates/run", "CPU us/upd", "runs (us/upd)", "loop thread us",
         "other threads us", "upd/s (wall)", "sends/upd"],
        rows,
    )  # fmt: skip
    k = runs["koperasi"][0]
    offers = k["farmers"]
    summary["updates_per_offer"] = k["updates"] / offers
    summary["replies_per_offer"] = k["sends"].get("farmer", 0) / offers
    summary["cpu_ratio_bot_over_echo"] = ratio(
        summary["koperasi"]["cpu_us_per_update_median"], summary["echo"]["cpu_us_per_update_median"]
    )
    summary["bot_cpu_ms_per_offer"] = (
        summary["koperasi"]["cpu_us_per_update_median"] * summary["updates_per_offer"] / 1000
    )
    print_table(
        "Part 1 - summary",
        ["figure", "value"],
        [
            ["CPU per update, bot / echo", summary["cpu_ratio_bot_over_echo"]],
            ["bot CPU per offer (whole flow + alerts), ms", summary["bot_cpu_ms_per_offer"]],
            ["updates per offer", summary["updates_per_offer"]],
            ["replies to the farmer per offer (counted sends)", summary["replies_per_offer"]],
            ["alerts per offer", k["alerts_sent"] / offers],
        ],
    )
    print(
        "bot Bot API calls per update: "
        + json.dumps(summary["koperasi"]["bot_api_calls_per_update"])
    )
    profiled = None
    if args.profile:
        import io
        import pstats

        profiled = str(wd / "offtake-cpu-koperasi.prof")
        print("  profiled run: koperasi ...", flush=True)
        run_cpu_child("koperasi", args, wd, 99, wd / "offtake-cpu-pages-profiled.json", profiled)
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profiled, stream=out).sort_stats(order).print_stats(25)
            text = out.getvalue()
            print(
                f"\ncProfile of the koperasi run (the event-loop thread's CPU time, "
                f"time.thread_time), top 25 by {order}:\n{text[text.find('   ncalls') :]}"
            )
        print(f"profile saved to {profiled} (python -m pstats {profiled})")
    return {"summary": summary, "runs": runs, "problems": problems, "profile": profiled}


# ================================================================== part 2: flood limits
@dataclass
class FarmerRecord:
    farmer: Someone
    samples: list[dict[str, Any]] = field(default_factory=list)
    messages: int = 0  # bot messages in the farmer's chat at the end
    done: bool = False
    problem: str | None = None


def _text(message: dict[str, Any]) -> str:
    versions = message.get("versions")
    return ((versions[0].get("text") if versions else message.get("text")) or "").strip()


async def play_farmer(
    client: Any,
    rec: FarmerRecord,
    delay: float,
    think: tuple[float, float],
    rng: random.Random,
    cap: float,
    answers: Answers,
) -> None:
    """The farmer waits ``delay``, then makes one offer, answering what the bot asks."""
    await asyncio.sleep(delay)
    f = rec.farmer
    seen = 0
    say: Say = JUAL
    for step in range(MAX_STEPS):
        if step:
            await asyncio.sleep(rng.uniform(*think))
        t_sent = time.time()
        try:
            if say.kind == "text":
                await client.send_message(f.uid, say.text, first_name="Petani")
            else:
                await client.press_button(f.uid, say.text, callback_data=say.data)
        except Exception as exc:  # noqa: BLE001 - report it, the others go on
            rec.problem = f"{say.step}: {type(exc).__name__}: {exc}"
            return

        def asks(messages: list[dict[str, Any]], start: int = seen) -> bool:
            return any(
                answers.reply_to(f, m.get("text"), m.get("reply_markup")) is not None
                for m in messages[start:]
            )

        try:
            messages = await client.wait_for(f.uid, asks, timeout=cap)
        except TimeoutError:
            rec.samples.append({"step": say.step, "sent": t_sent, "latency": None})
            rec.problem = f"no question after {say.step} within {cap:.0f} s"
            return
        new = messages[seen:]
        seen = rec.messages = len(messages)
        last = [m for m in new if answers.reply_to(f, m.get("text"), m.get("reply_markup"))][-1]
        rec.samples.append(
            {
                "step": say.step,
                "sent": t_sent,
                "latency": new[0]["sent_at"] - t_sent,  # the first message the farmer sees
                "question_latency": last["sent_at"] - t_sent,
            }
        )
        nxt = answers.reply_to(f, last.get("text"), last.get("reply_markup"))
        if nxt == DONE:
            rec.done = True
            return
        say = nxt  # type: ignore[assignment]
    rec.problem = f"no offer after {MAX_STEPS} answers (last: {_text(last)[:60]!r})"


def count_unfinished(db_path: Path) -> int | None:
    """Updates the bot stored but has not finished (its SQLite inbox), read-only."""
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=2) as conn:
            return conn.execute("SELECT count(*) FROM inbox WHERE applied_at IS NULL").fetchone()[0]
    except sqlite3.Error:
        return None


async def sample(client: Any, db_path: Path, out: list[dict[str, Any]], every: float = 1.0) -> None:
    while True:
        try:
            stats = await client.stats()
            unfinished = await asyncio.to_thread(count_unfinished, db_path)
            out.append({"t": time.time(), "sends": stats["sends"], "refused_429": stats["refused_429"],
                        "unfetched": stats["pending_updates"], "unfinished": unfinished})  # fmt: skip
        except Exception:  # noqa: BLE001 - a missed sample is no reason to stop
            pass
        await asyncio.sleep(every)


async def wait_polling(client: Any, bot: BotProcess, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while (await client.stats())["requests"].get("getUpdates", 0) == 0:
        if not bot.alive():
            raise RuntimeError(f"the bot exited at start-up:\n{bot.log_tail()}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the bot did not start polling in {limit:.0f} s:\n{bot.log_tail()}")
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)


async def run_phase(
    name: str,
    farmers: list[Someone],
    rate: float,
    *,
    client: Any,
    bot: BotProcess,
    emu: Any,
    db_path: Path,
    plan: Plan,
    answers: Answers,
    args: argparse.Namespace,
    alerts: bool,
) -> dict[str, Any]:
    print(
        f"  {name}: {len(farmers)} farmers starting at {rate:.2f}/s "
        f"({len(farmers) / rate:.0f} s), think {args.think[0]:g}-{args.think[1]:g} s"
        + (f"; each offer alerts {plan.per_offer} coordinators" if alerts else "; nobody alerted")
        + " ...",
        flush=True,
    )
    await client.reset_stats()
    samples: list[dict[str, Any]] = []
    sampler = asyncio.create_task(sample(client, db_path, samples))
    rng = random.Random(f"{args.seed}-{name}")
    records = [FarmerRecord(f) for f in farmers]
    cpu0, emu_cpu0 = bot.cpu_seconds(), emu.cpu_seconds()
    t0 = time.time()
    tasks = [
        asyncio.create_task(
            play_farmer(client, rec, i / rate, tuple(args.think), random.Random(rng.random()),
                        args.reply_cap, answers)
        )
        for i, rec in enumerate(records)
    ]  # fmt: skip
    await asyncio.gather(*tasks)
    t_farmers = time.time()
    offers_made = sum(r.done for r in records)
    expected = offers_made * plan.per_offer if alerts else 0
    farmer_messages = sum(r.messages for r in records)
    delivered_by_stats = 0
    if expected:
        deadline = time.monotonic() + expected / 15.0 + 120.0
        while time.monotonic() < deadline:
            delivered_by_stats = (await client.stats())["sends"] - farmer_messages
            if delivered_by_stats >= expected or not bot.alive():
                break
            await asyncio.sleep(1.0)
    stats = await client.stats()
    t_end = time.time()
    cpu1, emu_cpu1 = bot.cpu_seconds(), emu.cpu_seconds()
    sampler.cancel()
    alert_times: list[float] = []
    per_coordinator: dict[int, int] = {}
    numbers: set[tuple[int, str]] = set()
    if alerts:
        for c in plan.coordinators:
            got = [m for m in await client.messages(c.uid) if _text(m).startswith(answers.alert)]
            per_coordinator[c.uid] = len(got)
            alert_times += [m["sent_at"] for m in got]
            for m in got:
                found = OFFER_NUMBER.search(_text(m))
                numbers.add((c.uid, found.group(0) if found else _text(m)[:30]))
    lat = [s["latency"] for r in records for s in r.samples if s["latency"] is not None]
    qlat = [s["question_latency"] for r in records for s in r.samples if s.get("question_latency")]
    by_step: dict[str, list[float]] = {}
    for r in records:
        for s in r.samples:
            if s["latency"] is not None:
                by_step.setdefault(s["step"], []).append(s["latency"])
    last_reply = max(
        (s["sent"] + s["latency"] for r in records for s in r.samples if s["latency"] is not None),
        default=t_farmers,
    )
    last_alert = max(alert_times, default=None)
    finished = max(last_reply, last_alert or 0.0)
    elapsed = finished - t0
    sends = stats["sends"]
    minimum = sends / TELEGRAM_RATE
    drain = [t for t in alert_times if t > last_reply]
    drain_rate = (
        len(drain) / (max(drain) - last_reply)
        if len(drain) > 1 and max(drain) > last_reply
        else None
    )
    windows: dict[int, list[float]] = {}
    for r in records:
        for s in r.samples:
            if s["latency"] is not None:
                windows.setdefault(int((s["sent"] - t0) // 30), []).append(s["latency"])
    problems = Counter(r.problem.split(":")[0] for r in records if r.problem)
    return {
        "phase": name,
        "farmers": len(farmers),
        "start_rate_per_s": rate,
        "offers_made": offers_made,
        "alerts_expected": expected,
        "alerts_delivered": len(alert_times),
        "alerts_delivered_unique": len(numbers),
        "alerts_per_coordinator_min_max": [
            min(per_coordinator.values()),
            max(per_coordinator.values()),
        ]
        if per_coordinator
        else None,
        "t_farmers_done_s": t_farmers - t0,
        "last_reply_s": last_reply - t0,
        "last_alert_s": None if last_alert is None else last_alert - t0,
        "elapsed_s": elapsed,
        "sends": sends,
        "sends_to_farmers": farmer_messages,
        "minimum_s": minimum,
        "minimum_over_elapsed": minimum / elapsed if elapsed > 0 else None,
        "send_rate_over_limit": sends / elapsed / TELEGRAM_RATE if elapsed > 0 else None,
        "alert_rate_over_limit": len(alert_times) / elapsed / TELEGRAM_RATE
        if alerts and elapsed > 0
        else None,
        "alerts_after_last_reply": len(drain),
        "drain_rate_over_limit": None if drain_rate is None else drain_rate / TELEGRAM_RATE,
        "refused_429": stats["refused_429"],
        "emulator_errors": stats["errors"],
        "replies": latency_summary(lat),
        "question_latency": latency_summary(qlat),
        "replies_missing": sum(1 for r in records for s in r.samples if s["latency"] is None),
        "reply_p50_by_step_s": {k: latency_summary(v)["p50_s"] for k, v in by_step.items()},
        "reply_p95_by_step_s": {k: latency_summary(v)["p95_s"] for k, v in by_step.items()},
        "reply_p95_by_30s_window_s": {
            f"{30 * k}-{30 * k + 30}": latency_summary(v)["p95_s"]
            for k, v in sorted(windows.items())
        },
        "farmer_problems": dict(problems),
        "farmer_problem_samples": [r.problem for r in records if r.problem][:3],
        "max_unfinished_updates_in_bot": max(
            (s["unfinished"] for s in samples if s["unfinished"] is not None), default=None
        ),
        "max_unfetched_updates": max((s["unfetched"] for s in samples), default=None),
        "bot_cpu_util": None if cpu0 is None or cpu1 is None else (cpu1 - cpu0) / (t_end - t0),
        "emulator_cpu_util": None
        if emu_cpu0 is None or emu_cpu1 is None
        else (emu_cpu1 - emu_cpu0) / (t_end - t0),
        "samples": [{**s, "t": round(s["t"] - t0, 2)} for s in samples],
    }


async def part_flood(
    args: argparse.Namespace, wd: Path, replies_per_offer: float
) -> dict[str, Any]:
    import httpx

    from bench.priority import EmulatorProcess
    from emulator import SandboxClient

    plan = make_plan(
        args.offers, args.coordinators, args.per_offer, ALERTS_FARMER_FIRST_ID,
        args.baseline_farmers,
    )  # fmt: skip
    per_offer_sends = replies_per_offer + args.per_offer
    rate = min(args.load * BOT_RATE / per_offer_sends, 0.75 * BOT_RATE / replies_per_offer)
    minimum = args.offers * per_offer_sends / TELEGRAM_RATE
    print(
        f"\npart 2 - {args.offers} offers, {args.coordinators} coordinators, {args.per_offer} alerted per "
        f"offer ({args.offers * args.per_offer} alerts, {len(plan.areas) - 1} areas), flood limits ON, "
        f"latency {args.latency * 1000:.0f} ms; ~{per_offer_sends:.1f} sends per offer -> at least "
        f"{minimum:.0f} s at 30/s",
        flush=True,
    )
    db_path = wd / f"offtake-flood-{time.monotonic_ns()}.sqlite3"
    await seed(db_path, plan)
    answers = Answers()
    emu = await EmulatorProcess(args.latency, wd).started()
    http = httpx.AsyncClient(
        timeout=args.reply_cap + 30,
        trust_env=False,
        limits=httpx.Limits(max_connections=None, max_keepalive_connections=512),
    )
    client = SandboxClient(emu.base_url, timeout=30.0, http=http)
    bot = None
    results: dict[str, Any] = {}
    try:
        bot = BotProcess(
            "koperasi", emu.base_url, emu.token, wd, db_path=db_path, concurrency=args.concurrency
        )
        await wait_polling(client, bot)

        async def hello(c: Someone) -> None:
            await client.send_message(c.uid, "/help", first_name="Koordinator")
            await client.wait_for_messages(c.uid, 1, timeout=60)

        await asyncio.gather(*(hello(c) for c in plan.coordinators))
        common = dict(client=client, bot=bot, emu=emu, db_path=db_path, plan=plan,
                      answers=answers, args=args)  # fmt: skip
        if plan.baseline_farmers:
            results["baseline"] = await run_phase(
                "baseline", plan.baseline_farmers, rate, alerts=False, **common
            )
        results["alerts"] = await run_phase("alerts", plan.farmers, rate, alerts=True, **common)
        bot_backoffs = bot.log_count("Telegram asked to wait")
        bot_errors = bot.log_errors()
    finally:
        if bot is not None:
            await bot.stop()
        await http.aclose()
        await emu.stop()
    return {
        "plan": {
            "offers": args.offers,
            "coordinators": args.coordinators,
            "per_offer": args.per_offer,
            "areas": plan.areas[:-1],
            "baseline_area": plan.areas[-1],
            "start_rate_per_s": rate,
            "replies_per_offer_assumed": replies_per_offer,
        },
        "phases": results,
        "bot_429_backoffs": bot_backoffs,
        "bot_errors": bot_errors[:5],
        "bot_error_count": len(bot_errors),
        "bot_log": str(bot.log_path) if bot else None,
    }


def report_flood(flood: dict[str, Any]) -> dict[str, Any]:
    phases = flood["phases"]
    rows = []
    for name, r in phases.items():
        rep = r["replies"]
        rows.append(
            [
                name,
                r["offers_made"],
                f"{r['alerts_delivered']}/{r['alerts_expected']}",
                r["sends"],
                f"{r['elapsed_s']:.0f} s",
                f"{r['minimum_s']:.0f} s",
                r["minimum_over_elapsed"],
                r["send_rate_over_limit"],
                r["drain_rate_over_limit"],
                r["refused_429"],
                fmt_ms(rep["p50_s"]),
                fmt_ms(rep["p95_s"]),
                fmt_ms(rep["max_s"]),
                r["replies_missing"],
                r["max_unfinished_updates_in_bot"],
            ]
        )
    print_table(
        "Part 2 - offers -> coordinator alerts under the flood limits (emulator: 30/s, 1/s per chat)",
        ["phase", "offers", "alerts", "sends", "time", "min (sends/30)", "min/time",
         "sends/s / 30", "drain alerts/s / 30", "429s", "reply p50", "reply p95", "reply max",
         "missing", "max unfinished upd"],
        rows,
    )  # fmt: skip
    a, b = phases.get("alerts"), phases.get("baseline")
    summary: dict[str, Any] = {}
    if a:
        summary.update(
            time_to_all_alerts_s=a["last_alert_s"],
            minimum_s=a["minimum_s"],
            minimum_over_time=a["minimum_over_elapsed"],
            send_rate_over_limit=a["send_rate_over_limit"],
            alert_rate_over_limit=a["alert_rate_over_limit"],
            drain_rate_over_limit=a["drain_rate_over_limit"],
            refused_429=a["refused_429"],
            reply_p95_s=a["replies"]["p95_s"],
        )
    if a and b:
        summary["reply_p95_alerts_over_baseline"] = ratio(
            a["replies"]["p95_s"], b["replies"]["p95_s"]
        )
        summary["reply_p50_alerts_over_baseline"] = ratio(
            a["replies"]["p50_s"], b["replies"]["p50_s"]
        )
    if a:
        print_table(
            "Part 2 - summary",
            ["figure", "value"],
            [
                [f"time: first /jual -> last of {a['alerts_delivered']} alerts", f"{a['last_alert_s'] or 0:.0f} s"],
                ["theoretical minimum (all sends / 30 per s)", f"{a['minimum_s']:.0f} s"],
                ["minimum / time (1.0 = flood limit fully used)", a["minimum_over_elapsed"]],
                ["all sends/s / 30", a["send_rate_over_limit"]],
                ["alert sends/s / 30 (over the whole time)", a["alert_rate_over_limit"]],
                ["alerts/s / 30 after the last farmer reply (drain only)", a["drain_rate_over_limit"]],
                ["429 refusals (emulator) / bot back-offs", f"{a['refused_429']} / {flood['bot_429_backoffs']}"],
                ["farmer reply p95, alerts / baseline", summary.get("reply_p95_alerts_over_baseline")],
                ["farmer reply p50, alerts / baseline", summary.get("reply_p50_alerts_over_baseline")],
                ["farmers started per second", flood["plan"]["start_rate_per_s"]],
            ],
        )  # fmt: skip
    for name, r in phases.items():
        steps = ", ".join(f"{k}: {fmt_ms(v)}" for k, v in r["reply_p95_by_step_s"].items())
        print(f"{name}: reply p95 by step {{{steps}}}")
        print(
            f"{name}: question latency (to the message asking the next thing) p50/p95 "
            f"{fmt_ms(r['question_latency']['p50_s'])}/{fmt_ms(r['question_latency']['p95_s'])}; "
            f"last farmer reply at {r['last_reply_s']:.0f} s; max unfetched at the emulator "
            f"{r['max_unfetched_updates']}; bot CPU {r['bot_cpu_util'] or 0:.2f}, emulator CPU "
            f"{r['emulator_cpu_util'] or 0:.2f}"
        )
        extra = {
            k: r[k]
            for k in ("farmer_problems", "farmer_problem_samples", "emulator_errors")
            if r[k]
        }
        if extra:
            print(f"{name}: {extra}")
    if flood["bot_error_count"]:
        print(
            f"bot logged {flood['bot_error_count']} error line(s), e.g. {flood['bot_errors'][:2]}"
        )
    return summary


# ================================================================== main
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="python -m bench.offtake",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 40 CPU farmers x 1 run; 15 offers, 10 coordinators, 4 baseline farmers",
    )
    ap.add_argument(
        "--cpu-farmers", type=int, help="part 1: farmers, one offer each (default 500; quick 40)"
    )
    ap.add_argument(
        "--repeat", type=int, help="part 1: runs per variant, alternating (default 3; quick 1)"
    )
    ap.add_argument(
        "--offers", type=int, help="part 2: farmers making one offer each (default 1000; quick 15)"
    )
    ap.add_argument("--coordinators", type=int, help="coordinators (default 50; quick 10)")
    ap.add_argument(
        "--per-offer",
        type=int,
        default=5,
        help="coordinators alerted per offer: each area is covered by this many (default 5; "
        "50 = every offer alerts all 50)",
    )
    ap.add_argument(
        "--baseline-farmers",
        type=int,
        help="part 2: farmers in an area nobody covers, before the alerts phase (default 100; "
        "quick 4; 0 skips)",
    )
    ap.add_argument(
        "--load",
        type=float,
        default=1.2,
        help="farmers start at this multiple of the rate the flood budget can carry (default 1.2)",
    )
    ap.add_argument(
        "--think",
        type=float,
        nargs=2,
        metavar=("MIN", "MAX"),
        help="seconds a farmer takes before each answer (default 1 3; quick 0.3 0.7)",
    )
    ap.add_argument(
        "--latency", type=float, default=0.1, help="emulated seconds per Bot API call (default 0.1)"
    )
    ap.add_argument(
        "--reply-cap",
        type=float,
        default=300.0,
        help="seconds a farmer waits for the bot's next question before giving up (default 300)",
    )
    ap.add_argument(
        "--skip", action="append", default=[], choices=["cpu", "flood"], help="skip a part"
    )
    ap.add_argument(
        "--concurrency",
        type=int,
        default=64,
        help="what-if: KOPERASI_CONCURRENCY of the part 2 bot (default 64, as deployed)",
    )
    ap.add_argument(
        "--profile",
        action="store_true",
        help="part 1: one more koperasi run under cProfile, top 25 by own and cumulative time",
    )
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workdir", help="where databases, pages and logs go (default: new temp dir)")
    ap.add_argument("--json", help="write the results as JSON to this path")
    ap.add_argument("--child", choices=["koperasi", "echo"], help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    ap.add_argument("--pages", help=argparse.SUPPRESS)
    ap.add_argument("--profile-out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)  # fmt: skip
    q = args.quick
    args.cpu_farmers = args.cpu_farmers or (40 if q else 500)
    args.repeat = args.repeat or (1 if q else 3)
    args.offers = args.offers or (15 if q else 1000)
    args.coordinators = args.coordinators or (10 if q else 50)
    if args.baseline_farmers is None:
        args.baseline_farmers = 4 if q else 100
    args.think = args.think or ([0.3, 0.7] if q else [1.0, 3.0])
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        pages = Path(args.pages)
        replay = json.loads(pages.read_text()) if args.child == "echo" else None
        result, recorded = asyncio.run(_cpu_child(args, replay))
        if recorded:
            pages.write_text(json.dumps(recorded))
        print("RESULT " + json.dumps(result))
        return 0
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    wd = workdir(args.workdir, "koperasi-bench-offtake-")
    info = machine_info()
    print(f"offtake benchmark; workdir {wd}")
    print(
        f"machine: {info['cpus']} CPUs, load {info['loadavg_at_start']}, python {info['python']}, PTB {info['ptb']}; "
        f"bot at commit {info['git_head']}"
        + (f" + uncommitted {info['git_modified_files']}" if info["git_modified_files"] else "")
    )
    result: dict[str, Any] = {
        "benchmark": "offtake",
        "args": {
            k: v for k, v in vars(args).items() if k not in ("child", "db", "pages", "profile_out")
        },
        "machine": info,
    }
    problems: list[str] = []
    replies_per_offer = DEFAULT_REPLIES_PER_OFFER
    if "cpu" not in args.skip:
        cpu = part_cpu(args, wd)
        result["cpu"] = cpu
        problems += cpu["problems"]
        replies_per_offer = cpu["summary"]["replies_per_offer"] or replies_per_offer
    if "flood" not in args.skip:
        flood = asyncio.run(part_flood(args, wd, replies_per_offer))
        flood["summary"] = report_flood(flood)
        result["flood"] = flood
        for name, r in flood["phases"].items():
            if r["farmer_problems"]:
                problems.append(f"{name}: farmers {r['farmer_problems']}")
            if r["alerts_delivered_unique"] < r["alerts_expected"]:
                problems.append(
                    f"{name}: {r['alerts_delivered_unique']} of {r['alerts_expected']} alerts delivered"
                )
    if problems:
        print("\nPROBLEMS: " + "; ".join(problems))
    result["problems"] = problems
    caveat = load_caveat()
    print(f"\nload: {caveat}")
    result["load_caveat"] = caveat
    write_json(args.json, result)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
