"""/metrics and /healthz of a running bot (tests/harness.py World: the real Application over
the fake Bot API), scraped over HTTP as Prometheus would."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from telegram import Update

from bot.web.metrics import start_metrics_server
from handlers.kit import background_done
from storage import dead_letters, outbox, people
from storage.db import now_utc
from storage.outbox import OutgoingMessage
from tests.harness import World


def _samples(text: str) -> dict[tuple[str, tuple], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


@pytest.fixture
async def served(tmp_path):
    """A bot with metrics on (the port is the setting's: any non-zero), polling the fake
    Telegram, and its metrics server on a free port."""
    world = await World(str(tmp_path / "k.sqlite3"), metrics_port="9").start()
    await world.app.updater.start_polling(poll_interval=0.05)
    server = await start_metrics_server(world.app, listen="127.0.0.1", port=0)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as client:
        yield world, client
    await server.stop()
    if world.app.updater.running:
        await world.app.updater.stop()
    await world.stop()


async def test_metrics_count_updates_calls_429s_handlers_and_backlogs(served):
    world, client = served
    siti = world.person(1001)
    world.telegram.fail_next("sendMessage", status=429, retry_after=1)  # waited out, once
    await siti.send("/start")
    await siti.send("/help")
    await siti.send("halo")

    answer = await client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    m = _samples(answer.text)
    assert m[("koperasi_updates_received_total", ())] == 3
    # Every HTTP call the fake Telegram saw, by method, and nothing else (but the poller's
    # getUpdates, which goes on between the scrape and this count).
    made: dict[str, int] = {}
    for call in world.telegram.calls:
        made[call.method] = made.get(call.method, 0) + 1
    counted = {
        dict(labels)["method"]: value
        for (name, labels), value in m.items()
        if name == "koperasi_bot_api_calls_total"
    }
    assert 1 <= counted.pop("getUpdates") <= made.pop("getUpdates")
    assert counted == made
    assert counted["sendMessage"] >= 4  # the refused one and its retry both count
    assert m[("koperasi_bot_api_429_total", (("method", "sendMessage"),))] == 1
    # Latency per handler: /start's and /help's callbacks each ran once.
    runs = {
        dict(labels)["handler"]: value
        for (name, labels), value in m.items()
        if name == "koperasi_handler_seconds_count" and value
    }
    assert any("start" in h for h in runs), runs
    assert any(h.startswith("help.") for h in runs), runs
    assert sum(runs.values()) >= 3
    for lane in ("interactive", "bulk", "paid", "received", "updates"):
        assert m[("koperasi_queue_depth", (("lane", lane),))] == 0
    assert m[("koperasi_outbox_backlog", ())] == 0
    assert m[("koperasi_quarantined_updates", ())] == 0

    # Three messages due in an hour, and one update set aside: both seen at the next scrape.
    async def add(conn):
        return [
            await people.insert_person(
                conn, telegram_user_id=200 + i, chat_id=200 + i, full_name=f"Petani {i}",
                phone=f"+62812{200 + i:07d}", language="id", timezone="Asia/Jakarta", org_id=1,
            )
            for i in range(3)
        ]  # fmt: skip

    ids = await world.db.write(add)
    messages = [OutgoingMessage(pid, 200 + i, f"Harga #{pid}") for i, pid in enumerate(ids)]
    await world.db.write(
        outbox.enqueue, key="later", kind="price_change", messages=messages, at=now_utc() + 3600
    )
    await dead_letters.quarantine(world.db, [(999_001, '{"update_id": 999001}', "KeyError")])
    m = _samples((await client.get("/metrics")).text)
    assert m[("koperasi_outbox_backlog", ())] == 3
    assert m[("koperasi_quarantined_updates", ())] == 1


async def test_healthz_is_200_while_serving_and_503_without_database_or_updater(served):
    world, client = served
    answer = await client.get("/healthz")
    assert answer.status_code == 200
    assert json.loads(answer.text) == {"ok": True, "database": True, "updater": True}

    await world.db.close()  # the database stops answering
    try:
        answer = await client.get("/healthz")
        assert answer.status_code == 503
        assert json.loads(answer.text) == {"ok": False, "database": False, "updater": True}
    finally:
        await world.db.open()

    await world.app.updater.stop()  # no more updates come in
    answer = await client.get("/healthz")
    assert answer.status_code == 503
    assert json.loads(answer.text)["updater"] is False


async def test_two_bots_in_one_process_count_apart(tmp_path):
    one = await World(str(tmp_path / "a.sqlite3"), metrics_port="9").start()
    two = await World(str(tmp_path / "b.sqlite3"), metrics_port="9").start()
    try:
        await one.person(1).send("/help")
        text_one = (await one.app.metrics.exposition()).decode()
        text_two = (await two.app.metrics.exposition()).decode()
        assert _samples(text_one)[("koperasi_updates_received_total", ())] == 1
        assert _samples(text_two)[("koperasi_updates_received_total", ())] == 0
    finally:
        await one.stop()
        await two.stop()


async def test_metrics_off_by_default(world):
    assert world.app.metrics is None


async def test_queue_depth_shows_updates_waiting_for_their_chats_turn(served):
    """Telegram holds the bot's first answer: the same person's next two updates wait in the
    per-chat processor, and /metrics says so; once Telegram answers, the queue is empty."""
    world, client = served
    siti = world.person(1001)
    held, release = asyncio.Event(), asyncio.Event()
    do_request = world.telegram.do_request  # the metered one

    async def slow(url, method, *args, **kwargs):
        if url.endswith("/sendMessage") and not release.is_set():
            held.set()
            await release.wait()
        return await do_request(url, method, *args, **kwargs)

    world.telegram.do_request = slow
    for n, text in enumerate(("/start", "/help", "/help")):
        body = {"update_id": 50_000 + n, "message": siti._message(text=text)}
        await world.app.update_queue.put(Update.de_json(body, world.app.bot))
    await held.wait()
    m = _samples((await client.get("/metrics")).text)
    assert m[("koperasi_queue_depth", (("lane", "updates"),))] == 2
    release.set()
    await world.app.update_queue.join()
    await background_done()
    m = _samples((await client.get("/metrics")).text)
    assert m[("koperasi_queue_depth", (("lane", "updates"),))] == 0
    assert m[("koperasi_updates_received_total", ())] == 3


def test_metrics_port_flag_and_settings():
    from bot.cli import _parser
    from bot.config import ConfigError, Settings

    assert _parser().parse_args(["run", "--metrics-port", "9464"]).metrics_port == 9464
    settings = Settings.load(environ={}, env_file=None, require_token=False, metrics_port=9464)
    assert (settings.metrics_port, settings.metrics_listen) == (9464, "127.0.0.1")
    defaults = Settings.load(environ={}, env_file=None, require_token=False)
    assert (defaults.metrics_port, defaults.backup_dir, defaults.backup_keep) == (0, "", 7)
    with pytest.raises(ConfigError, match="KOPERASI_METRICS_PORT"):
        Settings.load(environ={"KOPERASI_METRICS_PORT": "x"}, env_file=None, require_token=False)
    with pytest.raises(ConfigError, match="KOPERASI_BACKUP_KEEP"):
        Settings.load(environ={"KOPERASI_BACKUP_KEEP": "0"}, env_file=None, require_token=False)


async def test_run_serves_metrics_beside_the_dashboard_and_stops_both(tmp_path):
    from bot.cli.run import serve_dashboard, serve_metrics
    from tests.e2e.botproc import free_port

    dash, port = free_port(), free_port()
    world = await World(str(tmp_path / "k.sqlite3"), dashboard_port=dash, metrics_port=port).start()
    try:
        serve_dashboard(world.app, world.settings)
        serve_metrics(world.app, world.settings)  # chained after the dashboard's hooks
        await world.app.post_init(world.app)
        async with httpx.AsyncClient() as client:
            assert (await client.get(f"http://127.0.0.1:{dash}/dasbor/")).status_code == 200
            answer = await client.get(f"http://127.0.0.1:{port}/metrics")
            assert "koperasi_updates_received_total 0.0" in answer.text
            # Initialised, the updater not yet polling: not healthy yet.
            assert (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code == 503
        await world.app.post_stop(world.app)
        async with httpx.AsyncClient() as client:
            for url in (f"http://127.0.0.1:{dash}/dasbor/", f"http://127.0.0.1:{port}/metrics"):
                with pytest.raises(httpx.ConnectError):
                    await client.get(url)
    finally:
        await world.stop()
