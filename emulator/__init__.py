"""Loopback Telegram Bot API emulator for tests, benchmarks and end-to-end runs.

async with BotApiEmulator() as emu:
    bot = telegram.Bot(emu.token_for_tests, base_url=emu.base_url,
                       base_file_url=emu.base_file_url)
    await emu.send_command(1001, "start", first_name="Siti")
    ...
"""

from .client import MessageView, SandboxClient, SandboxError
from .emulator import BotApiEmulator
from .errors import ApiError, ControlError
from .limits import FloodLimits
from .state import CallbackQueryRecord, StoredMessage

__all__ = [
    "ApiError",
    "BotApiEmulator",
    "CallbackQueryRecord",
    "ControlError",
    "FloodLimits",
    "MessageView",
    "SandboxClient",
    "SandboxError",
    "StoredMessage",
]
