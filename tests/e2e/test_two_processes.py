"""Two bot processes in webhook mode on one database, every update delivered to both (as a
load balancer retrying on the other node, or Telegram delivering again, would), one SIGKILL
of each (restarted at once) while 200 farmers register and some of them offer chilli:

- no update processed twice: each farmer's transcript holds each reply once, but for a
  reply on its way when a process died, which no bot can help (its first copy delivered
  right at a kill: in flight, or back at the process but not yet recorded);
- no chat out of order: the four place answers are sent at once, without waiting, and
  answered in the order they were typed;
- no alert sent twice: each offer reaches the coordinator once (outbox rows claimed by one
  sender; a row on the wire at a kill counts as sent, never sent again);
- the database: everybody registered, every offer stored once, every update applied.

The processes get the database as ``--db FILE``, or, when the environment has
``KOPERASI_TEST_PG_URL`` (lane pg), as ``KOPERASI_DB_URL`` (:func:`database_env`).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass

import httpx
import pytest
import pytest_asyncio
import tornado.httpserver
import tornado.web

from emulator import BotApiEmulator
from storage.db import Database
from tests.e2e.botproc import BotProcess, Webhook, free_port, run_cli
from tests.e2e.conftest import Bots
from tests.e2e.crowd import phone_of
from tests.e2e.flow import (
    ASK_DISTRICT,
    ASK_NAME,
    ASK_PROVINCE,
    ASK_REGENCY,
    ASK_VILLAGE,
    FARMER_BUTTON,
    SAVE,
    SHARE_PHONE,
    STEP_TIMEOUT,
    SUMMARY,
    THANKS,
    VILLAGE,
    WELCOME,
    WHO,
    Farmer,
    Step,
    api_calls,
    update_answered,
    updates_run_again,
)

pytestmark = pytest.mark.asyncio

FARMERS, OFFERERS = 200, 40
FIRST_USER_ID = 710_000
COORDINATOR_ID = 727_272
SECRET = "two_processes_secret_0123456789"
LATENCY = 0.05


def database_env() -> dict[str, str]:
    """How the processes find the database: the SQLite file given with ``--db`` (on the
    PostgreSQL pass, the schema that file stands for: storage.db, KOPERASI_TEST_PG_URL,
    which the processes inherit)."""
    return {}


def open_database(bots: Bots) -> Database:
    """The test's own connection to the database the processes share."""
    return Database(str(bots.db_path))


# A farmer's script: (steps sent one after the other without waiting, the replies they get,
# in order). The place answers go as a burst: typed before any answer came back.
REGISTER = [
    ([Step("send", "/start", WELCOME)], [WELCOME]),
    ([Step("press", "Bahasa Indonesia", WHO)], [WHO]),
    ([Step("press", FARMER_BUTTON, SHARE_PHONE)], [SHARE_PHONE]),
    ([Step("contact", "", ASK_NAME)], [ASK_NAME]),
    ([Step("send", "Budi Santoso", ASK_PROVINCE)], [ASK_PROVINCE]),
    (
        [
            Step("send", "Jawa Tengah", ASK_REGENCY),
            Step("send", "Klaten", ASK_DISTRICT),
            Step("send", "Ceper", ASK_VILLAGE),
            Step("send", VILLAGE, SUMMARY),
        ],
        [ASK_REGENCY, ASK_DISTRICT, ASK_VILLAGE, SUMMARY],
    ),
    ([Step("press", SAVE, THANKS)], [THANKS]),
]
OFFER = [
    ([Step("send", "/jual", "")], ["Apa yang ingin Anda jual?"]),
    ([Step("press", "Cabai merah", "")], ["Berapa banyak cabai merah"]),
    ([Step("send", "2 kuintal", "")], ["Kapan siap dijemput?"]),
    ([Step("press", "Besok", "")], ["Di mana koordinator menjemputnya?"]),
    (
        [Step("send", "🏠 Di desa saya, Kujon", "")],
        ["🏠 Dijemput di desa Anda.", "Periksa tawaran Anda:"],
    ),
    ([Step("press", SAVE, "")], ["Tawaran Anda sudah disimpan."]),
]


class FannedWebhook(Webhook):
    """A bot process's own port, while the URL Telegram is given is the fan-out's."""

    def __init__(self, port: int, secret: str, public: str) -> None:
        super().__init__(port=port, secret=secret)
        object.__setattr__(self, "public", public)

    @property
    def url(self) -> str:  # type: ignore[override]
        return self.public


class FanOut:
    """What Telegram's webhook reaches: posts each update to every bot process at once and
    answers 200 once one of them took it (a process down: the other takes it)."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self.port = free_port()
        self.deliveries: Counter[int] = Counter()  # port -> updates it took
        self._server: tornado.httpserver.HTTPServer | None = None
        self._client = httpx.AsyncClient(timeout=10.0, trust_env=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> None:
        fan = self

        class Handler(tornado.web.RequestHandler):
            async def post(self) -> None:
                code = await fan.forward(self.request.body, dict(self.request.headers))
                self.set_status(code)

        app = tornado.web.Application([(r"/.*", Handler)])
        self._server = app.listen(self.port, address="127.0.0.1")

    async def forward(self, body: bytes, headers: dict[str, str]) -> int:
        keep = {
            k: v for k, v in headers.items() if k.lower().startswith(("x-telegram", "content-type"))
        }

        async def one(port: int) -> int:
            try:
                response = await self._client.post(
                    f"http://127.0.0.1:{port}/", content=body, headers=keep
                )
            except (httpx.HTTPError, RuntimeError):  # a process down; the test over
                return 502
            if response.status_code == 200:
                self.deliveries[port] += 1
            return response.status_code

        codes = await asyncio.gather(*(one(port) for port in self.ports))
        return 200 if 200 in codes else 502

    async def close(self) -> None:
        if self._server is not None:
            self._server.stop()
        await self._client.aclose()


@pytest_asyncio.fixture
async def fan():
    ports = [free_port(), free_port()]
    fan_out = FanOut(ports)
    fan_out.start()
    try:
        yield fan_out
    finally:
        await fan_out.close()


@dataclass
class Kill:
    at: float
    in_flight: int


async def _start(bots: Bots, fan: FanOut, which: int) -> BotProcess:
    hook = FannedWebhook(fan.ports[which], SECRET, fan.url)
    return await bots.start(webhook=hook, env=database_env())


async def _follow(emu: BotApiEmulator, farmer: Farmer, script, seen: int, index: int) -> int:
    """Act each part of ``script`` and wait for its replies in order; returns the position
    in the chat after the last one."""
    for steps, replies in script:
        for step in steps:
            if step.kind == "contact":
                step = Step("contact", phone_of(index), step.reply)
            await farmer.act(step)

        def answered(msgs, after=seen, replies=replies) -> bool:
            at = after
            for reply in replies:
                at = next(
                    (i + 1 for i in range(at, len(msgs)) if (msgs[i].text or "").startswith(reply)),
                    None,
                )
                if at is None:
                    return False
            return True

        try:
            msgs = await emu.wait_for(farmer.user_id, answered, timeout=3 * STEP_TIMEOUT)
        except TimeoutError:
            shown = [
                f"{'bot' if m.from_bot else 'user'} u{m.update_id}: {(m.text or m.kind)[:40]!r}"
                for m in await emu.messages(farmer.user_id, include_user=True)
            ]
            raise AssertionError(f"farmer {index} got no {replies}: {shown}") from None
        for reply in replies:
            seen = next(
                i + 1 for i in range(seen, len(msgs)) if (msgs[i].text or "").startswith(reply)
            )
    return seen


async def _walk(emu: BotApiEmulator, index: int) -> None:
    farmer = Farmer(emu, FIRST_USER_ID + index, "Budi")
    seen = await _follow(emu, farmer, REGISTER, 0, index)
    if index < OFFERERS:
        await _follow(emu, farmer, OFFER, seen, index)


async def _coordinator(emu: BotApiEmulator, bots: Bots) -> None:
    """Sari, a coordinator covering Kecamatan Ceper: she gets the offers' alerts."""
    invite = await run_cli(
        bots.db_path, "invite", "coordinator", "--org", "pusat", "--bot-username", "kopbot",
        cwd=bots.dir, env=database_env(),
    )  # fmt: skip
    sari = Farmer(emu, COORDINATOR_ID, "Sari")
    code = invite.strip().rsplit("=", 1)[1]
    await sari.do(Step("send", f"/start {code}", "Selamat datang di bot koperasi."))
    await sari.do(Step("press", "Bahasa Indonesia", "Tekan tombol 📱"))
    await sari.do(Step("contact", "6281355550001", "Siapa nama lengkap Anda?"))
    await sari.do(Step("send", "Sari Dewi", "Periksa data Anda:"))
    await sari.do(Step("press", SAVE, "Selamat datang, Sari Dewi! Anda sekarang koordinator"))
    await run_cli(
        bots.db_path, "person", "cover", "33.10.11", "--phone", "0813-5555-0001",
        cwd=bots.dir, env=database_env(),
    )  # fmt: skip


async def test_two_processes_fed_the_same_updates_process_each_once_in_order(
    emu: BotApiEmulator, bots: Bots, fan: FanOut
):
    await run_cli(
        bots.db_path, "price", "set", "cabai_merah", "32000", "--grade", "A", "--area", "33.10",
        cwd=bots.dir, env=database_env(),
    )  # fmt: skip
    procs = [await _start(bots, fan, 0), await _start(bots, fan, 1)]
    await _coordinator(emu, bots)
    await emu.set_latency(LATENCY)
    began = time.monotonic()
    rng = random.Random(16)
    walkers = asyncio.gather(*(_walk(emu, i) for i in range(FARMERS)))
    kills: list[Kill] = []
    try:
        for which in (0, 1):  # each process is SIGKILLed once, at a random moment
            try:
                await asyncio.wait_for(asyncio.shield(walkers), rng.uniform(4.0, 10.0))
                break
            except TimeoutError:
                pass
            in_flight = api_calls(emu, "sendMessage") - emu.state.stats.sends
            procs[which].kill_now()  # same event-loop step as the count
            kills.append(Kill(time.time(), in_flight))
            await procs[which].kill()
            procs[which] = await _start(bots, fan, which)
        await walkers
    except BaseException:
        walkers.cancel()
        raise
    walked = time.monotonic() - began
    sari = Farmer(emu, COORDINATOR_ID, "Sari")
    await emu.wait_for(
        COORDINATOR_ID,
        lambda msgs: sum((m.text or "").startswith("Tawaran baru") for m in msgs) >= OFFERERS,
        timeout=3 * STEP_TIMEOUT,
    )
    for proc in procs:
        await proc.stop()
    for proc in bots.started:  # what the processes that stopped cleanly say they did
        for line in proc.log().splitlines():
            if "chat leases:" in line:
                print(f"\n{proc.log_path.name}: {line.split('chat leases: ', 1)[1]}")
    await emu.set_latency(0.0)
    assert len(kills) == 2, "the farmers finished before both kills"
    print(
        f"\n{FARMERS} farmers ({OFFERERS} offering) on two processes, 2 SIGKILLs"
        f" ({sum(k.in_flight for k in kills)} replies in flight): {walked:.1f} s;"
        f" deliveries taken per process port: {dict(fan.deliveries)}"
    )

    # Each update once: a reply twice only from an update a killed process left unfinished
    # (tests.e2e.flow.updates_run_again), at most once per run of it.
    run_again = updates_run_again(bots.db_path)
    replies = [replies for steps, replies in REGISTER + OFFER for _ in steps]
    repeats, unexplained = 0, []
    for index in range(FARMERS):
        chat_id = FIRST_USER_ID + index
        msgs = await emu.messages(chat_id)
        seen: set[str] = set()
        for m in msgs:
            text = m.versions[0]["text"] or ""
            if text in seen:
                repeats += 1
                if update_answered(text, replies) not in run_again.get(chat_id, {}):
                    unexplained.append((index, text[:50]))
            seen.add(text)
        # In order: the replies of the script, each after the one before.
        texts = [m.versions[0]["text"] or "" for m in msgs]
        expected = [r for _, replies in REGISTER for r in replies]
        if index < OFFERERS:
            expected += [r for _, replies in OFFER for r in replies]
        at = 0
        for reply in expected:
            found = next((i for i in range(at, len(texts)) if texts[i].startswith(reply)), None)
            assert found is not None, (index, reply, texts)
            at = found + 1
    runs_again = sum(
        sum(updates.values())
        for chat_id, updates in run_again.items()
        if FIRST_USER_ID <= chat_id < FIRST_USER_ID + FARMERS
    )
    print(
        f"replies repeated: {repeats} ({sum(k.in_flight for k in kills)} in flight at the"
        f" kills; {runs_again} run(s) of updates the killed processes left), not explained:"
        f" {len(unexplained)}"
    )
    assert unexplained == [], unexplained
    assert repeats <= runs_again, repeats

    # Each offer's alert reached the coordinator once.
    alerts = [
        (m.text or "").split("\n", 1)[0]
        for m in await sari.bot_messages()
        if (m.text or "").startswith("Tawaran baru")
    ]
    counts = Counter(alerts)
    assert len(counts) == OFFERERS, counts
    assert set(counts.values()) == {1}, counts

    async with open_database(bots) as db:
        registered = await db.fetchone(
            "SELECT COUNT(*) AS n FROM people WHERE telegram_user_id BETWEEN ? AND ?",
            (FIRST_USER_ID, FIRST_USER_ID + FARMERS - 1),
        )
        assert registered["n"] == FARMERS
        offered = await db.fetchone("SELECT COUNT(*) AS n FROM offers")
        assert offered["n"] == OFFERERS
        left = await db.fetchone("SELECT COUNT(*) AS n FROM inbox WHERE applied_at IS NULL")
        assert left["n"] == 0
        dead = await db.fetchone("SELECT COUNT(*) AS n FROM dead_letters")
        assert dead["n"] == 0
        twice = await db.fetchall(
            "SELECT chat_id, COUNT(*) AS n FROM outbox WHERE state = 'sent'"
            " GROUP BY chat_id, text HAVING COUNT(*) > 1"
        )
        assert twice == []
