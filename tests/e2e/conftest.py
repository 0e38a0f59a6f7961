"""Fixtures for end-to-end runs: one emulator per test and the bot processes started on it.

Every process a test starts is SIGKILLed and reaped at teardown, whatever happened,
before the emulator stops (fixture order: ``bots`` depends on ``emu``). When a test
fails, the bot logs and the chats are printed with the failure.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_asyncio

from emulator import BotApiEmulator
from tests.e2e.botproc import BotProcess, Webhook


class Bots:
    """Starts bot processes on one database; remembers them for cleanup."""

    def __init__(self, emu: BotApiEmulator, tmp_path: Path) -> None:
        self.emu = emu
        self.dir = tmp_path
        self.db_path = tmp_path / "koperasi.sqlite3"
        self.started: list[BotProcess] = []

    async def start(
        self, *, webhook: Webhook | None = None, env: dict[str, str] | None = None
    ) -> BotProcess:
        log_path = self.dir / f"bot-{len(self.started) + 1}.log"
        proc = BotProcess(self.emu, self.db_path, log_path, webhook=webhook, cwd=self.dir, env=env)
        self.started.append(proc)
        return await proc.start()

    async def cleanup(self) -> None:
        for proc in self.started:
            await proc.kill()

    async def report(self) -> str:
        parts = []
        for proc in self.started:
            code = proc.proc.returncode if proc.proc else None
            parts.append(f"----- {proc.log_path.name} (exit {code})\n{proc.log()}")
        for chat in await self.emu.chats():
            chat_id = chat["chat"]["id"]
            lines = [
                f"{'bot ' if m.from_bot else 'user'} #{m.message_id} u{m.update_id}:"
                f" {(m.text or m.kind)!r}"
                for m in await self.emu.messages(chat_id, include_user=True)
            ]
            parts.append(f"----- chat {chat_id}\n" + "\n".join(lines))
        parts.append(f"----- emulator stats\n{await self.emu.stats()}")
        return "\n".join(parts)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.e2e_call_failed = report.failed
    return report


@pytest_asyncio.fixture
async def emu():
    # Short webhook backoff: the bot registers its webhook a moment before it listens.
    async with BotApiEmulator(
        latency=0.0, webhook_retry_initial=0.05, webhook_retry_max=0.5
    ) as emulator:
        yield emulator


@pytest_asyncio.fixture
async def bots(emu, tmp_path, request):
    started = Bots(emu, tmp_path)
    try:
        yield started
    finally:
        await started.cleanup()
        if getattr(request.node, "e2e_call_failed", False):
            print(await started.report())  # shown with the failure
