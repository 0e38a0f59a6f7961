"""The wiring: the runtime's Application with this project's handlers and jobs. The one module
of bot/ (with the command line) that imports the floor above the runtime."""

from __future__ import annotations

from typing import Any

import handlers
from bot.app import KoperasiApplication, assemble
from bot.config import Settings


def build_application(settings: Settings, **options: Any) -> KoperasiApplication:
    """The bot as it runs: the runtime's Application (bot.app.assemble) with every handler
    and job registered."""
    return assemble(settings, register=handlers.register, **options)
