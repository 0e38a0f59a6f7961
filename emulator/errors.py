"""Errors raised inside the emulator.

`ApiError` mirrors a Bot API error answer exactly (HTTP status == error_code), so the
same object can be serialised for the bot.  `ControlError` is for misuse of the control
API (the simulated people), which Telegram itself has no equivalent for.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A Bot API error: ``{"ok": false, "error_code": N, "description": "..."}``."""

    def __init__(self, error_code: int, description: str, *, retry_after: int | None = None):
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def to_api(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> ApiError:
    """400 with Telegram's ``Bad Request: `` prefix (PTB strips it again for BadRequest)."""
    return ApiError(400, f"Bad Request: {reason}")


def forbidden(reason: str) -> ApiError:
    return ApiError(403, f"Forbidden: {reason}")


class ControlError(Exception):
    """A control-API request that cannot be carried out (unknown chat, no such button...)."""
