"""``koperasi-bot run``: the bot itself, long polling or (with --webhook-url) a webhook server."""

from __future__ import annotations

import argparse
import logging
from urllib.parse import urlsplit

from bot.config import Settings
from bot.logsafe import setup_logging

ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]


def add_parser(sub) -> None:
    run = sub.add_parser("run", help="run the bot (long polling, or webhook with --webhook-url)")
    run.add_argument("--api-url", help="Bot API base URL, e.g. http://127.0.0.1:8081/bot")
    run.add_argument("--webhook-url", help="public URL Telegram posts updates to")
    run.add_argument("--listen", dest="webhook_listen", help="address the webhook server binds to")
    run.add_argument("--port", dest="webhook_port", type=int, help="port of the webhook server")
    run.add_argument("--secret", dest="webhook_secret", help="webhook secret token")
    run.add_argument(
        "--dashboard-port", dest="dashboard_port", type=int,
        help="serve the dashboard (Telegram Mini App) on this port beside the bot; 0: off",
    )  # fmt: skip
    run.add_argument(
        "--metrics-port", dest="metrics_port", type=int,
        help="serve /metrics (Prometheus) and /healthz on this port beside the bot; 0: off",
    )  # fmt: skip
    run.set_defaults(handler=run_bot, needs_token=True)


def webhook_path(url: str) -> str:
    """The path the webhook server serves: the public URL's own (``https://host/hook`` →
    ``/hook``), so a reverse proxy forwards the path unchanged; ``/`` when it has none."""
    return urlsplit(url).path or "/"


def _serve_beside(app, start_server, address: str) -> None:
    """A web server in the bot's own loop, from its initialisation (the database is open)
    until it stops; hooks already set run before it starts and after it stops.
    ``address``: the log line's format, given the port."""
    held = {}
    started, stopped = app.post_init, app.post_stop

    async def start(application) -> None:
        if started is not None:
            await started(application)
        held["server"] = server = await start_server(application)
        logging.getLogger(__name__).info(address, server.port)

    async def stop(application) -> None:
        if "server" in held:
            await held.pop("server").stop()
        if stopped is not None:
            await stopped(application)

    app.post_init, app.post_stop = start, stop


def serve_dashboard(app, settings: Settings) -> None:
    """With a dashboard port, the dashboard's web server runs beside the bot."""
    if not settings.dashboard_port:
        return
    from bot.web.dashboard import dashboard_routes
    from bot.web.server import start_web_server

    async def start_server(application):
        routes = dashboard_routes(application.bot_data.db, settings.token)
        return await start_web_server(
            routes, listen=settings.dashboard_listen, port=settings.dashboard_port
        )

    _serve_beside(app, start_server, f"dashboard on http://{settings.dashboard_listen}:%d/dasbor/")


def serve_metrics(app, settings: Settings) -> None:
    """With a metrics port, /metrics and /healthz are served beside the bot (/healthz says
    503 until the updater runs)."""
    if not settings.metrics_port:
        return
    from bot.web.metrics import start_metrics_server

    async def start_server(application):
        return await start_metrics_server(
            application, listen=settings.metrics_listen, port=settings.metrics_port
        )

    _serve_beside(app, start_server, f"metrics on http://{settings.metrics_listen}:%d/metrics")


def run_bot(args: argparse.Namespace, settings: Settings) -> int:
    from bot.wiring import build_application

    # Before anything logs: the token and phone numbers are masked in every record.
    setup_logging(settings.log_level, settings.token)
    # shared: other processes may serve the same database (issue 16, bot.runtime.multiproc)
    app = build_application(settings, shared=True)
    serve_dashboard(app, settings)
    serve_metrics(app, settings)
    if settings.webhook_url:
        app.run_webhook(
            listen=settings.webhook_listen, port=settings.webhook_port, webhook_url=settings.webhook_url,
            url_path=webhook_path(settings.webhook_url),
            secret_token=settings.webhook_secret or None, allowed_updates=ALLOWED_UPDATES,
        )  # fmt: skip
    else:
        app.run_polling(allowed_updates=ALLOWED_UPDATES)
    return 0
