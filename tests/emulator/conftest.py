"""Fixtures for the Bot API emulator tests: a fresh emulator and a real PTB Bot on it."""

from __future__ import annotations

import pytest_asyncio
import telegram

from emulator import BotApiEmulator


@pytest_asyncio.fixture
async def emu():
    # Short webhook backoff keeps the retry test fast.
    async with BotApiEmulator(webhook_retry_initial=0.05, webhook_retry_max=0.2) as emulator:
        yield emulator


@pytest_asyncio.fixture
async def bot(emu):
    ptb_bot = telegram.Bot(
        emu.token_for_tests, base_url=emu.base_url, base_file_url=emu.base_file_url
    )
    async with ptb_bot:
        yield ptb_bot
