"""Broadcast: 10,000 subscribers told a new price through the flood limits, while 50 people
keep using the bot; free (30/s) and paid broadcasts (1,000/s).

Set-up (per mode, each on a fresh copy of one seeded SQLite file):

* seeded before the bot starts, with the storage use cases in one transaction
  (``orgs.add``, ``prices.set_price``, ``people.insert_person`` + ``add_role``,
  ``registration.register_farmer``, ``subscriptions.subscribe``): a cooperative covering
  Jawa Tengah (``33``) with a gabah GKP buying price there (Rp6.500 since 2025-01-01);
  ``--subscribers`` (default 10,000) farmers in Kujon, Ceper, Kab. Klaten (33.10.11.2004),
  each subscribed to gabah; ``--people`` (default 50) farmers in Pokak, Ceper (33.10.11.2005),
  subscribed to nothing (so not told); one administrator of the cooperative;
* the Bot API emulator in its own process with Telegram's flood limits ON
  (``python -m emulator --port 0 --flood --latency 0.1``: 30 sends/s overall, 1/s per private
  chat with bursts of 3; a send with ``allow_paid_broadcast=true`` counts against 1,000/s of
  its own instead of the 30/s). Every subscriber "started the bot some time ago"
  (``add_user(open_chat=True)``: the bot may write to them, no update is queued);
* koperasi-bot as deployed in its own process (``python -m bot run``, default send budget:
  29/s, 0.95/s per chat, broadcasts in the bulk lane; 980/s paid lane) long-polling the
  emulator on the seeded file, with ``KOPERASI_PAID_BROADCAST=off`` (mode ``free``) or ``on``
  (mode ``paid``); ``KOPERASI_DIGEST_TIME`` is moved 12 hours away from now so that the
  morning digest cannot start during the run.

Then, per mode:

1. the people start (each at a random moment in the first 4 s) and repeat, until the
   broadcast is delivered: /harga -> /language -> press "Bahasa Indonesia" -> /help, with a
   think time of ``--think`` (default 2-6 s) after each reply. Each action gets exactly one
   new bot message (the press also edits the /language message); latency = the person's
   update -> that message (emulator clock, 100 ms emulated latency of every Bot API call the
   handler makes included). ``--baseline`` seconds (default 30) of this with no broadcast:
   the baseline p50/p95;
2. the administrator drives /setharga through the emulator, answering what the bot asks
   (``--admin-think``, default 1.5 s, to read each question): /setharga, presses
   "💰 Harga beli koperasi", types "gabah", presses "GKP (gabah kering panen)", types
   "7.000", presses "✅ Ya, simpan", then presses
   "📣 Kirim ke pelanggan sekarang" under the answer (``handlers.prices.on_tell`` ->
   ``tell_price_change``: one message per subscriber of gabah in the area where the new price
   is in force, into the outbox, sent by ``bot.runtime.broadcast.OutboxSender``);
3. the run waits until the administrator gets the broadcast's summary ("📣 Siaran sudah
   selesai dikirim."), then reads every subscriber's chat at the emulator.

Measured: the time from the press of 📣 to the last subscriber message delivered (its
``sent_at`` at the emulator), and from the first to the last delivered (the drain); the
delivery rate over the drain / the allowed rate (30/s free; 1,000/s paid); the use of the 30/s
budget over the drain: every counted send (broadcast + the people's replies + the
administrator's) / 30 for free broadcasts, which share that one budget with the replies (the
bot keeps 29/s of it: 0.967 at most, a little more from the first burst); the replies only for
paid ones; how long the press of 📣 took to be answered ("Sedang dikirim ke N pelanggan": the
messages are rendered and queued inside that update); 429 refusals at the emulator and the
bot's back-offs; duplicates (a chat with more than one message), missing and wrong messages;
the people's reply p50/p95 during the broadcast (sent between the press and the last
delivery; also while the 📣 update was queueing, and per 30 s) and in the baseline; the edits
of the administrator's progress message; the CPU share of the bot's event-loop thread, its
other threads and the emulator during the drain. Baselines in the same run: the theoretical
minimum (messages / allowed rate) and the people's reply times with no broadcast running.

Free broadcasts share the 30/s with the replies: 50 people at 2-6 s think time take ~12 of
the bot's 29 sends/s, so 10,000 messages drain at ~17/s, in ~10 minutes, not the 333 s the
broadcast alone would need; ``--people 0`` measures the broadcast alone.

    python -m bench.broadcast               # full run (~13 min: the free run ~10.5 min)
    python -m bench.broadcast --quick       # smoke run (~1 min: 800 subscribers, 10 people)
    python -m bench.broadcast --modes paid --subscribers 20000
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import os
import random
import re
import sqlite3
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from bench.common import (
    BotProcess,
    fmt,
    fmt_ms,
    latency_summary,
    load_caveat,
    machine_info,
    print_table,
    ratio,
    workdir,
    write_json,
)

REGION = "33"  # Jawa Tengah: the cooperative's area and where its gabah price holds
SUBSCRIBER_VILLAGE = "33.10.11.2004"  # Kujon, Ceper, Kab. Klaten
PEOPLE_VILLAGE = "33.10.11.2005"  # Pokak, Ceper, Kab. Klaten (not subscribed to anything)
OLD_PRICE = 6500
NEW_PRICE_TYPED = "7.000"
NEW_PRICE_SHOWN = "Rp7.000"
PRICES_FROM = datetime(2025, 1, 1, tzinfo=UTC)
SUBSCRIBER_FIRST_ID = 700_001
PEOPLE_FIRST_ID = 900_001
ADMIN_ID = 950_001
FREE_RATE = 30.0  # the emulator's (Telegram's) overall flood limit, sends per second
PAID_RATE = 1000.0  # the emulator's paid-broadcast limit
MODES = {"free": ("off", FREE_RATE), "paid": ("on", PAID_RATE)}


# ------------------------------------------------------------------ the words the bot says
class Words:
    """What the bot says and shows, in Indonesian, from its catalogs (``bot.i18n``)."""

    def __init__(self) -> None:
        from bot.i18n import gettext, load_catalogs, ngettext, use_locale
        from domain.people import LANGUAGE_LABELS
        from domain.produce import CATALOG

        load_catalogs()

        def head(text: str) -> str:
            return text.split("{", 1)[0]

        with use_locale("id"):
            self.grade = gettext(next(g.label for g in CATALOG["gabah"].grades if g.code == "GKP"))
            self.yes = gettext("✅ Yes, save")
            self.buying = gettext("💰 The cooperative's buying price")
            self.area = "Jawa Tengah"  # the cooperative's one area (the step is skipped then)
            self.nobody = gettext("Nobody in that area follows this price yet.")
            self.tell = gettext("📣 Send it to the subscribers now")
            self.which_produce = gettext(
                "Which produce is the price for? Tap it, or type its name."
            )
            self.type_price = head(gettext("Type the new price per {unit}, for example {example}."))
            self.check = gettext("Please check the new buying price:")
            self.saved = head(
                gettext("Saved. Farmers in {area} now see {price} per {unit} for {produce}.")
            )
            self.sending = head(  # the handler counts them (ngettext): its plural form
                ngettext(
                    "Sending it to {count} subscriber. This message shows how it goes.",
                    "Sending it to {count} subscribers. This message shows how it goes.",
                    2,
                )
            )
            self.progress = gettext("📣 Sending the broadcast…")
            self.done = gettext("📣 The broadcast is done.")
            self.told = head(gettext("New cooperative price from {date}:"))
            self.prices = head(gettext("The cooperative's buying prices in {village}, {date}:"))
            self.choose_language = gettext("Choose your language:")
            self.language = LANGUAGE_LABELS["id"]
            self.language_set = head(gettext("OK. I will speak {language} with you."))
            self.help = gettext("Here is what you can do:")
        # (kind, argument, start of the one new message expected)
        self.cycle = [
            ("text", "/harga", self.prices),
            ("text", "/language", self.choose_language),
            ("press", self.language, self.language_set),
            ("text", "/help", self.help),
        ]


# ------------------------------------------------------------------ the database
def subscriber_ids(n: int) -> list[int]:
    return [SUBSCRIBER_FIRST_ID + i for i in range(n)]


def people_ids(n: int) -> list[int]:
    return [PEOPLE_FIRST_ID + i for i in range(n)]


async def seed(path: Path, subscribers: int, people_count: int) -> dict[str, Any]:
    """A migrated SQLite file with the cooperative, its gabah price, the subscribers, the
    people and the administrator (one transaction; no update is involved)."""
    from domain.people import Role
    from storage import orgs, people, prices, registration, subscriptions
    from storage.db import Database
    from storage.migrate import migrate

    t0 = time.monotonic()
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
            await prices.set_price(
                conn, commodity="gabah", grade="GKP", area_prefix=REGION,
                price_rupiah=OLD_PRICE, valid_from=PRICES_FROM,
            )  # fmt: skip
            admin = await people.insert_person(
                conn, telegram_user_id=ADMIN_ID, chat_id=ADMIN_ID, full_name="Admin Koperasi",
                phone=f"+62811{ADMIN_ID:07d}", language="id", timezone="Asia/Jakarta", org_id=org_id,
            )  # fmt: skip
            await people.add_role(conn, admin, Role.ADMIN)
            for uid in subscriber_ids(subscribers):
                who = registration.Applicant(uid, uid, f"+62813{uid:07d}", "id", f"Petani {uid}")
                done = await registration.register_farmer(conn, who, SUBSCRIBER_VILLAGE)
                await subscriptions.subscribe(conn, done.person_id, "gabah")
            for uid in people_ids(people_count):
                who = registration.Applicant(uid, uid, f"+62812{uid:07d}", "id", f"Petani {uid}")
                await registration.register_farmer(conn, who, PEOPLE_VILLAGE)
    with sqlite3.connect(path) as conn:
        counts = {
            "people": conn.execute("SELECT count(*) FROM people").fetchone()[0],
            "gabah_subscribers": conn.execute(
                "SELECT count(*) FROM price_subscriptions WHERE commodity = 'gabah'"
            ).fetchone()[0],
        }
    return {**counts, "seconds": time.monotonic() - t0}


def copy_db(source: Path, target: Path) -> None:
    """A consistent copy (SQLite's backup API: the WAL included)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def count_unfinished(db_path: Path) -> int | None:
    """Updates the bot stored but has not finished (its SQLite inbox), read-only."""
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=2) as conn:
            return conn.execute("SELECT count(*) FROM inbox WHERE applied_at IS NULL").fetchone()[0]
    except sqlite3.Error:
        return None


def outbox_states(db_path: Path) -> dict[str, int]:
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5) as conn:
            rows = conn.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall()
            return {state: n for state, n in rows}
    except sqlite3.Error as exc:
        return {"error": str(exc)}  # type: ignore[dict-item]


def digest_clock() -> str:
    """KOPERASI_DIGEST_TIME 12 hours from now in WIB: no morning digest during the run."""
    wib = datetime.now(timezone(timedelta(hours=7))) + timedelta(hours=12)
    return wib.strftime("%H:%M")


# ------------------------------------------------------------------ people
def _text(message: dict[str, Any]) -> str:
    return (message.get("text") or message.get("caption") or "").strip()


async def person(
    client: Any,
    uid: int,
    words: Words,
    rng: random.Random,
    think: tuple[float, float],
    stop: asyncio.Event,
    cap: float,
    samples: list[dict[str, Any]],
    problems: Counter,
) -> None:
    n = len(await client.messages(uid))
    try:
        await asyncio.wait_for(stop.wait(), rng.uniform(0.0, 4.0))
        return
    except TimeoutError:
        pass
    for kind, arg, expected in itertools.cycle(words.cycle):
        if stop.is_set():
            return
        t_sent = time.time()
        try:
            if kind == "text":
                await client.send_message(uid, arg, first_name="Petani")
            else:
                await client.press_button(uid, arg)
        except Exception as exc:  # noqa: BLE001 - report it, the others go on
            problems[f"{arg}: {type(exc).__name__}"] += 1
            return
        try:
            msgs = await client.wait_for_messages(uid, n + 1, timeout=cap)
        except TimeoutError:
            samples.append({"chat": uid, "action": arg, "sent": t_sent, "latency": None})
            problems[f"{arg}: no reply within {cap:.0f} s"] += 1
            return
        reply = msgs[n]
        n = len(msgs)
        if not _text(reply).startswith(expected):
            problems[f"unexpected reply to {arg}: {_text(reply)[:50]!r}"] += 1
        samples.append(
            {"chat": uid, "action": arg, "sent": t_sent, "latency": reply["sent_at"] - t_sent}
        )
        try:
            await asyncio.wait_for(stop.wait(), rng.uniform(*think))
            return
        except TimeoutError:
            pass


# ------------------------------------------------------------------ the administrator
async def drive_admin(
    client: Any, words: Words, think: float = 1.5, cap: float = 120.0
) -> dict[str, Any]:
    """/setharga to the end, then 📣, answering what the bot asks (as a person would, from the
    bot's last message: a changed flow is followed, not scripted). Returns each step's reply
    time and when 📣 was pressed."""
    done = "told"

    def answer(m: dict[str, Any]) -> tuple[str, str, str] | str | None:
        buttons = m.get("buttons") or []
        text = _text(m)
        if text.startswith(words.sending) or text.startswith(words.nobody):
            return done
        for name, label in (("📣", words.tell), ("confirm", words.yes), ("kind", words.buying),
                            ("grade", words.grade), ("area", words.area)):  # fmt: skip
            if label in buttons:
                return (name, "press", label)
        if text.startswith(words.which_produce):
            return ("produce", "text", "gabah")
        if text.startswith(words.type_price):
            return ("price", "text", NEW_PRICE_TYPED)
        return None

    steps: list[dict[str, Any]] = []
    seen = len(await client.messages(ADMIN_ID))
    action: tuple[str, str, str] = ("/setharga", "text", "/setharga")
    t_start = time.time()
    t_press = None
    for step in range(12):
        name, kind, arg = action
        if step:
            await asyncio.sleep(think)  # reads the question (and the bot's per-chat budget refills)
        t = time.time()
        if name == "📣":
            t_press = t
        if kind == "text":
            await client.send_message(ADMIN_ID, arg, first_name="Admin")
        else:
            await client.press_button(ADMIN_ID, arg)

        def asks(messages: list[dict[str, Any]], start: int = seen) -> bool:
            return any(answer(m) is not None for m in messages[start:])

        try:
            messages = await client.wait_for(ADMIN_ID, asks, timeout=cap)
        except TimeoutError:
            last = (await client.messages(ADMIN_ID))[-1:]
            raise RuntimeError(
                f"administrator: nothing to answer after {arg!r} within {cap:.0f} s; last: "
                f"{_text(last[0])[:80] if last else None!r}"
            ) from None
        new = messages[seen:]
        seen = len(messages)
        steps.append({"step": name, "sent": t, "latency": new[0]["sent_at"] - t})
        last = [m for m in new if answer(m) is not None][-1]
        nxt = answer(last)
        if nxt == done:
            break
        action = nxt  # type: ignore[assignment]
    else:
        raise RuntimeError(f"administrator: no broadcast after 12 answers (last: {_text(last)!r})")
    if t_press is None:
        raise RuntimeError(f"administrator: the bot said {_text(last)!r} before 📣 was pressed")
    count = re.search(r"\d[\d.]*", _text(last)[len(words.sending) :])
    return {
        "t_start": t_start,
        "t_press": t_press,
        "told_text": _text(last),
        "told_count": int(count.group(0).replace(".", "")) if count else 0,
        "steps": steps,
    }


async def watch_admin(client: Any, words: Words, out: list[dict[str, Any]], stop: asyncio.Event):
    """Every change of the administrator's chat: the progress message's text as shown."""
    state = await client.transcript(ADMIN_ID)
    while not stop.is_set():
        try:
            state = await client.wait_change(ADMIN_ID, state["version"], timeout=5.0)
        except Exception:  # noqa: BLE001 - a missed change is no reason to stop
            await asyncio.sleep(0.5)
            continue
        for m in state["messages"]:
            first = (m.get("versions") or [{}])[0].get("text") or ""
            if first.startswith(words.progress):
                shown = _text(m)
                if not out or out[-1]["text"] != shown:
                    out.append({"t": time.time(), "text": shown, "versions": len(m["versions"])})


async def sample(
    client: Any, db_path: Path, bot: BotProcess, emu: Any, out: list[dict[str, Any]],
    every: float = 1.0,
) -> None:  # fmt: skip
    """Every second: the emulator's counters, the bot's unfinished updates, CPU seconds."""
    while True:
        try:
            stats = await client.stats()
            unfinished = await asyncio.to_thread(count_unfinished, db_path)
            threads = bot.thread_cpu() or {}
            out.append({
                "t": time.time(), "sends": stats["sends"], "paid": stats["paid_broadcasts"],
                "refused_429": stats["refused_429"], "unfetched": stats["pending_updates"],
                "unfinished": unfinished, "bot_loop_cpu": threads.get("main"),
                "bot_other_cpu": threads.get("other"), "emu_cpu": emu.cpu_seconds(),
            })  # fmt: skip
        except Exception:  # noqa: BLE001 - a missed sample is no reason to stop
            pass
        await asyncio.sleep(every)


def bulk_control(control_url: str, action: str, payloads: list[dict[str, Any]], threads: int = 8):
    """The same control call for thousands of people, from threads with keep-alive
    ``http.client`` connections: ~10x faster than httpx here (10,000 chats opened in ~3 s,
    not ~30 s), which keeps the set-up and the final count short."""
    import http.client
    import json
    import threading
    from concurrent.futures import ThreadPoolExecutor
    from urllib.parse import urlparse

    url = urlparse(control_url)
    local = threading.local()

    def call(payload: dict[str, Any]) -> Any:
        for attempt in range(3):
            conn = getattr(local, "conn", None)
            if conn is None:
                conn = local.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
            try:
                conn.request("POST", f"{url.path}/{action}", json.dumps(payload),
                             {"Content-Type": "application/json"})  # fmt: skip
                data = json.loads(conn.getresponse().read())
            except (OSError, http.client.HTTPException):
                conn.close()
                local.conn = None
                if attempt == 2:
                    raise
                continue
            if not data.get("ok"):
                raise RuntimeError(f"{action} {payload}: {data.get('error')}")
            return data["result"]
        return None

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(call, payloads))


# ------------------------------------------------------------------ one mode
async def run_mode(mode: str, args: argparse.Namespace, wd: Path, seeded: Path) -> dict[str, Any]:
    import httpx

    from bench.offtake import wait_polling
    from bench.priority import EmulatorProcess
    from emulator import SandboxClient

    paid_setting, allowed = MODES[mode]
    words = Words()
    db_path = wd / f"broadcast-{mode}-{time.monotonic_ns()}.sqlite3"
    copy_db(seeded, db_path)
    subs = subscriber_ids(args.subscribers)
    folks = people_ids(args.people)
    print(
        f"\n{mode}: KOPERASI_PAID_BROADCAST={paid_setting}, {len(subs)} subscribers, "
        f"{len(folks)} people; starting the emulator ...",
        flush=True,
    )
    emu = await EmulatorProcess(args.latency, wd).started()
    http = httpx.AsyncClient(
        timeout=args.reply_cap + 30,
        trust_env=False,
        limits=httpx.Limits(max_connections=None, max_keepalive_connections=256),
    )
    client = SandboxClient(emu.base_url, timeout=30.0, http=http)
    bot = None
    stop_people = asyncio.Event()
    stop_watch = asyncio.Event()
    tasks: list[asyncio.Task] = []
    try:
        t = time.monotonic()
        await asyncio.to_thread(
            bulk_control, client.control_url, "add_user",
            [{"user_id": uid, "first_name": "Petani", "open_chat": True} for uid in subs],
        )  # fmt: skip
        chats_s = time.monotonic() - t
        saved_env = {
            k: os.environ.get(k) for k in ("KOPERASI_PAID_BROADCAST", "KOPERASI_DIGEST_TIME")
        }
        os.environ.update(KOPERASI_PAID_BROADCAST=paid_setting, KOPERASI_DIGEST_TIME=digest_clock())
        try:
            profile = (
                str(wd / f"bot-{mode}-{time.monotonic_ns()}.prof") if args.profile_bot else None
            )
            bot = BotProcess(
                "koperasi", emu.base_url, emu.token, wd, db_path=db_path, profile_out=profile
            )
        finally:
            for k, v in saved_env.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        await wait_polling(client, bot)
        await client.reset_stats()
        samples: list[dict[str, Any]] = []
        tasks.append(asyncio.create_task(sample(client, db_path, bot, emu, samples)))
        progress: list[dict[str, Any]] = []
        tasks.append(asyncio.create_task(watch_admin(client, words, progress, stop_watch)))
        rng = random.Random(f"{args.seed}-{mode}")
        replies: list[dict[str, Any]] = []
        problems: Counter = Counter()
        cpu0, emu_cpu0, threads0 = bot.cpu_seconds(), emu.cpu_seconds(), bot.thread_cpu()
        t0 = time.time()
        people = [
            asyncio.create_task(
                person(client, uid, words, random.Random(rng.random()), tuple(args.think),
                       stop_people, args.reply_cap, replies, problems)
            )
            for uid in folks
        ]  # fmt: skip
        print(
            f"{mode}: {len(subs)} chats opened ({chats_s:.1f} s); bot polling; {len(folks)} people "
            f"for {args.baseline:.0f} s with no broadcast ...",
            flush=True,
        )
        await asyncio.sleep(args.baseline)
        print(f"{mode}: the administrator drives /setharga and presses 📣 ...", flush=True)
        admin = await drive_admin(client, words, think=args.admin_think)
        t_press = admin["t_press"]
        told = admin["told_count"]
        print(
            f"{mode}: {told} subscribers to tell ({time.time() - t_press:.1f} s to queue them); "
            f"waiting for the summary ...",
            flush=True,
        )

        def finished(messages: list[dict[str, Any]]) -> bool:
            return any(_text(m).startswith(words.done) and m.get("versions", [{}])[0].get(
                "text", "").startswith(words.done) for m in messages)  # fmt: skip

        cap = (told or len(subs)) / allowed * 3 + 180
        timed_out = False
        try:
            await client.wait_for(ADMIN_ID, finished, timeout=cap)
        except TimeoutError:
            timed_out = True
            print(f"{mode}: no summary within {cap:.0f} s", flush=True)
        t_summary = time.time()
        stop_people.set()
        await asyncio.gather(*people)
        t_people_done = time.time()
        cpu1, emu_cpu1, threads1 = bot.cpu_seconds(), emu.cpu_seconds(), bot.thread_cpu()
        stop_watch.set()
        stats = await client.stats()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        print(f"{mode}: reading {len(subs)} chats at the emulator ...", flush=True)
        transcripts = [
            r["messages"]
            for r in await asyncio.to_thread(
                bulk_control, client.control_url, "messages", [{"chat_id": u} for u in subs]
            )
        ]
        folk_messages = [(await client.transcript(uid))["messages"] for uid in folks]
        admin_messages = await client.messages(ADMIN_ID)
        bot_backoffs = bot.log_count("Telegram asked to wait")
        bot_errors = bot.log_errors()
        states = await asyncio.to_thread(outbox_states, db_path)
    finally:
        stop_people.set()
        stop_watch.set()
        for task in tasks:
            task.cancel()
        if bot is not None:
            await bot.stop()
        await http.aclose()
        await emu.stop()

    # ---- delivery
    per_chat = [len(ms) for ms in transcripts]
    told_messages = [ms[0] for ms in transcripts if ms]
    wrong = sum(
        1
        for m in told_messages
        if not (_text(m).startswith(words.told) and NEW_PRICE_SHOWN in _text(m))
    )
    times = sorted(m["sent_at"] for ms in transcripts for m in ms)
    delivered = len(times)
    first = times[0] if times else None
    last = times[-1] if times else None
    drain = (last - first) if times and last > first else None
    total = (last - t_press) if last else None
    minimum = (told or 0) / allowed
    all_bot = sorted(
        [m["sent_at"] for ms in folk_messages for m in ms]
        + [m["sent_at"] for m in admin_messages]
        + times
    )
    sends_in_drain = sum(1 for x in all_bot if first is not None and first <= x <= last)
    # what the 30/s budget carried meanwhile: everything (free), the replies only (paid)
    shared_in_drain = sends_in_drain - (len(times) if mode == "paid" else 0)
    # ---- the people
    lat_base = [
        s["latency"] for s in replies
        if s["latency"] is not None and s["sent"] + s["latency"] < admin["t_start"]
    ]  # fmt: skip
    end = last or t_summary
    during = [s for s in replies if t_press <= s["sent"] <= end]
    lat_during = [s["latency"] for s in during if s["latency"] is not None]
    by_action: dict[str, list[float]] = {}
    for s in during:
        if s["latency"] is not None:
            by_action.setdefault(s["action"], []).append(s["latency"])
    queueing = [
        s["latency"] for s in during
        if s["latency"] is not None and first is not None and s["sent"] < first
    ]  # fmt: skip
    windows: dict[int, list[float]] = {}
    for s in during:
        if s["latency"] is not None:
            windows.setdefault(int((s["sent"] - t_press) // 30), []).append(s["latency"])
    progress_msgs = [
        m for m in admin_messages
        if ((m.get("versions") or [{}])[0].get("text") or "").startswith(words.progress)
    ]  # fmt: skip
    window = t_people_done - t0

    def cpu_during_drain(key: str) -> float | None:
        """CPU share of a process (or the bot's event-loop thread) from the first delivery
        to the last: the samples nearest inside that span."""
        inside = [x for x in samples if first is not None and first <= x["t"] <= last]
        if len(inside) < 2 or inside[0][key] is None or inside[-1][key] is None:
            return None
        return (inside[-1][key] - inside[0][key]) / (inside[-1]["t"] - inside[0]["t"])

    unfinished = [s["unfinished"] for s in samples if s["unfinished"] is not None]
    return {
        "mode": mode,
        "paid_broadcast_setting": paid_setting,
        "allowed_rate_per_s": allowed,
        "subscribers": len(subs),
        "people": len(folks),
        "chats_open_s": chats_s,
        "admin_steps": admin["steps"],
        "admin_told_count": told,
        "admin_told_text": admin["told_text"],
        "queued_s": admin["steps"][-1]["latency"],
        "summary_timed_out": timed_out,
        "delivered": delivered,
        "chats_with_message": len(told_messages),
        "chats_missing": per_chat.count(0),
        "chats_duplicate": sum(1 for n in per_chat if n > 1),
        "messages_wrong": wrong,
        "first_delivered_after_press_s": None if first is None else first - t_press,
        "time_press_to_last_s": total,
        "drain_s": drain,
        "minimum_s": minimum,
        "minimum_over_time": ratio(minimum, total),
        "delivery_rate_per_s": ratio(delivered, drain),
        "delivery_rate_over_allowed": ratio(ratio(delivered, drain), allowed),
        "all_sends_in_drain": sends_in_drain,
        "shared_budget_sends_in_drain": shared_in_drain,
        "shared_budget_rate_over_30": ratio(ratio(shared_in_drain, drain), FREE_RATE),
        "paid_broadcasts_at_emulator": stats["paid_broadcasts"],
        "sends_at_emulator": stats["sends"],
        "refused_429": stats["refused_429"],
        "emulator_errors": stats["errors"],
        "bot_429_backoffs": bot_backoffs,
        "outbox_states": states,
        "progress_messages": len(progress_msgs),
        "progress_edits": sum(len(m["versions"]) - 1 for m in progress_msgs),
        "progress_seen": [{**p, "t": round(p["t"] - t_press, 2)} for p in progress],
        "summary_after_last_s": None if last is None else t_summary - last,
        "replies_baseline": latency_summary(lat_base),
        "replies_during": latency_summary(lat_during),
        "replies_missing": sum(1 for s in replies if s["latency"] is None),
        "reply_p95_during_by_action_s": {
            a: latency_summary(v)["p95_s"] for a, v in by_action.items()
        },
        "replies_while_queueing": latency_summary(queueing),
        "reply_p95_during_by_30s_window_s": {
            f"{30 * k}-{30 * k + 30}": latency_summary(v)["p95_s"]
            for k, v in sorted(windows.items())
        },
        "reply_samples": [
            {**s, "sent": round(s["sent"] - t_press, 3)}
            for s in sorted(replies, key=lambda x: x["sent"])
        ],
        "people_problems": dict(problems),
        "max_unfinished_updates_in_bot": max(unfinished, default=None),
        "max_unfetched_updates": max((s["unfetched"] for s in samples), default=None),
        "bot_cpu_util": None if cpu0 is None or cpu1 is None else (cpu1 - cpu0) / window,
        "bot_loop_thread_cpu_util": None
        if not threads0 or not threads1
        else (threads1["main"] - threads0["main"]) / window,
        "emulator_cpu_util": None
        if emu_cpu0 is None or emu_cpu1 is None
        else (emu_cpu1 - emu_cpu0) / window,
        "drain_cpu_util": {
            "bot_loop_thread": cpu_during_drain("bot_loop_cpu"),
            "bot_other_threads": cpu_during_drain("bot_other_cpu"),
            "emulator": cpu_during_drain("emu_cpu"),
        },
        "bot_errors": bot_errors[:5],
        "bot_error_count": len(bot_errors),
        "bot_log": str(bot.log_path) if bot else None,
        "bot_profile": profile,
        "samples": [{**s, "t": round(s["t"] - t_press, 2)} for s in samples],
    }


# ------------------------------------------------------------------ report
def report(results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    rows = []
    for name, r in results.items():
        rows.append([
            name, f"{r['allowed_rate_per_s']:.0f}/s",
            f"{r['delivered']}/{r['admin_told_count']}", r["chats_duplicate"], r["chats_missing"],
            f"{r['queued_s']:.1f} s",
            "-" if r["time_press_to_last_s"] is None else f"{r['time_press_to_last_s']:.1f} s",
            f"{r['minimum_s']:.1f} s", r["minimum_over_time"],
            r["delivery_rate_per_s"], r["delivery_rate_over_allowed"],
            r["shared_budget_rate_over_30"], r["refused_429"], r["bot_429_backoffs"],
            r["progress_edits"],
        ])  # fmt: skip
    print_table(
        "Delivery (emulator flood limits ON: 30/s overall, 1/s per chat; paid: 1,000/s)",
        ["mode", "allowed", "delivered", "dupes", "missing", "📣 answered in", "📣 -> last",
         "min (N/allowed)", "min/time", "msgs/s", "msgs/s / allowed", "30/s budget used",
         "429s", "bot back-offs", "progress edits"],
        rows,
    )  # fmt: skip
    rows = []
    for name, r in results.items():
        b, d = r["replies_baseline"], r["replies_during"]
        rows.append([
            name, b["n"], fmt_ms(b["p50_s"]), fmt_ms(b["p95_s"]), d["n"], fmt_ms(d["p50_s"]),
            fmt_ms(d["p95_s"]), fmt_ms(d["max_s"]), ratio(d["p95_s"], b["p95_s"]),
            r["replies_missing"], r["max_unfinished_updates_in_bot"],
        ])  # fmt: skip
    print_table(
        "People's replies (update -> the bot's message), no broadcast vs during it",
        ["mode", "baseline n", "p50", "p95", "during n", "p50", "p95", "max", "p95 / baseline",
         "missing", "max unfinished upd"],
        rows,
    )  # fmt: skip
    summary: dict[str, Any] = {"target_rate_over_allowed": 0.95, "target_p95_s": 1.5}
    for name, r in results.items():
        p95 = r["replies_during"]["p95_s"]
        summary[name] = {
            "delivery_rate_over_allowed": r["delivery_rate_over_allowed"],
            "shared_budget_rate_over_30": r["shared_budget_rate_over_30"],
            "refused_429": r["refused_429"],
            "reply_p95_during_s": p95,
            "reply_p95_baseline_s": r["replies_baseline"]["p95_s"],
            "meets_rate": (r["delivery_rate_over_allowed"] or 0) >= 0.95,
            "meets_p95": p95 is not None and p95 <= 1.5,
        }
        steps = ", ".join(f"{s['step']}: {fmt_ms(s['latency'])}" for s in r["admin_steps"])
        print(f"\n{name}: administrator's steps (first reply) {{{steps}}}")
        print(
            f"{name}: first message {r['first_delivered_after_press_s'] or 0:.1f} s after 📣, "
            f"drain {r['drain_s'] or 0:.1f} s; sends at the emulator {r['sends_at_emulator']} "
            f"(paid {r['paid_broadcasts_at_emulator']}); outbox {r['outbox_states']}; "
            f"progress message: {r['progress_messages']}, {r['progress_edits']} edits seen, "
            f"summary {r['summary_after_last_s'] or 0:.1f} s after the last message"
        )
        during = ", ".join(
            f"{a}: {fmt_ms(v)}" for a, v in r["reply_p95_during_by_action_s"].items()
        )
        q = r["replies_while_queueing"]
        windows = ", ".join(
            f"{k} s: {fmt_ms(v)}" for k, v in r["reply_p95_during_by_30s_window_s"].items()
        )
        print(
            f"{name}: replies sent while the 📣 update queued the messages (before the first was "
            f"delivered): n {q['n']}, p50 {fmt_ms(q['p50_s'])}, p95 {fmt_ms(q['p95_s'])}, max "
            f"{fmt_ms(q['max_s'])}; reply p95 by 30 s after 📣 {{{windows}}}"
        )
        print(
            f"{name}: reply p95 during by action {{{during}}}; bot CPU {r['bot_cpu_util'] or 0:.2f} "
            f"(event loop {r['bot_loop_thread_cpu_util'] or 0:.2f}), emulator CPU "
            f"{r['emulator_cpu_util'] or 0:.2f}; during the drain: bot event loop "
            f"{fmt(r['drain_cpu_util']['bot_loop_thread'], 2)}, bot other threads "
            f"{fmt(r['drain_cpu_util']['bot_other_threads'], 2)}, emulator "
            f"{fmt(r['drain_cpu_util']['emulator'], 2)}; max unfetched {r['max_unfetched_updates']}"
        )
        extra = {
            k: r[k]
            for k in ("people_problems", "emulator_errors", "messages_wrong", "summary_timed_out",
                      "bot_error_count", "bot_errors")
            if r[k]
        }  # fmt: skip
        if extra:
            print(f"{name}: {extra}")
    return summary


def print_profiles(results: dict[str, dict[str, Any]]) -> None:
    import io
    import pstats

    for name, r in results.items():
        if r["bot_profile"] and os.path.exists(r["bot_profile"]):
            out = io.StringIO()
            stats = pstats.Stats(r["bot_profile"], stream=out).strip_dirs()
            stats.sort_stats("tottime").print_stats(25)
            text = out.getvalue()
            print(f"\n{name}: cProfile of the bot process (wall clock; epoll = idle), by own time:")
            print(text[text.find("   ncalls") :])


# ------------------------------------------------------------------ main
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="python -m bench.broadcast",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument(
        "--quick", action="store_true",
        help="smoke run: 800 subscribers, 10 people, 5 s baseline",
    )  # fmt: skip
    ap.add_argument("--subscribers", type=int, help="subscribers told (default 10000; quick 800)")
    ap.add_argument(
        "--people", type=int, help="people using the bot meanwhile (default 50; quick 10)"
    )
    ap.add_argument(
        "--baseline", type=float,
        help="seconds the people use the bot before the broadcast (default 30; quick 5)",
    )  # fmt: skip
    ap.add_argument(
        "--think", type=float, nargs=2, metavar=("MIN", "MAX"), default=[2.0, 6.0],
        help="seconds a person waits after each reply (default 2 6)",
    )  # fmt: skip
    ap.add_argument(
        "--admin-think", type=float,
        help="seconds the administrator reads each question of /setharga (default 1.5; quick 0.3)",
    )  # fmt: skip
    ap.add_argument("--modes", default="free,paid", help="comma list of free,paid")
    ap.add_argument(
        "--latency", type=float, default=0.1, help="emulated seconds per Bot API call (default 0.1)"
    )
    ap.add_argument(
        "--reply-cap", type=float, default=120.0,
        help="seconds a person waits for a reply before giving up (default 120)",
    )  # fmt: skip
    ap.add_argument(
        "--profile-bot", action="store_true",
        help="diagnostic: the bot process under cProfile (slower); top 25 functions by own time",
    )  # fmt: skip
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workdir", help="where databases and logs go (default: new temp dir)")
    ap.add_argument("--json", help="write the results as JSON to this path")
    args = ap.parse_args(argv)
    args.subscribers = args.subscribers or (800 if args.quick else 10_000)
    if args.admin_think is None:
        args.admin_think = 0.3 if args.quick else 1.5
    args.people = args.people if args.people is not None else (10 if args.quick else 50)
    args.baseline = args.baseline if args.baseline is not None else (5.0 if args.quick else 30.0)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if not modes or any(m not in MODES for m in modes):
        ap.error("--modes: a comma list of free,paid")
    args.modes = ",".join(modes)
    return args


async def amain(args: argparse.Namespace) -> dict[str, Any]:
    wd = workdir(args.workdir, "koperasi-bench-broadcast-")
    info = machine_info()
    print(
        f"broadcast benchmark: {args.subscribers} subscribers, {args.people} people, baseline "
        f"{args.baseline:.0f} s, latency {args.latency * 1000:.0f} ms, flood limits ON; workdir {wd}"
    )
    print(
        f"machine: {info['cpus']} CPUs, load {info['loadavg_at_start']}, python {info['python']}, "
        f"PTB {info['ptb']}; bot at commit {info['git_head']}"
        + (f" + uncommitted {info['git_modified_files']}" if info["git_modified_files"] else "")
    )
    seeded = wd / "broadcast-seed.sqlite3"
    seeded.unlink(missing_ok=True)
    seeding = await seed(seeded, args.subscribers, args.people)
    print(
        f"seeded {seeding['people']} people ({seeding['gabah_subscribers']} subscribed to gabah) "
        f"in {seeding['seconds']:.1f} s",
        flush=True,
    )
    results = {}
    for mode in args.modes.split(","):
        results[mode] = await run_mode(mode, args, wd, seeded)
    summary = report(results)
    print_profiles(results)
    problems = []
    for name, r in results.items():
        if r["chats_missing"] or r["chats_duplicate"] or r["messages_wrong"]:
            problems.append(
                f"{name}: {r['chats_missing']} missing, {r['chats_duplicate']} duplicate, "
                f"{r['messages_wrong']} wrong messages"
            )
        if r["admin_told_count"] != args.subscribers:
            problems.append(f"{name}: told {r['admin_told_count']} of {args.subscribers}")
        if r["people_problems"]:
            problems.append(f"{name}: people {r['people_problems']}")
    if problems:
        print("\nPROBLEMS: " + "; ".join(problems))
    caveat = load_caveat()
    print(f"\nload: {caveat}")
    return {
        "benchmark": "broadcast",
        "args": vars(args),
        "machine": info,
        "seed": seeding,
        "load_caveat": caveat,
        "modes": results,
        "summary": summary,
        "problems": problems,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    results = asyncio.run(amain(args))
    write_json(args.json, results)
    return 1 if results["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
