"""Group commit for small bookkeeping writes: items submitted while a write is running go
together in the next one, so under load one write serves many items.

``submit`` returns a future that resolves once the item's write is done (await it when the
item must be on disk before going on, or don't); ``flush`` waits until everything submitted
so far is written. A failed write is logged and its items dropped: bookkeeping must never
stop the update it belongs to.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")

_LOGGER = logging.getLogger(__name__)


class Batcher(Generic[T]):
    def __init__(self, write: Callable[[list[T]], Awaitable[None]], what: str) -> None:
        self._write = write
        self._what = what
        self._pending: list[tuple[T, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    def submit(self, item: T) -> asyncio.Future[None]:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((item, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_all(), name=f"Batcher:{self._what}")
        return done

    async def flush(self) -> None:
        while self._writer is not None and not self._writer.done():
            await asyncio.shield(self._writer)

    async def _write_all(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                await self._write([item for item, _ in batch])
            except Exception:  # noqa: BLE001 - logged; the work it describes goes on
                _LOGGER.exception("could not write %d %s", len(batch), self._what)
            finally:
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)
