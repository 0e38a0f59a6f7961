"""Start-up and resident memory of the bot with 1,000,000 registered people (issue 16, flat
memory), against the same bot on an empty database and the bare PTB echo bot, in one run.

Set-up:

1. **The synthetic database** (``--people N``, default 1,000,000): migrated by the bot's own
   migrations, then filled with the rows a farmer's registration writes (``storage.registration``:
   a ``people`` row with phone, language, zone and village, a ``person_roles`` farmer row, the two
   ``audit_log`` rows, and the ``ptb_data`` row PTB's persistence leaves: ``{"conversations": {}}``);
   a share of them (``--in-conversation``, default 10 %) is left half-way through a conversation
   with the rows a real registration leaves at its name question (a ``ptb_conversations`` state and
   the drafts in ``ptb_data``). Filled in bulk through ``Database.transaction()`` and
   ``executemany`` (``?`` placeholders, nothing SQLite-only), ``--chunk`` rows a transaction.
   ``--db-url postgresql://…`` fills that database instead (lane pg's ``KOPERASI_DB_URL``; see
   :func:`open_database`; people get explicit ids there, so the bench database takes no new
   registrations afterwards) and starts the bot on it, with ``--empty-db-url`` an empty one
   for the baseline (else a new SQLite file); ``--db FILE`` keeps/reuses a SQLite file
   (filled up to ``--people``).
2. **The starts**: the loopback Bot API emulator runs in THIS process (``--latency``, default
   100 ms per call as in ``bench.startup``); ``--rounds`` times (default 3, median reported), in
   alternating order: the echo bot (``python -m bench.echo_bot``), the bot as deployed
   (``python -m bot run``) on a new empty database (the baseline: migrations run inside its
   start), and the bot on the filled database. For each: **start-up** = process spawned → its
   first ``getUpdates`` at the emulator; **RSS** ``--settle`` s (default 1) after that
   (``VmRSS``) and the **peak** (``VmHWM``). Then one of the stored people in a conversation
   answers (their state is read when they write): the bot must reply with the next question,
   and the RSS after that is shown too.
3. ``--bot-repo DIR`` starts the bot from another checkout (``before``: e.g. a worktree of main
   before this change) on the same filled database, as one more column.

    python -m bench.scale [--people N] [--db-url URL | --db FILE] [--rounds N] [--quick]
                          [--bot-repo DIR] [--json out.json]

Room for the figures other lanes measure (throughput per token, the paid broadcast's share of
1,000/s): see :data:`EXTRA_FIGURES`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench.common import REPO, load_caveat, machine_info, print_table, ratio, workdir, write_json
from bench.startup import cache_bytecode, proc_rss_kib
from emulator import BotApiEmulator

FIRST_TELEGRAM_ID = 100_000_000
WAVE = 200  # --writers write this many at a time  # fits a 32-bit INTEGER column on any database
VILLAGE, ZONE = "33.10.11.2004", "Asia/Jakarta"  # Kujon, Ceper, Klaten (WIB)
PROVINCE_QUESTION = "Ketik nama provinsi Anda."  # what a person at the name question gets next

# What a registration half-way (at the name question) leaves, as a real run stores it.
CONVERSATION = ("registration", '"farmer.name"')
DRAFT = (
    '{{"conversations": {{"registration": {{"at": {at}, "command": "start", "drafts": '
    '{{"registration": {{"invite": null, "kind": "farmer", "name": null, "offered": '
    '["farmer", "member"], "phone": "{phone}", "place": null}}}}}}}}, "lang": "id"}}'
)
DONE = '{"conversations": {}}'

# Figures measured by other benchmarks, added to the summary by the lead after merging
# (issue 16: "throughput per token on PostgreSQL within 10 % of SQLite; the paid broadcast
# figure"). Each takes the parsed arguments and returns rows [figure, value, target];
# e.g. "throughput": a run of bench.throughput on --db-url, "paid broadcast": bench.broadcast
# --modes paid. Empty here: this lane measures memory and start-up only.
EXTRA_FIGURES: dict[str, Callable[[argparse.Namespace], Awaitable[list[list[Any]]]]] = {}


async def _bench_json(module: str, *argv: str) -> dict[str, Any]:
    """Run another benchmark as its own process (its figures printed as it goes) and read the
    JSON it writes."""
    import json
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "figures.json")
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", module, *argv, "--json", out, cwd=str(REPO)
        )
        if await proc.wait() != 0:
            raise RuntimeError(f"{module} exited with {proc.returncode}")
        with open(out, encoding="utf-8") as f:  # noqa: ASYNC230 - once, after the run
            return json.load(f)


async def throughput_per_token(args: argparse.Namespace) -> list[list[Any]]:
    """bench.throughput's unlimited phase on SQLite, then on a fresh schema of --postgres."""
    figures = await _bench_json(
        "bench.throughput", "--skip", "echo", "--skip", "flood", "--skip", "default",
        "--postgres", args.throughput_postgres, *(["--quick"] if args.quick else []),
    )  # fmt: skip
    ratio = figures["summary"]["throughput_ratio_postgres_over_sqlite"]
    return [["throughput per token, PostgreSQL / SQLite", round(ratio, 3), ">= 0.9"]]


async def paid_broadcast(args: argparse.Namespace) -> list[list[Any]]:
    """bench.broadcast --modes paid: 10,000 subscribers, 50 people using the bot meanwhile."""
    quick = ["--quick"] if args.quick else []
    figures = await _bench_json("bench.broadcast", "--modes", "paid", "--people", "50", *quick)
    paid = figures["summary"]["paid"]
    return [
        [
            "paid broadcast, messages/s / 1,000",
            round(paid["delivery_rate_over_allowed"], 3),
            ">= 0.95",
        ],
        ["paid broadcast, people's reply p95 s", round(paid["reply_p95_during_s"], 3), "<= 1.5"],
    ]


# ------------------------------------------------------------------ the database
def open_database(target: str) -> Any:
    """The storage.db Database for a SQLite path or (lane pg) a ``postgresql://`` URL.

    Lane pg: if PostgreSQL is opened by another constructor than ``Database(url)``, this is
    the one place to change."""
    from storage.db import Database

    return Database(target)


def _phone(i: int) -> str:
    return f"+6281{i:09d}"  # 13 digits, unique per person, as people.py stores them


async def fill(target: str, people: int, in_conversation: float, chunk: int) -> dict[str, Any]:
    """Migrate ``target`` and add ``people`` registered farmers (see the module doc)."""
    from storage.db import now_utc
    from storage.migrate import migrate

    db = open_database(target)
    await db.open()
    try:
        await migrate(db)
        row = await db.fetchone("SELECT COUNT(*) AS n, MAX(id) AS last FROM people")
        if row["n"] >= people:
            return {"filled": 0, "people": row["n"], "fill_s": 0.0}
        first = (row["last"] or 0) + 1
        adding = people - row["n"]
        every = round(1 / in_conversation) if in_conversation > 0 else 0
        now = now_utc()
        t0 = time.monotonic()
        for start in range(0, adding, chunk):
            ids = range(first + start, first + min(start + chunk, adding))
            people_rows, roles, audits, data, states = [], [], [], [], []
            for pid in ids:
                tg = FIRST_TELEGRAM_ID + pid
                phone = _phone(pid)
                people_rows.append(
                    (pid, tg, tg, f"Petani {pid}", phone, "id", ZONE, 1, VILLAGE, now, now)
                )
                roles.append((pid, "farmer", None, now))
                audits.append((now, None, "role.grant", f"person:{pid}", '{"role": "farmer"}'))
                audits.append(
                    (now, pid, "register.farmer", f"person:{pid}", f'{{"village": "{VILLAGE}"}}')
                )
                if every and pid % every == 0:
                    data.append(("user", tg, DRAFT.format(at=now, phone=phone)))
                    states.append((CONVERSATION[0], f"[{tg}, {tg}]", CONVERSATION[1]))
                else:
                    data.append(("user", tg, DONE))
            async with db.transaction(bookkeeping=True) as conn:
                await conn.executemany(
                    "INSERT INTO people (id, telegram_user_id, chat_id, full_name, phone,"
                    " language, timezone, org_id, village_code, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    people_rows,
                )
                await conn.executemany(
                    "INSERT INTO person_roles (person_id, role, granted_by, granted_at)"
                    " VALUES (?, ?, ?, ?)",
                    roles,
                )
                await conn.executemany(
                    "INSERT INTO audit_log (at, actor_id, action, subject, detail)"
                    " VALUES (?, ?, ?, ?, ?)",
                    audits,
                )
                await conn.executemany(
                    "INSERT INTO ptb_data (kind, id, data) VALUES (?, ?, ?)", data
                )
                if states:
                    await conn.executemany(
                        "INSERT INTO ptb_conversations (name, key, state) VALUES (?, ?, ?)",
                        states,
                    )
            done = start + len(ids)
            print(f"  filled {done:,} of {adding:,} people ({time.monotonic() - t0:.0f} s)",
                  flush=True)  # fmt: skip
        counts = {}
        for table in ("people", "ptb_data", "ptb_conversations", "audit_log"):
            counts[table] = (await db.fetchone(f"SELECT COUNT(*) AS n FROM {table}"))["n"]
        return {"filled": adding, "fill_s": time.monotonic() - t0, "rows": counts}
    finally:
        await db.close()


def in_conversation_user(people: int, in_conversation: float) -> int | None:
    """The Telegram id of a stored person left at the name question, picked at random (one
    who answered in an earlier start has moved on)."""
    if in_conversation <= 0:
        return None
    every = round(1 / in_conversation)
    if people < every:
        return None
    return FIRST_TELEGRAM_ID + every * random.randint(1, people // every)


# ------------------------------------------------------------------ one start
class Child:
    """A bot as its own process: ``echo`` (bench/echo_bot.py) or ``koperasi`` (``python -m
    bot run`` from ``repo``) on ``db`` (a SQLite path or a database URL)."""

    def __init__(self, kind: str, api_url: str, token: str, wd: Path, *, db: str | None = None,
                 repo: Path = REPO) -> None:  # fmt: skip
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": token,
            "PYTHONUNBUFFERED": "1",
            "PYTHONPATH": str(repo),
        }
        env.pop("KOPERASI_DB_URL", None)
        if kind == "echo":
            cmd = [sys.executable, "-m", "bench.echo_bot", "--api-url", api_url]
        else:
            assert db is not None
            if "://" in db:
                env["KOPERASI_DB_URL"] = db
            else:
                env["KOPERASI_DB_PATH"] = db
            env["KOPERASI_LOG_LEVEL"] = "INFO"
            cmd = [sys.executable, "-m", "bot", "--env-file", str(wd / "none.env"), "run",
                   "--api-url", api_url]  # fmt: skip
        self.log_path = wd / f"{kind}-{time.monotonic_ns()}.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            cmd, cwd=repo, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )

    def alive(self) -> bool:
        return self.proc.poll() is None

    def log_tail(self, lines: int = 20) -> str:
        text = self.log_path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    async def stop(self, grace: float = 20.0) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(self.proc.wait, grace)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                await asyncio.to_thread(self.proc.wait, 5)
        self._log.close()


async def one_start(kind: str, wd: Path, args: argparse.Namespace, *, db: str | None = None,
                    repo: Path = REPO, answer_as: int | None = None,
                    writers: int = 0) -> dict[str, Any]:  # fmt: skip
    # update ids never seen by the database before (the bot drops an update it applied)
    first_update_id = int(time.time() * 1000) % 2_000_000_000
    async with BotApiEmulator(latency=args.latency, first_update_id=first_update_id) as emu:
        t0 = time.monotonic()
        child = Child(kind, emu.base_url, emu.token_for_tests, wd, db=db, repo=repo)
        try:
            while emu.state.stats.requests.get("getUpdates", 0) == 0:
                if not child.alive():
                    raise RuntimeError(f"{kind} exited at start-up:\n{child.log_tail()}")
                if time.monotonic() - t0 > args.timeout:
                    raise RuntimeError(f"{kind} did not poll in {args.timeout} s")
                await asyncio.sleep(0.005)
            startup = time.monotonic() - t0
            await asyncio.sleep(args.settle)
            mem = proc_rss_kib(child.proc.pid)
            result: dict[str, Any] = {
                "startup_s": startup,
                "rss_mib": mem.get("VmRSS", 0) / 1024,
                "rss_peak_mib": mem.get("VmHWM", 0) / 1024,
            }
            if answer_as is not None:
                result.update(await _answer(emu, child, answer_as))
            if writers:
                result.update(await _writers(emu, child, writers, args))
        finally:
            await child.stop()
    return result


async def _answer(emu: BotApiEmulator, child: Child, user_id: int) -> dict[str, Any]:
    """A stored person at the name question types their name: the next question must come
    (their state was read when they wrote)."""
    await emu.add_user(user_id, first_name="Sari", language_code="id")
    t0 = time.monotonic()
    await emu.send_message(user_id, "Sari Dewi")
    try:
        msgs = await emu.wait_for_messages(user_id, 1, timeout=30)
        reply = msgs[-1].text or ""
    except Exception:  # noqa: BLE001 - no answer: reported as such
        reply = None
    mem = proc_rss_kib(child.proc.pid)
    return {
        "answer_s": time.monotonic() - t0 if reply else None,
        "answer_ok": bool(reply and reply.startswith(PROVINCE_QUESTION)),
        "answer": reply,
        "rss_after_answer_mib": mem.get("VmRSS", 0) / 1024,
    }


async def _writers(
    emu: BotApiEmulator, child: Child, count: int, args: argparse.Namespace
) -> dict[str, Any]:
    """``count`` distinct stored people write, :data:`WAVE` at a time (each is read, answered,
    then kept or evicted): RSS once all are answered shows whether memory stays bounded."""
    sent_before = emu.state.stats.requests.get("sendMessage", 0)
    chosen = random.sample(range(1, args.people + 1), count)
    t0 = time.monotonic()
    answered = 0
    for start in range(0, count, WAVE):  # waves: a burst's queue is not what is measured
        wave = chosen[start : start + WAVE]
        for pid in wave:
            await emu.send_message(FIRST_TELEGRAM_ID + pid, "Sari Dewi", first_name="Sari",
                                   language_code="id")  # fmt: skip
        while time.monotonic() - t0 < args.timeout * 10:
            answered = emu.state.stats.requests.get("sendMessage", 0) - sent_before
            if answered >= start + len(wave):
                break
            await asyncio.sleep(0.05)
    mem = proc_rss_kib(child.proc.pid)
    return {
        "writers": count,
        "writers_answered": answered,
        "writers_s": time.monotonic() - t0,
        "rss_after_writers_mib": mem.get("VmRSS", 0) / 1024,
        "rss_peak_after_writers_mib": mem.get("VmHWM", 0) / 1024,
    }


# ------------------------------------------------------------------ the run
async def amain(args: argparse.Namespace) -> dict[str, Any]:
    wd = workdir(args.workdir, "bench-scale-")
    info = machine_info()
    target = args.db_url or args.db or str(wd / f"people-{args.people}.sqlite3")
    print(f"filling {target} with {args.people:,} people ...", flush=True)
    filled = await fill(target, args.people, args.in_conversation, args.chunk)
    cache_bytecode(wd)

    def answer_as() -> int | None:
        return in_conversation_user(args.people, args.in_conversation)

    kinds = ["echo", "empty", "full"] + (["before"] if args.bot_repo else [])
    runs: dict[str, list[dict[str, Any]]] = {kind: [] for kind in kinds}
    print(
        f"starts: {args.rounds} round(s) of {', '.join(kinds)}, latency "
        f"{args.latency * 1000:.0f} ms, load {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    for n in range(args.rounds):
        order = kinds if n % 2 == 0 else kinds[::-1]
        for kind in order:
            if kind == "echo":
                r = await one_start("echo", wd, args)
            elif kind == "empty":
                empty = args.empty_db_url or str(wd / f"empty-{n}.sqlite3")
                r = await one_start("koperasi", wd, args, db=empty)
            elif kind == "full":
                last = n == args.rounds - 1
                r = await one_start(
                    "koperasi", wd, args, db=target, answer_as=answer_as(),
                    writers=args.writers if last else 0,
                )  # fmt: skip
            else:
                r = await one_start(
                    "koperasi", wd, args, db=target, repo=Path(args.bot_repo), answer_as=answer_as()
                )
            runs[kind].append(r)
            extra = ""
            if "answer_ok" in r:
                extra = (
                    f"  answered in {r['answer_s']:.2f} s"
                    if r["answer_ok"]
                    else f"  answered WRONG: {r['answer']!r}"
                )
            print(
                f"  round {n + 1} {kind:6s} start {r['startup_s']:.2f} s  RSS "
                f"{r['rss_mib']:.0f} MiB  peak {r['rss_peak_mib']:.0f} MiB{extra}",
                flush=True,
            )
    keys = ("startup_s", "rss_mib", "rss_peak_mib", "rss_after_answer_mib")
    med = {
        kind: {
            k: statistics.median(r[k] for r in rs) if all(k in r for r in rs) else None
            for k in keys
        }
        for kind, rs in runs.items()
    }
    last_full = runs["full"][-1]
    if "writers" in last_full:
        print(
            f"  {last_full['writers_answered']:,} of {last_full['writers']:,} writers answered in "
            f"{last_full['writers_s']:.0f} s; RSS then {last_full['rss_after_writers_mib']:.0f} MiB,"
            f" peak {last_full['rss_peak_after_writers_mib']:.0f} MiB",
            flush=True,
        )
    extra_rows = []
    for name, figure in EXTRA_FIGURES.items():
        print(f"{name} ...", flush=True)
        extra_rows += await figure(args)
    return {
        "machine": info,
        "settings": vars(args),
        "database": {"target": target if "://" not in target else "postgresql", **filled},
        "runs": runs,
        "median": med,
        "extra": extra_rows,
        "per_person_kib": (
            (med["full"]["rss_mib"] - med["empty"]["rss_mib"]) * 1024 / args.people
            if args.people
            else None
        ),
        "loadavg_at_end": os.getloadavg(),
    }


def report(res: dict[str, Any]) -> None:
    med = res["median"]
    people = res["settings"]["people"]
    names = {
        "echo": "echo bot (bench/echo_bot.py)",
        "empty": "koperasi, empty database",
        "full": f"koperasi, {people:,} people",
        "before": f"--bot-repo, {people:,} people",
    }
    print_table(
        "Start-up and memory (median; spawn -> first getUpdates; RSS after settling)",
        ["bot", "start-up s", "RSS MiB", "peak RSS MiB", "RSS after one answers MiB"],
        [
            [names[k], m["startup_s"], m["rss_mib"], m["rss_peak_mib"], m["rss_after_answer_mib"]]
            for k, m in med.items()
        ],
    )
    full, empty = med["full"], med["empty"]
    rows = [
        [f"start-up s, {people:,} people", full["startup_s"], "<= 5"],
        [f"RSS MiB, {people:,} people", full["rss_mib"], "<= 150"],
        [f"peak RSS MiB, {people:,} people", full["rss_peak_mib"], "<= 150"],
        ["RSS full / empty database", ratio(full["rss_mib"], empty["rss_mib"]), "-"],
        ["KiB per stored person", res["per_person_kib"], "~0"],
        [
            "stored people answered from their state",
            sum(bool(r.get("answer_ok")) for r in res["runs"]["full"]),
            f"{len(res['runs']['full'])}",
        ],
        *res["extra"],
    ]
    last_full = res["runs"]["full"][-1]
    if "writers" in last_full:
        rows.append(
            [
                f"RSS MiB after {last_full['writers_answered']:,} of {last_full['writers']:,}"
                " stored people wrote",
                last_full["rss_after_writers_mib"],
                "<= 150",
            ]
        )
    print_table("Summary", ["figure", "value", "target"], rows)
    fill_s = res["database"].get("fill_s")
    print(f"\ndatabase: {res['database'].get('rows') or res['database']}; filled in {fill_s:.0f} s")
    print(f"{load_caveat()}; commit {res['machine'].get('git_head')}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench.scale",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--people", type=int, default=1_000_000, help="registered people stored")
    p.add_argument(
        "--in-conversation",
        type=float,
        default=0.1,
        help="share of them left half-way through a conversation (default 0.1)",
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument("--db-url", help="postgresql://… (lane pg): fill and start on it")
    where.add_argument("--db", help="a SQLite file to fill (if it has fewer people) and reuse")
    p.add_argument(
        "--empty-db-url",
        help="an empty postgresql://… database for the baseline (default: a new SQLite file"
        " each start)",
    )
    p.add_argument("--chunk", type=int, default=50_000, help="rows per fill transaction")
    p.add_argument("--rounds", type=int, default=3, help="starts of each bot (default 3)")
    p.add_argument("--latency", type=float, default=0.1, help="emulator latency per call, s")
    p.add_argument("--settle", type=float, default=1.0, help="s after the first getUpdates")
    p.add_argument("--timeout", type=float, default=120.0, help="s a start may take at most")
    p.add_argument(
        "--writers",
        type=int,
        default=0,
        help="in the last start on the filled database, this many distinct stored people"
        " write, 200 at a time; RSS after they are answered (the cache keeps 10,000)",
    )
    p.add_argument("--bot-repo", help="also start the bot of this checkout on the filled database")
    p.add_argument("--quick", action="store_true", help="smoke run: 10,000 people, 1 round")
    p.add_argument(
        "--throughput-postgres",
        metavar="URL",
        help="also run bench.throughput on SQLite and on this PostgreSQL (~4 min): the ratio",
    )
    p.add_argument(
        "--paid-broadcast",
        action="store_true",
        help="also run bench.broadcast --modes paid --people 50 (~4 min): the share of 1,000/s",
    )
    p.add_argument("--workdir", help="keep logs and databases here")
    p.add_argument("--json", help="write every figure here")
    args = p.parse_args(argv)
    if args.quick:
        args.people, args.rounds = min(args.people, 10_000), 1
    if args.throughput_postgres:
        EXTRA_FIGURES["throughput per token"] = throughput_per_token
    if args.paid_broadcast:
        EXTRA_FIGURES["paid broadcast"] = paid_broadcast
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
