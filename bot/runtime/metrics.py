"""Prometheus metrics of one running Application (``/metrics``, served by bot.web.metrics).

Each Application gets its own ``CollectorRegistry``: two bots in one process (tests, the
demo) never count into each other's figures. :func:`instrument` attaches the metrics to an
assembled Application from the outside, so neither the handlers nor the runtime's modules
carry instrumentation calls:

* updates in: ``Application.process_update`` (every update handed to processing: polled,
  posted to the webhook, or stored before a restart and queued again);
* Bot API calls out, by method, and Telegram's 429s: the bot's HTTP requests
  (``do_request`` of both request objects), so retries and refusals count as Telegram saw
  them, and calls answered from the journal on a replay (never sent) do not;
* latency per handler: each registered handler's callback (those inside conversations
  labelled ``conversation:callback``);
* queue depths and what waits in storage (outbox backlog, quarantined updates): read when
  ``/metrics`` is scraped (:meth:`Metrics.refresh`), nothing kept up to date meanwhile.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from telegram.ext import Application, BaseHandler, ConversationHandler

from bot.runtime.ratelimit import Lane
from storage import health

# Handler latencies: a button's answer is tens of milliseconds; a PDF statement seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Beside the send lanes: updates received and not yet handed to processing, and updates in
# the per-chat processor waiting for their chat's turn or a free slot.
RECEIVED_LANE = "received"
UPDATES_LANE = "updates"


class Metrics:
    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        self.updates_received = Counter(
            "koperasi_updates_received", "Updates handed to processing.", registry=registry
        )
        self.api_calls = Counter(
            "koperasi_bot_api_calls", "Bot API calls made (HTTP requests), by method.",
            ["method"], registry=registry,
        )  # fmt: skip
        self.api_429 = Counter(
            "koperasi_bot_api_429", "Bot API calls refused with 429 (flood control), by method.",
            ["method"], registry=registry,
        )  # fmt: skip
        self.handler_seconds = Histogram(
            "koperasi_handler_seconds", "Time in each handler's callback.",
            ["handler"], buckets=LATENCY_BUCKETS, registry=registry,
        )  # fmt: skip
        self.queue_depth = Gauge(
            "koperasi_queue_depth",
            "Waiting now: sends per rate-limiter lane, and updates in the per-chat processor.",
            ["lane"], registry=registry,
        )  # fmt: skip
        self.outbox_backlog = Gauge(
            "koperasi_outbox_backlog", "Outbox messages not yet sent (queued or sending).",
            registry=registry,
        )  # fmt: skip
        self.quarantined = Gauge(
            "koperasi_quarantined_updates",
            "Updates set aside (koperasi-bot inbox list-failed).",
            registry=registry,
        )
        self._app: Application | None = None

    async def refresh(self) -> None:
        """The figures read at scrape time: queue depths now, what waits in storage."""
        app = self._app
        if app is None:
            return
        limiter = getattr(getattr(app.bot, "rate_limiter", None), "inner", None)
        if limiter is not None and hasattr(limiter, "waiting"):
            for lane in Lane:
                self.queue_depth.labels(lane.value).set(limiter.waiting(lane))
        processor = app.update_processor
        waiting = getattr(processor, "pending_updates", 0) - processor.current_concurrent_updates
        self.queue_depth.labels(UPDATES_LANE).set(max(waiting, 0))
        self.queue_depth.labels(RECEIVED_LANE).set(app.update_queue.qsize())
        db = app.bot_data.db
        self.outbox_backlog.set(await health.outbox_backlog(db))
        self.quarantined.set(await health.quarantined(db))

    async def exposition(self) -> bytes:
        await self.refresh()
        return generate_latest(self.registry)


def _method_of(url: str) -> str:
    return url.rsplit("/", 1)[-1] or "?"


def _metered_request(request: Any, metrics: Metrics) -> None:
    """Count each HTTP call of ``request`` (a telegram.request.BaseRequest) by Bot API method."""
    do_request = request.do_request

    @functools.wraps(do_request)
    async def counted(url: str, method: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        endpoint = _method_of(url)
        metrics.api_calls.labels(endpoint).inc()
        status, body = await do_request(url, method, *args, **kwargs)
        if status == 429:
            metrics.api_429.labels(endpoint).inc()
        return status, body

    try:
        request.do_request = counted  # an instance attribute: found before the class's method
    except AttributeError:  # a request class with __slots__ only: its calls go uncounted
        pass


def _timed(callback: Callable[..., Awaitable[Any]], histogram: Any) -> Callable[..., Any]:
    async def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return await callback(*args, **kwargs)
        finally:
            histogram.observe(time.perf_counter() - started)

    # The callback's own attributes (kit.writes' name, roles) stay readable on the wrapper.
    functools.update_wrapper(timed, callback)
    return timed


def handler_name(callback: Any) -> str:
    inner = getattr(callback, "__func__", callback)
    module = (getattr(inner, "__module__", None) or "").rpartition(".")[2]
    name = getattr(inner, "__qualname__", None) or type(callback).__name__
    return f"{module}.{name}" if module else name


def _handlers(handlers: Iterable[BaseHandler], prefix: str = "") -> Iterable[tuple[str, Any]]:
    for handler in handlers:
        if isinstance(handler, ConversationHandler):
            inner = [*handler.entry_points, *handler.fallbacks]
            for state_handlers in handler.states.values():
                inner.extend(state_handlers)
            yield from _handlers(inner, f"{handler.name or 'conversation'}:")
        elif getattr(handler, "callback", None) is not None:
            yield f"{prefix}{handler_name(handler.callback)}", handler


def instrument(app: Application) -> Metrics:
    """Attach a new :class:`Metrics` to ``app`` (after its handlers are registered)."""
    metrics = Metrics()
    metrics._app = app
    process_update = app.process_update

    @functools.wraps(process_update)
    async def counted(update: object) -> None:
        metrics.updates_received.inc()
        await process_update(update)

    app.process_update = counted  # type: ignore[method-assign]
    for request in {id(r): r for r in (app.bot.request, app.bot._request[0])}.values():
        _metered_request(request, metrics)
    seen: set[int] = set()
    for group in app.handlers.values():
        for name, handler in _handlers(group):
            if id(handler) not in seen:  # a handler shared by conversations is timed once
                seen.add(id(handler))
                handler.callback = _timed(handler.callback, metrics.handler_seconds.labels(name))
    return metrics
