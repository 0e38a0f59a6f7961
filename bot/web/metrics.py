"""``/metrics`` (Prometheus text format) and ``/healthz``, on their own port beside the bot
(``KOPERASI_METRICS_PORT``; 127.0.0.1 unless ``KOPERASI_METRICS_LISTEN``), served by the same
small tornado server as the dashboard, in the bot's own loop.

``/healthz`` is 200 ``{"ok": true, …}`` when the database answers a query and the updater
(polling or the webhook server) runs; 503 with the same fields otherwise, so that a container
healthcheck or a load balancer takes a stuck or half-stopped process out."""

from __future__ import annotations

import json
from typing import Any

import tornado.web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.runtime.metrics import Metrics
from bot.web.server import WebServer, start_web_server
from storage import health


class MetricsHandler(tornado.web.RequestHandler):
    def initialize(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def get(self) -> None:
        body = await self.metrics.exposition()
        self.set_header("Content-Type", CONTENT_TYPE_LATEST)
        self.finish(body)


class HealthHandler(tornado.web.RequestHandler):
    def initialize(self, app: Any) -> None:
        self.app = app

    async def get(self) -> None:
        app = self.app
        database = await health.answers(app.bot_data.db)
        updater = bool(app.running and app.updater is not None and app.updater.running)
        ok = database and updater
        self.set_status(200 if ok else 503)
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps({"ok": ok, "database": database, "updater": updater}))


def metrics_routes(app: Any, metrics: Metrics) -> list:
    return [
        (r"/metrics", MetricsHandler, {"metrics": metrics}),
        (r"/healthz", HealthHandler, {"app": app}),
    ]


async def start_metrics_server(app: Any, *, listen: str, port: int) -> WebServer:
    """Serve ``app``'s metrics (``app.metrics``, see bot.runtime.metrics.instrument)."""
    return await start_web_server(metrics_routes(app, app.metrics), listen=listen, port=port)
