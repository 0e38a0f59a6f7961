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

CONNECTIONS_PER_POOL = 4
# PTB waits at most 1 s for a free connection by default; a small pool needs more slack.
POOL_TIMEOUT_SECONDS = 5.0


@cache
def _tls() -> ssl.SSLContext:
    """httpx's default TLS context, made once: each one reads the whole CA bundle (~60 ms and
    ~1 MiB), and every pool would make its own."""
    return httpx.create_ssl_context()


def _httpx_pool(size: int) -> BaseRequest:
    return HTTPXRequest(
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
