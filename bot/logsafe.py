"""Logs without secrets: the bot token and people's phone numbers never reach a log line.

PTB logs whole updates and requests at DEBUG (a shared contact holds the phone number), httpx
logs request URLs (``…/bot<TOKEN>/getMe``) and PTB's ``InvalidToken`` names the token it was
refused. ``install(token)`` puts a ``RedactingFilter`` on every handler of the root logger, so
whatever logger a record comes from, its message, its arguments and its traceback are rewritten
before any handler writes them: the token becomes ``<token>``, a phone number ``0812-****-7890``.

Filters sit on the handlers, not on loggers: a logger's filter does not see records propagated
from its children.
"""

from __future__ import annotations

import logging
import re

TOKEN_MASK = "<token>"

# Indonesian mobile numbers: +62 / 62 / 0, then 8 and 8-11 more digits, each digit optionally
# preceded by one separator (0812-3456-7890, 0812 3456 7890), not inside a longer number.
_PHONE = re.compile(r"(?<![\w+])(?:\+62[ -]?|62[ -]?|0)8(?:[ .-]?\d){8,11}(?!\d)")

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def _mask_phone(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    national = "0" + digits[2:] if digits.startswith("62") else digits
    return f"{national[:4]}-****-{national[-4:]}"


def mask_phones(text: str) -> str:
    """``+6281234567890``, ``6281234567890``, ``081234567890``, ``0812-3456-7890`` → ``0812-****-7890``."""
    return _PHONE.sub(_mask_phone, text)


class RedactingFilter(logging.Filter):
    """Rewrites each record so that neither the token nor a phone number is left in it.

    The message is formatted with its arguments first (an argument may be an Update or a
    request whose text holds a secret), then redacted; ``args`` is emptied. A traceback is
    formatted and redacted into ``exc_text``, which formatters print instead of ``exc_info``.
    """

    def __init__(self, token: str | None = None) -> None:
        super().__init__()
        secrets: list[str] = []
        if token:
            secrets.append(token)
            _, _, secret_part = token.partition(":")
            if len(secret_part) >= 20:  # the secret half alone is as good as the token
                secrets.append(secret_part)
        self.secrets = tuple(secrets)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, TOKEN_MASK)
        return mask_phones(text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string: keep what can be kept
            message = f"{record.msg!s} {record.args!r}"
        record.msg = self.redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class QuietBootstrapFailure(logging.Filter):
    """Drops PTB's report of a failed start (``Network Retry Loop (Bootstrap …): … Aborting``).

    The exception goes on to ``koperasi-bot``'s ``main()``, which says what failed in one line
    (and logs the traceback once, at DEBUG); PTB's own report would print it a second time,
    with a traceback, even at INFO.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR or not record.name.startswith("telegram.ext"):
            return True
        return not record.getMessage().startswith("Network Retry Loop (Bootstrap")


_active = RedactingFilter()


def scrub(text: str) -> str:
    """``text`` redacted as log records are (the installed token, phone numbers)."""
    return _active.redact(text)


def install(token: str | None) -> RedactingFilter:
    """Put the filters on every handler of the root logger (again: replaces the previous ones)."""
    global _active
    _active = RedactingFilter(token)
    for handler in logging.getLogger().handlers:
        for old in [
            f for f in handler.filters if isinstance(f, RedactingFilter | QuietBootstrapFailure)
        ]:
            handler.removeFilter(old)
        handler.addFilter(QuietBootstrapFailure())
        handler.addFilter(_active)  # last: the bootstrap filter reads the record as it was
    return _active


def setup_logging(level: str, token: str | None) -> None:
    """Logging to stderr at ``level``, with the filters installed; before anything is logged."""
    logging.basicConfig(level=level, format=LOG_FORMAT)
    # httpx logs every request at INFO: at DEBUG only (then with the token masked).
    logging.getLogger("httpx").setLevel(logging.DEBUG if level == "DEBUG" else logging.WARNING)
    # aiosqlite logs every statement with its parameters at DEBUG (invite codes, payloads).
    logging.getLogger("aiosqlite").setLevel(logging.INFO)
    install(token)
