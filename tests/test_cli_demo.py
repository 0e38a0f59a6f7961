"""``koperasi-bot demo``: what it refuses (a real token anywhere in reach, the production
database), what it serves (the seeded cast, the page, the proxied emulator), ``--fresh`` and a
restart that keeps the database, and a clean stop on Ctrl-C."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli.demo_seed import demo_cast
from domain import regions
from storage import people
from storage.db import Database
from tests.demoproc import KOPERASI_BOT, DemoProcess, clean_env

# The demo is an SQLite file in its folder whatever the deployment uses (--fresh deletes it).
pytestmark = pytest.mark.sqlite_file

REAL_LOOKING = "123456789:AAH_real-token-of-a-bot-0123456789abcdef"


def _get(url: str) -> tuple[int, bytes, dict]:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status, answer.read(), dict(answer.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


def test_refuses_a_token_in_the_environment(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", REAL_LOOKING)
    assert main(["demo", "--dir", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "never with a real bot token" in err
    assert REAL_LOOKING not in err and "in the environment" in err
    assert not (tmp_path / "d").exists()  # nothing created, nothing started


def test_refuses_a_token_in_the_env_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    (tmp_path / ".env").write_text(f"TELEGRAM_BOT_TOKEN={REAL_LOOKING}\n")
    assert main(["demo", "--dir", "d"]) == 2
    err = capsys.readouterr().err
    assert "never with a real bot token" in err and ".env" in err and REAL_LOOKING not in err


def test_a_malformed_token_is_refused_the_same_way(tmp_path, monkeypatch, capsys):
    """The demo never parses the token (as `run` would, with a different error)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "not-a-token")
    assert main(["demo"]) == 2
    assert "never with a real bot token" in capsys.readouterr().err


def test_refuses_the_production_database(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("KOPERASI_DB_PATH", str(tmp_path / "live" / "demo.sqlite3"))
    assert main(["demo", "--dir", "live"]) == 2
    assert "production database" in capsys.readouterr().err
    monkeypatch.delenv("KOPERASI_DB_PATH")
    assert main(["--db", "prod/demo.sqlite3", "demo", "--dir", "prod"]) == 2
    assert "production database" in capsys.readouterr().err


def test_the_token_check_in_a_real_process(tmp_path):
    done = subprocess.run(
        [str(KOPERASI_BOT), "demo", "--dir", str(tmp_path / "d")],
        env=clean_env(TELEGRAM_BOT_TOKEN=REAL_LOOKING), cwd=tmp_path,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.startswith("koperasi-bot: the demo runs on its own Telegram emulator")


async def _people_count(db_path: Path) -> int:
    async with Database(str(db_path)) as db:
        row = await db.fetchone("SELECT COUNT(*) AS n FROM people")
        return row["n"]


async def _add_someone(db_path: Path) -> None:
    async with Database(str(db_path)) as db:
        await db.write(
            people.insert_person, telegram_user_id=5_550_001, chat_id=5_550_001,
            full_name="Tamu", phone="+6281299990001", language="id", timezone=regions.WIB,
            org_id=1,
        )  # fmt: skip


async def _cast(db_path: Path):
    async with Database(str(db_path)) as db:
        return await demo_cast(db)


def test_serves_the_cast_and_the_page_restarts_on_its_database_and_fresh_seeds_again(tmp_path):
    folder = tmp_path / "demo"
    demo = DemoProcess(folder, "--fresh")
    url = demo.wait_ready()
    try:
        printed = "".join(demo.lines)
        assert url.startswith("http://127.0.0.1:")
        assert str(folder) in printed and "ready in" in printed
        seconds = float(printed.split("ready in ", 1)[1].split(" s", 1)[0])
        assert 0 < seconds < 60

        status, body, headers = _get(url)
        assert status == 200 and b'src="/static/demo/demo.js"' in body
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        status, body, _ = _get(f"{url}api/cast")
        served = json.loads(body)
        titles = [p["title"] for p in served["people"]]
        assert titles and all(t in printed for t in titles)
        assert {p["role"] for p in served["people"]} >= {"farmer", "coordinator"}
        assert served["dashboard"] == f"{url}dasbor/"
        # the emulator behind /emu/: only what the page needs
        status, body, _ = _get(f"{url}emu/stats")
        assert status == 404
        farmer = next(p for p in served["people"] if p["role"] == "farmer")
        status, body, _ = _get(f"{url}emu/messages?chat_id={farmer['user_id']}")
        assert status == 200 and json.loads(body)["ok"] is True
        request = urllib.request.Request(
            f"{url}emu/send_message",
            data=json.dumps({"user_id": farmer["user_id"], "text": "/start"}).encode(),
            headers={"Content-Type": "text/plain"},
        )
        with pytest.raises(urllib.error.HTTPError) as refused:  # no simple cross-site POST
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 415
        status, body, _ = _get(
            f"{url}emu/wait_change?chat_id={farmer['user_id']}&version=0&timeout=0.1"
        )
        assert status == 200
        status, body, _ = _get(f"{url}api/labels?lang=en")
        assert json.loads(body)["labels"]["send"] == "Send"
        status, body, _ = _get(f"{url}api/labels?lang=id")
        assert json.loads(body)["labels"]["send"] == "Kirim"
    finally:
        started = time.monotonic()
        assert demo.stop() == 0, "".join(demo.errors)
        assert time.monotonic() - started < 10  # Ctrl-C ends it within seconds

    db_path = folder / "demo.sqlite3"
    seeded = asyncio.run(_people_count(db_path))
    assert [p.title for p in asyncio.run(_cast(db_path))] == titles
    asyncio.run(_add_someone(db_path))

    again = DemoProcess(folder)  # no --fresh: the same database, not seeded twice
    again.wait_ready()
    assert again.stop() == 0
    assert asyncio.run(_people_count(db_path)) == seeded + 1

    fresh = DemoProcess(folder, "--fresh")  # --fresh: started over
    fresh.wait_ready()
    assert fresh.stop() == 0
    assert asyncio.run(_people_count(db_path)) == seeded


def test_a_busy_port_is_one_line(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [str(KOPERASI_BOT), "demo", "--dir", str(tmp_path / "d"), "--port", str(port)],
            env=clean_env(), cwd=tmp_path, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert done.returncode == 2 and "cannot listen on 127.0.0.1" in done.stderr
