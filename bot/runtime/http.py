"""The Bot API connection: PTB's HTTPXRequest, split into small connection pools.

httpcore's pool looks at every connection for every request it places, and again each time
one is freed: with dozens of requests in flight (one per chat being answered) that costs
more CPU than everything else the bot does; measured through the emulator at 100 ms per
call, one pool of 64 managed about 58 calls/s, eight pools of 8 about 370. Each call goes
to the pool with the fewest calls in flight.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from functools import cache
from typing import Any

import httpx
from telegram.request import BaseRequest, HTTPXRequest

from bot.runtime.ratelimit import leaving

CONNECTIONS_PER_POOL = 4
# PTB waits at most 1 s for a free connection by default; a small pool needs more slack.
POOL_TIMEOUT_SECONDS = 5.0


@cache
def _tls() -> ssl.SSLContext:
    """httpx's default TLS context, made once: each one reads the whole CA bundle (~60 ms and
    ~1 MiB), and every pool would make its own."""
    return httpx.create_ssl_context()


async def _trace(event: str, info: dict[str, Any]) -> None:
    if event.endswith("send_request_headers.started"):  # a connection in hand, nothing written
        await leaving()


class AnnouncingHTTPXRequest(HTTPXRequest):
    """PTB's HTTPXRequest that awaits :func:`bot.runtime.ratelimit.leaving` right before a
    request is written out (httpcore's trace), after its connection was found or made: the
    outbox marks a message as on its way only then (bot.runtime.broadcast)."""

    announces_leaving = True

    def _build_client(self) -> httpx.AsyncClient:
        client = super()._build_client()
        plain = client.request

        async def request(*args: Any, **kwargs: Any) -> httpx.Response:
            kwargs["extensions"] = {**(kwargs.get("extensions") or {}), "trace": _trace}
            return await plain(*args, **kwargs)

        client.request = request  # type: ignore[method-assign]
        return client


def _httpx_pool(size: int) -> BaseRequest:
    return AnnouncingHTTPXRequest(
        connection_pool_size=size,
        pool_timeout=POOL_TIMEOUT_SECONDS,
        httpx_kwargs={"verify": _tls()},
    )


class PooledRequest(BaseRequest):
    def __init__(
        self,
        connections: int,
        *,
        per_pool: int = CONNECTIONS_PER_POOL,
        make_pool: Callable[[int], BaseRequest] = _httpx_pool,
    ) -> None:
        count = max(1, -(-connections // per_pool))  # ceil
        self._pools = [make_pool(per_pool) for _ in range(count)]
        self._in_flight = [0] * count
        # Whether requests are announced right before they leave (bot.runtime.ratelimit.leaving)
        self.announces_leaving = all(getattr(p, "announces_leaving", False) for p in self._pools)

    @property
    def pools(self) -> int:
        return len(self._pools)

    @property
    def read_timeout(self) -> float | None:
        return self._pools[0].read_timeout

    async def initialize(self) -> None:
        for pool in self._pools:
            await pool.initialize()

    async def shutdown(self) -> None:
        for pool in self._pools:
            await pool.shutdown()

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        index = min(range(len(self._pools)), key=self._in_flight.__getitem__)
        self._in_flight[index] += 1
        try:
            return await self._pools[index].do_request(*args, **kwargs)
        finally:
            self._in_flight[index] -= 1
