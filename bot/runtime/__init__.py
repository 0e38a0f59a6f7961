"""Runtime plumbing around PTB: per-chat ordered update processing and send rate limiting."""

from bot.runtime.processor import PerChatUpdateProcessor, chat_key
from bot.runtime.ratelimit import (
    BULK,
    INTERACTIVE,
    Lane,
    PriorityRateLimiter,
    SendLimits,
    bulk_lane,
    current_lane,
    is_counted,
    resolve_lane,
    retry_after_seconds,
    use_lane,
)

__all__ = [
    "BULK",
    "INTERACTIVE",
    "Lane",
    "PerChatUpdateProcessor",
    "PriorityRateLimiter",
    "SendLimits",
    "bulk_lane",
    "chat_key",
    "current_lane",
    "is_counted",
    "resolve_lane",
    "retry_after_seconds",
    "use_lane",
]
