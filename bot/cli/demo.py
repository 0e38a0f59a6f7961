"""``koperasi-bot demo``: the bot in the browser, without Telegram and without a token.

One process, one asyncio loop: the loopback Bot API emulator (``emulator``), the real bot
(``bot.wiring.build_application``) long-polling it with the emulator's test token, its own
SQLite file in the demo folder (seeded once, ``--fresh`` starts over), and one web server on
127.0.0.1 serving the Telegram-like chat page at ``/`` and the dashboard at ``/dasbor/``.
It never reads or uses TELEGRAM_BOT_TOKEN, never opens the production database, and binds
only 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
import webbrowser
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from dotenv import dotenv_values

from bot.cli.common import CliError
from bot.config import SETTINGS, Settings

DB_NAME = "demo.sqlite3"
LISTEN = "127.0.0.1"  # the demo is never reachable from another computer
TOKEN_ENV = SETTINGS["token"].env
DB_ENV = SETTINGS["db_path"].env
REFUSE_TOKEN = (
    "the demo runs on its own Telegram emulator and never with a real bot token:"
    f" {TOKEN_ENV} is set ({{where}}); unset it, or run the demo from another folder"
)
log = logging.getLogger(__name__)


def add_parser(sub) -> None:
    demo = sub.add_parser(
        "demo",
        help="try the bot in the browser: no token, no Telegram, no network (127.0.0.1 only)",
    )
    demo.add_argument(
        "--dir", default="koperasi-demo", help="demo folder (default: ./koperasi-demo)"
    )
    demo.add_argument("--fresh", action="store_true", help="delete the demo database, seed again")
    demo.add_argument("--port", type=int, default=0, help="port of the page (default: a free one)")
    demo.add_argument("--open", action="store_true", help="open the page in the browser")
    demo.set_defaults(handler=demo_command, own_settings=True)


def _settings_source(env_file: str | None) -> tuple[dict[str, str | None], dict[str, str]]:
    from_file = dict(dotenv_values(env_file)) if env_file and Path(env_file).is_file() else {}
    return from_file, dict(os.environ)


def refuse_unsafe(args: argparse.Namespace, db_path: Path) -> None:
    """A real token anywhere in reach, or the production database as the demo's: refuse."""
    from_file, environ = _settings_source(args.env_file)
    if environ.get(TOKEN_ENV):
        raise CliError(REFUSE_TOKEN.format(where="in the environment"))
    if from_file.get(TOKEN_ENV):
        raise CliError(REFUSE_TOKEN.format(where=f"in {args.env_file}"))
    production = (
        getattr(args, "db_path", None)
        or environ.get(DB_ENV)
        or from_file.get(DB_ENV)
        or SETTINGS["db_path"].default
    )
    if Path(production).resolve() == db_path.resolve():
        raise CliError(
            f"the demo never uses the production database: {db_path} is {DB_ENV};"
            " choose another --dir"
        )


def process_age() -> float | None:
    """Seconds since this process started (Linux), for "ready in N s" from the command."""
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")
        uptime = float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return max(0.0, uptime - started)


def demo_command(args: argparse.Namespace, settings: Settings | None) -> int:
    began = time.monotonic() - (process_age() or 0.0)
    folder = Path(args.dir).resolve()
    db_path = folder / DB_NAME
    refuse_unsafe(args, db_path)
    if not 0 <= args.port <= 65535:
        raise CliError(f"--port must be between 0 and 65535, got {args.port}")
    folder.mkdir(parents=True, exist_ok=True)
    if args.fresh:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    level = os.environ.get(SETTINGS["log_level"].env, "WARNING").upper()
    return asyncio.run(_demo(args, folder, db_path, began, level))


async def _seeded_cast(db_path: Path):
    from bot.cli.demo_seed import demo_cast, seed_demo
    from storage.db import Database
    from storage.migrate import migrate

    async with Database(str(db_path)) as db:
        await migrate(db)
        try:
            cast = await demo_cast(db)
        except LookupError:  # a new demo folder (or --fresh): nobody of the cast there yet
            cast = await seed_demo(db, now=datetime.now(UTC))
    return cast


def _listen(port: int):
    from tornado.netutil import bind_sockets

    try:
        return bind_sockets(port, LISTEN)
    except OSError as exc:
        raise CliError(f"cannot listen on {LISTEN}:{port}: {exc.strerror}; try --port 0") from None


async def _dashboard_routes(db, token: str) -> list:
    """The dashboard (bot.web.dashboard) where this build has it."""
    try:
        from bot.web.dashboard import dashboard_routes
    except ImportError:
        return []
    return list(dashboard_routes(db, token, prefix="/dasbor"))


async def _demo(args, folder: Path, db_path: Path, began: float, level: str) -> int:
    from tornado.httpclient import AsyncHTTPClient
    from tornado.httpserver import HTTPServer
    from tornado.web import Application

    from bot.cli.run import ALLOWED_UPDATES
    from bot.logsafe import setup_logging
    from bot.web.demo import demo_routes
    from bot.wiring import build_application
    from emulator import BotApiEmulator

    sockets = _listen(args.port)
    port = sockets[0].getsockname()[1]
    url = f"http://{LISTEN}:{port}/"
    cast = await _seeded_cast(db_path)

    emu = BotApiEmulator(host=LISTEN, port=0)
    emu.valid_tokens = frozenset({emu.token_for_tests})
    await emu.start()
    for person in cast:  # they started the bot before: it may write to them
        await emu.add_user(
            person.user_id, person.first_name, person.last_name,
            language_code=person.language, open_chat=True,
        )  # fmt: skip
    settings = Settings.load(
        environ={
            TOKEN_ENV: emu.token_for_tests,
            SETTINGS["api_url"].env: emu.base_url,
            SETTINGS["file_api_url"].env: emu.base_file_url,
            DB_ENV: str(db_path),
            SETTINGS["bot_username"].env: emu.bot_username,
            SETTINGS["log_level"].env: level,
            "KOPERASI_DASHBOARD_URL": f"{url}dasbor/",
        },
        env_file=None,
    )
    setup_logging(settings.log_level, settings.token)
    app = build_application(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    server: HTTPServer | None = None
    started = False
    try:
        # What Application.run_polling does, by hand: everything shares this loop.
        await app.initialize()
        if app.post_init is not None:
            await app.post_init(app)
        await app.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
        await app.start()
        started = True
        cast_view = [{**asdict(p), "phone": p.phone.lstrip("+")} for p in cast]
        routes = [
            *await _dashboard_routes(app.bot_data.db, settings.token),
            *demo_routes(
                app.bot_data.db, emu.control_url, cast=cast_view, dashboard_url=f"{url}dasbor/"
            ),
        ]
        server = HTTPServer(Application(routes, log_function=lambda handler: None))
        server.add_sockets(sockets)
        answer = await AsyncHTTPClient().fetch(url, raise_error=False)
        if answer.code != 200:
            raise CliError(f"the demo page did not answer ({answer.code})")
        ready = time.monotonic() - began
        print(
            f"koperasi-bot demo: {url}\n"
            f"  demo folder: {folder} (database {DB_NAME}; --fresh starts over)\n"
            f"  people: {'; '.join(p.title for p in cast)}\n"
            f"  ready in {ready:.1f} s. Stop with Ctrl-C.",
            flush=True,
        )
        if args.open:
            await loop.run_in_executor(None, webbrowser.open, url)
        await stop.wait()
    finally:
        if server is not None:
            server.stop()
            await server.close_all_connections()
        if started:
            with contextlib.suppress(Exception):
                await app.updater.stop()
            await app.stop()
            if app.post_stop is not None:
                await app.post_stop(app)
        elif app.updater.running:
            await app.updater.stop()
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
        await emu.stop()
    print("koperasi-bot demo: stopped", file=sys.stderr, flush=True)
    return 0
