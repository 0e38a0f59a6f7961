"""Rules of broadcasts (pure): the key that makes one broadcast one, how long a message waits
after a transient failure, and the counts the administrator who started one sees."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# Kinds of broadcast (free text in storage; these are the ones the bot makes).
PRICE_DIGEST = "price_digest"
PRICE_CHANGE = "price_change"

# A message refused for a reason that may pass (Telegram's 5xx, no connection) is tried again
# after RETRY_BASE_SECONDS, then twice as long each time, at most RETRY_MAX_SECONDS apart;
# after MAX_ATTEMPTS failures it is given up (failed).
MAX_ATTEMPTS = 5
RETRY_BASE_SECONDS = 5
RETRY_MAX_SECONDS = 600

# The administrator's progress message is edited at most this often.
PROGRESS_EVERY_SECONDS = 5


def digest_key(day: date, timezone: str) -> str:
    """The key of the morning digest of ``day`` for the people of one zone: enqueued twice
    (a job run again after a restart), it is still one broadcast."""
    return f"digest:{day.isoformat()}:{timezone}"


def retry_delay(failures: int) -> int:
    """Seconds to wait before trying again after the ``failures``-th transient failure
    (1 → 5 s, 2 → 10 s, 3 → 20 s, …, at most 10 minutes)."""
    if failures < 1:
        return 0
    return min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** min(failures - 1, 30))


def gives_up(failures: int, max_attempts: int = MAX_ATTEMPTS) -> bool:
    """Whether a message that failed ``failures`` times is given up rather than retried."""
    return failures >= max_attempts


@dataclass(frozen=True)
class Progress:
    """Where a broadcast stands. ``unconfirmed`` messages are counted in ``sent``: their
    request reached or was on its way to Telegram, and no answer came (a crash, a timeout);
    they are never sent again."""

    total: int
    sent: int = 0
    failed: int = 0
    gone: int = 0  # the person blocked the bot
    unconfirmed: int = 0

    @property
    def left(self) -> int:
        return max(0, self.total - self.sent - self.failed - self.gone)

    @property
    def not_delivered(self) -> int:
        """Failed or blocked: what the administrator reads as failed while it runs."""
        return self.failed + self.gone

    @property
    def finished(self) -> bool:
        return self.left == 0


def report_due(
    last_report_at: float | None, now: float, every: float = PROGRESS_EVERY_SECONDS
) -> bool:
    """Whether the progress message may be edited again (never more often than ``every``)."""
    return last_report_at is None or now - last_report_at >= every
