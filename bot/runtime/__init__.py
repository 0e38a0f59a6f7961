"""Runtime plumbing around PTB: per-chat ordered update processing and send rate limiting."""

from bot.runtime.processor import PerChatUpdateProcessor, chat_key
from bot.runtime.ratelimit import (
    BULK,
    INTERACTIVE,
    Lane,
    PriorityRateLimiter,
    SendLimits,
    is_counted,
    resolve_lane,
    retry_after_seconds,
)

__all__ = [
    "BULK",
    "INTERACTIVE",
    "Lane",
    "PerChatUpdateProcessor",
    "PriorityRateLimiter",
    "SendLimits",
    "chat_key",
    "is_counted",
    "resolve_lane",
    "retry_after_seconds",
]
